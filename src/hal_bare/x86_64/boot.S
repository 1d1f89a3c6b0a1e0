// SPDX-License-Identifier: MIT
// cvisor's entry from GRUB: the multiboot2 header, then from 32-bit
// protected mode to 64-bit long mode (Multiboot2 specification 1.0,
// 3.1 and 3.3; Intel SDM Vol. 3A 9.8.5, "Initializing IA-32e Mode").
//
// GRUB loads the ELF image (link.ld) and jumps to _start on the boot CPU
// in the machine state of Multiboot2 3.3: 32-bit protected mode, paging
// off, flat 4 GiB CS and DS, interrupts off (EFLAGS.IF = 0), A20 on,
// EAX = 0x36d76289 (the magic that says a multiboot2 loader started
// us) and EBX = the physical address of the boot information (the
// memory map among its tags; virt.c reads it). ESP and the GDT are
// GRUB's: neither may be used. _start then
//  1. checks EAX (else says so on COM1 and ends the run),
//  2. clears the BSS (the boot page tables below live there) and keeps
//     EBX in bare_mb2_info,
//  3. builds the boot page tables: the first 4 GiB identity mapped with
//     2 MiB pages (PML4 -> one PDPT -> four page directories), enough to
//     run C; mmu.c later switches to cvisor's own 64 GiB map,
//  4. turns on long mode (SDM 9.8.5): CR4.PAE, CR3, IA32_EFER.LME, then
//     CR0.PG (which activates IA-32e mode, EFER.LMA = 1),
//  5. loads a GDT with a 64-bit code segment and far-jumps into it,
//  6. takes the boot stack and calls bare_main().
// The selectors are the ones gdt_idt.c's GDT keeps: 0x08 code, 0x10 data.

#define MB2_MAGIC 0xe85250d6        // in the header (Multiboot2 3.1.1)
#define MB2_ARCH_I386 0             // 32-bit protected mode entry
#define MB2_BOOT_MAGIC 0x36d76289   // in EAX at the entry (3.3)

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_ET (1 << 4)
#define CR0_NE (1 << 5)             // native FPU errors; VMX requires it (SDM Vol. 3C 24.8)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_P 0x1                   // present
#define PTE_W 0x2                   // writable
#define PTE_PS 0x80                 // a 2 MiB page in a page directory (SDM Vol. 3A 4.5)

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC, MB2_ARCH_I386, mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	// No tags but the end tag: GRUB loads the ELF's segments where they say,
	// starts at its entry, and leaves the display in text mode.
	.short 0, 0                 // end tag: type 0, flags 0,
	.long 8                     // size 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	cmpl $MB2_BOOT_MAGIC, %eax
	jne not_multiboot2
	mov %ebx, %esi              // the boot information, kept while the BSS is cleared

	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %esi, bare_mb2_info     // in .data; its high half is 0 already

	// PML4[0] -> PDPT; PDPT[0..3] -> the four page directories.
	movl $(boot_pdpt + PTE_P + PTE_W), boot_pml4
	mov $boot_pd + PTE_P + PTE_W, %eax
	xor %ecx, %ecx
1:	mov %eax, boot_pdpt(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jb 1b
	// 2048 entries of 2 MiB from 0: 0..4 GiB, virtual = physical.
	mov $PTE_P + PTE_W + PTE_PS, %eax
	xor %ecx, %ecx
2:	mov %eax, boot_pd(, %ecx, 8)
	add $0x200000, %eax
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov $(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	mov %eax, %cr0              // paging on with LME: IA-32e mode (compatibility mode so far)
	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode      // CS.L = 1: 64-bit mode

// Not started by a multiboot2 loader: says so on COM1 (as the BIOS left it)
// and ends the run as power.c does (Bochs's shutdown port).
not_multiboot2:
	mov $no_mb2_msg, %esi
3:	lodsb
	test %al, %al
	jz 5f
	mov %al, %ah
	mov $COM1_LSR, %dx
4:	inb %dx, %al
	test $0x20, %al             // THRE: the transmitter takes a byte
	jz 4b
	mov $COM1, %dx
	mov %ah, %al
	outb %al, %dx
	jmp 3b
5:	mov $shutdown_msg, %esi
	mov $0x8900, %dx
6:	lodsb
	test %al, %al
	jz 7f
	outb %al, %dx
	jmp 6b
7:	hlt
	jmp 7b

	.code64
long_mode:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $__stack_top, %rsp
	xor %ebp, %ebp
	call bare_main
8:	cli
	hlt
	jmp 8b

	.section .rodata
no_mb2_msg:
	.asciz "cvisor: not started by a multiboot2 loader (EAX is not 0x36d76289)\r\ncvisor: exit status 3\r\n"
shutdown_msg:
	.asciz "Shutdown"

	// The boot GDT: null, 64-bit code (0x08: L, P, DPL 0, execute/read),
	// data (0x10: P, writable). Base and limit mean nothing in 64-bit mode
	// (SDM Vol. 3A 3.4.5); gdt_idt.c replaces it with one that has a TSS.
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .data
	.balign 8
	.global bare_mb2_info
bare_mb2_info:
	.quad 0

	.section .bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
