/*
 * rwhod: a status datagram from the network through whod_decode(), as
 * the engine does.  Properties:
 *
 *  - an accepted packet is 60 + 24n bytes, n <= 42;
 *  - the record it yields passes the parent's whod_check(): remote input
 *    must never make the parent stop the daemon;
 *  - the spool file name "whod." + host name cannot leave the spool
 *    directory or collide with the temporary files;
 *  - encoding the record and decoding it again gives the same record, and
 *    the encoding is the datagram with its unused bytes zeroed.
 */
#include <sys/types.h>

#include <string.h>

#include "fuzz.h"
#include "names.h"
#include "rwhod.h"

/* The datagram as whod_encode() must give it back: unused bytes zero. */
static void
normalise(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t	i, j, n, off;

	memcpy(out, in, len);
	out[2] = out[3] = 0;			/* pad */
	memset(out + 8, 0, 4);			/* recvtime: the receiver's */
	for (i = 12; i < 12 + WHOD_HOSTSIZE && out[i] != '\0'; i++)
		;
	memset(out + i, 0, 12 + WHOD_HOSTSIZE - i);
	n = (len - WHOD_HDRSIZE) / WHOD_ENTSIZE;
	for (j = 0; j < n; j++) {
		for (off = 0; off < 16; off += WHOD_NAMESIZE) {
			unsigned char *f = out + WHOD_LEN(j) + off;

			for (i = 0; i < WHOD_NAMESIZE && f[i] != '\0'; i++)
				;
			memset(f + i, 0, WHOD_NAMESIZE - i);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 enc[WHOD_MAXSIZE], want[WHOD_MAXSIZE];
	struct whod_pkt		 wd, wd2;
	const char		*host;
	size_t			 reclen = 0, reclen2 = 0, i, n;
	int			 rv;

	rv = whod_decode(data, size, &wd, &reclen, 0x7fffffffU);
	FUZZ_ASSERT(strcmp(whod_strerror(rv), "unknown error") != 0,
	    "every result has a reason");
	if (rv != WHOD_OK)
		return (0);
	FUZZ_ASSERT(reclen == size && size >= WHOD_HDRSIZE &&
	    size <= WHOD_MAXSIZE &&
	    (size - WHOD_HDRSIZE) % WHOD_ENTSIZE == 0, "accepted: length");
	FUZZ_ASSERT(whod_check(&wd, reclen) == WHOD_OK,
	    "an accepted packet makes a record the parent accepts");

	host = wd.wd_hostname;
	FUZZ_ASSERT(valid_hostname(host) && strchr(host, '/') == NULL &&
	    host[0] != '.' && strstr(host, "..") == NULL &&
	    strlen(host) < WHOD_HOSTSIZE, "host name is a safe file name");
	n = (reclen - WHOD_HDRSIZE) / WHOD_ENTSIZE;
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < WHOD_NAMESIZE; k++) {
			unsigned char a = wd.wd_we[i].out_line[k];
			unsigned char b = wd.wd_we[i].out_name[k];

			FUZZ_ASSERT(a == 0 || (a > ' ' && a < 0x7f),
			    "line names are printable");
			FUZZ_ASSERT(b == 0 || (b > ' ' && b < 0x7f),
			    "user names are printable");
		}
	}

	FUZZ_ASSERT(whod_encode(&wd, reclen, enc) == reclen,
	    "encoding has the record's length");
	normalise(data, size, want);
	FUZZ_ASSERT(memcmp(enc, want, reclen) == 0,
	    "encode(decode(p)) is p with its unused bytes zeroed");
	rv = whod_decode(enc, reclen, &wd2, &reclen2, 0x7fffffffU);
	FUZZ_ASSERT(rv == WHOD_OK && reclen2 == reclen &&
	    memcmp(&wd, &wd2, sizeof(wd)) == 0, "decode(encode(r)) == r");
	return (0);
}
