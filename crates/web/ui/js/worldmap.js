// An offline world map: equirectangular land outline (Natural Earth 110m via world-atlas and
// topojson-client, vendored) in SVG, with one dot per place.
import { s, h, loadScript } from './dom.js';
import { num, time } from './format.js';

const W = 360;
const H = 180;
let landPath = null;

async function land() {
  if (landPath) return landPath;
  await loadScript('vendor/topojson-client.min.js');
  const res = await fetch('vendor/land-110m.json');
  if (!res.ok) throw new Error(`cannot load the world outline (${res.status})`);
  const topo = await res.json();
  const geo = window.topojson.feature(topo, topo.objects.land);
  const parts = [];
  const ring = (coords) => {
    let d = '';
    let prevLon = null;
    for (const [lon, lat] of coords) {
      const x = (lon + 180).toFixed(2);
      const y = (90 - lat).toFixed(2);
      // Break the ring where it jumps across the antimeridian instead of drawing a streak.
      d += prevLon === null || Math.abs(lon - prevLon) > 180 ? `M${x},${y}` : `L${x},${y}`;
      prevLon = lon;
    }
    return `${d}Z`;
  };
  const polygon = (poly) => poly.forEach((r) => parts.push(ring(r)));
  for (const f of geo.features || [geo]) {
    const g = f.geometry || f;
    if (!g) continue;
    if (g.type === 'Polygon') polygon(g.coordinates);
    else if (g.type === 'MultiPolygon') g.coordinates.forEach(polygon);
  }
  landPath = parts.join('');
  return landPath;
}

/** places: [{latitude, longitude, city, country, events, failures, first, last}] */
export async function worldMap(places, testid = 'map') {
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'world-map', role: 'img', 'aria-label': 'Sign-in locations' });
  svg.appendChild(s('rect', { x: 0, y: 0, width: W, height: H, class: 'map-sea' }));
  try {
    svg.appendChild(s('path', { d: await land(), class: 'map-land', 'fill-rule': 'evenodd' }));
  } catch (e) {
    svg.appendChild(s('text', { x: 10, y: 20, class: 'map-error' }, e.message));
  }
  // Graticule every 30°.
  for (let lon = -150; lon <= 150; lon += 30) svg.appendChild(s('line', { x1: lon + 180, y1: 0, x2: lon + 180, y2: H, class: 'map-grid' }));
  for (let lat = -60; lat <= 60; lat += 30) svg.appendChild(s('line', { x1: 0, y1: 90 - lat, x2: W, y2: 90 - lat, class: 'map-grid' }));
  const valid = (places || []).filter((p) => Number.isFinite(p.latitude) && Number.isFinite(p.longitude));
  const max = Math.max(1, ...valid.map((p) => p.events || 1));
  // Big dots first so small ones stay clickable on top.
  const sorted = [...valid].sort((a, b) => (b.events || 0) - (a.events || 0));
  for (const p of sorted) {
    const r = 1.6 + 5 * Math.sqrt((p.events || 1) / max);
    const c = s('circle', {
      cx: (p.longitude + 180).toFixed(2),
      cy: (90 - p.latitude).toFixed(2),
      r: r.toFixed(2),
      class: ['map-dot', p.failures ? 'map-dot-fail' : ''],
      testid: 'map-place',
      'data-place': `${p.city || ''}, ${p.country || ''}`,
    });
    c.appendChild(s('title', null, placeText(p)));
    svg.appendChild(c);
  }
  return h('div', { class: 'map-wrap', testid }, svg, h('div', { class: 'map-legend muted' }, h('span', { class: 'dot-ok' }), 'sign-ins', h('span', { class: 'dot-fail' }), 'with failures · dot size = events'));
}

export function placeText(p) {
  return `${[p.city, p.country].filter(Boolean).join(', ') || 'Unknown place'}: ${num(p.events)} events, ${num(p.failures || 0)} failures; first ${time(p.first)}, last ${time(p.last)}`;
}
