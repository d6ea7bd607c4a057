/*
 * Runs in the privileged parent: open a user's terminals for a child.
 * The terminal names come only from the login records (utmp or logind,
 * logins.c), never from the network or the child, and every one is
 * opened beneath /dev without following links and then checked with
 * fstat, because record lines and /dev/pts nodes are only as
 * trustworthy as the last login.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "names.h"
#include "priv.h"

int
tty_init(struct tty_ctx *ctx, const char *utmp, int source)
{
	struct group	*gr;

	ctx->logins.utmp = utmp;
	ctx->logins.source = source;
	ctx->ttygid = (gr = getgrnam("tty")) != NULL ? gr->gr_gid : (gid_t)-1;
	ctx->devfd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return (ctx->devfd == -1 ? -1 : 0);
}

/*
 * O_NOCTTY: the terminal must never become ours.  O_NONBLOCK: a child
 * writing to a terminal that does not drain must not hang.  openat2's
 * RESOLVE_* make a planted symlink or ".." fail in the kernel; old
 * kernels get openat with O_NOFOLLOW (the line was checked for ".." and
 * '/' before we got here).
 */
static int
open_beneath(int devfd, const char *line)
{
	struct open_how	how;
	int		fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, devfd, line, &how, sizeof(how));
	if (fd == -1 && errno == ENOSYS)
		fd = openat(devfd, line, how.flags);
	return (fd);
}

struct scan {
	const struct tty_ctx	*ctx;
	const char		*user;
	const char		*only;		/* one line, or NULL for all */
	uid_t			 uid;
	tty_cb			 cb;
	void			*arg;
	int			 found;
};

/* A login record of the user (logins_foreach() chose them). */
static int
scan_one(const struct login *l, void *arg)
{
	struct scan	*s = arg;
	struct stat	 st;
	const char	*line = l->line;
	int		 fd;

	/* Written on behalf of users: a hostile line is skipped. */
	if (!valid_ttyline(line)) {
		log_warnx("login of %s: bad terminal line, skipped", s->user);
		return (0);
	}
	if (s->only != NULL && strcmp(line, s->only) != 0)
		return (0);
	if ((fd = open_beneath(s->ctx->devfd, line)) == -1) {
		log_warn("tty %s of %s", line, s->user);
		return (0);
	}
	/*
	 * A stale login record, a reused pty or a device planted under that
	 * name: it must be a terminal owned by this user, and in the tty
	 * group as login(1) leaves it.
	 */
	if (fstat(fd, &st) == -1 || !S_ISCHR(st.st_mode) || !isatty(fd) ||
	    st.st_uid != s->uid ||
	    (s->ctx->ttygid != (gid_t)-1 && st.st_gid != s->ctx->ttygid)) {
		log_warnx("tty %s of %s: not a terminal owned by the user, "
		    "skipped", line, s->user);
		close(fd);
		return (0);
	}
	s->found++;
	return (s->cb(fd, line, &st, s->arg));
}

/*
 * Calls cb(fd, line, st, arg) for every terminal of the user (or only the
 * one on line "only") that passes the checks; cb owns fd and returns
 * non-zero to stop.  Returns how many passed.
 */
int
tty_foreach(const struct tty_ctx *ctx, const char *user, const char *only,
    uid_t uid, tty_cb cb, void *arg)
{
	struct scan	s;

	s.ctx = ctx;
	s.user = user;
	s.only = only;
	s.uid = uid;
	s.cb = cb;
	s.arg = arg;
	s.found = 0;
	logins_foreach(&ctx->logins, user, uid, scan_one, &s);
	return (s.found);
}
