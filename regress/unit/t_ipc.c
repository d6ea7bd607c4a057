/* The IPC layer: framing, lengths, truncation and descriptor passing. */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "unit.h"

static int sp[2];

/* Send raw bytes with optional descriptors, bypassing ipc_send(). */
static void
raw(const void *buf, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 4)];
	} cb;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		memset(&cb, 0, sizeof(cb));
		msg.msg_control = cb.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	sendmsg(sp[0], &msg, 0);
}

static int
fd_count(void)
{
	int	fd, n = 0;

	for (fd = 0; fd < 256; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return (n);
}

int
main(void)
{
	static const struct ipc_rule rules[] = {
		{ 20, 4, 0 },
		{ 21, 0, 1 },
	};
	struct ipc_msg	 m;
	struct ipc_hdr	 h;
	struct rlimit	 rl, low;
	/* Zeroed: valgrind-check must not see uninitialised bytes sent. */
	static unsigned char big[sizeof(h) + IPC_MAXPAYLOAD + 16];
	uint32_t	 v = 42;
	int		 fds[2], null, before, rv;

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp);
	null = open("/dev/null", O_RDONLY);

	CHECK(ipc_send(sp[0], 20, 7, -1, &v, sizeof(v)) == 0 &&
	    ipc_recv(sp[1], &m) == 1 && m.hdr.type == 20 && m.hdr.seq == 7 &&
	    m.hdr.len == 4 && m.fd == -1 && memcmp(m.data, &v, 4) == 0,
	    "record round trip");
	CHECK(ipc_check(&m, rules, 2) == 0, "allow-list accepts a listed type");
	m.hdr.type = 22;
	CHECK(ipc_check(&m, rules, 2) == IPC_BAD, "unlisted type refused");
	m.hdr.type = 20;
	m.hdr.len = 3;
	CHECK(ipc_check(&m, rules, 2) == IPC_BAD, "wrong length refused");

	CHECK(ipc_send(sp[0], 21, 0, null, NULL, 0) == 0 &&
	    ipc_recv(sp[1], &m) == 1 && m.fd >= 0 &&
	    ipc_check(&m, rules, 2) == 0, "descriptor passes with its record");
	ipc_discard(&m);
	CHECK(ipc_send(sp[0], 21, 0, -1, NULL, 0) == 0 &&
	    ipc_recv(sp[1], &m) == 1 && ipc_check(&m, rules, 2) == IPC_BAD,
	    "record that needs a descriptor refused without one");
	CHECK(ipc_recv(sp[1], &m) == IPC_AGAIN, "empty channel: IPC_AGAIN");

	raw("abc", 3, NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD, "record shorter than header");
	memset(&h, 0, sizeof(h));
	h.type = 20;
	h.len = 8;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(h) + 4, NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD, "header length larger than record");
	h.len = 0;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(h) + 4, NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD,
	    "header length smaller than record");
	h.len = IPC_MAXPAYLOAD + 16;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(big), NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD, "oversized record (MSG_TRUNC)");

	before = fd_count();
	h.len = 0;
	h.flags = 0;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(h), &null, 1);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD && fd_count() == before,
	    "descriptor without IPC_F_FD refused and closed");
	h.flags = IPC_F_FD;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(h), NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD, "IPC_F_FD without descriptor");
	fds[0] = fds[1] = null;
	raw(big, sizeof(h), fds, 2);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD && fd_count() == before,
	    "two descriptors refused, both closed");
	h.flags = 0x80;
	memcpy(big, &h, sizeof(h));
	raw(big, sizeof(h), NULL, 0);
	CHECK(ipc_recv(sp[1], &m) == IPC_BAD, "unknown header flag refused");

	/* No free slot for the passed descriptor: Linux sets MSG_CTRUNC. */
	getrlimit(RLIMIT_NOFILE, &rl);
	low = rl;
	low.rlim_cur = 3;
	ipc_send(sp[0], 21, 0, null, NULL, 0);
	setrlimit(RLIMIT_NOFILE, &low);
	rv = ipc_recv(sp[1], &m);
	setrlimit(RLIMIT_NOFILE, &rl);
	CHECK(rv == IPC_BAD && strstr(ipc_error(), "CTRUNC") != NULL,
	    "descriptor dropped by the kernel (MSG_CTRUNC) is fatal");

	close(sp[0]);
	CHECK(ipc_recv(sp[1], &m) == IPC_EOF, "peer closed: IPC_EOF");
	return (unit_failed);
}
