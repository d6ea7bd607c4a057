#!/usr/bin/env python3
"""Act as inetd in "wait" mode for one service (tests only): bind a UDP
socket, put it on fds 0-2 and exec the server.

usage: inetd_wrap.py ADDR PORT PROGRAM [ARGS...]
"""
import os, socket, sys

addr, port, prog = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
for fd in (0, 1, 2):
    os.dup2(s.fileno(), fd)
os.execv(prog[0], prog)
