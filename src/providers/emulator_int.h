/*
 * emulator_int.h - the emulator's response bodies (emulator_json.c), shared
 * by emulator.c only. base is "http://host:port".
 */
#ifndef PC_PROVIDERS_EMULATOR_INT_H
#define PC_PROVIDERS_EMULATOR_INT_H

#include "emulator.h"
#include "sim.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

struct pc_emulator {
	pc_emulator_options opt;
	char *state_path;
	char *api_key, *api_secret;
	void *hang_re;             /* pcre2_code * */
	struct MHD_Daemon *mhd;
	int port;
	pthread_mutex_t mu;
	pc_sim *sim;
	uint64_t saved_changes;
	uint64_t rng;
	atomic_int stopping;
	atomic_llong requests;
};

typedef struct req_ctx {
	pc_buf body;
	int too_big;
} req_ctx;

typedef struct route {
	pc_emulator *e;
	struct MHD_Connection *c;
	const char *method;
	char *base;
	int64_t now;
} route;

/* Answer with body (may be NULL), an optional Location and one extra header. */
int pc_emu_send(struct MHD_Connection *c, unsigned status, const pc_buf *body, const char *location,
		const char *extra_name, const char *extra_value);
/* Confluent's {"errors":[...]} body; code NULL: the status's default. */
int pc_emu_send_error(struct MHD_Connection *c, unsigned st, const char *code, const char *detail,
		      const char *hname, const char *hvalue);
/* Kafka REST's {"error_code":N,"message":"..."} body. */
int pc_emu_send_kafka_error(struct MHD_Connection *c, unsigned st, int code, const char *msg, const char *hname,
			    const char *hvalue);
/* The simulation's error rc with pc_error_last() as the detail. */
int pc_emu_send_sim_error(struct MHD_Connection *c, int rc);
const char *pc_emu_qarg(struct MHD_Connection *c, const char *k);
/* 0: *out parsed; else an error was answered (1) or could not be (-1). */
int pc_emu_parse_body(struct MHD_Connection *c, const req_ctx *rq, json_t **out, int kafka);
void pc_emu_json_to_kv(pc_kvlist *l, json_t *o);
const char *pc_emu_jstr(json_t *o, const char *k);

int pc_emu_route_sql(route *r, const req_ctx *rq, char **seg, int n);
int pc_emu_route_pools(route *r, const req_ctx *rq, char **seg, int n);
int pc_emu_route_kafka(route *r, const req_ctx *rq, char **seg, int n);
int pc_emu_route_emulator(route *r, const req_ctx *rq, char **seg, int n);

/* Cached per statement until its resource_version changes. */
void pc_emu_statement_json(pc_buf *b, const char *base, pc_sim_stmt *st, int64_t now);
void pc_emu_exceptions_json(pc_buf *b, const char *base, const char *org, const pc_sim_stmt *st);
void pc_emu_pool_json(pc_buf *b, const char *base, const pc_sim_pool *p, int64_t now);
void pc_emu_topic_json(pc_buf *b, const char *base, const char *cluster, const pc_sim_topic *t);

#endif
