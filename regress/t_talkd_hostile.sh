#!/bin/sh
# Hostile and malformed datagrams against talkd, each answered safely (a
# refusal code, or silence and a log line) while the daemon keeps
# serving; plus the 60 s invitation expiry and requests after it.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
NS=$(lib_netns_new hostile) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
LOG=$TMP/d.log
Q="ip netns exec $NS python3 ./ctlmsg.py 127.0.0.1 518"

lib_start "$LOG" ip netns exec "$NS" ../talkd -d -n -a 127.0.0.1 -r 50
DPID=$LIB_PID
lib_wait_log "$LOG" "engine: engine ready" 10 ||
    { echo "FAIL: talkd starts"; cat "$LOG"; exit 0; }

# expect WHAT PATTERN ARGS...: the reply to ctlmsg.py ARGS matches.
expect() {
	what=$1 pat=$2; shift 2
	got=$($Q "$@")
	case "$got" in
	$pat) echo "PASS: $what";;
	*) echo "FAIL: $what (got: $got)";;
	esac
}

serving() {
	expect "still serving after: $1" "answer=1 type=1 id=0 *" LOOK_UP x y
}

# raw HEX: send bytes verbatim from an ephemeral port; no reply expected.
raw() {
	$Q LOOK_UP a b raw="$1" timeout=0.5
}

expect "valid LOOK_UP answered NOT_HERE, zero padding" \
    "answer=1 type=1 id=0 addr=0.0.0.0:0 fam=0 pad=0 tail=0000000000000000 len=24" \
    LOOK_UP alice bob

for n in 0 1 24 83 85 200 1500; do
	hex=$(head -c "$n" /dev/urandom | od -An -tx1 | tr -d ' \n')
	r=$(raw "$hex")
	[ "$r" = noreply ] && echo "PASS: $n-byte datagram ignored" ||
	    echo "FAIL: $n-byte datagram ignored ($r)"
done
grep -q "1500 bytes, not a 84-byte CTL_MSG, dropped" "$LOG" &&
    echo "PASS: long datagram logged with its real length" ||
    echo "FAIL: long datagram logged with its real length"
ip netns exec "$NS" python3 - <<'PY'
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(300):
    n = 84 if i % 3 == 0 else int.from_bytes(os.urandom(2), "big") % 1200
    s.sendto(os.urandom(n), ("127.0.0.1", 518))
PY
sleep 1
serving "300 random datagrams (a third of them 84 bytes)"

expect "wrong version: BADVERSION" "answer=6 *" LOOK_UP alice bob vers=2
expect "unknown type 9: UNKNOWN_REQUEST" "answer=5 type=9 *" 9 alice bob
expect "ctl_addr family in host order: BADCTLADDR" "answer=8 *" \
    LOOK_UP alice bob ctlfam=512
expect "addr family AF_INET6: BADADDR" "answer=7 *" LOOK_UP alice bob \
    addrfam=10
expect "ctl_addr naming another host: refused, reply to the source" \
    "answer=8 *" ANNOUNCE alice bob ctlip=192.0.2.1
expect "names without NUL are cut and served" "answer=1 type=1 *" \
    LOOK_UP aaaaaaaaaaaaaaaa bbbbbbbbbbbbbb
expect "escape sequence in caller name: FAILED" "answer=2 *" \
    ANNOUNCE "$(printf 'a\033[2J')" bob
expect "control byte in callee name: FAILED" "answer=2 *" \
    ANNOUNCE alice "$(printf 'b\007b')"
expect "r_tty with ../: FAILED" "answer=2 *" ANNOUNCE alice bob \
    tty=../etc/passwd
expect "r_tty absolute path: FAILED" "answer=2 *" ANNOUNCE alice bob \
    tty=/dev/pts/0
r=$($Q LOOK_UP alice bob srcport=700 timeout=0.5)
[ "$r" = noreply ] && grep -q "port 700: privileged source port" "$LOG" &&
    echo "PASS: privileged source port dropped and logged" ||
    echo "FAIL: privileged source port dropped and logged ($r)"
serving "malformed requests"

# Invitations: only from this host, DELETE only by their owner.
out=$($Q LEAVE_INVITE carol dave addrport=5555)
id=$(echo "$out" | sed -n 's/.*id=\([0-9]*\).*/\1/p')
case "$out" in
answer=0*) echo "PASS: LEAVE_INVITE from loopback accepted";;
*) echo "FAIL: LEAVE_INVITE from loopback accepted ($out)";;
esac
expect "LOOK_UP by the callee finds it, with the caller's address" \
    "answer=0 type=1 id=$id addr=127.0.0.1:5555 fam=2 *" LOOK_UP dave carol
expect "DELETE from another address refused" "answer=4 *" DELETE carol \
    dave id="$id" srcip=127.0.0.2
expect "invitation survives a foreign DELETE" "answer=0 *" LOOK_UP dave carol
expect "DELETE by the owner" "answer=0 *" DELETE carol dave id="$id"
expect "deleted invitation gone" "answer=1 *" LOOK_UP dave carol
ids=""
for i in 1 2 3; do
	ids="$ids $($Q LEAVE_INVITE u$i v pid=$i | sed -n 's/.*id=\([0-9]*\).*/\1/p')"
done
set -- $ids
[ $(($2 - $1)) -ne 1 ] && [ $(($3 - $2)) -ne 1 ] &&
    echo "PASS: invitation ids are not sequential ($ids)" ||
    echo "FAIL: invitation ids are not sequential ($ids)"

# Rate limit per source (-r 50): a burst of 300 is cut short.
ip netns exec "$NS" python3 - >"$TMP/burst" <<'PY'
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.3", 0))
me = s.getsockname()
osa = struct.pack("!HH4s8x", 2, me[1], socket.inet_aton(me[0]))
pkt = struct.pack("!BBBBI16s16si12s12s16s", 1, 1, 0, 0, 0, osa, osa, 1,
                  b"x", b"y", b"")
for i in range(300):
    s.sendto(pkt, ("127.0.0.1", 518))
s.settimeout(1)
n = 0
try:
    while True:
        s.recv(64)
        n += 1
except socket.timeout:
    pass
print(n)
PY
n=$(cat "$TMP/burst")
[ "$n" -ge 50 ] && [ "$n" -lt 200 ] && grep -q "over 50 requests/s" "$LOG" &&
    echo "PASS: per-source rate limit: $n of 300 answered, logged" ||
    echo "FAIL: per-source rate limit: $n of 300 answered"
sleep 1
serving "a request burst"
lines=$(grep -c "over 50 requests/s\|more refusals not logged" "$LOG")
[ "$lines" -le 30 ] && echo "PASS: refusal log lines are limited ($lines)" ||
    echo "FAIL: refusal log lines are limited ($lines)"

# Expiry: an invitation is gone 60 s after its last use, and requests
# afterwards are safe (netkit's in.ntalkd crashed here).
$Q LEAVE_INVITE erin frank >/dev/null
expect "fresh invitation found" "answer=0 *" LOOK_UP frank erin
sleep 62
expect "invitation expired after 60 s" "answer=1 *" LOOK_UP frank erin
expect "LEAVE_INVITE after expiry" "answer=0 *" LEAVE_INVITE erin frank
expect "DELETE after expiry" "answer=1 *" DELETE x y id=12345
lib_alive "$DPID" && [ -n "$(lib_child_pid "$DPID" "talkd: engine")" ] &&
    echo "PASS: daemon and engine still running at the end" ||
    echo "FAIL: daemon and engine still running at the end"
