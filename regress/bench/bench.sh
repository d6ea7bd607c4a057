#!/bin/sh
# `make bench`: throughput, CPU and memory of talkd, comsat and rwhod
# beside Debian's netkit daemons (in.ntalkd, in.comsat, rwhod) and beside
# a minimal C UDP server that answers every datagram ("limit").  Prints
# figures; it is not a test and is not part of regress/run.sh.
#
#	sh regress/bench/bench.sh [-r ROUNDS] [-s SECONDS] [-o RESULTS]
#	    [-w PATTERN]
#
# -w runs only the workloads whose name (talkd-miss, talkd-cycle,
# talkd-held10, talkd-held1000, talkd-held10000, talkd-announce,
# comsat-nologin, comsat-biffn, comsat-biffy, rwhod-100, rwhod-5000)
# matches the extended regular expression PATTERN.
# Needs root.  Everything runs inside a private mount namespace (tmpfs on
# /run, /var/mail and /var/spool/rwho, so the real utmp, mail spool, rwho
# spool and /run/netns are untouched) and network namespaces made here;
# every process started is stopped by PID.  Each workload starts fresh
# daemons, then alternates limit/netkit/ours for ROUNDS rounds of SECONDS.
# The reference daemons: apt-get install talkd biff rwhod, with a
# /usr/sbin/policy-rc.d that exits 101 so no service starts.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
ROUNDS=5
SECS=2
OUT=
ONLY=.
while getopts r:s:o:w:I opt; do
	case $opt in
	r) ROUNDS=$OPTARG;;
	s) SECS=$OPTARG;;
	o) OUT=$OPTARG;;
	w) ONLY=$OPTARG;;
	I) INNER=1;;
	*) exit 2;;
	esac
done

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for p in /usr/sbin/in.ntalkd /usr/sbin/in.comsat /usr/sbin/rwhod; do
	[ -x "$p" ] || { echo "bench: $p missing: apt-get install talkd biff" \
	    "rwhod (with a policy-rc.d that exits 101)" >&2; exit 1; }
done

if [ -z "${INNER:-}" ]; then
	[ -x "$TOP/talkd" ] && [ -x "$TOP/comsat" ] && [ -x "$TOP/rwhod" ] ||
	    { echo "bench: run make first" >&2; exit 1; }
	W=$(mktemp -d /tmp/bench.XXXXXX)
	chmod 755 "$W"
	${CC:-cc} -O2 -Wall -o "$W/loadgen" "$HERE/loadgen.c" || exit 1
	[ -n "$OUT" ] || OUT=$W/results
	export W
	unshare -m --propagation private sh "$0" -I -r "$ROUNDS" -s "$SECS" \
	    -o "$OUT" -w "$ONLY"
	rc=$?
	python3 "$HERE/report.py" "$OUT"
	echo "raw results: $OUT"
	exit $rc
fi

# ---- inside the private mount namespace ----
LG=$W/loadgen
PIDS=""
NSS=""
mount -t tmpfs -o mode=755 bench-run /run && mkdir /run/netns &&
mount -t tmpfs -o mode=2775 bench-mail /var/mail &&
mount -t tmpfs -o mode=755,uid=$(stat -c %u /var/spool/rwho),gid=$(stat -c %g \
    /var/spool/rwho) bench-rwho /var/spool/rwho ||
    { echo "bench: cannot make the private mounts" >&2; exit 1; }
chgrp mail /var/mail 2>/dev/null
mkdir -m 1777 "$W/mail" && mkdir "$W/spool" && mkdir -m 755 "$W/empty"
mount -t tmpfs -o mode=755 bench-spool "$W/spool"
: >/run/utmp
: >"$OUT"

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for n in $NSS; do	# detached daemons: by PID, from the netns
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
	done
	sleep 0.3
	for n in $NSS; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	PIDS=""
	NSS=""
}
trap 'cleanup; exit 1' INT TERM
trap cleanup EXIT

newns() {	# newns NAME: loopback up
	ip netns add "$1" && ip -n "$1" link set lo up && NSS="$NSS $1"
}

start() {	# start NS LOG CMD...
	_ns=$1 _log=$2; shift 2
	ip netns exec "$_ns" "$@" >>"$_log" 2>&1 </dev/null &
	PIDS="$PIDS $!"
}

# ticks (utime+stime+cutime+cstime) summed over the PIDs given
ticks() {
	_t=0
	for _p in "$@"; do
		_s=$(cut -d')' -f2- "/proc/$_p/stat" 2>/dev/null) || continue
		set -- $_s
		_t=$((_t + ${12} + ${13} + ${14} + ${15}))
	done
	echo "$_t"
}
hwm() {	# summed VmHWM in kB
	_k=0
	for _p in "$@"; do
		_v=$(awk '/^VmHWM/ {print $2}' "/proc/$_p/status" 2>/dev/null)
		_k=$((_k + ${_v:-0}))
	done
	echo "$_k"
}
pss() {	# summed Pss in kB now (shared pages divided among users)
	_k=0
	for _p in "$@"; do
		_v=$(awk '/^Pss:/ {print $2}' "/proc/$_p/smaps_rollup" 2>/dev/null)
		_k=$((_k + ${_v:-0}))
	done
	echo "$_k"
}
HZ=$(getconf CLK_TCK)
BENCH_LAT=

# run WORKLOAD NAME NS CMD...: one round; CPU of every process in NS
# except the client itself, appended with the client's output to $OUT.
round() {
	_w=$1 _d=$2 _ns=$3; shift 3
	_pids=$(ip netns pids "$_ns")
	_t0=$(ticks $_pids)
	export BENCH_LAT
	_res=$("$@" 2>>"$W/client.err")
	_t1=$(ticks $_pids)
	_ms=$(( (_t1 - _t0) * 1000 / HZ ))
	echo "$_w $_d $_res cpu_ms=$_ms rss_kb=$(hwm $_pids) pss_kb=$(pss $_pids)" \
	    >>"$OUT"
	echo "$_w $_d $_res cpu_ms=$_ms"
}

stop_all() {
	cleanup
	sleep 0.2
}

# ttyrig: user nobody logged in on a pty, MODE 620 (biff n) or 720
rig() {
	rm -rf "$W/rig"; mkdir "$W/rig"
	python3 "$TOP/regress/ttyrig.py" /run/utmp "$W/rig" 3600 "nobody:$1" \
	    >>"$W/rig.log" 2>&1 &
	PIDS="$PIDS $!"
	_i=0
	while [ ! -s "$W/rig/ptys" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
shown() { grep -o 'New mail' "$W/rig/0.out" 2>/dev/null | wc -l; }

echo "# load at start: $(cat /proc/loadavg)" | tee -a "$OUT"

# ---------------------------------------------------------------- talkd
talk_daemons() {
	newns bl; newns bn; newns bo
	start bl "$W/limit.log" "$LG" server 127.0.0.1:518 24
	start bn "$W/ntalkd.log" "$LG" fdexec 127.0.0.1:518 /usr/sbin/in.ntalkd
	# ours as in production: detached, -q; found again with ip netns pids
	start bo "$W/talkd.log" "$TOP/talkd" -q -r 0 -R 0 -L utmp \
	    -U /run/utmp -c "$W/empty" -a 127.0.0.1:518
	sleep 1
}
want() { echo "$1" | grep -Eq -- "$ONLY"; }
for wl in miss cycle held10 held1000 held10000 announce; do
	want "talkd-$wl" || continue
	case $wl in
	# the table is filled before each round (untimed, outside the CPU
	# figures: invitations live 60 s), then LOOK_UP misses are timed
	held*)	args="miss $SECS 16";;
	# one ANNOUNCE every 25 ms: below talkd's parent budget of 50
	# terminal opens a second (priv/talkd.c TTY_OPENS_PER_SEC)
	announce) args="announce $SECS 1 nobody 25"; rig 620;;
	*)	args="$wl $SECS 16";;
	esac
	talk_daemons
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for d in limit:bl netkit:bn ours:bo; do
			case $wl in
			held*)	ip netns exec "${d#*:}" "$LG" talk 127.0.0.1:518 \
				    fill 0 1 "${wl#held}" >/dev/null;;
			esac
			BENCH_LAT=$W/lat.${d%:*} round "talkd-$wl" "${d%:*}" \
			    "${d#*:}" ip netns exec "${d#*:}" "$LG" talk 127.0.0.1:518 \
			    $args
		done
		r=$((r + 1))
	done
	stop_all
done

# ---------------------------------------------------------------- comsat
printf 'From bench@example.org Thu Jan  1 00:00:00 2026\nFrom: bench@example.org\nSubject: bench\n\nhello\n\n' >"$W/mail/nobody"
cp "$W/mail/nobody" /var/mail/nobody
chown nobody "$W/mail/nobody" /var/mail/nobody
chmod 600 "$W/mail/nobody" /var/mail/nobody
chmod 755 "$W/mail"	# ours: root-owned, or sticky if world-writable
for wl in nologin biffn biffy; do
	want "comsat-$wl" || continue
	case $wl in
	nologin) : >/run/utmp;;
	biffn)	rig 620;;
	biffy)	rig 720;;
	esac
	newns bl; newns bn; newns bo
	start bl "$W/limit.log" "$LG" server 127.0.0.1:512 0
	start bn "$W/incomsat.log" "$LG" fdexec 127.0.0.1:512 /usr/sbin/in.comsat
	start bo "$W/comsat.log" "$TOP/comsat" -q -r 0 -R 0 -L utmp \
	    -U /run/utmp -c "$W/empty" -m "$W/mail" -a 127.0.0.1:512
	sleep 1
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for d in limit:bl netkit:bn ours:bo; do
			ns=${d#*:}
			dp=$(ip netns pids "$ns" | head -1)
			# biff y: netkit's backlog would never drain; count
			# the notices shown on the pty instead
			[ $wl = biffy ] && dp=0
			s0=$(shown)
			round "comsat-$wl" "${d%:*}" "$ns" \
			    ip netns exec "$ns" "$LG" flood 127.0.0.1:512 comsat \
			    "$SECS" -u nobody -p "$dp"
			if [ $wl = biffy ]; then
				sleep 0.3
				s1=$(shown)
				echo "comsat-$wl ${d%:*} shown=$((s1 - s0)) shown_ps=$(( (s1 - s0) / SECS ))" >>"$OUT"
				echo "  shown $((s1 - s0)) in ${SECS}s"
			fi
		done
		r=$((r + 1))
	done
	stop_all
	: >/run/utmp
done

# ---------------------------------------------------------------- rwhod
# gen (bg) -- veth -- daemon namespace, one /30 each; sent from port 513
rwho_daemons() {
	newns bg; newns bl; newns bn; newns bo
	i=1
	for n in bl bn bo; do
		ip link add "bv$n" netns bg type veth peer name eth0 netns "$n"
		ip -n bg addr add "10.99.$i.2/24" dev "bv$n"
		ip -n bg link set "bv$n" up
		ip -n "$n" addr add "10.99.$i.1/24" dev eth0
		ip -n "$n" link set eth0 up
		i=$((i + 1))
	done
	rm -rf /var/spool/rwho/* "$W/spool"/*
	start bl "$W/limit.log" "$LG" server 0.0.0.0:513 0
	# netkit rwhod detaches: found again with ip netns pids
	ip netns exec bn /usr/sbin/rwhod >>"$W/rwhod-netkit.log" 2>&1 </dev/null
	start bo "$W/rwhod.log" "$TOP/rwhod" -l -r 0 -M 100000 -L utmp \
	    -U /run/utmp -c "$W/empty" -D "$W/spool"
	sleep 1
}
for hosts in 100 5000; do
	want "rwhod-$hosts" || continue
	rwho_daemons
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		i=1
		for d in limit:bl netkit:bn ours:bo; do
			ns=${d#*:}
			dp=$(ip netns pids "$ns" | head -1)
			case ${d%:*} in
			netkit) wd="-w /var/spool/rwho";;
			ours)	wd="-w $W/spool";;
			*)	wd="";;
			esac
			round "rwhod-$hosts" "${d%:*}" "$ns" \
			    ip netns exec bg "$LG" flood "10.99.$i.1:513" rwho \
			    "$SECS" -b "10.99.$i.2" -s 513 -n "$hosts" -p "$dp" $wd
			i=$((i + 1))
		done
		r=$((r + 1))
	done
	ls /var/spool/rwho | wc -l | sed 's/^/  netkit spool files: /'
	ls "$W/spool" | wc -l | sed 's/^/  ours spool files: /'
	stop_all
done
for f in limit netkit ours; do
	[ -s "$W/lat.$f" ] && echo "talkd-announce $f latfile=$W/lat.$f" >>"$OUT"
done
echo "# load at end: $(cat /proc/loadavg)" | tee -a "$OUT"
