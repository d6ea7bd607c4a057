/*
 * comsat: the privileged parent.  It obtains the UDP socket, starts the
 * engine by re-executing itself, and then does only one thing on
 * request: for a user the engine names, open that user's terminals that
 * have biff y (chosen from utmp), read a bounded excerpt of the user's
 * mailbox (priv/mbox.c), and pass both to the engine.  It never reads the
 * network and never parses mail.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <utmpx.h>

#include "comsat.h"
#include "ipc.h"
#include "log.h"
#include "names.h"
#include "priv.h"
#include "ratelimit.h"

/*
 * However the engine behaves, the parent serves at most this many
 * requests a second: each costs a utmp scan, up to COMSAT_MAXTTYS
 * terminal opens, one mailbox open and a COMSAT_EXCERPT read.
 */
#define REQUESTS_PER_SEC	20

struct parent {
	struct comsat_conf	*conf;
	struct tty_ctx		 tty;
	struct mbox_ctx		 mbox;
	struct rl_table		*rl_req;
	struct child		 engine;
};

/* A user's terminals with biff y, as tty_foreach() finds them. */
struct ttyset {
	int			 fd[COMSAT_MAXTTYS];
	struct comsat_tty	 tty[COMSAT_MAXTTYS];
	dev_t			 rdev[COMSAT_MAXTTYS];
	size_t			 n;
	int			 biff_n;	/* terminals with biff n */
};

static void	usage(void) __attribute__((__noreturn__));
static void	parse_args(int, char *[], struct comsat_conf *);
static void	child_main(struct comsat_conf *) __attribute__((__noreturn__));
static void	notice_request(struct parent *, const struct ipc_msg *);

/* What the engine may send us; everything else ends the daemon. */
static const struct ipc_rule from_engine[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),		0 },
	{ IMSG_COMSAT_REQ,	sizeof(struct comsat_req),	0 },
};

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: %s [-dHqSv] [-A network] [-a address[:port]] "
	    "[-c chroot]\n\t[-L source] [-m maildir] [-R notices] [-r rate] "
	    "[-t idle] [-U utmp]\n\t[-u user]\n", getprogname());
	exit(1);
}

static void
parse_args(int argc, char *argv[], struct comsat_conf *c)
{
	int	ch;

	memset(c, 0, sizeof(*c));
	c->user = COMSAT_USER;
	c->chroot = COMSAT_CHROOT;
	c->utmp = _PATH_UTMPX;
	c->spool = COMSAT_SPOOL;
	c->rate_all = 50;
	c->rate_user = 6;
	c->idle = -1;
	while ((ch = getopt(argc, argv, "A:a:c:dHL:m:P:qR:r:St:U:u:v")) != -1) {
		switch (ch) {
		case 'A':
			if (netlist_add(&c->allow, optarg) == -1)
				errx(1, "-A %s: not a network (a.b.c.d/len), "
				    "or more than %d", optarg, MAXNETS);
			break;
		case 'a':
			c->listen = optarg;
			break;
		case 'c':
			c->chroot = optarg;
			break;
		case 'd':
			c->debug = 1;
			break;
		case 'H':
			c->home = 1;
			break;
		case 'L':
			if ((c->logins = logins_source(optarg)) == -1)
				errx(1, "-L %s: not auto, utmp, logind or both",
				    optarg);
			break;
		case 'm':
			if (optarg[0] != '/')
				errx(1, "-m %s: not an absolute path", optarg);
			c->spool = optarg;
			break;
		case 'P':
			c->proc = optarg;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'R':
			c->rate_user = arg_number(optarg, 0, 100000, "-R");
			break;
		case 'r':
			c->rate_all = arg_number(optarg, 0, 1000000, "-r");
			break;
		case 'S':
			sandbox_print(stdout, &policy_comsat_engine);
			exit(0);
		case 't':
			c->idle = arg_number(optarg, 0, 86400, "-t");
			break;
		case 'U':
			c->utmp = optarg;
			break;
		case 'u':
			c->user = optarg;
			break;
		case 'v':
			c->verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* Only loopback is served without -A: listen there alone. */
	if (c->listen == NULL)
		c->listen = c->allow.count > 0 ? "0.0.0.0" : "127.0.0.1";
}

/* The re-executed engine: sandbox first, then its job.  Never returns. */
static void __attribute__((__noreturn__))
child_main(struct comsat_conf *c)
{
	child_prologue(c->debug || c->verbose);
	if (strcmp(c->proc, "engine") == 0) {
		child_sandbox("engine", &policy_comsat_engine, c->user,
		    c->chroot);
		comsat_engine(c);
	}
	fatalx("unknown child role %s", c->proc);
}

/*
 * tty_foreach() callback: keep the terminals with biff y, that is the
 * owner-execute bit, as biff(1) sets it.  Unlike talk, biff ignores mesg
 * (group write): comsat has always written as root.  The engine cannot
 * ask the terminal how it ends lines (no ioctl in its sandbox), so we do.
 */
static int
pick_tty(int fd, const char *line, const struct stat *st, void *arg)
{
	struct ttyset	*s = arg;
	struct termios	 t;
	size_t		 i;
	int		 flags = NF_CRLF;

	if ((st->st_mode & S_IXUSR) == 0) {
		s->biff_n++;
		close(fd);
		return (0);
	}
	/* A line listed twice in utmp is still one terminal. */
	for (i = 0; i < s->n; i++)
		if (s->rdev[i] == st->st_rdev) {
			close(fd);
			return (0);
		}
	if (tcgetattr(fd, &t) == 0) {
		if ((t.c_oflag & OPOST) && (t.c_oflag & ONLCR))
			flags &= ~NF_CRLF;
		if (t.c_iflag & IUTF8)
			flags |= NF_UTF8;
	}
	s->fd[s->n] = fd;
	s->rdev[s->n] = st->st_rdev;
	memset(&s->tty[s->n], 0, sizeof(s->tty[s->n]));
	s->tty[s->n].flags = flags;
	strlcpy(s->tty[s->n].line, line, sizeof(s->tty[s->n].line));
	s->n++;
	return (s->n == COMSAT_MAXTTYS);
}

static void
send_done(struct parent *ps, uint32_t seq, int status, size_t ntty,
    size_t textlen)
{
	struct comsat_done	d;

	memset(&d, 0, sizeof(d));
	d.status = status;
	d.ntty = ntty;
	d.textlen = textlen;
	parent_send(&ps->engine, IMSG_COMSAT_DONE, seq, -1, &d, sizeof(d));
}

/* The excerpt in pieces, then the terminals; we keep no descriptor. */
static void
send_answer(struct parent *ps, uint32_t seq, struct ttyset *s,
    const unsigned char *text, size_t len)
{
	struct comsat_text	t;
	size_t			off, i;

	for (off = 0; off < len; off += t.len) {
		memset(&t, 0, sizeof(t));
		t.off = off;
		t.len = len - off < sizeof(t.data) ? len - off :
		    sizeof(t.data);
		memcpy(t.data, text + off, t.len);
		parent_send(&ps->engine, IMSG_COMSAT_TEXT, seq, -1, &t,
		    sizeof(t));
	}
	for (i = 0; i < s->n; i++) {
		parent_send(&ps->engine, IMSG_COMSAT_TTY, seq, s->fd[i],
		    &s->tty[i], sizeof(s->tty[i]));
		close(s->fd[i]);
	}
	send_done(ps, seq, CS_OK, s->n, len);
}

static void
notice_request(struct parent *ps, const struct ipc_msg *m)
{
	static unsigned char	 text[COMSAT_EXCERPT];
	struct comsat_req	 req;
	struct ttyset		 s;
	struct passwd		*pw;
	const char		*why;
	ssize_t			 len;
	size_t			 i;

	memcpy(&req, m->data, sizeof(req));
	/* The engine checked these too, but a compromised one would not. */
	if (!comsat_req_valid(&req))
		fatalx("engine sent a malformed request");
	if (!rl_allow(ps->rl_req, 0, rl_now())) {
		log_refused("mail for %s: over %d requests/s, not shown",
		    req.user, REQUESTS_PER_SEC);
		send_done(ps, m->hdr.seq, CS_BUSY, 0, 0);
		return;
	}
	if ((pw = getpwnam(req.user)) == NULL) {
		log_refused("mail for %s: no such user", req.user);
		send_done(ps, m->hdr.seq, CS_REFUSED, 0, 0);
		return;
	}
	/* Terminals first: no one to tell, no mail read. */
	memset(&s, 0, sizeof(s));
	tty_foreach(&ps->tty, req.user, NULL, pw->pw_uid, pick_tty, &s);
	if (s.n == 0) {
		if (!ps->conf->quiet)
			log_info("mail for %s: %s", req.user, s.biff_n > 0 ?
			    "biff n on every terminal" : "not logged in");
		send_done(ps, m->hdr.seq, CS_NOTTY, 0, 0);
		return;
	}
	if ((len = mbox_read(&ps->mbox, pw, req.path, req.offset, text,
	    sizeof(text), &why)) == -1) {
		log_refused("mail for %s: mailbox %s: %s, not shown", req.user,
		    req.path[0] != '\0' ? req.path : "in the spool", why);
		for (i = 0; i < s.n; i++)
			close(s.fd[i]);
		send_done(ps, m->hdr.seq, CS_REFUSED, 0, 0);
		return;
	}
	send_answer(ps, m->hdr.seq, &s, text, len);
}

/* Requests from the engine; IPC_LOG is handled by parent.c. */
static void
dispatch(void *arg, struct child *c, struct ipc_msg *m)
{
	struct parent	*ps = arg;

	if (m->hdr.type == IMSG_COMSAT_REQ)
		notice_request(ps, m);
}

static void
parent_init(struct parent *ps, struct comsat_conf *conf)
{
	memset(ps, 0, sizeof(*ps));
	ps->conf = conf;
	ps->engine.role = "engine";
	ps->engine.essential = 1;
	ps->engine.rules = from_engine;
	ps->engine.nrules = sizeof(from_engine) / sizeof(from_engine[0]);
	if (tty_init(&ps->tty, conf->utmp, conf->logins) == -1)
		fatal("/dev");
	if (mbox_init(&ps->mbox, conf->spool, conf->home) == -1)
		fatalx("cannot use the mail spool %s", conf->spool);
	ps->rl_req = rl_new(1, REQUESTS_PER_SEC, REQUESTS_PER_SEC);
	if (ps->rl_req == NULL)
		fatal("rl_new");
}

int
main(int argc, char *argv[])
{
	struct comsat_conf	conf;
	struct parent		ps;
	struct parent_ops	ops;
	int			udp, how;
	char			idle[32];

	parse_args(argc, argv, &conf);
	if (conf.proc != NULL)
		child_main(&conf);

	startup_checks(conf.user, conf.chroot, "comsat");
	udp = startup_socket(conf.listen, COMSAT_PORT, 0, &how);
	if (how == SOCK_INETD && conf.idle == -1)
		conf.idle = 120;	/* inetd restarts us on demand */
	if (conf.idle == -1)
		conf.idle = 0;
	/* With inetd, stderr is gone: log to syslog even with -d. */
	log_init(conf.debug && how != SOCK_INETD, LOG_DAEMON, "comsat");
	log_setverbose(conf.debug || conf.verbose);
	parent_init(&ps, &conf);
	if (how == SOCK_BOUND && !conf.debug && daemon(0, 0) == -1)
		fatal("daemon");
	parent_signals();
	snprintf(idle, sizeof(idle), "-t%lld", conf.idle);
	parent_spawn(&ps.engine, argc, argv, idle);
	parent_send(&ps.engine, IMSG_COMSAT_SOCKET, 0, udp, NULL, 0);
	close(udp);
	log_info("started (%s socket), engine pid %d",
	    how == SOCK_INETD ? "inetd" : how == SOCK_SYSTEMD ? "systemd" :
	    "own", ps.engine.pid);
	ops.dispatch = dispatch;
	ops.tick = NULL;
	ops.tick_ms = 0;
	ops.arg = &ps;
	parent_loop(&ops);
}
