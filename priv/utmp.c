/*
 * Runs in the privileged parent: read utmp records.  The file is read
 * with plain read(2), not getutxent(3), so a missing, empty, truncated or
 * corrupt file is handled here (skipped records, a log line) and never
 * by libc locking or caching.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "log.h"
#include "priv.h"

#define UTMP_MAXRECORDS	65536	/* bounded work per lookup */

/*
 * Call cb for each USER_PROCESS record; cb returns non-zero to stop.
 * Returns how many records it was called for, or -1 if the file cannot
 * be read (no one is logged in).
 */
int
utmp_foreach(const char *path, int (*cb)(const struct utmpx *, void *),
    void *arg)
{
	struct utmpx	ut;
	struct stat	st;
	ssize_t		n;
	int		fd, i, seen = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		if (errno != ENOENT)
			log_warn("utmp %s", path);
		return (-1);
	}
	/* A FIFO or device here would block or lie. */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		log_warnx("utmp %s: not a regular file", path);
		close(fd);
		return (-1);
	}
	for (i = 0; i < UTMP_MAXRECORDS; i++) {
		n = read(fd, &ut, sizeof(ut));
		if (n == 0)
			break;
		if (n != (ssize_t)sizeof(ut)) {
			if (n == -1)
				log_warn("utmp %s", path);
			else
				log_warnx("utmp %s: truncated record", path);
			break;
		}
		if (ut.ut_type != USER_PROCESS || ut.ut_user[0] == '\0')
			continue;
		seen++;
		if (cb(&ut, arg))
			break;
	}
	close(fd);
	return (seen);
}
