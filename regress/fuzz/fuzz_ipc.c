/*
 * IPC: records of any shape through a real SOCK_SEQPACKET socketpair into
 * ipc_recv() and ipc_check(), as the parent reads its children and the
 * children read the parent and each other.  The input is a script of
 * records; each is a control byte, a 2-byte length and the record's
 * bytes, sent raw (any header, any length, 0 to 15 descriptors, with or
 * without credentials in the control data) or through ipc_send().
 * Properties:
 *
 *  - ipc_recv() returns one of its four results, and a descriptor only
 *    with a record it accepts (1);
 *  - an accepted record is exactly what was sent: header length equals
 *    the payload, known flags only, the descriptor flag matches one
 *    received descriptor, which is open and close-on-exec;
 *  - a record ipc_check() accepts has the length and the descriptor its
 *    rule says, in every daemon's tables;
 *  - no descriptor leaks, whatever arrives (checked after every input by
 *    the lowest free descriptor number).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "comsat.h"
#include "fuzz.h"
#include "ipc.h"
#include "rwhod.h"
#include "talkd.h"

#define MAXREC	(sizeof(struct ipc_hdr) + IPC_MAXPAYLOAD + 64)
#define MAXFDS	15

/* The receivers' allow-lists, as in the priv/ parents and the src/ engines. */
static const struct ipc_rule r_talkd_parent[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),	0 },
	{ IMSG_TALK_TTY_REQ,	sizeof(struct tty_req),	0 },
};
static const struct ipc_rule r_talkd_engine[] = {
	{ IMSG_TALK_SOCKET,	0,			1 },
	{ IMSG_TALK_RESOLVER,	0,			1 },
	{ IMSG_TALK_TTY_OK,	sizeof(struct tty_res),	1 },
	{ IMSG_TALK_TTY_FAIL,	sizeof(struct tty_res),	0 },
};
static const struct ipc_rule r_talkd_from_resolver[] = {
	{ IMSG_RES_ANSWER,	sizeof(struct res_answer), 0 },
	{ IPC_LOG,		sizeof(struct ipc_log),	0 },
};
static const struct ipc_rule r_talkd_resolver[] = {
	{ IMSG_RES_QUERY,	sizeof(struct res_query), 0 },
};
static const struct ipc_rule r_comsat_parent[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),		0 },
	{ IMSG_COMSAT_REQ,	sizeof(struct comsat_req),	0 },
};
static const struct ipc_rule r_comsat_engine[] = {
	{ IMSG_COMSAT_SOCKET,	0,				1 },
	{ IMSG_COMSAT_TEXT,	sizeof(struct comsat_text),	0 },
	{ IMSG_COMSAT_TTY,	sizeof(struct comsat_tty),	1 },
	{ IMSG_COMSAT_DONE,	sizeof(struct comsat_done),	0 },
};
static const struct ipc_rule r_rwhod_parent[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),		0 },
	{ IMSG_RWHO_STATUS,	sizeof(struct rwho_status),	0 },
};
static const struct ipc_rule r_rwhod_engine[] = {
	{ IMSG_RWHO_SOCKET,	0,	1 },
};

static const struct {
	const struct ipc_rule	*r;
	size_t			 n;
} tables[] = {
#define T(x)	{ x, sizeof(x) / sizeof(x[0]) }
	T(r_talkd_parent), T(r_talkd_engine), T(r_talkd_from_resolver),
	T(r_talkd_resolver), T(r_comsat_parent), T(r_comsat_engine),
	T(r_rwhod_parent), T(r_rwhod_engine),
#undef T
};

static int	devnull = -1;

static int
lowest_free_fd(void)
{
	int	fd;

	if ((fd = dup(0)) == -1)
		abort();
	close(fd);
	return (fd);
}

/* A raw record with nfds copies of /dev/null attached. */
static int
send_raw(int s, const unsigned char *buf, size_t len, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * MAXFDS)];
	} cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;
	int		 fds[MAXFDS], i;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		for (i = 0; i < nfds; i++)
			fds[i] = devnull;
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return (sendmsg(s, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == -1 ? -1 : 0);
}

static void
receive(int s, size_t sent, int nfds, int passcred)
{
	struct ipc_msg	m;
	size_t		t, i;
	int		rv, c, fdflags;

	memset(&m, 0xa5, sizeof(m));
	rv = ipc_recv(s, &m);
	FUZZ_ASSERT(rv == 1 || rv == IPC_EOF || rv == IPC_AGAIN ||
	    rv == IPC_BAD, "ipc_recv: a known result");
	FUZZ_ASSERT(rv != IPC_BAD || ipc_error()[0] != '\0',
	    "a violation has a reason");
	if (rv != 1) {
		FUZZ_ASSERT(m.fd == -1, "no descriptor without a record");
		return;
	}
	FUZZ_ASSERT(sent >= sizeof(m.hdr) &&
	    sent <= sizeof(m.hdr) + IPC_MAXPAYLOAD, "accepted: its size");
	FUZZ_ASSERT(m.hdr.len == sent - sizeof(m.hdr), "accepted: length");
	FUZZ_ASSERT((m.hdr.flags & ~IPC_F_FD) == 0, "accepted: flags");
	FUZZ_ASSERT(!passcred, "accepted: no foreign control data");
	FUZZ_ASSERT(((m.hdr.flags & IPC_F_FD) != 0) == (m.fd != -1) &&
	    (m.fd == -1) == (nfds == 0) && nfds <= 1,
	    "accepted: one descriptor exactly when flagged");
	if (m.fd != -1) {
		fdflags = fcntl(m.fd, F_GETFD);
		FUZZ_ASSERT(fdflags != -1 && (fdflags & FD_CLOEXEC),
		    "accepted: the descriptor is open, close-on-exec");
	}
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		if (ipc_check(&m, tables[t].r, tables[t].n) != 0) {
			FUZZ_ASSERT(ipc_error()[0] != '\0', "check: reason");
			continue;
		}
		for (i = 0; i < tables[t].n; i++)
			if (tables[t].r[i].type == m.hdr.type)
				break;
		FUZZ_ASSERT(i < tables[t].n, "check: a listed type");
		FUZZ_ASSERT(tables[t].r[i].len == m.hdr.len &&
		    tables[t].r[i].fd == (m.fd != -1),
		    "check: length and descriptor as the rule says");
		if (m.hdr.type == IPC_LOG) {
			struct ipc_log lm;

			memcpy(&lm, m.data, sizeof(lm));
			c = ipc_log_valid(&lm);
			FUZZ_ASSERT(!c || (lm.pri >= 0 && lm.pri <= 7 &&
			    memchr(lm.msg, '\0', sizeof(lm.msg)) != NULL),
			    "log line: priority and NUL");
		}
	}
	ipc_discard(&m);
	FUZZ_ASSERT(m.fd == -1, "discard forgets the descriptor");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ipc_rule sockrule[] = { { 16, 0, 1 } };
	struct ipc_msg	 m;
	size_t		 off = 0, len;
	int		 sp[2], base, ctl, nfds, passcred = 0, one = 1, fd;
	uint32_t	 type, seq;

	if (devnull == -1 && (devnull = open("/dev/null", O_RDWR)) == -1)
		abort();
	base = lowest_free_fd();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		abort();
	FUZZ_ASSERT(ipc_recv(sp[0], &m) == IPC_AGAIN && m.fd == -1,
	    "nothing to read: IPC_AGAIN");

	while (off + 3 <= size) {
		ctl = data[off];
		len = (data[off + 1] | data[off + 2] << 8) % (MAXREC + 1);
		off += 3;
		if (len > size - off)
			len = size - off;
		nfds = ctl & 0x0f;
		if ((ctl & 0x10) && !passcred) {
			/* Credentials ride with every record from now on. */
			if (setsockopt(sp[0], SOL_SOCKET, SO_PASSCRED, &one,
			    sizeof(one)) == -1)
				abort();
			passcred = 1;
		}
		if (ctl & 0x20) {
			/* A well-formed record: type, seq, payload. */
			type = seq = 0;
			memcpy(&type, data + off, len < 4 ? len : 4);
			if (len > 8)
				memcpy(&seq, data + off + 4, 4);
			if (ipc_send(sp[1], type % 32, seq, nfds ? devnull : -1,
			    len > 8 ? data + off + 8 : NULL,
			    len > 8 ? len - 8 : 0) == -1) {
				FUZZ_ASSERT(len > 8 + IPC_MAXPAYLOAD,
				    "ipc_send fails only when too long");
				off += len;
				continue;
			}
			off += len;
			receive(sp[0], sizeof(struct ipc_hdr) +
			    (len > 8 ? len - 8 : 0), nfds ? 1 : 0, passcred);
			continue;
		}
		if (send_raw(sp[1], data + off, len, nfds) == -1) {
			off += len;
			continue;
		}
		off += len;
		if (ctl & 0x40) {
			/* The one-shot start-up wait of every child. */
			fd = ipc_wait_fd(sp[0], sockrule);
			FUZZ_ASSERT(fd == -1 || (nfds == 1 && !passcred &&
			    fcntl(fd, F_GETFD) != -1),
			    "ipc_wait_fd: only a lone, valid descriptor");
			if (fd != -1)
				close(fd);
			continue;
		}
		receive(sp[0], len, nfds, passcred);
	}
	close(sp[1]);
	FUZZ_ASSERT(ipc_recv(sp[0], &m) == IPC_EOF && m.fd == -1,
	    "peer closed: IPC_EOF");
	close(sp[0]);
	FUZZ_ASSERT(lowest_free_fd() == base, "no descriptor leaks");
	return (0);
}
