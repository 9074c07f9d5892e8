//! Accounts and private settings on PostgreSQL (see `crate::private`).

use super::pg_error;
use crate::error::Error;
use crate::private::{Account, into_account};
use crate::sqlite::timestamp;
use chrono::Utc;
use tokio_postgres::{Client, Row};

fn account(row: &Row) -> Result<Account, Error> {
    into_account((row.get(0), row.get(1), row.get(2), row.get(3)))
}

pub(super) async fn find_account(client: &Client, username: &str) -> Result<Option<Account>, Error> {
    client
        .query_opt("SELECT username, password_hash, role, created_at FROM accounts WHERE username = $1", &[&username])
        .await
        .map_err(|e| pg_error("cannot read the account", e))?
        .as_ref()
        .map(account)
        .transpose()
}

pub(super) async fn accounts(client: &Client) -> Result<Vec<Account>, Error> {
    client
        .query("SELECT username, password_hash, role, created_at FROM accounts ORDER BY username", &[])
        .await
        .map_err(|e| pg_error("cannot list accounts", e))?
        .iter()
        .map(account)
        .collect()
}

pub(super) async fn create_account(client: &Client, account: &Account) -> Result<bool, Error> {
    let at = timestamp(account.created_at);
    let inserted = client
        .execute(
            "INSERT INTO accounts (username, password_hash, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (username) DO NOTHING",
            &[&account.username, &account.password_hash, &account.role, &at],
        )
        .await
        .map_err(|e| pg_error("cannot create the account", e))?;
    Ok(inserted == 1)
}

pub(super) async fn set_password(client: &Client, username: &str, password_hash: &str) -> Result<bool, Error> {
    let changed = client
        .execute(
            "UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE username = $1",
            &[&username, &password_hash, &timestamp(Utc::now())],
        )
        .await
        .map_err(|e| pg_error("cannot change the password", e))?;
    Ok(changed == 1)
}

pub(super) async fn set_role(client: &Client, username: &str, role: &str) -> Result<bool, Error> {
    let changed = client
        .execute(
            "UPDATE accounts SET role = $2, updated_at = $3 WHERE username = $1",
            &[&username, &role, &timestamp(Utc::now())],
        )
        .await
        .map_err(|e| pg_error("cannot change the role", e))?;
    Ok(changed == 1)
}

pub(super) async fn delete_account(client: &Client, username: &str) -> Result<bool, Error> {
    let deleted = client
        .execute("DELETE FROM accounts WHERE username = $1", &[&username])
        .await
        .map_err(|e| pg_error("cannot delete the account", e))?;
    Ok(deleted == 1)
}

pub(super) async fn setting(client: &Client, namespace: &str, key: &str) -> Result<Option<String>, Error> {
    Ok(client
        .query_opt("SELECT value FROM settings WHERE namespace = $1 AND key = $2", &[&namespace, &key])
        .await
        .map_err(|e| pg_error("cannot read a setting", e))?
        .map(|r| r.get(0)))
}

pub(super) async fn settings(client: &Client, namespace: &str) -> Result<Vec<(String, String)>, Error> {
    Ok(client
        .query("SELECT key, value FROM settings WHERE namespace = $1 ORDER BY key", &[&namespace])
        .await
        .map_err(|e| pg_error("cannot read settings", e))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

pub(super) async fn put_setting(client: &Client, namespace: &str, key: &str, value: &str) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO settings (namespace, key, value, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            &[&namespace, &key, &value, &timestamp(Utc::now())],
        )
        .await
        .map_err(|e| pg_error("cannot write a setting", e))?;
    Ok(())
}

pub(super) async fn delete_setting(client: &Client, namespace: &str, key: &str) -> Result<bool, Error> {
    let deleted = client
        .execute("DELETE FROM settings WHERE namespace = $1 AND key = $2", &[&namespace, &key])
        .await
        .map_err(|e| pg_error("cannot delete a setting", e))?;
    Ok(deleted == 1)
}
