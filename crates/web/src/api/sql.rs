//! SQL: users' queries through the store's read-only, time-limited path, example queries filled
//! in from the data, and a graph of the rows when they are nodes, edges or paths.

use super::graph::{Graph, layer};
use super::{Access, Routes};
use crate::AppState;
use crate::audit;
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub(super) fn routes(routes: Routes) -> Routes {
    let viewer = Access::Signed(Role::Viewer);
    routes.add("GET", "/api/query/examples", viewer, get(examples)).add("POST", "/api/query", viewer, post(query))
}

#[derive(Deserialize)]
struct QueryRequest {
    sql: String,
    max_rows: Option<usize>,
}

/// Rows drawn as a graph at most.
const GRAPH_ROWS: usize = 2_000;

async fn query(
    State(state): State<AppState>,
    caller: super::CallerExt,
    Json(request): Json<QueryRequest>,
) -> ApiResult<Json<Value>> {
    if request.sql.trim().is_empty() {
        return Err(ApiError::bad_request("the query is empty"));
    }
    let mut limits = state.settings().query_limits;
    if let Some(max) = request.max_rows {
        limits.max_rows = max.clamp(1, limits.max_rows);
    }
    let started = std::time::Instant::now();
    let result = state.store().query(&request.sql, limits).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(user = %caller.username, elapsed_ms, ok = result.is_ok(), "SQL query");
    let entry = audit::by(&caller, "query").took(started.elapsed()).with("sql", request.sql.as_str());
    state.audit().record(match &result {
        Ok(result) => entry.with("rows", result.rows.len()).with("truncated", result.truncated),
        Err(error) => entry.failed().with("error", error.to_string()),
    });
    let result = result?;
    let graph = graph_of(&result.columns, &result.rows);
    Ok(Json(json!({
        "columns": result.columns,
        "rows": result.rows,
        "truncated": result.truncated,
        "elapsed_ms": (elapsed_ms * 10.0).round() / 10.0,
        "graph": graph,
    })))
}

/// A graph of the rows, when they are nodes (`id` and `kind`), edges (`from_id`, `to_id`),
/// access paths (`identity_id`, `resource_id`) or escalation paths (`identity_id`, `target_id`).
fn graph_of(columns: &[String], rows: &[Vec<Value>]) -> Option<Value> {
    if rows.is_empty() || rows.len() > GRAPH_ROWS {
        return None;
    }
    let at = |name: &str| columns.iter().position(|c| c == name);
    let text = |row: &Vec<Value>, i: Option<usize>| i.and_then(|i| row[i].as_str()).map(str::to_string);
    let mut graph = Graph::default();
    if let (Some(from), Some(to)) = (at("from_id"), at("to_id")) {
        for row in rows {
            let (Some(a), Some(b)) = (text(row, Some(from)), text(row, Some(to))) else { continue };
            for id in [&a, &b] {
                graph.node(json!({"id": id, "kind": "node", "name": short(id), "layer": 0}));
            }
            graph.edge(&a, &b, &text(row, at("kind")).unwrap_or_default(), json!({}));
        }
        return Some(graph.into_json(false));
    }
    let target = at("resource_id").or(at("target_id"));
    if let (Some(identity), Some(target)) = (at("identity_id"), target) {
        let target_name = at("resource").or(at("target"));
        for row in rows {
            let (Some(a), Some(b)) = (text(row, Some(identity)), text(row, Some(target))) else { continue };
            let a_name = text(row, at("identity")).unwrap_or_else(|| short(&a));
            let b_name = text(row, target_name).unwrap_or_else(|| short(&b));
            graph.node(json!({"id": a, "kind": "identity", "sub_kind": text(row, at("identity_kind")), "name": a_name, "layer": 0}));
            graph.node(json!({"id": b, "kind": "resource", "sub_kind": text(row, at("resource_kind")), "name": b_name, "layer": 4}));
            let label = text(row, at("action")).or_else(|| row.get(at("length")?).map(|l| format!("{l} steps")));
            graph.edge(&a, &b, &label.unwrap_or_default(), json!({}));
        }
        return Some(graph.into_json(false));
    }
    if let (Some(id), Some(kind)) = (at("id"), at("kind")) {
        for row in rows {
            let Some(node_id) = text(row, Some(id)) else { continue };
            let kind = text(row, Some(kind)).unwrap_or_default();
            let name = text(row, at("name")).unwrap_or_else(|| short(&node_id));
            graph.node(json!({"id": node_id, "kind": kind, "sub_kind": text(row, at("sub_kind")), "name": name, "layer": layer(&kind)}));
        }
        return Some(graph.into_json(false));
    }
    None
}

fn short(id: &str) -> String {
    id.rsplit(':').next().unwrap_or(id).to_string()
}

/// The brief's six queries with names from this store, and a few more worth knowing.
async fn examples(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let first = |sql: &'static str, fallback: &'static str| async move {
        let rows = store.query(sql, store::QueryLimits { max_rows: 1, ..Default::default() }).await;
        rows.ok()
            .and_then(|r| r.rows.into_iter().next())
            .and_then(|row| row.into_iter().next())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| fallback.to_string())
    };
    let org =
        first("SELECT DISTINCT labels ->> 'okta/org' FROM nodes ORDER BY 1 LIMIT 1", "https://your-org.okta.com").await;
    let user = first(
        "SELECT identity FROM access_path WHERE identity_kind = 'okta_user' AND kind = 'ALLOWED' AND action = 'access' \
         ORDER BY identity LIMIT 1",
        "user",
    )
    .await;
    let app = first(
        "SELECT resource FROM access_path WHERE resource_kind = 'okta_app' AND kind = 'ALLOWED' ORDER BY resource LIMIT 1",
        "app-name",
    )
    .await;
    let group = first(
        "SELECT resource FROM access_path WHERE action = 'member' AND resource <> 'Everyone' ORDER BY resource LIMIT 1",
        "group-name",
    )
    .await;
    let literal = |s: &str| s.replace('\'', "''");
    // The embedded store has no interval arithmetic; a literal time works on both backends.
    let day_ago = (chrono::Utc::now() - chrono::Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let examples = vec![
        ("Show all Okta resources", r#"SELECT * FROM nodes WHERE labels @> '{"teleport.dev/origin": "okta"}';"#.to_string()),
        (
            "Show all Okta resources for a specific org",
            format!(r#"SELECT * FROM nodes WHERE labels @> '{{"okta/org": "{}"}}';"#, literal(&org).replace('"', "\\\"")),
        ),
        (
            "Fetch all access paths for an Okta user",
            format!("SELECT * FROM access_path WHERE identity = '{}' AND kind = 'ALLOWED';", literal(&user)),
        ),
        (
            "Fetch all users who can access an Okta application",
            format!(
                r#"SELECT * FROM access_path WHERE resource = '{}' AND resource_labels @> '{{"teleport.dev/origin": "okta"}}';"#,
                literal(&app)
            ),
        ),
        (
            "Fetch all members of an Okta group",
            format!(
                r#"SELECT * FROM access_path WHERE resource = '{}' AND resource_labels @> '{{"teleport.dev/origin": "okta"}}';"#,
                literal(&group)
            ),
        ),
        (
            "Find Okta users with standing privileges",
            r#"SELECT * FROM access_path WHERE standing_privileges >= 1 AND resource_labels @> '{"teleport.dev/origin": "okta"}';"#
                .to_string(),
        ),
        (
            "Who holds admin roles",
            "SELECT identity, identity_kind, action AS role, via FROM access_path WHERE kind = 'ALLOWED' \
             AND action NOT IN ('access', 'member') ORDER BY identity, action;"
                .to_string(),
        ),
        (
            "Escalation: who can become an admin or reach a crown jewel, shortest routes first",
            "SELECT identity, identity_id, identity_kind, target, target_id, target_kind, length, chain \
             FROM escalation_path ORDER BY length, target_kind DESC, identity LIMIT 500;"
                .to_string(),
        ),
        (
            "API tokens and their owners",
            "SELECT t.name AS token, o.name AS owner, t.properties ->> 'network' AS network, \
             t.properties ->> 'expiresAt' AS expires FROM nodes t JOIN edges e ON e.from_id = t.id AND e.kind = 'acts_as' \
             JOIN nodes o ON o.id = e.to_id WHERE t.sub_kind = 'okta_api_token' ORDER BY t.name;"
                .to_string(),
        ),
        (
            "Admin actions in the last 24 hours",
            format!(
                "SELECT time, actor, event_type, message FROM events WHERE category IN ('privilege', 'policy', \
                 'api_token', 'configuration') AND time >= '{day_ago}' ORDER BY time DESC LIMIT 100;"
            ),
        ),
        (
            "Failed sign-ins by country, last 24 hours",
            format!(
                "SELECT country, count(*) AS failures, count(DISTINCT person) AS people FROM events \
                 WHERE category = 'authentication' AND outcome = 'failure' AND time >= '{day_ago}' \
                 GROUP BY country ORDER BY failures DESC;"
            ),
        ),
        (
            "Open alerts",
            "SELECT id, severity, rule_id, entity, summary, last_seen FROM alerts WHERE status = 'open' \
             ORDER BY last_seen DESC;"
                .to_string(),
        ),
    ];
    let examples: Vec<Map<String, Value>> = examples
        .into_iter()
        .map(|(title, sql)| {
            let mut m = Map::new();
            m.insert("title".into(), title.into());
            m.insert("sql".into(), sql.into());
            m
        })
        .collect();
    Ok(Json(json!(examples)))
}
