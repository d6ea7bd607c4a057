/*
 * talkd: the privileged parent.  It obtains the UDP socket, starts the
 * engine (and the resolver) by re-executing itself, and then does only
 * one thing on request: open a callee's terminal, chosen from utmp, and
 * pass the descriptor to the engine.  It never reads the network.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "ipc.h"
#include "log.h"
#include "names.h"
#include "priv.h"
#include "ratelimit.h"
#include "talkd.h"

#define TTY_OPENS_PER_SEC	50	/* even a compromised engine */

struct parent {
	struct talkd_conf	*conf;
	struct tty_ctx		 tty;
	struct rl_table		*rl_tty;
	struct child		 engine, resolver;
};

static void	usage(void) __attribute__((__noreturn__));
static void	parse_args(int, char *[], struct talkd_conf *);
static void	child_main(struct talkd_conf *) __attribute__((__noreturn__));
static void	tty_request(struct parent *, const struct ipc_msg *);

/* What the engine may send us; everything else ends the daemon. */
static const struct ipc_rule from_engine[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),	0 },
	{ IMSG_TALK_TTY_REQ,	sizeof(struct tty_req),	0 },
};

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: %s [-dnpqSv] [-A network] [-a address[:port]] "
	    "[-c chroot]\n\t[-L source] [-m max] [-R rings] [-r rate] "
	    "[-t idle] [-U utmp] [-u user]\n", getprogname());
	exit(1);
}

static void
parse_args(int argc, char *argv[], struct talkd_conf *c)
{
	int	ch;

	memset(c, 0, sizeof(*c));
	c->user = TALKD_USER;
	c->chroot = TALKD_CHROOT;
	c->utmp = _PATH_UTMPX;
	c->listen = "0.0.0.0";
	c->rate_src = 20;
	c->rate_callee = 6;
	c->idle = -1;
	c->maxinvites = 50000;
	while ((ch = getopt(argc, argv, "A:a:c:dL:m:nP:pqR:r:St:U:u:v")) !=
	    -1) {
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
		case 'L':
			if ((c->logins = logins_source(optarg)) == -1)
				errx(1, "-L %s: not auto, utmp, logind or both",
				    optarg);
			break;
		case 'm':
			c->maxinvites = arg_number(optarg, 1, 1000000, "-m");
			break;
		case 'n':
			c->numeric = 1;
			break;
		case 'P':
			c->proc = optarg;
			break;
		case 'p':
			c->packets = 1;
			break;
		case 'q':
			c->quiet = 1;
			break;
		case 'R':
			c->rate_callee = arg_number(optarg, 0, 100000, "-R");
			break;
		case 'r':
			c->rate_src = arg_number(optarg, 0, 1000000, "-r");
			break;
		case 'S':
			sandbox_print(stdout, &policy_talkd_engine);
			sandbox_print(stdout, &policy_talkd_resolver);
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
}

/* A re-executed child: sandbox first, then its job.  Never returns. */
static void __attribute__((__noreturn__))
child_main(struct talkd_conf *c)
{
	child_prologue(c->debug || c->verbose);
	if (strcmp(c->proc, "engine") == 0) {
		child_sandbox("engine", &policy_talkd_engine, c->user,
		    c->chroot);
		talkd_engine(c);
	} else if (strcmp(c->proc, "resolver") == 0) {
		talkd_resolver_warmup();
		child_sandbox("resolver", &policy_talkd_resolver, c->user,
		    NULL);
		talkd_resolver();
	}
	fatalx("unknown child role %s", c->proc);
}

struct pick {
	int	fd;
	time_t	atime;
	int	refused;
	char	line[TTY_LINE_MAX + 1];
};

/*
 * Among the callee's terminals keep the least idle one that accepts
 * messages (mesg y: group write), as every talkd since 4.3BSD does.
 */
static int
pick_tty(int fd, const char *line, const struct stat *st, void *arg)
{
	struct pick	*p = arg;

	if ((st->st_mode & S_IWGRP) == 0) {
		p->refused++;
		close(fd);
		return (0);
	}
	if (p->fd != -1 && st->st_atime <= p->atime) {
		close(fd);
		return (0);
	}
	if (p->fd != -1)
		close(p->fd);
	p->fd = fd;
	p->atime = st->st_atime;
	strlcpy(p->line, line, sizeof(p->line));
	return (0);
}

static void
tty_request(struct parent *ps, const struct ipc_msg *m)
{
	struct tty_req	 req;
	struct tty_res	 res;
	struct pick	 p;
	struct passwd	*pw;

	memcpy(&req, m->data, sizeof(req));
	/* The engine checked these too, but a compromised one would not. */
	if (!tty_req_valid(&req))
		fatalx("engine sent a malformed terminal request");
	memset(&res, 0, sizeof(res));
	memset(&p, 0, sizeof(p));
	p.fd = -1;
	if (!rl_allow(ps->rl_tty, 0, rl_now())) {
		/* Budgeted: a rogue engine could ask at any rate. */
		log_refused("terminal requests over %d/s: refused",
		    TTY_OPENS_PER_SEC);
		res.answer = T_FAILED;
	} else if ((pw = getpwnam(req.user)) == NULL)
		res.answer = T_NOT_HERE;
	else {
		tty_foreach(&ps->tty, req.user, req.line[0] ? req.line : NULL,
		    pw->pw_uid, pick_tty, &p);
		if (p.fd != -1)
			res.answer = T_SUCCESS;
		else
			res.answer = p.refused ? T_PERMISSION_DENIED :
			    T_NOT_HERE;
	}
	strlcpy(res.line, p.line, sizeof(res.line));
	parent_send(&ps->engine, p.fd != -1 ? IMSG_TALK_TTY_OK :
	    IMSG_TALK_TTY_FAIL, m->hdr.seq, p.fd, &res, sizeof(res));
	if (p.fd != -1)
		close(p.fd);
}

/* Requests from the engine; IPC_LOG is handled by parent.c. */
static void
dispatch(void *arg, struct child *c, struct ipc_msg *m)
{
	struct parent	*ps = arg;

	if (m->hdr.type == IMSG_TALK_TTY_REQ)
		tty_request(ps, m);
}

static void
start_children(struct parent *ps, int argc, char *argv[], int udp)
{
	char	idle[32];
	int	rfd;

	snprintf(idle, sizeof(idle), "-t%lld", ps->conf->idle);
	parent_spawn(&ps->engine, argc, argv, idle);
	parent_send(&ps->engine, IMSG_TALK_SOCKET, 0, udp, NULL, 0);
	close(udp);
	if (ps->conf->numeric)
		return;
	/* The resolver talks to the engine directly, never to us. */
	rfd = parent_spawn_peer(&ps->resolver, argc, argv);
	parent_send(&ps->engine, IMSG_TALK_RESOLVER, 0, rfd, NULL, 0);
	close(rfd);
}

int
main(int argc, char *argv[])
{
	struct talkd_conf	conf;
	struct parent		ps;
	struct parent_ops	ops;
	int			udp, how;

	parse_args(argc, argv, &conf);
	if (conf.proc != NULL)
		child_main(&conf);

	startup_checks(conf.user, conf.chroot, "talkd");
	udp = startup_socket(conf.listen, TALKD_PORT, 0, &how);
	if (how == SOCK_INETD && conf.idle == -1)
		conf.idle = 120;	/* inetd restarts us on demand */
	if (conf.idle == -1)
		conf.idle = 0;

	memset(&ps, 0, sizeof(ps));
	ps.conf = &conf;
	ps.engine.role = "engine";
	ps.engine.essential = 1;
	ps.engine.rules = from_engine;
	ps.engine.nrules = sizeof(from_engine) / sizeof(from_engine[0]);
	ps.resolver.role = "resolver";
	if (tty_init(&ps.tty, conf.utmp, conf.logins) == -1)
		err(1, "/dev");
	if ((ps.rl_tty = rl_new(1, TTY_OPENS_PER_SEC, TTY_OPENS_PER_SEC)) ==
	    NULL)
		err(1, NULL);
	/* With inetd, stderr is gone: log to syslog even with -d. */
	log_init(conf.debug && how != SOCK_INETD, LOG_DAEMON, "talkd");
	log_setverbose(conf.debug || conf.verbose);
	if (how == SOCK_BOUND && !conf.debug && daemon(0, 0) == -1)
		fatal("daemon");
	parent_signals();
	start_children(&ps, argc, argv, udp);
	log_info("started (%s socket), engine pid %d",
	    how == SOCK_INETD ? "inetd" : how == SOCK_SYSTEMD ? "systemd" :
	    "own", ps.engine.pid);
	ops.dispatch = dispatch;
	ops.tick = NULL;
	ops.tick_ms = 0;
	ops.arg = &ps;
	parent_loop(&ops);
}
