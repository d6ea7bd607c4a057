#!/bin/sh
# talkd and comsat under a REAL inetd: Debian's openbsd-inetd
# (/usr/sbin/inetd), our own instance in the foreground with a private
# configuration file holding the inetd.conf lines the documentation gives
# (contrib/inetd.conf: "wait", user root; comsat on 127.0.0.1:biff), in
# a host of its own (network, UTS namespaces; the test's private /run
# holds utmp and inetd's pid file).  The system's inetd and
# /etc/inetd.conf are never touched.
#
#  - A calls B with Debian's talk (netkit-ntalk) in a tmux pane: inetd
#    starts talkd, B is rung, answers as the banner says, both connect
#    and a line crosses each way; the parent runs as root, the engine as
#    _talkd;
#  - talkd exits when idle (-t 3 here), inetd listens again and starts a
#    fresh talkd for the next request;
#  - B says "biff y" with Debian's biff; a mail report to 127.0.0.1:512
#    makes inetd start comsat, which shows the new mail on B's terminal.
#
# Environment: TALKD=path, COMSAT=path test other binaries.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

WHAT="inetd"
TALKD=${TALKD:-$LIB_TOP/talkd}
COMSAT=${COMSAT:-$LIB_TOP/comsat}
INETD=/usr/sbin/inetd
WAIT=15

lib_is_root || { skip "$WHAT" "needs root"; exit 0; }
miss=$(lib_missing tmux unshare nsenter setpriv ip ss useradd userdel ps \
    netkit-ntalk biff)
[ -z "$miss" ] || { skip "$WHAT" "missing: ${miss% }"; exit 0; }
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null ||
    { skip "$WHAT" "missing: python3"; exit 0; }
dpkg-query -W -f='${Status}' openbsd-inetd 2>/dev/null |
    grep -q "ok installed" && [ -x "$INETD" ] ||
    { skip "$WHAT" "openbsd-inetd is not installed"; exit 0; }
for u in _talkd _comsat; do
	getent passwd "$u" >/dev/null ||
	    { skip "$WHAT" "no $u account: sh regress/setup-accounts.sh"; exit 0; }
done
[ -d /var/empty ] ||
    { skip "$WHAT" "no /var/empty: sh regress/setup-accounts.sh"; exit 0; }
for p in "$TALKD" "$COMSAT"; do
	[ -x "$p" ] || { fail "$WHAT: $p is built (run make)"; exit 0; }
done
lib_isolate "$@" ||
    { skip "$WHAT" "cannot make namespaces here (unshare failed)"; exit 0; }

if ! lib_user ina || ! A=$LIB_USER || ! lib_user inb || ! B=$LIB_USER; then
	fail "$WHAT: create the test accounts"
	exit 0
fi
lib_hosts "127.0.1.1	inhost"
if ! lib_host inhost; then
	fail "$WHAT: set up the host (namespaces)"
	exit 0
fi

# The documented lines, with this tree's binaries, a short idle time for
# talkd and a scratch mail spool for comsat.
SPOOL=$LIB_T/spool
mkdir -m 0755 "$SPOOL"
cat >"$LIB_T/inetd.conf" <<EOF
ntalk	dgram	udp	wait	root	$TALKD	talkd -t 3
127.0.0.1:biff	dgram	udp	wait	root	$COMSAT	comsat -m $SPOOL
EOF
: >/run/utmp
lib_spawn_on inhost "$LIB_T/inetd.log" "$INETD" -d -i "$LIB_T/inetd.conf"
INETD_PID=$LIB_PID
listening() {	# PORT: inetd (or a daemon) has a UDP socket on it
	[ -n "$(lib_on_host inhost ss -Hunl "sport = :$1")" ]
}
i=0
while { ! listening 518 || ! listening 512; } && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
if ! listening 518 || ! listening 512 || ! lib_alive "$INETD_PID"; then
	fail "$WHAT: openbsd-inetd listens on ntalk and 127.0.0.1:biff"
	note "$(cat "$LIB_T/inetd.log")"
	exit 0
fi
pass "$WHAT: openbsd-inetd listens on ntalk and 127.0.0.1:biff"

S=$LIB_T/inhost.sock
if ! lib_term_server inhost "$S" || ! lib_term_new "$S" a "$A" /run/utmp ||
    ! lib_term_new "$S" b "$B" /run/utmp; then
	fail "$WHAT: terminals for A and B"
	exit 0
fi

diag() {
	lib_term_note "$S" a
	lib_term_note "$S" b
	note "--- inetd -d (last lines):" "$(tail -n 15 "$LIB_T/inetd.log")"
}

# procs NAME: "user args" of our processes named NAME (argv[0], as
# inetd.conf gives it) or whose title contains NAME ("talkd: engine").
procs() { ps -e -o user:16=,args= | awk -v n="$1" '$2 != "awk" && ($2 == n || index($0, n))'; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# ---- talk through inetd ----
if ! lib_term_reset "$S" a || ! lib_term_reset "$S" b; then
	fail "$WHAT: terminals ready"
	exit 0
fi
lib_term_type "$S" a "netkit-ntalk $B"
if check "$WHAT: talk: inetd starts talkd, callee rung (Message from Talk_Daemon@inhost)" \
    lib_term_wait "$S" b "Message from Talk_Daemon@inhost at " $WAIT; then
	lib_term_wait "$S" b "talk: respond with:" 2
	re=$(lib_term_text "$S" b |
	    sed -n 's/^.*talk: respond with:  talk \([^ ]*\).*$/\1/p' | head -n 1)
	[ "$re" = "$A@inhost" ] || [ "$re" = "$A@localhost" ] ||
	    note "banner answer: $re"
	# The children are up: who runs as whom.
	[ "$(procs talkd | awk '{ print $1; exit }')" = root ] &&
	    [ "$(procs "talkd: engine" | awk '{ print $1; exit }')" = _talkd ] &&
	    pass "$WHAT: talkd's parent runs as root, its engine as _talkd" ||
	    { fail "$WHAT: talkd's parent runs as root, its engine as _talkd"
	      note "$(ps -e -o user:16=,args=)"; }
	lib_term_type "$S" b "netkit-ntalk ${re:-$A}"
	if check "$WHAT: talk: both ends [Connection established]" \
	    lib_term_wait "$S" b "[Connection established]" $WAIT &&
	    lib_term_wait "$S" a "[Connection established]" $WAIT; then
		lib_term_keys "$S" a "caller-says-hello"
		check "$WHAT: talk: caller's line reaches the callee" \
		    lib_term_wait "$S" b "caller-says-hello" $WAIT || diag
		lib_term_keys "$S" b "callee-says-hello"
		check "$WHAT: talk: callee's line reaches the caller" \
		    lib_term_wait "$S" a "callee-says-hello" $WAIT || diag
	else
		diag
	fi
else
	diag
fi
lib_term_reset "$S" a
lib_term_reset "$S" b

# ---- idle exit, and inetd starts the next one ----
i=0
while [ -n "$(procs talkd)" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
if [ -z "$(procs talkd)" ] && [ -z "$(procs "talkd: ")" ]; then
	pass "$WHAT: talkd and its children exit when idle (-t 3)"
else
	fail "$WHAT: talkd and its children exit when idle (-t 3)"
	note "$(procs talkd)"
fi
got=$(lib_on_host inhost "$PY" ./ctlmsg.py 127.0.0.1 518 LOOK_UP "$A" "$B" \
    timeout=5)
case "$got" in
answer=*) pass "$WHAT: inetd starts a fresh talkd for the next request";;
*)	fail "$WHAT: inetd starts a fresh talkd for the next request ($got)"
	note "$(tail -n 10 "$LIB_T/inetd.log")";;
esac

# ---- comsat through inetd ----
printf '%s\n' "From x Mon Jan  1 00:00:00 2024" "From: R <r@example.org>" \
    "Subject: through inetd" "" "body" >"$SPOOL/$B"
chown "$B" "$SPOOL/$B" && chmod 0600 "$SPOOL/$B"
if lib_term_run "$S" b "biff y"; then
	lib_on_host inhost "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(sys.argv[1].encode() + b"@0\n", ("127.0.0.1", 512))' "$B"
	check "$WHAT: biff y, a mail report: inetd starts comsat, which shows the mail" \
	    lib_term_wait "$S" b "Subject: through inetd" $WAIT || diag
	[ "$(procs "comsat: engine" | awk '{ print $1; exit }')" = _comsat ] &&
	    pass "$WHAT: comsat's engine runs as _comsat" ||
	    fail "$WHAT: comsat's engine runs as _comsat"
else
	fail "$WHAT: biff y"
	diag
fi
lib_alive "$INETD_PID" && pass "$WHAT: openbsd-inetd still running" ||
    fail "$WHAT: openbsd-inetd still running"
exit 0
