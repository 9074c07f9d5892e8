/*!
PostgreSQL's `jsonb` set-returning functions as SQLite table-valued functions.

`jsonb_array_elements`, `jsonb_array_elements_text`, `jsonb_each`, `jsonb_each_text` and
`jsonb_object_keys` become `pg_jsonb_array_elements(...)` etc.: eponymous virtual tables whose one
hidden column is the argument. They return rows in PostgreSQL's order (array order; object keys
in `jsonb` order) and fail as PostgreSQL does on the wrong kind of value ("cannot extract elements
from an object"). SQLite's own `json_each` is not used because it walks objects and arrays alike
and returns JSON numbers and booleans as SQL values.
*/

use crate::jsonb::Jsonb;
use rusqlite::ffi;
use rusqlite::types::Value;
use rusqlite::vtab::{
    Context, Filters, IndexConstraintOp, IndexInfo, Module, VTab, VTabConfig, VTabConnection, VTabCursor,
};
use rusqlite::{Connection, Error, Result};
use std::borrow::Cow;
use std::ffi::{CStr, c_int};
use std::marker::PhantomData;

/// One output row: the key (for `jsonb_each`) and the value, as text.
type Row = (Option<String>, Option<String>);

/// What a function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetFunction {
    /// `jsonb_array_elements`: `value jsonb`.
    ArrayElements,
    /// `jsonb_array_elements_text`: `value text`.
    ArrayElementsText,
    /// `jsonb_each`: `key text, value jsonb`.
    Each,
    /// `jsonb_each_text`: `key text, value text`.
    EachText,
    /// `jsonb_object_keys`: one text column.
    ObjectKeys,
}

impl SetFunction {
    /// The function for a PostgreSQL name (`json_*` works on `jsonb` here, as for the operators).
    pub(crate) fn for_name(name: &str) -> Option<SetFunction> {
        Some(match name {
            "jsonb_array_elements" | "json_array_elements" => SetFunction::ArrayElements,
            "jsonb_array_elements_text" | "json_array_elements_text" => SetFunction::ArrayElementsText,
            "jsonb_each" | "json_each" => SetFunction::Each,
            "jsonb_each_text" | "json_each_text" => SetFunction::EachText,
            "jsonb_object_keys" | "json_object_keys" => SetFunction::ObjectKeys,
            _ => return None,
        })
    }

    /// The SQLite name it is registered under.
    pub(crate) fn sqlite_name(self) -> &'static str {
        match self {
            SetFunction::ArrayElements => "pg_jsonb_array_elements",
            SetFunction::ArrayElementsText => "pg_jsonb_array_elements_text",
            SetFunction::Each => "pg_jsonb_each",
            SetFunction::EachText => "pg_jsonb_each_text",
            SetFunction::ObjectKeys => "pg_jsonb_object_keys",
        }
    }

    /// Output columns: (SQLite column, PostgreSQL name, is jsonb). The single column of
    /// `jsonb_object_keys` takes the function's name, or its alias.
    pub(crate) fn columns(self) -> &'static [(&'static str, &'static str, bool)] {
        match self {
            SetFunction::ArrayElements => &[("value", "value", true)],
            SetFunction::ArrayElementsText => &[("value", "value", false)],
            SetFunction::Each => &[("key", "key", false), ("value", "value", true)],
            SetFunction::EachText => &[("key", "key", false), ("value", "value", false)],
            SetFunction::ObjectKeys => &[("value", "jsonb_object_keys", false)],
        }
    }

    const ALL: [SetFunction; 5] = [
        SetFunction::ArrayElements,
        SetFunction::ArrayElementsText,
        SetFunction::Each,
        SetFunction::EachText,
        SetFunction::ObjectKeys,
    ];

    fn schema(self) -> &'static CStr {
        match self {
            SetFunction::Each | SetFunction::EachText => c"CREATE TABLE x(key, value, source HIDDEN)",
            _ => c"CREATE TABLE x(value, source HIDDEN)",
        }
    }

    /// The rows for one argument, or PostgreSQL's error.
    fn rows(self, value: &Jsonb) -> std::result::Result<Vec<Row>, String> {
        let what = match value {
            Jsonb::Object(_) => "an object",
            Jsonb::Array(_) => "an array",
            _ => "a scalar",
        };
        match (self, value) {
            (SetFunction::ArrayElements, Jsonb::Array(items)) => {
                Ok(items.iter().map(|v| (None, Some(v.to_string()))).collect())
            }
            (SetFunction::ArrayElementsText, Jsonb::Array(items)) => {
                Ok(items.iter().map(|v| (None, v.to_text())).collect())
            }
            (SetFunction::ArrayElements | SetFunction::ArrayElementsText, _) => {
                Err(format!("cannot extract elements from {what}"))
            }
            (SetFunction::Each, Jsonb::Object(pairs)) => {
                Ok(pairs.iter().map(|(k, v)| (Some(k.clone()), Some(v.to_string()))).collect())
            }
            (SetFunction::EachText, Jsonb::Object(pairs)) => {
                Ok(pairs.iter().map(|(k, v)| (Some(k.clone()), v.to_text())).collect())
            }
            (SetFunction::Each | SetFunction::EachText, _) => {
                Err(format!("cannot call {} on a non-object", self.pg_name()))
            }
            (SetFunction::ObjectKeys, Jsonb::Object(pairs)) => {
                Ok(pairs.iter().map(|(k, _)| (None, Some(k.clone()))).collect())
            }
            (SetFunction::ObjectKeys, _) => Err(format!(
                "cannot call jsonb_object_keys on {}",
                if what == "an array" { "an array" } else { "a scalar" }
            )),
        }
    }

    fn pg_name(self) -> &'static str {
        match self {
            SetFunction::ArrayElements => "jsonb_array_elements",
            SetFunction::ArrayElementsText => "jsonb_array_elements_text",
            SetFunction::Each => "jsonb_each",
            SetFunction::EachText => "jsonb_each_text",
            SetFunction::ObjectKeys => "jsonb_object_keys",
        }
    }
}

/// The SQLite names of all the table functions (for the authorizer).
pub(crate) fn sqlite_names() -> impl Iterator<Item = &'static str> {
    SetFunction::ALL.into_iter().map(SetFunction::sqlite_name)
}

/// Registers the table functions on a connection.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    const MODULE: Module<'static, JsonbTable> = Module::eponymous_only_module();
    for function in SetFunction::ALL {
        conn.create_module(function.sqlite_name(), &MODULE, Some(function))?;
    }
    Ok(())
}

#[repr(C)]
struct JsonbTable {
    /// Must come first: SQLite sees this struct as its `sqlite3_vtab`.
    base: ffi::sqlite3_vtab,
    function: SetFunction,
}

// SAFETY: `JsonbTable` is `repr(C)` with `sqlite3_vtab` first, as rusqlite requires.
unsafe impl<'vtab> VTab<'vtab> for JsonbTable {
    type Aux = SetFunction;
    type Cursor = JsonbCursor<'vtab>;

    fn connect(
        db: &mut VTabConnection,
        aux: Option<&SetFunction>,
        _module_name: &[u8],
        _database_name: &[u8],
        _table_name: &[u8],
        _args: &[&[u8]],
    ) -> Result<(Cow<'static, CStr>, Self)> {
        let function = *aux.ok_or_else(|| Error::ModuleError("table function without its kind".into()))?;
        db.config(VTabConfig::Innocuous)?;
        Ok((Cow::Borrowed(function.schema()), JsonbTable { base: ffi::sqlite3_vtab::default(), function }))
    }

    fn best_index(&self, info: &mut IndexInfo) -> Result<bool> {
        let source = self.function.columns().len() as c_int;
        let mut found = None;
        for (i, constraint) in info.constraints().enumerate() {
            if constraint.column() == source && constraint.operator() == IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
                if !constraint.is_usable() {
                    return Ok(false);
                }
                found = Some(i);
            }
        }
        match found {
            Some(i) => {
                let mut usage = info.constraint_usage(i);
                usage.set_argv_index(1);
                usage.set_omit(true);
                info.set_estimated_cost(10.0);
                info.set_estimated_rows(10);
                Ok(true)
            }
            // Called without its argument: nothing to return.
            None => {
                info.set_estimated_cost(1e12);
                Ok(true)
            }
        }
    }

    fn open(&'vtab mut self) -> Result<JsonbCursor<'vtab>> {
        Ok(JsonbCursor {
            base: ffi::sqlite3_vtab_cursor::default(),
            function: self.function,
            rows: Vec::new(),
            row: 0,
            phantom: PhantomData,
        })
    }
}

#[repr(C)]
struct JsonbCursor<'vtab> {
    /// Must come first: SQLite sees this struct as its `sqlite3_vtab_cursor`.
    base: ffi::sqlite3_vtab_cursor,
    function: SetFunction,
    rows: Vec<Row>,
    row: usize,
    phantom: PhantomData<&'vtab JsonbTable>,
}

// SAFETY: `JsonbCursor` is `repr(C)` with `sqlite3_vtab_cursor` first, as rusqlite requires.
unsafe impl VTabCursor for JsonbCursor<'_> {
    fn filter(&mut self, _idx_num: c_int, _idx_str: Option<&str>, args: &Filters<'_>) -> Result<()> {
        self.row = 0;
        self.rows = Vec::new();
        if args.is_empty() {
            return Ok(());
        }
        let value = match args.get::<Value>(0)? {
            Value::Null => return Ok(()),
            Value::Text(text) => Jsonb::parse(&text).map_err(Error::ModuleError)?,
            Value::Integer(i) => Jsonb::Number(crate::jsonb::Numeric::from_i64(i)),
            _ => return Err(Error::ModuleError(format!("{} expects jsonb", self.function.pg_name()))),
        };
        self.rows = self.function.rows(&value).map_err(Error::ModuleError)?;
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        self.row += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.row >= self.rows.len()
    }

    fn column(&self, ctx: &mut Context, i: c_int) -> Result<()> {
        let (key, value) = &self.rows[self.row];
        let two = self.function.columns().len() == 2;
        match (i, two) {
            (0, true) => ctx.set_result(key),
            (0, false) | (1, true) => ctx.set_result(value),
            _ => ctx.set_result(&None::<String>),
        }
    }

    fn rowid(&self) -> Result<i64> {
        Ok(self.row as i64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(sql: &str) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Option<String>>(i)).collect::<Result<Vec<_>>>())
            .map_err(|e| e.to_string())?
            .collect::<Result<Vec<_>>>()
            .map_err(|e| crate::error::sqlite_message(&e))
    }

    #[test]
    fn set_functions_follow_postgres() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            rows(r#"SELECT value FROM pg_jsonb_array_elements('[1, "a", null, {"b":1,"a":2}]')"#).unwrap(),
            vec![vec![s("1")], vec![s("\"a\"")], vec![s("null")], vec![s(r#"{"a": 2, "b": 1}"#)]]
        );
        assert_eq!(
            rows(r#"SELECT value FROM pg_jsonb_array_elements_text('[1, "a", null]')"#).unwrap(),
            vec![vec![s("1")], vec![s("a")], vec![None]]
        );
        assert_eq!(
            rows(r#"SELECT key, value FROM pg_jsonb_each('{"b":1,"aa":null}')"#).unwrap(),
            vec![vec![s("b"), s("1")], vec![s("aa"), s("null")]]
        );
        assert_eq!(
            rows(r#"SELECT value FROM pg_jsonb_object_keys('{"b":1,"aa":2}')"#).unwrap(),
            vec![vec![s("b")], vec![s("aa")]]
        );
        assert_eq!(rows("SELECT value FROM pg_jsonb_array_elements(NULL)").unwrap(), Vec::<Vec<Option<String>>>::new());
        assert!(
            rows("SELECT value FROM pg_jsonb_array_elements('{}')")
                .unwrap_err()
                .contains("cannot extract elements from an object")
        );
        assert!(
            rows("SELECT key FROM pg_jsonb_each('[1]')")
                .unwrap_err()
                .contains("cannot call jsonb_each on a non-object")
        );
    }
}
