#!/bin/sh
# The privilege boundary, checked on the objects: nothing built from src/
# (the code that runs unprivileged, in the children, on network bytes)
# may even link to a function that opens a file, changes identity or
# root, makes a socket or an endpoint, starts or signals a process,
# traces, mounts, loads code or calls an arbitrary syscall.  Those belong
# to priv/.  The seccomp filter would kill a child that tried; this keeps
# the code from growing the wish.  `nm -u` lists what each object needs
# from elsewhere; libc's internal calls (getaddrinfo's sockets in the
# resolver, openlog's socket in log.c's parent path) are not undefined
# symbols of ours and are the filter's business, not this test's.
cd "$(dirname "$0")/.." || exit 1

# Files: open*, creat*, fopen*, opendir; identity and root: chroot,
# set*id, setgroups, capset, prctl; endpoints: socket*, bind, connect,
# listen, accept*; processes: exec*, fork, vfork, clone, posix_spawn*,
# system, popen, daemon; signals: kill, killpg, tgkill, sigqueue;
# others: ptrace, mount, umount*, ioctl (TIOCSTI), syscall (any call at
# all), dlopen, file modes and names (chmod, chown, unlink, rename).
FORBIDDEN="open open64 openat openat64 openat2 creat creat64 fopen fopen64
freopen opendir chroot setuid seteuid setreuid setresuid setgid setegid
setregid setresgid setgroups initgroups capset prctl socket socketpair bind
connect listen accept accept4 execve execv execvp execvpe execl execlp execle
fexecve fork vfork clone posix_spawn posix_spawnp system popen daemon kill
killpg tgkill sigqueue ptrace mount umount umount2 ioctl syscall dlopen chmod
fchmod fchmodat chown fchown lchown fchownat unlink unlinkat rename renameat
renameat2"

objs=$(ls src/*.o 2>/dev/null)
if [ -z "$objs" ]; then
	echo "SKIP: boundary: src/ objects link to no privileged call (not built: run make)"
	exit 0
fi
if ! command -v nm >/dev/null 2>&1; then
	echo "SKIP: boundary: src/ objects link to no privileged call (no nm: install binutils)"
	exit 0
fi
forbidden_in() {
	# Fortified and versioned names count as the call itself.
	nm -u "$1" | awk '{ print $NF }' | sed 's/@.*//; s/^__\(.*\)_chk$/\1/' |
	    while read -r s; do
		for f in $FORBIDDEN; do
			[ "$s" = "$f" ] && echo "$s"
		done
	    done | sort -u | tr '\n' ' '
}
# Control: the check must see what the privileged side does link to.
if [ -f priv/sandbox.o ]; then
	case " $(forbidden_in priv/sandbox.o)" in
	*" chroot "*" setresuid "*)
		echo "PASS: boundary: the check finds chroot and setresuid in priv/sandbox.o (control)";;
	*)	echo "FAIL: boundary: the check finds chroot and setresuid in priv/sandbox.o (control)";;
	esac
fi
for o in $objs; do
	bad=$(forbidden_in "$o")
	if [ -n "$bad" ]; then
		echo "FAIL: boundary: $o links to $bad"
	else
		echo "PASS: boundary: $o links to no privileged call"
	fi
done
# The allow-lists the filter enforces (t_policy.sh compares them with
# SECURITY.md): printed here next to the link check, for the reviewer.
for d in talkd comsat rwhod; do
	[ -x "./$d" ] || continue
	"./$d" -S | awk -F'\t' '{ split($2, w, " ");
	    if (!seen[$1, w[1]]++) s[$1] = s[$1] " " w[1] }
	    END { for (p in s) print "# " p " may call:" s[p] }' | sort
done
