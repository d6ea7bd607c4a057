#!/bin/sh
# Run each libFuzzer harness in fuzz/ for a bounded time (FUZZ_SECONDS,
# default 10: what CI spends; `make fuzz` runs 60) on its seeds and what
# earlier runs found (fuzz/work/, not committed).  One line per harness:
# PASS with libFuzzer's own count of executions, or FAIL with the path
# of the reproducer it saved (run `fuzz/fuzz_X that-file` to replay it).
# SKIP if clang or its fuzzer runtime (libclang-rt-14-dev) is missing.
cd "$(dirname "$0")" || exit 1

secs=${FUZZ_SECONDS:-10}
if [ "$secs" -eq 0 ]; then
	echo "SKIP: fuzz (FUZZ_SECONDS=0)"
	exit 0
fi
targets=${FUZZ_TARGETS:-"ctl comsat_parse comsat_mail whod ipc parent_checks"}
cc=${FUZZ_CC:-clang}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)
{ return 0; }' >"$TMP/probe.c"
if ! command -v "$cc" >/dev/null 2>&1 ||
    ! "$cc" -fsanitize=fuzzer,address,undefined -o "$TMP/probe" \
    "$TMP/probe.c" >/dev/null 2>&1; then
	for t in $targets; do
		echo "SKIP: fuzz $t (no $cc with -fsanitize=fuzzer: install clang and libclang-rt-14-dev)"
	done
	exit 0
fi
if ! make -s -C fuzz FUZZ_CC="$cc" >"$TMP/build" 2>&1; then
	sed 's/^/# /' "$TMP/build"
	echo "FAIL: fuzz harnesses build"
	exit 0
fi

for t in $targets; do
	mkdir -p "fuzz/work/$t" fuzz/crashes
	opts="-max_total_time=$secs -timeout=10 -rss_limit_mb=2048"
	opts="$opts -print_final_stats=1 -artifact_prefix=fuzz/crashes/$t-"
	# Mail excerpts are up to 16 KiB; an IPC script holds several records.
	case $t in
	comsat_mail)	opts="$opts -max_len=16386";;
	ipc)		opts="$opts -max_len=8192";;
	esac
	[ -f "fuzz/fuzz_$t.dict" ] && opts="$opts -dict=fuzz/fuzz_$t.dict"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"./fuzz/fuzz_$t" $opts "fuzz/work/$t" "fuzz/corpus/$t" \
	    >"$TMP/$t.log" 2>&1
	rc=$?
	el=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
	repro=$(sed -n 's/.*Test unit written to //p' "$TMP/$t.log" | head -1)
	if [ $rc -eq 0 ] && [ -n "$execs" ] && [ -z "$repro" ]; then
		echo "PASS: fuzz $t: $execs execs in $el s, no crash"
	else
		grep -E 'property violated|ERROR|runtime error|SUMMARY' \
		    "$TMP/$t.log" | head -5 | sed 's/^/# /'
		echo "FAIL: fuzz $t: exit $rc after ${execs:-?} execs in $el s, reproducer ${repro:+regress/}${repro:-none} (regress/fuzz/fuzz_$t FILE replays it)"
	fi
done
