/*!
What user SQL may do on PostgreSQL, checked before it is sent.

PostgreSQL runs the query natively, so the check is an allow-list over the parsed query: exactly
one query (as on SQLite: `crate::rewrite::translate::single_query`); relations are the store's
tables or the query's own CTEs (never `pg_catalog`, `information_schema` or another schema);
functions are the built-ins below, unqualified (no `pg_read_file`, `set_config`, `dblink`,
`lo_import`, `query_to_xml`, `pg_sleep`, ...); no `SELECT ... INTO`, row locks or
data-modifying CTEs. The read-only transaction, the query role and the time limit are the
further walls (`super::query`).
*/

use crate::error::Error;
use crate::rewrite::translate::{pos, single_query, statement_name};
use sqlparser::ast::{Expr, ObjectName, Query, SetExpr, Spanned, TableFactor, Visit, Visitor};
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Built-in functions user queries may call: pure functions of their arguments over text,
/// numbers, JSON, dates and arrays, aggregates, and window functions.
const ALLOWED_FUNCTIONS: &[&str] = &[
    // aggregates
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "string_agg",
    "array_agg",
    "jsonb_agg",
    "json_agg",
    "jsonb_object_agg",
    "json_object_agg",
    "bool_and",
    "bool_or",
    "every",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "percentile_cont",
    "percentile_disc",
    "mode",
    // window functions
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
    // conditionals
    "coalesce",
    "nullif",
    "greatest",
    "least",
    // text
    "lower",
    "upper",
    "initcap",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "bit_length",
    "substr",
    "substring",
    "replace",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "position",
    "strpos",
    "concat",
    "concat_ws",
    "left",
    "right",
    "split_part",
    "starts_with",
    "reverse",
    "lpad",
    "rpad",
    "repeat",
    "translate",
    "format",
    "md5",
    "regexp_replace",
    "regexp_match",
    "regexp_matches",
    "regexp_split_to_array",
    "regexp_split_to_table",
    "regexp_like",
    "regexp_count",
    "regexp_substr",
    "to_char",
    "to_number",
    "quote_literal",
    "quote_ident",
    "ascii",
    "chr",
    "encode",
    "decode",
    "string_to_array",
    "string_to_table",
    // numbers
    "abs",
    "round",
    "ceil",
    "ceiling",
    "floor",
    "trunc",
    "mod",
    "div",
    "power",
    "pow",
    "sqrt",
    "cbrt",
    "exp",
    "ln",
    "log",
    "log10",
    "sign",
    "pi",
    "width_bucket",
    "random",
    // JSON
    "to_json",
    "to_jsonb",
    "jsonb_typeof",
    "json_typeof",
    "jsonb_array_length",
    "json_array_length",
    "jsonb_array_elements",
    "json_array_elements",
    "jsonb_array_elements_text",
    "json_array_elements_text",
    "jsonb_each",
    "json_each",
    "jsonb_each_text",
    "json_each_text",
    "jsonb_object_keys",
    "json_object_keys",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "jsonb_extract_path",
    "json_extract_path",
    "jsonb_extract_path_text",
    "json_extract_path_text",
    "jsonb_strip_nulls",
    "json_strip_nulls",
    "jsonb_pretty",
    "jsonb_set",
    "jsonb_insert",
    "jsonb_path_query",
    "jsonb_path_query_array",
    "jsonb_path_query_first",
    "jsonb_path_exists",
    "jsonb_path_match",
    "jsonb_object",
    "json_object",
    "array_to_json",
    "row_to_json",
    // dates and times
    "now",
    "current_timestamp",
    "current_date",
    "date_trunc",
    "date_part",
    "extract",
    "age",
    "to_timestamp",
    "to_date",
    "make_interval",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "date_bin",
    "justify_interval",
    "isfinite",
    // arrays and sets
    "array_length",
    "cardinality",
    "unnest",
    "array_to_string",
    "array_position",
    "array_positions",
    "array_append",
    "array_prepend",
    "array_cat",
    "array_remove",
    "array_upper",
    "array_lower",
    "generate_series",
];

/// A query that passed the check, and the text to send.
pub(crate) struct Checked {
    /// The user's text without trailing semicolons and comments, so it can be wrapped.
    pub(crate) sql: String,
}

pub(crate) fn check(sql: &str, tables: &BTreeSet<String>) -> Result<Checked, Error> {
    let query = single_query(sql)?;
    let mut ctes = BTreeSet::new();
    let _ = query.visit(&mut CteNames(&mut ctes));
    if let ControlFlow::Break(error) = query.visit(&mut Guard { tables, ctes: &ctes }) {
        return Err(error);
    }
    Ok(Checked { sql: without_trailer(sql) })
}

/// Every CTE name in the query, at any depth.
struct CteNames<'a>(&'a mut BTreeSet<String>);

impl Visitor for CteNames<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.0.insert(fold(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }
}

struct Guard<'a> {
    tables: &'a BTreeSet<String>,
    ctes: &'a BTreeSet<String>,
}

fn fold(ident: &sqlparser::ast::Ident) -> String {
    if ident.quote_style.is_some() { ident.value.clone() } else { ident.value.to_lowercase() }
}

fn refuse(span: sqlparser::tokenizer::Span, message: impl Into<String>) -> ControlFlow<Error> {
    ControlFlow::Break(Error::sql(message, pos(span)))
}

impl Guard<'_> {
    fn relation(&self, name: &ObjectName) -> ControlFlow<Error> {
        let parts: Vec<String> =
            name.0.iter().map(|p| p.as_ident().map(fold).unwrap_or_else(|| p.to_string())).collect();
        match parts.as_slice() {
            [one] if self.tables.contains(one) || self.ctes.contains(one) => ControlFlow::Continue(()),
            [one] => refuse(name.span(), format!("relation \"{one}\" does not exist")),
            _ => refuse(
                name.span(),
                format!("relation \"{name}\" is not available: queries read the store's tables, by their plain names"),
            ),
        }
    }

    fn function(&self, name: &ObjectName) -> ControlFlow<Error> {
        let parts: Vec<String> =
            name.0.iter().map(|p| p.as_ident().map(fold).unwrap_or_else(|| p.to_string())).collect();
        match parts.as_slice() {
            [one] if ALLOWED_FUNCTIONS.contains(&one.as_str()) => ControlFlow::Continue(()),
            _ => refuse(
                name.span(),
                format!(
                    "function {name} is not available in queries (only built-in functions over values, \
                     aggregates and window functions can be called)"
                ),
            ),
        }
    }
}

impl Visitor for Guard<'_> {
    type Break = Error;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Error> {
        if let Some(lock) = query.locks.first() {
            return refuse(query.span(), format!("{lock} is not allowed: queries are read-only"));
        }
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                if let Some(statement) = data_modifying(&cte.query.body) {
                    return refuse(cte.query.span(), format!("{statement} is not allowed: queries are read-only"));
                }
            }
        }
        match &*query.body {
            SetExpr::Select(select) if select.into.is_some() => {
                refuse(select.span(), "SELECT ... INTO is not allowed: queries are read-only")
            }
            SetExpr::Table(table) => match &table.table_name {
                Some(name) if self.tables.contains(&fold(name)) || self.ctes.contains(&fold(name)) => {
                    ControlFlow::Continue(())
                }
                Some(name) => refuse(query.span(), format!("relation \"{name}\" does not exist")),
                None => refuse(query.span(), "TABLE without a name is not supported"),
            },
            body => match data_modifying(body) {
                Some(statement) => refuse(query.span(), format!("{statement} is not allowed: queries are read-only")),
                None => ControlFlow::Continue(()),
            },
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<Error> {
        match factor {
            TableFactor::Table { name, args: None, .. } => self.relation(name),
            TableFactor::Table { name, args: Some(_), .. } | TableFactor::Function { name, .. } => self.function(name),
            TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::UNNEST { .. }
            | TableFactor::TableFunction { .. } => ControlFlow::Continue(()),
            other => refuse(other.span(), "this kind of FROM item is not supported"),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Error> {
        match expr {
            Expr::Function(function) => self.function(&function.name),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// The statement a query body would run if it writes (`INSERT`, `UPDATE`, `DELETE`, `MERGE`).
fn data_modifying(body: &SetExpr) -> Option<String> {
    match body {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) | SetExpr::Merge(s) => Some(statement_name(s)),
        _ => None,
    }
}

/// The text up to the end of its last token, dropping trailing `;`, comments and whitespace, so
/// that it can be placed inside a subquery.
fn without_trailer(sql: &str) -> String {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = match Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(_) => return sql.to_string(),
    };
    let last = tokens.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_) | Token::SemiColon | Token::EOF));
    let Some(last) = last else { return sql.to_string() };
    let Some(end) = byte_offset(sql, last.span.end) else { return sql.to_string() };
    let mut text = sql[..end].to_string();
    // Semicolons before the query (empty statements) would end the wrapper's subquery: blank
    // them, which keeps every position. Found by fuzzing (`user_sql`).
    for token in tokens.iter().take_while(|t| matches!(t.token, Token::Whitespace(_) | Token::SemiColon)) {
        if token.token == Token::SemiColon
            && let Some(at) = byte_offset(&text, token.span.start)
            && text[at..].starts_with(';')
        {
            text.replace_range(at..at + 1, " ");
        }
    }
    text
}

/// The byte offset of a span position ((line, column) from 1, in characters).
fn byte_offset(sql: &str, at: sqlparser::tokenizer::Location) -> Option<usize> {
    let mut offset = 0;
    for (number, line) in sql.split_inclusive('\n').enumerate() {
        if number as u64 + 1 == at.line {
            let column = (at.column as usize).saturating_sub(1);
            return Some(offset + line.char_indices().nth(column).map_or(line.len(), |(i, _)| i));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> BTreeSet<String> {
        ["nodes", "edges", "access_path"].iter().map(|s| s.to_string()).collect()
    }

    /// Found by fuzzing (`user_sql`): sqlparser stopped at `END` and the guard checked only
    /// `SELECT 1`, while the whole text (which PostgreSQL reads as `SELECT 1 AS "end", ...`) was
    /// to be sent.
    #[test]
    fn text_after_a_block_end_keyword_is_refused_not_ignored() {
        for sql in [
            "SELECT 1 END, pg_read_file('/etc/passwd') FROM accounts",
            "SELECT 1 END",
            "SELECT id FROM nodes END; DELETE FROM nodes",
        ] {
            assert!(check(sql, &tables()).is_err(), "{sql} passed");
        }
        let e = check("SELECT 1 END, pg_read_file('/etc/passwd')", &tables()).err().unwrap();
        assert!(e.to_string().contains("syntax error"), "{e}");
        assert!(check("SELECT 1 AS \"end\"", &tables()).is_ok());
    }

    /// Found by fuzzing (`user_sql`): `;SELECT 1` passed the guard as is, and the leading `;`
    /// ended the subquery of the wrapper the query runs in (a syntax error on PostgreSQL only).
    #[test]
    fn leading_semicolons_are_blanked_keeping_positions() {
        assert_eq!(check(";SELECT id FROM nodes", &tables()).unwrap().sql, " SELECT id FROM nodes");
        assert_eq!(check(" ;\n; SELECT 1;", &tables()).unwrap().sql, "  \n  SELECT 1");
        assert_eq!(check("/* ; */ ;SELECT 1", &tables()).unwrap().sql, "/* ; */  SELECT 1");
    }

    fn refused(sql: &str) -> String {
        match check(sql, &tables()) {
            Ok(_) => panic!("{sql} was allowed"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_of_the_store_pass() {
        for sql in [
            "SELECT * FROM nodes",
            "WITH x AS (SELECT id FROM nodes) SELECT * FROM x JOIN edges e ON e.from_id = x.id",
            "SELECT name, row_number() OVER (ORDER BY name) FROM nodes WHERE name ~ '^a'",
            "SELECT * FROM nodes, jsonb_each(labels)",
            "SELECT count(*) FROM access_path WHERE via @> '[{\"type\": \"direct\"}]'",
            "SELECT now() - interval '1 day'",
        ] {
            check(sql, &tables()).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (sql, reason) in [
            ("SELECT pg_read_file('/etc/passwd')", "function pg_read_file is not available"),
            ("SELECT set_config('statement_timeout', '0', false)", "function set_config"),
            ("SELECT * FROM pg_catalog.pg_authid", "not available"),
            ("SELECT * FROM pg_shadow", "relation \"pg_shadow\" does not exist"),
            ("SELECT * FROM information_schema.tables", "not available"),
            ("SELECT pg_catalog.lower('x')", "function pg_catalog.lower"),
            ("SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", "function dblink"),
            ("SELECT lo_import('/etc/passwd')", "function lo_import"),
            ("SELECT query_to_xml('delete from nodes', true, true, '')", "function query_to_xml"),
            ("SELECT pg_sleep(100)", "function pg_sleep"),
            ("SELECT * INTO copy FROM nodes", "SELECT ... INTO"),
            ("SELECT * FROM nodes FOR UPDATE", "is not allowed"),
            ("WITH d AS (DELETE FROM nodes RETURNING id) SELECT * FROM d", "DELETE is not allowed"),
            ("DELETE FROM nodes", "DELETE is not allowed"),
            ("COPY nodes TO '/tmp/x'", "COPY is not allowed"),
            ("SET ROLE postgres", "SET is not allowed"),
            ("SELECT 1; SELECT 2", "only one statement"),
        ] {
            let message = refused(sql);
            assert!(message.contains(reason), "{sql}: {message}");
        }
    }

    #[test]
    fn trailing_semicolons_and_comments_are_dropped() {
        assert_eq!(without_trailer("SELECT 1;"), "SELECT 1");
        assert_eq!(without_trailer("SELECT 1 ; -- done\n"), "SELECT 1");
        assert_eq!(without_trailer("SELECT 'é' /* x */ ;;"), "SELECT 'é'");
        assert_eq!(without_trailer("SELECT 1\n  -- note"), "SELECT 1");
    }
}
