# Guest code (loader stub, reference kernel, CPU test guests) is C and assembly built with Debian's gcc.
# Each folder with guest code has its own Makefile that writes into $(BUILD)/<its path>/.
BUILD ?= $(CURDIR)/build
GUEST_DIRS := $(patsubst %/Makefile,%,$(wildcard kernel/*/Makefile loader/stub/*/Makefile test/guests/*/Makefile))

.PHONY: guests clean
# Every folder is attempted even when an earlier one fails, so one broken guest does not hide the others;
# the failures are listed at the end and make fails.
guests:
	@failed=""; for d in $(GUEST_DIRS); do $(MAKE) --no-print-directory -C $$d BUILD=$(BUILD)/$$d || failed="$$failed $$d"; done; \
	if [ -n "$$failed" ]; then echo "guest build failed in:$$failed" >&2; exit 1; fi

clean:
	rm -rf $(BUILD)
