/* SPDX-License-Identifier: MIT */
/*
 * The TOML reader: every value kind of the subset, and every kind of
 * error with the exact line and column it must name.
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

/* Parses text that must fail with exactly one error; returns it formatted. */
static const char *parse_error(const char *text)
{
	static char msg[300];
	struct toml_value *v = parse(text);
	if (v) {
		toml_free(v);
		fail_msg("expected an error for: %s", text);
	}
	assert_int_equal(dl.count, 1);
	assert_int_equal(diag_count(&dl, DIAG_ERROR), 1);
	diag_format(&dl, 0, msg, sizeof(msg));
	return msg;
}

/* The whole formatted message, place included, must be the expected one. */
#define assert_error(text, expected)                                                               \
	do {                                                                                       \
		const char *m_ = parse_error(text);                                                \
		if (strcmp(m_, (expected)) != 0)                                                   \
			fail_msg("for %s\n  got:      %s\n  expected: %s", #text, m_, (expected)); \
	} while (0)

/* Shorthands for looking values up. */
static struct toml_value *get(struct toml_value *tab, const char *key)
{
	struct toml_value *v = toml_get(tab, key);
	if (!v)
		fail_msg("no key '%s'", key);
	return v;
}

static int64_t get_int(struct toml_value *tab, const char *key)
{
	struct toml_value *v = get(tab, key);
	assert_int_equal(v->type, TOML_INT);
	return v->i;
}

static const char *get_str(struct toml_value *tab, const char *key)
{
	struct toml_value *v = get(tab, key);
	assert_int_equal(v->type, TOML_STRING);
	return v->s;
}

static void test_strings(void **state)
{
	(void)state;
	struct toml_value *root = parse("# a comment\n"
					"s = \"text \\\"q\\\" \\t\\u00e9\"\n"
					"lit = 'C:\\path \"as is\"'   # literal: no escapes\n"
					"esc = \"\\\\ \\n \\r \\b \\f\"\n"
					"astral = \"\\U0001F600\"\n"
					"utf8 = \"gr\xc3\xbc\xc3\x9f\"\n"
					"empty = \"\"\n"
					"hash = \"# not a comment\"\n"
					"tab = \"a\tb\"\n");
	assert_non_null(root);
	assert_int_equal(root->type, TOML_TABLE);
	assert_string_equal(get_str(root, "s"), "text \"q\" \t\xc3\xa9");
	assert_string_equal(get_str(root, "lit"), "C:\\path \"as is\"");
	assert_string_equal(get_str(root, "esc"), "\\ \n \r \b \f");
	assert_string_equal(get_str(root, "astral"), "\xf0\x9f\x98\x80");
	assert_string_equal(get_str(root, "utf8"), "gr\xc3\xbc\xc3\x9f");
	assert_string_equal(get_str(root, "empty"), "");
	assert_string_equal(get_str(root, "hash"), "# not a comment");
	assert_string_equal(get_str(root, "tab"), "a\tb");
	/* Places: the value of s starts at line 2, column 5; its key at column 1. */
	assert_int_equal(get(root, "s")->line, 2);
	assert_int_equal(get(root, "s")->col, 5);
	assert_int_equal(toml_find_kv(root, "s")->line, 2);
	assert_int_equal(toml_find_kv(root, "s")->col, 1);
	toml_free(root);
}

static void test_integers_and_booleans(void **state)
{
	(void)state;
	struct toml_value *root = parse("i = 42\n"
					"plus = +17\n"
					"neg = -17\n"
					"zero = 0\n"
					"negzero = -0\n"
					"thousands = 1_000_000\n"
					"hex = 0x4000_0000\n"
					"HEX = 0xDEAD_beef\n"
					"oct = 0o755\n"
					"bin = 0b1010\n"
					"big = 0xffff_ffff_ffff_ffff\n"
					"max = 9223372036854775807\n"
					"min = -9223372036854775808\n"
					"octmax = 0o1777777777777777777777\n"
					"t = true\n"
					"f = false\n");
	assert_non_null(root);
	assert_int_equal(get_int(root, "i"), 42);
	assert_int_equal(get_int(root, "plus"), 17);
	assert_int_equal(get_int(root, "neg"), -17);
	assert_int_equal(get_int(root, "zero"), 0);
	assert_int_equal(get_int(root, "negzero"), 0);
	assert_int_equal(get_int(root, "thousands"), 1000000);
	assert_int_equal(get_int(root, "hex"), 0x40000000);
	assert_int_equal(get_int(root, "HEX"), 0xdeadbeef);
	assert_int_equal(get_int(root, "oct"), 0755);
	assert_int_equal(get_int(root, "bin"), 10);
	/* Hexadecimal may use the whole unsigned range (addresses); it reads as two's complement.
	 */
	assert_int_equal((uint64_t)get_int(root, "big"), UINT64_MAX);
	assert_true(get_int(root, "max") == INT64_MAX);
	assert_true(get_int(root, "min") == INT64_MIN);
	assert_int_equal((uint64_t)get_int(root, "octmax"), UINT64_MAX);
	assert_int_equal(get(root, "t")->type, TOML_BOOL);
	assert_true(get(root, "t")->b);
	assert_false(get(root, "f")->b);
	assert_null(toml_get(root, "absent"));
	toml_free(root);
}

static void test_integer_errors(void **state)
{
	(void)state;
	assert_error("x = 9223372036854775808\n",
		     "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = -9223372036854775809\n",
		     "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = 0x1_0000_0000_0000_0000\n",
		     "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = 0o2000000000000000000000\n",
		     "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = 0b1"
		     "0000000000000000000000000000000000000000000000000000000000000000\n",
		     "t.toml:1:5: error: integer does not fit in 64 bits");
	assert_error("x = 1__0\n",
		     "t.toml:1:7: error: '_' in a number must stand between two digits");
	assert_error("x = 10_\n",
		     "t.toml:1:8: error: '_' in a number must stand between two digits");
	assert_error("x = 0x_10\n",
		     "t.toml:1:7: error: '_' in a number must stand between two digits");
	assert_error("x = _1\n", "t.toml:1:5: error: expected a value, found '_'");
	assert_error("x = 0x\n", "t.toml:1:7: error: expected a digit, found end of line");
	assert_error("x = -\n", "t.toml:1:6: error: expected a digit, found end of line");
	assert_error("x = 0x12g\n", "t.toml:1:9: error: 'g' is not a digit of a base-16 integer");
	assert_error("x = 0b102\n", "t.toml:1:9: error: '2' is not a digit of a base-2 integer");
	assert_error("x = 0o18\n", "t.toml:1:8: error: '8' is not a digit of a base-8 integer");
	assert_error("x = 12ab\n", "t.toml:1:7: error: 'a' is not a digit of a base-10 integer");
	assert_error("x = -0x10\n", "t.toml:1:5: error: a hexadecimal integer cannot have a sign");
	assert_error("x = +0b1\n", "t.toml:1:5: error: a binary integer cannot have a sign");
	assert_error("x = 012\n",
		     "t.toml:1:5: error: leading zeros are not allowed in a decimal integer");
	assert_error("x = 0X10\n", "t.toml:1:6: error: 'X' is not a digit of a base-10 integer");
	assert_error(
	    "x = tru\n",
	    "t.toml:1:5: error: expected a value, found the word 'tru' (a string needs quotes)");
	assert_error(
	    "x = True\n",
	    "t.toml:1:5: error: expected a value, found the word 'True' (a string needs quotes)");
	assert_error(
	    "x = truex\n",
	    "t.toml:1:5: error: expected a value, found the word 'truex' (a string needs quotes)");
}

static void test_arrays(void **state)
{
	(void)state;
	struct toml_value *root = parse("regions = [\n"
					"  [0x4000_0000, 0x100_0000, 7, 0], # RAM\n"
					"  # a comment line\n"
					"\n"
					"  [0x8000_0000,\n"
					"   0x1000, # size\n"
					"   3, 1,],\n"
					"]\n"
					"empty = []\n"
					"blank = [ # nothing\n"
					"]\n"
					"mixed = [\"a\", 1, [true, [[]]]]\n"
					"after = 1\n");
	assert_non_null(root);
	struct toml_value *r = get(root, "regions");
	assert_int_equal(r->type, TOML_ARRAY);
	assert_int_equal(r->arr.n, 2);
	assert_int_equal(r->arr.items[0]->arr.n, 4);
	assert_int_equal(r->arr.items[0]->arr.items[1]->i, 0x1000000);
	assert_int_equal(r->arr.items[1]->arr.n, 4);
	assert_int_equal(r->arr.items[1]->arr.items[0]->i, 0x80000000);
	assert_int_equal(r->arr.items[1]->arr.items[3]->i, 1);
	/* Each item knows its place. */
	assert_int_equal(r->line, 1);
	assert_int_equal(r->col, 11);
	assert_int_equal(r->arr.items[1]->line, 5);
	assert_int_equal(r->arr.items[1]->col, 3);
	assert_int_equal(r->arr.items[1]->arr.items[2]->line, 7);
	assert_int_equal(r->arr.items[1]->arr.items[2]->col, 4);
	assert_int_equal(get(root, "empty")->arr.n, 0);
	assert_int_equal(get(root, "blank")->arr.n, 0);
	struct toml_value *m = get(root, "mixed");
	assert_int_equal(m->arr.n, 3);
	assert_string_equal(m->arr.items[0]->s, "a");
	assert_int_equal(m->arr.items[1]->i, 1);
	assert_true(m->arr.items[2]->arr.items[0]->b);
	assert_int_equal(m->arr.items[2]->arr.items[1]->arr.n, 1);
	assert_int_equal(m->arr.items[2]->arr.items[1]->arr.items[0]->arr.n, 0);
	assert_int_equal(get_int(root, "after"), 1);
	assert_int_equal(get(root, "after")->line, 13);
	toml_free(root);

	/* Many items: the array grows. */
	char text[4096] = "a = [";
	for (int i = 0; i < 300; i++)
		sprintf(text + strlen(text), "%d,", i);
	strcat(text, "]\n");
	root = parse(text);
	assert_non_null(root);
	assert_int_equal(get(root, "a")->arr.n, 300);
	assert_int_equal(get(root, "a")->arr.items[299]->i, 299);
	toml_free(root);
}

static void test_array_errors(void **state)
{
	(void)state;
	assert_error("a = [1, 2\n",
		     "t.toml:1:5: error: unterminated array (no ']' before the end of the file)");
	assert_error("a = [1,\n  [2,\n",
		     "t.toml:2:3: error: unterminated array (no ']' before the end of the file)");
	assert_error("a = [1 2]\n",
		     "t.toml:1:8: error: expected ',' or ']' in an array, found '2'");
	assert_error("a = [1,,2]\n", "t.toml:1:8: error: expected a value, found ','");
	assert_error("a = [,]\n", "t.toml:1:6: error: expected a value, found ','");
	assert_error("a = [1]]\n",
		     "t.toml:1:8: error: expected the end of the line after a value, found ']'");
	/* Nesting is bounded, so a hostile file cannot exhaust the stack. */
	char deep[200] = "a = ";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	strcat(deep, "\n");
	assert_error(deep, "t.toml:1:37: error: arrays nested more than 32 deep");
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
					"[ \"q.t\" . 'lit' ]\n"
					"site.name = \"x\"\n"
					"site . port = 80\n");
	assert_non_null(root);
	assert_int_equal(get_int(root, "top"), 1);
	assert_int_equal(get_int(get(root, "base"), "id"), 1);
	assert_int_equal(get(root, "base")->type, TOML_TABLE);
	assert_int_equal(get(root, "base")->line, 2);
	assert_int_equal(get_int(get(root, "kernel"), "x"), 2);
	struct toml_value *a = get(root, "a");
	assert_int_equal(get_int(get(a, "b"), "c"), 3);
	assert_int_equal(get_int(a, "d"), 4);
	/* Quoted parts keep their dots and spaces. */
	struct toml_value *lit = get(get(root, "q.t"), "lit");
	struct toml_value *site = get(lit, "site");
	assert_string_equal(get_str(site, "name"), "x");
	assert_int_equal(get_int(site, "port"), 80);
	/* toml_get marks keys used; toml_find_kv does not. */
	assert_true(toml_find_kv(root, "top")->used);
	assert_true(toml_find_kv(root, "a")->used);
	struct toml_value *k = get(root, "kernel");
	assert_false(toml_find_kv(k, "untouched")->used);
	assert_int_equal(toml_get(k, "untouched")->i, 0);
	assert_true(toml_find_kv(k, "untouched")->used);
	/* Lookups in something that is not a table find nothing. */
	assert_null(toml_get(get(k, "x"), "y"));
	assert_null(toml_find_kv(NULL, "y"));
	toml_free(root);
}

static void test_dotted_keys(void **state)
{
	(void)state;
	/* TOML v1.0.0's own example: dotted keys define apple; a header may add a sub-table. */
	struct toml_value *root = parse("name.first = \"Tom\"\n"
					"name.last = \"P\"\n"
					"[fruit]\n"
					"apple.color = \"red\"\n"
					"apple.taste.sweet = true\n"
					"[fruit.apple.texture]\n"
					"smooth = true\n");
	assert_non_null(root);
	assert_string_equal(get_str(get(root, "name"), "first"), "Tom");
	assert_string_equal(get_str(get(root, "name"), "last"), "P");
	struct toml_value *apple = get(get(root, "fruit"), "apple");
	assert_string_equal(get_str(apple, "color"), "red");
	assert_true(get(get(apple, "taste"), "sweet")->b);
	assert_true(get(get(apple, "texture"), "smooth")->b);
	toml_free(root);

	assert_error("a.b = 1\na.b.c = 2\n",
		     "t.toml:2:3: error: key 'b' already holds an integer (line 1), not a table");
	assert_error("a.b = 1\na = 2\n", "t.toml:2:1: error: duplicate key 'a' (first at line 1)");
	assert_error("a.b = 1\n[a]\n",
		     "t.toml:2:1: error: table already defined by a dotted key at line 1");
	assert_error("[fruit]\napple.color = 1\n[fruit.apple]\n",
		     "t.toml:3:1: error: table already defined by a dotted key at line 2");
	assert_error(
	    "[a.b]\nz = 1\n[a]\nb.c = 1\n",
	    "t.toml:4:1: error: a dotted key cannot add to the table of the header at line 1");
	assert_error("a. = 1\n", "t.toml:1:4: error: expected a key, found '='");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_error("[base]\nid = 1\nname = \"x\n", "t.toml:3:8: error: unterminated string (it "
						     "starts here; strings end on the same line)");
	assert_error("s = 'abc\n", "t.toml:1:5: error: unterminated string (it starts here; "
				   "strings end on the same line)");
	assert_error("s = \"abc", "t.toml:1:5: error: unterminated string (it starts here; strings "
				  "end on the same line)");
	assert_error("id 1\n", "t.toml:1:4: error: expected '=' after the key 'id', found '1'");
	assert_error("id\n",
		     "t.toml:1:3: error: expected '=' after the key 'id', found end of line");
	assert_error("id =\n", "t.toml:1:5: error: expected a value, found end of line");
	assert_error("id =", "t.toml:1:5: error: expected a value, found end of file");
	assert_error("id = 1 2\n",
		     "t.toml:1:8: error: expected the end of the line after a value, found '2'");
	assert_error("a = 1\na = 2\n", "t.toml:2:1: error: duplicate key 'a' (first at line 1)");
	assert_error("a = 1\n\"a\" = 2\n",
		     "t.toml:2:1: error: duplicate key 'a' (first at line 1)");
	assert_error("[x]\nk = 1\n\n[x]\n",
		     "t.toml:4:1: error: table defined twice (first at line 1)");
	assert_error("[x.y]\n[x]\n[x.y]\n",
		     "t.toml:3:1: error: table defined twice (first at line 1)");
	assert_error("x = 1\n[x]\n",
		     "t.toml:2:2: error: key 'x' already holds an integer (line 1), not a table");
	assert_error("[x\n",
		     "t.toml:1:3: error: expected '.' or ']' in a table header, found end of line");
	assert_error("[]\n", "t.toml:1:2: error: expected a key, found ']'");
	assert_error(
	    "[x] y = 1\n",
	    "t.toml:1:5: error: expected the end of the line after a table header, found 'y'");
	assert_error("= 1\n", "t.toml:1:1: error: expected a key, found '='");
	assert_error("x = 1\n\n\n   @\n", "t.toml:4:4: error: expected a key, found '@'");
	assert_error("s = \"\\q\"\n", "t.toml:1:6: error: unknown escape sequence in a string");
	assert_error("s = \"\\u12\"\n",
		     "t.toml:1:10: error: expected 4 hexadecimal digits in a \\u escape");
	assert_error("s = \"\\ud800\"\n",
		     "t.toml:1:6: error: \\u escape 0xd800 is not a Unicode scalar value");
	assert_error("s = \"a\tb\x01\"\n", "t.toml:1:9: error: control character 0x01 in a string");
	assert_error("# fine\n# not \x02 fine\n",
		     "t.toml:2:7: error: control character 0x02 in a comment");
	assert_error("x = \xff\n", "t.toml:1:5: error: expected a value, found byte 0xff");
	assert_error(
	    "x = 1\r\ny = 2\rz = 3\n",
	    "t.toml:2:6: error: expected the end of the line after a value, found byte 0x0d");
}

static void test_unsupported(void **state)
{
	(void)state;
	assert_error("x = 1.5\n", "t.toml:1:5: error: floats are not supported: use an integer");
	assert_error("x = 1e3\n", "t.toml:1:5: error: floats are not supported: use an integer");
	assert_error("x = -inf\n",
		     "t.toml:1:5: error: floats (inf, nan) are not supported: use an integer");
	assert_error("x = nan\n",
		     "t.toml:1:5: error: floats (inf, nan) are not supported: use an integer");
	assert_error("x = 1979-05-27\n", "t.toml:1:5: error: dates and times are not supported");
	assert_error("x = 07:32:00\n", "t.toml:1:5: error: dates and times are not supported");
	assert_error("x = { a = 1 }\n",
		     "t.toml:1:5: error: inline tables ({ ... }) are not supported: use a [table]");
	assert_error("[[servers]]\n",
		     "t.toml:1:1: error: arrays of tables ([[...]]) are not supported");
	assert_error("x = \"\"\"multi\"\"\"\n",
		     "t.toml:1:5: error: multi-line strings (\"\"\") are not supported");
	assert_error("x = '''multi'''\n",
		     "t.toml:1:5: error: multi-line strings (''') are not supported");
	assert_error("x = [1, 2.0]\n",
		     "t.toml:1:9: error: floats are not supported: use an integer");
}

static void test_limits(void **state)
{
	(void)state;
	static char text[300000];

	/* A dotted key or header of 33 parts is refused before it nests 33 tables. */
	strcpy(text, "k");
	for (int i = 0; i < 32; i++)
		strcat(text, ".k");
	strcat(text, " = 1\n");
	assert_error(text, "t.toml:1:65: error: a dotted key with more than 32 parts");
	strcpy(text, "[k");
	for (int i = 0; i < 32; i++)
		strcat(text, ".k");
	strcat(text, "]\n");
	assert_error(text, "t.toml:1:66: error: a table header with more than 32 parts");
	text[0] = '\0';
	for (int i = 0; i <= 4096; i++)
		sprintf(text + strlen(text), "k%d = %d\n", i, i);
	assert_error(text, "t.toml:4097:1: error: more than 4096 keys in one table");
}

static void test_line_endings_and_bom(void **state)
{
	(void)state;
	struct toml_value *root = parse("\xef\xbb\xbf"
					"a = 1\r\n[t]\r\nb = \"x\" # c\r\n");
	assert_non_null(root);
	assert_int_equal(get_int(root, "a"), 1);
	assert_string_equal(get_str(get(root, "t"), "b"), "x");
	assert_int_equal(get(get(root, "t"), "b")->line, 3);
	toml_free(root);
	/* No final newline; an empty file; only comments. */
	root = parse("a = 1");
	assert_non_null(root);
	assert_int_equal(get_int(root, "a"), 1);
	toml_free(root);
	root = parse("");
	assert_non_null(root);
	assert_int_equal(root->tab.n, 0);
	toml_free(root);
	root = parse("# only\n\n   # comments\n");
	assert_non_null(root);
	assert_int_equal(root->tab.n, 0);
	toml_free(root);
	/* Not NUL-terminated: the length bounds the text. */
	const char text[] = "a = 12345";
	memset(&dl, 0, sizeof(dl));
	root = toml_parse(text, 6, &dl);
	assert_non_null(root);
	assert_int_equal(get_int(root, "a"), 12);
	toml_free(root);
	/* A NUL byte inside the text is a character like any other, not the end. */
	memset(&dl, 0, sizeof(dl));
	strcpy(dl.file, "t.toml");
	assert_null(toml_parse("a = 1\0b", 7, &dl));
	char msg[200];
	diag_format(&dl, 0, msg, sizeof(msg));
	assert_string_equal(
	    msg, "t.toml:1:6: error: expected the end of the line after a value, found byte 0x00");
}

/* Fails unless text parses or is refused with at least one error. */
static void parse_anything(const char *text, size_t len)
{
	memset(&dl, 0, sizeof(dl));
	struct toml_value *v = toml_parse(text, len, &dl);
	if (!v)
		assert_true(diag_count(&dl, DIAG_ERROR) >= 1);
	toml_free(v);
}

/* Random bytes, mutations and truncations of a real config never crash the reader. */
static void test_garbage_never_crashes(void **state)
{
	(void)state;
	static const char good[] =
	    "[base]\nid = 1\nname = \"x\\u00e9\"\n[kernel]\n"
	    "memory_regions = [ # RAM\n [0x4000_0000, 0x800_0000, 7, 0],\n]\n"
	    "a.b = 'lit'\n";
	static const char alphabet[] = "[]{}=.,\"'#\\\n\r\t _-+0x1ab9e:tuf";
	char buf[256];
	unsigned seed = 12345;

	for (size_t n = 0; n <= sizeof(good) - 1; n++)
		parse_anything(good, n);
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof(buf));
		memcpy(buf, good, MIN(n, sizeof(good) - 1));
		for (size_t i = 0; i < n; i++) {
			if (i < sizeof(good) - 1 && rand_r(&seed) % 8 != 0)
				continue;
			/* Half of the changes are bytes that mean something to TOML. */
			buf[i] = rand_r(&seed) % 2
				     ? alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)]
				     : (char)(rand_r(&seed) % 256);
		}
		parse_anything(buf, n);
	}
}

static void test_diag_format(void **state)
{
	(void)state;
	struct diag_list d;
	char out[300];

	memset(&d, 0, sizeof(d));
	strcpy(d.file, "vm.toml");
	diag_add(&d, DIAG_ERROR, 3, 7, "bad %s %d", "thing", 42);
	diag_add(&d, DIAG_WARNING, 4, 0, "just a line");
	diag_add(&d, DIAG_ERROR, 0, 0, "whole file");
	diag_add(&d, DIAG_WARNING, 2, 9, "with a column");
	assert_int_equal(diag_count(&d, DIAG_ERROR), 2);
	assert_int_equal(diag_count(&d, DIAG_WARNING), 2);
	assert_int_equal(diag_format(&d, 0, out, sizeof(out)), 32);
	assert_string_equal(out, "vm.toml:3:7: error: bad thing 42");
	diag_format(&d, 1, out, sizeof(out));
	assert_string_equal(out, "vm.toml:4: warning: just a line");
	diag_format(&d, 2, out, sizeof(out));
	assert_string_equal(out, "vm.toml: error: whole file");
	diag_format(&d, 3, out, sizeof(out));
	assert_string_equal(out, "vm.toml:2:9: warning: with a column");
	/* Out of range: an empty string. A small buffer: truncated, still terminated. */
	diag_format(&d, 99, out, sizeof(out));
	assert_string_equal(out, "");
	diag_format(&d, 0, out, 8);
	assert_string_equal(out, "vm.toml");
	/* A message longer than struct diag's buffer is cut, not overrun. */
	char longmsg[400];
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	diag_add(&d, DIAG_ERROR, 1, 1, "%s", longmsg);
	assert_int_equal(strlen(d.items[4].msg), sizeof(d.items[4].msg) - 1);
	/* Beyond DIAG_MAX messages are counted, not stored. */
	for (int i = 0; i < DIAG_MAX; i++)
		diag_add(&d, DIAG_WARNING, 1, 1, "more");
	assert_int_equal(d.count, DIAG_MAX);
	assert_int_equal(d.dropped, 5);
	/* Without a file name the messages still say where. */
	memset(&d, 0, sizeof(d));
	diag_add(&d, DIAG_ERROR, 1, 2, "x");
	diag_format(&d, 0, out, sizeof(out));
	assert_string_equal(out, "<input>:1:2: error: x");
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_INT), "integer");
	assert_string_equal(toml_type_name(TOML_BOOL), "boolean");
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
	assert_string_equal(toml_type_name(TOML_TABLE), "table");
	toml_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_integers_and_booleans),
	    cmocka_unit_test(test_integer_errors),
	    cmocka_unit_test(test_arrays),
	    cmocka_unit_test(test_array_errors),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_dotted_keys),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_unsupported),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_line_endings_and_bom),
	    cmocka_unit_test(test_garbage_never_crashes),
	    cmocka_unit_test(test_diag_format),
	    cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}
