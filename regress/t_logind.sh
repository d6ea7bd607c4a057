#!/bin/sh
# Logins from systemd-logind where there is no utmp (-L, priv/logins.c,
# priv/logind.c): talkd, comsat and rwhod on a host whose /run has no
# utmp file and whose logins are only logind's session files, as on a
# system whose systemd is built without utmp (Debian 13).
#
# The test runs isolated (lib.sh): /run is a private tmpfs, so the
# session files it writes under /run/systemd/sessions are seen by
# sd-login(3) in our daemons and by nothing else, and no logind runs.
# One host, lghost (its own network and UTS namespaces); users A, B, C
# are throw-away accounts on tmux panes (real ptys handed over as
# login(1) would) with a logind session each instead of a utmp record.
#
#  - talk: A calls B with a real client through our talkd (default -L
#    auto, no utmp file): B is rung, answers, both connect, a line
#    crosses each way;
#  - talkd's choice of C's sessions, one session file rewritten step by
#    step: none, no TTY, the TTY of B's pty (owned by someone else: a
#    log line), C's pty but "closing", class "greeter", then "online":
#    only the last is rung;
#  - biff: B says "biff y", mail arrives, comsat shows it on B's pane;
#  - rwhod: the status it sends lists A, B and C on their ptys with
#    their sessions' start times, not the sessions without a tty or
#    closing; rwho -a shows them; with -L both and a utmp record of A on
#    A's pty, A is listed once;
#  - -L utmp, logind, both, and auto with a utmp file that has a login
#    (utmp alone, as before) or none (logind), through five more
#    talkds; -L nonsense is refused by all three daemons.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

WHAT="logind sessions"
TALKD=${TALKD:-$LIB_TOP/talkd}
COMSAT=${COMSAT:-$LIB_TOP/comsat}
RWHOD=${RWHOD:-$LIB_TOP/rwhod}
WAIT=15		# seconds for any one thing to appear

lib_is_root || { skip "$WHAT" "needs root"; exit 0; }
miss=$(lib_missing tmux unshare nsenter setpriv ip useradd userdel ps \
    install awk mkfifo timeout)
[ -z "$miss" ] || { skip "$WHAT" "missing: ${miss% }"; exit 0; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) ||
    { skip "$WHAT" "missing: python3"; exit 0; }
for d in _talkd _comsat _rwhod; do
	getent passwd "$d" >/dev/null && [ -d /var/empty ] || {
		skip "$WHAT" "no $d account: sh regress/setup-accounts.sh"
		exit 0
	}
done
for p in "$TALKD" "$COMSAT" "$RWHOD"; do
	[ -x "$p" ] || { fail "$WHAT: $p is built (run make)"; exit 0; }
done
lib_isolate "$@" ||
    { skip "$WHAT" "cannot make namespaces here (unshare failed)"; exit 0; }

START=$(date +%s)
# Our /run must be lib_isolate's tmpfs: the session files go there.
# The daemons' default utmp, /var/run/utmp, must not exist.
if ! awk '$5 == "/run" { s = $0 }
    END { exit s ~ / - tmpfs regress-run / ? 0 : 1 }' /proc/self/mountinfo ||
    [ -e /var/run/utmp ]; then
	fail "$WHAT: /run is a private tmpfs without utmp"
	exit 0
fi
SESS=/run/systemd/sessions
mkdir -p "$SESS" || { fail "$WHAT: $SESS"; exit 0; }

for u in A B C; do
	if ! lib_user "lg$(echo $u | tr ABC abc)"; then
		fail "$WHAT: create the test accounts"
		exit 0
	fi
	eval "$u=\$LIB_USER"
done
lib_hosts "127.0.1.1	lghost" "127.0.1.2	lghost2"
if ! lib_host lghost || ! lib_host lghost2; then
	fail "$WHAT: set up the hosts (namespaces)"
	exit 0
fi

# session ID USER [KEY=VALUE...]: logind's file for session ID, as
# systemd 252 writes it; each KEY=VALUE replaces or adds a line, and a
# key with no value is left out (a session without a TTY has no TTY=
# line).  Written whole, then renamed, as logind does.
session() {
	_id=$1 _u=$2; shift 2
	_uid=$(id -u "$_u") || return 1
	printf '%s\n' "UID=$_uid" "USER=$_u" "ACTIVE=1" "IS_DISPLAY=0" \
	    "STATE=active" "REMOTE=0" "TYPE=tty" "ORIGINAL_TYPE=tty" \
	    "CLASS=user" "SCOPE=session-$_id.scope" "FIFO=$SESS/$_id.ref" \
	    "TTY=" "TTY_VALIDITY=from-pam" "SERVICE=login" "LEADER=1" \
	    "AUDIT=$_id" "REALTIME=1700000000000000" "MONOTONIC=1000000" \
	    "$@" | awk -F= '
	    { if (!($1 in v)) k[n++] = $1; v[$1] = $0 }
	    END {
		print "# This is private data. Do not parse."
		for (i = 0; i < n; i++)
			if (v[k[i]] != k[i] "=") print v[k[i]]
	    }' >"$SESS/.$_id.tmp" && mv "$SESS/.$_id.tmp" "$SESS/$_id"
}

# ---- terminals and sessions -----------------------------------------

S=$LIB_T/tmux.sock
if ! lib_term_server lghost "$S"; then
	fail "$WHAT: tmux server"
	exit 0
fi
# lib_term_new gives each user a pty; its utmp record goes to /dev/null.
for w in a b c; do
	eval "u=\$$(echo $w | tr abc ABC)"
	if ! lib_term_new "$S" "$w" "$u" /dev/null; then
		fail "$WHAT: a terminal for $w"
		exit 0
	fi
	eval "TTY_$w=$LIB_TTY"
	lib_term_shell "$S" "$w" 10
done
[ ! -e /var/run/utmp ] || { fail "$WHAT: still no utmp file"; exit 0; }
RT_A=1700000000 RT_B=1700003600
session 10 "$A" "TTY=$TTY_a" "REALTIME=${RT_A}123456" &&
    session 11 "$B" "TTY=$TTY_b" "REALTIME=${RT_B}000000" "STATE=online" &&
    # Ignored by everyone: A without a terminal, B logged out on his pty.
    session 12 "$A" "TYPE=unspecified" &&
    session 13 "$B" "TTY=$TTY_b" "STATE=closing" &&
    # logind's session directory holds FIFOs too.
    mkfifo "$SESS/10.ref" ||
    { fail "$WHAT: write session files"; exit 0; }

diag() {	# LOG WINDOW...
	_l=$1; shift
	for _w in "$@"; do lib_term_note "$S" "$_w"; done
	note "--- $(basename "$_l") (last lines):"
	tail -n 15 "$_l" | note "$(cat)"
}
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }

# ---- talk, end to end ------------------------------------------------

TLOG=$LIB_T/talkd.log
lib_spawn_on lghost "$TLOG" "$TALKD" -d
check "talkd started (no utmp file, default -L auto)" \
    lib_wait_file "$TLOG" "engine: engine ready" 10 || exit 0
CLIENT=""
for c in netkit-ntalk inetutils-talk; do
	command -v "$c" >/dev/null 2>&1 && { CLIENT=$c; break; }
done
if [ -z "$CLIENT" ]; then
	skip "$WHAT: talk end to end" "no talk client: apt-get install talk"
else
	L="talk ($CLIENT), A calls B"
	lib_term_type "$S" a "$CLIENT $B"
	if check "$L: B's pane rung by Talk_Daemon@lghost" \
	    lib_term_wait "$S" b "Message from Talk_Daemon@lghost at " $WAIT
	then
		lib_term_wait "$S" b "talk: respond with:" 2
		re=$(lib_term_text "$S" b | sed -n \
		    's/^.*talk: respond with:  talk \([^ ]*\).*$/\1/p' | head -n 1)
		lib_term_type "$S" b "$CLIENT $re"
		if check "$L: both ends [Connection established]" \
		    lib_term_wait "$S" b "[Connection established]" $WAIT &&
		    lib_term_wait "$S" a "[Connection established]" $WAIT; then
			lib_term_keys "$S" a "from-a-$$"
			check "$L: A's line reaches B" \
			    lib_term_wait "$S" b "from-a-$$" $WAIT ||
			    diag "$TLOG" a b
			lib_term_keys "$S" b "from-b-$$"
			check "$L: B's line reaches A" \
			    lib_term_wait "$S" a "from-b-$$" $WAIT ||
			    diag "$TLOG" a b
		else
			diag "$TLOG" a b
		fi
	else
		diag "$TLOG" a b
	fi
	lib_term_reset "$S" a
	lib_term_reset "$S" b
fi

# ---- which of C's sessions talkd takes -------------------------------

PIDN=100
# ann PORT WANT WHAT CALLEE: an ANNOUNCE; the answer must be WANT
# (0 SUCCESS, 1 NOT_HERE).
ann() {
	PIDN=$((PIDN + 1))
	_got=$(lib_on_host lghost "$PY" ./ctlmsg.py 127.0.0.1 "$1" ANNOUNCE \
	    caller "$4" pid=$PIDN)
	case $_got in
	"answer=$2 "*) pass "$3";;
	*) fail "$3 (got: $_got)";;
	esac
}
rung_c() { lib_term_text "$S" c | grep -q "Message from Talk_Daemon"; }

ann 518 1 "C without a session: NOT_HERE" "$C"
session 20 "$C"
ann 518 1 "C's session without a TTY: NOT_HERE" "$C"
session 20 "$C" "TTY=$TTY_b"
ann 518 1 "C's session naming B's pty: NOT_HERE" "$C"
check "C's session naming B's pty: logged as not C's terminal" \
    grep -qF "tty $TTY_b of $C: not a terminal owned by the user, skipped" \
    "$TLOG"
session 20 "$C" "TTY=$TTY_c" "STATE=closing"
ann 518 1 "C's session on his pty, state closing: NOT_HERE" "$C"
session 20 "$C" "TTY=$TTY_c" "CLASS=greeter"
ann 518 1 "C's session on his pty, class greeter: NOT_HERE" "$C"
if rung_c; then
	fail "refused sessions: nothing written on C's pane"
	lib_term_note "$S" c
else
	pass "refused sessions: nothing written on C's pane"
fi
session 20 "$C" "TTY=/dev/$TTY_c" "STATE=online" "ACTIVE=0"
ann 518 0 "C's session on his pty, online, class user: SUCCESS" "$C"
check "C's pane rung" lib_term_wait "$S" c "Message from Talk_Daemon" 5

# ---- biff ------------------------------------------------------------

SPOOL=$LIB_T/spool
CLOG=$LIB_T/comsat.log
mkdir -m 1777 "$SPOOL" &&
    install -m 0600 -o "$B" -g "$(id -g "$B")" /dev/null "$SPOOL/$B" ||
    { fail "$WHAT: mail spool"; exit 0; }
lib_spawn_on lghost "$CLOG" "$COMSAT" -d -m "$SPOOL"
if check "comsat started (no utmp file, default -L auto)" \
    lib_wait_file "$CLOG" "engine: engine ready" 10; then
	lib_term_run "$S" b "biff y"
	off=$(stat -c %s "$SPOOL/$B")
	printf '%s\n' "From one@example.org Mon Jan  1 00:00:00 2024" \
	    "From: Sender One <one@example.org>" "To: $B" \
	    "Subject: logind-$$" "" "Body line." "" >>"$SPOOL/$B"
	lib_on_host lghost "$PY" -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
    sys.argv[1].encode(), ("127.0.0.1", 512))' "$B@$off"
	check "biff: \"New mail for B@lghost\" on B's pane" \
	    lib_term_wait "$S" b "New mail for $B@lghost has arrived:" $WAIT &&
	    check "biff: the notice shows the subject" \
	    lib_term_wait "$S" b "Subject: logind-$$" 2 ||
	    diag "$CLOG" b
	lib_on_host lghost "$PY" -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
    sys.argv[1].encode(), ("127.0.0.1", 512))' "$A@0"
	check "biff: A (biff n) is logged in, per logind" \
	    lib_wait_file "$CLOG" "mail for $A: biff n on every terminal" 5 ||
	    diag "$CLOG"
fi

# ---- rwhod -----------------------------------------------------------

# whod FILE: "line name time idle" per entry of a spool file.
whod() {
	"$PY" - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
for i in range(60, len(d), 24):
    l, n, t, idle = struct.unpack("=8s8sII", d[i:i + 24])
    print(l.rstrip(b"\0").decode(), n.rstrip(b"\0").decode(), t, idle)
EOF
}
# A utmp file with A's login on A's pty, for -L both (and below).
AUT=$LIB_T/a.utmp
lib_utmp_add "$AUT" "$A" "$TTY_a" 1 || { fail "$WHAT: write a utmp file"; exit 0; }
mkdir -m 0755 "$LIB_T/rwho" "$LIB_T/rwho2" || exit 0
lib_spawn_on lghost "$LIB_T/rwhod.log" "$RWHOD" -d -i 2 -H 127.0.0.1 \
    -D "$LIB_T/rwho"
lib_spawn_on lghost2 "$LIB_T/rwhod2.log" "$RWHOD" -d -i 2 -H 127.0.0.1 \
    -D "$LIB_T/rwho2" -L both -U "$AUT"
if lib_wait_file "$LIB_T/rwho/whod.lghost" lghost 10 &&
    lib_wait_file "$LIB_T/rwho2/whod.lghost2" lghost2 10; then
	got=$(whod "$LIB_T/rwho/whod.lghost" | sort)
	want=$(printf '%s\n' "$TTY_a $A $RT_A" "$TTY_b $B $RT_B" \
	    "$TTY_c $C 1700000000" | sort)
	if [ "$(printf '%s\n' "$got" | cut -d' ' -f1-3)" = "$want" ]; then
		pass "rwhod (no utmp file): sends A, B, C on their ptys, login times from the sessions"
	else
		fail "rwhod (no utmp file): sends A, B, C on their ptys, login times from the sessions"
		note "want:" "$want" "got:" "$got"
	fi
	got=$(whod "$LIB_T/rwho2/whod.lghost2" | cut -d' ' -f1-2 | sort)
	want=$(printf '%s\n' "$TTY_a $A" "$TTY_b $B" "$TTY_c $C" | sort)
	if [ "$got" = "$want" ]; then
		pass "rwhod -L both: A's utmp record and session are one login; B and C from logind"
	else
		fail "rwhod -L both: A's utmp record and session are one login; B and C from logind"
		note "want:" "$want" "got:" "$got"
	fi
	if command -v rwho >/dev/null 2>&1 && [ -d /var/spool/rwho ] &&
	    mount --bind "$LIB_T/rwho" /var/spool/rwho; then
		out=$(rwho -a 2>&1)
		umount /var/spool/rwho
		ok=1
		for w in a b c; do
			eval "u=\$$(echo $w | tr abc ABC) t=\$TTY_$w"
			has "$out" "$u" && has "$out" "lghost:$t" || ok=""
		done
		if [ -n "$ok" ]; then
			pass "rwho -a shows A, B and C on lghost"
		else
			fail "rwho -a shows A, B and C on lghost"
			note "$out"
		fi
	else
		skip "rwho -a shows the logind users" "no rwho(1): apt-get install rwho"
	fi
else
	fail "rwhod: its own status in the spool (-H 127.0.0.1)"
	tail -n 10 "$LIB_T/rwhod.log" "$LIB_T/rwhod2.log" | note "$(cat)"
fi

# ---- -L: each source, and auto with a utmp file that has a login -----

# One more talkd per mode, each on its own port of lghost.
: >"$LIB_T/empty.utmp"
port=5180
for mode in "-L utmp" "-U $AUT" "-L logind -U $AUT" "-L both -U $AUT" \
    "-U $LIB_T/empty.utmp"; do
	port=$((port + 1))
	lib_spawn_on lghost "$LIB_T/talkd.$port.log" "$TALKD" -d \
	    -a "127.0.0.1:$port" $mode
done
for port in 5181 5182 5183 5184 5185; do
	lib_wait_file "$LIB_T/talkd.$port.log" "engine: engine ready" 10 ||
	    { fail "talkd on port $port started"; exit 0; }
done
ann 5181 1 "-L utmp, no utmp file: B (logind only) NOT_HERE" "$B"
ann 5182 0 "auto, utmp has a login: A (utmp) SUCCESS" "$A"
ann 5182 1 "auto, utmp has a login: logind not asked, B NOT_HERE" "$B"
ann 5183 0 "-L logind with a utmp file: B (logind) SUCCESS" "$B"
ann 5184 0 "-L both: A (utmp and logind) SUCCESS" "$A"
ann 5184 0 "-L both: B (logind) SUCCESS" "$B"
ann 5185 0 "auto, utmp file without a login: B (logind) SUCCESS" "$B"

bad=""
for d in "$TALKD" "$COMSAT" "$RWHOD"; do
	out=$(timeout 5 "$d" -L nonsense -S 2>&1)
	[ $? -eq 1 ] && has "$out" "-L nonsense: not auto, utmp, logind or both" ||
	    bad="$bad ${d##*/}"
	timeout 5 "$d" -L both -S >/dev/null 2>&1 || bad="$bad ${d##*/}(both)"
done
[ -z "$bad" ] && pass "-L both accepted, -L nonsense refused by talkd, comsat, rwhod" ||
    fail "-L both accepted, -L nonsense refused:$bad"

bad=$(grep -E 'lost child|stopping|logind sessions:' "$TLOG" "$CLOG" \
    "$LIB_T"/rwhod*.log "$LIB_T"/talkd.*.log)
if [ -z "$bad" ]; then
	pass "no daemon died or failed to list the sessions"
else
	fail "no daemon died or failed to list the sessions"
	note "$bad"
fi
note "took $(($(date +%s) - START)) s"
exit 0
