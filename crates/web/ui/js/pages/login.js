// Sign in (#/login).
import { h, mount } from '../dom.js';
import { get, login } from '../api.js';
import { signedIn } from '../router.js';

export const title = 'Sign in';

export async function render(view, ctx) {
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, testid: 'login-username', id: 'login-username' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, testid: 'login-password', id: 'login-password' });
  const error = h('div', { class: 'error-box', testid: 'login-error', role: 'alert', hidden: true });
  // A refused sign-in with Okta comes back as #/login?error=...; shown as text.
  const refused = ctx.params && ctx.params.get('error');
  if (refused) {
    error.textContent = refused;
    error.hidden = false;
  }
  // Sign-in with Okta, when configured: a plain link (a top-level navigation to the provider).
  const oidc = h('div', { class: 'login-oidc', testid: 'login-oidc', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', testid: 'login-submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'login-form', testid: 'login-form', novalidate: true },
    h('div', { class: 'login-brand' }, h('span', { class: 'brand-mark' }), 'Sightline'),
    h('p', { class: 'muted' }, 'Sign in to explore your Okta access graph, activity and alerts.'),
    h('label', { for: 'login-username' }, 'Username'),
    username,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    error,
    submit,
    oidc,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!username.value || !password.value) {
      error.textContent = 'Enter your username and password.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await login(username.value, password.value);
      password.value = '';
      signedIn();
    } catch (err) {
      error.textContent =
        err.status === 401 ? 'Wrong username or password.' : err.status === 429 ? 'Too many attempts; wait a moment and try again.' : err.message;
      error.hidden = false;
      password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  mount(view, h('div', { class: 'login-page', testid: 'login-page' }, form));
  try {
    const methods = await get('/api/auth/methods');
    if (methods && methods.oidc && methods.oidc.enabled) {
      mount(
        oidc,
        h('p', { class: 'muted' }, 'or'),
        h('a', { class: 'btn btn-block', href: methods.oidc.start || '/api/auth/oidc/start', testid: 'login-oidc-start' }, methods.oidc.label || 'Sign in with Okta'),
      );
      oidc.hidden = false;
    }
  } catch {
    /* password sign-in still works */
  }
  username.focus();
  ctx.ready();
}
