#!/usr/bin/env bash
# Installs every Debian 12 package Flow needs to build, test and run its demo.
# Idempotent: skips apt entirely when everything is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-14 libclang-rt-14-dev
  tao-pegtl-dev libboost1.81-dev nlohmann-json3-dev catch2 libssl-dev openssl
  libsqlite3-dev sqlite3 zlib1g-dev libhowardhinnant-date-dev tzdata libedit-dev libbenchmark-dev libmimalloc-dev
  curl procps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
