#!/usr/bin/env bash
# System packages the project needs beyond Node.js and npm, installed when missing (Debian; CI runs as root).
# .ci/run names the packages it needs (chromium for the dashboard browser tests).
set -euo pipefail
needed=()
for pkg in "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || needed+=("$pkg")
done
if ((${#needed[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}"
fi
