//! Translation tests: the SQL produced, and what is refused with which position.

use super::*;
use crate::rewrite::catalog::Catalog;

fn catalog() -> Catalog {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    crate::migrate::migrate(&mut conn, None).unwrap();
    Catalog::load(&conn).unwrap()
}

fn sql(query: &str) -> String {
    translate(query, &catalog(), "2026-01-01T00:00:00.000000Z").unwrap_or_else(|e| panic!("{query}: {e}")).sql
}

fn refused(query: &str) -> (String, Option<(u64, u64)>) {
    match translate(query, &catalog(), "now") {
        Ok(t) => panic!("{query} was accepted as {}", t.sql),
        Err(e) => (e.to_string(), e.position()),
    }
}

#[test]
fn contract_query_uses_the_containment_function_and_an_indexable_filter() {
    assert_eq!(
        sql(r#"SELECT id FROM nodes WHERE labels @> '{"okta/org": "https://x.okta.com"}'"#),
        r#"SELECT "nodes"."id" AS "id" FROM "nodes" WHERE (json_extract("nodes"."labels", '$."okta/org"') = 'https://x.okta.com' AND pg_jsonb_contains("nodes"."labels", '{"okta/org": "https://x.okta.com"}'))"#
    );
}

#[test]
fn refusals_name_the_construct_and_its_position() {
    let cases = [
        ("DELETE FROM nodes", "DELETE is not allowed", Some((1, 1))),
        ("  INSERT INTO nodes VALUES (1)", "INSERT is not allowed", Some((1, 3))),
        ("SELECT 1; SELECT 2", "only one statement", Some((1, 11))),
        ("SELECT * INTO t FROM nodes", "SELECT ... INTO is not allowed", Some((1, 15))),
        ("SELECT load_extension('x')", "load_extension", Some((1, 8))),
        ("SELECT id FROM nodes WHERE name ~ 'a'", "regular expression", Some((1, 28))),
        ("SELECT * FROM sqlite_master", "relation \"sqlite_master\" does not exist", Some((1, 15))),
        ("SELECT nme FROM nodes", "column \"nme\" does not exist", Some((1, 8))),
        ("PRAGMA table_info(nodes)", "PRAGMA is not allowed", Some((1, 1))),
        ("ATTACH DATABASE 'x' AS y", "ATTACH is not allowed", Some((1, 1))),
        ("SET search_path = x", "SET is not allowed", Some((1, 1))),
        ("CREATE TABLE t (a int)", "CREATE TABLE is not allowed", Some((1, 1))),
        ("COPY nodes TO '/tmp/x'", "COPY is not allowed", Some((1, 1))),
        ("SELECT name, count(*) FROM nodes", "must appear in the GROUP BY clause", Some((1, 8))),
        ("SELECT id FROM nodes WHERE name = 1", "operator does not exist: text = integer", Some((1, 28))),
        ("SELECT id FROM nodes WHERE 1", "argument of WHERE must be type boolean", Some((1, 28))),
        ("SELECT $1", "parameters", Some((1, 8))),
        ("SELECT ?", "syntax error", Some((1, 8))),
        ("SELECT id FROM nodes WHERE name -> 'a' IS NULL", "operator does not exist: text ->", Some((1, 28))),
        ("SELECT id FROM nodes ORDER BY labels", "ordering by jsonb", Some((1, 31))),
    ];
    for (query, message, position) in cases {
        let (got, at) = refused(query);
        assert!(got.contains(message), "{query}: {got}");
        assert_eq!(at, position, "{query}: {got}");
    }
}

#[test]
fn syntax_errors_carry_the_position() {
    let (message, position) = refused("SELECT id FROM nodes WHERE");
    assert!(message.starts_with("syntax error"), "{message}");
    assert!(position.is_some(), "{message}");
}

#[test]
fn postgres_column_names() {
    let t = translate(
        "SELECT count(*), id, n.name, labels->>'x', labels::text, 1::int, CASE WHEN true THEN 1 END, \
         (SELECT max(name) FROM edges e2 JOIN nodes n2 ON n2.id = e2.from_id), trim(name), now() \
         FROM nodes n GROUP BY n.id",
        &catalog(),
        "now",
    )
    .unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["count", "id", "name", "?column?", "labels", "int4", "case", "max", "btrim", "now"]);
}

#[test]
fn nulls_order_as_in_postgres() {
    assert!(sql("SELECT id FROM nodes ORDER BY name").ends_with(r#"ORDER BY "nodes"."name" ASC NULLS LAST"#));
    assert!(sql("SELECT id FROM nodes ORDER BY name DESC").ends_with(r#"ORDER BY "nodes"."name" DESC NULLS FIRST"#));
    assert!(sql("SELECT id FROM nodes ORDER BY 1 NULLS FIRST").ends_with("ORDER BY 1 ASC NULLS FIRST"));
}

#[test]
fn question_mark_operators_never_reach_sqlite() {
    let out = sql("SELECT id FROM nodes WHERE labels ? 'a' AND labels ?| array['b','c'] AND labels ?& '{d,e}'");
    assert!(!out.contains('?'), "{out}");
    assert!(out.contains(r#"pg_jsonb_exists_any("nodes"."labels", '["b","c"]')"#), "{out}");
    assert!(out.contains(r#"pg_jsonb_exists_all("nodes"."labels", '["d","e"]')"#), "{out}");
}

#[test]
fn pg_array_literals() {
    assert_eq!(parse_pg_array("{a,b}").unwrap(), vec![Some("a".into()), Some("b".into())]);
    assert_eq!(
        parse_pg_array(r#"{ "a b" , NULL,"c\"d"}"#).unwrap(),
        vec![Some("a b".into()), None, Some("c\"d".into())]
    );
    assert_eq!(parse_pg_array("{}").unwrap(), Vec::<Option<String>>::new());
    assert!(parse_pg_array("{a,{b}}").is_err());
    assert!(parse_pg_array("a,b").is_err());
}

#[test]
fn the_org_label_filter_uses_its_index() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    crate::migrate::migrate(&mut conn, None).unwrap();
    crate::functions::register(&conn).unwrap();
    let catalog = Catalog::load(&conn).unwrap();
    let query = r#"SELECT * FROM nodes WHERE labels @> '{"okta/org": "https://acme.okta.com"}'"#;
    let translated = translate(query, &catalog, "now").unwrap().sql;
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {translated}")).unwrap();
    let plan: Vec<String> = stmt.query_map([], |r| r.get(3)).unwrap().collect::<Result<_, _>>().unwrap();
    assert!(plan.iter().any(|p| p.contains("nodes_label_okta_org")), "{plan:?}");
}
