// Activity Center (#/activity?q=&source=&event_type=&outcome=&country=&ip=&range=1h|24h|7d|30d|all&since=&until=).
import { h, mount, errorBox, badge } from '../dom.js';
import { get } from '../api.js';
import { time } from '../format.js';
import { RANGES, filterFromParams, facetsPanel, histogram, eventList, loadHistogram } from '../events.js';
import { navigate, hashFor } from '../router.js';

export const title = 'Activity Center';

const FIELDS = ['q', 'source', 'event_type', 'category', 'outcome', 'country', 'ip', 'person', 'range', 'since', 'until'];

export async function render(view, ctx) {
  const params = ctx.params;
  const current = Object.fromEntries(FIELDS.map((k) => [k, params.get(k) || '']));
  const filter = filterFromParams(params);

  const go = (changes) => {
    const next = { ...current, ...changes };
    navigate(hashFor('/activity', next));
  };

  const input = (key, placeholder, testid, cls = '') => {
    const el = h('input', { type: key === 'q' ? 'search' : 'text', value: current[key], placeholder, testid, class: cls });
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') go({ [key]: el.value.trim() });
    });
    el.addEventListener('change', () => {
      if (el.value.trim() !== current[key]) go({ [key]: el.value.trim() });
    });
    return el;
  };
  const select = (key, options, testid) => {
    const el = h('select', { testid }, options.map(([v, t]) => h('option', { value: v, selected: current[key] === v }, t)));
    el.addEventListener('change', () => go({ [key]: el.value }));
    return el;
  };

  const range = current.range || (current.since ? 'custom' : '7d');
  const rangeButtons = h(
    'div',
    { class: 'segmented', testid: 'activity-range' },
    RANGES.map(([key, label]) => {
      const b = h('button', { class: ['seg', range === key && 'active'], testid: `activity-range-${key}` }, label);
      b.addEventListener('click', () => go({ range: key, since: '', until: '' }));
      return b;
    }),
  );

  const active = FIELDS.filter((k) => current[k] && !['range'].includes(k));
  const activeChips = h(
    'div',
    { class: 'chips active-filters', testid: 'activity-active-filters' },
    active.map((k) => {
      const text = k === 'since' || k === 'until' ? `${k}: ${time(current[k])}` : `${k}: ${current[k]}`;
      const x = h('button', { class: 'chip chip-removable', title: 'Remove filter', testid: 'activity-filter-chip' }, text, ' ×');
      x.addEventListener('click', () => go({ [k]: '' }));
      return x;
    }),
    active.length ? (() => {
      const c = h('button', { class: 'btn btn-link', testid: 'activity-clear' }, 'Clear all');
      c.addEventListener('click', () => navigate('#/activity'));
      return c;
    })() : null,
  );

  const facetsEl = h('div', { class: 'facets-col' }, h('div', { class: 'muted' }, 'Loading facets…'));
  const histEl = h('div', { class: 'card hist-card' }, h('div', { class: 'muted' }, 'Loading timeline…'));
  const list = eventList(filter, { testid: 'activity-events' });

  mount(
    view,
    h(
      'div',
      { class: 'page activity-page', testid: 'activity-page' },
      h(
        'div',
        { class: 'filter-bar card' },
        input('q', 'Search events (actor, target, message…)', 'activity-search', 'grow'),
        select('source', [['', 'Any source'], ['okta', 'Okta'], ['aws-cloudtrail', 'AWS CloudTrail'], ['github', 'GitHub'], ['teleport', 'Teleport']], 'activity-source'),
        input('event_type', 'Event type', 'activity-event-type'),
        select('outcome', [['', 'Any outcome'], ['success', 'Success'], ['failure', 'Failure'], ['unknown', 'Unknown']], 'activity-outcome'),
        input('country', 'Country', 'activity-country', 'narrow'),
        input('ip', 'IP', 'activity-ip', 'narrow'),
        rangeButtons,
      ),
      activeChips,
      h('div', { class: 'activity-layout' }, facetsEl, h('div', { class: 'activity-main' }, histEl, list.el)),
    ),
  );

  const onPick = (param, value) => go({ [param]: value || '' });
  const facetsP = get('/api/events/facets', filter)
    .then((f) => ctx.alive() && mount(facetsEl, facetsPanel(f, current, onPick, 'activity-facets')))
    .catch((e) => ctx.alive() && mount(facetsEl, errorBox(e)));
  const histP = loadHistogram(filter)
    .then((d) => ctx.alive() && mount(histEl, h('div', { class: 'card-head' }, h('h2', null, 'Timeline'), badge('failures', 'critical')), histogram(d, (since, until) => go({ since, until, range: 'custom' }), 'activity-histogram')))
    .catch((e) => ctx.alive() && mount(histEl, errorBox(e)));
  await Promise.all([list.load(true), facetsP, histP]);
  if (ctx.alive()) ctx.ready();
}
