/*
 * The parents' second look at what a (possibly compromised) child sends:
 * the payload bytes of an accepted record go through the same functions
 * the parents call, and a line a child logs goes through the parent's
 * log path.  The first input byte picks the message; the rest is its
 * payload, cut or zero-padded to the record's exact size.
 *
 *  0 talkd IMSG_TALK_TTY_REQ	tty_req_valid() (priv/talkd.c)
 *  1 comsat IMSG_COMSAT_REQ	comsat_req_valid() (priv/comsat.c)
 *  2 rwhod IMSG_RWHO_STATUS	whod_check() (priv/rwhod.c), then the
 *				spool file name (priv/spool.c)
 *  3 IPC_LOG			ipc_log_valid() and logit() (priv/parent.c)
 *
 * Properties: what a check accepts is safe for the use the parent makes
 * of it (a user name for getpwnam, a line beneath /dev, a mailbox name,
 * a spool file name and record, a log line), and an accepted status
 * record is exactly what the engine would have made of some datagram.
 */
#include <sys/types.h>

#include <string.h>
#include <syslog.h>

#include "comsat.h"
#include "fuzz.h"
#include "ipc.h"
#include "log.h"
#include "names.h"
#include "rwhod.h"
#include "talkd.h"

static char	logged[4096];
static int	nlogged;

static void
sink(int pri, const char *line)
{
	strlcpy(logged, line, sizeof(logged));
	nlogged++;
}

static void
check_name(const char *s, size_t max)
{
	size_t	i;

	FUZZ_ASSERT(s[0] != '\0' && s[0] != '-' && s[0] != '.',
	    "user: not empty, no leading '-' or '.'");
	for (i = 0; s[i] != '\0'; i++)
		FUZZ_ASSERT((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-', "user: portable set");
	FUZZ_ASSERT(i <= max, "user: length");
}

static void
tty_req(const unsigned char *p)
{
	struct tty_req	r;
	const char	*s;

	memcpy(&r, p, sizeof(r));
	if (!tty_req_valid(&r))
		return;
	check_name(r.user, TTY_USER_MAX);
	if (r.line[0] == '\0')
		return;
	/* Opened beneath /dev: one name, or pts/N. */
	FUZZ_ASSERT(strstr(r.line, "..") == NULL && r.line[0] != '/',
	    "line: no '..', not absolute");
	if ((s = strchr(r.line, '/')) != NULL)
		FUZZ_ASSERT(s == r.line + 3 && strncmp(r.line, "pts", 3) == 0 &&
		    strchr(s + 1, '/') == NULL && s[1] != '\0',
		    "line: '/' only in pts/N");
	FUZZ_ASSERT(strlen(r.line) <= TTY_LINE_MAX, "line: length");
}

static void
comsat_req(const unsigned char *p)
{
	struct comsat_req	r;
	size_t			i;

	memcpy(&r, p, sizeof(r));
	if (!comsat_req_valid(&r))
		return;
	check_name(r.user, COMSAT_NAME_MAX);
	FUZZ_ASSERT(r.offset >= 0, "offset: not negative");
	for (i = 0; r.path[i] != '\0'; i++)
		FUZZ_ASSERT(r.path[i] >= 0x20 && r.path[i] <= 0x7e,
		    "mailbox: printable ASCII");
	FUZZ_ASSERT(i <= COMSAT_PATH_MAX, "mailbox: length");
}

static void
status(const unsigned char *p)
{
	static unsigned char	wire[WHOD_MAXSIZE];
	struct rwho_status	st;
	struct whod_pkt		wd;
	char			name[64];
	size_t			reclen;
	int			rv;

	memcpy(&st, p, sizeof(st));
	if ((rv = whod_check(&st.wd, st.len)) != WHOD_OK) {
		FUZZ_ASSERT(strcmp(whod_strerror(rv), "unknown error") != 0,
		    "a refusal has a reason");
		return;
	}
	FUZZ_ASSERT(st.len >= WHOD_HDRSIZE && st.len <= WHOD_MAXSIZE &&
	    (st.len - WHOD_HDRSIZE) % WHOD_ENTSIZE == 0, "record: length");
	/* The file name spool.c makes: one component, never a temp name. */
	snprintf(name, sizeof(name), "whod.%s", st.wd.wd_hostname);
	FUZZ_ASSERT(strchr(name, '/') == NULL && strstr(name, "..") == NULL &&
	    strlen(name) < 5 + WHOD_HOSTSIZE && name[5] != '\0' &&
	    name[5] != '.', "spool file name is one safe component");
	/* What the engine would make of this record sent as a datagram. */
	whod_encode(&st.wd, st.len, wire);
	FUZZ_ASSERT(whod_decode(wire, st.len, &wd, &reclen,
	    st.wd.wd_recvtime) == WHOD_OK && reclen == st.len,
	    "an accepted record is one the engine can produce");
	wd.wd_recvtime = st.wd.wd_recvtime;
	FUZZ_ASSERT(memcmp(&wd, &st.wd, st.len) == 0,
	    "an accepted record is canonical: every written byte as decoded");
}

static void
log_line(const unsigned char *p)
{
	struct ipc_log	lm;
	size_t		i;

	memcpy(&lm, p, sizeof(lm));
	if (!ipc_log_valid(&lm))
		return;
	nlogged = 0;
	/* As read_child() does; debug lines may be dropped by the level. */
	logit(lm.pri, "%s: %s", "engine", lm.msg);
	if (nlogged == 0)
		return;
	for (i = 0; logged[i] != '\0'; i++)
		FUZZ_ASSERT((unsigned char)logged[i] >= 0x20 &&
		    (unsigned char)logged[i] < 0x7f,
		    "a logged line is printable ASCII: no newline, tab or "
		    "escape from a child reaches the log");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 buf[IPC_MAXPAYLOAD];
	static int		 init;

	if (!init) {
		log_setsink(sink);
		log_setverbose(1);
		init = 1;
	}
	if (size < 1)
		return (0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, data + 1, size - 1 < sizeof(buf) ? size - 1 : sizeof(buf));
	switch (data[0] % 4) {
	case 0:
		tty_req(buf);
		break;
	case 1:
		comsat_req(buf);
		break;
	case 2:
		status(buf);
		break;
	case 3:
		log_line(buf);
		break;
	}
	return (0);
}
