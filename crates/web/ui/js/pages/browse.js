// Browse (#/browse?tab=identities|groups|apps|roles|tokens&q=&sub_kind=&status=&offset=
//          &rel=<node id>&edge=<edge kind>&dir=in|out  — the nodes related to one node, e.g. an aggregate).
import { h, mount, badge } from '../dom.js';
import { get, post } from '../api.js';
import { time, ago, dig, label, subKindLabel, num } from '../format.js';
import { table, pager } from '../table.js';
import { navigate, hashFor, graphHref } from '../router.js';

export const title = 'Browse';

const PAGE = 50;
const USER_STATUSES = ['ACTIVE', 'STAGED', 'PROVISIONED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'SUSPENDED', 'DEPROVISIONED'];

const TABS = {
  identities: {
    title: 'Identities',
    subKinds: 'okta_user,okta_api_token,okta_service_app',
    choices: [
      ['okta_user,okta_api_token,okta_service_app', 'All identities'],
      ['okta_user', 'Users'],
      ['okta_api_token', 'API tokens'],
      ['okta_service_app', 'Service apps'],
    ],
    columns: [
      { title: 'Name', render: (n) => nameLink(n) },
      { title: 'Type', render: (n) => subKindLabel(n.sub_kind) },
      { title: 'Status', render: (n) => statusBadge(label(n, 'okta/status') || dig(n, 'properties.status')) },
      { title: 'Email / owner', render: (n) => (n._owner ? h('span', null, 'token of ', h('a', { href: graphHref(n._owner.id) }, n._owner.name)) : dig(n, 'properties.profile.email') || label(n, 'okta/client_id') || '') },
      { title: 'Last login', render: (n) => (dig(n, 'properties.lastLogin') ? ago(n.properties.lastLogin) : n.sub_kind === 'okta_user' ? 'never' : '') },
    ],
  },
  groups: {
    title: 'Groups',
    subKinds: 'okta_group',
    columns: [
      { title: 'Name', render: (n) => nameLink(n) },
      { title: 'Type', render: (n) => label(n, 'okta/group_type') || dig(n, 'properties.type') || '' },
      { title: 'Description', render: (n) => dig(n, 'properties.profile.description') || '' },
      { title: 'Created', render: (n) => (dig(n, 'properties.created') ? time(n.properties.created) : '') },
    ],
  },
  apps: {
    title: 'Apps',
    subKinds: 'okta_app',
    columns: [
      { title: 'App', render: (n) => nameLink(n) },
      { title: 'Catalog name', render: (n) => label(n, 'okta/app_name') || dig(n, 'properties.name') || '' },
      { title: 'Status', render: (n) => statusBadge(label(n, 'okta/status') || dig(n, 'properties.status')) },
      { title: 'Sign-on mode', render: (n) => label(n, 'okta/sign_on_mode') || dig(n, 'properties.signOnMode') || '' },
    ],
  },
  roles: {
    title: 'Roles',
    subKinds: 'okta_role,okta_custom_role,okta_resource_set',
    choices: [
      ['okta_role,okta_custom_role,okta_resource_set', 'All'],
      ['okta_role', 'Role assignments'],
      ['okta_custom_role', 'Custom roles'],
      ['okta_resource_set', 'Resource sets'],
    ],
    columns: [
      { title: 'Name', render: (n) => nameLink(n) },
      { title: 'Kind', render: (n) => subKindLabel(n.sub_kind) },
      { title: 'Role type', render: (n) => label(n, 'okta/role_type') || dig(n, 'properties.type') || '' },
      { title: 'Assignment', render: (n) => dig(n, 'properties.assignment_type') || dig(n, 'properties.assignmentType') || '' },
    ],
  },
  tokens: {
    title: 'API tokens',
    subKinds: 'okta_api_token',
    columns: [
      { title: 'Token', render: (n) => nameLink(n) },
      { title: 'Owner', render: (n) => (n._owner ? h('a', { href: graphHref(n._owner.id) }, n._owner.name) : dig(n, 'properties.userId') || '') },
      { title: 'Network', render: (n) => { const v = label(n, 'okta/network') || dig(n, 'properties.network.connection'); return v ? badge(v, /ANYWHERE/i.test(v) ? 'medium' : 'neutral') : ''; } },
      { title: 'Client', render: (n) => dig(n, 'properties.clientName') || '' },
      { title: 'Created', render: (n) => (dig(n, 'properties.created') ? time(n.properties.created) : '') },
      { title: 'Expires', render: (n) => { const t = dig(n, 'properties.expiresAt'); return !t ? 'never' : new Date(t) < new Date() ? h('span', null, time(t), ' ', badge('expired', 'neutral')) : time(t); } },
    ],
  },
};

function nameLink(n) {
  return h('a', { href: graphHref(n.id), testid: 'browse-name' }, n.name || n.id);
}
function statusBadge(s) {
  if (!s) return '';
  return badge(s, /ACTIVE/.test(s) && s !== 'INACTIVE' ? 'ok' : /SUSPENDED|LOCKED|DEPROVISIONED|INACTIVE/.test(s) ? 'bad' : 'neutral');
}

const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;
const parseJson = (v) => {
  if (typeof v !== 'string') return v || {};
  try {
    return JSON.parse(v);
  } catch {
    return {};
  }
};

/** Nodes through SQL, for filters /api/nodes does not have (status label, relation to a node). */
async function queryNodes({ subKinds, q, status, rel, edge, dir, offset }) {
  let from = 'nodes n';
  const where = [];
  if (rel) {
    from += dir === 'out' ? ' JOIN edges e ON e.to_id = n.id' : ' JOIN edges e ON e.from_id = n.id';
    where.push(dir === 'out' ? `e.from_id = ${sqlString(rel)}` : `e.to_id = ${sqlString(rel)}`);
    if (edge) where.push(`e.kind = ${sqlString(edge)}`);
  }
  if (subKinds) where.push(`n.sub_kind IN (${subKinds.split(',').map(sqlString).join(', ')})`);
  if (q) where.push(`n.name ILIKE ${sqlString(`%${q}%`)}`);
  if (status) where.push(`n.labels ->> 'okta/status' = ${sqlString(status)}`);
  const cond = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const [page, count] = await Promise.all([
    post('/api/query', { sql: `SELECT n.id, n.kind, n.sub_kind, n.name, n.labels, n.properties FROM ${from}${cond} ORDER BY n.name LIMIT ${PAGE} OFFSET ${offset}` }),
    post('/api/query', { sql: `SELECT count(*) AS total FROM ${from}${cond}` }),
  ]);
  const cols = page.columns;
  const nodes = page.rows.map((r) => {
    const o = Object.fromEntries(cols.map((c, i) => [c, r[i]]));
    o.labels = parseJson(o.labels);
    o.properties = parseJson(o.properties);
    return o;
  });
  return { nodes, total: Number(count.rows[0] && count.rows[0][0]) || 0 };
}

/** Best effort: each API token's owner (the acts_as edge), in one query. */
async function addOwners(nodes) {
  const tokens = nodes.filter((n) => n.sub_kind === 'okta_api_token');
  if (!tokens.length) return;
  try {
    const res = await post('/api/query', {
      sql: `SELECT e.from_id, o.id, o.name FROM edges e JOIN nodes o ON o.id = e.to_id WHERE e.kind = 'acts_as' AND e.from_id IN (${tokens.map((t) => sqlString(t.id)).join(', ')})`,
    });
    const owners = new Map(res.rows.map(([from, id, name]) => [from, { id, name }]));
    for (const t of tokens) t._owner = owners.get(t.id);
  } catch {
    /* the owner column stays as the Okta user id */
  }
}

export async function render(view, ctx) {
  const p = ctx.params;
  const tabKey = TABS[p.get('tab')] ? p.get('tab') : p.get('rel') ? null : 'identities';
  const tab = tabKey ? TABS[tabKey] : null;
  const state = {
    tab: tabKey || '',
    q: p.get('q') || '',
    sub_kind: p.get('sub_kind') || '',
    status: p.get('status') || '',
    rel: p.get('rel') || '',
    edge: p.get('edge') || '',
    dir: p.get('dir') || '',
    offset: Math.max(0, parseInt(p.get('offset') || '0', 10) || 0),
  };
  const go = (changes) => navigate(hashFor('/browse', { ...state, offset: 0, ...changes }));
  const subKinds = state.sub_kind || (tab ? tab.subKinds : '');

  const tabs = h(
    'div',
    { class: 'tabs', testid: 'browse-tabs' },
    Object.entries(TABS).map(([key, t]) => {
      const a = h('a', { class: ['tab', key === tabKey && 'active'], href: hashFor('/browse', { tab: key }), testid: `browse-tab-${key}` }, t.title);
      return a;
    }),
  );
  const search = h('input', { type: 'search', value: state.q, placeholder: 'Filter by name…', testid: 'browse-search', class: 'grow' });
  search.addEventListener('keydown', (e) => e.key === 'Enter' && go({ q: search.value.trim() }));
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => go({ q: search.value.trim() }), 400);
  });
  ctx.cleanup(() => clearTimeout(timer));

  const filters = [search];
  if (tab && tab.choices) {
    const sel = h('select', { testid: 'browse-kind' }, tab.choices.map(([v, t]) => h('option', { value: v, selected: subKinds === v }, t)));
    sel.addEventListener('change', () => go({ sub_kind: sel.value === tab.subKinds ? '' : sel.value, status: '' }));
    filters.push(sel);
  }
  if (subKinds === 'okta_user' || tabKey === 'identities') {
    const sel = h('select', { testid: 'browse-status' }, h('option', { value: '' }, 'Any status'), USER_STATUSES.map((s) => h('option', { value: s, selected: state.status === s }, s)));
    sel.addEventListener('change', () => go({ status: sel.value, sub_kind: sel.value ? 'okta_user' : state.sub_kind }));
    filters.push(sel);
  }
  if (tabKey === 'apps') {
    const sel = h('select', { testid: 'browse-status' }, [['', 'Any status'], ['ACTIVE', 'ACTIVE'], ['INACTIVE', 'INACTIVE']].map(([v, t]) => h('option', { value: v, selected: state.status === v }, t)));
    sel.addEventListener('change', () => go({ status: sel.value }));
    filters.push(sel);
  }

  let relChip = null;
  if (state.rel) {
    const clear = h('button', { class: 'btn btn-link', testid: 'browse-rel-clear' }, 'clear');
    clear.addEventListener('click', () => go({ rel: '', edge: '', dir: '' }));
    relChip = h('div', { class: 'rel-chip', testid: 'browse-rel' }, 'Related to ', h('a', { href: graphHref(state.rel), testid: 'browse-rel-node' }, state.rel), state.edge ? ` by ${state.edge} (${state.dir === 'out' ? 'outgoing' : 'incoming'})` : '', ' · ', clear);
    get(`/api/nodes/${encodeURIComponent(state.rel)}`)
      .then((r) => {
        const a = relChip.querySelector('[data-testid=browse-rel-node]');
        if (a && r && r.node) a.textContent = r.node.name;
      })
      .catch(() => {});
  }

  const result = h('div', { testid: 'browse-result' }, h('div', { class: 'muted' }, 'Loading…'));
  mount(view, h('div', { class: 'page', testid: 'browse-page' }, tabs, h('div', { class: 'filter-bar card' }, filters), relChip, result));

  const useSql = !!state.rel;
  const res = useSql
    ? await queryNodes({ subKinds, q: state.q, status: state.status, rel: state.rel, edge: state.edge, dir: state.dir, offset: state.offset })
    : await get('/api/nodes', { sub_kind: subKinds, q: state.q, status: state.status, limit: PAGE, offset: state.offset });
  if (!ctx.alive()) return;
  const columns = tab
    ? tab.columns
    : [
        { title: 'Name', render: (n) => nameLink(n) },
        { title: 'Type', render: (n) => subKindLabel(n.sub_kind) },
        { title: 'Status', render: (n) => statusBadge(label(n, 'okta/status')) },
      ];
  const nodes = res.nodes || [];
  if (tabKey === 'tokens' || (tabKey === 'identities' && nodes.some((n) => n.sub_kind === 'okta_api_token'))) await addOwners(nodes);
  if (!ctx.alive()) return;
  mount(
    result,
    h('div', { class: 'result-head' }, h('span', { class: 'muted', testid: 'browse-count' }, `${num(res.total ?? nodes.length)} ${tab ? tab.title.replace(/^(?!API)\w+/, (w) => w.toLowerCase()) : 'nodes'}`), h('span', { class: 'spacer' }), pager({ offset: state.offset, limit: PAGE, total: res.total, count: nodes.length, onPage: (o) => go({ offset: o }), testid: 'browse-pager' })),
    table(columns, nodes, { testid: 'browse-table', rowTestid: 'browse-row', onRow: (n) => navigate(graphHref(n.id)), emptyText: 'Nothing matches.' }),
  );
  ctx.ready();
}

