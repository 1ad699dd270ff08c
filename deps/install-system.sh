#!/usr/bin/env bash
# Install the Debian packages listed in the given files, if any is missing. Needs root (or sudo).
set -euo pipefail
wanted=()
for list in "$@"; do
  while read -r pkg _; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || wanted+=("$pkg")
  done < "$list"
done
((${#wanted[@]})) || exit 0
echo "Installing Debian packages: ${wanted[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${wanted[@]}"
