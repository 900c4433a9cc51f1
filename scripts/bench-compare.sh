#!/usr/bin/env bash
# `make bench-compare` (docs/benchmarks.md): xtsync simulate (the full model,
# JSON report written) against DuckDB doing only the bare scope join of
# scripts/bench-compare/join.sql on the same generated snapshots, the two
# interleaved RUNS times; prints both median wall times and the ratio
# DuckDB ÷ xtsync (≥ 1.0: xtsync is at least as fast), with the load.
#
# DuckDB's node package (@duckdb/node-api, pinned in
# scripts/bench-compare/package.json) is installed from the npm registry into
# $CACHE/bench-compare, a directory this script owns; `make test` never
# installs it.
#
# Environment: USERS (300000), RUNS (5), TENANTS (5), CONFIGS (20), SEED (1),
# CACHE (/tmp/xtsync-bench), XTSYNC (a built xtsync instead of bin/xtsync).
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-300000}
RUNS=${RUNS:-5}
TENANTS=${TENANTS:-5}
CONFIGS=${CONFIGS:-20}
SEED=${SEED:-1}
CACHE=${CACHE:-/tmp/xtsync-bench}

command -v node >/dev/null || { echo "bench-compare: node is missing" >&2; exit 1; }
command -v npm >/dev/null || { echo "bench-compare: npm is missing" >&2; exit 1; }
mkdir -p "$CACHE"
if [[ -n ${XTSYNC:-} ]]; then
	xtsync=$XTSYNC
else
	echo "building bin/xtsync" >&2
	go build -o bin/xtsync ./cmd/xtsync
	xtsync=$PWD/bin/xtsync
fi

duck=$CACHE/bench-compare
mkdir -p "$duck"
cp scripts/bench-compare/package.json scripts/bench-compare/join.sql scripts/bench-compare/join.mjs "$duck/"
if ! cmp -s "$duck/package.json" "$duck/.installed" 2>/dev/null; then
	echo "installing @duckdb/node-api into $duck" >&2
	(cd "$duck" && npm install --no-audit --no-fund --silent)
	cp "$duck/package.json" "$duck/.installed"
fi

# The same dataset as scripts/bench-e2e.sh (and its cache).
genhash=$(cat internal/gen/*.go | sha256sum | cut -c1-12)
groups=$(( USERS / 250 > 4 * TENANTS ? USERS / 250 : 4 * TENANTS ))
dir=$CACHE/t$TENANTS-u$USERS-g$groups-c$CONFIGS-s$SEED-z0-$genhash
if [[ ! -f $dir/.done ]]; then
	echo "generating $dir" >&2
	rm -rf "$dir"
	"$xtsync" --log-level warn gen --tenants "$TENANTS" --users "$USERS" --groups "$groups" \
		--configs "$CONFIGS" --seed "$SEED" --out "$dir" --output json > "$dir.stats.json"
	mv "$dir.stats.json" "$dir/.stats.json"
	touch "$dir/.done"
fi

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
xs=() ds=()
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 0; r < RUNS; r++)); do
	t0=$(now)
	set +e
	"$xtsync" --log-level warn simulate --repo "$dir" --output json > "$CACHE/compare-out.json"
	code=$?
	set -e
	(( code == 0 || code == 4 )) || { echo "bench-compare: simulate exited $code" >&2; exit 1; }
	t1=$(now)
	node "$duck/join.mjs" "$dir" > "$CACHE/compare-duck.json"
	t2=$(now)
	xs+=("$(echo "$t1 - $t0" | bc)") ds+=("$(echo "$t2 - $t1" | bc)")
done
x=$(printf '%s\n' "${xs[@]}" | median)
d=$(printf '%s\n' "${ds[@]}" | median)
echo "users $USERS, $RUNS interleaved runs, median wall time of the whole process:"
echo "  xtsync simulate --output json (full model, report written): ${x} s"
echo "  DuckDB bare scope join (scripts/bench-compare/join.sql):     ${d} s ($(cat "$CACHE/compare-duck.json"))"
awk -v x="$x" -v d="$d" 'BEGIN {printf "  ratio DuckDB / xtsync: %.2f (>= 1.0: xtsync at least as fast)\n", d / x}'
echo "load average after (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
