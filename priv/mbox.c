/*
 * Runs in the privileged parent of comsat: read an excerpt of a user's
 * mailbox for the engine.  The engine never gets the mailbox descriptor,
 * only at most COMSAT_EXCERPT bytes from the offset it named, and only
 * from a file that passes every check below.  The name may come from the
 * network (procmail's "user@offset:/var/mail/user"), so it is treated as
 * hostile:
 *
 *  - It must lie in the mail spool (-m) or, with -H, in the user's home
 *    directory, and is resolved from a descriptor of that directory with
 *    openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): no "..", no symbolic
 *    link anywhere, no escape through a mount's magic links.
 *  - It is first opened O_PATH and checked with fstat: a regular file
 *    (no device, FIFO or socket is ever opened for reading, so opening
 *    has no side effect), owned by the user, with exactly one link (a
 *    mailbox never has more; a file that also has a name elsewhere is
 *    someone's link game, refused outright rather than reasoned about).
 *    Then it is opened for reading, O_NONBLOCK | O_NOCTTY, and must be
 *    the same file.
 *  - Both opens run with the file system identity of the user
 *    (setfsuid/setfsgid), so if a check above had a hole, the kernel
 *    would still refuse a file the user could not read.
 *  - The offset must lie inside the file.
 */
#include <sys/types.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comsat.h"
#include "log.h"

/* Strip trailing slashes ("/var/mail/" is "/var/mail"); "/" stays. */
static void
trim_slashes(char *s)
{
	size_t	len = strlen(s);

	while (len > 1 && s[len - 1] == '/')
		s[--len] = '\0';
}

/*
 * The spool must be root's; if anyone may create files in it, the sticky
 * bit must keep them from replacing each other's (Debian's /var/mail is
 * root:mail 2775, older systems' 1777).
 */
int
mbox_init(struct mbox_ctx *c, const char *spool, int home)
{
	struct stat	st;

	memset(c, 0, sizeof(*c));
	c->home = home;
	if (spool[0] != '/' || strlcpy(c->spool, spool, sizeof(c->spool)) >=
	    sizeof(c->spool)) {
		log_warnx("mail spool %s: not an absolute path, or too long",
		    spool);
		return (-1);
	}
	trim_slashes(c->spool);
	if (realpath(c->spool, c->real) == NULL) {
		log_warn("mail spool %s", spool);
		return (-1);
	}
	/* A "spool" of / would let a datagram name any file of the user. */
	if (strcmp(c->spool, "/") == 0 || strcmp(c->real, "/") == 0) {
		log_warnx("mail spool %s: not the root directory", spool);
		return (-1);
	}
	if ((c->spoolfd = open(c->spool, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_warn("mail spool %s", spool);
		return (-1);
	}
	if (fstat(c->spoolfd, &st) == -1 || st.st_uid != 0 ||
	    ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))) {
		log_warnx("mail spool %s must be owned by root, and sticky if "
		    "anyone may write to it", spool);
		close(c->spoolfd);
		return (-1);
	}
	return (0);
}

/* If path is "dir/rest", return rest; NULL if it is not inside dir. */
static const char *
inside(const char *path, const char *dir)
{
	size_t	len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return (path + 1);
	if (strncmp(path, dir, len) != 0 || path[len] != '/')
		return (NULL);
	return (path + len + 1);
}

/*
 * Which directory descriptor and which name beneath it: the spool for
 * no name and for relative names (as FreeBSD's comsat), the spool or
 * the home directory for absolute ones.  *homefd is set when the
 * caller must close the directory.
 */
static int
resolve(const struct mbox_ctx *c, const struct passwd *pw, const char *path,
    int *dirfd, const char **rel, int *homefd, const char **why)
{
	char		 home[PATH_MAX];
	struct stat	 st;
	const char	*r;

	*homefd = -1;
	*dirfd = c->spoolfd;
	if (path[0] == '\0') {
		*rel = pw->pw_name;
		return (0);
	}
	if (path[0] != '/') {
		*rel = path;
		return (0);
	}
	if ((r = inside(path, c->spool)) != NULL ||
	    (r = inside(path, c->real)) != NULL) {
		*rel = r;
		return (0);
	}
	if (!c->home || pw->pw_dir[0] != '/' ||
	    strlcpy(home, pw->pw_dir, sizeof(home)) >= sizeof(home)) {
		*why = "outside the mail spool";
		return (-1);
	}
	trim_slashes(home);
	if ((r = inside(path, home)) == NULL) {
		*why = "outside the mail spool and the user's home";
		return (-1);
	}
	/*
	 * The home itself is named by the administrator, in passwd.  It
	 * must be the user's own: a system account's home of "/" or
	 * /var/empty would otherwise cover the whole tree.
	 */
	if ((*homefd = open(home, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(*homefd, &st) == -1 || st.st_uid != pw->pw_uid) {
		*why = "home directory missing or not the user's";
		return (-1);
	}
	*dirfd = *homefd;
	*rel = r;
	return (0);
}

static int
open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how	how;
	int		fd;

	memset(&how, 0, sizeof(how));
	how.flags = flags | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd == -1 && errno == ENOSYS) {
		/* Before Linux 5.6: one plain component only. */
		if (strchr(rel, '/') != NULL || strcmp(rel, "..") == 0) {
			errno = EXDEV;
			return (-1);
		}
		fd = openat(dirfd, rel, how.flags);
	}
	return (fd);
}

static const char *
check_file(const struct stat *st, const struct passwd *pw)
{
	if (S_ISLNK(st->st_mode))
		return ("a symbolic link");
	if (!S_ISREG(st->st_mode))
		return ("not a regular file");
	if (st->st_uid != pw->pw_uid)
		return ("not owned by the user");
	if (st->st_nlink != 1)
		return ("has more than one link");
	return (NULL);
}

/* Both opens, as the user as far as the file system is concerned. */
static int
open_checked(int dirfd, const char *rel, const struct passwd *pw,
    struct stat *st, const char **why)
{
	struct stat	pst;
	int		pfd = -1, fd = -1;

	setfsgid(pw->pw_gid);
	setfsuid(pw->pw_uid);
	/* Neither call reports failure: read both back. */
	if ((uid_t)setfsuid(-1) != pw->pw_uid ||
	    (gid_t)setfsgid(-1) != pw->pw_gid)
		fatalx("cannot take the file system identity of %s",
		    pw->pw_name);
	if ((pfd = open_beneath(dirfd, rel, O_PATH)) == -1)
		*why = strerror(errno);
	else if (fstat(pfd, &pst) == -1)
		*why = strerror(errno);
	else if ((*why = check_file(&pst, pw)) != NULL)
		;
	else if ((fd = open_beneath(dirfd, rel, O_RDONLY | O_NONBLOCK |
	    O_NOCTTY)) == -1)
		*why = strerror(errno);
	else if (fstat(fd, st) == -1)
		*why = strerror(errno);
	else if (st->st_dev != pst.st_dev || st->st_ino != pst.st_ino)
		*why = "replaced while being opened";
	else
		*why = check_file(st, pw);
	setfsuid(0);
	setfsgid(0);
	if (setfsuid(-1) != 0 || setfsgid(-1) != 0)
		fatalx("cannot get the file system identity back");
	if (pfd != -1)
		close(pfd);
	if (*why != NULL && fd != -1) {
		close(fd);
		fd = -1;
	}
	return (fd);
}

/*
 * Read up to size bytes of pw's mailbox (path: "" for the spool's, or
 * the name the datagram gave) from offset into buf.  Returns the number
 * of bytes, or -1 with the reason in *why.
 */
ssize_t
mbox_read(const struct mbox_ctx *c, const struct passwd *pw,
    const char *path, long long offset, unsigned char *buf, size_t size,
    const char **why)
{
	static char	 msg[128];
	struct stat	 st;
	const char	*rel;
	size_t		 got = 0;
	ssize_t		 n;
	int		 dirfd, homefd, fd;

	*why = NULL;
	if (resolve(c, pw, path, &dirfd, &rel, &homefd, why) == -1) {
		if (homefd != -1)
			close(homefd);
		return (-1);
	}
	if (rel[0] == '\0') {
		*why = "no file name";
		fd = -1;
	} else
		fd = open_checked(dirfd, rel, pw, &st, why);
	if (homefd != -1)
		close(homefd);
	if (fd == -1)
		return (-1);
	if (offset < 0 || offset >= st.st_size) {
		snprintf(msg, sizeof(msg), "offset %lld not inside the mailbox "
		    "(%lld bytes)", offset, (long long)st.st_size);
		*why = msg;
		close(fd);
		return (-1);
	}
	while (got < size) {
		n = pread(fd, buf + got, size - got, offset + got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*why = strerror(errno);
			close(fd);
			return (-1);
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	return (got);
}
