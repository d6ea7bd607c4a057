/*
 * Runs in a freshly re-executed child, still as root, before it reads any
 * input: the one place where a child gives up its privileges.  The order
 * matters and every step is fatal on failure, so a child never runs
 * half-sandboxed:
 *
 *	rlimits -> chroot -> setgroups/setresgid/setresuid -> no_new_privs
 *	-> Landlock (where the kernel has it) -> seccomp allow-list
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/landlock.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "log.h"
#include "priv.h"

#ifdef SANITIZE
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>

/*
 * Sanitizer builds only (make SANITIZE=1, for `make asan-check`; never
 * installed, and `-S` still prints the production lists): what the
 * ASan/UBSan runtime does inside a sandboxed child.  Its reports go to
 * fd 2, which such a build leaves open to a collector (priv/proc.c), and
 * it leaves through exit_group() with ASAN_OPTIONS' exitcode.  Its
 * leak check at exit would clone a tracer, so a child skips it: only
 * the parents' leaks are checked.
 */
static const struct sb_call sanitize_calls[] = {
	{ "sigaltstack", 0, {}, "ASan: its signal stack, at exit" },
	{ "write", 1, { { 0, SCMP_CMP_EQ, 2, 0 } }, "sanitizer reports" },
	{ "readlink", 0, {}, "symbolizer: /proc/self/exe, refused", ENOENT },
	{ "futex", 0, {}, "the unwinder's one-time initialisation" },
};
static int	sandboxed;

int
__lsan_is_turned_off(void)
{
	return (sandboxed);
}
#endif

/*
 * The chroot directory must be root's and not writable by anyone else:
 * a child that could write there could plant files for the next one.
 */
void
sandbox_check_rootdir(const char *dir)
{
	struct stat	st;

	if (stat(dir, &st) == -1)
		fatal("chroot directory %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("chroot directory %s must be a directory owned by root "
		    "and writable only by root", dir);
}

static void
set_limit(int resource, rlim_t value, const char *name)
{
	struct rlimit	rl;

	rl.rlim_cur = rl.rlim_max = value;
	if (setrlimit(resource, &rl) == -1)
		fatal("setrlimit %s", name);
}

/*
 * No new processes, no file growth (writes go only to terminals and
 * sockets), no core dumps holding request data, few descriptors.
 */
static void
limits(const struct sb_policy *p)
{
	/* RLIMIT_FSIZE would otherwise kill us for a stray write. */
	signal(SIGXFSZ, SIG_IGN);
	set_limit(RLIMIT_FSIZE, 0, "fsize");
	set_limit(RLIMIT_CORE, 0, "core");
	set_limit(RLIMIT_NOFILE, p->nofile, "nofile");
}

static void
drop_ids(const struct passwd *pw)
{
	gid_t	gid = pw->pw_gid;
	int	cap;

	/* Empty the bounding set too, so no capability can come back. */
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			fatal("PR_CAPBSET_DROP");

	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("setresuid");
	/* Belt and braces: the way back must be closed. */
	if (setresuid(0, 0, 0) != -1 || geteuid() == 0 || getuid() == 0)
		fatalx("still able to become root after dropping privileges");
}

/*
 * Landlock: handle every filesystem right the kernel knows and grant
 * none (or only reading beneath p->readable), deny TCP bind/connect where
 * not needed, and scope signals and abstract sockets to ourselves.
 * Kernels without Landlock are accepted: chroot and seccomp still hold.
 */
struct ll_attr {
	uint64_t	fs;
	uint64_t	net;
	uint64_t	scoped;
};

static uint64_t
ll_fs_rights(int abi)
{
	uint64_t	r = (1ULL << 13) - 1;	/* ABI 1: bits 0-12 */

	if (abi >= 2)
		r |= 1ULL << 13;		/* REFER */
	if (abi >= 3)
		r |= 1ULL << 14;		/* TRUNCATE */
	if (abi >= 5)
		r |= 1ULL << 15;		/* IOCTL_DEV */
	return (r);
}

static void
landlock(const struct sb_policy *p)
{
	struct landlock_path_beneath_attr pb;
	struct ll_attr	attr;
	size_t		size = sizeof(uint64_t);
	int		abi, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		/*
		 * Not built in (ENOSYS), disabled at boot (EOPNOTSUPP), or
		 * refused by a container's own seccomp profile (EPERM, as
		 * systemd-nspawn and some Docker profiles do).  Only this
		 * probe may fail so: past it, every error is fatal.
		 */
		if (errno != ENOSYS && errno != EOPNOTSUPP && errno != EPERM)
			fatal("landlock_create_ruleset");
		log_info("%s: Landlock not available (%s); chroot and seccomp "
		    "still apply", p->proc, strerror(errno));
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.fs = ll_fs_rights(abi);
	if (abi >= 4) {
		/* TCP bind and connect; the resolver may need TCP DNS. */
		attr.net = p->readable != NULL ? 1 : 3;
		size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = 3;	/* abstract unix sockets, signals */
		size = sizeof(attr);
	}
	if ((fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0)) == -1)
		fatal("landlock_create_ruleset");
	if (p->readable != NULL) {
		memset(&pb, 0, sizeof(pb));
		pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_READ_DIR;
		pb.parent_fd = open(p->readable, O_PATH | O_CLOEXEC);
		if (pb.parent_fd == -1)
			fatal("%s", p->readable);
		if (syscall(SYS_landlock_add_rule, fd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
			fatal("landlock_add_rule");
		close(pb.parent_fd);
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1)
		fatal("landlock_restrict_self");
	close(fd);
}

static void
seccomp_filter(const struct sb_policy *p)
{
	scmp_filter_ctx	ctx;
	size_t		i;
	int		nr, rc;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0)
		fatalx("seccomp: bad-architecture action");
	for (i = 0; i < p->ncalls; i++) {
		if ((nr = seccomp_syscall_resolve_name(p->calls[i].name)) ==
		    __NR_SCMP_ERROR)
			fatalx("seccomp: unknown syscall %s", p->calls[i].name);
		rc = seccomp_rule_add_array(ctx, p->calls[i].errno_ret ?
		    SCMP_ACT_ERRNO(p->calls[i].errno_ret) : SCMP_ACT_ALLOW, nr,
		    p->calls[i].nargs, p->calls[i].arg);
		if (rc != 0)
			fatalx("seccomp: rule for %s: %s", p->calls[i].name,
			    strerror(-rc));
	}
#ifdef SANITIZE
	for (i = 0; i < sizeof(sanitize_calls) / sizeof(sanitize_calls[0]);
	    i++)
		if (seccomp_rule_add_array(ctx, sanitize_calls[i].errno_ret ?
		    SCMP_ACT_ERRNO(sanitize_calls[i].errno_ret) : SCMP_ACT_ALLOW,
		    seccomp_syscall_resolve_name(sanitize_calls[i].name),
		    sanitize_calls[i].nargs, sanitize_calls[i].arg) != 0)
			fatalx("seccomp: sanitizer rule for %s",
			    sanitize_calls[i].name);
#endif
	if ((rc = seccomp_load(ctx)) != 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
}

#ifdef REGRESS
void	regress_hook(const char *);	/* regress/regress_hook.c: tests */
#endif

/*
 * A re-executed child's first steps, before its sandbox: only its own
 * descriptors, log lines through the parent, the time zone read while
 * /etc is still visible.
 */
void
child_prologue(int verbose)
{
	closefrom(CHILD_IPC_FD + 1);
	log_setsink(ipc_log_sink);
	log_setverbose(verbose);
	tzset();
}

/* Enter the sandbox as role; a test build then runs its hook. */
void
child_sandbox(const char *role, const struct sb_policy *p, const char *user,
    const char *root)
{
	setproctitle("%s", role);
	sandbox_enter(p, user, root);
#ifdef REGRESS
	regress_hook(role);
#endif
}

void
sandbox_enter(const struct sb_policy *p, const char *user, const char *root)
{
	struct passwd	*pw;
#ifdef SANITIZE
	char		 mod[256];
	void		*off;
#endif

	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user %s", user);
	if (pw->pw_uid == 0)
		fatalx("user %s is root: refusing to run a child as root",
		    user);
#ifdef SANITIZE
	/*
	 * Reports on fd 2, never to ASAN_OPTIONS' log_path; the runtime
	 * reads /proc (binary name, mappings) now, not at report time.
	 */
	__sanitizer_sandbox_on_notify(NULL);
	__sanitizer_get_module_and_offset_for_pc((void *)(uintptr_t)
	    sandbox_enter, mod, sizeof(mod), &off);
	__sanitizer_set_report_fd((void *)2);
	sandboxed = 1;
#endif
	limits(p);
	if (p->chroot) {
		sandbox_check_rootdir(root);
		if (chroot(root) == -1)
			fatal("chroot %s", root);
		if (chdir("/") == -1)
			fatal("chdir /");
	}
	drop_ids(pw);
	/* After the uid change: RLIMIT_NPROC counts the real uid. */
	set_limit(RLIMIT_NPROC, 0, "nproc");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	landlock(p);
	seccomp_filter(p);
}

/* -S: print a policy as the code holds it, for SECURITY.md and review. */
void
sandbox_print(FILE *fp, const struct sb_policy *p)
{
	static const char *ops[] = { "", "!=", "<", "<=", "==", ">=", ">",
	    "&" };
	const struct scmp_arg_cmp *a;
	size_t		 i;
	unsigned int	 j;

	for (i = 0; i < p->ncalls; i++) {
		fprintf(fp, "%s\t%s", p->proc, p->calls[i].name);
		for (j = 0; j < p->calls[i].nargs; j++) {
			a = &p->calls[i].arg[j];
			if (a->op == SCMP_CMP_MASKED_EQ)
				fprintf(fp, "%s arg%u & %#llx == %#llx",
				    j ? " and" : " if", a->arg,
				    (unsigned long long)a->datum_a,
				    (unsigned long long)a->datum_b);
			else
				fprintf(fp, "%s arg%u %s %#llx",
				    j ? " and" : " if", a->arg,
				    a->op < 8 ? ops[a->op] : "?",
				    (unsigned long long)a->datum_a);
		}
		if (p->calls[i].errno_ret)
			fprintf(fp, " -> fails with errno %d",
			    p->calls[i].errno_ret);
		fprintf(fp, "\t# %s\n", p->calls[i].why);
	}
}
