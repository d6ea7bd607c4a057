/*
 * Runs in the privileged parent: the sessions systemd-logind keeps, for
 * systems whose systemd is built without utmp (Debian 13 and others).
 * sd-login(3) reads logind's files under /run/systemd/sessions.  Like
 * utmp they are written by root on behalf of login programs, and like
 * utmp lines their terminal names are checked again before a terminal
 * is touched (tty.c, rwhod_send.c): nothing here opens a terminal.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-login.h>

#include "log.h"
#include "priv.h"

#define LOGIND_MAXSESSIONS	4096	/* bounded work per lookup */

/*
 * The session's start, in seconds, or 0 if unknown (rwhod sends it as
 * the login time).  sd_session_get_start_time() came with systemd 254;
 * before it (Debian 12 has 252) we read the line it reads, REALTIME=
 * (microseconds since the epoch), from the same file.  The id is checked
 * as sd-login checks it (letters and digits), so the path is one name
 * below the directory.
 */
static time_t
session_start(const char *id)
{
#ifdef HAVE_SD_SESSION_GET_START_TIME
	uint64_t	usec;

	if (sd_session_get_start_time(id, &usec) < 0)
		return (0);
	return ((time_t)(usec / 1000000));
#else
	static char	 buf[8192];
	struct stat	 st;
	char		 path[96], *p;
	uint64_t	 usec;
	ssize_t		 n;
	size_t		 i;
	int		 fd;

	for (i = 0; id[i] != '\0'; i++)
		if (!(id[i] >= 'a' && id[i] <= 'z') &&
		    !(id[i] >= 'A' && id[i] <= 'Z') &&
		    !(id[i] >= '0' && id[i] <= '9'))
			return (0);
	if (i == 0 || (size_t)snprintf(path, sizeof(path),
	    "/run/systemd/sessions/%s", id) >= sizeof(path))
		return (0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return (0);
	n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	for (p = buf; strncmp(p, "REALTIME=", 9) != 0; p++)
		if ((p = strchr(p, '\n')) == NULL)
			return (0);
	/* Digits only: no sign, no blanks, at most 19 of them. */
	p += 9;
	for (usec = 0, i = 0; i < 19 && p[i] >= '0' && p[i] <= '9'; i++)
		usec = usec * 10 + (uint64_t)(p[i] - '0');
	if (i == 0 || (p[i] != '\n' && p[i] != '\0'))
		return (0);
	return ((time_t)(usec / 1000000));
#endif
}

/*
 * Calls cb for each session that is a user's login on a terminal:
 *
 *  - class "user": not a display manager's greeter, a lock screen or a
 *    background job (cron);
 *  - state "active" or "online": logged in, whether or not in the
 *    foreground of its seat.  "closing" means logged out with processes
 *    left behind: its terminal is no longer the user's login;
 *  - a TTY: sessions without one (a graphical login, ssh without a pty)
 *    have nowhere to write to.
 *
 * With uid other than (uid_t)-1, only that user's sessions.  The name is
 * the uid's own in the password database (sd-login has no session user
 * name before systemd 254; a name longer than utmp allows is skipped).
 * cb returns non-zero to stop.  Returns how many sessions cb was called
 * for, or -1 if logind's sessions cannot be listed.
 */
int
logind_foreach(uid_t uid, login_cb cb, void *arg)
{
	struct login	  l;
	struct passwd	 *pw;
	char		**ids = NULL, *class, *state, *tty;
	char		  user[LOGIN_USER_MAX + 1];
	uid_t		  suid;
	int		  i, n, seen = 0, stop = 0;

	/* No directory (no logind here) is no session, not an error. */
	if ((n = sd_get_sessions(&ids)) < 0) {
		log_warnx("logind sessions: %s", strerror(-n));
		return (-1);
	}
	for (i = 0; i < n && i < LOGIND_MAXSESSIONS && !stop; i++) {
		class = state = tty = NULL;
		if (sd_session_get_uid(ids[i], &suid) < 0 ||
		    (uid != (uid_t)-1 && suid != uid) ||
		    sd_session_get_class(ids[i], &class) < 0 ||
		    strcmp(class, "user") != 0 ||
		    sd_session_get_state(ids[i], &state) < 0 ||
		    (strcmp(state, "active") != 0 &&
		    strcmp(state, "online") != 0) ||
		    sd_session_get_tty(ids[i], &tty) < 0)
			goto next;
		if ((pw = getpwuid(suid)) == NULL ||
		    strlcpy(user, pw->pw_name, sizeof(user)) >= sizeof(user)) {
			log_debug("logind: a session of uid %u: no such user "
			    "or name too long, skipped", (unsigned int)suid);
			goto next;
		}
		l.user = user;
		/* logind keeps it relative to /dev already; be sure. */
		l.line = strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
		l.time = session_start(ids[i]);
		seen++;
		stop = cb(&l, arg);
next:
		free(class);
		free(state);
		free(tty);
	}
	for (i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
	return (seen);
}
