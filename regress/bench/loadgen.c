/*
 * loadgen: load generators and helpers for `make bench` (never installed).
 *
 *   loadgen server ADDR:PORT REPLYLEN
 *	the "limit": a minimal UDP server that answers every datagram with
 *	REPLYLEN bytes (0: no answer), recvmmsg/sendmmsg in batches of 64.
 *   loadgen fdexec ADDR:PORT PROG [ARG...]
 *	bind a UDP socket, put it on fds 0 and 1 (as inetd's wait mode
 *	does) and exec PROG: how in.ntalkd and in.comsat run standalone.
 *   loadgen talk ADDR:PORT MODE SECS WINDOW [ARG]
 *	closed-loop ntalk client: WINDOW sockets, one request in flight
 *	each.  MODE miss: LOOK_UP of an invitation that does not exist;
 *	cycle: LEAVE_INVITE, LOOK_UP, DELETE; held: first leave ARG
 *	invitations (untimed), then LOOK_UP misses; fill: only leave ARG
 *	invitations (h0/k0 ...) and exit; announce: ANNOUNCE to
 *	user ARG, each from a new caller, one every GAP ms (7th argument),
 *	latency p50/p99 (WINDOW 1); every latency is appended (in us) to
 *	the file $BENCH_LAT if set.
 *   loadgen flood ADDR:PORT KIND SECS [-s SPORT] [-b SRC] [-n HOSTS]
 *		[-u USER] [-p PID] [-w DIR]
 *	open loop, sendmmsg batches of 32.  KIND comsat ("USER@0") or
 *	rwho (status packets for HOSTS distinct hosts).  With -p, the
 *	receiving socket's drops are read from /proc/PID/net/udp and
 *	received = sent - drops, timed until its queue is empty; with -w,
 *	whod.* files stored in DIR are counted with inotify.
 * Every loop is bounded by time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
parse_addr(const char *s, struct sockaddr_in *sin)
{
	char buf[64], *p;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if ((p = strrchr(buf, ':')) == NULL) {
		fprintf(stderr, "loadgen: %s: want ADDR:PORT\n", s);
		exit(2);
	}
	*p++ = '\0';
	sin->sin_port = htons(atoi(p));
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1) {
		fprintf(stderr, "loadgen: %s: bad address\n", buf);
		exit(2);
	}
}

/* big buffers for the generator only: servers keep the defaults */
static int
udp_socket_buf(const struct sockaddr_in *bindto, int big)
{
	int s, one = 1, sz = 4 << 20;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		exit(1);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (big) {
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (bindto != NULL &&
	    bind(s, (const struct sockaddr *)bindto, sizeof(*bindto)) == -1) {
		perror("bind");
		exit(1);
	}
	return s;
}
#define udp_socket(b)	udp_socket_buf((b), 1)

/* ---- the limit: answer every datagram ---- */
#define BATCH 64
static int
do_server(int argc, char **argv)
{
	struct sockaddr_in sin, from[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	static char buf[BATCH][1024];
	int s, n, i, replylen;

	if (argc < 4)
		return 2;
	parse_addr(argv[2], &sin);
	replylen = atoi(argv[3]);
	s = udp_socket_buf(&sin, 0);
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_name = &from[i];
			msg[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		if ((n = recvmmsg(s, msg, BATCH, MSG_WAITFORONE, NULL)) <= 0)
			continue;
		if (replylen <= 0)
			continue;
		for (i = 0; i < n; i++)
			iov[i].iov_len = replylen;
		sendmmsg(s, msg, n, 0);
	}
}

static int
do_fdexec(int argc, char **argv)
{
	struct sockaddr_in sin;
	int s;

	if (argc < 4)
		return 2;
	parse_addr(argv[2], &sin);
	s = udp_socket_buf(&sin, 0);
	if (dup2(s, 0) == -1 || dup2(s, 1) == -1) {
		perror("dup2");
		return 1;
	}
	if (s > 1)
		close(s);
	execv(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}

/* ---- ntalk ---- */
enum { LEAVE_INVITE, LOOK_UP, DELETE, ANNOUNCE };

struct ctl_msg {			/* 84 bytes, network order */
	uint8_t		vers, type, answer, pad;
	uint32_t	id_num;
	uint16_t	addr_fam, addr_port;
	uint32_t	addr_ip;
	uint8_t		addr_zero[8];
	uint16_t	ctl_fam, ctl_port;
	uint32_t	ctl_ip;
	uint8_t		ctl_zero[8];
	int32_t		pid;
	char		l_name[12], r_name[12], r_tty[16];
} __attribute__((packed));

struct slot {
	int		 fd;
	int		 step;		/* cycle: 0 leave, 1 look, 2 delete */
	uint32_t	 id;		/* from LEAVE_INVITE */
	unsigned	 n;		/* requests done */
	double		 sent;
	struct ctl_msg	 m;
};

static unsigned	 seq;

static void
build(struct slot *sl, int type, const char *l, const char *r, uint32_t id)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	getsockname(sl->fd, (struct sockaddr *)&me, &len);
	memset(&sl->m, 0, sizeof(sl->m));
	sl->m.vers = 1;
	sl->m.type = type;
	sl->m.id_num = htonl(id);
	sl->m.addr_fam = htons(AF_INET);
	sl->m.addr_port = htons(4242);
	sl->m.addr_ip = me.sin_addr.s_addr;
	sl->m.ctl_fam = htons(AF_INET);
	sl->m.ctl_port = me.sin_port;
	sl->m.ctl_ip = me.sin_addr.s_addr;
	sl->m.pid = htonl(4321);
	memcpy(sl->m.l_name, l, strnlen(l, sizeof(sl->m.l_name)));
	memcpy(sl->m.r_name, r, strnlen(r, sizeof(sl->m.r_name)));
}

static void
next_req(struct slot *sl, int idx, const char *mode, const char *arg)
{
	char a[16], b[16];

	if (strcmp(mode, "cycle") == 0) {
		snprintf(a, sizeof(a), "ca%d", idx);
		snprintf(b, sizeof(b), "cb%d", idx);
		if (sl->step == 0)
			build(sl, LEAVE_INVITE, a, b, 0);
		else if (sl->step == 1)
			build(sl, LOOK_UP, b, a, 0);
		else
			build(sl, DELETE, a, b, sl->id);
	} else if (strcmp(mode, "announce") == 0) {
		snprintf(a, sizeof(a), "c%u", seq++);
		build(sl, ANNOUNCE, a, arg, 0);
	} else {
		snprintf(a, sizeof(a), "m%d", idx);
		build(sl, LOOK_UP, a, "nosuchuser", 0);
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One request on slot sl, synchronously (fill phase). */
static int
transact(struct slot *sl, const struct sockaddr_in *to, uint8_t *ans,
    uint32_t *id)
{
	uint8_t r[64];
	struct pollfd pfd = { sl->fd, POLLIN, 0 };
	int tries;

	for (tries = 0; tries < 20; tries++) {
		sendto(sl->fd, &sl->m, sizeof(sl->m), 0,
		    (const struct sockaddr *)to, sizeof(*to));
		if (poll(&pfd, 1, 200) == 1 &&
		    recv(sl->fd, r, sizeof(r), 0) >= 8) {
			*ans = r[2];
			memcpy(id, r + 4, 4);
			*id = ntohl(*id);
			return 0;
		}
	}
	return -1;
}

static int
do_talk(int argc, char **argv)
{
	struct sockaddr_in to, lo;
	struct slot *sl;
	struct epoll_event ev, evs[64];
	const char *mode, *arg;
	double secs, t0, end, t, *lat = NULL;
	size_t nlat = 0, maxlat = 0;
	unsigned long done = 0, retrans = 0, bad = 0;
	int win, i, n, ep, held = 0;
	double gap = 0;		/* announce: seconds between requests */
	const char *latfile = getenv("BENCH_LAT");
	uint8_t ans, r[64];
	uint32_t id;

	if (argc < 6)
		return 2;
	parse_addr(argv[2], &to);
	mode = argv[3];
	secs = atof(argv[4]);
	win = atoi(argv[5]);
	arg = argc > 6 ? argv[6] : "";
	if (win < 1 || win > 64)
		win = 1;
	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr = to.sin_addr;	/* same host: a local source address */
	sl = calloc(win, sizeof(*sl));
	ep = epoll_create1(0);
	for (i = 0; i < win; i++) {
		sl[i].fd = udp_socket(&lo);
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, sl[i].fd, &ev);
	}
	if (strcmp(mode, "held") == 0 || strcmp(mode, "fill") == 0) {
		held = atoi(arg);
		for (i = 0; i < held; i++) {
			char a[16], b[16];

			snprintf(a, sizeof(a), "h%d", i);
			snprintf(b, sizeof(b), "k%d", i);
			build(&sl[0], LEAVE_INVITE, a, b, 0);
			/* any answer: netkit's first one is uninitialised */
			if (transact(&sl[0], &to, &ans, &id) == -1) {
				fprintf(stderr, "loadgen: fill %d failed\n", i);
				return 1;
			}
		}
	}
	if (strcmp(mode, "fill") == 0) {
		printf("mode=fill invitations=%d\n", held);
		return 0;
	}
	if (strcmp(mode, "announce") == 0) {
		gap = argc > 7 ? atof(argv[7]) / 1000 : 0;
		maxlat = 1000000;
		lat = malloc(maxlat * sizeof(*lat));
	}
	t0 = now();
	end = t0 + secs;
	for (i = 0; i < win; i++) {
		next_req(&sl[i], i, mode, arg);
		sl[i].sent = now();
		sendto(sl[i].fd, &sl[i].m, sizeof(sl[i].m), 0,
		    (struct sockaddr *)&to, sizeof(to));
	}
	while (now() < end) {
		n = epoll_wait(ep, evs, 64, 50);
		t = now();
		for (i = 0; i < n; i++) {
			struct slot *s = &sl[evs[i].data.u32];
			ssize_t len = recv(s->fd, r, sizeof(r), MSG_DONTWAIT);

			if (len < 8 || r[1] != s->m.type)
				continue;	/* stale answer to a resend */
			done++;
			if (lat != NULL && nlat < maxlat)
				lat[nlat++] = t - s->sent;
			if (strcmp(mode, "cycle") == 0) {
				if (s->step == 1 && r[2] != 0)
					bad++;	/* the LOOK_UP must find it */
				if (s->step == 0) {
					memcpy(&s->id, r + 4, 4);
					s->id = ntohl(s->id);
				}
				s->step = (s->step + 1) % 3;
			} else if (strcmp(mode, "announce") == 0) {
				if (r[2] != 0)
					bad++;
			} else if (r[2] != 1)	/* NOT_HERE */
				bad++;
			if (gap > 0) {
				struct timespec ts;
				double w = gap - (now() - s->sent);

				if (w > 0) {
					ts.tv_sec = 0;
					ts.tv_nsec = w * 1e9;
					nanosleep(&ts, NULL);
				}
			}
			next_req(s, evs[i].data.u32, mode, arg);
			s->sent = now();
			sendto(s->fd, &s->m, sizeof(s->m), 0,
			    (struct sockaddr *)&to, sizeof(to));
		}
		/* resend what has waited 200 ms (lost or dropped) */
		for (i = 0; i < win; i++)
			if (t - sl[i].sent > 0.2) {
				retrans++;
				sl[i].sent = t;
				sendto(sl[i].fd, &sl[i].m, sizeof(sl[i].m), 0,
				    (struct sockaddr *)&to, sizeof(to));
			}
	}
	t = now() - t0;
	printf("mode=%s reqs=%lu secs=%.3f rps=%.1f retrans=%lu bad=%lu",
	    mode, done, t, done / t, retrans, bad);
	if (lat != NULL && nlat > 0) {
		FILE *lf;

		if (latfile != NULL && (lf = fopen(latfile, "a")) != NULL) {
			for (i = 0; (size_t)i < nlat; i++)
				fprintf(lf, "%.1f\n", lat[i] * 1e6);
			fclose(lf);
		}
		qsort(lat, nlat, sizeof(*lat), cmp_d);
		printf(" p50_us=%.1f p99_us=%.1f max_us=%.1f",
		    lat[nlat / 2] * 1e6, lat[(nlat * 99) / 100] * 1e6,
		    lat[nlat - 1] * 1e6);
	}
	printf("\n");
	return 0;
}

/* ---- open-loop floods ---- */

/* drops and queued bytes of the UDP socket on port in /proc/PID/net/udp */
static int
udp_stats(int pid, int port, unsigned long *drops, unsigned long *rxq)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/net/udp", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	*drops = *rxq = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned la, lp, ra, rp, st, tx, rx;
		unsigned long d;
		char *last;

		if (sscanf(line, " %*d: %x:%x %x:%x %x %x:%x", &la, &lp, &ra,
		    &rp, &st, &tx, &rx) != 7 || (int)lp != port)
			continue;
		last = strrchr(line, ' ');
		d = strtoul(last + 1, NULL, 10);
		*drops += d;
		*rxq += rx;
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

struct whod {				/* status packet, network order */
	uint8_t		vers, type, pad[2];
	uint32_t	sendtime, recvtime;
	char		hostname[32];
	uint32_t	loadav[3];
	uint32_t	boottime;
	struct {
		char		line[8], name[8];
		uint32_t	time, idle;
	} we[2];
} __attribute__((packed));

static unsigned long
count_stores(int in, char *buf, size_t size)
{
	unsigned long c = 0;
	ssize_t len;
	char *p;

	while ((len = read(in, buf, size)) > 0)
		for (p = buf; p < buf + len;) {
			struct inotify_event *e = (struct inotify_event *)p;

			if (e->len > 0 && strncmp(e->name, "whod.", 5) == 0)
				c++;
			p += sizeof(*e) + e->len;
		}
	return c;
}

#define FBATCH 32
static int
do_flood(int argc, char **argv)
{
	struct sockaddr_in to, src;
	struct mmsghdr msg[FBATCH];
	struct iovec iov[FBATCH];
	static char pkt[FBATCH][sizeof(struct whod)];
	static char ibuf[65536];
	const char *kind, *user = "nobody", *dir = NULL;
	double secs, t0, end, t;
	unsigned long sent = 0, d0 = 0, d1 = 0, q = 0, stored = 0;
	unsigned hosts = 100, h = 0;
	int s, i, c, pid = 0, in = -1, sport = 0, len;
	const char *srcip = "0.0.0.0";

	if (argc < 5)
		return 2;
	parse_addr(argv[2], &to);
	kind = argv[3];
	secs = atof(argv[4]);
	optind = 5;
	while ((c = getopt(argc, argv, "b:n:p:s:u:w:")) != -1)
		switch (c) {
		case 'b': srcip = optarg; break;
		case 'n': hosts = atoi(optarg); break;
		case 'p': pid = atoi(optarg); break;
		case 's': sport = atoi(optarg); break;
		case 'u': user = optarg; break;
		case 'w': dir = optarg; break;
		default: return 2;
		}
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_port = htons(sport);
	inet_pton(AF_INET, srcip, &src.sin_addr);
	s = udp_socket(&src);
	if (connect(s, (struct sockaddr *)&to, sizeof(to)) == -1) {
		perror("connect");
		return 1;
	}
	if (dir != NULL) {
		in = inotify_init1(IN_NONBLOCK);
		if (inotify_add_watch(in, dir, IN_MOVED_TO | IN_CLOSE_WRITE)
		    == -1) {
			perror(dir);
			return 1;
		}
	}
	if (pid > 0 && udp_stats(pid, ntohs(to.sin_port), &d0, &q) == -1) {
		fprintf(stderr, "loadgen: no socket on port %d in pid %d\n",
		    ntohs(to.sin_port), pid);
		pid = 0;
	}
	t0 = now();
	end = t0 + secs;
	while ((t = now()) < end) {
		for (i = 0; i < FBATCH; i++) {
			if (strcmp(kind, "rwho") == 0) {
				struct whod *w = (struct whod *)pkt[i];

				memset(w, 0, sizeof(*w));
				w->vers = 1;
				w->type = 1;
				w->sendtime = htonl((uint32_t)time(NULL));
				snprintf(w->hostname, sizeof(w->hostname),
				    "bh%u", h++ % hosts);
				w->loadav[0] = htonl(12);
				w->boottime = htonl(1700000000);
				memcpy(w->we[0].line, "pts/1", 5);
				memcpy(w->we[0].name, "alice", 5);
				w->we[0].time = htonl(1700000000);
				len = sizeof(*w) - sizeof(w->we[1]);
			} else
				len = snprintf(pkt[i], sizeof(pkt[i]), "%s@0",
				    user);
			iov[i].iov_base = pkt[i];
			iov[i].iov_len = len;
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		if ((c = sendmmsg(s, msg, FBATCH, 0)) > 0)
			sent += c;	/* ECONNREFUSED: nobody yet; go on */
		{	/* drain answers (the limit server answers) */
			char junk[256];

			while (recv(s, junk, sizeof(junk), MSG_DONTWAIT) > 0)
				;
		}
		if (in != -1)
			stored += count_stores(in, ibuf, sizeof(ibuf));
	}
	/* until the receiver's queue is empty (at most 5 s more) */
	t = now();
	if (pid > 0)
		while (now() - t < 5 && udp_stats(pid, ntohs(to.sin_port),
		    &d1, &q) == 0 && q > 0) {
			if (in != -1)
				stored += count_stores(in, ibuf, sizeof(ibuf));
			usleep(1000);
		}
	t = now();
	if (in != -1) {		/* stores still in flight */
		while (now() - t < 0.3) {
			stored += count_stores(in, ibuf, sizeof(ibuf));
			usleep(10000);
		}
	}
	t = now() - t0;
	if (pid > 0) {
		udp_stats(pid, ntohs(to.sin_port), &d1, &q);
		printf("kind=%s sent=%lu drops=%lu left=%lu secs=%.3f "
		    "recv_ps=%.1f", kind, sent, d1 - d0, q, t,
		    (sent - (d1 - d0)) / t);
	} else
		printf("kind=%s sent=%lu secs=%.3f sent_ps=%.1f", kind, sent,
		    t, sent / t);
	if (in != -1)
		printf(" stored=%lu stored_ps=%.1f", stored, stored / t);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "server") == 0)
		rc = do_server(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "fdexec") == 0)
		rc = do_fdexec(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "talk") == 0)
		rc = do_talk(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "flood") == 0)
		rc = do_flood(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: see the comment in loadgen.c\n");
	return rc;
}
