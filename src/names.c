/*
 * Name checks used on both sides of the privilege boundary: the engine
 * checks what arrives from the network, and the parent checks the same
 * strings again when they arrive from the engine.
 */
#include <string.h>

#include "names.h"

static int
is_alnum(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'));
}

/*
 * A login name: 1..max bytes of [A-Za-z0-9._-], not starting with '-'
 * (it would read as an option) or '.'.  This is the POSIX portable set,
 * which useradd(8) also enforces by default.
 */
int
valid_login(const char *s, size_t max)
{
	size_t	i;

	if (s[0] == '\0' || s[0] == '-' || s[0] == '.')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max)
			return (0);
		if (!is_alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return (0);
	}
	return (1);
}

/*
 * A utmp line relative to /dev: "pts/N" or "ttyXXX" / "consoleXXX"-like
 * names made of letters and digits.  No "..", no leading '/', at most one
 * '/' and only after "pts".
 */
int
valid_ttyline(const char *s)
{
	size_t	i, len;

	len = strlen(s);
	if (len == 0 || len >= 32)
		return (0);
	if (strncmp(s, "pts/", 4) == 0) {
		if (s[4] == '\0')
			return (0);
		for (i = 4; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				return (0);
		return (1);
	}
	for (i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]))
			return (0);
	return (1);
}

/*
 * A host name label sequence: [A-Za-z0-9.-], no leading '.' or '-', no
 * "..", at most 255 bytes.  Safe as a file name component and on a tty.
 */
int
valid_hostname(const char *s)
{
	size_t	i;

	if (s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 255)
			return (0);
		if (!is_alnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '-')
			return (0);
		if (s[i] == '.' && s[i + 1] == '.')
			return (0);
	}
	return (1);
}
