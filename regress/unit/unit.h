/* Minimal test macros: each check prints PASS or FAIL with its name. */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

static int unit_failed;

#define CHECK(cond, name) do {						\
	if (cond)							\
		printf("PASS: %s\n", name);				\
	else {								\
		printf("FAIL: %s (%s:%d: %s)\n", name, __FILE__,	\
		    __LINE__, #cond);					\
		unit_failed = 1;					\
	}								\
} while (0)

#endif
