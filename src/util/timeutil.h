/*
 * timeutil.h - clocks and durations.
 */
#ifndef PC_UTIL_TIMEUTIL_H
#define PC_UTIL_TIMEUTIL_H

#include <stdint.h>

int64_t pc_mono_ms(void);          /* monotonic milliseconds */
int64_t pc_wall_ms(void);          /* Unix epoch milliseconds */
void pc_sleep_ms(int64_t ms);
/* "2025-08-21T00:23:35.459Z" into out (at least 32 bytes). */
void pc_iso8601(int64_t wall_ms, char *out, unsigned out_len);
/* Parse "500ms", "30s", "5m", "1h", "20d" or a bare number of seconds into ms. */
int pc_parse_duration_ms(const char *s, int64_t *out);
/* "2025-08-21T00:23:35.459Z" (UTC; fraction optional) -> epoch ms; 0 when absent or malformed. */
int64_t pc_parse_iso8601_ms(const char *s);

#endif
