/*
 * Small log module in the style of OpenBSD's log.c.  Runs in every
 * process.  The parent writes to syslog (opened before any chroot) or to
 * stderr with -d; children forward through the sink set by log_setsink().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <vis.h>

#include "log.h"

static int	 log_debugmode = 1;	/* stderr until log_init() */
static int	 log_verbose;		/* log_debug() lines are shown */
static const char *log_name = "";	/* process name prefix */
static void	(*log_sink)(int, const char *);

void
log_init(int debug, int facility, const char *ident)
{
	log_debugmode = debug;
	log_verbose = debug;
	if (!debug)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

void
log_setsink(void (*sink)(int, const char *))
{
	log_sink = sink;
}

void
log_procname(const char *name)
{
	log_name = name;
}

void
logit(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[512], safe[sizeof(msg) * 5 + 1];
	int	 saved_errno = errno;

	if (pri == LOG_DEBUG && !log_verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/*
	 * Anything a log line quotes may come from the network or from a
	 * child.  vis(3) leaves newline and tab alone unless told, and a
	 * newline would let a child forge whole log lines in our name.
	 * safe holds the worst case ("\M-^[", 5 bytes for 1): libbsd's
	 * strnvis() (0.11) writes its NUL past the end of a result that
	 * does not fit.
	 */
	strnvis(safe, msg, sizeof(safe),
	    VIS_CSTYLE | VIS_NOSLASH | VIS_NL | VIS_TAB);
	if (log_sink != NULL)
		log_sink(pri, safe);
	else if (log_debugmode)
		fprintf(stderr, "%s%s%s\n", log_name, *log_name ? ": " : "",
		    safe);
	else
		syslog(pri, "%s%s%s", log_name, *log_name ? ": " : "", safe);
	errno = saved_errno;
}

static void	vlog_errno(int, const char *, va_list)
		    __attribute__((__format__(printf, 2, 0)));

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 buf[400];
	int	 saved_errno = errno;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	logit(pri, "%s: %s", buf, strerror(saved_errno));
	errno = saved_errno;
}

/*
 * Refusals and other lines that a flood can repeat get a budget: at most
 * REFUSALS_PER_SEC lines a second, so junk cannot flood the log.  The
 * rest are counted, and the count is logged with the next line that gets
 * through.  log_budget() says whether one more such line may go out.
 */
#define REFUSALS_PER_SEC	10

int
log_budget(void)
{
	static time_t		 second;
	static unsigned int	 lines;
	static unsigned long	 suppressed;
	struct timespec		 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != second) {
		second = ts.tv_sec;
		lines = 0;
	}
	if (lines >= REFUSALS_PER_SEC) {
		suppressed++;
		return (0);
	}
	lines++;
	if (suppressed > 0) {
		logit(LOG_WARNING, "%lu more refusals not logged", suppressed);
		suppressed = 0;
	}
	return (1);
}

void
log_refused(const char *fmt, ...)
{
	va_list	ap;

	if (!log_budget())
		return;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
