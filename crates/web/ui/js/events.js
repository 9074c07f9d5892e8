// Shared pieces of the Activity Center and Investigate: facets, histogram, event list.
import { h, mount, badge, errorBox, empty, spinner } from './dom.js';
import { get, enc } from './api.js';
import { num, time, ago, pretty, truncate } from './format.js';
import { investigateHref } from './router.js';

export const RANGES = [
  ['1h', 'Last hour', 3600],
  ['24h', '24 h', 86400],
  ['7d', '7 days', 7 * 86400],
  ['30d', '30 days', 30 * 86400],
  ['all', 'All', null],
];

/** The API filter from hash params (range presets become since). */
export function filterFromParams(params, extra = {}) {
  const f = {};
  for (const k of ['person', 'source', 'event_type', 'category', 'outcome', 'ip', 'country', 'q', 'since', 'until']) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  const range = params.get('range') || (f.since ? 'custom' : extra.defaultRange || '7d');
  const r = RANGES.find((x) => x[0] === range);
  if (r && r[2] && !f.since) f.since = new Date(Date.now() - r[2] * 1000).toISOString();
  return { ...f, ...extra.fixed };
}

/** The histogram, zoomed in when all events sit in the latest part of the range (a young store). */
export async function loadHistogram(filter, buckets = 48) {
  const f = histogramFilter(filter);
  let data = await get('/api/events/histogram', { ...f, buckets });
  const bs = (data && data.buckets) || [];
  const first = bs.findIndex((b) => b.total > 0);
  if (first > bs.length / 2) {
    const since = bs[Math.max(0, first - 1)].start;
    data = await get('/api/events/histogram', { ...f, since, buckets });
  }
  return data;
}

/** The histogram's span: the filter's, or the last 90 days for "all" (the server's default is 24 h). */
export function histogramFilter(filter) {
  return filter.since ? filter : { ...filter, since: new Date(Date.now() - 90 * 86400e3).toISOString() };
}

export function outcomeBadge(outcome) {
  if (!outcome) return '';
  const o = String(outcome).toUpperCase();
  const kind = /SUCCESS|ALLOW/.test(o) ? 'ok' : /FAIL|DENY|ERROR/.test(o) ? 'critical' : 'neutral';
  return badge(o, kind, { testid: 'event-outcome' });
}

const FACETS = [
  ['sources', 'Source', 'source'],
  ['event_types', 'Event type', 'event_type'],
  ['outcomes', 'Outcome', 'outcome'],
  ['countries', 'Country', 'country'],
  ['ips', 'IP address', 'ip'],
  ['apps', 'App', 'q'],
];

/** Facet lists; onPick(param, value) filters by a value (again: removes the filter). */
export function facetsPanel(facets, current, onPick, testid = 'facets') {
  const panel = h('div', { class: 'facets', testid });
  panel.appendChild(h('div', { class: 'facet-total', testid: `${testid}-total` }, `${num(facets.total ?? 0)} events`));
  for (const [key, title, param] of FACETS) {
    const values = facets[key] || [];
    if (!values.length) continue;
    const list = h('ul', { class: 'facet-list' });
    const render = (upto) => {
      list.replaceChildren();
      values.slice(0, upto).forEach(([value, n]) => {
        const active = current[param] === String(value);
        const a = h('a', { href: '#', class: ['facet-value', active && 'active'], testid: 'facet-value', dataset: { facet: param, value } }, h('span', { class: 'facet-name' }, value === null || value === '' ? '(none)' : String(value)), h('span', { class: 'facet-count' }, num(n)));
        a.addEventListener('click', (e) => {
          e.preventDefault();
          onPick(param, active ? null : String(value));
        });
        list.appendChild(h('li', null, a));
      });
      if (values.length > upto) {
        const more = h('button', { class: 'btn btn-link' }, `${values.length - upto} more`);
        more.addEventListener('click', () => render(values.length));
        list.appendChild(h('li', null, more));
      }
    };
    render(8);
    panel.appendChild(h('div', { class: 'facet', testid: `facet-${param}` }, h('h4', null, title), list));
  }
  return panel;
}

/** Bars of events over time (failures in red); onRange(since, until) on click. */
export function histogram(data, onRange, testid = 'histogram') {
  const buckets = (data && data.buckets) || [];
  const wrap = h('div', { class: 'histogram', testid });
  if (!buckets.length) {
    wrap.appendChild(empty('No events in this range.'));
    return wrap;
  }
  const max = Math.max(1, ...buckets.map((b) => b.total || 0));
  const bars = h('div', { class: 'hist-bars' });
  for (const b of buckets) {
    const bar = h('div', { class: 'hist-bar', testid: 'histogram-bar', title: `${time(b.start)}: ${num(b.total)} events, ${num(b.failures || 0)} failures` });
    const ok = h('div', { class: 'hist-ok' });
    const fail = h('div', { class: 'hist-fail' });
    ok.style.height = `${(100 * ((b.total || 0) - (b.failures || 0))) / max}%`;
    fail.style.height = `${(100 * (b.failures || 0)) / max}%`;
    bar.append(ok, fail);
    if (onRange && b.total) {
      bar.classList.add('clickable');
      bar.addEventListener('click', () => {
        const start = new Date(b.start);
        const end = new Date(start.getTime() + (data.bucket_seconds || 3600) * 1000);
        onRange(start.toISOString(), end.toISOString());
      });
    }
    bars.appendChild(bar);
  }
  wrap.appendChild(bars);
  wrap.appendChild(h('div', { class: 'hist-axis' }, h('span', null, time(buckets[0].start)), h('span', null, `${num(max)} max / ${durationText(data.bucket_seconds)}`), h('span', null, time(buckets[buckets.length - 1].start))));
  return wrap;
}

function durationText(s) {
  if (!s) return 'bucket';
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/**
 * The event list with "load more" paging. Returns {el, load()}.
 * opts: {testid, onPerson(person)}
 */
export function eventList(filter, opts = {}) {
  const testid = opts.testid || 'events';
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'table table-compact events-table' },
    h('thead', null, h('tr', null, ['Time', 'Source', 'Event', 'Outcome', 'Actor', 'IP', 'Location', 'Message'].map((t) => h('th', null, t)))),
    tbody,
  );
  const more = h('button', { class: 'btn', testid: `${testid}-load-more`, hidden: true }, 'Load more');
  const status = h('div', { class: 'muted events-status' });
  const el = h('div', { class: 'events', testid }, h('div', { class: 'table-wrap' }, table), status, more);
  let next = null;
  let count = 0;

  function row(e) {
    const tr = h('tr', { class: ['clickable', e.outcome && /FAIL|DENY/i.test(e.outcome) && 'row-fail'], testid: 'event-row', dataset: { seq: e.seq } });
    const actor = e.person
      ? h('a', { href: investigateHref(e.person), testid: 'event-person' }, e.actor || e.person)
      : e.actor || '';
    tr.append(
      h('td', { class: 'nowrap', title: String(e.time || '') }, time(e.time)),
      h('td', null, e.source || ''),
      h('td', null, h('code', null, e.event_type || '')),
      h('td', null, outcomeBadge(e.outcome)),
      h('td', null, actor),
      h('td', { class: 'nowrap' }, e.ip || ''),
      h('td', null, [e.city, e.country].filter(Boolean).join(', ')),
      h('td', { class: 'msg' }, truncate(e.message || '', 160)),
    );
    let detail = null;
    tr.addEventListener('click', async (ev) => {
      if (ev.target.closest('a')) return;
      if (detail) {
        detail.remove();
        detail = null;
        tr.classList.remove('expanded');
        return;
      }
      tr.classList.add('expanded');
      const cell = h('td', { colspan: '8' }, spinner());
      detail = h('tr', { class: 'event-detail-row' }, cell);
      tr.after(detail);
      try {
        const full = await get(`/api/events/${enc(e.seq)}`);
        mount(cell, eventDetail(full));
      } catch (err) {
        mount(cell, errorBox(err));
      }
    });
    return tr;
  }

  async function load(reset = false) {
    if (reset) {
      tbody.replaceChildren();
      next = null;
      count = 0;
    }
    more.disabled = true;
    status.textContent = 'Loading…';
    try {
      const res = await get('/api/events', { ...filter, limit: opts.limit || 50, cursor: next || undefined });
      const events = res.events || [];
      const frag = document.createDocumentFragment();
      events.forEach((e) => frag.appendChild(row(e)));
      tbody.appendChild(frag);
      count += events.length;
      next = res.next || null;
      more.hidden = !next;
      status.textContent = count === 0 ? 'No events match.' : `${num(count)} events shown${next ? '' : ' (all)'}`;
    } catch (e) {
      status.replaceChildren(errorBox(e));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => load());
  return { el, load };
}

/** Raw JSON of an event, with the OCSF and normalised views. */
export function eventDetail(full) {
  const { raw, ocsf, ...normalised } = full;
  const views = { Raw: raw, OCSF: ocsf, Normalised: normalised };
  const pre = h('pre', { class: 'code', testid: 'event-raw' });
  const tabs = h('div', { class: 'tabs tabs-small' });
  const show = (name) => {
    pre.textContent = pretty(views[name] ?? null);
    for (const t of tabs.children) t.classList.toggle('active', t.dataset.view === name);
  };
  for (const name of Object.keys(views)) {
    const b = h('button', { class: 'tab', dataset: { view: name }, testid: `event-view-${name.toLowerCase()}` }, name);
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      show(name);
    });
    tabs.appendChild(b);
  }
  show('Raw');
  return h(
    'div',
    { class: 'event-detail', testid: 'event-detail' },
    h('div', { class: 'event-detail-head' }, tabs, h('span', { class: 'muted' }, `seq ${full.seq} · ${full.uuid || ''} · ${ago(full.time)}`)),
    pre,
  );
}
