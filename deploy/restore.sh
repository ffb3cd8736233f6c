#!/usr/bin/env bash
# Restore a dump made by backup.sh into the compose deployment's database. DESTRUCTIVE:
# the current database is dropped. The API and dashboard are stopped during the restore
# (agents keep their counts in their outboxes and upload them afterwards; nothing is lost).
#   deploy/restore.sh deploy/backups/footfall-20260101T020000Z.dump
set -euo pipefail
cd "$(dirname "$0")"
dump=${1:?usage: deploy/restore.sh deploy/backups/footfall-....dump}
file=$(basename "$dump")
[[ -f "backups/${file}" ]] || { echo "restore: backups/${file} not found (dumps must be in deploy/backups/)" >&2; exit 1; }
COMPOSE=(docker compose -f compose.yaml --env-file "${ENV_FILE:-.env}")
psql=("${COMPOSE[@]}" exec -T db psql -v ON_ERROR_STOP=1 -U footfall)

"${COMPOSE[@]}" stop proxy dashboard server
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS footfall WITH (FORCE)"
"${psql[@]}" -d postgres -c "CREATE DATABASE footfall OWNER footfall"
"${psql[@]}" -d footfall -c "CREATE EXTENSION IF NOT EXISTS timescaledb"
"${psql[@]}" -d footfall -c "SELECT timescaledb_pre_restore()"
# Not --exit-on-error: TimescaleDB's own catalog rows can report harmless "already exists"
# errors. Any error is shown and the script says so; check the list before reopening.
if ! "${COMPOSE[@]}" exec -T db pg_restore -U footfall -d footfall --no-owner "/backups/${file}"; then
    echo "restore: pg_restore reported errors (above); review them before trusting the data" >&2
fi
"${psql[@]}" -d footfall -c "SELECT timescaledb_post_restore()"
# Apply any migration newer than the dump, then bring the services back.
"${COMPOSE[@]}" run --rm migrate
"${COMPOSE[@]}" up -d server dashboard proxy
"${psql[@]}" -d footfall -c "SELECT count(*) AS organisations FROM organisations"
echo "restore: done from ${file}"
