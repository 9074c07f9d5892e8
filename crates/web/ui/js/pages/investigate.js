// Investigate (#/investigate, #/investigate/<person>): one person across sources.
import { h, mount, card, badge, errorBox, link } from '../dom.js';
import { get, enc } from '../api.js';
import { num, time, ago } from '../format.js';
import { searchBox } from '../search.js';
import { filterFromParams, facetsPanel, histogram, eventList, RANGES, loadHistogram } from '../events.js';
import { worldMap } from '../worldmap.js';
import { table } from '../table.js';
import { navigate, hashFor, graphHref, investigateHref } from '../router.js';

export const title = 'Investigate';

export async function render(view, ctx) {
  const person = ctx.segments[1];
  if (!person) return renderSearch(view, ctx);
  ctx.setTitle(`Investigate: ${person}`);
  const params = ctx.params;
  const current = Object.fromEntries(['source', 'event_type', 'outcome', 'country', 'ip', 'q', 'range', 'since', 'until'].map((k) => [k, params.get(k) || '']));
  const filter = filterFromParams(params, { defaultRange: '30d', fixed: { person } });
  const go = (changes) => navigate(hashFor(`/investigate/${enc(person)}`, { ...current, ...changes }));

  const info = await get(`/api/people/${enc(person)}`);
  if (!ctx.alive()) return;

  const user = info.user;
  const header = h(
    'div',
    { class: 'card person-head', testid: 'investigate-header' },
    h('div', { class: 'person-title' }, h('h2', { testid: 'investigate-person' }, info.person || person), user ? badge(user.labels && user.labels['okta/status'] ? user.labels['okta/status'] : 'Okta user', 'neutral') : badge('no Okta user', 'medium')),
    user
      ? h(
          'div',
          { class: 'person-links' },
          link(graphHref(user.id), 'Open in graph'),
          link(graphHref(user.id, { view: 'access' }), 'View Access'),
          link(hashFor('/alerts', { q: info.person || person, status: 'open,acknowledged' }), 'Alerts'),
          link(hashFor('/activity', { person: info.person || person }), 'In Activity Center'),
        )
      : null,
    table(
      [
        { title: 'Source', render: (a) => a.source },
        { title: 'Account', render: (a) => a.actor },
        { title: 'Events', render: (a) => (a.events === undefined ? '' : num(a.events)), class: 'num' },
      ],
      info.accounts || [],
      { testid: 'investigate-accounts', rowTestid: 'investigate-account', emptyText: 'No accounts seen.' },
    ),
  );

  const rangeButtons = h(
    'div',
    { class: 'segmented', testid: 'investigate-range' },
    RANGES.map(([key, label]) => {
      const active = (current.range || (current.since ? 'custom' : '30d')) === key;
      const b = h('button', { class: ['seg', active && 'active'], testid: `investigate-range-${key}` }, label);
      b.addEventListener('click', () => go({ range: key, since: '', until: '' }));
      return b;
    }),
  );

  const mapEl = h('div', { class: 'map-card-body' }, h('div', { class: 'muted' }, 'Loading map…'));
  const placesEl = h('div');
  const facetsEl = h('div', { class: 'facets-col' });
  const histEl = h('div', { class: 'card hist-card' });
  const list = eventList(filter, { testid: 'investigate-events' });
  const filtersActive = Object.entries(current).filter(([k, v]) => v && k !== 'range');

  mount(
    view,
    h(
      'div',
      { class: 'page investigate-page', testid: 'investigate-page' },
      header,
      h('div', { class: 'filter-bar card' }, h('strong', null, 'Timeline'), rangeButtons, filtersActive.length ? h('div', { class: 'chips' }, filtersActive.map(([k, v]) => {
        const c = h('button', { class: 'chip chip-removable' }, `${k}: ${v} ×`);
        c.addEventListener('click', () => go({ [k]: '' }));
        return c;
      })) : null),
      h('div', { class: 'grid-2 investigate-top' }, card('Sign-in locations', [mapEl, placesEl], { testid: 'investigate-map-card' }), histEl),
      h('div', { class: 'activity-layout' }, facetsEl, h('div', { class: 'activity-main' }, list.el)),
    ),
  );

  const onPick = (param, value) => go({ [param]: value || '' });
  const placesP = get('/api/events/places', filter)
    .catch(() => info.places || [])
    .then(async (places) => {
      if (!ctx.alive()) return;
      mount(mapEl, await worldMap(places, 'investigate-map'));
      mount(
        placesEl,
        table(
          [
            { title: 'Place', render: (p) => [p.city, p.country].filter(Boolean).join(', ') || 'Unknown' },
            { title: 'Events', render: (p) => num(p.events), class: 'num' },
            { title: 'Failures', render: (p) => (p.failures ? badge(num(p.failures), 'critical') : '0'), class: 'num' },
            { title: 'First', render: (p) => time(p.first) },
            { title: 'Last', render: (p) => `${time(p.last)} (${ago(p.last)})` },
          ],
          [...places].sort((a, b) => (b.events || 0) - (a.events || 0)),
          { testid: 'investigate-places', rowTestid: 'investigate-place', emptyText: 'No located sign-ins in this range.' },
        ),
      );
    });
  const facetsP = get('/api/events/facets', filter)
    .then((f) => ctx.alive() && mount(facetsEl, facetsPanel(f, current, onPick, 'investigate-facets')))
    .catch((e) => ctx.alive() && mount(facetsEl, errorBox(e)));
  const histP = loadHistogram(filter)
    .then((d) => ctx.alive() && mount(histEl, h('div', { class: 'card-head' }, h('h2', null, 'Activity over time')), histogram(d, (since, until) => go({ since, until, range: 'custom' }), 'investigate-histogram')))
    .catch((e) => ctx.alive() && mount(histEl, errorBox(e)));
  await Promise.all([list.load(true), placesP, facetsP, histP]);
  if (ctx.alive()) ctx.ready();
}

async function renderSearch(view, ctx) {
  ctx.setTitle('Investigate');
  const results = h('div', { testid: 'investigate-results' });
  const show = async (q) => {
    try {
      const people = await get('/api/people', { q });
      if (!ctx.alive()) return;
      mount(
        results,
        table(
          [
            { title: 'Person', render: (p) => link(investigateHref(p.person), p.display_name || p.person) },
            { title: 'Login', render: (p) => p.person },
            { title: 'Sources', render: (p) => h('span', { class: 'chips' }, (p.sources || []).map((s) => badge(s, 'neutral'))) },
            { title: 'Events', render: (p) => num(p.events), class: 'num' },
          ],
          people || [],
          { rowTestid: 'investigate-person-row', onRow: (p) => navigate(investigateHref(p.person)), emptyText: 'Nobody matches.' },
        ),
      );
    } catch (e) {
      if (ctx.alive()) mount(results, errorBox(e));
    }
  };
  const search = searchBox({
    testid: 'investigate-search',
    placeholder: 'Search a person by login, name or account…',
    source: async (q) => (await get('/api/people', { q })) || [],
    describe: (p) => [p.display_name || p.person, `${p.person} · ${(p.sources || []).join(', ')} · ${num(p.events)} events`],
    onPick: (p) => navigate(investigateHref(p.person)),
    onEnter: (q) => show(q),
  });
  mount(
    view,
    h(
      'div',
      { class: 'page', testid: 'investigate-search-page' },
      card('Investigate one identity across Okta, AWS, GitHub and Teleport', [h('p', { class: 'muted' }, 'Sightline resolves every actor to one person (the Okta login). Pick someone to see their accounts, timeline and sign-in map.'), search.el], {}),
      results,
    ),
  );
  search.input.focus();
  await show('');
  ctx.ready();
}
