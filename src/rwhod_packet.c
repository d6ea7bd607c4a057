/*
 * The rwho status packet: validation, and conversion between the wire
 * (big-endian) and the spool (host order).  Pure functions with no I/O,
 * used by the engine on every datagram, by the parent on every record
 * the engine hands it, and by the sender; regress/unit/t_rwhod.c tests
 * them directly.
 *
 * The wire is read byte by byte at fixed offsets, never by casting the
 * buffer to a struct, so alignment and the compiler's layout play no
 * part in what a datagram means.
 */
#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "names.h"
#include "rwhod.h"

/* Offsets on the wire, as <protocols/rwhod.h>. */
#define OFF_VERS	0
#define OFF_TYPE	1
#define OFF_SENDTIME	4
#define OFF_RECVTIME	8
#define OFF_HOST	12
#define OFF_LOADAV	44
#define OFF_BOOTTIME	56
#define OFF_LINE	0		/* within an entry */
#define OFF_NAME	8
#define OFF_OUTTIME	16
#define OFF_IDLE	20

static uint32_t	get32(const unsigned char *);
static void	put32(unsigned char *, uint32_t);
static int	entname_len(const char *);
static int	length_ok(size_t);
static int	zero(const char *, size_t);

_Static_assert(sizeof(struct whod_ent) == WHOD_ENTSIZE, "whoent layout");
_Static_assert(offsetof(struct whod_pkt, wd_we) == WHOD_HDRSIZE,
    "whod header layout");
_Static_assert(sizeof(struct whod_pkt) == WHOD_MAXSIZE, "whod layout");

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * Copy a name of at most srclen bytes (or up to its NUL) into a field
 * of dstsize bytes and zero the rest, so no stale byte leaves the host.
 * The field is not NUL-terminated when the name fills it, as in utmp.
 */
void
whod_setname(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	size_t	n;

	n = strnlen(src, srclen);
	if (n > dstsize)
		n = dstsize;
	memset(dst, 0, dstsize);
	memcpy(dst, src, n);
}

/*
 * A user or line name from an entry: 1 to 8 printable ASCII bytes and no
 * blank.  rwho(1) prints these on terminals as they are, so a control
 * byte here would be an escape sequence on every reader's screen.
 * Returns the length, or -1.
 */
static int
entname_len(const char *f)
{
	int	i;

	for (i = 0; i < WHOD_NAMESIZE && f[i] != '\0'; i++)
		if ((unsigned char)f[i] <= ' ' || (unsigned char)f[i] >= 0x7f)
			return (-1);
	return (i == 0 ? -1 : i);
}

static int
length_ok(size_t len)
{
	if (len < WHOD_HDRSIZE)
		return (WHOD_SHORT);
	if (len > WHOD_MAXSIZE)
		return (WHOD_LONG);
	if ((len - WHOD_HDRSIZE) % WHOD_ENTSIZE != 0)
		return (WHOD_PARTIAL);
	return (WHOD_OK);
}

/*
 * Decode a datagram of len bytes into *wd in host order, with every
 * unused byte zero and wd_recvtime = now; *reclen is the spool file's
 * length.  Returns WHOD_OK or why the packet is refused; nothing of a
 * refused packet is kept.
 */
int
whod_decode(const unsigned char *buf, size_t len, struct whod_pkt *wd,
    size_t *reclen, uint32_t now)
{
	const unsigned char	*e;
	char			 host[WHOD_HOSTSIZE];
	size_t			 i, n;
	int			 rv;

	memset(wd, 0, sizeof(*wd));
	if ((rv = length_ok(len)) != WHOD_OK)
		return (rv);
	if (buf[OFF_VERS] != WHOD_VERSION)
		return (WHOD_BADVERS);
	if (buf[OFF_TYPE] != WHOD_TYPE_STATUS)
		return (WHOD_BADTYPE);
	memcpy(host, buf + OFF_HOST, sizeof(host));
	if (memchr(host, '\0', sizeof(host)) == NULL)
		return (WHOD_HOSTNUL);
	/* It becomes a file name: the strict set, no '/', no "..". */
	if (!valid_hostname(host))
		return (WHOD_BADHOST);
	n = (len - WHOD_HDRSIZE) / WHOD_ENTSIZE;
	for (i = 0; i < n; i++) {
		e = buf + WHOD_LEN(i);
		if (entname_len((const char *)e + OFF_LINE) == -1 ||
		    entname_len((const char *)e + OFF_NAME) == -1)
			return (WHOD_BADENT);
	}

	wd->wd_vers = WHOD_VERSION;
	wd->wd_type = WHOD_TYPE_STATUS;
	wd->wd_sendtime = get32(buf + OFF_SENDTIME);
	wd->wd_recvtime = now;
	whod_setname(wd->wd_hostname, sizeof(wd->wd_hostname), host,
	    sizeof(host));
	for (i = 0; i < 3; i++)
		wd->wd_loadav[i] = get32(buf + OFF_LOADAV + 4 * i);
	wd->wd_boottime = get32(buf + OFF_BOOTTIME);
	for (i = 0; i < n; i++) {
		e = buf + WHOD_LEN(i);
		whod_setname(wd->wd_we[i].out_line, WHOD_NAMESIZE,
		    (const char *)e + OFF_LINE, WHOD_NAMESIZE);
		whod_setname(wd->wd_we[i].out_name, WHOD_NAMESIZE,
		    (const char *)e + OFF_NAME, WHOD_NAMESIZE);
		wd->wd_we[i].out_time = get32(e + OFF_OUTTIME);
		wd->wd_we[i].we_idle = get32(e + OFF_IDLE);
	}
	*reclen = len;
	return (WHOD_OK);
}

static int
zero(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (p[i] != '\0')
			return (0);
	return (1);
}

/*
 * The parent's second look at a decoded record before it becomes a
 * file: the same rules as whod_decode(), and the canonical form it
 * produces (every unused byte zero), since a compromised engine could
 * send anything at all.
 */
int
whod_check(const struct whod_pkt *wd, size_t len)
{
	const struct whod_ent	*e;
	size_t			 i, n, hl;
	int			 rv, l;

	if ((rv = length_ok(len)) != WHOD_OK)
		return (rv);
	if (wd->wd_vers != WHOD_VERSION)
		return (WHOD_BADVERS);
	if (wd->wd_type != WHOD_TYPE_STATUS)
		return (WHOD_BADTYPE);
	if ((hl = strnlen(wd->wd_hostname, sizeof(wd->wd_hostname))) ==
	    sizeof(wd->wd_hostname))
		return (WHOD_HOSTNUL);
	if (!valid_hostname(wd->wd_hostname))
		return (WHOD_BADHOST);
	if (wd->wd_pad[0] != 0 || wd->wd_pad[1] != 0 ||
	    !zero(wd->wd_hostname + hl, sizeof(wd->wd_hostname) - hl))
		return (WHOD_NOTCANON);
	n = (len - WHOD_HDRSIZE) / WHOD_ENTSIZE;
	for (i = 0; i < n; i++) {
		e = &wd->wd_we[i];
		if ((l = entname_len(e->out_line)) == -1)
			return (WHOD_BADENT);
		if (!zero(e->out_line + l, WHOD_NAMESIZE - l))
			return (WHOD_NOTCANON);
		if ((l = entname_len(e->out_name)) == -1)
			return (WHOD_BADENT);
		if (!zero(e->out_name + l, WHOD_NAMESIZE - l))
			return (WHOD_NOTCANON);
	}
	return (WHOD_OK);
}

/*
 * The sender's side: *wd (host order, len bytes used) to the wire.
 * wd_recvtime goes out as zero: it is the receiver's to set.  Returns
 * the datagram's length.
 */
size_t
whod_encode(const struct whod_pkt *wd, size_t len, unsigned char *buf)
{
	unsigned char	*e;
	size_t		 i, n;

	n = (len - WHOD_HDRSIZE) / WHOD_ENTSIZE;
	memset(buf, 0, WHOD_LEN(n));
	buf[OFF_VERS] = wd->wd_vers;
	buf[OFF_TYPE] = wd->wd_type;
	put32(buf + OFF_SENDTIME, wd->wd_sendtime);
	put32(buf + OFF_RECVTIME, 0);
	memcpy(buf + OFF_HOST, wd->wd_hostname, WHOD_HOSTSIZE);
	for (i = 0; i < 3; i++)
		put32(buf + OFF_LOADAV + 4 * i, wd->wd_loadav[i]);
	put32(buf + OFF_BOOTTIME, wd->wd_boottime);
	for (i = 0; i < n; i++) {
		e = buf + WHOD_LEN(i);
		memcpy(e + OFF_LINE, wd->wd_we[i].out_line, WHOD_NAMESIZE);
		memcpy(e + OFF_NAME, wd->wd_we[i].out_name, WHOD_NAMESIZE);
		put32(e + OFF_OUTTIME, wd->wd_we[i].out_time);
		put32(e + OFF_IDLE, wd->wd_we[i].we_idle);
	}
	return (WHOD_LEN(n));
}

const char *
whod_strerror(int err)
{
	switch (err) {
	case WHOD_OK:
		return ("ok");
	case WHOD_SHORT:
		return ("shorter than the 60-byte header");
	case WHOD_LONG:
		return ("longer than 42 entries");
	case WHOD_PARTIAL:
		return ("truncated entry");
	case WHOD_BADVERS:
		return ("bad version");
	case WHOD_BADTYPE:
		return ("bad type");
	case WHOD_HOSTNUL:
		return ("host name not terminated");
	case WHOD_BADHOST:
		return ("bad host name");
	case WHOD_BADENT:
		return ("bad user or line name");
	case WHOD_NOTCANON:
		return ("unused bytes not zero");
	}
	return ("unknown error");
}
