// The side panel of the graph explorer: one node's details from /api/nodes/{id}.
import { h, mount, badge, errorBox, spinner, link } from './dom.js';
import { get, enc } from './api.js';
import { num, time, ago, compact, pretty, subKindLabel, dig, label, truncate, asObject } from './format.js';
import { investigateHref, hashFor } from './router.js';
import { mark } from './graphview.js';

const REL_TITLE = {
  'out:member_of': 'Groups',
  'in:member_of': 'Members',
  'out:owns': 'Owns',
  'in:owns': 'Owners',
  'out:assigned': 'App assignments',
  'in:assigned': 'Assigned to',
  'out:grants': 'Grants access to',
  'in:grants': 'Granted by',
  'out:has_role': 'Admin roles',
  'in:has_role': 'Held by',
  'out:scoped_to': 'Scope',
  'in:scoped_to': 'Roles scoped here',
  'out:instance_of': 'Role definition',
  'in:instance_of': 'Assignments of this role',
  'out:contains': 'Contains',
  'in:contains': 'Part of',
  'out:acts_as': 'Owner (acts as)',
  'in:acts_as': 'API tokens',
  'out:client_of': 'Client of app',
  'in:client_of': 'Service identities',
  'out:imported_from': 'Imported from',
  'in:imported_from': 'Groups imported from here',
};

const ORDER = {
  okta_user: ['out:member_of', 'out:has_role', 'out:assigned', 'in:acts_as', 'out:owns'],
  okta_api_token: ['out:acts_as'],
  okta_service_app: ['out:client_of', 'out:has_role'],
  okta_group: ['in:member_of', 'in:owns', 'out:assigned', 'out:has_role', 'out:imported_from', 'in:scoped_to'],
  okta_role: ['in:has_role', 'out:scoped_to', 'out:instance_of'],
  okta_custom_role: ['in:instance_of'],
  okta_app_assignment: ['in:assigned', 'out:grants'],
  okta_app: ['in:grants', 'in:contains', 'in:client_of', 'in:scoped_to', 'in:imported_from'],
  okta_resource_set: ['out:contains', 'in:scoped_to'],
  okta_app_catalog: ['out:contains'],
};

const IDENTITY = new Set(['okta_user', 'okta_api_token', 'okta_service_app']);
export const isIdentity = (n) => n && (n.kind === 'identity' || IDENTITY.has(n.sub_kind));

function facts(node) {
  const p = node.properties || {};
  const f = [];
  const add = (k, v) => {
    if (v !== undefined && v !== null && v !== '') f.push([k, typeof v === 'object' ? compact(v) : String(v)]);
  };
  switch (node.sub_kind) {
    case 'okta_user':
      add('Status', label(node, 'okta/status') || p.status);
      add('Name', [dig(p, 'profile.firstName'), dig(p, 'profile.lastName')].filter(Boolean).join(' '));
      add('Email', dig(p, 'profile.email'));
      add('Title', dig(p, 'profile.title'));
      add('Department', dig(p, 'profile.department'));
      add('Created', p.created && time(p.created));
      add('Last login', p.lastLogin ? `${time(p.lastLogin)} (${ago(p.lastLogin)})` : 'never');
      add('Password changed', p.passwordChanged && time(p.passwordChanged));
      break;
    case 'okta_api_token':
      add('Network', label(node, 'okta/network') || dig(p, 'network.connection'));
      add('Client', p.clientName);
      add('Created', p.created && time(p.created));
      add('Expires', p.expiresAt ? time(p.expiresAt) : 'never');
      add('Last updated', p.lastUpdated && time(p.lastUpdated));
      add('Token window', p.tokenWindow);
      add('Owner id', p.userId);
      break;
    case 'okta_group':
      add('Type', label(node, 'okta/group_type') || p.type);
      add('Description', dig(p, 'profile.description'));
      add('Created', p.created && time(p.created));
      break;
    case 'okta_app':
    case 'okta_service_app':
      add('Label', p.label);
      add('App name', label(node, 'okta/app_name') || p.name);
      add('Status', label(node, 'okta/status') || p.status);
      add('Sign-on mode', label(node, 'okta/sign_on_mode') || p.signOnMode);
      add('Client id', label(node, 'okta/client_id') || p.client_id);
      break;
    case 'okta_role':
    case 'okta_custom_role':
      add('Role type', label(node, 'okta/role_type') || p.type);
      add('Label', p.label);
      add('Assignment', p.assignment_type || p.assignmentType);
      add('Status', p.status);
      break;
    default:
      add('Status', p.status);
  }
  return f;
}

/** A list of related nodes; names are links that call onOpen(node). */
function relationList(rels, onOpen, testid) {
  const LIMIT = 40;
  const list = h('ul', { class: 'rel-list', testid });
  const render = (upto) => {
    list.replaceChildren();
    rels.slice(0, upto).forEach((r) => {
      const a = h('a', { href: '#', class: 'rel-link', testid: 'side-panel-relation' }, r.node.name || r.node.id);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        onOpen(r.node);
      });
      list.appendChild(h('li', null, a, h('span', { class: 'rel-kind' }, subKindLabel(r.node.sub_kind)), r.edge_properties && Object.keys(r.edge_properties).length ? h('span', { class: 'rel-props' }, truncate(compact(r.edge_properties), 60)) : null));
    });
    if (rels.length > upto) {
      const more = h('button', { class: 'btn btn-link' }, `Show ${num(rels.length - upto)} more`);
      more.addEventListener('click', () => render(rels.length));
      list.appendChild(h('li', null, more));
    }
  };
  render(LIMIT);
  return list;
}

/** One route of an access path's `via`: direct, a group, or a token's owner and the owner's route. */
export function routeText(v) {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (v.route === 'token_owner') return `owner ${v.owner || v.owner_id || '?'}${v.owner_route ? ` (${routeText(v.owner_route)})` : ''}`;
  if (v.group) return `group ${v.group}`;
  if (v.route === 'direct') return v.scope && v.scope !== 'unrestricted' ? `direct, ${v.scope}` : 'direct';
  return String(v.route || v.name || compact(v));
}

export function viaText(via) {
  const routes = Array.isArray(via) ? via : typeof via === 'string' && via.startsWith('[') ? asObject(via) : [via];
  return (Array.isArray(routes) ? routes : [routes]).map(routeText).join('; ');
}

function accessTable(rows, forIdentity, onOpenId) {
  const LIMIT = 60;
  const tbody = h('tbody');
  const render = (upto) => {
    tbody.replaceChildren();
    rows.slice(0, upto).forEach((r) => {
      const target = forIdentity ? [r.resource, r.resource_id] : [r.identity, r.identity_id];
      const name = target[1] ? h('a', { href: '#', class: 'rel-link' }, target[0] || target[1]) : target[0];
      if (target[1]) name.addEventListener('click', (e) => { e.preventDefault(); onOpenId(target[1], target[0]); });
      tbody.appendChild(
        h(
          'tr',
          { testid: 'side-panel-access-row' },
          h('td', null, name, forIdentity && r.resource_kind ? h('span', { class: 'rel-kind' }, subKindLabel(r.resource_kind)) : null),
          h('td', { class: 'nowrap' }, r.action || ''),
          h('td', { class: 'nowrap' }, badge(r.kind || '', r.kind === 'DENIED' ? 'bad' : 'ok', r.reason ? { title: String(r.reason) } : {})),
          h('td', { class: 'muted' }, viaText(r.via)),
        ),
      );
    });
    if (rows.length > upto) {
      const more = h('button', { class: 'btn btn-link' }, `Show ${num(rows.length - upto)} more`);
      more.addEventListener('click', () => render(rows.length));
      tbody.appendChild(h('tr', null, h('td', { colspan: '4' }, more)));
    }
  };
  render(LIMIT);
  return h('table', { class: 'table table-compact' }, h('thead', null, h('tr', null, h('th', null, forIdentity ? 'Reaches' : 'Identity'), h('th', null, 'Action'), h('th', null, 'Kind'), h('th', null, 'Via'))), tbody);
}

function section(title, count, body, testid) {
  return h('section', { class: 'panel-section', testid }, h('h3', null, title, count !== null && count !== undefined ? h('span', { class: 'count' }, num(count)) : null), body);
}

/** A button that runs `action` once at a time, saying so while it runs. */
function busyButton(props, text, action) {
  const button = h('button', props, text);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Loading…';
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = text;
    }
  });
  return button;
}

/** The panel's head: kind, name, id and the action buttons; needs only id, name, kind, sub_kind. */
function panelHead(node, actions) {
  const buttons = [];
  if (isIdentity(node)) {
    const b = h('button', { class: 'btn btn-primary btn-small', testid: 'view-access' }, 'View Access');
    b.addEventListener('click', () => actions.viewAccess(node));
    buttons.push(b);
  }
  buttons.push(busyButton({ class: 'btn btn-small', testid: 'browse-connections' }, 'Browse Connections', () => actions.browseConnections(node)));
  if (node.sub_kind === 'okta_user') buttons.push(h('a', { class: 'btn btn-small', href: investigateHref(node.name), testid: 'side-panel-investigate' }, 'Investigate'));
  if (isIdentity(node)) {
    buttons.push(h('a', { class: 'btn btn-small', href: hashFor('/sql', { q: `SELECT * FROM access_path WHERE identity_id = '${node.id.replace(/'/g, "''")}'` }), testid: 'side-panel-sql' }, 'SQL'));
  } else if (node.kind === 'resource' || node.sub_kind === 'okta_group') {
    buttons.push(h('a', { class: 'btn btn-small', href: hashFor('/sql', { q: `SELECT * FROM access_path WHERE resource_id = '${node.id.replace(/'/g, "''")}'` }), testid: 'side-panel-sql' }, 'SQL'));
  }
  return h(
    'header',
    { class: 'panel-head' },
    h('div', { class: 'panel-kind' }, badge(subKindLabel(node.sub_kind), 'kind'), h('span', { class: 'muted' }, node.kind)),
    h('h2', { class: 'panel-title', testid: 'side-panel-title' }, node.name || node.id),
    h('code', { class: 'panel-id' }, node.id),
    h('div', { class: 'panel-buttons' }, buttons),
  );
}

/**
 * Renders a node's panel into `panel`.
 * actions: {viewAccess(node), browseConnections(node), open(node), openId(id, name)}
 * `known` ({id, name, kind, sub_kind}, e.g. the drawn node's data) is shown at once, with its
 * buttons, while the details load: on a big graph that fetch is most of a click's wait.
 */
export async function renderNodePanel(panel, id, actions, alive = () => true, known = null) {
  if (known && known.id === id && known.sub_kind) {
    const node = { id, name: known.name || id, kind: known.kind, sub_kind: known.sub_kind };
    mount(panel, h('div', { class: 'panel', testid: 'side-panel-node', dataset: { id, subKind: node.sub_kind, partial: '1' } }, panelHead(node, actions), spinner('Loading details…')));
    mark('panel shown', false, 'tapTimings');
  } else mount(panel, spinner());
  let res;
  try {
    res = await get(`/api/nodes/${enc(id)}`);
  } catch (e) {
    if (alive()) mount(panel, errorBox(e, 'side-panel-error'));
    return null;
  }
  if (!alive()) return null;
  const node = res.node;
  const rels = res.relations || [];
  const groups = new Map();
  for (const r of rels) {
    const key = `${r.direction}:${r.edge_kind}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const order = ORDER[node.sub_kind] || [];
  const keys = [...groups.keys()].sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });

  const f = facts(node);
  const labels = Object.entries(node.labels || {}).filter(([k]) => k !== 'teleport.dev/origin');

  const content = [
    panelHead(node, actions),
    f.length ? h('dl', { class: 'facts', testid: 'side-panel-facts' }, f.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])) : null,
  ];

  const access = res.access || [];
  if (access.length) {
    const forIdentity = isIdentity(node);
    content.push(section(forIdentity ? 'Access' : 'Who reaches it, and how', access.length >= 500 ? '500+' : access.length, accessTable(access, forIdentity, actions.openId), 'side-panel-access'));
  }
  if (isIdentity(node)) content.push(escalationSection(node, res.escalation));
  for (const key of keys) {
    content.push(section(REL_TITLE[key] || key.replace(':', ' '), groups.get(key).length, relationList(groups.get(key), actions.open, `side-panel-rel-${key.replace(':', '-')}`), 'side-panel-relations'));
  }
  if (res.relations_total > rels.length) content.push(h('p', { class: 'muted' }, `Showing ${num(rels.length)} of ${num(res.relations_total)} relations. Use Browse Connections or SQL for the rest.`));
  if ((res.alerts || []).length) {
    content.push(
      section(
        'Alerts',
        res.alerts.length,
        h('ul', { class: 'rel-list' }, res.alerts.map((a) => h('li', null, badge(a.severity, a.severity), ' ', link(`#/alerts/${enc(a.id)}`, a.title || a.rule_id), h('span', { class: 'rel-kind' }, `${a.status} · ${ago(a.last_seen)}`)))),
        'side-panel-alerts',
      ),
    );
  }
  if ((res.activity || []).length) {
    content.push(
      section(
        'Recent activity',
        null,
        h(
          'ul',
          { class: 'activity-mini' },
          res.activity.map((e) => h('li', { class: e.outcome && /fail|deny/i.test(e.outcome) ? 'fail' : '' }, h('span', { class: 'muted' }, ago(e.time)), ' ', h('code', null, e.event_type), ' ', e.message || '')),
        ),
        'side-panel-activity',
      ),
    );
  }
  if (labels.length) content.push(section('Labels', null, h('div', { class: 'chips' }, labels.map(([k, v]) => badge(`${k}: ${compact(v)}`, 'neutral'))), 'side-panel-labels'));
  content.push(h('details', { class: 'raw' }, h('summary', null, 'Raw properties'), h('pre', { class: 'code', testid: 'side-panel-raw' }, pretty(node.properties || {}))));
  mount(panel, h('div', { class: 'panel', testid: 'side-panel-node', dataset: { id: node.id, subKind: node.sub_kind } }, content));
  if (known) mark('details shown', false, 'tapTimings');
  return node;
}

/** An escalation chain as text: "a —token of→ b —become user (Super Administrator)→ c". */
function chainText(chain) {
  const steps = Array.isArray(chain) ? chain : asObject(chain);
  if (!Array.isArray(steps) || !steps.length) return '';
  let text = steps[0] && typeof steps[0] === 'object' ? String(steps[0].from_name || steps[0].from || '') : '';
  for (const s of steps) {
    if (!s || typeof s !== 'object') {
      text += ` → ${s}`;
      continue;
    }
    const how = String(s.step || s.kind || '').replace(/_/g, ' ');
    text += ` —${how}${s.via ? ` (${s.via})` : ''}→ ${s.to_name || s.to || ''}`;
  }
  return text;
}

/** Escalation paths of an identity, loaded on demand. */
function escalationSection(node, preloaded) {
  const body = h('div', { class: 'escalation' });
  const btn = h('button', { class: 'btn btn-small', testid: 'side-panel-escalation' }, 'Show escalation paths');
  const show = (paths) =>
      mount(
        body,
        paths.length
          ? h(
              'ol',
              { class: 'escalation-list', testid: 'side-panel-escalation-paths' },
              paths.slice(0, 50).map((p) =>
                h(
                  'li',
                  null,
                  h('strong', null, p.target || ''),
                  h('span', { class: 'rel-kind' }, `${subKindLabel(p.target_kind)} · ${num(p.length)} step${p.length === 1 ? '' : 's'}`),
                  p.chain ? h('div', { class: 'chain muted' }, chainText(p.chain)) : null,
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No escalation path from this identity.'),
      );
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    btn.textContent = 'Loading…';
    try {
      const res = await get('/api/graph/escalation', { id: node.id });
      show((res && res.paths) || []);
    } catch (e) {
      mount(body, errorBox(e));
    }
  });
  if (Array.isArray(preloaded)) show(preloaded);
  else body.appendChild(btn);
  return section('Privilege escalation', Array.isArray(preloaded) ? preloaded.length : null, body, 'side-panel-escalation-section');
}

/** The panel of a drawn action of the access view (not a stored node): the paths through it. */
export function renderActionPanel(panel, data, resource, paths, actions) {
  const rows = paths.filter((p) => p.action === data.name && (!resource || p.resource_id === resource.id));
  const open = resource ? h('a', { href: '#', class: 'rel-link' }, resource.name) : null;
  if (open) open.addEventListener('click', (e) => { e.preventDefault(); actions.openId(resource.id, resource.name); });
  mount(
    panel,
    h(
      'div',
      { class: 'panel', testid: 'side-panel-action' },
      h('header', { class: 'panel-head' }, h('div', { class: 'panel-kind' }, badge('Action', 'kind')), h('h2', { class: 'panel-title', testid: 'side-panel-title' }, data.name), resource ? h('div', null, 'on ', open, h('span', { class: 'rel-kind' }, subKindLabel(resource.sub_kind))) : null),
      rows.length ? section('Paths', rows.length, accessTable(rows, true, actions.openId), 'side-panel-access') : h('p', { class: 'muted' }, 'A grant drawn from the access paths.'),
    ),
  );
}

/** The panel of an aggregate node ("1,234 more users"). */
export function renderAggregatePanel(panel, data, actions) {
  const a = data.aggregate || {};
  const browse = h('a', { class: 'btn btn-primary btn-small', testid: 'aggregate-browse', href: hashFor('/browse', { rel: a.parent, edge: a.edge_kind, dir: a.direction, sub_kind: a.of }) }, 'List them in Browse');
  const expand = busyButton({ class: 'btn btn-small', testid: 'aggregate-expand' }, `Draw up to ${num(Math.min(a.count || 0, 500))} here`, () => actions.expandAggregate(data));
  mount(
    panel,
    h(
      'div',
      { class: 'panel', testid: 'side-panel-aggregate' },
      h('header', { class: 'panel-head' }, h('div', { class: 'panel-kind' }, badge('Aggregate', 'neutral')), h('h2', { class: 'panel-title' }, data.name), h('div', { class: 'panel-buttons' }, browse, expand)),
      h('dl', { class: 'facts' }, h('dt', null, 'Count'), h('dd', null, num(a.count)), h('dt', null, 'Of'), h('dd', null, subKindLabel(a.of)), h('dt', null, 'Edge'), h('dd', null, `${a.edge_kind} (${a.direction})`)),
      h('p', { class: 'muted' }, 'Beyond the neighbour limit, related nodes of one kind are drawn as one aggregate node to keep the graph readable.'),
    ),
  );
}
