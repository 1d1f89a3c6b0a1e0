/* SPDX-License-Identifier: MIT */
/*
 * The TOML reader: every value kind of the subset, and every kind of
 * error with the line and column it must name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cvisor/toml.h>

static struct diag_list dl;

static struct toml_value *parse(const char *text)
{
	memset(&dl, 0, sizeof(dl));
	strcpy(dl.file, "t.toml");
	return toml_parse(text, strlen(text), &dl);
}

/* Parses text that must fail; returns the formatted first message. */
static const char *parse_error(const char *text)
{
	static char msg[300];
	struct toml_value *v = parse(text);
	if (v) {
		toml_free(v);
		fail_msg("expected an error for: %s", text);
	}
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 1);
	diag_format(&dl, 0, msg, sizeof(msg));
	return msg;
}

#define assert_error(text, expected)                                                   \
	do {                                                                           \
		const char *m_ = parse_error(text);                                    \
		if (strstr(m_, (expected)) == NULL)                                    \
			fail_msg("for %s\n  got:      %s\n  expected: %s", #text, m_, (expected)); \
	} while (0)

static void test_values(void **state)
{
	(void)state;
	struct toml_value *root = parse("# a comment\n"
					"s = \"text \\\"q\\\" \\t\\u00e9\"\n"
					"lit = 'C:\\path'   # literal: no escapes\n"
					"i = 42\n"
					"neg = -17\n"
					"hex = 0x4000_0000\n"
					"oct = 0o755\n"
					"bin = 0b1010\n"
					"big = 0xffff_ffff_ffff_ffff\n"
					"t = true\n"
					"f = false\n"
					"\"quoted key\" = 1\n"
					"empty = \"\"\n");
	assert_non_null(root);
	assert_int_equal(root->type, TOML_TABLE);
	assert_string_equal(toml_get(root, "s")->s, "text \"q\" \t\xc3\xa9");
	assert_string_equal(toml_get(root, "lit")->s, "C:\\path");
	assert_int_equal(toml_get(root, "i")->i, 42);
	assert_int_equal(toml_get(root, "neg")->i, -17);
	assert_int_equal(toml_get(root, "hex")->i, 0x40000000);
	assert_int_equal(toml_get(root, "oct")->i, 0755);
	assert_int_equal(toml_get(root, "bin")->i, 10);
	assert_int_equal((uint64_t)toml_get(root, "big")->i, UINT64_MAX);
	assert_true(toml_get(root, "t")->b);
	assert_false(toml_get(root, "f")->b);
	assert_int_equal(toml_get(root, "quoted key")->i, 1);
	assert_string_equal(toml_get(root, "empty")->s, "");
	assert_null(toml_get(root, "absent"));
	/* Positions: the value of i starts at line 4, column 5. */
	assert_int_equal(toml_get(root, "i")->line, 4);
	assert_int_equal(toml_get(root, "i")->col, 5);
	assert_int_equal(toml_find_kv(root, "i")->col, 1);
	toml_free(root);
}

static void test_limits_of_integers(void **state)
{
	(void)state;
	struct toml_value *root = parse("max = 9223372036854775807\nmin = -9223372036854775808\n");
	assert_non_null(root);
	assert_int_equal(toml_get(root, "max")->i, INT64_MAX);
	assert_int_equal(toml_get(root, "min")->i, INT64_MIN);
	toml_free(root);
	assert_error("x = 9223372036854775808\n", "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = 0x1_0000_0000_0000_0000\n", "1:5: error: integer does not fit");
	assert_error("x = 1__0\n", "1:7: error: '_' in a number must stand between two digits");
	assert_error("x = 10_\n", "1:8: error: '_'");
	assert_error("x = _1\n", "1:5: error: expected a value");
	assert_error("x = 0x\n", "1:7: error: expected a digit");
	assert_error("x = 0x12g\n", "1:9: error: 'g' is not a digit of a base-16 integer");
	assert_error("x = 0b102\n", "'2' is not a digit of a base-2 integer");
	assert_error("x = -0x10\n", "1:5: error: a hexadecimal integer cannot have a sign");
	assert_error("x = 012\n", "1:5: error: leading zeros are not allowed");
}

static void test_arrays(void **state)
{
	(void)state;
	struct toml_value *root = parse("regions = [\n"
					"  [0x4000_0000, 0x100_0000, 7, 0], # RAM\n"
					"  # a comment line\n"
					"  [0x8000_0000, 0x1000, 3, 1],\n"
					"]\n"
					"empty = []\n"
					"mixed = [\"a\", 1, [true]]\n");
	assert_non_null(root);
	struct toml_value *r = toml_get(root, "regions");
	assert_int_equal(r->type, TOML_ARRAY);
	assert_int_equal(r->arr.n, 2);
	assert_int_equal(r->arr.items[1]->arr.n, 4);
	assert_int_equal(r->arr.items[1]->arr.items[0]->i, 0x80000000);
	assert_int_equal(r->arr.items[1]->line, 4);
	assert_int_equal(toml_get(root, "empty")->arr.n, 0);
	struct toml_value *m = toml_get(root, "mixed");
	assert_int_equal(m->arr.n, 3);
	assert_true(m->arr.items[2]->arr.items[0]->b);
	toml_free(root);

	/* Many items: the array grows. */
	char text[4096] = "a = [";
	for (int i = 0; i < 300; i++)
		sprintf(text + strlen(text), "%d,", i);
	strcat(text, "]\n");
	root = parse(text);
	assert_non_null(root);
	assert_int_equal(toml_get(root, "a")->arr.n, 300);
	assert_int_equal(toml_get(root, "a")->arr.items[299]->i, 299);
	toml_free(root);

	assert_error("a = [1, 2\n", "1:5: error: unterminated array");
	assert_error("a = [1 2]\n", "1:8: error: expected ',' or ']' in an array, found '2'");
	assert_error("a = [1,,2]\n", "1:8: error: expected a value, found ','");
}

static void test_tables(void **state)
{
	(void)state;
	struct toml_value *root = parse("top = 1\n"
					"[base]\n"
					"id = 1\n"
					"[kernel]  # with a comment\n"
					"x = 2\n"
					"untouched = 0\n"
					"[a.b]\n"
					"c = 3\n"
					"[a]\n"
					"d = 4\n"
					"[\"q.t\"]\n"
					"site.name = \"x\"\n");
	assert_non_null(root);
	assert_int_equal(toml_get(root, "top")->i, 1);
	assert_int_equal(toml_get(toml_get(root, "base"), "id")->i, 1);
	assert_int_equal(toml_get(toml_get(root, "kernel"), "x")->i, 2);
	struct toml_value *a = toml_get(root, "a");
	assert_int_equal(toml_get(toml_get(a, "b"), "c")->i, 3);
	assert_int_equal(toml_get(a, "d")->i, 4);
	struct toml_value *q = toml_get(root, "q.t");
	assert_non_null(q);
	assert_string_equal(toml_get(toml_get(q, "site"), "name")->s, "x");
	/* toml_get marks keys used; toml_find_kv does not. */
	assert_true(toml_find_kv(root, "top")->used);
	assert_false(toml_find_kv(root, "a")->used == false);
	struct toml_value *k = toml_get(root, "kernel");
	assert_false(toml_find_kv(k, "untouched")->used);
	toml_get(k, "untouched");
	assert_true(toml_find_kv(k, "untouched")->used);
	toml_free(root);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_error("[base]\nid = 1\nname = \"x\n", "t.toml:3:8: error: unterminated string");
	assert_error("id 1\n", "1:4: error: expected '=' after the key 'id', found '1'");
	assert_error("id =\n", "1:5: error: expected a value, found end of line");
	assert_error("id = 1 2\n", "1:8: error: expected the end of the line after a value, found '2'");
	assert_error("a = 1\na = 2\n", "2:1: error: duplicate key 'a' (first at line 1)");
	assert_error("[x]\n[x]\n", "2:1: error: table defined twice");
	assert_error("x = 1\n[x]\n", "2:2: error: key 'x' is already a integer");
	assert_error("[x\n", "1:3: error: expected '.' or ']' in a table header, found end of line");
	assert_error("[x] y = 1\n", "1:5: error: expected the end of the line after a table header");
	assert_error("= 1\n", "1:1: error: expected a key, found '='");
	assert_error("s = \"\\q\"\n", "1:6: error: unknown escape sequence");
	assert_error("s = \"\\u12\"\n", "expected 4 hexadecimal digits");
	assert_error("s = \"a\tb\x01\"\n", "1:9: error: control character 0x01 in a string");
	assert_error("x = 1\n\n\n   @\n", "4:4: error: expected a key, found '@'");
	assert_error("x = \xff\n", "found byte 0xff");
}

static void test_unsupported(void **state)
{
	(void)state;
	assert_error("x = 1.5\n", "1:5: error: floats are not supported");
	assert_error("x = 1e3\n", "floats are not supported");
	assert_error("x = inf\n", "floats (inf, nan) are not supported");
	assert_error("x = 1979-05-27\n", "1:5: error: dates and times are not supported");
	assert_error("x = { a = 1 }\n", "1:5: error: inline tables ({ ... }) are not supported");
	assert_error("[[servers]]\n", "1:1: error: arrays of tables ([[...]]) are not supported");
	assert_error("x = \"\"\"multi\"\"\"\n", "multi-line strings");
	assert_error("x = '''multi'''\n", "multi-line strings");
}

static void test_line_endings_and_bom(void **state)
{
	(void)state;
	struct toml_value *root = parse("\xef\xbb\xbf" "a = 1\r\n[t]\r\nb = \"x\" # c\r\n");
	assert_non_null(root);
	assert_int_equal(toml_get(root, "a")->i, 1);
	assert_string_equal(toml_get(toml_get(root, "t"), "b")->s, "x");
	assert_int_equal(toml_get(toml_get(root, "t"), "b")->line, 3);
	toml_free(root);
	/* Not NUL-terminated: the length bounds the text. */
	const char text[] = "a = 12345";
	memset(&dl, 0, sizeof(dl));
	root = toml_parse(text, 6, &dl);
	assert_non_null(root);
	assert_int_equal(toml_get(root, "a")->i, 12);
	toml_free(root);
}

/* Random bytes and truncations of a real config never crash the reader. */
static void test_garbage_never_crashes(void **state)
{
	(void)state;
	static const char good[] = "[base]\nid = 1\nname = \"x\"\n[kernel]\n"
				   "memory_regions = [[0x4000_0000, 0x800_0000, 7, 0]]\n";
	char buf[256];
	unsigned seed = 12345;

	for (size_t n = 0; n <= sizeof(good) - 1; n++) {
		memset(&dl, 0, sizeof(dl));
		toml_free(toml_parse(good, n, &dl));
	}
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(buf));
		memcpy(buf, good, MIN(n, sizeof(good) - 1));
		for (size_t i = 0; i < n; i++)
			if (i >= sizeof(good) - 1 || rand_r(&seed) % 8 == 0)
				buf[i] = (char)(rand_r(&seed) % 256);
		memset(&dl, 0, sizeof(dl));
		struct toml_value *v = toml_parse(buf, n, &dl);
		if (!v)
			assert_true(diag_count(&dl, DIAG_ERROR) >= 1);
		toml_free(v);
	}
}

static void test_diag_format(void **state)
{
	(void)state;
	struct diag_list d;
	char out[300];

	memset(&d, 0, sizeof(d));
	strcpy(d.file, "vm.toml");
	diag_add(&d, DIAG_ERROR, 3, 7, "bad %s", "thing");
	diag_add(&d, DIAG_WARNING, 4, 0, "just a line");
	diag_add(&d, DIAG_ERROR, 0, 0, "whole file");
	assert_int_equal(diag_count(&d, DIAG_ERROR), 2);
	assert_int_equal(diag_count(&d, DIAG_WARNING), 1);
	diag_format(&d, 0, out, sizeof(out));
	assert_string_equal(out, "vm.toml:3:7: error: bad thing");
	diag_format(&d, 1, out, sizeof(out));
	assert_string_equal(out, "vm.toml:4: warning: just a line");
	diag_format(&d, 2, out, sizeof(out));
	assert_string_equal(out, "vm.toml: error: whole file");
	for (int i = 0; i < DIAG_MAX; i++)
		diag_add(&d, DIAG_WARNING, 1, 1, "more");
	assert_int_equal(d.count, DIAG_MAX);
	assert_int_equal(d.dropped, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_limits_of_integers),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_line_endings_and_bom),
		cmocka_unit_test(test_garbage_never_crashes),
		cmocka_unit_test(test_diag_format),
	};
	return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}
