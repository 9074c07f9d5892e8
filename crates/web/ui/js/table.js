// A dense data table. Cells are text unless a column's `render` returns a DOM node.
import { h, empty } from './dom.js';

/**
 * columns: [{title, render(row) -> string|Node, class}]
 * opts: {testid, rowTestid, onRow(row, event), emptyText, rowClass(row), rowHref(row)}
 */
export function table(columns, rows, opts = {}) {
  if (!rows || rows.length === 0) {
    return h('div', { testid: opts.testid }, empty(opts.emptyText || 'Nothing to show.'));
  }
  const thead = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.title))));
  const tbody = h('tbody');
  for (const row of rows) {
    const tr = h('tr', {
      testid: opts.rowTestid,
      class: [opts.onRow && 'clickable', opts.rowClass && opts.rowClass(row)],
      tabindex: opts.onRow ? '0' : undefined,
    });
    for (const c of columns) {
      let v;
      try {
        v = c.render(row);
      } catch {
        v = '';
      }
      const td = h('td', { class: c.class });
      if (v instanceof Node) td.appendChild(v);
      else if (v !== undefined && v !== null) {
        td.textContent = String(v);
        if (c.title && String(v).length > 40) td.title = String(v);
      }
      tr.appendChild(td);
    }
    if (opts.onRow) {
      tr.addEventListener('click', (e) => {
        if (e.target.closest('a,button,input')) return;
        opts.onRow(row, e);
      });
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') opts.onRow(row, e);
      });
    }
    tbody.appendChild(tr);
  }
  return h('div', { class: 'table-wrap', testid: opts.testid }, h('table', { class: ['table', opts.class] }, thead, tbody));
}

/** Simple pager: "1–50 of 1,234  ‹ Prev  Next ›". */
export function pager({ offset, limit, total, count, onPage, testid = 'pager' }) {
  const from = total === 0 || count === 0 ? 0 : offset + 1;
  const to = offset + count;
  const totalText = total === null || total === undefined ? '' : ` of ${new Intl.NumberFormat('en-US').format(total)}`;
  const hasNext = total === null || total === undefined ? count >= limit : to < total;
  return h(
    'div',
    { class: 'pager', testid },
    h('span', { class: 'muted', testid: `${testid}-range` }, `${from}–${to}${totalText}`),
    h('button', { class: 'btn btn-small', disabled: offset <= 0, testid: `${testid}-prev`, on: { click: () => onPage(Math.max(0, offset - limit)) } }, '‹ Prev'),
    h('button', { class: 'btn btn-small', disabled: !hasNext, testid: `${testid}-next`, on: { click: () => onPage(offset + limit) } }, 'Next ›'),
  );
}
