#!/usr/bin/env python3
"""Write the seed corpora in corpus/<target>/ (run once; the files are
committed).  Every seed is a realistic input, built field by field per
<protocols/talkd.h>, <protocols/rwhod.h> and include/*.h, or the forms
mail delivery agents send; a few are near misses, so the fuzzer starts
on both sides of each check."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def osockaddr(port, addr):
    # 4.3BSD osockaddr: family big-endian, port, address, 8 zero bytes
    return struct.pack(">H", 2) + struct.pack(">H", port) + \
        bytes(addr) + bytes(8)


def ctl_msg(typ, l_name, r_name, r_tty=b"", vers=1, ident=0, pid=4242,
            addr=(127, 0, 0, 1), ctl=(127, 0, 0, 1)):
    m = struct.pack(">BBBBI", vers, typ, 0, 0, ident)
    m += osockaddr(40000, addr) + osockaddr(40001, ctl)
    m += struct.pack(">i", pid)
    m += l_name.ljust(12, b"\0")[:12] + r_name.ljust(12, b"\0")[:12]
    m += r_tty.ljust(16, b"\0")[:16]
    assert len(m) == 84
    return m


# talkd: CTL_MSG as talk(1) sends them (netkit and inetutils).
put("ctl", "leave_invite", ctl_msg(0, b"alice", b"bob", b"pts/1"))
put("ctl", "look_up", ctl_msg(1, b"bob", b"alice"))
put("ctl", "delete", ctl_msg(2, b"alice", b"bob", ident=123456))
put("ctl", "announce", ctl_msg(3, b"alice", b"bob", b"pts/1", ident=7))
put("ctl", "announce_remote_host",
    ctl_msg(3, b"carol", b"bob", b"", addr=(10, 0, 0, 2), ctl=(10, 0, 0, 2))
    + bytes([10, 0, 0, 2]) + b"client.example.org")
put("ctl", "announce_console", ctl_msg(3, b"alice", b"root", b"tty1"))
put("ctl", "bad_version", ctl_msg(3, b"alice", b"bob", vers=0))
put("ctl", "bad_ctladdr", ctl_msg(3, b"alice", b"bob", ctl=(192, 0, 2, 1))
    + bytes([127, 0, 0, 1]))
put("ctl", "escape_name", ctl_msg(3, b"\x1b[2J", b"bob"))
put("ctl", "short", ctl_msg(1, b"bob", b"alice")[:60])

# comsat: the three forms delivery agents send, and near misses.
put("comsat_parse", "bsd", b"alice@123\n")
put("comsat_parse", "postfix", b"alice@0\0")
put("comsat_parse", "procmail", b"alice@4096:/home/alice/Mail/inbox\n")
put("comsat_parse", "crlf", b"bob@12\r\n")
put("comsat_parse", "maxoffset", b"bob@9223372036854775807\n")
put("comsat_parse", "overflow", b"bob@9223372036854775808\n")
put("comsat_parse", "negative", b"bob@-1\n")
put("comsat_parse", "nouser", b"@12\n")
put("comsat_parse", "control", b"alice@1:/var/mail/\x1balice\n")

# comsat: excerpts.  Byte 0: 1 = CRLF, 2 = UTF-8 terminal, 4 = names
# from the text; byte 1: a small output size.
MAIL = (b"From alice@example.org  Mon Jan  1 00:00:00 2024\n"
        b"Received: from mx.example.org (mx.example.org [192.0.2.1])\n"
        b"\tby mail.example.org with ESMTP id 4AbCdE\n"
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1;\n"
        b"\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==\n"
        b"From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@example.org>\n"
        b"To: alice@example.org\n"
        b"Subject: =?iso-8859-1?Q?R=E9union_du_comit=E9?=\n"
        b" =?utf-8?q?=E2=80=94_ordre_du_jour?=\n"
        b"MIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"\n"
        b"Bonjour,\n\nvoici l'ordre du jour.\n\n-- \nJ\xc3\xbcrgen\n\n"
        b"From bob@example.org  Mon Jan  1 00:01:00 2024\n"
        b"Subject: next\n\nnext message\n")
put("comsat_mail", "mbox_utf8", bytes([2, 40]) + MAIL)
put("comsat_mail", "mbox_ascii_crlf", bytes([1, 200]) +
    MAIL.replace(b"\n", b"\r\n"))
put("comsat_mail", "hostile",
    bytes([2, 16]) + b"From: \x1b]0;owned\x07 <x@y>\n"
    b"Subject: \xe2\x80\xaeevil\xe2\x80\xac =?utf-8?b?wps=?= \x9b31m\n\n"
    b"\x1b[2J\x1b[H body\r\x00 \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80\n")
put("comsat_mail", "names", bytes([4 | 2, 64]) +
    b"alice\0mail.example.org\0Subject: =?US-ASCII?Q?hello?=\n\nhi\n")
put("comsat_mail", "long_header", bytes([0, 255]) + b"Subject: " +
    b"=?utf-8?B?" + b"QUJD" * 300 + b"?=\n\n" + b"x" * 200 + b"\n")
put("comsat_mail", "many_lines", bytes([3, 100]) + b"From: a@b\n\n" +
    b"".join(b"line %d\n" % i for i in range(20)))


# rwhod: status packets in netkit's layout, big-endian on the wire.
def whod(host, ents, vers=1, typ=1):
    p = struct.pack(">BBxxII", vers, typ, 1700000000, 0)
    p += host.ljust(32, b"\0")[:32]
    p += struct.pack(">IIII", 12, 34, 56, 1690000000)
    for line, name, t, idle in ents:
        p += line.ljust(8, b"\0")[:8] + name.ljust(8, b"\0")[:8]
        p += struct.pack(">II", t, idle)
    return p


put("whod", "empty", whod(b"hosta", []))
put("whod", "two_users", whod(b"hostb.example.org",
    [(b"pts/0", b"alice", 1700000000, 0), (b"tty1", b"root", 1699990000,
                                            3600)]))
put("whod", "full", whod(b"hostc", [(b"pts/%d" % i, b"user%d" % i,
                                     1700000000 - i, i) for i in range(42)]))
put("whod", "eightchar", whod(b"h", [(b"pts/1234", b"abcdefgh", 1, 2)]))
put("whod", "slash_host", whod(b"../etc", []))
put("whod", "partial", whod(b"hostd", [(b"pts/0", b"bob", 1, 2)])[:70])
put("whod", "escape_user", whod(b"hoste", [(b"pts/0", b"\x1b[2J", 1, 2)]))


# IPC: a script of records: control byte (descriptors in the low
# nibble, 0x10 credentials, 0x20 via ipc_send, 0x40 start-up wait), a
# 2-byte length, the bytes.
def rec(ctl, body):
    return bytes([ctl]) + struct.pack("<H", len(body)) + body


def hdr(typ, length, flags=0, seq=0):
    return struct.pack("=IIII", typ, length, flags, seq)


LOG = struct.pack("=i", 6) + b"engine ready".ljust(512, b"\0")
TTYREQ = b"bob".ljust(33, b"\0") + b"pts/1".ljust(33, b"\0")
put("ipc", "startup_socket", rec(0x41, hdr(16, 0, 1)))
put("ipc", "log_line", rec(0x20, struct.pack("=II", 1, 0) + LOG))
put("ipc", "tty_req", rec(0, hdr(17, len(TTYREQ), 0, 1) + TTYREQ))
put("ipc", "tty_ok_fd", rec(1, hdr(18, 37, 1, 1) + bytes(37)))
put("ipc", "session", rec(0x41, hdr(16, 0, 1)) +
    rec(0x20, struct.pack("=II", 17, 5) + TTYREQ) +
    rec(1, hdr(18, 37, 1, 5) + bytes(37)) + rec(0, hdr(1, 516) + LOG))
put("ipc", "two_fds", rec(2, hdr(18, 37, 1, 1) + bytes(37)))
put("ipc", "nine_fds", rec(9, hdr(16, 0, 1)))
put("ipc", "flag_no_fd", rec(0, hdr(16, 0, 1)))
put("ipc", "len_mismatch", rec(0, hdr(1, 600) + LOG))
put("ipc", "too_long", rec(0, hdr(1, 2100) + bytes(2100)))
put("ipc", "short", rec(0, b"\x01\x00\x00"))
put("ipc", "credentials", rec(0x10, hdr(1, 516) + LOG))

# The parents' payload checks: byte 0 picks the message.
put("parent_checks", "tty_req", b"\0" + TTYREQ)
put("parent_checks", "tty_req_any", b"\0" + b"alice".ljust(66, b"\0"))
put("parent_checks", "tty_req_dotdot", b"\0" + b"bob".ljust(33, b"\0") +
    b"../etc/shadow".ljust(33, b"\0"))
CREQ = b"alice".ljust(40, b"\0") + struct.pack("=q", 4096) + \
    b"/home/alice/Mail/inbox".ljust(1024, b"\0")
put("parent_checks", "comsat_req", b"\1" + CREQ)
put("parent_checks", "comsat_req_negative", b"\1" +
    b"alice".ljust(40, b"\0") + struct.pack("=q", -1) + bytes(1024))


def status(host, ents):
    w = struct.pack("=BBxxII", 1, 1, 1700000000, 1700000005)
    w += host.ljust(32, b"\0") + struct.pack("=IIII", 1, 2, 3, 1690000000)
    for line, name in ents:
        w += line.ljust(8, b"\0") + name.ljust(8, b"\0") + \
            struct.pack("=II", 5, 6)
    n = len(ents)
    w = w.ljust(1068, b"\0")
    return struct.pack("=I", 60 + 24 * n) + bytes([127, 0, 0, 1]) + w


put("parent_checks", "status", b"\2" + status(b"hosta",
    [(b"pts/0", b"alice"), (b"tty1", b"root")]))
put("parent_checks", "status_empty", b"\2" + status(b"b", []))
put("parent_checks", "log", b"\3" + LOG)
put("parent_checks", "log_newline", b"\3" + struct.pack("=i", 4) +
    b"x\nparent: started (own socket)".ljust(512, b"\0"))

# Regressions found by these harnesses (see SECURITY.md).
# libbsd's strnvis() left the banner's 64-byte field unterminated for a
# forward-confirmed host name of 64 bytes or more: a stack over-read.
put("ctl", "long_host", ctl_msg(3, b"alice", b"bob", b"pts/1",
    addr=(10, 0, 0, 2), ctl=(10, 0, 0, 2)) + bytes([10, 0, 0, 2]) +
    b"a" * 63 + b".example.org")
# ... and a log line whose escaped form outgrew vlog()'s buffer: "\M-^["
# is 5 bytes for one, the buffer allowed 4.
put("parent_checks", "log_meta", b"\3" + struct.pack("=i", 4) +
    b"\x9b" * 511 + b"\0")
