import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { DIST_WEB, SCREENSHOTS } from './paths';
import { ApiProcess, createTestApp, startApiProcess, TestApp } from './test-app';

/** Debian's chromium package (.ci/run installs it); playwright-core never downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium as this machine needs it: no sandbox (root), no GPU, and none of Chrome's
 * background connections (the closed network refuses them). Playwright gives every launch a fresh,
 * empty profile directory of its own.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium; .ci/run does)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ConsoleUnderTest {
  /** The suite's database, storage and fixture helpers (an in-process app on the same database). */
  t: TestApp;
  /** The built service, started as `npm start` starts it, serving the console at `/`. */
  api: ApiProcess;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The real service (built main.js, real PostgreSQL and S3 server) serving the built console, and a browser. */
export async function startConsole(
  extraEnv: Record<string, string | undefined> = {},
  /** `storage: 'ceph'`: on the run's Ceph RGW (a bucket with Object Lock), for screens about legal holds and retention. */
  opts: { storage?: 's3rver' | 'ceph' } = {},
): Promise<ConsoleUnderTest> {
  // ION_TEST_WEB_ROOT: a console built elsewhere (vite build --outDir), e.g. while working on one screen.
  const webRoot = process.env.ION_TEST_WEB_ROOT ?? DIST_WEB;
  if (!existsSync(join(webRoot, 'index.html')))
    throw new Error(`${webRoot} is missing: npm test builds it first (npm run build)`);
  const t = await createTestApp({ storage: opts.storage });
  const api = await startApiProcess(t.dbName, t.storage, { WEB_ROOT: webRoot, ...extraEnv });
  const browser = await launchChromium();
  return {
    t,
    api,
    url: api.url,
    browser,
    async close() {
      await browser.close();
      await api.stop();
      await t.close();
    },
  };
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Content-Security-Policy violations the page reported: must stay empty. */
  cspViolations: string[];
  /** Uncaught exceptions in the page: must stay empty. */
  pageErrors: string[];
}

/** A new browser context (own cookies and sessionStorage: one person at one computer) on the console. */
export async function openConsole(c: ConsoleUnderTest): Promise<ConsolePage> {
  const context = await c.browser.newContext({
    baseURL: c.url,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { page, context, cspViolations, pageErrors };
}

/**
 * The usual web suite: one built console for the whole suite (`c`, set in its beforeAll), pages opened with
 * `open()` (a new context each), and at the end no Content-Security-Policy violation nor uncaught page
 * error on any page it opened or was handed with `watch()`.
 */
export function consoleSuite(opts: { storage?: 's3rver' | 'ceph' } = {}): {
  readonly c: ConsoleUnderTest;
  open(): Promise<Page>;
  openConsolePage(): Promise<ConsolePage>;
  watch(p: ConsolePage): void;
} {
  let c: ConsoleUnderTest | undefined;
  const opened: ConsolePage[] = [];
  beforeAll(async () => {
    c = await startConsole({}, opts);
  }, 120_000);
  afterAll(async () => {
    for (const p of opened) expect({ csp: p.cspViolations, errors: p.pageErrors }).toEqual({ csp: [], errors: [] });
    await c?.close();
  });
  const suite = {
    get c(): ConsoleUnderTest {
      if (!c) throw new Error('the console is started in beforeAll');
      return c;
    },
    watch: (p: ConsolePage) => void opened.push(p),
    openConsolePage: async () => {
      const cp = await openConsole(suite.c);
      opened.push(cp);
      return cp;
    },
    open: async () => (await suite.openConsolePage()).page,
  };
  return suite;
}

/**
 * Signs in through the form, as a person would, and waits until signed in. `stay`: use the sign-in form
 * already on screen (an expired session shows it in place of the screen) instead of opening `/`.
 */
export async function signIn(
  page: Page,
  user: { username: string; password: string },
  opts: { stay?: boolean } = {},
): Promise<void> {
  if (!opts.stay) await page.goto('/');
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  // The system use notification (issue 16) is acknowledged before every sign-in.
  await acknowledgeNotice(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Ticks "I have read this notice …" on the sign-in form (once the notification has loaded). */
export async function acknowledgeNotice(page: Page): Promise<void> {
  await page.getByRole('checkbox', { name: /I have read this notice/ }).check();
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules (and its best practices) on the page as it is now; returns
 * the serious and critical violations. Injected through the DevTools protocol, which the page's CSP
 * does not govern, so the page runs under its real policy.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    // Runs in the page (the test's tsconfig has no DOM types).
    const page = globalThis as unknown as {
      document: unknown;
      axe: {
        run: (
          ctx: unknown,
          opts: unknown,
        ) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    const r = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a screenshot (the full page, or `fullPage: false` what the window shows) under test-results/screenshots. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  return path;
}

/** A form field by its visible label (required fields show " *" after it). */
export function field(scope: Page | Locator, label: string): Locator {
  return scope.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`));
}

/** The message shown next to a field (inside the field's own block), once it is there. */
export async function fieldErrorOf(scope: Page | Locator, label: string): Promise<string> {
  const page = 'goto' in scope ? scope : scope.page();
  // `has` is matched inside each field block, so the label locator starts from the page.
  const error = scope
    .locator('.field.has-error')
    .filter({ has: field(page, label) })
    .locator('.field-error');
  await error.waitFor();
  return (await error.textContent()) ?? '';
}

/** The row of one account in the admin's Users table. */
export function userRowOf(page: Page, username: string): Locator {
  return page.locator('table.users tbody tr').filter({ has: page.getByText(username, { exact: true }) });
}
