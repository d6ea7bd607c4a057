# Shared shell helpers for the regress tests (sourced, POSIX sh).
# Everything a test starts is recorded by PID and stopped by PID in
# lib_cleanup; namespaces are created with unique names and removed by
# the test that made them.

LIB_PIDS=""

lib_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: $(basename "$0") (needs root)"
		return 1
	fi
}

# lib_netns_new TAG: make a namespace with loopback up; prints its name.
lib_netns_new() {
	_ns="rg-$1-$$-$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
	ip netns add "$_ns" || return 1
	ip -n "$_ns" link set lo up || { ip netns del "$_ns"; return 1; }
	echo "$_ns"
}

lib_netns_del() {
	[ -n "$1" ] && ip netns del "$1" 2>/dev/null
	return 0
}

# lib_start LOG CMD...: run CMD in the background, output to LOG; sets
# LIB_PID and remembers it for lib_cleanup.  Call it directly, not in
# $(...), so the job stays ours and `wait` can read its status.
lib_start() {
	_log=$1; shift
	"$@" >>"$_log" 2>&1 </dev/null &
	LIB_PID=$!
	LIB_PIDS="$LIB_PIDS $LIB_PID"
}

# lib_wait_log FILE PATTERN SECONDS: wait until FILE contains PATTERN.
lib_wait_log() {
	_i=0
	while [ "$_i" -lt $(($3 * 10)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# lib_child_pid PID TITLE: the descendant of PID whose argv is TITLE
# (ip netns exec leaves the daemon as PID itself: it execs).
lib_child_pid() {
	for _c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$_c/cmdline" 2>/dev/null |
		    grep -q "^$2"; then
			echo "$_c"
			return 0
		fi
	done
	return 1
}

# lib_alive PID: running and not a zombie (an orphan started from a
# command substitution may stay a zombie: PID 1 here does not reap).
lib_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case "$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null)" in
	" Z"*|"") return 1;;
	esac
	return 0
}

# lib_stop PID: SIGTERM, then SIGKILL after 3 s; waits for it.
lib_stop() {
	lib_alive "$1" || { wait "$1" 2>/dev/null; return 0; }
	kill "$1" 2>/dev/null
	_i=0
	while lib_alive "$1" && [ "$_i" -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

lib_cleanup() {
	for _p in $LIB_PIDS; do
		lib_stop "$_p"
	done
	LIB_PIDS=""
}
