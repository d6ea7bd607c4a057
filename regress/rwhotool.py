#!/usr/bin/env python3
"""Test helper for the rwhod tests (never installed).

usage:
  rwhotool.py utmp FILE USER LINE [USER LINE ...]
        write FILE: one USER_PROCESS record per pair (glibc utmpx, 384 B)
  rwhotool.py ptys N FILE
        open N ptys, write their lines ("pts/3") to FILE, hold them open
        for at most 600 s (until killed)
  rwhotool.py send [-s SPORT] [-b SRCADDR] DST KIND [ARG...]
        send one crafted status packet (KIND below) from SRCADDR:SPORT
        (default 0.0.0.0:513) to DST:513
  rwhotool.py flood [-b SRCADDR] DST PREFIX COUNT
        COUNT good packets for hosts PREFIX1 .. PREFIXn
  rwhotool.py storm [-b SRCADDR] DST HOST SECONDS
        good packets for HOST, versions A and B alternating, as fast as
        the loop goes, for at most SECONDS
  rwhotool.py read FILE COUNT HOST
        COUNT reads of the spool FILE (1 ms apart); each must be exactly
        version A or B of `storm` (wd_recvtime aside); prints counts
  rwhotool.py check FILE HOST [USER ...]
        FILE is a spool file for HOST in host byte order, recent, every
        unused byte zero, with exactly these users
  rwhotool.py same FILE1 FILE2
        the two spool files are equal but for wd_recvtime and unused
        bytes (after a NUL, the pad)
  rwhotool.py snap DIR
        sorted "name sha256" lines of DIR's whod.* files

KIND: good HOST [NUSERS] [SENDTIME] | short | long | partial | big |
      vers | type | host HOSTBYTES(python escapes) | nonul | entctl
"""
import hashlib, os, socket, struct, sys, time

PORT = 513


def packet(host, users=(), sendtime=None, vers=1, typ=1, order=">",
           recvtime=0, loads=(12, 34, 56), boot=1700000000):
    """A status packet: order ">" for the wire, "=" for a spool file."""
    if sendtime is None:
        sendtime = int(time.time())
    if isinstance(host, str):
        host = host.encode()
    hdr = struct.pack(order + "BB2xII32s3II", vers, typ,
                      sendtime & 0xffffffff, recvtime,
                      host.ljust(32, b"\0")[:32],
                      loads[0], loads[1], loads[2], boot)
    ents = b""
    for line, name, ontime, idle in users:
        ents += struct.pack(order + "8s8sII", line.encode(), name.encode(),
                            ontime, idle)
    return hdr + ents


def zpad(field):
    """A name field with every byte after its first NUL zeroed."""
    n = field.find(b"\0")
    return field if n < 0 else field[:n].ljust(len(field), b"\0")


def canonical(data):
    """A spool file without wd_recvtime and with unused bytes zeroed."""
    out = data[:2] + b"\0\0" + data[4:8] + b"\0" * 4 + zpad(data[12:44])
    out += data[44:60]
    for i in range(60, len(data), 24):
        out += zpad(data[i:i + 8]) + zpad(data[i + 8:i + 16])
        out += data[i + 16:i + 24]
    return out


def users_n(n):
    return [("pts/%d" % (i % 100), "u%d" % i, 1700000000 + i, i * 7)
            for i in range(n)]


def sock(src, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, sport))
    return s


def opts(args):
    src, sport = "0.0.0.0", PORT
    while args and args[0] in ("-s", "-b"):
        if args[0] == "-s":
            sport = int(args[1])
        else:
            src = args[1]
        args = args[2:]
    return src, sport, args


def kind(args):
    k = args[0]
    good = packet("hosta", users_n(2))
    if k == "good":
        n = int(args[2]) if len(args) > 2 else 1
        st = int(args[3]) if len(args) > 3 else None
        return packet(args[1], users_n(n), sendtime=st)
    if k == "short":
        return good[:59]
    if k == "long":
        return packet("hosta", users_n(42)) + b"\0"
    if k == "partial":
        return good[:60 + 24 + 10]
    if k == "big":
        return packet("hosta", users_n(43))
    if k == "vers":
        return packet("hosta", users_n(1), vers=2)
    if k == "type":
        return packet("hosta", users_n(1), typ=2)
    if k == "host":
        raw = args[1].encode().decode("unicode_escape").encode("latin-1")
        return packet(raw, users_n(1))
    if k == "nonul":
        return packet(b"a" * 32, users_n(1))
    if k == "entctl":
        return packet("hosta", [("pts/1", "ev\x1b[2J", 1, 1)])
    raise SystemExit("unknown kind " + k)


def storm_versions(host):
    a = dict(users=users_n(3), sendtime=1000, loads=(1, 2, 3))
    b = dict(users=users_n(40), sendtime=2000, loads=(4, 5, 6))
    return a, b


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "utmp":
        path, rest = args[0], args[1:]
        now = time.time()
        with open(path, "wb") as f:
            for i in range(0, len(rest), 2):
                user, line = rest[i], rest[i + 1]
                f.write(struct.pack("<hhi32s4s32s256shhiii4i20s",
                                    7, 0, 1000 + i, line.encode(),
                                    line.encode()[-4:], user.encode(), b"",
                                    0, 0, 0, int(now), 0, 0, 0, 0, 0, b""))
    elif cmd == "ptys":
        n, path = int(args[0]), args[1]
        fds = [os.openpty() for _ in range(n)]
        names = [os.ttyname(s)[len("/dev/"):] for _, s in fds]
        with open(path + ".new", "w") as f:
            f.write("\n".join(names) + "\n")
        os.rename(path + ".new", path)
        time.sleep(600)
    elif cmd == "send":
        src, sport, args = opts(args)
        sock(src, sport).sendto(kind(args[1:]), (args[0], PORT))
    elif cmd == "flood":
        src, sport, args = opts(args)
        s = sock(src, sport)
        for i in range(1, int(args[2]) + 1):
            s.sendto(packet("%s%d" % (args[1], i), users_n(1)),
                     (args[0], PORT))
            time.sleep(0.002)
    elif cmd == "storm":
        src, sport, args = opts(args)
        s = sock(src, sport)
        a, b = storm_versions(args[1])
        pa, pb = packet(args[1], **a), packet(args[1], **b)
        end = time.monotonic() + float(args[2])
        i = 0
        while time.monotonic() < end:
            s.sendto(pa if i % 2 == 0 else pb, (args[0], PORT))
            i += 1
            if i % 50 == 0:
                time.sleep(0.001)
    elif cmd == "read":
        path, count, host = args[0], int(args[1]), args[2]
        a, b = storm_versions(host)
        fa = packet(host, order="=", **a)
        fb = packet(host, order="=", **b)
        seen = {"a": 0, "b": 0, "torn": 0, "missing": 0}
        for _ in range(count):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                seen["missing"] += 1
                continue
            body = data[:8] + b"\0\0\0\0" + data[12:]
            if body == fa:
                seen["a"] += 1
            elif body == fb:
                seen["b"] += 1
            else:
                seen["torn"] += 1
            time.sleep(0.001)
        print("reads=%d a=%d b=%d torn=%d missing=%d" % (
            count, seen["a"], seen["b"], seen["torn"], seen["missing"]))
    elif cmd == "check":
        path, host, want = args[0], args[1], sorted(args[2:])
        data = open(path, "rb").read()
        if len(data) < 60 or (len(data) - 60) % 24:
            raise SystemExit("bad length %d" % len(data))
        (vers, typ, sendt, recvt, hname, l1, l2, l3,
         boot) = struct.unpack("=BB2xII32s3II", data[:60])
        now = time.time()
        hname = hname.rstrip(b"\0").decode()
        users = []
        for i in range(60, len(data), 24):
            line, name, ont, idle = struct.unpack("=8s8sII", data[i:i + 24])
            users.append(name.rstrip(b"\0").decode())
            if not line.startswith(b"pts/") or idle > 3600:
                raise SystemExit("odd entry %r %r idle %d" % (line, name, idle))
        errs = []
        if (vers, typ) != (1, 1):
            errs.append("version/type %d/%d" % (vers, typ))
        if hname != host:
            errs.append("host %r" % hname)
        if abs(recvt - now) > 120 or abs(sendt - now) > 120:
            errs.append("times send %d recv %d now %d" % (sendt, recvt, now))
        if not 0 < boot <= now:
            errs.append("boot time %d" % boot)
        if canonical(data)[12:] != data[12:] or data[2:4] != b"\0\0":
            errs.append("unused bytes not zero")
        if sorted(users) != want:
            errs.append("users %r" % users)
        if errs:
            raise SystemExit("; ".join(errs))
    elif cmd == "same":
        d1, d2 = open(args[0], "rb").read(), open(args[1], "rb").read()
        if canonical(d1) != canonical(d2):
            raise SystemExit("differ: %d vs %d bytes\n%s\n%s" % (
                len(d1), len(d2), d1.hex(), d2.hex()))
    elif cmd == "snap":
        for name in sorted(os.listdir(args[0])):
            if name.startswith("whod."):
                with open(os.path.join(args[0], name), "rb") as f:
                    print(name, hashlib.sha256(f.read()).hexdigest())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
