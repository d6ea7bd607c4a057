#!/bin/sh
# comsat end to end, with real programs: a mail spool in a scratch
# directory, throw-away users logged in on tmux panes (a real pty each,
# handed over as login(1) would, with a utmp record), biff(1) typed in
# the pane, and mail delivered by procmail (which sends the biff datagram
# itself) and by hand with a raw datagram of every form MDAs use.  Then
# hostile input, each refused with a log line while the daemon keeps
# serving, and the network and rate limits.
#
# Hosts (lib.sh: each its own network and UTS namespace):
#	cshost	192.0.2.1, runs comsat (loopback only, as by default)
#	csfar	192.0.2.2, a host on the same link that is not allowed
# Users: A (pane a) and B (pane b) are logged in on cshost; C is not.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

WHAT="comsat end-to-end"
COMSAT=${COMSAT:-$LIB_TOP/comsat}
WAIT=10		# seconds for any one thing to appear

lib_is_root || { skip "$WHAT" "needs root"; exit 0; }
miss=$(lib_missing tmux unshare nsenter setpriv ip useradd userdel ps \
    biff procmail mkfifo install)
[ -z "$miss" ] || { skip "$WHAT" "missing: ${miss% }"; exit 0; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) ||
    { skip "$WHAT" "missing: python3"; exit 0; }
getent passwd _comsat >/dev/null && [ -d /var/empty ] ||
    { skip "$WHAT" "no _comsat account: sh regress/setup-accounts.sh"; exit 0; }
if [ ! -x "$COMSAT" ]; then
	fail "$WHAT: $COMSAT is built (run make)"
	exit 0
fi
lib_isolate "$@" ||
    { skip "$WHAT" "cannot make namespaces here (unshare failed)"; exit 0; }

START=$(date +%s)
for u in A B C; do
	if ! lib_user "cs$(echo $u | tr ABC abc)"; then
		fail "$WHAT: create the test accounts"
		exit 0
	fi
	eval "$u=\$LIB_USER"
done
lib_hosts "192.0.2.1	cshost" "192.0.2.2	csfar"
if ! lib_host cshost || ! lib_host csfar ||
    ! lib_link cshost 192.0.2.1/24 csfar 192.0.2.2/24; then
	fail "$WHAT: set up the hosts (namespaces, veth)"
	exit 0
fi

# The spool: root's, sticky, as old /var/mail (procmail locks there).
SPOOL=$LIB_T/spool
UT=$LIB_T/utmp
LOG=$LIB_T/comsat.log
S=$LIB_T/tmux.sock
mkdir -m 1777 "$SPOOL" && : >"$UT" && chmod 0644 "$UT"
for u in "$A" "$B" "$C"; do
	install -m 0600 -o "$u" -g "$(id -g "$u")" /dev/null "$SPOOL/$u"
done
# A's home, for -H: a directory of A's own.
HOMEA=$LIB_T/home-a
install -d -m 0700 -o "$A" -g "$(id -g "$A")" "$HOMEA"
usermod -d "$HOMEA" "$A" || { fail "$WHAT: give A a home"; exit 0; }

# send HOST ADDR PORT PAYLOAD [COUNT]: PAYLOAD in Python escapes
# (\n, \x00, ...), sent COUNT times (default once) from HOST.
cat >"$LIB_T/send.py" <<'EOF'
import codecs, socket, sys
addr, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
data = codecs.escape_decode(payload.encode())[0]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(min(count, 2000)):
    s.sendto(data, (addr, port))
EOF
send() { lib_on_host "$1" "$PY" "$LIB_T/send.py" "$2" "$3" "$4" ${5:-}; }
local_send() { send cshost 127.0.0.1 512 "$@"; }

# deliver USER FILE: append a message (stdin) to FILE as USER's MDA
# would; prints the offset it starts at.
deliver() {
	_off=$(stat -c %s "$2")
	cat >>"$2"
	echo "$_off"
}

# message SUBJECT [BODY...]: an mbox message from "One".
message() {
	_s=$1; shift
	printf 'From one@example.org Mon Jan  1 00:00:00 2024\n'
	printf 'Return-Path: <one@example.org>\n'
	printf 'Received: from mx.example.org by cshost; Mon, 1 Jan 2024\n'
	printf 'From: Sender One <one@example.org>\nTo: someone\n'
	printf 'Subject: %s\nMessage-ID: <%s@example.org>\n\n' "$_s" "$$"
	[ $# -gt 0 ] || set -- "Body line one." "Body line two."
	printf '%s\n' "$@"
	printf '\n'
}

# shown WINDOW: the last notice in the pane, to its end, without the
# blank lines after it.
shown() {
	lib_term_text "$S" "$1" | awk '
	    /New mail for / { n = 0; seen = 1 }
	    seen { l[n++] = $0 }
	    END {
		while (n > 0 && l[n - 1] ~ /^[ \t]*$/) n--
		for (i = 0; i < n; i++) print l[i]
	    }'
}

# expect WINDOW WHAT SUBJECT LINE...: the pane shows this notice, exactly
# (A's, with From: One, Subject: SUBJECT and these body lines).
expect() {
	_w=$1 _what=$2 _subj=$3; shift 3
	_u=$A
	[ "$_w" = b ] && _u=$B
	_want=$(printf '%s\n' "New mail for $_u@cshost has arrived:" "----" \
	    "From: Sender One <one@example.org>" "Subject: $_subj" "$@")
	if ! lib_term_wait "$S" "$_w" "Subject: $_subj" $WAIT; then
		fail "$_what: notice shown"
		lib_term_note "$S" "$_w"
		tail -n 5 "$LOG" | note "$(cat)"
		return 1
	fi
	sleep 0.2	# the rest of the single write
	_got=$(shown "$_w")
	if [ "$_got" = "$_want" ]; then
		pass "$_what: notice shown exactly"
	else
		fail "$_what: notice shown exactly"
		note "want:" "$_want" "got:" "$_got"
	fi
}

# logged WHAT STRING CMD...: run CMD; the log gains a line with STRING.
logged() {
	_what=$1 _str=$2; shift 2
	_n=$(grep -cF -- "$_str" "$LOG")
	"$@"
	_i=0
	while [ "$(grep -cF -- "$_str" "$LOG")" -le "$_n" ] && [ $_i -lt 50 ]
	do
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ "$(grep -cF -- "$_str" "$LOG")" -gt "$_n" ]; then
		pass "$_what"
	else
		fail "$_what (no log line \"$_str\")"
		tail -n 5 "$LOG" | note "$(cat)"
	fi
}

# nothing WINDOW WHAT: no notice appeared on the pane since its reset.
nothing() {
	if lib_term_text "$S" "$1" | grep -q "New mail for"; then
		fail "$2: nothing written on the terminal"
		lib_term_note "$S" "$1"
	else
		pass "$2: nothing written on the terminal"
	fi
}

reset() {
	lib_term_reset "$S" a && lib_term_reset "$S" b ||
	    { fail "$WHAT: terminals ready"; exit 0; }
}

# ---- start ----------------------------------------------------------

lib_spawn_on cshost "$LOG" "$COMSAT" -d -a 0.0.0.0 -U "$UT" -m "$SPOOL" \
    -H -R 0
PID=$LIB_PID
check "comsat started (own socket, -m spool, -U utmp)" \
    lib_wait_file "$LOG" "engine: engine ready" 10 || exit 0
ENGINE=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | tr -d ' ')
if ! lib_term_server cshost "$S"; then
	fail "$WHAT: tmux server"
	exit 0
fi
for w in a b; do
	eval "u=\$$(echo $w | tr ab AB)"
	if ! lib_term_new "$S" "$w" "$u" "$UT"; then
		fail "$WHAT: a terminal for $w"
		exit 0
	fi
	eval "TTY_$w=$LIB_TTY"
	lib_term_shell "$S" "$w" 10
done
# Every byte written to pane a, for the checks on raw output.
RAW=$LIB_T/raw-a
tmux -S "$S" pipe-pane -o -t main:a "cat >>$RAW"

# ---- biff y / biff n, typed in the panes ---------------------------

reset
lib_term_run "$S" a "biff y" && lib_term_run "$S" b "biff n"
mode_a=$(stat -c %a "/dev/$TTY_a")
mode_b=$(stat -c %a "/dev/$TTY_b")
check "biff y sets the owner-execute bit ($mode_a)" [ "$mode_a" = 720 ]
check "biff n leaves it clear ($mode_b)" [ "$mode_b" = 620 ]

# ---- delivery: procmail, and each raw datagram form ----------------

reset
cat >"$LIB_T/procmailrc" <<EOF
COMSAT=yes
DEFAULT=$SPOOL/$A
EOF
message "by procmail" | lib_on_host cshost setpriv --reuid="$A" \
    --regid="$(id -g "$A")" --init-groups env -i HOME=/ LOGNAME="$A" \
    PATH=/usr/bin:/bin procmail "$LIB_T/procmailrc"
expect a "procmail delivery (procmail sends user@offset:mailbox)" \
    "by procmail" "Body line one." "Body line two." "----"

reset
off=$(message "form user@off newline" | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "datagram user@offset\\n" "form user@off newline" \
    "Body line one." "Body line two." "----"

reset
off=$(message "form user@off:mailbox" | deliver "$A" "$SPOOL/$A")
local_send "$A@$off:$SPOOL/$A"
expect a "datagram user@offset:mailbox" "form user@off:mailbox" \
    "Body line one." "Body line two." "----"

reset
off=$(message "form user@off NUL" | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\x00"
expect a "datagram user@offset\\0 (Postfix)" "form user@off NUL" \
    "Body line one." "Body line two." "----"

reset
install -d -m 0700 -o "$A" -g "$(id -g "$A")" "$HOMEA/Mail"
install -m 0600 -o "$A" -g "$(id -g "$A")" /dev/null "$HOMEA/Mail/lists"
off=$(message "in the home, -H" | deliver "$A" "$HOMEA/Mail/lists")
local_send "$A@$off:$HOMEA/Mail/lists\\n"
expect a "datagram user@offset:mailbox in the user's home (-H)" \
    "in the home, -H" "Body line one." "Body line two." "----"

# Many lines: 7 in all, then ...more... as BSD.
reset
off=$(message "long one" 1 2 3 4 5 6 7 8 | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "long message: 7 lines, then ...more..." "long one" \
    1 2 3 4 5 "...more..."

# The line end follows the terminal's output flags, read by the parent.
reset
lib_term_run "$S" a "stty -onlcr"
off=$(message "raw terminal" | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "terminal with -onlcr" "raw terminal" "Body line one." \
    "Body line two." "----"
lib_term_run "$S" a "stty onlcr"
check "terminal with -onlcr gets CR LF line ends" "$PY" -c '
import sys
raw = open(sys.argv[1], "rb").read()
n = raw[raw.rindex(b"New mail for"):]
n = n[:n.index(b"Body line two.") + 40]
sys.exit(0 if b"arrived:\r\n----\r\n" in n and b"two.\r\n----\r\n" in n else 1)
' "$RAW"
# (What tmux reads has been through ONLCR: a CR LF we wrote would
# arrive as CR CR LF.)
check "terminal with onlcr gets LF line ends" "$PY" -c '
import sys
raw = open(sys.argv[1], "rb").read()
i = raw.rindex(b"form user@off NUL")
n = raw[i - 100:i + 60]
sys.exit(0 if b"form user@off NUL\r\nBody line one.\r\n" in n and
    b"\r\r\n" not in n else 1)
' "$RAW"

# UTF-8 only to a terminal that says it takes it (IUTF8).
reset
off=$(message "=?UTF-8?B?w6l0w6k=?= et =?iso-8859-1?Q?caf=E9?=" |
    deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "MIME encoded-words, UTF-8 terminal" "été et café" \
    "Body line one." "Body line two." "----"
reset
lib_term_run "$S" a "stty -iutf8"
off=$(message "=?UTF-8?B?w6l0w6k=?= et =?iso-8859-1?Q?caf=E9?=" |
    deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "MIME encoded-words, terminal without IUTF8" "?t? et caf?" \
    "Body line one." "Body line two." "----"
lib_term_run "$S" a "stty iutf8"

# ---- nobody to tell ------------------------------------------------

reset
off=$(message "for B" | deliver "$B" "$SPOOL/$B")
logged "biff n: logged" "mail for $B: biff n on every terminal" \
    local_send "$B@$off\\n"
nothing b "biff n"
off=$(message "for C" | deliver "$C" "$SPOOL/$C")
logged "user not logged in: logged" "mail for $C: not logged in" \
    local_send "$C@$off\\n"
# A stale record: C on A's pty (as if the pty had been reused).
lib_utmp_add "$UT" "$C" "$TTY_a" 1
logged "utmp record of C on A's pty: skipped, logged" \
    "tty $TTY_a of $C: not a terminal owned by the user, skipped" \
    local_send "$C@$off\\n"
nothing a "mail for C while C's utmp record names A's pty"

# ---- hostile datagrams ---------------------------------------------

reset
off=$(message "hostile base" | deliver "$A" "$SPOOL/$A")
size=$(stat -c %s "$SPOOL/$A")
hostile() {	# WHAT LOG-STRING PAYLOAD
	# Refusals are logged at most 10 a second: stay below that.
	sleep 0.12
	logged "hostile: $1: refused and logged" "$2" local_send "$3"
}
hostile "negative offset" "offset is not a decimal number" "$A@-1\\n"
hostile "huge offset" "offset too large" "$A@99999999999999999999999\\n"
hostile "offset past LLONG_MAX" "offset too large" \
    "$A@9223372036854775808\\n"
hostile "offset past the end" "offset $((size + 10)) not inside" \
    "$A@$((size + 10))\\n"
hostile "offset at the end" "offset $size not inside" "$A@$size\\n"
hostile "non-numeric offset" "offset is not a decimal number" "$A@abc\\n"
hostile "no offset" "no offset" "$A@\\n"
hostile "unknown user" "mail for csnosuchuser: no such user" \
    "csnosuchuser@0\\n"
hostile "user name with /" "bad user name" "../../etc/passwd@0\\n"
hostile "user name with ESC" "control or non-ASCII byte" "a\\x1b[2J@0\\n"
hostile "NUL inside" "control or non-ASCII byte" "$A\\x00@0\\n"
hostile "two requests in one" "control or non-ASCII byte" \
    "$A@0\\n$A@0\\n"
hostile "1200-byte datagram" "datagram too long" "$A@0:/$(printf \
    '%01200d' 0)"
hostile "empty datagram" "empty datagram" ""

ln -s "$SPOOL/$A" "$SPOOL/$A.lnk"
hostile ":mailbox a symbolic link" \
    "mailbox $SPOOL/$A.lnk: a symbolic link" "$A@$off:$SPOOL/$A.lnk\\n"
hostile "relative :mailbox a symbolic link" \
    "mailbox $A.lnk: a symbolic link" "$A@$off:$A.lnk\\n"
mkdir -m 0755 "$SPOOL/d" && ln -s /etc "$SPOOL/d/etc"
hostile ":mailbox through a symbolic link to /etc" \
    "mailbox $SPOOL/d/etc/shadow: Too many levels of symbolic links" \
    "$A@0:$SPOOL/d/etc/shadow\\n"
mkfifo -m 0600 "$SPOOL/$A.fifo" && chown "$A" "$SPOOL/$A.fifo"
hostile ":mailbox a FIFO" "mailbox $SPOOL/$A.fifo: not a regular file" \
    "$A@0:$SPOOL/$A.fifo\\n"
hostile ":mailbox another user's" \
    "mailbox $SPOOL/$B: not owned by the user" "$A@0:$SPOOL/$B\\n"
ln "$SPOOL/$B" "$SPOOL/$A.evil"
hostile ":mailbox a hard link to another user's" \
    "mailbox $SPOOL/$A.evil: not owned by the user" "$A@0:$SPOOL/$A.evil\\n"
rm -f "$SPOOL/$A.evil"
ln "$SPOOL/$A" "$SPOOL/$A.hl"
hostile ":mailbox hard-linked (2 links)" \
    "mailbox $SPOOL/$A.hl: has more than one link" "$A@$off:$SPOOL/$A.hl\\n"
hostile "own mailbox while hard-linked" \
    "mailbox in the spool: has more than one link" "$A@$off\\n"
rm -f "$SPOOL/$A.hl"
hostile ":mailbox /etc/shadow" \
    "mailbox /etc/shadow: outside the mail spool and the user's home" \
    "$A@0:/etc/shadow\\n"
hostile ":mailbox .. out of the spool" \
    "mailbox $SPOOL/../../../etc/shadow: Invalid cross-device link" \
    "$A@0:$SPOOL/../../../etc/shadow\\n"
hostile "relative :mailbox .. out of the spool" \
    "mailbox ../../../etc/passwd: Invalid cross-device link" \
    "$A@0:../../../etc/passwd\\n"
hostile ":mailbox B's, through A's home" \
    "mailbox $HOMEA/../spool/$B: Invalid cross-device link" \
    "$A@0:$HOMEA/../spool/$B\\n"
lib_term_run "$S" b "biff y"
hostile ":mailbox in B's home (/ is root's, not B's)" \
    "mailbox /etc/passwd: home directory missing or not the user's" \
    "$B@0:/etc/passwd\\n"
lib_term_run "$S" b "biff n"
nothing a "every hostile datagram"

# Mail that tries to take over the terminal.
lib_term_reset "$S" a || { fail "$WHAT: terminal ready"; exit 0; }
MARK=DONE$LIB_SEQ
tmux -S "$S" select-pane -t main:a -T clean
off=$( {
	printf 'From x Mon Jan  1 00:00:00 2024\n'
	printf 'From: Mallory <m@example.org> \033]2;pwned\007\n'
	printf 'Subject: \033[2J\233H \033[5n =?utf-8?Q?=1B[H=1B[2J?= nul:\000:\n'
	printf '\n'
	printf 'red \033[31mRED\033[0m ctl:\000\001\177: csi:\302\233: '
	printf 'bidi:\342\200\256:\n'
	printf '%03000d\n' 0
    } | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
if lib_term_wait "$S" a "Subject: " $WAIT; then
	sleep 0.3
	got=$(shown a)
	want=$(printf '%s\n' "New mail for $A@cshost has arrived:" "----" \
	    "From: Mallory <m@example.org> ^[]2;pwned^G" \
	    "Subject: ^[[2JM-^[H ^[[5n ^[[H^[[2J nul:^@:" \
	    "red ^[[31mRED^[[0m ctl:^@^A^?: csi:M-^[: bidi:<U+202E>:")
	case $got in
	"$want"*"...more...")
		pass "escapes in headers and body: shown made safe" ;;
	*)	fail "escapes in headers and body: shown made safe"
		note "want:" "$want" "(0s, then ...more...)" "got:" "$got" ;;
	esac
	check "escapes: the pane title was not changed" \
	    [ "$(tmux -S "$S" display-message -p -t main:a '#{pane_title}')" = clean ]
	check "escapes: the screen was not cleared (earlier output still there)" \
	    lib_term_wait "$S" a "$MARK" 1
	check "escapes: no ESC, CSI, BEL (but ours), NUL, DEL reached the tty" \
	    "$PY" -c '
import sys
raw = open(sys.argv[1], "rb").read()
n = raw[raw.rindex(b"\aNew mail for"):]
n = n[1:n.index(b"...more...")]
bad = [c for c in (0x1b, 0x9b, 0x07, 0x00, 0x7f, 0x01) if bytes([c]) in n]
sys.exit(1 if bad else 0)
' "$RAW"
	line=$(shown a | awk 'length($0) > 100 { print length($0) }')
	check "overlong body line cut (560 characters in all: $line)" \
	    [ -n "$line" ] && [ "$line" -le 560 ]
else
	fail "escapes in headers and body: notice shown"
	lib_term_note "$S" a
fi

# ---- networks and rates --------------------------------------------

logged "datagram from a network not allowed (192.0.2.2): dropped, logged" \
    "datagram from 192.0.2.2: network not allowed, dropped" \
    send csfar 192.0.2.1 512 "$A@0\\n"
# A second daemon that admits csfar (-A), with 2 notices a minute each.
LOG2=$LIB_T/comsat2.log
lib_spawn_on cshost "$LOG2" "$COMSAT" -d -a 0.0.0.0:5120 -A 192.0.2.2/32 \
    -U "$UT" -m "$SPOOL" -R 2 -c /var/empty
PID2=$LIB_PID
lib_wait_file "$LOG2" "engine: engine ready" 10
reset
off=$(message "from csfar" | deliver "$A" "$SPOOL/$A")
send csfar 192.0.2.1 5120 "$A@$off\\n"
expect a "datagram from an allowed network (-A 192.0.2.2/32)" \
    "from csfar" "Body line one." "Body line two." "----"
LOG_SAVE=$LOG
LOG=$LOG2
logged "per-user rate (-R 2): third notice in a minute refused, logged" \
    "mail for $A: over 2 notices/min, not shown" \
    send cshost 127.0.0.1 5120 "$A@$off\\n" 3
LOG=$LOG_SAVE
lib_stop "$PID2"
sleep 0.5	# the second notice may follow the refusals
if [ "$(tmux -S "$S" capture-pane -p -t main:a | grep -c 'New mail for')" -eq 2 ]
then
	pass "per-user rate: two notices shown, no more"
else
	fail "per-user rate: two notices shown, no more"
	lib_term_note "$S" a
fi

# A flood of 1500 datagrams, all for unknown users: dropped over 50/s.
nlog=$(wc -l <"$LOG")
logged "flood: datagrams over 50/s dropped, logged" "datagrams/s, dropped" \
    local_send "csnosuchuser@0\\n" 1500
sleep 1.2
nlog=$(($(wc -l <"$LOG") - nlog))
check "flood: log lines bounded ($nlog for 1500 datagrams)" [ "$nlog" -lt 100 ]

# ---- still serving --------------------------------------------------

reset
off=$(message "after all that" | deliver "$A" "$SPOOL/$A")
local_send "$A@$off\\n"
expect a "after the hostile input: still serving" "after all that" \
    "Body line one." "Body line two." "----"
check "daemon still running" lib_alive "$PID"
check "engine is still the first one (pid $ENGINE)" \
    [ "$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | tr -d ' ')" = "$ENGINE" ]
bad=$(grep -E 'lost child|bad message|stopping|fatal|malformed' "$LOG")
if [ -z "$bad" ]; then
	pass "no child lost, no bad message"
else
	fail "no child lost, no bad message"
	note "$bad"
fi
[ -n "${KEEP_LOGS:-}" ] && cp "$LIB_T"/*.log "$KEEP_LOGS"/
note "took $(($(date +%s) - START)) s"
exit 0
