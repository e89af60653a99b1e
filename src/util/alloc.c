#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	exit(1);
}

size_t pc_st_add(size_t a, size_t b)
{
	if (SIZE_MAX - a < b)
		die_oom(SIZE_MAX);
	return a + b;
}

size_t pc_st_mult(size_t a, size_t b)
{
	if (a && SIZE_MAX / a < b)
		die_oom(SIZE_MAX);
	return a * b;
}

void *pc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *pc_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		die_oom(pc_st_mult(count, size));
	return p;
}

void *pc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *pc_strdup(const char *s)
{
	if (!s)
		return NULL;
	return pc_strndup(s, strlen(s));
}

char *pc_strndup(const char *s, size_t n)
{
	char *p = pc_malloc(pc_st_add(n, 1));
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pc_sprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom(0);
	p = pc_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
