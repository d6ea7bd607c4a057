/*
 * Test-only LD_PRELOAD shim for regress/t_faults.sh: steps a process's
 * wall clock (CLOCK_REALTIME, as time(3) and gettimeofday(2) see it) by
 * CLOCKSTEP_SECS seconds forward on SIGUSR1 and back on SIGUSR2, as
 * `date -s` would step the machine's, without touching the machine's
 * clock or CLOCK_MONOTONIC.  The daemons re-execute themselves with the
 * same environment, so every child gets the shim too; its handlers are
 * installed before the child's sandbox, and a handler needs only
 * rt_sigreturn, which every allow-list has.  Never installed.
 */
#include <sys/time.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int	(*real_gettime)(clockid_t, struct timespec *);
static volatile sig_atomic_t	steps;
static long	step_secs = 3600;

static void
on_step(int sig)
{
	steps += sig == SIGUSR1 ? 1 : -1;
}

static void __attribute__((constructor))
clockstep_init(void)
{
	struct sigaction	sa;
	const char		*s = getenv("CLOCKSTEP_SECS");

	real_gettime = (int (*)(clockid_t, struct timespec *))
	    dlsym(RTLD_NEXT, "clock_gettime");
	if (s != NULL)
		step_secs = atol(s);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_step;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int	rv = real_gettime(id, ts);

	if (rv == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)steps * step_secs;
	return (rv);
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec	ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (-1);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return (0);
}

time_t
time(time_t *t)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return ((time_t)-1);
	if (t != NULL)
		*t = ts.tv_sec;
	return (ts.tv_sec);
}
