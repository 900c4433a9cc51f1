#!/usr/bin/env bash
# The end-to-end scale benchmark of docs/benchmarks.md: `xtsync simulate` on
# generated repositories of 100k, 300k and 1M users (5 tenants, 20 sync
# configurations), measured with /usr/bin/time -v. Prints a Markdown table.
#
#   scripts/bench-e2e.sh                    # the three sizes, 3 runs each
#   SIZES="100000" RUNS=1 scripts/bench-e2e.sh
#
# The wall time depends on what else runs on the machine; the CPU time
# (user+sys, both cores) much less: the table shows both, with the load.
#
# "home-user evaluations/s" counts home users per source tenant × configurations
# (4M at 1M users) per second of wall time: a lower bound of the simulator's
# evals/s, which also counts the B2B users of each source snapshot.
#
# Environment: SIZES (home users, space-separated), RUNS (per size; the
# table shows the median wall time and the largest max RSS), TENANTS (5),
# CONFIGS (20), SEED (1), GZIP (1: .json.gz snapshots), CACHE (/tmp/xtsync-bench),
# XTSYNC (a built xtsync to measure instead of building bin/xtsync).
# Datasets are cached under $CACHE by their parameters and by the source of
# internal/gen, so a second run only simulates.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100000 300000 1000000"}
RUNS=${RUNS:-3}
TENANTS=${TENANTS:-5}
CONFIGS=${CONFIGS:-20}
SEED=${SEED:-1}
GZIP=${GZIP:-0}
CACHE=${CACHE:-/tmp/xtsync-bench}

if [[ ! -x /usr/bin/time ]]; then
	echo "bench-e2e: /usr/bin/time (GNU time) is missing; install it with: apt-get install -y time" >&2
	exit 1
fi

mkdir -p "$CACHE"
if [[ -n ${XTSYNC:-} ]]; then
	xtsync=$XTSYNC
else
	echo "building bin/xtsync" >&2
	go build -o bin/xtsync ./cmd/xtsync
	xtsync=$PWD/bin/xtsync
fi

# The generator's source is part of the cache key: a changed generator
# makes new datasets.
genhash=$(cat internal/gen/*.go | sha256sum | cut -c1-12)
gzflag=() ; [[ $GZIP == 1 ]] && gzflag=(--gzip)

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| users | B2B users in targets | snapshots | simulate wall (s) | CPU user+sys (s) | max RSS (MB) | users/s | home-user evaluations/s | output (MB) | exit |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for users in $SIZES; do
	groups=$(( users / 250 > 4 * TENANTS ? users / 250 : 4 * TENANTS ))
	dir=$CACHE/t$TENANTS-u$users-g$groups-c$CONFIGS-s$SEED-z$GZIP-$genhash
	if [[ ! -f $dir/.done ]]; then
		echo "generating $dir" >&2
		rm -rf "$dir"
		"$xtsync" --log-level warn gen --tenants "$TENANTS" --users "$users" --groups "$groups" \
			--configs "$CONFIGS" --seed "$SEED" "${gzflag[@]}" --out "$dir" --output json > "$dir.stats.json"
		mv "$dir.stats.json" "$dir/.stats.json"
		touch "$dir/.done"
	fi
	b2b=$(sed -n 's/.*"b2bUsers": \([0-9]*\).*/\1/p' "$dir/.stats.json")
	snapmb=$(du -sm "$dir/snapshots" | cut -f1)
	walls=() cpus=() rss=0 code=0
	for ((r = 0; r < RUNS; r++)); do
		out=$CACHE/out-$users.json
		set +e
		/usr/bin/time -v -o "$CACHE/time.txt" "$xtsync" --log-level warn simulate --repo "$dir" --output json > "$out"
		code=$?
		set -e
		w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$CACHE/time.txt")
		m=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$CACHE/time.txt")
		walls+=("$w")
		cpus+=("$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$CACHE/time.txt")")
		(( m > rss )) && rss=$m
	done
	wall=$(printf '%s\n' "${walls[@]}" | median)
	cpu=$(printf '%s\n' "${cpus[@]}" | median)
	outmb=$(( $(stat -c %s "$out") / 1048576 ))
	evals=$(( users / TENANTS * CONFIGS ))
	awk -v u="$users" -v b="$b2b" -v s="$snapmb" -v w="$wall" -v cpu="$cpu" -v m="$rss" -v e="$evals" -v o="$outmb" -v c="$code" 'BEGIN {
		if (w <= 0) w = 0.01
		printf "| %d | %d | %d MB | %.2f | %.2f | %.0f | %.0f | %.0f | %d | %d |\n", u, b, s, w, cpu, m/1024, u/w, e/w, o, c }'
	if (( code != 0 && code != 4 )); then echo "bench-e2e: simulate exited $code on $dir" >&2; fi
done
echo
echo "Load average after the runs (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $(go version | cut -d' ' -f3-)."
