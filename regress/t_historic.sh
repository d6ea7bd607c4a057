#!/bin/sh
# Historic talkd bugs that no other test reproduces end to end (see
# SECURITY.md, "Historic bugs in this family"):
#
#  - CVE-1999-0048: a caller's reverse-DNS name copied into a fixed
#    buffer.  Here /etc/hosts (bind-mounted in the daemon's own mount
#    namespace) names callers with a 253-byte name, a name full of
#    printf directives and one with a terminal escape; each announcement
#    must be answered, bounded, and show either the checked name or the
#    address, never the raw bytes;
#  - CVE-2002-1194: the announcement assembled past a fixed buffer: the
#    longest caller name and the longest host name at once;
#  - CVE-2000-1010: the announcement used as a printf format: printf
#    directives in every field a caller controls reach the terminal and
#    the log only as text, or are refused;
#  - remote invitation planting: LEAVE_INVITE from another host.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

lib_require_root || exit 0
NS=$(lib_netns_new hist) || { echo "FAIL: create a network namespace"; exit 0; }
TMP=$(mktemp -d)
chmod 755 "$TMP"
E=rghi$$
cleanup() {
	lib_cleanup
	userdel "$E" 2>/dev/null
	lib_netns_del "$NS"
	rm -rf "$TMP"
}
trap cleanup EXIT
useradd -M -N -s /usr/sbin/nologin -c "regress throw-away" "$E" ||
    { echo "FAIL: create test user $E"; exit 0; }
Q="ip netns exec $NS python3 ./ctlmsg.py 127.0.0.1 518"

# 253 bytes: four labels of 63 and the rest, all valid.
L63=$(printf '%063d' 0 | tr 0 a)
LONG="$L63.$(echo "$L63" | tr a b).$(echo "$L63" | tr a c).$(printf '%061d' 0 | tr 0 d)"
ESC=$(printf 'esc\033[2Jhost')
printf '127.0.0.1\tlocalhost\n127.0.0.9\t%s\n127.0.0.10\tfmt%%n%%s%%x%%n.example\n127.0.0.11\t%s\n' \
    "$LONG" "$ESC" >"$TMP/hosts"

lib_start "$TMP/rig.log" python3 ./ttyrig.py "$TMP/utmp" "$TMP" 120 "$E:620"
lib_wait_log "$TMP/ptys" "^0 " 10 || { echo "FAIL: pty rig"; exit 0; }
# The resolver runs (no -n) and reads our /etc/hosts.
lib_start "$TMP/d.log" ip netns exec "$NS" unshare -m --propagation private \
    sh -c 'mount --bind "$1" /etc/hosts && exec ../talkd -d -a 127.0.0.1 -U "$2"' \
    sh "$TMP/hosts" "$TMP/utmp"
PID=$LIB_PID
lib_wait_log "$TMP/d.log" "engine: engine ready" 10 ||
    { echo "FAIL: talkd starts"; sed 's/^/#   /' "$TMP/d.log"; exit 0; }

# ring SRC CALLER: announce from SRC; prints the new banner bytes.
ring() {
	_before=$(wc -c <"$TMP/0.out" 2>/dev/null || echo 0)
	_r=$($Q ANNOUNCE "$2" "$E" srcip="$1" pid=$(($(date +%s%N) % 100000)) timeout=5)
	sleep 0.3
	case "$_r" in answer=0*) ;; *) echo "bad answer: $_r"; return 1;; esac
	tail -c +$((_before + 1)) "$TMP/0.out"
}

# CVE-1999-0048 and CVE-2002-1194: the longest name from DNS, with the
# longest caller name (12 bytes on the wire, no NUL: 11 are kept).
b=$(ring 127.0.0.9 abcdefghijkl)
w=$(printf '%s' "$b" | tr '\r' '\n' | awk '{ if (length > m) m = length } END { print m }')
echo "# banner for a 253-byte host name: lines up to $w bytes"
case "$b" in
*"connection requested by abcdefghijk@aaaaaaaaaaaaaaaaaaaa"*)
	[ "$w" -le 165 ] && lib_alive "$PID" &&
	    echo "PASS: CVE-1999-0048/CVE-2002-1194: a 253-byte DNS name and a 12-byte caller: banner bounded ($w-byte lines), daemon up" ||
	    echo "FAIL: CVE-1999-0048/CVE-2002-1194: banner bounded ($w-byte lines)";;
*)	echo "FAIL: CVE-1999-0048: a 253-byte DNS name (banner: $(printf '%s' "$b" | od -c | head -3 | tr '\n' ' '))";;
esac

b=$(ring 127.0.0.10 alice)
case "$b" in
*"alice@127.0.0.10."*)
	case "$b" in *%*) echo "FAIL: CVE-1999-0048: a DNS name with printf directives reached the terminal";;
	*) echo "PASS: CVE-1999-0048: a DNS name with printf directives is refused, the address shown";;
	esac;;
*)	echo "FAIL: CVE-1999-0048: a DNS name with printf directives ($b)";;
esac

b=$(ring 127.0.0.11 alice)
esc=$(printf '%s' "$b" | tr -d '\r\n\a' | LC_ALL=C tr -d '[:print:]' | wc -c)
case "$b" in
*"alice@127.0.0.11."*)
	[ "$esc" -eq 0 ] &&
	    echo "PASS: CVE-1999-0048: a DNS name with an escape sequence is refused, the address shown" ||
	    echo "FAIL: CVE-1999-0048: an escape reached the terminal";;
*)	echo "FAIL: CVE-1999-0048: a DNS name with an escape sequence ($b)";;
esac

# CVE-2000-1010: printf directives in every field a caller sends.
before=$(wc -c <"$TMP/0.out")
r=$($Q ANNOUNCE '%n%s%x%n' "$E" pid=7)
case "$r" in answer=2*) echo "PASS: CVE-2000-1010: printf directives in the caller name: refused (FAILED)";;
*) echo "FAIL: CVE-2000-1010: printf directives in the caller name ($r)";; esac
r=$($Q ANNOUNCE alice '%s%s%n' pid=8)
case "$r" in answer=2*) echo "PASS: CVE-2000-1010: printf directives in the callee name: refused (FAILED)";;
*) echo "FAIL: CVE-2000-1010: printf directives in the callee name ($r)";; esac
r=$($Q ANNOUNCE alice "$E" tty='%n%n%n%n' pid=9)
case "$r" in answer=2*) echo "PASS: CVE-2000-1010: printf directives in the tty: refused (FAILED)";;
*) echo "FAIL: CVE-2000-1010: printf directives in the tty ($r)";; esac
r=$($Q LOOK_UP '%n%s%n%s' '%x%x%x%n')
case "$r" in answer=2*) echo "PASS: CVE-2000-1010: printf directives in a LOOK_UP's names: refused (FAILED)";;
*) echo "FAIL: CVE-2000-1010: printf directives in a LOOK_UP's names ($r)";; esac
[ "$(grep -c 'from 127.0.0.1: bad request, answered FAILED' "$TMP/d.log")" -eq 4 ] &&
    ! grep -q '(null)\|%' "$TMP/d.log" &&
    echo "PASS: CVE-2000-1010: ... each refusal logged without the names, no directive interpreted" ||
    echo "FAIL: CVE-2000-1010: ... each refusal logged"
[ "$(wc -c <"$TMP/0.out")" -eq "$before" ] && lib_alive "$PID" &&
    [ -n "$(cat /proc/"$PID"/task/*/children 2>/dev/null)" ] &&
    echo "PASS: CVE-2000-1010: nothing written for refused requests, daemon and children up" ||
    echo "FAIL: CVE-2000-1010: nothing written for refused requests, daemon and children up"

# Remote invitation planting: LEAVE_INVITE from another host is refused,
# and nothing is there for the callee to find.
ip -n "$NS" addr add 192.0.2.5/32 dev lo
r=$($Q LEAVE_INVITE mallory victim srcip=192.0.2.5)
r2=$($Q LOOK_UP victim mallory)
case "$r:$r2" in
"answer=2 "*":answer=1 "*)
	grep -q "LEAVE_INVITE from non-local 192.0.2.5 refused" "$TMP/d.log" &&
	    echo "PASS: invitation planting: LEAVE_INVITE from another host refused, nothing to find" ||
	    echo "FAIL: invitation planting: refusal logged";;
*)	echo "FAIL: invitation planting ($r / $r2)";;
esac
lib_stop "$PID"
