-- The dataset of the SQL cases (pg_cases.rs). Plain INSERTs that both SQLite and PostgreSQL
-- accept; the expected rows were produced by PostgreSQL 15 over this data.
INSERT INTO nodes (id, org, kind, sub_kind, name, labels, properties, updated_at) VALUES
('u1', 'https://acme.okta.com', 'identity', 'okta_user', 'alice@acme.com',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com", "tags": ["admin", "eng"], "level": 3}',
 '{"status": "ACTIVE", "login": "alice@acme.com", "mfa": true, "score": 1.50, "profile": {"department": "Eng", "title": "Admin"}}',
 '2026-11-28T10:00:00.000000Z'),
('u2', 'https://acme.okta.com', 'identity', 'okta_user', 'Bob@acme.com',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com", "tags": ["eng"], "level": 1, "a.b": "dotted"}',
 '{"status": "SUSPENDED", "login": "Bob@acme.com", "mfa": false, "score": 2, "profile": {"department": "Sales"}}',
 '2026-11-28T10:00:00.000000Z'),
('u3', 'https://acme.okta.com', 'identity', 'okta_user', 'carol_x@acme.com',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"status": "DEPROVISIONED", "login": "carol_x@acme.com", "mfa": null, "score": null}',
 '2026-11-28T10:00:00.000000Z'),
('g1', 'https://acme.okta.com', 'identity_group', 'okta_group', 'Admins',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"type": "OKTA_GROUP", "members": 1}', '2026-11-28T10:00:00.000000Z'),
('g2', 'https://acme.okta.com', 'identity_group', 'okta_group', 'Everyone',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"type": "BUILT_IN", "members": 3}', '2026-11-28T10:00:00.000000Z'),
('a1', 'https://acme.okta.com', 'resource', 'okta_app', 'Salesforce',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"status": "ACTIVE", "signOnMode": "SAML_2_0"}', '2026-11-28T10:00:00.000000Z'),
('a2', 'https://acme.okta.com', 'resource', 'okta_app', 'GitHub',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"status": "INACTIVE", "signOnMode": "OPENID_CONNECT"}', '2026-11-28T10:00:00.000000Z'),
('r1', 'https://acme.okta.com', 'action', 'okta_role', 'Super Administrator',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"type": "SUPER_ADMIN"}', '2026-11-28T10:00:00.000000Z'),
('t1', 'https://acme.okta.com', 'identity', 'okta_api_token', 'ci-token',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}',
 '{"network": {"connection": "ANYWHERE"}, "owner": "u1"}', '2026-11-28T10:00:00.000000Z'),
('b1', 'https://beta.okta.com', 'identity', 'okta_user', 'dave@beta.com',
 '{"teleport.dev/origin": "okta", "okta/org": "https://beta.okta.com"}',
 '{"status": "ACTIVE", "login": "dave@beta.com"}', '2026-11-28T11:00:00.000000Z'),
('x1', 'aws', 'resource', 'aws_account', 'prod',
 '{"teleport.dev/origin": "aws"}', '{}', NULL);

INSERT INTO edges (id, org, from_id, to_id, kind, properties) VALUES
('e1', 'https://acme.okta.com', 'u1', 'g1', 'member_of', '{}'),
('e2', 'https://acme.okta.com', 'u2', 'g2', 'member_of', '{}'),
('e3', 'https://acme.okta.com', 'u1', 'g2', 'member_of', '{}'),
('e4', 'https://acme.okta.com', 'u3', 'g2', 'member_of', '{}'),
('e5', 'https://acme.okta.com', 'g1', 'a1', 'assigned', '{"priority": 1}'),
('e6', 'https://acme.okta.com', 'u1', 'r1', 'assigned', '{"scope": "org"}'),
('e7', 'https://acme.okta.com', 't1', 'u1', 'owned_by', '{}');

INSERT INTO access_path (identity, identity_id, identity_kind, resource, resource_id, resource_kind,
                         resource_labels, action, kind, standing_privileges, via, org) VALUES
('alice@acme.com', 'u1', 'okta_user', 'Salesforce', 'a1', 'okta_app',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}', 'access', 'ALLOWED', 2,
 '[{"type": "group", "id": "g1"}, {"type": "direct"}]', 'https://acme.okta.com'),
('Bob@acme.com', 'u2', 'okta_user', 'Salesforce', 'a1', 'okta_app',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}', 'access', 'DENIED', 1,
 '[{"type": "group", "id": "g2"}]', 'https://acme.okta.com'),
('alice@acme.com', 'u1', 'okta_user', 'Admins', 'g1', 'okta_group',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}', 'member', 'ALLOWED', 1,
 '[{"type": "direct"}]', 'https://acme.okta.com'),
('alice@acme.com', 'u1', 'okta_user', 'Super Administrator', 'r1', 'okta_role',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}', 'admin', 'ALLOWED', 1,
 '[{"type": "direct"}]', 'https://acme.okta.com'),
('ci-token', 't1', 'okta_api_token', 'Super Administrator', 'r1', 'okta_role',
 '{"teleport.dev/origin": "okta", "okta/org": "https://acme.okta.com"}', 'admin', 'ALLOWED', 0,
 '[{"type": "owner", "id": "u1"}]', 'https://acme.okta.com'),
('carol_x@acme.com', 'u3', 'okta_user', 'GitHub', 'a2', 'okta_app',
 '{"teleport.dev/origin": "aws"}', 'access', 'DENIED', 0, '[]', 'https://acme.okta.com'),
('user', 'u9', 'okta_user', 'app-name', 'a9', 'okta_app',
 '{"teleport.dev/origin": "okta", "okta/org": "https://beta.okta.com"}', 'access', 'ALLOWED', 1,
 '[{"type": "direct"}]', 'https://beta.okta.com'),
('user', 'u9', 'okta_user', 'group-name', 'g9', 'okta_group',
 '{"teleport.dev/origin": "okta", "okta/org": "https://beta.okta.com"}', 'member', 'DENIED', 1,
 '[{"type": "direct"}]', 'https://beta.okta.com');

INSERT INTO integrations (name, org_url, resources, system_log, status, last_success, last_error, updated_at) VALUES
('acme', 'https://acme.okta.com', TRUE, FALSE, 'ok', '2026-11-28T09:01:00.000000Z', NULL, '2026-11-28T09:01:00.000000Z'),
('beta', 'https://beta.okta.com', TRUE, TRUE, 'error', NULL, 'boom', '2026-11-28T09:05:00.000000Z');

INSERT INTO sync_runs (id, integration, kind, started_at, finished_at, status, counts, api_calls, rate_limit_waits,
                       rate_limit_wait_ms, error, progress) VALUES
(1, 'acme', 'resources', '2026-11-28T09:00:00.000000Z', '2026-11-28T09:01:00.000000Z', 'succeeded',
 '{"users": 3, "groups": 2}', 120, 2, 1500, NULL, '{}'),
(2, 'beta', 'resources', '2026-11-28T09:04:00.000000Z', '2026-11-28T09:05:00.000000Z', 'failed',
 '{}', 3, 0, 0, 'boom', '{"stage": "users"}');
