#!/bin/sh
# rwhod's modes and options: send only (-s, no engine), listen only (-l,
# sends nothing), multicast (-m) and unicast peers (-H) reaching a host on
# another subnet that broadcast does not reach, inetd and systemd start,
# the child death policy, and option checks.
#
#	rws 10.77.0.1/24 --- veth --- 10.78.0.2/24 rwr   (later also 10.77.0.2)
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

TOP=$(cd .. && pwd)
lib_require_root || exit 0
command -v python3 >/dev/null || { echo "SKIP: rwhod modes (no python3)"; exit 0; }
TMP=$(mktemp -d)
S="" R=""
trap 'lib_cleanup; lib_netns_del "$S"; lib_netns_del "$R"; rm -rf "$TMP"' EXIT
S=$(lib_netns_new rws) && R=$(lib_netns_new rwr) ||
    { echo "FAIL: create network namespaces"; exit 0; }
ip -n "$S" link add eth0 type veth peer name eth0 netns "$R" &&
    ip -n "$S" addr add 10.77.0.1/24 brd + dev eth0 &&
    ip -n "$R" addr add 10.78.0.2/24 brd + dev eth0 &&
    ip -n "$S" link set eth0 up && ip -n "$R" link set eth0 up &&
    ip -n "$S" route add 10.78.0.0/24 dev eth0 &&
    ip -n "$R" route add 10.77.0.0/24 dev eth0 ||
    { echo "FAIL: wire the two namespaces"; exit 0; }

# on NS NAME LOG ARGS...: our rwhod as host NAME in NS; sets pid.
on() {
	on_ns=$1 on_name=$2 on_log=$TMP/$3; shift 3
	lib_start "$on_log" ip netns exec "$on_ns" unshare -u sh -c \
	    "hostname $on_name && exec $TOP/rwhod -d \"\$@\"" sh "$@"
	pid=$LIB_PID
	lib_wait_log "$on_log" "started (" 10
}

# hears DIR HOST SECONDS: whod.HOST shows up in DIR in time.
hears() {
	_i=0
	while [ ! -f "$1/whod.$2" ] && [ $_i -lt $(($3 * 10)) ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ -f "$1/whod.$2" ]
}

# -S: the engine may not write and may send only on its IPC channel.
pol=$(../rwhod -S)
echo "$pol" | grep -q '	sendmsg if arg0 == 0x3	' &&
    ! echo "$pol" | grep -Eq '	(write|sendto|open|openat|socket)	' &&
    echo "PASS: -S: no write, no open, sendmsg only on fd 3" ||
    echo "FAIL: -S: no write, no open, sendmsg only on fd 3"

# Send only, to another subnet: broadcast does not get there, -m and -H do.
mkdir "$TMP/r1" "$TMP/r2" "$TMP/r3"
on "$R" rwr r1.log -l -m -D "$TMP/r1"
rpid=$pid
lib_wait_log "$TMP/r1.log" "engine: engine ready" 10
on "$S" rws s1.log -s -i 1 -D "$TMP/nospool"
spid=$pid
if grep -q "send only" "$TMP/s1.log" && [ -z "$(lib_child_pid "$spid" "rwhod: engine")" ] &&
    [ ! -e "$TMP/nospool" ]; then
	echo "PASS: -s: no engine, no spool"
else
	echo "FAIL: -s: no engine, no spool"
fi
lib_wait_log "$TMP/s1.log" "status sent to 10.77.0.255" 5
sleep 2.5
[ ! -f "$TMP/r1/whod.rws" ] &&
    echo "PASS: broadcast does not reach another subnet (the control)" ||
    echo "FAIL: broadcast does not reach another subnet (the control)"
lib_stop "$spid"
on "$S" rws s2.log -s -i 1 -m
spid=$pid
hears "$TMP/r1" rws 5 && grep -q "status sent to 224.0.1.3 (eth0)" "$TMP/s2.log" &&
    echo "PASS: -m: multicast to 224.0.1.3 reaches a -m listener on another subnet" ||
    echo "FAIL: -m: multicast to 224.0.1.3 reaches a -m listener on another subnet"
lib_stop "$spid"
lib_stop "$rpid"
on "$R" rwr r2.log -l -D "$TMP/r2"
rpid=$pid
lib_wait_log "$TMP/r2.log" "engine: engine ready" 10
on "$S" rws s3.log -s -i 1 -H 10.78.0.2
spid=$pid
hears "$TMP/r2" rws 5 &&
    echo "PASS: -H: a unicast peer on another subnet hears us" ||
    echo "FAIL: -H: a unicast peer on another subnet hears us"
lib_stop "$spid"
lib_stop "$rpid"

# Listen only sends nothing; the other side, in full mode, hears itself.
ip -n "$R" addr add 10.77.0.2/24 brd + dev eth0
mkdir "$TMP/s4"
on "$S" rws s4.log -l -i 1 -D "$TMP/s4"
spid=$pid
lib_wait_log "$TMP/s4.log" "engine: engine ready" 10
on "$R" rwr r3.log -i 1 -D "$TMP/r3"
rpid=$pid
hears "$TMP/s4" rwr 5 && hears "$TMP/r3" rwr 5 && sleep 2 &&
    [ ! -f "$TMP/r3/whod.rws" ] && ! grep -q "status sent" "$TMP/s4.log" &&
    echo "PASS: -l: hears others, sends nothing" ||
    echo "FAIL: -l: hears others, sends nothing"
lib_stop "$spid"
lib_stop "$rpid"

# inetd "wait" mode and systemd socket activation (listen only, on lo).
SEND="ip netns exec $S python3 ./rwhotool.py send -b 127.0.0.2 127.0.0.1"
mkdir "$TMP/i" "$TMP/sd"
lib_start "$TMP/inetd.log" ip netns exec "$S" python3 ./inetd_wrap.py \
    0.0.0.0 513 "$TOP/rwhod" -l -D "$TMP/i"
pid=$LIB_PID
sleep 1
$SEND good viainetd
hears "$TMP/i" viainetd 5 &&
    echo "PASS: inetd mode: status stored" ||
    echo "FAIL: inetd mode: status stored"
lib_stop "$pid"
if command -v systemd-socket-activate >/dev/null; then
	lib_start "$TMP/sd.log" ip netns exec "$S" systemd-socket-activate \
	    -d -l 0.0.0.0:513 "$TOP/rwhod" -d -l -D "$TMP/sd"
	pid=$LIB_PID
	sleep 0.5
	$SEND good viasystemd
	hears "$TMP/sd" viasystemd 5 &&
	    grep -q "started (systemd socket)" "$TMP/sd.log" &&
	    echo "PASS: systemd socket activation: status stored" ||
	    { echo "FAIL: systemd socket activation"; sed 's/^/# /' "$TMP/sd.log"; }
	lib_stop "$pid"
else
	echo "SKIP: systemd socket activation (systemd-socket-activate missing)"
fi

# Child death: the engine dies -> the parent exits 1; the parent dies ->
# the engine exits.
on "$S" rws k.log -l -D "$TMP/s4"
lib_wait_log "$TMP/k.log" "engine: engine ready" 10
engine=$(lib_child_pid "$pid" "rwhod: engine")
kill -9 "$engine"
i=0
while lib_alive "$pid" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if lib_alive "$pid"; then
	echo "FAIL: engine killed: parent exits"
else
	wait "$pid"; rc=$?
	[ $rc -eq 1 ] && grep -q "lost child: engine killed by signal 9: exiting" \
	    "$TMP/k.log" &&
	    echo "PASS: engine killed: parent logs it and exits 1" ||
	    echo "FAIL: engine killed: parent logs it and exits 1 ($rc)"
fi
on "$S" rws p.log -l -D "$TMP/s4"
lib_wait_log "$TMP/p.log" "engine: engine ready" 10
engine=$(lib_child_pid "$pid" "rwhod: engine")
kill -9 "$pid"
wait "$pid" 2>/dev/null
i=0
while lib_alive "$engine" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
lib_alive "$engine" && echo "FAIL: parent killed: engine exits" ||
    echo "PASS: parent killed: engine exits"

# Options.
../rwhod -i 11m -m 32 -S >/dev/null 2>&1 &&
    ../rwhod -i 1 -m -S >/dev/null 2>&1 &&
    echo "PASS: -i 11m, -i 1, -m 32 and a bare -m accepted" ||
    echo "FAIL: -i 11m, -i 1, -m 32 and a bare -m accepted"
# Refused before anything starts (else timeout stops it in the namespace).
bad=""
for args in "-i 12m" "-i 661" "-i 0" "-i 5x" "-m 33" "-b -I eth0" "-l -s" \
    "-l -H 10.0.0.1" "-M 0" "extra"; do
	out=$(ip netns exec "$S" timeout 3 ../rwhod -d -l -D "$TMP/opt" \
	    $args 2>&1)
	[ $? -eq 1 ] && echo "$out" | grep -q "^rwhod: \|^usage: " ||
	    bad="$bad [$args]"
done
[ -z "$bad" ] && echo "PASS: bad options refused (-i over 11 min, -m 33, -b with -I, -l with -s, ...)" ||
    echo "FAIL: bad options refused:$bad"
