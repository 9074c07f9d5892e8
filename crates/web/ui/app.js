// Sightline web UI: shell, session and hash router. Plain ES modules, no build step.
import { h, mount, errorBox, spinner } from './js/dom.js';
import { session, onUnauthorized, whoami, logout, get } from './js/api.js';
import { num } from './js/format.js';
import { runProgress } from './js/progress.js';
import { parseHash, navigate } from './js/router.js';
import * as loginPage from './js/pages/login.js';
import * as overviewPage from './js/pages/overview.js';
import * as browsePage from './js/pages/browse.js';
import * as graphPage from './js/pages/graph.js';
import * as sqlPage from './js/pages/sql.js';
import * as activityPage from './js/pages/activity.js';
import * as investigatePage from './js/pages/investigate.js';
import * as alertsPage from './js/pages/alerts.js';
import * as integrationsPage from './js/pages/integrations.js';
import * as settingsPage from './js/pages/settings.js';

// State exposed to tests and benchmarks.
const sl = (window.__sightline = {
  cy: () => null,
  ready: false, // true once the session is known and the first page rendered
  page: null, // the current page name
  pageReady: null, // the page name once its main data is shown
  graphState: 'idle', // idle | loading | layout | ready | error
  csp: [], // CSP violations seen
  errors: [], // uncaught errors
});
document.addEventListener('securitypolicyviolation', (e) => {
  sl.csp.push(`${e.violatedDirective} ${e.blockedURI || ''} ${e.sourceFile || ''}:${e.lineNumber || ''}`);
});
window.addEventListener('error', (e) => sl.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => {
  const r = e.reason;
  if (r && (r.status === 401 || r.name === 'AbortError')) {
    e.preventDefault();
    return;
  }
  sl.errors.push(String(r && r.message ? r.message : r));
});

const PAGES = {
  '': { mod: overviewPage, nav: 'overview' },
  login: { mod: loginPage, nav: null, public: true },
  browse: { mod: browsePage, nav: 'browse' },
  graph: { mod: graphPage, nav: 'graph' },
  sql: { mod: sqlPage, nav: 'sql' },
  activity: { mod: activityPage, nav: 'activity' },
  investigate: { mod: investigatePage, nav: 'investigate' },
  alerts: { mod: alertsPage, nav: 'alerts' },
  integrations: { mod: integrationsPage, nav: 'integrations' },
  settings: { mod: settingsPage, nav: 'settings' },
};

const NAV = [
  ['overview', '#/', 'Overview'],
  ['browse', '#/browse', 'Browse'],
  ['graph', '#/graph', 'Graph explorer'],
  ['sql', '#/sql', 'SQL'],
  ['activity', '#/activity', 'Activity Center'],
  ['investigate', '#/investigate', 'Investigate'],
  ['alerts', '#/alerts', 'Alerts'],
  ['integrations', '#/integrations', 'Integrations'],
  ['settings', '#/settings', 'Settings'],
];

const view = document.getElementById('view');
const navEl = document.getElementById('nav');
const titleEl = document.getElementById('page-title');
let current = { cleanups: [], token: 0 };
let returnTo = null;

function buildShell() {
  mount(
    navEl,
    NAV.map(([name, href, text]) =>
      h('a', { href, class: 'nav-item', testid: `nav-${name}`, dataset: { nav: name } }, h('span', { class: 'nav-text' }, text), name === 'alerts' ? h('span', { class: 'nav-badge', id: 'nav-alert-count', testid: 'nav-alert-count', hidden: true }) : null),
    ),
  );
  document.getElementById('signout').addEventListener('click', async () => {
    try {
      await logout();
    } catch {
      /* signed out anyway */
    }
    showSignedOut();
    navigate('#/login');
  });
}

function showSignedIn() {
  document.body.classList.remove('signed-out');
  const u = session.user || {};
  mount(document.getElementById('topbar-user'), h('span', { class: 'user-name' }, u.username || ''), h('span', { class: 'badge badge-role', testid: 'topbar-role' }, u.role || ''));
  startPolling();
}

function showSignedOut() {
  document.body.classList.add('signed-out');
  stopPolling();
}

onUnauthorized(() => {
  if (parseHash().segments[0] !== 'login') returnTo = location.hash;
  showSignedOut();
  if (parseHash().segments[0] !== 'login') navigate('#/login', { replace: true });
});

function afterLogin() {
  showSignedIn();
  const target = returnTo && !returnTo.startsWith('#/login') ? returnTo : '#/';
  returnTo = null;
  navigate(target, { replace: true });
}

async function route() {
  const { segments, params, path } = parseHash();
  const name = segments[0] || '';
  const page = PAGES[name] || PAGES[''];
  if (!page.public && !session.user) {
    returnTo = location.hash;
    history.replaceState(null, '', '#/login');
    return route();
  }
  if (name === 'login' && session.user) {
    history.replaceState(null, '', '#/');
    return route();
  }
  // Tear down the previous page.
  for (const fn of current.cleanups) {
    try {
      fn();
    } catch {
      /* ignore */
    }
  }
  const token = current.token + 1;
  current = { cleanups: [], token };
  sl.page = page.nav || name || 'overview';
  sl.pageReady = null;
  document.body.dataset.page = sl.page;
  for (const a of navEl.querySelectorAll('.nav-item')) a.classList.toggle('active', a.dataset.nav === page.nav);
  titleEl.textContent = page.mod.title || '';
  const ctx = {
    path,
    segments,
    params,
    alive: () => current.token === token,
    cleanup: (fn) => current.cleanups.push(fn),
    setTitle: (t) => {
      if (current.token === token) titleEl.textContent = t;
    },
    ready: () => {
      if (current.token === token) sl.pageReady = sl.page;
    },
    navigate,
  };
  mount(view, spinner());
  view.scrollTop = 0;
  try {
    await page.mod.render(view, ctx);
  } catch (e) {
    if (current.token !== token || (e && e.status === 401)) return;
    console.warn('page failed', e);
    mount(view, errorBox(e, 'page-error'));
  }
  sl.ready = true;
}

// ---- Background status: integrations sync chip and open-alert count ----
let pollTimer = null;
let alertTimer = null;

async function pollIntegrations() {
  clearTimeout(pollTimer);
  if (!session.user) return;
  let delay = 10000;
  try {
    const list = await get('/api/integrations');
    renderSyncChip(list || []);
    if ((list || []).some((i) => i.status === 'syncing' || (i.last_run && i.last_run.status === 'running'))) delay = 3000;
  } catch (e) {
    if (e.status === 401) return;
    renderSyncChip(null, e);
  }
  if (session.user) pollTimer = setTimeout(pollIntegrations, delay);
}

function renderSyncChip(list, err) {
  const el = document.getElementById('sync-chip');
  if (!el) return;
  el.className = 'sync-chip';
  if (err) {
    el.classList.add('status-error');
    mount(el, 'status unavailable');
    return;
  }
  if (list.length === 0) {
    el.classList.add('status-none');
    mount(el, 'no integration');
    return;
  }
  const syncing = list.filter((i) => i.status === 'syncing' || (i.last_run && i.last_run.status === 'running'));
  const failed = list.filter((i) => i.status === 'error');
  if (syncing.length) {
    const p = runProgress(syncing[0].last_run);
    el.classList.add('status-syncing');
    mount(el, h('span', { class: 'dot' }), `syncing ${syncing[0].name}${p.text ? ` · ${p.text}` : ''}`);
  } else if (failed.length) {
    el.classList.add('status-error');
    mount(el, h('span', { class: 'dot' }), `${failed.length} integration${failed.length > 1 ? 's' : ''} failing`);
  } else {
    el.classList.add('status-ok');
    mount(el, h('span', { class: 'dot' }), `synced ${list.length > 1 ? `(${list.length})` : list[0].name}`);
  }
  el.dataset.status = syncing.length ? 'syncing' : failed.length ? 'error' : 'ok';
}

async function pollAlerts() {
  clearTimeout(alertTimer);
  if (!session.user) return;
  try {
    const alerts = await get('/api/alerts', { status: 'open', limit: 500 });
    setAlertCount(Array.isArray(alerts) ? alerts.length : 0, Array.isArray(alerts) && alerts.length >= 500);
  } catch {
    /* shown elsewhere */
  }
  if (session.user) alertTimer = setTimeout(pollAlerts, 30000);
}

function setAlertCount(n, more = false) {
  const el = document.getElementById('nav-alert-count');
  if (!el) return;
  el.hidden = !n;
  el.textContent = `${num(n)}${more ? '+' : ''}`;
}

function refreshStatus() {
  pollIntegrations();
  pollAlerts();
}

function startPolling() {
  refreshStatus();
}
function stopPolling() {
  clearTimeout(pollTimer);
  clearTimeout(alertTimer);
}

// ---- Boot ----
async function boot() {
  buildShell();
  try {
    await whoami();
    showSignedIn();
  } catch (e) {
    showSignedOut();
    if (e.status !== 401 && e.status !== 403) {
      console.warn('session check failed', e.message);
    }
  }
  window.addEventListener('hashchange', route);
  window.addEventListener('sightline:route', route);
  window.addEventListener('sightline:signed-in', afterLogin);
  window.addEventListener('sightline:status', () => pollAlerts());
  await route();
}

boot().catch((e) => mount(view, errorBox(e)));
