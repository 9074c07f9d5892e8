// Overview (#/): the five questions at a glance.
import { h, mount, card, badge, link, empty } from '../dom.js';
import { get } from '../api.js';
import { num, time, ago, SEVERITIES, asObject, subKindLabel } from '../format.js';
import { table } from '../table.js';
import { searchBox } from '../search.js';
import { navigate, graphHref, hashFor, investigateHref } from '../router.js';
import { integrationStatus } from './integrations.js';

export const title = 'Overview';

const TILES = [
  ['users', 'Users', '#/browse?tab=identities&sub_kind=okta_user'],
  ['groups', 'Groups', '#/browse?tab=groups'],
  ['apps', 'Apps', '#/browse?tab=apps'],
  ['roles', 'Admin roles', '#/browse?tab=roles'],
  ['admins', 'Admins', '#/sql?q=' + encodeURIComponent("SELECT identity, identity_kind, action AS role, via FROM access_path WHERE kind = 'ALLOWED' AND action NOT IN ('access', 'member') ORDER BY identity, action")],
  ['api_tokens', 'API tokens', '#/browse?tab=tokens'],
  ['access_paths', 'Access paths', '#/sql?q=' + encodeURIComponent("SELECT * FROM access_path WHERE kind = 'ALLOWED' LIMIT 100")],
  ['escalation_paths', 'Escalation paths', '#/sql?q=' + encodeURIComponent('SELECT * FROM escalation_path LIMIT 100')],
  ['events_24h', 'Events (24 h)', '#/activity?range=24h'],
];

export async function render(view, ctx) {
  const summary = await get('/api/summary');
  if (!ctx.alive()) return;
  const counts = summary.counts || {};
  const alerts = summary.alerts || { open: 0, by_severity: {} };

  const tiles = h(
    'div',
    { class: 'tiles', testid: 'overview-tiles' },
    TILES.map(([key, label, href]) => {
      const body = [h('div', { class: 'tile-value' }, num(counts[key] ?? 0)), h('div', { class: 'tile-label' }, label)];
      return href
        ? h('a', { class: 'tile', href, testid: `overview-tile-${key}` }, body)
        : h('div', { class: 'tile', testid: `overview-tile-${key}` }, body);
    }),
    h(
      'a',
      { class: ['tile', alerts.open ? 'tile-alert' : ''], href: '#/alerts', testid: 'overview-tile-alerts' },
      h('div', { class: 'tile-value' }, num(alerts.open || 0)),
      h('div', { class: 'tile-label' }, 'Active alerts'),
    ),
  );

  // 1. Which apps can a user access?
  const search = searchBox({
    testid: 'overview-user-search',
    placeholder: 'Find a user, token or service app…',
    subKind: 'okta_user,okta_api_token,okta_service_app',
    onPick: (n) => navigate(graphHref(n.id, { view: 'access' })),
  });
  const accessCard = card(
    'Which apps can a user access?',
    [
      h('p', { class: 'muted' }, 'Pick an identity to trace every path from it through groups and roles to what it reaches.'),
      search.el,
    ],
    { testid: 'overview-access' },
  );

  // 5. Suspicious sign-in patterns: open alerts by severity.
  const bySev = alerts.by_severity || {};
  const maxSev = Math.max(1, ...SEVERITIES.map((s) => bySev[s] || 0));
  const alertCard = card(
    'Suspicious activity',
    [
      h(
        'div',
        { class: 'sev-bars', testid: 'overview-alerts' },
        SEVERITIES.map((s) => {
          const n = bySev[s] || 0;
          const fill = h('span', { class: `sev-fill sev-${s}` });
          fill.style.width = `${(100 * n) / maxSev}%`;
          return h(
            'a',
            { class: 'sev-row', href: hashFor('/alerts', { status: 'open,acknowledged', severity: s }), testid: `overview-alerts-${s}` },
            h('span', { class: 'sev-name' }, badge(s, s)),
            h('span', { class: 'sev-track' }, fill),
            h('span', { class: 'sev-count' }, num(n)),
          );
        }),
      ),
      h('div', { class: 'card-foot' }, link('#/alerts', `View ${num(alerts.open || 0)} open and acknowledged alerts →`, { testid: 'overview-alerts-link' })),
    ],
    { testid: 'overview-alerts-card' },
  );

  // 2. Who has admin roles?
  const adminsCard = card(
    'Who has admin roles?',
    table(
      [
        { title: 'Holder', render: (a) => h('span', null, link(graphHref(a.id), a.name), a.kind ? h('span', { class: 'rel-kind' }, subKindLabel(a.kind)) : null) },
        { title: 'Roles', render: (a) => h('span', { class: 'chips' }, (a.roles || []).map((r) => badge(r, /super/i.test(r) ? 'critical' : 'neutral'))) },
      ],
      summary.admins || [],
      { testid: 'overview-admins', rowTestid: 'overview-admin', emptyText: 'No admin role holders.' },
    ),
    { testid: 'overview-admins-card' },
    counts.admins > (summary.admins || []).length ? h('span', { class: 'muted' }, `${num((summary.admins || []).length)} of ${num(counts.admins)}`) : null,
  );

  // 3. Which API tokens exist and who owns them?
  const tokensCard = card(
    'Which API tokens exist?',
    table(
      [
        { title: 'Token', render: (t) => link(graphHref(t.id), t.name) },
        { title: 'Owner', render: (t) => (t.owner_id ? link(graphHref(t.owner_id), t.owner || t.owner_id) : t.owner || '–') },
        { title: 'Network', render: (t) => { const n = networkText(t.network); return badge(n, /anywhere/i.test(n) ? 'medium' : 'neutral'); } },
        { title: 'Expires', render: (t) => (!t.expires_at ? 'never' : new Date(t.expires_at) < new Date() ? h('span', null, time(t.expires_at), ' ', badge('expired', 'neutral')) : time(t.expires_at)) },
        { title: t0(summary.api_tokens) ? 'Last used' : 'Last updated', render: (t) => { const v = t.last_used || t.last_updated; return v ? ago(v) : '–'; } },
      ],
      summary.api_tokens || [],
      { testid: 'overview-tokens', rowTestid: 'overview-token', emptyText: 'No API tokens.' },
    ),
    { testid: 'overview-tokens-card' },
  );

  // 4. What admin actions happened recently?
  const adminEventsCard = card(
    'Recent admin actions',
    table(
      [
        { title: 'When', render: (e) => h('span', { title: time(e.time) }, ago(e.time)) },
        { title: 'Actor', render: (e) => (e.person ? link(investigateHref(e.person), e.actor || e.person) : e.actor || '–') },
        { title: 'Event', render: (e) => h('code', null, e.event_type || '') },
        { title: 'Outcome', render: (e) => outcomeBadge(e.outcome) },
        { title: 'Message', render: (e) => e.message || '' },
      ],
      summary.recent_admin_events || [],
      { testid: 'overview-admin-events', rowTestid: 'overview-admin-event', emptyText: 'No admin actions recorded yet.' },
    ),
    { testid: 'overview-admin-events-card' },
    link('#/activity', 'Activity Center →'),
  );

  const integrations = summary.integrations || [];
  const integrationsCard = card(
    'Integrations',
    integrations.length
      ? h(
          'div',
          { class: 'integration-mini', testid: 'overview-integrations' },
          integrations.map((i) =>
            h(
              'div',
              { class: 'integration-mini-row' },
              h('strong', null, i.name),
              integrationStatus(i),
              h('span', { class: 'muted' }, i.org_url),
              h('span', { class: 'muted' }, i.last_success ? `last sync ${ago(i.last_success)}` : 'never synced'),
            ),
          ),
        )
      : h('div', null, empty('No integration yet.'), link('#/integrations/new', 'Set up an Okta integration →')),
    { testid: 'overview-integrations-card' },
    link('#/integrations', 'Manage →'),
  );

  mount(
    view,
    h(
      'div',
      { class: 'page overview', testid: 'overview' },
      tiles,
      h('div', { class: 'grid-2' }, accessCard, alertCard),
      h('div', { class: 'grid-2' }, adminsCard, tokensCard),
      adminEventsCard,
      integrationsCard,
    ),
  );
  ctx.ready();
}

/** An API token's network restriction: `{"connection": "ANYWHERE"}` (maybe as JSON text) or a string. */
export function networkText(v) {
  const o = asObject(v);
  if (o && o.connection) return String(o.connection);
  return typeof v === 'string' && v && !v.startsWith('{') ? v : 'ANYWHERE';
}

const t0 = (tokens) => (tokens || []).some((t) => t.last_used);

export function outcomeBadge(outcome) {
  if (!outcome) return '';
  const o = String(outcome).toUpperCase();
  return badge(o, o === 'SUCCESS' || o === 'ALLOW' ? 'ok' : o === 'FAILURE' || o === 'DENY' || o === 'FAILED' ? 'critical' : 'neutral');
}

