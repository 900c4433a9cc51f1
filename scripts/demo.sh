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
head -n 25 "$work/comment.md"
echo "... ($(wc -c <"$work/comment.md") bytes)"
say "   CI annotations for the same change"
xt check --repo repo --base main --head HEAD --output github
cd - >/dev/null

say "5. The Graph emulator, seeded with the example snapshots, and a snapshot pull through msgraph-sdk-go"
"$xtsync" emulator --addr 127.0.0.1:0 --state "$work/emu" --seed "$example/snapshots" >"$work/emu.out" 2>"$work/emu.log" &
emu_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(head -n 1 "$work/emu.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not start:"; cat "$work/emu.log"; exit 1; }
show "xtsync emulator --addr 127.0.0.1:0 --state emu --seed testdata/example/snapshots &"
echo "$url"
xt snapshot pull --repo "$example" --graph-url "$url" --snapshots "$work/pulled"
show "xtsync simulate on the pulled snapshots == on the seeded ones?"
xtsync simulate --repo "$example" --output json >"$work/seeded.json"
xtsync simulate --repo "$example" --snapshots "$work/pulled" --output json >"$work/pulled.json"
if cmp -s "$work/seeded.json" "$work/pulled.json"; then
  echo "identical: the pull reproduced what the simulator needs from every tenant"
else
  echo "they differ:"; diff "$work/seeded.json" "$work/pulled.json" | head -n 20
fi

say "Done. Next: README.md (the tour), docs/ (the reference), xtsync COMMAND --help."
