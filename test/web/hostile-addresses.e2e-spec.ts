import type { Page } from 'playwright-core';
import request from 'supertest';
import { axeViolations, ConsolePage, ConsoleUnderTest, openConsole, signIn, startConsole } from '../harness/browser';
import type { TestUser } from '../harness/test-app';

/**
 * Any address can be typed or linked. A malformed one (`/cases/%E0`: decodeURIComponent throws) or a
 * hostile one must show a page in plain words with a way back, never a blank page; and whatever fails
 * while a screen renders is caught by the console's error boundary, not left as an uncaught exception.
 */
describe('web console: malformed and hostile addresses, and a screen that fails to render', () => {
  let c: ConsoleUnderTest;
  let officer: TestUser;

  beforeAll(async () => {
    c = await startConsole();
    officer = await c.t.given.officer(2);
  }, 120_000);
  afterAll(() => c?.close());

  async function signedIn(): Promise<ConsolePage & { consoleErrors: string[] }> {
    const cp = await openConsole(c);
    const consoleErrors: string[] = [];
    cp.page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await signIn(cp.page, officer);
    return { ...cp, consoleErrors };
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  it.each([
    ['/cases/%E0'],
    ['/cases/%'],
    ['/%E0%A4%A'],
    ['/cases/%E0%A4%A/evidence'],
    ['/audit/cases/%ZZ'],
    ['/packets/%C0%AF'],
  ])('%s: "This address is not valid", with a way back; no uncaught error; accessible', async (path) => {
    // The service answers the console's page for it (it is the console's job to say the address is wrong).
    const served = await request(c.url).get(path);
    expect(served.status).toBe(200);
    expect(served.type).toBe('text/html');

    const cp = await signedIn();
    await cp.page.goto(path);
    await h1(cp.page).filter({ hasText: 'This address is not valid' }).waitFor();
    expect(await cp.page.getByRole('main').textContent()).toContain(
      'The address in the browser is damaged or incomplete',
    );
    expect(await axeViolations(cp.page)).toEqual([]);
    await cp.page.getByRole('link', { name: 'Go to your start page' }).click();
    await h1(cp.page).filter({ hasText: 'What needs you now' }).waitFor(); // issue 16: every role's start page is Home
    expect({ errors: cp.pageErrors, console: cp.consoleErrors, csp: cp.cspViolations }).toEqual({
      errors: [],
      console: [],
      csp: [],
    });
    await cp.context.close();
  });

  it('hostile but well-formed addresses: markup, traversal, NUL, a huge id and an unknown screen each show a page in words', async () => {
    const cp = await signedIn();
    const script = '<img src=x onerror=alert(1)>';
    const cases: [string, RegExp][] = [
      [`/cases/${encodeURIComponent(script)}`, /^Case$/],
      ['/cases/..%2F..%2Fapi%2Fv1%2Faudit%2Fevents', /^Case$/],
      ['/cases/%00', /^Case$/],
      [`/cases/${'9'.repeat(4000)}`, /^Case$/],
      ['/cases/x/y/z', /^Page not found$/],
      ['/%2e%2e/%2e%2e/etc/passwd', /^Page not found$/],
      ['/audit/cases/%3Cscript%3E', /^Not available to your role$/],
    ];
    let dialogs = 0;
    cp.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    for (const [path, title] of cases) {
      await cp.page.goto(path);
      await h1(cp.page).filter({ hasText: title }).waitFor();
      if (title.source === '^Case$') {
        // The id goes to the service as one encoded path segment: it answers "not found" (nothing else is requested).
        await cp.page.getByRole('alert').filter({ hasText: 'Could not load the case' }).waitFor();
      }
      expect(await axeViolations(cp.page)).toEqual([]);
    }
    expect(dialogs).toBe(0);
    expect(await cp.page.locator('img[src="x"]').count()).toBe(0);
    expect({ errors: cp.pageErrors, csp: cp.cspViolations }).toEqual({ errors: [], csp: [] });
    await cp.context.close();
  });

  it('a page number in the address that is not a page (?page=1e400, -3, 2.5, x) lists the first page instead of failing', async () => {
    const other = await c.t.given.officer(2);
    await c.t.given.draftCase(other, { narrative: 'Agents stopped a van.' });
    const cp = await openConsole(c);
    await signIn(cp.page, other);
    for (const page of ['1e400', '-3', '2.5', 'x', '9007199254740993']) {
      await cp.page.goto(`/cases?page=${page}`);
      await h1(cp.page).filter({ hasText: 'My cases' }).waitFor();
      await cp.page.getByRole('table').waitFor();
      expect(await cp.page.getByRole('alert').count()).toBe(0);
    }
    expect({ errors: cp.pageErrors, csp: cp.cspViolations }).toEqual({ errors: [], csp: [] });
    await cp.context.close();
  });

  it('a screen that throws while rendering (an answer of an unexpected shape) shows a message with the request id and a way back, not a blank page', async () => {
    const draft = await c.t.given.draftCase(officer, { narrative: 'Agents stopped a van.' });
    const cp = await signedIn();
    // A proxy (or a bug) answers the case with a body the screen does not expect.
    await cp.page.route(`**/api/v1/cases/${draft.id}`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'X-Request-Id': 'req-broken-answer-1' },
        body: JSON.stringify({ id: draft.id, caseNumber: draft.caseNumber, narrative: 'x', status: 'DRAFT' }),
      }),
    );
    await cp.page.goto(`/cases/${draft.id}`);
    await h1(cp.page).filter({ hasText: 'This screen could not be shown' }).waitFor();
    const alert = cp.page.getByRole('alert');
    expect(await alert.textContent()).toContain('Something went wrong while showing this screen.');
    expect(await alert.textContent()).toContain('Reference for support: req-broken-answer-1');
    // The rest of the console still works: navigation, and the way back.
    expect(
      await cp.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My cases' }).isVisible(),
    ).toBe(true);
    expect(await axeViolations(cp.page)).toEqual([]);
    // Caught by the boundary: no uncaught page error; React reports the caught error to the browser console.
    expect(cp.pageErrors).toEqual([]);
    expect(cp.consoleErrors.join('\n')).toMatch(/TypeError/);
    await cp.page.getByRole('link', { name: 'Go to your start page' }).click();
    await h1(cp.page).filter({ hasText: 'What needs you now' }).waitFor(); // issue 16: every role's start page is Home
    expect(cp.cspViolations).toEqual([]);
    await cp.context.close();
  });
});
