#!/bin/sh
# talkd's three ways to get its socket (own bind, inetd wait mode,
# systemd socket activation) and the documented child death policy:
# the engine dying ends the daemon with a "lost child" line and status 1,
# an idle inetd daemon exits 0, the parent dying takes the children with
# it, and a dead resolver only costs host names.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
NS=$(lib_netns_new modes) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
Q="ip netns exec $NS python3 ./ctlmsg.py 127.0.0.1 518"

lookup_ok() {
	case "$($Q LOOK_UP alice bob timeout=2)" in
	answer=1*) return 0;;
	esac
	return 1
}

# inetd "wait" mode: the socket arrives on fd 0; idle exit after -t.
lib_start "$TMP/inetd.log" ip netns exec "$NS" python3 ./inetd_wrap.py \
    127.0.0.1 518 ../talkd -t 2
pid=$LIB_PID
sleep 0.5
lookup_ok && echo "PASS: inetd mode: request answered" ||
    echo "FAIL: inetd mode: request answered"
i=0
while lib_alive "$pid" && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
if lib_alive "$pid"; then
	echo "FAIL: inetd mode: exits when idle (-t 2)"
else
	wait "$pid"; rc=$?
	[ $rc -eq 0 ] && echo "PASS: inetd mode: exits 0 when idle (-t 2)" ||
	    echo "FAIL: inetd mode: exits 0 when idle (status $rc)"
fi

# systemd socket activation (LISTEN_FDS).
if command -v systemd-socket-activate >/dev/null; then
	lib_start "$TMP/sd.log" ip netns exec "$NS" \
	    systemd-socket-activate -d -l 127.0.0.1:518 ../talkd -d
	pid=$LIB_PID
	lib_wait_log "$TMP/sd.log" "started (systemd socket)" 5
	lookup_ok && grep -q "started (systemd socket)" "$TMP/sd.log" &&
	    echo "PASS: systemd socket activation: request answered" ||
	    { echo "FAIL: systemd socket activation"; cat "$TMP/sd.log"; }
	lib_stop "$pid"
else
	echo "SKIP: systemd socket activation (systemd-socket-activate missing)"
fi

start() {	# -> $pid of a fresh daemon logging to $TMP/$1.log
	lib_start "$TMP/$1.log" ip netns exec "$NS" ../talkd -d -a 127.0.0.1
	pid=$LIB_PID
	lib_wait_log "$TMP/$1.log" "engine: engine ready" 10
	engine=$(lib_child_pid "$pid" "talkd: engine")
	resolver=$(lib_child_pid "$pid" "talkd: resolver")
}

wait_exit() {	# pid seconds -> 0 if it exited in time
	i=0
	while lib_alive "$1" && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	! lib_alive "$1"
}

for sig in 9 11; do
	start "kill$sig"
	lookup_ok && echo "PASS: own socket: request answered" ||
	    echo "FAIL: own socket: request answered"
	kill -$sig "$engine"
	if wait_exit "$pid" 3; then
		wait "$pid"; rc=$?
		[ $rc -eq 1 ] &&
		    echo "PASS: engine killed by SIG$sig: parent exits 1" ||
		    echo "FAIL: engine killed by SIG$sig: parent exits 1 ($rc)"
	else
		echo "FAIL: engine killed by SIG$sig: parent exits"
	fi
	grep -q "lost child: engine killed by signal $sig: exiting" \
	    "$TMP/kill$sig.log" &&
	    echo "PASS: engine killed by SIG$sig: logged as lost child" ||
	    echo "FAIL: engine killed by SIG$sig: logged as lost child"
	wait_exit "$resolver" 3 &&
	    echo "PASS: engine killed by SIG$sig: resolver gone too" ||
	    echo "FAIL: engine killed by SIG$sig: resolver gone too"
done

start killres
kill -9 "$resolver"
lib_wait_log "$TMP/killres.log" "lost child: resolver killed by signal 9" 3 &&
    echo "PASS: resolver killed: logged" || echo "FAIL: resolver killed: logged"
lookup_ok && lib_alive "$pid" &&
    echo "PASS: resolver killed: daemon keeps serving" ||
    echo "FAIL: resolver killed: daemon keeps serving"
lib_stop "$pid"

start killparent
kill -9 "$pid"
wait "$pid" 2>/dev/null
wait_exit "$engine" 3 && wait_exit "$resolver" 3 &&
    echo "PASS: parent killed: engine and resolver exit" ||
    echo "FAIL: parent killed: engine and resolver exit"
lookup_ok && echo "FAIL: parent killed: nothing answers any more" ||
    echo "PASS: parent killed: nothing answers any more"
