/*
 * Runs in the privileged parent: the spool directory, one whod.HOST file
 * per host, as rwho(1) and ruptime(1) read them.
 *
 * Every file is written whole under a temporary name and renamed over
 * the old one, so a reader opens either the old file or the new one,
 * never a partial or mixed one (the BSD daemons rewrite the file in
 * place and truncate it).  Everything is relative to a descriptor of the
 * directory, opened once, and nothing follows a symbolic link: the host
 * name comes from the network, so it has been checked twice (engine and
 * parent) before it gets here, and the directory may belong to another
 * account (netkit's rwhod makes it rwhod's).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "names.h"
#include "rwhod.h"

#define TMP_PREFIX	".rwhod."	/* readers only look at "whod.*" */
static void	 spool_sweep(struct spool *);
static long long spool_count(struct spool *);
static int	 spool_room(struct spool *, const char *, const char *);
static int	 write_all(int, const void *, size_t);
static int	 spool_tmp(struct spool *, char *, size_t);

/* Remove what a killed predecessor left half written. */
static void
spool_sweep(struct spool *sp)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if ((fd = openat(sp->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		log_warn("spool %s", sp->path);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
		    unlinkat(sp->dirfd, de->d_name, 0) == -1)
			log_warn("spool: %s", de->d_name);
	closedir(d);
}

int
spool_open(struct spool *sp, const char *path, long long maxhosts)
{
	struct stat	st;

	sp->path = path;
	sp->maxhosts = maxhosts;
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return (-1);
	if ((sp->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(sp->dirfd, &st) == -1)
		return (-1);
	/* Safe for us either way, but other readers could be fooled. */
	if (st.st_mode & S_IWOTH)
		log_warnx("spool %s is writable by everyone: any local user "
		    "can plant status files", path);
	spool_sweep(sp);
	return (0);
}

/* How many whod.* files there are now, counted afresh each time. */
static long long
spool_count(struct spool *sp)
{
	struct dirent	*de;
	DIR		*d;
	long long	 n = 0;
	int		 fd;

	if ((fd = openat(sp->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return (-1);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "whod.", 5) == 0)
			n++;
	closedir(d);
	return (n);
}

/*
 * A host we have no file for counts against -M.  The directory is
 * counted instead of remembered, so files removed by cron or by hand
 * free their places at once; this costs a directory read per new name,
 * and only new names pay it.
 */
static int
spool_room(struct spool *sp, const char *name, const char *host)
{
	struct stat	st;
	long long	n;

	if (fstatat(sp->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return (1);
	if (errno != ENOENT) {
		if (log_budget())
			log_warn("spool: %s", name);
		return (0);
	}
	if ((n = spool_count(sp)) == -1) {
		if (log_budget())
			log_warn("spool %s", sp->path);
		return (0);
	}
	if (n < sp->maxhosts)
		return (1);
	if (log_budget())
		log_warnx("spool full (%lld hosts, -M %lld): status of new "
		    "host %s refused", n, sp->maxhosts, host);
	return (0);
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= n;
	}
	return (0);
}

/* A fresh temporary file: O_EXCL and O_NOFOLLOW, so nothing planted. */
static int
spool_tmp(struct spool *sp, char *tmp, size_t size)
{
	int	fd, i;

	for (i = 0; i < 16; i++) {
		snprintf(tmp, size, TMP_PREFIX "%08x", arc4random());
		fd = openat(sp->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd != -1 || errno != EEXIST)
			return (fd);
	}
	return (-1);
}

/*
 * Store a checked record (host order, len bytes) as whod.HOST.  Returns
 * 0, or -1 if it was refused (cap) or could not be written (logged).
 * No fsync: a status is replaced within minutes anyway, and after a
 * crash the rename leaves either the old file or the new one.
 */
int
spool_write(struct spool *sp, const struct whod_pkt *wd, size_t len)
{
	char	name[sizeof("whod.") + WHOD_HOSTSIZE];
	char	tmp[sizeof(TMP_PREFIX) + 8];
	int	fd;

	/* The caller ran whod_check(); this is the file name's own test. */
	if (memchr(wd->wd_hostname, '\0', sizeof(wd->wd_hostname)) == NULL ||
	    !valid_hostname(wd->wd_hostname))
		fatalx("spool: bad host name");
	snprintf(name, sizeof(name), "whod.%s", wd->wd_hostname);
	if (!spool_room(sp, name, wd->wd_hostname))
		return (-1);
	if ((fd = spool_tmp(sp, tmp, sizeof(tmp))) == -1) {
		if (log_budget())
			log_warn("spool %s: temporary file", sp->path);
		return (-1);
	}
	/* 0644 whatever the umask: rwho and ruptime run as anyone. */
	if (fchmod(fd, 0644) == -1 || write_all(fd, wd, len) == -1) {
		if (log_budget())
			log_warn("spool: %s", name);
		close(fd);
		unlinkat(sp->dirfd, tmp, 0);
		return (-1);
	}
	if (close(fd) == -1 ||
	    renameat(sp->dirfd, tmp, sp->dirfd, name) == -1) {
		if (log_budget())
			log_warn("spool: %s", name);
		unlinkat(sp->dirfd, tmp, 0);
		return (-1);
	}
	return (0);
}
