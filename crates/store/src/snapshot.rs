//! Replacing an org's graph snapshot: one transaction, prepared statements.

use crate::error::Error;
use crate::model::{Edge, Node, SnapshotCounts};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};
use serde_json::Value;

/// From this many rows on, a replace rebuilds the secondary indexes instead of updating them.
const BULK_ROWS: usize = 50_000;

/// The label every Okta node carries with its org URL.
const ORG_LABEL: &str = "okta/org";

/// Deletes every node and edge of `org` and inserts these, in one transaction: on any error the
/// transaction rolls back and the previous snapshot stays.
pub(crate) fn replace(
    conn: &mut Connection,
    org: &str,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    updated_at: &str,
) -> Result<SnapshotCounts, Error> {
    let tstart = std::time::Instant::now();
    let mut nodes = nodes;
    for node in &mut nodes {
        match node.labels.get(ORG_LABEL) {
            None => {
                node.labels.insert(ORG_LABEL.into(), Value::String(org.into()));
            }
            Some(Value::String(label)) if label == org => {}
            Some(other) => {
                return Err(Error::invalid(format!(
                    "node {:?} is labelled {ORG_LABEL} = {other}, but the snapshot is for {org:?}",
                    node.id
                )));
            }
        }
    }
    // Inserting in key order appends to the primary-key B-trees instead of splitting pages all
    // over them; it also finds duplicate ids before anything is written.
    eprintln!("labels {:?}", tstart.elapsed());
    let mut edges = edges;
    nodes.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    edges.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = nodes.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate_id("node", &pair[0].id));
    }
    if let Some(pair) = edges.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate_id("edge", &pair[0].id));
    }
    eprintln!("sorted {:?}", tstart.elapsed());
    let context = format!("cannot replace the snapshot of {org}");
    let db = |e| Error::sqlite(&context, e);
    let t0 = std::time::Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
    // Many rows: drop the secondary indexes and build them again at the end; sorting the keys
    // once is several times faster than inserting them one by one in index order.
    let indexes = if nodes.len() + edges.len() >= BULK_ROWS { drop_indexes(&tx).map_err(db)? } else { Vec::new() };
    for table in ["edges", "nodes"] {
        let others: bool = tx
            .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE org <> ?1)"), [org], |r| r.get(0))
            .map_err(db)?;
        // Without a WHERE clause SQLite drops the table's pages wholesale instead of row by row.
        if others {
            tx.execute(&format!("DELETE FROM {table} WHERE org = ?1"), [org]).map_err(db)?;
        } else {
            tx.execute(&format!("DELETE FROM {table}"), []).map_err(db)?;
        }
    }
    eprintln!("delete {:?}", t0.elapsed());
    let mut labels_buffer = Vec::new();
    let mut properties_buffer = Vec::new();
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO nodes (id, org, kind, sub_kind, name, labels, properties, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(db)?;
        for node in &nodes {
            let labels = write_json(&mut labels_buffer, &node.labels);
            let properties = write_json(&mut properties_buffer, &node.properties);
            insert
                .execute(params![node.id, org, node.kind, node.sub_kind, node.name, labels, properties, updated_at])
                .map_err(|e| duplicate("node", &node.id, e).unwrap_or_else(|e| db(e)))?;
        }
        eprintln!("nodes {:?}", t0.elapsed());
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO edges (id, org, from_id, to_id, kind, properties) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db)?;
        for edge in &edges {
            let properties = write_json(&mut properties_buffer, &edge.properties);
            insert
                .execute(params![edge.id, org, edge.from_id, edge.to_id, edge.kind, properties])
                .map_err(|e| duplicate("edge", &edge.id, e).unwrap_or_else(|e| db(e)))?;
        }
    }
    eprintln!("edges {:?}", t0.elapsed());
    for (_, sql) in &indexes {
        tx.execute_batch(sql).map_err(db)?;
    }
    eprintln!("indexes {:?}", t0.elapsed());
    tx.commit().map_err(db)?;
    eprintln!("commit {:?}", t0.elapsed());
    let c = SnapshotCounts { nodes: nodes.len() as u64, edges: edges.len() as u64 };
    let td = std::time::Instant::now();
    drop(nodes); drop(edges);
    eprintln!("drop {:?}", td.elapsed());
    Ok(c)
}

/// JSON text of a value, written into a reused buffer.
fn write_json<'b>(buffer: &'b mut Vec<u8>, value: &impl serde::Serialize) -> &'b str {
    buffer.clear();
    // Writing a map or a `Value` to memory cannot fail, and serde_json writes UTF-8.
    serde_json::to_writer(&mut *buffer, value).expect("JSON serialization to memory");
    std::str::from_utf8(buffer).expect("serde_json writes UTF-8")
}

/// Drops the secondary indexes of `nodes` and `edges`, returning (name, CREATE statement) of each.
fn drop_indexes(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<Vec<(String, String)>> {
    let indexes: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('nodes', 'edges') \
             AND sql IS NOT NULL AND (?1 = '' OR instr(?1, name) > 0) ORDER BY name",
        )?;
        let only = std::env::var("XP_ONLY").unwrap_or_default();
        stmt.query_map([only], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(indexes)
}

fn duplicate_id(what: &str, id: &str) -> Error {
    Error::invalid(format!(
        "{what} id {id:?} appears twice (ids must be unique in the snapshot and across orgs); \
         the previous snapshot is unchanged"
    ))
}

/// A primary-key violation as the caller's mistake, naming the id.
fn duplicate(what: &str, id: &str, error: rusqlite::Error) -> Result<Error, rusqlite::Error> {
    match &error {
        rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::ConstraintViolation => Ok(duplicate_id(what, id)),
        _ => Err(error),
    }
}
