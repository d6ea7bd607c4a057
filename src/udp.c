/*
 * Runs in the engines: take one datagram off the daemon's socket.  The
 * real length is returned even when the datagram was longer than the
 * buffer (MSG_TRUNC), so a parser can refuse it and a log line can say
 * how long it was; only the buffer's bytes are ever read.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "udp.h"

/*
 * Returns the datagram's length, or -1 with errno (EAGAIN: nothing
 * left).  A datagram that is not from an IPv4 address is skipped.  pi,
 * if not NULL, gets the IP_PKTINFO data (zero if the kernel sent none).
 */
ssize_t
udp_recv(int fd, unsigned char *buf, size_t size, struct sockaddr_in *from,
    struct in_pktinfo *pi)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cmsgbuf;
	struct iovec	 iov;
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	ssize_t		 n;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		memset(from, 0, sizeof(*from));
		iov.iov_base = buf;
		iov.iov_len = size;
		msg.msg_name = from;
		msg.msg_namelen = sizeof(*from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		if ((n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC)) == -1)
			return (-1);
		if (msg.msg_namelen == sizeof(*from) &&
		    from->sin_family == AF_INET)
			break;
	}
	if (pi == NULL)
		return (n);
	memset(pi, 0, sizeof(*pi));
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == IPPROTO_IP &&
		    cmsg->cmsg_type == IP_PKTINFO)
			memcpy(pi, CMSG_DATA(cmsg), sizeof(*pi));
	return (n);
}

/* Seconds on the monotonic clock: timers that a clock step cannot move. */
time_t
mono_sec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec);
}
