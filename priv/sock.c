/*
 * Runs in the privileged parent: obtain the daemon's UDP socket in one of
 * three ways.  The children never create or bind sockets.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

#define RCVBUF	(1 << 20)	/* bytes of datagrams queued for the engine */

/* Is fd a datagram socket of the Internet family? */
static int
is_udp_socket(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(int);
	int			type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    type != SOCK_DGRAM)
		return (0);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    ss.ss_family != AF_INET)
		return (0);
	return (1);
}

/* systemd socket activation: exactly one datagram socket at fd 3. */
static int
from_systemd(void)
{
	const char	*pid, *fds, *errstr;
	long long	 n;
	int		 fd;

	if ((pid = getenv("LISTEN_PID")) == NULL ||
	    (fds = getenv("LISTEN_FDS")) == NULL)
		return (-1);
	n = strtonum(pid, 1, INT32_MAX, &errstr);
	if (errstr != NULL || n != getpid())
		return (-1);
	n = strtonum(fds, 0, 64, &errstr);
	if (errstr != NULL || n != 1)
		errx(1, "LISTEN_FDS=%s: expected exactly one socket", fds);
	if (!is_udp_socket(3))
		errx(1, "socket from systemd is not an IPv4 datagram socket");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	/* Move it off fd 3: that slot is the children's IPC channel. */
	if ((fd = fcntl(3, F_DUPFD_CLOEXEC, 10)) == -1)
		err(1, "dup socket");
	close(3);
	return (fd);
}

/* inetd "wait": the bound socket is on fds 0-2. */
static int
from_inetd(void)
{
	int	fd, null;

	if (!is_udp_socket(0))
		return (-1);
	if ((fd = fcntl(0, F_DUPFD_CLOEXEC, 10)) == -1)
		err(1, "dup socket");
	/* Stray output must not become a datagram. */
	if ((null = open("/dev/null", O_RDWR)) == -1)
		err(1, "/dev/null");
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (null > 2)
		close(null);
	return (fd);
}

static int
bind_own(const char *addr, int port, int broadcast)
{
	struct sockaddr_in	sin;
	int			fd, on = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		errx(1, "%s: not an IPv4 address", addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		err(1, "SO_REUSEADDR");
	if (broadcast &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == -1)
		err(1, "SO_BROADCAST");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind %s port %d", addr, port);
	return (fd);
}

/*
 * Returns the socket; *how tells where it came from.  IP_PKTINFO lets the
 * engine see each datagram's destination address (talkd uses it to tell
 * local callers from remote ones).
 */
int
sock_obtain(const char *addr, int port, int broadcast, int *how)
{
	int	fd, on = 1, rcvbuf = RCVBUF;

	if ((fd = from_systemd()) != -1)
		*how = SOCK_SYSTEMD;
	else if ((fd = from_inetd()) != -1)
		*how = SOCK_INETD;
	else {
		fd = bind_own(addr, port, broadcast);
		*how = SOCK_BOUND;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1)
		err(1, "IP_PKTINFO");
	/*
	 * Under a flood, valid datagrams wait here until the engine gets
	 * the CPU back: a buffer root may make larger than rmem_max.  Best
	 * effort; systemd's ReceiveBuffer= or a smaller buffer also work.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (broadcast &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == -1)
		err(1, "SO_BROADCAST");
	return (fd);
}
