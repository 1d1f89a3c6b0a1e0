/* SPDX-License-Identifier: MIT */
/*
 * Formatted printing (cv_snprintf) that behaves the same in the simulator
 * and on bare metal, where there is no C library.
 */
#include <cvisor/lib.h>

/* Output cursor: writes what fits, counts everything. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* One conversion's flags, width and precision. */
struct spec {
	bool left, zero, alt, space, plus;
	int width;
	int prec; /* -1: none */
};

/* Prints the digits of v in base (lower or upper case), honouring spec. */
static void put_uint(struct out *o, uint64_t v, unsigned base, bool upper, bool neg,
		     const struct spec *s)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (s->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;

	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (s->plus)
		prefix = "+";
	else if (s->space)
		prefix = " ";
	else if (s->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (s->alt && base == 8)
		prefix = "0";

	int zeros = s->prec > n ? s->prec - n : 0;
	int plen = (int)strlen(prefix);
	int pad = s->width - plen - zeros - n;
	if (s->zero && !s->left && s->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!s->left)
		put_n(o, ' ', pad);
	while (*prefix)
		put(o, *prefix++);
	put_n(o, '0', zeros);
	while (n > 0)
		put(o, tmp[--n]);
	if (s->left)
		put_n(o, ' ', pad);
}

static void put_str(struct out *o, const char *str, const struct spec *s)
{
	if (!str)
		str = "(null)";
	int n = 0;
	/* Test the precision first: with %.*s, str need not be terminated. */
	while ((s->prec < 0 || n < s->prec) && str[n])
		n++;
	if (!s->left)
		put_n(o, ' ', s->width - n);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		put_n(o, ' ', s->width - n);
}

/* Parses flags, width and precision at *fmt. */
static const char *parse_spec(const char *fmt, struct spec *s, va_list *ap)
{
	memset(s, 0, sizeof(*s));
	s->prec = -1;
	for (;; fmt++) {
		if (*fmt == '-')
			s->left = true;
		else if (*fmt == '0')
			s->zero = true;
		else if (*fmt == '#')
			s->alt = true;
		else if (*fmt == ' ')
			s->space = true;
		else if (*fmt == '+')
			s->plus = true;
		else
			break;
	}
	if (*fmt == '*') {
		s->width = va_arg(*ap, int);
		if (s->width < 0) {
			s->left = true;
			s->width = -s->width;
		}
		fmt++;
	}
	while (*fmt >= '0' && *fmt <= '9')
		s->width = s->width * 10 + (*fmt++ - '0');
	if (*fmt == '.') {
		fmt++;
		s->prec = 0;
		if (*fmt == '*') {
			s->prec = va_arg(*ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			s->prec = s->prec * 10 + (*fmt++ - '0');
	}
	return fmt;
}

/* Length modifiers, counted as the number of 'l's (z, j, t count as 2). */
static const char *parse_length(const char *fmt, int *len)
{
	*len = 0;
	if (*fmt == 'h') {
		*len = -1;
		fmt++;
		if (*fmt == 'h') {
			*len = -2;
			fmt++;
		}
	} else if (*fmt == 'l') {
		*len = 1;
		fmt++;
		if (*fmt == 'l') {
			*len = 2;
			fmt++;
		}
	} else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
		*len = 2;
		fmt++;
	}
	return fmt;
}

static uint64_t get_unsigned(va_list *ap, int len)
{
	if (len >= 2)
		return va_arg(*ap, unsigned long long);
	if (len == 1)
		return va_arg(*ap, unsigned long);
	unsigned v = va_arg(*ap, unsigned);
	if (len == -1)
		return (unsigned short)v;
	if (len == -2)
		return (unsigned char)v;
	return v;
}

static int64_t get_signed(va_list *ap, int len)
{
	if (len >= 2)
		return va_arg(*ap, long long);
	if (len == 1)
		return va_arg(*ap, long);
	int v = va_arg(*ap, int);
	if (len == -1)
		return (short)v;
	if (len == -2)
		return (signed char)v;
	return v;
}

int cv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	struct spec s;
	int len;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &ap);
		fmt = parse_length(fmt, &len);
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = get_signed(&ap, len);
			put_uint(&o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, false, v < 0, &s);
			break;
		}
		case 'u':
			put_uint(&o, get_unsigned(&ap, len), 10, false, false, &s);
			break;
		case 'x':
		case 'X':
			s.plus = s.space = false;
			put_uint(&o, get_unsigned(&ap, len), 16, *fmt == 'X', false, &s);
			break;
		case 'o':
			s.plus = s.space = false;
			put_uint(&o, get_unsigned(&ap, len), 8, false, false, &s);
			break;
		case 'p':
			s.alt = true;
			put_uint(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, &s);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!s.left)
				put_n(&o, ' ', s.width - 1);
			put(&o, c);
			if (s.left)
				put_n(&o, ' ', s.width - 1);
			break;
		}
		case 's':
			put_str(&o, va_arg(ap, const char *), &s);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
		fmt++;
	}
	va_end(ap);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int cv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = cv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
