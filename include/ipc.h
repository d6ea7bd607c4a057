/*
 * A small typed message layer between a privileged parent and its
 * sandboxed children, in the spirit of OpenBSD's imsg but much smaller:
 * one AF_UNIX SOCK_SEQPACKET message per record, a fixed 16-byte header,
 * at most one descriptor, exact lengths.  The messages never leave the
 * machine, so the header is in host byte order.
 */
#ifndef IPC_H
#define IPC_H

#include <stddef.h>
#include <stdint.h>

#define IPC_MAXPAYLOAD	2048
#define IPC_F_FD	0x1		/* a descriptor rides with this record */

struct ipc_hdr {
	uint32_t	type;
	uint32_t	len;		/* payload length, header excluded */
	uint32_t	flags;
	uint32_t	seq;		/* request/answer pairing */
};

struct ipc_msg {
	struct ipc_hdr	hdr;
	int		fd;		/* -1 unless IPC_F_FD */
	unsigned char	data[IPC_MAXPAYLOAD];
};

/*
 * What a receiver accepts: one row per message type.  Anything not listed,
 * of another length, or with/without a descriptor against the row is a
 * protocol violation.
 */
struct ipc_rule {
	uint32_t	type;
	size_t		len;
	int		fd;		/* 1: descriptor required, 0: forbidden */
};

/*
 * Type 1 is the same in every daemon: a child's log line, which the
 * parent checks and writes to syslog or stderr.  Daemon types start at 16.
 */
#define IPC_LOG		1
#define IPC_TYPE_BASE	16

struct ipc_log {
	int32_t		pri;		/* LOG_EMERG .. LOG_DEBUG */
	char		msg[512];	/* NUL-terminated */
};

/* ipc_recv() results besides 1 (one record read) */
#define IPC_EOF		0		/* peer closed */
#define IPC_AGAIN	(-1)		/* nothing to read (non-blocking) */
#define IPC_BAD		(-2)		/* violation: reason in ipc_error() */

int		 ipc_send(int, uint32_t, uint32_t, int, const void *, size_t);
int		 ipc_recv(int, struct ipc_msg *);
int		 ipc_check(const struct ipc_msg *, const struct ipc_rule *,
		    size_t);
const char	*ipc_error(void);
void		 ipc_discard(struct ipc_msg *);
int		 ipc_wait_fd(int, const struct ipc_rule *);
void		 ipc_log_sink(int, const char *);
int		 ipc_log_valid(const struct ipc_log *);

#endif
