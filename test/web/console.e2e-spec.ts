import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { CONSOLE_CSP, DOCS_CSP } from '../../apps/api/src/http/web-console';
import { axeViolations, ConsoleUnderTest, openConsole, screenshot, signIn, startConsole } from '../harness/browser';
import { hmacToken, nowS } from '../harness/fuzz-arbitraries';
import { DIST_WEB } from '../harness/paths';
import { ensureSecrets, startApiProcess, TestUser } from '../harness/test-app';
import type { Role } from '@app/common';

/**
 * The console as a whole: how the service serves it (headers, deep links, what is not it), that its
 * API types are the ones the service documents, who sees which screen, and what happens when a
 * session ends in the middle of typing. The four role flows have their own suites beside this one.
 */
describe('web console', () => {
  let c: ConsoleUnderTest;
  const users = {} as Record<Role, TestUser>;

  beforeAll(async () => {
    c = await startConsole();
    users.OFFICER = await c.t.given.officer(1);
    users.SUPERVISOR = await c.t.given.supervisor(1);
    users.PROSECUTOR = await c.t.given.prosecutor('CCSAO');
    users.AUDITOR = await c.t.given.auditor();
    users.ADMIN = await c.t.given.admin();
  }, 120_000);
  afterAll(() => c?.close());

  describe('served by the API at /', () => {
    it('index.html with the strict policy and the other security headers; scripts and styles only as same-origin files', async () => {
      const res = await request(c.url).get('/').expect(200).expect('Content-Type', /html/);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(CONSOLE_CSP).toContain("script-src 'self'");
      expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': 'no-cache',
      });
      const html = res.text;
      // Every script is a same-origin file; no inline script or style, nothing from another host.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(attrs).toMatch(/src="\/assets\/[^"]+\.js"/);
        expect(body.trim()).toBe('');
      }
      expect(html).not.toMatch(/<style|style="|https?:\/\//);
      expect(html).toMatch(/<link rel="stylesheet"[^>]*href="\/assets\/[^"]+\.css"/);
    });

    it('hashed assets are cached for good; the built files load nothing from another host', async () => {
      const assets = readdirSync(join(DIST_WEB, 'assets')).filter((f) => /\.(js|css)$/.test(f));
      expect(assets.some((f) => f.endsWith('.css'))).toBe(true);
      for (const f of assets) {
        const res = await request(c.url).get(`/assets/${f}`).expect(200);
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        const text = readFileSync(join(DIST_WEB, 'assets', f), 'utf8');
        // No fonts, styles or scripts fetched from elsewhere (the city network may be closed).
        expect(text).not.toMatch(/url\(\s*['"]?https?:|@import\s+(url\()?['"]?https?:|fonts\.googleapis|cdn\./i);
      }
    });

    it('a bookmarked screen (/cases/<id>) opens the console; a missing file, an unknown API route and a POST do not', async () => {
      const deep = await request(c.url).get(`/cases/${randomUUID()}`).expect(200).expect('Content-Type', /html/);
      expect(deep.text).toBe((await request(c.url).get('/')).text);
      const missing = await request(c.url).get('/assets/index-gone.js').expect(404);
      expect(missing.body.code).toBe('ROUTE.NOT_FOUND');
      const api = await request(c.url).get('/api/v1/no-such-route').expect(404);
      expect(api.body.code).toBe('ROUTE.NOT_FOUND');
      await request(c.url).post('/cases').send({}).expect(404);
    });

    it('API answers carry the strict policy too; /api/docs gets the one Swagger UI needs', async () => {
      const health = await request(c.url).get('/api/v1/health');
      expect(health.headers['content-security-policy']).toBe(CONSOLE_CSP);
      const docs = await request(c.url).get('/api/docs').expect(200);
      expect(docs.headers['content-security-policy']).toBe(DOCS_CSP);
    });

    it('without a built console, / says how to build it (and the API still works)', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'ion-noweb-'));
      const api = await startApiProcess(c.t.dbName, c.t.storage, { WEB_ROOT: empty });
      try {
        const res = await request(api.url).get('/').expect(503);
        expect(res.text).toMatch(/web console has not been built.*npm run build/);
        await request(api.url)
          .post('/api/v1/auth/login')
          .send({ username: users.OFFICER.username, password: users.OFFICER.password })
          .expect(200);
      } finally {
        await api.stop();
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe('API types generated from the OpenAPI document', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'openapi.js');
    const webApi = join(__dirname, '..', '..', 'apps', 'web', 'src', 'api');

    it('the document the service serves is the one the console was typed from', async () => {
      const served = await request(c.url).get('/api/docs/openapi.json').expect(200);
      expect(served.body).toEqual(JSON.parse(readFileSync(join(webApi, 'openapi.json'), 'utf8')));
      // Every operation documents its successful answer (its body, unless it is 204 No Content or a HEAD, as tus's HEAD, PATCH,
      // DELETE and OPTIONS are), so no console type is written by hand.
      for (const [path, item] of Object.entries(
        served.body.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>,
      )) {
        for (const [method, op] of Object.entries(item)) {
          const ok = Object.entries(op.responses).filter(([s]) => /^2\d\d$/.test(s));
          expect({
            op: `${method.toUpperCase()} ${path}`,
            documented:
              ok.length > 0 && ok.every(([s, r]) => s === '204' || method === 'head' || r.content !== undefined),
          }).toEqual({ op: `${method.toUpperCase()} ${path}`, documented: true });
        }
      }
    });

    it('`npm run api:types -- --check` passes on the checked-in files and fails on stale ones', () => {
      const ok = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);

      const stale = mkdtempSync(join(tmpdir(), 'ion-types-'));
      try {
        cpSync(webApi, stale, { recursive: true });
        writeFileSync(
          join(stale, 'schema.ts'),
          readFileSync(join(stale, 'schema.ts'), 'utf8').replace('"SUBMITTED"', '"SENT_IN"'),
        );
        const bad = spawnSync(process.execPath, [script, '--check', '--out', stale], { encoding: 'utf8' });
        expect(bad.status).toBe(1);
        expect(bad.stderr).toMatch(/Stale: .*schema\.ts.*run npm run api:types/);
      } finally {
        rmSync(stale, { recursive: true, force: true });
      }
    });
  });

  it('Swagger UI at /api/docs still renders under its policy', async () => {
    const { page, context, cspViolations, pageErrors } = await openConsole(c);
    try {
      await page.goto('/api/docs');
      await page.getByText('ICE-on-Notice case service').first().waitFor();
      await page.getByText('/api/v1/cases/{id}/submit').first().waitFor();
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  describe('each role sees its own screens only', () => {
    const id = randomUUID();
    const screens: { path: string; roles: Role[] }[] = [
      { path: '/cases', roles: ['OFFICER', 'SUPERVISOR'] },
      { path: '/cases/new', roles: ['OFFICER', 'SUPERVISOR'] },
      { path: `/cases/${id}`, roles: ['OFFICER', 'SUPERVISOR'] },
      { path: '/review-queue', roles: ['PROSECUTOR'] },
      { path: `/packets/${id}`, roles: ['PROSECUTOR'] },
      { path: '/audit', roles: ['AUDITOR'] },
      { path: `/audit/cases/${id}`, roles: ['AUDITOR'] },
      { path: '/admin/users', roles: ['ADMIN'] },
      { path: '/federal-personnel', roles: ['SUPERVISOR', 'PROSECUTOR', 'AUDITOR'] },
      { path: `/federal-personnel/${id}`, roles: ['SUPERVISOR', 'PROSECUTOR', 'AUDITOR'] },
    ];
    const nav: Record<Role, string[]> = {
      OFFICER: ['Home', 'My cases', 'New case'],
      SUPERVISOR: ['Home', 'District cases', 'New case', 'Federal personnel'],
      PROSECUTOR: ['Home', 'Review queue', 'Federal personnel'],
      AUDITOR: ['Home', 'Audit log', 'Federal personnel'],
      ADMIN: ['Home', 'Users'],
    };

    it.each(Object.keys(nav) as Role[])(
      '%s: navigation lists only its screens; every other screen is refused without loading anything',
      async (role) => {
        const { page, context, cspViolations, pageErrors } = await openConsole(c);
        try {
          await signIn(page, users[role]);
          const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
          expect(links).toEqual(nav[role]);
          expect(await axeViolations(page)).toEqual([]);

          const apiCalls: string[] = [];
          page.on('request', (r) => {
            if (new URL(r.url()).pathname.startsWith('/api/'))
              apiCalls.push(`${r.method()} ${new URL(r.url()).pathname}`);
          });
          for (const s of screens.filter((x) => !x.roles.includes(role))) {
            apiCalls.length = 0;
            await page.goto(s.path);
            await page.getByRole('heading', { level: 1, name: 'Not available to your role' }).waitFor();
            // The refusal is the console's own: the screen never rendered, so none of its data was requested.
            expect({ path: s.path, apiCalls }).toEqual({ path: s.path, apiCalls: [] });
          }
          if (role === 'OFFICER') {
            expect(await axeViolations(page)).toEqual([]);
            await screenshot(page, 'refused-screen');
          }
          expect(cspViolations).toEqual([]);
          expect(pageErrors).toEqual([]);
        } finally {
          await context.close();
        }
      },
    );

    it("the service refuses the same screens' data to a role that types the request by hand, and records each refusal", async () => {
      const officer = users.OFFICER;
      const before = (await c.t.owner.query('SELECT coalesce(max(seq), 0)::int AS seq FROM audit_events')).rows[0].seq;
      for (const path of ['/api/v1/users', '/api/v1/review-queue', '/api/v1/audit/events']) {
        const res = await request(c.url).get(path).set(officer.auth).expect(403);
        expect(res.body.code).toBe('AUTH.FORBIDDEN');
      }
      const denied = await c.t.owner.query(
        `SELECT actor_id, outcome, details->>'path' AS path FROM audit_events
          WHERE seq > $1 AND action = 'access.denied' ORDER BY seq`,
        [before],
      );
      expect(denied.rows).toEqual(
        ['/api/v1/users', '/api/v1/review-queue', '/api/v1/audit/events'].map((path) => ({
          actor_id: officer.id,
          outcome: 'DENIED',
          path,
        })),
      );
    });
  });

  it('works from the keyboard alone, with the focus always visible', async () => {
    const { page, context, pageErrors } = await openConsole(c);
    type Focused = { text: string; tag: string; type: string; label: string; outline: string };
    const focused = () =>
      page.evaluate((): Focused => {
        const d = globalThis as unknown as {
          document: { activeElement: any };
          getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string };
        };
        const el = d.document.activeElement;
        const style = d.getComputedStyle(el);
        return {
          text: (el.textContent ?? '').trim(),
          tag: el.tagName,
          type: el.type ?? '',
          label: el.labels?.[0]?.textContent ?? '',
          outline: `${style.outlineStyle} ${style.outlineWidth}`,
        };
      });
    try {
      await page.goto('/');
      await page.getByLabel('Username').waitFor(); // the console has rendered
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ tag: 'A', text: 'Skip to main content', outline: 'solid 3px' });
      // Issue 16: the system use notification is acknowledged first (Space ticks it), then the credentials.
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ tag: 'INPUT', type: 'checkbox', outline: 'solid 3px' });
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ tag: 'INPUT', label: 'Username *', outline: 'solid 3px' });
      await page.keyboard.type(users.SUPERVISOR.username);
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ tag: 'INPUT', label: 'Password *' });
      await page.keyboard.type(users.SUPERVISOR.password);
      await page.keyboard.press('Enter');
      // Each screen's heading takes the focus, so a screen reader announces where they are (issue 16: Home first).
      await page.getByRole('heading', { level: 1, name: 'What needs you now' }).waitFor();
      expect((await focused()).tag).toBe('H1');

      // Back from the heading: the header's Sign out, Change my password, then the navigation, every stop visibly
      // focused; Enter follows a link.
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toMatchObject({ tag: 'BUTTON', text: 'Sign out', outline: 'solid 3px' });
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toMatchObject({ tag: 'A', text: 'Change my password', outline: 'solid 3px' });
      const stops: string[] = [];
      for (let i = 0; i < 8 && stops[stops.length - 1] !== 'New case'; i++) {
        await page.keyboard.press('Shift+Tab');
        const f = await focused();
        expect(f).toMatchObject({ tag: 'A', outline: 'solid 3px' });
        stops.push(f.text);
      }
      expect(stops[stops.length - 1]).toBe('New case');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'New case' }).waitFor();
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  describe('a session that ends while typing', () => {
    const typed = {
      location: '1200 S Halsted St, Chicago',
      narrative: 'Two agents in plain clothes entered the laundromat without showing a warrant.',
    };

    async function typeNewCase(page: Page): Promise<void> {
      await page.getByRole('link', { name: 'New case' }).click();
      await page.getByLabel('Location', { exact: false }).first().fill(typed.location);
      await page.getByLabel('Narrative', { exact: false }).first().fill(typed.narrative);
    }

    it("expiry (the token's lifetime passes) shows sign-in in place; signing in again brings back what was typed", async () => {
      const { page, context, pageErrors } = await openConsole(c);
      try {
        await page.clock.install();
        await signIn(page, users.OFFICER);
        await typeNewCase(page);
        // The demo service issues one-hour tokens: an hour and a minute later the console ends the session itself.
        await page.clock.fastForward('01:01:00');
        await page.getByRole('heading', { level: 1, name: 'Your session has ended' }).waitFor();
        expect(page.url()).toMatch(/\/cases\/new$/);
        expect(await page.getByLabel('Username').inputValue()).toBe(users.OFFICER.username);
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, 'session-expired');

        await signIn(page, users.OFFICER, { stay: true });
        expect(await page.getByLabel('Location', { exact: false }).first().inputValue()).toBe(typed.location);
        expect(await page.getByLabel('Narrative', { exact: false }).first().inputValue()).toBe(typed.narrative);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('a token the service no longer accepts (401) does the same; another user signing in does not get the draft', async () => {
      const { page, context, pageErrors } = await openConsole(c);
      try {
        await signIn(page, users.OFFICER);
        await typeNewCase(page);
        // The tab's token replaced by one that expired a minute ago, validly signed: the console cannot
        // tell, the service can. The next request it makes is refused with 401.
        const expired = hmacToken(
          { alg: 'HS256', typ: 'JWT' },
          {
            sub: users.OFFICER.id,
            role: 'OFFICER',
            username: users.OFFICER.username,
            iat: nowS() - 3700,
            exp: nowS() - 60,
          },
          ensureSecrets().JWT_SECRET,
        );
        await page.evaluate((token) => {
          const store = (
            globalThis as unknown as {
              sessionStorage: { getItem(k: string): string; setItem(k: string, v: string): void };
            }
          ).sessionStorage;
          store.setItem('ion.session', JSON.stringify({ ...JSON.parse(store.getItem('ion.session')), token }));
        }, expired);
        // The list it loads is a search, audited as one (case.searched): counted before `before` is read.
        const listed = page.waitForResponse(
          (r) => new URL(r.url()).pathname === '/api/v1/cases' && r.request().method() === 'GET',
        );
        let inFlight = 0;
        const api = (r: { url(): string }) => new URL(r.url()).pathname.startsWith('/api/');
        page.on('request', (r) => {
          if (api(r)) inFlight++;
        });
        page.on('requestfinished', (r) => {
          if (api(r)) inFlight--;
        });
        page.on('requestfailed', (r) => {
          if (api(r)) inFlight--;
        });
        await page.getByRole('link', { name: 'My cases' }).click(); // an in-page navigation: still the old token in memory
        await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor();
        await listed;
        while (inFlight > 0) await new Promise((r) => setTimeout(r, 50)); // every API request of the old page answered (and audited)
        const before = (await c.t.owner.query('SELECT max(seq)::int AS seq FROM audit_events')).rows[0].seq;
        await page.reload(); // the page now starts from the replaced token
        await page.getByRole('heading', { level: 1, name: 'Your session has ended' }).waitFor();
        // What the service recorded since: the list request refused as unauthenticated, and nothing else.
        const since = await c.t.owner.query(
          "SELECT action, outcome, actor_role, details->>'path' AS path FROM audit_events WHERE seq > $1 ORDER BY seq",
          [before],
        );
        expect(since.rows.length).toBeGreaterThan(0);
        for (const r of since.rows)
          expect(r).toEqual({
            action: 'auth.unauthenticated',
            outcome: 'DENIED',
            actor_role: 'ANONYMOUS',
            path: '/api/v1/cases',
          });

        // Someone else signs in at this computer: the officer's draft is not theirs to see.
        const other = await c.t.given.officer(1);
        await signIn(page, other, { stay: true });
        await page.goto('/cases/new');
        expect(await page.getByLabel('Location', { exact: false }).first().inputValue()).toBe('');
        expect(await page.getByLabel('Narrative', { exact: false }).first().inputValue()).toBe('');
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
