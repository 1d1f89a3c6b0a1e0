/* SPDX-License-Identifier: MIT */
/*
 * The guest physical address space: regions, bounds, permissions, and
 * copies that go through the stage-2 tables page by page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/addrspace.h>
#include <cvisor/hal.h>

#define RAM 0x40000000ULL

static int setup(void **state)
{
	static struct addrspace as;
	*state = &as;
	if (addrspace_init(&as) < 0)
		return -1;
	return addrspace_add_ram(&as, RAM, 0x10000, PERM_RWX, "ram0");
}

static int teardown(void **state)
{
	addrspace_destroy(*state);
	return 0;
}

static void test_regions(void **state)
{
	struct addrspace *as = *state;

	assert_int_equal(addrspace_add_mmio(as, 0x09000000, 0x1000, "pl011"), 0);
	assert_int_equal(as->nregions, 2);
	const struct as_region *r = addrspace_find(as, RAM + 0xffff);
	assert_non_null(r);
	assert_string_equal(r->name, "ram0");
	assert_int_equal(r->kind, REGION_RAM);
	assert_null(addrspace_find(as, RAM + 0x10000));
	assert_null(addrspace_find(as, RAM - 1));
	r = addrspace_find(as, 0x09000fff);
	assert_non_null(r);
	assert_int_equal(r->kind, REGION_MMIO);
	/* MMIO is not mapped in stage 2: guest accesses there must fault. */
	struct s2_result res;
	assert_int_equal(stage2_translate(&as->s2, 0x09000000, ACCESS_READ, &res, NULL, NULL),
			 -CV_EFAULT);
	/* RAM is, at the host memory of the region. */
	assert_int_equal(stage2_translate(&as->s2, RAM + 0x1234, ACCESS_READ, &res, NULL, NULL), 0);
	assert_ptr_equal(hal_hpa_to_hva(res.hpa), (uint8_t *)addrspace_find(as, RAM)->host + 0x1234);
}

static void test_overlaps_and_bad_ranges(void **state)
{
	struct addrspace *as = *state;

	assert_int_equal(addrspace_add_ram(as, RAM + 0xf000, 0x2000, PERM_RWX, "x"), -CV_EOVERLAP);
	assert_int_equal(addrspace_add_ram(as, RAM - 0x1000, 0x2000, PERM_RWX, "x"), -CV_EOVERLAP);
	assert_int_equal(addrspace_add_mmio(as, RAM + 0x8000, 0x100, "dev"), -CV_EOVERLAP);
	assert_int_equal(addrspace_add_ram(as, 0x50000800, 0x1000, PERM_RWX, "x"), -CV_EINVAL);
	assert_int_equal(addrspace_add_ram(as, 0x50000000, 0x1001, PERM_RWX, "x"), -CV_EINVAL);
	assert_int_equal(addrspace_add_ram(as, 0x50000000, 0, PERM_RWX, "x"), -CV_EINVAL);
	assert_int_equal(addrspace_add_mmio(as, 0xfffffffffffff000ULL, 0x2000, "wrap"), -CV_EINVAL);
	/* Adjacent is fine. */
	assert_int_equal(addrspace_add_ram(as, RAM + 0x10000, 0x1000, PERM_RWX, "ram1"), 0);
	assert_int_equal(as->nregions, 2);
}

static void test_read_write_round_trip(void **state)
{
	struct addrspace *as = *state;
	uint8_t out[6000], in[6000];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	/* Crosses a page boundary. */
	assert_int_equal(addrspace_write(as, RAM + 0xf00, out, sizeof(out)), 0);
	memset(in, 0, sizeof(in));
	assert_int_equal(addrspace_read(as, RAM + 0xf00, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* The host pointer sees the same bytes. */
	uint8_t *p = addrspace_gpa_to_hva(as, RAM + 0xf00, sizeof(out), ACCESS_READ);
	assert_non_null(p);
	assert_memory_equal(p, out, sizeof(out));
}

static void test_bounds(void **state)
{
	struct addrspace *as = *state;
	uint8_t buf[16] = { 0 };

	assert_int_equal(addrspace_write(as, RAM + 0xfff8, buf, 8), 0);
	assert_int_equal(addrspace_write(as, RAM + 0xfff8, buf, 9), -CV_EFAULT);
	assert_int_equal(addrspace_read(as, RAM - 4, buf, 8), -CV_EFAULT);
	assert_int_equal(addrspace_read(as, 0x70000000, buf, 1), -CV_EFAULT);
	assert_int_equal(addrspace_read(as, 0xfffffffffffffff8ULL, buf, 16), -CV_ERANGE);
	assert_non_null(addrspace_gpa_to_hva(as, RAM + 0xfff0, 0x10, ACCESS_WRITE));
	assert_null(addrspace_gpa_to_hva(as, RAM + 0xfff0, 0x11, ACCESS_WRITE));
	assert_null(addrspace_gpa_to_hva(as, 0x70000000, 1, ACCESS_READ));
	/* A device window is never reachable through a host pointer. */
	assert_int_equal(addrspace_add_mmio(as, 0x09000000, 0x1000, "pl011"), 0);
	assert_null(addrspace_gpa_to_hva(as, 0x09000000, 4, ACCESS_READ));
	assert_int_equal(addrspace_write(as, 0x09000000, buf, 4), -CV_EFAULT);
}

static void test_spanning_regions(void **state)
{
	struct addrspace *as = *state;
	uint8_t out[0x2000], in[0x2000];

	assert_int_equal(addrspace_add_ram(as, RAM + 0x10000, 0x4000, PERM_RWX, "ram1"), 0);
	memset(out, 0xa5, sizeof(out));
	/* Copies may span two adjacent regions ... */
	assert_int_equal(addrspace_write(as, RAM + 0xf000, out, sizeof(out)), 0);
	assert_int_equal(addrspace_read(as, RAM + 0xf000, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* ... but a host pointer covers one region only (their host memory is not contiguous). */
	assert_null(addrspace_gpa_to_hva(as, RAM + 0xf000, 0x2000, ACCESS_READ));
}

static void test_permissions(void **state)
{
	struct addrspace *as = *state;
	const uint8_t code[4] = { 0x1f, 0x20, 0x03, 0xd5 };
	uint8_t back[4];

	assert_int_equal(addrspace_add_ram(as, 0x50000000, 0x2000, PERM_READ | PERM_EXEC, "rom"), 0);
	/* The guest may not write it ... */
	assert_null(addrspace_gpa_to_hva(as, 0x50000000, 4, ACCESS_WRITE));
	assert_non_null(addrspace_gpa_to_hva(as, 0x50000000, 4, ACCESS_FETCH));
	/* ... but the hypervisor loads images into it. */
	assert_int_equal(addrspace_write(as, 0x50000ffe, code, 4), 0);
	assert_int_equal(addrspace_read(as, 0x50000ffe, back, 4), 0);
	assert_memory_equal(back, code, 4);
	/* Execute-never RAM. */
	assert_int_equal(addrspace_add_ram(as, 0x60000000, 0x1000, PERM_READ | PERM_WRITE, "data"), 0);
	assert_null(addrspace_gpa_to_hva(as, 0x60000000, 4, ACCESS_FETCH));
	assert_non_null(addrspace_gpa_to_hva(as, 0x60000000, 4, ACCESS_WRITE));
}

static void test_region_limit(void **state)
{
	struct addrspace *as = *state;
	unsigned added = 0;
	int rc = 0;

	for (unsigned i = 0; i < AS_MAX_REGIONS + 2; i++) {
		rc = addrspace_add_mmio(as, 0x10000000 + i * 0x1000ULL, 0x1000, "dev");
		if (rc < 0)
			break;
		added++;
	}
	assert_int_equal(rc, -CV_ENOMEM);
	assert_int_equal(added, AS_MAX_REGIONS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlaps_and_bad_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_write_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spanning_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_limit, setup, teardown),
	};
	return cmocka_run_group_tests_name("addrspace", tests, NULL, NULL);
}
