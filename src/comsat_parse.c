/*
 * comsat: decode one datagram from a mail delivery agent.  Runs in the
 * engine on network bytes, and comsat_path_ok() runs again in the parent
 * on what the engine asks for.
 *
 * The forms seen in the wild (see comsat(8)):
 *	user@offset\n		BSD mail.local
 *	user@offset\0		Postfix local(8): the NUL is sent too
 *	user@offset:mailbox	procmail, Debian in.comsat users
 * Everything else is refused, with the reason in *why.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "comsat.h"
#include "names.h"

#define OFFSET_DIGITS	19	/* LLONG_MAX has 19 digits */

static int
refuse(const char **why, const char *reason)
{
	if (why != NULL)
		*why = reason;
	return (-1);
}

/*
 * A ":mailbox" path: printable ASCII only, so it is safe in a log line
 * and cannot smuggle a NUL or a newline past the parent's checks.
 * Where it may point is decided by the parent alone.
 */
int
comsat_path_ok(const char *p)
{
	size_t	i;

	if (p[0] == '\0')
		return (0);
	for (i = 0; p[i] != '\0'; i++)
		if (i >= COMSAT_PATH_MAX || (unsigned char)p[i] < 0x20 ||
		    (unsigned char)p[i] > 0x7e)
			return (0);
	return (1);
}

/*
 * The parent's check of a request from the engine, before it looks up
 * the user: what comsat_parse() guarantees, checked again on bytes a
 * compromised engine may have made up.  Pure, so the same code the
 * parent runs is what regress/fuzz/fuzz_parent_checks.c fuzzes.
 */
int
comsat_req_valid(const struct comsat_req *r)
{
	if (memchr(r->user, '\0', sizeof(r->user)) == NULL ||
	    memchr(r->path, '\0', sizeof(r->path)) == NULL)
		return (0);
	if (!valid_login(r->user, COMSAT_NAME_MAX) || r->offset < 0)
		return (0);
	return (r->path[0] == '\0' || comsat_path_ok(r->path));
}

static int
parse_offset(const char *s, long long *off, const char **why)
{
	const char	*errstr;
	size_t		 i;

	/* strtonum() alone would take blanks and signs. */
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return (refuse(why, "offset is not a decimal number"));
	if (i == 0)
		return (refuse(why, "no offset"));
	if (i > OFFSET_DIGITS)
		return (refuse(why, "offset too large"));
	*off = strtonum(s, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return (refuse(why, "offset too large"));
	return (0);
}

int
comsat_parse(const unsigned char *buf, size_t len, struct comsat_req *r,
    const char **why)
{
	char	 s[COMSAT_DGRAM_MAX + 1], *at, *colon;
	size_t	 i;

	memset(r, 0, sizeof(*r));
	if (len > COMSAT_DGRAM_MAX)
		return (refuse(why, "datagram too long"));
	/* One NUL (Postfix), then one newline, perhaps with a CR. */
	if (len > 0 && buf[len - 1] == '\0')
		len--;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0)
		return (refuse(why, "empty datagram"));
	for (i = 0; i < len; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return (refuse(why, "control or non-ASCII byte"));
	memcpy(s, buf, len);
	s[len] = '\0';

	if ((at = strchr(s, '@')) == NULL)
		return (refuse(why, "no '@' after the user name"));
	*at = '\0';
	if (!valid_login(s, COMSAT_NAME_MAX))
		return (refuse(why, "bad user name"));
	strlcpy(r->user, s, sizeof(r->user));

	if ((colon = strchr(at + 1, ':')) != NULL)
		*colon++ = '\0';
	if (parse_offset(at + 1, &r->offset, why) == -1)
		return (-1);
	if (colon != NULL) {
		if (!comsat_path_ok(colon))
			return (refuse(why, "bad mailbox name"));
		strlcpy(r->path, colon, sizeof(r->path));
	}
	return (0);
}
