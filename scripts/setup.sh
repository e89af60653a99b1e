#!/usr/bin/env bash
# Installs the Debian 12 packages pipectl needs to build and test, when missing.
# Safe to run again: it installs nothing that is already there.
set -euo pipefail

pkgs=(gcc make cmake pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev
      libpcre2-dev libcmocka-dev libmicrohttpd-dev libgit2-dev python3 curl
      time jq git procps python3-yaml)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
