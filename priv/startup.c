/*
 * Runs in the privileged parent of every daemon, before it daemonises:
 * the start-up steps the three share.  Errors here go to stderr with
 * err(3) and end the program.
 */
#include <sys/types.h>

#include <err.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

/* A numeric option in [min, max], or exit with a message naming it. */
long long
arg_number(const char *s, long long min, long long max, const char *what)
{
	const char	*errstr;
	long long	 n;

	n = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(1, "%s %s: %s", what, s, errstr);
	return (n);
}

/*
 * The parent must be root (it chroots and changes the children's uid),
 * the children's account must exist, and their chroot must be safe.
 */
void
startup_checks(const char *user, const char *chrootdir, const char *prog)
{
	if (geteuid() != 0)
		errx(1, "must be started as root (it drops privileges itself)");
	if (user != NULL && getpwnam(user) == NULL)
		errx(1, "user %s does not exist: create it (see %s(8))", user,
		    prog);
	if (chrootdir != NULL)
		sandbox_check_rootdir(chrootdir);
}

/* "-a address[:port]": the socket, from systemd, inetd or our bind(). */
int
startup_socket(const char *listen, int port, int broadcast, int *how)
{
	char	addr[64], *colon;

	if (strlcpy(addr, listen, sizeof(addr)) >= sizeof(addr))
		errx(1, "-a %s: too long", listen);
	if ((colon = strchr(addr, ':')) != NULL) {
		*colon++ = '\0';
		port = arg_number(colon, 1, 65535, "port");
	}
	return (sock_obtain(addr, port, broadcast, how));
}
