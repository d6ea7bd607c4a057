#!/bin/sh
# `make asan-check`: run every test against the ASan+UBSan build (make
# SANITIZE=1; see Makefile.inc and priv/sandbox.c), then look for any
# sanitizer report from any process.  Parents and unit tests write their
# reports to files (ASAN_OPTIONS log_path); a sandboxed child cannot open
# a file, so its fd 2 is a FIFO (SANITIZE_LOG, priv/proc.c) read here.
# A report also ends the process with status 86, so a child's shows as
# "lost child: ... exited with 86" and fails the test that saw it.
# Reports are not symbolised (a child cannot run a symboliser): each
# frame is binary+offset, for `llvm-symbolizer-14 --obj=BINARY OFFSET`.
cd "$(dirname "$0")" || exit 1

D=$(mktemp -d /tmp/asan-check.XXXXXX)
chmod 755 "$D"
mkfifo -m 622 "$D/children.fifo"
# Opened read-write, so the reader never sees end-of-file between
# children; stopped by its PID at the end.
cat <>"$D/children.fifo" >>"$D/children.log" &
reader=$!
trap 'kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null' EXIT

common="exitcode=86:color=never:symbolize=0:log_path=$D/report"
export ASAN_OPTIONS="$common:detect_leaks=1:handle_segv=0:handle_abort=0"
export UBSAN_OPTIONS="$common:print_stacktrace=1:halt_on_error=1"
export SANITIZE_LOG="$D/children.fifo"
# The fuzzers are sanitised already; their own run is t_fuzz.sh.
export FUZZ_SECONDS=0

# t_hostile_child.sh's fake engine calls libc's send(), which the ASan
# runtime turns into sendto(2), a call the filter kills; and it watches
# parents with strace, under which LeakSanitizer cannot run.
TESTS=$(ls t_*.sh | grep -v '^t_hostile_child\.sh$') sh ./run.sh |
    tee "$D/run.out"
echo "SKIP: t_hostile_child.sh under sanitizers (its fake engine's send() becomes sendto(2) in the ASan runtime; LeakSanitizer cannot run under its strace)" |
    tee -a "$D/run.out"
sleep 1
set -- $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$D/run.out" | tail -1)
pass=${1:-0} nfail=${3:-1} skip=$((${5:-0} + 1))
reports=$(grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|LeakSanitizer has encountered|runtime error:|SUMMARY: .*Sanitizer' \
    "$D"/report.* "$D/children.log" 2>/dev/null)
if [ -n "$reports" ]; then
	for f in $reports; do
		echo "# $f:"
		grep -E -A12 'ERROR:|runtime error:|encountered' "$f" | head -40 |
		    sed 's/^/# /'
	done
	echo "FAIL: sanitizer reports (kept in $D)"
	nfail=$((nfail + 1))
else
	echo "PASS: no ASan, LSan or UBSan report from any daemon, child or unit test"
	pass=$((pass + 1))
	rm -rf "$D"
fi
echo "$pass passed, $nfail failed, $skip skipped"
[ "$nfail" -eq 0 ]
