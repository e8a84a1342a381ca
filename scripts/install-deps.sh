#!/bin/sh
# Installs the Debian packages given as arguments that are missing. As root it runs
# apt-get; otherwise it prints the exact command to run and fails.
set -eu
missing=""
for package in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing
else
  echo "patron needs these Debian packages; run:"
  echo "  sudo apt-get install -y$missing"
  exit 1
fi
