/*
 * talkd: a datagram from the network through ctl_parse() and
 * ctl_validate(), as the engine does, then the reply through ctl_build()
 * and the announcement through banner_format().  Properties:
 *
 *  - only 84-byte datagrams decode, and the decoded fields are the
 *    bytes of <protocols/talkd.h>'s CTL_MSG (re-encoding the request
 *    gives the datagram back, but for the forced NULs and the bytes the
 *    decoder ignores);
 *  - a request the engine accepts yields a terminal request the parent
 *    accepts (tty_req_valid()): remote input must never make the parent
 *    stop the daemon;
 *  - the 24-byte reply holds exactly what was put in it;
 *  - the announcement holds no control byte but its own BEL, CR and LF.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <protocols/talkd.h>

#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "names.h"
#include "talkd.h"

/* The inverse of ctl_parse(), written against glibc's structure. */
static void
encode_req(const struct ctl_req *r, unsigned char *out)
{
	CTL_MSG		m;

	memset(&m, 0, sizeof(m));
	m.vers = r->vers;
	m.type = r->type;
	m.id_num = htonl(r->id_num);
	m.addr.sa_family = htons(r->addr_family);
	memcpy(m.addr.sa_data, &r->addr.sin_port, 2);
	memcpy(m.addr.sa_data + 2, &r->addr.sin_addr, 4);
	m.ctl_addr.sa_family = htons(r->ctl_family);
	memcpy(m.ctl_addr.sa_data, &r->ctl_addr.sin_port, 2);
	memcpy(m.ctl_addr.sa_data + 2, &r->ctl_addr.sin_addr, 4);
	m.pid = htonl(r->pid);
	memcpy(m.l_name, r->l_name, NAME_SIZE);
	memcpy(m.r_name, r->r_name, NAME_SIZE);
	memcpy(m.r_tty, r->r_tty, TTY_SIZE);
	memcpy(out, &m, sizeof(m));
}

/* What encode_req(parse(x)) must equal: x without the ignored bytes. */
static void
mask_req(const unsigned char *in, unsigned char *out)
{
	memcpy(out, in, CTL_MSG_SIZE);
	out[2] = out[3] = 0;				/* pad */
	memset(out + 8 + 8, 0, 8);			/* addr.sa_data[6..13] */
	memset(out + 24 + 8, 0, 8);			/* ctl_addr */
	out[44 + NAME_SIZE - 1] = '\0';			/* forced NULs */
	out[56 + NAME_SIZE - 1] = '\0';
	out[68 + TTY_SIZE - 1] = '\0';
}

static void
check_banner(const struct ctl_req *r, const char *rhost)
{
	static char	buf[5 * (160 + 3) + 3];
	struct tm	tm;
	size_t		len, i;

	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 23;
	tm.tm_min = 59;
	len = banner_format(buf, sizeof(buf), "myhost", r->l_name, rhost, &tm);
	FUZZ_ASSERT(len > 0 && len <= sizeof(buf), "banner fits its buffer");
	FUZZ_ASSERT(buf[0] == '\a', "banner starts with BEL");
	for (i = 1; i < len; i++) {
		unsigned char c = buf[i];

		FUZZ_ASSERT(c >= 0x20 || c == '\r' || c == '\n',
		    "no control byte in the banner");
		FUZZ_ASSERT(c < 0x7f, "banner is printable ASCII");
		FUZZ_ASSERT(c != '\n' || buf[i - 1] == '\r',
		    "banner lines end in CR LF only");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_req		 r;
	struct ctl_resp		 rp;
	struct sockaddr_in	 from;
	struct tty_req		 tr;
	unsigned char		 re[CTL_MSG_SIZE], want[CTL_MSG_SIZE];
	unsigned char		 out[CTL_RESP_SIZE];
	char			 rhost[256];
	size_t			 hl;
	int			 rv, ans;

	/* The engine hands over whatever recvmsg() returned. */
	rv = ctl_parse(data, size, &r);
	if (size != CTL_MSG_SIZE) {
		FUZZ_ASSERT(rv == -1, "only 84-byte datagrams decode");
		if (size < CTL_MSG_SIZE)
			return (0);
		/* Longer inputs: 84 bytes of datagram, then the source. */
		rv = ctl_parse(data, CTL_MSG_SIZE, &r);
	}
	FUZZ_ASSERT(rv == 0, "an 84-byte datagram decodes");
	FUZZ_ASSERT(memchr(r.l_name, '\0', T_NAME_SIZE) != NULL &&
	    memchr(r.r_name, '\0', T_NAME_SIZE) != NULL &&
	    memchr(r.r_tty, '\0', T_TTY_SIZE) != NULL,
	    "decoded strings are terminated inside the wire field");
	encode_req(&r, re);
	mask_req(data, want);
	FUZZ_ASSERT(memcmp(re, want, CTL_MSG_SIZE) == 0,
	    "decoding keeps every meaningful byte (round trip)");

	/* The source: the claimed ctl_addr, or the next 4 bytes. */
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	if (size >= CTL_MSG_SIZE + 4)
		memcpy(&from.sin_addr, data + CTL_MSG_SIZE, 4);
	else
		from.sin_addr = r.ctl_addr.sin_addr;
	ans = ctl_validate(&r, &from);
	FUZZ_ASSERT(ans >= T_SUCCESS && ans <= T_BADCTLADDR,
	    "answer is a protocol answer");
	FUZZ_ASSERT(strcmp(ctl_answername(ans), "unknown") != 0,
	    "answer has a name");
	(void)ctl_typename(r.type);
	if (ans == T_SUCCESS) {
		FUZZ_ASSERT(r.vers == T_VERSION && r.type <= T_ANNOUNCE,
		    "accepted: version 1, known type");
		FUZZ_ASSERT(r.ctl_addr.sin_addr.s_addr ==
		    from.sin_addr.s_addr, "accepted: replies go to the source");
		FUZZ_ASSERT(valid_login(r.l_name, T_NAME_SIZE) &&
		    valid_login(r.r_name, T_NAME_SIZE), "accepted: names");
		/* As ask_tty() builds it: the parent must take it. */
		memset(&tr, 0, sizeof(tr));
		strlcpy(tr.user, r.r_name, sizeof(tr.user));
		strlcpy(tr.line, r.r_tty, sizeof(tr.line));
		FUZZ_ASSERT(tty_req_valid(&tr),
		    "an accepted request makes a terminal request the parent "
		    "accepts");
		/* The caller's host as the resolver or inet_ntoa gives it. */
		hl = size > CTL_MSG_SIZE + 4 ? size - CTL_MSG_SIZE - 4 : 0;
		if (hl > sizeof(rhost) - 1)
			hl = sizeof(rhost) - 1;
		memcpy(rhost, data + CTL_MSG_SIZE + (hl ? 4 : 0), hl);
		rhost[hl] = '\0';
		check_banner(&r, rhost);
	}

	memset(&rp, 0, sizeof(rp));
	rp.type = r.type;
	rp.answer = ans;
	rp.id_num = r.id_num;
	rp.addr = r.addr;
	ctl_build(&rp, out);
	FUZZ_ASSERT(out[0] == T_VERSION && out[1] == r.type && out[2] == ans &&
	    out[3] == 0, "reply header");
	FUZZ_ASSERT(((uint32_t)out[4] << 24 | (uint32_t)out[5] << 16 |
	    (uint32_t)out[6] << 8 | out[7]) == r.id_num, "reply id");
	FUZZ_ASSERT(out[8] == 0 && out[9] == AF_INET &&
	    memcmp(out + 10, &r.addr.sin_port, 2) == 0 &&
	    memcmp(out + 12, &r.addr.sin_addr, 4) == 0, "reply address");
	FUZZ_ASSERT(memcmp(out + 16, "\0\0\0\0\0\0\0\0", 8) == 0,
	    "reply: no stray bytes");
	return (0);
}
