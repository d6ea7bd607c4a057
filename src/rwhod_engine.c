/*
 * rwhod engine: the unprivileged, chrooted, seccomp-filtered child that
 * reads every status datagram, checks it and hands the parent a
 * validated record in host byte order.  It keeps no state but rate
 * limits, writes no file and cannot send on the network: its only
 * output is the IPC channel (seccomp allows sendmsg on fd 3 alone).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "ratelimit.h"
#include "rwhod.h"
#include "udp.h"

#define PARENT_FD	3

struct engine {
	struct rwhod_conf	*conf;
	int			 udp;
	struct rl_table		*rl_src;
};

static const struct ipc_rule from_parent[] = {
	{ IMSG_RWHO_SOCKET,	0,	1 },
};

static void	handle(struct engine *, const unsigned char *, size_t,
		    size_t, const struct sockaddr_in *);
static void	read_udp(struct engine *);
static void	read_parent(void);

/*
 * One datagram of wirelen bytes, of which the first len (at most one
 * more than the largest packet) are in buf.
 */
static void
handle(struct engine *e, const unsigned char *buf, size_t len,
    size_t wirelen, const struct sockaddr_in *from)
{
	struct rwho_status	 st;
	const char		*addr = inet_ntoa(from->sin_addr);
	size_t			 reclen;
	int			 rv;

	/*
	 * Only root can send from a port below 1024 on a BSD or Linux
	 * host: the protocol's one (weak) proof that a status comes from
	 * an rwhod.  -x drops it, like FreeBSD's insecure mode.
	 */
	if (!e->conf->insecure && ntohs(from->sin_port) != RWHOD_PORT) {
		log_refused("packet from %s port %u: not the rwho port, "
		    "dropped", addr, ntohs(from->sin_port));
		return;
	}
	if (!netlist_match(&e->conf->allow, from->sin_addr)) {
		log_refused("packet from %s: network not allowed, dropped",
		    addr);
		return;
	}
	if (!rl_allow(e->rl_src, from->sin_addr.s_addr, rl_now())) {
		log_refused("packet from %s: over %g packets/s, dropped", addr,
		    e->conf->rate);
		return;
	}
	memset(&st, 0, sizeof(st));
	if ((rv = whod_decode(buf, len, &st.wd, &reclen,
	    (uint32_t)time(NULL))) != WHOD_OK) {
		log_refused("packet from %s: %zu bytes, %s, dropped", addr,
		    wirelen, whod_strerror(rv));
		return;
	}
	st.len = reclen;
	st.from = from->sin_addr;
	log_debug("status of %s from %s: %zu users", st.wd.wd_hostname, addr,
	    (reclen - WHOD_HDRSIZE) / WHOD_ENTSIZE);
	if (ipc_send(PARENT_FD, IMSG_RWHO_STATUS, 0, -1, &st,
	    sizeof(st)) == -1)
		fatal("send to parent");
}

static void
read_udp(struct engine *e)
{
	unsigned char		 buf[WHOD_MAXSIZE + 1];
	struct sockaddr_in	 from;
	ssize_t			 n;
	int			 i;

	/* A bounded batch, then the parent's channel gets its turn. */
	for (i = 0; i < UDP_BATCH; i++) {
		n = udp_recv(e->udp, buf, sizeof(buf), &from, NULL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvmsg");
			return;
		}
		handle(e, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf), (size_t)n, &from);
	}
}

/* The parent sends nothing after the socket: anything else is wrong. */
static void
read_parent(void)
{
	struct ipc_msg	m;
	int		rv;

	if ((rv = ipc_recv(PARENT_FD, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF)
		fatalx("parent went away");
	ipc_discard(&m);
	fatalx("unexpected message from parent: %s",
	    rv == IPC_BAD ? ipc_error() : "after start-up");
}

void
rwhod_engine(struct rwhod_conf *conf)
{
	struct engine	e;
	struct pollfd	pfd[2];

	memset(&e, 0, sizeof(e));
	e.conf = conf;
	/* Twice the rate as burst: one status can come by several paths. */
	e.rl_src = rl_new(4096, conf->rate, conf->rate * 2);
	if (e.rl_src == NULL)
		fatal("rl_new");
	if ((e.udp = ipc_wait_fd(PARENT_FD, from_parent)) == -1)
		fatalx("no socket from parent: %s", ipc_error());
	log_debug("engine ready");
	for (;;) {
		pfd[0].fd = e.udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = PARENT_FD;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_parent();
		if (pfd[0].revents & POLLIN)
			read_udp(&e);
	}
}
