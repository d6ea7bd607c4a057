/*
 * Runs in the privileged parent: start a child by re-executing our own
 * binary (fresh address space and ASLR, no inherited heap), with its IPC
 * channel on fd 3 and nothing else open but /dev/null on 0-2.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

/*
 * Build the child's argv: "-P role" and one extra option first (before
 * any "--"), then the parent's own options, which the child re-parses.
 * Only the array is ours (the caller frees it after proc_exec()); the
 * strings are the caller's, and exec copies them.
 */
char **
proc_argv(int argc, char *const argv[], const char *role, const char *extra)
{
	char	**nargv;
	int	  i, n = 0;

	if ((nargv = calloc(argc + 5, sizeof(*nargv))) == NULL)
		err(1, NULL);
	nargv[n++] = argv[0];
	nargv[n++] = "-P";
	nargv[n++] = (char *)(uintptr_t)role;
	if (extra != NULL)
		nargv[n++] = (char *)(uintptr_t)extra;
	for (i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	nargv[n] = NULL;
	return (nargv);
}

#ifdef SANITIZE
/*
 * Sanitizer builds only: a child's fd 2 is the FIFO named by
 * SANITIZE_LOG, whose reader (make asan-check) keeps the reports.  Not a
 * file: a child may not grow one (RLIMIT_FSIZE 0).
 */
static void
sanitize_stderr(void)
{
	const char	*path;
	int		 fd;

	if ((path = getenv("SANITIZE_LOG")) == NULL ||
	    (fd = open(path, O_WRONLY | O_NONBLOCK)) == -1)
		return;
	if (fcntl(fd, F_SETFL, 0) == -1 || dup2(fd, 2) == -1)
		_exit(127);
	close(fd);
}
#endif

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
#ifdef SANITIZE
	sanitize_stderr();
#endif
	closefrom(CHILD_IPC_FD + 1);
	/*
	 * Ctrl-C in a terminal signals the whole process group: only the
	 * parent should act on it (it stops the children with SIGTERM), or
	 * a child's death would be reported as a crash.  Kept across exec.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Our own binary, even if argv[0] is a bare name from inetd. */
	execv("/proc/self/exe", argv);
	_exit(127);
}
