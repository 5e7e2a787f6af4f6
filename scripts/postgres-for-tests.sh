# Sourced by scripts/test.sh: a throwaway PostgreSQL for the test suite. A new cluster in a
# temporary directory, on a free loopback port, run as the `postgres` user when the script
# runs as root (PostgreSQL refuses root); stopped and removed when the test script exits.
# Exports TALKSHOP_TEST_POSTGRES_URL (a database the tests create their own databases from).
# fsync is off for the tests (nothing must survive a power cut); the benchmarks set
# TALKSHOP_PG_FSYNC=on to measure a durable database.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] || { echo "test: PostgreSQL's server is not installed (scripts/setup.sh --tests installs it)" >&2; exit 1; }
pg_dir=$(mktemp -d /tmp/talkshop-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$pg_dir"
  as_postgres=(runuser -u postgres --)
fi
stop_postgres() {
  "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
"${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U talkshop --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log" >&2; exit 1; }
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=${TALKSHOP_PG_FSYNC:-off}" start >/dev/null \
  || { cat "$pg_dir/server.log" >&2; exit 1; }
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U talkshop talkshop_test
export TALKSHOP_TEST_POSTGRES_URL="postgres://talkshop@127.0.0.1:$pg_port/talkshop_test"
# The tests that need it fail, rather than skip, when it is missing.
export TALKSHOP_REQUIRE_POSTGRES=1
echo "test: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port ($pg_dir)"
