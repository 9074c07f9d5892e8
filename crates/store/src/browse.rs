/*!
Browse: the reads behind the web UI's graph pages (lists of nodes, one node and its relations, a
neighbourhood, the access and escalation paths of one identity, an overview) and a few more of
Activity's (one event whole, people, a histogram).

Like `investigate`, everything is PostgreSQL-dialect SQL over the public contract run through
[`Store::query`], so it answers the same on both backends; values are quoted SQL literals. Rows come
back as JSON objects keyed by column name, ready for the HTTP API.
*/

use crate::Store;
use crate::error::Error;
use crate::investigate::{EventFilter, contains_pattern, quote};
use crate::model::QueryLimits;
use serde::Serialize;
use serde_json::{Map, Value};

/// Node columns without `properties` (which can be large), for lists of neighbours.
const NODE_SUMMARY: &str = "id, kind, sub_kind, name, labels";

/// Admin-role actions are every action but app access and group membership.
const NOT_ADMIN_ACTIONS: &str = "('access', 'member')";

fn limits(rows: usize) -> QueryLimits {
    QueryLimits { timeout: std::time::Duration::from_secs(30), max_rows: rows.max(1) }
}

fn in_list(values: &[String]) -> String {
    values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")
}

fn count(v: &Value) -> u64 {
    v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)).unwrap_or(0)
}

/// The filter of a node list.
#[derive(Debug, Clone, Default)]
pub struct NodeQuery {
    /// Okta kinds (`okta_user`, `okta_group`, ...); empty means any.
    pub sub_kinds: Vec<String>,
    /// Part of the name, any case.
    pub text: Option<String>,
    /// The `okta/status` label (`ACTIVE`, `SUSPENDED`, ...).
    pub status: Option<String>,
    /// Page size (at most 500).
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
}

/// Events per time bucket.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// Start of the bucket (RFC 3339).
    pub start: String,
    /// Events in the bucket.
    pub total: u64,
    /// Of which failures.
    pub failures: u64,
}

impl Store {
    /// Runs an internal read and gives each row as an object keyed by column name.
    async fn objects(&self, sql: &str, max_rows: usize) -> Result<Vec<Map<String, Value>>, Error> {
        let result = self.query(sql, limits(max_rows)).await?;
        Ok(result
            .rows
            .into_iter()
            .map(|row| result.columns.iter().cloned().zip(row).collect::<Map<String, Value>>())
            .collect())
    }

    async fn scalar(&self, sql: &str) -> Result<u64, Error> {
        let rows = self.query(sql, limits(1)).await?.rows;
        Ok(rows.first().and_then(|r| r.first()).map_or(0, count))
    }

    /// A page of nodes matching `query`, by name, and how many match in all.
    pub async fn browse_nodes(&self, query: &NodeQuery) -> Result<(Vec<Map<String, Value>>, u64), Error> {
        let mut conditions = vec!["TRUE".to_string()];
        if !query.sub_kinds.is_empty() {
            conditions.push(format!("sub_kind IN ({})", in_list(&query.sub_kinds)));
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let pattern = contains_pattern(text.trim());
            conditions.push(format!("name ILIKE {}", quote(&pattern)));
        }
        if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
            conditions.push(format!("labels ->> 'okta/status' = {}", quote(status)));
        }
        let condition = conditions.join(" AND ");
        let limit = query.limit.clamp(1, 500);
        let nodes = self
            .objects(
                &format!(
                    "SELECT id, kind, sub_kind, name, labels, properties FROM nodes WHERE {condition} \
                     ORDER BY name, id LIMIT {limit} OFFSET {}",
                    query.offset
                ),
                limit,
            )
            .await?;
        let total = self.scalar(&format!("SELECT count(*) FROM nodes WHERE {condition}")).await?;
        Ok((nodes, total))
    }

    /// One node, whole.
    pub async fn node(&self, id: &str) -> Result<Option<Map<String, Value>>, Error> {
        let sql = format!("SELECT id, kind, sub_kind, name, labels, properties FROM nodes WHERE id = {}", quote(id));
        Ok(self.objects(&sql, 1).await?.into_iter().next())
    }

    /// Nodes by id (without properties), for drawing paths.
    pub async fn nodes_by_id(&self, ids: &[String]) -> Result<Vec<Map<String, Value>>, Error> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!("SELECT {NODE_SUMMARY} FROM nodes WHERE id IN ({})", in_list(chunk));
            out.extend(self.objects(&sql, chunk.len()).await?);
        }
        Ok(out)
    }

    /// The edges at a node with the node at their other end (without properties), outgoing first,
    /// at most `limit` each way, and how many there are in all. Each row has `direction`
    /// (`out`/`in`), `edge_id`, `edge_kind`, `edge_properties` and the other node's columns.
    pub async fn relations(&self, id: &str, limit: usize) -> Result<(Vec<Map<String, Value>>, u64), Error> {
        let id = quote(id);
        let mut rows = Vec::new();
        let mut total = 0;
        for (direction, here, there) in [("out", "from_id", "to_id"), ("in", "to_id", "from_id")] {
            let sql = format!(
                "SELECT '{direction}' AS direction, e.id AS edge_id, e.kind AS edge_kind, e.properties AS edge_properties, \
                 n.id, n.kind, n.sub_kind, n.name, n.labels FROM edges e JOIN nodes n ON n.id = e.{there} \
                 WHERE e.{here} = {id} ORDER BY e.kind, n.sub_kind, n.name LIMIT {limit}"
            );
            rows.extend(self.objects(&sql, limit).await?);
            total += self.scalar(&format!("SELECT count(*) FROM edges WHERE {here} = {id}")).await?;
        }
        Ok((rows, total))
    }

    /// Access paths from an identity (`from = true`) or to a resource, at most `limit`.
    pub async fn access_paths(
        &self,
        node_id: &str,
        from: bool,
        limit: usize,
    ) -> Result<Vec<Map<String, Value>>, Error> {
        let column = if from { "identity_id" } else { "resource_id" };
        let sql = format!(
            "SELECT identity, identity_id, identity_kind, resource, resource_id, resource_kind, action, kind, \
             standing_privileges, temporary_privileges, via, reason FROM access_path WHERE {column} = {} \
             ORDER BY kind, resource, identity, action LIMIT {limit}",
            quote(node_id)
        );
        self.objects(&sql, limit).await
    }

    /// The escalation paths from one identity, shortest first.
    pub async fn escalation_paths(&self, identity_id: &str, limit: usize) -> Result<Vec<Map<String, Value>>, Error> {
        let sql = format!(
            "SELECT identity, identity_id, target, target_id, target_kind, length, chain, truncated \
             FROM escalation_path WHERE identity_id = {} ORDER BY length, target LIMIT {limit}",
            quote(identity_id)
        );
        self.objects(&sql, limit).await
    }

    /// The overview: counts, admin-role holders, API tokens and their owners, recent admin
    /// actions, and open alerts by severity.
    pub async fn overview(&self) -> Result<Map<String, Value>, Error> {
        let mut counts = Map::new();
        let day_ago = quote(
            &(chrono::Utc::now() - chrono::Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        );
        let by_kind = self.objects("SELECT sub_kind, count(*) AS n FROM nodes GROUP BY sub_kind", 100).await?;
        let of = |kinds: &[&str]| -> u64 {
            by_kind
                .iter()
                .filter(|r| kinds.contains(&r.get("sub_kind").and_then(Value::as_str).unwrap_or_default()))
                .map(|r| r.get("n").map_or(0, count))
                .sum()
        };
        counts.insert("users".into(), of(&["okta_user"]).into());
        counts.insert("groups".into(), of(&["okta_group"]).into());
        counts.insert("apps".into(), of(&["okta_app"]).into());
        counts.insert("roles".into(), of(&["okta_role", "okta_custom_role"]).into());
        counts.insert("api_tokens".into(), of(&["okta_api_token"]).into());
        for (name, sql) in [
            ("nodes", "SELECT count(*) FROM nodes".to_string()),
            ("edges", "SELECT count(*) FROM edges".to_string()),
            ("access_paths", "SELECT count(*) FROM access_path".to_string()),
            ("escalation_paths", "SELECT count(*) FROM escalation_path".to_string()),
            (
                "admins",
                format!(
                    "SELECT count(DISTINCT identity_id) FROM access_path WHERE kind = 'ALLOWED' \
                     AND identity_kind = 'okta_user' AND action NOT IN {NOT_ADMIN_ACTIONS}"
                ),
            ),
            ("events_24h", format!("SELECT count(*) FROM events WHERE time >= {day_ago}")),
        ] {
            counts.insert(name.into(), self.scalar(&sql).await?.into());
        }
        let mut overview = Map::new();
        overview.insert("counts".into(), Value::Object(counts));

        let rows = self
            .objects(
                &format!(
                    "SELECT identity_id, identity, identity_kind, action FROM access_path WHERE kind = 'ALLOWED' \
                     AND action NOT IN {NOT_ADMIN_ACTIONS} GROUP BY identity_id, identity, identity_kind, action \
                     ORDER BY identity, identity_id, action LIMIT 5000"
                ),
                5000,
            )
            .await?;
        let mut admins: Vec<Map<String, Value>> = Vec::new();
        for row in rows {
            let id = row.get("identity_id").cloned().unwrap_or(Value::Null);
            let action = row.get("action").cloned().unwrap_or(Value::Null);
            match admins.last_mut().filter(|a| a.get("id") == Some(&id)) {
                Some(admin) => {
                    if let Some(Value::Array(roles)) = admin.get_mut("roles") {
                        roles.push(action);
                    }
                }
                None => {
                    let mut admin = Map::new();
                    admin.insert("id".into(), id);
                    admin.insert("name".into(), row.get("identity").cloned().unwrap_or(Value::Null));
                    admin.insert("kind".into(), row.get("identity_kind").cloned().unwrap_or(Value::Null));
                    admin.insert("roles".into(), Value::Array(vec![action]));
                    admins.push(admin);
                }
            }
        }
        overview.insert("admins".into(), Value::Array(admins.into_iter().map(Value::Object).collect()));

        let tokens = self
            .objects(
                "SELECT t.id, t.name, t.properties ->> 'network' AS network, t.properties ->> 'expiresAt' AS expires_at, \
                 t.properties ->> 'lastUpdated' AS last_updated, o.name AS owner, o.id AS owner_id \
                 FROM nodes t LEFT JOIN edges e ON e.from_id = t.id AND e.kind = 'acts_as' \
                 LEFT JOIN nodes o ON o.id = e.to_id WHERE t.sub_kind = 'okta_api_token' ORDER BY t.name LIMIT 200",
                200,
            )
            .await?;
        overview.insert("api_tokens".into(), Value::Array(tokens.into_iter().map(Value::Object).collect()));

        let admin_actions = self
            .objects(
                "SELECT seq, time, source, event_type, outcome, actor, person, ip, country, message FROM events \
                 WHERE category IN ('privilege', 'policy', 'api_token', 'configuration', 'account', 'group', 'application') \
                 AND event_type NOT LIKE 'user.authentication%' ORDER BY time DESC, seq DESC LIMIT 15",
                15,
            )
            .await?;
        overview
            .insert("recent_admin_events".into(), Value::Array(admin_actions.into_iter().map(Value::Object).collect()));

        let severities = self
            .objects(
                "SELECT severity, count(*) AS n FROM alerts WHERE status IN ('open', 'acknowledged') GROUP BY severity",
                10,
            )
            .await?;
        let mut by_severity = Map::new();
        let mut open = 0;
        for row in severities {
            let n = row.get("n").map_or(0, count);
            open += n;
            by_severity.insert(row.get("severity").and_then(Value::as_str).unwrap_or_default().to_string(), n.into());
        }
        overview.insert("alerts".into(), serde_json::json!({"open": open, "by_severity": by_severity}));
        Ok(overview)
    }

    /// One event whole: its normalised columns, the OCSF object and the raw event.
    pub async fn event(&self, seq: i64) -> Result<Option<Map<String, Value>>, Error> {
        let sql = format!(
            "SELECT seq, uuid, time, source, event_type, category, outcome, actor, person, ip, city, country, \
             message, targets, ocsf, raw FROM events WHERE seq = {seq}"
        );
        Ok(self.objects(&sql, 1).await?.into_iter().next())
    }

    /// People whose name contains `text`, most active first: `person`, `sources`, `events`.
    pub async fn people(&self, text: &str, limit: usize) -> Result<Vec<Map<String, Value>>, Error> {
        let pattern = contains_pattern(&text.trim().to_lowercase());
        let sql = format!(
            "SELECT person, source, count(*) AS n FROM events WHERE person ILIKE {} GROUP BY person, source \
             ORDER BY person, source LIMIT 5000",
            quote(&pattern)
        );
        let mut people: Vec<Map<String, Value>> = Vec::new();
        for row in self.objects(&sql, 5000).await? {
            let person = row.get("person").cloned().unwrap_or(Value::Null);
            let n = row.get("n").map_or(0, count);
            let source = row.get("source").cloned().unwrap_or(Value::Null);
            match people.last_mut().filter(|p| p.get("person") == Some(&person)) {
                Some(p) => {
                    let total = p.get("events").map_or(0, count) + n;
                    p.insert("events".into(), total.into());
                    if let Some(Value::Array(sources)) = p.get_mut("sources") {
                        sources.push(source);
                    }
                }
                None => {
                    let mut p = Map::new();
                    p.insert("person".into(), person);
                    p.insert("sources".into(), Value::Array(vec![source]));
                    p.insert("events".into(), n.into());
                    people.push(p);
                }
            }
        }
        people.sort_by_key(|p| std::cmp::Reverse(p.get("events").map_or(0, count)));
        people.truncate(limit);
        Ok(people)
    }

    /// The actors a person appears as, per source.
    pub async fn accounts_of(&self, person: &str) -> Result<Vec<Map<String, Value>>, Error> {
        let sql = format!(
            "SELECT source, actor, count(*) AS events FROM events WHERE person = {} AND actor IS NOT NULL \
             GROUP BY source, actor ORDER BY source, actor LIMIT 100",
            quote(&person.to_lowercase())
        );
        self.objects(&sql, 100).await
    }

    /// Events matching `filter` counted in `buckets` equal spans between `since` and `until`.
    pub async fn histogram(
        &self,
        filter: &EventFilter,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
        buckets: usize,
    ) -> Result<(i64, Vec<Bucket>), Error> {
        let buckets = buckets.clamp(1, 500);
        let mut filter = filter.clone();
        filter.since = Some(since);
        filter.until = Some(until);
        let span = (until - since).num_seconds().max(1);
        let width = (span + buckets as i64 - 1) / buckets as i64;
        let mut out: Vec<Bucket> = (0..buckets)
            .map(|i| Bucket {
                start: (since + chrono::Duration::seconds(width * i as i64))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                total: 0,
                failures: 0,
            })
            .collect();
        // Counting happens here rather than in SQL: the two backends share no function that turns
        // a time into a bucket number, and a day of a large org is a few hundred thousand rows.
        let sql = format!("SELECT time, outcome FROM events WHERE {}", filter.where_clause());
        let rows = self.query(&sql, limits(2_000_000)).await?.rows;
        for row in rows {
            let Some(at) = row[0].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else { continue };
            let index = ((at.with_timezone(&chrono::Utc) - since).num_seconds() / width).clamp(0, buckets as i64 - 1);
            let bucket = &mut out[index as usize];
            bucket.total += 1;
            if row[1].as_str() == Some("failure") {
                bucket.failures += 1;
            }
        }
        Ok((width, out))
    }
}
