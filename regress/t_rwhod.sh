#!/bin/sh
# rwhod end to end with Debian's netkit rwhod, rwho and ruptime.  Three
# hosts on one Ethernet bridge (each its own network, UTS and mount
# namespace, with a private tmpfs /var/spool/rwho and /run/utmp):
#
#	rwhoa  10.77.0.1  our rwhod -i 2    user alice
#	rwhob  10.77.0.2  our rwhod -i 2    user bob
#	rwhoc  10.77.0.3  netkit rwhod -b   user carol (own PID namespace:
#	                                    it daemonizes; it dies with it)
#
# Each user sits on a real pty (held open by rwhotool.py).  Within a
# bounded time every host's spool has a file for every host, and on every
# host Debian's `ruptime` shows all three up with one user and `rwho -a`
# shows all three users: our packets are read by netkit, netkit's by us.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

TOP=$(cd .. && pwd)
lib_require_root || exit 0
for c in python3 unshare nsenter ruptime rwho; do
	command -v "$c" >/dev/null || {
		echo "SKIP: rwhod end to end ($c missing: apt-get install rwho)"
		exit 0
	}
done
[ -x /usr/sbin/rwhod ] || {
	echo "SKIP: rwhod end to end (no netkit /usr/sbin/rwhod: apt-get install rwhod)"
	exit 0
}
getent passwd rwhod >/dev/null || {
	echo "SKIP: rwhod end to end (no account rwhod for netkit's rwhod)"
	exit 0
}

TMP=$(mktemp -d)
BR="" A="" B="" C=""
HOLDC=""
cleanup() {
	# netkit's daemons live in C's PID namespace: its init takes them.
	[ -n "$HOLDC" ] && kill -9 "$HOLDC" 2>/dev/null
	lib_cleanup
	for ns in "$A" "$B" "$C" "$BR"; do lib_netns_del "$ns"; done
	rm -rf "$TMP"
}
trap cleanup EXIT
BR=$(lib_netns_new rwbr) && A=$(lib_netns_new rwa) &&
    B=$(lib_netns_new rwb) && C=$(lib_netns_new rwc) ||
    { echo "FAIL: create network namespaces"; exit 0; }
ip -n "$BR" link add br0 type bridge && ip -n "$BR" link set br0 up || {
	echo "SKIP: rwhod end to end (no bridge support)"; exit 0; }
i=1
for ns in "$A" "$B" "$C"; do
	ip -n "$BR" link add "p$i" type veth peer name eth0 netns "$ns" &&
	    ip -n "$BR" link set "p$i" master br0 up &&
	    ip -n "$ns" addr add "10.77.0.$i/24" brd + dev eth0 &&
	    ip -n "$ns" link set eth0 up ||
	    { echo "FAIL: wire host $i to the bridge"; exit 0; }
	i=$((i + 1))
done

# Users on real ptys.
lib_start "$TMP/pty.log" python3 ./rwhotool.py ptys 3 "$TMP/ptys"
lib_wait_log "$TMP/ptys" "pts" 5 || { echo "FAIL: open ptys"; exit 0; }
set -- $(cat "$TMP/ptys")
python3 ./rwhotool.py utmp "$TMP/utmp.a" alice "$1"
python3 ./rwhotool.py utmp "$TMP/utmp.b" bob "$2"
python3 ./rwhotool.py utmp "$TMP/utmp.c" carol "$3"

# host NS NAME UTMP [CMD]: a holder process in NS with its own host name,
# spool and /run/utmp; its PID (for nsenter) goes to HOLD.
host() {
	lib_start "$TMP/$2.hold" ip netns exec "$1" unshare -m -u \
	    --propagation private sh -c "hostname $2 &&
	    mount -t tmpfs rwho /var/spool && mkdir -m 755 /var/spool/rwho &&
	    mount -t tmpfs run /run && cp $3 /run/utmp && exec sleep 300"
	HOLD=$LIB_PID
	i=0
	while [ "$(cat /proc/$HOLD/comm 2>/dev/null)" != sleep ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(cat /proc/$HOLD/comm 2>/dev/null)" = sleep ]
}
host "$A" rwhoa "$TMP/utmp.a" && HOLDA=$HOLD &&
    host "$B" rwhob "$TMP/utmp.b" && HOLDB=$HOLD ||
    { echo "FAIL: set up hosts rwhoa, rwhob"; exit 0; }

for h in a b; do
	eval "hold=\$HOLD$(echo $h | tr ab AB)"
	lib_start "$TMP/$h.log" nsenter -t "$hold" -m -u -n -- \
	    "$TOP/rwhod" -d -i 2
	lib_wait_log "$TMP/$h.log" "engine: engine ready" 10 ||
	    { echo "FAIL: our rwhod on rwho$h"; sed 's/^/# /' "$TMP/$h.log"; exit 0; }
done
echo "PASS: our rwhod runs on rwhoa and rwhob"

# netkit's rwhod sends once at start-up (then every 3 minutes): ours
# listen already.  It needs its spool to be its user's.
lib_start "$TMP/c.hold" ip netns exec "$C" unshare -m -u -p -f \
    --kill-child --mount-proc --propagation private sh -c "hostname rwhoc &&
    mount -t tmpfs rwho /var/spool && mkdir -m 755 /var/spool/rwho &&
    chown rwhod /var/spool/rwho && mount -t tmpfs run /run &&
    cp $TMP/utmp.c /run/utmp && /usr/sbin/rwhod -b && exec sleep 300"
i=0
while [ -z "$HOLDC" ] && [ $i -lt 50 ]; do
	HOLDC=$(lib_child_pid "$LIB_PID" "sleep")
	sleep 0.1; i=$((i + 1))
done
[ -n "$HOLDC" ] || { echo "FAIL: netkit rwhod on rwhoc"; cat "$TMP/c.hold"; exit 0; }

# Every spool gets every host (through /proc/PID/root: their mounts).
all_files() {
	for hold in "$HOLDA" "$HOLDB" "$HOLDC"; do
		for h in rwhoa rwhob rwhoc; do
			[ -s "/proc/$hold/root/var/spool/rwho/whod.$h" ] ||
			    return 1
		done
	done
}
i=0
while ! all_files && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
if all_files; then
	echo "PASS: every host's spool has whod.rwhoa, rwhob, rwhoc ($((i / 5)) s)"
else
	echo "FAIL: every host's spool has a file for every host"
	for hold in "$HOLDA" "$HOLDB" "$HOLDC"; do
		echo "# $hold: $(ls /proc/$hold/root/var/spool/rwho | tr '\n' ' ')"
	done
	sed 's/^/# a: /' "$TMP/a.log" | tail -5
fi

SA=/proc/$HOLDA/root/var/spool/rwho
SB=/proc/$HOLDB/root/var/spool/rwho
SC=/proc/$HOLDC/root/var/spool/rwho
python3 ./rwhotool.py check "$SA/whod.rwhob" rwhob bob &&
    python3 ./rwhotool.py check "$SB/whod.rwhoa" rwhoa alice &&
    echo "PASS: our files: host order, times, the user, 60 + 24n bytes" ||
    echo "FAIL: our files: host order, times, the user, 60 + 24n bytes"
python3 ./rwhotool.py check "$SA/whod.rwhoc" rwhoc carol &&
    python3 ./rwhotool.py same "$SA/whod.rwhoc" "$SC/whod.rwhoc" &&
    echo "PASS: our file for rwhoc equals netkit's own (but wd_recvtime and the stack bytes netkit sends after the host name, which we zero)" ||
    echo "FAIL: our file for rwhoc equals netkit's own (but wd_recvtime)"
python3 ./rwhotool.py check "$SC/whod.rwhoa" rwhoa alice &&
    python3 ./rwhotool.py check "$SC/whod.rwhob" rwhob bob &&
    echo "PASS: netkit stores our packets (rwhoa, rwhob) as we do" ||
    echo "FAIL: netkit stores our packets (rwhoa, rwhob) as we do"

# Debian's ruptime and rwho, run on each host (its mount namespace).
for h in a b c; do
	eval "hold=\$HOLD$(echo $h | tr abc ABC)"
	up=$(nsenter -t "$hold" -m -u -n -- ruptime 2>&1)
	ok=1
	for x in a b c; do
		echo "$up" | grep -Eq "^rwho$x +up .* 1 user," || ok=0
	done
	[ $ok -eq 1 ] &&
	    echo "PASS: ruptime on rwho$h: rwhoa, rwhob, rwhoc up, 1 user each" ||
	    { echo "FAIL: ruptime on rwho$h lists all three up"; echo "$up" | sed 's/^/# /'; }
	who=$(nsenter -t "$hold" -m -u -n -- rwho -a 2>&1)
	echo "$who" | grep -Eq "^alice +rwhoa:$1 " &&
	    echo "$who" | grep -Eq "^bob +rwhob:$2 " &&
	    echo "$who" | grep -Eq "^carol +rwhoc:$3 " &&
	    echo "PASS: rwho -a on rwho$h: alice@rwhoa, bob@rwhob, carol@rwhoc" ||
	    { echo "FAIL: rwho -a on rwho$h lists all users"; echo "$who" | sed 's/^/# /'; }
done
for h in a b; do
	grep -q "refused\|dropped\|lost child" "$TMP/$h.log" &&
	    { echo "FAIL: rwho$h: nothing refused, no child lost";
	      grep "refused\|dropped\|lost child" "$TMP/$h.log" | sed 's/^/# /'; } ||
	    echo "PASS: rwho$h: nothing refused, no child lost"
done
