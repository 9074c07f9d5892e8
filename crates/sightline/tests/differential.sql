-- The differential corpus: queries run on the embedded store and on PostgreSQL over the same
-- scanned simulator org (tests/postgres.rs); their answers must be equal.
--
-- Each query starts with a `-- name:` line; `(ordered)` after the name compares rows in order
-- (give such queries a total order), otherwise rows compare as a multiset. Add a query by adding
-- a block.

-- name: brief_1_okta_nodes
SELECT * FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}';

-- name: brief_2_org_nodes
SELECT * FROM nodes WHERE labels @> '{"okta/org": "https://your-org.okta.com"}';

-- name: brief_3_user_allowed
SELECT * FROM access_path WHERE identity = 'user' AND kind = 'ALLOWED';

-- name: brief_4_app
SELECT * FROM access_path WHERE resource = 'app-name' AND resource_labels @> '{"teleport.dev/origin": "okta"}';

-- name: brief_5_group
SELECT * FROM access_path WHERE resource = 'group-name' AND resource_labels @> '{"teleport.dev/origin": "okta"}';

-- name: brief_6_standing
SELECT * FROM access_path WHERE standing_privileges >= 1 AND resource_labels @> '{"teleport.dev/origin": "okta"}';

-- name: brief_3_for_a_real_user
SELECT * FROM access_path WHERE identity = (SELECT min(identity) FROM access_path WHERE identity_kind = 'okta_user') AND kind = 'ALLOWED';

-- name: brief_4_for_a_real_app
SELECT * FROM access_path WHERE resource = (SELECT min(name) FROM nodes WHERE sub_kind = 'okta_app') AND resource_labels @> '{"teleport.dev/origin": "okta"}';

-- name: brief_5_for_a_real_group
SELECT * FROM access_path WHERE resource = (SELECT min(name) FROM nodes WHERE sub_kind = 'okta_group') AND resource_labels @> '{"teleport.dev/origin": "okta"}';

-- name: nodes_per_kind (ordered)
SELECT kind, sub_kind, count(*) AS n FROM nodes GROUP BY kind, sub_kind ORDER BY kind, sub_kind;

-- name: edges_per_kind (ordered)
SELECT kind, count(*) AS n FROM edges GROUP BY kind ORDER BY kind;

-- name: users_by_status (ordered)
SELECT properties ->> 'status' AS status, count(*) AS n FROM nodes WHERE sub_kind = 'okta_user' GROUP BY 1 ORDER BY 1;

-- name: users_by_status_label (ordered)
SELECT labels ->> 'okta/status' AS status, count(*) FROM nodes WHERE sub_kind = 'okta_user' GROUP BY labels ->> 'okta/status' ORDER BY 1 NULLS FIRST;

-- name: apps_by_sign_on_mode (ordered)
SELECT properties ->> 'signOnMode' AS mode, count(*) AS n FROM nodes WHERE sub_kind = 'okta_app' GROUP BY 1 ORDER BY 1;

-- name: first_users_by_name (ordered)
SELECT id, name FROM nodes WHERE sub_kind = 'okta_user' ORDER BY name, id LIMIT 25;

-- name: last_users_by_name (ordered)
SELECT id, name FROM nodes WHERE sub_kind = 'okta_user' ORDER BY name DESC, id DESC LIMIT 25 OFFSET 3;

-- name: user_properties_whole
SELECT id, properties FROM nodes WHERE sub_kind = 'okta_user';

-- name: user_profiles
SELECT id, properties -> 'profile' AS profile FROM nodes WHERE sub_kind = 'okta_user';

-- name: user_profile_fields
SELECT properties #>> '{profile,login}' AS login, properties #>> '{profile,department}' AS department FROM nodes WHERE sub_kind = 'okta_user';

-- name: departments (ordered)
SELECT properties -> 'profile' ->> 'department' AS department, count(*) AS n FROM nodes WHERE sub_kind = 'okta_user' GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST;

-- name: users_without_department
SELECT id FROM nodes WHERE sub_kind = 'okta_user' AND properties -> 'profile' ->> 'department' IS NULL;

-- name: users_with_manager_key
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND properties -> 'profile' ? 'managerId';

-- name: users_with_any_key
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND properties -> 'profile' ?| ARRAY['mobilePhone', 'title'];

-- name: users_with_all_keys
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND properties -> 'profile' ?& ARRAY['firstName', 'lastName', 'email'];

-- name: properties_contain_status
SELECT id FROM nodes WHERE properties @> '{"status": "SUSPENDED"}';

-- name: properties_contained_by
SELECT id FROM nodes WHERE '{"status": "ACTIVE"}' <@ properties AND sub_kind = 'okta_user';

-- name: labels_contain_nested_nothing
SELECT count(*) FROM nodes WHERE labels @> '{}';

-- name: labels_keys (ordered)
SELECT k, count(*) FROM nodes, jsonb_object_keys(labels) AS k GROUP BY k ORDER BY k;

-- name: label_values (ordered)
SELECT e.key, e.value, count(*) FROM nodes n, jsonb_each_text(n.labels) e WHERE e.key <> 'okta/org' GROUP BY e.key, e.value ORDER BY 1, 2;

-- name: jsonb_types (ordered)
SELECT jsonb_typeof(properties -> 'profile') AS t, count(*) FROM nodes GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: via_lengths (ordered)
SELECT jsonb_array_length(via) AS routes, count(*) FROM access_path GROUP BY 1 ORDER BY 1;

-- name: via_elements (ordered)
SELECT r ->> 'type' AS route, count(*) FROM access_path, jsonb_array_elements(via) AS r GROUP BY 1 ORDER BY 1;

-- name: via_direct
SELECT count(*) FROM access_path WHERE via @> '[{"type": "direct"}]';

-- name: via_group_routes
SELECT identity, resource, action FROM access_path WHERE via @> '[{"type": "group"}]' AND action = 'access';

-- name: multi_route_access (ordered)
SELECT identity, resource, jsonb_array_length(via) AS n FROM access_path WHERE action = 'access' AND jsonb_array_length(via) > 1 ORDER BY n DESC, identity, resource LIMIT 50;

-- name: access_kinds (ordered)
SELECT action = 'access' AS is_access, kind, reason, count(*) FROM access_path GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 NULLS FIRST;

-- name: denied_reasons (ordered)
SELECT reason, count(*) FROM access_path WHERE kind = 'DENIED' GROUP BY reason ORDER BY reason;

-- name: identity_kinds (ordered)
SELECT identity_kind, count(DISTINCT identity_id) FROM access_path GROUP BY identity_kind ORDER BY 1;

-- name: resource_kinds (ordered)
SELECT resource_kind, action, count(*) FROM access_path GROUP BY resource_kind, action ORDER BY 1, 2;

-- name: admin_actions (ordered)
SELECT action, count(*) FROM access_path WHERE action NOT IN ('member', 'access') GROUP BY action ORDER BY action;

-- name: super_admins
SELECT identity, identity_kind FROM access_path WHERE action = 'Super Administrator';

-- name: token_powers
SELECT identity, resource, action, kind FROM access_path WHERE identity_kind = 'okta_api_token';

-- name: service_app_powers
SELECT identity, resource, action FROM access_path WHERE identity_kind = 'okta_service_app';

-- name: temporary_privileges
SELECT identity, resource, action, standing_privileges, temporary_privileges FROM access_path WHERE temporary_privileges > 0;

-- name: standing_sum (ordered)
SELECT action, sum(standing_privileges) AS s, avg(standing_privileges) AS a, max(temporary_privileges) AS t FROM access_path GROUP BY action ORDER BY action;

-- name: most_apps (ordered)
SELECT identity, count(*) AS apps FROM access_path WHERE action = 'access' AND kind = 'ALLOWED' GROUP BY identity ORDER BY apps DESC, identity LIMIT 20;

-- name: most_reached_apps (ordered)
SELECT resource, count(DISTINCT identity_id) AS users FROM access_path WHERE action = 'access' GROUP BY resource ORDER BY users DESC, resource LIMIT 20;

-- name: group_sizes (ordered)
SELECT n.name, count(e.id) AS members FROM nodes n LEFT JOIN edges e ON e.to_id = n.id AND e.kind = 'member_of' WHERE n.sub_kind = 'okta_group' GROUP BY n.id, n.name ORDER BY members DESC, n.name, n.id LIMIT 30;

-- name: empty_groups
SELECT n.id FROM nodes n WHERE n.sub_kind = 'okta_group' AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.to_id = n.id AND e.kind = 'member_of');

-- name: groups_having_many (ordered)
SELECT to_id, count(*) FROM edges WHERE kind = 'member_of' GROUP BY to_id HAVING count(*) > 10 ORDER BY 2 DESC, 1;

-- name: user_group_names
SELECT u.name AS user_name, g.name AS group_name FROM edges e JOIN nodes u ON u.id = e.from_id JOIN nodes g ON g.id = e.to_id WHERE e.kind = 'member_of';

-- name: group_owners
SELECT o.name AS owner, g.name AS owned FROM edges e JOIN nodes o ON o.id = e.from_id JOIN nodes g ON g.id = e.to_id WHERE e.kind = 'owns';

-- name: app_assignment_properties
SELECT e.id, e.properties FROM edges e WHERE e.kind = 'assigned';

-- name: app_assignment_scopes (ordered)
SELECT properties ->> 'scope' AS scope, count(*) FROM edges WHERE kind = 'assigned' GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: assignment_priorities (ordered)
SELECT (properties ->> 'priority')::int AS priority, count(*) FROM edges WHERE kind = 'assigned' AND properties ? 'priority' GROUP BY 1 ORDER BY 1;

-- name: role_holders
SELECT h.name AS holder, r.name AS role FROM edges e JOIN nodes h ON h.id = e.from_id JOIN nodes r ON r.id = e.to_id WHERE e.kind = 'has_role';

-- name: role_types (ordered)
SELECT properties ->> 'type' AS type, count(*) FROM nodes WHERE sub_kind = 'okta_role' GROUP BY 1 ORDER BY 1;

-- name: role_scopes
SELECT r.name, t.name FROM edges e JOIN nodes r ON r.id = e.from_id JOIN nodes t ON t.id = e.to_id WHERE e.kind = 'scoped_to';

-- name: resource_set_contents
SELECT s.name, c.sub_kind, count(*) FROM edges e JOIN nodes s ON s.id = e.from_id JOIN nodes c ON c.id = e.to_id WHERE e.kind = 'contains' GROUP BY s.name, c.sub_kind;

-- name: tokens_and_owners
SELECT t.name AS token, o.name AS owner, t.properties -> 'network' ->> 'connection' AS network FROM edges e JOIN nodes t ON t.id = e.from_id JOIN nodes o ON o.id = e.to_id WHERE e.kind = 'acts_as';

-- name: users_in_no_group
SELECT u.id FROM nodes u LEFT JOIN edges e ON e.from_id = u.id AND e.kind = 'member_of' WHERE u.sub_kind = 'okta_user' AND e.id IS NULL;

-- name: right_join
SELECT g.id, e.from_id FROM edges e RIGHT JOIN nodes g ON g.id = e.to_id AND e.kind = 'owns' WHERE g.sub_kind = 'okta_group';

-- name: full_join_count
SELECT count(*) FROM (SELECT id FROM nodes WHERE sub_kind = 'okta_group') g FULL JOIN (SELECT to_id FROM edges WHERE kind = 'owns') o ON o.to_id = g.id;

-- name: cross_join_small
SELECT a.name, b.name FROM (SELECT name FROM nodes WHERE sub_kind = 'okta_org') a CROSS JOIN (SELECT name FROM nodes WHERE sub_kind = 'okta_custom_role') b;

-- name: join_using
SELECT id, e.kind FROM nodes JOIN (SELECT from_id AS id, kind FROM edges WHERE kind = 'acts_as') e USING (id);

-- name: in_subquery
SELECT name FROM nodes WHERE id IN (SELECT to_id FROM edges WHERE kind = 'has_role');

-- name: not_in_subquery_count
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_app' AND id NOT IN (SELECT resource_id FROM access_path WHERE action = 'access');

-- name: exists_admin
SELECT u.name FROM nodes u WHERE u.sub_kind = 'okta_user' AND EXISTS (SELECT 1 FROM edges e WHERE e.from_id = u.id AND e.kind = 'has_role');

-- name: scalar_subquery (ordered)
SELECT (SELECT count(*) FROM nodes) AS nodes, (SELECT count(*) FROM edges) AS edges, (SELECT count(*) FROM access_path) AS paths;

-- name: cte_chain (ordered)
WITH admins AS (SELECT DISTINCT identity_id FROM access_path WHERE action NOT IN ('member', 'access')), reach AS (SELECT a.identity_id, count(*) AS n FROM access_path a JOIN admins USING (identity_id) WHERE a.action = 'access' GROUP BY a.identity_id) SELECT n.name, r.n FROM reach r JOIN nodes n ON n.id = r.identity_id ORDER BY r.n DESC, n.name LIMIT 10;

-- name: recursive_reachability (ordered)
WITH RECURSIVE reach(id) AS (SELECT min(id) FROM nodes WHERE sub_kind = 'okta_user' UNION SELECT e.to_id FROM edges e JOIN reach r ON e.from_id = r.id) SELECT id FROM reach ORDER BY id;

-- name: union_all_counts (ordered)
SELECT 'users' AS what, count(*) FROM nodes WHERE sub_kind = 'okta_user' UNION ALL SELECT 'groups', count(*) FROM nodes WHERE sub_kind = 'okta_group' UNION ALL SELECT 'apps', count(*) FROM nodes WHERE sub_kind = 'okta_app' ORDER BY 1;

-- name: union_distinct
SELECT from_id AS id FROM edges WHERE kind = 'owns' UNION SELECT from_id FROM edges WHERE kind = 'has_role';

-- name: intersect
SELECT from_id FROM edges WHERE kind = 'owns' INTERSECT SELECT from_id FROM edges WHERE kind = 'member_of';

-- name: except
SELECT id FROM nodes WHERE sub_kind = 'okta_group' EXCEPT SELECT to_id FROM edges WHERE kind = 'member_of';

-- name: values_list (ordered)
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS v(n, s) ORDER BY n;

-- name: case_expression (ordered)
SELECT CASE WHEN standing_privileges > 1 THEN 'many' WHEN standing_privileges = 1 THEN 'one' ELSE 'none' END AS how, count(*) FROM access_path GROUP BY 1 ORDER BY 1;

-- name: coalesce_nullif
SELECT id, coalesce(properties -> 'profile' ->> 'title', 'no title') AS title, nullif(properties ->> 'status', 'ACTIVE') AS not_active FROM nodes WHERE sub_kind = 'okta_user';

-- name: null_comparisons (ordered)
SELECT count(*) FILTER (WHERE reason IS NULL) AS no_reason, count(*) FILTER (WHERE reason IS NOT NULL) AS with_reason, count(reason) AS counted FROM access_path;

-- name: is_distinct_from
SELECT count(*) FROM access_path WHERE reason IS DISTINCT FROM NULL;

-- name: null_ordering_asc (ordered)
SELECT id, properties -> 'profile' ->> 'title' AS title FROM nodes WHERE sub_kind = 'okta_user' ORDER BY title, id LIMIT 40;

-- name: null_ordering_desc (ordered)
SELECT id, properties -> 'profile' ->> 'title' AS title FROM nodes WHERE sub_kind = 'okta_user' ORDER BY title DESC, id LIMIT 40;

-- name: null_ordering_explicit (ordered)
SELECT identity_id, reason FROM access_path ORDER BY reason NULLS FIRST, identity_id, resource_id, action LIMIT 40;

-- name: like_prefix
SELECT name FROM nodes WHERE name LIKE 'a%';

-- name: like_underscore
SELECT name FROM nodes WHERE sub_kind = 'okta_user' AND name LIKE '_a%';

-- name: not_like
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND name NOT LIKE '%@%';

-- name: ilike
SELECT name FROM nodes WHERE sub_kind = 'okta_group' AND name ILIKE '%ENG%';

-- name: ilike_unicode
SELECT name FROM nodes WHERE name ILIKE '%É%' OR name ILIKE '%ö%';

-- name: like_escape
SELECT name FROM nodes WHERE name LIKE '%\_%';

-- name: lower_upper
SELECT lower(name), upper(name) FROM nodes WHERE sub_kind = 'okta_group';

-- name: string_functions
SELECT length(name), substr(name, 2, 3), replace(name, 'a', 'A'), trim(name), position('@' IN name) FROM nodes WHERE sub_kind = 'okta_user';

-- name: concat_operator
SELECT name || ' (' || sub_kind || ')' AS label FROM nodes WHERE kind = 'resource';

-- name: string_agg_ordered (ordered)
SELECT g.name, string_agg(u.name, ', ' ORDER BY u.name) AS members FROM edges e JOIN nodes g ON g.id = e.to_id JOIN nodes u ON u.id = e.from_id WHERE e.kind = 'owns' GROUP BY g.id, g.name ORDER BY g.name, g.id;

-- name: array_agg_ordered (ordered)
SELECT identity_kind, array_agg(DISTINCT action) FROM access_path GROUP BY identity_kind ORDER BY identity_kind;

-- name: jsonb_agg_count (ordered)
SELECT kind, jsonb_array_length(jsonb_agg(id)) FROM edges GROUP BY kind ORDER BY kind;

-- name: bool_aggregates (ordered)
SELECT sub_kind, bool_and(name <> '') AS all_named, bool_or(name LIKE '%admin%') AS some_admin FROM nodes GROUP BY sub_kind ORDER BY sub_kind;

-- name: min_max_text (ordered)
SELECT sub_kind, min(name), max(name) FROM nodes GROUP BY sub_kind ORDER BY sub_kind;

-- name: count_distinct (ordered)
SELECT count(DISTINCT identity_id), count(DISTINCT resource_id), count(DISTINCT action) FROM access_path;

-- name: casts (ordered)
SELECT '42'::int + 1 AS a, 7 / 2 AS b, 7.0 / 2 AS c, CAST('3.5' AS numeric) AS d, '1'::boolean AS e, 10 % 3 AS f;

-- name: cast_json_text
SELECT id, properties::text = properties::jsonb::text AS same FROM nodes WHERE sub_kind = 'okta_org';

-- name: json_number_cast (ordered)
SELECT sum((properties ->> 'priority')::int) FROM edges WHERE kind = 'assigned' AND properties ? 'priority';

-- name: json_equality
SELECT count(*) FROM nodes WHERE labels -> 'teleport.dev/origin' = '"okta"'::jsonb;

-- name: json_arrow_index
SELECT identity, via -> 0 AS first_route, via -> 0 ->> 'type' AS first_type FROM access_path WHERE action = 'member';

-- name: json_path_array
SELECT identity, via #> '{0,type}' FROM access_path WHERE action = 'access';

-- name: between
SELECT count(*) FROM access_path WHERE standing_privileges BETWEEN 1 AND 2;

-- name: in_list
SELECT id FROM nodes WHERE sub_kind IN ('okta_org', 'okta_custom_role', 'okta_resource_set');

-- name: any_array
SELECT id FROM nodes WHERE sub_kind = ANY(ARRAY['okta_org', 'okta_resource_set']);

-- name: distinct_rows
SELECT DISTINCT kind, sub_kind FROM nodes;

-- name: fetch_first (ordered)
SELECT id FROM edges ORDER BY id FETCH FIRST 5 ROWS ONLY;

-- name: limit_offset (ordered)
SELECT identity_id, resource_id, action FROM access_path ORDER BY identity_id, resource_id, action LIMIT 10 OFFSET 100;

-- name: order_by_expression (ordered)
SELECT name FROM nodes WHERE sub_kind = 'okta_app' ORDER BY length(name) DESC, name LIMIT 15;

-- name: order_by_alias (ordered)
SELECT name AS n FROM nodes WHERE sub_kind = 'okta_group' ORDER BY n LIMIT 15;

-- name: group_by_ordinal (ordered)
SELECT resource_kind, action, count(*) FROM access_path GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2;

-- name: integrations_table
SELECT name, org_url, resources, system_log, status, last_error FROM integrations;

-- name: sync_runs_table
SELECT integration, kind, status, error, counts ->> 'users' AS users FROM sync_runs;

-- name: sync_runs_counts_keys (ordered)
SELECT k FROM sync_runs, jsonb_object_keys(counts) AS k ORDER BY k;

-- name: boolean_columns
SELECT name FROM integrations WHERE resources AND NOT system_log;

-- name: now_is_set
SELECT now() IS NOT NULL AS ok;

-- name: users_per_org (ordered)
SELECT org, count(*) FROM nodes WHERE sub_kind = 'okta_user' GROUP BY org ORDER BY org;

-- name: node_names_with_quotes
SELECT id, name FROM nodes WHERE name LIKE '%''%' OR name LIKE '%"%';

-- name: node_names_with_markup
SELECT id, name FROM nodes WHERE name LIKE '%<%' OR name LIKE '%&%';

-- name: non_ascii_names
SELECT id, name, length(name), octet_length(name) FROM nodes WHERE octet_length(name) <> length(name);

-- name: non_ascii_lower
SELECT lower(name), upper(name) FROM nodes WHERE octet_length(name) <> length(name);

-- name: users_by_domain (ordered)
SELECT substr(name, position('@' IN name) + 1) AS domain, count(*) FROM nodes WHERE sub_kind = 'okta_user' AND name LIKE '%@%' GROUP BY 1 ORDER BY 2 DESC, 1;

-- name: deprovisioned_users
SELECT id, name FROM nodes WHERE sub_kind = 'okta_user' AND labels ->> 'okta/status' = 'DEPROVISIONED';

-- name: suspended_with_access
SELECT identity, resource, reason FROM access_path WHERE reason = 'user suspended';

-- name: inactive_app_paths
SELECT identity, resource FROM access_path WHERE reason = 'app inactive';

-- name: denied_admins
SELECT identity, action, reason FROM access_path WHERE kind = 'DENIED' AND action NOT IN ('member', 'access');

-- name: allowed_per_identity_kind (ordered)
SELECT identity_kind, kind, count(*) FROM access_path GROUP BY identity_kind, kind ORDER BY 1, 2;

-- name: groups_with_admin_roles
SELECT g.name, r.name FROM edges e JOIN nodes g ON g.id = e.from_id JOIN nodes r ON r.id = e.to_id WHERE e.kind = 'has_role' AND g.sub_kind = 'okta_group';

-- name: users_reaching_through_groups (ordered)
SELECT identity, count(*) FROM access_path, jsonb_array_elements(via) r WHERE action = 'access' AND r ->> 'type' = 'group' GROUP BY identity ORDER BY 2 DESC, 1 LIMIT 20;

-- name: via_group_names (ordered)
SELECT r ->> 'group' AS group_id, count(*) FROM access_path, jsonb_array_elements(via) r WHERE r ? 'group' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20;

-- name: via_keys (ordered)
SELECT DISTINCT k FROM access_path, jsonb_array_elements(via) r, jsonb_object_keys(r) k ORDER BY k;

-- name: resource_labels_keys (ordered)
SELECT DISTINCT k FROM access_path, jsonb_object_keys(resource_labels) k ORDER BY k;

-- name: resource_labels_contained
SELECT count(*) FROM access_path WHERE resource_labels <@ '{"teleport.dev/origin": "okta", "okta/org": "x"}';

-- name: app_labels
SELECT labels, count(*) FROM nodes WHERE sub_kind = 'okta_app' GROUP BY labels;

-- name: app_status_labels (ordered)
SELECT labels ->> 'okta/status' AS status, count(*) FROM nodes WHERE sub_kind = 'okta_app' GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: token_networks (ordered)
SELECT labels ->> 'okta/network' AS network, count(*) FROM nodes WHERE sub_kind = 'okta_api_token' GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: token_expiry
SELECT name, properties ->> 'expiresAt' AS expires FROM nodes WHERE sub_kind = 'okta_api_token' AND properties ->> 'expiresAt' < '2026-12-01';

-- name: users_created_before
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND properties ->> 'created' < '2025-06-01T00:00:00Z';

-- name: last_login_missing
SELECT count(*) FROM nodes WHERE sub_kind = 'okta_user' AND (properties ->> 'lastLogin') IS NULL;

-- name: custom_role_permissions (ordered)
SELECT name, jsonb_typeof(properties) FROM nodes WHERE sub_kind = 'okta_custom_role' ORDER BY name, id;

-- name: role_assignment_types (ordered)
SELECT properties ->> 'assignmentType' AS assignment, count(*) FROM nodes WHERE sub_kind = 'okta_role' GROUP BY 1 ORDER BY 1 NULLS FIRST;

-- name: edges_between_kinds (ordered)
SELECT f.sub_kind AS from_kind, e.kind, t.sub_kind AS to_kind, count(*) FROM edges e JOIN nodes f ON f.id = e.from_id JOIN nodes t ON t.id = e.to_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- name: dangling_edges
SELECT e.id FROM edges e LEFT JOIN nodes t ON t.id = e.to_id WHERE t.id IS NULL;

-- name: self_join_pairs (ordered)
SELECT a.from_id, b.from_id FROM edges a JOIN edges b ON a.to_id = b.to_id AND a.from_id < b.from_id WHERE a.kind = 'owns' AND b.kind = 'owns' ORDER BY 1, 2 LIMIT 30;

-- name: nested_subquery_in_from (ordered)
SELECT t.n, count(*) FROM (SELECT identity_id, count(*) AS n FROM access_path WHERE action = 'member' GROUP BY identity_id) t GROUP BY t.n ORDER BY t.n;

-- name: having_with_filter (ordered)
SELECT resource, count(*) FILTER (WHERE kind = 'DENIED') AS denied FROM access_path WHERE action = 'access' GROUP BY resource HAVING count(*) FILTER (WHERE kind = 'DENIED') > 0 ORDER BY 2 DESC, 1 LIMIT 20;

-- name: round_avg (ordered)
SELECT resource_kind, round(avg(standing_privileges), 2) FROM access_path GROUP BY resource_kind ORDER BY 1;

-- name: arithmetic (ordered)
SELECT count(*) * 2 + 1, count(*) / 3, count(*) % 7, -count(*), abs(-count(*)) FROM nodes;

-- name: text_comparison_ordering (ordered)
SELECT name FROM nodes WHERE sub_kind = 'okta_group' AND name > 'M' ORDER BY name, id LIMIT 20;

-- name: case_insensitive_order (ordered)
SELECT lower(name) AS l FROM nodes WHERE sub_kind = 'okta_group' ORDER BY l, id LIMIT 20;

-- name: error_unknown_column
SELECT nope FROM nodes;

-- name: error_unknown_table
SELECT * FROM sqlite_master;

-- name: error_division_by_zero
SELECT 1 / 0;

-- name: error_bad_cast
SELECT name::int FROM nodes WHERE sub_kind = 'okta_user';

-- name: error_type_mismatch
SELECT id FROM nodes WHERE name = 1;

-- name: error_write
DELETE FROM nodes;

-- name: error_two_statements
SELECT 1; SELECT 2;

-- name: error_file_function
SELECT pg_read_file('/etc/passwd');
