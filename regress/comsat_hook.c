/*
 * Test-only, linked into regress/comsat-regress next to regress_hook.c:
 * the system calls the comsat engine's policy refuses beyond the classes
 * every child refuses.  It runs before regress_hook() (which exits 98 on
 * a name it does not know) and returns for any other name.  A child that
 * survives exits 99.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void	regress_hook_comsat(const char *);

void
regress_hook_comsat(const char *me)
{
	const char	*name = getenv("REGRESS_SYSCALL");
	const char	*role = getenv("REGRESS_ROLE");
	struct msghdr	 msg;
	struct iovec	 iov;
	char		 c = 'x';

	if (name == NULL || strcmp(role != NULL ? role : "engine", me) != 0)
		return;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (strcmp(name, "sendmsg-other") == 0)
		syscall(SYS_sendmsg, 0, &msg, 0);	/* not the IPC fd */
	else if (strcmp(name, "sendto") == 0)
		syscall(SYS_sendto, 3, "x", 1, 0, NULL, 0);
	else if (strcmp(name, "recvfrom") == 0)
		syscall(SYS_recvfrom, 3, &c, 1, MSG_DONTWAIT, NULL, NULL);
	else if (strcmp(name, "write") == 0) {
		/* allowed (terminals): to /dev/null it must survive */
		if (syscall(SYS_write, 1, "x", 1) != 1)
			exit(97);
	} else
		return;
	exit(99);
}
