// A search box with a suggestion list backed by /api/nodes?q= (or any async source).
import { h, mount, debounce } from './dom.js';
import { get } from './api.js';
import { subKindLabel } from './format.js';

/**
 * opts: {testid, placeholder, subKind, onPick(item), source(q) -> Promise<items>, describe(item) -> [main, sub], resultTestid}
 */
export function searchBox(opts) {
  const testid = opts.testid || 'search';
  const input = h('input', {
    type: 'search',
    class: 'search-input',
    placeholder: opts.placeholder || 'Search…',
    testid,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-label': opts.placeholder || 'Search',
  });
  const list = h('div', { class: 'suggest', testid: `${testid}-results`, hidden: true, role: 'listbox' });
  const wrap = h('div', { class: ['search', opts.class] }, input, list);
  let items = [];
  let active = -1;
  let seq = 0;

  const source =
    opts.source ||
    (async (q) => {
      const res = await get('/api/nodes', { q, sub_kind: opts.subKind, limit: opts.limit || 12 });
      return res.nodes || [];
    });
  const describe = opts.describe || ((n) => [n.name, `${subKindLabel(n.sub_kind)}${n.labels && n.labels['okta/status'] ? ` · ${n.labels['okta/status']}` : ''}`]);

  function pick(i) {
    const item = items[i];
    if (!item) return;
    list.hidden = true;
    opts.onPick(item);
  }

  function highlight(i) {
    active = i;
    [...list.children].forEach((c, j) => c.classList.toggle('active', j === i));
  }

  const run = debounce(async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q && !opts.allowEmpty) {
      list.hidden = true;
      return;
    }
    try {
      const found = await source(q);
      if (mine !== seq) return;
      items = found;
      active = -1;
      mount(
        list,
        items.length
          ? items.map((item, i) => {
              const [main, sub] = describe(item);
              return h(
                'div',
                { class: 'suggest-item', role: 'option', testid: opts.resultTestid || `${testid}-result`, on: { mousedown: (e) => { e.preventDefault(); pick(i); } } },
                h('span', { class: 'suggest-main' }, main),
                sub ? h('span', { class: 'suggest-sub' }, sub) : null,
              );
            })
          : h('div', { class: 'suggest-empty' }, 'No match'),
      );
      list.hidden = false;
    } catch (e) {
      if (mine !== seq) return;
      mount(list, h('div', { class: 'suggest-empty error-text' }, e.message));
      list.hidden = false;
    }
  }, 180);

  input.addEventListener('input', run);
  input.addEventListener('focus', () => {
    if (items.length && input.value.trim()) list.hidden = false;
  });
  input.addEventListener('blur', () => setTimeout(() => (list.hidden = true), 150));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      highlight(Math.min(items.length - 1, active + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      highlight(Math.max(0, active - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0) pick(active);
      else if (items.length && !list.hidden) pick(0);
      else if (opts.onEnter) opts.onEnter(input.value.trim());
    } else if (e.key === 'Escape') {
      list.hidden = true;
    }
  });
  return { el: wrap, input, refresh: run };
}
