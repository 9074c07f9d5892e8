// The JSON API client. Keeps the CSRF token in memory and sends it on every POST.
// A 401 from any call (but the login itself) shows the sign-in page.

export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.message || body.error)) || `HTTP ${status}`;
    super(message);
    this.status = status;
    this.code = body && body.error;
    this.body = body || {};
    this.position = body && body.position;
  }
}

export const session = {
  user: null, // {username, role, csrf_token}
  csrf: null,
};

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** Builds a query string; skips empty values; arrays become comma lists. */
export function qs(params) {
  if (!params) return '';
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    const value = Array.isArray(v) ? v.join(',') : String(v);
    if (value === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

async function send(path, { method = 'GET', body, query, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch(path + qs(query), {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, { error: 'network', message: `Cannot reach the Sightline server (${e.message}).` });
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data || { error: 'http', message: `${res.status} ${res.statusText}: ${text.slice(0, 200)}` });
  }
  return data;
}

/** Calls the API. Throws ApiError; on 401 hands over to the sign-in page. */
export async function api(path, opts = {}) {
  try {
    return await send(path, opts);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !path.startsWith('/api/auth/login')) {
      session.user = null;
      session.csrf = null;
      unauthorizedHandler();
    }
    // A stale CSRF token (e.g. the session was renewed): refresh it once and retry.
    if (e instanceof ApiError && e.status === 403 && opts.method && opts.method !== 'GET' && !opts._retried && /csrf/i.test(`${e.code} ${e.message}`)) {
      const me = await send('/api/auth/me');
      session.user = me;
      session.csrf = me.csrf_token;
      return api(path, { ...opts, _retried: true });
    }
    throw e;
  }
}

export const get = (path, query, opts = {}) => api(path, { ...opts, query });
export const post = (path, body, opts = {}) => api(path, { ...opts, method: 'POST', body: body === undefined ? {} : body });
export const del = (path, opts = {}) => api(path, { ...opts, method: 'DELETE' });

export async function login(username, password) {
  const me = await send('/api/auth/login', { method: 'POST', body: { username, password } });
  session.user = me;
  session.csrf = me.csrf_token;
  return me;
}

export async function logout() {
  try {
    await send('/api/auth/logout', { method: 'POST', body: {} });
  } finally {
    session.user = null;
    session.csrf = null;
  }
}

export async function whoami() {
  const me = await send('/api/auth/me');
  session.user = me;
  session.csrf = me.csrf_token;
  return me;
}

export const enc = encodeURIComponent;
