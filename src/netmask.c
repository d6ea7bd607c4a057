/* Parsing and matching of "a.b.c.d[/len]" network lists. */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "netmask.h"

/* Returns 0, or -1 for a malformed network or a full list. */
int
netlist_add(struct netlist *l, const char *s)
{
	char		 buf[32], *slash;
	const char	*errstr;
	long long	 len = 32;
	struct in_addr	 a;

	if (l->count >= MAXNETS || strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return (-1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		len = strtonum(slash, 0, 32, &errstr);
		if (errstr != NULL)
			return (-1);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return (-1);
	l->n[l->count].mask.s_addr = len == 0 ? 0 :
	    htonl(0xffffffffU << (32 - len));
	l->n[l->count].net.s_addr = a.s_addr & l->n[l->count].mask.s_addr;
	l->count++;
	return (0);
}

int
netlist_match(const struct netlist *l, struct in_addr a)
{
	int	i;

	if (l->count == 0)
		return (1);
	for (i = 0; i < l->count; i++)
		if ((a.s_addr & l->n[i].mask.s_addr) == l->n[i].net.s_addr)
			return (1);
	return (0);
}
