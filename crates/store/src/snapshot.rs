/*!
Replacing an org's graph snapshot: one transaction that leaves exactly the given nodes and edges.

The replace writes only what changed. Under the write lock it reads the org's stored rows,
compares them with the new snapshot, and then inserts new rows, updates changed ones and deletes
the ones that are gone; an unchanged row keeps its `updated_at`. A periodic rescan of a large org
therefore writes little, and a first load is plain inserts.

Speed, on two cores: the new rows are sorted by id (so primary keys append rather than split
pages, and duplicate ids are found before anything is written); edges are sorted and compared on
a second thread, over a read connection that sees the same committed state as the writer; when a
replace writes many rows, the indexes whose keys arrive in random order are dropped and built
again at the end (one sort instead of a page split per row); the caller's data is freed on
another thread; the WAL checkpoint runs in the background after commit.
*/

use crate::error::Error;
use crate::model::{AccessPath, ControlRow, DerivedRows, Edge, EscalationRow, JewelReachRow, Node, SnapshotCounts};
use crate::sqlite::Sqlite;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior, params};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The label every Okta node carries with its org URL.
const ORG_LABEL: &str = "okta/org";

/// From this many inserted, deleted or re-keyed rows on, the random-order indexes are rebuilt
/// rather than updated row by row.
const BULK_ROWS: usize = 50_000;

/// Indexes whose keys a snapshot writes in random order (the others follow the id or org order).
const REBUILT_INDEXES: &[&str] = &["nodes_name", "edges_from", "edges_to"];

/// What to write for one table.
#[derive(Default)]
struct Plan {
    /// Positions (in the sorted input) of rows to insert.
    insert: Vec<usize>,
    /// Positions and rowids of stored rows whose JSON columns changed.
    update_json: Vec<(usize, i64)>,
    /// Positions and rowids of stored rows whose other columns changed.
    update_all: Vec<(usize, i64)>,
    /// Rowids of stored rows that are gone.
    delete: Vec<i64>,
}

impl Plan {
    /// Positions of the rows to write: JSON-only updates, full updates, inserts.
    fn write_order(&self) -> impl Iterator<Item = usize> + '_ {
        let updates = self.update_json.iter().chain(&self.update_all).map(|&(i, _)| i);
        updates.chain(self.insert.iter().copied())
    }

    /// Writes that touch every index.
    fn keyed_writes(&self) -> usize {
        self.insert.len() + self.update_all.len() + self.delete.len()
    }
}

/// Replaces every node and edge of `org` with these, and its derived rows, in one transaction: on
/// any error it rolls back and the previous snapshot stays.
pub(crate) fn replace(
    db: &Sqlite,
    org: &str,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    derived: DerivedRows,
    updated_at: &str,
) -> Result<SnapshotCounts, Error> {
    let mut nodes = nodes;
    let mut edges = edges;
    let counts = SnapshotCounts { nodes: nodes.len() as u64, edges: edges.len() as u64 };
    let result = label(&mut nodes, org).and_then(|()| write(db, org, &mut nodes, &mut edges, &derived, updated_at));
    // Freeing a million small JSON values takes a second or two; the caller need not wait.
    if nodes.len() + edges.len() > 10_000 {
        std::thread::spawn(move || drop((nodes, edges)));
    }
    result?;
    db.checkpoint_in_background();
    Ok(counts)
}

/// Gives every node the org label, refusing a node labelled with another org.
pub(crate) fn label(nodes: &mut [Node], org: &str) -> Result<(), Error> {
    for node in nodes {
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
    Ok(())
}

fn write(
    db: &Sqlite,
    org: &str,
    nodes: &mut [Node],
    edges: &mut [Edge],
    derived: &DerivedRows,
    updated_at: &str,
) -> Result<(), Error> {
    let context = format!("cannot replace the snapshot of {org}");
    let fail = |e| Error::sqlite(&context, e);
    let mut writer = db.writer();
    // Take the write lock first: the edge planner's read connection then sees the state this
    // transaction starts from, and nobody can change it before we commit.
    let tx = writer.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
    let context = &context;
    std::thread::scope(|scope| {
        let edge_planner = scope.spawn(move || -> Result<(Plan, &[Edge]), Error> {
            edges.sort_unstable_by(|a, b| a.id.cmp(&b.id));
            if let Some(pair) = edges.windows(2).find(|w| w[0].id == w[1].id) {
                return Err(duplicate_id("edge", &pair[0].id));
            }
            let conn = db.reader()?;
            let plan = plan_edges(&conn, org, edges).map_err(|e| Error::sqlite(context, e));
            db.give_back(conn);
            Ok((plan?, freeze(edges)))
        });
        nodes.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = nodes.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(duplicate_id("node", &pair[0].id));
        }
        let node_plan = plan_nodes(&tx, org, nodes).map_err(fail)?;
        let (edge_plan, edges) = edge_planner.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        let nodes: &[Node] = nodes;

        let bulk = node_plan.keyed_writes() + edge_plan.keyed_writes() >= BULK_ROWS;
        let rebuild = if bulk { drop_indexes(&tx, REBUILT_INDEXES).map_err(fail)? } else { Vec::new() };
        // The JSON of the nodes to write is produced on the second core while this one writes.
        std::thread::scope(|serializer| {
            let (chunks_tx, chunks) = std::sync::mpsc::sync_channel::<JsonChunk>(4);
            let order: Vec<usize> = node_plan.write_order().collect();
            serializer.spawn(move || {
                for positions in order.chunks(JSON_CHUNK) {
                    if chunks_tx.send(JsonChunk::of(nodes, positions)).is_err() {
                        return; // the writer stopped on an error
                    }
                }
            });
            apply_nodes(&tx, org, nodes, &node_plan, chunks, updated_at, &fail)
        })?;
        apply_edges(&tx, org, edges, &edge_plan, &fail)?;
        write_access_paths(&tx, org, &derived.access_paths).map_err(fail)?;
        write_escalation_paths(&tx, org, &derived.escalation_paths).map_err(fail)?;
        write_control_edges(&tx, org, &derived.control_edges).map_err(fail)?;
        write_jewel_reach(&tx, org, &derived.jewel_reach).map_err(fail)?;
        for sql in &rebuild {
            tx.execute_batch(sql).map_err(fail)?;
        }
        Ok(())
    })?;
    // The checkpoint of a large commit runs in the background (see `Sqlite::checkpoint_in_background`).
    tx.pragma_update(None, "wal_autocheckpoint", 0).map_err(fail)?;
    let committed = tx.commit().map_err(fail);
    let _ = writer.pragma_update(None, "wal_autocheckpoint", crate::sqlite::wal_autocheckpoint_pages(&writer));
    // A large snapshot filled the writer's page cache; give the memory back rather than keep it
    // until the next scan.
    let _ = writer.execute_batch("PRAGMA shrink_memory");
    committed
}

/// Compares the stored nodes of `org` with the sorted new ones.
fn plan_nodes(conn: &Connection, org: &str, nodes: &[Node]) -> rusqlite::Result<Plan> {
    let mut plan = Plan::default();
    let stored: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM nodes WHERE org = ?1)", [org], |r| r.get(0))?;
    if !stored {
        plan.insert = (0..nodes.len()).collect();
        return Ok(plan);
    }
    let position: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut seen = vec![false; nodes.len()];
    let mut labels = Vec::new();
    let mut properties = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id, kind, sub_kind, name, labels, properties, rowid FROM nodes WHERE org = ?1")?;
    let mut rows = stmt.query([org])?;
    while let Some(row) = rows.next()? {
        let id = row.get_ref(0)?.as_str()?;
        let rowid: i64 = row.get(6)?;
        let Some(&i) = position.get(id) else {
            plan.delete.push(rowid);
            continue;
        };
        seen[i] = true;
        let n = &nodes[i];
        let same_keys = row.get_ref(1)?.as_str()? == n.kind
            && row.get_ref(2)?.as_str()? == n.sub_kind
            && row.get_ref(3)?.as_str()? == n.name;
        let same_json = row.get_ref(4)?.as_str()? == write_json(&mut labels, &n.labels)
            && row.get_ref(5)?.as_str()? == write_json(&mut properties, &n.properties);
        if !same_keys {
            plan.update_all.push((i, rowid));
        } else if !same_json {
            plan.update_json.push((i, rowid));
        }
    }
    plan.insert = seen.iter().enumerate().filter(|(_, s)| !**s).map(|(i, _)| i).collect();
    Ok(plan)
}

/// Compares the stored edges of `org` with the sorted new ones.
fn plan_edges(conn: &Connection, org: &str, edges: &[Edge]) -> rusqlite::Result<Plan> {
    let mut plan = Plan::default();
    let stored: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM edges WHERE org = ?1)", [org], |r| r.get(0))?;
    if !stored {
        plan.insert = (0..edges.len()).collect();
        return Ok(plan);
    }
    let position: HashMap<&str, usize> = edges.iter().enumerate().map(|(i, e)| (e.id.as_str(), i)).collect();
    let mut seen = vec![false; edges.len()];
    let mut properties = Vec::new();
    let mut stmt = conn.prepare("SELECT id, from_id, to_id, kind, properties, rowid FROM edges WHERE org = ?1")?;
    let mut rows = stmt.query([org])?;
    while let Some(row) = rows.next()? {
        let id = row.get_ref(0)?.as_str()?;
        let rowid: i64 = row.get(5)?;
        let Some(&i) = position.get(id) else {
            plan.delete.push(rowid);
            continue;
        };
        seen[i] = true;
        let e = &edges[i];
        let same_keys = row.get_ref(1)?.as_str()? == e.from_id
            && row.get_ref(2)?.as_str()? == e.to_id
            && row.get_ref(3)?.as_str()? == e.kind;
        if !same_keys {
            plan.update_all.push((i, rowid));
        } else if row.get_ref(4)?.as_str()? != write_json(&mut properties, &e.properties) {
            plan.update_json.push((i, rowid));
        }
    }
    plan.insert = seen.iter().enumerate().filter(|(_, s)| !**s).map(|(i, _)| i).collect();
    Ok(plan)
}

fn apply_nodes(
    tx: &Transaction<'_>,
    org: &str,
    nodes: &[Node],
    plan: &Plan,
    json: std::sync::mpsc::Receiver<JsonChunk>,
    updated_at: &str,
    fail: &dyn Fn(rusqlite::Error) -> Error,
) -> Result<(), Error> {
    let mut delete = tx.prepare_cached("DELETE FROM nodes WHERE rowid = ?1").map_err(fail)?;
    for rowid in &plan.delete {
        delete.execute([rowid]).map_err(fail)?;
    }
    let mut update_json = tx
        .prepare_cached("UPDATE nodes SET labels = ?2, properties = ?3, updated_at = ?4 WHERE rowid = ?1")
        .map_err(fail)?;
    let mut update_all = tx
        .prepare_cached(
            "UPDATE nodes SET kind = ?2, sub_kind = ?3, name = ?4, labels = ?5, properties = ?6, updated_at = ?7 \
             WHERE rowid = ?1",
        )
        .map_err(fail)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO nodes (id, org, kind, sub_kind, name, labels, properties, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(fail)?;
    // The chunks come in `Plan::write_order`.
    let mut writes = plan
        .update_json
        .iter()
        .map(|&(i, rowid)| (i, Some(rowid), true))
        .chain(plan.update_all.iter().map(|&(i, rowid)| (i, Some(rowid), false)))
        .chain(plan.insert.iter().map(|&i| (i, None, false)));
    for chunk in json {
        for (k, (i, rowid, json_only)) in writes.by_ref().take(chunk.len()).enumerate() {
            let n = &nodes[i];
            let (l, p) = chunk.get(k);
            match rowid {
                Some(rowid) if json_only => update_json.execute(params![rowid, l, p, updated_at]).map(drop),
                Some(rowid) => {
                    update_all.execute(params![rowid, n.kind, n.sub_kind, n.name, l, p, updated_at]).map(drop)
                }
                None => insert.execute(params![n.id, org, n.kind, n.sub_kind, n.name, l, p, updated_at]).map(drop),
            }
            .map_err(|e| duplicate("node", &n.id, e).unwrap_or_else(fail))?;
        }
    }
    Ok(())
}

fn apply_edges(
    tx: &Transaction<'_>,
    org: &str,
    edges: &[Edge],
    plan: &Plan,
    fail: &dyn Fn(rusqlite::Error) -> Error,
) -> Result<(), Error> {
    let mut delete = tx.prepare_cached("DELETE FROM edges WHERE rowid = ?1").map_err(fail)?;
    for rowid in &plan.delete {
        delete.execute([rowid]).map_err(fail)?;
    }
    let mut properties = Vec::new();
    let mut update = tx
        .prepare_cached("UPDATE edges SET from_id = ?2, to_id = ?3, kind = ?4, properties = ?5 WHERE rowid = ?1")
        .map_err(fail)?;
    for &(i, rowid) in plan.update_json.iter().chain(&plan.update_all) {
        let e = &edges[i];
        update
            .execute(params![rowid, e.from_id, e.to_id, e.kind, write_json(&mut properties, &e.properties)])
            .map_err(fail)?;
    }
    let mut insert = tx
        .prepare_cached("INSERT INTO edges (id, org, from_id, to_id, kind, properties) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .map_err(fail)?;
    for &i in &plan.insert {
        let e = &edges[i];
        insert
            .execute(params![e.id, org, e.from_id, e.to_id, e.kind, write_json(&mut properties, &e.properties)])
            .map_err(|err| duplicate("edge", &e.id, err).unwrap_or_else(fail))?;
    }
    Ok(())
}

/// Nodes per batch of JSON handed from the serializing thread to the writer.
const JSON_CHUNK: usize = 2048;

/// The labels and properties JSON of a run of nodes, in one buffer.
struct JsonChunk {
    text: String,
    /// For each node: where its labels end and where its properties end.
    ends: Vec<(usize, usize)>,
}

impl JsonChunk {
    fn of(nodes: &[Node], positions: &[usize]) -> JsonChunk {
        let mut buffer = Vec::with_capacity(positions.len() * 512);
        let mut ends = Vec::with_capacity(positions.len());
        for &i in positions {
            // Writing a map or a `Value` to memory cannot fail.
            serde_json::to_writer(&mut buffer, &nodes[i].labels).expect("JSON serialization to memory");
            let labels_end = buffer.len();
            serde_json::to_writer(&mut buffer, &nodes[i].properties).expect("JSON serialization to memory");
            ends.push((labels_end, buffer.len()));
        }
        JsonChunk { text: String::from_utf8(buffer).expect("serde_json writes UTF-8"), ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The labels and properties of the k-th node.
    fn get(&self, k: usize) -> (&str, &str) {
        let start = if k == 0 { 0 } else { self.ends[k - 1].1 };
        let (labels_end, end) = self.ends[k];
        (&self.text[start..labels_end], &self.text[labels_end..end])
    }
}

/// A shared view of a slice we had exclusive access to, for as long as that access lasted.
fn freeze<T: ?Sized>(value: &mut T) -> &T {
    value
}

/// JSON text of a value, written into a reused buffer.
fn write_json<'b>(buffer: &'b mut Vec<u8>, value: &impl serde::Serialize) -> &'b str {
    buffer.clear();
    // Writing a map or a `Value` to memory cannot fail, and serde_json writes UTF-8.
    serde_json::to_writer(&mut *buffer, value).expect("JSON serialization to memory");
    std::str::from_utf8(buffer).expect("serde_json writes UTF-8")
}

/// Drops these indexes (those that exist), returning the statements that create them again.
fn drop_indexes(tx: &Transaction<'_>, names: &[&str]) -> rusqlite::Result<Vec<String>> {
    let mut statements = Vec::new();
    for name in names {
        let sql: Option<String> = tx
            .query_row("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1", [name], |r| r.get(0))
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        if let Some(sql) = sql {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            statements.push(sql);
        }
    }
    Ok(statements)
}

pub(crate) fn duplicate_id(what: &str, id: &str) -> Error {
    Error::invalid(format!(
        "{what} id {id:?} appears twice (ids must be unique in the snapshot and across orgs); \
         the previous snapshot is unchanged"
    ))
}

/// Sorts nodes and edges by id, refusing a snapshot in which an id appears twice.
pub(crate) fn check_unique(nodes: &mut [Node], edges: &mut [Edge]) -> Result<(), Error> {
    nodes.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = nodes.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate_id("node", &pair[0].id));
    }
    edges.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    if let Some(pair) = edges.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(duplicate_id("edge", &pair[0].id));
    }
    Ok(())
}

/// A primary-key violation as the caller's mistake, naming the id.
fn duplicate(what: &str, id: &str, error: rusqlite::Error) -> Result<Error, rusqlite::Error> {
    match &error {
        rusqlite::Error::SqliteFailure(e, _) if e.code == ErrorCode::ConstraintViolation => Ok(duplicate_id(what, id)),
        _ => Err(error),
    }
}

/// Replaces the org's access paths: they are derived from the whole snapshot, so they are
/// rewritten whole rather than diffed.
fn write_access_paths(tx: &Transaction, org: &str, paths: &[AccessPath]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM access_path WHERE org = ?1", [org])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO access_path (identity, identity_id, identity_kind, resource, resource_id, resource_kind, \
         resource_labels, action, kind, reason, standing_privileges, temporary_privileges, via, org) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for p in paths {
        insert.execute(params![
            &*p.identity,
            &*p.identity_id,
            &*p.identity_kind,
            &*p.resource,
            &*p.resource_id,
            &*p.resource_kind,
            &*p.resource_labels,
            &*p.action,
            p.kind,
            p.reason,
            p.standing_privileges,
            p.temporary_privileges,
            p.via,
            org
        ])?;
    }
    Ok(())
}

/// Replaces the org's escalation paths (derived whole, like access paths).
fn write_escalation_paths(tx: &Transaction, org: &str, rows: &[EscalationRow]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM escalation_path WHERE org = ?1", [org])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO escalation_path (identity, identity_id, identity_kind, target, target_id, target_kind, length, \
         chain, truncated, org) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for r in rows {
        insert.execute(params![
            &*r.identity,
            &*r.identity_id,
            &*r.identity_kind,
            &*r.target,
            &*r.target_id,
            r.target_kind,
            r.length,
            r.chain,
            r.truncated,
            org
        ])?;
    }
    Ok(())
}

/// Replaces the org's control edges.
fn write_control_edges(tx: &Transaction, org: &str, rows: &[ControlRow]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM control_edge WHERE org = ?1", [org])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO control_edge (from_id, to_id, capability, scope, over_admins, via_role, via_group, reason, org) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for r in rows {
        insert.execute(params![
            &*r.from_id,
            &*r.to_id,
            r.capability,
            r.scope,
            r.over_admins,
            &*r.via_role,
            r.via_group.as_deref(),
            r.reason,
            org
        ])?;
    }
    Ok(())
}

/// Replaces the org's crown-jewel reach.
fn write_jewel_reach(tx: &Transaction, org: &str, rows: &[JewelReachRow]) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM crown_jewel_reach WHERE org = ?1", [org])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO crown_jewel_reach (jewel_id, jewel_name, identity_id, identity, how, org) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for r in rows {
        insert.execute(params![&*r.jewel_id, &*r.jewel_name, &*r.identity_id, &*r.identity, &*r.how, org])?;
    }
    Ok(())
}

/// The org's stored crown-jewel reach, sorted.
pub(crate) fn crown_jewel_reach(conn: &Connection, org: &str) -> Result<Vec<JewelReachRow>, Error> {
    let context = format!("cannot read the crown-jewel reach of {org}");
    let fail = |e| Error::sqlite(&context, e);
    let mut stmt = conn
        .prepare_cached("SELECT jewel_id, jewel_name, identity_id, identity, how FROM crown_jewel_reach WHERE org = ?1")
        .map_err(fail)?;
    let mut rows = stmt
        .query_map([org], |row| {
            let text = |i: usize| row.get::<_, String>(i).map(Arc::<str>::from);
            Ok(JewelReachRow {
                jewel_id: text(0)?,
                jewel_name: text(1)?,
                identity_id: text(2)?,
                identity: text(3)?,
                how: text(4)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(fail)?;
    rows.sort();
    Ok(rows)
}
