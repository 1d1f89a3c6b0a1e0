/* SPDX-License-Identifier: MIT */
/**
 * @file toml.h
 * @brief A TOML reader for the subset VM configs use.
 *
 * Supported: comments, [tables] and [dotted.tables], bare and quoted keys,
 * basic and literal strings, integers (decimal, 0x hex, 0o, 0b, with '_'
 * separators, sign), booleans, arrays (nested, multi-line, trailing comma).
 * Anything else (floats, dates, inline tables, multi-line strings) is a
 * parse error that names the construct. Errors are "FILE:LINE:COL: message".
 */
#ifndef CVISOR_TOML_H
#define CVISOR_TOML_H

#include "diag.h"
#include "types.h"

/** The kinds of value of the TOML subset cvisor reads. */
enum toml_type {
	TOML_STRING, /**< "text" (u.s) */
	TOML_INT,    /**< 42, 0x8000_0000 (u.i) */
	TOML_BOOL,   /**< true / false (u.b) */
	TOML_ARRAY,  /**< [a, b, ...] */
	TOML_TABLE,  /**< [name] or { k = v } */
};

struct toml_value;

/** A key = value pair inside a table. */
struct toml_kv {
	char *key;                /**< the key, NUL-terminated */
	struct toml_value *value; /**< its value */
	int line;                 /**< where the key stands: 1-based line */
	int col;                  /**< and 1-based column */
	bool used;              /**< set by the reader of the table (for "unknown field" warnings) */
};

/** A parsed value. Strings are NUL-terminated; ints are 64-bit two's complement. */
struct toml_value {
	enum toml_type type;    /**< which member of u holds it */
	int line;               /**< where the value starts: 1-based line */
	int col;                /**< and 1-based column */
	union {
		char *s;
		int64_t i;
		bool b;
		struct { struct toml_value **items; unsigned n; } arr;
		struct { struct toml_kv *kvs; unsigned n; } tab;
	};
};

/**
 * Parses text (len bytes, need not be NUL-terminated). On success returns
 * the root table; on a syntax error returns NULL with the error in dl.
 * Free the result with toml_free().
 */
struct toml_value *toml_parse(const char *text, size_t len, struct diag_list *dl);
/** Frees a tree returned by toml_parse(). */
void toml_free(struct toml_value *v);
/** Looks key up in table tab (NULL if absent or tab is not a table); marks it used. */
struct toml_value *toml_get(struct toml_value *tab, const char *key);
/** The key/value entry for key in tab (NULL if absent). Does not mark it used. */
struct toml_kv *toml_find_kv(struct toml_value *tab, const char *key);
/** "string", "integer", ... */
const char *toml_type_name(enum toml_type t);

#endif
