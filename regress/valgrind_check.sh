#!/bin/sh
# `make valgrind-check` (on demand, not in CI): valgrind memcheck over
# what can run under it.  What ran, and what could not:
#
#  - every unit test (the parsers, the invitation table, the IPC layer
#    over real socketpairs, the banner and notice formatters): the code
#    the children run, outside their sandbox;
#  - rwhod -s (send only: the parent alone, no child) end to end: utmp,
#    terminals, load and boot time gathered and sent to a unicast peer
#    every second for a few seconds, then SIGTERM.
#
#  The children cannot run under valgrind: a child is started by
#  execv("/proc/self/exe"), which under valgrind is valgrind's own tool
#  binary, not the daemon; and a child's seccomp filter would kill
#  valgrind's own system calls anyway.  So no daemon with an engine runs
#  here; the children's code runs under ASan and UBSan in the whole
#  suite instead (make asan-check).
#
# Each line: PASS with memcheck's "definitely lost" and error counts.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind (not installed: apt-get install valgrind)"
	exit 0
fi
TMP=$(mktemp -d)
NS=""
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
VG="valgrind --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=77"

verdict() {	# what log: one line from memcheck's summary
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$2" |
	    tail -1)
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$2" |
	    tail -1)
	[ -z "$lost" ] && grep -q "All heap blocks were freed" "$2" && lost=0
	# 77: memcheck's own verdict; a unit test's FAIL under valgrind
	# (its descriptor limits differ) is the unit's business, not ours.
	if [ "$3" -ne 0 ] && [ "$3" -ne 77 ] && [ -f "$TMP/out" ]; then
		echo "# $1 exited $3 under valgrind:"
		grep '^FAIL' "$TMP/out" | sed 's/^/#   /'
	fi
	if [ "$3" -ne 77 ] && [ "$3" -lt 128 ] && [ "${lost:-x}" = 0 ] &&
	    [ "${errs:-x}" = 0 ]; then
		echo "PASS: valgrind $1: definitely lost: 0 bytes, 0 errors"
	else
		grep -E 'Invalid|uninitialised|definitely lost in|at 0x|by 0x' \
		    "$2" | head -20 | sed 's/^/# /'
		echo "FAIL: valgrind $1: exit $3, definitely lost: ${lost:-?} bytes, ${errs:-?} errors"
	fi
}

for t in unit/t_*; do
	case "$t" in *.c|*.h) continue;; esac
	[ -x "$t" ] || continue
	$VG --log-file="$TMP/vg.log" "./$t" >"$TMP/out" 2>&1
	verdict "$t" "$TMP/vg.log" $?
done

lib_require_root || exit 0
NS=$(lib_netns_new vg) || { echo "FAIL: valgrind: network namespace"; exit 0; }
: >"$TMP/rwhod.out"
lib_start "$TMP/rwhod.out" ip netns exec "$NS" $VG --log-file="$TMP/rwhod.vg" \
    ../rwhod -d -s -i 1 -H 127.0.0.1
pid=$LIB_PID
sleep 5
kill "$pid" 2>/dev/null
wait "$pid"
rc=$?
if grep -q "started" "$TMP/rwhod.out"; then
	rm -f "$TMP/out"
	verdict "rwhod -s (parent, sending for 5 s)" "$TMP/rwhod.vg" $rc
else
	sed 's/^/# /' "$TMP/rwhod.out"
	echo "FAIL: valgrind rwhod -s: did not start"
fi
