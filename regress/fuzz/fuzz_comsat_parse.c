/*
 * comsat: a datagram from the network through comsat_parse(), as the
 * engine does.  Properties:
 *
 *  - an accepted request is one the parent accepts (comsat_req_valid()):
 *    remote input must never make the parent stop the daemon;
 *  - the user is a login name, the offset is not negative, the mailbox
 *    name is printable ASCII of at most 1023 bytes;
 *  - printing the request in the BSD form and parsing it again gives
 *    the same request;
 *  - a refusal always says why.
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include "comsat.h"
#include "fuzz.h"
#include "names.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comsat_req	 r, r2;
	char			 again[COMSAT_DGRAM_MAX + 64];
	const char		*why = NULL;
	size_t			 i;
	int			 n;

	if (comsat_parse(data, size, &r, &why) == -1) {
		FUZZ_ASSERT(why != NULL && why[0] != '\0',
		    "a refusal says why");
		return (0);
	}
	FUZZ_ASSERT(size <= COMSAT_DGRAM_MAX, "accepted: not too long");
	FUZZ_ASSERT(comsat_req_valid(&r),
	    "an accepted datagram makes a request the parent accepts");
	FUZZ_ASSERT(valid_login(r.user, COMSAT_NAME_MAX), "accepted: user");
	FUZZ_ASSERT(r.offset >= 0, "accepted: offset");
	for (i = 0; r.path[i] != '\0'; i++)
		FUZZ_ASSERT(r.path[i] >= 0x20 && r.path[i] <= 0x7e,
		    "accepted: mailbox name printable");
	FUZZ_ASSERT(i <= COMSAT_PATH_MAX, "accepted: mailbox name length");

	n = snprintf(again, sizeof(again), "%s@%lld%s%s\n", r.user, r.offset,
	    r.path[0] != '\0' ? ":" : "", r.path);
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(again), "reprint fits");
	why = NULL;
	FUZZ_ASSERT(comsat_parse((const unsigned char *)again, n, &r2,
	    &why) == 0, "the reprinted request parses");
	FUZZ_ASSERT(strcmp(r.user, r2.user) == 0 && r.offset == r2.offset &&
	    strcmp(r.path, r2.path) == 0, "parse(print(r)) == r");
	return (0);
}
