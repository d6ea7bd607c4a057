#!/bin/sh
# A hostile child: the *-regress builds' REGRESS_EVIL hook
# (regress/regress_evil.c) turns each daemon's engine, after it has
# entered its sandbox, into what a compromised one could be, and the
# parent must hold as SECURITY.md says:
#
#  - broken framing or a record outside the allow-list (unknown type,
#    wrong length, a descriptor where none belongs, half a header, an
#    oversized record, a bad log line): "engine sent a bad message",
#    exit 1, the children stopped;
#  - a malformed request (a string without NUL, a user or tty line or
#    rwho host name outside its character set, "..", "/", a negative
#    offset, a non-canonical record): logged, exit 1, children stopped,
#    and nothing opened or written for it;
#  - a well-formed request the policy refuses (a user who is not logged
#    in or does not exist, another user's terminal, a terminal with mesg
#    n or owned by someone else, a mailbox outside the spool, /etc/shadow,
#    "..", another user's mailbox, a symlink, a FIFO, an offset past the
#    end): answered with a refusal while the daemon keeps serving, and the
#    parent opens nothing beyond its policy (strace of the parent; atime
#    of planted files);
#  - floods of requests: the parent's own rate limits hold, it keeps
#    serving, and an engine that never reads its answers is stopped
#    instead of wedging the parent.
#
# Everything runs in a private network namespace, with throw-away
# accounts, ptys from ttyrig.py, and scratch utmp and spools.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
for d in talkd comsat rwhod; do
	if [ ! -x "./$d-regress" ]; then
		echo "FAIL: regress/$d-regress is built (make -C regress units)"
		exit 0
	fi
	if ! getent passwd "_$d" >/dev/null; then
		echo "SKIP: hostile child ($d: no _$d account: sh setup-accounts.sh)"
		exit 0
	fi
done
NS=$(lib_netns_new evil) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
E=rge$$ F=rgf$$
USERS="$E $F"
TRACED=""
cleanup() {
	# A daemon under strace first: killing strace would only detach it.
	for p in $TRACED; do lib_stop "$p"; done
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
STRACE=$(command -v strace)

TALKD="./talkd-regress -d -n -a 127.0.0.1 -U $TMP/utmp"
COMSAT="./comsat-regress -d -U $TMP/utmp -m $TMP/spool"
RWHOD="./rwhod-regress -d -l -r 0 -M 100 -D $TMP/rspool"
mkdir -m 0755 "$TMP/spool" "$TMP/rspool" "$TMP/outside"
: >"$TMP/utmp"

# start LOG DAEMON-COMMAND...: with REGRESS_EVIL* already exported;
# sets PID (the parent) and ENGINE (from its start-up line).
start() {
	_log=$1; shift
	: >"$_log"
	lib_start "$_log" ip netns exec "$NS" "$@"
	PID=$LIB_PID
	lib_wait_log "$_log" "engine pid [0-9]" 10
	ENGINE=$(sed -n 's/.*engine pid \([0-9]*\).*/\1/p' "$_log" | head -1)
}

# gone PID SECONDS: it has exited (or never was).
gone() {
	_i=0
	while [ -n "$1" ] && lib_alive "$1" && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -z "$1" ] || ! lib_alive "$1"
}

# fatal DAEMON CASE PATTERN CMD...: the parent logs PATTERN, exits 1,
# and the engine is stopped with it.
fatal() {
	_d=$1 _c=$2 _pat=$3; shift 3
	REGRESS_EVIL=$_d:$_c
	export REGRESS_EVIL
	start "$TMP/f.log" "$@"
	unset REGRESS_EVIL
	if ! gone "$PID" 10; then
		echo "FAIL: $_d: hostile engine, $_c: parent exits"
		lib_stop "$PID"
		return
	fi
	wait "$PID"
	_rc=$?
	_line=$(grep -m1 -- "$_pat" "$TMP/f.log")
	if [ $_rc -eq 1 ] && [ -n "$_line" ] && gone "$ENGINE" 3; then
		echo "PASS: $_d: hostile engine, $_c: exit 1, engine stopped ($_line)"
	else
		echo "FAIL: $_d: hostile engine, $_c: exit 1, engine stopped (status $_rc)"
		sed 's/^/#   /' "$TMP/f.log" | tail -5
	fi
}

# ---- 1. framing and allow-list violations: every daemon -------------

for c in type length hdrlen short long fd fdflag flags twofds logpri lognul
do
	fatal talkd $c "engine sent a bad message (" $TALKD
	fatal comsat $c "engine sent a bad message (" $COMSAT
	fatal rwhod $c "engine sent a bad message (" $RWHOD
done

# ---- 2. malformed requests, under strace: nothing opened for them ---

# traced LOG DAEMON-COMMAND...: as start, but the daemon runs under
# strace -ff (open calls only); $TMP/st.PID per process.
traced() {
	_log=$1; shift
	rm -f "$TMP"/st.*
	if [ -n "$STRACE" ]; then
		start "$_log" "$STRACE" -qq -ff -o "$TMP/st" \
		    -e trace=open,openat,openat2,rename,renameat,renameat2 "$@"
		STPID=$PID
		# The daemon: the engine's parent (strace is the tracer).
		PID=$(awk '$1 == "PPid:" { print $2 }' /proc/"$ENGINE"/status \
		    2>/dev/null)
		TRACED="$TRACED $PID"
	else
		start "$_log" "$@"
		STPID=$PID
	fi
}

# fatal_traced DAEMON CASE PATTERN CMD...: fatal, and the parent's trace
# shows no open (or rename) after start-up.
fatal_traced() {
	_d=$1 _c=$2 _pat=$3; shift 3
	REGRESS_EVIL=$_d:$_c
	export REGRESS_EVIL
	traced "$TMP/f.log" "$@"
	unset REGRESS_EVIL
	gone "$STPID" 10 || { lib_stop "$PID"; lib_stop "$STPID"; }
	wait "$STPID"
	_rc=$?
	_line=$(grep -m1 -- "$_pat" "$TMP/f.log")
	_opened=""
	if [ -n "$STRACE" ] && [ -f "$TMP/st.$PID" ]; then
		# Start-up opens come before the engine's pid is logged, so
		# look only at what follows the first read of the channel:
		# everything the parent opened at all that is not start-up.
		_opened=$(grep -E 'shadow|\.\.|/etc/x|evilhost|pts/' \
		    "$TMP/st.$PID" | grep -v ' = -1 ')
	fi
	if [ $_rc -eq 1 ] && [ -n "$_line" ] && [ -z "$_opened" ] &&
	    gone "$ENGINE" 3; then
		echo "PASS: $_d: hostile engine, $_c: refused before any open, exit 1 ($_line)"
	else
		echo "FAIL: $_d: hostile engine, $_c: refused before any open, exit 1 (status $_rc)"
		sed 's/^/#   /' "$TMP/f.log" | tail -5
		echo "$_opened" | sed 's/^/#   opened: /'
	fi
}

[ -n "$STRACE" ] ||
    echo "SKIP: strace of the parent (strace missing: only logs and files checked)"
for c in nonul-user nonul-line bad-user bad-line dotdot-line; do
	fatal_traced talkd $c "engine sent a malformed terminal request" $TALKD
done
for c in nonul-user nonul-path bad-user neg-offset ctl-path; do
	fatal_traced comsat $c "engine sent a malformed request" $COMSAT
done
for c in host-slash host-dotdot host-dot host-nonul len-odd len-big vers \
    notcanon ent-ctl; do
	fatal_traced rwhod $c "engine sent a malformed status record (" $RWHOD
done
[ -z "$(ls -A "$TMP/rspool")" ] && [ ! -e /tmp/etc/x ] &&
    [ ! -e "$TMP/etc" ] &&
    echo "PASS: rwhod: no file made for any malformed record, in the spool or outside" ||
    echo "FAIL: rwhod: no file made for any malformed record ($(ls -A "$TMP/rspool" | tr '\n' ' '))"

# ---- 3. talkd: requests the policy refuses; the daemon lives on -----

# Terminals: 0 E mesg y, 1 E mesg n, 2 F's, 3 E's utmp line owned by F.
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP" 120 \
    "$E:620:age=30" "$E:600" "$F:620" "$E:620:owner=$F"
RIG=$LIB_PID
lib_wait_log "$TMP/ptys" "^3 " 10 || { echo "FAIL: pty rig"; exit 0; }
line() { awk -v i="$1" '$1 == i { print $3 }' "$TMP/ptys"; }
REGRESS_EVIL=talkd:reqs
REGRESS_EVIL_REQS="zz9plural
nobody
$E $(line 2)
$E $(line 1)
$E $(line 3)
$E pts/999
root
$E"
export REGRESS_EVIL REGRESS_EVIL_REQS
traced "$TMP/t.log" $TALKD
unset REGRESS_EVIL REGRESS_EVIL_REQS
lib_wait_log "$TMP/t.log" "evil: done" 10
# answer: 0 SUCCESS (TTY_OK), 100 + code for TTY_FAIL.
while IFS='|' read -r n want what; do
	got=$(sed -n "s/.*evil: req $n user [^:]*: answer \\([0-9]*\\).*/\\1/p" \
	    "$TMP/t.log")
	[ "$got" = "$want" ] && echo "PASS: talkd: hostile engine asks for $what: refused ($want)" ||
	    echo "FAIL: talkd: hostile engine asks for $what: want $want, got ${got:-nothing}"
done <<EOF
1|101|a user that does not exist
2|101|a user who is not logged in
3|101|another user's terminal by name
4|104|the user's mesg n terminal
5|101|the user's utmp line on a pty owned by someone else
6|101|a line that is not in utmp
7|101|root, not logged in
EOF
grep -q "evil: req 8 user $E line : answer 0 with a terminal" "$TMP/t.log" &&
    lib_wait_log "$TMP/0.out" "EVIL8" 3 &&
    echo "PASS: talkd: after all that, a good request gets the right terminal" ||
    echo "FAIL: talkd: after all that, a good request gets the right terminal"
n=$(cat "$TMP/1.out" "$TMP/2.out" "$TMP/3.out" 2>/dev/null | wc -c)
[ "$(grep -o 'EVIL[0-9]*' "$TMP/0.out" | tr '\n' ' ')" = "EVIL8 " ] &&
    [ "$n" -eq 0 ] &&
    echo "PASS: talkd: no refused request got a terminal" ||
    echo "FAIL: talkd: no refused request got a terminal ($n bytes elsewhere)"
if [ -n "$STRACE" ] && [ -f "$TMP/st.$PID" ]; then
	# The only terminals the parent may open: the user's own utmp lines.
	bad=$(grep openat2 "$TMP/st.$PID" | grep -v -e "\"$(line 0)\"" \
	    -e "\"$(line 1)\"" -e "\"$(line 3)\"")
	[ -z "$bad" ] && ! grep -q "\"$(line 2)\"\|shadow" "$TMP/st.$PID" &&
	    echo "PASS: talkd: the parent opened only the user's own utmp terminals (strace)" ||
	    { echo "FAIL: talkd: the parent opened only the user's own utmp terminals"; echo "$bad" | sed 's/^/#   /'; }
fi
lib_alive "$PID" && lib_alive "$ENGINE" && ! grep -q "bad message\|malformed" "$TMP/t.log" &&
    echo "PASS: talkd: parent and engine still running after the refusals" ||
    echo "FAIL: talkd: parent and engine still running after the refusals ($PID $ENGINE)"
lib_stop "$PID"
lib_stop "$STPID"

# A flood of good requests: the parent's 50 opens/s hold.
REGRESS_EVIL=talkd:flood REGRESS_EVIL_N=400 REGRESS_EVIL_USER=$E
export REGRESS_EVIL REGRESS_EVIL_N REGRESS_EVIL_USER
start "$TMP/t2.log" $TALKD
unset REGRESS_EVIL REGRESS_EVIL_N REGRESS_EVIL_USER
lib_wait_log "$TMP/t2.log" "evil: flood" 20
res=$(sed -n 's/.*evil: flood: //p' "$TMP/t2.log")
ms=$(echo "$res" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
ok=$(echo "$res" | sed -n 's/.*: \([0-9]*\) served.*/\1/p')
lim=$((50 + 50 * ${ms:-0} / 1000 + 5))
nlog=$(grep -c "terminal requests over 50/s" "$TMP/t2.log")
echo "# talkd flood: $res"
[ -n "$ok" ] && [ "$ok" -ge 1 ] && [ "$ok" -le "$lim" ] && [ "$nlog" -le 30 ] &&
    lib_alive "$PID" &&
    echo "PASS: talkd: a flood of 400 terminal requests: $ok served (at most $lim), refusals logged $nlog times, daemon up" ||
    echo "FAIL: talkd: a flood of terminal requests held at 50/s ($res; at most $lim; $nlog log lines)"
lib_stop "$PID"
lib_stop "$RIG"
: >"$TMP/utmp"
rm -f "$TMP"/*.out "$TMP/ptys"

# ---- 4. comsat: mailboxes and terminals it must refuse --------------

SP=$TMP/spool
printf 'From x Mon Jan  1 00:00:00 2024\nFrom: a@b\nSubject: evil test\n\nbody\n' >"$SP/$E"
printf 'From y\nSubject: not yours\n\nsecret of F\n' >"$SP/$F"
chown "$E" "$SP/$E"; chown "$F" "$SP/$F"; chmod 600 "$SP/$E" "$SP/$F"
ln -s /etc/shadow "$SP/sym"
mkfifo "$SP/fifo"; chown "$E" "$SP/fifo"
echo "secret outside the spool" >"$TMP/outside/secret"
chown "$E" "$TMP/outside/secret"
# Old access times: a read would move them.
touch -a -d '2001-01-01' "$SP/$F" "$TMP/outside/secret"
atimes() { stat -c %X "$SP/$F" "$TMP/outside/secret" | tr '\n' ' '; }
before=$(atimes)
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP" 120 \
    "$E:720"
RIG=$LIB_PID
lib_wait_log "$TMP/ptys" "^0 " 10 || { echo "FAIL: pty rig"; exit 0; }
REGRESS_EVIL=comsat:reqs
REGRESS_EVIL_REQS="zz9plural 0
$F 0
$E 0 /etc/shadow
$E 0 ../../../../../../etc/shadow
$E 0 $SP/../../../../../../etc/shadow
$E 0 $F
$E 0 $SP/$F
$E 0 sym
$E 0 fifo
$E 0 $TMP/outside/secret
$E 99999
$E 0 .
$E 0
$E 0 $E"
export REGRESS_EVIL REGRESS_EVIL_REQS
traced "$TMP/c.log" $COMSAT
unset REGRESS_EVIL REGRESS_EVIL_REQS
lib_wait_log "$TMP/c.log" "evil: done" 10
# status: 0 OK, 1 NOTTY, 2 REFUSED
while IFS='|' read -r n want what; do
	got=$(sed -n "s/.*evil: req $n user .*: status \\([0-9]*\\), \\([0-9]*\\) terminals, \\([0-9]*\\) bytes.*/\\1 \\2 \\3/p" \
	    "$TMP/c.log")
	[ "$got" = "$want 0 0" ] && echo "PASS: comsat: hostile engine asks for $what: refused, nothing sent" ||
	    echo "FAIL: comsat: hostile engine asks for $what: want $want 0 0, got ${got:-nothing}"
done <<EOF
1|2|the mail of a user that does not exist
2|1|the mail of a user who is not logged in
3|2|/etc/shadow
4|2|../../../../../../etc/shadow
5|2|the spool/../../../../../../etc/shadow
6|2|another user's mailbox (relative)
7|2|another user's mailbox (absolute)
8|2|a symlink to /etc/shadow
9|2|a FIFO
10|2|a file of the user outside the spool
11|2|an offset past the end
12|2|the spool directory itself
EOF
mlen=$(wc -c <"$SP/$E")
good=0
for n in 13 14; do
	grep -q "evil: req $n user .*: status 0, 1 terminals, $mlen bytes" \
	    "$TMP/c.log" && good=$((good + 1))
done
lib_wait_log "$TMP/0.out" "EVIL14" 3
[ $good -eq 2 ] &&
    [ "$(grep -o 'EVIL[0-9]*' "$TMP/0.out" | tr '\n' ' ')" = "EVIL13 EVIL14 " ] &&
    echo "PASS: comsat: after all that, good requests get the excerpt and the terminal, refused ones nothing" ||
    echo "FAIL: comsat: after all that, good requests get the excerpt and the terminal ($good; $(grep -o 'EVIL[0-9]*' "$TMP/0.out" | tr '\n' ' '))"
after=$(atimes)
[ "$before" = "$after" ] &&
    echo "PASS: comsat: the other user's mailbox and a planted file were never read (atime)" ||
    echo "FAIL: comsat: never read (atime $before -> $after)"
if [ -n "$STRACE" ] && [ -f "$TMP/st.$PID" ]; then
	# Opens that succeeded for anything but the user's own mailbox,
	# utmp, the terminal, and the passwd/group databases.
	bad=$(grep -v ' = -1 ' "$TMP/st.$PID" | grep -E 'shadow|secret|fifo|sym|"'"$F"'"|/'"$F"'"' |
	    grep -v 'O_PATH')
	rd=$(grep -v ' = -1 ' "$TMP/st.$PID" | grep -E 'shadow|secret|fifo|"sym"|'"$F" )
	[ -z "$bad" ] && ! echo "$rd" | grep -q "O_RDONLY|O_NONBLOCK" &&
	    ! grep -q '"/etc/shadow"' "$TMP/st.$PID" &&
	    echo "PASS: comsat: the parent never opened a refused file for reading, nor /etc/shadow at all (strace)" ||
	    { echo "FAIL: comsat: the parent opened a refused file"; echo "$bad$rd" | sed 's/^/#   /'; }
fi
lib_alive "$PID" && lib_alive "$ENGINE" && ! grep -q "bad message\|malformed" "$TMP/c.log" &&
    echo "PASS: comsat: parent and engine still running after the refusals" ||
    echo "FAIL: comsat: parent and engine still running after the refusals"
lib_stop "$PID"
lib_stop "$STPID"

REGRESS_EVIL=comsat:flood REGRESS_EVIL_N=200 REGRESS_EVIL_USER=$E
export REGRESS_EVIL REGRESS_EVIL_N REGRESS_EVIL_USER
start "$TMP/c2.log" $COMSAT
unset REGRESS_EVIL REGRESS_EVIL_N REGRESS_EVIL_USER
lib_wait_log "$TMP/c2.log" "evil: flood" 20
res=$(sed -n 's/.*evil: flood: //p' "$TMP/c2.log")
ms=$(echo "$res" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
ok=$(echo "$res" | sed -n 's/.*: \([0-9]*\) served.*/\1/p')
lim=$((20 + 20 * ${ms:-0} / 1000 + 3))
echo "# comsat flood: $res"
[ -n "$ok" ] && [ "$ok" -ge 1 ] && [ "$ok" -le "$lim" ] && lib_alive "$PID" &&
    echo "PASS: comsat: a flood of 200 requests: $ok served (at most $lim), the rest CS_BUSY, daemon up" ||
    echo "FAIL: comsat: a flood of requests held at 20/s ($res; at most $lim)"
lib_stop "$PID"
lib_stop "$RIG"

# ---- 5. rwhod: a flood of well-formed records -----------------------

REGRESS_EVIL=rwhod:flood REGRESS_EVIL_N=3000
export REGRESS_EVIL REGRESS_EVIL_N
start "$TMP/r.log" $RWHOD
unset REGRESS_EVIL REGRESS_EVIL_N
lib_wait_log "$TMP/r.log" "evil: flood" 20
lib_wait_log "$TMP/r.log" "status records/s: [0-9]* dropped" 5
sleep 1
n=$(ls "$TMP/rspool" | grep -c '^whod\.evil')
other=$(ls -A "$TMP/rspool" | grep -vc '^whod\.evil')
echo "# rwhod flood: $(sed -n 's/.*evil: flood: //p' "$TMP/r.log"); $n files; $(grep -o 'over 200 status records/s: [0-9]* dropped' "$TMP/r.log" | head -1)"
[ "$n" -ge 1 ] && [ "$n" -le 100 ] && [ "$other" -eq 0 ] &&
    grep -q "over 200 status records/s: [0-9]* dropped" "$TMP/r.log" &&
    lib_alive "$PID" && lib_alive "$ENGINE" &&
    echo "PASS: rwhod: 3000 records for new hosts: $n files (-M 100), writes capped at 200/s, daemon up" ||
    echo "FAIL: rwhod: a flood of records ($n files, $other others)"
lib_stop "$PID"

# ---- 6. an engine that never reads its answers -----------------------

for d in talkd comsat; do
	REGRESS_EVIL=$d:noread REGRESS_EVIL_N=5000
	export REGRESS_EVIL REGRESS_EVIL_N
	if [ $d = talkd ]; then start "$TMP/n.log" $TALKD
	else start "$TMP/n.log" $COMSAT; fi
	unset REGRESS_EVIL REGRESS_EVIL_N
	if gone "$PID" 12; then
		wait "$PID"; rc=$?
		[ $rc -eq 1 ] && gone "$ENGINE" 3 &&
		    grep -q "engine left its answers unread for 5 s: stopping" "$TMP/n.log" &&
		    echo "PASS: $d: an engine that never reads its answers is stopped (exit 1), the parent does not wedge" ||
		    echo "FAIL: $d: an engine that never reads its answers is stopped (status $rc)"
	else
		echo "FAIL: $d: an engine that never reads its answers wedges the parent"
		lib_stop "$PID"
	fi
done
