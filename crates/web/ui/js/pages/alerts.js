// Alerts (#/alerts?status=&severity=&rule=&q=, #/alerts/<id>): list, detail and lifecycle.
import { h, mount, card, badge, errorBox, empty, link, toast } from '../dom.js';
import { get, post, enc, session } from '../api.js';
import { num, time, ago, pretty, SEVERITIES, compact } from '../format.js';
import { table } from '../table.js';
import { navigate, hashFor, investigateHref, graphHref, statusChanged } from '../router.js';
import { outcomeBadge } from '../events.js';

export const title = 'Alerts';

const STATUS_KIND = { open: 'critical', acknowledged: 'medium', resolved: 'ok', closed: 'neutral' };

export const statusBadge = (s, testid = 'alert-status') => badge(s, STATUS_KIND[s] || 'neutral', { testid, dataset: { status: s } });
export const severityBadge = (s) => badge(s, s, { testid: 'alert-severity' });

export async function render(view, ctx) {
  if (ctx.segments[1]) return renderDetail(view, ctx, ctx.segments[1]);
  const p = ctx.params;
  const current = { status: p.get('status') ?? 'open,acknowledged', severity: p.get('severity') || '', rule: p.get('rule') || '', q: p.get('q') || '' };
  const go = (changes) => navigate(hashFor('/alerts', { ...current, ...changes, status: (changes.status ?? current.status) || 'any' }));
  const statusValue = current.status === 'any' ? '' : current.status;

  const statusSel = h(
    'select',
    { testid: 'alerts-filter-status' },
    [['open,acknowledged', 'Open + acknowledged'], ['open', 'Open'], ['acknowledged', 'Acknowledged'], ['resolved', 'Resolved'], ['closed', 'Closed'], ['any', 'Any status']].map(([v, t]) => h('option', { value: v, selected: current.status === v }, t)),
  );
  statusSel.addEventListener('change', () => go({ status: statusSel.value }));
  const sevSel = h('select', { testid: 'alerts-filter-severity' }, [['', 'Any severity'], ...SEVERITIES.map((s) => [s, s])].map(([v, t]) => h('option', { value: v, selected: current.severity === v }, t)));
  sevSel.addEventListener('change', () => go({ severity: sevSel.value }));
  const ruleSel = h('select', { testid: 'alerts-filter-rule' }, h('option', { value: '' }, 'Any rule'), current.rule ? h('option', { value: current.rule, selected: true }, current.rule) : null);
  ruleSel.addEventListener('change', () => go({ rule: ruleSel.value }));
  const q = h('input', { type: 'search', placeholder: 'Search entity, title, summary…', value: current.q, testid: 'alerts-filter-q', class: 'grow' });
  q.addEventListener('keydown', (e) => e.key === 'Enter' && go({ q: q.value.trim() }));

  const listEl = h('div', { testid: 'alerts-list' }, h('div', { class: 'muted' }, 'Loading…'));
  mount(view, h('div', { class: 'page', testid: 'alerts-page' }, h('div', { class: 'filter-bar card' }, q, statusSel, sevSel, ruleSel), listEl));

  get('/api/rules')
    .then((rules) => {
      if (!ctx.alive()) return;
      for (const r of (rules || []).slice().sort((a, b) => a.id.localeCompare(b.id))) {
        if (r.id === current.rule) continue;
        ruleSel.appendChild(h('option', { value: r.id }, `${r.title} (${r.id})`));
      }
    })
    .catch(() => {});

  const alerts = await get('/api/alerts', { status: statusValue, severity: current.severity, rule: current.rule, q: current.q, limit: 500 });
  if (!ctx.alive()) return;
  mount(
    listEl,
    table(
      [
        { title: 'Severity', render: (a) => severityBadge(a.severity) },
        { title: 'Alert', render: (a) => link(`#/alerts/${enc(a.id)}`, a.title || a.rule_id, { testid: 'alert-link' }) },
        { title: 'Entity', render: (a) => a.entity || '' },
        { title: 'Summary', render: (a) => a.summary || '' },
        { title: 'Events', render: (a) => num(a.count), class: 'num' },
        { title: 'Status', render: (a) => statusBadge(a.status) },
        { title: 'Last seen', render: (a) => h('span', { title: time(a.last_seen) }, ago(a.last_seen)) },
      ],
      alerts || [],
      { testid: 'alerts-table', rowTestid: 'alert-row', onRow: (a) => navigate(`#/alerts/${enc(a.id)}`), emptyText: 'No alerts match.' },
    ),
  );
  ctx.ready();
}

async function renderDetail(view, ctx, id) {
  const res = await get(`/api/alerts/${enc(id)}`);
  if (!ctx.alive()) return;
  let alert = res.alert;
  ctx.setTitle(`Alert: ${alert.title || alert.rule_id}`);
  const rule = res.rule || {};

  const statusEl = h('span');
  const actionsEl = h('div', { class: 'alert-actions', testid: 'alert-actions' });
  const formEl = h('div', { class: 'reason-form-host' });
  const historyEl = h('div');

  function drawStatus() {
    mount(statusEl, statusBadge(alert.status));
    const buttons = [];
    const add = (to, label, testid, primary) => {
      const b = h('button', { class: ['btn', primary && 'btn-primary'], testid }, label);
      b.addEventListener('click', () => askReason(to, label));
      buttons.push(b);
    };
    if (alert.status === 'open') add('acknowledged', 'Acknowledge', 'alert-ack', true);
    if (alert.status === 'open' || alert.status === 'acknowledged') {
      add('resolved', 'Resolve', 'alert-resolve');
      add('closed', 'Close', 'alert-close');
    }
    if (alert.status !== 'open') add('open', 'Reopen', 'alert-reopen');
    mount(actionsEl, buttons, session.user && session.user.role === 'viewer' ? h('span', { class: 'muted' }, 'Viewers cannot change alerts.') : null);
  }

  function askReason(to, label) {
    const reason = h('input', { type: 'text', class: 'grow', placeholder: `Why ${label.toLowerCase()}? (recorded in the history)`, testid: 'alert-reason', required: true, maxlength: '1000' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'alert-reason-submit' }, label);
    const cancel = h('button', { type: 'button', class: 'btn', testid: 'alert-reason-cancel' }, 'Cancel');
    const err = h('div', { class: 'error-box', testid: 'alert-action-error', hidden: true });
    const form = h('form', { class: 'reason-form', testid: 'alert-reason-form' }, h('label', { class: 'field-label' }, `${label}: reason`), h('div', { class: 'row' }, reason, submit, cancel), err);
    cancel.addEventListener('click', () => formEl.replaceChildren());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        err.textContent = 'Give a reason.';
        err.hidden = false;
        return;
      }
      submit.disabled = true;
      try {
        const out = await post(`/api/alerts/${enc(alert.id)}/status`, { status: to, reason: reason.value.trim() });
        alert = (out && out.alert) || { ...alert, status: to };
        formEl.replaceChildren();
        drawStatus();
        toast(`Alert ${alert.status}`, 'ok');
        statusChanged();
        refreshHistory();
      } catch (ex) {
        err.textContent = ex.status === 403 ? `Not allowed: ${ex.message}` : ex.message;
        err.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    mount(formEl, form);
    reason.focus();
  }

  function drawHistory(history) {
    mount(
      historyEl,
      table(
        [
          { title: 'When', render: (x) => time(x.at) },
          { title: 'Who', render: (x) => x.actor || '' },
          { title: 'Change', render: (x) => h('span', null, (x.from ?? x.from_status) ? statusBadge(x.from ?? x.from_status, 'alert-history-from') : 'opened', ' → ', statusBadge(x.to ?? x.to_status, 'alert-history-to')) },
          { title: 'Reason', render: (x) => x.reason || '' },
        ],
        history || [],
        { testid: 'alert-history', rowTestid: 'alert-history-row', emptyText: 'No status changes yet.' },
      ),
    );
  }
  async function refreshHistory() {
    try {
      const fresh = await get(`/api/alerts/${enc(id)}`);
      if (ctx.alive()) drawHistory(fresh.history);
    } catch {
      /* keep */
    }
  }

  drawStatus();
  drawHistory(res.history);

  const entityLinks = [];
  const person = alert.person || (alert.entity && (!alert.entity_kind || /user|person/.test(alert.entity_kind)) ? alert.entity : null);
  if (person) {
    entityLinks.push(link(investigateHref(person), 'Investigate', { testid: 'alert-investigate' }));
  } else if (alert.entity) {
    entityLinks.push(link(hashFor('/activity', { q: alert.entity }), 'Activity', { testid: 'alert-activity' }));
  }
  const nodeId = alert.actor_id || (res.details && (res.details.node_id || res.details.entity_id || (res.details.user && res.details.user.id)));
  if (nodeId) entityLinks.push(link(graphHref(nodeId), 'Open in graph'));

  const events = res.events || [];
  mount(
    view,
    h(
      'div',
      { class: 'page alert-detail', testid: 'alert-detail', dataset: { id: alert.id } },
      h('div', { class: 'crumbs' }, link('#/alerts', '← All alerts')),
      h(
        'div',
        { class: 'card alert-head' },
        h('div', { class: 'alert-title-row' }, severityBadge(alert.severity), h('h2', { testid: 'alert-title' }, alert.title || alert.rule_id), statusEl),
        h('p', { class: 'alert-summary', testid: 'alert-summary' }, alert.summary || ''),
        h(
          'dl',
          { class: 'facts facts-inline' },
          h('dt', null, 'Entity'),
          h('dd', { testid: 'alert-entity' }, `${alert.entity || '–'}${alert.entity_kind ? ` (${alert.entity_kind})` : ''}`),
          h('dt', null, 'Rule'),
          h('dd', null, h('code', null, alert.rule_id)),
          h('dt', null, 'Events'),
          h('dd', null, num(alert.count)),
          h('dt', null, 'First seen'),
          h('dd', null, time(alert.first_seen)),
          h('dt', null, 'Last seen'),
          h('dd', null, `${time(alert.last_seen)} (${ago(alert.last_seen)})`),
        ),
        h('div', { class: 'row' }, actionsEl, h('span', { class: 'spacer' }), entityLinks),
        formEl,
      ),
      h(
        'div',
        { class: 'grid-2' },
        card(
          'About this detection',
          [
            rule.description ? h('p', { testid: 'alert-rule-description' }, rule.description) : null,
            rule.response ? h('div', { class: 'response', testid: 'alert-rule-response' }, h('h4', null, 'Response'), h('p', { class: 'pre-line' }, rule.response)) : null,
            (rule.attack || []).length ? h('div', { class: 'chips' }, rule.attack.map((t) => badge(typeof t === 'string' ? t : compact(t), 'neutral'))) : null,
          ],
          { testid: 'alert-rule' },
        ),
        card('Context', detailsView(res.details), { testid: 'alert-details' }),
      ),
      card(
        `Events behind it (${num(events.length)})`,
        table(
          [
            { title: 'Time', render: (e) => time(e.time) },
            { title: 'Source', render: (e) => e.source || '' },
            { title: 'Event', render: (e) => h('code', null, e.event_type || '') },
            { title: 'Outcome', render: (e) => outcomeBadge(e.outcome) },
            { title: 'Actor', render: (e) => (e.person ? link(investigateHref(e.person), e.actor || e.person) : e.actor || '') },
            { title: 'IP', render: (e) => e.ip || '' },
            { title: 'Location', render: (e) => [e.city, e.country].filter(Boolean).join(', ') },
            { title: 'Message', render: (e) => e.message || '' },
          ],
          events,
          { testid: 'alert-events', rowTestid: 'alert-event', emptyText: 'No events attached.' },
        ),
        { testid: 'alert-events-card' },
      ),
      card('History', historyEl, { testid: 'alert-history-card' }),
    ),
  );
  ctx.ready();
}

/** Graph context of an alert: scalar fields as a list, nested values as JSON text. */
function detailsView(details) {
  if (!details || (typeof details === 'object' && Object.keys(details).length === 0)) return empty('No extra context.');
  if (typeof details !== 'object') return h('pre', { class: 'code' }, String(details));
  const rows = [];
  const nested = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === null || typeof v !== 'object') rows.push([k, v === null ? '–' : String(v)]);
    else if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) rows.push([k, v.join(', ') || '–']);
    else nested[k] = v;
  }
  return h(
    'div',
    null,
    rows.length ? h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', null, k.replace(/_/g, ' ')), h('dd', null, v)])) : null,
    Object.keys(nested).length ? h('pre', { class: 'code', testid: 'alert-details-json' }, pretty(nested)) : null,
  );
}

