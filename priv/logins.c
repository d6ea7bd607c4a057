/*
 * Runs in the privileged parent: who is logged in, and on which
 * terminal.  Two local, root-written sources give the same "login
 * records" (user, terminal line, login time): utmp (utmp.c) and the
 * sessions of systemd-logind (logind.c), for systems whose systemd is
 * built without utmp.  -L chooses:
 *
 *	auto	utmp if it holds at least one login, else logind: a host
 *		with utmp behaves exactly as without this choice
 *	utmp	utmp only
 *	logind	logind only
 *	both	utmp, then the logind sessions utmp did not list (the same
 *		user on the same line is one login)
 *
 * A record's line is not checked here: the callers check it, and the
 * terminal behind it, the same way whichever source it came from.
 */
#include <sys/types.h>

#include <string.h>
#include <utmpx.h>

#include "log.h"
#include "priv.h"

#define LOGINS_SEEN	64	/* utmp logins remembered for "both" */

static const char *const sources[] = {
	[LOGINS_AUTO] = "auto",
	[LOGINS_UTMP] = "utmp",
	[LOGINS_LOGIND] = "logind",
	[LOGINS_BOTH] = "both",
};

struct walk {
	const char	*user;		/* only this user's, or NULL */
	login_cb	 cb;
	void		*arg;
	int		 stop;		/* cb asked to stop */
	int		 found;		/* records given to cb */
	int		 remember;	/* "both": note utmp's logins */
	size_t		 nseen;
	struct {
		char	 user[sizeof(((struct utmpx *)0)->ut_user) + 1];
		char	 line[sizeof(((struct utmpx *)0)->ut_line) + 1];
	}		 seen[LOGINS_SEEN];
};

/* -L's argument: LOGINS_*, or -1. */
int
logins_source(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(s, sources[i]) == 0)
			return ((int)i);
	return (-1);
}

static int
give(struct walk *w, const struct login *l)
{
	if (w->user != NULL && strcmp(l->user, w->user) != 0)
		return (0);
	w->found++;
	return (w->stop = w->cb(l, w->arg));
}

static int
from_utmp(const struct utmpx *ut, void *arg)
{
	struct walk	*w = arg;
	struct login	 l;
	char		 user[sizeof(ut->ut_user) + 1];
	char		 line[sizeof(ut->ut_line) + 1];

	/* utmp's fields need not end in a NUL. */
	memcpy(user, ut->ut_user, sizeof(ut->ut_user));
	user[sizeof(ut->ut_user)] = '\0';
	memcpy(line, ut->ut_line, sizeof(ut->ut_line));
	line[sizeof(ut->ut_line)] = '\0';
	l.user = user;
	l.line = line;
	l.time = ut->ut_tv.tv_sec;
	if (w->remember && w->nseen < LOGINS_SEEN &&
	    (w->user == NULL || strcmp(user, w->user) == 0)) {
		memcpy(w->seen[w->nseen].user, user, sizeof(user));
		memcpy(w->seen[w->nseen].line, line, sizeof(line));
		w->nseen++;
	}
	return (give(w, &l));
}

static int
from_logind(const struct login *l, void *arg)
{
	struct walk	*w = arg;
	size_t		 i;

	for (i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i].user, l->user) == 0 &&
		    strcmp(w->seen[i].line, l->line) == 0)
			return (0);
	return (give(w, l));
}

/*
 * Calls cb(record, arg) for each login, or only for those of user (whose
 * uid is uid: logind's sessions are found by uid); cb returns non-zero
 * to stop.  Returns how many records cb was called for.
 */
int
logins_foreach(const struct logins *lg, const char *user, uid_t uid,
    login_cb cb, void *arg)
{
	struct walk	w;
	int		n;

	memset(&w, 0, sizeof(w));
	w.user = user;
	w.cb = cb;
	w.arg = arg;
	w.remember = lg->source == LOGINS_BOTH;
	if (lg->source != LOGINS_LOGIND) {
		n = utmp_foreach(lg->utmp, from_utmp, &w);
		if (w.stop || lg->source == LOGINS_UTMP ||
		    (lg->source == LOGINS_AUTO && n > 0))
			return (w.found);
		if (lg->source == LOGINS_AUTO)
			log_debug("no login in utmp %s: asking logind",
			    lg->utmp);
	}
	logind_foreach(user != NULL ? uid : (uid_t)-1, from_logind, &w);
	return (w.found);
}
