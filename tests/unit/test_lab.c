/* SPDX-License-Identifier: MIT */
/*
 * LAB_TODO() (src/lib/lab.c): a lab skeleton's stub says what is missing,
 * as the line "cvisor: lab N: implement WHAT" on the log, once per call site
 * (docs/labs.md). The log (hal_stub.c: stderr when CVISOR_TEST_LOG is set)
 * is read back from a temporary file put in stderr's place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <cvisor/lib.h>

/* A stub as a skeleton holds it: says what is missing, then fails. */
static int stub_a(void)
{
	LAB_TODO(3, "walk the stage-2 tables in stage2_translate()");
	return -CV_ENOSYS;
}

static int stub_b(void)
{
	LAB_TODO(5, "raise the timer's interrupt");
	return -CV_ENOSYS;
}

/* Runs the stubs (a three times, b once); returns what they logged, in a string to free(). */
static char *log_of_stubs(void)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	static char text[1024];

	assert_non_null(tmp);
	assert_true(saved >= 0);
	setenv("CVISOR_TEST_LOG", "1", 1);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) == 2);
	for (int i = 0; i < 3; i++)
		assert_int_equal(stub_a(), -CV_ENOSYS);
	assert_int_equal(stub_b(), -CV_ENOSYS);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("CVISOR_TEST_LOG");
	rewind(tmp);
	size_t n = fread(text, 1, sizeof(text) - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
	return strdup(text);
}

static void test_once_per_call_site(void **state)
{
	(void)state;
	char *text = log_of_stubs();

	assert_string_equal(
	    text, "cvisor: lab 3: implement walk the stage-2 tables in stage2_translate()\n"
		  "cvisor: lab 5: implement raise the timer's interrupt\n");
	free(text);
	/* The call sites have said it: a second round logs nothing. */
	text = log_of_stubs();
	assert_string_equal(text, "");
	free(text);
}

static void test_enosys_name(void **state)
{
	(void)state;
	assert_string_equal(cv_strerror(-CV_ENOSYS), "not implemented (a lab's stub)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_once_per_call_site),
	    cmocka_unit_test(test_enosys_name),
	};
	return cmocka_run_group_tests_name("lab stubs", tests, NULL, NULL);
}
