// Hash routing helpers shared by the pages (the router itself lives in app.js).

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q + 1) : '';
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, segments, params: new URLSearchParams(query) };
}

/** Goes to a hash route; re-renders when it is already the current one. */
export function navigate(hash, { replace = false } = {}) {
  if (location.hash === hash || (hash === '#/' && (location.hash === '' || location.hash === '#'))) {
    window.dispatchEvent(new Event('sightline:route'));
  } else if (replace) {
    location.replace(hash);
  } else {
    location.hash = hash;
  }
}

/** Builds "#/path?k=v" from a params object (empty values dropped). */
export function hashFor(path, params = {}) {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    usp.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const q = usp.toString();
  return `#${path}${q ? `?${q}` : ''}`;
}

export const graphHref = (id, extra = {}) => hashFor('/graph', { id, ...extra });
export const investigateHref = (person) => `#/investigate/${encodeURIComponent(person)}`;

/** Signals app.js that a sign-in succeeded. */
export function signedIn() {
  window.dispatchEvent(new Event('sightline:signed-in'));
}

/** Signals app.js that the open-alert count may have changed. */
export function statusChanged() {
  window.dispatchEvent(new Event('sightline:status'));
}
