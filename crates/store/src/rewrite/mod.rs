//! PostgreSQL-dialect SQL on SQLite: the catalog of queryable tables and the translator.

pub(crate) mod catalog;
pub(crate) mod translate;
