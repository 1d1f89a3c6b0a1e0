/* SPDX-License-Identifier: MIT */
/**
 * @file trap.c
 * @brief Decoding of VMX exits into exits (Intel SDM Vol. 3C, 28.2 "Other
 *        Causes of VM Exits" and the exit qualification tables: 28-3 control-
 *        register accesses, 28-5 I/O instructions, 28-7 EPT violations;
 *        25.9.2 the VM-exit interruption information).
 */
#include <arch/hypercall.h>
#include <arch/trap.h>
#include <cvisor/lib.h>

const char *vmx_exit_name(uint32_t reason)
{
	switch (reason & 0xffff) {
	case VMX_EXIT_EXCEPTION_NMI: return "exception or NMI";
	case VMX_EXIT_EXTERNAL_INTERRUPT: return "external interrupt";
	case VMX_EXIT_TRIPLE_FAULT: return "triple fault";
	case VMX_EXIT_INIT: return "INIT signal";
	case VMX_EXIT_INTERRUPT_WINDOW: return "interrupt window";
	case VMX_EXIT_CPUID: return "CPUID";
	case VMX_EXIT_HLT: return "HLT";
	case VMX_EXIT_INVLPG: return "INVLPG";
	case VMX_EXIT_RDTSC: return "RDTSC";
	case VMX_EXIT_VMCALL: return "VMCALL";
	case VMX_EXIT_CR_ACCESS: return "control-register access";
	case VMX_EXIT_IO: return "I/O instruction";
	case VMX_EXIT_RDMSR: return "RDMSR";
	case VMX_EXIT_WRMSR: return "WRMSR";
	case VMX_EXIT_ENTRY_FAIL_GUEST: return "VM entry failure: invalid guest state";
	case VMX_EXIT_APIC_ACCESS: return "APIC access";
	case VMX_EXIT_EPT_VIOLATION: return "EPT violation";
	case VMX_EXIT_EPT_MISCONFIG: return "EPT misconfiguration";
	case VMX_EXIT_XSETBV: return "XSETBV";
	default: return "?";
	}
}

static void fatal(struct vcpu_exit *e, const struct vmx_exit_info *info, const char *what)
{
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg), "%s: exit reason %u (%s), qualification 0x%llx",
		    what, info->reason & 0xffff, vmx_exit_name(info->reason),
		    (unsigned long long)info->qualification);
}

/* I/O instruction qualification (table 28-5). */
static void decode_io(const struct vmx_exit_info *info, struct vcpu_exit *e)
{
	uint64_t q = info->qualification;

	if (q & (1u << 4)) { /* INS/OUTS: the data is in memory, with REP a loop */
		fatal(e, info, "string I/O instructions are not emulated");
		return;
	}
	/* Size of access, bits 2:0: 0 is 1 byte, 1 is 2 bytes, 3 is 4 bytes; no other value is defined. */
	unsigned size_code = (unsigned)(q & 7);
	if (size_code != 0 && size_code != 1 && size_code != 3) {
		fatal(e, info, "I/O instruction exit with an undefined size of access (qualification bits 2:0)");
		return;
	}
	e->reason = EXIT_PIO;
	e->pio.size = (uint8_t)(size_code + 1);
	e->pio.write = !(q & (1u << 3));      /* direction: 0 OUT, 1 IN */
	e->pio.port = (uint16_t)(q >> 16);
}

/* EPT violation qualification (table 28-7). */
static void decode_ept_violation(const struct vmx_exit_info *info, struct vcpu_exit *e)
{
	uint64_t q = info->qualification;

	e->reason = EXIT_STAGE2_FAULT;
	e->s2fault.gpa = info->guest_phys;
	e->s2fault.gva = info->guest_linear;
	e->s2fault.gva_valid = q & (1u << 7);
	/* Bit 8 clear with bit 7 set: the access was to a paging-structure entry of the guest's walk. */
	e->s2fault.s1ptw = (q & (1u << 7)) && !(q & (1u << 8));
	e->s2fault.access = (q & (1u << 2)) ? ACCESS_FETCH : (q & (1u << 1)) ? ACCESS_WRITE
									      : ACCESS_READ;
	/* Bits 5:3: what the EPT entry allowed; none at all means nothing is mapped. */
	e->s2fault.kind = (q & 0x38) ? FAULT_PERMISSION : FAULT_TRANSLATION;
	e->s2fault.level = -1;
}

/* Control-register access qualification (table 28-3). */
static void decode_cr(const struct vmx_exit_info *info, struct vcpu_exit *e)
{
	uint64_t q = info->qualification;
	unsigned type = (q >> 4) & 3;

	e->reason = EXIT_SYSREG;
	e->sysreg.id = X86_SYSREG_CR(q & 15);
	e->sysreg.reg = (uint8_t)((q >> 8) & 15);
	e->sysreg.src = e->sysreg.reg;
	switch (type) {
	case 0: /* MOV to CR */
		e->sysreg.write = true;
		break;
	case 1: /* MOV from CR */
		break;
	case 2: /* CLTS: clear CR0.TS (bit 3) */
		e->sysreg.write = true;
		e->sysreg.op = SYSREG_OP_CLEAR;
		e->sysreg.src = SYSREG_SRC_IMM;
		e->sysreg.value = 1u << 3;
		break;
	default: /* LMSW: the low 4 bits of CR0 from bits 31:16 */
		e->sysreg.write = true;
		e->sysreg.src = SYSREG_SRC_IMM;
		e->sysreg.value = (q >> 16) & 0xf;
		break;
	}
}

/* Exceptions and NMIs (VM-exit interruption information, table 25-17). */
static void decode_exception(const struct vmx_exit_info *info, struct vcpu_exit *e)
{
	unsigned vector = info->intr_info & 0xff, type = (info->intr_info >> 8) & 7;

	if (type == 2) { /* NMI: the host's, nothing for the guest */
		e->reason = EXIT_NONE;
		return;
	}
	if (vector == 1 || vector == 3) { /* #DB, #BP: for a debugger */
		e->reason = EXIT_DEBUG;
		return;
	}
	e->reason = EXIT_FATAL;
	cv_snprintf(e->fatal.msg, sizeof(e->fatal.msg),
		    "guest exception, vector %u (interruption information 0x%x)", vector,
		    info->intr_info);
}

void vmx_decode_exit(const struct vmx_exit_info *info, struct vcpu_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->pc = info->rip;
	e->syndrome = info->reason;
	e->insn_len = (uint8_t)info->insn_len;
	if (info->reason & VMX_EXIT_ENTRY_FAILURE) {
		fatal(e, info, "VM entry failed");
		return;
	}
	switch (info->reason & 0xffff) {
	case VMX_EXIT_IO:
		decode_io(info, e);
		return;
	case VMX_EXIT_EPT_VIOLATION:
		decode_ept_violation(info, e);
		return;
	case VMX_EXIT_HLT:
		e->reason = EXIT_HALT;
		return;
	case VMX_EXIT_VMCALL:
		e->reason = EXIT_HYPERCALL;
		e->hypercall.conduit = CONDUIT_VMCALL;
		return;
	case VMX_EXIT_CPUID:
		e->reason = EXIT_SYSREG;
		e->sysreg.id = X86_SYSREG_CPUID;
		e->sysreg.reg = X86_RAX; /* results in EAX, EBX, ECX, EDX */
		return;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->reason = EXIT_SYSREG;
		e->sysreg.write = (info->reason & 0xffff) == VMX_EXIT_WRMSR;
		e->sysreg.reg = X86_RAX; /* EDX:EAX */
		e->sysreg.src = X86_RAX;
		e->sysreg.id = X86_SYSREG_MSR_FROM_ECX; /* vmx_exit_fill_operands() reads ECX */
		return;
	case VMX_EXIT_CR_ACCESS:
		decode_cr(info, e);
		return;
	case VMX_EXIT_RDTSC:
		e->reason = EXIT_SYSREG;
		e->sysreg.id = X86_SYSREG_TSC;
		e->sysreg.reg = X86_RAX; /* EDX:EAX */
		return;
	case VMX_EXIT_APIC_ACCESS:
		/*
		 * Qualification (table 28-6): offset in the APIC page in bits 11:0,
		 * access type in 15:12 (0 linear read, 1 linear write). A write's
		 * value is the HAL's to supply (the simulator's callback has it).
		 */
		if (((info->qualification >> 12) & 0xf) > 1) {
			fatal(e, info, "APIC access other than a linear read or write");
			return;
		}
		e->reason = EXIT_SYSREG;
		e->sysreg.id = X86_SYSREG_APIC((uint32_t)(info->qualification & 0xfff));
		e->sysreg.write = (info->qualification >> 12) & 1;
		e->sysreg.src = SYSREG_SRC_IMM;
		return;
	case VMX_EXIT_EXCEPTION_NMI:
		decode_exception(info, e);
		return;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_INTERRUPT_WINDOW:
		e->reason = EXIT_NONE;
		return;
	case VMX_EXIT_TRIPLE_FAULT:
		fatal(e, info, "triple fault: the guest could not deliver its own exceptions");
		return;
	default:
		fatal(e, info, "unexpected VM exit");
		return;
	}
}

void vmx_exit_fill_operands(struct vcpu_exit *e, const uint64_t gpr[16])
{
	switch (e->reason) {
	case EXIT_PIO:
		if (e->pio.write)
			e->pio.data = (uint32_t)(gpr[X86_RAX] &
						 (e->pio.size == 4 ? 0xffffffffu
								   : (1u << (8 * e->pio.size)) - 1));
		break;
	case EXIT_HYPERCALL: {
		static const enum x86_gpr order[6] = X86_HYPERCALL_ARG_REGS;
		for (unsigned i = 0; i < 6; i++)
			e->hypercall.args[i] = gpr[order[i]];
		break;
	}
	case EXIT_SYSREG:
		if (e->sysreg.id == X86_SYSREG_CPUID) {
			e->sysreg.value = (uint32_t)gpr[X86_RAX] | gpr[X86_RCX] << 32; /* leaf, subleaf */
		} else if (e->sysreg.id == X86_SYSREG_MSR_FROM_ECX) {
			/* RDMSR/WRMSR: index in ECX, value in EDX:EAX. */
			e->sysreg.id = (uint32_t)gpr[X86_RCX];
			if (e->sysreg.write)
				e->sysreg.value = (gpr[X86_RDX] << 32) | (uint32_t)gpr[X86_RAX];
		} else if (e->sysreg.write && e->sysreg.src != SYSREG_SRC_IMM) {
			e->sysreg.value = gpr[e->sysreg.src & 15];
		}
		break;
	default:
		break;
	}
}
