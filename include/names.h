/* Character-set checks shared by every process: the one place they live. */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

int	valid_login(const char *, size_t);
int	valid_ttyline(const char *);
int	valid_hostname(const char *);

#endif
