#!/bin/sh
# Run every test: the unit binaries, then each t_*.sh script.  A test
# prints "PASS: what", "FAIL: what" or "SKIP: what (why)" per check; this
# runner counts them.  A script that dies without printing a verdict
# counts as one failure.  The last line is the summary CI reads.
cd "$(dirname "$0")" || exit 1
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() {
	name=$1; shift
	echo "== $name"
	"$@" >"$out.1" 2>&1
	rc=$?
	cat "$out.1"
	cat "$out.1" >>"$out"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$out.1"; then
		echo "FAIL: $name exited with status $rc" | tee -a "$out"
	fi
	rm -f "$out.1"
}

for t in unit/t_*; do
	case "$t" in *.c|*.h) continue;; esac
	[ -x "$t" ] && run "$t" "./$t"
done
for t in ${TESTS:-t_*.sh}; do
	[ -f "$t" ] && run "$t" sh "./$t"
done

pass=$(grep -c '^PASS' "$out")
fail=$(grep -c '^FAIL' "$out")
skip=$(grep -c '^SKIP' "$out")
echo
grep '^FAIL' "$out"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
