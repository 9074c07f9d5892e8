// Formatting of numbers, times and JSON values for display (as text).

const nf = new Intl.NumberFormat('en-US');
export const num = (n) => (n === null || n === undefined || n === '' ? '–' : typeof n === 'number' ? nf.format(n) : String(n));

export function parseTime(t) {
  if (!t) return null;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 2026-11-28 14:03:12 in local time. */
export function time(t) {
  const d = parseTime(t);
  if (!d) return t ? String(t) : '–';
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "3 min ago", "in 12 min". */
export function ago(t) {
  const d = parseTime(t);
  if (!d) return t ? String(t) : '–';
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  const abs = Math.abs(s);
  let v;
  if (abs < 45) v = `${abs}s`;
  else if (abs < 3600) v = `${Math.round(abs / 60)} min`;
  else if (abs < 86400 * 2) v = `${Math.round(abs / 3600)} h`;
  else v = `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${v} ago` : `in ${v}`;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

/** A JSON value as compact one-line text. */
export function compact(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function truncate(text, n) {
  const t = String(text ?? '');
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

export function pretty(v) {
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

export const SUB_KIND_LABEL = {
  okta_user: 'User',
  okta_api_token: 'API token',
  okta_service_app: 'Service app',
  okta_group: 'Group',
  okta_role: 'Admin role',
  okta_custom_role: 'Custom role',
  okta_app_assignment: 'App assignment',
  okta_resource_set: 'Resource set',
  okta_app_catalog: 'App catalog',
  okta_app: 'App',
  okta_org: 'Okta org',
  access_action: 'Action',
};

export const KIND_LABEL = {
  identity: 'Identity',
  identity_group: 'Identity group',
  action: 'Action',
  resource_group: 'Resource group',
  resource: 'Resource',
};

export const subKindLabel = (k) => SUB_KIND_LABEL[k] || String(k || '').replace(/^okta_/, '').replace(/_/g, ' ');

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** Value at a dotted path of an object, e.g. get(node, 'properties.profile.email'). */
export function dig(obj, path) {
  let v = obj;
  for (const p of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = asObject(v)[p];
  }
  return v;
}

/** A JSON object that may arrive as JSON text (SQL backends differ). */
export function asObject(v) {
  if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
    try {
      return JSON.parse(v);
    } catch {
      return {};
    }
  }
  return v && typeof v === 'object' ? v : {};
}

/** A label from a node's labels map (keys contain '/' so no dotted path). */
export const label = (node, key) => (node && node.labels ? asObject(node.labels)[key] : undefined);
