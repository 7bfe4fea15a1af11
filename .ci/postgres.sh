#!/usr/bin/env bash
# Make a PostgreSQL server answer on 127.0.0.1:5432 as user postgres with trust auth, so the test
# suite can run its PostgreSQL variants. Steps, each skipped when already done:
#   1. a server already answers (trust auth)          -> nothing to do
#   2. no cluster configured: install Debian's package (apt-get, as root), create a cluster if needed
#   3. trust loopback connections in pg_hba.conf (loopback only: this server is for the test suite)
#   4. start the cluster, or reload it when it runs but refused us; wait until it answers
#
# --dry-run prints what would change and changes nothing. Knobs for tests and odd machines:
#   PG_HOST, PG_PORT (127.0.0.1, 5432), PG_ETC (/etc/postgresql), PG_LIB (/usr/lib/postgresql),
#   PG_WAIT (seconds, 30).
set -euo pipefail

host=${PG_HOST:-127.0.0.1}
port=${PG_PORT:-5432}
etc=${PG_ETC:-/etc/postgresql}
lib=${PG_LIB:-/usr/lib/postgresql}
wait_s=${PG_WAIT:-30}
dry_run=0
[ "${1:-}" = "--dry-run" ] && dry_run=1

say() { echo "postgres: $*" >&2; }
# Run a command that changes the machine, or only show it in a dry run.
act() {
  if [ "$dry_run" = 1 ]; then
    say "would run: $*"
  else
    "$@"
  fi
}

answers() {
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=3 psql -w -X -q -h "$host" -p "$port" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1
}

# The newest configured cluster's directory, e.g. /etc/postgresql/15/main (nothing when none).
cluster_dir() {
  local dir version
  version=$(for dir in "$etc"/*/main; do
              if [ -f "$dir/pg_hba.conf" ]; then basename "$(dirname "$dir")"; fi
            done | sort -V | tail -n 1)
  if [ -n "$version" ]; then echo "$etc/$version/main"; fi
}

if answers; then
  say "a server answers on $host:$port"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  say "no server answers on $host:$port and this is not root, so none can be installed or configured"
  exit 1
fi

dir=$(cluster_dir)
if [ -z "$dir" ]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    say "installing PostgreSQL from Debian's packages"
    act env DEBIAN_FRONTEND=noninteractive apt-get update -q
    act env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
  fi
  dir=$(cluster_dir)
  if [ -z "$dir" ] && [ "$dry_run" = 0 ]; then
    # The package creates a cluster unless create_main_cluster is off; make one if it did not.
    newest=$( (find "$lib" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null || true) | sort -V | tail -n 1)
    [ -n "$newest" ] || { say "the postgresql package installed no server"; exit 1; }
    act pg_createcluster --port "$port" "$newest" main
    dir=$(cluster_dir)
  fi
  if [ -z "$dir" ]; then
    [ "$dry_run" = 1 ] && { say "would configure and start the new cluster"; exit 0; }
    say "no cluster under $etc after installing"
    exit 1
  fi
fi

version=$(basename "$(dirname "$dir")")
hba=$dir/pg_hba.conf
# The first matching line wins, so ours go first; the marker keeps a second run from adding them again.
if ! grep -q "sitrep-ci" "$hba"; then
  say "trusting loopback connections in $hba"
  act sed -i '1i host all all 127.0.0.1/32 trust # sitrep-ci\nhost all all ::1/128 trust # sitrep-ci' "$hba"
fi

if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
  say "cluster $version/main runs but refused us; reloading its configuration"
  act pg_ctlcluster "$version" main reload
else
  say "starting cluster $version/main"
  # Without systemd (containers, CI) pg_ctlcluster must not hand over to systemctl.
  act pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || act pg_ctlcluster "$version" main start
fi
[ "$dry_run" = 1 ] && exit 0

for _ in $(seq 1 "$wait_s"); do
  if answers; then
    say "ready on $host:$port"
    exit 0
  fi
  sleep 1
done
say "cluster $version/main did not answer on $host:$port within ${wait_s}s"
exit 1
