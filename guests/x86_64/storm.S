// SPDX-License-Identifier: MIT
// storm: the guest's #UD handler is itself a ud2, so every exception
// raises the next one. cvisor stops the VM.
#include "guest.h"

	GUEST_RUNTIME

	.global main
main:
	print "storm: faulting inside the handler\n"
	lea idt + 6 * 16(%rip), %rdi
	lea handler(%rip), %rsi
	mov %si, (%rdi)
	mov %cs, %ax
	mov %ax, 2(%rdi)
	movb $0x8e, 5(%rdi)
	shr $16, %rsi
	mov %si, 6(%rdi)
	shr $16, %rsi
	mov %esi, 8(%rdi)
	lidt idtr(%rip)
	ud2
	mov $1, %eax
	ret

handler:
	ud2

	.data
	.balign 16
idt:	.fill 512, 8, 0
idtr:	.word 256 * 16 - 1
	.quad idt
