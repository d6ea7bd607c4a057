/* The invitation table: matching, duplicates, ids, expiry, cap, owners. */
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "talkd.h"
#include "unit.h"

static struct ctl_req
req(int type, const char *l, const char *r, int pid)
{
	struct ctl_req	q;

	memset(&q, 0, sizeof(q));
	q.vers = 1;
	q.type = type;
	q.pid = pid;
	strlcpy(q.l_name, l, sizeof(q.l_name));
	strlcpy(q.r_name, r, sizeof(q.r_name));
	return (q);
}

static double
since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9);
}

int
main(void)
{
	struct inv_table	*t;
	struct invite		*e, *e2;
	struct ctl_req		 q, q2;
	struct in_addr		 a, b;
	struct timespec		 t0;
	char			 l[16], r[16];
	uint32_t		 id, id2, prev;
	int			 i, ok, hits;
	double			 small = 0, big = 0;

	a.s_addr = inet_addr("10.0.0.1");
	b.s_addr = inet_addr("10.0.0.2");
	t = inv_new(100);
	q = req(T_LEAVE_INVITE, "alice", "bob", 1);
	e = inv_insert(t, &q, a, 1000);
	CHECK(e != NULL && e->id != 0, "insert gives a non-zero id");
	CHECK(inv_find_match(t, "bob", "alice") == e,
	    "LOOK_UP by callee finds the invitation");
	CHECK(inv_find_match(t, "alice", "bob") == NULL,
	    "LOOK_UP in the wrong direction finds nothing");
	CHECK(inv_find_dup(t, &q) == e, "same request is a duplicate");
	q.pid = 2;
	CHECK(inv_find_dup(t, &q) == NULL, "another pid is not a duplicate");
	id = e->id;
	CHECK(inv_delete(t, id, b) == T_PERMISSION_DENIED &&
	    inv_count(t) == 1, "DELETE from another address refused");
	CHECK(inv_delete(t, id, a) == T_SUCCESS && inv_count(t) == 0,
	    "DELETE from the owner removes");
	CHECK(inv_delete(t, id, a) == T_NOT_HERE, "second DELETE: NOT_HERE");

	/* Expiry: 60 s after the last use, and no earlier. */
	q = req(T_ANNOUNCE, "carol", "dave", 3);
	e = inv_insert(t, &q, a, 1000);
	q2 = req(T_ANNOUNCE, "erin", "frank", 4);
	e2 = inv_insert(t, &q2, a, 1030);
	id2 = e2->id;
	inv_refresh(t, e, 1040);	/* carol's is now the younger one */
	inv_expire(t, 1090);
	CHECK(inv_count(t) == 2, "nothing expires within 60 s of last use");
	inv_expire(t, 1095);
	CHECK(inv_count(t) == 1 && inv_find_dup(t, &q) == e &&
	    inv_find_dup(t, &q2) == NULL,
	    "refreshed entry outlives an older one; the older one expired");
	inv_expire(t, 2000);
	CHECK(inv_count(t) == 0, "all expired");
	/* A request after expiry must not touch freed memory (ASan run). */
	CHECK(inv_find_dup(t, &q) == NULL && inv_find_dup(t, &q2) == NULL &&
	    inv_delete(t, id2, a) == T_NOT_HERE,
	    "requests after expiry are safe (run under ASan too)");

	/* Ids: unique and not sequential. */
	ok = 1;
	prev = 0;
	for (i = 0; i < 50; i++) {
		snprintf(l, sizeof(l), "u%d", i);
		q = req(T_LEAVE_INVITE, l, "z", i);
		e = inv_insert(t, &q, a, 3000);
		if (e == NULL || e->id == prev + 1 || e->id > 0x7fffffff)
			ok = 0;
		prev = e != NULL ? e->id : 0;
	}
	CHECK(ok, "ids are not sequential and leave room for id+1");
	for (i = 50; i < 100; i++) {
		snprintf(l, sizeof(l), "u%d", i);
		q = req(T_LEAVE_INVITE, l, "z", i);
		inv_insert(t, &q, a, 3000);
	}
	q = req(T_LEAVE_INVITE, "over", "cap", 1);
	CHECK(inv_count(t) == 100 && inv_insert(t, &q, a, 3000) == NULL,
	    "hard cap refuses the 101st invitation");
	inv_free(t);

	/* Lookups stay O(1): 10 vs 50,000 entries. */
	for (i = 0; i < 2; i++) {
		int n = i == 0 ? 10 : 50000, k;

		t = inv_new(100000);
		for (k = 0; k < n; k++) {
			snprintf(l, sizeof(l), "c%d", k);
			snprintf(r, sizeof(r), "d%d", k);
			q = req(T_LEAVE_INVITE, l, r, k);
			inv_insert(t, &q, a, 5000);
		}
		hits = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (k = 0; k < 200000; k++) {
			snprintf(l, sizeof(l), "c%d", k % n);
			snprintf(r, sizeof(r), "d%d", k % n);
			hits += inv_find_match(t, r, l) != NULL;
		}
		if (i == 0)
			small = since(&t0);
		else
			big = since(&t0);
		CHECK(hits == 200000, i == 0 ? "10 entries: every lookup hits" :
		    "50,000 entries: every lookup hits");
		inv_free(t);
	}
	printf("# 200k lookups: %.3fs with 10 entries, %.3fs with 50,000\n",
	    small, big);
	CHECK(big < small * 5 + 0.05, "lookup time does not grow with size");
	return (unit_failed);
}
