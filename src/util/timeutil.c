#include "timeutil.h"

#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t pc_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pc_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pc_sleep_ms(int64_t ms)
{
	struct timespec ts;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void pc_iso8601(int64_t wall_ms, char *out, unsigned out_len)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, out_len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}

/* 2^50 ms (35,000 years): sums of times and durations stay far from overflow. */
#define PC_DURATION_MAX_MS 1125899906842624.0

int pc_parse_duration_ms(const char *s, int64_t *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return pc_error_set(PC_EUSAGE, "invalid duration '%s'", s);
	if (*end == '\0' || strcmp(end, "s") == 0)
		v *= 1000;
	else if (strcmp(end, "ms") == 0)
		;
	else if (strcmp(end, "m") == 0)
		v *= 60000;
	else if (strcmp(end, "h") == 0)
		v *= 3600000;
	else if (strcmp(end, "d") == 0)
		v *= 86400000;
	else
		return pc_error_set(PC_EUSAGE, "invalid duration '%s' (use ms, s, m, h or d)", s);
	/* nan, inf and 1e300s do not fit an int64 (casting them is undefined) */
	if (!(v >= 0 && v <= PC_DURATION_MAX_MS))
		return pc_error_set(PC_EUSAGE, "invalid duration '%s' (too long)", s);
	*out = (int64_t)v;
	return 0;
}

int64_t pc_parse_iso8601_ms(const char *s)
{
	struct tm tm;
	const char *rest;
	int64_t ms = 0;

	if (!s || !*s)
		return 0;
	memset(&tm, 0, sizeof tm);
	if (!(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	if (*rest == '.') {
		int digits = 0;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			if (digits++ < 3)
				ms = ms * 10 + (*rest - '0');
		for (; digits < 3; digits++)
			ms *= 10;
	}
	return (int64_t)timegm(&tm) * 1000 + ms;
}
