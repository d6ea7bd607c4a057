/*
 * Test-only code, linked into regress/talkd-regress and never into the
 * installed daemons.  After a child has entered its sandbox it performs
 * the system call named in REGRESS_SYSCALL, which the seccomp filter must
 * answer by killing it with SIGSYS.  If the child survives, it exits 99
 * so the test sees the difference.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void	regress_hook(const char *);
void	regress_evil(void);		/* regress_evil.c: a hostile child */

#ifdef SANITIZE
static void
sanitize_asan(void)
{
	volatile char	*p;

	if ((p = malloc(8)) != NULL)
		p[8] = 'x';			/* heap-buffer-overflow */
}

static void
sanitize_ubsan(void)
{
	volatile int	shift = 40, one = 1;

	one = one << shift;			/* shift exponent too large */
}
#endif

/* REGRESS_ROLE picks the child (default "engine"). */
void
regress_hook(const char *me)
{
	const char	*name = getenv("REGRESS_SYSCALL");
	const char	*role = getenv("REGRESS_ROLE");
	char		*const argv[] = { "sh", NULL };
	struct msghdr	 msg;
	struct iovec	 iov;
	char		 c = 'x';
	int		 sv[2];

	if (strcmp(role != NULL ? role : "engine", me) != 0)
		return;
	if (getenv("REGRESS_EVIL") != NULL)
		regress_evil();
	if (name == NULL)
		return;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (strcmp(name, "open") == 0)
		syscall(SYS_open, "/etc/passwd", O_RDONLY);
	else if (strcmp(name, "openat") == 0)
		syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	else if (strcmp(name, "openat-write") == 0)
		syscall(SYS_openat, AT_FDCWD, "/tmp/x", O_WRONLY | O_CREAT, 0600);
	else if (strcmp(name, "execve") == 0)
		syscall(SYS_execve, "/bin/sh", argv, NULL);
	else if (strcmp(name, "socket") == 0)
		syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	else if (strcmp(name, "socket-unix") == 0)
		syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	else if (strcmp(name, "socketpair") == 0)
		syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
	else if (strcmp(name, "connect") == 0)
		syscall(SYS_connect, 3, NULL, 0);
	else if (strcmp(name, "bind") == 0)
		syscall(SYS_bind, 3, NULL, 0);
	else if (strcmp(name, "ptrace") == 0)
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	else if (strcmp(name, "kill") == 0)
		syscall(SYS_kill, 1, 0);
	else if (strcmp(name, "setuid") == 0)
		syscall(SYS_setuid, 0);
	else if (strcmp(name, "chroot") == 0)
		syscall(SYS_chroot, "/");
	else if (strcmp(name, "mount") == 0)
		syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL);
	else if (strcmp(name, "ioctl") == 0)
		syscall(SYS_ioctl, 0, TIOCSTI, "x");
	else if (strcmp(name, "fork") == 0)
		syscall(SYS_fork);
	else if (strcmp(name, "clone") == 0)
		syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	else if (strcmp(name, "mmap-exec") == 0)
		syscall(SYS_mmap, 0, 4096, 7, 0x22, -1, 0);
	else if (strcmp(name, "write") == 0)
		syscall(SYS_write, 1, "x", 1);		/* fd 1 is /dev/null */
	else if (strcmp(name, "sendmsg-other") == 0)
		syscall(SYS_sendmsg, 0, &msg, 0);	/* not the IPC fd */
	else if (strcmp(name, "sendto") == 0)
		syscall(SYS_sendto, 3, "x", 1, 0, NULL, 0);
	else if (strcmp(name, "recvfrom") == 0)
		syscall(SYS_recvfrom, 3, &c, 1, MSG_DONTWAIT, NULL, NULL);
	else if (strcmp(name, "getpid") == 0)
		syscall(SYS_getpid);	/* allowed: the control case */
#ifdef SANITIZE
	/* make asan-check: a report must get out of the sandbox. */
	else if (strcmp(name, "asan") == 0)
		sanitize_asan();
	else if (strcmp(name, "ubsan") == 0)
		sanitize_ubsan();
#endif
	else
		exit(98);
	exit(99);
}
