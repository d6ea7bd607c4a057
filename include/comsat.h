/*
 * comsat: what the parent and the engine share (configuration, IPC
 * payloads), the datagram parser and the notice formatter.
 */
#ifndef COMSAT_H
#define COMSAT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "netmask.h"

#define COMSAT_USER	"_comsat"
#define COMSAT_CHROOT	"/var/empty"
#define COMSAT_SPOOL	"/var/mail"
#define COMSAT_PORT	512

/*
 * Limits.  A datagram is "user@offset:path" plus a newline and a NUL:
 * 32 + 1 + 19 + 1 + 1023 + 2 bytes at most.  The excerpt is what the
 * parent reads from the mailbox for one notice: enough for the header
 * block of real mail (long Received:, DKIM and ARC chains often pass
 * 8 KiB before the Subject: line), far less than a mailbox.
 */
#define COMSAT_NAME_MAX	32		/* login name, as UT_NAMESIZE */
#define COMSAT_PATH_MAX	1023		/* ":mailbox" suffix */
#define COMSAT_DGRAM_MAX 1080
#define COMSAT_EXCERPT	16384		/* bytes of mail per notice */
#define COMSAT_MAXTTYS	8		/* terminals notified per notice */

/* What the notice may show, as in every comsat since 4.2BSD. */
#define NOTICE_LINES	7
#define NOTICE_CHARS	560
#define NOTICE_MAX	8192		/* bytes of one formatted notice */

/* Configuration, from the command line; the engine re-parses the same. */
struct comsat_conf {
	const char	*user;		/* -u: unprivileged account */
	const char	*chroot;	/* -c: empty root-owned directory */
	const char	*utmp;		/* -U: utmp file */
	int		 logins;	/* -L: where logins are read, LOGINS_* */
	const char	*listen;	/* -a: address to bind */
	const char	*spool;		/* -m: mail spool directory */
	const char	*proc;		/* -P: role of a re-executed child */
	struct netlist	 allow;		/* -A: networks besides loopback */
	double		 rate_all;	/* -r: datagrams/s in all */
	double		 rate_user;	/* -R: notices/min per user */
	long long	 idle;		/* -t: idle exit in seconds, 0 never */
	int		 home;		/* -H: ":mailbox" in the user's home */
	int		 debug;		/* -d: foreground, log to stderr */
	int		 verbose;	/* -v */
	int		 quiet;		/* -q: no per-notice log lines */
};

void	comsat_engine(struct comsat_conf *);

/* comsat_parse.c: one datagram, as MDAs send it. */
struct comsat_req {
	char		user[COMSAT_NAME_MAX + 1];
	long long	offset;
	char		path[COMSAT_PATH_MAX + 1];	/* "" if none */
};

int	comsat_parse(const unsigned char *, size_t, struct comsat_req *,
	    const char **);
int	comsat_path_ok(const char *);
int	comsat_req_valid(const struct comsat_req *);

/* comsat_mail.c: the notice shown on a terminal. */
#define NF_CRLF		0x1	/* end lines with CR LF (no ONLCR) */
#define NF_UTF8		0x2	/* the terminal takes UTF-8 (IUTF8) */

size_t	notice_format(char *, size_t, const char *, const char *,
	    const unsigned char *, size_t, int);
size_t	notice_render(char *, size_t, const unsigned char *, size_t, int);
size_t	mime_decode(char *, size_t, const char *, size_t);

/* priv/mbox.c: the parent's mailbox policy. */
struct passwd;

struct mbox_ctx {
	int		 spoolfd;		/* O_PATH, -m */
	int		 home;			/* -H */
	char		 spool[1024];		/* -m, no trailing '/' */
	char		 real[4096];		/* its realpath(3) */
};

int	mbox_init(struct mbox_ctx *, const char *, int);
ssize_t	mbox_read(const struct mbox_ctx *, const struct passwd *,
	    const char *, long long, unsigned char *, size_t, const char **);

/*
 * IPC between comsat's parent and engine.  For each IMSG_COMSAT_REQ the
 * parent answers, in this order and with the request's sequence number:
 * up to 9 TEXT records of at most 2040 bytes (the excerpt, in order),
 * up to COMSAT_MAXTTYS TTY records (one terminal each), and one DONE.
 * A refused request gets DONE alone.
 */
enum comsat_imsg {
	IMSG_COMSAT_SOCKET = IPC_TYPE_BASE, /* parent -> engine: UDP socket */
	IMSG_COMSAT_REQ,	/* engine -> parent: struct comsat_req */
	IMSG_COMSAT_TEXT,	/* parent -> engine: struct comsat_text */
	IMSG_COMSAT_TTY,	/* parent -> engine: struct comsat_tty + fd */
	IMSG_COMSAT_DONE,	/* parent -> engine: struct comsat_done */
};

struct comsat_text {
	uint32_t	off;		/* of this piece in the excerpt */
	uint32_t	len;		/* bytes of data used */
	unsigned char	data[IPC_MAXPAYLOAD - 2 * sizeof(uint32_t)];
};

struct comsat_tty {
	int32_t		flags;		/* NF_CRLF, NF_UTF8 */
	char		line[32 + 1];
};

struct comsat_done {
	int32_t		status;		/* CS_* */
	uint32_t	ntty;		/* TTY records sent */
	uint32_t	textlen;	/* excerpt bytes sent */
};

#define CS_OK		0	/* excerpt and terminals follow */
#define CS_NOTTY	1	/* not logged in, or biff n everywhere */
#define CS_REFUSED	2	/* unknown user, mailbox or offset refused */
#define CS_BUSY		3	/* the parent's rate limit */

#endif
