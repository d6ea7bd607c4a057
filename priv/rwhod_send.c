/*
 * Runs in the privileged parent: this host's status, sent at start-up
 * and then every -i seconds.  The parent reads only local, trusted
 * sources here and parses nothing from the network:
 *
 *  - who is logged in where: utmp, read with plain read(2), or
 *    systemd-logind's sessions, as -L says (priv/logins.c);
 *  - each terminal's last access time, from an O_PATH descriptor opened
 *    beneath /dev without following links: no terminal is ever opened
 *    for reading or writing;
 *  - load averages from sysinfo(2) and the boot time from the clocks,
 *    so no file under /proc is opened either.
 *
 * The packet leaves through the parent's duplicate of the UDP socket the
 * engine reads, so it has source port 513 as receivers demand.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <arpa/inet.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "log.h"
#include "names.h"
#include "priv.h"
#include "rwhod.h"

#define MAXDEST		64	/* interface addresses used per round */

struct sender {
	const struct rwhod_conf	*conf;
	struct logins		 logins;
	int			 udp;
	int			 devfd;		/* O_PATH /dev */
	struct sockaddr_in	 peers[RWHOD_MAXPEERS];
	int			 npeers;
	struct in_addr		 group;
	int			 warned_host;
};

struct gather {
	struct sender		*s;
	struct whod_pkt		*wd;
	size_t			 n;
	time_t			 now;
};

static void	resolve_peer(struct sender *, const char *);
static int	tty_atime(int, const char *, time_t *);
static int	add_user(const struct login *, void *);
static size_t	gather(struct sender *, struct whod_pkt *);
static int	if_wanted(const struct sender *, const struct ifaddrs *);
static void	send_to(struct sender *, const unsigned char *, size_t,
		    struct in_addr, const char *);
static void	mcast(struct sender *, const struct ifaddrs *,
		    const unsigned char *, size_t);

/* Peers are resolved once, at start-up, while we may still fail loudly. */
static void
resolve_peer(struct sender *s, const char *host)
{
	struct addrinfo	 hints, *res;
	int		 rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rv = getaddrinfo(host, NULL, &hints, &res)) != 0)
		errx(1, "-H %s: %s", host, gai_strerror(rv));
	memcpy(&s->peers[s->npeers], res->ai_addr, sizeof(s->peers[0]));
	s->peers[s->npeers].sin_port = htons(RWHOD_PORT);
	s->npeers++;
	freeaddrinfo(res);
}

struct sender *
sender_new(const struct rwhod_conf *conf, int udp)
{
	struct sender	*s;
	unsigned char	 ttl;
	int		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		err(1, NULL);
	s->conf = conf;
	s->logins.utmp = conf->utmp;
	s->logins.source = conf->logins;
	s->udp = udp;
	if ((s->devfd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		err(1, "/dev");
	for (i = 0; i < conf->npeers; i++)
		resolve_peer(s, conf->peers[i]);
	inet_pton(AF_INET, RWHOD_GROUP, &s->group);
	if (conf->mcast_ttl > 0) {
		ttl = conf->mcast_ttl;
		if (setsockopt(udp, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl)) == -1)
			err(1, "IP_MULTICAST_TTL");
	}
	return (s);
}

/*
 * The last access time of /dev/LINE.  openat2 with RESOLVE_BENEATH and
 * RESOLVE_NO_SYMLINKS keeps a hostile record's line inside /dev and off any
 * link; O_PATH gives a descriptor good for fstat only.  Kernels before
 * 5.6 get fstatat without following the last component (the line was
 * checked for ".." and extra '/' already).
 */
static int
tty_atime(int devfd, const char *line, time_t *atime)
{
	struct open_how	how;
	struct stat	st;
	int		fd, rv;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, devfd, line, &how, sizeof(how));
	if (fd == -1 && errno == ENOSYS)
		rv = fstatat(devfd, line, &st, AT_SYMLINK_NOFOLLOW);
	else if (fd == -1)
		rv = -1;
	else {
		rv = fstat(fd, &st);
		close(fd);
	}
	/* A stale record: the terminal is gone or was never one. */
	if (rv == -1 || !S_ISCHR(st.st_mode))
		return (-1);
	*atime = st.st_atime;
	return (0);
}

static int
add_user(const struct login *l, void *arg)
{
	struct gather	*g = arg;
	struct whod_ent	*we;
	const char	*user = l->user, *line = l->line;
	time_t		 atime, idle;

	/* Records are written on behalf of users: send nothing odd on. */
	if (!valid_login(user, LOGIN_USER_MAX) || !valid_ttyline(line)) {
		log_debug("login record: odd user or line, skipped");
		return (0);
	}
	if (tty_atime(g->s->devfd, line, &atime) == -1) {
		log_debug("login record: %s on %s: no such terminal, skipped",
		    user, line);
		return (0);
	}
	idle = g->now - atime;
	if (idle < 0)
		idle = 0;
	if (idle > INT32_MAX)
		idle = INT32_MAX;
	we = &g->wd->wd_we[g->n++];
	whod_setname(we->out_line, sizeof(we->out_line), line, strlen(line));
	whod_setname(we->out_name, sizeof(we->out_name), user, strlen(user));
	we->out_time = (uint32_t)l->time;
	we->we_idle = (uint32_t)idle;
	/* The packet has room for 42; like every rwhod, drop the rest. */
	return (g->n == WHOD_MAXENT);
}

/* This host's status in host order; returns its length. */
static size_t
gather(struct sender *s, struct whod_pkt *wd)
{
	struct gather	 g;
	struct sysinfo	 si;
	struct timespec	 real, boot;
	char		 host[256];
	int		 i, rv;

	memset(wd, 0, sizeof(*wd));
	wd->wd_vers = WHOD_VERSION;
	wd->wd_type = WHOD_TYPE_STATUS;
	g.now = time(NULL);
	/* Unsigned 32 bits: good until 2106, and what every reader takes. */
	wd->wd_sendtime = (uint32_t)g.now;
	if (gethostname(host, sizeof(host)) == -1)
		strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	whod_setname(wd->wd_hostname, sizeof(wd->wd_hostname) - 1, host,
	    strlen(host));
	if (sysinfo(&si) == 0)
		for (i = 0; i < 3; i++)
			wd->wd_loadav[i] = (uint32_t)((si.loads[i] * 100 +
			    (1UL << (SI_LOAD_SHIFT - 1))) >> SI_LOAD_SHIFT);
	/* Boot time = wall clock - time since boot, to the second. */
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	wd->wd_boottime = (uint32_t)(real.tv_sec - boot.tv_sec -
	    (real.tv_nsec < boot.tv_nsec ? 1 : 0));
	g.s = s;
	g.wd = wd;
	g.n = 0;
	logins_foreach(&s->logins, NULL, 0, add_user, &g);
	if ((rv = whod_check(wd, WHOD_LEN(g.n))) != WHOD_OK &&
	    !s->warned_host) {
		/* Receivers like us would refuse it; netkit's may not. */
		log_warnx("own status: %s (host name \"%s\"): sent anyway",
		    whod_strerror(rv), wd->wd_hostname);
		s->warned_host = 1;
	}
	return (WHOD_LEN(g.n));
}

/* -I names; else -b/-p/-a by flags, as netkit's rwhod. */
static int
if_wanted(const struct sender *s, const struct ifaddrs *ifa)
{
	int	i;

	if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
	    (ifa->ifa_flags & IFF_UP) == 0 ||
	    (ifa->ifa_flags & IFF_LOOPBACK) != 0)
		return (0);
	if (s->conf->nifnames > 0) {
		for (i = 0; i < s->conf->nifnames; i++)
			if (strcmp(s->conf->ifnames[i], ifa->ifa_name) == 0)
				return (1);
		return (0);
	}
	switch (s->conf->ifmode) {
	case IF_BROADCAST:
		return ((ifa->ifa_flags & IFF_BROADCAST) != 0);
	case IF_P2P:
		return ((ifa->ifa_flags & IFF_POINTOPOINT) != 0);
	}
	return ((ifa->ifa_flags & (IFF_BROADCAST | IFF_POINTOPOINT)) != 0);
}

static void
send_to(struct sender *s, const unsigned char *buf, size_t len,
    struct in_addr dst, const char *via)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(RWHOD_PORT);
	sin.sin_addr = dst;
	if (sendto(s->udp, buf, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1)
		log_warn("send to %s (%s)", inet_ntoa(dst), via);
	else
		log_debug("status sent to %s (%s)", inet_ntoa(dst), via);
}

/*
 * Multicast on one interface: join the group there (so the engine hears
 * other hosts' status; joining again is harmless, and so an interface
 * that came up later is joined too), and send unless -l.
 */
static void
mcast(struct sender *s, const struct ifaddrs *ifa, const unsigned char *buf,
    size_t len)
{
	struct ip_mreqn	mr;

	memset(&mr, 0, sizeof(mr));
	mr.imr_multiaddr = s->group;
	mr.imr_ifindex = if_nametoindex(ifa->ifa_name);
	if (mr.imr_ifindex == 0)
		return;
	if (!s->conf->send_only && setsockopt(s->udp, IPPROTO_IP,
	    IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) == -1 && errno != EADDRINUSE)
		log_warn("join %s on %s", RWHOD_GROUP, ifa->ifa_name);
	if (s->conf->listen_only)
		return;
	if (setsockopt(s->udp, IPPROTO_IP, IP_MULTICAST_IF, &mr,
	    sizeof(mr)) == -1) {
		log_warn("IP_MULTICAST_IF %s", ifa->ifa_name);
		return;
	}
	send_to(s, buf, len, s->group, ifa->ifa_name);
}

/*
 * One round: gather, then broadcast on every chosen interface (its
 * broadcast or point-to-point peer address), multicast with -m, and
 * unicast to each -H peer.  Interfaces are looked up afresh every round,
 * so ones that come and go are followed.  With -l only the multicast
 * group is (re)joined.
 */
void
sender_run(struct sender *s)
{
	struct whod_pkt	 wd;
	struct ifaddrs	*ifap, *ifa;
	struct in_addr	 dst;
	unsigned char	 buf[WHOD_MAXSIZE];
	unsigned int	 done[MAXDEST], idx;
	size_t		 len = 0;
	int		 i, ndest = 0, ndone = 0, seen;

	if (!s->conf->listen_only)
		len = whod_encode(&wd, gather(s, &wd), buf);
	if (getifaddrs(&ifap) == -1) {
		log_warn("getifaddrs");
		ifap = NULL;
	}
	for (ifa = ifap; ifa != NULL && ndest < MAXDEST; ifa = ifa->ifa_next) {
		if (!if_wanted(s, ifa))
			continue;
		ndest++;
		if (!s->conf->listen_only) {
			if (ifa->ifa_flags & IFF_BROADCAST &&
			    ifa->ifa_broadaddr != NULL)
				dst = ((struct sockaddr_in *)
				    ifa->ifa_broadaddr)->sin_addr;
			else if (ifa->ifa_flags & IFF_POINTOPOINT &&
			    ifa->ifa_dstaddr != NULL)
				dst = ((struct sockaddr_in *)
				    ifa->ifa_dstaddr)->sin_addr;
			else
				continue;
			send_to(s, buf, len, dst, ifa->ifa_name);
		}
		/* Multicast once per interface, not per address. */
		if (s->conf->mcast_ttl == 0 ||
		    (ifa->ifa_flags & IFF_MULTICAST) == 0)
			continue;
		idx = if_nametoindex(ifa->ifa_name);
		for (i = 0, seen = 0; i < ndone; i++)
			seen |= done[i] == idx;
		if (seen)
			continue;
		done[ndone++] = idx;
		mcast(s, ifa, buf, len);
	}
	if (ifap != NULL)
		freeifaddrs(ifap);
	if (s->conf->listen_only)
		return;
	for (i = 0; i < s->npeers; i++)
		send_to(s, buf, len, s->peers[i].sin_addr, "peer");
}
