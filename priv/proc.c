/*
 * Runs in the privileged parent: start a child by re-executing our own
 * binary (fresh address space and ASLR, no inherited heap), with its IPC
 * channel on fd 3 and nothing else open but /dev/null on 0-2.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

/*
 * Build the child's argv: "-P role" and one extra option first (before
 * any "--"), then the parent's own options, which the child re-parses.
 */
char **
proc_argv(int argc, char *const argv[], const char *role, const char *extra)
{
	char	**nargv;
	int	  i, n = 0;

	if ((nargv = calloc(argc + 5, sizeof(*nargv))) == NULL)
		err(1, NULL);
	nargv[n++] = argv[0];
	if ((nargv[n++] = strdup("-P")) == NULL ||
	    (nargv[n++] = strdup(role)) == NULL)
		err(1, NULL);
	if (extra != NULL && (nargv[n++] = strdup(extra)) == NULL)
		err(1, NULL);
	for (i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	nargv[n] = NULL;
	return (nargv);
}

pid_t
proc_exec(char *const argv[], int ipcfd)
{
	pid_t	pid;
	int	null;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		return (pid);
	}
	if (ipcfd == CHILD_IPC_FD) {
		if (fcntl(ipcfd, F_SETFD, 0) == -1)
			_exit(127);
	} else if (dup2(ipcfd, CHILD_IPC_FD) == -1)
		_exit(127);
	/* Opened after the IPC channel is in place, so it cannot take fd 3. */
	if ((null = open("/dev/null", O_RDWR)) == -1)
		_exit(127);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);	/* children log through the parent, never stderr */
	closefrom(CHILD_IPC_FD + 1);
	/* Our own binary, even if argv[0] is a bare name from inetd. */
	execv("/proc/self/exe", argv);
	_exit(127);
}
