/* SPDX-License-Identifier: MIT */
/**
 * @file toml.c
 * @brief A recursive-descent reader for the TOML subset of VM configs.
 *
 * Reference: TOML v1.0.0 (https://toml.io/en/v1.0.0). The reader stops at
 * the first error and reports it with the line and column of the offending
 * character. Constructs outside the subset are refused by name, so that a
 * user learns what is missing rather than reading "syntax error".
 *
 * Integers are 64-bit. Hexadecimal, octal and binary literals may use the
 * full unsigned range (0xffff_ffff_ffff_ffff reads as -1 in the int64_t),
 * because configs write addresses that way; decimal ones must fit int64_t.
 */
#include <cvisor/hal.h>
#include <cvisor/lib.h>
#include <cvisor/toml.h>

#define MAX_DEPTH 32    /* nesting of arrays; parts of one dotted key or header */
#define MAX_KEYS 4096   /* keys in one table (lookups are linear) */
#define MAX_TABLES 4096 /* tables defined by headers or dotted keys */

/*
 * A table that the text has defined: by a [header], or by a dotted key
 * (a.b = 1 defines the table a). TOML lets a table be defined only once,
 * and forbids adding to a [header]'s table later through dotted keys.
 */
struct defined_table {
	const struct toml_value *table;
	bool by_header;
	int line;
};

struct parser {
	const char *s;
	size_t len, pos;
	int line, col;
	struct diag_list *dl;
	bool failed;
	struct defined_table *defined;
	unsigned ndefined;
};

/* ---- Characters ---------------------------------------------------------- */

static int peek_at(const struct parser *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

static int peek(const struct parser *p)
{
	return peek_at(p, 0);
}

static void advance(struct parser *p)
{
	if (p->pos >= p->len)
		return;
	if (p->s[p->pos] == '\n') {
		p->line++;
		p->col = 1;
	} else {
		p->col++;
	}
	p->pos++;
}

static void error_at(struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	cv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(p->dl, DIAG_ERROR, line, col, "%s", msg);
}

#define error(p, ...) error_at((p), (p)->line, (p)->col, __VA_ARGS__)

/* Describes the character at the cursor for messages. */
static const char *describe(const struct parser *p, char *buf, size_t size)
{
	int c = peek(p);
	if (c < 0)
		return "end of file";
	if (c == '\n' || (c == '\r' && peek_at(p, 1) == '\n'))
		return "end of line";
	if (c >= 0x20 && c < 0x7f)
		cv_snprintf(buf, size, "'%c'", c);
	else
		cv_snprintf(buf, size, "byte 0x%02x", (unsigned)c);
	return buf;
}

/* "a" or "an", for a type name in a message. */
static const char *article(enum toml_type t)
{
	return t == TOML_INT || t == TOML_ARRAY ? "an" : "a";
}

static void skip_spaces(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		advance(p);
}

static void skip_comment(struct parser *p)
{
	if (peek(p) != '#')
		return;
	while (peek(p) >= 0 && peek(p) != '\n') {
		int c = peek(p);
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			error(p, "control character 0x%02x in a comment", (unsigned)c);
			return;
		}
		advance(p);
	}
}

/* Skips a line ending (LF or CRLF); false if there is none at the cursor. */
static bool newline(struct parser *p)
{
	if (peek(p) == '\n') {
		advance(p);
		return true;
	}
	if (peek(p) == '\r' && peek_at(p, 1) == '\n') {
		advance(p);
		advance(p);
		return true;
	}
	return false;
}

/* Whitespace, comments and newlines (inside arrays). */
static void skip_blank(struct parser *p)
{
	for (;;) {
		skip_spaces(p);
		skip_comment(p);
		if (p->failed || !newline(p))
			return;
	}
}

/* After a key/value or a header: spaces, a comment, then a newline or the end. */
static void end_of_line(struct parser *p, const char *after)
{
	char buf[16];
	skip_spaces(p);
	skip_comment(p);
	if (p->failed || peek(p) < 0 || newline(p))
		return;
	error(p, "expected the end of the line after %s, found %s", after,
	      describe(p, buf, sizeof(buf)));
}

/* ---- Values ---------------------------------------------------------------- */

static struct toml_value *new_value(struct parser *p, enum toml_type type, int line, int col)
{
	struct toml_value *v = hal_zalloc(sizeof(*v));
	if (!v) {
		error_at(p, line, col, "out of memory");
		return NULL;
	}
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

void toml_free(struct toml_value *v)
{
	if (!v)
		return;
	switch (v->type) {
	case TOML_STRING:
		hal_free(v->s);
		break;
	case TOML_ARRAY:
		for (unsigned i = 0; i < v->arr.n; i++)
			toml_free(v->arr.items[i]);
		hal_free(v->arr.items);
		break;
	case TOML_TABLE:
		for (unsigned i = 0; i < v->tab.n; i++) {
			hal_free(v->tab.kvs[i].key);
			toml_free(v->tab.kvs[i].value);
		}
		hal_free(v->tab.kvs);
		break;
	default:
		break;
	}
	hal_free(v);
}

/*
 * Makes room in *arr (n elements of size bytes) for one more. The capacity
 * is implicit: 4, then doubled whenever n reaches a power of two.
 */
static bool grow(void **arr, unsigned n, size_t size)
{
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return true; /* room left */
	size_t cap = n == 0 ? 4 : (size_t)n * 2;
	void *bigger = hal_zalloc(cap * size);
	if (!bigger)
		return false;
	if (*arr)
		memcpy(bigger, *arr, (size_t)n * size);
	hal_free(*arr);
	*arr = bigger;
	return true;
}

/* A growing string buffer. */
struct sbuf {
	char *buf;
	size_t len, cap;
};

static bool sbuf_put(struct sbuf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *n = hal_zalloc(cap);
		if (!n)
			return false;
		if (b->buf)
			memcpy(n, b->buf, b->len);
		hal_free(b->buf);
		b->buf = n;
		b->cap = cap;
	}
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
	return true;
}

/* Appends code point cp as UTF-8. */
static bool sbuf_put_utf8(struct sbuf *b, uint32_t cp)
{
	if (cp < 0x80)
		return sbuf_put(b, (char)cp);
	if (cp < 0x800)
		return sbuf_put(b, (char)(0xc0 | cp >> 6)) &&
		       sbuf_put(b, (char)(0x80 | (cp & 0x3f)));
	if (cp < 0x10000)
		return sbuf_put(b, (char)(0xe0 | cp >> 12)) &&
		       sbuf_put(b, (char)(0x80 | ((cp >> 6) & 0x3f))) &&
		       sbuf_put(b, (char)(0x80 | (cp & 0x3f)));
	return sbuf_put(b, (char)(0xf0 | cp >> 18)) &&
	       sbuf_put(b, (char)(0x80 | ((cp >> 12) & 0x3f))) &&
	       sbuf_put(b, (char)(0x80 | ((cp >> 6) & 0x3f))) &&
	       sbuf_put(b, (char)(0x80 | (cp & 0x3f)));
}

/* \uXXXX or \UXXXXXXXX, the cursor after the u/U. */
static bool unicode_escape(struct parser *p, struct sbuf *b, int digits, int line, int col)
{
	uint32_t cp = 0;
	for (int i = 0; i < digits; i++) {
		int d = cv_hex_digit(peek(p));
		if (d < 0) {
			error(p, "expected %d hexadecimal digits in a \\%c escape", digits,
			      digits == 4 ? 'u' : 'U');
			return false;
		}
		cp = cp << 4 | (uint32_t)d;
		advance(p);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		error_at(p, line, col, "\\u escape 0x%x is not a Unicode scalar value", cp);
		return false;
	}
	return sbuf_put_utf8(b, cp);
}

/* A basic ("...") or literal ('...') string on one line. Returns the text or NULL. */
static char *parse_string(struct parser *p)
{
	int quote = peek(p), line = p->line, col = p->col;
	struct sbuf b = {NULL, 0, 0};

	if (peek_at(p, 1) == quote && peek_at(p, 2) == quote) {
		error(p, "multi-line strings (%c%c%c) are not supported", quote, quote, quote);
		return NULL;
	}
	advance(p);
	if (!sbuf_put(&b, '\0'))
		goto oom;
	b.len = 0;
	for (;;) {
		int c = peek(p);
		if (c < 0 || c == '\n' || (c == '\r' && peek_at(p, 1) == '\n')) {
			error_at(
			    p, line, col,
			    "unterminated string (it starts here; strings end on the same line)");
			goto fail;
		}
		if (c == quote) {
			advance(p);
			return b.buf;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			error(p, "control character 0x%02x in a string", (unsigned)c);
			goto fail;
		}
		if (c == '\\' && quote == '"') {
			int el = p->line, ec = p->col;
			advance(p);
			int e = peek(p);
			char out;
			switch (e) {
			case 'b':
				out = '\b';
				break;
			case 't':
				out = '\t';
				break;
			case 'n':
				out = '\n';
				break;
			case 'f':
				out = '\f';
				break;
			case 'r':
				out = '\r';
				break;
			case '"':
				out = '"';
				break;
			case '\\':
				out = '\\';
				break;
			case 'u':
			case 'U':
				advance(p);
				if (!unicode_escape(p, &b, e == 'u' ? 4 : 8, el, ec))
					goto fail;
				continue;
			default:
				error_at(p, el, ec, "unknown escape sequence in a string");
				goto fail;
			}
			advance(p);
			if (!sbuf_put(&b, out))
				goto oom;
			continue;
		}
		if (!sbuf_put(&b, (char)c))
			goto oom;
		advance(p);
	}
oom:
	error_at(p, line, col, "out of memory");
fail:
	hal_free(b.buf);
	return NULL;
}

static bool is_bare_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* An integer, or a clear refusal of floats, dates and special values. */
static struct toml_value *parse_number(struct parser *p)
{
	int line = p->line, col = p->col;
	bool neg = false, sign = false;
	unsigned base = 10;
	char buf[16];

	if (peek(p) == '+' || peek(p) == '-') {
		neg = peek(p) == '-';
		sign = true;
		advance(p);
	}
	if ((peek(p) == 'i' && peek_at(p, 1) == 'n' && peek_at(p, 2) == 'f') ||
	    (peek(p) == 'n' && peek_at(p, 1) == 'a' && peek_at(p, 2) == 'n')) {
		error_at(p, line, col, "floats (inf, nan) are not supported: use an integer");
		return NULL;
	}
	if (peek(p) == '0' &&
	    (peek_at(p, 1) == 'x' || peek_at(p, 1) == 'o' || peek_at(p, 1) == 'b')) {
		base = peek_at(p, 1) == 'x' ? 16 : peek_at(p, 1) == 'o' ? 8 : 2;
		if (sign) {
			error_at(p, line, col, "a %s integer cannot have a sign",
				 base == 16  ? "hexadecimal"
				 : base == 8 ? "octal"
					     : "binary");
			return NULL;
		}
		advance(p);
		advance(p);
	}
	uint64_t v = 0;
	unsigned ndigits = 0;
	bool last_underscore = false, overflow = false;
	int first_digit = peek(p);
	for (;;) {
		int c = peek(p);
		if (c == '_') {
			if (ndigits == 0 || last_underscore) {
				error(p, "'_' in a number must stand between two digits");
				return NULL;
			}
			last_underscore = true;
			advance(p);
			continue;
		}
		int d = cv_hex_digit(c);
		if (d < 0 || (unsigned)d >= base) {
			if (base == 10 && (c == 'e' || c == 'E')) {
				error_at(p, line, col, "floats are not supported: use an integer");
				return NULL;
			}
			if (d >= 0 || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z')) {
				error(p, "'%c' is not a digit of a base-%u integer", c, base);
				return NULL;
			}
			break;
		}
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		v = v * base + (uint64_t)d;
		ndigits++;
		last_underscore = false;
		advance(p);
	}
	if (ndigits == 0) {
		error(p, "expected a digit, found %s", describe(p, buf, sizeof(buf)));
		return NULL;
	}
	if (last_underscore) {
		error(p, "'_' in a number must stand between two digits");
		return NULL;
	}
	if (base == 10 && peek(p) == '.') {
		error_at(p, line, col, "floats are not supported: use an integer");
		return NULL;
	}
	if (base == 10 && (peek(p) == '-' || peek(p) == ':') && ndigits >= 2) {
		error_at(p, line, col, "dates and times are not supported");
		return NULL;
	}
	if (base == 10 && ndigits > 1 && first_digit == '0') {
		error_at(p, line, col, "leading zeros are not allowed in a decimal integer");
		return NULL;
	}
	if (overflow || (base == 10 && v > (uint64_t)INT64_MAX + (neg ? 1 : 0))) {
		error_at(p, line, col, "integer does not fit in 64 bits");
		return NULL;
	}
	struct toml_value *val = new_value(p, TOML_INT, line, col);
	if (val)
		val->i = neg ? (int64_t)(0 - v) : (int64_t)v;
	return val;
}

static struct toml_value *parse_value(struct parser *p, int depth);

static struct toml_value *parse_array(struct parser *p, int depth)
{
	int line = p->line, col = p->col;
	char buf[16];

	if (depth >= MAX_DEPTH) {
		error(p, "arrays nested more than %d deep", MAX_DEPTH);
		return NULL;
	}
	struct toml_value *arr = new_value(p, TOML_ARRAY, line, col);
	if (!arr)
		return NULL;
	advance(p); /* '[' */
	for (;;) {
		skip_blank(p);
		if (p->failed)
			break;
		if (peek(p) == ']') {
			advance(p);
			return arr;
		}
		if (peek(p) < 0) {
			error_at(p, line, col,
				 "unterminated array (no ']' before the end of the file)");
			break;
		}
		struct toml_value *item = parse_value(p, depth + 1);
		if (!item)
			break;
		if (!grow((void **)&arr->arr.items, arr->arr.n, sizeof(*arr->arr.items))) {
			toml_free(item);
			error(p, "out of memory");
			break;
		}
		arr->arr.items[arr->arr.n++] = item;
		skip_blank(p);
		if (p->failed)
			break;
		if (peek(p) == ',') {
			advance(p);
			continue;
		}
		if (peek(p) == ']') {
			advance(p);
			return arr;
		}
		if (peek(p) < 0)
			error_at(p, line, col,
				 "unterminated array (no ']' before the end of the file)");
		else
			error(p, "expected ',' or ']' in an array, found %s",
			      describe(p, buf, sizeof(buf)));
		break;
	}
	toml_free(arr);
	return NULL;
}

static bool word_at(const struct parser *p, const char *w)
{
	size_t n = strlen(w);
	if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n) != 0)
		return false;
	return !is_bare_key_char(peek_at(p, n));
}

static struct toml_value *parse_value(struct parser *p, int depth)
{
	int c = peek(p), line = p->line, col = p->col;
	char buf[16];

	if (c == '"' || c == '\'') {
		char *s = parse_string(p);
		if (!s)
			return NULL;
		struct toml_value *v = new_value(p, TOML_STRING, line, col);
		if (!v) {
			hal_free(s);
			return NULL;
		}
		v->s = s;
		return v;
	}
	if (c == '[')
		return parse_array(p, depth);
	if (c == '{') {
		error(p, "inline tables ({ ... }) are not supported: use a [table]");
		return NULL;
	}
	if (word_at(p, "true") || word_at(p, "false")) {
		bool b = c == 't';
		for (int i = b ? 4 : 5; i > 0; i--)
			advance(p);
		struct toml_value *v = new_value(p, TOML_BOOL, line, col);
		if (v)
			v->b = b;
		return v;
	}
	if ((c >= '0' && c <= '9') || c == '+' || c == '-' || word_at(p, "inf") ||
	    word_at(p, "nan"))
		return parse_number(p);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		char word[25];
		size_t n = 0;
		while (n < sizeof(word) - 1 && is_bare_key_char(peek_at(p, n))) {
			word[n] = p->s[p->pos + n];
			n++;
		}
		word[n] = '\0';
		error(p, "expected a value, found the word '%s' (a string needs quotes)", word);
		return NULL;
	}
	error(p, "expected a value, found %s", describe(p, buf, sizeof(buf)));
	return NULL;
}

/* ---- Keys and tables -------------------------------------------------------- */

/* One key segment, bare or quoted. */
static char *parse_key_part(struct parser *p)
{
	char buf[16];
	int c = peek(p);

	if (c == '"' || c == '\'')
		return parse_string(p);
	if (!is_bare_key_char(c)) {
		error(p, "expected a key, found %s", describe(p, buf, sizeof(buf)));
		return NULL;
	}
	size_t start = p->pos;
	while (is_bare_key_char(peek(p)))
		advance(p);
	size_t n = p->pos - start;
	char *k = hal_zalloc(n + 1);
	if (!k) {
		error(p, "out of memory");
		return NULL;
	}
	memcpy(k, p->s + start, n);
	return k;
}

static struct toml_kv *find_kv(struct toml_value *tab, const char *key)
{
	for (unsigned i = 0; i < tab->tab.n; i++)
		if (strcmp(tab->tab.kvs[i].key, key) == 0)
			return &tab->tab.kvs[i];
	return NULL;
}

/* Adds key = value to tab (takes both). NULL on failure. */
static struct toml_kv *add_kv(struct parser *p, struct toml_value *tab, char *key,
			      struct toml_value *value, int line, int col)
{
	if (tab->tab.n == MAX_KEYS) {
		error_at(p, line, col, "more than %d keys in one table", MAX_KEYS);
		hal_free(key);
		toml_free(value);
		return NULL;
	}
	if (!grow((void **)&tab->tab.kvs, tab->tab.n, sizeof(*tab->tab.kvs))) {
		error_at(p, line, col, "out of memory");
		hal_free(key);
		toml_free(value);
		return NULL;
	}
	struct toml_kv *kv = &tab->tab.kvs[tab->tab.n++];
	kv->key = key;
	kv->value = value;
	kv->line = line;
	kv->col = col;
	kv->used = false;
	return kv;
}

/*
 * The sub-table key of tab, created if absent (takes key). NULL (with an
 * error) if key holds something else.
 */
static struct toml_value *sub_table(struct parser *p, struct toml_value *tab, char *key, int line,
				    int col)
{
	struct toml_kv *kv = find_kv(tab, key);
	if (kv) {
		if (kv->value->type != TOML_TABLE) {
			error_at(p, line, col,
				 "key '%s' already holds %s %s (line %d), not a table", key,
				 article(kv->value->type), toml_type_name(kv->value->type),
				 kv->line);
			hal_free(key);
			return NULL;
		}
		hal_free(key);
		return kv->value;
	}
	struct toml_value *t = new_value(p, TOML_TABLE, line, col);
	if (!t) {
		hal_free(key);
		return NULL;
	}
	kv = add_kv(p, tab, key, t, line, col);
	return kv ? kv->value : NULL;
}

/* The record of table t, or NULL if neither a header nor a dotted key defined it. */
static const struct defined_table *find_defined(const struct parser *p, const struct toml_value *t)
{
	for (unsigned i = 0; i < p->ndefined; i++)
		if (p->defined[i].table == t)
			return &p->defined[i];
	return NULL;
}

/* Records that t is defined (by a header or by a dotted key) at line. */
static bool add_defined(struct parser *p, const struct toml_value *t, bool by_header, int line)
{
	if (p->ndefined == MAX_TABLES) {
		error(p, "more than %d tables", MAX_TABLES);
		return false;
	}
	if (!grow((void **)&p->defined, p->ndefined, sizeof(*p->defined))) {
		error(p, "out of memory");
		return false;
	}
	p->defined[p->ndefined++] = (struct defined_table){t, by_header, line};
	return true;
}

/* [a.b.c]: opens (creating as needed) the table; a header may appear once. */
static struct toml_value *parse_header(struct parser *p, struct toml_value *root)
{
	int line = p->line, col = p->col;
	char buf[16];
	struct toml_value *t = root;

	if (peek_at(p, 1) == '[') {
		error(p, "arrays of tables ([[...]]) are not supported");
		return NULL;
	}
	advance(p); /* '[' */
	for (unsigned parts = 1;; parts++) {
		skip_spaces(p);
		int kl = p->line, kc = p->col;
		if (parts > MAX_DEPTH) {
			error(p, "a table header with more than %d parts", MAX_DEPTH);
			return NULL;
		}
		char *key = parse_key_part(p);
		if (!key)
			return NULL;
		t = sub_table(p, t, key, kl, kc);
		if (!t)
			return NULL;
		skip_spaces(p);
		if (peek(p) == '.') {
			advance(p);
			continue;
		}
		if (peek(p) == ']') {
			advance(p);
			break;
		}
		error(p, "expected '.' or ']' in a table header, found %s",
		      describe(p, buf, sizeof(buf)));
		return NULL;
	}
	const struct defined_table *d = find_defined(p, t);
	if (d && d->by_header) {
		error_at(p, line, col, "table defined twice (first at line %d)", d->line);
		return NULL;
	}
	if (d) {
		error_at(p, line, col, "table already defined by a dotted key at line %d", d->line);
		return NULL;
	}
	if (!add_defined(p, t, true, line))
		return NULL;
	t->line = line;
	t->col = col;
	end_of_line(p, "a table header");
	return p->failed ? NULL : t;
}

/*
 * Enters the table named by one part of a dotted key (takes key): a.b = 1
 * defines the table a, which must not be a [header]'s table (TOML v1.0.0,
 * "Table": a header's table cannot be added to with dotted keys later).
 */
static struct toml_value *dotted_table(struct parser *p, struct toml_value *tab, char *key,
				       int line, int col)
{
	struct toml_value *t = sub_table(p, tab, key, line, col);
	if (!t)
		return NULL;
	const struct defined_table *d = find_defined(p, t);
	if (d && d->by_header) {
		error_at(p, line, col,
			 "a dotted key cannot add to the table of the header at line %d", d->line);
		return NULL;
	}
	if (!d && !add_defined(p, t, false, line))
		return NULL;
	return t;
}

/* key = value (dotted keys create tables). */
static bool parse_kv(struct parser *p, struct toml_value *tab)
{
	char buf[16];

	for (unsigned parts = 1;; parts++) {
		int kl = p->line, kc = p->col;
		if (parts > MAX_DEPTH) {
			error(p, "a dotted key with more than %d parts", MAX_DEPTH);
			return false;
		}
		char *key = parse_key_part(p);
		if (!key)
			return false;
		skip_spaces(p);
		if (peek(p) == '.') {
			advance(p);
			skip_spaces(p);
			tab = dotted_table(p, tab, key, kl, kc);
			if (!tab)
				return false;
			continue;
		}
		if (peek(p) != '=') {
			error(p, "expected '=' after the key '%s', found %s", key,
			      describe(p, buf, sizeof(buf)));
			hal_free(key);
			return false;
		}
		struct toml_kv *old = find_kv(tab, key);
		if (old) {
			error_at(p, kl, kc, "duplicate key '%s' (first at line %d)", key,
				 old->line);
			hal_free(key);
			return false;
		}
		advance(p); /* '=' */
		skip_spaces(p);
		struct toml_value *v = parse_value(p, 0);
		if (!v) {
			hal_free(key);
			return false;
		}
		if (!add_kv(p, tab, key, v, kl, kc))
			return false;
		end_of_line(p, "a value");
		return !p->failed;
	}
}

struct toml_value *toml_parse(const char *text, size_t len, struct diag_list *dl)
{
	struct parser p = {.s = text, .len = len, .line = 1, .col = 1, .dl = dl};
	struct toml_value *root = new_value(&p, TOML_TABLE, 1, 1);
	struct toml_value *cur = root;

	if (!root)
		return NULL;
	/* A UTF-8 byte order mark is allowed at the start. */
	if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		p.pos = 3;
	while (!p.failed) {
		skip_spaces(&p);
		skip_comment(&p);
		if (p.failed || peek(&p) < 0)
			break;
		if (newline(&p))
			continue;
		if (peek(&p) == '[')
			cur = parse_header(&p, root);
		else
			parse_kv(&p, cur);
	}
	hal_free(p.defined);
	if (p.failed) {
		toml_free(root);
		return NULL;
	}
	return root;
}

struct toml_kv *toml_find_kv(struct toml_value *tab, const char *key)
{
	if (!tab || tab->type != TOML_TABLE)
		return NULL;
	return find_kv(tab, key);
}

struct toml_value *toml_get(struct toml_value *tab, const char *key)
{
	struct toml_kv *kv = toml_find_kv(tab, key);
	if (!kv)
		return NULL;
	kv->used = true;
	return kv->value;
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_BOOL:
		return "boolean";
	case TOML_ARRAY:
		return "array";
	case TOML_TABLE:
		return "table";
	}
	return "?";
}
