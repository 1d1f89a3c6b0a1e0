#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages cvisor needs to build and test, if any is missing.
# Uses apt-get directly as root, through sudo otherwise. Nothing else is downloaded.
set -eu

PKGS="make gcc libc6-dev pkg-config \
libunicorn-dev libcapstone-dev libcmocka-dev libfdt-dev \
gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

echo "cvisor: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "cvisor: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
