/*
 * Shared by the libFuzzer harnesses in this directory.  A harness checks
 * properties, not only the absence of crashes: FUZZ_ASSERT() aborts, so
 * libFuzzer saves the input as a crash reproducer.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s (%s)\n",	\
		    __FILE__, __LINE__, (what), #cond);			\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
