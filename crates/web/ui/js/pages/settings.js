// Settings (#/settings): your password; for admins, accounts, API tokens and Sightline's audit log.
import { h, mount, card, badge, errorBox, toast } from '../dom.js';
import { get, post, del, enc, session } from '../api.js';
import { time, ago } from '../format.js';
import { table } from '../table.js';

export const title = 'Settings';

const ROLES = ['viewer', 'analyst', 'admin'];

const roleSelect = (value, testid) => h('select', { testid }, ROLES.map((r) => h('option', { value: r, selected: r === value }, r)));

/** A form whose submit runs `action`, showing its error inline and disabling the button meanwhile. */
function form(testid, fields, buttonText, action) {
  const error = h('div', { class: 'error-box', role: 'alert', hidden: true, testid: `${testid}-error` });
  const button = h('button', { type: 'submit', class: 'btn btn-primary', testid: `${testid}-submit` }, buttonText);
  const el = h('form', { class: 'settings-form', testid }, fields, h('div', { class: 'row' }, button), error);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      await action();
    } catch (err) {
      mount(error, err.message || String(err));
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

const field = (label, input, help) => h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, help ? h('span', { class: 'field-help' }, help) : null);

export async function render(view, ctx) {
  const admin = session.user && session.user.role === 'admin';
  const sections = [passwordCard()];
  if (admin) {
    const accountsEl = h('div', { testid: 'accounts' });
    const tokensEl = h('div', { testid: 'tokens' });
    const auditEl = h('div', { testid: 'audit' });
    sections.push(h('div', { class: 'grid-2' }, accountsEl, tokensEl), auditEl);
    mount(view, h('div', { class: 'page', testid: 'settings-page' }, sections));
    await Promise.all([renderAccounts(accountsEl, ctx), renderTokens(tokensEl, ctx), renderAudit(auditEl, ctx, {})]);
  } else {
    mount(view, h('div', { class: 'page', testid: 'settings-page' }, sections));
  }
  if (ctx.alive()) ctx.ready();
}

function passwordCard() {
  const current = h('input', { type: 'password', autocomplete: 'current-password', testid: 'password-current' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', testid: 'password-new' });
  const f = form('password-form', [field('Current password', current), field('New password', next, 'At least 12 characters. Your other sessions end.')], 'Change password', async () => {
    const me = await post('/api/auth/password', { current_password: current.value, new_password: next.value });
    session.user = me;
    session.csrf = me.csrf_token;
    current.value = '';
    next.value = '';
    toast('Password changed.', 'ok');
  });
  return card(`Your account: ${session.user ? session.user.username : ''}`, f, { testid: 'password-card' });
}

async function renderAccounts(el, ctx) {
  let accounts;
  try {
    accounts = await get('/api/accounts');
  } catch (err) {
    mount(el, card('Accounts', errorBox(err)));
    return;
  }
  if (!ctx.alive()) return;
  const reload = () => renderAccounts(el, ctx);
  const rows = table(
    [
      { title: 'Username', render: (a) => a.username },
      {
        title: 'Role',
        render: (a) => {
          const sel = roleSelect(a.role, 'account-role');
          sel.addEventListener('change', async () => {
            try {
              await post(`/api/accounts/${enc(a.username)}`, { role: sel.value });
              toast(`${a.username} is now ${sel.value}.`, 'ok');
            } catch (err) {
              toast(err.message, 'error');
              sel.value = a.role;
            }
          });
          return sel;
        },
      },
      { title: 'Created', render: (a) => h('span', { title: time(a.created_at) }, ago(a.created_at)) },
      {
        title: '',
        render: (a) =>
          h('span', { class: 'row' },
            h('button', { class: 'btn btn-small', type: 'button', testid: 'account-reset', on: { click: () => resetPassword(a.username) } }, 'Reset password'),
            a.username === session.user.username
              ? null
              : h('button', { class: 'btn btn-small', type: 'button', testid: 'account-delete', on: { click: () => removeAccount(a.username, reload) } }, 'Delete'),
          ),
      },
    ],
    accounts,
    { testid: 'accounts-table', rowTestid: 'account-row' },
  );
  const username = h('input', { type: 'text', autocomplete: 'off', testid: 'account-username' });
  const password = h('input', { type: 'password', autocomplete: 'new-password', testid: 'account-password' });
  const role = roleSelect('viewer', 'account-new-role');
  const add = form('account-form', [h('div', { class: 'row' }, field('Username', username), field('Password', password, 'At least 12 characters.'), field('Role', role))], 'Add account', async () => {
    await post('/api/accounts', { username: username.value.trim(), password: password.value, role: role.value });
    toast(`Added ${username.value.trim()}.`, 'ok');
    reload();
  });
  mount(el, card('Accounts', [rows, h('h3', { class: 'settings-sub' }, 'Add an account'), add], { testid: 'accounts-card' }));
}

async function resetPassword(username) {
  const password = prompt(`New password for ${username} (at least 12 characters). Their sessions end.`);
  if (!password) return;
  try {
    await post(`/api/accounts/${enc(username)}`, { password });
    toast(`The password of ${username} was reset.`, 'ok');
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function removeAccount(username, reload) {
  if (!confirm(`Delete the account ${username}? Its sessions end and its API tokens stop working.`)) return;
  try {
    await del(`/api/accounts/${enc(username)}`);
    toast(`Deleted ${username}.`, 'ok');
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

async function renderTokens(el, ctx, created = null) {
  let tokens;
  try {
    tokens = await get('/api/tokens');
  } catch (err) {
    mount(el, card('API tokens', errorBox(err)));
    return;
  }
  if (!ctx.alive()) return;
  const reload = (made) => renderTokens(el, ctx, made);
  const state = (t) => (t.revoked_at ? badge('revoked', 'neutral') : t.expires_at && new Date(t.expires_at) < new Date() ? badge('expired', 'neutral') : badge('active', 'ok'));
  const rows = table(
    [
      { title: 'Name', render: (t) => t.name },
      { title: 'Id', render: (t) => h('code', null, t.id) },
      { title: 'Role', render: (t) => badge(t.role, 'role') },
      { title: 'Acts as', render: (t) => t.created_by },
      { title: 'Expires', render: (t) => (t.expires_at ? time(t.expires_at) : 'never') },
      { title: 'Last used', render: (t) => (t.last_used_at ? ago(t.last_used_at) : '–') },
      { title: 'State', render: state },
      {
        title: '',
        render: (t) =>
          t.revoked_at
            ? ''
            : h('button', {
                class: 'btn btn-small',
                type: 'button',
                testid: 'token-revoke',
                on: {
                  click: async () => {
                    if (!confirm(`Revoke the token ${t.name}? Scripts using it stop working at once.`)) return;
                    try {
                      await del(`/api/tokens/${enc(t.id)}`);
                      reload();
                    } catch (err) {
                      toast(err.message, 'error');
                    }
                  },
                },
              }, 'Revoke'),
      },
    ],
    tokens,
    { testid: 'tokens-table', rowTestid: 'token-row', emptyText: 'No API tokens yet.' },
  );
  const name = h('input', { type: 'text', autocomplete: 'off', placeholder: 'e.g. nightly export', testid: 'token-name' });
  const role = roleSelect('viewer', 'token-role');
  const days = h('select', { testid: 'token-days' }, [[30, '30 days'], [90, '90 days'], [365, '1 year'], [0, 'never']].map(([v, t]) => h('option', { value: v, selected: v === 90 }, t)));
  const add = form('token-form', [h('div', { class: 'row' }, field('Name', name), field('Role', role), field('Expires in', days))], 'Create token', async () => {
    const made = await post('/api/tokens', { name: name.value.trim(), role: role.value, expires_in_days: Number(days.value) });
    reload(made);
  });
  const secret = created
    ? h('div', { class: 'token-secret', testid: 'token-secret-box' },
        h('p', null, h('strong', null, 'Copy this token now: '), 'it is shown once. Send it as ', h('code', null, 'Authorization: Bearer …'), '.'),
        h('code', { class: 'token-value', testid: 'token-secret' }, created.token))
    : null;
  mount(el, card('API tokens', [secret, rows, h('h3', { class: 'settings-sub' }, 'Create a token for automation'), add], { testid: 'tokens-card' }));
}

async function renderAudit(el, ctx, filters) {
  const actor = h('input', { type: 'search', placeholder: 'Actor', value: filters.actor || '', testid: 'audit-actor' });
  const action = h('input', { type: 'search', placeholder: 'Action, or a prefix like account.', value: filters.action || '', testid: 'audit-action' });
  const outcome = h('select', { testid: 'audit-outcome' }, [['', 'Any outcome'], ['success', 'success'], ['failure', 'failure'], ['denied', 'denied']].map(([v, t]) => h('option', { value: v, selected: (filters.outcome || '') === v }, t)));
  const apply = () => renderAudit(el, ctx, { actor: actor.value.trim(), action: action.value.trim(), outcome: outcome.value });
  for (const input of [actor, action]) input.addEventListener('keydown', (e) => e.key === 'Enter' && apply());
  outcome.addEventListener('change', apply);
  const listEl = h('div', { testid: 'audit-list' }, h('div', { class: 'muted' }, 'Loading…'));
  mount(el, card("Sightline's audit log", [h('div', { class: 'filter-bar' }, actor, action, outcome), listEl], { testid: 'audit-card' }));
  let page;
  try {
    page = await get('/api/audit', { ...filters, before: filters.before, limit: 100 });
  } catch (err) {
    mount(listEl, errorBox(err));
    return;
  }
  if (!ctx.alive()) return;
  const outcomeKind = { success: 'ok', failure: 'bad', denied: 'high' };
  const detail = (e) => {
    const d = e.detail || {};
    if (e.action === 'query') return h('code', { class: 'audit-sql' }, d.sql || '');
    return Object.entries(d)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' · ');
  };
  mount(
    listEl,
    table(
      [
        { title: 'When', render: (e) => h('span', { title: ago(e.at) }, time(e.at)) },
        { title: 'Actor', render: (e) => e.actor },
        { title: 'Via', render: (e) => e.via },
        { title: 'Action', render: (e) => h('code', null, e.action) },
        { title: 'Target', render: (e) => e.target || '' },
        { title: 'Outcome', render: (e) => badge(e.outcome, outcomeKind[e.outcome] || 'neutral', { testid: 'audit-outcome-badge' }) },
        { title: 'Client', render: (e) => e.client_ip || '' },
        { title: 'ms', render: (e) => (e.duration_ms === null || e.duration_ms === undefined ? '' : String(e.duration_ms)), class: 'num' },
        { title: 'Detail', render: detail },
      ],
      page.entries,
      { testid: 'audit-table', rowTestid: 'audit-row', emptyText: 'No entries match.' },
    ),
    page.next_before
      ? h('div', { class: 'pager' }, h('button', { class: 'btn btn-small', type: 'button', testid: 'audit-older', on: { click: () => renderAudit(el, ctx, { ...filters, before: page.next_before }) } }, 'Older ›'))
      : null,
  );
}
