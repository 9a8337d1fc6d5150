#!/usr/bin/env bash
# Print the directory of PostgreSQL's server binaries (initdb, postgres, pg_isready, psql), installing Debian's
# `postgresql` package first when none is found and we are root with apt-get. Used by tests/test_ops_postgres.py
# (and CI); exits 2 with a how-to when PostgreSQL is missing and cannot be installed.
set -euo pipefail

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"; return 0
  fi
  return 1
}

if find_bindir; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq postgresql || (apt-get update -qq && apt-get install -y -qq postgresql)) >&2
  find_bindir && exit 0
fi
echo "error: PostgreSQL server binaries not found; install them (sudo apt-get install postgresql)" >&2
exit 2
