/*
 * comsat's datagram parser and notice formatter, with every hostile case
 * the end-to-end test also sends, in text form, plus a bounded random
 * fuzz run that checks the safety invariants of every notice.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comsat.h"
#include "unit.h"

#define LF	0
#define CRLF	NF_CRLF
#define UTF8	NF_UTF8

/* comsat_parse() on a C string of len bytes (the string may hold NULs). */
static int
parse(const char *s, size_t len, struct comsat_req *r)
{
	const char	*why = NULL;
	int		 rv;

	rv = comsat_parse((const unsigned char *)s, len, r, &why);
	if (rv == 0 && why != NULL)
		return (-2);
	if (rv == -1 && why == NULL)
		return (-3);
	return (rv);
}

#define OK(s)	(parse(s, sizeof(s) - 1, &r) == 0)
#define BAD(s)	(parse(s, sizeof(s) - 1, &r) == -1)

static void
parser(void)
{
	struct comsat_req	r;
	char			buf[COMSAT_DGRAM_MAX + 10];

	CHECK(OK("alice@123\n") && strcmp(r.user, "alice") == 0 &&
	    r.offset == 123 && r.path[0] == '\0', "user@offset newline (BSD)");
	CHECK(OK("alice@123\0") && r.offset == 123,
	    "user@offset NUL (Postfix)");
	CHECK(OK("alice@0") && r.offset == 0, "user@offset, nothing after");
	CHECK(OK("alice@7\r\n") && r.offset == 7, "CR LF at the end");
	CHECK(OK("alice@42:/var/mail/alice") && r.offset == 42 &&
	    strcmp(r.path, "/var/mail/alice") == 0,
	    "user@offset:mailbox (procmail)");
	CHECK(OK("alice@42:/var/mail/alice\0") &&
	    strcmp(r.path, "/var/mail/alice") == 0, "mailbox and NUL");
	CHECK(OK("alice@42:Mail/in box:2\n") &&
	    strcmp(r.path, "Mail/in box:2") == 0, "mailbox with blank, colon");
	CHECK(OK("a.b-c_d@9223372036854775807") &&
	    r.offset == 9223372036854775807LL, "largest offset");

	CHECK(BAD("alice@-1\n"), "negative offset refused");
	CHECK(BAD("alice@+1\n"), "signed offset refused");
	CHECK(BAD("alice@ 1\n"), "offset with a blank refused");
	CHECK(BAD("alice@1x\n"), "offset with junk refused");
	CHECK(BAD("alice@abc\n"), "non-numeric offset refused");
	CHECK(BAD("alice@\n"), "empty offset refused");
	CHECK(BAD("alice@0x10\n"), "hexadecimal offset refused");
	CHECK(BAD("alice@9223372036854775808"),
	    "offset past LLONG_MAX refused");
	CHECK(BAD("alice@99999999999999999999999\n"), "huge offset refused");
	CHECK(BAD("alice@00000000000000000001"), "20-digit offset refused");
	CHECK(BAD("alice@1:"), "empty mailbox name refused");
	CHECK(BAD("alice@1:/var/mail/\033[2J"), "mailbox with ESC refused");
	CHECK(BAD("alice@1:/var/mail/\xe9t\xe9"), "non-ASCII mailbox refused");

	CHECK(BAD("@1\n"), "empty user refused");
	CHECK(BAD("-alice@1\n"), "user starting with '-' refused");
	CHECK(BAD(".alice@1\n"), "user starting with '.' refused");
	CHECK(BAD("../etc/passwd@1\n"), "user with '/' refused");
	CHECK(BAD("al ice@1\n"), "user with a blank refused");
	CHECK(BAD("al\033ice@1\n"), "user with ESC refused");
	CHECK(BAD("\xe9lise@1\n"), "non-ASCII user refused");
	CHECK(BAD("a@b@1\n"), "two '@' refused");
	CHECK(BAD("alice\n"), "no '@' refused");
	CHECK(OK("abcdefghijklmnopqrstuvwxyz012345@1"),
	    "32-character user accepted");
	CHECK(BAD("abcdefghijklmnopqrstuvwxyz0123456@1"),
	    "33-character user refused");

	CHECK(BAD(""), "empty datagram refused");
	CHECK(BAD("\n"), "newline alone refused");
	CHECK(BAD("\0"), "NUL alone refused");
	CHECK(BAD("ali\0ce@1\n"), "NUL inside refused");
	CHECK(BAD("alice@1\0\0"), "two NULs refused");
	CHECK(BAD("alice@1\n\n"), "two newlines refused");
	CHECK(BAD("alice@1\nbob@2\n"), "two requests in one datagram refused");

	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "alice@1:/", 9);
	CHECK(parse(buf, COMSAT_DGRAM_MAX + 1, &r) == -1,
	    "datagram over the maximum refused");
	buf[9 + COMSAT_PATH_MAX - 1] = '\0';
	CHECK(parse(buf, strlen(buf), &r) == 0 &&
	    strlen(r.path) == COMSAT_PATH_MAX, "1023-byte mailbox accepted");
	buf[9 + COMSAT_PATH_MAX - 1] = 'a';
	buf[9 + COMSAT_PATH_MAX] = '\0';
	CHECK(parse(buf, strlen(buf), &r) == -1, "1024-byte mailbox refused");

	CHECK(comsat_path_ok("/var/mail/alice") && comsat_path_ok("x"),
	    "path check: plain paths");
	CHECK(!comsat_path_ok("") && !comsat_path_ok("a\nb") &&
	    !comsat_path_ok("a\177") && !comsat_path_ok("\xc3\xa9"),
	    "path check: empty, control, DEL, non-ASCII");
}

/* ---- the notice ---------------------------------------------------- */

static char	out[NOTICE_MAX];

static size_t
fmt(const char *mail, size_t len, int flags)
{
	size_t	n;

	n = notice_format(out, sizeof(out) - 1, "alice", "myhost",
	    (const unsigned char *)mail, len, flags);
	out[n] = '\0';
	return (n);
}

#define FMT(s, fl)	fmt(s, sizeof(s) - 1, fl)

#define HEAD	"\n\aNew mail for alice@myhost has arrived:\n----\n"
#define HEADCR	"\r\n\aNew mail for alice@myhost has arrived:\r\n----\r\n"

/* Does out (n bytes) contain s? */
static int
has(size_t n, const char *s)
{
	return (memmem(out, n, s, strlen(s)) != NULL);
}

static int
utf8_valid_no_c1(const unsigned char *s, size_t n)
{
	size_t	i = 0, len, k;
	uint32_t c;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2, c = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3, c = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4, c = s[i] & 0x07;
		else
			return (0);
		if (i + len > n)
			return (0);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if (c < 0xa0 || (c >= 0xd800 && c <= 0xdfff) ||
		    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 &&
		    c <= 0x2069))
			return (0);
		i += len;
	}
	return (1);
}

/*
 * What must hold for any mail at all: the only control bytes are the
 * one BEL we put after the first line end and the line ends themselves
 * (CR only as part of CR LF, and only in CRLF mode); no DEL; nothing
 * 8-bit unless the terminal takes UTF-8, and then only valid UTF-8
 * without C1 controls or bidi overrides; at most 7 lines of mail and
 * 560 characters of it.
 */
static int
safe(size_t n, int flags)
{
	const unsigned char	*s = (const unsigned char *)out;
	size_t			 i, lines = 0, chars = 0, body;
	const char		*head, *dash;

	head = flags & NF_CRLF ? "\r\n\aNew mail for " : "\n\aNew mail for ";
	dash = flags & NF_CRLF ? "\r\n----\r\n" : "\n----\n";
	if (n == 0 || strncmp(out, head, strlen(head)) != 0 ||
	    strstr(out, dash) == NULL)
		return (0);
	body = strstr(out, dash) - out + strlen(dash);
	for (i = 0; i < n; i++) {
		if (s[i] == '\a' && i != ((flags & NF_CRLF) ? 2 : 1))
			return (0);
		if (s[i] == '\r' && (!(flags & NF_CRLF) || i + 1 >= n ||
		    s[i + 1] != '\n'))
			return (0);
		if (s[i] == '\n' && (flags & NF_CRLF) && (i == 0 ||
		    s[i - 1] != '\r'))
			return (0);
		if ((s[i] < 0x20 && s[i] != '\a' && s[i] != '\r' &&
		    s[i] != '\n') || s[i] == 0x7f)
			return (0);
		if (s[i] >= 0x80 && !(flags & NF_UTF8))
			return (0);
		if (i >= body && s[i] == '\n')
			lines++;
		else if (i >= body && s[i] != '\r' && (s[i] & 0xc0) != 0x80)
			chars++;
	}
	if ((flags & NF_UTF8) && !utf8_valid_no_c1(s, n))
		return (0);
	/* Mail lines, plus the closing "----" or "...more..." line. */
	return (lines <= NOTICE_LINES + 1 && chars <= NOTICE_CHARS + 10);
}

static void
format_basic(void)
{
	size_t	n;

	n = FMT("From alice@example.org Mon Jan  1 00:00:00 2024\n"
	    "Return-Path: <bob@example.org>\n"
	    "Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "From: Bob <bob@example.org>\n"
	    "To: alice@example.org\n"
	    "Subject: Lunch?\n"
	    "\n"
	    "Shall we meet at noon?\n"
	    "-- Bob\n", LF);
	CHECK(n > 0 && strcmp(out, HEAD
	    "From: Bob <bob@example.org>\n"
	    "Subject: Lunch?\n"
	    "Shall we meet at noon?\n"
	    "-- Bob\n"
	    "----\n") == 0,
	    "notice: mbox From line skipped, From/Subject/body");
	CHECK(safe(n, LF), "notice: basic one is safe");

	n = FMT("From: Bob <bob@example.org>\r\n"
	    "Subject: Lunch?\r\n"
	    "\r\n"
	    "Noon?\r\n", CRLF);
	CHECK(n > 0 && strcmp(out, HEADCR
	    "From: Bob <bob@example.org>\r\n"
	    "Subject: Lunch?\r\n"
	    "Noon?\r\n"
	    "----\r\n") == 0, "notice: CRLF mailbox on a CRLF terminal");
	n = FMT("From: b\r\nSubject: s\r\n\r\nbody\r\n", LF);
	CHECK(strcmp(out, HEAD "From: b\nSubject: s\nbody\n----\n") == 0,
	    "notice: CRLF mailbox, header ends at CR LF CR LF");

	n = FMT("Subject: a long\n subject\n\tfolded twice\nFrom: x\n\nb\n",
	    LF);
	CHECK(strcmp(out, HEAD "Subject: a long subject folded twice\n"
	    "From: x\nb\n----\n") == 0, "notice: folded header unfolded");

	n = FMT("FROM: upper\nsUbJeCt: mixed\nFrom:\n\n", LF);
	CHECK(strcmp(out, HEAD "From: upper\nSubject: mixed\nFrom: \n"
	    "----\n") == 0, "notice: header names in any case; no body");

	n = FMT("From: x\nSubject: y", LF);
	CHECK(strcmp(out, HEAD "From: x\nSubject: y\n----\n") == 0,
	    "notice: header only, no final newline");

	n = FMT("", LF);
	CHECK(strcmp(out, HEAD "----\n") == 0, "notice: empty excerpt");

	n = FMT(" stray continuation\nX-Junk\nFrom: x\n\nb\n", LF);
	CHECK(strcmp(out, HEAD "From: x\nb\n----\n") == 0,
	    "notice: continuation and colon-less line at the start ignored");

	n = FMT("From: x\n\nline 1\n\nFrom bob Mon Jan 1\nFrom: next\n\n"
	    "other message\n", LF);
	CHECK(strcmp(out, HEAD "From: x\nline 1\n----\n") == 0,
	    "notice: stops at the next mbox From line, blank before it unseen");
	n = FMT("From: x\n\n\na\n\n \t\nb\n\n\r\n", LF);
	CHECK(strcmp(out, HEAD "From: x\n\na\n\n\nb\n----\n") == 0,
	    "notice: blank lines kept inside the body, dropped at its end");
	n = FMT("From: x\n\n1\n2\n3\n4\n5\n\n\nlast\n", LF);
	CHECK(strcmp(out, HEAD "From: x\n1\n2\n3\n4\n5\n\n...more...\n")
	    == 0, "notice: blank lines count when text follows them");
	n = FMT("From: x\n\n>From the start\n", LF);
	CHECK(strcmp(out, HEAD "From: x\n>From the start\n----\n") == 0,
	    "notice: quoted >From line is body");
}

static void
format_limits(void)
{
	char	buf[8192];
	size_t	n, i;

	n = FMT("From: x\nSubject: y\n\n1\n2\n3\n4\n5\n6\n7\n8\n", LF);
	CHECK(strcmp(out, HEAD "From: x\nSubject: y\n1\n2\n3\n4\n5\n"
	    "...more...\n") == 0, "notice: 7 lines, then ...more...");
	n = FMT("From: x\nSubject: y\n\n1\n2\n3\n4\n5\n", LF);
	CHECK(strcmp(out, HEAD "From: x\nSubject: y\n1\n2\n3\n4\n5\n"
	    "----\n") == 0, "notice: exactly 7 lines, no ...more...");

	/* One line of 3000 characters in the body. */
	i = snprintf(buf, sizeof(buf), "From: x\n\n");
	memset(buf + i, 'Q', 3000);
	i += 3000;
	buf[i++] = '\n';
	n = fmt(buf, i, LF);
	CHECK(safe(n, LF) && has(n, "...more...\n") &&
	    memchr(out, 'Q', n) != NULL &&
	    strlen(strchr(out, 'Q')) == NOTICE_CHARS - strlen("From: x") +
	    1 + strlen("...more...\n"), "notice: overlong body line cut at "
	    "560 characters in all");

	/* A Subject of 5000 characters: cut, and the notice still ends. */
	i = snprintf(buf, sizeof(buf), "Subject: ");
	memset(buf + i, 'b', 5000);
	i += 5000;
	i += snprintf(buf + i, sizeof(buf) - i, "\nFrom: x\n\nbody\n");
	n = fmt(buf, i, LF);
	CHECK(safe(n, LF) && has(n, "...more...\n") && !has(n, "body"),
	    "notice: overlong header cut, then ...more...");

	/* A header of 16 KiB with no newline at all. */
	{
		static char	big[COMSAT_EXCERPT];

		memcpy(big, "Subject: ", 9);
		memset(big + 9, 'c', sizeof(big) - 9);
		n = fmt(big, sizeof(big), CRLF);
		CHECK(safe(n, CRLF), "notice: 16 KiB without a newline");
	}
}

static void
format_hostile(void)
{
	size_t	n;

	n = FMT("From: \033]0;pwned\a x\nSubject: \033[2J\x9b" "31m\x7f\n\n"
	    "body \033[1;1H\033P+q\033\\ \a\b\x0e\x0f\n", LF);
	CHECK(safe(n, LF), "escapes: safe");
	CHECK(has(n, "From: ^[]0;pwned^G x\n") &&
	    has(n, "Subject: ^[[2JM-^[31m^?\n") &&
	    has(n, "body ^[[1;1H^[P+q^[\\ ^G^H^N^O\n"),
	    "escapes: ESC, BEL, CSI, DEL shown as ^[, ^G, M-^[, ^?");

	n = fmt("From: a\0b\n\nnul\0here\n", 20, LF);
	CHECK(safe(n, LF) && has(n, "From: a^@b\n") && has(n, "nul^@here\n"),
	    "NUL bytes in header and body shown as ^@");

	n = FMT("From: x\n\nbare\rCR\n", LF);
	CHECK(safe(n, LF) && has(n, "bare^MCR\n"), "lone CR shown as ^M");

	n = FMT("Subject: \xc2\x9b" "2J \xc2\x85 C1 as UTF-8\n\n", UTF8);
	CHECK(safe(n, UTF8) && has(n, "Subject: M-^[2J M-^E C1 as UTF-8"),
	    "C1 controls encoded as UTF-8 shown as M-^[ (UTF-8 terminal)");

	n = FMT("Subject: \xe2\x80\xae" "evil \xe2\x81\xa6x\xe2\x80\x8b\n\n",
	    UTF8);
	CHECK(safe(n, UTF8) &&
	    has(n, "Subject: <U+202E>evil <U+2066>x<U+200B>\n"),
	    "bidi override and zero-width characters shown as <U+...>");

	n = FMT("Subject: \xff\xc0\xaf\xed\xa0\x80\xf8\x88\x80\x80\x80\xe9t"
	    "\xe9\n\n", UTF8);
	CHECK(safe(n, UTF8) && has(n, "Subject: M-^?M-@M-/M-mM- M-^@M-xM-^H"
	    "M-^@M-^@M-^@M-itM-i\n"), "invalid UTF-8 (overlong, surrogate, "
	    "5-byte, latin1) shown as M-x");

	n = FMT("Subject: \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7\n\n",
	    UTF8);
	CHECK(safe(n, UTF8) && has(n, "Subject: \xc3\xa9t\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x93\xa7\n"), "valid UTF-8 passes to a UTF-8 terminal");
	n = FMT("Subject: \xc3\xa9t\xc3\xa9 \xe2\x82\xac\n\n", LF);
	CHECK(safe(n, LF) && has(n, "Subject: ?t? ?\n"),
	    "valid UTF-8 becomes ? on other terminals");

	n = FMT("From: x\n\n\ttab\n", LF);
	CHECK(has(n, " tab\n"), "tab shown as a blank");

	n = notice_format(out, 50, "alice", "myhost",
	    (const unsigned char *)"From: x\n\n", 9, LF);
	CHECK(n == 0, "too small a buffer gives no notice");

	n = notice_format(out, sizeof(out) - 1, "al\033ice", "my\x9bhost",
	    (const unsigned char *)"", 0, LF);
	out[n] = '\0';
	CHECK(has(n, "New mail for al^[ice@myM-^[host has arrived:"),
	    "user and host rendered safe too");
}

static size_t
dec(const char *s)
{
	size_t	n;

	n = mime_decode(out, sizeof(out) - 1, s, strlen(s));
	out[n] = '\0';
	return (n);
}

static void
mime(void)
{
	size_t	n;

	dec("=?UTF-8?B?w6l0w6k=?=");
	CHECK(strcmp(out, "\xc3\xa9t\xc3\xa9") == 0, "MIME: UTF-8 B");
	dec("=?utf-8?q?caf=C3=A9_au_lait?=");
	CHECK(strcmp(out, "caf\xc3\xa9 au lait") == 0, "MIME: UTF-8 Q, _");
	dec("=?ISO-8859-1?Q?caf=E9?=");
	CHECK(strcmp(out, "caf\xc3\xa9") == 0, "MIME: ISO-8859-1 to UTF-8");
	dec("=?latin1?B?6Q==?=");
	CHECK(strcmp(out, "\xc3\xa9") == 0, "MIME: latin1 B");
	dec("=?us-ascii?Q?plain?=");
	CHECK(strcmp(out, "plain") == 0, "MIME: US-ASCII");
	dec("=?utf-8*fr?Q?oui?=");
	CHECK(strcmp(out, "oui") == 0, "MIME: RFC 2231 language suffix");
	dec("Re: =?utf-8?Q?a?= =?utf-8?Q?b?=\t =?utf-8?Q?c?= d =?utf-8?Q?e?=");
	CHECK(strcmp(out, "Re: abc d e") == 0,
	    "MIME: blanks between encoded-words dropped, others kept");
	dec("=?koi8-r?B?8NLJ18XU?=");
	CHECK(strcmp(out, "=?koi8-r?B?8NLJ18XU?=") == 0,
	    "MIME: unknown charset left as it is");
	dec("=?utf-8?B?@@@@?= =?utf-8?Q?=ZZ?= =?utf-8?X?a?= =?utf-8?Q?a b?=");
	CHECK(strcmp(out, "=?utf-8?B?@@@@?= =?utf-8?Q?=ZZ?= =?utf-8?X?a?= "
	    "=?utf-8?Q?a b?=") == 0, "MIME: malformed words left as they are");
	dec("=?utf-8?Q?abc=?=");
	CHECK(strcmp(out, "=?utf-8?Q?abc=?=") == 0, "MIME: cut =XX left");
	dec("=?utf-8?Q?unterminated");
	CHECK(strcmp(out, "=?utf-8?Q?unterminated") == 0,
	    "MIME: unterminated word left");
	dec("=??Q?x?= =?");
	CHECK(strcmp(out, "=??Q?x?= =?") == 0, "MIME: empty charset left");

	/* Decoded control bytes are still made safe when shown. */
	n = FMT("Subject: =?utf-8?Q?=1B[2J=07=00x=0Ay?=\n\n", LF);
	CHECK(safe(n, LF) && has(n, "Subject: ^[[2J^G^@x^Jy\n"),
	    "MIME: decoded ESC, BEL, NUL, LF shown safe");
	n = FMT("Subject: =?utf-8?B?4oCuZXZpbA==?=\n\n", UTF8);
	CHECK(safe(n, UTF8) && has(n, "Subject: <U+202E>evil\n"),
	    "MIME: decoded bidi override shown as <U+202E>");
	n = FMT("Subject: =?iso-8859-1?Q?=9B=E9?=\n\n", UTF8);
	CHECK(safe(n, UTF8) && has(n, "Subject: M-^[\xc3\xa9\n"),
	    "MIME: latin1 C1 byte shown as M-^[");
	n = FMT("From: =?UTF-8?B?Sm9zw6k=?= <jose@example.org>\n"
	    "Subject: =?UTF-8?Q?Ol=C3=A1?=\n\nhi\n", UTF8);
	CHECK(strcmp(out, HEAD "From: Jos\xc3\xa9 <jose@example.org>\n"
	    "Subject: Ol\xc3\xa1\nhi\n----\n") == 0,
	    "MIME: From and Subject decoded in the notice");
}

/* Bounded random input: no crash, and every notice is safe. */
static void
fuzz(void)
{
	static unsigned char	buf[COMSAT_EXCERPT];
	static const char	*frag[] = { "From: ", "Subject: ", "\n", "\r\n",
	    " ", "=?utf-8?B?", "=?iso-8859-1?Q?=9B", "?=", "\033[", "\xc2\x9b",
	    "\xe2\x80\xae", "From ", "\n\n", "\t", "\0", "\xff", "=?" };
	uint32_t		seed = 12345;
	size_t			len, n, i, k;
	int			flags, bad = 0, round;

	for (round = 0; round < 3000; round++) {
		len = 0;
		k = (seed >> 4) % 200;
		for (i = 0; i < k && len < sizeof(buf) - 32; i++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 3 == 0) {
				n = (seed >> 8) % (sizeof(frag) /
				    sizeof(frag[0]));
				memcpy(buf + len, frag[n], strlen(frag[n]) +
				    (frag[n][0] == '\0'));
				len += strlen(frag[n]) + (frag[n][0] == '\0');
			} else
				buf[len++] = seed >> 20;
		}
		flags = round % 4;
		n = notice_format(out, sizeof(out), "u", "h", buf, len, flags);
		if (!safe(n, flags))
			bad++;
		seed = seed * 1103515245 + 12345;
	}
	CHECK(bad == 0, "fuzz: 3000 random excerpts give safe notices");
}

int
main(void)
{
	parser();
	format_basic();
	format_limits();
	format_hostile();
	mime();
	fuzz();
	return (unit_failed);
}
