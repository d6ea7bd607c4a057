#!/bin/sh
# Create the unprivileged accounts and the empty, root-owned chroot
# directory the daemons' children use.  Idempotent; run as root.
set -eu
for u in _talkd _comsat _rwhod; do
	if ! getent passwd "$u" >/dev/null; then
		useradd --system --no-create-home --home-dir /var/empty \
		    --shell /usr/sbin/nologin --user-group "$u"
		echo "created account $u"
	fi
done
install -d -o root -g root -m 0755 /var/empty
