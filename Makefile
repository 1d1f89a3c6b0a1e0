# SPDX-License-Identifier: MIT
# cvisor build.
#
#   make run      install what is missing, build, boot the hello guest in the simulator
#   make test     install what is missing, build, run every test suite
#   make bench    benchmarks (figures printed, nothing asserted)
#   make bench-linux  Debian's arm64 kernel to init: simulator vs minimal Unicorn,
#                 bare cvisor vs QEMU alone (bench/linux.sh; slow, so not in make bench)
#   make          build the simulator (build/cvisor), the guests and the tests
#   make check    the same tests without the install step
#   make linux    Debian's arm64 kernel and a busybox initramfs (scripts/linux-guest.sh,
#                 into build/linux), booted with configs/aarch64/linux.toml
#   make labs     the course labs (labs/, docs/labs.md): each lab's title and solution regions
#   make lab-skeleton LAB=n DEST=DIR
#                 a student's tree in DIR (outside this one, empty or new): every file,
#                 the solution regions of lab n and of every later lab replaced by
#                 their stubs ("cvisor: lab n: implement ..." when run)
#   make grade LAB=n   build (all), then run lab n's checks (labs/n-*/grade.sh):
#                 points per check and a total; fails unless the score is full
#   make format   reformat the sources with clang-format
#   make docs     the API reference and the figures, in $(BUILD)/docs (mk/docs.mk)
#   make fuzz     libFuzzer targets (clang, ASan, UBSan) run FUZZ_SECONDS each (mk/fuzz.mk)
#   make test SANITIZE=1   the unit and simulator tests built with ASan and UBSan,
#                 in their own build directory (build-san)
#   make debug    the simulators and unit tests at -O0 -g3, for stepping cvisor in
#                 host gdb, in their own build directory (build-debug); DEBUG=1 does
#                 the same for any target (make check DEBUG=1, make qemu-gdb DEBUG=1).
#                 gdb -x scripts/gdb/cvisor.py --args build-debug/cvisor run CONFIG
#                 (docs/debugging.md)

# The architecture of the simulator and bare builds; the others' cores and
# unit tests are built and run too (OTHER_ARCHS).
PRIMARY_ARCH := aarch64
ARCH ?= $(PRIMARY_ARCH)
OTHER_ARCHS := riscv64 x86_64
# SANITIZE=1: host code (unit tests, simulators) with AddressSanitizer and
# UndefinedBehaviorSanitizer, any report fatal, in build-san so the normal
# build stays as it is. The guests and the bare build are not host code.
SAN := $(filter 1,$(SANITIZE))
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# DEBUG=1: host code (and the bare build) at -O0 -g3, in build-debug (build-san-debug
# with SANITIZE=1), so that gdb shows every variable and steps line by line. A
# BUILD=...-debug given by a test suite means the same.
DBG := $(or $(filter 1,$(DEBUG)),$(if $(filter %-debug,$(BUILD)),1))
BUILD ?= $(if $(SAN),build-san,build)$(if $(DBG),-debug)
CC ?= gcc
CROSS_aarch64 ?= aarch64-linux-gnu-
CROSS_riscv64 ?= riscv64-linux-gnu-
CROSS_x86_64 ?=
GUEST_ARCH_FLAGS_x86_64 := -no-pie -mno-red-zone
GUEST_ARCH_FLAGS_riscv64 := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany

Q := @
ifeq ($(V),1)
Q :=
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wvla -Wstrict-prototypes
CFLAGS ?= $(if $(DBG),-O0 -g3,-O2 -g)
CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(WARN) -MMD -MP $(if $(SAN),$(SAN_FLAGS))
CPPFLAGS += -Isrc/include -Isrc/arch/$(ARCH)

CORE_SRCS := $(wildcard src/core/*.c) $(wildcard src/lib/*.c) $(wildcard src/arch/$(ARCH)/*.c)
SIM_SRCS := $(wildcard src/hal_sim/*.c) $(wildcard src/sim/*.c) $(wildcard src/sim/$(ARCH)/*.c)
OBJ := $(BUILD)/obj/$(ARCH)
CORE_OBJS := $(CORE_SRCS:%.c=$(OBJ)/%.o)
SIM_OBJS := $(SIM_SRCS:%.c=$(OBJ)/%.o)
SIM_LIBS := -lunicorn -lcapstone -lfdt -lpthread -lm
LIBCORE := $(BUILD)/$(ARCH)/libcvcore.a

# Unit tests: tests/unit/test_*.c test the core (built once, with the primary
# architecture); tests/unit/<arch>/test_*.c test one architecture's code.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
ARCH_UNIT_SRCS := $(wildcard tests/unit/$(ARCH)/test_*.c)
UNIT_BINS := $(if $(filter $(ARCH),$(PRIMARY_ARCH)),$(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)) \
	$(ARCH_UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# The unit tests' HAL: hal_stub.c, with the bare HAL's traces (lines to the log, no filter)
# and the simulator's disk images (host files) and random bytes (getrandom(2)).
UNIT_SUPPORT := $(OBJ)/tests/unit/hal_stub.o $(OBJ)/tests/unit/hal_novcpu.o $(OBJ)/tests/unit/walk_record.o $(OBJ)/tests/unit/fixture.o $(OBJ)/tests/unit/uc_probe.o \
	$(OBJ)/src/hal_bare/trace.o $(OBJ)/src/hal_sim/disk.o $(OBJ)/src/hal_sim/random.o

GUEST_DIR := guests/$(ARCH)
GUEST_SRCS := $(wildcard $(GUEST_DIR)/*.S)
GUEST_ELFS := $(GUEST_SRCS:$(GUEST_DIR)/%.S=$(BUILD)/guests/$(ARCH)/%.elf)
GUEST_BINS := $(GUEST_ELFS:.elf=.bin)
GCROSS := $(CROSS_$(ARCH))
GUEST_CFLAGS := -nostdlib -nostartfiles -static -ffreestanding -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-Wl,-T,$(GUEST_DIR)/link.ld -I$(GUEST_DIR) $(GUEST_ARCH_FLAGS_$(ARCH))

# The simulator of the primary architecture is build/cvisor; the others'
# are build/<arch>/cvisor, which build/cvisor runs for configs of their
# architecture.
SIM_BIN := $(if $(filter $(ARCH),$(PRIMARY_ARCH)),$(BUILD)/cvisor,$(BUILD)/$(ARCH)/cvisor)
HAS_SIM := $(wildcard src/sim/$(ARCH)/*.c)

BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/uc_raw_*.c))

.PHONY: all run test check bench bench-linux linux deps clean format guests unit sim debug $(OTHER_ARCHS:%=arch-%)
# Keep the test objects make would otherwise delete as intermediates.
.SECONDARY:
all: $(BUILD)/cvisor guests unit $(OTHER_ARCHS:%=arch-%)

# The core, unit tests, simulator and guests of another architecture.
$(OTHER_ARCHS:%=arch-%): arch-%:
	$(Q)$(MAKE) --no-print-directory ARCH=$* unit $(if $(wildcard src/sim/$*/*.c),sim guests)

sim: $(SIM_BIN)

# The simulators and unit tests at -O0 -g3 in build-debug (the guests in build/ too).
debug:
	$(Q)$(MAKE) --no-print-directory DEBUG=1 all

deps:
	$(Q)sh scripts/install-deps.sh
ifeq ($(SAN),)
	$(Q)$(if $(BARE_LIBFDT),test -f $(BARE_LIBFDT) || sh scripts/install-deps.sh --bare-libfdt $(BARE_DEPS),:)
endif

# The configs name their guests in build/guests/ (paths relative to the config),
# so a sanitizer or debug build has those built too: the guests are not host
# code, and are the same as the normal build's.
ifneq ($(SAN)$(DBG),)
all: normal-build-guests
.PHONY: normal-build-guests
normal-build-guests:
	$(Q)for a in $(PRIMARY_ARCH) $(OTHER_ARCHS); do \
		$(MAKE) --no-print-directory BUILD=build SANITIZE= DEBUG= ARCH=$$a guests || exit 1; done
endif

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BUILD)/cvisor run configs/$(ARCH)/hello.toml

linux: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh scripts/linux-guest.sh build/linux
	build/cvisor run configs/aarch64/linux.toml

test: deps
	$(Q)$(MAKE) --no-print-directory check

# With SANITIZE=1 only the suites of host code: unit, simulator and its gdb stub.
check: all
	$(Q)sh tests/run.sh $(BUILD) $(ARCH) $(if $(SAN),unit sim gdb)

# The course labs (labs/lab.sh; docs/labs.md). LAB is checked before anything is built.
.PHONY: labs lab-skeleton grade
labs:
	$(Q)sh labs/lab.sh list

lab-skeleton:
	$(Q)sh labs/lab.sh dir "$(LAB)" >/dev/null
	$(Q)test -n "$(DEST)" || { echo "make lab-skeleton: give DEST=DIR, a new or empty folder outside this tree" >&2; exit 2; }
	$(Q)sh labs/lab.sh skeleton "$(LAB)" "$(DEST)"

grade:
	$(Q)sh labs/lab.sh dir "$(LAB)" >/dev/null
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh labs/lab.sh grade "$(LAB)" $(BUILD)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)sh bench/run.sh $(BUILD) $(ARCH)

bench-linux: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/bench/uc_raw_linux
	$(Q)sh bench/linux.sh $(BUILD)

guests: $(GUEST_ELFS) $(GUEST_BINS)
unit: $(UNIT_BINS)

$(SIM_BIN): $(CORE_OBJS) $(SIM_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(SIM_LIBS)

$(LIBCORE): $(CORE_OBJS)
	@echo "  AR      $@"
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(OBJ)/tests/unit/%.o $(UNIT_SUPPORT) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcmocka -lfdt -lunicorn -lpthread
# The bare builds' device-tree library beside Debian's libfdt: compiled with its names
# prefixed (BARE_FDT_PREFIX, bare_fdt_...), with the table of its functions the test uses.
BARE_FDT_TEST_OBJS := $(patsubst %.c,$(OBJ)/bare_fdt/%.o,$(wildcard src/hal_bare/fdt/*.c) tests/unit/bare_fdt_ops.c)
$(OBJ)/bare_fdt/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) -DBARE_FDT_PREFIX -Isrc/hal_bare/fdt $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/tests/test_bare_fdt: $(BARE_FDT_TEST_OBJS)
# The gdb protocol layer is simulator code (src/hal_sim/), libc only: its test links it too.
$(BUILD)/tests/test_gdb_proto: $(OBJ)/src/hal_sim/gdb_proto.o

# The gdb register tests (tests/unit/<arch>/test_gdb_regs.c) run a simulated
# CPU: they link the simulator's CPU (src/sim/, not its HAL) and their
# shared part, besides the core.
SIM_CPU_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard src/sim/*.c src/sim/$(ARCH)/*.c))
$(BUILD)/tests/$(ARCH)/test_gdb_regs: $(OBJ)/tests/unit/$(ARCH)/test_gdb_regs.o \
		$(OBJ)/tests/unit/gdb_tdesc.o $(SIM_CPU_OBJS) $(UNIT_SUPPORT) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcmocka -lfdt -lunicorn -lcapstone -lpthread -lm

# The x86 instruction decoder's test compares it with Capstone.
$(BUILD)/tests/x86_64/test_insn: $(OBJ)/tests/unit/x86_64/test_insn.o $(UNIT_SUPPORT) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcmocka -lfdt -lunicorn -lcapstone -lpthread

$(BUILD)/guests/$(ARCH)/%.elf: $(GUEST_DIR)/%.S $(GUEST_DIR)/link.ld $(wildcard $(GUEST_DIR)/*.h) $(wildcard guests/*.h)
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)$(GCROSS)gcc $(GUEST_CFLAGS) -o $@ $<

$(BUILD)/guests/$(ARCH)/%.bin: $(BUILD)/guests/$(ARCH)/%.elf
	$(Q)$(GCROSS)objcopy -O binary $< $@

$(BUILD)/bench/uc_raw_%: bench/uc_raw_%.c bench/uc_raw.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) -O2 -std=c11 -D_DEFAULT_SOURCE $(WARN) -o $@ $< -lunicorn -lpthread $(BENCH_LIBS_$*)
# uc_raw_linux writes the kernel's device tree with libfdt.
BENCH_LIBS_linux := -lfdt

# ---- The bare-metal build (cvisor at EL2 under QEMU) -------------------------
#   make qemu CONFIG=configs/aarch64/hello.toml [CONFIG2=... up to CONFIG16=...]
#   make qemu CONFIGS="a.toml b.toml ..."   (the same, as one list)
#   make qemu ... MAX_SECONDS=N   (stop a VM still running after N seconds)
#   make qemu ... SMP=N   (N physical CPUs; default 1: the VMs' vCPUs share it in time slices)
#   make qemu-gdb CONFIG=... [GDB_PORT=N]   (QEMU waits for gdb on 127.0.0.1:1234 or N;
#                 gdb-multiarch -x build/bare/aarch64/gdbinit debugs cvisor and the guests)
#   make qemu ARCH=riscv64 CONFIG=...   (cvisor in HS-mode under OpenSBI)
#   make qemu ARCH=x86_64 CONFIG=...    (or make bochs: cvisor with VMX under Bochs, from
#                 a GRUB ISO; no qemu-gdb)
BARE_CROSS := $(CROSS_$(ARCH))
BARE_DIR := $(BUILD)/bare/$(ARCH)
# (libfdt for AArch64, the same for a debug build as for the normal one; Debian
# has no riscv64 libfdt: the RISC-V build compiles cvisor's own, src/hal_bare/fdt/)
BARE_DEPS := $(if $(DBG),build,$(BUILD))/deps/$(ARCH)
BARE_LIBFDT_aarch64 := $(BARE_DEPS)/usr/lib/aarch64-linux-gnu/libfdt.a
BARE_LIBFDT := $(BARE_LIBFDT_$(ARCH))
# The device-tree library of the RISC-V build (libfdt's API, a subset): its
# sources and headers, once src/hal_bare/fdt/ exists.
BARE_FDT_SRCS_riscv64 := $(wildcard src/hal_bare/fdt/*.c)
BARE_FDT_CPPFLAGS_riscv64 := -Isrc/hal_bare/fdt
# x86_64 too: Debian's libfdt.a for the host is built against the host's C
# library and with its stack protector, so the bare build cannot link it.
BARE_FDT_SRCS_x86_64 := $(BARE_FDT_SRCS_riscv64)
BARE_FDT_CPPFLAGS_x86_64 := $(BARE_FDT_CPPFLAGS_riscv64)
# Each architecture's code generation: AArch64 keeps off the FP/SIMD registers
# (the guests' until switched), RISC-V takes the ABI of the cross compiler's
# libgcc (lp64d; cvisor's code has no floating point), addresses anywhere
# (medany: the image is at 0x8020_0000, beyond medlow's +-2 GiB around 0) and
# no linker relaxation (nothing relaxed into gp-relative accesses: gp is never set).
BARE_ARCH_CFLAGS_aarch64 := -mgeneral-regs-only -mstrict-align -mno-outline-atomics
BARE_ARCH_CFLAGS_riscv64 := -march=rv64gc -mabi=lp64d -mcmodel=medany -mno-relax -mstrict-align
# x86_64 (the host's gcc): no red zone (an interrupt taken in HLT pushes its frame on
# the same stack), no SSE/x87 registers (the guests' until switched), the small code
# model (the image is at 1 MiB), no CET notes or unwind tables.
BARE_ARCH_CFLAGS_x86_64 := -m64 -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fcf-protection=none -fno-asynchronous-unwind-tables
BARE_LDFLAGS_x86_64 := -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack
# Assembler files: RISC-V's may use the H extension's instructions and CSRs (GCC 12's
# -march has no H; C code names it with `.option arch, +h` around its asm).
BARE_ASFLAGS_riscv64 := -march=rv64gc -mabi=lp64d -mno-relax -Wa,-march=rv64gch
BARE_LDFLAGS_riscv64 := -Wl,--no-relax
BARE_CFLAGS := $(if $(DBG),-O0 -g3,-O2 -g) -std=c11 -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-stack-protector -fno-pic -fno-pie $(BARE_ARCH_CFLAGS_$(ARCH)) \
	-DBARE_SEMIHOSTING=1 $(WARN) -MMD -MP
# No C library: the compiler's own headers, cvisor's string.h/stdlib.h, libfdt's headers.
# The cross compiler is asked where its headers are the first time a bare object
# is built, not when make reads this file: before `make test` has installed the
# cross compiler, reading the Makefile must print no error.
BARE_GCC_INCLUDE = $(eval BARE_GCC_INCLUDE := $$(shell $(BARE_CROSS)gcc -print-file-name=include))$(BARE_GCC_INCLUDE)
BARE_CPPFLAGS = -nostdinc -isystem src/hal_bare/include \
	-isystem $(BARE_GCC_INCLUDE) -isystem $(BARE_DEPS)/usr/include -Isrc/include -Isrc/arch/$(ARCH) \
	-Isrc/hal_bare/$(ARCH) $(BARE_FDT_CPPFLAGS_$(ARCH))
BARE_SRCS := $(CORE_SRCS) $(wildcard src/hal_bare/*.c) $(wildcard src/hal_bare/$(ARCH)/*.c) \
	$(BARE_FDT_SRCS_$(ARCH))
BARE_ASMS := $(wildcard src/hal_bare/$(ARCH)/*.S)
BARE_OBJS := $(BARE_SRCS:%.c=$(BARE_DIR)/obj/%.o) $(BARE_ASMS:%.S=$(BARE_DIR)/obj/%.o)
QEMU_CONFIGS := $(strip $(CONFIG) $(foreach n,2 3 4 5 6 7 8 9 10 11 12 13 14 15 16,$(CONFIG$(n))) $(CONFIGS))
# QEMU's command line is in scripts/qemu.sh, shared with tests/bare/ and bench/.
# (QEMU_CPU=model: aarch64's default is max; riscv64's is scripts/qemu.sh's, rv64 with h=true)
QEMU_CPU_DEFAULT_aarch64 := max
QEMU := sh scripts/qemu.sh $(addprefix --cpu ,$(or $(QEMU_CPU),$(QEMU_CPU_DEFAULT_$(ARCH)))) \
	$(if $(SMP),--smp $(SMP)) $(ARCH)

.PHONY: qemu qemu-gdb bare FORCE
bare: $(BARE_OBJS)

ifneq ($(BARE_LIBFDT),)
$(BARE_LIBFDT):
	$(Q)sh scripts/install-deps.sh --bare-libfdt $(BARE_DEPS)
endif

$(BARE_DIR)/obj/%.o: %.c | $(BARE_LIBFDT)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(BARE_CROSS)gcc $(BARE_CPPFLAGS) $(BARE_CFLAGS) -c -o $@ $<

$(BARE_DIR)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	$(Q)$(BARE_CROSS)gcc $(BARE_CPPFLAGS) $(BARE_ASFLAGS_$(ARCH)) -c -o $@ $<

$(BARE_DIR)/images.S: $(SIM_BIN) guests $(if $(SAN)$(DBG),normal-build-guests) FORCE
	@test -n "$(QEMU_CONFIGS)" || { echo "make qemu: give CONFIG=path/to/vm.toml" >&2; exit 2; }
	@mkdir -p $(dir $@)
	$(Q)$(SIM_BIN) embed $(QEMU_CONFIGS) >$@.tmp
	@printf '\t.global bare_max_seconds\n\t.balign 8\nbare_max_seconds:\n\t.quad %s\n' \
		"$(or $(MAX_SECONDS),0)" >>$@.tmp && mv $@.tmp $@

$(BARE_DIR)/cvisor.elf: $(BARE_OBJS) $(BARE_DIR)/images.S src/hal_bare/$(ARCH)/link.ld
	@echo "  LD      $@"
	$(Q)$(BARE_CROSS)gcc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		$(BARE_LDFLAGS_$(ARCH)) -T src/hal_bare/$(ARCH)/link.ld -o $@ $(BARE_OBJS) $(BARE_DIR)/images.S $(BARE_LIBFDT) -lgcc

# x86_64: GRUB boots the image from an ISO (scripts/x86-iso.sh), which Bochs runs
# (scripts/bochs.sh, through scripts/qemu.sh); `make bochs` is the same as `make qemu`.
BARE_BOOT_x86_64 := $(BARE_DIR)/cvisor.iso
$(BARE_DIR)/cvisor.iso: $(BARE_DIR)/cvisor.elf scripts/x86-iso.sh
	@echo "  ISO     $@"
	$(Q)sh scripts/x86-iso.sh $< $@

.PHONY: bochs
qemu bochs: $(BARE_DIR)/cvisor.elf $(BARE_BOOT_$(ARCH))
	$(QEMU) $(or $(BARE_BOOT_$(ARCH)),$<)

# QEMU waits for gdb on GDB_PORT; $(BARE_DIR)/gdbinit loads cvisor's symbols and
# each VM's guest's, and attaches (scripts/bare-gdbinit.sh, docs/debugging.md).
GDB_PORT ?= 1234
qemu-gdb: $(BARE_DIR)/cvisor.elf
	$(Q)sh scripts/bare-gdbinit.sh $(BARE_DIR)/gdbinit $< $(GDB_PORT) $(QEMU_CONFIGS)
	@echo "QEMU waits for gdb on 127.0.0.1:$(GDB_PORT). In another terminal: gdb-multiarch -x $(BARE_DIR)/gdbinit" >&2
	$(QEMU) $< -S -gdb tcp:127.0.0.1:$(GDB_PORT)

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/bare -name '*.d' 2>/dev/null)
include mk/fuzz.mk
include mk/docs.mk
