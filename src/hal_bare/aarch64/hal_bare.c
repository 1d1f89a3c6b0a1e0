/* SPDX-License-Identifier: MIT */
/**
 * @file hal_bare.c
 * @brief The bare-metal HAL for AArch64: cvisor at EL2 on QEMU virt.
 *
 * What the hardware gives and what cvisor sets up (ARM ARM D1, D8, D17):
 *  - its own address space at EL2: an identity map in 1 GiB blocks,
 *    Device memory below 1 GiB (the virt machine's devices), Normal
 *    write-back memory from 1 GiB (RAM);
 *  - memory: pages from the RAM the host device tree describes, after
 *    cvisor's own image; a heap on top of them;
 *  - the console: the host's PL011 at 0x0900_0000, polled;
 *  - a vCPU runs by loading its EL1 registers, pointing VTTBR_EL2 at its
 *    VM's stage-2 tables and ERETing (boot.S); traps come back with
 *    ESR_EL2, FAR_EL2 and HPFAR_EL2, decoded by src/arch/aarch64/esr.c.
 */
#include <libfdt.h>

#include <arch/trap.h>
#include <arch/stage2.h>
#include <cvisor/arch.h>
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/log.h>
#include <cvisor/vm.h>

#include "../hal_bare.h"

#define READ_SYSREG(r)                                                                   \
	({                                                                               \
		uint64_t v_;                                                             \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                              \
		v_;                                                                      \
	})
#define WRITE_SYSREG(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb sy" ::: "memory")

/* ---- Console: the host's PL011 (PL011 TRM 3.3) ---------------------------- */

#define HOST_UART 0x09000000UL
#define UART_DR 0x000
#define UART_FR 0x018
#define FR_TXFF (1u << 5)
#define FR_RXFE (1u << 4)

static volatile uint32_t *uart_reg(unsigned off)
{
	return (volatile uint32_t *)(HOST_UART + off);
}

void bare_putc(char c)
{
	while (*uart_reg(UART_FR) & FR_TXFF)
		;
	*uart_reg(UART_DR) = (uint8_t)c;
}

void bare_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			bare_putc('\r');
		bare_putc(*s);
	}
}

/* Whether the next console byte of VM output starts a line (for the [name] prefix). */
static bool at_line_start = true;
static const struct vm *last_writer;

void hal_console_write(const struct vm *vm, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (vm != last_writer && !at_line_start) {
			bare_puts("\n");
			at_line_start = true;
		}
		last_writer = vm;
		if (at_line_start && vm && bare_state.nvms > 1) {
			bare_putc('[');
			bare_puts(vm->name);
			bare_puts("] ");
		}
		if (buf[i] == '\n')
			bare_putc('\r');
		bare_putc(buf[i]);
		at_line_start = buf[i] == '\n';
	}
}

int hal_console_getc(const struct vm *vm)
{
	(void)vm;
	if (*uart_reg(UART_FR) & FR_RXFE)
		return -1;
	return (int)(*uart_reg(UART_DR) & 0xff);
}

void hal_log_write(const char *line)
{
	if (!at_line_start) {
		bare_puts("\n");
		at_line_start = true;
	}
	bare_puts(line);
	bare_puts("\n");
}

void hal_panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	cv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bare_puts("\ncvisor: panic: ");
	bare_puts(msg);
	bare_puts("\n");
	bare_power_off(BARE_EXIT_PANIC);
}

/* A trap taken while cvisor itself runs at EL2 (boot.S): a bug in cvisor. */
void bare_hyp_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);
void bare_hyp_fault(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	hal_panic("exception %llu at EL2: ESR 0x%llx (%s), ELR 0x%llx, FAR 0x%llx",
		  (unsigned long long)kind, (unsigned long long)esr,
		  a64_ec_name((unsigned)ESR_EC(esr)), (unsigned long long)elr,
		  (unsigned long long)far);
}

/* ---- Time: the generic timer (ARM ARM D11) -------------------------------- */

uint64_t hal_time_ns(void)
{
	uint64_t cnt = READ_SYSREG(cntpct_el0), freq = READ_SYSREG(cntfrq_el0);
	return freq ? cnt / freq * 1000000000ULL + cnt % freq * 1000000000ULL / freq : 0;
}

/* ---- Power: PSCI through SMC to QEMU's firmware, semihosting for the status */

/*
 * Ends the run. With semihosting on (make qemu turns it on), QEMU exits
 * with status; otherwise PSCI SYSTEM_OFF (DEN0022 5.10) through SMC, which
 * QEMU's virt machine answers itself when it has no EL3 firmware.
 */
void bare_power_off(int status)
{
	static uint64_t block[2];

	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = (uint64_t)status;
	register uint64_t x0 __asm__("x0") = 0x20; /* SYS_EXIT_EXTENDED */
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;
	if (bare_state.semihosting)
		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	register uint64_t f __asm__("x0") = 0x84000008;
	__asm__ volatile("smc #0" : "+r"(f)::"memory");
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- cvisor's own translation at EL2 (ARM ARM D8) -------------------------- */

static uint64_t el2_l1[512] __attribute__((aligned(4096)));

/*
 * Identity map of the first 512 GiB in 1 GiB level-1 blocks: below 1 GiB
 * Device-nGnRnE and never executable (attribute 0), above it Normal
 * write-back inner shareable (attribute 1). TCR_EL2.T0SZ = 25: a 39-bit
 * space whose walk starts at level 1.
 */
static void el2_mmu_on(void)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t d = (i << 30) | 0x1 /* block */ | (1ULL << 10) /* AF */;
		if (i == 0)
			d |= (0ULL << 2) | (1ULL << 54); /* Device, XN */
		else
			d |= (1ULL << 2) | (3ULL << 8); /* Normal, inner shareable */
		el2_l1[i] = d;
	}
	DSB();
	WRITE_SYSREG(mair_el2, 0xff00); /* attr0 Device-nGnRnE, attr1 Normal WB RA/WA */
	WRITE_SYSREG(tcr_el2, (1ULL << 31) | (1ULL << 23) /* RES1 */ | (2ULL << 16) /* PS 40 bits */ |
				      (3ULL << 12) | (1ULL << 10) | (1ULL << 8) | 25);
	WRITE_SYSREG(ttbr0_el2, (uint64_t)(uintptr_t)el2_l1);
	ISB();
	__asm__ volatile("tlbi alle2" ::: "memory");
	DSB();
	ISB();
	uint64_t sctlr = READ_SYSREG(sctlr_el2);
	sctlr |= (1 << 0) | (1 << 2) | (1 << 12); /* M, C, I */
	WRITE_SYSREG(sctlr_el2, sctlr);
	ISB();
}

/* ---- Memory: pages and a heap -------------------------------------------- */

extern char __image_end[];

/* Free page ranges, address ordered, first fit. */
#define MAX_RANGES 64
static struct range {
	uint64_t base, pages;
} ranges[MAX_RANGES];
static unsigned nranges;

static void ranges_add(uint64_t base, uint64_t pages)
{
	unsigned i = 0;
	while (i < nranges && ranges[i].base < base)
		i++;
	/* Merge with the neighbours where they touch. */
	if (i > 0 && ranges[i - 1].base + ranges[i - 1].pages * PAGE_SIZE == base) {
		ranges[i - 1].pages += pages;
		if (i < nranges && base + pages * PAGE_SIZE == ranges[i].base) {
			ranges[i - 1].pages += ranges[i].pages;
			memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
			nranges--;
		}
		return;
	}
	if (i < nranges && base + pages * PAGE_SIZE == ranges[i].base) {
		ranges[i].base = base;
		ranges[i].pages += pages;
		return;
	}
	if (nranges == MAX_RANGES) {
		log_warn("page allocator: free list full, %llu pages at 0x%llx lost",
			 (unsigned long long)pages, (unsigned long long)base);
		return;
	}
	memmove(&ranges[i + 1], &ranges[i], (nranges - i) * sizeof(ranges[0]));
	ranges[i].base = base;
	ranges[i].pages = pages;
	nranges++;
}

void *hal_page_alloc(size_t npages)
{
	/* Runs of 2 MiB or more come 2 MiB aligned, so stage 2 can use blocks. */
	uint64_t align = npages * PAGE_SIZE >= (2ULL << 20) ? (2ULL << 20) : PAGE_SIZE;

	for (unsigned i = 0; i < nranges; i++) {
		uint64_t start = ALIGN_UP(ranges[i].base, align);
		uint64_t end = ranges[i].base + ranges[i].pages * PAGE_SIZE;
		if (start >= end || (end - start) / PAGE_SIZE < npages)
			continue;
		struct range r = ranges[i];
		memmove(&ranges[i], &ranges[i + 1], (nranges - i - 1) * sizeof(ranges[0]));
		nranges--;
		if (start > r.base)
			ranges_add(r.base, (start - r.base) / PAGE_SIZE);
		uint64_t after = start + npages * PAGE_SIZE;
		if (after < end)
			ranges_add(after, (end - after) / PAGE_SIZE);
		memset((void *)(uintptr_t)start, 0, npages * PAGE_SIZE);
		return (void *)(uintptr_t)start;
	}
	return NULL;
}

void hal_page_free(void *p, size_t npages)
{
	if (p)
		ranges_add((uint64_t)(uintptr_t)p, npages);
}

hpa_t hal_hva_to_hpa(const void *p)
{
	return (hpa_t)(uintptr_t)p; /* identity map at EL2 */
}

void *hal_hpa_to_hva(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

/*
 * The heap: first fit over a free list of blocks, each with a header
 * giving its size; freed blocks merge with a free neighbour that follows.
 * Large requests take whole pages.
 */
struct block {
	size_t size; /* bytes after the header */
	bool free;
	struct block *next;
};
#define HEAP_PAGES 4096 /* 16 MiB */
#define BIG (64 * 1024)
static struct block *heap;

static void heap_init(void)
{
	heap = hal_page_alloc(HEAP_PAGES);
	if (!heap)
		hal_panic("no memory for the heap");
	heap->size = HEAP_PAGES * PAGE_SIZE - sizeof(*heap);
	heap->free = true;
	heap->next = NULL;
}

void *hal_zalloc(size_t size)
{
	size = ALIGN_UP(size ? size : 1, 16);
	if (size >= BIG) {
		/* Whole pages, with a header page recording how many. */
		size_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE + 1;
		uint64_t *p = hal_page_alloc(pages);
		if (!p)
			return NULL;
		p[0] = pages;
		p[1] = 0x6269675f70616765ULL; /* marks a page allocation */
		return (char *)p + PAGE_SIZE;
	}
	for (struct block *b = heap; b; b = b->next) {
		if (!b->free || b->size < size)
			continue;
		if (b->size >= size + sizeof(struct block) + 16) {
			struct block *rest = (struct block *)((char *)(b + 1) + size);
			rest->size = b->size - size - sizeof(struct block);
			rest->free = true;
			rest->next = b->next;
			b->next = rest;
			b->size = size;
		}
		b->free = false;
		memset(b + 1, 0, b->size);
		return b + 1;
	}
	return NULL;
}

void hal_free(void *p)
{
	if (!p)
		return;
	if (((uintptr_t)p & (PAGE_SIZE - 1)) == 0) {
		uint64_t *h = (uint64_t *)((char *)p - PAGE_SIZE);
		if (h[1] == 0x6269675f70616765ULL) {
			h[1] = 0;
			hal_page_free(h, h[0]);
			return;
		}
	}
	struct block *b = (struct block *)p - 1;
	b->free = true;
	while (b->next && b->next->free) {
		b->size += sizeof(struct block) + b->next->size;
		b->next = b->next->next;
	}
}

/* Puts the RAM the host device tree describes, minus cvisor's image, in the page allocator. */
static void memory_init(const void *host_dtb)
{
	uint64_t ram_base = 0x40000000, ram_size = 0x8000000;
	int node = fdt_check_header(host_dtb) == 0 ? fdt_path_offset(host_dtb, "/memory") : -1;
	if (node < 0)
		node = fdt_node_offset_by_prop_value(host_dtb, -1, "device_type", "memory", 7);
	int len;
	const fdt64_t *reg = node >= 0 ? fdt_getprop(host_dtb, node, "reg", &len) : NULL;
	if (reg && len >= 16) {
		ram_base = fdt64_to_cpu(reg[0]);
		ram_size = fdt64_to_cpu(reg[1]);
	} else {
		log_warn("no /memory in the host device tree: assuming 128 MiB at 0x40000000");
	}
	uint64_t free_start = ALIGN_UP((uint64_t)(uintptr_t)__image_end, PAGE_SIZE);
	uint64_t end = ram_base + ram_size;
	bare_state.ram_base = ram_base;
	bare_state.ram_size = ram_size;
	ranges_add(free_start, (end - free_start) / PAGE_SIZE);
	heap_init();
}

static void gic_init(void);
static void tick_arm(void);

void bare_platform_init(void)
{
	el2_mmu_on();
	/* QEMU puts the device tree at the start of RAM for a bare ELF image. */
	memory_init((const void *)0x40000000UL);
	/* Counter and physical timer usable from EL1; no virtual offset (D17.5.2 CNTHCTL_EL2). */
	WRITE_SYSREG(cnthctl_el2, 0x3);
	WRITE_SYSREG(cntvoff_el2, 0);
	/* Do not trap FP/SIMD (CPTR_EL2: RES1 bits, TFP clear). */
	WRITE_SYSREG(cptr_el2, 0x33ff);
	/* The OS lock registers trap to EL2 (MDCR_EL2.TDOSA, bit 10). */
	WRITE_SYSREG(mdcr_el2, 1ULL << 10);
	WRITE_SYSREG(vtcr_el2, a64_vtcr_el2());
	ISB();
	gic_init();
	tick_arm();
}

/* ---- Interrupts: GICv3 and the hypervisor's own timer ---------------------- */

/*
 * cvisor takes one interrupt: its EL2 physical timer (CNTHP, PPI 26 on the
 * virt machine), every TICK_HZ-th of a second while a guest runs, routed
 * to EL2 by HCR_EL2.IMO. That is how it regains control from a guest that
 * never exits (a time limit) or keeps faulting inside its own vectors (an
 * exception storm). GICv3 architecture (IHI 0069) 12.9 (GICD_CTLR),
 * 12.11 (GICR_WAKER), 12.10 (SGI/PPI registers).
 */
#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080a0000UL /* redistributor of CPU 0 */
#define GICR_SGI (GICR_BASE + 0x10000)
#define INTID_HYP_TIMER 26
#define TICK_HZ 100

static volatile uint32_t *mmio32(uintptr_t a)
{
	return (volatile uint32_t *)a;
}

static void gic_init(void)
{
	/* Distributor: affinity routing, both groups on. */
	*mmio32(GICD_BASE + 0x0) = (1u << 4) | (1u << 1) | 1u;
	while (*mmio32(GICD_BASE + 0x0) & (1u << 31))
		;
	/* Wake the redistributor up. */
	*mmio32(GICR_BASE + 0x14) &= ~(1u << 1);
	while (*mmio32(GICR_BASE + 0x14) & (1u << 2))
		;
	/* PPI 26: group 1, middle priority, enabled. */
	*mmio32(GICR_SGI + 0x80) |= 1u << INTID_HYP_TIMER;
	((volatile uint8_t *)(GICR_SGI + 0x400))[INTID_HYP_TIMER] = 0x80;
	*mmio32(GICR_SGI + 0x100) = 1u << INTID_HYP_TIMER;
	/* CPU interface through system registers. */
	WRITE_SYSREG(S3_4_C12_C9_5, 0x9); /* ICC_SRE_EL2: SRE, Enable */
	ISB();
	WRITE_SYSREG(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1 */
	WRITE_SYSREG(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	ISB();
}

static void tick_arm(void)
{
	WRITE_SYSREG(cnthp_tval_el2, READ_SYSREG(cntfrq_el0) / TICK_HZ);
	WRITE_SYSREG(cnthp_ctl_el2, 1); /* ENABLE, not masked */
}

/* ---- vCPUs ------------------------------------------------------------------ */

/* The general registers as boot.S saves them; host_sp follows x30. */
struct guest_ctx {
	uint64_t x[31];
	uint64_t host_sp;
};

/* EL1 state that belongs to the guest while it runs. */
struct el1_regs {
	uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr, tpidr, tpidr_el0,
		tpidrro_el0, sp_el0, sp_el1, elr, spsr, esr, far, afsr0, afsr1, par, cpacr,
		cntkctl, cntv_ctl, cntv_cval, csselr;
};

struct bare_vcpu {
	struct guest_ctx ctx;
	struct el1_regs el1;
	uint16_t vmid;
	uint64_t deadline_ns;   /* stop the VM after this time (0: no limit) */
	unsigned storm_ticks;   /* ticks in a row that found the guest faulting in its vectors */
};

/* The vCPU whose EL1 registers are in the CPU now (cvisor itself never uses EL1). */
static struct bare_vcpu *loaded;

/* Ticks in a row (of 1/TICK_HZ s) inside the vector table that make a storm. */
#define STORM_TICKS 20

uint64_t bare_enter_guest(struct guest_ctx *ctx);

static void el1_load(const struct el1_regs *r)
{
	WRITE_SYSREG(sctlr_el1, r->sctlr);
	WRITE_SYSREG(ttbr0_el1, r->ttbr0);
	WRITE_SYSREG(ttbr1_el1, r->ttbr1);
	WRITE_SYSREG(tcr_el1, r->tcr);
	WRITE_SYSREG(mair_el1, r->mair);
	WRITE_SYSREG(amair_el1, r->amair);
	WRITE_SYSREG(vbar_el1, r->vbar);
	WRITE_SYSREG(contextidr_el1, r->contextidr);
	WRITE_SYSREG(tpidr_el1, r->tpidr);
	WRITE_SYSREG(tpidr_el0, r->tpidr_el0);
	WRITE_SYSREG(tpidrro_el0, r->tpidrro_el0);
	WRITE_SYSREG(sp_el0, r->sp_el0);
	WRITE_SYSREG(sp_el1, r->sp_el1);
	WRITE_SYSREG(elr_el1, r->elr);
	WRITE_SYSREG(spsr_el1, r->spsr);
	WRITE_SYSREG(esr_el1, r->esr);
	WRITE_SYSREG(far_el1, r->far);
	WRITE_SYSREG(afsr0_el1, r->afsr0);
	WRITE_SYSREG(afsr1_el1, r->afsr1);
	WRITE_SYSREG(par_el1, r->par);
	WRITE_SYSREG(cpacr_el1, r->cpacr);
	WRITE_SYSREG(cntkctl_el1, r->cntkctl);
	WRITE_SYSREG(cntv_cval_el0, r->cntv_cval);
	WRITE_SYSREG(cntv_ctl_el0, r->cntv_ctl);
	WRITE_SYSREG(csselr_el1, r->csselr);
}

static void el1_save(struct el1_regs *r)
{
	r->sctlr = READ_SYSREG(sctlr_el1);
	r->ttbr0 = READ_SYSREG(ttbr0_el1);
	r->ttbr1 = READ_SYSREG(ttbr1_el1);
	r->tcr = READ_SYSREG(tcr_el1);
	r->mair = READ_SYSREG(mair_el1);
	r->amair = READ_SYSREG(amair_el1);
	r->vbar = READ_SYSREG(vbar_el1);
	r->contextidr = READ_SYSREG(contextidr_el1);
	r->tpidr = READ_SYSREG(tpidr_el1);
	r->tpidr_el0 = READ_SYSREG(tpidr_el0);
	r->tpidrro_el0 = READ_SYSREG(tpidrro_el0);
	r->sp_el0 = READ_SYSREG(sp_el0);
	r->sp_el1 = READ_SYSREG(sp_el1);
	r->elr = READ_SYSREG(elr_el1);
	r->spsr = READ_SYSREG(spsr_el1);
	r->esr = READ_SYSREG(esr_el1);
	r->far = READ_SYSREG(far_el1);
	r->afsr0 = READ_SYSREG(afsr0_el1);
	r->afsr1 = READ_SYSREG(afsr1_el1);
	r->par = READ_SYSREG(par_el1);
	r->cpacr = READ_SYSREG(cpacr_el1);
	r->cntkctl = READ_SYSREG(cntkctl_el1);
	r->cntv_ctl = READ_SYSREG(cntv_ctl_el0);
	r->cntv_cval = READ_SYSREG(cntv_cval_el0);
	r->csselr = READ_SYSREG(csselr_el1);
}

int hal_vcpu_init(struct vcpu *vcpu)
{
	struct bare_vcpu *b = hal_zalloc(sizeof(*b));
	if (!b)
		return -CV_ENOMEM;
	b->el1.sctlr = vcpu->arch.sctlr_el1;
	b->vmid = (uint16_t)(vcpu->vm->id & 0xff);
	if (bare_max_seconds)
		b->deadline_ns = hal_time_ns() + bare_max_seconds * 1000000000ULL;
	vcpu->hal = b;
	return 0;
}

void hal_vcpu_destroy(struct vcpu *vcpu)
{
	if (loaded == vcpu->hal)
		loaded = NULL;
	hal_free(vcpu->hal);
	vcpu->hal = NULL;
}

void hal_vcpu_kick(struct vcpu *vcpu)
{
	(void)vcpu; /* one vCPU runs at a time, on this CPU: it sees the stop at its next exit */
}

void hal_vm_stage2_changed(struct vm *vm, gpa_t gpa, uint64_t size)
{
	(void)vm;
	(void)gpa;
	(void)size;
	DSB();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	DSB();
	ISB();
}

/*
 * A tick while the guest ran. A guest that never exits can only be seen
 * here: the time limit, and the exception storm of hardware, where the
 * guest's own exceptions never reach EL2. A storm is the guest found,
 * tick after tick, executing in its vector table with ELR_EL1 (where its
 * last exception came from) in the vector table too.
 */
static void on_tick(struct vcpu *vcpu, struct bare_vcpu *b)
{
	uint64_t vbar = vcpu->arch.vbar_el1, pc = vcpu->arch.pc, elr = vcpu->arch.elr_el1;
	uint64_t esr = vcpu->arch.esr_el1;
	bool in_vectors = pc - vbar < 0x800 && elr - vbar < 0x800;

	b->storm_ticks = in_vectors ? b->storm_ticks + 1 : 0;
	if (b->storm_ticks >= STORM_TICKS)
		vm_stop(vcpu->vm, VM_FAILED,
			"exception storm: for %u ms the guest kept taking exceptions inside its own "
			"vector table (VBAR_EL1 0x%llx); last ESR_EL1 0x%llx (EC 0x%02x %s) from "
			"ELR_EL1 0x%llx",
			STORM_TICKS * 1000 / TICK_HZ, (unsigned long long)vbar,
			(unsigned long long)esr, (unsigned)ESR_EC(esr), a64_ec_name((unsigned)ESR_EC(esr)),
			(unsigned long long)elr);
	else if (b->deadline_ns && hal_time_ns() > b->deadline_ns)
		vm_stop(vcpu->vm, VM_FAILED, "still running after the time limit of %llu s (MAX_SECONDS)",
			(unsigned long long)bare_max_seconds);
}

/* An interrupt taken while the guest ran: acknowledge it, act on the tick. */
static void on_irq(struct vcpu *vcpu, struct bare_vcpu *b)
{
	uint64_t intid = READ_SYSREG(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */

	if (intid >= 1020)
		return; /* spurious */
	if (intid == INTID_HYP_TIMER) {
		tick_arm();
		on_tick(vcpu, b);
	}
	WRITE_SYSREG(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
}

/* HCR_EL2 for a guest (ARM ARM D17.2.48). */
#define HCR_VM (1ULL << 0)    /* stage 2 on */
#define HCR_SWIO (1ULL << 1)
#define HCR_IMO (1ULL << 4)   /* physical IRQs to EL2 */
#define HCR_TWI (1ULL << 13)  /* trap WFI */
#define HCR_TSC (1ULL << 19)  /* trap SMC */
#define HCR_RW (1ULL << 31)   /* EL1 is AArch64 */

/*
 * Makes b's EL1 state and stage 2 the CPU's. Switching is lazy: while the
 * same vCPU runs again and again, its EL1 registers stay in the CPU, and
 * nothing that would flush the TLBs (writing SCTLR/TCR/TTBR, VTTBR) is
 * done on the exit path.
 */
static void switch_to(struct vcpu *vcpu, struct bare_vcpu *b)
{
	if (loaded == b)
		return;
	if (loaded)
		el1_save(&loaded->el1);
	el1_load(&b->el1);
	WRITE_SYSREG(vmpidr_el2, vcpu->arch.mpidr_el1);
	WRITE_SYSREG(vttbr_el2, stage2_root_register(&vcpu->vm->as.s2, b->vmid));
	WRITE_SYSREG(hcr_el2, HCR_VM | HCR_SWIO | HCR_IMO | HCR_TWI | HCR_TSC | HCR_RW);
	ISB();
	/* A new VM may reuse a VMID: forget what the TLBs hold for it. */
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	DSB();
	ISB();
	loaded = b;
}

int hal_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct bare_vcpu *b = vcpu->hal;
	struct vcpu_arch *a = &vcpu->arch;

	if (exit->reason != EXIT_NONE)
		vcpu_arch_complete_exit(vcpu, exit);

	switch_to(vcpu, b);
	memcpy(b->ctx.x, a->x, sizeof(a->x));
	WRITE_SYSREG(sp_el0, a->sp_el0);
	WRITE_SYSREG(sp_el1, a->sp_el1);
	WRITE_SYSREG(elr_el2, a->pc);
	WRITE_SYSREG(spsr_el2, a->pstate);
	ISB();

	uint64_t kind = bare_enter_guest(&b->ctx);

	struct a64_trap t = {
		.esr = READ_SYSREG(esr_el2),
		.far = READ_SYSREG(far_el2),
		.hpfar = READ_SYSREG(hpfar_el2),
		.pc = READ_SYSREG(elr_el2),
	};
	a->pstate = READ_SYSREG(spsr_el2);
	memcpy(a->x, b->ctx.x, sizeof(a->x));
	a->sp_el0 = READ_SYSREG(sp_el0);
	a->sp_el1 = READ_SYSREG(sp_el1);
	a->sctlr_el1 = READ_SYSREG(sctlr_el1);
	a->vbar_el1 = READ_SYSREG(vbar_el1);
	a->elr_el1 = READ_SYSREG(elr_el1);
	a->esr_el1 = READ_SYSREG(esr_el1);
	a->pc = t.pc;

	if (kind != 0) {
		/* An interrupt or SError while the guest ran. */
		memset(exit, 0, sizeof(*exit));
		exit->reason = EXIT_NONE;
		exit->pc = t.pc;
		if (kind == 1)
			on_irq(vcpu, b);
		if (kind == 3) {
			exit->reason = EXIT_FATAL;
			cv_snprintf(exit->fatal.msg, sizeof(exit->fatal.msg),
				    "SError from the guest, ESR 0x%llx", (unsigned long long)t.esr);
		}
		return 0;
	}
	a64_decode_trap(&t, exit);
	a64_exit_fill_operands(exit, a->x);
	return 0;
}
