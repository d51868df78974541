import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Role } from '@app/common';
import { axeViolations, consoleSuite, screenshot, signIn } from '../harness/browser';
import { SCREENSHOTS } from '../harness/paths';
import { FULL_CASE, SUPERVISOR_RECORD, type TestUser } from '../harness/test-app';

/*
 * Issue 16, "Standards for every screen": every screen of every role (taken from the console's own route table, so
 * a new screen without a visit here fails), the sign-in page and the public statistics, at 390 x 844 (a phone) and
 * 1024 x 768 (an in-car laptop), with lists that are not empty and user text with long unbroken words. Each fails on
 * (a) the document scrolling sideways, (b) any element or text whose right edge passes its scrolling container's
 * (or the viewport's), (c) a serious or critical axe-core violation; and at 390 x 844 on a header taller than a
 * quarter of the screen. The failures are listed all at once, each naming the screen, the size and the offender.
 */

const API = '/api/v1';
const SIZES = [
  { width: 390, height: 844, name: '390x844' },
  { width: 1024, height: 768, name: '1024x768' },
] as const;

/**
 * The only containers allowed to scroll sideways (their content then overflows them on purpose): each must also be
 * reachable by keyboard (tabindex 0) and labelled, which the probe checks. Keep this list short and explicit.
 */
const SCROLL_REGIONS = [
  '.table-scroll', // the public statistics' month x category tables (StatisticsScreen)
];

/** Unbroken words as people type them: a place without spaces, a pasted link, a camera's file name. */
const LONG_PLACE = 'Intersectionofnorthwesternavenueandwestfullertonparkwayunderthemetrabridge';
const LONG_LINK = `https://www.example.org/community-reports/2026/11/20/${'masked-agents-detained-a-man-at-the-bus-stop-'.repeat(3)}video`;
const LONG_FILE = `AXON_Body_4_Video_2026-11-20_1405_X60A12345678_${'continuous_recording_segment_'.repeat(3)}0001.mp4`;
const LONG_NAME = 'Officer Maximiliana-Konstantinopolitanische-Wertheimer-Schwarzenberg-Lichtenstein';

interface Visit {
  route: string;
  url: string;
  what: string;
}

/** `apps/web/src/routes.tsx`'s ROUTES: each screen's path pattern and the roles that may open it. */
function consoleRoutes(): { path: string; roles: Role[] }[] {
  const src = readFileSync(join(__dirname, '..', '..', 'apps', 'web', 'src', 'routes.tsx'), 'utf8');
  const table = src.slice(src.indexOf('export const ROUTES'), src.indexOf('export const HOME'));
  const routes = [...table.matchAll(/path:\s*'([^']+)',\s*roles:\s*\[([^\]]*)\]/g)].map((m) => ({
    path: m[1],
    roles: [...m[2].matchAll(/'(\w+)'/g)].map((r) => r[1] as Role),
  }));
  // Every entry was read (a reformatted entry must not silently drop out of the check).
  expect(routes.length).toBe((table.match(/\bpath:/g) ?? []).length);
  expect(routes.length).toBeGreaterThan(5);
  return routes;
}

/**
 * Runs in the page (a string: the test's tsconfig has no DOM types). Returns the document's sideways overflow and
 * the outermost offenders: elements, and text, whose right edge passes their scrolling container's or the viewport's.
 */
const PROBE = (regions: readonly string[]) => `(() => {
  const REGIONS = ${JSON.stringify(regions)};
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const c of el.classList) s += '.' + c;
    const label = el.getAttribute('data-label');
    if (label) s += '[data-label="' + label + '"]';
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ');
    return text ? s + ' "' + text.slice(0, 60) + (text.length > 60 ? '…' : '') + '"' : s;
  };
  const where = (el) => {
    const chain = [];
    for (let e = el.parentElement; e && e !== document.body && chain.length < 3; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += '#' + e.id;
      for (const c of e.classList) s += '.' + c;
      chain.unshift(s);
    }
    return chain.join(' > ');
  };
  // Visually hidden on purpose (screen-reader text, the skip link's off-screen box): not on screen, not checked.
  const hidden = (el) => {
    for (let e = el; e && e !== doc; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return true;
      if (cs.clip !== 'auto' && cs.clip !== '' && cs.position === 'absolute') return true;
      if (cs.clipPath !== 'none') return true;
      // The content of a closed <details> (all but its summary) is not rendered.
      if (e.parentElement && e.parentElement.tagName === 'DETAILS' && !e.parentElement.open && e.tagName !== 'SUMMARY') return true;
    }
    return false;
  };
  const scrollerOf = (el) => {
    for (let e = el.parentElement; e && e !== document.body && e !== doc; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return e;
    }
    return null;
  };
  const allowed = (e) => REGIONS.some((sel) => e.matches(sel)) && e.tabIndex >= 0
    && !!(e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'));
  const limitOf = (el) => {
    const s = scrollerOf(el);
    if (!s) return { limit: vw, container: 'the viewport', region: null };
    const r = s.getBoundingClientRect();
    return { limit: r.left + s.clientLeft + s.clientWidth, container: describe(s).split(' "')[0], region: s };
  };
  const container = (el) => limitOf(el).container;
  const offenders = new Map();
  const problems = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'TEMPLATE'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const { limit, container, region } = limitOf(el);
    if (r.right <= limit + 1) continue;
    if (region && allowed(region)) continue;
    if (hidden(el)) continue;
    offenders.set(el, { offender: describe(el), in: where(el), container, by: Math.round(r.right - limit) });
  }
  const say = (o) => o.offender + ' (in ' + o.in + ') passes ' + o.container + ' by ' + o.by + 'px';
  for (const [el, o] of offenders) if (!offenders.has(el.parentElement)) problems.push(say(o));
  // Text that spills out of its own box (a long word the box did not wrap), even where the box itself fits.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    let box = n.parentElement;
    if (!box || ['SCRIPT', 'STYLE', 'OPTION', 'SELECT', 'TEXTAREA'].includes(box.tagName)) continue;
    if (offenders.has(box)) continue;
    while (box.parentElement && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
    const range = document.createRange();
    const rightOf = (from, to) => {
      range.setStart(n, from);
      range.setEnd(n, to);
      return Math.max(...[...range.getClientRects()].map((q) => q.right), -Infinity);
    };
    const b = box.getBoundingClientRect();
    const { limit, region } = limitOf(n.parentElement);
    const edge = Math.min(getComputedStyle(box).overflowX === 'visible' ? b.right : Infinity, region && allowed(region) ? Infinity : limit);
    if (rightOf(0, n.length) <= edge + 1) continue;
    // Which word passes (white space that hangs past the line's end, as pre-wrap lets it, is not seen).
    const words = [...n.textContent.matchAll(/\\S+/g)];
    const word = words.find((w) => rightOf(w.index, w.index + w[0].length) > edge + 1);
    if (!word || hidden(n.parentElement)) continue;
    problems.push(say({ offender: 'text "' + word[0].slice(0, 60) + '"', in: where(n.parentElement) + ' > ' + describe(n.parentElement).split(' "')[0],
      container: edge === limit ? container(n.parentElement) : 'its box', by: Math.round(rightOf(word.index, word.index + word[0].length) - edge) }));
  }
  const nonAllowedScrollers = [...document.body.querySelectorAll('*')].filter((e) => {
    const ox = getComputedStyle(e).overflowX;
    return (ox === 'auto' || ox === 'scroll') && e.scrollWidth > e.clientWidth + 1 && !allowed(e) && !hidden(e);
  }).map((e) => describe(e) + ' (in ' + where(e) + ') scrolls sideways by ' + (e.scrollWidth - e.clientWidth) + 'px and is not a labelled, keyboard-reachable region');
  // On a phone a table is a stack of cards, each cell with its column's label (table.stack, data-label).
  if (vw <= 640) {
    for (const t of document.body.querySelectorAll('table')) {
      if (hidden(t) || t.getBoundingClientRect().height === 0) continue;
      const region = REGIONS.length ? t.closest(REGIONS.join(',')) : null;
      if (region && allowed(region)) continue;
      const name = describe(t).split(' "')[0] + ' "' + ((t.caption && t.caption.textContent) || '').trim().slice(0, 60) + '"';
      if (getComputedStyle(t).display === 'table') { problems.push(name + ' (in ' + where(t) + ') is a table on a phone, not a stack of labelled cards'); continue; }
      const unlabelled = [...t.querySelectorAll('tbody td')].filter((c) => c.colSpan === 1 && c.textContent.trim() && !c.getAttribute('data-label'));
      if (unlabelled.length) problems.push(name + ' (in ' + where(t) + ') has ' + unlabelled.length + ' cell(s) without their column label, e.g. ' + describe(unlabelled[0]));
    }
  }
  const header = document.querySelector('header.top');
  return {
    documentOverflow: doc.scrollWidth - doc.clientWidth,
    problems: [...problems, ...nonAllowedScrollers].slice(0, 12),
    headerHeight: header ? Math.round(header.getBoundingClientRect().height) : null,
  };
})()`;

interface Probe {
  documentOverflow: number;
  problems: string[];
  headerHeight: number | null;
}

describe('web console: every screen fits a phone (390 x 844) and an in-car laptop (1024 x 768), axe clean', () => {
  const suite = consoleSuite();
  const users = {} as Record<Role, TestUser>;
  const visits = {} as Record<Role, Visit[]>;
  const failures: string[] = [];
  const headerHeights: Record<string, number | null> = {};

  beforeAll(async () => {
    const { given, http } = suite.c.t;
    const [officer, colleague, supervisor, prosecutor, auditor, admin] = await Promise.all([
      given.officer(4),
      given.officer(4),
      given.supervisor(4),
      given.prosecutor('CCSAO'),
      given.auditor(),
      given.admin(),
    ]);
    Object.assign(users, {
      OFFICER: officer,
      SUPERVISOR: supervisor,
      PROSECUTOR: prosecutor,
      AUDITOR: auditor,
      ADMIN: admin,
    });
    const long = {
      ...FULL_CASE,
      incidentLocation: `${LONG_PLACE}, Chicago`,
      narrative: `${FULL_CASE.narrative} A bystander's video: ${LONG_LINK}`,
    };
    const officers = {
      officers: [
        { ...SUPERVISOR_RECORD.officers[0], name: LONG_NAME, identificationMethod: `Asked twice; ${LONG_PLACE}` },
      ],
    };
    /** A case with the long words, its federal officers and an evidence item with a long file name; submitted when asked. */
    const longCase = async (author: TestUser, submit: boolean) => {
      const c = await given.draftCase(author, long);
      const put = await http()
        .put(`${API}/cases/${c.id}/federal-officers`)
        .set(author.auth)
        .set('If-Match', `"${c.version}"`)
        .send(officers);
      expect(put.status).toBe(200);
      await given.evidence(
        author,
        c.id,
        undefined,
        `kind=BWC&deviceId=AXON-${LONG_PLACE.slice(0, 40)}&originalFilename=${encodeURIComponent(LONG_FILE)}`,
      );
      return submit ? given.submit(author, c.id) : c;
    };
    const draft = await longCase(officer, false);
    const returned = await longCase(officer, true);
    const back = await http()
      .post(`${API}/cases/${returned.id}/return`)
      .set(supervisor.auth)
      .set('If-Match', `"${returned.version}"`)
      .send({ reason: `Add the route number of the bus stop; the link ${LONG_LINK} does not open.` });
    expect(back.status).toBe(200);
    const waiting = await longCase(colleague, true);
    const referred = await longCase(officer, true);
    await given.approve(supervisor, referred.id);
    const packet = await given.sendPacket(supervisor, referred.id, 'CCSAO');
    await given.claim(prosecutor, packet.id);
    const decidedCase = await longCase(colleague, true);
    await given.approve(supervisor, decidedCase.id);
    const decided = await given.sendPacket(supervisor, decidedCase.id, 'CCSAO');
    await given.claim(prosecutor, decided.id);
    await given.decide(prosecutor, decided.id, {
      decision: 'CHARGES_FILED',
      reason: `Probable cause. ${LONG_LINK}`,
      externalReference: `CCSAO-${LONG_PLACE.slice(0, 50)}`,
    });
    await given.sentPacket(officer, supervisor, 'CCSAO');
    const personnel = await given.personnelEntries(officer, supervisor, 'CCSAO');
    const created = await http().post(`${API}/users`).set(admin.auth).send({
      username: 'maximiliana.konstantinopolitanische-wertheimer',
      displayName: LONG_NAME,
      password: 'a-long-enough-password-1',
      role: 'OFFICER',
      district: 4,
    });
    expect(created.status).toBe(201);

    const v = (route: string, url: string, what = ''): Visit => ({ route, url, what });
    visits.OFFICER = [
      v('/home', '/home'),
      v('/cases', '/cases'),
      v('/cases/new', '/cases/new'),
      v('/cases/:id', `/cases/${draft.id}`, 'draft with evidence'),
      v('/cases/:id', `/cases/${returned.id}`, 'returned'),
      v('/account/password', '/account/password'),
    ];
    visits.SUPERVISOR = [
      v('/home', '/home'),
      v('/cases', '/cases?status=ALL'),
      v('/cases/new', '/cases/new'),
      v('/cases/:id', `/cases/${waiting.id}`, 'submitted, waiting for a decision'),
      v('/cases/:id', `/cases/${referred.id}`, 'referred'),
      v('/federal-personnel', '/federal-personnel'),
      v('/federal-personnel/:id', `/federal-personnel/${personnel.entryId}`),
      v('/account/password', '/account/password'),
    ];
    visits.PROSECUTOR = [
      v('/home', '/home'),
      v('/review-queue', '/review-queue?status=ALL'),
      v('/packets/:id', `/packets/${packet.id}`, 'claimed'),
      v('/packets/:id', `/packets/${decided.id}`, 'decided'),
      v('/federal-personnel', '/federal-personnel'),
      v('/federal-personnel/:id', `/federal-personnel/${personnel.entryId}`),
      v('/account/password', '/account/password'),
    ];
    visits.AUDITOR = [
      v('/home', '/home'),
      v('/audit', '/audit'),
      v('/audit', `/audit?q=${referred.caseNumber}`, 'a case found'),
      v('/audit/cases/:id', `/audit/cases/${referred.id}`),
      v('/federal-personnel', '/federal-personnel'),
      v('/federal-personnel/:id', `/federal-personnel/${personnel.entryId}`),
      v('/account/password', '/account/password'),
    ];
    visits.ADMIN = [
      v('/home', '/home'),
      v('/admin/users', '/admin/users'),
      v('/account/password', '/account/password'),
    ];
  }, 240_000);

  afterAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(join(SCREENSHOTS, '..', 'every-screen.json'), JSON.stringify({ headerHeights, failures }, null, 2));
  });

  /** Waits until the screen has its data: a heading, no request under way, no "Loading …" left. */
  const settle = async (page: Page) => {
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(
      `![...document.querySelectorAll('[role=status]')].some((e) => /^Loading/.test(e.textContent.trim()))`,
    );
  };

  /** Both sizes: the probe and axe; every failure is kept (named) and the screen's screenshot saved. */
  const check = async (page: Page, screen: string, opts: { menuOpen?: boolean; shot?: string } = {}) => {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const probe = (await page.evaluate(PROBE(SCROLL_REGIONS))) as Probe;
      const at = `${screen} at ${size.name}`;
      if (probe.documentOverflow > 0) failures.push(`${at}: the page scrolls sideways by ${probe.documentOverflow}px`);
      for (const p of probe.problems) failures.push(`${at}: ${p}`);
      if (size.width === 390 && !opts.menuOpen) {
        headerHeights[screen] = probe.headerHeight;
        if (probe.headerHeight !== null && probe.headerHeight > size.height / 4)
          failures.push(`${at}: the header is ${probe.headerHeight}px high (over a quarter of ${size.height}px)`);
      }
      for (const a of await axeViolations(page))
        failures.push(`${at}: axe ${a.impact} ${a.id} (${a.help}) on ${a.targets.slice(0, 3).join(', ')}`);
      await screenshot(page, `every-screen ${opts.shot ?? screen} ${size.name}`.replace(/[^\w.-]+/g, '_'), {
        fullPage: false,
      });
    }
  };

  it('has a visit for every screen of every role in the route table', () => {
    const missing: string[] = [];
    for (const r of consoleRoutes()) {
      for (const role of r.roles) if (!visits[role]?.some((x) => x.route === r.path)) missing.push(`${role} ${r.path}`);
    }
    for (const role of Object.keys(visits) as Role[]) {
      for (const x of visits[role])
        if (!consoleRoutes().some((r) => r.path === x.route && r.roles.includes(role)))
          missing.push(`${role} visits ${x.route}, not a screen of theirs`);
    }
    expect(missing).toEqual([]);
  });

  it('the sign-in page and the public statistics, signed out', async () => {
    const page = await suite.open();
    await page.goto('/');
    await page.getByRole('checkbox', { name: /I have read this notice/ }).waitFor();
    await settle(page);
    await check(page, 'sign-in');
    await page.goto('/statistics');
    await settle(page);
    await check(page, 'public statistics');
    expect(failures.filter((f) => /^(sign-in|public statistics) /.test(f))).toEqual([]);
  }, 120_000);

  for (const role of ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'] as const) {
    it(`${role.toLowerCase()}: every screen`, async () => {
      const page = await suite.open();
      await signIn(page, users[role]).catch(async (e: unknown) => {
        await screenshot(page, `every-screen ${role.toLowerCase()} sign-in failed`.replace(/[^\w.-]+/g, '_'));
        throw e;
      });
      const mine: string[] = [];
      for (const x of visits[role]) {
        await page.goto(x.url);
        await settle(page);
        const screen = `${role.toLowerCase()} ${x.url}${x.what ? ` (${x.what})` : ''}`;
        const before = failures.length;
        await check(page, screen, { shot: `${role.toLowerCase()} ${x.route.replace(/:/g, '')} ${x.what}` });
        mine.push(...failures.slice(before));
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      // On a phone the navigation and the account links are behind "Menu": open, they fit too; closed again, gone.
      await page.goto('/home');
      await settle(page);
      await page.setViewportSize({ width: 390, height: 844 });
      const nav = page.getByRole('navigation', { name: 'Main' });
      const menu = page.getByRole('button', { name: 'Menu' });
      if ((await nav.isVisible()) || !(await menu.isVisible())) {
        failures.push(
          `${role.toLowerCase()} /home at 390x844: the navigation shows in the header instead of behind "Menu"`,
        );
        mine.push(failures[failures.length - 1]);
      } else {
        await menu.click();
        await nav.getByRole('link', { name: 'Home' }).waitFor();
        expect(await menu.getAttribute('aria-expanded')).toBe('true');
        await page.getByRole('link', { name: 'Change my password' }).waitFor();
        const before = failures.length;
        await check(page, `${role.toLowerCase()} /home (menu open)`, { menuOpen: true });
        mine.push(...failures.slice(before));
        // Following a link closes it.
        await page.setViewportSize({ width: 390, height: 844 });
        await nav.getByRole('link', { name: 'Home' }).click();
        await nav.waitFor({ state: 'hidden' });
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
      }
      expect(mine).toEqual([]);
    }, 300_000);
  }
});
