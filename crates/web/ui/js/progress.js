// Reading a sync run's free-form progress report.
import { h } from './dom.js';
import { num } from './format.js';

/** {pct: 0..100|null, text} from Run.progress ({phase|stage, done, total, ...}). */
export function runProgress(run) {
  if (!run) return { pct: null, text: '' };
  const p = run.progress && typeof run.progress === 'object' ? run.progress : {};
  const phase = p.phase || p.stage || p.kind || '';
  let done = numberish(p.done ?? p.completed ?? p.fetched);
  let total = numberish(p.total ?? p.expected);
  if ((done === null || total === null) && p.kinds && typeof p.kinds === 'object') {
    // {kinds: {users: {done, total}, ...}}
    let d = 0;
    let t = 0;
    for (const v of Object.values(p.kinds)) {
      if (v && typeof v === 'object') {
        d += numberish(v.done) || 0;
        t += numberish(v.total) || 0;
      }
    }
    if (t > 0) {
      done = d;
      total = t;
    }
  }
  const pct = done !== null && total ? Math.max(0, Math.min(100, Math.round((100 * done) / total))) : numberish(p.percent);
  const parts = [];
  if (phase) parts.push(String(phase));
  if (pct !== null) parts.push(`${pct}%`);
  else if (done !== null) parts.push(`${num(done)} done`);
  return { pct, text: parts.join(' '), phase, done, total };
}

function numberish(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A progress bar element (indeterminate when pct is null). */
export function progressBar(pct, testid = 'progress') {
  const bar = h('div', { class: ['progress', pct === null && 'indeterminate'], testid });
  const fill = h('div', { class: 'progress-fill' });
  if (pct !== null) fill.style.width = `${pct}%`;
  bar.appendChild(fill);
  return bar;
}
