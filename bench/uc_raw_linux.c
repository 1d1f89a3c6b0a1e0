/* SPDX-License-Identifier: MIT */
/*
 * uc_raw_linux: the floor for a Linux boot in cvisor's simulator. Boots an
 * arm64 kernel Image with its initramfs in a minimal Unicorn program, on
 * one CPU, until the kernel starts init:
 *
 *   uc_raw_linux [--block-hook] [--mem-hook] IMAGE INITRD [CMDLINE]
 *
 * The machine is cvisor's (QEMU virt's layout): RAM 512 MiB at 0x4000_0000
 * mapped once with uc_mem_map_ptr, the kernel at 0x4020_0000, the device
 * tree at 0x4000_0000, the initrd at 0x4800_0000, a PL011 at 0x0900_0000
 * whose data register writes go to stdout, the GICv3's windows reading 0,
 * and catch-all MMIO regions, executable, everywhere else (Unicorn issue
 * 1718: a virtual address must be mapped for the CPU's own walk to run).
 * The CPU is cvisor's model (Cortex-A72) with SCR_EL3 = RW | HCE, so the
 * kernel's PSCI HVCs reach the interrupt hook, which answers them.
 *
 * Nothing else: no exception delivery (the kernel takes none before
 * init), no interrupts, no timer (with a GIC that reads 0 the kernel gives
 * up on the GIC and the timer's interrupt). It stops when the console
 * shows "Run /init as init process", or at the first exception it cannot
 * deliver, and prints "seconds=S cpu=C" on stderr: the wall time of the
 * run and the host CPU time the process used. Exit status 0 when init was
 * reached, 1 otherwise.
 *
 * Two of cvisor's ingredients can be added, to see what each costs on a
 * Linux boot: --block-hook, an empty UC_HOOK_BLOCK on every address (the
 * simulator's way to stop a CPU between two blocks), and --mem-hook, an
 * empty UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE on every address (its way to
 * get exact PCs in device accesses).
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "uc_raw.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x20000000ULL
#define DTB_ADDR 0x40000000ULL
#define KERNEL_ADDR 0x40200000ULL
#define INITRD_ADDR 0x48000000ULL
#define GIC_BASE 0x08000000ULL
#define GIC_DIST_SIZE 0x10000ULL
#define GIC_REDIST_BASE 0x080a0000ULL
#define GIC_REDIST_SIZE 0x20000ULL /* one CPU's */
#define UART_BASE 0x09000000ULL
#define UART_SIZE 0x1000ULL
#define TOP 0xfffffffffffff000ULL /* the last page, mapped on its own */
#define EXCP_HVC 11
/* configs/aarch64/linux.toml's */
#define DEFAULT_CMDLINE "console=ttyAMA0 earlycon=pl011,0x09000000 rdinit=/init"

#define PSCI_VERSION 0x84000000U
#define PSCI_FEATURES 0x8400000aU
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U
#define PSCI_NOT_SUPPORTED ((uint64_t)-1)

static const char *const target = "Run /init as init process";
static size_t matched; /* characters of target seen in a row on the console */
static int reached;    /* init was started */

/* The PL011: DR writes are printed; FR says "transmit FIFO empty, receive FIFO empty". */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint64_t uart_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	(void)uc;
	(void)size;
	(void)user;
	if (off == 0x18)
		return 0x90;
	if (off >= 0xfe0 && off < 0x1000)
		return pl011_id[(off - 0xfe0) / 4];
	return 0;
}

static void uart_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
	(void)size;
	(void)user;
	if (off != 0)
		return;
	char ch = (char)value;
	putchar(ch);
	matched = ch == target[matched] ? matched + 1 : ch == target[0];
	if (!target[matched]) {
		reached = 1;
		uc_emu_stop(uc);
	}
}

/* The GIC's windows and the catch-all regions: reads give 0, writes are ignored. */
static uint64_t zero_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	(void)uc;
	(void)off;
	(void)size;
	(void)user;
	return 0;
}

static void ignore_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
	(void)uc;
	(void)off;
	(void)size;
	(void)value;
	(void)user;
}

/* The empty hooks of --block-hook and --mem-hook; the block hook reads a flag, as cvisor's does. */
static volatile int stop_asked;

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	(void)addr;
	(void)size;
	(void)user;
	if (stop_asked)
		uc_emu_stop(uc);
}

static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		   void *user)
{
	(void)uc;
	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	(void)user;
}

/* PSCI over HVC (SMCCC): version 1.1, FEATURES says "not supported", SYSTEM_OFF/RESET stop. */
static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
	uint64_t x0, pc;
	(void)user;
	uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
	if (intno != EXCP_HVC) {
		fprintf(stderr, "\nuc_raw_linux: exception %u at pc 0x%llx, not delivered\n", intno,
			(unsigned long long)pc);
		uc_emu_stop(uc);
		return;
	}
	uc_reg_read(uc, UC_ARM64_REG_X0, &x0);
	switch ((uint32_t)x0) {
	case PSCI_VERSION:
		x0 = 0x10001;
		break;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		fprintf(stderr, "\nuc_raw_linux: the kernel powered off\n");
		uc_emu_stop(uc);
		return;
	default:
		x0 = PSCI_NOT_SUPPORTED;
		break;
	}
	uc_reg_write(uc, UC_ARM64_REG_X0, &x0);
}

/* A node with a property of two 64-bit cells (address, size). */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t v[12];
	for (unsigned i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, v, n * sizeof(fdt32_t));
}

/*
 * The device tree cvisor gives the same kernel (src/lib/fdt.c,
 * src/arch/aarch64/platform.c), for one CPU. Returns 0, or libfdt's error.
 */
static int make_dtb(void *fdt, int size, const char *cmdline, uint64_t initrd_end)
{
	static const uint32_t timer[] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 };
	static const uint32_t uart_irq[] = { 0, 1, 4 };
	static const uint32_t clocks[] = { 0x8000, 0x8000 };
	fdt64_t gic_reg[4] = { cpu_to_fdt64(GIC_BASE), cpu_to_fdt64(GIC_DIST_SIZE),
			       cpu_to_fdt64(GIC_REDIST_BASE), cpu_to_fdt64(GIC_REDIST_SIZE) };
	int rc = fdt_create(fdt, size);

#define TRY(call)                   \
	do {                        \
		if (!rc)            \
			rc = (call); \
	} while (0)
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "model", "cvisor virtual machine"));
	TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	TRY(fdt_property_u32(fdt, "interrupt-parent", 0x8001));
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs", cmdline));
	TRY(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"));
	TRY(fdt_property_u64(fdt, "linux,initrd-start", INITRD_ADDR));
	TRY(fdt_property_u64(fdt, "linux,initrd-end", initrd_end));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "memory@40000000"));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, RAM_BASE, RAM_SIZE));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_begin_node(fdt, "cpu@0"));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
	TRY(fdt_property_u32(fdt, "reg", 0));
	TRY(fdt_property_string(fdt, "enable-method", "psci"));
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			 sizeof("arm,psci-1.0\0arm,psci-0.2")));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property(fdt, "compatible", "arm,armv8-timer\0arm,armv7-timer",
			 sizeof("arm,armv8-timer\0arm,armv7-timer")));
	TRY(prop_cells(fdt, "interrupts", timer, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(fdt_property_u32(fdt, "phandle", 0x8000));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "gicv3@8000000"));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property(fdt, "reg", gic_reg, sizeof(gic_reg)));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "phandle", 0x8001));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "pl011@9000000"));
	TRY(prop_reg(fdt, UART_BASE, UART_SIZE));
	TRY(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
			 sizeof("arm,pl011\0arm,primecell")));
	TRY(prop_cells(fdt, "clocks", clocks, 2));
	TRY(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk")));
	TRY(prop_cells(fdt, "interrupts", uart_irq, 3));
	TRY(fdt_end_node(fdt));
	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
#undef TRY
	return rc;
}

/* Reads the file at path into RAM at ram + off. Returns its length, or -1 with a message. */
static long load(const char *path, uint8_t *ram, uint64_t off)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t len = fread(ram + off, 1, RAM_SIZE - off, f);
	int bad = ferror(f) || !feof(f);
	fclose(f);
	if (bad || len == 0) {
		fprintf(stderr, "uc_raw_linux: %s: %s\n", path,
			bad ? "read error or too large" : "empty");
		return -1;
	}
	return (long)len;
}

/* An MMIO region that reads 0, executable (a catch-all's VA may hold code once translated). */
static int map_zero(uc_engine *uc, uint64_t base, uint64_t size)
{
	return uc_mmio_map(uc, base, size, zero_read, NULL, ignore_write, NULL) != UC_ERR_OK ||
	       uc_mem_protect(uc, base, size, UC_PROT_ALL) != UC_ERR_OK;
}

int main(int argc, char **argv)
{
	uc_engine *uc;
	uc_hook hook;
	int block_hook = 0, mem_hook = 0, a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--block-hook") == 0)
			block_hook = 1;
		else if (strcmp(argv[a], "--mem-hook") == 0)
			mem_hook = 1;
		else
			break;
	}
	if (argc - a < 2 || argc - a > 3 || argv[a][0] == '-') {
		fprintf(stderr, "usage: %s [--block-hook] [--mem-hook] IMAGE INITRD [CMDLINE]\n",
			argv[0]);
		return 2;
	}
	const char *cmdline = argc - a == 3 ? argv[a + 2] : DEFAULT_CMDLINE;
	uint8_t *ram =
		mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		perror("uc_raw_linux: mmap");
		return 1;
	}
	long klen = load(argv[a], ram, KERNEL_ADDR - RAM_BASE);
	long ilen = klen < 0 ? -1 : load(argv[a + 1], ram, INITRD_ADDR - RAM_BASE);
	if (ilen < 0)
		return 1;
	int rc = make_dtb(ram + (DTB_ADDR - RAM_BASE), 0x10000, cmdline,
			  INITRD_ADDR + (uint64_t)ilen);
	if (rc) {
		fprintf(stderr, "uc_raw_linux: device tree: %s\n", fdt_strerror(rc));
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);

	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc) != UC_ERR_OK) {
		fprintf(stderr, "uc_raw_linux: uc_open failed\n");
		return 1;
	}
	uc_ctl_set_cpu_model(uc, UC_CPU_ARM64_A72);
	/* SCR_EL3.RW | HCE: EL1 is AArch64 for the walker, and HVC is taken. */
	uc_arm64_cp_reg scr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 6, .op2 = 0,
				.val = (1ULL << 10) | (1ULL << 8) };
	uint64_t pstate = 0x3c5; /* EL1h, DAIF masked */
	uint64_t x0 = DTB_ADDR, zero = 0;
	if (uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr) != UC_ERR_OK ||
	    uc_reg_write(uc, UC_ARM64_REG_PSTATE, &pstate) != UC_ERR_OK ||
	    uc_reg_write(uc, UC_ARM64_REG_X0, &x0) != UC_ERR_OK ||
	    uc_reg_write(uc, UC_ARM64_REG_X1, &zero) != UC_ERR_OK ||
	    uc_mem_map_ptr(uc, RAM_BASE, RAM_SIZE, UC_PROT_ALL, ram) != UC_ERR_OK ||
	    map_zero(uc, 0, GIC_BASE) || map_zero(uc, GIC_BASE, UART_BASE - GIC_BASE) ||
	    uc_mmio_map(uc, UART_BASE, UART_SIZE, uart_read, NULL, uart_write, NULL) != UC_ERR_OK ||
	    map_zero(uc, UART_BASE + UART_SIZE, RAM_BASE - UART_BASE - UART_SIZE) ||
	    map_zero(uc, RAM_BASE + RAM_SIZE, TOP - RAM_BASE - RAM_SIZE) ||
	    map_zero(uc, TOP, 0x1000) ||
	    uc_hook_add(uc, &hook, UC_HOOK_INTR, (void *)on_intr, NULL, 1, 0) != UC_ERR_OK ||
	    (block_hook &&
	     uc_hook_add(uc, &hook, UC_HOOK_BLOCK, (void *)on_block, NULL, 1, 0) != UC_ERR_OK) ||
	    (mem_hook && uc_hook_add(uc, &hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				     (void *)on_mem, NULL, 1, 0) != UC_ERR_OK)) {
		fprintf(stderr, "uc_raw_linux: setting up the machine failed\n");
		return 1;
	}
	double t0 = now();
	uc_err e = uc_emu_start(uc, KERNEL_ADDR, 0, 0, 0);
	double t1 = now();
	if (e != UC_ERR_OK) {
		uint64_t pc;
		uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
		fprintf(stderr, "\nuc_raw_linux: %s at pc 0x%llx\n", uc_strerror(e),
			(unsigned long long)pc);
	}
	struct timespec cpu;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	fprintf(stderr, "%suc_raw_linux: seconds=%.3f cpu=%.3f init=%s\n", reached ? "\n" : "",
		t1 - t0, (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9, reached ? "yes" : "no");
	/* The line ends after the figures: a reader that stops at it has them. */
	if (reached)
		putchar('\n');
	uc_close(uc);
	return reached ? 0 : 1;
}
