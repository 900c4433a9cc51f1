#!/usr/bin/env bash
# Installs the xtsync release XTSYNC_INSTALL_VERSION (a tag such as v1.2.0)
# into $RUNNER_TEMP/xtsync-bin and puts it on the PATH of the next steps.
# The archive is checked against the release's checksums.txt before it is
# unpacked; a mismatch stops the job. Assets follow `make dist`:
# xtsync_<version>_<os>_<arch>.tar.gz and checksums.txt.
set -euo pipefail

version=${XTSYNC_INSTALL_VERSION:?XTSYNC_INSTALL_VERSION is not set}
case "$version" in
  v[0-9]*) ;;
  *) echo "::error::xtsync version: want a release tag such as v1.2.0, got '$version'"; exit 1 ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "::error::xtsync: no release for the architecture $(uname -m)"; exit 1 ;;
esac
asset="xtsync_${version#v}_${os}_${arch}.tar.gz"
base="${XTSYNC_RELEASE_URL:-${GITHUB_SERVER_URL:-https://github.com}/xtsync/xtsync/releases/download}/$version"
dir="$RUNNER_TEMP/xtsync-bin"
# A second use of the action in the same job finds it installed.
if [ -x "$dir/xtsync" ] && [[ "$("$dir/xtsync" --version)" == *" $version "* ]]; then
  echo "$dir" >>"$GITHUB_PATH"
  exit 0
fi
tmp=$(mktemp -d "$RUNNER_TEMP/xtsync-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset"
curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt"
(cd "$tmp" && grep -E "^[0-9a-f]{64}  $asset\$" checksums.txt | sha256sum -c --strict -) || {
  echo "::error::xtsync $version: $asset does not match the release's checksums.txt"
  exit 1
}
mkdir -p "$dir"
tar -xzf "$tmp/$asset" -C "$dir" xtsync
echo "$dir" >>"$GITHUB_PATH"
"$dir/xtsync" --version
