#include "error.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

/*
 * Messages quote outside input (file contents, API bodies): a newline or a
 * control character in it would break the one-line rule or reach the
 * terminal raw, so each becomes a space.
 */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int pc_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	one_line(last_msg);
	last_code = code;
	return code;
}

const char *pc_error_last(void)
{
	return last_msg;
}

int pc_error_last_code(void)
{
	return last_code;
}

void pc_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}

int pc_error_wrap(const char *fmt, ...)
{
	char prefix[512], old[sizeof(last_msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_msg, sizeof(old));
	{
		size_t n = strlen(prefix);
		if (n > sizeof(last_msg) - 3)
			n = sizeof(last_msg) - 3;
		memcpy(last_msg, prefix, n);
		memcpy(last_msg + n, ": ", 2);
		n += 2;
		size_t rest = strlen(old);
		if (rest > sizeof(last_msg) - 1 - n)
			rest = sizeof(last_msg) - 1 - n;
		memcpy(last_msg + n, old, rest);
		last_msg[n + rest] = '\0';
	}
	one_line(last_msg);
	return last_code ? last_code : PC_ERROR;
}

int pc_error_save(pc_error_state *st)
{
	st->code = last_code;
	st->message = last_code || last_msg[0] ? pc_strdup(last_msg) : NULL;
	pc_error_clear();
	return st->code;
}

int pc_error_restore(pc_error_state *st)
{
	int code = st->code;
	if (st->message) {
		snprintf(last_msg, sizeof(last_msg), "%s", st->message);
		last_code = code;
	} else {
		pc_error_clear();
	}
	pc_error_state_free(st);
	return code;
}

void pc_error_state_free(pc_error_state *st)
{
	free(st->message);
	st->message = NULL;
	st->code = 0;
}
