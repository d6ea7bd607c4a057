/* IPv4 networks given on the command line (-A), shared by the daemons. */
#ifndef NETMASK_H
#define NETMASK_H

#include <netinet/in.h>

#define MAXNETS		32

struct netmask {
	struct in_addr	net;
	struct in_addr	mask;
};

struct netlist {
	struct netmask	n[MAXNETS];
	int		count;		/* 0: every address is allowed */
};

int	netlist_add(struct netlist *, const char *);
int	netlist_match(const struct netlist *, struct in_addr);

#endif
