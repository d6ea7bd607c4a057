#!/bin/sh
# Sandbox checks for talkd's children: the running engine and resolver
# have seccomp mode 2, no_new_privs, no capabilities (not even in the
# bounding set), a non-root uid and, for the engine, the chroot as root;
# and each forbidden syscall class kills a sandboxed child with SIGSYS.
# Uses regress/talkd-regress (a build with a test hook) inside a private
# network namespace.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
NS=$(lib_netns_new sb) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT

# Running children: their /proc status.
lib_start "$TMP/d.log" ip netns exec "$NS" ../talkd -d -a 127.0.0.1
pid=$LIB_PID
if lib_wait_log "$TMP/d.log" "engine: engine ready" 10; then
	echo "PASS: talkd started in namespace"
else
	echo "FAIL: talkd started in namespace"; cat "$TMP/d.log"; exit 0
fi
for role in engine resolver; do
	cpid=$(lib_child_pid "$pid" "talkd: $role")
	st=/proc/$cpid/status
	if [ -z "$cpid" ] || [ ! -r "$st" ]; then
		echo "FAIL: $role: running"; continue
	fi
	grep -q '^Seccomp:[[:space:]]*2' "$st" &&
	    echo "PASS: $role: Seccomp 2 (filter)" ||
	    echo "FAIL: $role: Seccomp 2 (filter)"
	grep -q '^NoNewPrivs:[[:space:]]*1' "$st" &&
	    echo "PASS: $role: NoNewPrivs 1" || echo "FAIL: $role: NoNewPrivs 1"
	caps=$(awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { printf "%s", $2 }' "$st")
	[ "$caps" = "0000000000000000000000000000000000000000000000000000000000000000000000000000000" ] ||
	    [ -z "$(echo "$caps" | tr -d 0)" ] &&
	    echo "PASS: $role: no capabilities (effective, permitted, bounding)" ||
	    echo "FAIL: $role: no capabilities ($caps)"
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
	want=$(id -u _talkd)
	[ "$uids" = "$want $want $want $want" ] &&
	    echo "PASS: $role: runs as _talkd ($uids)" ||
	    echo "FAIL: $role: runs as _talkd ($uids)"
	root=$(readlink "/proc/$cpid/root")
	if [ "$role" = engine ]; then
		[ "$root" = /var/empty ] &&
		    echo "PASS: engine: chrooted to /var/empty" ||
		    echo "FAIL: engine: chrooted to /var/empty ($root)"
		nfd=$(ls "/proc/$cpid/fd" | wc -l)
		[ "$nfd" -le 6 ] &&
		    echo "PASS: engine: only its own descriptors ($nfd open)" ||
		    echo "FAIL: engine: only its own descriptors ($nfd open)"
	fi
	grep -q '^Max open files *16 ' "/proc/$cpid/limits" ||
	    [ "$role" = resolver ] &&
	    grep -q '^Max processes *0 ' "/proc/$cpid/limits" &&
	    echo "PASS: $role: rlimits (no processes, few descriptors)" ||
	    echo "FAIL: $role: rlimits"
done
lib_stop "$pid"

# Each forbidden syscall class kills the sandboxed child with SIGSYS.
run_hook() {	# role syscall -> prints the parent's "lost child" line
	: >"$TMP/h.log"
	REGRESS_ROLE=$1 REGRESS_SYSCALL=$2 lib_start "$TMP/h.log" \
	    ip netns exec "$NS" ./talkd-regress -d -a 127.0.0.1
	lib_wait_log "$TMP/h.log" "lost child: $1" 10
	lib_stop "$LIB_PID"
	grep "lost child: $1" "$TMP/h.log"
}
for role in engine resolver; do
	for sc in open openat execve socket-unix socketpair connect bind \
	    ptrace kill setuid chroot mount ioctl fork clone mmap-exec; do
		# The resolver may make DNS sockets; its other limits hold.
		[ "$role" = resolver ] && [ "$sc" = connect ] && continue
		[ "$role" = resolver ] && [ "$sc" = bind ] && continue
		[ "$role" = resolver ] && [ "$sc" = openat ] && continue
		[ "$role" = resolver ] && [ "$sc" = socket-unix ] && continue
		line=$(run_hook "$role" "$sc")
		case "$line" in
		*"killed by signal 31"*)
			echo "PASS: $role: $sc is killed by SIGSYS";;
		*)	echo "FAIL: $role: $sc is killed by SIGSYS (${line:-no exit seen})";;
		esac
	done
	[ "$role" = engine ] && sc=socket || sc=openat-write
	line=$(run_hook "$role" "$sc")
	case "$line" in
	*"killed by signal 31"*) echo "PASS: $role: $sc is killed by SIGSYS";;
	*) echo "FAIL: $role: $sc is killed by SIGSYS (${line:-no exit seen})";;
	esac
	# Control: an allowed call does not kill; the hook then exits 99.
	line=$(run_hook "$role" getpid)
	case "$line" in
	*"exited with 99"*) echo "PASS: $role: allowed getpid survives";;
	*) echo "FAIL: $role: allowed getpid survives (${line:-no exit seen})";;
	esac
done
