#!/usr/bin/env bash
# Make a PostgreSQL server answer on 127.0.0.1:5432 with trust auth, starting or installing it.
set -euo pipefail
ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
ready && exit 0

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "postgres: not installed and not root" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba=/etc/postgresql/$version/main/pg_hba.conf
# Loopback only, trust: this server exists for the test suite of this machine.
if ! grep -q "sitrep-ci" "$hba"; then
  sed -i '1i host all all 127.0.0.1/32 trust # sitrep-ci\nhost all all ::1/128 trust # sitrep-ci' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main start
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "postgres: did not become ready" >&2
exit 1
