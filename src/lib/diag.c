/* SPDX-License-Identifier: MIT */
/**
 * @file diag.c
 * @brief Diagnostics about an input file, in the compilers' format.
 */
#include <cvisor/diag.h>
#include <cvisor/lib.h>

void diag_add(struct diag_list *dl, enum diag_severity sev, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (dl->count >= DIAG_MAX) {
		dl->dropped++;
		return;
	}
	struct diag *d = &dl->items[dl->count++];
	d->severity = sev;
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	cv_vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	/* One message, one line: a control character quoted from the input
	 * (a "\n" escape in a TOML string) is printed as '?'. */
	for (char *c = d->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

unsigned diag_count(const struct diag_list *dl, enum diag_severity sev)
{
	unsigned n = 0;
	for (unsigned i = 0; i < dl->count; i++)
		if (dl->items[i].severity == sev)
			n++;
	return n;
}

int diag_format(const struct diag_list *dl, unsigned i, char *buf, size_t size)
{
	if (i >= dl->count)
		return cv_snprintf(buf, size, "%s", "");
	const struct diag *d = &dl->items[i];
	const char *sev = d->severity == DIAG_ERROR ? "error" : "warning";
	const char *file = dl->file[0] ? dl->file : "<input>";

	if (d->line <= 0)
		return cv_snprintf(buf, size, "%s: %s: %s", file, sev, d->msg);
	if (d->col <= 0)
		return cv_snprintf(buf, size, "%s:%d: %s: %s", file, d->line, sev, d->msg);
	return cv_snprintf(buf, size, "%s:%d:%d: %s: %s", file, d->line, d->col, sev, d->msg);
}
