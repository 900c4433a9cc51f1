#!/usr/bin/env bash
# Builds xtsync from the action's own source (the commit the workflow pinned
# the action to), with the release binary's flags (`make static`), into
# $RUNNER_TEMP/xtsync-bin, and puts it on the PATH of the next steps.
set -euo pipefail

dir="$RUNNER_TEMP/xtsync-bin"
mkdir -p "$dir"
# A second use of the action in the same job finds it built.
if [ -x "$dir/xtsync" ]; then
  echo "$dir" >>"$GITHUB_PATH"
  exit 0
fi
make -s -C "$GITHUB_ACTION_PATH" static STATIC_OUT="$dir/xtsync"
echo "$dir" >>"$GITHUB_PATH"
"$dir/xtsync" --version
