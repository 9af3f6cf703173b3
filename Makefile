# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of tcpstates.ko plus the project's test and demo targets.
# Kbuild reads ./Kbuild, never this file, so `make -C $KDIR M=$PWD` (DKMS,
# distro tooling) and `make KERNELRELEASE=<ver>` / `make KDIR=<dir>` all work.

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(CURDIR)

VERSION := $(shell sed -n 's/^\#define TCPSTATES_VERSION "\(.*\)"/\1/p' module/version.h)

all: module lab

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# The state lab is a user-space program: it needs no kernel headers.
lab: scripts/tcpstates-lab

scripts/tcpstates-lab: scripts/tcpstates-lab.c scripts/tun-segment.h scripts/lab-text.h
	$(CC) -O2 -Wall -Wextra -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -f scripts/tcpstates-lab

check:
	./scripts/check

# The quick static checks alone: one version, checkpatch --strict, W=1 and
# sparse on each kernel (KERNELS as in scripts/kernels.sh; default debian 5.15).
gates:
	./scripts/gates

demo:
	./scripts/demo

# The lab for students without root: boots 6.12 under QEMU with the module
# loaded and a shell. Its image is built once, by root (lab-vm-image).
lab-vm:
	./scripts/lab-vm

lab-vm-image:
	./scripts/lab-vm --build

# Not a test: boots 6.12 with 10k, 100k and 1M sockets and writes bench/.
bench:
	./scripts/bench

# Everything at once on the debug kernels and 6.12-rt, SOAK_SECONDS each.
soak:
	./scripts/soak

version:
	@echo $(VERSION)

.PHONY: all module lab clean check gates demo lab-vm lab-vm-image bench soak version

# --- Installing on a server --------------------------------------------------
# `make install` puts the .ko built above under /lib/modules (or
# $(INSTALL_MOD_PATH)/lib/modules) plus the /etc snippets; `make dkms-install`
# hands the sources to DKMS so the module follows kernel upgrades.

# Pinned: kbuild's default for M= builds is "extra" on 6.1, "updates" on 6.12.
INSTALL_MOD_DIR ?= updates
MODDEST = $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)/$(INSTALL_MOD_DIR)
DEPMOD_ROOT = $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH))
ETC_FILES = modprobe.d/tcpstates.conf modules-load.d/tcpstates.conf

install: module
	$(MAKE) -C $(KDIR) M=$(PWD) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	depmod $(DEPMOD_ROOT) -a $(KERNELRELEASE)
	for f in $(ETC_FILES); do \
		install -D -m 0644 packaging/$$f $(DESTDIR)/etc/$$f || exit 1; \
	done

uninstall:
	rm -f $(MODDEST)/tcpstates.ko $(MODDEST)/tcpstates.ko.xz \
		$(MODDEST)/tcpstates.ko.gz $(MODDEST)/tcpstates.ko.zst
	for f in $(ETC_FILES); do rm -f $(DESTDIR)/etc/$$f; done
	depmod $(DEPMOD_ROOT) -a $(KERNELRELEASE)

# Exactly what dkms.conf's MAKE[0] needs: no tests, scripts or build output.
DKMS_SRC = /usr/src/tcpstates-$(VERSION)
DKMS_FILES = Kbuild Makefile dkms.conf module/Kbuild.probes \
	$(wildcard module/*.c) $(wildcard module/*.h)
DKMS_KERNELS ?= $(KERNELRELEASE)

# Re-running replaces the sources: remove this version from DKMS, copy, add.
dkms-install:
	./scripts/check-version
	if [ -n "$$(dkms status -m tcpstates -v $(VERSION))" ]; then \
		dkms remove -m tcpstates -v $(VERSION) --all || exit 1; \
	fi
	rm -rf $(DKMS_SRC)
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DKMS_SRC)/$$f || exit 1; \
	done
	dkms add -m tcpstates -v $(VERSION)
	for k in $(DKMS_KERNELS); do \
		dkms build -m tcpstates -v $(VERSION) -k $$k && \
		dkms install -m tcpstates -v $(VERSION) -k $$k || exit 1; \
	done

dkms-remove:
	if [ -n "$$(dkms status -m tcpstates -v $(VERSION))" ]; then \
		dkms remove -m tcpstates -v $(VERSION) --all || exit 1; \
	fi
	rm -rf $(DKMS_SRC)

.PHONY: install uninstall dkms-install dkms-remove

# The Prometheus exporter: script + systemd units (timer every 15 s).
install-exporter:
	install -D -m 0755 scripts/tcpstates-exporter $(DESTDIR)/usr/local/bin/tcpstates-exporter
	for u in tcpstates-exporter.service tcpstates-exporter.timer; do \
		install -D -m 0644 packaging/systemd/$$u $(DESTDIR)/etc/systemd/system/$$u || exit 1; \
	done

uninstall-exporter:
	rm -f $(DESTDIR)/usr/local/bin/tcpstates-exporter \
		$(DESTDIR)/etc/systemd/system/tcpstates-exporter.service \
		$(DESTDIR)/etc/systemd/system/tcpstates-exporter.timer

.PHONY: install-exporter uninstall-exporter
