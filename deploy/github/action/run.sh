#!/usr/bin/env bash
# Runs `xtsync $XTSYNC_ACTION_ARGS` (split on white space, no globbing),
# keeps its standard output in a file, posts it as a pull-request comment
# and appends it to the job summary when asked, then exits with xtsync's
# code unless XTSYNC_ACTION_ALLOWED_EXIT_CODES lists it.
set -uo pipefail

out=${XTSYNC_ACTION_OUTPUT_FILE:-}
if [ -z "$out" ]; then
  out=$(mktemp "$RUNNER_TEMP/xtsync-output.XXXXXX")
fi
set -f
# shellcheck disable=SC2086 # split on white space, on purpose
xtsync $XTSYNC_ACTION_ARGS >"$out"
code=$?
set +f
if [ -z "${XTSYNC_ACTION_OUTPUT_FILE:-}" ]; then
  cat "$out"
fi
{
  echo "exit-code=$code"
  echo "output-file=$out"
} >>"$GITHUB_OUTPUT"

status=0
# Post what xtsync reported (success, a policy deny, changes pending), but
# not the half output of an error or a usage mistake.
if [ -n "${XTSYNC_ACTION_COMMENT:-}" ] && [ -s "$out" ] && { [ "$code" -eq 0 ] || [ "$code" -ge 3 ]; }; then
  xtsync comment --marker "$XTSYNC_ACTION_COMMENT" "$out" || status=$?
fi
if [ "${XTSYNC_ACTION_SUMMARY:-false}" = "true" ] && [ -s "$out" ]; then
  cat "$out" >>"$GITHUB_STEP_SUMMARY"
fi

allowed=" ${XTSYNC_ACTION_ALLOWED_EXIT_CODES:-0} "
if [[ "$allowed" != *" $code "* ]]; then
  echo "::error::xtsync $XTSYNC_ACTION_ARGS: exit $code"
  exit "$code"
fi
exit "$status"
