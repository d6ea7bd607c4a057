# GNU make.  `make` builds the daemons, `make check` runs every test
# (as root: see README.md), `make install` installs them.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
include Makefile.inc

TALKD_OBJ = $(patsubst %.c,%.o,$(COMMON_SRC) $(COMMON_PRIV) $(TALKD_SRC))
RWHOD_OBJ = $(patsubst %.c,%.o,$(COMMON_SRC) $(COMMON_PRIV) $(RWHOD_SRC))
COMSAT_OBJ = $(patsubst %.c,%.o,$(COMMON_SRC) $(COMMON_PRIV) $(COMSAT_SRC))
PROGS	= talkd rwhod comsat
MANS	= man/talkd.8 man/rwhod.8 man/comsat.8

all: $(PROGS)

talkd: $(TALKD_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(TALKD_OBJ) $(LDLIBS)

rwhod: $(RWHOD_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(RWHOD_OBJ) $(LDLIBS)

comsat: $(COMSAT_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(COMSAT_OBJ) $(LDLIBS)

%.o: %.c include/*.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/

# Accounts and the empty chroot directory the children use.
setup:
	sh regress/setup-accounts.sh

# Print the seccomp allow-lists exactly as the code holds them.
policy: all
	./talkd -S
	./rwhod -S
	./comsat -S

lint:
	mandoc -Tlint -Wwarning $(MANS)

check test: all
	$(MAKE) -C regress

clean:
	rm -f $(PROGS) src/*.o priv/*.o
	$(MAKE) -C regress clean

.PHONY: all install setup policy lint check test clean
