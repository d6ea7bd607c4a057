#!/bin/sh
# Sandbox checks for rwhod, as t_sandbox.sh does for talkd: the running
# engine has seccomp mode 2, no_new_privs, no capabilities, uid _rwhod
# (or -u's), the empty chroot as root and few descriptors; each forbidden
# syscall kills it with SIGSYS (regress/rwhod-regress: the daemon with
# the test hook regress_hook.c), including write(2),
# which the rwhod engine may not call at all, and sendmsg on anything but
# its IPC channel.  And the parent keeps only CAP_DAC_OVERRIDE, CAP_KILL.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
[ -x ./rwhod-regress ] || { echo "FAIL: rwhod-regress not built (make -C regress units)"; exit 0; }
NS=$(lib_netns_new rwsb) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
mkdir "$TMP/spool"

status() {	# label user: checks on the running engine of $pid
	cpid=$(lib_child_pid "$pid" "rwhod: engine")
	st=/proc/$cpid/status
	if [ -z "$cpid" ] || [ ! -r "$st" ]; then
		echo "FAIL: $1: engine running"; return
	fi
	grep -q '^Seccomp:[[:space:]]*2' "$st" &&
	    echo "PASS: $1: Seccomp 2 (filter)" ||
	    echo "FAIL: $1: Seccomp 2 (filter)"
	grep -q '^NoNewPrivs:[[:space:]]*1' "$st" &&
	    echo "PASS: $1: NoNewPrivs 1" || echo "FAIL: $1: NoNewPrivs 1"
	caps=$(awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { printf "%s", $2 }' "$st")
	[ -z "$(echo "$caps" | tr -d 0)" ] &&
	    echo "PASS: $1: no capabilities (effective, permitted, bounding)" ||
	    echo "FAIL: $1: no capabilities ($caps)"
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
	want=$(id -u "$2")
	[ "$uids" = "$want $want $want $want" ] &&
	    echo "PASS: $1: runs as $2 ($uids)" ||
	    echo "FAIL: $1: runs as $2 ($uids)"
	root=$(readlink "/proc/$cpid/root")
	[ "$root" = /var/empty ] &&
	    echo "PASS: $1: chrooted to /var/empty" ||
	    echo "FAIL: $1: chrooted to /var/empty ($root)"
	fds=$(ls "/proc/$cpid/fd" | wc -l)
	[ "$fds" -le 5 ] &&
	    echo "PASS: $1: only its own descriptors ($fds: null x3, IPC, UDP)" ||
	    echo "FAIL: $1: only its own descriptors ($fds open)"
	grep -q '^Max open files *8 ' "/proc/$cpid/limits" &&
	    grep -q '^Max processes *0 ' "/proc/$cpid/limits" &&
	    grep -q '^Max file size *0 ' "/proc/$cpid/limits" &&
	    echo "PASS: $1: rlimits (no processes, no file growth, 8 fds)" ||
	    echo "FAIL: $1: rlimits"
}

lib_start "$TMP/d.log" ip netns exec "$NS" ../rwhod -d -D "$TMP/spool"
pid=$LIB_PID
if lib_wait_log "$TMP/d.log" "engine: engine ready" 10; then
	echo "PASS: rwhod started in namespace"
else
	echo "FAIL: rwhod started in namespace"; sed 's/^/# /' "$TMP/d.log"; exit 0
fi
status engine _rwhod
capeff=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
capbnd=$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")
[ "$capeff" = 0000000000000022 ] && [ "$capbnd" = 0000000000000022 ] &&
    echo "PASS: parent: only CAP_DAC_OVERRIDE and CAP_KILL left (and in the bounding set)" ||
    echo "FAIL: parent: only CAP_DAC_OVERRIDE and CAP_KILL ($capeff, $capbnd)"
lib_stop "$pid"

# netkit's -u keeps working.
lib_start "$TMP/u.log" ip netns exec "$NS" ../rwhod -d -u nobody -D "$TMP/spool"
pid=$LIB_PID
lib_wait_log "$TMP/u.log" "engine: engine ready" 10
status "-u nobody" nobody
lib_stop "$pid"

run_hook() {	# syscall -> prints the parent's "lost child" line
	: >"$TMP/h.log"
	REGRESS_ROLE=engine REGRESS_SYSCALL=$1 lib_start "$TMP/h.log" \
	    ip netns exec "$NS" ./rwhod-regress -d -l -D "$TMP/spool"
	lib_wait_log "$TMP/h.log" "lost child: engine" 10
	lib_stop "$LIB_PID"
	grep "lost child: engine" "$TMP/h.log"
}
for sc in open openat openat-write execve socket socket-unix socketpair \
    connect bind ptrace kill setuid chroot mount ioctl fork clone mmap-exec \
    write sendmsg-other sendto recvfrom; do
	line=$(run_hook "$sc")
	case "$line" in
	*"killed by signal 31"*)
		echo "PASS: engine: $sc is killed by SIGSYS";;
	*)	echo "FAIL: engine: $sc is killed by SIGSYS (${line:-no exit seen})";;
	esac
done
line=$(run_hook getpid)
case "$line" in
*"exited with 99"*) echo "PASS: engine: allowed getpid survives";;
*) echo "FAIL: engine: allowed getpid survives (${line:-no exit seen})";;
esac
