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

BUILD_DEPS="build-essential pkg-config libbsd-dev libseccomp-dev libsystemd-dev"
TEST_DEPS="tmux talk inetutils-talk iproute2 python3 mandoc procps"
TEST_DEPS="$TEST_DEPS biff procmail strace"
# netkit's rwhod runs only inside the tests' namespaces; need() keeps
# its package from starting a system rwhod.
TEST_DEPS="$TEST_DEPS rwhod rwho"
# t_fuzz.sh: libFuzzer with ASan/UBSan; t_boundary.sh: nm.
TEST_DEPS="$TEST_DEPS clang libclang-rt-14-dev binutils"
# t_deb.sh: dpkg-buildpackage (dpkg-dev comes with build-essential),
# systemd-analyze, systemd-socket-activate; t_inetd.sh: a real inetd,
# run only inside its namespaces (need() keeps the system's stopped).
TEST_DEPS="$TEST_DEPS debhelper systemd openbsd-inetd"

need() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "installing:$missing"
		# Packages such as rwhod start a system daemon on install;
		# the tests need only the programs, and no daemon of theirs
		# may broadcast on this machine's network: policy-rc.d says no.
		own_policy=""
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			own_policy=1
		fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $missing >/dev/null
		[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
	fi
}

[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
case "${1:-}" in
run)
	need $BUILD_DEPS
	make -s
	sh regress/setup-accounts.sh
	echo "starting talkd, comsat and rwhod in the foreground (Ctrl-C stops them)"
	./talkd -d &
	pids=$!
	./comsat -d &
	pids="$pids $!"
	./rwhod -d &
	pids="$pids $!"
	trap 'kill $pids 2>/dev/null' INT TERM EXIT
	wait
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
