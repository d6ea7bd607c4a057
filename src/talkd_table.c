/*
 * The engine's invitation table.  Two hash tables (by caller/callee names
 * and by id) make every request O(1); a doubly linked list in order of
 * last use lets expiry stop at the first live entry.  An entry is unlinked
 * from all three structures before it is freed, and nothing keeps a
 * pointer to it afterwards, so expiry cannot touch freed memory (the bug
 * in netkit's in.ntalkd).
 */
#include <sys/types.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "talkd.h"

#define NBUCKETS	65536		/* power of two */

struct inv_table {
	struct invite	*by_name[NBUCKETS];
	struct invite	*by_id[NBUCKETS];
	struct invite	*oldest, *newest;
	size_t		 count, cap;
	uint32_t	 hashkey;	/* so buckets cannot be aimed at */
};

/* FNV-1a over both names, seeded with a random key. */
static uint32_t
name_hash(const struct inv_table *t, const char *a, const char *b)
{
	uint32_t h = 2166136261u ^ t->hashkey;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (; *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return (h & (NBUCKETS - 1));
}

static uint32_t
id_hash(uint32_t id)
{
	id ^= id >> 16;
	id *= 0x7feb352d;
	id ^= id >> 15;
	return (id & (NBUCKETS - 1));
}

struct inv_table *
inv_new(size_t cap)
{
	struct inv_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->cap = cap;
	t->hashkey = arc4random();
	return (t);
}

static void
unlink_entry(struct inv_table *t, struct invite *e)
{
	struct invite	**pp;

	pp = &t->by_name[name_hash(t, e->req.l_name, e->req.r_name)];
	for (; *pp != NULL; pp = &(*pp)->next_name)
		if (*pp == e) {
			*pp = e->next_name;
			break;
		}
	for (pp = &t->by_id[id_hash(e->id)]; *pp != NULL;
	    pp = &(*pp)->next_id)
		if (*pp == e) {
			*pp = e->next_id;
			break;
		}
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	t->count--;
}

static void
remove_entry(struct inv_table *t, struct invite *e)
{
	unlink_entry(t, e);
	free(e);
}

void
inv_free(struct inv_table *t)
{
	while (t->oldest != NULL)
		remove_entry(t, t->oldest);
	free(t);
}

/* Drop every entry not used for T_MAX_LIFE seconds. */
void
inv_expire(struct inv_table *t, time_t now)
{
	struct invite	*e;

	while ((e = t->oldest) != NULL && now - e->stamp > T_MAX_LIFE)
		remove_entry(t, e);
}

static void
append_newest(struct inv_table *t, struct invite *e)
{
	e->newer = NULL;
	e->older = t->newest;
	if (t->newest != NULL)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
}

/* LOOK_UP: an invitation left by the requester's callee for the requester. */
struct invite *
inv_find_match(struct inv_table *t, const char *l_name, const char *r_name)
{
	struct invite	*e;

	/* The invitation was left with l_name = callee, r_name = requester. */
	for (e = t->by_name[name_hash(t, r_name, l_name)]; e != NULL;
	    e = e->next_name)
		if (e->req.type == T_LEAVE_INVITE &&
		    strcmp(e->req.l_name, r_name) == 0 &&
		    strcmp(e->req.r_name, l_name) == 0)
			return (e);
	return (NULL);
}

/* The same request seen before: same type, names and caller pid. */
struct invite *
inv_find_dup(struct inv_table *t, const struct ctl_req *r)
{
	struct invite	*e;

	for (e = t->by_name[name_hash(t, r->l_name, r->r_name)]; e != NULL;
	    e = e->next_name)
		if (e->req.type == r->type && e->req.pid == r->pid &&
		    strcmp(e->req.l_name, r->l_name) == 0 &&
		    strcmp(e->req.r_name, r->r_name) == 0)
			return (e);
	return (NULL);
}

static struct invite *
find_id(struct inv_table *t, uint32_t id)
{
	struct invite	*e;

	for (e = t->by_id[id_hash(id)]; e != NULL; e = e->next_id)
		if (e->id == id)
			return (e);
	return (NULL);
}

/* A fresh id: random, never 0, unique among live entries. */
uint32_t
inv_newid(struct inv_table *t, struct invite *e)
{
	struct invite	**pp;
	uint32_t	  id;

	if (e->id != 0) {
		for (pp = &t->by_id[id_hash(e->id)]; *pp != NULL;
		    pp = &(*pp)->next_id)
			if (*pp == e) {
				*pp = e->next_id;
				break;
			}
	}
	/* Below 2^31, so the caller's "id + 1" re-announce never wraps. */
	do {
		id = arc4random() & 0x7fffffff;
	} while (id == 0 || find_id(t, id) != NULL);
	e->id = id;
	e->next_id = t->by_id[id_hash(id)];
	t->by_id[id_hash(id)] = e;
	return (id);
}

/* NULL when the table is full: the caller answers FAILED. */
struct invite *
inv_insert(struct inv_table *t, const struct ctl_req *r,
    struct in_addr owner, time_t now)
{
	struct invite	*e;
	uint32_t	 h;

	if (t->count >= t->cap)
		return (NULL);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (NULL);
	e->req = *r;
	e->owner = owner;
	e->stamp = now;
	h = name_hash(t, r->l_name, r->r_name);
	e->next_name = t->by_name[h];
	t->by_name[h] = e;
	inv_newid(t, e);
	append_newest(t, e);
	t->count++;
	return (e);
}

/* A use keeps an invitation alive: move it to the young end. */
void
inv_refresh(struct inv_table *t, struct invite *e, time_t now)
{
	e->stamp = now;
	if (t->newest == e)
		return;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	e->newer->older = e->older;
	append_newest(t, e);
}

/* DELETE: only the address that left an invitation may remove it. */
int
inv_delete(struct inv_table *t, uint32_t id, struct in_addr from)
{
	struct invite	*e;

	if ((e = find_id(t, id)) == NULL)
		return (T_NOT_HERE);
	if (e->owner.s_addr != from.s_addr)
		return (T_PERMISSION_DENIED);
	remove_entry(t, e);
	return (T_SUCCESS);
}

size_t
inv_count(const struct inv_table *t)
{
	return (t->count);
}
