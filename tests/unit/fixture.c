/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' shared setups (fixture.h): what every architecture's
 * stage-2 and VM tests start from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/config.h>
#include <cvisor/stage2.h>
#include <cvisor/vm.h>

#include "fixture.h"
#include "hal_stub.h"

int fixture_stage2_setup(void **state)
{
	static struct stage2 s2;

	*state = &s2;
	return stage2_init(&s2);
}

int fixture_stage2_teardown(void **state)
{
	stage2_destroy(*state);
	return 0;
}

void fixture_check_stage2_format(void)
{
	const struct stage2_format *f = &stage2_arch_format;
	unsigned bits = PAGE_SHIFT;

	for (int level = f->first_level; level <= f->last_level; level++)
		bits += f->index_bits[level];
	assert_int_equal(bits, f->ipa_bits);
	assert_int_equal(f->root_pages * PAGE_SIZE, 8ULL << f->index_bits[f->first_level]);
	assert_int_equal(stage2_level_size(f->last_level), PAGE_SIZE);
	assert_true(f->leaf_allowed[f->last_level]);
}

int fixture_vm_boot(const char *text, const char *file, const uint8_t *kernel, size_t kernel_len,
		    struct vm **vm)
{
	static struct vm_config cfg;
	static struct diag_list dl;
	char err[200];
	struct vm_images img = { .kernel = kernel, .kernel_len = kernel_len };

	hal_stub_console_reset();
	if (config_parse(text, strlen(text), file, &cfg, &dl) < 0)
		return -1;
	if (vm_create(&cfg, vm, err, sizeof(err)) < 0 ||
	    vm_load_images(*vm, &img, err, sizeof(err)) < 0 || vm_boot(*vm, err, sizeof(err)) < 0) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}
