/*
 * rwhod: the status packet (as <protocols/rwhod.h>, with fixed-width
 * types), what the parent and the engine share (IPC payloads), and the
 * parent's sender and spool.
 */
#ifndef RWHOD_H
#define RWHOD_H

#include <sys/types.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "netmask.h"

#define RWHOD_USER	"_rwhod"
#define RWHOD_CHROOT	"/var/empty"
#define RWHOD_SPOOL	"/var/spool/rwho"
#define RWHOD_PORT	513
#define RWHOD_GROUP	"224.0.1.3"	/* INADDR_WHOD_GROUP */

#define WHOD_VERSION	1
#define WHOD_TYPE_STATUS 1
#define WHOD_HDRSIZE	60		/* everything before wd_we[] */
#define WHOD_ENTSIZE	24
#define WHOD_MAXENT	42		/* 1024 / 24: the entry array */
#define WHOD_MAXSIZE	(WHOD_HDRSIZE + WHOD_MAXENT * WHOD_ENTSIZE)
#define WHOD_LEN(n)	(WHOD_HDRSIZE + (size_t)(n) * WHOD_ENTSIZE)
#define WHOD_HOSTSIZE	32
#define WHOD_NAMESIZE	8		/* out_line, out_name */

/*
 * One status record.  On the wire every 32-bit field is big-endian; in
 * the spool (and over IPC) the same bytes are in host order, with
 * wd_recvtime set by the receiver.  The layout is <protocols/rwhod.h>'s
 * struct whod (regress/unit/t_rwhod.c compares the two), so a spool file
 * is the first WHOD_LEN(n) bytes of this struct.  Times are unsigned: a
 * 32-bit Unix time read as unsigned lasts until 2106.
 */
struct whod_ent {
	char		out_line[WHOD_NAMESIZE];	/* not NUL-terminated */
	char		out_name[WHOD_NAMESIZE];	/* when full */
	uint32_t	out_time;			/* login time */
	uint32_t	we_idle;			/* seconds */
};

struct whod_pkt {
	uint8_t		wd_vers;
	uint8_t		wd_type;
	uint8_t		wd_pad[2];
	uint32_t	wd_sendtime;
	uint32_t	wd_recvtime;
	char		wd_hostname[WHOD_HOSTSIZE];	/* NUL-terminated */
	uint32_t	wd_loadav[3];			/* load x 100 */
	uint32_t	wd_boottime;
	struct whod_ent	wd_we[WHOD_MAXENT];
};

/* Why a packet was refused (whod_decode(), whod_check()). */
enum whod_err {
	WHOD_OK = 0,
	WHOD_SHORT,		/* < 60 bytes */
	WHOD_LONG,		/* > 1068 bytes: more than 42 entries */
	WHOD_PARTIAL,		/* not 60 + 24n: a truncated entry */
	WHOD_BADVERS,
	WHOD_BADTYPE,
	WHOD_HOSTNUL,		/* host name fills its field */
	WHOD_BADHOST,		/* charset, '/', "..", leading '.' or '-' */
	WHOD_BADENT,		/* control or non-ASCII byte in a name */
	WHOD_NOTCANON,		/* record: unused bytes not zero */
};

/* rwhod_packet.c: pure functions, unit-tested. */
int		 whod_decode(const unsigned char *, size_t, struct whod_pkt *,
		    size_t *, uint32_t);
size_t		 whod_encode(const struct whod_pkt *, size_t, unsigned char *);
int		 whod_check(const struct whod_pkt *, size_t);
const char	*whod_strerror(int);
void		 whod_setname(char *, size_t, const char *, size_t);

/* Configuration, from the command line; the engine re-parses the same. */
#define RWHOD_MAXPEERS	16
#define RWHOD_MAXIFS	16

struct rwhod_conf {
	const char	*user;		/* -u: unprivileged account */
	const char	*chroot;	/* -c: empty root-owned directory */
	const char	*spool;		/* -D: spool directory */
	const char	*utmp;		/* -U: utmp file */
	int		 logins;	/* -L: where logins are read, LOGINS_* */
	const char	*proc;		/* -P: role of a re-executed child */
	const char	*peers[RWHOD_MAXPEERS];	/* -H: unicast peers */
	int		 npeers;
	const char	*ifnames[RWHOD_MAXIFS];	/* -I: interfaces by name */
	int		 nifnames;
	struct netlist	 allow;		/* -A: sender networks allowed */
	long long	 interval;	/* -i: seconds between broadcasts */
	long long	 maxhosts;	/* -M: spool files kept */
	double		 rate;		/* -r: packets/s per source address */
	int		 ifmode;	/* -a, -b, -p */
#define IF_ALL		0
#define IF_BROADCAST	1
#define IF_P2P		2
	int		 mcast_ttl;	/* -m: 0 off, else the TTL */
	int		 listen_only;	/* -l: never send */
	int		 send_only;	/* -s: never receive */
	int		 insecure;	/* -x: any source port */
	int		 debug;		/* -d: foreground, log to stderr */
	int		 verbose;	/* -v */
};

void	rwhod_engine(struct rwhod_conf *) __attribute__((__noreturn__));

/* IPC between rwhod's parent and engine. */
enum rwhod_imsg {
	IMSG_RWHO_SOCKET = IPC_TYPE_BASE, /* parent -> engine: UDP socket */
	IMSG_RWHO_STATUS,	/* engine -> parent: struct rwho_status */
};

/* A validated packet in host order, ready to be a spool file. */
struct rwho_status {
	uint32_t	len;		/* file length: WHOD_LEN(n) */
	struct in_addr	from;		/* for the parent's log lines */
	struct whod_pkt	wd;
};

/* priv/spool.c: atomic whod.HOST files, at most maxhosts of them. */
struct spool {
	int		 dirfd;
	const char	*path;
	long long	 maxhosts;
};

int	spool_open(struct spool *, const char *, long long);
int	spool_write(struct spool *, const struct whod_pkt *, size_t);

/* priv/rwhod_send.c: gather this host's status and send it. */
struct sender;

struct sender	*sender_new(const struct rwhod_conf *, int);
void		 sender_run(struct sender *);

#endif
