#!/bin/sh
# Faults, and what each daemon does about them (SECURITY.md, "Faults"):
#
#  - the engine killed (SIGKILL, SIGSEGV) in the middle of a request,
#    while the parent holds it or while its answer (with a terminal)
#    waits unread: the parent exits 1 with "lost child", nothing reaches
#    the terminal, no spool file is torn;
#  - the parent killed while the engine waits for it: the engine exits;
#  - descriptors exhausted: the parent's RLIMIT_NOFILE lowered while it
#    serves (refusals, no crash, service back when the limit is), and the
#    engine's, so that a passed terminal is dropped (MSG_CTRUNC): fatal;
#  - the rwho spool on a full file system (16 KiB tmpfs in a private
#    mount namespace): writes fail cleanly, no partial file, old files
#    intact, the daemon serves on and stores again once space is freed;
#  - utmp missing, empty, truncated, garbage, a FIFO: NOT_HERE, no
#    notice, no users broadcast; no crash, no hang;
#  - a terminal stopped with XOFF (tcflow TCOOFF): no hang, the write is
#    dropped and logged, the next request is served at once;
#  - the wall clock stepped forward and back (regress/clockstep.so, an
#    LD_PRELOAD shim): invitations and rate limits follow the monotonic
#    clock; rwhod keeps sending on schedule and stamps the wall clock.
#
# Everything runs in a private network namespace with scratch files and
# throw-away accounts; processes are stopped by PID.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
for f in ../talkd ../comsat ../rwhod ./clockstep.so; do
	[ -e "$f" ] || { echo "FAIL: $f is built (make; make -C regress units)"; exit 0; }
done
NS=$(lib_netns_new fault) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
E=rgfe$$
cleanup() {
	for p in $CONT; do kill -CONT "$p" 2>/dev/null; done
	lib_cleanup
	userdel "$E" 2>/dev/null
	lib_netns_del "$NS"
	rm -rf "$TMP"
}
CONT=""
trap cleanup EXIT
useradd -M -N -s /usr/sbin/nologin -c "regress throw-away" "$E" ||
    { echo "FAIL: create test user $E"; exit 0; }
Q="ip netns exec $NS python3 ./ctlmsg.py 127.0.0.1 518"
TOOL="ip netns exec $NS python3 ./rwhotool.py"

# start LOG CMD...: a daemon in the namespace; PID, ENGINE.
start() {
	_log=$1; shift
	: >"$_log"
	lib_start "$_log" ip netns exec "$NS" "$@"
	PID=$LIB_PID
	lib_wait_log "$_log" "engine: engine ready" 10
	ENGINE=$(sed -n 's/.*engine pid \([0-9]*\).*/\1/p' "$_log" | head -1)
}

gone() {	# PID SECONDS
	_i=0
	while lib_alive "$1" && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	! lib_alive "$1"
}

# exits PID STATUS: it exited within 5 s, with STATUS.
exits() {
	gone "$1" 5 || return 1
	wait "$1"
	[ $? -eq "$2" ]
}

# A pty for E (owner E, group tty, mode 0720: mesg y and biff y) and a
# utmp record for it; its output goes to $TMP/0.out.
mkdir "$TMP/rig"
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP/rig" 300 "$E:720"
RIG=$LIB_PID
lib_wait_log "$TMP/rig/ptys" "^0 " 10 || { echo "FAIL: pty rig"; exit 0; }
LINE=$(awk '$1 == 0 { print $3 }' "$TMP/rig/ptys")
cp "$TMP/utmp" "$TMP/utmp.good"
OUT=$TMP/rig/0.out
banners() { grep -c "Message from Talk_Daemon" "$OUT" 2>/dev/null; }
notices() { grep -c "New mail for" "$OUT" 2>/dev/null; }
mkdir -m 0755 "$TMP/spool"
printf 'From x Mon Jan  1 00:00:00 2024\nFrom: f@example.org\nSubject: fault test\n\nbody\n' \
    >"$TMP/spool/$E"
chown "$E" "$TMP/spool/$E"
chmod 600 "$TMP/spool/$E"
TALKD="../talkd -d -n -a 127.0.0.1 -U $TMP/utmp"
COMSAT="../comsat -d -R 100000 -U $TMP/utmp -m $TMP/spool"
csend() {	# DATAGRAM to comsat
	ip netns exec "$NS" python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[1].encode(), ("127.0.0.1", 512))
' "$1"
}

# ---- 1. the engine killed in the middle of a request ----------------

# (a) The parent is stopped: the engine's terminal request waits in the
# channel; the engine is killed; the parent, continued, finds a request
# from a dead engine.
start "$TMP/k1.log" $TALKD
b0=$(banners)
kill -STOP "$PID"; CONT="$PID"
$Q ANNOUNCE alice "$E" timeout=1 >/dev/null
kill -KILL "$ENGINE"
kill -CONT "$PID"; CONT=""
if exits "$PID" 1 && grep -q "lost child: engine killed by signal 9: exiting" "$TMP/k1.log"; then
	echo "PASS: talkd: engine killed with its terminal request pending: parent exits 1, lost child"
else
	echo "FAIL: talkd: engine killed with its terminal request pending"
	tail -3 "$TMP/k1.log" | sed 's/^/#   /'
fi
sleep 0.3
[ "$(banners)" = "$b0" ] &&
    echo "PASS: talkd: ... and nothing was written to the terminal" ||
    echo "FAIL: talkd: ... and nothing was written to the terminal"

# (b) The parent answers (a terminal descriptor) while the engine is
# stopped; the engine then dies of SIGSEGV before it reads the answer.
start "$TMP/k2.log" $TALKD
kill -STOP "$PID"; CONT="$PID"
$Q ANNOUNCE alice "$E" timeout=1 >/dev/null
kill -STOP "$ENGINE"; CONT="$PID $ENGINE"
kill -CONT "$PID"
sleep 0.3
kill -SEGV "$ENGINE"; kill -CONT "$ENGINE"; CONT=""
if exits "$PID" 1 && grep -q "lost child: engine killed by signal 11: exiting" "$TMP/k2.log"; then
	echo "PASS: talkd: engine killed (SIGSEGV) with a terminal in its queue: parent exits 1"
else
	echo "FAIL: talkd: engine killed (SIGSEGV) with a terminal in its queue"
	tail -3 "$TMP/k2.log" | sed 's/^/#   /'
fi
sleep 0.3
[ "$(banners)" = "$b0" ] &&
    echo "PASS: talkd: ... and nothing was written to the terminal" ||
    echo "FAIL: talkd: ... and nothing was written to the terminal"

# (c) comsat: the answer (excerpt and terminal) waits for a stopped
# engine, which is then killed.
start "$TMP/k3.log" $COMSAT
n0=$(notices)
kill -STOP "$ENGINE"; CONT="$ENGINE"
csend "$E@0"
sleep 0.3
kill -KILL "$ENGINE"; CONT=""
if exits "$PID" 1 && grep -q "lost child: engine killed by signal 9: exiting" "$TMP/k3.log"; then
	echo "PASS: comsat: engine killed with an answer queued: parent exits 1, lost child"
else
	echo "FAIL: comsat: engine killed with an answer queued"
	tail -3 "$TMP/k3.log" | sed 's/^/#   /'
fi
[ "$(notices)" = "$n0" ] &&
    echo "PASS: comsat: ... and no notice reached the terminal" ||
    echo "FAIL: comsat: ... and no notice reached the terminal"

# (d) rwhod: records wait in the channel of a stopped parent; the engine
# is killed; the parent writes what it has and exits; no file is torn.
mkdir "$TMP/rw1"
start "$TMP/k4.log" ../rwhod -d -l -r 0 -D "$TMP/rw1"
kill -STOP "$PID"; CONT="$PID"
for h in 1 2 3 4 5 6; do
	$TOOL send -b 127.0.0.2 127.0.0.1 good "torn$h" "$h"
done
sleep 0.3
kill -KILL "$ENGINE"
kill -CONT "$PID"; CONT=""
exits "$PID" 1 && grep -q "lost child: engine killed by signal 9" "$TMP/k4.log" &&
    echo "PASS: rwhod: engine killed with records queued: parent exits 1, lost child" ||
    echo "FAIL: rwhod: engine killed with records queued"
bad=""
for f in "$TMP"/rw1/whod.*; do
	[ -e "$f" ] || continue
	h=${f##*/whod.torn}
	[ "$(wc -c <"$f")" -eq $((60 + 24 * h)) ] || bad="$bad $f"
done
[ -z "$bad" ] && [ -z "$(ls -A "$TMP/rw1" | grep -v '^whod\.')" ] &&
    echo "PASS: rwhod: ... every spool file whole ($(ls "$TMP/rw1" | wc -l) written), no temporary file" ||
    echo "FAIL: rwhod: ... torn or stray files:$bad $(ls -A "$TMP/rw1" | tr '\n' ' ')"

# ---- 2. the parent killed while the engine waits for it -------------

start "$TMP/p.log" $TALKD
kill -STOP "$PID"; CONT="$PID"
$Q ANNOUNCE alice "$E" timeout=1 >/dev/null
kill -KILL "$PID"; CONT=""
wait "$PID" 2>/dev/null
gone "$ENGINE" 3 &&
    echo "PASS: talkd: parent killed with a request pending: the engine exits" ||
    echo "FAIL: talkd: parent killed with a request pending: the engine exits"

# ---- 3. descriptors exhausted ---------------------------------------

# nfds PID: its lowest free descriptor number, the limit under which
# it can open nothing more.
nfds() {
	_n=0
	while [ -e "/proc/$1/fd/$_n" ] && [ $_n -lt 1024 ]; do _n=$((_n + 1)); done
	echo "$_n"
}
# Only the soft limit: raising it back needs no CAP_SYS_RESOURCE.
lower() { prlimit --pid "$1" --nofile="$2:"; }
restore() { prlimit --pid "$1" --nofile="$(prlimit --pid "$1" --nofile -o HARD --noheadings):"; }
# The engine runs as another user: prlimit as that user, whom the kernel
# lets lower its own process's limits.
lower_as() { setpriv --reuid="$1" --regid="$1" --clear-groups prlimit --pid "$2" --nofile="$3:$3"; }
start "$TMP/fd.log" $TALKD
b0=$(banners)
n=$(nfds "$PID")
lower "$PID" "$n"
r1=$($Q ANNOUNCE alice "$E" pid=71)
restore "$PID"
r2=$($Q ANNOUNCE alice "$E" pid=72)
case "$r1:$r2" in
"answer=1 "*":answer=0 "*)
	lib_alive "$PID" && [ "$(banners)" -eq $((b0 + 1)) ] &&
	    echo "PASS: talkd: parent out of descriptors: NOT_HERE, no crash; served again once the limit is back" ||
	    echo "FAIL: talkd: parent out of descriptors: served again";;
*)	echo "FAIL: talkd: parent out of descriptors ($r1 / $r2)";;
esac
# The engine: no free slot for the terminal the parent passes.
n=$(nfds "$ENGINE")
lower_as _talkd "$ENGINE" "$n"
$Q ANNOUNCE alice "$E" pid=73 timeout=1 >/dev/null
if exits "$PID" 1 && grep -q "MSG_CTRUNC" "$TMP/fd.log" &&
    grep -q "lost child: engine exited with 1: exiting" "$TMP/fd.log"; then
	echo "PASS: talkd: engine out of descriptors: the dropped terminal (MSG_CTRUNC) is fatal, parent exits 1"
else
	echo "FAIL: talkd: engine out of descriptors: MSG_CTRUNC fatal"
	tail -3 "$TMP/fd.log" | sed 's/^/#   /'
fi
[ "$(banners)" -eq $((b0 + 1)) ] &&
    echo "PASS: talkd: ... and nothing more was written to the terminal" ||
    echo "FAIL: talkd: ... and nothing more was written to the terminal"

start "$TMP/fd2.log" $COMSAT
n0=$(notices)
n=$(nfds "$PID")
lower "$PID" "$n"
csend "$E@0"
sleep 0.5
restore "$PID"
csend "$E@0"
lib_wait_log "$TMP/fd2.log" "mail for $E: shown on" 3
[ "$(notices)" -eq $((n0 + 1)) ] && lib_alive "$PID" &&
    echo "PASS: comsat: parent out of descriptors: no notice, no crash; served again once the limit is back" ||
    echo "FAIL: comsat: parent out of descriptors ($(notices) notices)"
n=$(nfds "$ENGINE")
lower_as _comsat "$ENGINE" "$n"
csend "$E@0"
exits "$PID" 1 && grep -q "MSG_CTRUNC" "$TMP/fd2.log" &&
    echo "PASS: comsat: engine out of descriptors: MSG_CTRUNC is fatal, parent exits 1" ||
    echo "FAIL: comsat: engine out of descriptors: MSG_CTRUNC fatal"

mkdir "$TMP/rw2"
start "$TMP/fd3.log" ../rwhod -d -l -r 0 -D "$TMP/rw2"
n=$(nfds "$PID")
lower "$PID" "$n"
$TOOL send -b 127.0.0.2 127.0.0.1 good nofd1
lib_wait_log "$TMP/fd3.log" "Too many open files" 3
restore "$PID"
$TOOL send -b 127.0.0.2 127.0.0.1 good nofd2
lib_wait_log "$TMP/fd3.log" "whod.nofd2 written" 2
sleep 0.5
[ ! -e "$TMP/rw2/whod.nofd1" ] && [ -f "$TMP/rw2/whod.nofd2" ] &&
    [ -z "$(ls -A "$TMP/rw2" | grep -v '^whod\.')" ] && lib_alive "$PID" &&
    echo "PASS: rwhod: parent out of descriptors: record not stored, logged, stored again once the limit is back" ||
    echo "FAIL: rwhod: parent out of descriptors ($(ls -A "$TMP/rw2" | tr '\n' ' '))"
lib_stop "$PID"

# ---- 4. the rwho spool on a full file system ------------------------

# A 16 KiB tmpfs over the spool, in a mount namespace of the daemon's
# own: four pages, a few status files.
mkdir "$TMP/full"
: >"$TMP/full.log"
lib_start "$TMP/full.log" ip netns exec "$NS" unshare -m --propagation private \
    sh -c 'mount -t tmpfs -o size=16k,mode=0755 regress-full "$1" &&
	exec ../rwhod -d -l -r 0 -D "$1"' sh "$TMP/full"
PID=$LIB_PID
lib_wait_log "$TMP/full.log" "engine: engine ready" 10
# The daemon is sh's exec: PID itself once it runs.
inns() { nsenter -t "$PID" -m -- "$@"; }
sendsync() {	# HOST NUSERS: send, then wait a moment for the parent
	$TOOL send -b 127.0.0.2 127.0.0.1 good "$1" "$2"
	sleep 0.15
}
for h in 1 2 3 4 5 6 7 8; do
	sendsync "full$h" 40
done
sendsync full1 1
inns sh -c "cd $TMP/full && for f in whod.* .rwhod.*; do [ -e \"\$f\" ] && echo \"\$f \$(wc -c <\"\$f\")\"; done" >"$TMP/full.ls"
stored=$(grep -c '^whod\.' "$TMP/full.ls")
bad=$(awk '$1 ~ /^whod\./ && $2 != 1020 { print }' "$TMP/full.ls")
tmpf=$(grep -c '^\.rwhod\.' "$TMP/full.ls")
note=$(grep -c "No space left on device" "$TMP/full.log")
echo "# full spool: $stored of 8 hosts stored, $note ENOSPC lines logged"
[ "$stored" -ge 1 ] && [ "$stored" -lt 8 ] && [ -z "$bad" ] && [ "$tmpf" -eq 0 ] &&
    [ "$note" -ge 1 ] &&
    echo "PASS: rwhod: full spool: writes fail cleanly (ENOSPC logged), every file whole, no temporary left" ||
    { echo "FAIL: rwhod: full spool: clean failures"; sed 's/^/#   /' "$TMP/full.ls"; }
# full1 was updated with 1 user while full: either the new whole file
# (84 bytes) or the old whole one (1020), never a mix.
grep -q '^whod\.full1 \(84\|1020\)$' "$TMP/full.ls" &&
    echo "PASS: rwhod: full spool: an update is whole or not at all" ||
    echo "FAIL: rwhod: full spool: an update is whole or not at all"
inns sh -c "rm -f $TMP/full/whod.full1 $TMP/full/whod.full2"
sendsync fullnew 0
inns test -f "$TMP/full/whod.fullnew" && lib_alive "$PID" &&
    echo "PASS: rwhod: full spool: once space is freed, new status is stored again" ||
    echo "FAIL: rwhod: full spool: stored again once space is freed"
lib_stop "$PID"

# ---- 5. utmp missing, empty, truncated, garbage, a FIFO -------------

# variant NAME: make $TMP/utmp so.
variant() {
	rm -f "$TMP/utmp"
	case $1 in
	missing)	;;
	empty)		: >"$TMP/utmp";;
	truncated)	head -c 200 "$TMP/utmp.good" >"$TMP/utmp";;
	garbage)	head -c 1536 /dev/urandom >"$TMP/utmp";;
	fifo)		mkfifo "$TMP/utmp";;
	tail)		{ cat "$TMP/utmp.good"; head -c 100 /dev/urandom; } >"$TMP/utmp";;
	hostile)	# "hostile utmp": a line that leads out of /dev
		python3 -c '
import struct, sys, time
t = time.time()
open(sys.argv[1], "wb").write(struct.pack("<hxxi32s4s32s256shhi ii 16s20x",
    7, 1, sys.argv[3].encode(), b"vict", sys.argv[2].encode(), b"", 0, 0, 0,
    int(t), 0, b""))' "$TMP/utmp" "$E" "..$TMP/victim";;
	esac
}
# The target of the hostile line: what a write through it would change.
echo original >"$TMP/victim"
chown "$E:tty" "$TMP/victim"
chmod 0620 "$TMP/victim"
start "$TMP/u1.log" $TALKD
for v in missing empty truncated garbage fifo hostile tail; do
	variant $v
	b0=$(banners)
	t0=$(date +%s)
	r=$($Q ANNOUNCE "u$v" "$E" pid=$((80 + ${#v})) timeout=2)
	want="answer=1 "
	[ $v = tail ] && want="answer=0 "
	sleep 0.2
	case "$r" in
	"$want"*) [ $(($(date +%s) - t0)) -le 2 ] && lib_alive "$PID" &&
	    echo "PASS: talkd: utmp $v: $(echo "$r" | cut -d' ' -f1) at once, no crash" ||
	    echo "FAIL: talkd: utmp $v: slow or crashed";;
	*)	echo "FAIL: talkd: utmp $v: want ${want}got $r";;
	esac
done
[ "$(banners)" -ge 1 ] && lib_alive "$ENGINE" &&
    echo "PASS: talkd: the same engine served every utmp variant" ||
    echo "FAIL: talkd: the same engine served every utmp variant"
grep "$E" "$TMP/u1.log" | grep -q "bad.*line, skipped" &&
    [ "$(cat "$TMP/victim")" = original ] &&
    echo "PASS: talkd: a utmp line leading out of /dev is logged and skipped, its target untouched" ||
    echo "FAIL: talkd: a utmp line leading out of /dev is logged and skipped"
lib_stop "$PID"

start "$TMP/u2.log" $COMSAT
for v in missing empty truncated garbage fifo hostile tail; do
	variant $v
	n0=$(notices)
	csend "$E@0"
	if [ $v = tail ]; then
		lib_wait_log "$TMP/u2.log" "mail for $E: shown on" 3
		sleep 0.2
		[ "$(notices)" -eq $((n0 + 1)) ] &&
		    echo "PASS: comsat: utmp with a good record and a torn tail: the notice is shown" ||
		    echo "FAIL: comsat: utmp with a good record and a torn tail"
		continue
	fi
	sleep 0.4
	[ "$(notices)" -eq "$n0" ] && lib_alive "$PID" && lib_alive "$ENGINE" &&
	    echo "PASS: comsat: utmp $v: no notice, no crash" ||
	    echo "FAIL: comsat: utmp $v"
done
grep -q "mail for $E: not logged in" "$TMP/u2.log" &&
    [ "$(cat "$TMP/victim")" = original ] &&
    echo "PASS: comsat: ... logged as not logged in; the hostile line's target untouched" ||
    echo "FAIL: comsat: ... logged as not logged in"
lib_stop "$PID"

# rwhod sends to itself (-H 127.0.0.1) every second: its own file shows
# how many users it broadcast.
mkdir "$TMP/rw3"
start "$TMP/u3.log" ../rwhod -d -r 0 -i 1 -H 127.0.0.1 -U "$TMP/utmp" -D "$TMP/rw3"
own() { ls "$TMP/rw3" | grep '^whod\.' | head -1; }
# sent FILE T: wait (5 s at most) for a status sent after time T.
sent_after() {
	_i=0
	while [ $_i -lt 50 ]; do
		[ "$(od -An -tu4 -j4 -N4 "$1" 2>/dev/null | tr -d ' ')" -gt "$2" ] \
		    2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
for v in missing empty truncated garbage fifo hostile tail; do
	variant $v
	want=60
	[ $v = tail ] && want=84
	t=$(date +%s)
	sleep 0.1
	f=$(own)
	sent_after "$TMP/rw3/$f" "$t"
	sz=$([ -n "$f" ] && wc -c <"$TMP/rw3/$f")
	[ "$sz" = "$want" ] && lib_alive "$PID" &&
	    echo "PASS: rwhod: utmp $v: broadcasts $(( (want - 60) / 24 )) users, no crash" ||
	    echo "FAIL: rwhod: utmp $v: broadcasts ($f: ${sz:-no file} bytes, want $want)"
done
lib_stop "$PID"
cp "$TMP/utmp.good" "$TMP/utmp"

# ---- 6. a terminal stopped with XOFF --------------------------------

# A second pty for E, output stopped (tcflow TCOOFF) until SIGUSR1.
cat >"$TMP/xoff.py" <<'EOF'
import grp, os, pty, pwd, signal, struct, sys, termios, time, tty
utmp, user, outf = sys.argv[1:4]
m, s = pty.openpty()
tty.setraw(s)
path = os.ttyname(s)
os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam("tty").gr_gid)
os.chmod(path, 0o720)
os.utime(path, None)
termios.tcflow(s, termios.TCOOFF)
line = path[5:]
now = time.time()
rec = struct.pack("<hxxi32s4s32s256shhi ii 16s20x", 7, os.getpid(),
    line.encode(), line[-4:].encode(), user.encode(), b"regress", 0, 0, 0,
    int(now), int((now % 1) * 1e6), b"")
with open(utmp, "wb") as f:
    f.write(rec)
go = []
signal.signal(signal.SIGUSR1, lambda *a: go.append(1))
with open(outf, "wb", buffering=0) as o:
    o.write(("line " + line + "\n").encode())
    end = time.time() + 120
    while time.time() < end:
        if go and go.pop():
            termios.tcflow(s, termios.TCOON)
        try:
            os.set_blocking(m, False)
            o.write(os.read(m, 4096))
        except BlockingIOError:
            time.sleep(0.05)
EOF
lib_start "$TMP/xo.log" python3 "$TMP/xoff.py" "$TMP/utmpx" "$E" "$TMP/xoff.out"
XO=$LIB_PID
lib_wait_log "$TMP/xoff.out" "^line " 10
XLINE=$(sed -n 's/^line //p' "$TMP/xoff.out")
start "$TMP/x1.log" ../talkd -d -n -a 127.0.0.1 -U "$TMP/utmpx"
t0=$(date +%s)
r1=$($Q ANNOUNCE alice "$E" pid=91)
r2=$($Q LOOK_UP bob carol)
case "$r1:$r2" in
"answer=0 "*":answer=1 "*)
	[ $(($(date +%s) - t0)) -le 2 ] &&
	    echo "PASS: talkd: terminal stopped with XOFF: answered, next request served at once" ||
	    echo "FAIL: talkd: terminal stopped with XOFF: stalled";;
*) echo "FAIL: talkd: terminal stopped with XOFF ($r1 / $r2)";;
esac
lib_wait_log "$TMP/x1.log" "announce to $E: \(Resource temporarily unavailable\|terminal not draining\)" 3 &&
    echo "PASS: talkd: ... the undelivered banner is logged" ||
    echo "FAIL: talkd: ... the undelivered banner is logged"
lib_stop "$PID"
start "$TMP/x2.log" ../comsat -d -R 100000 -U "$TMP/utmpx" -m "$TMP/spool"
t0=$(date +%s)
csend "$E@0"
csend "$E@0"
lib_wait_log "$TMP/x2.log" "mail for $E: $XLINE\( not draining\|: Resource temporarily unavailable\)" 3 &&
    [ $(($(date +%s) - t0)) -le 3 ] && lib_alive "$ENGINE" &&
    echo "PASS: comsat: terminal stopped with XOFF: no hang, the notice is dropped and logged" ||
    echo "FAIL: comsat: terminal stopped with XOFF"
kill -USR1 "$XO"
sleep 0.3
csend "$E@0"
i=0
while ! grep -q "New mail for" "$TMP/xoff.out" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "New mail for" "$TMP/xoff.out" &&
    echo "PASS: comsat: ... after XON the next notice is shown" ||
    echo "FAIL: comsat: ... after XON the next notice is shown"
lib_stop "$PID"
lib_stop "$XO"

# ---- 7. the wall clock stepped --------------------------------------

# Every process of the daemon gets the shim; SIGUSR1 steps its wall
# clock a day forward, SIGUSR2 a day back.
step() {	# USR1|USR2 PIDS...
	_s=$1; shift
	for _p in "$@"; do kill -"$_s" "$_p"; done
	sleep 0.1
}
DAY=86400
LD_PRELOAD=$(pwd)/clockstep.so CLOCKSTEP_SECS=$DAY
export LD_PRELOAD CLOCKSTEP_SECS
start "$TMP/c1.log" ../talkd -d -n -a 127.0.0.1 -r 1 -U "$TMP/utmp"
unset LD_PRELOAD CLOCKSTEP_SECS
$Q LEAVE_INVITE carol dave >/dev/null
step USR1 "$PID" "$ENGINE"
r1=$($Q LOOK_UP dave carol srcip=127.0.0.4)
step USR2 "$PID" "$ENGINE"
step USR2 "$PID" "$ENGINE"
r2=$($Q LOOK_UP dave carol srcip=127.0.0.4)
case "$r1:$r2" in
"answer=0 "*":answer=0 "*)
	echo "PASS: talkd: a day forward, then back: the invitation neither expires nor is stuck (monotonic expiry)";;
*)	echo "FAIL: talkd: invitation across clock steps ($r1 / $r2)";;
esac
# Rate limit -r 1 (burst 2) for 127.0.0.5: spent, then two days forward.
ip netns exec "$NS" python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.5", 0))
me = s.getsockname()
osa = struct.pack("!HH4s8x", 2, me[1], socket.inet_aton(me[0]))
pkt = struct.pack("!BBBBI16s16si12s12s16s", 1, 1, 0, 0, 0, osa, osa, 1,
                  b"x", b"y", b"")
for i in range(10):
    s.sendto(pkt, ("127.0.0.1", 518))
PY
step USR1 "$PID" "$ENGINE"
step USR1 "$PID" "$ENGINE"
r3=$($Q LOOK_UP x y srcip=127.0.0.5 timeout=0.5)
step USR2 "$PID" "$ENGINE"
step USR2 "$PID" "$ENGINE"
step USR2 "$PID" "$ENGINE"
sleep 1.2
r4=$($Q LOOK_UP x y srcip=127.0.0.5 timeout=1)
case "$r3:$r4" in
"noreply:answer=1 "*)
	echo "PASS: talkd: rate limit: a forward step refills no bucket, a backward one freezes none";;
*)	echo "FAIL: talkd: rate limit across clock steps ($r3 / $r4)";;
esac
b0=$(banners)
r5=$($Q ANNOUNCE alice "$E" pid=95)
sleep 0.3
case "$r5" in
"answer=0 "*) [ "$(banners)" -eq $((b0 + 1)) ] && lib_alive "$PID" &&
    echo "PASS: talkd: with the wall clock a day behind, announcements still ring" ||
    echo "FAIL: talkd: with the wall clock a day behind, announcements still ring";;
*) echo "FAIL: talkd: announce with a stepped clock ($r5)";;
esac
lib_stop "$PID"

mkdir "$TMP/rw4"
LD_PRELOAD=$(pwd)/clockstep.so CLOCKSTEP_SECS=$DAY
export LD_PRELOAD CLOCKSTEP_SECS
start "$TMP/c2.log" ../rwhod -d -r 0 -i 1 -H 127.0.0.1 -U "$TMP/utmp" -D "$TMP/rw4"
unset LD_PRELOAD CLOCKSTEP_SECS
# times FILE: "sendtime recvtime" (host order in the spool)
wtimes() { od -An -tu4 -j4 -N8 "$1" 2>/dev/null | awk '{ print $1, $2 }'; }
i=0
while [ -z "$(ls "$TMP/rw4")" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
f=$TMP/rw4/$(ls "$TMP/rw4" | grep '^whod\.' | head -1)
step USR2 "$PID" "$ENGINE"
sent_after "$f" 0
sleep 2.2
set -- $(wtimes "$f")
now=$(date +%s)
back_s=$(($1 - now + DAY)) back_r=$(($2 - now + DAY))
step USR1 "$PID" "$ENGINE"
step USR1 "$PID" "$ENGINE"
sleep 2.2
set -- $(wtimes "$f")
now=$(date +%s)
fwd_s=$(($1 - now - DAY)) fwd_r=$(($2 - now - DAY))
echo "# rwhod with its clock a day back: sendtime and recvtime off by $back_s, $back_r s from (now - 1 day); a day ahead: $fwd_s, $fwd_r s from (now + 1 day)"
[ "${back_s#-}" -le 3 ] && [ "${back_r#-}" -le 3 ] && [ "${fwd_s#-}" -le 3 ] &&
    [ "${fwd_r#-}" -le 3 ] && lib_alive "$PID" &&
    echo "PASS: rwhod: a day back, then ahead: it keeps sending every second (monotonic timer) and stamps its wall clock" ||
    echo "FAIL: rwhod: clock steps ($back_s $back_r $fwd_s $fwd_r)"
lib_stop "$PID"
