/*
 * The rwho status packet (src/rwhod_packet.c): layout against glibc's
 * <protocols/rwhod.h>, decoding to host order, every refusal, the
 * canonical form the parent re-checks, times past 2038, and a bounded
 * fuzz run whose every accepted packet must pass the parent's check.
 */
#include <sys/types.h>
#include <protocols/rwhod.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rwhod.h"
#include "unit.h"

#define NOW	0x65000000U

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A wire packet with n entries, as a BSD rwhod would send it. */
static size_t
mkpkt(unsigned char *buf, const char *host, size_t n)
{
	unsigned char	*e;
	size_t		 i;

	memset(buf, 0, WHOD_MAXSIZE + 64);
	buf[0] = 1;
	buf[1] = 1;
	put32(buf + 4, 0x64000000);
	put32(buf + 8, 0xdeadbeef);	/* receivers must ignore it */
	memcpy(buf + 12, host, strlen(host));
	put32(buf + 44, 12);
	put32(buf + 48, 345);
	put32(buf + 52, 6789);
	put32(buf + 56, 0x63000000);
	for (i = 0; i < n; i++) {
		e = buf + 60 + 24 * i;
		memcpy(e, "pts/1", 5);
		memcpy(e + 8, "alice", 5);
		e[13] = '0' + i % 10;
		put32(e + 16, 0x64000000 - i);
		put32(e + 20, 60 * i);
	}
	return (60 + 24 * n);
}

static void
layout(void)
{
	struct whod	g;

	CHECK(sizeof(struct whod_pkt) == sizeof(struct whod),
	    "struct size equals glibc struct whod (1068)");
	CHECK(offsetof(struct whod_pkt, wd_vers) == offsetof(struct whod,
	    wd_vers) && offsetof(struct whod_pkt, wd_type) ==
	    offsetof(struct whod, wd_type) && offsetof(struct whod_pkt,
	    wd_pad) == offsetof(struct whod, wd_pad),
	    "version, type, pad at glibc's offsets");
	CHECK(offsetof(struct whod_pkt, wd_sendtime) == offsetof(struct whod,
	    wd_sendtime) && offsetof(struct whod_pkt, wd_recvtime) ==
	    offsetof(struct whod, wd_recvtime), "times at glibc's offsets");
	CHECK(offsetof(struct whod_pkt, wd_hostname) == offsetof(struct whod,
	    wd_hostname) && sizeof(((struct whod_pkt *)0)->wd_hostname) ==
	    sizeof(g.wd_hostname), "host name at glibc's offset and size");
	CHECK(offsetof(struct whod_pkt, wd_loadav) == offsetof(struct whod,
	    wd_loadav) && offsetof(struct whod_pkt, wd_boottime) ==
	    offsetof(struct whod, wd_boottime), "load, boot time at glibc's "
	    "offsets");
	CHECK(offsetof(struct whod_pkt, wd_we) == offsetof(struct whod,
	    wd_we) && offsetof(struct whod, wd_we) == WHOD_HDRSIZE,
	    "entries start at 60");
	CHECK(sizeof(struct whod_ent) == sizeof(g.wd_we[0]) &&
	    sizeof(g.wd_we) / sizeof(g.wd_we[0]) == WHOD_MAXENT,
	    "24-byte entries, 42 of them");
	CHECK(offsetof(struct whod_ent, out_name) ==
	    offsetof(struct whoent, we_utmp.out_name) &&
	    offsetof(struct whod_ent, out_time) ==
	    offsetof(struct whoent, we_utmp.out_time) &&
	    offsetof(struct whod_ent, we_idle) ==
	    offsetof(struct whoent, we_idle),
	    "entry fields at glibc's offsets");
}

static void
decode(void)
{
	unsigned char	buf[WHOD_MAXSIZE + 64], out[WHOD_MAXSIZE];
	struct whod_pkt	wd;
	size_t		len, rl = 0;

	len = mkpkt(buf, "alpha", 3);
	CHECK(whod_decode(buf, len, &wd, &rl, NOW) == WHOD_OK && rl == len,
	    "good packet with 3 entries accepted");
	CHECK(wd.wd_sendtime == 0x64000000 && wd.wd_recvtime == NOW &&
	    wd.wd_boottime == 0x63000000, "times in host order, recvtime ours");
	CHECK(wd.wd_loadav[0] == 12 && wd.wd_loadav[1] == 345 &&
	    wd.wd_loadav[2] == 6789, "load averages in host order");
	CHECK(strcmp(wd.wd_hostname, "alpha") == 0, "host name");
	CHECK(memcmp(wd.wd_we[2].out_line, "pts/1\0\0\0", 8) == 0 &&
	    memcmp(wd.wd_we[2].out_name, "alice2\0\0", 8) == 0 &&
	    wd.wd_we[2].out_time == 0x64000000 - 2 &&
	    wd.wd_we[2].we_idle == 120, "entry 2 in host order");
	CHECK(whod_check(&wd, rl) == WHOD_OK, "decoded record passes the "
	    "parent's check");
	CHECK(whod_encode(&wd, rl, out) == len && out[8] == 0 &&
	    memcmp(out, buf, 8) == 0 && memcmp(out + 12, buf + 12,
	    len - 12) == 0,
	    "encode(decode(p)) == p, recvtime zero on the wire");

	len = mkpkt(buf, "b", 0);
	CHECK(whod_decode(buf, len, &wd, &rl, NOW) == WHOD_OK && rl == 60,
	    "no users: 60 bytes");
	len = mkpkt(buf, "b", WHOD_MAXENT);
	CHECK(whod_decode(buf, len, &wd, &rl, NOW) == WHOD_OK && rl == 1068,
	    "42 users: 1068 bytes");

	/* Garbage after the NUL is not kept. */
	len = mkpkt(buf, "gamma", 1);
	memcpy(buf + 12 + 6, "junk", 4);
	buf[2] = 0x55;
	memcpy(buf + 60 + 6, "\x01\x02", 2);
	CHECK(whod_decode(buf, len, &wd, &rl, NOW) == WHOD_OK &&
	    memcmp(wd.wd_hostname, "gamma\0\0\0\0\0\0", 11) == 0 &&
	    wd.wd_pad[0] == 0 && memcmp(wd.wd_we[0].out_line, "pts/1\0\0\0",
	    8) == 0, "bytes after a NUL and the pad are zeroed");

	/* Past 2038: 32-bit times are unsigned. */
	len = mkpkt(buf, "late", 1);
	put32(buf + 4, 0xF0000000U);
	put32(buf + 60 + 16, 0x90000000U);
	CHECK(whod_decode(buf, len, &wd, &rl, 0x80000001U) == WHOD_OK &&
	    wd.wd_sendtime == 0xF0000000U && wd.wd_recvtime == 0x80000001U &&
	    wd.wd_we[0].out_time == 0x90000000U, "times after 2038 kept "
	    "unsigned");
}

static int
refuse(const unsigned char *buf, size_t len, int want)
{
	struct whod_pkt	wd;
	size_t		rl = 0;

	return (whod_decode(buf, len, &wd, &rl, NOW) == want);
}

static int
refuse_host(const char *host)
{
	unsigned char	buf[WHOD_MAXSIZE + 64];
	size_t		len;

	len = mkpkt(buf, host, 1);
	return (refuse(buf, len, WHOD_BADHOST));
}

static void
refusals(void)
{
	unsigned char	buf[WHOD_MAXSIZE + 64];
	size_t		len;

	len = mkpkt(buf, "alpha", 2);
	CHECK(refuse(buf, 0, WHOD_SHORT) && refuse(buf, 59, WHOD_SHORT),
	    "short: 0 and 59 bytes");
	CHECK(refuse(buf, 61, WHOD_PARTIAL) && refuse(buf, 60 + 24 + 5,
	    WHOD_PARTIAL) && refuse(buf, len - 1, WHOD_PARTIAL),
	    "truncated entry");
	mkpkt(buf, "alpha", WHOD_MAXENT);
	CHECK(refuse(buf, WHOD_MAXSIZE + 24, WHOD_LONG) &&
	    refuse(buf, WHOD_MAXSIZE + 1, WHOD_LONG), "n > 42 and 1069 bytes");
	len = mkpkt(buf, "alpha", 2);
	buf[0] = 2;
	CHECK(refuse(buf, len, WHOD_BADVERS), "version 2");
	buf[0] = 1;
	buf[1] = 0;
	CHECK(refuse(buf, len, WHOD_BADTYPE), "type 0");
	buf[1] = 1;
	memset(buf + 12, 'a', 32);
	CHECK(refuse(buf, len, WHOD_HOSTNUL), "host name fills its field");
	CHECK(refuse_host("") && refuse_host("a/b") && refuse_host("..") &&
	    refuse_host("a..b") && refuse_host(".a") && refuse_host("-a"),
	    "empty, '/', '..', leading '.' or '-' refused");
	CHECK(refuse_host("a b") && refuse_host("a\033[2J") &&
	    refuse_host("\xc3\xa9t\xc3\xa9") && refuse_host("a_b"),
	    "blank, escape, non-ASCII, '_' refused");
	CHECK(!refuse_host("host-1.example") && !refuse_host("A9"),
	    "letters, digits, '-', '.' accepted");

	len = mkpkt(buf, "alpha", 2);
	buf[60 + 24 + 9] = '\033';
	CHECK(refuse(buf, len, WHOD_BADENT), "escape in a user name");
	len = mkpkt(buf, "alpha", 2);
	buf[60 + 2] = ' ';
	CHECK(refuse(buf, len, WHOD_BADENT), "blank in a line");
	len = mkpkt(buf, "alpha", 2);
	buf[60 + 8] = '\0';
	CHECK(refuse(buf, len, WHOD_BADENT), "empty user name");
	len = mkpkt(buf, "alpha", 2);
	buf[60 + 24 + 3] = 0x7f;
	CHECK(refuse(buf, len, WHOD_BADENT), "DEL in a line");
	len = mkpkt(buf, "alpha", 1);
	memcpy(buf + 60 + 8, "12345678", 8);
	CHECK(refuse(buf, len, WHOD_OK), "8-byte name without NUL accepted");
}

static void
check_canon(void)
{
	unsigned char	buf[WHOD_MAXSIZE + 64];
	struct whod_pkt	wd, bad;
	size_t		len, rl;

	len = mkpkt(buf, "alpha", 2);
	whod_decode(buf, len, &wd, &rl, NOW);
	bad = wd;
	bad.wd_pad[1] = 1;
	CHECK(whod_check(&bad, rl) == WHOD_NOTCANON, "check: pad not zero");
	bad = wd;
	bad.wd_hostname[20] = 'x';
	CHECK(whod_check(&bad, rl) == WHOD_NOTCANON, "check: host name "
	    "padding not zero");
	bad = wd;
	bad.wd_we[1].out_name[7] = 'x';
	CHECK(whod_check(&bad, rl) == WHOD_NOTCANON, "check: name padding "
	    "not zero");
	bad = wd;
	strcpy(bad.wd_hostname, "../x");
	CHECK(whod_check(&bad, rl) == WHOD_BADHOST, "check: ../x");
	bad = wd;
	memset(bad.wd_hostname, 'a', sizeof(bad.wd_hostname));
	CHECK(whod_check(&bad, rl) == WHOD_HOSTNUL, "check: no NUL");
	CHECK(whod_check(&wd, rl + 1) == WHOD_PARTIAL &&
	    whod_check(&wd, 12) == WHOD_SHORT &&
	    whod_check(&wd, 60 + 24 * 43) == WHOD_LONG, "check: lengths");
	bad = wd;
	bad.wd_vers = 0;
	CHECK(whod_check(&bad, rl) == WHOD_BADVERS, "check: version");
	bad = wd;
	bad.wd_we[0].out_line[0] = '\n';
	CHECK(whod_check(&bad, rl) == WHOD_BADENT, "check: newline in line");
}

static void
names(void)
{
	char	f[8];

	whod_setname(f, sizeof(f), "pts/12345", 32);
	CHECK(memcmp(f, "pts/1234", 8) == 0, "setname truncates to 8, no NUL");
	memset(f, 'z', sizeof(f));
	whod_setname(f, sizeof(f), "ab", 32);
	CHECK(memcmp(f, "ab\0\0\0\0\0\0", 8) == 0, "setname zero-fills");
	whod_setname(f, sizeof(f), "abcdef", 3);
	CHECK(memcmp(f, "abc\0\0\0\0\0", 8) == 0, "setname stops at srclen");
	CHECK(strcmp(whod_strerror(WHOD_BADHOST), "unknown error") != 0 &&
	    strcmp(whod_strerror(WHOD_NOTCANON), "unknown error") != 0 &&
	    strcmp(whod_strerror(99), "unknown error") == 0, "strerror");
}

/*
 * Bounded fuzz, fixed seed: random datagrams and mutated good ones.
 * Whatever the decoder accepts must pass the parent's check, so the
 * engine can never hand over a record the parent refuses.
 */
static void
fuzz(void)
{
	unsigned char	buf[WHOD_MAXSIZE + 64], m[WHOD_MAXSIZE + 64];
	struct whod_pkt	wd;
	size_t		len, rl, i, j;
	int		accepted = 0, bad = 0, mut;

	srandom(513);
	for (i = 0; i < 20000; i++) {
		if (i % 2 == 0) {
			len = random() % (WHOD_MAXSIZE + 40);
			for (j = 0; j < len; j++)
				m[j] = random();
			if (i % 4 == 0 && len >= 2)
				m[0] = m[1] = 1;
		} else {
			len = mkpkt(buf, "fuzz", random() % 43);
			memcpy(m, buf, len);
			for (mut = random() % 4; mut >= 0; mut--)
				m[random() % len] = random();
		}
		if (whod_decode(m, len, &wd, &rl, NOW) != WHOD_OK)
			continue;
		accepted++;
		if (whod_check(&wd, rl) != WHOD_OK || rl != len)
			bad++;
	}
	CHECK(accepted > 1000 && bad == 0, "fuzz: every accepted packet "
	    "passes the parent's check");
}

int
main(void)
{
	layout();
	decode();
	refusals();
	check_canon();
	names();
	fuzz();
	return (unit_failed);
}
