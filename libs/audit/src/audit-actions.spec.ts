import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  AUDIT_ACTION_CATALOGUE,
  AUDIT_ACTIONS,
  AuditAction,
  auditActionsMarkdown,
  isAuditAction,
  meaningOf,
} from './audit-actions';

const ROOT = join(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'migrations' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.spec\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('the catalogue of audit actions', () => {
  it('names each action once, with a constant name, a dotted lower-case action and a one-line meaning', () => {
    expect(new Set(AUDIT_ACTION_CATALOGUE.map((e) => e.name)).size).toBe(AUDIT_ACTION_CATALOGUE.length);
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const e of AUDIT_ACTION_CATALOGUE) {
      expect(e.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(e.action).toMatch(/^[a-z][a-z_]*(\.[a-z_]+)+$/);
      expect(e.meaning).toMatch(/^[A-Z].{10,300}[^.]$/);
      expect(e.meaning).not.toMatch(/[\n|]/);
    }
  });

  it('gives the constants the stored names, and says which strings are actions', () => {
    expect(AuditAction.CaseSubmitted).toBe('case.submitted');
    expect(AuditAction.AccessDenied).toBe('access.denied');
    expect(AuditAction.CaseSubmitAttempt).toBe('case.submit');
    expect(Object.isFrozen(AuditAction)).toBe(true);
    expect(isAuditAction('evidence.downloaded')).toBe(true);
    expect(isAuditAction('case.deleted')).toBe(false);
    expect(isAuditAction('GET /api/v1/cases/:id')).toBe(false);
    expect(meaningOf(AuditAction.CaseApproved)).toBe('A supervisor (not the author) approved a submitted case');
  });

  it("is what the README's export format section lists, row for row", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- audit-actions:begin[^>]*-->\n([\s\S]*?)\n<!-- audit-actions:end -->/.exec(readme);
    expect(block).not.toBeNull();
    // On a difference: paste the expected table (auditActionsMarkdown()) between the two markers.
    expect(block![1]).toBe(auditActionsMarkdown());
  });

  it("is the only place an action is written as a string: no `action: '…'` literal in the service's code", () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles(join(ROOT, 'libs')), ...sourceFiles(join(ROOT, 'apps/api'))]) {
      if (file.endsWith('audit-actions.ts')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\baction\s*:\s*['"`][a-z]/.test(line))
            offenders.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
