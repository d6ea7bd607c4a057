/*
 * talkd resolver: an unprivileged child that turns a caller's address
 * into a host name for the banner, and only when the name resolves back
 * to the same address (forward-confirmed).  It is separate so that slow
 * DNS never stalls the engine and never runs in the parent.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "names.h"
#include "talkd.h"

#define ENGINE_FD	3

static const struct ipc_rule from_engine[] = {
	{ IMSG_RES_QUERY,	sizeof(struct res_query), 0 },
};

static int
confirmed(const char *host, struct in_addr addr)
{
	struct addrinfo	 hints, *res, *ai;
	int		 ok = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return (0);
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next)
		ok = ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
		    addr.s_addr;
	freeaddrinfo(res);
	return (ok);
}

static void
lookup(struct in_addr addr, char *host, size_t size)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	host[0] = '\0';
	if (getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, size,
	    NULL, 0, NI_NAMEREQD) != 0)
		host[0] = '\0';
	else if (!valid_hostname(host) || !confirmed(host, addr))
		host[0] = '\0';
}

/* Prime the NSS back ends while we can still read all of /etc and /usr. */
void
talkd_resolver_warmup(void)
{
	char	host[256];
	struct in_addr a;

	a.s_addr = htonl(INADDR_LOOPBACK);
	lookup(a, host, sizeof(host));
}

void
talkd_resolver(void)
{
	struct ipc_msg		m;
	struct res_query	q;
	struct res_answer	a;
	struct pollfd		pfd;
	int			rv;

	for (;;) {
		pfd.fd = ENGINE_FD;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if ((rv = ipc_recv(ENGINE_FD, &m)) == IPC_AGAIN)
			continue;
		/* The engine is the only peer: if it goes, so do we. */
		if (rv != 1 || ipc_check(&m, from_engine, 1) != 0)
			_exit(rv == IPC_EOF ? 0 : 1);
		memcpy(&q, m.data, sizeof(q));
		memset(&a, 0, sizeof(a));
		a.addr = q.addr;
		lookup(q.addr, a.host, sizeof(a.host));
		if (ipc_send(ENGINE_FD, IMSG_RES_ANSWER, m.hdr.seq, -1, &a,
		    sizeof(a)) == -1)
			_exit(1);
	}
}
