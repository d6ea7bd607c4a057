#!/bin/sh
# The Debian packages as a sysadmin meets them.  dpkg-buildpackage builds
# privsep-talkd, privsep-comsat and privsep-rwhod from a copy of the tree;
# dpkg installs them on this machine, seen through a copy-on-write overlay
# of / in private mount, PID, UTS and network namespaces, so netkit's
# talkd and rwhod that other tests use stay installed on the real system
# and nothing is left behind however the test ends.  Then:
#
#  - what the packages did: netkit's daemons replaced (rwho and the biff
#    client kept, biff's comsat(8) diverted), the accounts, /var/empty and
#    the root-owned spool created, the units enabled but nothing started
#    (no systemd here; policy-rc.d says no), `systemd-analyze verify`
#    clean and `systemd-analyze security` no worse than SECURITY.md says;
#  - the INSTALLED daemons end to end, each started as its socket unit
#    starts it (systemd-socket-activate, the unit's ExecStart): talkd
#    rings a pty (ctlmsg.py, ttyrig.py), comsat shows new mail on a biff y
#    pty, rwhod stores a status that ruptime shows; every child runs as
#    the package's account;
#  - dpkg --purge: no file, unit, enablement, diversion, spool or chroot
#    directory of ours is left (the accounts are kept, as Debian does).
#
# Set KEEP_DEB=DIR to keep the built .deb files there.
cd "$(dirname "$0")" || exit 1
. ./lib_core.sh

WHAT="Debian package"

if [ "${1:-}" != --inner ]; then
	lib_require_root || exit 0
	miss=""
	for c in dpkg-buildpackage dh dpkg-checkbuilddeps unshare chroot \
	    python3 systemd-socket-activate systemd-analyze; do
		command -v "$c" >/dev/null 2>&1 || miss="$miss $c"
	done
	[ -z "$miss" ] || { echo "SKIP: $WHAT (missing:$miss)"; exit 0; }
	if ! dpkg-checkbuilddeps ../debian/control >/dev/null 2>&1; then
		echo "SKIP: $WHAT (build dependencies missing: dpkg-checkbuilddeps)"
		exit 0
	fi
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
	grep -qw overlay /proc/filesystems ||
	    { echo "SKIP: $WHAT (no overlay file system)"; exit 0; }
	T=$(mktemp -d /tmp/t_deb.XXXXXX) || exit 1
	trap 'rm -rf "$T"' EXIT
	trap 'exit 1' HUP INT TERM
	mkdir "$T/src" "$T/ovl"
	# The tree without its build products; debian/rules cleans anyway.
	(cd .. && tar -cf - --exclude=./.git --exclude='*.o' \
	    --exclude=./regress/fuzz/work --exclude=./regress/fuzz/corpus \
	    --exclude=./regress/fuzz/crashes . 2>/dev/null) |
	    tar -xf - -C "$T/src" ||
	    { echo "FAIL: $WHAT: copy the tree"; exit 0; }
	start=$(date +%s)
	if (cd "$T/src" && DEB_BUILD_OPTIONS="parallel=2" \
	    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1 &&
	    [ -f "$T"/privsep-talkd_*.deb ] && [ -f "$T"/privsep-comsat_*.deb ] &&
	    [ -f "$T"/privsep-rwhod_*.deb ]; then
		echo "PASS: $WHAT: dpkg-buildpackage -us -uc -b builds privsep-talkd, privsep-comsat, privsep-rwhod ($(($(date +%s) - start)) s)"
	else
		echo "FAIL: $WHAT: dpkg-buildpackage -us -uc -b"
		tail -30 "$T/build.log" | sed 's/^/#   /'
		exit 0
	fi
	if grep -i 'warning:' "$T/build.log" >"$T/warn"; then
		echo "FAIL: $WHAT: the build is warning-free"
		sed 's/^/#   /' "$T/warn" | head -20
	else
		echo "PASS: $WHAT: the build is warning-free"
	fi
	[ -z "${KEEP_DEB:-}" ] || cp "$T"/*.deb "$KEEP_DEB"/
	unshare --mount --pid --uts --net --fork --kill-child --mount-proc \
	    --propagation private sh "./${0##*/}" --inner "$T"
	exit 0
fi

# ---- inside the namespaces: PID 1 here, so everything dies with us ----
T=$2
trap 'lib_cleanup' EXIT
hostname debtest && ip link set lo up ||
    { echo "FAIL: $WHAT: set up the namespaces"; exit 0; }
R=$T/ovl/root
U=$T/ovl/upper
# The upper layer on a tmpfs: the overlay's changes live only in memory.
mount -t tmpfs -o mode=0755 t_deb "$T/ovl" &&
    mkdir "$U" "$T/ovl/work" "$R" &&
    mount -t overlay t_deb -o "lowerdir=/,upperdir=$U,workdir=$T/ovl/work" "$R" &&
    mount -t proc proc "$R/proc" &&
    mount --rbind /dev "$R/dev" &&
    mount -t tmpfs -o mode=0755 t_deb "$R/run" &&
    mount -t tmpfs -o mode=1777 t_deb "$R/tmp" ||
    { echo "SKIP: $WHAT: install, end to end, purge (cannot mount an overlay of / here)"; exit 0; }
inr() { chroot "$R" "$@"; }
installed() {
	inr dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# As on a machine that never had our daemons: no accounts, no /var/empty.
for u in _talkd _comsat _rwhod; do
	! inr getent passwd "$u" >/dev/null || inr userdel "$u" 2>/dev/null
	! inr getent group "$u" >/dev/null || inr groupdel "$u" 2>/dev/null
done
[ ! -d "$R/var/empty" ] || rmdir "$R/var/empty" 2>/dev/null
[ -e "$R/usr/sbin/policy-rc.d" ] ||
    printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
had_talkd="" had_rwhod="" had_biff=""
installed talkd && had_talkd=1
installed rwhod && had_rwhod=1
installed biff && had_biff=1
mkdir -p "$R/tmp/t" && cp "$T"/privsep-*_*.deb ctlmsg.py ttyrig.py \
    rwhotool.py "$R/tmp/t/" || { echo "FAIL: $WHAT: copy files in"; exit 0; }
rm -f "$R"/tmp/t/*-dbgsym_*

# ---- install ----
t0=$(date +%s)
debs=$(cd "$R/tmp/t" && ls privsep-*_*.deb | sed 's|^|/tmp/t/|')
if inr env DEBIAN_FRONTEND=noninteractive dpkg -i $debs >"$T/install.log" 2>&1 && installed privsep-talkd &&
    installed privsep-comsat && installed privsep-rwhod; then
	echo "PASS: $WHAT: dpkg -i installs the three packages"
else
	echo "FAIL: $WHAT: dpkg -i installs the three packages"
	sed 's/^/#   /' "$T/install.log" | tail -30
	exit 0
fi
echo "# dpkg -i: $(($(date +%s) - t0)) s"
sed 's/^/#   dpkg: /' "$T/install.log" | grep -i -E 'removing|divert|warn'
if [ -n "$had_talkd" ]; then
	! installed talkd && [ ! -e "$R/usr/sbin/in.ntalkd" ] &&
	    ! grep -q '^ntalk' "$R/etc/inetd.conf" 2>/dev/null &&
	    echo "PASS: $WHAT: replaces netkit's talkd (its inetd lines disabled)" ||
	    echo "FAIL: $WHAT: replaces netkit's talkd (its inetd lines disabled)"
fi
if [ -n "$had_rwhod" ]; then
	! installed rwhod && { ! installed rwho || [ -x "$R/usr/bin/ruptime" ]; } &&
	    echo "PASS: $WHAT: replaces netkit's rwhod, keeps the rwho clients" ||
	    echo "FAIL: $WHAT: replaces netkit's rwhod, keeps the rwho clients"
fi
if [ -n "$had_biff" ]; then
	installed biff && [ -x "$R/usr/bin/biff" ] &&
	    [ -x "$R/usr/sbin/in.comsat" ] &&
	    [ "$(inr dpkg-divert --listpackage /usr/share/man/man8/comsat.8.gz)" = privsep-comsat ] &&
	    zcat "$R/usr/share/man/man8/comsat.netkit.8.gz" | grep -q . &&
	    zcat "$R/usr/share/man/man8/comsat.8.gz" | grep -q 'privilege-separated biff' &&
	    echo "PASS: $WHAT: keeps biff (client, in.comsat); its comsat(8) diverted to comsat.netkit(8)" ||
	    echo "FAIL: $WHAT: keeps biff (client, in.comsat); its comsat(8) diverted to comsat.netkit(8)"
fi
ok=1
for u in _talkd _comsat _rwhod; do
	ent=$(inr getent passwd "$u") || { ok=""; continue; }
	case "$ent" in
	*:/var/empty:/usr/sbin/nologin) ;;
	*) ok="";;
	esac
	uid=$(echo "$ent" | cut -d: -f3)
	[ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] || ok=""
done
[ -n "$ok" ] && echo "PASS: $WHAT: system accounts _talkd, _comsat, _rwhod (nologin, home /var/empty)" ||
    echo "FAIL: $WHAT: system accounts _talkd, _comsat, _rwhod"
[ "$(stat -c '%U:%G %a' "$R/var/empty")" = "root:root 755" ] &&
    [ -z "$(ls -A "$R/var/empty")" ] &&
    [ "$(stat -c '%U:%G %a' "$R/var/spool/rwho")" = "root:root 755" ] &&
    echo "PASS: $WHAT: /var/empty and /var/spool/rwho are root's, mode 755" ||
    echo "FAIL: $WHAT: /var/empty and /var/spool/rwho are root's, mode 755"
W=$R/etc/systemd/system
[ -L "$W/sockets.target.wants/talkd.socket" ] &&
    [ -L "$W/sockets.target.wants/comsat.socket" ] &&
    [ -L "$W/sockets.target.wants/rwhod.socket" ] &&
    [ -L "$W/multi-user.target.wants/rwhod.service" ] &&
    echo "PASS: $WHAT: talkd.socket, comsat.socket, rwhod.socket and rwhod.service enabled" ||
    echo "FAIL: $WHAT: talkd.socket, comsat.socket, rwhod.socket and rwhod.service enabled"
# Our PID namespace: anything the maintainer scripts started is here.
if inr ps -e -o comm= | grep -E -x 'talkd|comsat|rwhod' >/dev/null; then
	echo "FAIL: $WHAT: installing started no daemon"
	inr ps -e -o pid=,comm= | sed 's/^/#   /'
else
	echo "PASS: $WHAT: installing started no daemon (policy-rc.d, no systemd)"
fi

# ---- the units ----
units=""
for p in talkd comsat rwhod; do
	units="$units /lib/systemd/system/$p.socket /lib/systemd/system/$p.service"
done
if out=$(inr systemd-analyze verify $units 2>&1) && [ -z "$out" ]; then
	echo "PASS: $WHAT: systemd-analyze verify: the six units are clean"
else
	echo "FAIL: $WHAT: systemd-analyze verify: the six units are clean"
	echo "$out" | sed 's/^/#   /'
fi
# The exposure levels SECURITY.md gives ("Deployment" section), x10.
for pm in talkd:26 comsat:17 rwhod:20; do
	p=${pm%:*} max=${pm#*:}
	out=$(inr systemd-analyze security --offline=yes --threshold="$max" \
	    "/lib/systemd/system/$p.service" 2>&1)
	rc=$?
	lvl=$(echo "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	[ $rc -eq 0 ] && [ -n "$lvl" ] &&
	    echo "PASS: $WHAT: systemd-analyze security $p.service: $lvl (at most $((max / 10)).$((max % 10)))" ||
	    echo "FAIL: $WHAT: systemd-analyze security $p.service: ${lvl:-?} (at most $((max / 10)).$((max % 10)))"
done

# ---- the installed daemons, started as their units start them ----
# systemd-socket-activate, like a socket unit, binds the socket and
# starts the daemon on the first datagram.
bound() {	# PORT: wait until a UDP socket listens on it
	_i=0
	while [ -z "$(ss -Hunl "sport = :$1" 2>/dev/null)" ] && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}
t0=$(date +%s)
# engine_user ROLE: the account the daemon's ROLE child runs as.
engine_user() {
	inr ps -e -o user:16=,args= | awk -v t="$1" 'index($0, t) { print $1; exit }'
}

# talkd rings a pty.
mkdir -p "$R/tmp/t/r1" "$R/tmp/t/r2"
lib_start "$T/rig1.log" chroot "$R" python3 /tmp/t/ttyrig.py /tmp/t/utmp1 \
    /tmp/t/r1 60 nobody:620
lib_wait_log "$R/tmp/t/r1/ptys" "^0 " 10
lib_start "$T/talkd.log" chroot "$R" systemd-socket-activate -d -l 127.0.0.1:518 \
    /usr/sbin/talkd -d -U /tmp/t/utmp1
pid=$LIB_PID
bound 518
got=$(inr python3 /tmp/t/ctlmsg.py 127.0.0.1 518 ANNOUNCE alice nobody timeout=5)
lib_wait_log "$R/tmp/t/r1/0.out" "Message from Talk_Daemon@debtest" 5
case "$got" in
"answer=0 "*)
	grep -q "Message from Talk_Daemon@debtest" "$R/tmp/t/r1/0.out" &&
	    grep -q "started (systemd socket)" "$T/talkd.log" &&
	    echo "PASS: $WHAT: installed talkd (socket-activated) answers ANNOUNCE and rings the pty" ||
	    echo "FAIL: $WHAT: installed talkd rings the pty";;
*)	echo "FAIL: $WHAT: installed talkd answers ANNOUNCE (got: $got)";;
esac
[ "$(engine_user 'talkd: engine')" = _talkd ] &&
    [ "$(engine_user 'talkd: resolver')" = _talkd ] &&
    echo "PASS: $WHAT: talkd's engine and resolver run as _talkd" ||
    echo "FAIL: $WHAT: talkd's engine and resolver run as _talkd"
lib_stop "$pid"
sed 's/^/#   talkd: /' "$T/talkd.log" | grep -v -e ' debug' | tail -5

# comsat shows new mail on a biff y pty.
printf '%s\n' "From x Mon Jan  1 00:00:00 2024" "From: R <r@example.org>" \
    "Subject: package test" "" "body" >"$R/var/mail/nobody"
inr chown nobody:mail /var/mail/nobody && chmod 0600 "$R/var/mail/nobody"
lib_start "$T/rig2.log" chroot "$R" python3 /tmp/t/ttyrig.py /tmp/t/utmp2 \
    /tmp/t/r2 60 nobody:720
lib_wait_log "$R/tmp/t/r2/ptys" "^0 " 10
lib_start "$T/comsat.log" chroot "$R" systemd-socket-activate -d -l 127.0.0.1:512 \
    /usr/sbin/comsat -d -U /tmp/t/utmp2
pid=$LIB_PID
bound 512
inr python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"nobody@0\n", ("127.0.0.1", 512))'
lib_wait_log "$R/tmp/t/r2/0.out" "Subject: package test" 5 &&
    grep -q "New mail for nobody@debtest" "$R/tmp/t/r2/0.out" &&
    echo "PASS: $WHAT: installed comsat (socket-activated) shows new mail on a biff y pty" ||
    echo "FAIL: $WHAT: installed comsat shows new mail on a biff y pty"
[ "$(engine_user 'comsat: engine')" = _comsat ] &&
    echo "PASS: $WHAT: comsat's engine runs as _comsat" ||
    echo "FAIL: $WHAT: comsat's engine runs as _comsat"
lib_stop "$pid"
sed 's/^/#   comsat: /' "$T/comsat.log" | grep -v -e ' debug' | tail -5

# rwhod stores a status that ruptime shows.  Only lo here: it sends
# nothing; the status comes from rwhotool.py.
lib_start "$T/rwhod.log" chroot "$R" systemd-socket-activate -d -l 0.0.0.0:513 \
    /usr/sbin/rwhod -d
pid=$LIB_PID
bound 513
inr python3 /tmp/t/rwhotool.py send -b 127.0.0.2 127.0.0.1 good viadeb >/dev/null
i=0
while [ ! -f "$R/var/spool/rwho/whod.viadeb" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
[ "$(stat -c %U "$R/var/spool/rwho/whod.viadeb" 2>/dev/null)" = root ] &&
    { [ ! -x "$R/usr/bin/ruptime" ] || inr ruptime | grep -q '^viadeb *up'; } &&
    echo "PASS: $WHAT: installed rwhod (socket-activated) stores a status; ruptime shows it" ||
    echo "FAIL: $WHAT: installed rwhod stores a status; ruptime shows it"
[ "$(engine_user 'rwhod: engine')" = _rwhod ] &&
    echo "PASS: $WHAT: rwhod's engine runs as _rwhod" ||
    echo "FAIL: $WHAT: rwhod's engine runs as _rwhod"
lib_stop "$pid"
sed 's/^/#   rwhod: /' "$T/rwhod.log" | grep -v -e ' debug' | tail -5
lib_cleanup

echo "# end to end: $(($(date +%s) - t0)) s"

# ---- purge ----
for p in privsep-talkd privsep-comsat privsep-rwhod; do
	inr dpkg -L "$p"
done >"$T/files"
# rwho depends on rwhod, which only privsep-rwhod provides now: it goes
# too (apt would propose the same).
pkgs="privsep-talkd privsep-comsat privsep-rwhod"
installed rwho && pkgs="$pkgs rwho"
t0=$(date +%s)
if inr env DEBIAN_FRONTEND=noninteractive dpkg --purge $pkgs \
    >"$T/purge.log" 2>&1 && ! installed privsep-talkd &&
    ! installed privsep-comsat && ! installed privsep-rwhod; then
	echo "PASS: $WHAT: dpkg --purge $pkgs"
	echo "# dpkg --purge: $(($(date +%s) - t0)) s"
else
	echo "FAIL: $WHAT: dpkg --purge $pkgs"
	sed 's/^/#   /' "$T/purge.log" | tail -20
fi
left=""
while read -r f; do
	[ -d "$R$f" ] && continue	# shared directories; ours below
	# biff's own comsat(8), back from the diversion.
	[ "$f" = /usr/share/man/man8/comsat.8.gz ] && [ -n "$had_biff" ] &&
	    continue
	[ -e "$R$f" ] || [ -L "$R$f" ] && left="$left $f"
done <"$T/files"
for d in /var/empty /var/spool/rwho; do
	[ -e "$R$d" ] && left="$left $d"
done
for f in $(cd "$R" && find etc/systemd var/lib/systemd \( -name 'talkd*' \
    -o -name 'comsat*' -o -name 'rwhod*' \) 2>/dev/null); do
	left="$left /$f"
done
inr dpkg-divert --list '*comsat*' | grep -q . && left="$left (comsat(8) diversion)"
[ -n "$had_biff" ] && [ ! -e "$R/usr/share/man/man8/comsat.8.gz" ] &&
    left="$left (biff's comsat.8.gz not restored)"
# The overlay's upper layer holds every change to the system: apart from
# dpkg's own records and logs, nothing of ours (whiteouts, character
# devices 0/0, are netkit's files removed in our favour).
for f in $(cd "$U" && find . ! -type c ! -type d | sed 's|^\.||' |
    grep -E 'talkd|comsat|rwho|privsep' |
    grep -v -E '^/var/(lib/dpkg|log|cache)/'); do
	case "$f" in
	*/man8/comsat.8.gz)	# biff's, renamed back: not ours
		zcat "$R$f" | grep -q 'privilege-separated' || continue;;
	esac
	left="$left $f"
done
if [ -z "$left" ]; then
	echo "PASS: $WHAT: purge leaves no file, unit, enablement, diversion, spool or /var/empty"
else
	echo "FAIL: $WHAT: purge leaves nothing behind (left:$left)"
fi
# Debian keeps system accounts on purge (files may still be theirs).
inr getent passwd _talkd _comsat _rwhod | sed 's/^/#   kept account: /'
exit 0
