#!/usr/bin/env bash
# Back up the Footfall database of the compose deployment into deploy/backups/.
#   deploy/backup.sh                 # -> deploy/backups/footfall-YYYYmmddTHHMMSSZ.dump
#   KEEP=14 deploy/backup.sh         # also delete all but the newest 14 dumps
# A custom-format pg_dump is consistent (one snapshot) while ingest keeps running.
# TimescaleDB hypertables dump and restore with plain pg_dump/pg_restore as long as the
# restore runs between timescaledb_pre_restore() and timescaledb_post_restore() (restore.sh does).
set -euo pipefail
cd "$(dirname "$0")"
COMPOSE=(docker compose -f compose.yaml --env-file "${ENV_FILE:-.env}")
mkdir -p backups
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="footfall-${stamp}.dump"
"${COMPOSE[@]}" exec -T db pg_dump -U footfall -d footfall --format=custom --compress=6 \
    --file="/backups/${name}.partial"
"${COMPOSE[@]}" exec -T db mv "/backups/${name}.partial" "/backups/${name}"
"${COMPOSE[@]}" exec -T db pg_restore --list "/backups/${name}" >/dev/null  # the dump is readable
echo "backup: deploy/backups/${name}"
if [[ -n "${KEEP:-}" ]]; then
    ls -1t backups/footfall-*.dump | tail -n +"$((KEEP + 1))" | xargs -r rm -v --
fi
