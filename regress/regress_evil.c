/*
 * Test-only code, linked into regress/{talkd,comsat,rwhod}-regress and
 * never into the installed daemons: a hostile child.  After the engine
 * has entered its sandbox, regress_hook() hands over to regress_evil()
 * when REGRESS_EVIL is set, and the "engine" then does what a compromised
 * one could: send its parent malformed records, requests it has no right
 * to, and floods.  regress/t_hostile_child.sh drives it and checks the
 * parent's answers, what the parent opened, and whether it lived.
 *
 * REGRESS_EVIL=daemon:case, daemon one of talkd, comsat, rwhod.
 *
 * Framing and allow-list cases (every daemon; the parent must log "sent a
 * bad message" and exit 1): type, length, hdrlen, short, long, fd,
 * fdflag, flags, twofds, logpri, lognul.
 *
 * Malformed requests (the parent must stop the daemon):
 *	talkd:	nonul-user, nonul-line, bad-user, bad-line, dotdot-line
 *	comsat:	nonul-user, nonul-path, bad-user, neg-offset, ctl-path
 *	rwhod:	host-slash, host-dotdot, host-dot, host-nonul, len-odd,
 *		len-big, vers, notcanon, ent-ctl
 *
 * Requests the parent must refuse and live on (talkd, comsat): "reqs",
 * one request per line of REGRESS_EVIL_REQS ("user line" for talkd,
 * "user offset path" for comsat); each answer is logged as
 * "evil: req N ..." and every terminal received gets "EVIL<N>" written
 * to it, so the test sees which terminal it was.
 *
 * Floods: "flood" (REGRESS_EVIL_N requests for REGRESS_EVIL_USER, or for
 * rwhod N well-formed records for new hosts), logged as "evil: flood
 * ..."; "noread" (talkd, comsat): N requests without ever reading an
 * answer, then a log line if the sends did not block.
 *
 * Afterwards the hostile child idles until its parent goes away.  It
 * never calls anything its seccomp filter would kill it for, so any
 * death the test sees is the parent's doing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "comsat.h"
#include "ipc.h"
#include "log.h"
#include "rwhod.h"
#include "talkd.h"

void	regress_evil(void);

#define FD		3	/* the channel to the parent */
#define D_TALKD		1
#define D_COMSAT	2
#define D_RWHOD		3

static int	daemon_kind;
static uint32_t	evil_seq = 1000;

static long long
ms_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000);
}

/* A record exactly as given: header fields, payload, descriptors. */
static int
raw_send(uint32_t type, uint32_t flags, uint32_t lenfield, const void *data,
    size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 2)];
	} cm;
	struct ipc_hdr	 hdr;
	struct iovec	 iov[2];
	struct msghdr	 msg;
	struct cmsghdr	*c;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = lenfield;
	hdr.flags = flags;
	hdr.seq = ++evil_seq;
	memset(&msg, 0, sizeof(msg));
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	msg.msg_iov = iov;
	msg.msg_iovlen = len > 0 ? 2 : 1;
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return (sendmsg(FD, &msg, MSG_NOSIGNAL) == -1 ? -1 : 0);
}

/*
 * After a record that must end the daemon: wait (10 s at most) for the
 * parent to stop us.  We must not exit first, or the parent would see a
 * dead engine instead of a bad message.
 */
static void __attribute__((__noreturn__))
await_end(void)
{
	struct pollfd	pfd;
	struct ipc_msg	m;
	long long	end = ms_now() + 10000;
	int		rv;

	pfd.fd = FD;
	pfd.events = POLLIN;
	while (ms_now() < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((rv = ipc_recv(FD, &m)) == IPC_EOF || rv == IPC_BAD)
			_exit(96);
		if (rv == 1)
			ipc_discard(&m);
	}
	_exit(97);
}

/* Idle after the show, until the parent goes (then exit 0). */
static void __attribute__((__noreturn__))
idle(void)
{
	struct pollfd	pfd;
	struct ipc_msg	m;
	int		rv;

	pfd.fd = FD;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		if ((rv = ipc_recv(FD, &m)) == IPC_EOF || rv == IPC_BAD)
			_exit(0);
		if (rv == 1)
			ipc_discard(&m);
	}
}

/*
 * The next answer from the parent, start-up records (socket, resolver)
 * skipped and their descriptors closed.  0 on success, -1 after 5 s or
 * on end of file.
 */
static int
next_answer(struct ipc_msg *m)
{
	struct pollfd	pfd;
	long long	end = ms_now() + 5000;
	int		rv;

	pfd.fd = FD;
	pfd.events = POLLIN;
	while (ms_now() < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((rv = ipc_recv(FD, m)) == IPC_AGAIN)
			continue;
		if (rv != 1)
			return (-1);
		if (m->hdr.type == IPC_TYPE_BASE || (daemon_kind == D_TALKD &&
		    m->hdr.type == IMSG_TALK_RESOLVER)) {
			/* The start-up descriptors: socket, resolver. */
			ipc_discard(m);
			continue;
		}
		return (0);
	}
	return (-1);
}

/* ---- framing and allow-list violations, any daemon ------------------- */

static uint32_t
req_type(void)
{
	switch (daemon_kind) {
	case D_TALKD:
		return (IMSG_TALK_TTY_REQ);
	case D_COMSAT:
		return (IMSG_COMSAT_REQ);
	default:
		return (IMSG_RWHO_STATUS);
	}
}

static size_t
req_len(void)
{
	switch (daemon_kind) {
	case D_TALKD:
		return (sizeof(struct tty_req));
	case D_COMSAT:
		return (sizeof(struct comsat_req));
	default:
		return (sizeof(struct rwho_status));
	}
}

static int
framing(const char *c)
{
	static unsigned char	 buf[4096];
	struct ipc_log		 lm;
	struct msghdr		 msg;
	struct iovec		 iov;
	uint32_t		 t = req_type();
	size_t			 len = req_len();
	int			 fds[2] = { 0, 1 };

	memset(buf, 0, sizeof(buf));
	memset(&lm, 0, sizeof(lm));
	if (strcmp(c, "type") == 0)
		raw_send(99, 0, 0, NULL, 0, NULL, 0);
	else if (strcmp(c, "length") == 0)
		raw_send(t, 0, len - 1, buf, len - 1, NULL, 0);
	else if (strcmp(c, "hdrlen") == 0)
		raw_send(t, 0, len, buf, 10, NULL, 0);
	else if (strcmp(c, "short") == 0) {
		/* 8 bytes: half a header (sendmsg: send() is not allowed). */
		iov.iov_base = buf;
		iov.iov_len = 8;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		sendmsg(FD, &msg, MSG_NOSIGNAL);
	}
	else if (strcmp(c, "long") == 0)
		raw_send(t, 0, sizeof(buf), buf, sizeof(buf), NULL, 0);
	else if (strcmp(c, "fd") == 0)
		raw_send(t, IPC_F_FD, len, buf, len, fds, 1);
	else if (strcmp(c, "fdflag") == 0)
		raw_send(t, IPC_F_FD, len, buf, len, NULL, 0);
	else if (strcmp(c, "flags") == 0)
		raw_send(t, 0x100, len, buf, len, NULL, 0);
	else if (strcmp(c, "twofds") == 0)
		raw_send(t, IPC_F_FD, len, buf, len, fds, 2);
	else if (strcmp(c, "logpri") == 0) {
		lm.pri = 42;
		strlcpy(lm.msg, "hello", sizeof(lm.msg));
		raw_send(IPC_LOG, 0, sizeof(lm), &lm, sizeof(lm), NULL, 0);
	} else if (strcmp(c, "lognul") == 0) {
		lm.pri = LOG_INFO;
		memset(lm.msg, 'A', sizeof(lm.msg));
		raw_send(IPC_LOG, 0, sizeof(lm), &lm, sizeof(lm), NULL, 0);
	} else
		return (0);
	return (1);
}

/* ---- talkd ------------------------------------------------------------ */

static void
talkd_send(const struct tty_req *r)
{
	if (ipc_send(FD, IMSG_TALK_TTY_REQ, ++evil_seq, -1, r,
	    sizeof(*r)) == -1)
		fatal("evil: send");
}

static int
talkd_malformed(const char *c)
{
	struct tty_req	r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.user, "root", sizeof(r.user));
	if (strcmp(c, "nonul-user") == 0)
		memset(r.user, 'a', sizeof(r.user));
	else if (strcmp(c, "nonul-line") == 0)
		memset(r.line, '1', sizeof(r.line));
	else if (strcmp(c, "bad-user") == 0)
		strlcpy(r.user, "../root", sizeof(r.user));
	else if (strcmp(c, "bad-line") == 0)
		strlcpy(r.line, "/etc/shadow", sizeof(r.line));
	else if (strcmp(c, "dotdot-line") == 0)
		strlcpy(r.line, "pts/../../etc/shadow", sizeof(r.line));
	else
		return (0);
	talkd_send(&r);
	return (1);
}

/* One request; 1: SUCCESS with a terminal.  *ans gets the answer. */
static int
talkd_ask(const char *user, const char *line, int *ans, const char *mark)
{
	struct tty_req	r;
	struct tty_res	res;
	struct ipc_msg	m;
	int		got = 0;

	memset(&r, 0, sizeof(r));
	strlcpy(r.user, user, sizeof(r.user));
	strlcpy(r.line, line, sizeof(r.line));
	talkd_send(&r);
	if (next_answer(&m) == -1)
		fatalx("evil: no answer from the parent");
	memcpy(&res, m.data, sizeof(res));
	res.line[sizeof(res.line) - 1] = '\0';
	*ans = m.hdr.type == IMSG_TALK_TTY_OK ? res.answer : 100 + res.answer;
	if (m.fd != -1) {
		got = 1;
		if (mark != NULL && write(m.fd, mark, strlen(mark)) == -1)
			log_warn("evil: write");
	}
	ipc_discard(&m);
	return (got);
}

/* ---- comsat ----------------------------------------------------------- */

static void
comsat_send(const struct comsat_req *r)
{
	if (ipc_send(FD, IMSG_COMSAT_REQ, ++evil_seq, -1, r,
	    sizeof(*r)) == -1)
		fatal("evil: send");
}

static int
comsat_malformed(const char *c)
{
	struct comsat_req	r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.user, "root", sizeof(r.user));
	if (strcmp(c, "nonul-user") == 0)
		memset(r.user, 'a', sizeof(r.user));
	else if (strcmp(c, "nonul-path") == 0)
		memset(r.path, 'a', sizeof(r.path));
	else if (strcmp(c, "bad-user") == 0)
		strlcpy(r.user, "root/../x", sizeof(r.user));
	else if (strcmp(c, "neg-offset") == 0)
		r.offset = -1;
	else if (strcmp(c, "ctl-path") == 0)
		strlcpy(r.path, "/var/mail/\033[2Jroot", sizeof(r.path));
	else
		return (0);
	comsat_send(&r);
	return (1);
}

/*
 * One request and its whole answer (excerpt pieces, terminals, DONE).
 * Every terminal gets mark.  Returns the DONE status.
 */
static int
comsat_ask(const char *user, long long off, const char *path,
    unsigned int *ntty, unsigned int *textlen, const char *mark)
{
	struct comsat_req	r;
	struct comsat_done	d;
	struct ipc_msg		m;

	memset(&r, 0, sizeof(r));
	strlcpy(r.user, user, sizeof(r.user));
	strlcpy(r.path, path, sizeof(r.path));
	r.offset = off;
	comsat_send(&r);
	*ntty = *textlen = 0;
	for (;;) {
		if (next_answer(&m) == -1)
			fatalx("evil: no answer from the parent");
		if (m.hdr.type == IMSG_COMSAT_TTY) {
			(*ntty)++;
			if (mark != NULL && write(m.fd, mark, strlen(mark)) ==
			    -1)
				log_warn("evil: write");
		} else if (m.hdr.type == IMSG_COMSAT_TEXT)
			*textlen += ((struct comsat_text *)(void *)m.data)->len;
		else if (m.hdr.type == IMSG_COMSAT_DONE) {
			memcpy(&d, m.data, sizeof(d));
			ipc_discard(&m);
			return (d.status);
		}
		ipc_discard(&m);
	}
}

/* ---- talkd and comsat: refusals, floods ------------------------------- */

static void
reqs(void)
{
	char		*list, *line, *save, *user, *a2, *a3;
	char		 mark[32];
	unsigned int	 ntty, textlen;
	int		 n = 0, ans, st;

	if ((list = getenv("REGRESS_EVIL_REQS")) == NULL ||
	    (list = strdup(list)) == NULL)
		fatalx("evil: REGRESS_EVIL_REQS");
	for (line = strtok_r(list, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		n++;
		user = line;
		a2 = a3 = "";
		if ((a2 = strchr(line, ' ')) != NULL) {
			*a2++ = '\0';
			if ((a3 = strchr(a2, ' ')) != NULL)
				*a3++ = '\0';
			else
				a3 = "";
		} else
			a2 = "";
		snprintf(mark, sizeof(mark), "EVIL%d\r\n", n);
		if (daemon_kind == D_TALKD) {
			st = talkd_ask(user, a2, &ans, mark);
			log_info("evil: req %d user %s line %s: answer %d%s",
			    n, user, a2, ans, st ? " with a terminal" : "");
		} else {
			st = comsat_ask(user, strtoll(a2, NULL, 10), a3,
			    &ntty, &textlen, mark);
			log_info("evil: req %d user %s path %s: status %d, "
			    "%u terminals, %u bytes", n, user, a3, st, ntty,
			    textlen);
		}
	}
	free(list);
}

static int
getn(void)
{
	const char	*s = getenv("REGRESS_EVIL_N");
	int		 n = s != NULL ? atoi(s) : 300;

	return (n < 1 ? 1 : n > 100000 ? 100000 : n);
}

static void
flood(void)
{
	const char	*user = getenv("REGRESS_EVIL_USER");
	long long	 t0 = ms_now();
	unsigned int	 ntty, textlen;
	int		 n = getn(), i, ans, ok = 0, refused = 0, other = 0;

	if (user == NULL)
		user = "root";
	for (i = 0; i < n; i++) {
		if (daemon_kind == D_TALKD) {
			talkd_ask(user, "", &ans, NULL);
			if (ans == T_SUCCESS)
				ok++;
			else if (ans == 100 + T_FAILED)
				refused++;
			else
				other++;
		} else {
			ans = comsat_ask(user, 0, "", &ntty, &textlen, NULL);
			if (ans == CS_OK)
				ok++;
			else if (ans == CS_BUSY)
				refused++;
			else
				other++;
		}
	}
	log_info("evil: flood: %d requests in %lld ms: %d served, %d refused "
	    "as over the limit, %d other", n, ms_now() - t0, ok, refused,
	    other);
}

/* Requests without ever reading an answer. */
static void
noread(void)
{
	struct tty_req		tr;
	struct comsat_req	cr;
	int			n = getn(), i;

	memset(&tr, 0, sizeof(tr));
	memset(&cr, 0, sizeof(cr));
	strlcpy(tr.user, "root", sizeof(tr.user));
	strlcpy(cr.user, "root", sizeof(cr.user));
	for (i = 0; i < n; i++) {
		if (daemon_kind == D_TALKD)
			talkd_send(&tr);
		else
			comsat_send(&cr);
	}
	log_info("evil: noread: %d requests sent", n);
}

/* ---- rwhod ------------------------------------------------------------ */

static void
rwho_record(struct rwho_status *st, const char *host, int nent)
{
	int	i;

	memset(st, 0, sizeof(*st));
	st->len = WHOD_LEN(nent);
	st->wd.wd_vers = WHOD_VERSION;
	st->wd.wd_type = WHOD_TYPE_STATUS;
	st->wd.wd_sendtime = (uint32_t)time(NULL);
	strlcpy(st->wd.wd_hostname, host, sizeof(st->wd.wd_hostname));
	for (i = 0; i < nent; i++) {
		memcpy(st->wd.wd_we[i].out_line, "pts/1", 5);
		memcpy(st->wd.wd_we[i].out_name, "evil", 4);
	}
}

static void
rwho_send(const struct rwho_status *st)
{
	if (ipc_send(FD, IMSG_RWHO_STATUS, 0, -1, st, sizeof(*st)) == -1)
		fatal("evil: send");
}

static int
rwhod_malformed(const char *c)
{
	struct rwho_status	st;

	rwho_record(&st, "evilhost", 1);
	if (strcmp(c, "host-slash") == 0)
		strlcpy(st.wd.wd_hostname, "../../etc/x",
		    sizeof(st.wd.wd_hostname));
	else if (strcmp(c, "host-dotdot") == 0)
		strlcpy(st.wd.wd_hostname, "..", sizeof(st.wd.wd_hostname));
	else if (strcmp(c, "host-dot") == 0)
		strlcpy(st.wd.wd_hostname, ".rwhod.x",
		    sizeof(st.wd.wd_hostname));
	else if (strcmp(c, "host-nonul") == 0)
		memset(st.wd.wd_hostname, 'a', sizeof(st.wd.wd_hostname));
	else if (strcmp(c, "len-odd") == 0)
		st.len = WHOD_LEN(1) + 1;
	else if (strcmp(c, "len-big") == 0)
		st.len = WHOD_LEN(WHOD_MAXENT + 1);
	else if (strcmp(c, "vers") == 0)
		st.wd.wd_vers = 2;
	else if (strcmp(c, "notcanon") == 0)
		st.wd.wd_hostname[20] = 'x';
	else if (strcmp(c, "ent-ctl") == 0)
		st.wd.wd_we[0].out_name[1] = '\033';
	else
		return (0);
	rwho_send(&st);
	return (1);
}

static void
rwhod_flood(void)
{
	struct rwho_status	 st;
	char			 host[32];
	const char		*p = getenv("REGRESS_EVIL_USER");
	long long		 t0 = ms_now();
	int			 n = getn(), i;

	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "%s%d", p != NULL ? p : "evil",
		    i);
		rwho_record(&st, host, i % (WHOD_MAXENT + 1));
		rwho_send(&st);
	}
	log_info("evil: flood: %d records sent in %lld ms", n,
	    ms_now() - t0);
}

/* ---- entry ------------------------------------------------------------ */

void
regress_evil(void)
{
	const char	*spec = getenv("REGRESS_EVIL");
	const char	*c;

	if (spec == NULL)
		return;
	if (strncmp(spec, "talkd:", 6) == 0)
		daemon_kind = D_TALKD;
	else if (strncmp(spec, "comsat:", 7) == 0)
		daemon_kind = D_COMSAT;
	else if (strncmp(spec, "rwhod:", 6) == 0)
		daemon_kind = D_RWHOD;
	else
		_exit(98);
	c = strchr(spec, ':') + 1;
	if (framing(c))
		await_end();
	if ((daemon_kind == D_TALKD && talkd_malformed(c)) ||
	    (daemon_kind == D_COMSAT && comsat_malformed(c)) ||
	    (daemon_kind == D_RWHOD && rwhod_malformed(c)))
		await_end();
	if (strcmp(c, "reqs") == 0 && daemon_kind != D_RWHOD)
		reqs();
	else if (strcmp(c, "flood") == 0 && daemon_kind == D_RWHOD)
		rwhod_flood();
	else if (strcmp(c, "flood") == 0)
		flood();
	else if (strcmp(c, "noread") == 0 && daemon_kind != D_RWHOD)
		noread();
	else
		_exit(98);
	log_info("evil: done");
	idle();
}
