/*
 * comsat: turn an excerpt of a mailbox into the notice written on a
 * terminal.  Runs in the engine, on bytes that anyone who can send mail
 * controls, so it trusts nothing in them:
 *
 *  - It works on lengths, never on C strings: a NUL in the mail is just
 *    another byte to show.
 *  - Header lines are taken apart by rules that cannot lose their place:
 *    an mbox "From " line at the start is skipped, continuation lines
 *    (leading blank or tab) are unfolded, CR LF counts as LF, an empty
 *    line ends the header, and only From: and Subject: are shown, their
 *    name matched without regard to case.  A logical header is cut at
 *    HDR_MAX bytes.
 *  - MIME encoded-words (RFC 2047) in those two headers are decoded for
 *    UTF-8, US-ASCII and ISO-8859-1; others are shown as they are.
 *  - Every byte shown goes through render_unit(): printable ASCII as it
 *    is; controls, DEL and C1 in cat -v notation (ESC is "^[", CSI 0x9b
 *    is "M-^["); a byte that is not part of valid UTF-8 likewise as
 *    "M-x"; Unicode format controls (bidi overrides, zero-width
 *    characters) as "<U+202E>"; and any other valid character as UTF-8
 *    only if the terminal says it takes UTF-8 (IUTF8), else as "?".
 *    So nothing the mail holds can start a terminal control sequence.
 *  - At most NOTICE_LINES lines and NOTICE_CHARS characters (counted as
 *    shown, escapes included) are written, then "...more...".
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "comsat.h"

#define HDR_MAX		2048	/* one unfolded header, before decoding */
#define WORD_MAX	1024	/* encoded text of one encoded-word */
#define CHARSET_MAX	40

struct notice {
	char		*buf;
	size_t		 size;
	size_t		 len;
	int		 flags;
	int		 full;		/* out of room: the notice is void */
	int		 lines;		/* left to show */
	size_t		 chars;		/* left to show */
};

struct header {
	int		 want;		/* 0, or which one: HDR_FROM, ... */
#define HDR_FROM	1
#define HDR_SUBJECT	2
	size_t		 len;
	unsigned char	 buf[HDR_MAX];
};

static void
put(struct notice *n, const void *p, size_t len)
{
	if (n->full || len > n->size - n->len) {
		n->full = 1;
		return;
	}
	memcpy(n->buf + n->len, p, len);
	n->len += len;
}

static void
put_eol(struct notice *n)
{
	if (n->flags & NF_CRLF)
		put(n, "\r\n", 2);
	else
		put(n, "\n", 1);
}

/*
 * The length of the valid UTF-8 sequence at s, with its code point in
 * *cp, or 0 if s does not start one: overlong forms, surrogates and
 * values past U+10FFFF are not valid.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	c;
	size_t		len, i;

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
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return (0);
	*cp = c;
	return (len);
}

/*
 * Characters that change how the text around them is laid out or read
 * without being seen: bidirectional overrides and isolates ("Trojan
 * source"), zero-width and invisible characters, line and paragraph
 * separators, interlinear annotations, tags and non-characters.
 */
static int
is_invisible(uint32_t c)
{
	static const uint32_t	range[][2] = {
		{ 0x00ad, 0x00ad }, { 0x061c, 0x061c }, { 0x180e, 0x180e },
		{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x206f },
		{ 0xfdd0, 0xfdef }, { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb },
		{ 0xfffe, 0xffff }, { 0xe0000, 0xe007f },
	};
	size_t	i;

	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		if (c >= range[i][0] && c <= range[i][1])
			return (1);
	return ((c & 0xfffe) == 0xfffe);	/* U+nFFFE, U+nFFFF */
}

/* cat -v notation for a control or 8-bit byte; returns its length. */
static size_t
meta(unsigned int b, char *u)
{
	size_t	n = 0;

	if (b >= 0x80) {
		u[n++] = 'M';
		u[n++] = '-';
		b &= 0x7f;
	}
	if (b < 0x20 || b == 0x7f) {
		u[n++] = '^';
		u[n++] = b == 0x7f ? '?' : b + '@';
	} else
		u[n++] = b;
	return (n);
}

/*
 * One unit of text at s: its safe form in u (at most 16 bytes, *ulen of
 * them), how many input bytes it took (*adv), and how many characters
 * it shows (the return value).
 */
static size_t
render_unit(const unsigned char *s, size_t n, int flags, char *u,
    size_t *ulen, size_t *adv)
{
	uint32_t	c;
	size_t		len;

	if ((len = utf8_seq(s, n, &c)) == 0) {
		*adv = 1;
		*ulen = meta(s[0], u);
		return (*ulen);
	}
	*adv = len;
	if (c == '\t') {
		u[0] = ' ';
		*ulen = 1;
	} else if (c < 0xa0 && (c < 0x20 || c >= 0x7f))
		*ulen = meta(c, u);
	else if (c < 0x7f) {
		u[0] = c;
		*ulen = 1;
	} else if (is_invisible(c))
		*ulen = snprintf(u, 16, "<U+%04X>", (unsigned int)c);
	else if (flags & NF_UTF8) {
		memcpy(u, s, len);
		*ulen = len;
		return (1);
	} else {
		u[0] = '?';
		*ulen = 1;
	}
	return (*ulen);
}

/*
 * The safe form of s[0..n) in out (NUL-terminated, cut at a unit
 * boundary if out is too small); returns its length.
 */
size_t
notice_render(char *out, size_t size, const unsigned char *s, size_t n,
    int flags)
{
	char	u[16];
	size_t	i = 0, o = 0, ulen, adv;

	if (size == 0)
		return (0);
	while (i < n) {
		render_unit(s + i, n - i, flags, u, &ulen, &adv);
		if (ulen >= size - o)
			break;
		memcpy(out + o, u, ulen);
		o += ulen;
		i += adv;
	}
	out[o] = '\0';
	return (o);
}

/*
 * Show one line of the excerpt, prefix first, within what is left of
 * the budget.  Returns -1 when the budget ran out, before or inside this
 * line: the caller then writes "...more..." and stops.
 */
static int
show_line(struct notice *n, const char *prefix, const unsigned char *s,
    size_t len)
{
	const unsigned char *p;
	char		 u[16];
	size_t		 i, w, ulen, adv, plen;
	int		 pass;

	if (n->lines == 0 || n->chars == 0)
		return (-1);
	n->lines--;
	for (pass = 0; pass < 2; pass++) {
		p = pass == 0 ? (const unsigned char *)prefix : s;
		plen = pass == 0 ? strlen(prefix) : len;
		for (i = 0; i < plen; i += adv) {
			w = render_unit(p + i, plen - i, n->flags, u, &ulen,
			    &adv);
			if (w > n->chars) {
				put_eol(n);
				return (-1);
			}
			put(n, u, ulen);
			n->chars -= w;
		}
	}
	put_eol(n);
	return (0);
}

/* The next line of [*p, end), without its LF or CR LF; 0 at the end. */
static int
next_line(const unsigned char **p, const unsigned char *end,
    const unsigned char **line, size_t *len)
{
	const unsigned char	*nl;

	if (*p >= end)
		return (0);
	*line = *p;
	if ((nl = memchr(*p, '\n', end - *p)) == NULL) {
		*len = end - *p;
		*p = end;
	} else {
		*len = nl - *p;
		*p = nl + 1;
	}
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return (1);
}

static int
prefix_ci(const unsigned char *s, size_t len, const char *name)
{
	size_t	i, n = strlen(name);

	if (len < n)
		return (0);
	for (i = 0; i < n; i++) {
		if (name[i] >= 'a' && name[i] <= 'z') {
			if ((s[i] | 0x20) != name[i])
				return (0);
		} else if (s[i] != name[i])
			return (0);
	}
	return (1);
}

static void
header_add(struct header *h, const unsigned char *s, size_t len)
{
	if (len > sizeof(h->buf) - h->len)
		len = sizeof(h->buf) - h->len;
	memcpy(h->buf + h->len, s, len);
	h->len += len;
}

/* A header line that is not a continuation: is it one we show? */
static void
header_start(struct header *h, const unsigned char *s, size_t len)
{
	h->len = 0;
	h->want = 0;
	if (prefix_ci(s, len, "from:")) {
		h->want = HDR_FROM;
		header_add(h, s + 5, len - 5);
	} else if (prefix_ci(s, len, "subject:")) {
		h->want = HDR_SUBJECT;
		header_add(h, s + 8, len - 8);
	}
}

static int
is_blank(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* Show the header collected so far, if it is one we want. */
static int
header_flush(struct notice *n, struct header *h)
{
	char	 dec[2 * HDR_MAX];
	size_t	 len, start = 0;
	int	 want = h->want;

	h->want = 0;
	if (want == 0)
		return (0);
	len = mime_decode(dec, sizeof(dec), (const char *)h->buf, h->len);
	while (start < len && is_blank((unsigned char)dec[start]))
		start++;
	while (len > start && is_blank((unsigned char)dec[len - 1]))
		len--;
	return (show_line(n, want == HDR_FROM ? "From: " : "Subject: ",
	    (const unsigned char *)dec + start, len - start));
}

static int
is_separator(const unsigned char *line, size_t len)
{
	return (len >= 5 && memcmp(line, "From ", 5) == 0);
}

static int
is_empty(const unsigned char *line, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (!is_blank(line[i]))
			return (0);
	return (1);
}

/*
 * The From: and Subject: headers, then the body.  -1: budget spent.
 * Blank lines at the end of the message are not shown: in an mbox one
 * always precedes the next "From " line, and it would cost one of the
 * few lines a notice has.
 */
static int
excerpt(struct notice *n, const unsigned char *text, size_t len)
{
	struct header		 h;
	const unsigned char	*p = text, *end = text + len, *line;
	size_t			 llen, blank = 0;
	int			 inheader = 1, first = 1;

	h.want = 0;
	h.len = 0;
	while (next_line(&p, end, &line, &llen)) {
		/* The mbox separator: the offset usually points at it. */
		if (first && is_separator(line, llen)) {
			first = 0;
			continue;
		}
		first = 0;
		if (inheader) {
			if (llen > 0 && (line[0] == ' ' || line[0] == '\t')) {
				if (h.want)
					header_add(&h, line, llen);
				continue;
			}
			if (header_flush(n, &h) == -1)
				return (-1);
			if (llen == 0)
				inheader = 0;
			else
				header_start(&h, line, llen);
			continue;
		}
		/* The next message in the mbox: this one is over. */
		if (is_separator(line, llen))
			return (0);
		if (is_empty(line, llen)) {
			blank++;
			continue;
		}
		for (; blank > 0; blank--)
			if (show_line(n, "", NULL, 0) == -1)
				return (-1);
		if (show_line(n, "", line, llen) == -1)
			return (-1);
	}
	return (inheader ? header_flush(n, &h) : 0);
}

/*
 * The whole notice for user@host (both already checked to be plain
 * names; rendered safe all the same) from the excerpt text[0..len).
 * Returns its length, or 0 if out is too small.
 */
size_t
notice_format(char *out, size_t size, const char *user, const char *host,
    const unsigned char *text, size_t len, int flags)
{
	struct notice	n;
	char		u[4 * COMSAT_NAME_MAX + 1], h[4 * 256 + 1];

	memset(&n, 0, sizeof(n));
	n.buf = out;
	n.size = size;
	n.flags = flags;
	n.lines = NOTICE_LINES;
	n.chars = NOTICE_CHARS;
	notice_render(u, sizeof(u), (const unsigned char *)user,
	    strnlen(user, COMSAT_NAME_MAX), 0);
	notice_render(h, sizeof(h), (const unsigned char *)host,
	    strnlen(host, 255), 0);

	/* A fresh line first: the cursor is wherever the user left it. */
	put_eol(&n);
	put(&n, "\aNew mail for ", 14);
	put(&n, u, strlen(u));
	put(&n, "@", 1);
	put(&n, h, strlen(h));
	put(&n, " has arrived:", 13);
	put_eol(&n);
	put(&n, "----", 4);
	put_eol(&n);
	if (excerpt(&n, text, len) == -1)
		put(&n, "...more...", 10);
	else
		put(&n, "----", 4);
	put_eol(&n);
	return (n.full ? 0 : n.len);
}

/* ---- RFC 2047 encoded-words ---------------------------------------- */

#define CS_UNKNOWN	0
#define CS_UTF8		1
#define CS_ASCII	2
#define CS_LATIN1	3

static int
charset_kind(const char *s, size_t len)
{
	static const struct {
		const char	*name;
		int		 kind;
	} cs[] = {
		{ "utf-8", CS_UTF8 }, { "utf8", CS_UTF8 },
		{ "us-ascii", CS_ASCII }, { "ascii", CS_ASCII },
		{ "iso-8859-1", CS_LATIN1 }, { "iso8859-1", CS_LATIN1 },
		{ "iso_8859-1", CS_LATIN1 }, { "latin1", CS_LATIN1 },
		{ "latin-1", CS_LATIN1 }, { "l1", CS_LATIN1 },
	};
	const char	*star;
	size_t		 i;

	/* RFC 2231: "charset*language". */
	if ((star = memchr(s, '*', len)) != NULL)
		len = star - s;
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
		if (strlen(cs[i].name) == len &&
		    strncasecmp(cs[i].name, s, len) == 0)
			return (cs[i].kind);
	return (CS_UNKNOWN);
}

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/* Returns the decoded length, or -1 if s is not base64. */
static int
b64_decode(const char *s, size_t n, unsigned char *out, size_t size)
{
	uint32_t	acc = 0;
	size_t		i, o = 0;
	int		v, bits = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64_value((unsigned char)s[i])) == -1)
			return (-1);
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= size)
				return (-1);
			out[o++] = (acc >> bits) & 0xff;
		}
	}
	for (; i < n; i++)
		if (s[i] != '=')
			return (-1);
	return (o);
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return ((c | 0x20) - 'a' + 10);
	return (-1);
}

/* The "Q" encoding; returns the decoded length, or -1. */
static int
q_decode(const char *s, size_t n, unsigned char *out, size_t size)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (o >= size)
			return (-1);
		if (s[i] == '_')
			out[o++] = ' ';
		else if (s[i] != '=')
			out[o++] = s[i];
		else {
			if (i + 2 >= n)
				return (-1);
			if ((hi = hex_value((unsigned char)s[i + 1])) == -1 ||
			    (lo = hex_value((unsigned char)s[i + 2])) == -1)
				return (-1);
			out[o++] = hi << 4 | lo;
			i += 2;
		}
	}
	return (o);
}

struct dbuf {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void
dput(struct dbuf *d, const void *p, size_t n)
{
	if (n > d->size - d->len)
		n = d->size - d->len;
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/*
 * "=?charset?B|Q?text?=" at s: returns its length if it is one we can
 * decode, with the decoded text added to d; 0 (and d untouched)
 * otherwise, and it is then shown as it is.
 */
static size_t
encoded_word(struct dbuf *d, const char *s, size_t n, int dry)
{
	unsigned char	 raw[WORD_MAX], u[2];
	const char	*cs, *enc, *txt, *q;
	size_t		 i, cslen, txtlen;
	int		 kind, len;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return (0);
	cs = s + 2;
	if ((q = memchr(cs, '?', n - 2)) == NULL ||
	    (cslen = q - cs) == 0 || cslen > CHARSET_MAX)
		return (0);
	enc = q + 1;
	if (enc + 2 >= s + n || enc[1] != '?')
		return (0);
	txt = enc + 2;
	for (txtlen = 0; txt + txtlen + 1 < s + n; txtlen++) {
		if (txt[txtlen] == '?' && txt[txtlen + 1] == '=')
			break;
		if (is_blank((unsigned char)txt[txtlen]) ||
		    txt[txtlen] == '?' || txtlen >= WORD_MAX)
			return (0);
	}
	if (txt + txtlen + 1 >= s + n)
		return (0);
	if ((kind = charset_kind(cs, cslen)) == CS_UNKNOWN)
		return (0);
	if (*enc == 'B' || *enc == 'b')
		len = b64_decode(txt, txtlen, raw, sizeof(raw));
	else if (*enc == 'Q' || *enc == 'q')
		len = q_decode(txt, txtlen, raw, sizeof(raw));
	else
		return (0);
	if (len == -1)
		return (0);
	if (!dry) {
		for (i = 0; i < (size_t)len; i++) {
			if (kind != CS_LATIN1 || raw[i] < 0x80) {
				dput(d, raw + i, 1);
				continue;
			}
			/* ISO-8859-1 is the first 256 code points. */
			u[0] = 0xc0 | raw[i] >> 6;
			u[1] = 0x80 | (raw[i] & 0x3f);
			dput(d, u, 2);
		}
	}
	return (txt + txtlen + 2 - s);
}

/* How many blanks at in start a run that an encoded-word follows; 0. */
static size_t
blanks_before_word(const char *in, size_t len)
{
	size_t	j = 0;

	while (j < len && is_blank((unsigned char)in[j]))
		j++;
	if (j > 0 && j < len && encoded_word(NULL, in + j, len - j, 1) > 0)
		return (j);
	return (0);
}

/*
 * Decode the encoded-words in a header value into out; the rest is
 * copied as it is.  Blanks between two encoded-words are dropped, as
 * RFC 2047 says.  Returns the length (not NUL-terminated).  The result
 * is not yet safe to show: it goes through notice_render() or
 * show_line() after this.
 */
size_t
mime_decode(char *out, size_t size, const char *in, size_t len)
{
	struct dbuf	d;
	size_t		i = 0, w;
	int		after_word = 0;

	d.buf = out;
	d.size = size;
	d.len = 0;
	while (i < len) {
		if ((w = encoded_word(&d, in + i, len - i, 0)) > 0) {
			i += w;
			after_word = 1;
		} else if (after_word &&
		    (w = blanks_before_word(in + i, len - i)) > 0)
			i += w;
		else {
			after_word = 0;
			dput(&d, in + i, 1);
			i++;
		}
	}
	return (d.len);
}
