#!/usr/bin/env bash
# make demo: the main job end to end on the example repository and the
# built-in Graph emulator. Needs only the built binary and git; writes only
# under a temporary directory, which it removes.
set -euo pipefail

xtsync=$(cd "$(dirname "${1:-bin/xtsync}")" && pwd)/$(basename "${1:-bin/xtsync}")
example=$(cd "$(dirname "$0")/../testdata/example" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/xtsync-demo.XXXXXX")
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m'; off=$'\033[0m'; else bold=""; off=""; fi
say()  { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ %s%s\n' "$bold" "$*" "$off"; }
# run CMD... : show and run a command; print its exit code when it is not 0.
run() {
  show "$*"
  local rc=0
  "$@" || rc=$?
  [ "$rc" -eq 0 ] || printf '(exit %d)\n' "$rc"
  return 0
}
xt() { run xtsync "$@"; }
xtsync() { "$xtsync" "$@"; }

say "1. The config repository: three tenants, two sync configurations (testdata/example)"
xt validate --repo "$example"

say "2. Simulate one provisioning cycle: what each target tenant gets, user by user"
xt simulate --repo "$example"

say "3. Why is jonas not synced? (a member of a group nested in GlobalEmployees)"
xt simulate --repo "$example" --user jonas@contoso.eu

say "4. A pull request drops GlobalEmployees from the EU -> US scope"
repo=$work/repo
cp -r "$example" "$repo"
printf 'snapshots/\n' >"$repo/.gitignore"   # snapshots hold personal data: never in Git
export GIT_CONFIG_GLOBAL=$work/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --file "$GIT_CONFIG_GLOBAL" user.name "Demo"
git config --file "$GIT_CONFIG_GLOBAL" user.email "demo@example.com"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "the example"
git -C "$repo" checkout -q -b drop-global-employees
sed -i.bak 's/groups: \[GlobalEmployees\]  #/groups: []                 #/' "$repo/tenants/contoso-eu.yaml" && rm "$repo/tenants/contoso-eu.yaml.bak"
git -C "$repo" commit -q -a -m "eu-to-us: drop GlobalEmployees"
cd "$work"   # the commands below name the repository "repo"
show "git -C repo diff main"
git -C repo --no-pager diff main
xt plan --repo repo --base main --head HEAD
say "   ... and the same plan as the pull-request comment (Markdown, first lines)"
show "xtsync plan --repo repo --base main --head HEAD --output markdown > comment.md"
xtsync plan --repo repo --base main --head HEAD --output markdown >"$work/comment.md" || true
head -n 8 "$work/comment.md"
echo "... ($(wc -c <"$work/comment.md") bytes)"
say "   CI annotations for the same change"
xt check --repo repo --base main --head HEAD --output github
cd - >/dev/null

# head_of N CMD...: run CMD, show its first N lines and how many were left
# out (its whole output stays in $work/out).
head_of() {
  local n=$1; shift
  show "$*"
  local rc=0
  "$@" >"$work/out" 2>&1 || rc=$?
  head -n "$n" "$work/out"
  local total; total=$(wc -l <"$work/out")
  [ "$total" -le "$n" ] || echo "… ($((total - n)) more lines)"
  [ "$rc" -eq 0 ] || printf '(exit %d)\n' "$rc"
  return 0
}
# section TITLE CMD...: run CMD and show only the lines from the one that
# starts with TITLE to the next empty line.
section() {
  local title=$1; shift
  "$@" >"$work/out" 2>&1 || true
  awk -v t="$title" 'index($0, t) == 1 { on = 1 } on && /^$/ { exit } on' "$work/out"
}

say "5. Today Contoso runs cross-tenant sync from the portal. The Graph emulator holds its three tenants"
echo "   (their directories, and the two configurations made in the portal, paused, with no trust set up)"
"$xtsync" emulator --addr 127.0.0.1:0 --tls --state "$work/emu" --seed "$example/snapshots" --replication-delay 200ms \
  >"$work/emu.out" 2>"$work/emu.log" &
emu_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(head -n 1 "$work/emu.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not start:"; cat "$work/emu.log"; exit 1; }
show "xtsync emulator --tls --state emu --seed testdata/example/snapshots &"
echo "$url"
# Every command below talks to it: msgraph-sdk-go over TLS, as in production.
export XTSYNC_GRAPH_URL="$url" XTSYNC_GRAPH_CA="$work/emu/cert.pem" XTSYNC_LOCK_DIR="$work/lock"
show "export XTSYNC_GRAPH_URL=$url XTSYNC_GRAPH_CA=emu/cert.pem"
cd "$work"
git -C repo checkout -q main

say "6. Reconcile main. The ownership gate refuses: configurations xtsync did not make are in the way"
show "xtsync reconcile --repo repo"
section "Gates:" "$xtsync" reconcile --repo repo
ids=$(awk '/write id: / { for (i = 1; i < NF; i++) if ($i == "id:" && $(i-1) == "write") { n = $(i+4); sub(/,$/, "", n); print n "=" $(i+1) } }' "$work/out" | sort -u)
[ -n "$ids" ] || { echo "the ownership gate did not name the configurations:"; cat "$work/out"; exit 1; }

say "7. The operator adopts them: their object ids go into the repository, reviewed like any change"
for pair in $ids; do
  name=${pair%%=*} id=${pair#*=}
  file=$(grep -l "^  - name: $name\b" repo/tenants/*.yaml)
  awk -v n="$name" -v id="$id" '{ print } $0 ~ "^  - name: " n "( |$)" { print "    id: " id "                     # adopt the configuration made in the portal" }' \
    "$file" >"$file.new" && mv "$file.new" "$file"
done
git -C repo commit -q -a -m "adopt the portal's sync configurations"
show "git -C repo diff HEAD~1"
git -C repo --no-pager diff HEAD~1 -U0 | grep -E '^(\+\+\+|\+ )' || true

say "8. Reconcile again. The deletion gate refuses: the example's pending soft-deletes"
show "xtsync reconcile --repo repo"
section "Gates:" "$xtsync" reconcile --repo repo
section "Target contoso-us:" "$xtsync" reconcile --repo repo --dry-run

say "9. They are intended (emma left GlobalEmployees, quentin left Fabrikam): the operator says so"
head_of 22 xtsync reconcile --repo repo --allow-deletes
grep -E '^(applied|requests):' "$work/out" || true
show "xtsync reconcile --repo repo    # a second run: nothing to do, nothing written"
"$xtsync" reconcile --repo repo | grep -E '^(dry run|applied|requests):|^  none'

say "10. Entra's provisioning cycle (every 40 minutes; here on demand). It reads only what reconcile wrote to Graph"
xt emulator cycle

say "11. Pull the directories again: Contoso Europe's GlobalEmployees are B2B users in Contoso US"
xt snapshot pull --repo repo
show "xtsync simulate --repo repo    # the next cycle: nothing left to do for the users in scope"
section "Target contoso-us" "$xtsync" simulate --repo repo
show "xtsync reconcile --repo repo --dry-run --detailed-exitcode"
"$xtsync" reconcile --repo repo --dry-run --detailed-exitcode --no-pull | tail -n 2; echo "(exit ${PIPESTATUS[0]})"
show "xtsync plan --repo repo --base main --head main"
section "Drift not explained" "$xtsync" plan --repo repo --base main --head main

say "12. Anna leaves GlobalEmployees (in the portal of Contoso Europe). What will the next cycle do?"
gid=$("$xtsync" emulator request --tenant contoso-eu GET "groups?\$filter=displayName%20eq%20'GlobalEmployees'&\$select=id" | awk -F'"' '/"id"/ { print $4 }')
uid=$("$xtsync" emulator request --tenant contoso-eu GET "users/anna@contoso.eu?\$select=id" | awk -F'"' '/"id"/ { print $4 }')
show "xtsync emulator request --tenant contoso-eu DELETE groups/GROUP/members/ANNA/\$ref"
"$xtsync" emulator request --tenant contoso-eu DELETE "groups/$gid/members/$uid/\$ref"
"$xtsync" snapshot pull --repo repo >/dev/null
show "xtsync snapshot pull --repo repo; xtsync simulate --repo repo --user anna@contoso.eu"
"$xtsync" simulate --repo repo --user anna@contoso.eu | grep -E '^(contoso-eu/eu-to-us|  (assigned|rule|result))'

say "13. The cycle does what the simulator predicted; a pull confirms it"
xt emulator cycle
"$xtsync" snapshot pull --repo repo >/dev/null
show "xtsync snapshot pull --repo repo; xtsync simulate --repo repo --user anna@contoso.eu"
"$xtsync" simulate --repo repo --user anna@contoso.eu | grep -E '^  (linked|result)'

say "14. The holidays: one commit freezes every write; every run inside the freeze says so and writes nothing"
cat >>repo/xtsync.yaml <<'YAML'

windows:
  - name: holiday freeze             # no writes from 23 December 18:00 to 3 January 10:00, Berlin time
    kind: deny
    schedule: "0 18 23 12 *"
    duration: 256h
    timeZone: Europe/Berlin
YAML
sed -i 's/deletionThreshold: 500/deletionThreshold: 400/' repo/tenants/contoso-eu.yaml
git -C repo commit -q -a -m "freeze writes for the holidays; a threshold change waits for the new year"
show "git -C repo show HEAD -- xtsync.yaml"
git -C repo --no-pager show HEAD -U0 -- xtsync.yaml | grep -E '^\+ ' || true
show "xtsync reconcile --repo repo --now 2026-12-28T09:00:00Z    # (--now: the clock of the run)"
"$xtsync" reconcile --repo repo --now 2026-12-28T09:00:00Z | grep -E '^  window|change-window|^~ |^    (deletionThreshold|held)|^held|^requests:' || true
show "xtsync reconcile --repo repo --now 2027-01-04T09:00:00Z    # after the freeze"
"$xtsync" reconcile --repo repo --now 2027-01-04T09:00:00Z | grep -E '^  window|^(applied|requests):' || true

say "Done. Next: README.md (the tour), docs/reconcile.md (running it for real), xtsync COMMAND --help."
