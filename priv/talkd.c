/*
 * talkd: the privileged parent.  It obtains the UDP socket, starts the
 * engine (and the resolver) by re-executing itself, and then does only
 * one thing on request: open a callee's terminal, chosen from utmp, and
 * pass the descriptor to the engine.  It never reads the network.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
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

#ifdef REGRESS
void	regress_hook(const char *);	/* regress/regress_hook.c: tests */
#endif

#define TTY_OPENS_PER_SEC	50	/* even a compromised engine */

struct parent {
	struct talkd_conf	*conf;
	struct tty_ctx		 tty;
	struct rl_table		*rl_tty;
	int			 engine_fd;
	pid_t			 engine_pid, resolver_pid;
};

static void	usage(void) __attribute__((__noreturn__));
static void	parse_args(int, char *[], struct talkd_conf *);
static void	child_main(struct talkd_conf *) __attribute__((__noreturn__));
static void	tty_request(struct parent *, const struct ipc_msg *);
static void	stop_children(struct parent *);
static void	engine_died(struct parent *, pid_t, int)
		    __attribute__((__noreturn__));
static void	engine_lost(struct parent *) __attribute__((__noreturn__));

/* What the engine may send us; everything else ends the daemon. */
static const struct ipc_rule from_engine[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),	0 },
	{ IMSG_TALK_TTY_REQ,	sizeof(struct tty_req),	0 },
};

static int	sigpipe[2] = { -1, -1 };

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: %s [-dnpqSv] [-A network] [-a address[:port]] "
	    "[-c chroot]\n\t[-m max] [-R rings] [-r rate] [-t idle] "
	    "[-U utmp] [-u user]\n", getprogname());
	exit(1);
}

static void
on_signal(int sig)
{
	unsigned char	c = sig;
	ssize_t		n;
	int		saved = errno;

	n = write(sigpipe[1], &c, 1);	/* full pipe: a signal is pending */
	(void)n;
	errno = saved;
}

static long long
number(const char *s, long long min, long long max, const char *what)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(1, "%s %s: %s", what, s, errstr);
	return (n);
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
	while ((ch = getopt(argc, argv, "A:a:c:dm:nP:pqR:r:St:U:u:v")) != -1) {
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
		case 'm':
			c->maxinvites = number(optarg, 1, 1000000, "-m");
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
			c->rate_callee = number(optarg, 0, 100000, "-R");
			break;
		case 'r':
			c->rate_src = number(optarg, 0, 1000000, "-r");
			break;
		case 'S':
			sandbox_print(stdout, &policy_talkd_engine);
			sandbox_print(stdout, &policy_talkd_resolver);
			exit(0);
		case 't':
			c->idle = number(optarg, 0, 86400, "-t");
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
	closefrom(CHILD_IPC_FD + 1);
	log_setsink(ipc_log_sink);
	log_setverbose(c->debug || c->verbose);
	tzset();
	if (strcmp(c->proc, "engine") == 0) {
		setproctitle("engine");
		sandbox_enter(&policy_talkd_engine, c->user, c->chroot);
#ifdef REGRESS
		regress_hook(c->proc);
#endif
		talkd_engine(c);
	} else if (strcmp(c->proc, "resolver") == 0) {
		setproctitle("resolver");
		talkd_resolver_warmup();
		sandbox_enter(&policy_talkd_resolver, c->user, NULL);
#ifdef REGRESS
		regress_hook(c->proc);
#endif
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
	if (memchr(req.user, '\0', sizeof(req.user)) == NULL ||
	    memchr(req.line, '\0', sizeof(req.line)) == NULL ||
	    !valid_login(req.user, TTY_USER_MAX) ||
	    (req.line[0] != '\0' && !valid_ttyline(req.line)))
		fatalx("engine sent a malformed terminal request");
	memset(&res, 0, sizeof(res));
	memset(&p, 0, sizeof(p));
	p.fd = -1;
	if (!rl_allow(ps->rl_tty, 0, rl_now())) {
		log_warnx("terminal requests over %d/s: refused",
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
	if (ipc_send(ps->engine_fd, p.fd != -1 ? IMSG_TALK_TTY_OK :
	    IMSG_TALK_TTY_FAIL, m->hdr.seq, p.fd, &res, sizeof(res)) == -1)
		engine_lost(ps);
	if (p.fd != -1)
		close(p.fd);
}

static void
stop_children(struct parent *ps)
{
	if (ps->engine_pid > 0)
		kill(ps->engine_pid, SIGTERM);
	if (ps->resolver_pid > 0)
		kill(ps->resolver_pid, SIGTERM);
}

static void
dispatch_engine(struct parent *ps)
{
	struct ipc_msg	m;
	struct ipc_log	lm;
	int		rv;

	if ((rv = ipc_recv(ps->engine_fd, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF)
		engine_lost(ps);
	if (rv == IPC_BAD || ipc_check(&m, from_engine,
	    sizeof(from_engine) / sizeof(from_engine[0])) != 0) {
		/* The engine is not behaving: assume it is compromised. */
		log_warnx("engine sent a bad message (%s): stopping",
		    ipc_error());
		ipc_discard(&m);
		stop_children(ps);
		exit(1);
	}
	switch (m.hdr.type) {
	case IPC_LOG:
		memcpy(&lm, m.data, sizeof(lm));
		if (!ipc_log_valid(&lm)) {
			log_warnx("engine sent a malformed log line: stopping");
			stop_children(ps);
			exit(1);
		}
		logit(lm.pri, "engine: %s", lm.msg);
		break;
	case IMSG_TALK_TTY_REQ:
		tty_request(ps, &m);
		break;
	}
}

/*
 * Child death policy: the engine holds all state, so when it dies the
 * parent logs why and exits too (status 0 after an idle exit, 1
 * otherwise); inetd, systemd or the administrator starts a fresh pair.
 * A dead resolver only means numeric caller addresses from then on.
 */
static void __attribute__((__noreturn__))
engine_died(struct parent *ps, pid_t pid, int status)
{
	ps->engine_pid = 0;
	stop_children(ps);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("engine exited after idle timeout");
		exit(0);
	}
	log_warnx("lost child: engine pid %d %s %d: exiting", pid,
	    WIFSIGNALED(status) ? "killed by signal" : "exited with",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	exit(1);
}

static void
reap(struct parent *ps)
{
	pid_t	pid;
	int	status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == ps->engine_pid)
			engine_died(ps, pid, status);
		if (pid != ps->resolver_pid)
			continue;
		ps->resolver_pid = 0;
		log_warnx("lost child: resolver pid %d %s %d", pid,
		    WIFSIGNALED(status) ? "killed by signal" : "exited with",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
	}
}

/* The channel to the engine broke: it is dying; report how, then exit. */
static void __attribute__((__noreturn__))
engine_lost(struct parent *ps)
{
	int	status;

	log_debug("engine channel closed");
	if (waitpid(ps->engine_pid, &status, 0) == ps->engine_pid)
		engine_died(ps, ps->engine_pid, status);
	stop_children(ps);
	exit(1);
}

static void
start_children(struct parent *ps, int argc, char *argv[], int udp)
{
	char	idle[32];
	int	ep[2], rp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ep) == -1)
		fatal("socketpair");
	snprintf(idle, sizeof(idle), "-t%lld", ps->conf->idle);
	ps->engine_pid = proc_exec(proc_argv(argc, argv, "engine", idle),
	    ep[1]);
	close(ep[1]);
	ps->engine_fd = ep[0];
	if (ipc_send(ps->engine_fd, IMSG_TALK_SOCKET, 0, udp, NULL, 0) == -1)
		engine_lost(ps);
	close(udp);
	if (ps->conf->numeric)
		return;
	/* The resolver talks to the engine directly, never to us. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rp) == -1)
		fatal("socketpair");
	ps->resolver_pid = proc_exec(proc_argv(argc, argv, "resolver", NULL),
	    rp[1]);
	close(rp[1]);
	if (ipc_send(ps->engine_fd, IMSG_TALK_RESOLVER, 0, rp[0], NULL, 0)
	    == -1)
		engine_lost(ps);
	close(rp[0]);
}

static void
signals(void)
{
	struct sigaction	sa;

	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		err(1, "pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void __attribute__((__noreturn__))
parent_loop(struct parent *ps)
{
	struct pollfd	pfd[2];
	unsigned char	sig;

	for (;;) {
		pfd[0].fd = sigpipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = ps->engine_fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			fatal("poll");
		while (read(sigpipe[0], &sig, 1) == 1) {
			if (sig == SIGCHLD)
				reap(ps);
			else if (sig == SIGHUP)
				log_info("SIGHUP ignored: restart to reconfigure");
			else {
				log_info("signal %d: stopping", sig);
				stop_children(ps);
				exit(0);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			dispatch_engine(ps);
	}
}

int
main(int argc, char *argv[])
{
	struct talkd_conf	conf;
	struct parent		ps;
	int			udp, how, port = TALKD_PORT;
	char			addr[64], *colon;

	parse_args(argc, argv, &conf);
	if (conf.proc != NULL)
		child_main(&conf);

	if (geteuid() != 0)
		errx(1, "must be started as root (it drops privileges itself)");
	if (getpwnam(conf.user) == NULL)
		errx(1, "user %s does not exist: create it (see talkd(8))",
		    conf.user);
	sandbox_check_rootdir(conf.chroot);
	if (strlcpy(addr, conf.listen, sizeof(addr)) >= sizeof(addr))
		errx(1, "-a %s: too long", conf.listen);
	if ((colon = strchr(addr, ':')) != NULL) {
		*colon++ = '\0';
		port = number(colon, 1, 65535, "port");
	}
	udp = sock_obtain(addr, port, 0, &how);
	if (how == SOCK_INETD && conf.idle == -1)
		conf.idle = 120;	/* inetd restarts us on demand */
	if (conf.idle == -1)
		conf.idle = 0;

	memset(&ps, 0, sizeof(ps));
	ps.conf = &conf;
	ps.engine_fd = -1;
	if (tty_init(&ps.tty, conf.utmp) == -1)
		err(1, "/dev");
	if ((ps.rl_tty = rl_new(1, TTY_OPENS_PER_SEC, TTY_OPENS_PER_SEC)) ==
	    NULL)
		err(1, NULL);
	/* With inetd, stderr is gone: log to syslog even with -d. */
	log_init(conf.debug && how != SOCK_INETD, LOG_DAEMON, "talkd");
	log_setverbose(conf.debug || conf.verbose);
	if (how == SOCK_BOUND && !conf.debug && daemon(0, 0) == -1)
		fatal("daemon");
	signals();
	start_children(&ps, argc, argv, udp);
	log_info("started (%s socket), engine pid %d",
	    how == SOCK_INETD ? "inetd" : how == SOCK_SYSTEMD ? "systemd" :
	    "own", ps.engine_pid);
	parent_loop(&ps);
}
