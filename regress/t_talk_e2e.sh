#!/bin/sh
# End to end through ./talkd with the real clients: Debian's talk
# (netkit-ntalk) and GNU inetutils-talk, each user in a tmux pane (a real
# pty handed to the user as login(1) would, with a utmp record).
#
# Hosts, each its own network and UTS namespace with its own talkd and
# utmp file (see lib.sh; /etc/hosts is private to the test):
#
#	tklocal	loopback only; its name is 127.0.1.1, as Debian sets it up
#	tkhost1	192.0.2.1 --- veth --- 192.0.2.2  tkhost2 (talkd -n)
#
# Users A and B are throw-away accounts.  On tklocal, for each client: A
# calls B; B's terminal shows the banner, B answers as it says, both ends
# connect and a line crosses each way; after "mesg n" the caller is told
# the party is refusing messages; a user who does not exist, and one
# whose utmp record names a pty that is not his, are "not logged on".
# Across the hosts, for each client: A@tkhost1 calls B@tkhost2 and the
# other way round.  tkhost2's talkd runs with -n, so its banner shows the
# caller's address and the answer goes by address; tkhost1's shows the
# forward-confirmed name.  Last, no daemon refused a request or died.
#
# Environment: TALKD=path tests another binary; KEEP_LOGS=dir copies the
# three daemons' logs there at the end.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

WHAT="talk end-to-end"
TALKD=${TALKD:-$LIB_TOP/talkd}
WAIT=15		# seconds for any one thing to appear

lib_is_root || { skip "$WHAT" "needs root"; exit 0; }
miss=$(lib_missing tmux unshare nsenter setpriv ip useradd userdel ps)
[ -z "$miss" ] || { skip "$WHAT" "missing: ${miss% }"; exit 0; }
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null ||
    { skip "$WHAT" "missing: python3"; exit 0; }
CLIENTS=""
# "talk" is an alternative that may be either; ask for each by name.
for c in netkit-ntalk inetutils-talk; do
	if command -v "$c" >/dev/null 2>&1; then
		CLIENTS="$CLIENTS $c"
	else
		# Said once, before the isolated copy runs this again.
		[ "${LIB_ISOLATED:-}" = 1 ] ||
		    skip "$WHAT with $c" "$c is not installed"
	fi
done
[ -n "$CLIENTS" ] || exit 0
getent passwd _talkd >/dev/null && [ -d /var/empty ] ||
    { skip "$WHAT" "no _talkd account: sh regress/setup-accounts.sh"; exit 0; }
if [ ! -x "$TALKD" ]; then
	fail "$WHAT: $TALKD is built (run make)"
	exit 0
fi
lib_isolate "$@" ||
    { skip "$WHAT" "cannot make namespaces here (unshare failed)"; exit 0; }

START=$(date +%s)
# A calls B: throw-away accounts, "tka" and "tkb" and 4 hex digits.
if ! lib_user tka; then
	fail "$WHAT: create the test accounts"
	exit 0
fi
A=$LIB_USER
if ! lib_user tkb; then
	fail "$WHAT: create the test accounts"
	exit 0
fi
B=$LIB_USER
lib_hosts "127.0.1.1	tklocal" "192.0.2.1	tkhost1" "192.0.2.2	tkhost2"
if ! lib_host tklocal || ! lib_host tkhost1 || ! lib_host tkhost2 ||
    ! lib_link tkhost1 192.0.2.1/24 tkhost2 192.0.2.2/24; then
	fail "$WHAT: set up the hosts (namespaces, veth)"
	exit 0
fi

# start_talkd HOST [OPTION...]: its own utmp file and log.
start_talkd() {
	_h=$1; shift
	: >"$LIB_T/$_h.utmp"
	lib_spawn_on "$_h" "$LIB_T/$_h.log" "$TALKD" -d -U "$LIB_T/$_h.utmp" "$@"
	eval "PID_$_h=$LIB_PID"
	check "talkd started on $_h${*:+ (with $*)}" \
	    lib_wait_file "$LIB_T/$_h.log" "engine: engine ready" 10
}

# terminal SOCKET WINDOW USER HOST: sets TTY_<window>_<host>.
terminal() {
	if ! lib_term_new "$1" "$2" "$3" "$LIB_T/$4.utmp"; then
		fail "$WHAT: a terminal for $3 on $4"
		exit 0
	fi
	eval "TTY_$2_$4=$LIB_TTY"
}

SL=$LIB_T/tklocal.sock
S1=$LIB_T/tkhost1.sock
S2=$LIB_T/tkhost2.sock
start_talkd tklocal || exit 0
start_talkd tkhost1 || exit 0
start_talkd tkhost2 -n || exit 0
for s in tklocal tkhost1 tkhost2; do
	if ! lib_term_server "$s" "$LIB_T/$s.sock"; then
		fail "$WHAT: tmux server on $s"
		exit 0
	fi
done
terminal "$SL" a "$A" tklocal
terminal "$SL" b "$B" tklocal
terminal "$S1" a "$A" tkhost1
terminal "$S2" b "$B" tkhost2

# diag LOG SOCKET WINDOW SOCKET WINDOW: show what went wrong.
diag() {
	lib_term_note "$2" "$3"
	lib_term_note "$4" "$5"
	note "--- $(basename "$1") (last lines):"
	tail -n 15 "$1" | note "$(cat)"
}

has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
hasnt() { ! has "$@"; }

# converse LABEL CLIENT CSOCK CWIN ESOCK EWIN TARGET DHOST CALLER: the
# caller (window CWIN on CSOCK) runs "CLIENT TARGET"; the callee (EWIN
# on ESOCK) must be rung by talkd@DHOST for CALLER (user@host), answer
# as the banner says, and then both ends connect and a line crosses each
# way.  The callee's talkd log is DHOST's.
converse() {
	_l=$1 _cl=$2 _cs=$3 _cw=$4 _es=$5 _ew=$6 _to=$7 _dh=$8 _from=$9
	_log=$LIB_T/$_dh.log
	# Descriptions say A and B: the account names change every run.
	_sf=$(printf '%s\n' "$_from" | sed "s/^$A@/A@/; s/^$B@/B@/")
	if ! lib_term_reset "$_cs" "$_cw" || ! lib_term_reset "$_es" "$_ew"
	then
		fail "$_l: terminals ready"
		diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
		return
	fi
	lib_term_type "$_cs" "$_cw" "$_cl $_to"
	if ! check "$_l: callee rung: \"Message from Talk_Daemon@$_dh at ...\"" \
	    lib_term_wait "$_es" "$_ew" "Message from Talk_Daemon@$_dh at " $WAIT
	then
		diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
		return
	fi
	# The whole banner is written at once; give the pane a moment.
	lib_term_wait "$_es" "$_ew" "talk: respond with:" 2
	_t=$(lib_term_text "$_es" "$_ew")
	check "$_l: banner: \"talk: connection requested by $_sf.\"" \
	    has "$_t" "talk: connection requested by $_from."
	check "$_l: banner: \"talk: respond with:  talk $_sf\"" \
	    has "$_t" "talk: respond with:  talk $_from"
	_re=$(printf '%s\n' "$_t" |
	    sed -n 's/^.*talk: respond with:  talk \([^ ]*\).*$/\1/p' | head -n 1)
	if [ -z "$_re" ]; then
		fail "$_l: callee answers as the banner says (no answer in it)"
		diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
		return
	fi
	lib_term_type "$_es" "$_ew" "$_cl $_re"
	if ! check "$_l: callee ($_cl $_sf): [Connection established]" \
	    lib_term_wait "$_es" "$_ew" "[Connection established]" $WAIT ||
	    ! check "$_l: caller: [Connection established]" \
	    lib_term_wait "$_cs" "$_cw" "[Connection established]" $WAIT
	then
		diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
		return
	fi
	LIB_SEQ=$((LIB_SEQ + 1))
	_w1="caller-says-$LIB_SEQ"
	_w2="callee-says-$LIB_SEQ"
	lib_term_keys "$_cs" "$_cw" "$_w1"
	check "$_l: caller's line reaches the callee" \
	    lib_term_wait "$_es" "$_ew" "$_w1" $WAIT ||
	    diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
	lib_term_keys "$_es" "$_ew" "$_w2"
	check "$_l: callee's line reaches the caller" \
	    lib_term_wait "$_cs" "$_cw" "$_w2" $WAIT ||
	    diag "$_log" "$_cs" "$_cw" "$_es" "$_ew"
	lib_term_reset "$_cs" "$_cw"
	lib_term_reset "$_es" "$_ew"
}

# refused LABEL CLIENT: on tklocal, B says "mesg n" and A calls him.
refused() {
	_log=$LIB_T/tklocal.log
	if ! lib_term_reset "$SL" a || ! lib_term_reset "$SL" b ||
	    ! lib_term_run "$SL" b "mesg n"; then
		fail "$1: terminals ready, mesg n"
		diag "$_log" "$SL" a "$SL" b
		return
	fi
	lib_term_type "$SL" a "$2 $B"
	check "$1: caller: [Your party is refusing messages]" \
	    lib_term_wait "$SL" a "[Your party is refusing messages]" $WAIT ||
	    diag "$_log" "$SL" a "$SL" b
	check "$1: nothing written on the refusing terminal" \
	    hasnt "$(lib_term_text "$SL" b)" "Talk_Daemon"
	lib_term_reset "$SL" a
	lib_term_run "$SL" b "mesg y"
}

# absent LABEL CLIENT USER WHY: on tklocal A calls USER, who must be
# "not logged on" and whose name must not be rung on B's pty.
absent() {
	_log=$LIB_T/tklocal.log
	if ! lib_term_reset "$SL" a || ! lib_term_reset "$SL" b; then
		fail "$1: terminals ready"
		return
	fi
	lib_term_type "$SL" a "$2 $3"
	check "$1: $4: [Your party is not logged on]" \
	    lib_term_wait "$SL" a "[Your party is not logged on]" $WAIT ||
	    diag "$_log" "$SL" a "$SL" b
	check "$1: $4: nothing written on B's terminal" \
	    hasnt "$(lib_term_text "$SL" b)" "Talk_Daemon"
	lib_term_reset "$SL" a
}

# A stale record: "nobody" on B's pty (as if the pty had been reused).
lib_utmp_add "$LIB_T/tklocal.utmp" nobody "$TTY_b_tklocal" 1
NOSUCH=tknouser
getent passwd "$NOSUCH" >/dev/null && NOSUCH=tknouser2

for c in $CLIENTS; do
	# The banner names the ANNOUNCE's source.  netkit talk sends it
	# from a socket connected to tklocal (127.0.1.1), so the source is
	# 127.0.0.1; inetutils-talk binds its socket to 127.0.1.1.
	case $c in
	netkit-ntalk)	from=localhost ;;
	*)		from=tklocal ;;
	esac
	converse "one host, $c" "$c" "$SL" a "$SL" b "$B" tklocal "$A@$from"
	refused "one host, $c, mesg n" "$c"
	absent "one host, $c" "$c" "$NOSUCH" "no such user"
	absent "one host, $c" "$c" nobody "stale utmp record"
done
if grep -qF "tty $TTY_b_tklocal of nobody: not a terminal owned by the user, skipped" \
    "$LIB_T/tklocal.log"; then
	pass "talkd skipped the stale utmp record (pty not owned by nobody)"
else
	fail "talkd skipped the stale utmp record (pty not owned by nobody)"
fi

for c in $CLIENTS; do
	converse "two hosts, $c, A@tkhost1 -> B@tkhost2" "$c" \
	    "$S1" a "$S2" b "$B@tkhost2" tkhost2 "$A@192.0.2.1"
	# inetutils-talk leaves its invitation from the address its host
	# name has (netkit talk from 127.0.0.1): local, as the source is
	# the datagram's destination.
	[ "$c" = inetutils-talk ] &&
	    check "two hosts, $c: LEAVE_INVITE from tkhost1's own 192.0.2.1 taken as local" \
	    grep -qF "LEAVE_INVITE from $A@192.0.2.1 for $B: SUCCESS" \
	    "$LIB_T/tkhost1.log"
	converse "two hosts, $c, B@tkhost2 -> A@tkhost1" "$c" \
	    "$S2" b "$S1" a "$A@tkhost1" tkhost1 "$B@tkhost2"
done

for h in tklocal tkhost1 tkhost2; do
	eval "p=\$PID_$h"
	check "talkd on $h still running" lib_alive "$p"
	bad=$(grep -E 'refus|bad request|: (FAILED|UNKNOWN_REQUEST|BADVERSION|BADADDR|BADCTLADDR)$|lost child|stopping|not a [0-9]+-byte|rate limit|dropped|sendmsg|sendto' \
	    "$LIB_T/$h.log")
	if [ -z "$bad" ]; then
		pass "talkd on $h: no request refused, failed or dropped"
	else
		fail "talkd on $h: no request refused, failed or dropped"
		note "$bad"
	fi
done
[ -n "${KEEP_LOGS:-}" ] && cp "$LIB_T"/*.log "$KEEP_LOGS"/
note "took $(($(date +%s) - START)) s"
exit 0
