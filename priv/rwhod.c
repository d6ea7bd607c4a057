/*
 * rwhod: the privileged parent.  It obtains the UDP socket (port 513,
 * broadcast allowed), opens the spool directory, starts the engine by
 * re-executing itself and hands it the socket.  From then on it does
 * two things: every -i seconds it sends this host's status (utmp,
 * terminals, load, boot time: local data only, see rwhod_send.c), and
 * it writes each record the engine has validated into the spool, after
 * checking it again (spool.c).  It never reads a datagram.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <arpa/inet.h>
#include <linux/capability.h>

#include <err.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "ipc.h"
#include "log.h"
#include "priv.h"
#include "ratelimit.h"
#include "rwhod.h"

#define WRITES_PER_SEC	200	/* spool files, even for a rogue engine */
#define DROPLOG_SECS	10	/* one line about dropped records at most */
#define MAX_INTERVAL	(11 * 60)	/* rwho/ruptime: down after 11 min */

struct parent {
	struct rwhod_conf	*conf;
	struct spool		 spool;
	struct sender		*sender;
	struct rl_table		*rl_write;
	unsigned long		 dropped;	/* over WRITES_PER_SEC */
	time_t			 droplog;	/* when that was last logged */
	time_t			 next;		/* next status, monotonic */
	struct child		 engine;
};

static void	usage(void) __attribute__((__noreturn__));
static long long interval(const char *);
static void	parse_args(int, char *[], struct rwhod_conf *);
static void	child_main(struct rwhod_conf *) __attribute__((__noreturn__));
static void	status_record(struct parent *, const struct ipc_msg *);
static void	dispatch(void *, struct child *, struct ipc_msg *);
static void	tick(void *);
static void	drop_caps(void);

/* What the engine may send us; everything else ends the daemon. */
static const struct ipc_rule from_engine[] = {
	{ IPC_LOG,		sizeof(struct ipc_log),		0 },
	{ IMSG_RWHO_STATUS,	sizeof(struct rwho_status),	0 },
};

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: %s [-dlSsvx] [-a | -b | -p | -I ifname] "
	    "[-A network] [-c chroot]\n\t[-D spool] [-H peer] [-i interval] "
	    "[-L source] [-M maxhosts] [-m [ttl]]\n\t[-r rate] [-U utmp] "
	    "[-u user]\n", getprogname());
	exit(1);
}

/* NetBSD's -i: seconds, or minutes with an 'm'; at most 11 minutes. */
static long long
interval(const char *s)
{
	char	buf[16];
	size_t	len;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		errx(1, "-i %s: too long", s);
	len = strlen(buf);
	if (len > 1 && buf[len - 1] == 'm') {
		buf[len - 1] = '\0';
		return (60 * arg_number(buf, 1, MAX_INTERVAL / 60, "-i"));
	}
	return (arg_number(buf, 1, MAX_INTERVAL, "-i"));
}

static void
parse_args(int argc, char *argv[], struct rwhod_conf *c)
{
	int	ch, ifflags = 0;

	memset(c, 0, sizeof(*c));
	c->user = RWHOD_USER;
	c->chroot = RWHOD_CHROOT;
	c->spool = RWHOD_SPOOL;
	c->utmp = _PATH_UTMPX;
	c->interval = 3 * 60;
	c->maxhosts = 1000;
	c->rate = 5;
	c->ifmode = IF_ALL;
	while ((ch = getopt(argc, argv,
	    "A:abc:D:dH:I:i:L:lM:mP:pr:SsU:u:vx")) != -1) {
		switch (ch) {
		case 'A':
			if (netlist_add(&c->allow, optarg) == -1)
				errx(1, "-A %s: not a network (a.b.c.d/len), "
				    "or more than %d", optarg, MAXNETS);
			break;
		case 'a':
			c->ifmode = IF_ALL;
			ifflags++;
			break;
		case 'b':
			c->ifmode = IF_BROADCAST;
			ifflags++;
			break;
		case 'c':
			c->chroot = optarg;
			break;
		case 'D':
			c->spool = optarg;
			break;
		case 'd':
			c->debug = 1;
			break;
		case 'H':
			if (c->npeers >= RWHOD_MAXPEERS)
				errx(1, "-H: at most %d peers", RWHOD_MAXPEERS);
			c->peers[c->npeers++] = optarg;
			break;
		case 'I':
			if (c->nifnames >= RWHOD_MAXIFS)
				errx(1, "-I: at most %d interfaces",
				    RWHOD_MAXIFS);
			c->ifnames[c->nifnames++] = optarg;
			break;
		case 'i':
			c->interval = interval(optarg);
			break;
		case 'L':
			if ((c->logins = logins_source(optarg)) == -1)
				errx(1, "-L %s: not auto, utmp, logind or both",
				    optarg);
			break;
		case 'l':
			c->listen_only = 1;
			break;
		case 'M':
			c->maxhosts = arg_number(optarg, 1, 100000, "-M");
			break;
		case 'm':
			/* FreeBSD's optional operand: "-m" or "-m ttl". */
			c->mcast_ttl = 1;
			if (optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				c->mcast_ttl = arg_number(argv[optind++], 1, 32,
				    "-m");
			break;
		case 'P':
			c->proc = optarg;
			break;
		case 'p':
			c->ifmode = IF_P2P;
			ifflags++;
			break;
		case 'r':
			c->rate = arg_number(optarg, 0, 1000000, "-r");
			break;
		case 'S':
			sandbox_print(stdout, &policy_rwhod_engine);
			exit(0);
		case 's':
			c->send_only = 1;
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
		case 'x':
			c->insecure = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (c->nifnames > 0 && ifflags > 0)
		errx(1, "-I and one of -a, -b, -p: choose one way");
	if (c->listen_only && c->send_only)
		errx(1, "-l and -s: neither sending nor receiving");
	if (c->listen_only && c->npeers > 0)
		errx(1, "-l and -H: -l sends nothing");
}

/* The re-executed engine: sandbox first, then its job.  Never returns. */
static void __attribute__((__noreturn__))
child_main(struct rwhod_conf *c)
{
	child_prologue(c->debug || c->verbose);
	if (strcmp(c->proc, "engine") == 0) {
		child_sandbox("engine", &policy_rwhod_engine, c->user,
		    c->chroot);
		rwhod_engine(c);
	}
	fatalx("unknown child role %s", c->proc);
}

/*
 * A record from the engine.  The engine checked it, but a compromised
 * engine would not: check it all again before a byte of it becomes a
 * file, and stamp it with our own clock.
 */
static void
status_record(struct parent *ps, const struct ipc_msg *m)
{
	struct rwho_status	st;
	int			rv;

	memcpy(&st, m->data, sizeof(st));
	if ((rv = whod_check(&st.wd, st.len)) != WHOD_OK) {
		log_warnx("engine sent a malformed status record (%s): "
		    "stopping", whod_strerror(rv));
		parent_stop();
		exit(1);
	}
	/* tick() reports the count, so a flood makes few log lines. */
	if (!rl_allow(ps->rl_write, 0, rl_now())) {
		ps->dropped++;
		return;
	}
	st.wd.wd_recvtime = (uint32_t)time(NULL);
	if (spool_write(&ps->spool, &st.wd, st.len) == 0)
		log_debug("whod.%s written (from %s)", st.wd.wd_hostname,
		    inet_ntoa(st.from));
}

/* Requests from the engine; IPC_LOG is handled by parent.c. */
static void
dispatch(void *arg, struct child *c, struct ipc_msg *m)
{
	if (m->hdr.type == IMSG_RWHO_STATUS)
		status_record(arg, m);
}

/* After every wake-up: is the next status due?  Records dropped? */
static void
tick(void *arg)
{
	struct parent	*ps = arg;
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ps->dropped > 0 && now.tv_sec - ps->droplog >= DROPLOG_SECS) {
		log_warnx("over %d status records/s: %lu dropped",
		    WRITES_PER_SEC, ps->dropped);
		ps->dropped = 0;
		ps->droplog = now.tv_sec;
	}
	if (now.tv_sec < ps->next)
		return;
	sender_run(ps->sender);
	ps->next = now.tv_sec + ps->conf->interval;
}

/*
 * Once the engine runs, the parent needs little of root: write the spool
 * (CAP_DAC_OVERRIDE, for a spool directory that belongs to another
 * account, such as netkit's rwhod) and stop the engine, which runs as
 * another user (CAP_KILL).  Everything else goes, bounding set too, so
 * the parent cannot load modules, mount, trace or change its ids.  It
 * stays uid 0 and so still owns root's files: that it parses nothing
 * from the network is what protects those.
 */
static void
drop_caps(void)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[_LINUX_CAPABILITY_U32S_3];
	unsigned long long		keep;
	int				cap;

	keep = 1ULL << CAP_DAC_OVERRIDE | 1ULL << CAP_KILL;
	/* Only those we have: CapabilityBoundingSet= may omit some. */
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	keep &= (unsigned long long)data[1].permitted << 32 | data[0].permitted;
	for (cap = 0; cap < 64; cap++)
		if ((keep & 1ULL << cap) == 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			fatal("PR_CAPBSET_DROP");
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}

int
main(int argc, char *argv[])
{
	struct rwhod_conf	conf;
	struct parent		ps;
	struct parent_ops	ops;
	int			udp, how, on = 1;

	parse_args(argc, argv, &conf);
	if (conf.proc != NULL)
		child_main(&conf);

	/* Send only: no engine, so no account or chroot to check. */
	startup_checks(conf.send_only ? NULL : conf.user,
	    conf.send_only ? NULL : conf.chroot, "rwhod");
	memset(&ps, 0, sizeof(ps));
	ps.conf = &conf;
	if (!conf.send_only) {
		if (spool_open(&ps.spool, conf.spool, conf.maxhosts) == -1)
			err(1, "spool %s", conf.spool);
	}
	udp = startup_socket("0.0.0.0", RWHOD_PORT, 1, &how);
	/* Send only: let nothing pile up unread. */
	if (conf.send_only)
		setsockopt(udp, SOL_SOCKET, SO_RCVBUF, &on, sizeof(on));
	ps.sender = sender_new(&conf, udp);
	if ((ps.rl_write = rl_new(1, WRITES_PER_SEC, WRITES_PER_SEC)) == NULL)
		err(1, NULL);
	ps.engine.role = "engine";
	ps.engine.essential = 1;
	ps.engine.rules = from_engine;
	ps.engine.nrules = sizeof(from_engine) / sizeof(from_engine[0]);

	/* With inetd, stderr is gone: log to syslog even with -d. */
	log_init(conf.debug && how != SOCK_INETD, LOG_DAEMON, "rwhod");
	log_setverbose(conf.debug || conf.verbose);
	if (how == SOCK_BOUND && !conf.debug && daemon(0, 0) == -1)
		fatal("daemon");
	parent_signals();
	if (!conf.send_only) {
		parent_spawn(&ps.engine, argc, argv, NULL);
		/* We keep our copy: the status goes out from port 513 too. */
		parent_send(&ps.engine, IMSG_RWHO_SOCKET, 0, udp, NULL, 0);
	}
	drop_caps();
	log_info("started (%s socket), %s, engine pid %d",
	    how == SOCK_INETD ? "inetd" : how == SOCK_SYSTEMD ? "systemd" :
	    "own", conf.listen_only ? "listen only" : conf.send_only ?
	    "send only" : "sending and listening", ps.engine.pid);
	tick(&ps);
	ops.dispatch = dispatch;
	ops.tick = tick;
	ops.tick_ms = 1000;
	ops.arg = &ps;
	parent_loop(&ops);
}
