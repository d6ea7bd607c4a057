/*
 * talkd: what the parent and the engine share (IPC payloads) and the
 * engine's view of the ntalk protocol (version 1, as <protocols/talkd.h>).
 */
#ifndef TALKD_H
#define TALKD_H

#include <sys/types.h>
#include <netinet/in.h>

#include <stdint.h>
#include <time.h>

#include "ipc.h"
#include "netmask.h"

#define TALKD_USER	"_talkd"
#define TALKD_CHROOT	"/var/empty"
#define TALKD_PORT	518

/* Configuration, from the command line; the engine re-parses the same. */
struct talkd_conf {
	const char	*user;		/* -u: unprivileged account */
	const char	*chroot;	/* -c: empty root-owned directory */
	const char	*utmp;		/* -U: utmp file */
	int		 logins;	/* -L: where logins are read, LOGINS_* */
	const char	*listen;	/* -a: address to bind */
	const char	*proc;		/* -P: role of a re-executed child */
	struct netlist	 allow;		/* -A: caller networks allowed */
	double		 rate_src;	/* -r: requests/s per source address */
	double		 rate_callee;	/* -R: rings/min per callee */
	long long	 idle;		/* -t: idle exit in seconds, 0 never */
	long long	 maxinvites;	/* -m: invitation table cap */
	int		 debug;		/* -d: foreground, log to stderr */
	int		 verbose;	/* -v */
	int		 quiet;		/* -q: no per-request log lines */
	int		 packets;	/* -p: log rejected datagrams in hex */
	int		 numeric;	/* -n: never resolve caller addresses */
	int		 inetd;		/* socket came on fd 0 */
};

void	 talkd_engine(struct talkd_conf *);
void	 talkd_resolver(void);
void	 talkd_resolver_warmup(void);

/* Wire constants, identical to <protocols/talkd.h>. */
#define CTL_MSG_SIZE	84
#define CTL_RESP_SIZE	24
#define T_NAME_SIZE	12
#define T_TTY_SIZE	16
#define T_VERSION	1
#define T_LEAVE_INVITE	0
#define T_LOOK_UP	1
#define T_DELETE	2
#define T_ANNOUNCE	3
#define T_SUCCESS	0
#define T_NOT_HERE	1
#define T_FAILED	2
#define T_MACHINE_UNKNOWN 3
#define T_PERMISSION_DENIED 4
#define T_UNKNOWN_REQUEST 5
#define T_BADVERSION	6
#define T_BADADDR	7
#define T_BADCTLADDR	8
#define T_MAX_LIFE	60		/* seconds an invitation lives */

/* A CTL_MSG as decoded by ctl_parse(); strings always NUL-terminated. */
struct ctl_req {
	uint8_t			vers;
	uint8_t			type;
	uint32_t		id_num;		/* host order */
	struct sockaddr_in	addr;		/* caller's TCP rendezvous */
	struct sockaddr_in	ctl_addr;	/* caller's UDP control */
	uint16_t		addr_family;	/* as on the wire */
	uint16_t		ctl_family;
	int32_t			pid;
	char			l_name[T_NAME_SIZE + 1];
	char			r_name[T_NAME_SIZE + 1];
	char			r_tty[T_TTY_SIZE + 1];
};

struct ctl_resp {
	uint8_t			type;
	uint8_t			answer;
	uint32_t		id_num;		/* host order */
	struct sockaddr_in	addr;		/* zero unless LOOK_UP hit */
};

/* talkd_proto.c */
int	 ctl_parse(const unsigned char *, size_t, struct ctl_req *);
void	 ctl_build(const struct ctl_resp *, unsigned char *);
int	 ctl_validate(const struct ctl_req *, const struct sockaddr_in *);
const char *ctl_typename(unsigned int);
const char *ctl_answername(unsigned int);
struct tty_req;
int	 tty_req_valid(const struct tty_req *);

/* talkd_table.c: the invitation table */
struct invite {
	struct ctl_req		 req;
	struct in_addr		 owner;		/* source that left it */
	time_t			 stamp;
	uint32_t		 id;
	struct invite		*next_name, *next_id;	/* hash chains */
	struct invite		*older, *newer;		/* expiry list */
};

struct inv_table;
struct inv_table *inv_new(size_t cap);
void		 inv_free(struct inv_table *);
void		 inv_expire(struct inv_table *, time_t);
struct invite	*inv_find_match(struct inv_table *, const char *, const char *);
struct invite	*inv_find_dup(struct inv_table *, const struct ctl_req *);
struct invite	*inv_insert(struct inv_table *, const struct ctl_req *,
		    struct in_addr, time_t);
void		 inv_refresh(struct inv_table *, struct invite *, time_t);
uint32_t	 inv_newid(struct inv_table *, struct invite *);
int		 inv_delete(struct inv_table *, uint32_t, struct in_addr);
size_t		 inv_count(const struct inv_table *);

/* talkd_banner.c */
size_t	 banner_format(char *, size_t, const char *, const char *,
	    const char *, const struct tm *);

/* IPC between talkd's parent and engine. */
enum talkd_imsg {
	IMSG_TALK_SOCKET = IPC_TYPE_BASE, /* parent -> engine: UDP socket */
	IMSG_TALK_TTY_REQ,	/* engine -> parent: struct tty_req */
	IMSG_TALK_TTY_OK,	/* parent -> engine: struct tty_res + tty fd */
	IMSG_TALK_TTY_FAIL,	/* parent -> engine: struct tty_res */
	IMSG_TALK_RESOLVER,	/* parent -> engine: socket to resolver (fd) */
	IMSG_RES_QUERY,		/* engine -> resolver: struct res_query */
	IMSG_RES_ANSWER,	/* resolver -> engine: struct res_answer */
};

#define TTY_USER_MAX	32
#define TTY_LINE_MAX	32

struct tty_req {
	char		user[TTY_USER_MAX + 1];
	char		line[TTY_LINE_MAX + 1];	/* "" = any of the user's */
};

struct tty_res {
	int32_t		answer;		/* T_SUCCESS, T_NOT_HERE, ... */
	char		line[TTY_LINE_MAX + 1];
};

struct res_query {
	struct in_addr	addr;
};

struct res_answer {
	struct in_addr	addr;
	char		host[256];	/* "" when not forward-confirmed */
};

#endif
