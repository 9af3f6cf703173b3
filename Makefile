# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of tcpstates.ko plus the project's test and demo targets.
# Kbuild reads ./Kbuild, never this file, so `make -C $KDIR M=$PWD` (DKMS,
# distro tooling) and `make KERNELRELEASE=<ver>` / `make KDIR=<dir>` all work.

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PWD := $(CURDIR)

VERSION := $(shell sed -n 's/^\#define TCPSTATES_VERSION "\(.*\)"/\1/p' module/version.h)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -f scripts/tcpstates-lab

check:
	./scripts/check

demo:
	./scripts/demo

version:
	@echo $(VERSION)

.PHONY: all module clean check demo version
