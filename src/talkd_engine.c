/*
 * talkd engine: the unprivileged, chrooted, seccomp-filtered child that
 * reads every datagram from the network, keeps the invitation table,
 * answers requests and writes announcements on terminals the parent
 * opened for it.  It can open nothing itself.
 */
#include <sys/types.h>
#include <sys/queue.h>
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
#include "names.h"
#include "ratelimit.h"
#include "talkd.h"
#include "udp.h"

#define PARENT_FD	3
#define MAXPENDING	256	/* announces waiting for a name or a tty */
#define RES_TIMEOUT	3	/* seconds to wait for the resolver */
#define TTY_TIMEOUT	3	/* seconds to wait for the parent */
#define RES_CACHE	256

struct pending {
	TAILQ_ENTRY(pending)	 entry;
	struct ctl_req		 req;
	struct sockaddr_in	 from;
	struct in_addr		 local;		/* the request's destination */
	uint32_t		 seq;
	time_t			 deadline;
	int			 state;
#define P_RESOLVING	1
#define P_TTY		2
	char			 host[256];
};

struct rescache {
	struct in_addr		 addr;
	time_t			 stamp;
	char			 host[256];
};

struct engine {
	struct talkd_conf	*conf;
	int			 udp, resolver;
	struct inv_table	*table;
	struct rl_table		*rl_src, *rl_callee;
	TAILQ_HEAD(, pending)	 pending;
	size_t			 npending;
	uint32_t		 seq;
	time_t			 last_request;
	char			 myhost[256];
	struct rescache		 cache[RES_CACHE];
	struct in_addr		 local;		/* source for the next reply */
};

static const struct ipc_rule from_parent[] = {
	{ IMSG_TALK_SOCKET,	0,			1 },
	{ IMSG_TALK_RESOLVER,	0,			1 },
	{ IMSG_TALK_TTY_OK,	sizeof(struct tty_res),	1 },
	{ IMSG_TALK_TTY_FAIL,	sizeof(struct tty_res),	0 },
};

static const struct ipc_rule from_resolver[] = {
	{ IMSG_RES_ANSWER,	sizeof(struct res_answer), 0 },
	{ IPC_LOG,		sizeof(struct ipc_log),	0 },
};

static void
send_reply(struct engine *e, const struct sockaddr_in *to,
    const struct ctl_resp *rp)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cmsgbuf;
	unsigned char		 buf[CTL_RESP_SIZE];
	struct sockaddr_in	 sin = *to;
	struct in_pktinfo	 pi;
	struct iovec		 iov;
	struct msghdr		 msg;
	struct cmsghdr		*cmsg;

	ctl_build(rp, buf);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_name = &sin;
	msg.msg_namelen = sizeof(sin);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	/*
	 * Reply from the address the request was sent to (RFC 1122
	 * 3.3.4.2), not whatever the route picks: a client whose socket is
	 * connected to that address (netkit talk, when the host name is
	 * 127.0.1.1 as Debian sets it up) drops a reply from any other.
	 */
	if (e->local.s_addr != htonl(INADDR_ANY)) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = e->local;
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = IPPROTO_IP;
		cmsg->cmsg_type = IP_PKTINFO;
		cmsg->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cmsg), &pi, sizeof(pi));
	}
	if (sendmsg(e->udp, &msg, 0) == -1)
		log_warn("sendmsg %s", inet_ntoa(to->sin_addr));
}

static void
answer(struct engine *e, const struct ctl_req *r,
    const struct sockaddr_in *from, int code, uint32_t id)
{
	struct ctl_resp	rp;

	memset(&rp, 0, sizeof(rp));
	rp.type = r->type;
	rp.answer = code;
	rp.id_num = id;
	send_reply(e, from, &rp);
	if (!e->conf->quiet)
		log_info("%s from %s@%s for %s: %s",
		    ctl_typename(r->type), r->l_name,
		    inet_ntoa(from->sin_addr), r->r_name,
		    ctl_answername(code));
}

static void
hexdump(const unsigned char *buf, size_t len)
{
	char	line[3 * 84 + 1];
	size_t	i;

	if (len > 84)
		len = 84;
	for (i = 0; i < len; i++)
		snprintf(line + 3 * i, 4, "%02x ", buf[i]);
	line[3 * len] = '\0';
	log_info("packet: %s", line);
}

/* The local daemon accepts invitations only from this host. */
static int
is_local(const struct sockaddr_in *from, const struct in_addr *dst)
{
	if ((ntohl(from->sin_addr.s_addr) >> 24) == 127)
		return (1);
	return (dst != NULL && dst->s_addr == from->sin_addr.s_addr);
}

static void
do_leave_invite(struct engine *e, const struct ctl_req *r,
    const struct sockaddr_in *from, const struct in_addr *dst)
{
	struct invite	*inv;
	time_t		 now = mono_sec();

	/* A remote host must not plant invitations that local users follow. */
	if (!is_local(from, dst)) {
		log_warnx("LEAVE_INVITE from non-local %s refused",
		    inet_ntoa(from->sin_addr));
		answer(e, r, from, T_FAILED, 0);
		return;
	}
	if ((inv = inv_find_dup(e->table, r)) != NULL) {
		inv_refresh(e->table, inv, now);
		answer(e, r, from, T_SUCCESS, inv->id);
		return;
	}
	if ((inv = inv_insert(e->table, r, from->sin_addr, now)) == NULL) {
		log_warnx("invitation table full (%zu)", inv_count(e->table));
		answer(e, r, from, T_FAILED, 0);
		return;
	}
	answer(e, r, from, T_SUCCESS, inv->id);
}

static void
do_look_up(struct engine *e, const struct ctl_req *r,
    const struct sockaddr_in *from)
{
	struct invite	*inv;
	struct ctl_resp	 rp;

	if ((inv = inv_find_match(e->table, r->l_name, r->r_name)) == NULL) {
		answer(e, r, from, T_NOT_HERE, 0);
		return;
	}
	memset(&rp, 0, sizeof(rp));
	rp.type = r->type;
	rp.answer = T_SUCCESS;
	rp.id_num = inv->id;
	rp.addr = inv->req.addr;
	send_reply(e, from, &rp);
	if (!e->conf->quiet)
		log_info("LOOK_UP from %s@%s for %s: SUCCESS",
		    r->l_name, inet_ntoa(from->sin_addr), r->r_name);
}

static void
do_delete(struct engine *e, const struct ctl_req *r,
    const struct sockaddr_in *from)
{
	answer(e, r, from, inv_delete(e->table, r->id_num, from->sin_addr),
	    0);
}

static const char *
cache_lookup(struct engine *e, struct in_addr a, time_t now)
{
	struct rescache	*c = &e->cache[ntohl(a.s_addr) % RES_CACHE];

	if (c->stamp != 0 && c->addr.s_addr == a.s_addr &&
	    now - c->stamp < T_MAX_LIFE)
		return (c->host);
	return (NULL);
}

static void
cache_store(struct engine *e, struct in_addr a, const char *host)
{
	struct rescache	*c = &e->cache[ntohl(a.s_addr) % RES_CACHE];

	c->addr = a;
	c->stamp = mono_sec();
	strlcpy(c->host, host, sizeof(c->host));
}

static void
pending_free(struct engine *e, struct pending *p)
{
	TAILQ_REMOVE(&e->pending, p, entry);
	e->npending--;
	free(p);
}

/* Second step of an ANNOUNCE: ask the parent for the callee's terminal. */
static void
ask_tty(struct engine *e, struct pending *p)
{
	struct tty_req	tr;

	memset(&tr, 0, sizeof(tr));
	strlcpy(tr.user, p->req.r_name, sizeof(tr.user));
	strlcpy(tr.line, p->req.r_tty, sizeof(tr.line));
	p->state = P_TTY;
	p->deadline = mono_sec() + TTY_TIMEOUT;
	if (ipc_send(PARENT_FD, IMSG_TALK_TTY_REQ, p->seq, -1, &tr,
	    sizeof(tr)) == -1)
		fatal("send to parent");
}

static void
do_announce(struct engine *e, const struct ctl_req *r,
    const struct sockaddr_in *from)
{
	struct pending	*p;
	struct res_query q;
	const char	*host;

	if (e->npending >= MAXPENDING) {
		log_warnx("too many announcements in progress");
		answer(e, r, from, T_FAILED, 0);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		answer(e, r, from, T_FAILED, 0);
		return;
	}
	p->req = *r;
	p->from = *from;
	p->local = e->local;
	p->seq = ++e->seq;
	TAILQ_INSERT_TAIL(&e->pending, p, entry);
	e->npending++;

	host = cache_lookup(e, from->sin_addr, mono_sec());
	if (host != NULL || e->resolver == -1) {
		strlcpy(p->host, host != NULL && *host != '\0' ? host :
		    inet_ntoa(from->sin_addr), sizeof(p->host));
		ask_tty(e, p);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.addr = from->sin_addr;
	p->state = P_RESOLVING;
	p->deadline = mono_sec() + RES_TIMEOUT;
	if (ipc_send(e->resolver, IMSG_RES_QUERY, p->seq, -1, &q,
	    sizeof(q)) == -1) {
		log_warn("resolver");
		strlcpy(p->host, inet_ntoa(from->sin_addr), sizeof(p->host));
		ask_tty(e, p);
	}
}

/* Write the banner without ever blocking: a stuck tty loses it. */
static void
ring(struct engine *e, struct pending *p, int fd)
{
	char		 buf[1024];
	struct tm	 tm, *tmp;
	time_t		 t = time(NULL);
	size_t		 len;
	ssize_t		 n;

	tmp = localtime_r(&t, &tm);
	len = banner_format(buf, sizeof(buf), e->myhost, p->req.l_name,
	    p->host, tmp);
	n = write(fd, buf, len);
	if (n == -1)
		log_warn("announce to %s", p->req.r_name);
	else if ((size_t)n < len)
		log_warnx("announce to %s: terminal not draining, %zd of %zu "
		    "bytes written", p->req.r_name, n, len);
}

/* Last step: the parent opened (or refused) the callee's terminal. */
static void
finish_announce(struct engine *e, struct pending *p, int code, int fd,
    const char *line)
{
	struct invite	*inv;
	time_t		 now = mono_sec();
	uint32_t	 id = 0;
	int		 rings = 0;

	inv_expire(e->table, now);
	if (code != T_SUCCESS)
		goto done;
	if ((inv = inv_find_dup(e->table, &p->req)) == NULL) {
		if ((inv = inv_insert(e->table, &p->req, p->from.sin_addr,
		    now)) == NULL) {
			log_warnx("invitation table full");
			code = T_FAILED;
			goto done;
		}
		rings = 1;
	} else if (p->req.id_num > inv->id) {
		/* The caller's re-announce: ring again with a new id. */
		inv_newid(e->table, inv);
		inv_refresh(e->table, inv, now);
		rings = 1;
	} else
		inv_refresh(e->table, inv, now);
	id = inv->id;
	if (rings && !rl_allow(e->rl_callee,
	    rl_key_str(e->rl_callee, p->req.r_name), rl_now())) {
		log_warnx("announce for %s from %s: rate limit, not rung",
		    p->req.r_name, inet_ntoa(p->from.sin_addr));
		code = T_FAILED;
		goto done;
	}
	if (rings) {
		ring(e, p, fd);
		log_debug("rang %s on %s", p->req.r_name, line);
	}
 done:
	e->local = p->local;
	answer(e, &p->req, &p->from, code, id);
	pending_free(e, p);
}

static struct pending *
pending_find(struct engine *e, uint32_t seq, int state)
{
	struct pending	*p;

	TAILQ_FOREACH(p, &e->pending, entry)
		if (p->seq == seq && p->state == state)
			return (p);
	return (NULL);
}

static void
pending_timeouts(struct engine *e)
{
	struct pending	*p, *next;
	time_t		 now = mono_sec();

	for (p = TAILQ_FIRST(&e->pending); p != NULL; p = next) {
		next = TAILQ_NEXT(p, entry);
		if (now < p->deadline)
			continue;
		if (p->state == P_RESOLVING) {
			strlcpy(p->host, inet_ntoa(p->from.sin_addr),
			    sizeof(p->host));
			ask_tty(e, p);
		} else
			finish_announce(e, p, T_FAILED, -1, "");
	}
}

static void
handle_request(struct engine *e, const unsigned char *buf, size_t len,
    const struct sockaddr_in *from, const struct in_addr *dst)
{
	struct ctl_req	r;
	struct ctl_resp	rp;
	int		code;

	if (ntohs(from->sin_port) < 1024) {
		/* No client uses a privileged port; answering could loop. */
		log_refused("datagram from %s port %u: privileged source "
		    "port, dropped", inet_ntoa(from->sin_addr),
		    ntohs(from->sin_port));
		return;
	}
	if (!netlist_match(&e->conf->allow, from->sin_addr)) {
		log_refused("datagram from %s: network not allowed, dropped",
		    inet_ntoa(from->sin_addr));
		return;
	}
	if (!rl_allow(e->rl_src, from->sin_addr.s_addr, rl_now())) {
		log_refused("datagram from %s: over %g requests/s, dropped",
		    inet_ntoa(from->sin_addr), e->conf->rate_src);
		return;
	}
	if (ctl_parse(buf, len, &r) == -1) {
		log_refused("datagram from %s: %zu bytes, not a %d-byte "
		    "CTL_MSG, dropped", inet_ntoa(from->sin_addr), len,
		    CTL_MSG_SIZE);
		if (e->conf->packets)
			hexdump(buf, len);
		return;
	}
	if ((code = ctl_validate(&r, from)) != T_SUCCESS) {
		log_refused("%s from %s: bad request, answered %s",
		    ctl_typename(r.type), inet_ntoa(from->sin_addr),
		    ctl_answername(code));
		if (e->conf->packets)
			hexdump(buf, len);
		memset(&rp, 0, sizeof(rp));
		rp.type = r.type;
		rp.answer = code;
		send_reply(e, from, &rp);
		return;
	}
	e->last_request = mono_sec();
	inv_expire(e->table, e->last_request);
	switch (r.type) {
	case T_LEAVE_INVITE:
		do_leave_invite(e, &r, from, dst);
		break;
	case T_LOOK_UP:
		do_look_up(e, &r, from);
		break;
	case T_DELETE:
		do_delete(e, &r, from);
		break;
	case T_ANNOUNCE:
		do_announce(e, &r, from);
		break;
	}
}

static void
read_udp(struct engine *e)
{
	unsigned char		 buf[CTL_MSG_SIZE + 1];
	struct sockaddr_in	 from;
	struct in_pktinfo	 pi;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < UDP_BATCH; i++) {
		n = udp_recv(e->udp, buf, sizeof(buf), &from, &pi);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvmsg");
			return;
		}
		/* Answers leave from the address this request came to. */
		e->local = pi.ipi_spec_dst;
		/* ctl_parse() refuses any length but 84 before reading. */
		handle_request(e, buf, n, &from,
		    pi.ipi_addr.s_addr != 0 ? &pi.ipi_addr : NULL);
	}
}

static void
read_parent(struct engine *e)
{
	struct ipc_msg	 m;
	struct tty_res	 res;
	struct pending	*p;
	int		 rv;

	if ((rv = ipc_recv(PARENT_FD, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF)
		fatalx("parent went away");
	if (rv == IPC_BAD || ipc_check(&m, from_parent,
	    sizeof(from_parent) / sizeof(from_parent[0])) != 0)
		fatalx("bad message from parent: %s", ipc_error());
	switch (m.hdr.type) {
	case IMSG_TALK_TTY_OK:
	case IMSG_TALK_TTY_FAIL:
		memcpy(&res, m.data, sizeof(res));
		res.line[sizeof(res.line) - 1] = '\0';
		if ((p = pending_find(e, m.hdr.seq, P_TTY)) == NULL) {
			log_debug("stale tty answer %u", m.hdr.seq);
			break;
		}
		if (m.hdr.type == IMSG_TALK_TTY_FAIL && res.answer == T_SUCCESS)
			res.answer = T_FAILED;
		finish_announce(e, p, res.answer, m.fd, res.line);
		break;
	case IMSG_TALK_RESOLVER:
		if (e->resolver != -1)
			fatalx("second resolver socket");
		e->resolver = m.fd;
		m.fd = -1;
		break;
	default:
		fatalx("unexpected message %u from parent", m.hdr.type);
	}
	ipc_discard(&m);
}

static void
read_resolver(struct engine *e)
{
	struct ipc_msg	 m;
	struct res_answer a;
	struct ipc_log	 lm;
	struct pending	*p;
	int		 rv;

	if ((rv = ipc_recv(e->resolver, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF || rv == IPC_BAD || ipc_check(&m, from_resolver,
	    sizeof(from_resolver) / sizeof(from_resolver[0])) != 0) {
		log_warnx("resolver: %s; caller addresses shown as numbers",
		    rv == IPC_EOF ? "gone" : ipc_error());
		ipc_discard(&m);
		close(e->resolver);
		e->resolver = -1;
		return;
	}
	if (m.hdr.type == IPC_LOG) {
		/* Its lines reach the parent through us, checked there. */
		memcpy(&lm, m.data, sizeof(lm));
		if (ipc_log_valid(&lm))
			logit(lm.pri, "resolver: %s", lm.msg);
		return;
	}
	memcpy(&a, m.data, sizeof(a));
	a.host[sizeof(a.host) - 1] = '\0';
	/* The resolver is less trusted than we are: check its answer too. */
	if (a.host[0] != '\0' && !valid_hostname(a.host))
		a.host[0] = '\0';
	cache_store(e, a.addr, a.host);
	if ((p = pending_find(e, m.hdr.seq, P_RESOLVING)) != NULL &&
	    p->from.sin_addr.s_addr == a.addr.s_addr) {
		strlcpy(p->host, a.host[0] != '\0' ? a.host :
		    inet_ntoa(p->from.sin_addr), sizeof(p->host));
		ask_tty(e, p);
	}
}

void
talkd_engine(struct talkd_conf *conf)
{
	struct engine	 e;
	struct pollfd	 pfd[3];
	int		 n;

	memset(&e, 0, sizeof(e));
	e.conf = conf;
	e.resolver = -1;
	TAILQ_INIT(&e.pending);
	if (gethostname(e.myhost, sizeof(e.myhost)) == -1)
		strlcpy(e.myhost, "localhost", sizeof(e.myhost));
	e.myhost[strcspn(e.myhost, ".")] = '\0';
	if ((e.table = inv_new(conf->maxinvites)) == NULL)
		fatal("inv_new");
	e.rl_src = rl_new(4096, conf->rate_src, conf->rate_src * 2);
	e.rl_callee = rl_new(1024, conf->rate_callee / 60.0,
	    conf->rate_callee);
	if (e.rl_src == NULL || e.rl_callee == NULL)
		fatal("rl_new");

	if ((e.udp = ipc_wait_fd(PARENT_FD, from_parent)) == -1)
		fatalx("no socket from parent: %s", ipc_error());
	e.last_request = mono_sec();
	log_debug("engine ready");
	for (;;) {
		pfd[0].fd = e.udp;
		pfd[0].events = POLLIN;
		pfd[1].fd = PARENT_FD;
		pfd[1].events = POLLIN;
		pfd[2].fd = e.resolver;
		pfd[2].events = POLLIN;
		n = poll(pfd, 3, 1000);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_parent(&e);
		if (e.resolver != -1 && pfd[2].revents & (POLLIN | POLLHUP))
			read_resolver(&e);
		if (pfd[0].revents & POLLIN)
			read_udp(&e);
		pending_timeouts(&e);
		inv_expire(e.table, mono_sec());
		if (conf->idle > 0 && TAILQ_EMPTY(&e.pending) &&
		    mono_sec() - e.last_request >= conf->idle) {
			log_debug("idle for %llds, exiting", conf->idle);
			exit(0);
		}
	}
}
