#!/bin/sh
# t_comsat.sh again on a host without utmp logins: every login it makes
# is a systemd-logind session file instead of a utmp record
# (LIB_LOGINS=logind, lib.sh), and comsat runs with its default -L auto,
# so it must find the users, and refuse the stale "record", through
# logind.  Each verdict is prefixed with "logind: "; the status is
# t_comsat.sh's.
cd "$(dirname "$0")" || exit 1
exec 3>&1
rc=$({ { LIB_LOGINS=logind sh ./t_comsat.sh "$@" 3>&- 4>&-; echo $? >&4; } |
    sed -u 's/^\(PASS\|FAIL\|SKIP\): /\1: logind: /' >&3 3>&- 4>&-; } 4>&1)
exit "${rc:-1}"
