#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use is up: the local Debian cluster on 127.0.0.1:5432
# (user postgres, trust authentication, database `test`), started if it is down. Tests create a
# database of their own on it and drop it afterwards. Set SIGHTLINE_TEST_POSTGRES to use another
# server instead (a postgres:// URL whose user may create databases).
set -euo pipefail

if [[ -n "${SIGHTLINE_TEST_POSTGRES:-}" ]]; then
  exit 0
fi
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ ! -d /etc/postgresql ]]; then
  echo "PostgreSQL is not running on 127.0.0.1:5432 and no local cluster was found;" >&2
  echo "install PostgreSQL or set SIGHTLINE_TEST_POSTGRES=postgres://user@host:port/db" >&2
  exit 1
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
echo "starting PostgreSQL ${version} (cluster main)" >&2
pg_ctlcluster --skip-systemctl-redirect "${version}" main start
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "PostgreSQL did not become ready on 127.0.0.1:5432" >&2
exit 1
