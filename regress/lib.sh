# Shared helpers for the end-to-end tests (POSIX sh; sourced, not run):
#
#	cd "$(dirname "$0")" || exit 1
#	. ./lib.sh
#
# Output: one line per check, "PASS: what", "FAIL: what" or
# "SKIP: what (why)" (regress/run.sh counts them); anything else a test
# prints starts with "# ".  A test exits 0 once it has printed its
# verdicts.
#
# Isolation.  lib_isolate re-executes the calling script with bash as
# PID 1 of new mount, PID, UTS and network namespaces, with a private
# tmpfs on /run that holds the scratch directory $LIB_T.  So the real
# /run (utmp, netns), /etc/hosts (lib_hosts bind-mounts over it in the
# private namespace), the host name and the host's network are never
# touched, and when the script ends, however it ends, the kernel kills
# whatever it left running and the tmpfs goes away.  What lives outside
# (accounts from lib_user) is undone by the exit handlers (lib_atexit),
# or, if the run was killed, by the next run's lib_isolate.
#
# A "host" (lib_host) is a sleeping process in its own network and UTS
# namespaces: loopback up, its own host name; lib_link joins two with a
# veth pair.  Commands run in it with lib_on_host / lib_spawn_on.
#
# Terminals (lib_term_*) are tmux panes: real ptys, each pane a shell as
# a test user on a pty handed to that user as login(1) would (owner,
# group tty, mode 0620), with a USER_PROCESS utmp record (lib_utmp_add).
#
# Every wait is bounded; everything started is stopped by PID.

# Source it from the regress directory (the test cd's there first).
. ./lib_core.sh
LIB_DIR=$(pwd)
LIB_TOP=$(dirname -- "$LIB_DIR")
LIB_GECOS="regress throw-away account"
LIB_ATEXIT=""
LIB_SEQ=0
LIB_PID=""
LIB_T=""

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
skip() { echo "SKIP: $1 ($2)"; }		# skip what why

# note LINE...: diagnostics, every line prefixed with "# ".
note() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# check WHAT CMD...: PASS or FAIL on CMD's status; returns it.
check() {
	_what=$1; shift
	if "$@"; then pass "$_what"; return 0; fi
	fail "$_what"
	return 1
}

lib_is_root() { [ "$(id -u)" -eq 0 ]; }

# lib_missing CMD...: prints the commands not found (nothing if all are).
lib_missing() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || printf '%s ' "$_c"
	done
}

# lib_python: a system python3 (root's PATH may start with a shim).
lib_python() {
	if [ -x /usr/bin/python3 ]; then /usr/bin/python3 "$@"
	else python3 "$@"; fi
}

# ---- exit handlers -------------------------------------------------

# lib_atexit CMD: run CMD (eval'd) at exit; the last registered runs
# first.  lib_isolate installs the handler.
lib_atexit() {
	LIB_ATEXIT="$1
$LIB_ATEXIT"
}

lib_run_atexit() {
	trap - EXIT HUP INT TERM
	set +e
	_todo=$LIB_ATEXIT
	LIB_ATEXIT=""
	_ifs=$IFS
	IFS='
'
	set -f
	for _cmd in $_todo; do
		IFS=$_ifs
		eval "$_cmd"
	done
	set +f
	IFS=$_ifs
}

# lib_alive and lib_stop come from lib_core.sh.

# ---- isolation -----------------------------------------------------

LIB_UNSHARE="unshare --mount --pid --uts --net --fork --kill-child \
--mount-proc --propagation private"

# lib_isolate "$@": from the top of a test, before anything else runs.
# Runs the script again, isolated (see above), waits for it and exits
# with its status; the isolated copy returns from here with $LIB_T ready
# and the exit handler installed.  Returns 1 (the caller prints its
# SKIP) if namespaces cannot be made here.
lib_isolate() {
	if [ "${LIB_ISOLATED:-}" != 1 ] || [ "$$" -ne 1 ]; then
		command -v unshare >/dev/null 2>&1 || return 1
		command -v bash >/dev/null 2>&1 || return 1
		$LIB_UNSHARE true 2>/dev/null || return 1
		lib_sweep_users
		# This PID names the run (lib_user).
		LIB_RUN=$$ LIB_ISOLATED=1 $LIB_UNSHARE -- \
		    bash "$LIB_DIR/${0##*/}" "$@" &
		_up=$!
		# unshare ignores these: pass them to the copy (its PID 1).
		trap 'kill -TERM $(cat /proc/$_up/task/$_up/children \
		    2>/dev/null) 2>/dev/null' HUP INT TERM
		while :; do
			wait "$_up"
			_rc=$?
			kill -0 "$_up" 2>/dev/null || break
		done
		# Whatever the copy could not remove (it was killed).
		lib_sweep_users $$
		exit "$_rc"
	fi
	trap lib_run_atexit EXIT
	trap 'fail "${0##*/}: interrupted by a signal"; exit 1' HUP INT TERM
	hostname regress-top || return 1
	ip link set lo up || return 1
	mount -t tmpfs -o mode=0755,size=64m regress-run /run || return 1
	LIB_T=/run/regress
	mkdir -m 0755 "$LIB_T" || return 1
	unset TMUX TMUX_PANE
	return 0
}

# lib_hosts LINE...: /etc/hosts (in our mount namespace only) becomes
# "127.0.0.1 localhost" and these lines.
lib_hosts() {
	{ echo "127.0.0.1	localhost"; printf '%s\n' "$@"; } >"$LIB_T/hosts"
	mount --bind "$LIB_T/hosts" /etc/hosts
}

# ---- hosts ---------------------------------------------------------

# lib_host NAME: a new host named NAME ([A-Za-z0-9]).
lib_host() {
	unshare --net --uts -- sleep 86400 </dev/null >/dev/null 2>&1 &
	_hp=$!
	lib_atexit "lib_stop $_hp"
	# Only once it runs sleep has it left our namespaces.
	_i=0
	while [ "$(cat "/proc/$_hp/comm" 2>/dev/null)" != sleep ]; do
		[ "$_i" -lt 50 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(readlink "/proc/$_hp/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] &&
	    [ "$(readlink "/proc/$_hp/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
	    return 1
	nsenter -t "$_hp" -u hostname "$1" || return 1
	nsenter -t "$_hp" -n ip link set lo up || return 1
	eval "LIB_HOST_$1=$_hp"
}

lib_host_pid() { eval "echo \"\${LIB_HOST_$1:-}\""; }

# lib_on_host HOST CMD...: run CMD in HOST's network and UTS namespaces.
lib_on_host() {
	_hp=$(lib_host_pid "$1"); shift
	[ -n "$_hp" ] || return 1
	nsenter -t "$_hp" -n -u -- "$@"
}

# lib_spawn_on HOST LOG CMD...: start CMD in HOST in the background,
# output appended to LOG; sets LIB_PID (nsenter execs CMD, so that is
# CMD's PID) and stops it at exit.  Not in $(...): LIB_PID would be lost.
lib_spawn_on() {
	_hp=$(lib_host_pid "$1"); _log=$2; shift 2
	[ -n "$_hp" ] || return 1
	nsenter -t "$_hp" -n -u -- "$@" </dev/null >>"$_log" 2>&1 &
	LIB_PID=$!
	lib_atexit "lib_stop $LIB_PID"
}

# lib_link HOST1 ADDR1/LEN HOST2 ADDR2/LEN: a veth pair between them.
lib_link() {
	_p1=$(lib_host_pid "$1"); _p2=$(lib_host_pid "$3")
	nsenter -t "$_p1" -n ip link add "to$3" type veth \
	    peer name "to$1" netns "$_p2" || return 1
	nsenter -t "$_p1" -n ip addr add "$2" dev "to$3" &&
	nsenter -t "$_p1" -n ip link set "to$3" up &&
	nsenter -t "$_p2" -n ip addr add "$4" dev "to$1" &&
	nsenter -t "$_p2" -n ip link set "to$1" up
}

# lib_wait_file FILE STRING SECONDS: until FILE contains STRING.
lib_wait_file() {
	_i=0
	while [ "$_i" -lt $(($3 * 10)) ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ---- accounts, utmp, terminals --------------------------------------

# lib_user PREFIX: a new login account, PREFIX and 4 random hex digits
# (so runs at the same time do not share one), removed at exit; sets
# LIB_USER.  Its GECOS names the run, so lib_isolate can remove what a
# killed run left behind.
lib_user() {
	_i=0
	while [ "$_i" -lt 5 ]; do
		_u=$1$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
		if ! getent passwd "$_u" >/dev/null &&
		    ! getent group "$_u" >/dev/null; then
			useradd -M -U -d / -s /bin/sh \
			    -c "$LIB_GECOS, run ${LIB_RUN:-0}" "$_u" || return 1
			lib_atexit "lib_user_del $_u"
			LIB_USER=$_u
			return 0
		fi
		_i=$((_i + 1))
	done
	return 1
}

lib_user_del() {
	# userdel refuses while the user has processes; they are ending.
	_i=0
	while ps -o pid= -u "$1" >/dev/null 2>&1 && [ "$_i" -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	userdel "$1" || note "userdel $1 failed"
}

# lib_sweep_users [RUN]: remove the accounts of runs that are gone, and
# those of RUN.  Outside the namespaces only: a run is named by the PID
# its test has there.
lib_sweep_users() {
	getent passwd | while IFS=: read -r _n _x _x _x _g _x; do
		case $_g in
		"$LIB_GECOS, run "*)
			if [ "${_g##* }" = "${1:-}" ] ||
			    ! kill -0 "${_g##* }" 2>/dev/null; then
				userdel "$_n" >/dev/null 2>&1
			fi
			;;
		esac
	done
}

# lib_utmp_add FILE USER LINE PID [HOST]: append a USER_PROCESS record
# (glibc x86-64/i386/arm64 struct utmpx, 384 bytes, time now).  With
# LIB_LOGINS=logind, a systemd-logind session instead (lib_logind_add),
# so a test runs as on a host without utmp (t_logind_comsat.sh).
lib_utmp_add() {
	if [ "${LIB_LOGINS:-}" = logind ]; then
		lib_logind_add "$2" "$3" "$4"
		return
	fi
	lib_python - "$@" <<'EOF'
import struct, sys, time
path, user, line, pid = sys.argv[1:5]
host = sys.argv[5] if len(sys.argv) > 5 else ""
now = time.time()
rec = struct.pack("<hhi32s4s32s256shhiii4i20s",
    7, 0, int(pid),                     # USER_PROCESS, ut_pid
    line.encode(), line.encode()[-4:],  # ut_line, ut_id
    user.encode(), host.encode(),
    0, 0, 0,                            # ut_exit, ut_session
    int(now), int(now % 1 * 1e6),       # ut_tv
    0, 0, 0, 0, b"")                    # ut_addr_v6, unused
assert len(rec) == 384
with open(path, "ab") as f:
    f.write(rec)
EOF
}

# lib_logind_add USER LINE PID: a session file as systemd-logind writes
# it, under our private /run only (isolated: see lib_isolate), where
# sd-login(3) in the daemons finds it.
lib_logind_add() {
	[ "${LIB_ISOLATED:-}" = 1 ] && [ "$$" -eq 1 ] || return 1
	_uid=$(id -u "$1") || return 1
	_sid=rg$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	mkdir -p /run/systemd/sessions &&
	    printf '%s\n' "UID=$_uid" "USER=$1" "ACTIVE=1" "STATE=active" \
	    "TYPE=tty" "CLASS=user" "TTY=$2" "LEADER=$3" \
	    "REALTIME=$(date +%s)000000" >"/run/systemd/sessions/.$_sid" &&
	    mv "/run/systemd/sessions/.$_sid" "/run/systemd/sessions/$_sid"
}

# lib_tty_give USER /dev/pts/N: as login(1) leaves a terminal.
lib_tty_give() {
	chown "$1:tty" "$2" && chmod 0620 "$2"
}

# lib_term_server HOST SOCKET: a tmux server in HOST (its panes share
# HOST's network and host name), stopped at exit.
lib_term_server() {
	lib_on_host "$1" tmux -f /dev/null -S "$2" new-session -d -s main \
	    -x 120 -y 36 -n idle "exec sleep 86400" </dev/null || return 1
	_sp=$(tmux -S "$2" display-message -p '#{pid}') || return 1
	lib_atexit "lib_stop $_sp"
	# Full-screen programs draw on the normal screen, so what they
	# leave there can still be read after they exit.
	tmux -S "$2" set-option -g alternate-screen off
	tmux -S "$2" set-option -g remain-on-exit off
}

# lib_term_new SOCKET WINDOW USER UTMP: a window running /bin/sh as
# USER on a new pty given to USER and recorded in UTMP; sets LIB_TTY
# (e.g. pts/3) and LIB_PID (the shell).
lib_term_new() {
	_gid=$(id -g "$3") || return 1
	_info=$(tmux -S "$1" new-window -d -P -F '#{pane_tty} #{pane_pid}' \
	    -t main -n "$2" -c / "exec setpriv --reuid=$3 --regid=$_gid \
--init-groups env -i HOME=/ PATH=/usr/bin:/bin TERM=screen LANG=C \
USER=$3 LOGNAME=$3 SHELL=/bin/sh PS1='\$ ' /bin/sh") || return 1
	set -- "$@" $_info
	LIB_TTY=${5#/dev/}
	LIB_PID=$6
	lib_tty_give "$3" "$5" || return 1
	lib_utmp_add "$4" "$3" "$LIB_TTY" "$LIB_PID"
}

# lib_term_type SOCKET WINDOW TEXT: type TEXT and Enter.
lib_term_type() {
	tmux -S "$1" send-keys -t "main:$2" -l "$3" &&
	    tmux -S "$1" send-keys -t "main:$2" Enter
}

# lib_term_keys SOCKET WINDOW TEXT: type TEXT, no Enter.
lib_term_keys() { tmux -S "$1" send-keys -t "main:$2" -l "$3"; }

# lib_term_text SOCKET WINDOW: what the pane shows now.
lib_term_text() { tmux -S "$1" capture-pane -p -J -t "main:$2"; }

# lib_term_wait SOCKET WINDOW STRING SECONDS: until the pane shows
# STRING (a fixed string).
lib_term_wait() {
	_i=0
	while [ "$_i" -lt $(($4 * 5)) ]; do
		lib_term_text "$1" "$2" | grep -qF -- "$3" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# lib_term_shell SOCKET WINDOW SECONDS: until the shell is in front.
lib_term_shell() {
	_i=0
	while [ "$_i" -lt $(($3 * 10)) ]; do
		[ "$(tmux -S "$1" display-message -p -t "main:$2" \
		    '#{pane_current_command}')" = sh ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# lib_term_run SOCKET WINDOW CMD: type CMD at the shell and wait (10 s
# at most) until it has finished.
lib_term_run() {
	LIB_SEQ=$((LIB_SEQ + 1))
	# The marker is printed, not echoed: the typed line lacks it.
	lib_term_type "$1" "$2" "$3; printf '%s%s\\n' DONE $LIB_SEQ" &&
	    lib_term_wait "$1" "$2" "DONE$LIB_SEQ" 10
}

# lib_term_reset SOCKET WINDOW: interrupt what runs, wait for the
# shell, clear the screen.
lib_term_reset() {
	# Set-up, not a check: on a loaded machine a keystroke can be lost,
	# so try a second time before giving up.
	for _try in 1 2; do
		tmux -S "$1" send-keys -t "main:$2" C-c
		lib_term_shell "$1" "$2" 10 &&
		    lib_term_run "$1" "$2" clear &&
		    tmux -S "$1" clear-history -t "main:$2" && return 0
	done
	return 1
}

# lib_term_note SOCKET WINDOW: the pane's text as diagnostics.
lib_term_note() {
	note "--- terminal $2 (blank lines left out):"
	lib_term_text "$1" "$2" | sed '/^[[:space:]]*$/d; s/^/#   | /'
}
