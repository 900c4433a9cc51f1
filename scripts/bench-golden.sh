#!/usr/bin/env bash
# The byte-identical guard of docs/benchmarks.md: generates datasets with
# `xtsync gen` and compares `xtsync simulate --output json` (and the exit
# code) of the working tree's build with the build of a base revision
# (BASE, default main: compare with main at the moment you rebased, since
# other work legitimately changes outputs there). A speed change must not
# change a byte. Also compares what both say about a bad snapshot (file, line,
# user in the message).
#
#   scripts/bench-golden.sh
#   BASE=HEAD~1 SIZES="20000 100000" SEEDS="1 2" scripts/bench-golden.sh
#
# Environment: BASE (main), SIZES (home users: "20000 100000"), SEEDS ("1 2"),
# TENANTS (5), CONFIGS (20), WORK (a fresh temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${BASE:-main}
SIZES=${SIZES:-"20000 100000"}
SEEDS=${SEEDS:-"1 2"}
TENANTS=${TENANTS:-5}
CONFIGS=${CONFIGS:-20}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"

echo "building the working tree and $BASE ($(git rev-parse --short "$BASE"))" >&2
go build -o "$WORK/xtsync-new" ./cmd/xtsync
rm -rf "$WORK/base-src" && mkdir -p "$WORK/base-src"
git archive "$BASE" | tar -x -C "$WORK/base-src"
(cd "$WORK/base-src" && GOFLAGS=-buildvcs=false go build -o "$WORK/xtsync-base" ./cmd/xtsync)

fail=0
run() { # run BIN DIR OUT: simulate, keeping stdout and the exit code
	set +e
	"$1" --log-level warn simulate --repo "$2" --output json > "$3" 2> "$3.err"
	echo "exit $?" >> "$3.err"
	set -e
}
compare() { # compare NAME DIR
	run "$WORK/xtsync-base" "$2" "$WORK/base.json"
	run "$WORK/xtsync-new" "$2" "$WORK/new.json"
	if cmp -s "$WORK/base.json" "$WORK/new.json" && cmp -s "$WORK/base.json.err" "$WORK/new.json.err"; then
		echo "same   $1 ($(stat -c %s "$WORK/new.json") bytes, $(tail -1 "$WORK/new.json.err"))"
	else
		echo "DIFFER $1: cmp $WORK/base.json $WORK/new.json; diff $WORK/base.json.err $WORK/new.json.err"
		fail=1
	fi
}
for users in $SIZES; do
	for seed in $SEEDS; do
		groups=$(( users / 250 > 4 * TENANTS ? users / 250 : 4 * TENANTS ))
		dir=$WORK/t$TENANTS-u$users-s$seed
		[[ -f $dir/.done ]] || {
			rm -rf "$dir"
			"$WORK/xtsync-new" --log-level warn gen --tenants "$TENANTS" --users "$users" --groups "$groups" \
				--configs "$CONFIGS" --seed "$seed" --out "$dir" > /dev/null
			touch "$dir/.done"
		}
		compare "users=$users seed=$seed" "$dir"
	done
done

# Bad snapshots: the messages must keep their file, line and user.
small=$WORK/t$TENANTS-u$(set -- $SIZES; echo "$1")-s$(set -- $SEEDS; echo "$1")
snap=$(ls "$small"/snapshots/*.json | head -1)
bad=$WORK/bad
while read -r name sedexpr; do
	rm -rf "$bad" && cp -r "$small" "$bad"
	sed -i "$sedexpr" "$bad/snapshots/$(basename "$snap")"
	compare "bad snapshot: $name" "$bad"
done <<'CASES'
truncated-user 1000s/},$/,/
bad-bool 1200s/"accountEnabled":true/"accountEnabled":"yes"/
duplicate-id 1500s/"id":"[^"]*"/"id":"dup"/;1501s/"id":"[^"]*"/"id":"dup"/
bad-escape 1700s/"city":"/"city":"\\q/
CASES
if (( fail )); then
	echo "bench-golden: the outputs differ from $BASE's" >&2
	exit 1
fi
echo "bench-golden: every output is byte-identical to $BASE's"
