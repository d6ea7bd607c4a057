/*
 * flood: a bounded datagram flood at one of the daemons, with valid
 * requests ("probes") from other source addresses interleaved, for
 * regress/t_floods.sh.  Test-only, never installed; it sends only to
 * the address it is given, which the tests keep on loopback inside their
 * own network namespace.
 *
 * usage: flood -k talkd|comsat|rwhod -d DST -n COUNT [-t SECONDS]
 *	  [-f FLOODSRC] [-p PROBES_PER_SEC] [-u USER] [-w WAIT]
 *
 * COUNT datagrams go from FLOODSRC (default 127.0.0.2) to DST at the
 * daemon's port with sendmmsg, a mix of valid requests and garbage
 * (random bytes and lengths, right lengths with bad fields), spread over
 * at least SECONDS (0: as fast as the kernel takes them).  Meanwhile
 * PROBES_PER_SEC valid requests go out, each from the next address of
 * 127.0.0.10-127.0.0.249, so no probe shares a per-source rate limit
 * with the flood or another recent probe:
 *
 *	talkd	LOOK_UP; answered = a CTL_RESPONSE came back to that socket
 *	comsat	"USER@0"; the test counts the notices on USER's terminal
 *	rwhod	a status packet for host "probeN" from port 513; the test
 *		counts the whod.probe* files
 *
 * After the flood, WAIT seconds (default 2) for the last answers.
 * Prints "# " lines and one summary line:
 *	sent=N secs=S rate=R probes=P answered=A
 * Every loop is bounded: by COUNT, and by a 120 s limit on the run.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define POOL		256
#define MAXDGRAM	1500
#define NPROBESRC	240		/* 127.0.0.10 .. 127.0.0.249 */
#define HARD_LIMIT	120.0		/* seconds, whatever the options */

enum kind { K_TALKD, K_COMSAT, K_RWHOD };

static enum kind	 kind;
static struct sockaddr_in dst;
static unsigned char	 pool[POOL][MAXDGRAM];
static size_t		 poollen[POOL];
static int		 probefd[NPROBESRC];
static uint32_t		 rnd_state = 2463534242u;

static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return (rnd_state);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A CTL_MSG (84 bytes, network order) as <protocols/talkd.h>. */
static size_t
ctl_msg(unsigned char *b, int type, const char *l, const char *r,
    const struct sockaddr_in *me)
{
	memset(b, 0, 84);
	b[0] = 1;			/* vers */
	b[1] = type;
	put32(b + 4, 0);		/* id_num */
	b[8] = 0; b[9] = 2;		/* addr: AF_INET, big-endian */
	memcpy(b + 10, &me->sin_port, 2);
	memcpy(b + 12, &me->sin_addr, 4);
	b[24] = 0; b[25] = 2;		/* ctl_addr */
	memcpy(b + 26, &me->sin_port, 2);
	memcpy(b + 28, &me->sin_addr, 4);
	put32(b + 40, 4242);		/* pid */
	strncpy((char *)b + 44, l, 12);
	strncpy((char *)b + 56, r, 12);
	return (84);
}

/* A status packet (network order) for host, n entries. */
static size_t
whod_pkt(unsigned char *b, const char *host, int n)
{
	int	i;

	memset(b, 0, 60 + 24 * n);
	b[0] = 1;
	b[1] = 1;
	put32(b + 4, (uint32_t)time(NULL));
	strncpy((char *)b + 12, host, 31);
	for (i = 0; i < n; i++) {
		memcpy(b + 60 + 24 * i, "pts/1", 5);
		memcpy(b + 68 + 24 * i, "flood", 5);
	}
	return (60 + 24 * n);
}

/*
 * The flood's pool: a quarter valid requests, a quarter random bytes of
 * random length, a quarter the right length with random bytes, a quarter
 * valid-looking with one bad field.
 */
static void
make_pool(const struct sockaddr_in *src)
{
	char	name[32];
	size_t	i, j;

	for (i = 0; i < POOL; i++) {
		unsigned char	*b = pool[i];

		snprintf(name, sizeof(name), "fl%zu", i);
		switch (i % 4) {
		case 0:
			if (kind == K_TALKD)
				poollen[i] = ctl_msg(b, 1, name, "nobody", src);
			else if (kind == K_COMSAT)
				poollen[i] = snprintf((char *)b, MAXDGRAM,
				    "%s@%zu\n", name, i);
			else
				poollen[i] = whod_pkt(b, name, i % 43);
			break;
		case 1:
			poollen[i] = rnd() % MAXDGRAM;
			for (j = 0; j < poollen[i]; j++)
				b[j] = rnd();
			break;
		case 2:
			poollen[i] = kind == K_TALKD ? 84 : kind == K_RWHOD ?
			    60 + 24 * (rnd() % 43) : 1 + rnd() % 1080;
			for (j = 0; j < poollen[i]; j++)
				b[j] = rnd();
			break;
		default:
			if (kind == K_TALKD) {
				poollen[i] = ctl_msg(b, rnd() % 8, name,
				    "\033[2J", src);
				b[0] = rnd() % 3;
			} else if (kind == K_COMSAT)
				poollen[i] = snprintf((char *)b, MAXDGRAM,
				    "%s@-%zu:../../etc/shadow\n", name, i);
			else {
				poollen[i] = whod_pkt(b, "../x/..", 1);
				b[0] = rnd() % 3;
			}
			break;
		}
	}
}

static int
udp_socket(const char *src, int port)
{
	struct sockaddr_in	sin;
	int			fd, on = 1, buf = 1 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, src, &sin.sin_addr) != 1)
		errx(1, "%s: not an IPv4 address", src);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind %s:%d", src, port);
	return (fd);
}

static int
send_probe(int n, const char *user)
{
	unsigned char		b[MAXDGRAM];
	char			name[32];
	struct sockaddr_in	me;
	socklen_t		sl = sizeof(me);
	int			fd = probefd[n % NPROBESRC];
	size_t			len;

	if (kind == K_TALKD) {
		getsockname(fd, (struct sockaddr *)&me, &sl);
		snprintf(name, sizeof(name), "pr%d", n);
		len = ctl_msg(b, 1, name, "nobody", &me);
	} else if (kind == K_COMSAT)
		len = snprintf((char *)b, sizeof(b), "%s@0\n", user);
	else {
		snprintf(name, sizeof(name), "probe%d", n);
		len = whod_pkt(b, name, 1);
	}
	return (sendto(fd, b, len, 0, (struct sockaddr *)&dst,
	    sizeof(dst)) == (ssize_t)len);
}

/* talkd: count the replies waiting on the probe sockets. */
static int
collect(void)
{
	unsigned char	b[64];
	int		i, n = 0;

	if (kind != K_TALKD)
		return (0);
	for (i = 0; i < NPROBESRC; i++)
		while (recv(probefd[i], b, sizeof(b), 0) == 24)
			n++;
	return (n);
}

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: flood -k talkd|comsat|rwhod -d dst -n count "
	    "[-t secs] [-f src] [-p probes/s] [-u user] [-w wait]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct sockaddr_in	 src;
	const char		*fsrc = "127.0.0.2", *user = "nobody";
	char			 a[32];
	double			 t0, t, secs = 0, wait = 2, prate = 10;
	double			 nextprobe, end;
	long			 count = 0, sent = 0, dropped = 0;
	int			 ch, fd, i, port, nb, probes = 0, answered = 0;
	int			 sport;

	while ((ch = getopt(argc, argv, "d:f:k:n:p:t:u:w:")) != -1) {
		switch (ch) {
		case 'd':
			memset(&dst, 0, sizeof(dst));
			dst.sin_family = AF_INET;
			if (inet_pton(AF_INET, optarg, &dst.sin_addr) != 1)
				usage();
			break;
		case 'f':
			fsrc = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "talkd") == 0)
				kind = K_TALKD;
			else if (strcmp(optarg, "comsat") == 0)
				kind = K_COMSAT;
			else if (strcmp(optarg, "rwhod") == 0)
				kind = K_RWHOD;
			else
				usage();
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'p':
			prate = atof(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			wait = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (count <= 0 || count > 100000000 || dst.sin_family != AF_INET ||
	    secs < 0 || secs > 60 || wait < 0 || wait > 30 || prate < 0 ||
	    prate > 1000)
		usage();
	port = kind == K_TALKD ? 518 : kind == K_COMSAT ? 512 : 513;
	dst.sin_port = htons(port);
	/* rwhod wants port 513; the others refuse privileged ports. */
	sport = kind == K_RWHOD ? 513 : 0;
	fd = udp_socket(fsrc, sport);
	memset(&src, 0, sizeof(src));
	{
		socklen_t sl = sizeof(src);
		getsockname(fd, (struct sockaddr *)&src, &sl);
	}
	for (i = 0; i < NPROBESRC; i++) {
		snprintf(a, sizeof(a), "127.0.0.%d", 10 + i);
		probefd[i] = udp_socket(a, sport);
	}
	make_pool(&src);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		mm[i].msg_hdr.msg_name = &dst;
		mm[i].msg_hdr.msg_namelen = sizeof(dst);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now();
	nextprobe = t0;
	end = t0 + HARD_LIMIT;
	while (sent < count && (t = now()) < end) {
		if (prate > 0 && t >= nextprobe) {
			probes += send_probe(probes, user);
			nextprobe += 1.0 / prate;
			answered += collect();
		}
		/* Paced: stay at or behind count/secs. */
		if (secs > 0 && sent > (t - t0) / secs * count) {
			usleep(200);
			continue;
		}
		nb = count - sent < BATCH ? count - sent : BATCH;
		for (i = 0; i < nb; i++) {
			int	k = (sent + i) % POOL;

			iov[i].iov_base = pool[k];
			iov[i].iov_len = poollen[k];
		}
		if ((i = sendmmsg(fd, mm, nb, 0)) == -1) {
			if (errno == EAGAIN || errno == ENOBUFS ||
			    errno == ECONNREFUSED) {
				/* The flood outruns the kernel: count it. */
				dropped++;
				usleep(50);
				continue;
			}
			err(1, "sendmmsg");
		}
		sent += i;
	}
	t = now() - t0;
	/* Probes keep coming for at least a second after a short flood. */
	while (prate > 0 && now() - t0 < (t < 1 ? 1 : t) + 0.0 &&
	    now() < end) {
		if (now() >= nextprobe) {
			probes += send_probe(probes, user);
			nextprobe += 1.0 / prate;
		}
		answered += collect();
		usleep(1000);
	}
	{
		double	stop = now() + wait;

		while (now() < stop) {
			answered += collect();
			usleep(10000);
		}
	}
	printf("# flood %s: %ld datagrams in %.2f s (%.0f/s, %ld send "
	    "retries), %d probes\n", kind == K_TALKD ? "talkd" :
	    kind == K_COMSAT ? "comsat" : "rwhod", sent, t,
	    t > 0 ? sent / t : 0, dropped, probes);
	printf("sent=%ld secs=%.2f rate=%.0f probes=%d answered=%d\n", sent,
	    t, t > 0 ? sent / t : 0, probes, answered);
	return (0);
}
