// Browser benchmarks of the Sightline web UI; prints one JSON line.
//
//   SIGHTLINE_URL=http://127.0.0.1:8080 SIGHTLINE_USER=admin SIGHTLINE_PASSWORD=... node bench.mjs
//
// (a) first page interactive: a fresh browser context holding the session cookie loads "/#/";
//     time from page.goto until the overview is rendered and its search box is clickable. Median of 5.
// (b) big graph interactive: the graph explorer draws the biggest neighbourhood it can get
//     (the Everyone group's, limit=2000, plus the biggest groups' until it holds 2,000 nodes), or the
//     access graph of the identity with the most paths if that is bigger; time until the layout is
//     done and drawn (graphState 'ready' waits for Cytoscape's first frame of it), then a real mouse
//     click on a node until the side panel shows it. `in_page_ms` holds the page's own marks (route,
//     fetched, elements built and added, layout and fit, first frame; tap, panel shown, details).
import { chromium } from 'playwright-core';

const BASE = (process.env.SIGHTLINE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const USER = process.env.SIGHTLINE_USER || 'admin';
const PASSWORD = process.env.SIGHTLINE_PASSWORD || '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RUNS = parseInt(process.env.SIGHTLINE_BENCH_RUNS || '5', 10);
const GRAPH_LIMIT = parseInt(process.env.SIGHTLINE_BENCH_GRAPH_LIMIT || '2000', 10);

const watchdog = setTimeout(() => {
  console.error('bench: deadline (5 min) exceeded');
  process.exit(2);
}, 300000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const tid = (id) => `[data-testid="${id}"]`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
});
const result = { base: BASE };
try {
  // Sign in once through the API; later contexts reuse the cookie.
  const auth = await browser.newContext();
  const login = await auth.request.post(`${BASE}/api/auth/login`, { data: { username: USER, password: PASSWORD } });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);
  const storage = await auth.storageState();
  const api = async (p, opts) => {
    const res = opts ? await auth.request.post(`${BASE}${p}`, opts) : await auth.request.get(`${BASE}${p}`);
    if (!res.ok()) throw new Error(`${p} -> ${res.status()} ${(await res.text()).slice(0, 200)}`);
    return res.json();
  };

  // (a) first page interactive.
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ storageState: storage, viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto(`${BASE}/#/`, { waitUntil: 'commit' });
    await page.waitForSelector(tid('overview-tiles'), { timeout: 30000 });
    await page.waitForFunction(() => window.__sightline && window.__sightline.pageReady === 'overview', null, { timeout: 30000 });
    await page.click(tid('overview-user-search'), { trial: true, timeout: 30000 });
    times.push(Math.round(performance.now() - t0));
    await ctx.close();
  }
  result.first_page_interactive_ms = { median: median(times), runs: times };

  // (b) a big graph: the Everyone group's neighbourhood, plus the biggest other groups' until the
  // drawing holds 2,000 nodes (the graph page draws `id=a,b,...` together), or the access graph of
  // the identity with the most paths if that is bigger.
  const csrf = (await login.json()).csrf_token;
  const sql = (text) => api('/api/query', { data: { sql: text }, headers: { 'X-CSRF-Token': csrf } });
  const union = { nodes: new Set(), edges: 0 };
  const ids = [];
  const addNeighbourhood = async (id) => {
    const g = await api(`/api/graph/neighbourhood?id=${encodeURIComponent(id)}&limit=${GRAPH_LIMIT}`);
    ids.push(id);
    for (const n of g.nodes) union.nodes.add(n.id);
    union.edges += g.edges.length;
  };
  const everyone = await api('/api/nodes?sub_kind=okta_group&q=Everyone&limit=5');
  const group = (everyone.nodes || []).find((n) => n.name === 'Everyone');
  if (group) await addNeighbourhood(group.id);
  if (union.nodes.size < 2000) {
    try {
      // The best-connected nodes first (groups, then apps and admins).
      const q = await sql(
        'SELECT id, count(*) AS n FROM (SELECT from_id AS id FROM edges UNION ALL SELECT to_id AS id FROM edges) AS ends ' +
          'GROUP BY id ORDER BY n DESC LIMIT 40',
      ).catch(() => sql("SELECT to_id, count(*) AS n FROM edges WHERE kind = 'member_of' GROUP BY to_id ORDER BY n DESC LIMIT 40"));
      for (const [gid] of q.rows || []) {
        if (union.nodes.size >= 2000) break;
        if (!ids.includes(gid)) await addNeighbourhood(gid);
      }
    } catch (e) {
      result.graph_note = `best-connected nodes query failed: ${e.message}`;
    }
  }
  let best = ids.length ? { kind: 'neighbourhood', id: ids.join(','), nodes: union.nodes.size } : null;
  if (!best || best.nodes < 2000) {
    try {
      const q = await sql('SELECT identity_id, count(*) AS n FROM access_path GROUP BY identity_id ORDER BY n DESC LIMIT 1');
      if (q.rows && q.rows.length) {
        const id = q.rows[0][0];
        const g = await api(`/api/graph/access?id=${encodeURIComponent(id)}`);
        const c = { kind: 'access', id, nodes: g.nodes.length };
        if (!best || c.nodes > best.nodes) best = c;
      }
    } catch (e) {
      result.graph_note = `${result.graph_note ? `${result.graph_note}; ` : ''}access candidate failed: ${e.message}`;
    }
  }
  if (best) {
    const hash =
      best.kind === 'access'
        ? `#/graph?id=${encodeURIComponent(best.id)}&view=access`
        : `#/graph?id=${best.id.split(',').map(encodeURIComponent).join(',')}&limit=${GRAPH_LIMIT}`;
    const ctx = await browser.newContext({ storageState: storage, viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    // Load the app first so that the measure is the graph, not the first page.
    await page.goto(`${BASE}/#/`, { waitUntil: 'commit' });
    await page.waitForSelector(tid('overview-tiles'), { timeout: 30000 });
    const t0 = performance.now();
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
    await page.waitForFunction(
      () => {
        const s = window.__sightline;
        const cy = s && s.cy();
        return s && s.graphState === 'ready' && cy && cy.nodes().length > 0;
      },
      null,
      { timeout: 240000, polling: 50 },
    );
    const layoutMs = performance.now() - t0;
    const drawn = await page.evaluate(() => {
      const cy = window.__sightline.cy();
      return { nodes: cy.nodes().length, edges: cy.edges().length };
    });
    // Click a leaf node (not the root) that is on screen.
    const target = await page.evaluate(() => {
      const cy = window.__sightline.cy();
      const ext = cy.extent();
      const r = cy.container().getBoundingClientRect();
      const inView = cy.nodes().filter((n) => {
        const p = n.position();
        return !n.hasClass('root') && !n.hasClass('aggregate') && p.x > ext.x1 && p.x < ext.x2 && p.y > ext.y1 && p.y < ext.y2;
      });
      const n = inView.length ? inView[Math.floor(inView.length / 2)] : cy.nodes()[0];
      // Zoom in on it so that the click lands on it and nothing else.
      cy.zoom({ level: 1.2, position: n.position() });
      cy.center(n);
      const p = n.renderedPosition();
      return { id: n.id(), x: r.left + p.x, y: r.top + p.y };
    });
    const t1 = performance.now();
    await page.mouse.click(target.x, target.y);
    const panelOf = `${tid('side-panel-node')}[data-id="${target.id.replace(/"/g, '\\"')}"]`;
    await page.waitForSelector(`${panelOf}, ${tid('side-panel-aggregate')}`, { timeout: 60000 });
    const tapMs = performance.now() - t1;
    // The panel shows the node's drawn data at once and its details (GET /api/nodes/{id}) when
    // they arrive: the latter is reported too, not counted in interactive_ms.
    await page.waitForSelector(`${panelOf}:not([data-partial]), ${tid('side-panel-aggregate')}`, { timeout: 60000 });
    const detailsMs = performance.now() - t1;
    // The page's own marks (ms): route -> fetched -> ... -> first frame, and tap -> panel shown.
    const breakdown = await page.evaluate(() => {
      const s = window.__sightline;
      const steps = (r) => (r ? Object.fromEntries(r.steps) : null);
      return { graph: steps(s.graphTimings), tap: steps(s.tapTimings) };
    });
    const panMs = await page.evaluate(async () => {
      const cy = window.__sightline.cy();
      cy.fit();
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      await frame();
      const t = performance.now();
      for (let i = 0; i < 10; i++) {
        cy.panBy({ x: 15, y: 5 });
        await frame();
      }
      return (performance.now() - t) / 10;
    });
    result.big_graph = {
      source: best.kind,
      root: best.id.split(',')[0],
      neighbourhoods: best.kind === 'access' ? 0 : best.id.split(',').length,
      nodes: drawn.nodes,
      edges: drawn.edges,
      layout_done_ms: Math.round(layoutMs),
      tap_to_side_panel_ms: Math.round(tapMs),
      interactive_ms: Math.round(layoutMs + tapMs),
      tap_to_details_ms: Math.round(detailsMs),
      in_page_ms: breakdown,
      pan_frame_ms: Math.round(panMs * 10) / 10,
      at_least_2000_nodes: drawn.nodes >= 2000,
    };
    await ctx.close();
  } else {
    result.big_graph = null;
  }
  console.log(JSON.stringify(result));
} catch (e) {
  console.log(JSON.stringify({ ...result, error: String(e.message || e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
