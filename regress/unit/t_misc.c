/* Banner text, name checks, network lists, rate limits. */
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <time.h>

#include "names.h"
#include "netmask.h"
#include "ratelimit.h"
#include "talkd.h"
#include "unit.h"

static void
banner(void)
{
	char		 buf[1024], *p;
	struct tm	 tm;
	size_t		 n, i;
	int		 clean = 1;

	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 9;
	tm.tm_min = 5;
	n = banner_format(buf, sizeof(buf), "myhost", "alice", "remote", &tm);
	buf[n] = '\0';
	CHECK(strncmp(buf, "\a\r\n", 3) == 0, "banner starts BEL CR LF");
	CHECK(strstr(buf, "Message from Talk_Daemon@myhost at 9:05 ...") !=
	    NULL, "banner line 2");
	CHECK(strstr(buf, "talk: connection requested by alice@remote.") !=
	    NULL, "banner line 3");
	CHECK(strstr(buf, "talk: respond with:  talk alice@remote") != NULL,
	    "banner line 4");
	/* Five lines, each padded to the longest + 2, then CR LF. */
	p = strstr(buf, "Message");
	CHECK(p != NULL && p[strlen("Message from Talk_Daemon@myhost at 9:05 "
	    "...") + 2] == '\r', "longest line padded by two blanks");
	CHECK(strncmp(buf + 3, " ", 1) == 0 &&
	    strncmp(buf + n - 2, "\r\n", 2) == 0, "first and last line");

	n = banner_format(buf, sizeof(buf), "h", "x\033]0;pwned\a\x9b",
	    "r\033[2J", &tm);
	for (i = 3; i < n; i++)
		if (buf[i] == '\033' || buf[i] == '\a' ||
		    (unsigned char)buf[i] == 0x9b)
			clean = 0;
	CHECK(clean, "escape, BEL and CSI bytes made visible");
	CHECK(banner_format(buf, 100, "h", "u", "r", &tm) == 0,
	    "too small a buffer is refused");
}

static void
names(void)
{
	CHECK(valid_login("alice", 32) && valid_login("a.b-c_d", 32),
	    "good login names");
	CHECK(!valid_login("", 32) && !valid_login("-x", 32) &&
	    !valid_login("a/b", 32) && !valid_login("a b", 32) &&
	    !valid_login("abc", 2) && !valid_login("é", 32),
	    "bad login names");
	CHECK(valid_ttyline("pts/3") && valid_ttyline("tty1") &&
	    valid_ttyline("ttyS0"), "good tty lines");
	CHECK(!valid_ttyline("../etc/passwd") && !valid_ttyline("pts/../x") &&
	    !valid_ttyline("/dev/pts/1") && !valid_ttyline("pts/") &&
	    !valid_ttyline("") && !valid_ttyline("tty1/x"), "bad tty lines");
	CHECK(valid_hostname("host-1.example.org"), "good host name");
	CHECK(!valid_hostname("a/b") && !valid_hostname("..") &&
	    !valid_hostname(".x") && !valid_hostname("-x") &&
	    !valid_hostname("a..b") && !valid_hostname("a\033b"),
	    "bad host names");
}

static void
nets(void)
{
	struct netlist	l;
	struct in_addr	a;

	memset(&l, 0, sizeof(l));
	a.s_addr = inet_addr("192.0.2.9");
	CHECK(netlist_match(&l, a), "empty list allows all");
	CHECK(netlist_add(&l, "10.0.0.0/8") == 0 &&
	    netlist_add(&l, "127.0.0.1") == 0, "networks parse");
	CHECK(netlist_add(&l, "10.0.0.0/33") == -1 &&
	    netlist_add(&l, "10.0.0/8x") == -1 && netlist_add(&l, "") == -1,
	    "malformed networks refused");
	CHECK(!netlist_match(&l, a), "address outside the list refused");
	a.s_addr = inet_addr("10.200.1.1");
	CHECK(netlist_match(&l, a), "address inside a /8");
	a.s_addr = inet_addr("127.0.0.2");
	CHECK(!netlist_match(&l, a), "host entry is a /32");
}

static void
rates(void)
{
	struct rl_table	*t = rl_new(64, 1, 3);
	int		 i, n = 0;

	for (i = 0; i < 10; i++)
		n += rl_allow(t, 7, 100.0);
	CHECK(n == 3, "burst of 3 then refused");
	CHECK(rl_allow(t, 7, 101.1) && !rl_allow(t, 7, 101.2),
	    "one token per second refills");
	rl_free(t);
	/* One slot: every other key collides, and only ever gets more. */
	t = rl_new(1, 1, 3);
	for (i = 0; i < 3; i++)
		rl_allow(t, 7, 200.0);
	CHECK(!rl_allow(t, 7, 200.0), "key 7 exhausted");
	CHECK(rl_allow(t, 8, 200.0), "a colliding key starts with a full bucket");
	rl_free(t);
	t = rl_new(64, 0, 0);
	for (i = 0, n = 0; i < 1000; i++)
		n += rl_allow(t, 7, 100.0);
	CHECK(n == 1000, "rate 0 means no limit");
	rl_free(t);
}

int
main(void)
{
	banner();
	names();
	nets();
	rates();
	return (unit_failed);
}
