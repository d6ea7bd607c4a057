/*
 * Runs in the privileged parent of every daemon: starting the children,
 * the main loop that reads their requests, and the child death policy.
 * The daemon-specific parent (priv/talkd.c, ...) supplies the allow-list
 * of requests and a dispatch function; everything about process life is
 * here, in one place, the same for all three daemons.
 *
 * Policy:
 *  - A child's message that breaks the framing or its allow-list means
 *    the child is not behaving: the parent logs it, stops all children
 *    and exits 1.
 *  - An essential child (the one that holds the daemon's state) dying
 *    ends the daemon: exit 0 if it exited 0 (idle timeout), else a
 *    "lost child" log line and exit 1.  inetd, systemd or the
 *    administrator starts a fresh set.
 *  - A non-essential child (talkd's resolver) dying is logged; the
 *    daemon goes on without it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "priv.h"

#define MAXCHILDREN	4
#define SEND_TIMEOUT	5	/* seconds a child may leave answers unread */

static struct child	*children[MAXCHILDREN];	/* parent_spawn() adds */
static size_t		 nchildren;
static int		 sigpipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	unsigned char	c = sig;
	ssize_t		n;
	int		saved = errno;

	n = write(sigpipe[1], &c, 1);	/* full pipe: a signal is pending */
	(void)n;
	errno = saved;
}

void
parent_signals(void)
{
	struct sigaction	sa;

	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		err(1, "pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* However the parent exits (fatal() included), children go too. */
	atexit(parent_stop);
}

void
parent_stop(void)
{
	size_t	i;

	for (i = 0; i < nchildren; i++)
		if (children[i]->pid > 0)
			kill(children[i]->pid, SIGTERM);
}

static void
register_child(struct child *c)
{
	if (nchildren >= MAXCHILDREN)
		fatalx("too many children");
	children[nchildren++] = c;
}

/* Start c with a channel to us (c->fd).  extra: one more option. */
void
parent_spawn(struct child *c, int argc, char *argv[], const char *extra)
{
	struct timeval	  tv = { SEND_TIMEOUT, 0 };
	char		**nargv;
	int		  sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	/*
	 * A child that never reads its answers fills the channel; without a
	 * timeout our next send would block for ever, deaf to SIGTERM.
	 */
	if (setsockopt(sp[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		fatal("SO_SNDTIMEO");
	nargv = proc_argv(argc, argv, c->role, extra);
	c->pid = proc_exec(nargv, sp[1]);
	free(nargv);
	close(sp[1]);
	c->fd = sp[0];
	register_child(c);
}

/*
 * Start c with a channel to another child instead of us: returns the
 * other end, for the caller to pass on.
 */
int
parent_spawn_peer(struct child *c, int argc, char *argv[])
{
	char	**nargv;
	int	  sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	nargv = proc_argv(argc, argv, c->role, NULL);
	c->pid = proc_exec(nargv, sp[1]);
	free(nargv);
	close(sp[1]);
	c->fd = -1;
	register_child(c);
	return (sp[0]);
}

/*
 * A child's last words (why it is exiting): the log lines it sent before
 * it died can still be in the channel when SIGCHLD is handled first, or
 * when the kernel reports ECONNRESET (it died with our answers unread)
 * ahead of them.  Nothing else in there is acted on: its sender is gone.
 */
static void
last_words(struct child *c)
{
	struct ipc_msg	m;
	struct ipc_log	lm;
	int		i, rv, eof = 0;

	for (i = 0; c->fd != -1 && i < 64; i++) {
		/* The first "end of file" may be that ECONNRESET. */
		if ((rv = ipc_recv(c->fd, &m)) == IPC_EOF && eof++ == 0)
			continue;
		if (rv != 1)
			break;
		if (m.hdr.type == IPC_LOG && m.hdr.len == sizeof(lm)) {
			memcpy(&lm, m.data, sizeof(lm));
			if (ipc_log_valid(&lm))
				logit(lm.pri, "%s: %s", c->role, lm.msg);
		}
		ipc_discard(&m);
	}
}

static void
child_died(struct child *c, int status)
{
	int	sig = WIFSIGNALED(status);
	int	code = sig ? WTERMSIG(status) : WEXITSTATUS(status);

	c->pid = 0;
	last_words(c);
	if (!c->essential) {
		log_warnx("lost child: %s %s %d", c->role,
		    sig ? "killed by signal" : "exited with", code);
		return;
	}
	parent_stop();
	if (!sig && code == 0) {
		log_debug("%s exited after idle timeout", c->role);
		exit(0);
	}
	log_warnx("lost child: %s %s %d: exiting", c->role,
	    sig ? "killed by signal" : "exited with", code);
	exit(1);
}

static void
reap(void)
{
	pid_t	pid;
	size_t	i;
	int	status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < nchildren; i++)
			if (children[i]->pid == pid)
				child_died(children[i], status);
}

/* c's channel broke: it is dying; wait for it and apply the policy. */
void
parent_lost(struct child *c)
{
	int	status;

	log_debug("%s: channel closed", c->role);
	if (c->fd != -1) {
		last_words(c);
		close(c->fd);
		c->fd = -1;
	}
	if (c->pid > 0 && waitpid(c->pid, &status, 0) == c->pid)
		child_died(c, status);
	if (c->essential) {
		parent_stop();
		exit(1);
	}
}

/* Send to a child; a child that cannot be reached is lost. */
void
parent_send(struct child *c, uint32_t type, uint32_t seq, int fd,
    const void *data, size_t len)
{
	if (c->fd != -1 && ipc_send(c->fd, type, seq, fd, data, len) == 0)
		return;
	if (c->fd != -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* It lives but does not read: as bad as a bad message. */
		log_warnx("%s left its answers unread for %d s: stopping",
		    c->role, SEND_TIMEOUT);
		parent_stop();
		exit(1);
	}
	parent_lost(c);
}

static void __attribute__((__noreturn__))
misbehaved(struct child *c, const char *why)
{
	log_warnx("%s sent a bad message (%s): stopping", c->role, why);
	parent_stop();
	exit(1);
}

static void
read_child(struct child *c, const struct parent_ops *ops)
{
	struct ipc_msg	m;
	struct ipc_log	lm;
	int		rv;

	if ((rv = ipc_recv(c->fd, &m)) == IPC_AGAIN)
		return;
	if (rv == IPC_EOF) {
		parent_lost(c);
		return;
	}
	if (rv == IPC_BAD || ipc_check(&m, c->rules, c->nrules) != 0) {
		ipc_discard(&m);
		misbehaved(c, ipc_error());
	}
	if (m.hdr.type == IPC_LOG) {
		memcpy(&lm, m.data, sizeof(lm));
		if (!ipc_log_valid(&lm))
			misbehaved(c, "malformed log line");
		logit(lm.pri, "%s: %s", c->role, lm.msg);
	} else
		ops->dispatch(ops->arg, c, &m);
	ipc_discard(&m);
}

void
parent_loop(const struct parent_ops *ops)
{
	struct pollfd	pfd[MAXCHILDREN + 1];
	unsigned char	sig;
	size_t		i;

	for (;;) {
		pfd[0].fd = sigpipe[0];
		pfd[0].events = POLLIN;
		for (i = 0; i < nchildren; i++) {
			pfd[i + 1].fd = children[i]->fd;
			pfd[i + 1].events = POLLIN;
			pfd[i + 1].revents = 0;
		}
		if (poll(pfd, nchildren + 1, ops->tick_ms > 0 ? ops->tick_ms :
		    -1) == -1 && errno != EINTR)
			fatal("poll");
		while (read(sigpipe[0], &sig, 1) == 1) {
			if (sig == SIGCHLD)
				reap();
			else if (sig == SIGHUP)
				log_info("SIGHUP ignored: restart to "
				    "reconfigure");
			else {
				log_info("signal %d: stopping", sig);
				parent_stop();
				exit(0);
			}
		}
		for (i = 0; i < nchildren; i++)
			if (children[i]->fd != -1 &&
			    pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
				read_child(children[i], ops);
		if (ops->tick != NULL)
			ops->tick(ops->arg);
	}
}
