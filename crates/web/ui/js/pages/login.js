// Sign in (#/login).
import { h, mount } from '../dom.js';
import { login } from '../api.js';
import { signedIn } from '../router.js';

export const title = 'Sign in';

export async function render(view, ctx) {
  const username = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, testid: 'login-username', id: 'login-username' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, testid: 'login-password', id: 'login-password' });
  const error = h('div', { class: 'error-box', testid: 'login-error', role: 'alert', hidden: true });
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
  username.focus();
  ctx.ready();
}
