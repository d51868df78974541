import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The OpenAPI document the service serves (apps/web/src/api/openapi.json: npm test checks that it is what the
 * built API produces and what /api/docs/openapi.json serves) passes a standard linter, Redocly's recommended
 * rules (redocly.yaml), so other languages' client generators can take it as it is.
 */

const ROOT = resolve(__dirname, '..');
const DOC = join(ROOT, 'apps/web/src/api/openapi.json');
const CLI = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

function lint(file: string): Problem[] {
  const run = spawnSync(
    process.execPath,
    [CLI, 'lint', file, '--format=json', '--config', join(ROOT, 'redocly.yaml')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`redocly lint printed no report (exit ${run.status}): ${run.stderr}`);
  return (JSON.parse(run.stdout.slice(start)) as { problems: Problem[] }).problems;
}

const show = (ps: Problem[]) => ps.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
type Op = { security?: unknown[]; parameters?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> };
type Doc = {
  openapi: string;
  servers?: unknown[];
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};
const readDoc = () => JSON.parse(readFileSync(DOC, 'utf8')) as Doc;

describe('OpenAPI document lint (redocly, recommended rules)', () => {
  it('has no error, and no warning but a missing license and 4xx answers of routes that have none', () => {
    const doc = readDoc();
    const problems = lint(DOC);
    expect(show(problems.filter((p) => p.severity === 'error'))).toEqual([]);
    const unexpected = problems.filter((p) => {
      if (p.ruleId === 'info-license') return false;
      if (p.ruleId !== 'operation-4xx-response') return true;
      // "#/paths/~1api~1v1~1health/get/responses": only a public route that takes no input may have no 4xx answer.
      const [, path, method] = /^#\/paths\/([^/]+)\/([a-z]+)\//.exec(p.location[0].pointer) ?? [];
      const op = doc.paths[decodeURIComponent(path.replace(/~1/g, '/').replace(/~0/g, '~'))]?.[method];
      return !(
        op &&
        Array.isArray(op.security) &&
        op.security.length === 0 &&
        !op.parameters?.length &&
        !op.requestBody
      );
    });
    expect(show(unexpected)).toEqual([]);
  });

  it('documents each refusal by its status: 401 on every authenticated route, no 403 on public ones, 404 and 400 for an id', () => {
    const doc = readDoc();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (Array.isArray(op.security) && op.security.length === 0) {
          // A public route has no role to refuse; only GET /tickets/{ticket} refuses with 403, for the ticket's own reasons (documented there).
          if (path === '/api/v1/tickets/{ticket}')
            expect((op.responses['403'] as { description: string }).description).toMatch(
              /^AUTH.FORBIDDEN: not a role refusal/,
            );
          else expect([where, op.responses['403']]).toEqual([where, undefined]);
        } else {
          expect([where, op.security]).toEqual([where, [{ bearer: [] }]]);
          expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['401'])]);
        }
        if (path.includes('{id}'))
          expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['400', '404'])]);
      }
    }
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(Object.keys(doc.paths['/api/v1/auth/login'].post.responses)).toEqual([
      '200',
      '400',
      '401',
      '415',
      '423',
      '429',
      'default',
    ]);
    expect(Object.keys(doc.paths['/api/v1/cases/{id}/submit'].post.responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '415',
      '422',
      '428',
      'default',
    ]);
  });

  it('finds the defects the document used to have (nullable beside a $ref, a public route without security, empty servers, 4xx only as default)', () => {
    const old = {
      openapi: '3.0.0',
      info: { title: 'old', version: '1' },
      servers: [],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: {
          ActivityType: { type: 'string', enum: ['ARREST'] },
          CaseView: {
            type: 'object',
            properties: { activityType: { nullable: true, allOf: [{ $ref: '#/components/schemas/ActivityType' }] } },
          },
        },
      },
      paths: {
        '/api/v1/keys': {
          get: { operationId: 'keys', responses: { 200: { description: 'ok' }, default: { description: 'error' } } },
        },
        '/api/v1/cases': {
          get: {
            operationId: 'cases',
            security: [{ bearer: [] }],
            responses: {
              200: {
                description: 'ok',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/CaseView' } } },
              },
              default: { description: 'error' },
            },
          },
        },
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'ion-openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(old));
      const found = lint(join(dir, 'openapi.json')).map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'error nullable-type-sibling #/components/schemas/CaseView/properties/activityType/nullable',
          'error security-defined #/paths/~1api~1v1~1keys/get',
          'error no-empty-servers #/servers',
          'warn operation-4xx-response #/paths/~1api~1v1~1cases/get/responses',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
