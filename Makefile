# Guest code (loader stub, reference kernel, CPU test guests) is C and assembly built with Debian's gcc.
# Each folder with guest code has its own Makefile that writes into $(BUILD)/<its path>/.
BUILD ?= $(CURDIR)/build
GUEST_DIRS := $(patsubst %/Makefile,%,$(wildcard kernel/*/Makefile loader/stub/*/Makefile test/guests/*/Makefile))

.PHONY: guests clean
guests:
	@set -e; for d in $(GUEST_DIRS); do $(MAKE) --no-print-directory -C $$d BUILD=$(BUILD)/$$d; done

clean:
	rm -rf $(BUILD)
