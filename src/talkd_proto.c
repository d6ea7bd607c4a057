/*
 * ntalk (version 1) CTL_MSG decoding and CTL_RESPONSE encoding.  Runs in
 * the engine on bytes straight from the network.  Fields are read at
 * fixed offsets rather than by overlaying <protocols/talkd.h>, so the
 * layout is explicit; regress/t_talkd_proto.c checks it against glibc's
 * header.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "names.h"
#include "talkd.h"

/* Offsets in the 84-byte CTL_MSG. */
#define OFF_VERS	0
#define OFF_TYPE	1
#define OFF_ID		4
#define OFF_ADDR	8
#define OFF_CTLADDR	24
#define OFF_PID		40
#define OFF_LNAME	44
#define OFF_RNAME	56
#define OFF_RTTY	68

static uint32_t
get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* 4.3BSD osockaddr: family big-endian, port and address network order. */
static void
get_osockaddr(const unsigned char *p, struct sockaddr_in *sin, uint16_t *fam)
{
	*fam = (uint16_t)(p[0] << 8 | p[1]);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_port, p + 2, 2);
	memcpy(&sin->sin_addr, p + 4, 4);
}

static void
put_osockaddr(unsigned char *p, const struct sockaddr_in *sin)
{
	memset(p, 0, 16);
	if (sin->sin_family != AF_INET)
		return;
	p[0] = 0;
	p[1] = AF_INET;
	memcpy(p + 2, &sin->sin_port, 2);
	memcpy(p + 4, &sin->sin_addr, 4);
}

/* Copy a fixed-size field and force termination, as the BSDs do. */
static void
get_string(char *dst, const unsigned char *src, size_t size)
{
	memcpy(dst, src, size);
	dst[size] = '\0';
	dst[size - 1] = '\0';
}

/* Returns 0 on success, -1 if the datagram is not a CTL_MSG at all. */
int
ctl_parse(const unsigned char *buf, size_t len, struct ctl_req *r)
{
	memset(r, 0, sizeof(*r));
	if (len != CTL_MSG_SIZE)
		return (-1);
	r->vers = buf[OFF_VERS];
	r->type = buf[OFF_TYPE];
	r->id_num = get32(buf + OFF_ID);
	get_osockaddr(buf + OFF_ADDR, &r->addr, &r->addr_family);
	get_osockaddr(buf + OFF_CTLADDR, &r->ctl_addr, &r->ctl_family);
	r->pid = (int32_t)get32(buf + OFF_PID);
	get_string(r->l_name, buf + OFF_LNAME, T_NAME_SIZE);
	get_string(r->r_name, buf + OFF_RNAME, T_NAME_SIZE);
	get_string(r->r_tty, buf + OFF_RTTY, T_TTY_SIZE);
	return (0);
}

/*
 * Check a decoded request against the datagram's real source.  Returns
 * T_SUCCESS or the answer code to send back.
 */
int
ctl_validate(const struct ctl_req *r, const struct sockaddr_in *from)
{
	if (r->vers != T_VERSION)
		return (T_BADVERSION);
	if (r->type > T_ANNOUNCE)
		return (T_UNKNOWN_REQUEST);
	if (r->ctl_family != AF_INET)
		return (T_BADCTLADDR);
	/* Replies go to the source; a packet claiming another is refused. */
	if (r->ctl_addr.sin_addr.s_addr != from->sin_addr.s_addr)
		return (T_BADCTLADDR);
	if (r->addr_family != AF_INET)
		return (T_BADADDR);
	if (!valid_login(r->l_name, T_NAME_SIZE - 1) ||
	    !valid_login(r->r_name, T_NAME_SIZE - 1))
		return (T_FAILED);
	if (r->r_tty[0] != '\0' && !valid_ttyline(r->r_tty))
		return (T_FAILED);
	return (T_SUCCESS);
}

/*
 * The parent's check of a terminal request from the engine, before it
 * reads utmp for it: both fields NUL-terminated inside the struct, the
 * user a login name, the line empty or a tty line.  Pure, so the same
 * code the parent runs is what regress/fuzz/fuzz_parent_checks.c fuzzes.
 */
int
tty_req_valid(const struct tty_req *req)
{
	if (memchr(req->user, '\0', sizeof(req->user)) == NULL ||
	    memchr(req->line, '\0', sizeof(req->line)) == NULL)
		return (0);
	if (!valid_login(req->user, TTY_USER_MAX))
		return (0);
	return (req->line[0] == '\0' || valid_ttyline(req->line));
}

/* Encode a 24-byte CTL_RESPONSE; every byte not set is zero. */
void
ctl_build(const struct ctl_resp *rp, unsigned char *out)
{
	memset(out, 0, CTL_RESP_SIZE);
	out[0] = T_VERSION;
	out[1] = rp->type;
	out[2] = rp->answer;
	put32(out + 4, rp->id_num);
	put_osockaddr(out + 8, &rp->addr);
}

const char *
ctl_typename(unsigned int t)
{
	static const char *names[] = {
		"LEAVE_INVITE", "LOOK_UP", "DELETE", "ANNOUNCE"
	};

	return (t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown");
}

const char *
ctl_answername(unsigned int a)
{
	static const char *names[] = {
		"SUCCESS", "NOT_HERE", "FAILED", "MACHINE_UNKNOWN",
		"PERMISSION_DENIED", "UNKNOWN_REQUEST", "BADVERSION",
		"BADADDR", "BADCTLADDR"
	};

	return (a < sizeof(names) / sizeof(names[0]) ? names[a] : "unknown");
}
