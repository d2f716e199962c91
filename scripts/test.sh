#!/usr/bin/env bash
# The whole suite: lint, then every test on SQLite, then every test again on a throwaway PostgreSQL 15
# cluster. Installs what is missing when run as root; otherwise stops with the command to run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

find_pg_bin() {
  for v in 15 16 17; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then echo "/usr/lib/postgresql/$v/bin"; return 0; fi
  done
  return 1
}

missing=()
find_pg_bin >/dev/null || missing+=(postgresql-15)
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
# DejaVu Sans: the PDFs (agendas, badges) print every script with it; the tests read them back.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing ${missing[*]} with apt-get…"
    apt-get update -qq
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; then
      # Distributions whose default PostgreSQL is newer than 15 call the package just 'postgresql'.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]/postgresql-15/postgresql}"
    fi
  else
    echo "Missing system packages. Run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
PG_BIN=$(find_pg_bin)

# axe-core for the browser tests, from the npm registry, at the version in package-lock.json.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

echo "== ruff"
$BIN/ruff check src tests bench
$BIN/ruff format --check src tests bench

mkdir -p test-artifacts
status=0

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/test-artifacts/unused.sqlite3" \
  $BIN/pytest -p no:cacheprovider -n 2 --dist loadgroup "$@" || status=$?

echo "== tests on PostgreSQL ($PG_BIN)"
pgdir=$(mktemp -d /tmp/jumelage-pg.XXXXXX)
port=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
cleanup() {
  as_pg "$PG_BIN/pg_ctl -D $pgdir/data -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
as_pg "$PG_BIN/initdb -D $pgdir/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$PG_BIN/pg_ctl -D $pgdir/data -l $pgdir/log -w -o \"-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start" >/dev/null
DATABASE_URL="postgres://postgres@127.0.0.1:$port/jumelage" \
  $BIN/pytest -p no:cacheprovider -n 2 --dist loadgroup "$@" || status=$?

exit $status
