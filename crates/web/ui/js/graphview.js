// Cytoscape.js wrapper: styles by node kind, layered left-to-right layouts, incremental adds.
// dagre (rankDir LR) up to DAGRE_MAX nodes; beyond that a preset layout by layer, because dagre is
// super-linear and stalls the page on thousands of nodes.
import { loadScript, h } from './dom.js';
import { subKindLabel, truncate } from './format.js';

export const DAGRE_MAX = 200;
const BIG = 800; // from here on: haystack edges, no edges while panning
/** Pixels left around the drawing when it is fitted to the canvas. */
const FIT_PADDING = 30;
/** Half the widest node (an aggregate): the margin that fitting by positions leaves around them. */
const NODE_EXTENT = 65;

export const LAYER = { identity: 0, identity_group: 1, action: 2, resource_group: 3, resource: 4 };

export const NODE_STYLE = {
  okta_user: { shape: 'ellipse', color: '#2563eb' },
  okta_api_token: { shape: 'diamond', color: '#d97706' },
  okta_service_app: { shape: 'hexagon', color: '#0d9488' },
  okta_group: { shape: 'round-rectangle', color: '#16a34a' },
  okta_role: { shape: 'octagon', color: '#dc2626' },
  okta_custom_role: { shape: 'octagon', color: '#9333ea' },
  okta_app_assignment: { shape: 'tag', color: '#64748b' },
  okta_resource_set: { shape: 'barrel', color: '#c026d3' },
  okta_app_catalog: { shape: 'round-tag', color: '#0891b2' },
  okta_app: { shape: 'rectangle', color: '#4f46e5' },
  okta_org: { shape: 'star', color: '#b91c1c' },
  access_action: { shape: 'tag', color: '#475569' },
};

const EDGE_COLOR = {
  member_of: '#86efac',
  owns: '#4ade80',
  assigned: '#a5b4fc',
  grants: '#818cf8',
  has_role: '#fca5a5',
  scoped_to: '#f87171',
  instance_of: '#d8b4fe',
  contains: '#f0abfc',
  acts_as: '#fcd34d',
  client_of: '#5eead4',
  imported_from: '#cbd5e1',
  via: '#a5b4fc',
};

/**
 * Records a step of drawing a graph in `window.__sightline.graphTimings` ({steps: [[step, ms since
 * the route]]}; `start` begins a new record) or, with `record: 'tapTimings'`, of answering a click:
 * bench.mjs reports them as its breakdown; they show in the browser's performance panel too.
 */
export function mark(step, start = false, record = 'graphTimings') {
  const sl = window.__sightline;
  if (!sl) return;
  const now = performance.now();
  if (start || !sl[record]) sl[record] = { t0: now, steps: [] };
  sl[record].steps.push([step, Math.round(now - sl[record].t0)]);
  performance.mark(`${record === 'graphTimings' ? 'graph' : 'tap'}:${step}`);
}

let loading = null;
/** Loads the vendored Cytoscape.js and the dagre layout once. */
export function ensureCytoscape() {
  if (!loading) {
    loading = (async () => {
      await loadScript('vendor/cytoscape.min.js');
      await loadScript('vendor/cytoscape-dagre.min.js');
      const cytoscape = window.cytoscape;
      if (!cytoscape('layout', 'dagre')) cytoscape.use(window.cytoscapeDagre);
      return cytoscape;
    })();
    loading.catch(() => (loading = null));
  }
  return loading;
}

/** `#rrggbb` drawn at 60% opacity over white, as an opaque colour. */
function fade(hex, alpha = 0.6) {
  const c = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * alpha + 255 * (1 - alpha)));
  return `rgb(${c.join(',')})`;
}

/** Node labels' font size, and the smallest on screen (font size × zoom) worth drawing. */
const LABEL_FONT = 10;
const LABEL_MIN_FONT = { big: 9, small: 6 };

function stylesheet(big, lean = big) {
  // Every property an element gets costs Cytoscape a style pass with change triggers (for a node,
  // over its connected edges): on 8,000 elements that pass was the largest part of the first draw.
  // Big graphs therefore set only what differs from Cytoscape's defaults and what shows at their
  // zoom: no label background (opacity 0 is the default), no white node border, no arrows.
  const node = {
    width: 20,
    height: 20,
    shape: 'ellipse',
    'background-color': '#64748b',
  };
  const text = {
    label: 'data(label)',
    'font-size': LABEL_FONT,
    'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    color: '#1f2937',
    'text-valign': 'bottom',
    'text-margin-y': 3,
    'min-zoomed-font-size': big ? LABEL_MIN_FONT.big : LABEL_MIN_FONT.small,
  };
  // A big graph's nodes get their labels when they are in view at a zoom that can show them
  // (GraphView.labelInView): at the zoom that fits 2,000 nodes no label is readable, yet
  // Cytoscape would measure every one of them for bounding boxes, and style six more properties.
  if (!big) Object.assign(node, text);
  if (!lean) {
    Object.assign(node, {
      'border-width': 1,
      'border-color': '#ffffff',
      'text-halign': 'center',
      // Labels are cut in JS: Cytoscape's 'ellipsis' wrap measures text word by word and
      // dominated the first draw of big graphs (seconds for 2,000 labels).
      'text-wrap': 'none',
      'text-background-color': '#ffffff',
      'text-background-opacity': big ? 0 : 0.7,
      'text-background-padding': 1,
    });
  }
  const sheet = [{ selector: 'node', style: node }];
  if (big) sheet.push({ selector: 'node.labelled, node.root, node.aggregate, node:selected', style: text });
  for (const [sub, st] of Object.entries(NODE_STYLE)) {
    sheet.push({ selector: `node[sub_kind = "${sub}"]`, style: { shape: st.shape, 'background-color': st.color } });
  }
  sheet.push(
    { selector: 'node[sub_kind = "okta_group"]', style: { width: 26, height: 18 } },
    { selector: 'node[sub_kind = "okta_app_assignment"]', style: { width: 15, height: 15 } },
    { selector: 'node[sub_kind = "access_action"]', style: { width: 15, height: 15 } },
    { selector: 'node[sub_kind = "okta_org"]', style: { width: 30, height: 30 } },
    {
      selector: 'node.aggregate',
      style: {
        shape: 'round-rectangle',
        width: 130,
        height: 26,
        'background-color': '#f8fafc',
        'border-width': 1.5,
        'border-style': 'dashed',
        'border-color': '#64748b',
        'text-valign': 'center',
        'text-margin-y': 0,
        color: '#334155',
        'font-weight': 600,
        'text-background-opacity': 0,
      },
    },
    { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#0f172a' } },
    { selector: 'node.new', style: { 'border-width': 2, 'border-color': '#f59e0b' } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#f59e0b', 'overlay-opacity': 0 } },
    { selector: 'node.faded', style: { opacity: 0.25 } },
    {
      selector: 'edge',
      // Lean edges are opaque, in their colour blended 60% over the white background: the same
      // look as opacity 0.6, one property less, and no alpha per edge when drawing; haystack is
      // Cytoscape's default curve. They take no events: Cytoscape hit-tests every interactive
      // element on each mouse move, down and up, and testing 6,000 hairlines was a sixth of a
      // click's work; a node's panel lists its relations.
      style: lean
        ? { width: 0.8, 'line-color': fade('#cbd5e1'), events: 'no' }
        : {
            width: big ? 0.8 : 1.3,
            'line-color': '#cbd5e1',
            'curve-style': big ? 'haystack' : 'bezier',
            'target-arrow-shape': big ? 'none' : 'triangle',
            'target-arrow-color': '#cbd5e1',
            'arrow-scale': 0.7,
            opacity: big ? 0.6 : 1,
          },
    },
  );
  for (const [kind, color] of Object.entries(EDGE_COLOR)) {
    sheet.push({ selector: `edge[kind = "${kind}"]`, style: lean ? { 'line-color': fade(color) } : { 'line-color': color, 'target-arrow-color': color } });
  }
  sheet.push(
    { selector: 'edge[?denied]', style: lean ? { 'line-color': fade('#ef4444'), 'line-style': 'dashed' } : { 'line-color': '#ef4444', 'target-arrow-color': '#ef4444', 'line-style': 'dashed' } },
    { selector: 'edge.faded', style: { opacity: 0.1 } },
    { selector: 'edge:selected', style: { width: 2.5, label: 'data(kind)', 'font-size': 9, color: '#475569', 'text-rotation': 'autorotate' } },
    { selector: 'edge.highlight', style: { width: 2.5, opacity: 1 } },
  );
  return sheet;
}

export function layerOf(data) {
  if (typeof data.layer === 'number') return data.layer;
  if (data.kind in LAYER) return LAYER[data.kind];
  return 2;
}

function nodeElement(n) {
  const label = n.aggregate ? n.name || `${n.aggregate.count} more` : truncate(n.name || n.id, 30);
  return {
    group: 'nodes',
    data: {
      id: n.id,
      name: n.name || n.id,
      label,
      kind: n.kind,
      sub_kind: n.sub_kind || (n.aggregate && n.aggregate.of) || '',
      layer: typeof n.layer === 'number' ? n.layer : LAYER[n.kind] ?? 2,
      aggregate: n.aggregate || null,
    },
    classes: n.aggregate ? 'aggregate' : '',
  };
}

function edgeElement(e) {
  return { group: 'edges', data: { id: e.id || `${e.source}|${e.kind}|${e.target}`, source: e.source, target: e.target, kind: e.kind, denied: e.allowed === false } };
}

/** Elements of an API Graph ({nodes, edges}); edges with a missing end are dropped. */
export function graphElements(graph, existing = null) {
  const ids = new Set();
  const edgeIds = new Set();
  const out = [];
  for (const n of graph.nodes || []) {
    if (ids.has(n.id) || (existing && existing.getElementById(n.id).nonempty())) {
      ids.add(n.id);
      continue;
    }
    ids.add(n.id);
    out.push(nodeElement(n));
  }
  for (const e of graph.edges || []) {
    const el = edgeElement(e);
    if (!ids.has(el.data.source) && !(existing && existing.getElementById(el.data.source).nonempty())) continue;
    if (!ids.has(el.data.target) && !(existing && existing.getElementById(el.data.target).nonempty())) continue;
    if (existing && existing.getElementById(el.data.id).nonempty()) continue;
    if (edgeIds.has(el.data.id)) continue;
    edgeIds.add(el.data.id);
    out.push(el);
  }
  return out;
}

const collator = new Intl.Collator();

/**
 * Positions by layer: one band per layer, left to right, nodes in columns of at most `rows`.
 * Works on plain data ({id, layer, sub_kind, name} and {source, target}) so that a big graph's
 * nodes can be added with their final positions: Cytoscape then never draws them all stacked at
 * the origin (on 2,000 nodes that frame alone took seconds).
 */
export function layeredPositionsOf(nodes, edges) {
  const layers = new Map();
  const layerOfId = new Map();
  for (const n of nodes) {
    const l = layerOf(n);
    layerOfId.set(n.id, l);
    if (!layers.has(l)) layers.set(l, []);
    layers.get(l).push(n);
  }
  const neighbours = new Map();
  const link = (a, b) => {
    if (!neighbours.has(a)) neighbours.set(a, []);
    neighbours.get(a).push(b);
  };
  for (const e of edges) {
    if (!layerOfId.has(e.source) || !layerOfId.has(e.target)) continue;
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const order = [...layers.keys()].sort((a, b) => a - b);
  // A collator, not localeCompare: the same order, without a locale lookup per comparison.
  const cmp = collator.compare;
  for (const l of order) layers.get(l).sort((a, b) => cmp(String(a.sub_kind), String(b.sub_kind)) || cmp(String(a.name), String(b.name)));
  // One barycentre sweep to reduce crossings: each layer after the first by its lower neighbours,
  // then the first by its upper neighbours.
  const index = new Map();
  const setIndex = (l) => layers.get(l).forEach((n, i) => index.set(n.id, i / Math.max(1, layers.get(l).length)));
  order.forEach(setIndex);
  const bary = (n, pred) => {
    let sum = 0;
    let k = 0;
    for (const other of neighbours.get(n.id) || []) {
      if (pred(layerOfId.get(other)) && index.has(other)) {
        sum += index.get(other);
        k += 1;
      }
    }
    return k ? sum / k : index.get(n.id);
  };
  for (const l of order.slice(1)) {
    const b = new Map(layers.get(l).map((n) => [n.id, bary(n, (x) => x < l)]));
    layers.get(l).sort((x, y) => b.get(x.id) - b.get(y.id));
    setIndex(l);
  }
  if (order.length > 1) {
    const l0 = order[0];
    const b = new Map(layers.get(l0).map((n) => [n.id, bary(n, (x) => x > l0)]));
    layers.get(l0).sort((x, y) => b.get(x.id) - b.get(y.id));
  }
  const colW = 180;
  const rowH = 34;
  const gap = 240;
  const positions = {};
  let x = 0;
  for (const l of order) {
    const list = layers.get(l);
    const rows = Math.max(24, Math.ceil(Math.sqrt(list.length) * 2));
    const cols = Math.ceil(list.length / rows);
    const used = Math.min(rows, list.length);
    list.forEach((n, i) => {
      const c = Math.floor(i / rows);
      const r = i % rows;
      positions[n.id] = { x: x + c * colW, y: (r - (used - 1) / 2) * rowH };
    });
    x += (cols - 1) * colW + gap;
  }
  return positions;
}

export class GraphView {
  /** opts: {onSelect(data), onBackground(), onState(state)} */
  constructor(container, opts = {}) {
    this.container = container;
    this.opts = opts;
    this.cy = null;
    this.big = false;
    this.layoutRun = 0;
  }

  state(s) {
    if (window.__sightline) window.__sightline.graphState = s;
    this.container.dataset.state = s;
    if (this.opts.onState) this.opts.onState(s);
  }

  /** Replaces the whole graph. Returns a promise resolved when the laid-out graph is drawn. */
  async setGraph(graph, { root } = {}) {
    const cytoscape = await ensureCytoscape();
    mark('cytoscape loaded');
    this.destroy();
    const els = graphElements(graph);
    mark('elements built');
    const count = els.reduce((k, el) => k + (el.group === 'nodes' ? 1 : 0), 0);
    this.big = count > BIG;
    this.cy = cytoscape({
      container: this.container,
      elements: [],
      style: stylesheet(this.big),
      minZoom: 0.02,
      maxZoom: 3,
      textureOnViewport: this.big,
      hideEdgesOnViewport: this.big,
      motionBlur: false,
      pixelRatio: this.big ? 1 : 'auto',
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    this.bind();
    mark('cy created');
    return this.layout({ add: els, root });
  }

  /** Adds what is not yet on the canvas, re-runs the layout; returns how many nodes were added. */
  async addGraph(graph, { around } = {}) {
    if (!this.cy) {
      await this.setGraph(graph, { root: around });
      return this.cy.nodes().length;
    }
    const els = graphElements(graph, this.cy);
    const before = this.cy.nodes().length;
    this.cy.nodes('.new').removeClass('new');
    await this.layout({ add: els, markNew: true });
    return this.cy ? this.cy.nodes().length - before : 0;
  }

  bind() {
    const cy = this.cy;
    if (this.big) {
      // Labels follow the view at most once a frame, however many viewport events a pan fires.
      let queued = false;
      cy.on('viewport', () => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          if (cy === this.cy) this.labelInView();
        });
      });
    }
    cy.on('tap', 'node', (e) => {
      const node = e.target;
      mark('tap', true, 'tapTimings');
      // Only what is selected: unselecting every element walks 8,000 of them on a big graph.
      cy.$(':selected').not(node).unselect();
      node.select();
      this.focus(node);
      if (this.opts.onSelect) this.opts.onSelect(node.data());
    });
    cy.on('tap', (e) => {
      if (e.target === cy) {
        this.unfocus();
        if (this.opts.onBackground) this.opts.onBackground();
      }
    });
  }

  /**
   * Big graphs: labels the nodes in view (and a little around it), once the zoom makes labels
   * readable. A node keeps its label after; panning labels the nodes it brings into view.
   */
  labelInView() {
    const cy = this.cy;
    if (cy.zoom() * LABEL_FONT < LABEL_MIN_FONT.big) return;
    const view = cy.extent();
    const mx = view.w / 10;
    const my = view.h / 10;
    const unlabelled = cy.nodes().filter((n) => {
      if (n.hasClass('labelled')) return false;
      const p = n.position();
      return p.x > view.x1 - mx && p.x < view.x2 + mx && p.y > view.y1 - my && p.y < view.y2 + my;
    });
    if (unlabelled.nonempty()) cy.batch(() => unlabelled.addClass('labelled'));
  }

  /** Fades what is not connected to the node (small graphs only). */
  focus(node) {
    if (this.big) return;
    const cy = this.cy;
    cy.batch(() => {
      cy.elements('.faded, .highlight').removeClass('faded highlight');
      const hood = node.closedNeighborhood();
      cy.elements().not(hood).addClass('faded');
      node.connectedEdges().addClass('highlight');
    });
  }

  unfocus() {
    if (!this.cy) return;
    // Only the elements that have the classes: removing a class from all 8,000 elements of a big
    // graph marks every style dirty, and the next frame recomputed them all (~0.3 s).
    const marked = this.cy.elements('.faded, .highlight');
    if (marked.nonempty()) this.cy.batch(() => marked.removeClass('faded highlight'));
  }

  /**
   * Lays the graph out, first adding `add` (element JSON) when given; resolves once the result is
   * drawn. The elements are added inside the same task as the layout and the fit, so that no frame
   * is spent drawing them before they have their positions.
   */
  layout({ add = null, root = null, markNew = false } = {}) {
    const cy = this.cy;
    const run = ++this.layoutRun;
    this.state('layout');
    return new Promise((resolve) => {
      // Let the browser paint first (the loading state): what follows is one long synchronous task.
      setTimeout(() => {
        if (cy !== this.cy || run !== this.layoutRun) return resolve();
        mark('layout start');
        const fresh = add ? add.filter((el) => el.group === 'nodes') : [];
        const n = cy.nodes().length + fresh.length;
        const finish = (how) => {
          if (cy !== this.cy || run !== this.layoutRun) return resolve();
          this.state(how);
          resolve();
        };
        let added = null;
        const insert = () => {
          added = add && add.length ? cy.add(add) : cy.collection();
          if (root) cy.getElementById(root).addClass('root');
          if (markNew) added.nodes().addClass('new');
        };
        try {
          if (n <= DAGRE_MAX) {
            insert();
            const layout = cy.layout({
              name: 'dagre',
              rankDir: 'LR',
              nodeSep: 26,
              edgeSep: 8,
              rankSep: 130,
              ranker: 'network-simplex',
              minLen: (edge) => Math.max(1, layerOf(edge.target().data()) - layerOf(edge.source().data())),
              fit: true,
              padding: FIT_PADDING,
              animate: false,
            });
            layout.one('layoutstop', () => {
              mark('layout and fit');
              this.afterFrame(cy, () => finish('ready'));
            });
            layout.run();
          } else {
            // Positions from plain data, for the drawn nodes and the new ones alike.
            const nodes = cy.nodes().map((x) => {
              const d = x.data();
              return { id: d.id, layer: layerOf(d), sub_kind: d.sub_kind, name: d.name };
            });
            for (const el of fresh) nodes.push(el.data);
            const edges = cy.edges().map((e) => ({ source: e.data('source'), target: e.data('target') }));
            if (add) for (const el of add) if (el.group === 'edges') edges.push(el.data);
            const positions = layeredPositionsOf(nodes, edges);
            mark('positions');
            for (const el of fresh) el.position = positions[el.data.id];
            // New nodes arrive in place; no frame runs between this, the fit and the first draw.
            cy.batch(() => {
              cy.nodes().positions((x) => positions[x.id()]);
              insert();
            });
            mark('elements added');
            this.fit();
            mark('layout and fit');
            this.afterFrame(cy, () => finish('ready'));
          }
        } catch (e) {
          console.warn('layout failed', e);
          finish('error');
        }
      }, 0);
    });
  }

  /**
   * Calls `fn` once the current state is on screen: the first frame is a large part of a big
   * graph's cost, so "ready" waits for it. The timer is only for a canvas that draws nothing.
   */
  afterFrame(cy, fn) {
    let done = false;
    const once = (how) => {
      if (done) return;
      done = true;
      mark(how);
      fn();
    };
    cy.one('render', () => once('first frame'));
    setTimeout(() => once('no frame drawn'), 3000);
  }

  select(id, { center = true, focus = true } = {}) {
    if (!this.cy) return null;
    const node = this.cy.getElementById(id);
    if (node.empty()) return null;
    this.cy.$(':selected').not(node).unselect();
    node.select();
    if (focus) this.focus(node);
    else this.unfocus();
    if (center) this.cy.animate({ center: { eles: node }, duration: 200 });
    return node.data();
  }

  /** A drawn node's data, or null. */
  data(id) {
    const node = this.cy ? this.cy.getElementById(id) : null;
    return node && node.nonempty() ? node.data() : null;
  }

  has(id) {
    return !!this.cy && this.cy.getElementById(id).nonempty();
  }

  remove(id) {
    if (this.cy) this.cy.getElementById(id).remove();
  }

  fit() {
    if (!this.cy) return;
    if (!this.big) {
      this.cy.fit(undefined, FIT_PADDING);
      return;
    }
    // From the nodes' positions: cy.fit() asks every element for its bounding box, which styles
    // and measures all 8,000 of them first. At the zoom that fits a big graph no label shows, so
    // the nodes' centres and sizes are the drawing's extent.
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    this.cy.nodes().forEach((n) => {
      const p = n.position();
      x1 = Math.min(x1, p.x);
      y1 = Math.min(y1, p.y);
      x2 = Math.max(x2, p.x);
      y2 = Math.max(y2, p.y);
    });
    const width = this.cy.width();
    const height = this.cy.height();
    const fits = Math.min((width - 2 * FIT_PADDING) / (x2 - x1 + 2 * NODE_EXTENT), (height - 2 * FIT_PADDING) / (y2 - y1 + 2 * NODE_EXTENT));
    const zoom = Math.max(this.cy.minZoom(), Math.min(this.cy.maxZoom(), fits));
    this.cy.viewport({ zoom, pan: { x: width / 2 - (zoom * (x1 + x2)) / 2, y: height / 2 - (zoom * (y1 + y2)) / 2 } });
  }

  stats() {
    return this.cy ? { nodes: this.cy.nodes().length, edges: this.cy.edges().length } : { nodes: 0, edges: 0 };
  }

  destroy() {
    if (this.cy) {
      this.cy.destroy();
      this.cy = null;
    }
  }
}

/** The legend: one entry per node kind present (or all). */
export function legend(subKinds = null) {
  const kinds = Object.keys(NODE_STYLE).filter((k) => !subKinds || subKinds.has(k));
  return h(
    'div',
    { class: 'legend', testid: 'graph-legend' },
    kinds.map((k) => {
      const sw = h('span', { class: `legend-swatch shape-${NODE_STYLE[k].shape}` });
      sw.style.backgroundColor = NODE_STYLE[k].color;
      return h('span', { class: 'legend-item' }, sw, subKindLabel(k));
    }),
    h('span', { class: 'legend-item' }, h('span', { class: 'legend-swatch legend-aggregate' }), 'More (aggregate)'),
    h('span', { class: 'legend-item' }, h('span', { class: 'legend-line legend-denied' }), 'Denied'),
  );
}
