/*
 * buf.h - the one growable string buffer (after git's strbuf).
 *
 * `ptr` is never NULL and always NUL-terminated. A buffer may carry a cap
 * (`max`, 0 = none): growth past it fails with PC_ETOOBIG, which is how
 * every buffer filled from the network is bounded.
 */
#ifndef PC_UTIL_BUF_H
#define PC_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct pc_buf {
	char *ptr;
	size_t len;
	size_t cap; /* 0 while ptr points at the shared empty string */
	size_t max; /* 0 = unbounded */
} pc_buf;

/*
 * A result that must not be dropped (curl's WARN_UNUSED_RESULT): growth,
 * which fails on a capped buffer, and a detached string the caller now owns.
 * The append functions can fail only on a capped buffer (allocation aborts):
 * unbounded buffers are built without checks, a capped one (filled from the
 * network) is filled with pc_buf_put() and every call checked.
 */
#define PC_WARN_UNUSED __attribute__((warn_unused_result))

extern char pc_buf__empty[];
#define PC_BUF_INIT { pc_buf__empty, 0, 0, 0 }

void pc_buf_init(pc_buf *b, size_t max);
void pc_buf_dispose(pc_buf *b);
void pc_buf_clear(pc_buf *b);                       /* len = 0, keeps memory */
int pc_buf_grow(pc_buf *b, size_t extra) PC_WARN_UNUSED; /* 0 or PC_ETOOBIG */
int pc_buf_put(pc_buf *b, const void *data, size_t n); /* 0, or PC_ETOOBIG on a capped buffer: check it there */
int pc_buf_puts(pc_buf *b, const char *s);
int pc_buf_putc(pc_buf *b, char c);
int pc_buf_printf(pc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pc_buf_vprintf(pc_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void pc_buf_truncate(pc_buf *b, size_t len);
/* Hand the string to the caller (free() it); the buffer is reset. */
char *pc_buf_detach(pc_buf *b) PC_WARN_UNUSED;
/* Append s as a JSON string literal, quotes included. */
int pc_buf_put_json_str(pc_buf *b, const char *s);

#endif
