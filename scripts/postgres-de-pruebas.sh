#!/usr/bin/env bash
# Start the local PostgreSQL 15 cluster (Debian's pg_ctlcluster) if needed, make sure the
# test role and database exist, and print the TEST_DATABASE_URL for them.
# Exits 3 (printing nothing on stdout) when there is no local PostgreSQL to use.
set -euo pipefail

command -v pg_ctlcluster >/dev/null 2>&1 || { echo "pg_ctlcluster no encontrado" >&2; exit 3; }
VERSION=${PG_VERSION:-15}
pg_ctlcluster "$VERSION" main status >/dev/null 2>&1 || pg_ctlcluster "$VERSION" main start >&2
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL no respondió en 127.0.0.1:5432" >&2; exit 3; }

PSQL=(runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt)
"${PSQL[@]}" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='apptest')
  THEN CREATE ROLE apptest LOGIN PASSWORD 'apptest' CREATEDB; END IF; END\$\$;" >&2
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname='apptest'")" != 1 ]; then
  runuser -u postgres -- createdb -O apptest apptest >&2
fi
echo "postgresql+psycopg://apptest:apptest@127.0.0.1:5432/apptest"
