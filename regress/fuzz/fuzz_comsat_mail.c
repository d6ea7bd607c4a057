/*
 * comsat: an excerpt of a mailbox (bytes anyone who can send mail
 * controls) through notice_format(), notice_render() and mime_decode(),
 * as the engine does before it writes on a terminal.  The first input
 * byte holds the terminal flags and where the user and host names come
 * from, the second an output size for the small-buffer paths; the rest
 * is the mail.  Properties:
 *
 *  - with the engine's buffer (NOTICE_MAX) a notice always fits;
 *  - nothing in a notice can start a terminal control sequence: no C0
 *    byte but the notice's own BEL, CR and LF; no DEL; without IUTF8
 *    only ASCII; with it only valid UTF-8 and no C1, bidi, zero-width
 *    or other invisible character;
 *  - at most 7 lines of mail, 11 lines in all, CR LF in CRLF mode;
 *  - the small-buffer paths never write past the size they are given
 *    and always terminate.
 */
#include <sys/types.h>

#include <string.h>

#include "comsat.h"
#include "fuzz.h"

static size_t
utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t		len, i;
	uint32_t	c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return (0);
	if (n < len)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return (0);
	*cp = c;
	return (len);
}

/* Characters a notice must never contain as themselves. */
static int
forbidden(uint32_t c)
{
	return ((c >= 0x80 && c <= 0x9f) ||		/* C1, CSI 0x9b */
	    c == 0x00ad || c == 0x061c || c == 0x180e ||
	    (c >= 0x200b && c <= 0x200f) ||		/* zero width, LRM */
	    (c >= 0x2028 && c <= 0x202e) ||		/* LS, PS, bidi */
	    (c >= 0x2060 && c <= 0x206f) ||		/* isolates */
	    c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	    (c >= 0xe0000 && c <= 0xe007f) ||		/* tags */
	    (c & 0xfffe) == 0xfffe);
}

/* notice: a whole notice; else notice_render() output, no control. */
static void
check_notice(const char *buf, size_t len, int flags, int notice)
{
	const unsigned char	*p = (const unsigned char *)buf;
	size_t			 i, k, nl = 0, bel = 0;
	uint32_t		 c;

	for (i = 0; i < len; i += k) {
		if (p[i] >= 0x80) {
			FUZZ_ASSERT(flags & NF_UTF8,
			    "no 8-bit byte on a terminal without IUTF8");
			k = utf8_len(p + i, len - i, &c);
			FUZZ_ASSERT(k > 0, "valid UTF-8 only");
			FUZZ_ASSERT(!forbidden(c),
			    "no C1, bidi or invisible character");
			continue;
		}
		k = 1;
		FUZZ_ASSERT(p[i] != 0x7f, "no DEL");
		if (p[i] >= 0x20)
			continue;
		FUZZ_ASSERT(notice, "rendered text holds no control byte");
		if (p[i] == '\a') {
			bel++;
			continue;
		}
		FUZZ_ASSERT(p[i] == '\r' || p[i] == '\n',
		    "no control byte but BEL, CR, LF");
		if (p[i] == '\r') {
			FUZZ_ASSERT((flags & NF_CRLF) && i + 1 < len &&
			    p[i + 1] == '\n', "CR only before LF, CRLF mode");
			continue;
		}
		nl++;
		FUZZ_ASSERT(!(flags & NF_CRLF) || (i > 0 && p[i - 1] == '\r'),
		    "CRLF mode: every LF after a CR");
	}
	if (!notice)
		return;
	FUZZ_ASSERT(bel == 1, "exactly the one BEL of the notice");
	FUZZ_ASSERT(nl <= 3 + NOTICE_LINES + 1, "at most 11 lines");
	FUZZ_ASSERT(len > 0 && p[len - 1] == '\n', "ends with a line end");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 out[NOTICE_MAX + 1], small[256];
	static char		 dec[2 * 2048 + 64];
	char			 user[COMSAT_NAME_MAX + 1], host[256];
	const unsigned char	*text, *z;
	size_t			 len, tlen, ssize, l;
	int			 flags;

	if (size < 2)
		return (0);
	flags = data[0] & (NF_CRLF | NF_UTF8);
	ssize = data[1];
	text = data + 2;
	tlen = size - 2;
	if (tlen > COMSAT_EXCERPT)
		tlen = COMSAT_EXCERPT;	/* what the parent sends at most */

	/* Names: checked ones as the engine has them, or hostile ones. */
	strlcpy(user, "alice", sizeof(user));
	strlcpy(host, "mailhost", sizeof(host));
	if ((data[0] & 0x4) && (z = memchr(text, '\0', tlen)) != NULL) {
		l = z - text;
		memcpy(user, text, l < sizeof(user) ? l : sizeof(user) - 1);
		user[l < sizeof(user) ? l : sizeof(user) - 1] = '\0';
		l = tlen - (z + 1 - text);
		memcpy(host, z + 1, l < sizeof(host) ? l : sizeof(host) - 1);
		host[l < sizeof(host) ? l : sizeof(host) - 1] = '\0';
	}

	/* The engine's buffer: always enough. */
	memset(out, 'Z', sizeof(out));
	len = notice_format(out, NOTICE_MAX, user, host, text, tlen, flags);
	FUZZ_ASSERT(len > 0 && len <= NOTICE_MAX, "a notice always fits");
	FUZZ_ASSERT(out[NOTICE_MAX] == 'Z', "nothing past the buffer");
	check_notice(out, len, flags, 1);

	/* A small buffer: all or nothing, never past it. */
	memset(small, 'Z', sizeof(small));
	l = notice_format(small, ssize, user, host, text, tlen, flags);
	FUZZ_ASSERT(l == 0 || (l == len && memcmp(small, out, len) == 0),
	    "a notice is whole or not at all");
	FUZZ_ASSERT(ssize == sizeof(small) || small[ssize] == 'Z',
	    "notice_format stays inside its size");

	memset(small, 'Z', sizeof(small));
	l = notice_render(small, ssize, text, tlen, flags);
	if (ssize > 0) {
		FUZZ_ASSERT(l < ssize && small[l] == '\0' &&
		    strlen(small) == l, "render: terminated inside the size");
		check_notice(small, l, flags, 0);
	}
	FUZZ_ASSERT(ssize == sizeof(small) || small[ssize] == 'Z',
	    "notice_render stays inside its size");

	memset(dec, 'Z', sizeof(dec));
	l = mime_decode(dec, ssize, (const char *)text, tlen);
	FUZZ_ASSERT(l <= ssize && dec[ssize] == 'Z',
	    "mime_decode stays inside its size");
	return (0);
}
