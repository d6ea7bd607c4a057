# GNU make.  `make` builds the daemons, `make check` runs every test
# (as root: see README.md), `make install` installs them.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
# systemd units, sysusers.d and tmpfiles.d snippets (contrib/): systemd
# reads these under /usr/local/lib too.  Debian: UNITDIR=/lib/systemd/system.
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
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
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	for p in $(PROGS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' contrib/systemd/$$p.service.in \
		    >$(DESTDIR)$(UNITDIR)/$$p.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$p.service && \
		install -m 0644 contrib/systemd/$$p.socket $(DESTDIR)$(UNITDIR)/ && \
		install -m 0644 contrib/sysusers.d/$$p.conf $(DESTDIR)$(SYSUSERSDIR)/ && \
		install -m 0644 contrib/tmpfiles.d/$$p.conf $(DESTDIR)$(TMPFILESDIR)/ \
		    || exit 1; \
	done

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

# libFuzzer harnesses (clang), each run FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C regress/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# The daemons and the tests' builds with ASan and UBSan (clang), in place.
asan:
	$(MAKE) clean
	$(MAKE) SANITIZE=1 all
	$(MAKE) -C regress SANITIZE=1 units

# Every test against the sanitizer build, a check that no process made a
# report, then the normal build again (root, as `make check`).
asan-check: asan
	sh regress/asan_check.sh; rc=$$?; $(MAKE) clean; $(MAKE) all; \
	    $(MAKE) -C regress units; exit $$rc

# valgrind memcheck over the unit tests and rwhod -s (see the script).
valgrind-check: all
	$(MAKE) -C regress units
	sh regress/valgrind_check.sh

# Throughput, CPU and memory beside netkit's daemons and a bare UDP
# server (root; prints figures, not a test): regress/bench/BENCHMARKS.md.
BENCH_ROUNDS ?= 5
BENCH_SECONDS ?= 2
bench: all
	sh regress/bench/bench.sh -r $(BENCH_ROUNDS) -s $(BENCH_SECONDS)
.PHONY: bench

clean:
	rm -f $(PROGS) src/*.o priv/*.o
	$(MAKE) -C regress clean

.PHONY: all install setup policy lint check test clean fuzz asan asan-check \
	valgrind-check
