#!/bin/sh
# Bounded floods at each daemon (regress/flood, sendmmsg at full rate):
# valid requests and garbage mixed, FLOOD_COUNT datagrams each (default
# 100,000; `make -C regress floods` sends a million).  Each daemon must
# stay up (same parent, same engine), its memory must stay flat (summed
# VmRSS of parent and children before and after, VmHWM as the peak), and
# valid requests interleaved from other source addresses must still be
# served:
#
#	talkd	LOOK_UPs from 127.0.0.10-249 while 127.0.0.2 floods
#	comsat	"user@0" for a logged-in user with biff y, from 127.0.0.x,
#		while 192.0.2.1 (a network comsat does not serve) floods;
#		the notices are counted on the user's pty
#	rwhod	status packets for hosts probeN from 127.0.0.10-249 while
#		127.0.0.2 floods from port 513; the spool files are counted
#
# Figures go out as "# " lines.  All traffic stays on loopback in a
# private network namespace.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
COUNT=${FLOOD_COUNT:-100000}
case "$COUNT" in
''|*[!0-9]*) echo "FAIL: FLOOD_COUNT=$COUNT: not a number"; exit 0;;
esac
[ "$COUNT" -le 10000000 ] || { echo "FAIL: FLOOD_COUNT over 10,000,000"; exit 0; }
SHARE_MIN=90		# percent of probes answered
RSS_MAX=2048		# kB of growth in the summed VmRSS
for f in ../talkd ../comsat ../rwhod ./flood; do
	[ -x "$f" ] || { echo "FAIL: $f is built (make; make -C regress units)"; exit 0; }
done
NS=$(lib_netns_new flood) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
E=rgfl$$
cleanup() {
	lib_cleanup
	userdel "$E" 2>/dev/null
	lib_netns_del "$NS"
	rm -rf "$TMP"
}
trap cleanup EXIT
useradd -M -N -s /usr/sbin/nologin -c "regress throw-away" "$E" ||
    { echo "FAIL: create test user $E"; exit 0; }
# A source comsat does not serve, inside our namespace only.
ip -n "$NS" addr add 192.0.2.1/32 dev lo ||
    { echo "FAIL: address for the comsat flood"; exit 0; }

# pids PARENT: the parent and its children.
pids() { echo "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); }

# mem FIELD PIDS...: the sum of a /proc/PID/status field, in kB.
mem() {
	_f=$1; shift
	_s=0
	for _p in "$@"; do
		_v=$(awk -v f="$_f:" '$1 == f { print $2 }' "/proc/$_p/status" 2>/dev/null)
		_s=$((_s + ${_v:-0}))
	done
	echo "$_s"
}

# flood NAME LOG FLOOD-ARGS...: the daemon (LIB_PID, ready) is flooded;
# sets SENT, RATE, SECS, PROBES, ANSWERED and the memory figures, and
# prints the up / memory verdicts.
flood() {
	_n=$1 _log=$2; shift 2
	_pid=$LIB_PID
	_all=$(pids "$_pid")
	sleep 0.3
	_before=$(mem VmRSS $_all)
	ip netns exec "$NS" ./flood -n "$COUNT" "$@" >"$TMP/flood.out" 2>&1
	sed -n 's/^# /# /p' "$TMP/flood.out"
	_sum=$(grep '^sent=' "$TMP/flood.out")
	SENT=$(echo "$_sum" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	SECS=$(echo "$_sum" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p')
	RATE=$(echo "$_sum" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')
	PROBES=$(echo "$_sum" | sed -n 's/.*probes=\([0-9]*\).*/\1/p')
	ANSWERED=$(echo "$_sum" | sed -n 's/.*answered=\([0-9]*\).*/\1/p')
	sleep 1
	_after=$(mem VmRSS $_all)
	_peak=$(mem VmHWM $_all)
	_now=$(pids "$_pid")
	echo "# $_n: $SENT datagrams in $SECS s ($RATE/s); summed RSS of parent and children ($_all): before $_before kB, after $_after kB, peak (VmHWM) $_peak kB"
	if [ "${SENT:-0}" -eq "$COUNT" ] && [ "$_now" = "$_all" ] &&
	    lib_alive "$_pid"; then
		echo "PASS: $_n: up after $SENT datagrams at $RATE/s (same parent and children)"
	else
		echo "FAIL: $_n: up after the flood (sent ${SENT:-?}; processes $_all -> $_now)"
		tail -5 "$_log" | sed 's/^/#   /'
	fi
	if [ $((_after - _before)) -lt $RSS_MAX ]; then
		echo "PASS: $_n: memory flat under the flood (RSS $_before -> $_after kB, growth under $RSS_MAX kB)"
	else
		echo "FAIL: $_n: memory flat under the flood (RSS $_before -> $_after kB)"
	fi
}

# share NAME ANSWERED PROBES: the verdict on the answered share.
share() {
	if [ "${3:-0}" -gt 0 ] && [ $(($2 * 100)) -ge $(($3 * SHARE_MIN)) ]; then
		echo "PASS: $1: $2 of $3 interleaved valid requests served ($(($2 * 100 / $3))%, at least $SHARE_MIN%)"
	else
		echo "FAIL: $1: $2 of ${3:-0} interleaved valid requests served (under $SHARE_MIN%)"
	fi
}

# ---- talkd ----------------------------------------------------------

lib_start "$TMP/talkd.log" ip netns exec "$NS" ../talkd -d -n -a 127.0.0.1
lib_wait_log "$TMP/talkd.log" "engine: engine ready" 10 ||
    { echo "FAIL: talkd starts"; exit 0; }
flood talkd "$TMP/talkd.log" -k talkd -d 127.0.0.1 -f 127.0.0.2 -p 20
share talkd "$ANSWERED" "$PROBES"
r=$(ip netns exec "$NS" python3 ./ctlmsg.py 127.0.0.1 518 LOOK_UP x y srcip=127.0.0.3)
case "$r" in
answer=1*) echo "PASS: talkd: answers a fresh request after the flood";;
*) echo "FAIL: talkd: answers a fresh request after the flood ($r)";;
esac
lib_stop "$LIB_PID"

# ---- comsat ---------------------------------------------------------

mkdir -m 0755 "$TMP/spool"
printf 'From x Mon Jan  1 00:00:00 2024\nFrom: f@example.org\nSubject: flood probe\n\nbody\n' \
    >"$TMP/spool/$E"
chown "$E" "$TMP/spool/$E"
chmod 600 "$TMP/spool/$E"
mkdir "$TMP/rig"
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP/rig" 300 "$E:720"
RIG=$LIB_PID
lib_wait_log "$TMP/rig/ptys" "^0 " 10 || { echo "FAIL: pty rig"; exit 0; }
# -R: every probe is a notice for the same user, 20/s at most.
lib_start "$TMP/comsat.log" ip netns exec "$NS" ../comsat -d -q -R 100000 \
    -U "$TMP/utmp" -m "$TMP/spool"
lib_wait_log "$TMP/comsat.log" "engine: engine ready" 10 ||
    { echo "FAIL: comsat starts"; exit 0; }
flood comsat "$TMP/comsat.log" -k comsat -d 127.0.0.1 -f 192.0.2.1 -p 10 \
    -u "$E"
shown=$(grep -c "Subject: flood probe" "$TMP/rig/0.out")
share comsat "$shown" "$PROBES"
grep -q "192.0.2.1: network not allowed, dropped" "$TMP/comsat.log" &&
    echo "PASS: comsat: the flood from a network it does not serve is dropped and logged" ||
    echo "FAIL: comsat: the flood from a network it does not serve is dropped and logged"
lib_stop "$LIB_PID"
lib_stop "$RIG"

# ---- rwhod ----------------------------------------------------------

mkdir "$TMP/rwho"
lib_start "$TMP/rwhod.log" ip netns exec "$NS" ../rwhod -d -l -D "$TMP/rwho"
lib_wait_log "$TMP/rwhod.log" "engine: engine ready" 10 ||
    { echo "FAIL: rwhod starts"; exit 0; }
flood rwhod "$TMP/rwhod.log" -k rwhod -d 127.0.0.1 -f 127.0.0.2 -p 20
stored=$(ls "$TMP/rwho" | grep -c '^whod\.probe')
share rwhod "$stored" "$PROBES"
n=$(ls "$TMP/rwho" | grep -c '^whod\.fl')
echo "# rwhod: $n spool files from the flood's own valid packets (5/s from its one address)"
[ -z "$(ls -A "$TMP/rwho" | grep -v '^whod\.')" ] &&
    echo "PASS: rwhod: no temporary or stray file in the spool after the flood" ||
    echo "FAIL: rwhod: no temporary or stray file in the spool after the flood"
lib_stop "$LIB_PID"
