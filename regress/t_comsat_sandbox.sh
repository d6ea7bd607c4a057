#!/bin/sh
# comsat's engine in its sandbox: seccomp mode 2, no_new_privs, no
# capabilities (not even in the bounding set), the _comsat uid, the
# chroot, its rlimits and descriptors; each forbidden syscall class
# kills it with SIGSYS (regress/comsat-regress, a build with a test
# hook).  Then the start modes (inetd wait, systemd socket activation)
# and the death policy: a killed engine ends the daemon with status 1.
# Everything runs in a private network namespace.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
if ! getent passwd _comsat >/dev/null; then
	echo "SKIP: comsat sandbox (no _comsat account: sh setup-accounts.sh)"
	exit 0
fi
if [ ! -x ../comsat ] || [ ! -x ./comsat-regress ]; then
	echo "FAIL: comsat and regress/comsat-regress are built"
	exit 0
fi
NS=$(lib_netns_new cssb) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
mkdir -m 1777 "$TMP/spool"
OPTS="-d -U $TMP/utmp -m $TMP/spool"
send() {	# PAYLOAD (Python escapes) to 127.0.0.1 port 512
	ip netns exec "$NS" python3 -c '
import codecs, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(codecs.escape_decode(sys.argv[1].encode())[0], ("127.0.0.1", 512))
' "$1"
}

# ---- the running engine's /proc status ------------------------------

lib_start "$TMP/d.log" ip netns exec "$NS" ../comsat $OPTS
pid=$LIB_PID
if lib_wait_log "$TMP/d.log" "engine: engine ready" 10; then
	echo "PASS: comsat started in namespace"
else
	echo "FAIL: comsat started in namespace"; cat "$TMP/d.log"; exit 0
fi
cpid=$(lib_child_pid "$pid" "comsat: engine")
st=/proc/$cpid/status
if [ -z "$cpid" ] || [ ! -r "$st" ]; then
	echo "FAIL: engine: running"
else
	grep -q '^Seccomp:[[:space:]]*2' "$st" &&
	    echo "PASS: engine: Seccomp 2 (filter)" ||
	    echo "FAIL: engine: Seccomp 2 (filter)"
	grep -q '^NoNewPrivs:[[:space:]]*1' "$st" &&
	    echo "PASS: engine: NoNewPrivs 1" || echo "FAIL: engine: NoNewPrivs 1"
	caps=$(awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ { printf "%s", $2 }' "$st")
	[ -n "$caps" ] && [ -z "$(echo "$caps" | tr -d 0)" ] &&
	    echo "PASS: engine: no capabilities (effective, permitted, bounding)" ||
	    echo "FAIL: engine: no capabilities ($caps)"
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
	want=$(id -u _comsat)
	[ "$uids" = "$want $want $want $want" ] &&
	    echo "PASS: engine: runs as _comsat ($uids)" ||
	    echo "FAIL: engine: runs as _comsat ($uids)"
	gids=$(awk '/^Gid:/ { print $2 }' "$st")
	[ "$gids" = "$(id -g _comsat)" ] &&
	    [ "$(awk '/^Groups:/ { print $2 }' "$st")" = "$(id -g _comsat)" ] &&
	    echo "PASS: engine: only the _comsat group" ||
	    echo "FAIL: engine: only the _comsat group"
	root=$(readlink "/proc/$cpid/root")
	[ "$root" = /var/empty ] &&
	    echo "PASS: engine: chrooted to /var/empty" ||
	    echo "FAIL: engine: chrooted to /var/empty ($root)"
	# 0-2 (/dev/null), 3 (IPC), the UDP socket: nothing else.
	nfd=$(ls "/proc/$cpid/fd" | wc -l)
	[ "$nfd" -le 5 ] &&
	    echo "PASS: engine: only its own descriptors ($nfd open)" ||
	    echo "FAIL: engine: only its own descriptors ($nfd open)"
	grep -q '^Max open files *16 ' "/proc/$cpid/limits" &&
	    grep -q '^Max processes *0 ' "/proc/$cpid/limits" &&
	    grep -q '^Max file size *0 ' "/proc/$cpid/limits" &&
	    grep -q '^Max core file size *0 ' "/proc/$cpid/limits" &&
	    echo "PASS: engine: rlimits (no processes, files, cores; 16 fds)" ||
	    echo "FAIL: engine: rlimits"
fi
lib_stop "$pid"

# ---- each forbidden syscall class: SIGSYS ---------------------------

run_hook() {	# syscall -> prints the parent's "lost child" line
	: >"$TMP/h.log"
	REGRESS_ROLE=engine REGRESS_SYSCALL=$1 lib_start "$TMP/h.log" \
	    ip netns exec "$NS" ./comsat-regress $OPTS
	lib_wait_log "$TMP/h.log" "lost child: engine" 10
	lib_stop "$LIB_PID"
	grep "lost child: engine" "$TMP/h.log"
}
for sc in open openat openat-write execve socket socket-unix socketpair \
    connect bind ptrace kill setuid chroot mount ioctl fork clone \
    mmap-exec sendmsg-other sendto recvfrom; do
	line=$(run_hook "$sc")
	case "$line" in
	*"killed by signal 31"*)
		echo "PASS: engine: $sc is killed by SIGSYS";;
	*)	echo "FAIL: engine: $sc is killed by SIGSYS (${line:-no exit seen})";;
	esac
done
# Controls: allowed calls do not kill; the hook then exits 99.
for sc in getpid write; do
	line=$(run_hook "$sc")
	case "$line" in
	*"exited with 99"*) echo "PASS: engine: allowed $sc survives";;
	*) echo "FAIL: engine: allowed $sc survives (${line:-no exit seen})";;
	esac
done

# ---- exact bytes on a raw terminal; a terminal that never drains ----

# ttyrig.py (see t_talkd_tty.sh) makes ptys as login(1) would, in raw
# mode (no OPOST, no IUTF8), and records what is written to them.  The
# user is "nobody", whose mailbox lives in our scratch spool.
RIGDIR=$TMP/rig
mkdir "$RIGDIR"
printf '%s\n' "From x Mon Jan  1 00:00:00 2024" "From: R <r@example.org>" \
    "Subject: =?utf-8?Q?caf=C3=A9?= raw" "" "line" >"$TMP/spool/nobody"
chown nobody "$TMP/spool/nobody" && chmod 0600 "$TMP/spool/nobody"
lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$RIGDIR" 60 \
    "nobody:720:stuck" "nobody:720" "nobody:620"
RIG_PID=$LIB_PID
lib_wait_log "$RIGDIR/ptys" "^2 nobody" 10
stuck=$(awk '$1 == 0 { print $3 }' "$RIGDIR/ptys")
lib_start "$TMP/t.log" ip netns exec "$NS" ../comsat $OPTS
pid=$LIB_PID
lib_wait_log "$TMP/t.log" "engine: engine ready" 10
t0=$(date +%s)
send 'nobody@0\n'
lib_wait_log "$TMP/t.log" "mail for nobody: shown on" 5
host=$(hostname | cut -d. -f1)
printf '\r\n\aNew mail for nobody@%s has arrived:\r\n----\r\nFrom: R <r@example.org>\r\nSubject: caf? raw\r\nline\r\n----\r\n' \
    "$host" >"$TMP/want"
lib_wait_log "$RIGDIR/1.out" "^----" 3
cmp -s "$TMP/want" "$RIGDIR/1.out" &&
    echo "PASS: raw terminal: the notice, byte for byte (CR LF, ? for UTF-8)" ||
    { echo "FAIL: raw terminal: the notice, byte for byte"; od -c "$RIGDIR/1.out" | sed 's/^/# /'; }
[ ! -s "$RIGDIR/2.out" ] &&
    echo "PASS: biff n terminal of the same user: nothing written" ||
    echo "FAIL: biff n terminal of the same user: nothing written"
lib_wait_log "$TMP/t.log" "mail for nobody: $stuck\( not draining\|: Resource temporarily unavailable\)" 3 &&
    echo "PASS: terminal that never drains: write dropped and logged" ||
    echo "FAIL: terminal that never drains: write dropped and logged"
send 'nobody@0\n'
lib_wait_log "$TMP/t.log" "mail for nobody: shown on.*" 3
i=0
while [ "$(grep -c '^----' "$RIGDIR/1.out")" -lt 4 ] && [ $i -lt 30 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(grep -c '^----' "$RIGDIR/1.out")" -eq 4 ] &&
    [ $(($(date +%s) - t0)) -le 3 ] &&
    echo "PASS: terminal that never drains: no stall, next notice shown" ||
    echo "FAIL: terminal that never drains: no stall, next notice shown"
lib_stop "$pid"
lib_stop "$RIG_PID"
: >"$TMP/utmp"

# ---- start modes ----------------------------------------------------

# inetd "wait" mode: the socket on fd 0; idle exit after -t 2, which
# only valid datagrams put off (so they were read and parsed).
lib_start "$TMP/inetd.log" ip netns exec "$NS" python3 ./inetd_wrap.py \
    127.0.0.1 512 ../comsat -t 2 -U "$TMP/utmp" -m "$TMP/spool"
pid=$LIB_PID
i=0
while [ $i -lt 7 ]; do
	sleep 0.5
	send 'csnosuchuser@0\n'
	i=$((i + 1))
done
lib_alive "$pid" &&
    echo "PASS: inetd mode: datagrams read (no idle exit while they come)" ||
    echo "FAIL: inetd mode: datagrams read (exited while they came)"
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
	    systemd-socket-activate -d -l 127.0.0.1:512 ../comsat $OPTS
	pid=$LIB_PID
	lib_wait_log "$TMP/sd.log" "started (systemd socket)" 5
	send 'csnosuchuser@0\n'
	lib_wait_log "$TMP/sd.log" "mail for csnosuchuser: no such user" 5 &&
	    echo "PASS: systemd socket activation: datagram served" ||
	    { echo "FAIL: systemd socket activation"; cat "$TMP/sd.log"; }
	lib_stop "$pid"
else
	echo "SKIP: systemd socket activation (systemd-socket-activate missing)"
fi

# The engine killed: the parent logs it and exits 1; the parent killed:
# the engine goes too.
lib_start "$TMP/k.log" ip netns exec "$NS" ../comsat $OPTS
pid=$LIB_PID
lib_wait_log "$TMP/k.log" "engine: engine ready" 10
kill -9 "$(lib_child_pid "$pid" "comsat: engine")"
i=0
while lib_alive "$pid" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if lib_alive "$pid"; then
	echo "FAIL: engine killed: parent exits"
else
	wait "$pid"; rc=$?
	[ $rc -eq 1 ] && grep -q "lost child: engine killed by signal 9" \
	    "$TMP/k.log" &&
	    echo "PASS: engine killed: parent logs it and exits 1" ||
	    echo "FAIL: engine killed: parent logs it and exits 1 ($rc)"
fi
lib_start "$TMP/p.log" ip netns exec "$NS" ../comsat $OPTS
pid=$LIB_PID
lib_wait_log "$TMP/p.log" "engine: engine ready" 10
cpid=$(lib_child_pid "$pid" "comsat: engine")
kill -9 "$pid"
wait "$pid" 2>/dev/null
i=0
while lib_alive "$cpid" && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
lib_alive "$cpid" && echo "FAIL: parent killed: engine exits" ||
    echo "PASS: parent killed: engine exits"
