# SPDX-License-Identifier: MIT
# as_root COMMAND...: runs COMMAND as root: directly when already root,
# through sudo otherwise; ends the script with a message when neither can.
# Sourced by scripts/install-deps.sh and scripts/linux-guest.sh.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "cvisor: need root or sudo to run: $*" >&2
		exit 1
	fi
}
