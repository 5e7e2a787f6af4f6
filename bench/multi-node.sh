#!/usr/bin/env bash
# Two Talkshop nodes on one PostgreSQL behind HAProxy (deploy/haproxy.cfg), all on this
# machine, loaded through the proxy by `talkshop bench load`; prints the load figures and the
# CPU share of the nodes, the proxy and the database over the run (docs/performance.md).
# Usage: bench/multi-node.sh [STREAMS] [DURATION]      e.g. bench/multi-node.sh 40 60s
# Needs the release build (swift build -c release) and scripts/setup.sh --tests.
set -euo pipefail
cd "$(dirname "$0")/.."
streams=${1:-40}
duration=${2:-60s}
talkshop=.build/release/talkshop
[ -x "$talkshop" ] || { echo "multi-node: build it first: swift build -c release" >&2; exit 1; }

export TALKSHOP_PG_FSYNC=on   # a durable database, as in production
# Nodes on a shared database need one key-encryption key (docs/deployment.md): one for this run.
TALKSHOP_MASTER_KEY=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
export TALKSHOP_MASTER_KEY
source scripts/postgres-for-tests.sh
work=$(mktemp -d /tmp/talkshop-multi.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; stop_postgres; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U talkshop talkshop_bench
url="postgres://talkshop@127.0.0.1:$pg_port/talkshop_bench"
"$talkshop" db migrate --database "$url" >/dev/null
"$talkshop" customers add --database "$url" --id load --name "Load" --payment-method pm_card_visa --payment-label "Visa ending 4242" >/dev/null
token=$("$talkshop" devices add --database "$url" --name "load generator" --customer load | awk '/^token:/ {print $2}')

nodes=()
for n in 1 2; do
  port=$(free_port)
  "$talkshop" serve --config bench/load-server.yaml --database "$url" --port "$port" --data-directory "$work/node$n" \
    --log-level error >"$work/node$n.log" 2>&1 &
  pids+=($!)
  nodes+=("127.0.0.1:$port")
done
proxy_port=$(free_port)
TALKSHOP_PROXY_BIND="127.0.0.1:$proxy_port" TALKSHOP_NODE1=${nodes[0]} TALKSHOP_NODE2=${nodes[1]} TALKSHOP_NODE3=127.0.0.1:1 \
  haproxy -db -f deploy/haproxy.cfg >"$work/haproxy.log" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
for node in "${nodes[@]}" "127.0.0.1:$proxy_port"; do
  for _ in $(seq 1 300); do curl -sf "http://$node/healthz" >/dev/null && break; sleep 0.1; done
done
echo "multi-node: nodes ${nodes[*]}, proxy 127.0.0.1:$proxy_port, database $url"

# CPU ticks (user + system) of processes: the nodes, the proxy, every PostgreSQL process (a
# backend that exits during the run takes its ticks with it; the nodes' pooled connections stay).
ticks=$(getconf CLK_TCK)
cpu() { local total=0; for pid in "$@"; do [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }
postgres_pids() { pgrep -u postgres -f "postgres" | tr '\n' ' '; }
node_pids="${pids[0]} ${pids[1]}"
before_nodes=$(cpu $node_pids); before_proxy=$(cpu $proxy_pid); before_db=$(cpu $(postgres_pids)); started=$(date +%s.%N)

"$talkshop" bench load --url "ws://127.0.0.1:$proxy_port/v1/voice" --token "$token" --streams "$streams" --duration "$duration" \
  --no-reference --metrics "http://${nodes[0]}/metrics" --metrics "http://${nodes[1]}/metrics" speech/coffee-dev || true

elapsed=$(python3 -c "print(round($(date +%s.%N) - $started, 1))")
share() { python3 -c "print(round(($1) * 100 / $ticks / $elapsed, 1))"; }
echo "CPU over the run ($elapsed s; 100% = one core of the machine's 2):"
echo "  nodes (2):   $(share "$(cpu $node_pids) - $before_nodes")%"
echo "  HAProxy:     $(share "$(cpu $proxy_pid) - $before_proxy")%"
echo "  PostgreSQL:  $(share "$(cpu $(postgres_pids)) - $before_db")%"
echo "orders in the database: $(psql -h 127.0.0.1 -p "$pg_port" -U talkshop -d talkshop_bench -tAc 'SELECT COUNT(*) FROM "order"')"
