// Graph explorer (#/graph?id=...&view=access|neighbourhood&limit=N).
import { h, mount, badge, errorBox, empty, toast } from '../dom.js';
import { get } from '../api.js';
import { num, subKindLabel } from '../format.js';
import { searchBox } from '../search.js';
import { GraphView, legend, DAGRE_MAX, mark, ensureCytoscape } from '../graphview.js';
import { renderNodePanel, renderAggregatePanel, renderActionPanel, viaText } from '../nodepanel.js';
import { navigate, graphHref } from '../router.js';

export const title = 'Graph explorer';

export async function render(view, ctx) {
  // `id` may list several nodes (a,b): their neighbourhoods are drawn together; the first is the root.
  const ids = (ctx.params.get('id') || '').split(',').filter(Boolean);
  const id = ids[0] || null;
  const mode = ctx.params.get('view') === 'access' ? 'access' : 'neighbourhood';
  const limit = Math.max(1, Math.min(5000, parseInt(ctx.params.get('limit') || '25', 10) || 25));

  const canvas = h('div', { class: 'graph-canvas', testid: 'graph-canvas' });
  const panel = h('aside', { class: 'side-panel', testid: 'side-panel' });
  const stats = h('span', { class: 'graph-stats muted', testid: 'graph-stats' });
  const status = h('span', { class: 'graph-status', testid: 'graph-status' });
  const modeEl = h('span', { class: 'graph-mode', testid: 'graph-mode' });
  const drawer = h('div', { class: 'paths-drawer', testid: 'access-paths', hidden: true });
  const overlay = h('div', { class: 'canvas-overlay', hidden: true });

  const gv = new GraphView(canvas, {
    onSelect: (data) => openPanel(data),
    onState: (s) => {
      status.textContent = s === 'layout' ? 'laying out…' : s === 'error' ? 'layout failed' : '';
      updateStats();
    },
  });
  window.__sightline.cy = () => gv.cy;
  window.__sightline.graph = gv;
  ctx.cleanup(() => {
    gv.destroy();
    window.__sightline.cy = () => null;
    window.__sightline.graph = null;
    window.__sightline.graphState = 'idle';
  });

  let legendEl = legend();
  let legendKey = '';
  function updateLegend() {
    if (!gv.cy) return;
    const kinds = new Set();
    gv.cy.nodes().forEach((n) => kinds.add(n.data('sub_kind')));
    const key = [...kinds].sort().join(',');
    if (key === legendKey) return;
    legendKey = key;
    const next = legend(kinds);
    legendEl.replaceWith(next);
    legendEl = next;
  }

  function updateStats() {
    updateLegend();
    const s = gv.stats();
    stats.textContent = `${num(s.nodes)} nodes · ${num(s.edges)} edges${s.nodes > DAGRE_MAX ? ' · layered grid layout' : ''}`;
  }

  const search = searchBox({
    testid: 'graph-search',
    placeholder: 'Search users, groups, apps, roles, tokens…',
    onPick: (n) => navigate(graphHref(n.id)),
  });

  const fitBtn = h('button', { class: 'btn btn-small', testid: 'graph-fit', title: 'Fit the graph to the view' }, 'Fit');
  fitBtn.addEventListener('click', () => gv.fit());
  const relayout = h('button', { class: 'btn btn-small', testid: 'graph-relayout' }, 'Re-layout');
  relayout.addEventListener('click', () => gv.cy && gv.layout());

  mount(
    view,
    h(
      'div',
      { class: 'graph-page', testid: 'graph-page' },
      h('div', { class: 'graph-toolbar' }, search.el, modeEl, h('span', { class: 'spacer' }), status, stats, fitBtn, relayout),
      h('div', { class: 'graph-body' }, h('div', { class: 'graph-stage' }, canvas, overlay, legendEl), panel),
      drawer,
    ),
  );

  const panelActions = {
    viewAccess: (node) => navigate(graphHref(node.id, { view: 'access' })),
    browseConnections: async (node) => {
      const before = gv.stats().nodes;
      window.__sightline.graphState = 'loading';
      try {
        const g = await get('/api/graph/neighbourhood', { id: node.id, limit: 25 });
        if (!ctx.alive()) return;
        const added = await gv.addGraph(g, { around: node.id });
        gv.select(node.id, { center: false, focus: false });
        toast(added ? `Added ${num(added)} nodes around ${node.name}` : `Nothing new around ${node.name}`);
        updateStats();
        return gv.stats().nodes - before;
      } catch (e) {
        window.__sightline.graphState = 'error';
        toast(e.message, 'error');
        return 0;
      }
    },
    open: (node) => {
      if (gv.has(node.id)) {
        const data = gv.select(node.id);
        openPanel(data);
      } else navigate(graphHref(node.id));
    },
    openId: (nid) => {
      if (gv.has(nid)) openPanel(gv.select(nid));
      else navigate(graphHref(nid));
    },
    expandAggregate: async (data) => {
      const a = data.aggregate || {};
      const g = await get('/api/graph/neighbourhood', { id: a.parent, limit: 500 });
      if (!ctx.alive()) return;
      // Keep only the kind the aggregate stood for (and edges between what is drawn).
      const keep = new Set([a.parent]);
      const nodes = (g.nodes || []).filter((n) => !n.aggregate && n.sub_kind === a.of);
      nodes.forEach((n) => keep.add(n.id));
      const rest = (g.nodes || []).filter((n) => n.aggregate && n.aggregate.edge_kind === a.edge_kind && n.aggregate.of === a.of);
      gv.remove(data.id);
      await gv.addGraph({ nodes: [...nodes, ...rest], edges: (g.edges || []).filter((e) => keep.has(e.source) || keep.has(e.target)) });
      updateStats();
    },
  };

  let panelSeq = 0;
  let accessPaths = [];
  function openPanel(data) {
    if (!data) return;
    const mine = ++panelSeq;
    if (data.aggregate) {
      renderAggregatePanel(panel, data, panelActions);
      return;
    }
    if (data.sub_kind === 'access_action' || String(data.id).startsWith('action:')) {
      const out = gv.cy ? gv.cy.getElementById(data.id).outgoers('node') : null;
      const resource = out && out.nonempty() ? out[0].data() : null;
      renderActionPanel(panel, data, resource, accessPaths, panelActions);
      return;
    }
    renderNodePanel(panel, data.id, panelActions, () => ctx.alive() && mine === panelSeq, data);
  }

  if (!id) {
    modeEl.replaceChildren();
    mount(
      panel,
      h(
        'div',
        { class: 'panel panel-empty' },
        h('h2', null, 'Start from a node'),
        h('p', { class: 'muted' }, 'Search for a user, group, app, role or API token. Click a node for its details; “View Access” traces every path from an identity to what it reaches; “Browse Connections” expands the graph around a node.'),
      ),
    );
    mount(overlay, empty('Search above to draw a part of the access graph.'));
    overlay.hidden = false;
    search.input.focus();
    ctx.ready();
    return;
  }

  mark('route', true);
  // Cytoscape loads (and parses, 440 kB) while the graph is fetched, not after.
  ensureCytoscape().catch(() => {});
  mount(modeEl, mode === 'access' ? badge('View Access', 'info') : badge(limit === 25 ? 'Connections' : `Connections (limit ${num(limit)})`, 'neutral'));
  window.__sightline.graphState = 'loading';
  mount(overlay, h('div', { class: 'loading' }, h('span', { class: 'spinner' }), mode === 'access' ? 'Tracing access paths…' : 'Loading connections…'));
  overlay.hidden = false;
  let graph;
  try {
    if (mode === 'access') graph = await get('/api/graph/access', { id });
    // Several neighbourhoods in one request: the server sends the nodes they share once.
    else graph = await get('/api/graph/neighbourhood', { id: ids.join(','), limit });
  } catch (e) {
    if (!ctx.alive()) return;
    window.__sightline.graphState = 'error';
    mount(overlay, errorBox(e, 'graph-error'));
    renderNodePanel(panel, id, panelActions, ctx.alive);
    return;
  }
  if (!ctx.alive()) return;
  mark('fetched');
  overlay.hidden = true;
  const root = graph.nodes && graph.nodes.find((n) => n.id === id);
  if (root) ctx.setTitle(`${mode === 'access' ? 'Access of' : 'Graph:'} ${root.name}`);
  if (graph.truncated) toast('The graph was truncated by the server; some nodes are aggregated.');
  if (mode === 'access') {
    accessPaths = graph.paths || [];
    renderPaths(drawer, accessPaths, (rid) => panelActions.openId(rid));
  }
  await gv.setGraph(graph, { root: id });
  if (!ctx.alive()) return;
  updateStats();
  // On a big graph the root is not selected, only shown in the panel (its border marks it already):
  // a selected node's wider border restyles all its edges, 2,000 for Everyone, in the next frame.
  if (gv.has(id)) openPanel(gv.big ? gv.data(id) : gv.select(id, { center: false, focus: false }));
  else renderNodePanel(panel, id, panelActions, ctx.alive);
  if ((graph.nodes || []).length <= 1 && mode === 'access') {
    mount(overlay, empty('This identity reaches nothing.'));
    overlay.hidden = false;
  }
  ctx.ready();
}

function renderPaths(drawer, paths, onOpen) {
  const allowed = paths.filter((p) => p.kind !== 'DENIED').length;
  const body = h('div', { class: 'paths-body', hidden: paths.length > 0 && paths.length > 8 });
  const toggle = h('button', { class: 'btn btn-small', testid: 'access-paths-toggle' }, body.hidden ? 'Show paths' : 'Hide paths');
  toggle.addEventListener('click', () => {
    body.hidden = !body.hidden;
    toggle.textContent = body.hidden ? 'Show paths' : 'Hide paths';
  });
  const rows = paths.slice(0, 1000).map((p) => {
    const a = h('a', { href: '#' }, p.resource || p.resource_id);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      onOpen(p.resource_id);
    });
    return h(
      'tr',
      { testid: 'access-path-row' },
      h('td', null, a),
      h('td', null, subKindLabel(p.resource_kind)),
      h('td', null, p.action || ''),
      h('td', null, badge(p.kind, p.kind === 'DENIED' ? 'bad' : 'ok', p.reason ? { title: String(p.reason) } : {})),
      h('td', null, String(p.standing_privileges ?? '')),
      h('td', { class: 'muted' }, viaText(p.via)),
    );
  });
  mount(
    drawer,
    h('div', { class: 'paths-head' }, h('strong', null, `${num(paths.length)} access paths`), h('span', { class: 'muted' }, ` · ${num(allowed)} allowed, ${num(paths.length - allowed)} denied`), h('span', { class: 'spacer' }), toggle),
    body,
  );
  body.appendChild(
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'table table-compact' }, h('thead', null, h('tr', null, ['Resource', 'Kind', 'Action', 'Path', 'Standing', 'Via'].map((t) => h('th', null, t)))), h('tbody', null, rows)),
    ),
  );
  if (paths.length > 1000) body.appendChild(h('p', { class: 'muted' }, `First 1,000 of ${num(paths.length)} shown.`));
  drawer.hidden = false;
}

