/*
 * The seccomp allow-lists, one per child, as data.  Everything not listed
 * kills the child (SCMP_ACT_KILL_PROCESS), as does any other syscall
 * architecture.  `talkd -S` prints these tables; SECURITY.md quotes them
 * and regress/t_policy.sh checks that the two agree.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>

#include "priv.h"

#define ARG(n, op, a, b)	{ (n), (op), (a), (b) }
#define NOEXEC(n)	ARG(n, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)
#define FD(n, fd)	ARG(n, SCMP_CMP_EQ, fd, 0)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* What malloc, arc4random and libc's own start-up need in any child. */
#define BASE_CALLS \
	{ "brk", 0, {}, "malloc" }, \
	{ "mmap", 1, { NOEXEC(2) }, "malloc, never executable" }, \
	{ "mprotect", 1, { NOEXEC(2) }, "malloc, never executable" }, \
	{ "munmap", 0, {}, "free" }, \
	{ "mremap", 0, {}, "realloc" }, \
	{ "madvise", 0, {}, "free, arc4random" }, \
	{ "getrandom", 0, {}, "arc4random: random ids and hash keys" }, \
	{ "getpid", 0, {}, "arc4random fork detection" }, \
	{ "clock_gettime", 0, {}, "timers, expiry" }, \
	{ "gettimeofday", 0, {}, "time(3)" }, \
	{ "time", 0, {}, "time(3)" }, \
	{ "poll", 0, {}, "main loop" }, \
	{ "close", 0, {}, "passed descriptors" }, \
	{ "rt_sigreturn", 0, {}, "signal return" }, \
	{ "exit", 0, {}, "exit" }, \
	{ "exit_group", 0, {}, "exit" }

static const struct sb_call talkd_engine_calls[] = {
	BASE_CALLS,
	{ "recvmsg", 0, {}, "datagrams, IPC records" },
	{ "sendmsg", 0, {}, "IPC records, CTL_RESPONSE to the source" },
	{ "write", 0, {}, "announcement on a tty the parent opened" },
	{ "uname", 0, {}, "gethostname(3) for the banner" },
};

const struct sb_policy policy_talkd_engine = {
	"talkd-engine", talkd_engine_calls, NELEM(talkd_engine_calls),
	1, NULL, 16
};

/*
 * The resolver runs getnameinfo/getaddrinfo: it needs DNS sockets and
 * read-only files under /etc (hosts, resolv.conf, nsswitch.conf), so it
 * is confined by Landlock to reading /etc instead of a chroot.
 */
static const struct sb_call talkd_resolver_calls[] = {
	BASE_CALLS,
	{ "recvmsg", 0, {}, "IPC records, DNS answers" },
	{ "sendmsg", 0, {}, "IPC records" },
	{ "socket", 1, { ARG(0, SCMP_CMP_EQ, AF_INET, 0) }, "DNS over IPv4" },
	{ "socket", 1, { ARG(0, SCMP_CMP_EQ, AF_INET6, 0) }, "DNS over IPv6" },
	{ "socket", 1, { ARG(0, SCMP_CMP_EQ, AF_UNIX, 0) },
	    "libc's nscd probe: refused, not fatal", EACCES },
	{ "connect", 0, {}, "DNS server" },
	{ "sendto", 0, {}, "DNS query" },
	{ "sendmmsg", 0, {}, "DNS A+AAAA queries" },
	{ "recvfrom", 0, {}, "DNS answer" },
	{ "bind", 0, {}, "DNS source port" },
	{ "getsockname", 0, {}, "DNS" },
	{ "setsockopt", 0, {}, "DNS socket options" },
	{ "ioctl", 1, { ARG(1, SCMP_CMP_EQ, FIONREAD, 0) }, "DNS answer size" },
	{ "openat", 1, { ARG(2, SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY) },
	    "/etc/hosts, resolv.conf: read-only (Landlock: /etc only)" },
	{ "read", 0, {}, "files under /etc" },
	{ "write", 1, { FD(0, CHILD_IPC_FD) }, "nothing but IPC" },
	{ "fstat", 0, {}, "stdio" },
	{ "newfstatat", 0, {}, "stdio, resolv.conf change check" },
	{ "lseek", 0, {}, "stdio" },
	{ "uname", 0, {}, "resolver" },
};

const struct sb_policy policy_talkd_resolver = {
	"talkd-resolver", talkd_resolver_calls, NELEM(talkd_resolver_calls),
	0, "/etc", 32
};

/*
 * The rwhod engine only reads datagrams and hands records to the parent:
 * no write(2) at all, and sendmsg only on the IPC channel, so even a
 * compromised engine cannot send a packet (its UDP socket is the
 * parent's port 513) or write anywhere.
 */
static const struct sb_call rwhod_engine_calls[] = {
	BASE_CALLS,
	{ "recvmsg", 0, {}, "status datagrams, IPC records" },
	{ "sendmsg", 1, { FD(0, CHILD_IPC_FD) },
	    "IPC records to the parent (fd 3), never the network" },
};

const struct sb_policy policy_rwhod_engine = {
	"rwhod-engine", rwhod_engine_calls, NELEM(rwhod_engine_calls),
	1, NULL, 8
};

/*
 * The comsat engine reads datagrams, receives excerpts and terminal
 * descriptors from the parent, and writes notices on those terminals.
 * sendmsg only on the IPC channel: it never answers the network.  write
 * is needed for the terminals, whose numbers vary; on the UDP socket it
 * fails (unconnected), so it cannot send a packet either.
 */
static const struct sb_call comsat_engine_calls[] = {
	BASE_CALLS,
	{ "recvmsg", 0, {}, "datagrams, IPC records" },
	{ "sendmsg", 1, { FD(0, CHILD_IPC_FD) },
	    "IPC records to the parent (fd 3), never the network" },
	{ "write", 0, {}, "notice on a tty the parent opened" },
	{ "uname", 0, {}, "gethostname(3) for the notice" },
};

const struct sb_policy policy_comsat_engine = {
	"comsat-engine", comsat_engine_calls, NELEM(comsat_engine_calls),
	1, NULL, 16
};
