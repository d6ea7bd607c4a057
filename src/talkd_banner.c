/*
 * The announcement written on the callee's terminal, in the classic
 * layout that talk users know:
 *
 *	BEL CR LF
 *	" "
 *	"Message from Talk_Daemon@HOST at H:MM ..."
 *	"talk: connection requested by USER@RHOST."
 *	"talk: respond with:  talk USER@RHOST"
 *	" "
 *
 * every line padded with blanks to the longest one plus two, so the block
 * overwrites a full-screen editor cleanly, and ended by CR LF in case the
 * terminal is in raw mode.  Every string is passed through strvis() here,
 * whatever its source, so no byte can form an escape sequence.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <vis.h>

#include "talkd.h"

#define B_LINES		5
#define B_CHARS		160		/* per line, NUL included */
#define B_FIELD		64		/* a made-visible field, NUL included */

static void
visible(char *dst, const char *src)
{
	char	in[B_FIELD], out[5 * B_FIELD];

	/*
	 * libbsd's strnvis() (0.11) writes its NUL one byte past the end
	 * when the result does not fit, as for a 64-byte host name from
	 * DNS: give it room for the worst case ("\M-^[", 5 bytes for 1)
	 * and cut afterwards.  vis(3) passes newline and tab unless told:
	 * they would forge lines.
	 */
	strlcpy(in, src, sizeof(in));
	strnvis(out, in, sizeof(out), VIS_CSTYLE | VIS_NL | VIS_TAB);
	strlcpy(dst, out, B_FIELD);
}

/*
 * Returns the number of bytes placed in buf, or 0 if buf is too small.
 * The worst case is B_LINES * (B_CHARS + 3) + 3 bytes.
 */
size_t
banner_format(char *buf, size_t size, const char *myhost, const char *user,
    const char *rhost, const struct tm *tm)
{
	char	 line[B_LINES][B_CHARS];
	char	 vhost[B_FIELD], vuser[B_FIELD], vrhost[B_FIELD];
	size_t	 len[B_LINES], width = 0, off = 0, i, j;

	if (size < B_LINES * (B_CHARS + 3) + 3)
		return (0);
	visible(vhost, myhost);
	visible(vuser, user);
	visible(vrhost, rhost);

	snprintf(line[0], B_CHARS, " ");
	if (tm != NULL)
		snprintf(line[1], B_CHARS,
		    "Message from Talk_Daemon@%s at %d:%02d ...",
		    vhost, tm->tm_hour, tm->tm_min);
	else
		snprintf(line[1], B_CHARS, "Message from Talk_Daemon@%s ...",
		    vhost);
	snprintf(line[2], B_CHARS, "talk: connection requested by %s@%s.",
	    vuser, vrhost);
	snprintf(line[3], B_CHARS, "talk: respond with:  talk %s@%s",
	    vuser, vrhost);
	snprintf(line[4], B_CHARS, " ");

	for (i = 0; i < B_LINES; i++) {
		len[i] = strlen(line[i]);
		if (len[i] > width)
			width = len[i];
	}
	buf[off++] = '\a';
	buf[off++] = '\r';
	buf[off++] = '\n';
	for (i = 0; i < B_LINES; i++) {
		memcpy(buf + off, line[i], len[i]);
		off += len[i];
		for (j = len[i]; j < width + 2; j++)
			buf[off++] = ' ';
		buf[off++] = '\r';
		buf[off++] = '\n';
	}
	return (off);
}
