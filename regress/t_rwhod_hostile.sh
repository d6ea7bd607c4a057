#!/bin/sh
# rwhod against hostile packets, in a private network namespace: each
# malformed or forbidden packet (wrong source port, short, long,
# truncated entry, more than 42 entries, bad version or type, bad host
# names, an escape in a user name) leaves the spool byte for byte as it
# was and the daemon serving; a flood of new host names stops at -M; a
# reader never sees a torn file while updates storm in; -x and -A.
#
# The daemon runs listen-only (-l) on 127.0.0.1; packets come from
# 127.0.0.2 port 513 (a second socket on the port: both set
# SO_REUSEADDR, and only ours is bound to the destination address).
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
command -v python3 >/dev/null || { echo "SKIP: rwhod hostile (no python3)"; exit 0; }
NS=$(lib_netns_new rwh) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
trap 'lib_cleanup; lib_netns_del "$NS"; rm -rf "$TMP"' EXIT
SPOOL=$TMP/spool
TOOL="ip netns exec $NS python3 ./rwhotool.py"
SEND="$TOOL send -b 127.0.0.2 127.0.0.1"
SEQ=1000

# sentinel: a good packet for host "sentinel" with a new send time; once
# its file shows that time, everything sent before it has been handled
# (one socket, one engine, one ordered channel to the parent).
sentinel() {
	SEQ=$((SEQ + 1))
	$SEND good sentinel 0 "$SEQ"
	_i=0
	while [ $_i -lt 50 ]; do
		[ "$(od -An -tu4 -j4 -N4 "$1/whod.sentinel" 2>/dev/null |
		    tr -d ' ')" = "$SEQ" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

snap() { python3 ./rwhotool.py snap "$1" | grep -v '^whod.sentinel '; }

mkdir "$SPOOL"
lib_start "$TMP/d.log" ip netns exec "$NS" ../rwhod -d -l -r 0 -M 20 \
    -D "$SPOOL"
pid=$LIB_PID
if lib_wait_log "$TMP/d.log" "engine: engine ready" 10; then
	echo "PASS: rwhod started (listen only)"
else
	echo "FAIL: rwhod started"; sed 's/^/# /' "$TMP/d.log"; exit 0
fi
engine=$(lib_child_pid "$pid" "rwhod: engine")

$SEND good hosta 2
if sentinel "$SPOOL" && python3 ./rwhotool.py check "$SPOOL/whod.hosta" \
    hosta u0 u1; then
	echo "PASS: a good packet is stored as whod.hosta, in host order"
else
	echo "FAIL: a good packet is stored as whod.hosta"
	sed 's/^/# /' "$TMP/d.log"
fi

# what | sender options | packet | the engine's log line
while IFS='|' read -r what sopt pkt want; do
	before=$(snap "$SPOOL")
	nlog=$(grep -c -- "$want" "$TMP/d.log")
	$TOOL send $sopt -b 127.0.0.2 127.0.0.1 $pkt </dev/null
	sentinel "$SPOOL"
	after=$(snap "$SPOOL")
	if [ "$before" = "$after" ] &&
	    [ "$(grep -c -- "$want" "$TMP/d.log")" -gt "$nlog" ]; then
		echo "PASS: $what: refused, spool unchanged"
	else
		echo "FAIL: $what: refused, spool unchanged"
		echo "$after" | sed 's/^/# /'
		tail -3 "$TMP/d.log" | sed 's/^/# /'
	fi
done <<'EOF'
wrong source port (40000)|-s 40000|good hosta 5|port 40000: not the rwho port
59 bytes||short|59 bytes, shorter than the 60-byte header
1069 bytes||long|1069 bytes, longer than 42 entries
truncated entry (94 bytes)||partial|94 bytes, truncated entry
43 entries||big|1092 bytes, longer than 42 entries
version 2||vers|bad version
type 2||type|bad type
escape in the host name||host ev\x1b[2Jil|bad host name
control byte in the host name||host a\x01b|bad host name
'/' in the host name||host a/b|bad host name
'..' in the host name||host a..b|bad host name
leading '.' (../x)||host ../x|bad host name
non-ASCII host name||host \xe9t\xe9|bad host name
host name without NUL||nonul|host name not terminated
escape in a user name||entctl|bad user or line name
EOF
[ ! -e "$TMP/x" ] && [ ! -e "$SPOOL/whod.a" ] &&
    [ -z "$(find "$SPOOL" -mindepth 1 -type d)" ] &&
    echo "PASS: no file or directory made outside whod.HOST" ||
    echo "FAIL: no file or directory made outside whod.HOST"

SEQ2=$(($(date +%s) - 5))
$SEND good hosta 3 "$SEQ2"
sentinel "$SPOOL"
if [ "$(od -An -tu4 -j4 -N4 "$SPOOL/whod.hosta" | tr -d ' ')" = "$SEQ2" ] &&
    [ "$(wc -c <"$SPOOL/whod.hosta")" -eq 132 ] &&
    lib_alive "$pid" && lib_alive "$engine"; then
	echo "PASS: after all that, same engine, updates still stored"
else
	echo "FAIL: after all that, same engine, updates still stored"
fi

# A reader in a loop during a storm of updates: never a torn file.
lib_start "$TMP/storm.log" $TOOL storm -b 127.0.0.2 127.0.0.1 storm 20
storm=$LIB_PID
i=0
while [ ! -f "$SPOOL/whod.storm" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
res=$(python3 ./rwhotool.py read "$SPOOL/whod.storm" 2000 storm)
lib_stop "$storm"
case "$res" in
*" torn=0 missing=0")
	a=$(echo "$res" | sed 's/.* a=\([0-9]*\).*/\1/')
	b=$(echo "$res" | sed 's/.* b=\([0-9]*\).*/\1/')
	if [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; then
		echo "PASS: 2000 reads during an update storm, none torn ($res)"
	else
		echo "FAIL: reads during an update storm saw both versions ($res)"
	fi;;
*)	echo "FAIL: 2000 reads during an update storm, none torn ($res)";;
esac
[ -z "$(ls -A "$SPOOL" | grep -v '^whod\.')" ] &&
    echo "PASS: no temporary file left in the spool" ||
    echo "FAIL: no temporary file left in the spool ($(ls -A "$SPOOL"))"

# A flood of new names stops at -M 20 (hosta, sentinel, storm are in).
$TOOL flood -b 127.0.0.2 127.0.0.1 flood 40
sentinel "$SPOOL"
n=$(ls "$SPOOL" | grep -c '^whod\.')
if [ "$n" -eq 20 ] && grep -q "spool full (20 hosts, -M 20)" "$TMP/d.log"
then
	echo "PASS: flood of 40 new host names: 20 files kept (-M 20), logged"
else
	echo "FAIL: flood of new host names stops at -M 20 ($n files)"
fi
SEQ3=$((SEQ2 + 1))
$SEND good hosta 1 "$SEQ3"
sentinel "$SPOOL"
[ "$(od -An -tu4 -j4 -N4 "$SPOOL/whod.hosta" | tr -d ' ')" = "$SEQ3" ] &&
    echo "PASS: spool full: known hosts are still updated" ||
    echo "FAIL: spool full: known hosts are still updated"
rm -f "$SPOOL/whod.flood1"
$SEND good late
sentinel "$SPOOL"
[ -f "$SPOOL/whod.late" ] &&
    echo "PASS: a removed file frees its place at once" ||
    echo "FAIL: a removed file frees its place at once"
lib_stop "$pid"

# -x accepts any source port; -A still filters by network.  The spool
# belongs to another account, as netkit's does: the parent, left with
# CAP_DAC_OVERRIDE, still writes it.
mkdir "$TMP/spool2"
chown nobody "$TMP/spool2"
lib_start "$TMP/x.log" ip netns exec "$NS" ../rwhod -d -l -x \
    -A 127.0.0.2/32 -D "$TMP/spool2"
lib_wait_log "$TMP/x.log" "engine: engine ready" 10
$TOOL send -s 40000 -b 127.0.0.2 127.0.0.1 good anyport
$TOOL send -b 127.0.0.3 127.0.0.1 good othernet
sentinel "$TMP/spool2"
[ -f "$TMP/spool2/whod.anyport" ] &&
    echo "PASS: -x: a packet from port 40000 is stored" ||
    echo "FAIL: -x: a packet from port 40000 is stored"
[ ! -f "$TMP/spool2/whod.othernet" ] &&
    grep -q "127.0.0.3: network not allowed" "$TMP/x.log" &&
    echo "PASS: -A 127.0.0.2/32: a packet from 127.0.0.3 is refused" ||
    echo "FAIL: -A 127.0.0.2/32: a packet from 127.0.0.3 is refused"

# The default per-source rate (-r 5, burst 10): 30 new hosts at once from
# one address, about 10 stored.
$TOOL flood -b 127.0.0.2 127.0.0.1 rl 30
sleep 1
sentinel "$TMP/spool2"
n=$(ls "$TMP/spool2" | grep -c '^whod\.rl')
[ "$n" -ge 5 ] && [ "$n" -le 20 ] &&
    grep -q "127.0.0.2: over 5 packets/s, dropped" "$TMP/x.log" &&
    echo "PASS: -r 5: a burst of 30 from one address: $n stored, rest dropped" ||
    echo "FAIL: -r 5: a burst of 30 from one address ($n stored)"
