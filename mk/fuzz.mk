# SPDX-License-Identifier: MIT
# make fuzz: libFuzzer targets for the code that reads untrusted input (VM
# configs, guest images, the device tree made from a config, the syndrome
# and instruction decoders, the gdb stub's packets), built with Debian's
# clang under AddressSanitizer and UndefinedBehaviorSanitizer, any report
# fatal. See docs/fuzzing.md.
#
#   make fuzz                        build every target in $(BUILD)/fuzz/, run each FUZZ_SECONDS
#   make fuzz FUZZ_TARGET=loader     build and run one target
#   make fuzz FUZZ_SECONDS=600       longer runs (default 60 s per target)
#   make -j2 fuzz                    two targets at a time
#   make fuzz-build                  build only
#
# Each target's corpus grows in $(BUILD)/fuzz/corpus/<target>/, seeded from
# tests/fuzz/corpus/<source>/. A crash, hang (an input running longer than
# FUZZ_TIMEOUT s) or memory blow-up (FUZZ_RSS_MB) fails `make fuzz`; its
# reproducer stays in $(BUILD)/fuzz/artifacts/<target>/ and the command to
# replay it is printed.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CFLAGS := -g -O1 -std=c11 -D_DEFAULT_SOURCE $(WARN) -MMD -MP -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

# The targets. fuzz_target NAME,SOURCE,ARCH: $(FUZZ_DIR)/NAME is built from
# tests/fuzz/SOURCE.c and the core, lib and arch code of ARCH (each
# architecture's code compiles against its own src/arch/ARCH headers).
FUZZ_TARGETS :=
FUZZ_ARCHS := aarch64 riscv64 x86_64
FUZZ_COMMON := common hal_fuzz
fuzz_comma := ,

# Objects of ARCH: the core, lib and arch code with libFuzzer's coverage
# instrumentation, the targets' own files without it (their checks are not
# what is explored, and tracing their comparisons cost half the time), and a
# library of the code under test.
define fuzz_arch_rules
FUZZ_CODE_$(1) := $$(wildcard src/core/*.c) $$(wildcard src/lib/*.c) $$(wildcard src/arch/$(1)/*.c)
$(FUZZ_DIR)/obj/$(1)/src/%.o: src/%.c
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) -Isrc/include -Isrc/arch/$(1) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $$@ $$<
$(FUZZ_DIR)/obj/$(1)/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) -Isrc/include -Isrc/arch/$(1) $(FUZZ_CFLAGS) -c -o $$@ $$<
$(FUZZ_DIR)/obj/$(1)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) -Isrc/include -Isrc/arch/$(1) $(FUZZ_CFLAGS) -c -o $$@ $$<
$(FUZZ_DIR)/$(1)/libcode.a: $$(FUZZ_CODE_$(1):%.c=$(FUZZ_DIR)/obj/$(1)/%.o)
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach a,$(FUZZ_ARCHS),$(eval $(call fuzz_arch_rules,$(a))))

define fuzz_target
FUZZ_TARGETS += $(1)
FUZZ_SEEDS_$(1) := tests/fuzz/corpus/$(2)
FUZZ_DICT_$(1) := $$(wildcard tests/fuzz/$(if $(filter fdt,$(2)),config,$(2)).dict)
$(FUZZ_DIR)/$(1): $(FUZZ_DIR)/obj/$(3)/tests/fuzz/$(2).o \
		$(FUZZ_COMMON:%=$(FUZZ_DIR)/obj/$(3)/tests/fuzz/%.o) $(FUZZ_DIR)/obj/$(3)/tests/unit/hal_novcpu.o \
		$(FUZZ_DIR)/obj/$(3)/src/hal_bare/trace.o $(FUZZ_DIR)/obj/$(3)/src/hal_bare/random.o \
		$(FUZZ_DIR)/$(3)/libcode.a
	@echo "  FUZZLD  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $$@ $$^ $(4) -lfdt
endef
# The loader target sees every write into guest RAM (a refused image writes nothing).
$(eval $(call fuzz_target,config,config,aarch64))
$(eval $(call fuzz_target,loader,loader,aarch64,-Wl$(fuzz_comma)--wrap=addrspace_write))
$(foreach a,$(FUZZ_ARCHS),$(eval $(call fuzz_target,fdt_$(a),fdt,$(a))))
$(eval $(call fuzz_target,a64_trap,a64_trap,aarch64))
$(eval $(call fuzz_target,a64_insn,a64_insn,aarch64))
$(eval $(call fuzz_target,rv_trap,rv_trap,riscv64))
$(eval $(call fuzz_target,rv_insn,rv_insn,riscv64))
$(eval $(call fuzz_target,x86_trap,x86_trap,x86_64))
# The gdb remote-protocol layer: simulator code (src/hal_sim/), not in libcode.a,
# so its object (instrumented, by the src/ rule above) is linked in too, after the
# library: the library is named again after it for what it calls (cv_hex_digit).
$(eval $(call fuzz_target,gdb_packet,gdb_packet,aarch64,$(FUZZ_DIR)/aarch64/libcode.a))
$(FUZZ_DIR)/gdb_packet: $(FUZZ_DIR)/obj/aarch64/src/hal_sim/gdb_proto.o

FUZZ_RUN := $(or $(FUZZ_TARGET),$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-runs fuzz-check-target $(FUZZ_TARGETS:%=fuzz-run-%)
fuzz-check-target:
	@for t in $(FUZZ_RUN); do case " $(FUZZ_TARGETS) " in *" $$t "*) ;; *) \
		echo "make fuzz: unknown FUZZ_TARGET '$$t' (targets: $(strip $(FUZZ_TARGETS)))" >&2; \
		exit 2;; esac; done
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz: $(FUZZ_CC) not found;" \
		"scripts/install-deps.sh installs it (packages clang, libclang-rt-dev)" >&2; exit 2; }

fuzz-build: fuzz-check-target
	$(Q)$(MAKE) --no-print-directory $(FUZZ_RUN:%=$(FUZZ_DIR)/%)

# Each run writes $(FUZZ_DIR)/results/<target>; the summary reads them all.
fuzz: fuzz-check-target
	$(Q)sh scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory $(FUZZ_RUN:%=$(FUZZ_DIR)/%)
	$(Q)mkdir -p $(FUZZ_DIR)/results && cd $(FUZZ_DIR)/results && rm -f $(FUZZ_RUN)
	$(Q)$(MAKE) --no-print-directory fuzz-runs
	$(Q)sh tests/fuzz/run.sh --summary $(FUZZ_DIR) $(FUZZ_RUN)

fuzz-runs: $(FUZZ_RUN:%=fuzz-run-%)

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%:
	$(Q)sh tests/fuzz/run.sh $* $(FUZZ_DIR) $(FUZZ_SEEDS_$*) $(FUZZ_SECONDS) $(FUZZ_TIMEOUT) \
		$(FUZZ_RSS_MB) $(FUZZ_DICT_$*)

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
