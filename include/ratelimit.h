/*
 * Token buckets in a fixed table: memory stays bounded however many
 * distinct keys (addresses, user names) a flood brings.  Two keys that
 * land on the same slot take it from each other; that only ever resets a
 * bucket to full for the newcomer, which a flood of distinct keys could
 * get anyway.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct rl_table;

struct rl_table	*rl_new(size_t, double, double);
void		 rl_free(struct rl_table *);
int		 rl_allow(struct rl_table *, uint64_t, double);
uint64_t	 rl_key_str(const struct rl_table *, const char *);
double		 rl_now(void);

#endif
