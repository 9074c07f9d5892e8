//! What user SQL may read: the tables and views, their columns and the PostgreSQL type of each.

use crate::error::Error;
use std::collections::BTreeMap;

/// The PostgreSQL type of a value, as far as the rewrite needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A string literal or NULL whose type comes from context, as PostgreSQL's `unknown`.
    Unknown,
    /// `text`, `varchar`, timestamps kept as RFC 3339 text.
    Text,
    /// `integer`/`bigint`.
    Int,
    /// `numeric`/`double precision`.
    Num,
    /// `boolean` (0/1 in SQLite).
    Bool,
    /// `jsonb` (JSON text in SQLite).
    Json,
    /// An array from `array_agg` (a JSON array in SQLite and in results).
    Array,
}

impl Ty {
    /// The name PostgreSQL uses in messages.
    pub(crate) fn pg_name(self) -> &'static str {
        match self {
            Ty::Unknown => "unknown",
            Ty::Text => "text",
            Ty::Int => "integer",
            Ty::Num => "numeric",
            Ty::Bool => "boolean",
            Ty::Json => "jsonb",
            Ty::Array => "array",
        }
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Num)
    }
}

/// Columns that hold JSON text in SQLite and `jsonb` in PostgreSQL.
const JSON_COLUMNS: &[(&str, &str)] = &[
    ("nodes", "labels"),
    ("nodes", "properties"),
    ("edges", "properties"),
    ("access_path", "resource_labels"),
    ("access_path", "via"),
    ("escalation_path", "chain"),
    ("sync_runs", "counts"),
    ("sync_runs", "progress"),
    ("events", "targets"),
    ("events", "ocsf"),
    ("events", "raw"),
    ("alerts", "details"),
];

/// A column of a table or view.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) ty: Ty,
}

/// A table or view users may query.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) columns: Vec<Column>,
    /// The single-column primary key, if any (grouping by it allows the other columns).
    pub(crate) primary_key: Option<String>,
}

/// Every table and view users may query, by lowercase name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    pub(crate) tables: BTreeMap<String, Table>,
}

impl Catalog {
    /// Reads the schema of an open (migrated) database.
    pub(crate) fn load(conn: &rusqlite::Connection) -> Result<Catalog, Error> {
        let context = "cannot read the database schema";
        let mut names = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%'")
            .map_err(|e| Error::sqlite(context, e))?;
        let names: Vec<String> = names
            .query_map([], |row| row.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| Error::sqlite(context, e))?;
        let mut tables = BTreeMap::new();
        for name in names {
            if crate::PRIVATE_TABLES.contains(&name.as_str()) {
                continue;
            }
            let mut info = conn
                .prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
                .map_err(|e| Error::sqlite(context, e))?;
            let rows: Vec<(String, String, i64)> = info
                .query_map([&name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .and_then(|rows| rows.collect())
                .map_err(|e| Error::sqlite(context, e))?;
            let keys: Vec<&str> = rows.iter().filter(|r| r.2 > 0).map(|r| r.0.as_str()).collect();
            let primary_key = (keys.len() == 1).then(|| keys[0].to_lowercase());
            let table_name = name.to_lowercase();
            let columns = rows
                .iter()
                .map(|(column, declared, _)| {
                    let column = column.to_lowercase();
                    let ty = if JSON_COLUMNS.contains(&(table_name.as_str(), column.as_str())) {
                        Ty::Json
                    } else {
                        declared_type(declared)
                    };
                    Column { name: column, ty }
                })
                .collect();
            tables.insert(table_name, Table { columns, primary_key });
        }
        Ok(Catalog { tables })
    }

    pub(crate) fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

/// The type of a column from its declared SQLite type.
fn declared_type(declared: &str) -> Ty {
    let d = declared.to_ascii_uppercase();
    if d.contains("BOOL") {
        Ty::Bool
    } else if d.contains("INT") {
        Ty::Int
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") || d.contains("NUMERIC") {
        Ty::Num
    } else {
        Ty::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_column_exists() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn, None).unwrap();
        let catalog = Catalog::load(&conn).unwrap();
        for (table, column) in JSON_COLUMNS {
            let t = catalog.table(table).unwrap_or_else(|| panic!("no table {table}"));
            let c =
                t.columns.iter().find(|c| c.name == *column).unwrap_or_else(|| panic!("no column {table}.{column}"));
            assert_eq!(c.ty, Ty::Json);
        }
        assert!(catalog.table("schema_migrations").is_none());
        assert_eq!(catalog.table("nodes").unwrap().primary_key.as_deref(), Some("id"));
        let integrations = catalog.table("integrations").unwrap();
        assert_eq!(integrations.columns.iter().find(|c| c.name == "resources").unwrap().ty, Ty::Bool);
    }
}
