/*!
Replacing an org's graph snapshot on PostgreSQL, in one transaction.

The new nodes and edges are streamed with binary `COPY` into temporary tables, then merged: rows
that are gone are deleted, new ones inserted, changed ones updated, and unchanged ones left alone
(a node keeps its `updated_at`), as on SQLite. Access paths, escalation paths, control edges and
crown-jewel reach are derived from the whole snapshot, so they are deleted and copied whole. A transaction-scoped advisory lock per org keeps two
processes from replacing the same org at once; readers see the old snapshot until the commit.
*/

use super::pg_error;
use crate::error::Error;
use crate::model::{DerivedRows, Edge, JewelReachRow, Node, SnapshotCounts};
use bytes::{BufMut, BytesMut};
use futures::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{IsNull, Json, ToSql, Type, to_sql_checked};

/// JSON text sent as `jsonb` without parsing it again.
#[derive(Debug)]
pub(super) struct JsonText<'a>(pub(super) &'a str);

impl ToSql for JsonText<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if *ty == Type::JSONB {
            // jsonb's binary format: a version byte, then the text.
            out.put_u8(1);
        }
        out.put_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }

    to_sql_checked!();
}

pub(super) async fn replace(
    client: &mut tokio_postgres::Client,
    org: &str,
    mut nodes: Vec<Node>,
    mut edges: Vec<Edge>,
    derived: DerivedRows,
    updated_at: &str,
) -> Result<SnapshotCounts, Error> {
    let counts = SnapshotCounts { nodes: nodes.len() as u64, edges: edges.len() as u64 };
    crate::snapshot::label(&mut nodes, org)?;
    crate::snapshot::check_unique(&mut nodes, &mut edges)?;
    let context = format!("cannot replace the snapshot of {org}");
    let fail = |e| pg_error(&context, e);
    let tx = client.transaction().await.map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('sightline.snapshot:' || $1, 0))", &[&org])
        .await
        .map_err(fail)?;
    tx.batch_execute(
        "CREATE TEMP TABLE new_nodes (id text, kind text, sub_kind text, name text, labels jsonb, properties jsonb) \
         ON COMMIT DROP; \
         CREATE TEMP TABLE new_edges (id text, from_id text, to_id text, kind text, properties jsonb) ON COMMIT DROP;",
    )
    .await
    .map_err(fail)?;

    let sink = tx
        .copy_in("COPY new_nodes (id, kind, sub_kind, name, labels, properties) FROM STDIN BINARY")
        .await
        .map_err(fail)?;
    let writer =
        BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::JSONB, Type::JSONB]);
    pin_mut!(writer);
    for n in &nodes {
        let row: [&(dyn ToSql + Sync); 6] =
            [&n.id, &n.kind, &n.sub_kind, &n.name, &Json(&n.labels), &JsonText(n.properties.get())];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;
    drop(nodes);

    let sink =
        tx.copy_in("COPY new_edges (id, from_id, to_id, kind, properties) FROM STDIN BINARY").await.map_err(fail)?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::JSONB]);
    pin_mut!(writer);
    for e in &edges {
        let row: [&(dyn ToSql + Sync); 5] = [&e.id, &e.from_id, &e.to_id, &e.kind, &Json(&e.properties)];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;
    drop(edges);

    for (what, table) in [("node", "nodes"), ("edge", "edges")] {
        let clash = tx
            .query_opt(
                &format!("SELECT t.id FROM new_{table} t JOIN {table} s ON s.id = t.id WHERE s.org <> $1 LIMIT 1"),
                &[&org],
            )
            .await
            .map_err(fail)?;
        if let Some(row) = clash {
            return Err(crate::snapshot::duplicate_id(what, row.get(0)));
        }
    }
    tx.execute(
        "DELETE FROM nodes s WHERE s.org = $1 AND NOT EXISTS (SELECT 1 FROM new_nodes t WHERE t.id = s.id)",
        &[&org],
    )
    .await
    .map_err(fail)?;
    tx.execute(
        "INSERT INTO nodes AS s (id, org, kind, sub_kind, name, labels, properties, updated_at) \
         SELECT id, $1, kind, sub_kind, name, labels, properties, $2 FROM new_nodes ORDER BY id \
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, sub_kind = excluded.sub_kind, name = excluded.name, \
         labels = excluded.labels, properties = excluded.properties, updated_at = excluded.updated_at \
         WHERE (s.kind, s.sub_kind, s.name, s.labels, s.properties) IS DISTINCT FROM \
               (excluded.kind, excluded.sub_kind, excluded.name, excluded.labels, excluded.properties)",
        &[&org, &updated_at],
    )
    .await
    .map_err(fail)?;
    tx.execute(
        "DELETE FROM edges s WHERE s.org = $1 AND NOT EXISTS (SELECT 1 FROM new_edges t WHERE t.id = s.id)",
        &[&org],
    )
    .await
    .map_err(fail)?;
    tx.execute(
        "INSERT INTO edges AS s (id, org, from_id, to_id, kind, properties) \
         SELECT id, $1, from_id, to_id, kind, properties FROM new_edges ORDER BY id \
         ON CONFLICT (id) DO UPDATE SET from_id = excluded.from_id, to_id = excluded.to_id, kind = excluded.kind, \
         properties = excluded.properties \
         WHERE (s.from_id, s.to_id, s.kind, s.properties) IS DISTINCT FROM \
               (excluded.from_id, excluded.to_id, excluded.kind, excluded.properties)",
        &[&org],
    )
    .await
    .map_err(fail)?;

    tx.execute("DELETE FROM access_path WHERE org = $1", &[&org]).await.map_err(fail)?;
    let sink = tx
        .copy_in(
            "COPY access_path (identity, identity_id, identity_kind, resource, resource_id, resource_kind, \
             resource_labels, action, kind, reason, standing_privileges, temporary_privileges, via, org) \
             FROM STDIN BINARY",
        )
        .await
        .map_err(fail)?;
    let text = Type::TEXT;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            Type::JSONB,
            text.clone(),
            text.clone(),
            text.clone(),
            Type::INT4,
            Type::INT4,
            Type::JSONB,
            text,
        ],
    );
    pin_mut!(writer);
    for p in &derived.access_paths {
        let standing = i32::try_from(p.standing_privileges).unwrap_or(i32::MAX);
        let temporary = i32::try_from(p.temporary_privileges).unwrap_or(i32::MAX);
        let row: [&(dyn ToSql + Sync); 14] = [
            &&*p.identity,
            &&*p.identity_id,
            &&*p.identity_kind,
            &&*p.resource,
            &&*p.resource_id,
            &&*p.resource_kind,
            &JsonText(&p.resource_labels),
            &&*p.action,
            &p.kind,
            &p.reason,
            &standing,
            &temporary,
            &JsonText(&p.via),
            &org,
        ];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;

    tx.execute("DELETE FROM escalation_path WHERE org = $1", &[&org]).await.map_err(fail)?;
    let sink = tx
        .copy_in(
            "COPY escalation_path (identity, identity_id, identity_kind, target, target_id, target_kind, length, chain, \
             truncated, org) FROM STDIN BINARY",
        )
        .await
        .map_err(fail)?;
    let text = Type::TEXT;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            Type::INT4,
            Type::JSONB,
            Type::BOOL,
            text,
        ],
    );
    pin_mut!(writer);
    for r in &derived.escalation_paths {
        let length = i32::try_from(r.length).unwrap_or(i32::MAX);
        let row: [&(dyn ToSql + Sync); 10] = [
            &&*r.identity,
            &&*r.identity_id,
            &&*r.identity_kind,
            &&*r.target,
            &&*r.target_id,
            &r.target_kind,
            &length,
            &JsonText(&r.chain),
            &r.truncated,
            &org,
        ];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;

    tx.execute("DELETE FROM control_edge WHERE org = $1", &[&org]).await.map_err(fail)?;
    let sink = tx
        .copy_in(
            "COPY control_edge (from_id, to_id, capability, scope, over_admins, via_role, via_group, reason, org) \
             FROM STDIN BINARY",
        )
        .await
        .map_err(fail)?;
    let text = Type::TEXT;
    let writer = BinaryCopyInWriter::new(
        sink,
        &[
            text.clone(),
            text.clone(),
            text.clone(),
            text.clone(),
            Type::BOOL,
            text.clone(),
            text.clone(),
            text.clone(),
            text,
        ],
    );
    pin_mut!(writer);
    for r in &derived.control_edges {
        let via_group = r.via_group.as_deref();
        let row: [&(dyn ToSql + Sync); 9] = [
            &&*r.from_id,
            &&*r.to_id,
            &r.capability,
            &r.scope,
            &r.over_admins,
            &&*r.via_role,
            &via_group,
            &r.reason,
            &org,
        ];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;

    tx.execute("DELETE FROM crown_jewel_reach WHERE org = $1", &[&org]).await.map_err(fail)?;
    let sink = tx
        .copy_in("COPY crown_jewel_reach (jewel_id, jewel_name, identity_id, identity, how, org) FROM STDIN BINARY")
        .await
        .map_err(fail)?;
    let writer =
        BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT]);
    pin_mut!(writer);
    for r in &derived.jewel_reach {
        let row: [&(dyn ToSql + Sync); 6] =
            [&&*r.jewel_id, &&*r.jewel_name, &&*r.identity_id, &&*r.identity, &&*r.how, &org];
        writer.as_mut().write(&row).await.map_err(fail)?;
    }
    writer.finish().await.map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    // A snapshot can change most of these tables at once; fresh statistics keep the planner from
    // choosing, say, a GIN scan of every node for a query on one name. Best effort: autovacuum
    // catches up anyway.
    if let Err(error) = client
        .batch_execute("ANALYZE nodes, edges, access_path, escalation_path, control_edge, crown_jewel_reach")
        .await
    {
        tracing::debug!(%error, "ANALYZE after a snapshot replace failed");
    }
    Ok(counts)
}

/// The org's stored crown-jewel reach, sorted.
pub(super) async fn crown_jewel_reach(client: &tokio_postgres::Client, org: &str) -> Result<Vec<JewelReachRow>, Error> {
    let rows = client
        .query("SELECT jewel_id, jewel_name, identity_id, identity, how FROM crown_jewel_reach WHERE org = $1", &[&org])
        .await
        .map_err(|e| pg_error(&format!("cannot read the crown-jewel reach of {org}"), e))?;
    let text = |row: &tokio_postgres::Row, i: usize| std::sync::Arc::<str>::from(row.get::<_, &str>(i));
    let mut reach: Vec<JewelReachRow> = rows
        .iter()
        .map(|row| JewelReachRow {
            jewel_id: text(row, 0),
            jewel_name: text(row, 1),
            identity_id: text(row, 2),
            identity: text(row, 3),
            how: text(row, 4),
        })
        .collect();
    reach.sort();
    Ok(reach)
}
