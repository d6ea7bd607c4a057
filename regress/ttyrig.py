#!/usr/bin/env python3
"""Terminals and utmp records for tests, as login(1) would leave them.

usage: ttyrig.py UTMP OUTDIR SECONDS SPEC...

Each SPEC makes one pty and one USER_PROCESS utmp record:
  user:mode[:flag...]   mode in octal (620 = mesg y, 600 = mesg n,
                        720 = mesg y + biff y); flags:
    owner=NAME          the pty belongs to NAME instead of user
    link                the utmp line names /dev/rgNNN, a symlink to the pty
    stuck               the pty is filled until it blocks and never read
    age=N               last access N seconds ago (st_atime)
OUTDIR/ptys gets "index user line" per SPEC; everything written to pty i
is appended to OUTDIR/i.out.  Runs SECONDS, or until killed.
"""
import os, pty, pwd, grp, select, signal, struct, sys, time, tty

def utmp_record(user, line, pid):
    # struct utmpx on x86_64 glibc: 384 bytes.
    now = time.time()
    return struct.pack("<hxxi32s4s32s256shhi ii 16s20x",
        7, pid, line.encode(), line[-4:].encode(), user.encode(),
        b"regress", 0, 0, 0, int(now), int((now % 1) * 1e6), b"")

def stop(signum, frame):
    # The tests stop the rig with SIGTERM: leave through the finally
    # clause, so the /dev symlinks it planted are removed.
    sys.exit(0)

def main():
    signal.signal(signal.SIGTERM, stop)
    utmp, outdir, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ttygid = grp.getgrnam("tty").gr_gid
    masters, links, lines = {}, [], []
    try:
        records = b""
        for i, spec in enumerate(sys.argv[4:]):
            parts = spec.split(":")
            user, mode = parts[0], int(parts[1], 8)
            flags = dict((f.split("=") + [""])[:2] for f in parts[2:])
            m, s = pty.openpty()
            tty.setraw(s)    # no output processing: see the daemon's bytes
            path = os.ttyname(s)
            owner = flags.get("owner") or user
            os.chown(path, pwd.getpwnam(owner).pw_uid, ttygid)
            os.chmod(path, mode)
            line = path[len("/dev/"):]
            if "link" in flags:
                link = "/dev/rg%d%d" % (os.getpid(), i)
                os.symlink(path, link)
                links.append(link)
                line = link[len("/dev/"):]
            if "stuck" in flags:
                os.set_blocking(s, False)
                # The kernel moves pty data along asynchronously: fill until
                # a whole round is refused, so the buffer stays full.
                for _ in range(50):
                    wrote = 0
                    for chunk in (4096, 256, 1):
                        try:
                            while True:
                                wrote += os.write(s, b"x" * chunk)
                        except BlockingIOError:
                            pass
                    if wrote == 0:
                        break
                    time.sleep(0.05)
            else:
                masters[m] = open(os.path.join(outdir, "%d.out" % i), "ab",
                                  buffering=0)
            age = float(flags.get("age") or 0)
            t = time.time() - age
            os.utime(path, (t, t))
            records += utmp_record(user, line, os.getpid())
            lines.append("%d %s %s" % (i, user, line))
        with open(utmp, "wb") as f:
            f.write(records)
        with open(os.path.join(outdir, "ptys"), "w") as f:
            f.write("\n".join(lines) + "\n")
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select(list(masters), [], [], 0.2)
            for m in r:
                try:
                    masters[m].write(os.read(m, 4096))
                except OSError:
                    del masters[m]
    finally:
        for link in links:
            os.unlink(link)

main()
