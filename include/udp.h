/* Receiving datagrams in the engines: one place for recvmsg's details. */
#ifndef UDP_H
#define UDP_H

#include <sys/types.h>
#include <netinet/in.h>

#include <time.h>

#define UDP_BATCH	64	/* datagrams per wake-up, then IPC's turn */

ssize_t	udp_recv(int, unsigned char *, size_t, struct sockaddr_in *,
	    struct in_pktinfo *);
time_t	mono_sec(void);

#endif
