#!/bin/sh
# One-command set-up on a fresh Debian 12 (as root):
#
#   sh regress/bootstrap.sh run    install build dependencies, build, create
#                                  the accounts and chroot directory, and
#                                  start the daemons in the foreground (-d)
#   sh regress/bootstrap.sh test   install build and test dependencies,
#                                  build, and run every test
set -eu
cd "$(dirname "$0")/.."

BUILD_DEPS="build-essential pkg-config libbsd-dev libseccomp-dev"
TEST_DEPS="tmux talk inetutils-talk iproute2 python3 mandoc procps"

need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "installing:$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $missing >/dev/null
	fi
}

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
case "${1:-}" in
run)
	need $BUILD_DEPS
	make -s
	sh regress/setup-accounts.sh
	echo "starting talkd in the foreground (Ctrl-C stops it)"
	exec ./talkd -d
	;;
test)
	need $BUILD_DEPS $TEST_DEPS
	make -s
	make -s -C regress units
	sh regress/setup-accounts.sh
	# run.sh prints the summary line last; nothing may follow it.
	exec sh regress/run.sh
	;;
*)
	echo "usage: sh regress/bootstrap.sh run|test" >&2
	exit 1
	;;
esac
