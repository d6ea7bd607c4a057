#!/bin/sh
# How talkd picks and writes the callee's terminal: utmp only, least idle
# tty with mesg y, a requested tty only among the callee's own, no
# symlinks, no tty owned by someone else, mesg n refused, re-announce
# rules, the per-callee ring limit, a terminal that never drains, and
# the exact banner bytes.  Terminals are real ptys (regress/ttyrig.py).
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
NS=$(lib_netns_new tty) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
# Short names: talk's wire format keeps 11 characters.
BOB=rgb$$ CAROL=rgc$$
USERS="$BOB $CAROL"
cleanup() {
	lib_cleanup
	for u in $USERS; do userdel "$u" 2>/dev/null; done
	lib_netns_del "$NS"
	rm -rf "$TMP"
}
trap cleanup EXIT
for u in $USERS; do
	useradd -M -N -s /usr/sbin/nologin -c "regress throw-away" "$u" ||
	    { echo "FAIL: create test user $u"; exit 0; }
done
Q="ip netns exec $NS python3 ./ctlmsg.py 127.0.0.1 518"
LOG=$TMP/d.log

# Terminals: 0,1 bob (1 less idle), 2 carol, 3 bob mesg n, 4 bob's utmp
# line owned by carol, 5 bob via a symlink, 6 bob stuck (never drains).
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP" 300 \
    "$BOB:620:age=600" "$BOB:620:age=5" "$CAROL:620" "$BOB:600" \
    "$BOB:620:owner=$CAROL" "$BOB:620:link"
RIG=$LIB_PID
lib_wait_log "$TMP/ptys" "^5 " 10 || { echo "FAIL: pty rig"; exit 0; }
line() { awk -v i="$1" '$1 == i { print $3 }' "$TMP/ptys"; }

lib_start "$LOG" ip netns exec "$NS" ../talkd -d -a 127.0.0.1 -U "$TMP/utmp" \
    -R 4
lib_wait_log "$LOG" "engine: engine ready" 10 ||
    { echo "FAIL: talkd starts"; cat "$LOG"; exit 0; }

ann() {	# expected-answer what args...
	want=$1 what=$2; shift 2
	got=$($Q ANNOUNCE "$@")
	case "$got" in
	"answer=$want "*) echo "PASS: $what";;
	*) echo "FAIL: $what (got: $got)";;
	esac
}
rang() {	# pty-index: has it received a banner?
	grep -q "Message from Talk_Daemon" "$TMP/$1.out" 2>/dev/null
}

ann 0 "announce to a logged-in user: SUCCESS" alice "$BOB" pid=1
sleep 0.3
rang 1 && echo "PASS: banner on the least idle mesg-y terminal" ||
    echo "FAIL: banner on the least idle mesg-y terminal"
rang 0 || rang 3 || rang 4 || rang 5 || rang 2 ||
    { echo "PASS: no banner on any other terminal"; true; } &&
    ! { rang 0 || rang 3 || rang 4 || rang 5 || rang 2; } ||
    echo "FAIL: no banner on any other terminal"

# The exact bytes: BEL CR LF, five lines padded to the longest + 2, CR LF.
python3 - "$TMP/1.out" <<'PY' && echo "PASS: banner bytes as the classic talkd" ||
import re, sys
b = open(sys.argv[1], "rb").read()
m = re.match(rb"\x07\r\n( +)\r\n(Message from Talk_Daemon@[^ ]+ at \d{1,2}:\d\d \.\.\.)( *)\r\n"
             rb"(talk: connection requested by alice@localhost\.)( *)\r\n"
             rb"(talk: respond with:  talk alice@localhost)( *)\r\n( +)\r\n$", b)
if not m:
    print("# got %r" % b)
    sys.exit(1)
lines = [b" ", m.group(2), m.group(4), m.group(6), b" "]
width = max(len(l) for l in lines) + 2
padded = [m.group(1), m.group(2) + m.group(3), m.group(4) + m.group(5),
          m.group(6) + m.group(7), m.group(8)]
sys.exit(0 if all(len(p) == width for p in padded) else 1)
PY
echo "FAIL: banner bytes as the classic talkd"

ann 0 "same request again (retransmission): SUCCESS" alice "$BOB" pid=1
sleep 0.3
n=$(grep -c "Message from" "$TMP/1.out")
[ "$n" -eq 1 ] && echo "PASS: a retransmission does not ring again" ||
    echo "FAIL: a retransmission does not ring again ($n banners)"
id=$($Q ANNOUNCE alice "$BOB" pid=1 | sed -n 's/.*id=\([0-9]*\).*/\1/p')
ann 0 "re-announce with a higher id: SUCCESS" alice "$BOB" pid=1 \
    id=$((id + 1))
sleep 0.3
n=$(grep -c "Message from" "$TMP/1.out")
[ "$n" -eq 2 ] && echo "PASS: a re-announce with a higher id rings again" ||
    echo "FAIL: a re-announce with a higher id rings again ($n banners)"

ann 0 "requested tty among the callee's: SUCCESS" alice "$BOB" pid=2 \
    tty="$(line 0)"
sleep 0.3
rang 0 && echo "PASS: banner on the requested terminal" ||
    echo "FAIL: banner on the requested terminal"
ann 1 "requested tty of another user: NOT_HERE" alice "$BOB" pid=3 \
    tty="$(line 2)"
ann 1 "requested tty owned by another user: NOT_HERE" alice "$BOB" pid=3 \
    tty="$(line 4)"
ann 1 "requested tty through a symlink: NOT_HERE" alice "$BOB" pid=3 \
    tty="$(line 5)"
ann 4 "requested tty with mesg n: PERMISSION_DENIED" alice "$BOB" pid=3 \
    tty="$(line 3)"
sleep 0.3
rang 2 || rang 3 || rang 4 || rang 5 &&
    echo "FAIL: refused terminals got nothing" ||
    echo "PASS: refused terminals got nothing"
grep -q "not a terminal owned by the user, skipped" "$LOG" &&
    echo "PASS: tty owned by someone else logged and skipped" ||
    echo "FAIL: tty owned by someone else logged and skipped"
grep -q "tty $(line 5) of $BOB: Too many levels of symbolic links" "$LOG" &&
    echo "PASS: symlinked tty refused by the kernel (ELOOP) and logged" ||
    echo "FAIL: symlinked tty refused by the kernel (ELOOP) and logged"
ann 1 "user not logged in: NOT_HERE" alice nobodyhere pid=4
ann 1 "user that does not exist: NOT_HERE" alice zz9plural pid=4

# Ring limit per callee (-R 4 a minute; carol has not been rung yet).
for p in 11 12 13 14; do $Q ANNOUNCE "caller$p" "$CAROL" pid=$p >/dev/null; done
ann 2 "fifth ring for one callee within a minute: FAILED" caller15 \
    "$CAROL" pid=15
grep -q "announce for $CAROL from 127.0.0.1: rate limit, not rung" "$LOG" &&
    echo "PASS: ring limit logged" || echo "FAIL: ring limit logged"
n=$(grep -c "Message from" "$TMP/2.out")
[ "$n" -eq 4 ] && echo "PASS: the terminal got 4 banners, not 5" ||
    echo "FAIL: the terminal got 4 banners, not 5 ($n)"
lib_stop "$RIG"
rm -f "$TMP/ptys" "$TMP/utmp"

# A terminal that never drains: the write is cut short, nothing blocks.
lib_start "$TMP/rig2.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP" 60 \
    "$BOB:620:stuck"
lib_wait_log "$TMP/ptys" "^0 $BOB" 10
t0=$(date +%s)
ann 0 "announce to a terminal that never drains: SUCCESS" alice2 "$BOB" pid=20
ann 1 "next request answered at once" nobody x pid=21
[ $(($(date +%s) - t0)) -le 2 ] && echo "PASS: no stall (under 2 s)" ||
    echo "FAIL: no stall"
lib_wait_log "$LOG" "announce to $BOB: \(Resource temporarily unavailable\|terminal not draining\)" 3 &&
    echo "PASS: undrained terminal logged" ||
    echo "FAIL: undrained terminal logged"
