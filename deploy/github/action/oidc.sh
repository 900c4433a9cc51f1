#!/usr/bin/env bash
# Fetches GitHub's OIDC token for Entra workload identity federation
# (audience api://AzureADTokenExchange) into a file only this job reads, and
# points AZURE_FEDERATED_TOKEN_FILE at it: xtsync (azidentity) exchanges it
# for a Graph token in each tenant of the repository. The token is never
# printed.
set -euo pipefail

if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
  echo "::error::xtsync oidc: no OIDC token for this job: give the job 'permissions: id-token: write' (pull requests from forks get none)"
  exit 1
fi
if [ -z "${AZURE_CLIENT_ID:-}${XTSYNC_CLIENT_ID:-}" ]; then
  echo "::error::xtsync oidc: set AZURE_CLIENT_ID to the client id of the application federated with this repository"
  exit 1
fi
file="$RUNNER_TEMP/xtsync-oidc-token"
umask 077
curl -fsS --retry 3 -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" |
  jq -er .value >"$file"
echo "AZURE_FEDERATED_TOKEN_FILE=$file" >>"$GITHUB_ENV"
