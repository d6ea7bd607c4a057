#!/usr/bin/env python3
"""Build, send and decode ntalk CTL_MSG / CTL_RESPONSE datagrams (tests only).

usage: ctlmsg.py HOST PORT TYPE L_NAME R_NAME [key=value ...]
keys: tty, id, pid, vers, ctlfam, addrfam, ctlip, addrip, addrport, raw
(raw=HEX sends those bytes verbatim).  Prints the reply as
"answer=N type=N id=N addr=IP:PORT len=N" or "noreply".
"""
import socket, struct, sys

TYPES = {"LEAVE_INVITE": 0, "LOOK_UP": 1, "DELETE": 2, "ANNOUNCE": 3}

def osockaddr(fam, ip, port):
    return struct.pack("!HH4s8x", fam, port, socket.inet_aton(ip))

def build(mtype, l_name, r_name, ctl, opts):
    ctlip, ctlport = ctl
    return struct.pack("!BBBBI16s16si12s12s16s",
        int(opts.get("vers", 1)), mtype, 0, 0, int(opts.get("id", 0)),
        osockaddr(int(opts.get("addrfam", 2)), opts.get("addrip", ctlip),
                  int(opts.get("addrport", 4242))),
        osockaddr(int(opts.get("ctlfam", 2)), opts.get("ctlip", ctlip), ctlport),
        int(opts.get("pid", 4321)),
        l_name.encode("latin-1")[:12], r_name.encode("latin-1")[:12],
        opts.get("tty", "").encode("latin-1")[:16])

def main():
    host, port, mtype, l_name, r_name = sys.argv[1:6]
    opts = dict(a.split("=", 1) for a in sys.argv[6:])
    mtype = TYPES.get(mtype, None) if not mtype.isdigit() else int(mtype)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((opts.get("srcip", "0.0.0.0"), int(opts.get("srcport", 0))))
    s.connect((host, int(port)))
    me = s.getsockname()
    if "raw" in opts:
        pkt = bytes.fromhex(opts["raw"])
    else:
        pkt = build(mtype, l_name, r_name, me, opts)
    s.settimeout(float(opts.get("timeout", 2)))
    s.send(pkt)
    try:
        r = s.recv(100)
    except (socket.timeout, ConnectionRefusedError):
        print("noreply")
        return
    if len(r) != 24:
        print("len=%d" % len(r))
        return
    vers, typ, ans, pad, rid, fam, aport, aip = struct.unpack("!BBBBIHH4s8x", r)
    print("answer=%d type=%d id=%d addr=%s:%d fam=%d pad=%d tail=%s len=%d" % (
        ans, typ, rid, socket.inet_ntoa(aip), aport, fam, pad,
        r[16:].hex(), len(r)))

main()
