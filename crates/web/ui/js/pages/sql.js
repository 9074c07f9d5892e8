// SQL (#/sql?q=...): query bar, examples, results as a table or a graph, CSV download.
import { h, mount, badge, errorBox, empty } from '../dom.js';
import { get, post } from '../api.js';
import { num, compact, truncate } from '../format.js';
import { GraphView, legend } from '../graphview.js';
import { navigate, graphHref } from '../router.js';

export const title = 'SQL';

const SHOW_ROWS = 1000;
const STORE_KEY = 'sightline.sql';

export async function render(view, ctx) {
  const input = h('textarea', {
    class: 'sql-input',
    testid: 'sql-input',
    spellcheck: 'false',
    rows: '6',
    placeholder: "SELECT * FROM access_path WHERE identity = 'user' AND kind = 'ALLOWED';",
    'aria-label': 'SQL query',
  });
  input.value = ctx.params.get('q') || sessionStorage.getItem(STORE_KEY) || "SELECT * FROM nodes WHERE labels @> '{\"teleport.dev/origin\": \"okta\"}' LIMIT 100;";
  const runBtn = h('button', { class: 'btn btn-primary', testid: 'sql-run', title: 'Run (Ctrl+Enter)' }, 'Run');
  const examplesEl = h('div', { class: 'chips sql-examples', testid: 'sql-examples' });
  const result = h('div', { class: 'sql-result', testid: 'sql-result' });

  let seq = 0;
  let gv = null;
  ctx.cleanup(() => {
    if (gv) gv.destroy();
    seq++;
  });

  async function run() {
    const sql = input.value.trim();
    if (!sql) return;
    sessionStorage.setItem(STORE_KEY, input.value);
    const mine = ++seq;
    runBtn.disabled = true;
    runBtn.textContent = 'Running…';
    result.dataset.state = 'running';
    mount(result, h('div', { class: 'loading' }, h('span', { class: 'spinner' }), 'Running query…'));
    const started = performance.now();
    try {
      const res = await post('/api/query', { sql });
      if (mine !== seq || !ctx.alive()) return;
      showResult(res, performance.now() - started);
      result.dataset.state = 'done';
    } catch (e) {
      if (mine !== seq || !ctx.alive()) return;
      showError(e, input.value);
      result.dataset.state = 'error';
    } finally {
      if (mine === seq) {
        runBtn.disabled = false;
        runBtn.textContent = 'Run';
      }
    }
  }

  function showError(e, sql) {
    const box = h('div', { class: 'error-box sql-error', testid: 'sql-error', role: 'alert' });
    const code = e.code === 'timeout' || e.status === 408 ? 'Query timed out' : e.status === 400 ? 'Query error' : `Error ${e.status || ''}`.trim();
    box.appendChild(h('div', { class: 'sql-error-title' }, code));
    box.appendChild(h('div', { class: 'sql-error-message', testid: 'sql-error-message' }, e.message));
    const pos = e.position;
    if (pos && pos.line) {
      const lines = sql.split('\n');
      const lineText = lines[pos.line - 1] ?? '';
      const col = Math.max(1, pos.column || 1);
      const gutter = `${pos.line} | `;
      box.appendChild(h('div', { class: 'sql-error-position', testid: 'sql-error-position' }, `at line ${pos.line}, column ${col}`));
      box.appendChild(h('pre', { class: 'sql-caret', testid: 'sql-error-caret' }, `${gutter}${lineText}\n${' '.repeat(gutter.length + col - 1)}^`));
    }
    mount(result, box);
  }

  function showResult(res, clientMs) {
    const columns = res.columns || [];
    const rows = res.rows || [];
    const head = h(
      'div',
      { class: 'sql-result-head' },
      h('span', { class: 'sql-row-count', testid: 'sql-row-count', dataset: { rows: rows.length } }, `${num(rows.length)} row${rows.length === 1 ? '' : 's'}`),
      h('span', { class: 'muted', testid: 'sql-elapsed' }, `${num(Math.round(res.elapsed_ms ?? clientMs))} ms`),
      res.truncated ? badge('truncated: more rows exist than were returned', 'medium', { testid: 'sql-truncated' }) : null,
      h('span', { class: 'spacer' }),
    );
    const tabs = h('div', { class: 'tabs tabs-small' });
    const body = h('div', { class: 'sql-result-body' });
    const tableTab = h('button', { class: 'tab active', testid: 'sql-tab-table' }, 'Table');
    tabs.appendChild(tableTab);
    let graphTab = null;
    const hasGraph = res.graph && (res.graph.nodes || []).length > 0;
    if (hasGraph) {
      graphTab = h('button', { class: 'tab', testid: 'sql-tab-graph' }, `Graph (${num(res.graph.nodes.length)})`);
      tabs.appendChild(graphTab);
    }
    const csv = h('button', { class: 'btn btn-small', testid: 'sql-csv', disabled: columns.length === 0 }, 'Download CSV');
    csv.addEventListener('click', () => downloadCsv(columns, rows));
    head.append(tabs, csv);

    const showTable = () => {
      if (gv) {
        gv.destroy();
        gv = null;
      }
      tableTab.classList.add('active');
      if (graphTab) graphTab.classList.remove('active');
      mount(body, resultTable(columns, rows));
    };
    const showGraph = async () => {
      tableTab.classList.remove('active');
      graphTab.classList.add('active');
      const canvas = h('div', { class: 'graph-canvas sql-graph', testid: 'sql-graph' });
      const info = h('div', { class: 'muted sql-graph-info' }, 'Click a node to open it in the graph explorer.');
      mount(body, h('div', { class: 'graph-stage' }, canvas, legend()), info);
      gv = new GraphView(canvas, { onSelect: (d) => !d.aggregate && navigate(graphHref(d.id)) });
      window.__sightline.cy = () => gv && gv.cy;
      ctx.cleanup(() => (window.__sightline.cy = () => null));
      await gv.setGraph(res.graph);
    };
    tableTab.addEventListener('click', showTable);
    if (graphTab) graphTab.addEventListener('click', showGraph);
    mount(result, head, body);
    showTable();
  }

  function resultTable(columns, rows) {
    if (columns.length === 0) return empty('The query returned no columns.');
    const wrap = h('div', { class: 'table-wrap sql-table-wrap', testid: 'sql-results' });
    const tbody = h('tbody');
    const renderRows = (upto) => {
      tbody.replaceChildren();
      const frag = document.createDocumentFragment();
      for (const row of rows.slice(0, upto)) {
        const tr = document.createElement('tr');
        tr.setAttribute('data-testid', 'sql-row');
        row.forEach((v, i) => {
          const td = document.createElement('td');
          const text = compact(v);
          if (v === null || v === undefined) td.className = 'null';
          else if (typeof v === 'number') td.className = 'num';
          else if (typeof v === 'object') td.className = 'json';
          const col = columns[i];
          if (typeof v === 'string' && /^okta:/.test(v) && (col === 'id' || /_id$/.test(col))) {
            const a = document.createElement('a');
            a.href = graphHref(v);
            a.textContent = truncate(text, 120);
            td.appendChild(a);
          } else td.textContent = truncate(text, 200);
          if (text.length > 200 || typeof v === 'object') td.title = text.slice(0, 4000);
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      }
      tbody.appendChild(frag);
    };
    renderRows(SHOW_ROWS);
    wrap.appendChild(h('table', { class: 'table table-compact sql-table' }, h('thead', null, h('tr', null, columns.map((c) => h('th', null, c)))), tbody));
    if (rows.length === 0) wrap.appendChild(empty('No rows.'));
    if (rows.length > SHOW_ROWS) {
      const more = h('button', { class: 'btn btn-small', testid: 'sql-show-all' }, `Showing ${num(SHOW_ROWS)} of ${num(rows.length)} rows. Show all`);
      more.addEventListener('click', () => {
        renderRows(rows.length);
        more.remove();
      });
      wrap.appendChild(more);
    }
    return wrap;
  }

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  runBtn.addEventListener('click', run);

  mount(
    view,
    h(
      'div',
      { class: 'page sql-page', testid: 'sql-page' },
      h(
        'div',
        { class: 'card sql-bar' },
        input,
        h('div', { class: 'sql-actions' }, runBtn, h('span', { class: 'muted' }, 'Ctrl+Enter to run · read-only PostgreSQL dialect · tables: nodes, edges, access_path, escalation_path, events, alerts, integrations, sync_runs')),
        h('div', { class: 'sql-examples-row' }, h('span', { class: 'muted' }, 'Examples: '), examplesEl),
      ),
      result,
    ),
  );

  get('/api/query/examples')
    .then((examples) => {
      if (!ctx.alive()) return;
      mount(
        examplesEl,
        (examples || []).map((ex) => {
          const chip = h('button', { class: 'chip', testid: 'sql-example', title: ex.sql }, ex.title);
          chip.addEventListener('click', () => {
            input.value = ex.sql;
            input.focus();
          });
          return chip;
        }),
      );
      ctx.ready();
    })
    .catch((e) => ctx.alive() && mount(examplesEl, errorBox(e)));

  if (ctx.params.get('q')) run();
}

/** RFC 4180 CSV: quote fields with commas, quotes or newlines; double the quotes. Strings that a
 * spreadsheet would take for a formula (=, +, -, @) get a leading apostrophe. */
export function toCsv(columns, rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return '';
    let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
}

function downloadCsv(columns, rows) {
  const blob = new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `sightline-query-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, class: 'offscreen' });
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(url);
    a.remove();
  }, 1000);
}
