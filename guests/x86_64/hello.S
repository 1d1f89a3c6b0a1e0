// SPDX-License-Identifier: MIT
// hello: prints a greeting on COM1, checks that RSI pointed at a device
// tree (magic 0xd00dfeed, big-endian), asks cvisor for its version with
// VMCALL, and powers off through ACPI.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	push %rbx
	mov %rdi, %rbx
	print "Hello from cvisor guest (x86_64)!\n"
	mov (%rbx), %eax
	bswap %eax
	check %rax, 0xd00dfeed, "device tree magic at RSI"
	print "dtb ok\n"
	mov $CVISOR_VERSION, %eax
	vmcall
	check %rax, 1, "cvisor VERSION (0.1)"
	xor %eax, %eax
	pop %rbx
	ret
