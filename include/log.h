/*
 * Logging after start-up: syslog, or stderr in debug mode.  A sandboxed
 * child has neither, so it installs a sink that forwards each line to the
 * parent over IPC (see log_setsink()).
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <syslog.h>

void	log_init(int debug, int facility, const char *ident);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_setsink(void (*)(int, const char *));
void	log_procname(const char *);
void	logit(int, const char *, ...) __attribute__((__format__(printf, 2, 3)));
void	vlog(int, const char *, va_list) __attribute__((__format__(printf, 2, 0)));
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
int	log_budget(void);
void	log_refused(const char *, ...)
	    __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	fatal(const char *, ...) __attribute__((__noreturn__, __format__(printf, 1, 2)));
void	fatalx(const char *, ...) __attribute__((__noreturn__, __format__(printf, 1, 2)));

#endif
