/*!
Sightline's own private state: the accounts people sign in with, and settings kept by namespace
(integrations added in the web UI, secrets already encrypted by the caller). These tables are
outside the SQL contract: user SQL cannot see them (`crate::PRIVATE_TABLES`).
*/

use crate::error::Error;
use crate::sqlite::{parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// A local sign-in account. `password_hash` is a PHC string the caller made (Argon2id); the store
/// never sees a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The sign-in name (unique).
    pub username: String,
    /// The password hash as a PHC string.
    pub password_hash: String,
    /// `viewer`, `analyst` or `admin`.
    pub role: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

fn account(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

pub(crate) fn into_account(
    (username, password_hash, role, created): (String, String, String, String),
) -> Result<Account, Error> {
    Ok(Account { username, password_hash, role, created_at: parse_timestamp(&created)? })
}

pub(crate) fn find_account(conn: &Connection, username: &str) -> Result<Option<Account>, Error> {
    conn.query_row(
        "SELECT username, password_hash, role, created_at FROM accounts WHERE username = ?1",
        [username],
        account,
    )
    .optional()
    .map_err(|e| Error::sqlite("cannot read the account", e))?
    .map(into_account)
    .transpose()
}

pub(crate) fn accounts(conn: &Connection) -> Result<Vec<Account>, Error> {
    let context = "cannot list accounts";
    let mut stmt = conn
        .prepare("SELECT username, password_hash, role, created_at FROM accounts ORDER BY username")
        .map_err(|e| Error::sqlite(context, e))?;
    let rows: Vec<_> = stmt.query_map([], account).and_then(|r| r.collect()).map_err(|e| Error::sqlite(context, e))?;
    rows.into_iter().map(into_account).collect()
}

pub(crate) fn create_account(conn: &Connection, account: &Account) -> Result<bool, Error> {
    let at = timestamp(account.created_at);
    let inserted = conn
        .execute(
            "INSERT INTO accounts (username, password_hash, role, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) \
             ON CONFLICT (username) DO NOTHING",
            params![account.username, account.password_hash, account.role, at],
        )
        .map_err(|e| Error::sqlite("cannot create the account", e))?;
    Ok(inserted == 1)
}

pub(crate) fn set_password(conn: &Connection, username: &str, password_hash: &str) -> Result<bool, Error> {
    let changed = conn
        .execute(
            "UPDATE accounts SET password_hash = ?2, updated_at = ?3 WHERE username = ?1",
            params![username, password_hash, timestamp(Utc::now())],
        )
        .map_err(|e| Error::sqlite("cannot change the password", e))?;
    Ok(changed == 1)
}

pub(crate) fn set_role(conn: &Connection, username: &str, role: &str) -> Result<bool, Error> {
    let changed = conn
        .execute(
            "UPDATE accounts SET role = ?2, updated_at = ?3 WHERE username = ?1",
            params![username, role, timestamp(Utc::now())],
        )
        .map_err(|e| Error::sqlite("cannot change the role", e))?;
    Ok(changed == 1)
}

pub(crate) fn delete_account(conn: &Connection, username: &str) -> Result<bool, Error> {
    let deleted = conn
        .execute("DELETE FROM accounts WHERE username = ?1", [username])
        .map_err(|e| Error::sqlite("cannot delete the account", e))?;
    Ok(deleted == 1)
}

pub(crate) fn setting(conn: &Connection, namespace: &str, key: &str) -> Result<Option<String>, Error> {
    conn.query_row("SELECT value FROM settings WHERE namespace = ?1 AND key = ?2", [namespace, key], |r| r.get(0))
        .optional()
        .map_err(|e| Error::sqlite("cannot read a setting", e))
}

pub(crate) fn settings(conn: &Connection, namespace: &str) -> Result<Vec<(String, String)>, Error> {
    let context = "cannot read settings";
    let mut stmt = conn
        .prepare("SELECT key, value FROM settings WHERE namespace = ?1 ORDER BY key")
        .map_err(|e| Error::sqlite(context, e))?;
    stmt.query_map([namespace], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|r| r.collect())
        .map_err(|e| Error::sqlite(context, e))
}

pub(crate) fn put_setting(conn: &Connection, namespace: &str, key: &str, value: &str) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO settings (namespace, key, value, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![namespace, key, value, timestamp(Utc::now())],
    )
    .map_err(|e| Error::sqlite("cannot write a setting", e))?;
    Ok(())
}

pub(crate) fn delete_setting(conn: &Connection, namespace: &str, key: &str) -> Result<bool, Error> {
    let deleted = conn
        .execute("DELETE FROM settings WHERE namespace = ?1 AND key = ?2", [namespace, key])
        .map_err(|e| Error::sqlite("cannot delete a setting", e))?;
    Ok(deleted == 1)
}
