/*
 * CTL_MSG decoding and CTL_RESPONSE encoding, checked byte by byte
 * against glibc's <protocols/talkd.h> structures.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <protocols/talkd.h>

#include <stddef.h>
#include <string.h>

#include "talkd.h"
#include "unit.h"

static void
layout(void)
{
	CHECK(sizeof(CTL_MSG) == CTL_MSG_SIZE, "CTL_MSG is 84 bytes");
	CHECK(sizeof(CTL_RESPONSE) == CTL_RESP_SIZE,
	    "CTL_RESPONSE is 24 bytes");
	CHECK(offsetof(CTL_MSG, id_num) == 4 && offsetof(CTL_MSG, addr) == 8 &&
	    offsetof(CTL_MSG, ctl_addr) == 24 && offsetof(CTL_MSG, pid) == 40 &&
	    offsetof(CTL_MSG, l_name) == 44 && offsetof(CTL_MSG, r_name) == 56 &&
	    offsetof(CTL_MSG, r_tty) == 68, "CTL_MSG offsets match glibc");
	CHECK(NAME_SIZE == T_NAME_SIZE && TTY_SIZE == T_TTY_SIZE &&
	    MAX_LIFE == T_MAX_LIFE && ANNOUNCE == T_ANNOUNCE &&
	    BADCTLADDR == T_BADCTLADDR, "constants match glibc");
}

static void
fill(CTL_MSG *m)
{
	struct sockaddr_in	*sin;

	memset(m, 0, sizeof(*m));
	m->vers = TALK_VERSION;
	m->type = ANNOUNCE;
	m->id_num = htonl(0x01020304);
	sin = (struct sockaddr_in *)&m->addr;
	m->addr.sa_family = htons(AF_INET);
	sin->sin_port = htons(4000);
	sin->sin_addr.s_addr = inet_addr("10.1.2.3");
	sin = (struct sockaddr_in *)&m->ctl_addr;
	m->ctl_addr.sa_family = htons(AF_INET);
	sin->sin_port = htons(5000);
	sin->sin_addr.s_addr = inet_addr("10.1.2.4");
	m->pid = htonl(777);
	memcpy(m->l_name, "alice", 5);
	memcpy(m->r_name, "bob", 3);
	memcpy(m->r_tty, "pts/1", 5);
}

static void
parse(void)
{
	CTL_MSG			 m;
	struct ctl_req		 r;
	struct sockaddr_in	 from;

	fill(&m);
	CHECK(ctl_parse((unsigned char *)&m, sizeof(m), &r) == 0,
	    "parse 84 bytes");
	CHECK(r.vers == 1 && r.type == T_ANNOUNCE && r.id_num == 0x01020304 &&
	    r.pid == 777, "parse header fields");
	CHECK(r.addr_family == AF_INET && ntohs(r.addr.sin_port) == 4000 &&
	    r.addr.sin_addr.s_addr == inet_addr("10.1.2.3"), "parse addr");
	CHECK(r.ctl_family == AF_INET && ntohs(r.ctl_addr.sin_port) == 5000 &&
	    r.ctl_addr.sin_addr.s_addr == inet_addr("10.1.2.4"),
	    "parse ctl_addr");
	CHECK(strcmp(r.l_name, "alice") == 0 && strcmp(r.r_name, "bob") == 0 &&
	    strcmp(r.r_tty, "pts/1") == 0, "parse names");
	CHECK(ctl_parse((unsigned char *)&m, 83, &r) == -1, "83 bytes refused");
	CHECK(ctl_parse((unsigned char *)&m, 0, &r) == -1, "0 bytes refused");

	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	from.sin_addr.s_addr = inet_addr("10.1.2.4");
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_SUCCESS, "valid request accepted");
	from.sin_addr.s_addr = inet_addr("10.9.9.9");
	CHECK(ctl_validate(&r, &from) == T_BADCTLADDR,
	    "ctl_addr differing from the source refused");
	from.sin_addr.s_addr = inet_addr("10.1.2.4");

	memset(m.l_name, 'A', sizeof(m.l_name));	/* no NUL at all */
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(strlen(r.l_name) == NAME_SIZE - 1, "l_name NUL-forced");
	fill(&m);
	memcpy(m.l_name, "a\033[2J", 5);
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_FAILED, "escape in l_name refused");
	fill(&m);
	memcpy(m.r_tty, "../etc/passwd", 13);
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_FAILED, "r_tty with ../ refused");
	fill(&m);
	m.vers = 2;
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_BADVERSION, "version 2 refused");
	fill(&m);
	m.type = 4;
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_UNKNOWN_REQUEST, "type 4 refused");
	fill(&m);
	m.ctl_addr.sa_family = AF_INET;		/* host order: 02 00 */
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_BADCTLADDR,
	    "little-endian ctl_addr family refused");
	fill(&m);
	m.addr.sa_family = htons(AF_INET6);
	ctl_parse((unsigned char *)&m, sizeof(m), &r);
	CHECK(ctl_validate(&r, &from) == T_BADADDR, "addr family 10 refused");
}

static void
build(void)
{
	CTL_RESPONSE		 ref;
	struct ctl_resp		 rp;
	struct sockaddr_in	*sin;
	unsigned char		 out[CTL_RESP_SIZE];

	memset(&rp, 0, sizeof(rp));
	rp.type = T_LOOK_UP;
	rp.answer = T_SUCCESS;
	rp.id_num = 0xdeadbeef;
	rp.addr.sin_family = AF_INET;
	rp.addr.sin_port = htons(1234);
	rp.addr.sin_addr.s_addr = inet_addr("192.0.2.7");
	memset(out, 0xaa, sizeof(out));
	ctl_build(&rp, out);

	memset(&ref, 0, sizeof(ref));
	ref.vers = TALK_VERSION;
	ref.type = LOOK_UP;
	ref.answer = SUCCESS;
	ref.id_num = htonl(0xdeadbeef);
	ref.addr.sa_family = htons(AF_INET);
	sin = (struct sockaddr_in *)&ref.addr;
	sin->sin_port = htons(1234);
	sin->sin_addr.s_addr = inet_addr("192.0.2.7");
	CHECK(memcmp(out, &ref, sizeof(out)) == 0,
	    "LOOK_UP reply equals glibc CTL_RESPONSE byte for byte");

	memset(&rp, 0, sizeof(rp));
	rp.type = T_ANNOUNCE;
	rp.answer = T_NOT_HERE;
	memset(out, 0xaa, sizeof(out));
	ctl_build(&rp, out);
	CHECK(out[0] == 1 && out[1] == 3 && out[2] == 1 && out[3] == 0,
	    "reply header");
	CHECK(memcmp(out + 4, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    20) == 0, "unused reply bytes are zero");
}

int
main(void)
{
	layout();
	parse();
	build();
	return (unit_failed);
}
