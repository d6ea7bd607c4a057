/*
 * comsat engine: the unprivileged, chrooted, seccomp-filtered child that
 * reads every datagram from the network, asks the parent for the
 * user's terminals and an excerpt of the new mail, and writes the notice.
 * It can open nothing itself: it never holds a mailbox, only the bytes
 * the parent chose to read from one, and a terminal only for as long as
 * it takes to write one notice.
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

#include "comsat.h"
#include "udp.h"
#include "ipc.h"
#include "log.h"
#include "names.h"
#include "ratelimit.h"

#define PARENT_FD	3
#define MAXPENDING	16	/* requests the parent has not answered */

struct pending {
	uint32_t	seq;
	char		user[COMSAT_NAME_MAX + 1];
};

struct engine {
	struct comsat_conf	*conf;
	int			 udp;
	struct rl_table		*rl_all, *rl_user;
	struct pending		 q[MAXPENDING];	/* ring, answered in order */
	size_t			 qhead, qlen;
	uint32_t		 seq;
	time_t			 last_request;
	char			 host[256];
	/* The answer being received for q[qhead]. */
	unsigned char		 text[COMSAT_EXCERPT];
	size_t			 textlen;
	struct comsat_tty	 tty[COMSAT_MAXTTYS];
	int			 ttyfd[COMSAT_MAXTTYS];
	size_t			 ntty;
};

static const struct ipc_rule from_parent[] = {
	{ IMSG_COMSAT_SOCKET,	0,				1 },
	{ IMSG_COMSAT_TEXT,	sizeof(struct comsat_text),	0 },
	{ IMSG_COMSAT_TTY,	sizeof(struct comsat_tty),	1 },
	{ IMSG_COMSAT_DONE,	sizeof(struct comsat_done),	0 },
};

/*
 * Mail is delivered on this host, so by default only this host may tell
 * us about it; -A adds networks (a mail hub that delivers to a shared
 * spool).
 */
static int
source_allowed(const struct engine *e, struct in_addr a)
{
	if ((ntohl(a.s_addr) >> 24) == 127)
		return (1);
	return (e->conf->allow.count > 0 &&
	    netlist_match(&e->conf->allow, a));
}

static void
handle_datagram(struct engine *e, const unsigned char *buf, size_t len,
    const struct sockaddr_in *from)
{
	struct comsat_req	 r;
	struct pending		*p;
	const char		*why;

	if (!source_allowed(e, from->sin_addr)) {
		log_refused("datagram from %s: network not allowed, dropped",
		    inet_ntoa(from->sin_addr));
		return;
	}
	if (!rl_allow(e->rl_all, 0, rl_now())) {
		log_refused("datagram from %s: over %g datagrams/s, dropped",
		    inet_ntoa(from->sin_addr), e->conf->rate_all);
		return;
	}
	if (comsat_parse(buf, len, &r, &why) == -1) {
		log_refused("datagram from %s: %s, dropped",
		    inet_ntoa(from->sin_addr), why);
		return;
	}
	e->last_request = mono_sec();
	if (!rl_allow(e->rl_user, rl_key_str(e->rl_user, r.user), rl_now())) {
		log_refused("mail for %s: over %g notices/min, not shown",
		    r.user, e->conf->rate_user);
		return;
	}
	if (e->qlen == MAXPENDING) {
		log_refused("mail for %s: %d notices in progress, dropped",
		    r.user, MAXPENDING);
		return;
	}
	p = &e->q[(e->qhead + e->qlen) % MAXPENDING];
	p->seq = ++e->seq;
	strlcpy(p->user, r.user, sizeof(p->user));
	e->qlen++;
	log_debug("mail for %s at offset %lld%s%s from %s", r.user, r.offset,
	    r.path[0] ? " in " : "", r.path, inet_ntoa(from->sin_addr));
	if (ipc_send(PARENT_FD, IMSG_COMSAT_REQ, p->seq, -1, &r,
	    sizeof(r)) == -1)
		fatal("send to parent");
}

static void
read_udp(struct engine *e)
{
	unsigned char		 buf[COMSAT_DGRAM_MAX + 1];
	struct sockaddr_in	 from;
	ssize_t			 n;
	int			 i;

	/* A full queue leaves the rest in the socket buffer, for later. */
	for (i = 0; i < UDP_BATCH && e->qlen < MAXPENDING; i++) {
		n = udp_recv(e->udp, buf, sizeof(buf), &from, NULL);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvmsg");
			return;
		}
		handle_datagram(e, buf, (size_t)n, &from);
	}
}

/* One notice, one non-blocking write: a stuck terminal loses it. */
static int
notify(struct engine *e, const char *user, size_t i)
{
	static char	buf[NOTICE_MAX];
	size_t		len;
	ssize_t		n;

	len = notice_format(buf, sizeof(buf), user, e->host, e->text,
	    e->textlen, e->tty[i].flags);
	if (len == 0) {
		log_warnx("mail for %s: notice too long", user);
		return (-1);
	}
	n = write(e->ttyfd[i], buf, len);
	if (n == -1) {
		log_warn("mail for %s: %s", user, e->tty[i].line);
		return (-1);
	}
	if ((size_t)n < len) {
		log_warnx("mail for %s: %s not draining, %zd of %zu bytes "
		    "written, rest dropped", user, e->tty[i].line, n, len);
		return (-1);
	}
	return (0);
}

static void
answer_reset(struct engine *e)
{
	size_t	i;

	for (i = 0; i < e->ntty; i++)
		close(e->ttyfd[i]);
	e->ntty = 0;
	e->textlen = 0;
}

static void
finish(struct engine *e, const struct comsat_done *d)
{
	struct pending	*p = &e->q[e->qhead];
	char		 lines[COMSAT_MAXTTYS * 34];
	size_t		 i, shown = 0;

	if (d->ntty != e->ntty || d->textlen != e->textlen ||
	    (d->status != CS_OK && (d->ntty != 0 || d->textlen != 0)))
		fatalx("parent's answer does not add up");
	lines[0] = '\0';
	for (i = 0; d->status == CS_OK && i < e->ntty; i++) {
		if (notify(e, p->user, i) == 0) {
			shown++;
			if (lines[0] != '\0')
				strlcat(lines, ", ", sizeof(lines));
			strlcat(lines, e->tty[i].line, sizeof(lines));
		}
	}
	if (shown > 0 && !e->conf->quiet)
		log_info("mail for %s: shown on %s", p->user, lines);
	answer_reset(e);
	e->qhead = (e->qhead + 1) % MAXPENDING;
	e->qlen--;
}

static void
take_text(struct engine *e, const struct ipc_msg *m)
{
	struct comsat_text	t;

	memcpy(&t, m->data, sizeof(t));
	if (t.off != e->textlen || t.len > sizeof(t.data) ||
	    t.len > COMSAT_EXCERPT - e->textlen)
		fatalx("parent sent a bad excerpt piece");
	memcpy(e->text + e->textlen, t.data, t.len);
	e->textlen += t.len;
}

static void
take_tty(struct engine *e, struct ipc_msg *m)
{
	struct comsat_tty	*t;

	if (e->ntty == COMSAT_MAXTTYS)
		fatalx("parent sent too many terminals");
	t = &e->tty[e->ntty];
	memcpy(t, m->data, sizeof(*t));
	t->line[sizeof(t->line) - 1] = '\0';
	e->ttyfd[e->ntty++] = m->fd;
	m->fd = -1;
}

static void
read_parent(struct engine *e)
{
	struct ipc_msg		m;
	struct comsat_done	d;
	int			rv;

	if ((rv = ipc_recv(PARENT_FD, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF)
		fatalx("parent went away");
	if (rv == IPC_BAD || ipc_check(&m, from_parent,
	    sizeof(from_parent) / sizeof(from_parent[0])) != 0)
		fatalx("bad message from parent: %s", ipc_error());
	if (m.hdr.type == IMSG_COMSAT_SOCKET)
		fatalx("second socket from parent");
	/* The parent answers each request in full, in order. */
	if (e->qlen == 0 || m.hdr.seq != e->q[e->qhead].seq)
		fatalx("parent answered request %u out of turn", m.hdr.seq);
	switch (m.hdr.type) {
	case IMSG_COMSAT_TEXT:
		take_text(e, &m);
		break;
	case IMSG_COMSAT_TTY:
		take_tty(e, &m);
		break;
	case IMSG_COMSAT_DONE:
		memcpy(&d, m.data, sizeof(d));
		finish(e, &d);
		break;
	}
	ipc_discard(&m);
}

static void
engine_init(struct engine *e, struct comsat_conf *conf)
{
	memset(e, 0, sizeof(*e));
	e->conf = conf;
	/* The notice names this host up to its first dot. */
	if (gethostname(e->host, sizeof(e->host)) == -1)
		e->host[0] = '\0';
	e->host[sizeof(e->host) - 1] = '\0';
	e->host[strcspn(e->host, ".")] = '\0';
	if (!valid_hostname(e->host))
		strlcpy(e->host, "localhost", sizeof(e->host));
	e->rl_all = rl_new(1, conf->rate_all, conf->rate_all);
	e->rl_user = rl_new(1024, conf->rate_user / 60.0, conf->rate_user);
	if (e->rl_all == NULL || e->rl_user == NULL)
		fatal("rl_new");
}

void
comsat_engine(struct comsat_conf *conf)
{
	static struct engine	 e;	/* the excerpt: off the stack */
	struct pollfd		 pfd[2];

	engine_init(&e, conf);
	if ((e.udp = ipc_wait_fd(PARENT_FD, from_parent)) == -1)
		fatalx("no socket from parent: %s", ipc_error());
	e.last_request = mono_sec();
	log_debug("engine ready");
	for (;;) {
		pfd[0].fd = e.udp;
		/* No new requests while the parent has a queue of ours. */
		pfd[0].events = e.qlen < MAXPENDING ? POLLIN : 0;
		pfd[1].fd = PARENT_FD;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 1000) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_parent(&e);
		if (pfd[0].revents & POLLIN)
			read_udp(&e);
		if (conf->idle > 0 && e.qlen == 0 &&
		    mono_sec() - e.last_request >= conf->idle) {
			log_debug("idle for %llds, exiting", conf->idle);
			exit(0);
		}
	}
}
