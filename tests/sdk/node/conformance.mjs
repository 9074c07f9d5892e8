#!/usr/bin/env node
// Conformance run of Okta's official Node SDK (@okta/okta-sdk-nodejs) against an Okta org or
// simulator.  Same contract as tests/sdk/python/conformance.py:
//
//   OKTA_ORG_URL, OKTA_API_TOKEN, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY_FILE, OKTA_KEY_ID  (required)
//   OKTA_SCOPES, SDK_PAGE_LIMIT (3), SDK_LOG_SINCE (7 days ago), SDK_LOG_PAGES (2),
//   SDK_USER_SEARCH (status eq "ACTIVE"), SDK_SKIP (comma list of endpoint keys), SDK_NO_OAUTH=1
//   SDK_NODE_TYPECHECK=strict|warn (strict): see "Model checks" below
//
// With an SSWS client it pages through every list endpoint a read-only collector uses (the SDK's
// own Collection paging, following the absolute `rel="next"` Link URL; the IAM wrapper objects by
// `_links.next.href` -> `after`), then with an OAuth client (private_key_jwt, DPoP) lists users and
// groups again.  Prints ONE JSON object on stdout; exits non-zero with a message on any failure.
//
// Model checks: the SDK deserializes every object into its model classes (ObjectSerializer), which
// never rejects anything at run time (dates become Invalid Date, unknown discriminators fall back).
// So each object is also checked against the SDK's own TypeScript declarations
// (src/types/generated/models/*.d.ts): the class the discriminator chose, required properties,
// primitive types, valid dates and string-literal enums.
//
// OAuth: the SDK has no DPoP switch (src/oauth.js, src/http.js, src/dpop.js): it always sends a
// DPoP proof (signed with the client's own private key, jwk = its public part incl. kid/alg) with
// the token request, and switches to `Authorization: DPoP` + a fresh proof per request (htu = URL
// without query, no nonce, ath) only after the token endpoint answered `use_dpop_nonce`; a token
// issued without that challenge is used as `Bearer`, whatever its token_type.  The 400 reaches the
// nonce branch only because `.then(Http.errorFilter)` in oauth.js is a no-op (`require('./http')`
// is `{ Http }`, so `Http.errorFilter` is undefined) — which also means a failed token request
// surfaces later as a 401 on the API call, not at the token endpoint.  The output reports
// oauth_token_type (from the token response) and oauth_is_dpop (the scheme the SDK used).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const okta = require('@okta/okta-sdk-nodejs');
const sdkVersion = require('@okta/okta-sdk-nodejs/package.json').version;

class ConformanceError extends Error {}

function env(name) {
  const v = process.env[name];
  if (!v) throw new ConformanceError(`environment variable ${name} is not set`);
  return v;
}

const DEFAULT_SCOPES = 'okta.users.read okta.groups.read okta.apps.read okta.roles.read okta.logs.read okta.apiTokens.read';
const ORG_URL = env('OKTA_ORG_URL').replace(/\/+$/, '');
const PAGE_LIMIT = parseInt(process.env.SDK_PAGE_LIMIT || '3', 10);
const SKIP = new Set((process.env.SDK_SKIP || '').split(',').map(s => s.trim()).filter(Boolean));
const TYPECHECK = process.env.SDK_NODE_TYPECHECK || 'strict';

const counts = {};
const pages = {};
const skipped = [];
const typeViolations = [];

function add(key, n, p = 0) {
  counts[key] = (counts[key] || 0) + n;
  pages[key] = (pages[key] || 0) + p;
}

function want(key) {
  if (SKIP.has(key)) {
    if (!skipped.includes(key)) skipped.push(key);
    return false;
  }
  return true;
}

function describe(e) {
  if (!e) return String(e);
  const parts = [e.name || 'Error'];
  if (e.status !== undefined) parts.push(`status=${e.status}`);
  if (e.code !== undefined) parts.push(`code=${e.code}`);
  if (e.errorCode) parts.push(`errorCode=${e.errorCode}`);
  if (e.body) parts.push(`body=${JSON.stringify(e.body).slice(0, 400)}`);
  if (e.headers && typeof e.headers.get === 'function' && e.headers.get('www-authenticate')) {
    parts.push(`www-authenticate=${e.headers.get('www-authenticate')}`);
  } else if (e.headers && e.headers['www-authenticate']) {
    parts.push(`www-authenticate=${e.headers['www-authenticate']}`);
  }
  parts.push(e.message || '');
  return parts.join(' ');
}

// ---- Model checks against the SDK's TypeScript declarations ------------------------------------
const sdkRoot = path.dirname(require.resolve('@okta/okta-sdk-nodejs/package.json'));
const dtsDir = path.join(sdkRoot, 'src', 'types', 'generated', 'models');
const enumValues = new Map();     // type name -> Set of string literals
const classDecls = new Map();     // class name -> { parent, props: Map(name -> {required, nullable}) }
for (const f of fs.readdirSync(dtsDir)) {
  if (!f.endsWith('.d.ts')) continue;
  const src = fs.readFileSync(path.join(dtsDir, f), 'utf8');
  for (const m of src.matchAll(/^export type (\w+) = ((?:'[^']*'(?:\s*\|\s*)?)+);/gm)) {
    enumValues.set(m[1], new Set([...m[2].matchAll(/'([^']*)'/g)].map(x => x[1])));
  }
  for (const m of src.matchAll(/^export declare class (\w+)(?: extends (\w+))? \{([\s\S]*?)^\}/gm)) {
    const props = new Map();
    for (const p of m[3].matchAll(/^  '([^']+)'(\??): ([^;]+);/gm)) {
      props.set(p[1], { required: p[2] !== '?', nullable: /\|\s*null/.test(p[3]) });
    }
    classDecls.set(m[1], { parent: m[2] || null, props });
  }
}

function declaredProps(cls) {
  const out = new Map();
  for (let c = cls; c && classDecls.has(c); c = classDecls.get(c).parent) {
    for (const [k, v] of classDecls.get(c).props) if (!out.has(k)) out.set(k, v);
  }
  return out;
}

function violation(where, msg) {
  typeViolations.push(`${where}: ${msg}`);
}

// Declarations known to be narrower than what Okta itself serves, reported but not fatal: the
// `name` of an app is its catalog key (office365, active_directory, ...), while the SDK declares
// only the template names (WsFederationApplicationNameEnum = 'template_wsfed', ...).
const LENIENT_ENUMS = /ApplicationNameEnum$/;
const lenientNotes = [];

function checkValue(value, type, where, depth) {
  if (value === undefined || value === null || depth > 12) return;
  if (type.endsWith(' | null')) type = type.slice(0, -7);
  if (type === 'any' || type === 'object' || type === '') return;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    if (typeof value !== type) violation(where, `expected ${type}, got ${typeof value} ${JSON.stringify(value)}`);
    return;
  }
  if (type === 'Date') {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) violation(where, `not a valid date: ${value instanceof Date ? String(value) : JSON.stringify(value)}`);
    return;
  }
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (!Array.isArray(value)) { violation(where, `expected an array, got ${typeof value}`); return; }
    value.forEach((v, i) => checkValue(v, m[1], `${where}[${i}]`, depth + 1));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (typeof value !== 'object' || Array.isArray(value)) violation(where, `expected an object map, got ${typeof value}`);
    return;
  }
  if (enumValues.has(type)) {
    if (!enumValues.get(type).has(value)) {
      const msg = `${JSON.stringify(value)} is not one of ${type} {${[...enumValues.get(type)].join(', ')}}`;
      if (LENIENT_ENUMS.test(type)) lenientNotes.push(`${where}: ${msg}`);
      else violation(where, msg);
    }
    return;
  }
  const cls = okta[type];
  if (typeof cls === 'function' && typeof cls.getAttributeTypeMap === 'function') {
    checkModel(value, type, where, depth + 1);
  }
}

function checkModel(obj, expected, where, depth = 0) {
  if (obj === undefined || obj === null) return;
  const expectedCls = okta[expected];
  if (typeof obj !== 'object' || !(expectedCls && obj instanceof expectedCls)) {
    violation(where, `not deserialized into ${expected} (got ${obj && obj.constructor ? obj.constructor.name : typeof obj})`);
    return;
  }
  // Polymorphic models: validate as the concrete class the discriminator chose.
  const actual = obj.constructor.name;
  const cls = okta[actual] || expectedCls;
  const props = declaredProps(actual);
  for (const [name, decl] of props) {
    const attr = cls.getAttributeTypeMap().find(a => a.name === name || a.baseName === name);
    const value = attr ? obj[attr.name] : obj[name];
    if (decl.required && (value === undefined || value === null)) {
      violation(`${where}.${name}`, `required by ${actual} but missing`);
    }
  }
  for (const attr of cls.getAttributeTypeMap()) {
    checkValue(obj[attr.name], attr.type, `${where}.${attr.baseName}`, depth);
  }
}

function checkItems(key, items, expected, allowed) {
  items.forEach((item, i) => {
    const where = `${key}[${i}]${item && item.id ? `(${item.id})` : ''}`;
    if (allowed && !(item && allowed.some(a => item instanceof okta[a]))) {
      violation(where, `expected one of ${allowed.join('|')}, got ${item && item.constructor ? item.constructor.name : typeof item}`);
      return;
    }
    checkModel(item, allowed ? item.constructor.name : expected, where);
  });
}

// ---- paging ------------------------------------------------------------------------------------
// A Collection: the SDK's own paging (getNextPage follows the absolute rel="next" Link URL).
async function collect(key, promise, expected, { allowed, maxPages, allowNext = true } = {}) {
  let col;
  try {
    col = await promise;
  } catch (e) {
    throw new ConformanceError(`${key}: ${describe(e)}`);
  }
  const out = [];
  let n = 0;
  const seen = new Set();
  while (col.nextUri) {
    if (maxPages && n >= maxPages) break;
    let page;
    try {
      page = await col.getNextPage();
    } catch (e) {
      throw new ConformanceError(`${key}: page ${n + 1} (${col.nextUri}): ${describe(e)}`);
    }
    n += 1;
    if (!Array.isArray(page)) throw new ConformanceError(`${key}: page ${n} is not an array`);
    out.push(...page);
    if (col.nextUri) {
      if (!allowNext) {
        throw new ConformanceError(`${key}: the server sent a next page, but the SDK method takes no \`after\`: SDK users can page only through its Collection`);
      }
      if (seen.has(col.nextUri)) throw new ConformanceError(`${key}: next link ${col.nextUri} repeats: endless paging`);
      seen.add(col.nextUri);
      if (!/^https?:\/\//.test(col.nextUri)) throw new ConformanceError(`${key}: next link ${col.nextUri} is not absolute`);
    }
  }
  checkItems(key, out, expected, allowed);
  add(key, out.length, n);
  return out;
}

// An IAM wrapper object ({roles|resource-sets|...: [...], _links: {next: {href}}}): page by `after`.
async function wrapped(key, call, wrapperType, itemsProp, itemType) {
  const out = [];
  let after;
  let n = 0;
  const seen = new Set();
  for (;;) {
    let body;
    try {
      body = await call(after);
    } catch (e) {
      throw new ConformanceError(`${key}: ${describe(e)}`);
    }
    n += 1;
    checkModel(body, wrapperType, `${key}#page${n}`, 0);
    const items = (body && body[itemsProp]) || [];
    out.push(...items);
    const href = body && body._links && body._links.next && body._links.next.href;
    if (!href) break;
    const cursor = new URL(href, ORG_URL).searchParams.get('after');
    if (!cursor) throw new ConformanceError(`${key}: _links.next.href ${href} has no after parameter`);
    if (seen.has(cursor)) throw new ConformanceError(`${key}: cursor ${cursor} repeats: endless paging`);
    seen.add(cursor);
    after = cursor;
  }
  add(key, out.length, n);
  return out;
}

const ROLE_CLASSES = ['StandardRole', 'CustomRole'];
const GROUP_TARGET_ROLES = new Set(['USER_ADMIN', 'HELP_DESK_ADMIN', 'GROUP_MEMBERSHIP_ADMIN']);
const APP_TARGET_ROLES = new Set(['APP_ADMIN']);

async function roleTargets(prefix, roles, groupCall, appCall) {
  for (const r of roles) {
    if (GROUP_TARGET_ROLES.has(r.type) && want(`${prefix}_role_target_groups`)) {
      await collect(`${prefix}_role_target_groups`, groupCall(r.id), 'Group');
    }
    if (APP_TARGET_ROLES.has(r.type) && want(`${prefix}_role_target_apps`)) {
      await collect(`${prefix}_role_target_apps`, appCall(r.id), 'CatalogApplication');
    }
  }
}

async function sswsRun() {
  const c = new okta.Client({ orgUrl: ORG_URL, token: env('OKTA_API_TOKEN'), cacheMiddleware: null });
  const L = PAGE_LIMIT;

  // users
  const users = await collect('users', c.userApi.listUsers({ limit: L }), 'User');
  if (users.some(u => u.status === 'DEPROVISIONED')) {
    throw new ConformanceError('users: the plain listing returned DEPROVISIONED users (Okta omits them)');
  }
  let deprov = [];
  if (want('users_deprovisioned')) {
    deprov = await collect('users_deprovisioned', c.userApi.listUsers({ filter: 'status eq "DEPROVISIONED"', limit: L }), 'User');
    const bad = deprov.filter(u => u.status !== 'DEPROVISIONED').map(u => u.id);
    if (bad.length) throw new ConformanceError(`users_deprovisioned: filter returned other users ${bad.slice(0, 5)}`);
  }
  if (want('users_search')) {
    await collect('users_search', c.userApi.listUsers({ search: process.env.SDK_USER_SEARCH || 'status eq "ACTIVE"', limit: L }), 'User');
  }
  const allUsers = [...users, ...deprov];
  const ids = new Set(allUsers.map(u => u.id));
  if (ids.size !== allUsers.length) throw new ConformanceError('users: duplicate ids across pages');
  counts.users_total = ids.size;

  for (const uid of ids) {
    if (want('user_get')) {
      let u;
      try {
        u = await c.userApi.getUser({ userId: uid });
      } catch (e) {
        throw new ConformanceError(`user_get ${uid}: ${describe(e)}`);
      }
      if (!u || u.id !== uid) throw new ConformanceError(`user_get ${uid}: got ${u && u.id}`);
      checkItems('user_get', [u], 'UserGetSingleton');
      add('user_get', 1, 1);
    }
    if (want('user_groups')) await collect('user_groups', c.userApi.listUserGroups({ userId: uid }), 'Group', { allowNext: false });
    if (want('user_factors')) await collect('user_factors', c.userFactorApi.listFactors({ userId: uid }), 'UserFactor', { allowNext: false });
    if (want('user_roles')) {
      const roles = await collect('user_roles', c.roleAssignmentApi.listAssignedRolesForUser({ userId: uid }), 'StandardRole', { allowed: ROLE_CLASSES, allowNext: false });
      // The listing includes roles inherited through groups (assignmentType GROUP).
      add('user_roles_direct', roles.filter(r => r.assignmentType === 'USER').length);
      await roleTargets('user', roles,
        rid => c.roleTargetApi.listGroupTargetsForRole({ userId: uid, roleId: rid, limit: L }),
        rid => c.roleTargetApi.listApplicationTargetsForApplicationAdministratorRoleForUser({ userId: uid, roleId: rid, limit: L }));
    }
  }

  // groups
  const groups = await collect('groups', c.groupApi.listGroups({ expand: 'stats', limit: L }), 'Group');
  // The SDK models the spec's spelling `hasAdminPrivlege` (sic, GroupEmbeddedStats): a
  // `hasAdminPrivilege` sent by the server is dropped, so this counts what SDK users can see.
  counts.groups_with_admin_privilege = groups.filter(g => {
    const s = g._embedded && g._embedded.stats;
    return s && (s.hasAdminPrivilege || s.hasAdminPrivlege);
  }).length;
  for (const g of groups) {
    if (want('group_members')) await collect('group_members', c.groupApi.listGroupUsers({ groupId: g.id, limit: L }), 'User');
    if (want('group_owners')) await collect('group_owners', c.groupApi.listGroupOwners({ groupId: g.id, limit: L }), 'GroupOwner');
    if (want('group_apps')) await collect('group_apps', c.groupApi.listAssignedApplicationsForGroup({ groupId: g.id, limit: L }), 'Application');
    if (want('group_roles')) {
      const roles = await collect('group_roles', c.roleAssignmentApi.listGroupAssignedRoles({ groupId: g.id }), 'StandardRole', { allowed: ROLE_CLASSES, allowNext: false });
      await roleTargets('group', roles,
        rid => c.roleTargetApi.listGroupTargetsForGroupRole({ groupId: g.id, roleId: rid, limit: L }),
        rid => c.roleTargetApi.listApplicationTargetsForApplicationAdministratorRoleForGroup({ groupId: g.id, roleId: rid, limit: L }));
    }
  }

  // apps
  const apps = await collect('apps', c.applicationApi.listApplications({ limit: L }), 'Application');
  const serviceClients = [];
  for (const a of apps) {
    const k = `apps_${String(a.signOnMode).toLowerCase()}`;
    counts[k] = (counts[k] || 0) + 1;
    if (a.signOnMode === 'OPENID_CONNECT' && a.settings && a.settings.oauthClient
        && a.settings.oauthClient.application_type === 'service') {
      serviceClients.push(a.credentials.oauthClient.client_id);
    }
    if (want('app_users')) await collect('app_users', c.applicationApi.listApplicationUsers({ appId: a.id, limit: L }), 'AppUser');
    // limit >= 20 as for the Python SDK, which enforces the spec's minimum for this endpoint.
    if (want('app_groups')) await collect('app_groups', c.applicationApi.listApplicationGroupAssignments({ appId: a.id, limit: Math.max(L, 20) }), 'ApplicationGroupAssignment');
  }
  counts.service_apps = serviceClients.length;
  for (const cid of serviceClients) {
    if (want('client_roles')) {
      const roles = await collect('client_roles', c.roleAssignmentApi.listRolesForClient({ clientId: cid }), 'StandardRole', { allowed: ROLE_CLASSES, allowNext: false });
      await roleTargets('client', roles,
        rid => c.roleTargetApi.listGroupTargetRoleForClient({ clientId: cid, roleAssignmentId: rid, limit: L }),
        rid => c.roleTargetApi.listAppTargetRoleToClient({ clientId: cid, roleAssignmentId: rid, limit: L }));
    }
  }

  // IAM
  if (want('iam_assignees_users')) {
    await wrapped('iam_assignees_users', after => c.roleAssignmentApi.listUsersWithRoleAssignments({ limit: L, after }), 'RoleAssignedUsers', 'value');
  }
  if (want('custom_roles')) {
    const roles = await wrapped('custom_roles', after => c.customRoleApi.listRoles({ after }), 'IamRoles', 'roles');
    for (const r of roles) {
      if (want('custom_role_permissions')) {
        await wrapped('custom_role_permissions', after => {
          if (after) throw new ConformanceError('custom_role_permissions: a next page, but listRolePermissions takes no `after`');
          return c.customRoleApi.listRolePermissions({ roleIdOrLabel: r.id });
        }, 'Permissions', 'permissions');
      }
    }
  }
  if (want('resource_sets')) {
    const sets = await wrapped('resource_sets', after => c.resourceSetApi.listResourceSets({ after }), 'ResourceSets', 'resource_sets');
    for (const rs of sets) {
      if (want('resource_set_resources')) {
        await wrapped('resource_set_resources', after => c.resourceSetApi.listResourceSetResources({ resourceSetId: rs.id, limit: L, after }), 'ResourceSetResources', 'resources');
      }
      if (want('resource_set_bindings')) {
        const bindings = await wrapped('resource_set_bindings', after => c.resourceSetApi.listBindings({ resourceSetId: rs.id, after }), 'ResourceSetBindings', 'roles');
        for (const b of bindings) {
          if (want('binding_members')) {
            await wrapped('binding_members', after => c.resourceSetApi.listMembersOfBinding({ resourceSetId: rs.id, roleIdOrLabel: b.id, after }), 'ResourceSetBindingMembers', 'members');
          }
        }
      }
    }
  }

  // API tokens, System Log
  if (want('api_tokens')) await collect('api_tokens', c.apiTokenApi.listApiTokens(), 'ApiToken', { allowNext: false });
  if (want('logs')) {
    const since = process.env.SDK_LOG_SINCE || new Date(Date.now() - 7 * 86400e3).toISOString();
    await collect('logs', c.systemLogApi.listLogEvents({ since, limit: Math.max(L, 50) }), 'LogEvent',
      { maxPages: parseInt(process.env.SDK_LOG_PAGES || '2', 10) });
  }
  return users.length;
}

async function oauthRun(result) {
  const c = new okta.Client({
    orgUrl: ORG_URL,
    authorizationMode: 'PrivateKey',
    clientId: env('OKTA_CLIENT_ID'),
    scopes: (process.env.OKTA_SCOPES || DEFAULT_SCOPES).split(/\s+/),
    privateKey: fs.readFileSync(env('OKTA_PRIVATE_KEY_FILE'), 'utf8'),
    keyId: env('OKTA_KEY_ID'),
    cacheMiddleware: null,
  });
  const oauth = c.oauth;
  const users = await collect('oauth_users', c.userApi.listUsers({ limit: PAGE_LIMIT }), 'User');
  await collect('oauth_groups', c.groupApi.listGroups({ limit: PAGE_LIMIT }), 'Group');
  result.oauth_token_type = oauth.accessToken && oauth.accessToken.token_type;
  result.oauth_is_dpop = oauth.isDPoP;
  return users.length;
}

async function main() {
  const result = { sdk: '@okta/okta-sdk-nodejs', version: sdkVersion, org_url: ORG_URL, page_limit: PAGE_LIMIT };
  const sswsUsers = await sswsRun();
  if (process.env.SDK_NO_OAUTH !== '1') {
    const n = await oauthRun(result);
    if (n !== sswsUsers) throw new ConformanceError(`oauth: listed ${n} users with OAuth but ${sswsUsers} with SSWS`);
  }
  result.counts = counts;
  result.pages = pages;
  result.oauth_users = counts.oauth_users;
  result.oauth_groups = counts.oauth_groups;
  result.skipped = skipped;
  result.type_violations = typeViolations.slice(0, 50);
  result.type_violation_count = typeViolations.length;
  result.lenient_type_notes = [...new Set(lenientNotes.map(n => n.replace(/\[\d+\]\([^)]*\)/g, '[]')))].slice(0, 20);
  if (typeViolations.length && TYPECHECK === 'strict') {
    throw new ConformanceError(`${typeViolations.length} objects break the SDK's model declarations, first: \n  ${typeViolations.slice(0, 25).join('\n  ')}`);
  }
  return result;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  main().then(
    res => { process.stdout.write(JSON.stringify(res) + '\n'); },
    err => {
      if (err && err.stack) process.stderr.write(err.stack + '\n');
      process.stderr.write(`FAIL (@okta/okta-sdk-nodejs): ${err instanceof ConformanceError ? '' : 'unexpected '}${err && err.message ? err.message : err}\n`);
      process.exit(1);
    });
}
