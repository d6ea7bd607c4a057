/*
 * Privileged helpers shared by the three daemons' parents (priv/), and
 * the sandbox every child enters before it reads a byte of input.
 */
#ifndef PRIV_H
#define PRIV_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <utmpx.h>

/* sock.c: the UDP socket, from systemd, inetd or our own bind(). */
#define SOCK_BOUND	0
#define SOCK_INETD	1
#define SOCK_SYSTEMD	2
int	sock_obtain(const char *, int, int, int *);

/* startup.c: what every parent does before it daemonises. */
long long arg_number(const char *, long long, long long, const char *);
void	startup_checks(const char *, const char *, const char *);
int	startup_socket(const char *, int, int, int *);

/* proc.c: re-executed children and their IPC channel on fd 3. */
#define CHILD_IPC_FD	3
pid_t	proc_exec(char *const [], int);
char  **proc_argv(int, char *const [], const char *, const char *);

/* parent.c: children, the parent's main loop, the child death policy. */
struct ipc_msg;
struct ipc_rule;

struct child {
	const char		*role;		/* "engine", "resolver", ... */
	int			 essential;	/* its death ends the daemon */
	const struct ipc_rule	*rules;		/* what it may send us */
	size_t			 nrules;
	pid_t			 pid;
	int			 fd;		/* channel to us, or -1 */
};

struct parent_ops {
	void	(*dispatch)(void *, struct child *, struct ipc_msg *);
	void	(*tick)(void *);		/* after every wake-up */
	int	  tick_ms;			/* at least this often */
	void	 *arg;
};

void	parent_signals(void);
void	parent_spawn(struct child *, int, char *[], const char *);
int	parent_spawn_peer(struct child *, int, char *[]);
void	parent_send(struct child *, uint32_t, uint32_t, int, const void *,
	    size_t);
void	parent_lost(struct child *);
void	parent_stop(void);
void	parent_loop(const struct parent_ops *) __attribute__((__noreturn__));

/* sandbox.c */
struct sb_call {
	const char		*name;
	unsigned int		 nargs;
	struct scmp_arg_cmp	 arg[2];
	const char		*why;
	int			 errno_ret;	/* 0: allow; else fail with it */
};

struct sb_policy {
	const char		*proc;		/* "talkd engine", ... */
	const struct sb_call	*calls;
	size_t			 ncalls;
	int			 chroot;	/* 0: Landlock only (resolver) */
	const char		*readable;	/* Landlock read-only tree */
	rlim_t			 nofile;
};

void	sandbox_enter(const struct sb_policy *, const char *, const char *);
void	child_prologue(int);
void	child_sandbox(const char *, const struct sb_policy *, const char *,
	    const char *);
void	sandbox_print(FILE *, const struct sb_policy *);
void	sandbox_check_rootdir(const char *);

/* policy.c: the allow-lists, one per child. */
extern const struct sb_policy policy_talkd_engine;
extern const struct sb_policy policy_talkd_resolver;
extern const struct sb_policy policy_rwhod_engine;
extern const struct sb_policy policy_comsat_engine;

/* utmp.c */
int	utmp_foreach(const char *, int (*)(const struct utmpx *, void *),
	    void *);

/*
 * logins.c: who is logged in on which terminal, as "login records" from
 * utmp or from systemd-logind's sessions (logind.c); -L chooses.
 */
#define LOGINS_AUTO	0	/* utmp if it holds a login, else logind */
#define LOGINS_UTMP	1
#define LOGINS_LOGIND	2
#define LOGINS_BOTH	3	/* utmp, then logind's other sessions */

#define LOGIN_USER_MAX	32	/* as utmp's ut_user */

struct login {
	const char	*user;		/* at most LOGIN_USER_MAX bytes */
	const char	*line;		/* terminal below /dev: not checked */
	time_t		 time;		/* login time, 0 if unknown */
};

struct logins {
	const char	*utmp;		/* -U */
	int		 source;	/* -L: LOGINS_* */
};

typedef int (*login_cb)(const struct login *, void *);

int	logins_source(const char *);
int	logins_foreach(const struct logins *, const char *, uid_t, login_cb,
	    void *);

/* logind.c: the sessions of systemd-logind, through sd-login(3). */
int	logind_foreach(uid_t, login_cb, void *);

/* tty.c: open a user's terminals by their login records, never by name. */
struct tty_ctx {
	int		 devfd;		/* O_PATH descriptor of /dev */
	struct logins	 logins;
	gid_t		 ttygid;	/* (gid_t)-1: no tty group here */
};

typedef int (*tty_cb)(int, const char *, const struct stat *, void *);

int	tty_init(struct tty_ctx *, const char *, int);
int	tty_foreach(const struct tty_ctx *, const char *, const char *,
	    uid_t, tty_cb, void *);

#endif
