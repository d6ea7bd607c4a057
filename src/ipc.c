/*
 * IPC framing, used on both sides of the privilege boundary.  Every
 * record is checked here for shape (lengths, truncation, descriptor
 * bookkeeping); ipc_check() then applies the receiver's allow-list.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

#define LOG_CHANNEL_FD	3	/* a child's channel to its parent */

static char	ipc_errbuf[128];

static int
ipc_fail(const char *why)
{
	strlcpy(ipc_errbuf, why, sizeof(ipc_errbuf));
	return (IPC_BAD);
}

const char *
ipc_error(void)
{
	return (ipc_errbuf);
}

int
ipc_send(int sock, uint32_t type, uint32_t seq, int fd, const void *data,
    size_t len)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct ipc_hdr	 hdr;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	ssize_t		 n;

	if (len > IPC_MAXPAYLOAD) {
		errno = EMSGSIZE;
		return (-1);
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = len;
	hdr.seq = seq;
	hdr.flags = fd >= 0 ? IPC_F_FD : 0;

	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)data;	/* not written */
	iov[1].iov_len = len;
	msg.msg_iov = iov;
	msg.msg_iovlen = len > 0 ? 2 : 1;
	if (fd >= 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return (-1);
	if ((size_t)n != sizeof(hdr) + len) {
		errno = EMSGSIZE;
		return (-1);
	}
	return (0);
}

/* Take the descriptors out of the control data; more than one is an error. */
static int
ipc_take_fds(struct msghdr *msg, int *fdp)
{
	struct cmsghdr	*cmsg;
	int		 fds[8], i, n, bad = 0;

	*fdp = -1;
	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > 8)
			n = 8;
		memcpy(fds, CMSG_DATA(cmsg), n * sizeof(int));
		for (i = 0; i < n; i++) {
			if (*fdp == -1 && !bad)
				*fdp = fds[i];
			else {
				close(fds[i]);
				bad = 1;
			}
		}
	}
	if (bad) {
		if (*fdp != -1)
			close(*fdp);
		*fdp = -1;
		return (-1);
	}
	return (0);
}

int
ipc_recv(int sock, struct ipc_msg *m)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 8)];
	} cmsgbuf;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	ssize_t		 n;
	int		 fd;

	m->fd = -1;
	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &m->hdr;
	iov[0].iov_len = sizeof(m->hdr);
	iov[1].iov_base = m->data;
	iov[1].iov_len = sizeof(m->data);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return (IPC_AGAIN);
		/* A peer that died with records unread: same as a close. */
		if (errno == ECONNRESET)
			return (IPC_EOF);
		return (ipc_fail(strerror(errno)));
	}
	if (ipc_take_fds(&msg, &fd) == -1)
		return (ipc_fail("more than one descriptor, or bad control "
		    "data"));
	m->fd = fd;
	/*
	 * Linux drops a passed descriptor silently when the receiver has no
	 * free slot and reports only MSG_CTRUNC: never go on without it.
	 */
	if (msg.msg_flags & MSG_CTRUNC) {
		ipc_discard(m);
		return (ipc_fail("control data truncated (MSG_CTRUNC)"));
	}
	if (msg.msg_flags & MSG_TRUNC) {
		ipc_discard(m);
		return (ipc_fail("record longer than the largest message"));
	}
	if (n == 0) {
		ipc_discard(m);
		return (IPC_EOF);
	}
	if ((size_t)n < sizeof(m->hdr)) {
		ipc_discard(m);
		return (ipc_fail("record shorter than the header"));
	}
	if (m->hdr.len != (size_t)n - sizeof(m->hdr)) {
		ipc_discard(m);
		return (ipc_fail("header length does not match the record"));
	}
	if (m->hdr.flags & ~IPC_F_FD) {
		ipc_discard(m);
		return (ipc_fail("unknown header flags"));
	}
	if (((m->hdr.flags & IPC_F_FD) != 0) != (m->fd != -1)) {
		ipc_discard(m);
		return (ipc_fail("descriptor flag and descriptor disagree"));
	}
	return (1);
}

/* Apply the receiver's allow-list: type known, exact length, fd as listed. */
int
ipc_check(const struct ipc_msg *m, const struct ipc_rule *rules, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (rules[i].type != m->hdr.type)
			continue;
		if (rules[i].len != m->hdr.len) {
			snprintf(ipc_errbuf, sizeof(ipc_errbuf),
			    "type %u: length %u, want %zu", m->hdr.type,
			    m->hdr.len, rules[i].len);
			return (IPC_BAD);
		}
		if (rules[i].fd != (m->fd != -1)) {
			snprintf(ipc_errbuf, sizeof(ipc_errbuf),
			    "type %u: descriptor %s", m->hdr.type,
			    rules[i].fd ? "missing" : "not allowed");
			return (IPC_BAD);
		}
		return (0);
	}
	snprintf(ipc_errbuf, sizeof(ipc_errbuf), "type %u not allowed here",
	    m->hdr.type);
	return (IPC_BAD);
}

/*
 * Block until the first record on sock, which must be the one-shot
 * start-up message of rule (a descriptor, such as the daemon's socket).
 * Returns the descriptor, or -1 with the reason in ipc_error().
 */
int
ipc_wait_fd(int sock, const struct ipc_rule *rule)
{
	struct pollfd	pfd;
	struct ipc_msg	m;
	int		rv;

	pfd.fd = sock;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR) {
			ipc_fail(strerror(errno));
			return (-1);
		}
		if ((rv = ipc_recv(sock, &m)) == IPC_AGAIN)
			continue;
		if (rv == IPC_EOF)
			ipc_fail("end of file");
		if (rv != 1)
			return (-1);
		if (ipc_check(&m, rule, 1) != 0) {
			ipc_discard(&m);
			return (-1);
		}
		return (m.fd);
	}
}

void
ipc_discard(struct ipc_msg *m)
{
	if (m->fd != -1)
		close(m->fd);
	m->fd = -1;
}

/*
 * log_setsink() target for a child: its log lines go to the parent.  If
 * the parent is gone there is nobody left to tell.
 */
void
ipc_log_sink(int pri, const char *line)
{
	struct ipc_log	m;

	memset(&m, 0, sizeof(m));
	m.pri = pri;
	strlcpy(m.msg, line, sizeof(m.msg));
	if (ipc_send(LOG_CHANNEL_FD, IPC_LOG, 0, -1, &m, sizeof(m)) == -1)
		_exit(1);
}

/* What a receiver checks before it logs a line a child sent. */
int
ipc_log_valid(const struct ipc_log *m)
{
	return (m->pri >= 0 && m->pri <= 7 &&
	    memchr(m->msg, '\0', sizeof(m->msg)) != NULL);
}
