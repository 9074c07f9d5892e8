// DOM helpers. Every string is inserted as text (textContent / text nodes), never as HTML:
// Okta names, logins and messages may hold markup and must show literally.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, child) {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  if (child instanceof Node) parent.appendChild(child);
  else parent.appendChild(document.createTextNode(String(child)));
}

function applyProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    switch (key) {
      case 'class':
        el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
        break;
      case 'testid':
        el.setAttribute('data-testid', value);
        break;
      case 'text':
        el.textContent = String(value);
        break;
      case 'on':
        for (const [event, fn] of Object.entries(value)) if (fn) el.addEventListener(event, fn);
        break;
      case 'dataset':
        for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) el.dataset[k] = String(v);
        break;
      case 'value':
        el.value = value;
        break;
      case 'checked':
      case 'disabled':
      case 'selected':
      case 'hidden':
        el[key] = !!value;
        break;
      default:
        if (key.startsWith('on')) throw new Error('use {on: {...}} for event handlers');
        if (key === 'style') throw new Error('inline style attributes are refused by the CSP');
        el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/** Creates an HTML element: h('div', {class: 'x', testid: 'y', on: {click}}, 'text', child, [more]). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props && (props instanceof Node || typeof props !== 'object' || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Creates an SVG element (attributes only; no style attribute). */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/** A link to a hash route. */
export function link(href, text, props = {}) {
  return h('a', { href, ...props }, text);
}

/** A small coloured pill. */
export function badge(text, kind = '', props = {}) {
  return h('span', { class: ['badge', kind && `badge-${kind}`], ...props }, text);
}

/** A red error box with the message of an Error / ApiError. */
export function errorBox(err, testid = 'error') {
  const message = err && err.message ? err.message : String(err);
  return h('div', { class: 'error-box', testid, role: 'alert' }, message);
}

export function spinner(text = 'Loading…') {
  return h('div', { class: 'loading', testid: 'loading' }, h('span', { class: 'spinner' }), text);
}

export function empty(text) {
  return h('div', { class: 'empty' }, text);
}

/** A card with a title bar and body. */
export function card(title, body, props = {}, actions = null) {
  return h(
    'section',
    { class: ['card', props.class], testid: props.testid },
    title ? h('header', { class: 'card-head' }, h('h2', null, title), actions ? h('div', { class: 'card-actions' }, actions) : null) : null,
    h('div', { class: 'card-body' }, body),
  );
}

/** Loads a classic script once (vendored UMD files); CSP allows 'self' scripts. */
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(
      src,
      new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = src;
        el.async = false;
        el.addEventListener('load', () => resolve());
        el.addEventListener('error', () => {
          scripts.delete(src);
          reject(new Error(`cannot load ${src}`));
        });
        document.head.appendChild(el);
      }),
    );
  }
  return scripts.get(src);
}

/** Debounce helper. */
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** Shows a short message at the bottom of the screen. */
export function toast(text, kind = 'info') {
  let host = document.getElementById('toasts');
  if (!host) {
    host = h('div', { id: 'toasts', class: 'toasts' });
    document.body.appendChild(host);
  }
  const el = h('div', { class: ['toast', `toast-${kind}`], testid: 'toast' }, text);
  host.appendChild(el);
  setTimeout(() => el.remove(), 4000);
}
