/* Token-bucket rate limits keyed by address or name; see ratelimit.h. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "ratelimit.h"

struct rl_slot {
	uint64_t	key;
	double		tokens;
	double		last;
	int		used;
};

struct rl_table {
	struct rl_slot	*slot;
	size_t		 nslots;
	double		 rate;		/* tokens per second; 0: no limit */
	double		 burst;
	uint64_t	 seed;
};

struct rl_table *
rl_new(size_t nslots, double rate, double burst)
{
	struct rl_table	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->slot = calloc(nslots, sizeof(*t->slot))) == NULL) {
		free(t);
		return (NULL);
	}
	t->nslots = nslots;
	t->rate = rate;
	t->burst = burst < 1 ? 1 : burst;
	arc4random_buf(&t->seed, sizeof(t->seed));
	return (t);
}

void
rl_free(struct rl_table *t)
{
	if (t == NULL)
		return;
	free(t->slot);
	free(t);
}

double
rl_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (x);
}

uint64_t
rl_key_str(const struct rl_table *t, const char *s)
{
	uint64_t	h = 1469598103934665603ULL ^ t->seed;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h);
}

/* 1 if one more event for key is allowed now, 0 if over the limit. */
int
rl_allow(struct rl_table *t, uint64_t key, double now)
{
	struct rl_slot	*s;

	if (t == NULL || t->rate <= 0)
		return (1);
	s = &t->slot[mix(key ^ t->seed) % t->nslots];
	if (!s->used || s->key != key) {
		s->used = 1;
		s->key = key;
		s->tokens = t->burst;
		s->last = now;
	}
	s->tokens += (now - s->last) * t->rate;
	if (s->tokens > t->burst)
		s->tokens = t->burst;
	s->last = now;
	if (s->tokens < 1)
		return (0);
	s->tokens -= 1;
	return (1);
}
