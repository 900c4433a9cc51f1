#!/usr/bin/env bash
# The main job end to end on the example repository.
set -euo pipefail
xtsync=${1:-bin/xtsync}
repo=testdata/example
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step xtsync validate --repo $repo
"$xtsync" validate --repo $repo
