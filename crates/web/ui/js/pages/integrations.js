// Integrations (#/integrations): status per integration; set-up wizard (#/integrations/new).
import { h, mount, card, badge, errorBox, empty, toast } from '../dom.js';
import { get, post, enc } from '../api.js';
import { num, time, ago, duration } from '../format.js';
import { table } from '../table.js';
import { runProgress, progressBar } from '../progress.js';
import { navigate } from '../router.js';

export const title = 'Integrations';

const STATUS_KIND = { ok: 'ok', syncing: 'info', error: 'critical', configured: 'neutral' };

/** The status chip of an integration, with progress while syncing. */
export function integrationStatus(i) {
  const running = i.last_run && i.last_run.status === 'running';
  const status = running && i.status !== 'error' ? 'syncing' : i.status || 'configured';
  const p = running ? runProgress(i.last_run) : null;
  return badge(`${status}${p && p.text ? ` · ${p.text}` : ''}`, STATUS_KIND[status] || 'neutral', { testid: 'integration-status', dataset: { status } });
}

export async function render(view, ctx) {
  if (ctx.segments[1] === 'new') return renderWizard(view, ctx);
  ctx.setTitle('Integrations');
  const expanded = new Set();
  const listEl = h('div', { class: 'integration-list', testid: 'integrations' });
  mount(
    view,
    h(
      'div',
      { class: 'page' },
      h(
        'div',
        { class: 'page-actions' },
        h('p', { class: 'muted' }, 'Okta organisations Sightline scans and whose System Log it streams.'),
        h('a', { class: 'btn btn-primary', href: '#/integrations/new', testid: 'integration-new' }, 'Set up new integration'),
      ),
      listEl,
    ),
  );
  let timer = null;
  ctx.cleanup(() => clearTimeout(timer));
  async function refresh() {
    let delay = 15000;
    try {
      const list = await get('/api/integrations');
      if (!ctx.alive()) return;
      if (!list || list.length === 0) {
        mount(listEl, empty('No integration yet. Set one up to start scanning an Okta org.'));
      } else {
        mount(listEl, list.map((i) => integrationCard(i, expanded)));
        if (list.some((i) => i.status === 'syncing' || (i.last_run && i.last_run.status === 'running'))) delay = 3000;
      }
      ctx.ready();
    } catch (e) {
      if (!ctx.alive()) return;
      mount(listEl, errorBox(e));
    }
    if (ctx.alive()) timer = setTimeout(refresh, delay);
  }
  await refresh();
}

function every(seconds) {
  if (!seconds) return '–';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function integrationCard(i, expanded) {
  const run = i.last_run;
  const p = run ? runProgress(run) : null;
  const counts = i.counts || {};
  const runsBox = h('div', { class: 'runs', testid: 'integration-runs' });
  const toggle = h('button', { class: 'btn btn-small', testid: 'integration-runs-toggle' }, expanded.has(i.name) ? 'Hide runs' : 'Show runs');
  async function loadRuns() {
    mount(runsBox, h('div', { class: 'muted' }, 'Loading runs…'));
    try {
      const runs = await get(`/api/integrations/${enc(i.name)}/runs`);
      mount(
        runsBox,
        table(
          [
            { title: 'Run', render: (r) => `#${r.id}` },
            { title: 'Kind', render: (r) => r.kind },
            { title: 'Status', render: (r) => badge(r.status, r.status === 'succeeded' ? 'ok' : r.status === 'failed' ? 'critical' : 'info') },
            { title: 'Started', render: (r) => time(r.started_at) },
            { title: 'Took', render: (r) => (r.finished_at ? duration(new Date(r.finished_at) - new Date(r.started_at)) : 'running') },
            { title: 'Progress', render: (r) => runProgress(r).text || '' },
            { title: 'Error', render: (r) => (r.error ? h('span', { class: 'error-text' }, r.error) : '') },
          ],
          runs || [],
          { rowTestid: 'integration-run', emptyText: 'No runs yet.' },
        ),
      );
    } catch (e) {
      mount(runsBox, errorBox(e));
    }
  }
  toggle.addEventListener('click', () => {
    if (expanded.has(i.name)) {
      expanded.delete(i.name);
      runsBox.replaceChildren();
      toggle.textContent = 'Show runs';
    } else {
      expanded.add(i.name);
      toggle.textContent = 'Hide runs';
      loadRuns();
    }
  });
  if (expanded.has(i.name)) loadRuns();

  const kv = (k, v, testid) => h('div', { class: 'kv', testid }, h('span', { class: 'kv-k' }, k), h('span', { class: 'kv-v' }, v));
  return h(
    'section',
    { class: 'card integration-card', testid: 'integration-card', dataset: { name: i.name } },
    h(
      'header',
      { class: 'card-head' },
      h('h2', null, i.name),
      integrationStatus(i),
      h('span', { class: 'muted' }, i.org_url),
      h('span', { class: 'spacer' }),
      i.origin ? badge(i.origin === 'ui' ? 'added in UI' : `from ${i.origin}`, 'neutral') : null,
    ),
    h(
      'div',
      { class: 'card-body' },
      h(
        'div',
        { class: 'kv-grid' },
        kv('Features', [i.resources ? 'resource scan' : null, i.system_log ? 'System Log' : null].filter(Boolean).join(' + ') || 'none'),
        kv('Last success', i.last_success ? `${time(i.last_success)} (${ago(i.last_success)})` : 'never', 'integration-last-success'),
        kv('Next scan', i.next_scan ? `${time(i.next_scan)} (${ago(i.next_scan)})` : '–', 'integration-next-scan'),
        i.scan_interval_seconds ? kv('Intervals', `scan every ${every(i.scan_interval_seconds)}, System Log every ${every(i.log_poll_interval_seconds)}`) : null,
        i.last_log_run ? kv('Last System Log poll', `${i.last_log_run.status} ${ago(i.last_log_run.finished_at || i.last_log_run.started_at)}`, 'integration-last-log-run') : null,
      ),
      Object.keys(counts).length
        ? h('div', { class: 'chips integration-counts', testid: 'integration-counts' }, Object.entries(counts).map(([k, v]) => badge(`${k.replace(/_/g, ' ')}: ${num(v)}`, 'neutral')))
        : null,
      run
        ? h(
            'div',
            { class: 'last-run', testid: 'integration-last-run' },
            h('div', { class: 'last-run-head' }, h('strong', null, `Last run: ${run.kind} `), badge(run.status, run.status === 'succeeded' ? 'ok' : run.status === 'failed' ? 'critical' : 'info'), h('span', { class: 'muted' }, ` started ${ago(run.started_at)}${run.finished_at ? `, took ${duration(new Date(run.finished_at) - new Date(run.started_at))}` : ''}`)),
            run.status === 'running' ? h('div', { class: 'run-progress' }, progressBar(p.pct, 'integration-progress'), h('span', { class: 'muted' }, p.text || 'working…')) : null,
            run.error ? h('div', { class: 'error-text' }, run.error) : null,
          )
        : null,
      i.last_error
        ? h('div', { class: ['error-box', i.status !== 'error' && 'error-box-old'], testid: 'integration-error' }, i.status === 'error' ? 'Last error: ' : 'Earlier error (a later run succeeded): ', i.last_error)
        : null,
      i.hints && i.hints.length
        ? h('div', { class: 'hints', testid: 'integration-hints' }, h('strong', null, 'Troubleshooting'), h('ul', null, i.hints.map((t) => h('li', null, t))))
        : null,
      h('div', { class: 'card-foot' }, toggle),
      runsBox,
    ),
  );
}

// ---- Wizard ----

function renderWizard(view, ctx) {
  ctx.setTitle('New Okta integration');
  const state = {
    step: 1,
    name: '',
    org_url: '',
    method: 'ssws',
    token: '',
    client_id: '',
    key: null, // {key_id, public_jwk}
    resources: true,
    system_log: true,
    scan_interval: '30m',
    log_poll_interval: '60s',
    validation: null,
  };
  const root = h('div', { class: 'page wizard', testid: 'wizard' });
  mount(view, root);

  function auth() {
    return state.method === 'ssws' ? { method: 'ssws', token: state.token } : { method: 'oauth', client_id: state.client_id, key_id: state.key && state.key.key_id };
  }

  function stepper() {
    const steps = ['Organisation', 'Credentials', 'Features'];
    return h(
      'ol',
      { class: 'stepper', testid: 'wizard-steps' },
      steps.map((s, i) => h('li', { class: [i + 1 === state.step && 'current', i + 1 < state.step && 'done'] }, `${i + 1}. ${s}`)),
    );
  }

  const errorEl = h('div', { class: 'error-box', testid: 'wizard-error', hidden: true, role: 'alert' });
  function showError(reason, hint) {
    mount(
      errorEl,
      h('div', { class: 'wizard-error-reason', testid: 'wizard-error-reason' }, reason),
      hint ? h('div', { class: 'wizard-error-hint', testid: 'wizard-error-hint' }, h('strong', null, 'Hint: '), hint) : null,
    );
    errorEl.hidden = false;
  }
  function hideError() {
    errorEl.hidden = true;
    errorEl.replaceChildren();
  }

  function field(labelText, input, help) {
    return h('label', { class: 'field' }, h('span', { class: 'field-label' }, labelText), input, help ? h('span', { class: 'field-help' }, help) : null);
  }
  function bind(input, key, type = 'value') {
    input.addEventListener('input', () => {
      state[key] = type === 'checked' ? input.checked : input.value.trim();
    });
    input.addEventListener('change', () => {
      state[key] = type === 'checked' ? input.checked : input.value.trim();
    });
    return input;
  }

  const checksEl = h('div', { class: 'checks', testid: 'wizard-checks' });
  function renderChecks(checks) {
    mount(
      checksEl,
      (checks || []).map((c) =>
        h('div', { class: ['check', c.ok ? 'check-ok' : 'check-fail'], testid: 'wizard-check', dataset: { ok: c.ok ? 'true' : 'false' } }, h('span', { class: 'check-icon' }, c.ok ? '✓' : '✗'), h('strong', null, c.feature), h('span', { class: 'muted' }, c.detail || '')),
      ),
    );
  }

  async function validate(button) {
    hideError();
    if (!state.org_url) return showError('Enter the org URL first (step 1).');
    if (state.method === 'ssws' && !state.token) return showError('Enter the API token.');
    if (state.method === 'oauth' && (!state.client_id || !state.key)) return showError('Generate a key pair and enter the client id of the API service app.');
    button.disabled = true;
    const label = button.textContent;
    button.textContent = 'Validating…';
    mount(checksEl, h('div', { class: 'muted' }, 'Checking the credentials against the org…'));
    try {
      const res = await post('/api/integrations/validate', { org_url: state.org_url, auth: auth() });
      state.validation = res;
      renderChecks(res.checks);
      if (res.ok) {
        checksEl.prepend(h('div', { class: 'ok-box', testid: 'wizard-valid' }, 'Credentials work.'));
      } else {
        showError(res.reason || 'Validation failed.', res.hint);
      }
    } catch (e) {
      checksEl.replaceChildren();
      showError(e.body && e.body.reason ? e.body.reason : e.message, e.body && e.body.hint);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function draw() {
    hideError();
    let body;
    if (state.step === 1) {
      const url = bind(h('input', { type: 'url', value: state.org_url, placeholder: 'https://your-org.okta.com', testid: 'wizard-org-url', required: true }), 'org_url');
      const name = bind(h('input', { type: 'text', value: state.name, placeholder: 'acme', testid: 'wizard-name', required: true }), 'name');
      url.addEventListener('blur', () => {
        if (!name.value && url.value) {
          const m = /^https?:\/\/([^./:]+)/.exec(url.value.trim());
          if (m) {
            name.value = m[1].replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
            state.name = name.value;
          }
        }
      });
      body = [
        field('Okta organisation URL', url, 'The admin-free URL of your org, e.g. https://acme.okta.com (plain http only for loopback test orgs).'),
        field('Name', name, 'A short name for this integration, used in alerts and tables.'),
        h('div', { class: 'wizard-nav' }, h('a', { class: 'btn', href: '#/integrations', testid: 'wizard-cancel' }, 'Cancel'), nextButton(() => {
          if (!state.org_url || !/^https?:\/\/.+/.test(state.org_url)) return showError('Enter the org URL, starting with https://');
          if (!/^[A-Za-z0-9_-]{1,40}$/.test(state.name)) return showError('Name: 1 to 40 letters, digits, “-” or “_”.');
          return true;
        })),
      ];
    } else if (state.step === 2) {
      const ssws = h('input', { type: 'radio', name: 'method', value: 'ssws', checked: state.method === 'ssws', testid: 'wizard-method-ssws' });
      const oauth = h('input', { type: 'radio', name: 'method', value: 'oauth', checked: state.method === 'oauth', testid: 'wizard-method-oauth' });
      for (const r of [ssws, oauth])
        r.addEventListener('change', () => {
          state.method = r.value;
          draw();
        });
      let creds;
      if (state.method === 'ssws') {
        creds = [
          field(
            'API token (SSWS)',
            bind(h('input', { type: 'password', value: state.token, autocomplete: 'off', testid: 'wizard-token', placeholder: '00abc…' }), 'token'),
            'Okta Admin Console → Security → API → Tokens → Create token. The token has the rights of the admin who creates it: use a Read-Only Administrator.',
          ),
        ];
      } else {
        const jwkBox = h('div', { class: 'jwk', testid: 'wizard-jwk-box' });
        const showKey = () => {
          if (!state.key) {
            mount(jwkBox, h('p', { class: 'muted' }, 'Sightline generates the key pair and keeps the private key (encrypted). Paste the public key into the Okta app.'));
            return;
          }
          const text = JSON.stringify(state.key.public_jwk, null, 2);
          const copy = h('button', { type: 'button', class: 'btn btn-small', testid: 'wizard-copy-jwk' }, 'Copy');
          copy.addEventListener('click', () => copyText(text).then(() => toast('Public key copied')));
          mount(jwkBox, h('div', { class: 'jwk-head' }, h('span', null, 'Public key (JWK), key id '), h('code', { testid: 'wizard-key-id' }, state.key.key_id), copy), h('pre', { class: 'code', testid: 'wizard-jwk' }, text));
        };
        const gen = h('button', { type: 'button', class: 'btn', testid: 'wizard-generate-key' }, state.key ? 'Generate a new key' : 'Generate key pair');
        gen.addEventListener('click', async () => {
          gen.disabled = true;
          try {
            state.key = await post('/api/integrations/keys', {});
            showKey();
            gen.textContent = 'Generate a new key';
          } catch (e) {
            showError(e.message);
          } finally {
            gen.disabled = false;
          }
        });
        showKey();
        creds = [
          h('ol', { class: 'howto' }, h('li', null, 'In Okta: Applications → Create App Integration → API Services.'), h('li', null, 'Client authentication: Public key / Private key; add the public key below. Keep DPoP required (the default).'), h('li', null, 'Okta API Scopes: grant okta.users.read, okta.groups.read, okta.apps.read, okta.roles.read, okta.logs.read (and okta.apiTokens.read).'), h('li', null, 'Admin roles: give the app the Read-Only Administrator role.')),
          gen,
          jwkBox,
          field('Client ID', bind(h('input', { type: 'text', value: state.client_id, testid: 'wizard-client-id', placeholder: '0oa…' }), 'client_id')),
        ];
      }
      const validateBtn = h('button', { type: 'button', class: 'btn', testid: 'wizard-validate' }, 'Validate');
      validateBtn.addEventListener('click', () => validate(validateBtn));
      body = [
        h('div', { class: 'radio-row' }, h('label', null, ssws, ' SSWS API token'), h('label', null, oauth, ' OAuth 2.0 (private key JWT + DPoP)')),
        creds,
        h('div', { class: 'validate-row' }, validateBtn, h('span', { class: 'muted' }, 'Checks the org URL, the credentials and each feature’s read access.')),
        checksEl,
        h('div', { class: 'wizard-nav' }, backButton(), nextButton(() => {
          if (state.method === 'ssws' && !state.token) return showError('Enter the API token.');
          if (state.method === 'oauth' && !state.client_id) return showError('Enter the client id.');
          return true;
        })),
      ];
      if (state.validation) renderChecks(state.validation.checks);
    } else {
      const res = bind(h('input', { type: 'checkbox', checked: state.resources, testid: 'wizard-resources' }), 'resources', 'checked');
      const logs = bind(h('input', { type: 'checkbox', checked: state.system_log, testid: 'wizard-system-log' }), 'system_log', 'checked');
      const save = h('button', { type: 'button', class: 'btn btn-primary', testid: 'wizard-save' }, 'Save and start syncing');
      save.addEventListener('click', async () => {
        hideError();
        if (!state.resources && !state.system_log) return showError('Enable at least one feature.');
        save.disabled = true;
        save.textContent = 'Saving…';
        try {
          await post('/api/integrations', {
            name: state.name,
            org_url: state.org_url,
            auth: auth(),
            resources: state.resources,
            system_log: state.system_log,
            scan_interval: state.scan_interval,
            log_poll_interval: state.log_poll_interval,
          });
          toast(`Integration ${state.name} saved; the first scan is starting.`, 'ok');
          navigate('#/integrations');
        } catch (e) {
          showError(e.body && e.body.reason ? e.body.reason : e.message, e.body && e.body.hint);
        } finally {
          save.disabled = false;
          save.textContent = 'Save and start syncing';
        }
      });
      body = [
        h('label', { class: 'check-field' }, res, h('span', null, h('strong', null, 'Resource scan'), h('span', { class: 'muted' }, ' — users, groups, apps, admin roles and API tokens into the access graph'))),
        field('Scan interval', bind(h('input', { type: 'text', value: state.scan_interval, testid: 'wizard-scan-interval' }), 'scan_interval'), 'e.g. 30m, 1h'),
        h('label', { class: 'check-field' }, logs, h('span', null, h('strong', null, 'System Log export'), h('span', { class: 'muted' }, ' — audit events into the Activity Center and detections'))),
        field('Log poll interval', bind(h('input', { type: 'text', value: state.log_poll_interval, testid: 'wizard-log-interval' }), 'log_poll_interval'), 'e.g. 60s'),
        h('div', { class: 'wizard-summary muted' }, `${state.name} · ${state.org_url} · ${state.method === 'ssws' ? 'SSWS token' : 'OAuth client ' + state.client_id}`),
        h('div', { class: 'wizard-nav' }, backButton(), save),
      ];
    }
    body.splice(body.length - 1, 0, errorEl);
    mount(root, card('Set up an Okta integration', [stepper(), h('div', { class: 'wizard-body', testid: `wizard-step-${state.step}` }, body)]));
    const first = root.querySelector('.wizard-body input:not([type=radio]):not([type=checkbox])');
    if (first) first.focus();
  }

  function nextButton(check) {
    const b = h('button', { type: 'button', class: 'btn btn-primary', testid: 'wizard-next' }, 'Next');
    b.addEventListener('click', () => {
      if (check() === true) {
        state.step += 1;
        draw();
      }
    });
    return b;
  }
  function backButton() {
    const b = h('button', { type: 'button', class: 'btn', testid: 'wizard-back' }, 'Back');
    b.addEventListener('click', () => {
      state.step -= 1;
      draw();
    });
    return b;
  }

  draw();
  ctx.ready();
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = h('textarea', { class: 'offscreen' });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

