#include "buf.h"

#include "alloc.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char pc_buf__empty[1];

void pc_buf_init(pc_buf *b, size_t max)
{
	b->ptr = pc_buf__empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void pc_buf_dispose(pc_buf *b)
{
	if (!b)
		return;
	if (b->cap)
		free(b->ptr);
	b->ptr = pc_buf__empty;
	b->len = b->cap = 0;
}

void pc_buf_clear(pc_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

int pc_buf_grow(pc_buf *b, size_t extra)
{
	size_t need = pc_st_add(pc_st_add(b->len, extra), 1);
	size_t ncap;

	if (b->max && need - 1 > b->max)
		return pc_error_set(PC_ETOOBIG, "body larger than %zu bytes", b->max);
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = pc_st_mult(ncap, 2);
	if (b->cap) {
		b->ptr = pc_realloc(b->ptr, ncap);
	} else {
		b->ptr = pc_malloc(ncap);
		b->ptr[0] = '\0';
	}
	b->cap = ncap;
	return 0;
}

int pc_buf_put(pc_buf *b, const void *data, size_t n)
{
	int rc = pc_buf_grow(b, n);
	if (rc)
		return rc;
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int pc_buf_puts(pc_buf *b, const char *s)
{
	return pc_buf_put(b, s, strlen(s));
}

int pc_buf_putc(pc_buf *b, char c)
{
	return pc_buf_put(b, &c, 1);
}

int pc_buf_vprintf(pc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return pc_error_set(PC_ERROR, "bad format");
	if ((rc = pc_buf_grow(b, (size_t)n)) != 0)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pc_buf_printf(pc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = pc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void pc_buf_truncate(pc_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

char *pc_buf_detach(pc_buf *b)
{
	char *p = b->cap ? b->ptr : pc_strdup("");
	b->ptr = pc_buf__empty;
	b->len = b->cap = 0;
	return p;
}

int pc_buf_put_json_str(pc_buf *b, const char *s)
{
	int rc = pc_buf_putc(b, '"');
	while (!rc && *s) {
		/* the run of characters that need no escape, in one copy */
		const char *run = s;
		unsigned char c;
		while ((c = (unsigned char)*s) >= 0x20 && c != '"' && c != '\\')
			s++;
		if (s > run && (rc = pc_buf_put(b, run, (size_t)(s - run))) != 0)
			break;
		switch (c) {
		case 0: break;
		case '"': rc = pc_buf_puts(b, "\\\""); break;
		case '\\': rc = pc_buf_puts(b, "\\\\"); break;
		case '\n': rc = pc_buf_puts(b, "\\n"); break;
		case '\r': rc = pc_buf_puts(b, "\\r"); break;
		case '\t': rc = pc_buf_puts(b, "\\t"); break;
		default: rc = pc_buf_printf(b, "\\u%04x", c); break;
		}
		if (c)
			s++;
	}
	return rc ? rc : pc_buf_putc(b, '"');
}
