#!/usr/bin/env bash
# Installs the Debian packages memfit needs to build and test, only those that are missing.
set -euo pipefail
pkgs=(g++ cmake make ninja-build nlohmann-json3-dev libcli11-dev libfmt-dev libcurl4-openssl-dev
      libcpp-httplib-dev libgtest-dev libbenchmark-dev clang libclang-rt-14-dev
      chromium nodejs)  # chromium + node: the page's browser test (playwright-core comes from npm at test time)
missing=()
# npm ships inside some nodejs builds (NodeSource); Debian's own nodejs needs the separate npm package.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
