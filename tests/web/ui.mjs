// Headless-browser checks of the Sightline web UI (plain Node + playwright-core, no test runner).
//
//   SIGHTLINE_URL=http://127.0.0.1:8080 SIGHTLINE_USER=admin SIGHTLINE_PASSWORD=... \
//   SIGHTLINE_ARTIFACTS=/tmp/shots [SIGHTLINE_SIM_URL=http://127.0.0.1:8070] \
//   [SIGHTLINE_XSS_NAME='<img src=x onerror="window.__xss=1">'] node ui.mjs
//
// Prints "ok - <name>" / "not ok - <name>: <reason>" per check; exits 1 if any failed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = (process.env.SIGHTLINE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const USER = process.env.SIGHTLINE_USER || 'admin';
const PASSWORD = process.env.SIGHTLINE_PASSWORD || '';
const ARTIFACTS = process.env.SIGHTLINE_ARTIFACTS || path.resolve('artifacts');
const SIM_URL = process.env.SIGHTLINE_SIM_URL || '';
const XSS = process.env.SIGHTLINE_XSS_NAME || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const DEADLINE_MS = parseInt(process.env.SIGHTLINE_UI_DEADLINE_MS || '180000', 10);
const T = 20000; // default wait for one thing to appear

fs.mkdirSync(ARTIFACTS, { recursive: true });
const started = Date.now();
let failures = 0;
let browser;

const watchdog = setTimeout(async () => {
  console.log(`not ok - deadline: the checks did not finish within ${DEADLINE_MS / 1000} s`);
  try {
    await browser?.close();
  } catch {}
  process.exit(1);
}, DEADLINE_MS);

function log(line) {
  console.log(line);
}

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    log(`ok - ${name}${note ? ` # ${note}` : ''} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failures += 1;
    const reason = String(e && e.message ? e.message : e).split('\n')[0];
    log(`not ok - ${name}: ${reason}`);
    try {
      await page.screenshot({ path: path.join(ARTIFACTS, `failed-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)}.png`) });
    } catch {}
    return false;
  }
}

function skip(name, why) {
  log(`ok - ${name} # SKIP ${why}`);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const tid = (id) => `[data-testid="${id}"]`;

browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
context.setDefaultTimeout(T);
const page = await context.newPage();

// Browser-side problems: CSP violations and uncaught errors fail the run.
const cspViolations = [];
const pageErrors = [];
const consoleErrors = [];
page.on('console', (msg) => {
  if (msg.type() !== 'error' && msg.type() !== 'warning') return;
  const text = msg.text();
  if (/Content Security Policy|Refused to (load|execute|apply|connect|evaluate|frame)/i.test(text)) cspViolations.push(text);
  else if (msg.type() === 'error') consoleErrors.push(text);
});
page.on('pageerror', (err) => pageErrors.push(String(err && err.message ? err.message : err)));

const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const api = async (p) => {
  const res = await context.request.get(`${BASE}${p}`);
  if (!res.ok()) throw new Error(`GET ${p} -> ${res.status()} ${(await res.text()).slice(0, 200)}`);
  return res.json();
};
const go = async (hash) => {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
};
const cyCount = () => page.evaluate(() => {
  const cy = window.__sightline && window.__sightline.cy();
  return cy ? { nodes: cy.nodes().length, edges: cy.edges().length } : { nodes: 0, edges: 0 };
});
const waitGraphReady = (min = 1, timeout = 60000) =>
  page.waitForFunction(
    (n) => {
      const s = window.__sightline;
      const cy = s && s.cy();
      return s && s.graphState === 'ready' && cy && cy.nodes().length >= n;
    },
    min,
    { timeout },
  );

// Start waiting for an open alert right away: the demo raises them within a minute or two.
let openAlert = null;
const alertPoll = (async () => {
  const until = Date.now() + 120000;
  while (Date.now() < until) {
    try {
      const res = await context.request.get(`${BASE}/api/alerts?status=open&limit=20`);
      if (res.ok()) {
        const list = await res.json();
        if (Array.isArray(list) && list.length) return (openAlert = list[0]);
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 3000));
  }
  return null;
})();

// ---------------------------------------------------------------------------------------------
await check('the sign-in page appears', async () => {
  await page.goto(`${BASE}/`, { waitUntil: 'commit' });
  await page.waitForSelector(tid('login-username'));
  await page.waitForSelector(tid('login-password'));
  await shot('login');
});

await check('a wrong password shows an error', async () => {
  await page.fill(tid('login-username'), USER);
  await page.fill(tid('login-password'), `${PASSWORD}-wrong`);
  await page.click(tid('login-submit'));
  const err = await page.waitForSelector(`${tid('login-error')}:visible`);
  const text = await err.textContent();
  assert(/wrong|invalid|incorrect|attempts/i.test(text), `unexpected error text: ${text}`);
  assert(!(await page.isVisible(tid('overview'))), 'signed in with a wrong password');
});

const signedIn = await check('the right password signs in', async () => {
  await page.fill(tid('login-username'), USER);
  await page.fill(tid('login-password'), PASSWORD);
  await page.click(tid('login-submit'));
  await page.waitForSelector(tid('overview-tiles'), { timeout: 30000 });
  const who = await page.textContent(tid('topbar-user'));
  assert(who.includes(USER), `top bar shows "${who}"`);
  await page.waitForFunction(() => window.__sightline && window.__sightline.pageReady === 'overview');
  await shot('overview');
});
if (!signedIn) {
  log('Bail out! cannot sign in');
  await browser.close();
  process.exit(1);
}

// A fresh demo may still be running its first scan: wait (bounded) until users and events exist.
{
  const until = Date.now() + 90000;
  let ready = false;
  while (!ready && Date.now() < until) {
    try {
      const users = await api('/api/nodes?sub_kind=okta_user&limit=1');
      const events = await api('/api/events?limit=1');
      ready = (users.total || users.nodes.length) > 0 && events.events.length > 0;
    } catch {}
    if (!ready) await new Promise((r) => setTimeout(r, 2000));
  }
  if (!ready) log('# the store still has no users or events after 90 s; the next checks will fail');
}

// A user that reaches something (the first user, or the first of the first 25 with access).
async function pickUser() {
  const first = await api('/api/nodes?sub_kind=okta_user&limit=25');
  assert(first.nodes && first.nodes.length, 'no okta_user nodes');
  for (const n of first.nodes) {
    const d = await api(`/api/nodes/${encodeURIComponent(n.id)}`);
    if ((d.access || []).some((a) => a.kind === 'ALLOWED' && /app|role|org/.test(a.resource_kind || ''))) return n;
  }
  return first.nodes[0];
}

await check('search a user and View Access shows the paths', async () => {
  const user = await pickUser();
  await page.click(tid('nav-graph'));
  await page.waitForSelector(tid('graph-search'));
  await page.fill(tid('graph-search'), user.name);
  const result = page.locator(tid('graph-search-result'), { hasText: user.name }).first();
  await result.waitFor();
  await result.click();
  await page.waitForSelector(tid('view-access'), { timeout: 30000 });
  await page.click(tid('view-access'));
  await page.waitForFunction(() => location.hash.includes('view=access'));
  await waitGraphReady(2);
  const info = await page.evaluate(() => {
    const cy = window.__sightline.cy();
    return {
      nodes: cy.nodes().length,
      edges: cy.edges().length,
      resources: cy.nodes().filter((n) => n.data('layer') === 4 || n.data('kind') === 'resource').length,
    };
  });
  assert(info.nodes > 1, `only ${info.nodes} node(s) drawn`);
  assert(info.edges > 0, 'no edges drawn');
  assert(info.resources > 0, 'no node in the resources layer');
  await page.waitForSelector(tid('access-paths'));
  await page.waitForSelector(tid('side-panel-node'));
  await shot('graph');
  return `${user.name}: ${info.nodes} nodes, ${info.edges} edges, ${info.resources} resources`;
});

await check('Browse Connections on a group adds nodes', async () => {
  let groupId = await page.evaluate(() => {
    const cy = window.__sightline.cy && window.__sightline.cy();
    if (!cy) return null;
    const groups = cy.nodes('[sub_kind = "okta_group"]').filter((n) => !n.hasClass('aggregate'));
    if (!groups.length) return null;
    const everyone = groups.filter((n) => n.data('name') === 'Everyone');
    return (everyone.length ? everyone[0] : groups[0]).id();
  });
  if (!groupId) {
    // No group on the canvas: start from a group's small neighbourhood instead.
    // (Never return Cytoscape objects from page.evaluate: serialising one takes minutes and GBs.)
    const g = await api('/api/nodes?sub_kind=okta_group&q=Everyone&limit=1');
    const any = g.nodes.length ? g : await api('/api/nodes?sub_kind=okta_group&limit=1');
    assert(any.nodes.length, 'no okta_group nodes');
    groupId = any.nodes[0].id;
    await go(`#/graph?id=${encodeURIComponent(groupId)}&limit=3`);
    await waitGraphReady(1);
  }
  // Click the group node on the canvas (fall back to a tap event if it is hidden under something).
  const pos = await page.evaluate((id) => {
    const cy = window.__sightline.cy();
    const n = cy.getElementById(id);
    cy.center(n);
    const p = n.renderedPosition();
    const r = cy.container().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, groupId);
  await page.mouse.click(pos.x, pos.y);
  try {
    await page.waitForSelector(`${tid('side-panel-node')}[data-id="${groupId}"]`, { timeout: 5000 });
  } catch {
    await page.evaluate((id) => {
      window.__sightline.cy().getElementById(id).emit('tap');
    }, groupId);
    await page.waitForSelector(`${tid('side-panel-node')}[data-id="${groupId}"]`);
  }
  const before = (await cyCount()).nodes;
  await page.click(tid('browse-connections'));
  await page.waitForFunction((n) => {
    const s = window.__sightline;
    return s.graphState === 'ready' && s.cy().nodes().length > n;
  }, before, { timeout: 60000 });
  const after = (await cyCount()).nodes;
  await shot('graph-connections');
  return `${before} -> ${after} nodes`;
});

await check('every example query returns rows', async () => {
  await page.click(tid('nav-sql'));
  await page.waitForSelector(tid('sql-example'));
  const titles = await page.locator(tid('sql-example')).allTextContents();
  assert(titles.length > 0, 'no example queries');
  const empty = [];
  for (let i = 0; i < titles.length; i++) {
    await page.locator(tid('sql-example')).nth(i).click();
    await page.click(tid('sql-run'));
    await page.waitForSelector(`${tid('sql-result')}[data-state="done"], ${tid('sql-result')}[data-state="error"]`, { timeout: 30000 });
    const state = await page.getAttribute(tid('sql-result'), 'data-state');
    if (state === 'error') {
      empty.push(`"${titles[i]}": ${(await page.textContent(tid('sql-error'))).slice(0, 160)}`);
      continue;
    }
    const rows = Number(await page.getAttribute(tid('sql-row-count'), 'data-rows'));
    if (!(rows > 0)) empty.push(`"${titles[i]}": 0 rows`);
    if (i === 0) await shot('sql');
  }
  assert(empty.length === 0, empty.join('; '));
  return `${titles.length} examples`;
});

await check('a bad SQL query shows the error with a position', async () => {
  await page.fill(tid('sql-input'), "SELECT id, name\nFROM nodes\nWHERE kind = = 'identity'");
  await page.press(tid('sql-input'), 'Control+Enter');
  await page.waitForSelector(tid('sql-error'), { timeout: 30000 });
  const pos = await page.textContent(tid('sql-error-position')).catch(() => null);
  assert(pos, `no position shown; error: ${(await page.textContent(tid('sql-error'))).slice(0, 200)}`);
  const caret = await page.textContent(tid('sql-error-caret'));
  assert(caret.includes('^'), 'no caret marker');
  await shot('sql-error');
  return pos;
});

await check('an open alert is acknowledged', async () => {
  const alert = openAlert || (await alertPoll);
  assert(alert, 'no open alert appeared within 120 s');
  await go('#/alerts?status=open');
  await page.waitForSelector(tid('alert-row'));
  await shot('alerts');
  await page.click(`a[href="#/alerts/${encodeURIComponent(alert.id)}"]`);
  await page.waitForSelector(`${tid('alert-detail')}`);
  await page.click(tid('alert-ack'));
  await page.fill(tid('alert-reason'), 'UI check: looking into it');
  await page.click(tid('alert-reason-submit'));
  await page.waitForSelector(`${tid('alert-status')}[data-status="acknowledged"]`);
  const stored = await api(`/api/alerts/${encodeURIComponent(alert.id)}`);
  assert(stored.alert.status === 'acknowledged', `server says ${stored.alert.status}`);
  await page.waitForSelector(tid('alert-history-row'));
  await shot('alert-detail');
  return alert.id;
});

if (SIM_URL) {
  await check('the integration wizard rejects a bad token with the reason', async () => {
    await page.click(tid('nav-integrations'));
    await page.waitForSelector(`${tid('integration-card')}, ${tid('integrations')} .empty`);
    await shot('integrations');
    await page.click(tid('integration-new'));
    await page.fill(tid('wizard-org-url'), SIM_URL);
    await page.fill(tid('wizard-name'), 'ui-check-bad-token');
    await page.click(tid('wizard-next'));
    await page.fill(tid('wizard-token'), 'bogus');
    await page.click(tid('wizard-validate'));
    const err = await page.waitForSelector(`${tid('wizard-error')}:visible`, { timeout: 45000 });
    const text = await err.textContent();
    assert(/401|token|unauthori[sz]ed/i.test(text), `reason does not mention 401 or the token: ${text}`);
    await shot('wizard');
    return text.slice(0, 120);
  });
} else skip('the integration wizard rejects a bad token with the reason', 'SIGHTLINE_SIM_URL not set');

if (XSS) {
  await check('Okta strings holding HTML render as text', async () => {
    const found = await api(`/api/nodes?q=${encodeURIComponent(XSS)}&limit=5`);
    assert(found.nodes && found.nodes.length, 'the XSS string is not in the org (no node matches)');
    await page.click(tid('nav-graph'));
    await page.fill(tid('graph-search'), XSS);
    const result = page.locator(tid('graph-search-result')).first();
    await result.waitFor();
    const shown = await result.locator('.suggest-main').textContent();
    assert(shown.includes(XSS), `suggestion shows "${shown}"`);
    await result.click();
    await page.waitForSelector(tid('side-panel-title'), { timeout: 30000 });
    await page.waitForFunction((x) => {
      const el = document.querySelector('[data-testid="side-panel-title"]');
      return el && el.textContent.includes(x);
    }, XSS);
    await page.getByText(XSS, { exact: false }).first().waitFor({ state: 'visible' });
    // The browse table too.
    await go(`#/browse?tab=${found.nodes[0].sub_kind === 'okta_group' ? 'groups' : found.nodes[0].sub_kind === 'okta_app' ? 'apps' : 'identities'}&q=${encodeURIComponent(XSS)}`);
    await page.waitForSelector(tid('browse-row'));
    const cell = await page.textContent(tid('browse-table'));
    assert(cell.includes(XSS), 'browse table does not show the literal text');
    await page.waitForTimeout(300);
    const xss = await page.evaluate(() => window.__xss);
    assert(xss === undefined, 'window.__xss was set: the markup ran');
    const imgs = await page.locator('img[src="x"]').count();
    assert(imgs === 0, `${imgs} <img src=x> element(s) in the page`);
  });
} else skip('Okta strings holding HTML render as text', 'SIGHTLINE_XSS_NAME not set');

await check('Browse lists identities and opens one in the graph', async () => {
  await page.click(tid('nav-browse'));
  await page.waitForSelector(tid('browse-row'));
  await shot('browse');
  for (const tab of ['groups', 'apps', 'roles', 'tokens']) {
    await page.click(tid(`browse-tab-${tab}`));
    await page.waitForFunction((t) => location.hash.includes(`tab=${t}`) && window.__sightline.pageReady === 'browse', tab);
  }
  await page.click(tid('browse-tab-identities'));
  await page.waitForFunction(() => location.hash.includes('tab=identities') && window.__sightline.pageReady === 'browse');
  await page.locator(tid('browse-row')).first().locator('td').nth(1).click();
  await page.waitForFunction(() => location.hash.startsWith('#/graph?id='));
  await waitGraphReady(1);
});

await check('Activity Center shows events and facets', async () => {
  await page.click(tid('nav-activity'));
  await page.waitForSelector(tid('event-row'), { timeout: 30000 });
  await page.waitForSelector(tid('facet-value'));
  await page.waitForSelector(tid('activity-histogram'));
  const rows = await page.locator(tid('event-row')).count();
  const facets = await page.locator(tid('facet-value')).count();
  await page.locator(tid('event-row')).first().locator('td').nth(2).click();
  const raw = await page.waitForSelector(tid('event-raw'));
  assert((await raw.textContent()).trim().length > 2, 'empty raw event');
  await shot('activity');
  // Filtering by a facet value keeps events listed.
  const facet = page.locator(`${tid('facet-source')} ${tid('facet-value')}`).first();
  if (await facet.count()) {
    await facet.click();
    await page.waitForFunction(() => location.hash.includes('source='));
    await page.waitForSelector(tid('event-row'));
  }
  return `${rows} events, ${facets} facet values`;
});

await check('Investigate shows the map with at least one place', async () => {
  const people = await api('/api/people?q=');
  assert(Array.isArray(people) && people.length, 'no people');
  const since = new Date(Date.now() - 30 * 86400e3).toISOString();
  let person = null;
  for (const p of people.slice(0, 10)) {
    const places = await api(`/api/events/places?person=${encodeURIComponent(p.person)}&since=${encodeURIComponent(since)}`);
    if (places.length) {
      person = p.person;
      break;
    }
  }
  assert(person, 'none of the first people has a located event in the last 30 days');
  await page.click(tid('nav-investigate'));
  await page.waitForSelector(tid('investigate-search'));
  await go(`#/investigate/${encodeURIComponent(person)}`);
  await page.waitForSelector(tid('investigate-header'));
  await page.waitForSelector(tid('map-place'), { timeout: 30000 });
  const n = await page.locator(tid('map-place')).count();
  await page.waitForSelector(tid('event-row'));
  await shot('investigate');
  return `${person}: ${n} places`;
});

await check('Settings: an API token is shown once, works, and the audit log records its use', async () => {
  await page.click(tid('nav-settings'));
  await page.waitForSelector(tid('tokens-card'));
  await page.fill(tid('token-name'), 'browser test');
  await page.selectOption(tid('token-role'), 'viewer');
  await page.click(tid('token-form-submit'));
  const secret = (await (await page.waitForSelector(tid('token-secret'))).textContent()).trim();
  assert(secret.startsWith('slt_'), `token shown: ${secret.slice(0, 8)}`);
  // The token works for automation, outside the browser's session.
  const res = await fetch(`${BASE}/api/query`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql: "SELECT count(*) AS users FROM nodes WHERE kind = 'user'" }),
  });
  assert(res.ok, `query with the token: ${res.status}`);
  // The list never shows the secret again.
  await page.click(tid('nav-overview'));
  await page.click(tid('nav-settings'));
  await page.waitForSelector(tid('token-row'));
  assert(!(await page.content()).includes(secret), 'the secret is shown again');
  // The audit log shows the token's query and the sign-ins, filtered by action.
  await page.fill(tid('audit-action'), 'query');
  await page.press(tid('audit-action'), 'Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-row"]')].some((r) => r.textContent.includes('token:')), null, { timeout: 10000 });
  await page.fill(tid('audit-action'), 'sign_in');
  await page.press(tid('audit-action'), 'Enter');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-row"]')].some((r) => r.textContent.includes('failure')), null, { timeout: 10000 });
  await shot('settings');
  // Revoking ends it.
  page.once('dialog', (d) => d.accept());
  await page.locator(tid('token-row')).filter({ hasText: 'browser test' }).locator(tid('token-revoke')).click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="token-row"]')].some((r) => r.textContent.includes('browser test') && r.textContent.includes('revoked')));
  const after = await fetch(`${BASE}/api/auth/me`, { headers: { Authorization: `Bearer ${secret}` } });
  assert(after.status === 401, `revoked token answered ${after.status}`);
});

await check('no CSP violation or uncaught error in the page', async () => {
  const inPage = await page.evaluate(() => ({ csp: window.__sightline.csp, errors: window.__sightline.errors }));
  const all = [...cspViolations, ...inPage.csp.map((c) => `CSP ${c}`)];
  assert(all.length === 0, `CSP violations: ${all.slice(0, 3).join(' | ')}`);
  const errs = [...pageErrors, ...inPage.errors];
  assert(errs.length === 0, `uncaught errors: ${errs.slice(0, 3).join(' | ')}`);
  const xss = await page.evaluate(() => window.__xss);
  assert(xss === undefined, 'window.__xss was set: some markup from the API ran');
  return consoleErrors.length ? `${consoleErrors.length} console errors (network responses), e.g. ${consoleErrors[0].slice(0, 100)}` : '';
});

await browser.close();
clearTimeout(watchdog);
log(`# ${failures ? `${failures} failed` : 'all passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`);
process.exit(failures ? 1 : 0);
