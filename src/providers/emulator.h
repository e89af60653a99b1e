/*
 * emulator.h - Confluent Cloud's sql/v1, fcpm/v2 and kafka/v3 REST APIs over
 * the simulation (sim.h), served by libmicrohttpd on one loopback port, plus
 * the /emulator/v1/ audit API (docs/emulator.md).
 *
 * One thread per connection; a mutex guards the simulation. The state file,
 * when given, is loaded at start and saved atomically by pc_emulator_flush()
 * (the caller calls it periodically and on exit).
 */
#ifndef PC_PROVIDERS_EMULATOR_H
#define PC_PROVIDERS_EMULATOR_H

#include "sim.h"

#include <stdint.h>

/* Marks the emulator keeps on its timeline (/emulator/v1/…/timeline); beyond, the oldest go. */
#define PC_EMULATOR_TIMELINE_MAX 200000

typedef struct pc_emulator_options {
	const char *listen;         /* "127.0.0.1:PORT" (PORT 0: a free port); default 127.0.0.1:8089 */
	const char *state_path;     /* NULL: in memory only */
	pc_sim_options sim;
	const char *api_key;        /* both set: HTTP Basic auth required */
	const char *api_secret;
	int64_t latency_ms;         /* added to every response */
	double fail_rate;           /* share of requests answered 500 or 503 */
	double throttle_rate;       /* share answered 429 with Retry-After: 1 */
	uint64_t seed;              /* of the fault injection */
	const char *hang_path;      /* PCRE2: matching request paths never answer */
	int64_t max_requests;       /* 0 = no limit: after that many, pc_emulator_done() is true */
	const char *redirect_host;  /* "self" or HOST:PORT: each connection's first request gets a 307 there */
	const pc_config *externals; /* NULL, or a project whose `externals:` are created at start (borrowed) */
} pc_emulator_options;

typedef struct pc_emulator pc_emulator;

/* Load the state, bind and start serving. Errors: PC_EUSAGE (options), PC_EPARSE (state), PC_ENET. */
int pc_emulator_start(pc_emulator **out, const pc_emulator_options *opt);
int pc_emulator_port(const pc_emulator *e);
/* Save the state when it changed since the last save (no-op without a state file). */
int pc_emulator_flush(pc_emulator *e);
/* True once max_requests were served. */
int pc_emulator_done(const pc_emulator *e);
/* Stop serving (hanging requests are released), save, free. */
int pc_emulator_stop(pc_emulator *e);

#endif
