/*
 * provider.h - the actual state: one interface over Confluent Cloud, the
 * local target and (through the confluent provider) the emulator.
 *
 * Providers return plain structs; the model and reconcile never see HTTP or
 * JSON. Every operation may be called from several threads at once.
 * Errors: PC_ENOTFOUND (404), PC_ECONFLICT (409), PC_EAUTH (401/403),
 * PC_ETIMEOUT, PC_ENET, PC_EHTTP (other); the message is one line with the
 * HTTP status and the API's own detail, never a secret.
 */
#ifndef PC_PROVIDERS_PROVIDER_H
#define PC_PROVIDERS_PROVIDER_H

#include "../model/config.h"
#include "../util/kv.h"
#include "../util/vec.h"

#include <stdint.h>

/* ---- statement phases ---- */

/*
 * status.phase of a statement, classified once where the provider reads it
 * (pc_phase_classify()); every decision on the client side reads this enum,
 * never the string. A phase the service adds later (or a missing one) is
 * PC_PHASE_UNKNOWN, and every decision says what it does with it: the
 * planner leaves such a table alone with a warning, a writer count takes it
 * as possibly writing, a wait keeps polling until its deadline.
 *
 * Why STOPPING counts where it counts: a STOPPING statement has not yet
 * committed its last offsets and may still write its sink, so it is *live*
 * (pc_phase_live()): it is counted as a writer, no second writer starts
 * beside it, and a carry-over from it waits until it is STOPPED. It is on
 * its way to STOPPED and will not run again by itself, so where the question
 * is what to do with it (pc_phase_stopping_or_stopped()) it is *stopped*:
 * the planner resumes it, and the resume waits for STOPPED first.
 */
typedef enum pc_phase {
	PC_PHASE_UNKNOWN = 0, /* absent, or a value pipectl does not know */
	PC_PHASE_PENDING,
	PC_PHASE_RUNNING,
	PC_PHASE_COMPLETED,
	PC_PHASE_DELETING,
	PC_PHASE_FAILING,
	PC_PHASE_FAILED,
	PC_PHASE_STOPPING,
	PC_PHASE_STOPPED,
	PC_PHASE_DEGRADED,
} pc_phase;

/* The one classifier: the API string (NULL allowed) to its phase. */
pc_phase pc_phase_classify(const char *api_phase);
/* The API spelling ("RUNNING"); "UNKNOWN" for PC_PHASE_UNKNOWN. */
const char *pc_phase_name(pc_phase ph);
/* Processing now: RUNNING, DEGRADED. */
int pc_phase_running(pc_phase ph);
/* Is or may still be writing its sink: RUNNING, DEGRADED, PENDING, STOPPING. */
int pc_phase_live(pc_phase ph);
/* STOPPED (resumable, offsets and state kept). */
int pc_phase_stopped(pc_phase ph);
/* STOPPING or STOPPED: will not run again unless resumed. */
int pc_phase_stopping_or_stopped(pc_phase ph);
/* Can be a table's current DML: live or STOPPED. */
int pc_phase_current(pc_phase ph);
/* Ended or failing: FAILED, FAILING (FAILING is re-checked before it counts). */
int pc_phase_failed(pc_phase ph);
/* Nothing more happens by itself: COMPLETED, FAILED, STOPPED. */
int pc_phase_terminal(pc_phase ph);
/* On the way to another phase: PENDING, STOPPING, DELETING, FAILING. */
int pc_phase_transitional(pc_phase ph);

/* ---- plain structs ---- */

typedef struct pc_statement {
	char *name;
	char *sql;               /* spec.statement */
	char *phase;             /* status.phase as the API says it (unknown values kept), for display */
	pc_phase ph;             /* pc_phase_classify(phase): what every decision reads */
	char *detail;            /* status.detail */
	char *compute_pool_id;   /* spec.compute_pool_id */
	char *principal;         /* spec.principal */
	int stopped;             /* spec.stopped */
	char *resource_version;  /* metadata.resource_version */
	char *created_at;        /* metadata.created_at */
	char *updated_at;
	char *uid;
	char *sql_kind;          /* status.traits.sql_kind, may be NULL */
	int is_append_only;      /* status.traits.is_append_only; -1 unknown */
	pc_kvlist properties;    /* spec.properties */
	pc_kvlist labels;        /* metadata.labels */
	pc_kvlist latest_offsets; /* topic -> "partition:0,offset:100;partition:1,offset:7" (strings) */
	char *latest_offsets_timestamp;
	/*
	 * The object as the API returned it (confluent provider's get, NULL
	 * otherwise): a PUT sends it back with only spec.stopped, the pool and
	 * the principal changed, so fields pipectl does not know survive.
	 */
	char *raw_json;
} pc_statement;

void pc_statement_free(void *st);                 /* pc_free_fn-compatible */
pc_statement *pc_statement_dup(const pc_statement *st);

typedef struct pc_statement_exception {
	char *name;
	char *message;
	char *timestamp;
} pc_statement_exception;

void pc_statement_exception_free(void *e);

typedef struct pc_topic {
	char *name;
	int partitions;
	int replication_factor;
	int is_internal;
} pc_topic;

void pc_topic_free(void *t);

typedef struct pc_pool {
	char *id;
	char *display_name;
	char *phase;      /* PROVISIONING, PROVISIONED, FAILED, DEPROVISIONING */
	char *cloud;
	char *region;
	int max_cfu;
	int current_cfu;
} pc_pool;

void pc_pool_free(void *p);

/* What to create. The provider copies what it needs. */
typedef struct pc_statement_spec {
	const char *name;
	const char *sql;
	const char *compute_pool_id;     /* NULL: default pool */
	const char *principal;           /* NULL: caller's */
	const pc_kvlist *properties;     /* may be NULL */
	const pc_kvlist *labels;         /* may be NULL */
	int stopped;
} pc_statement_spec;

typedef struct pc_pool_spec {
	const char *display_name;
	const char *cloud;
	const char *region;
	int max_cfu;
} pc_pool_spec;

/* ---- the interface ---- */

typedef struct pc_provider pc_provider;

/*
 * Takes one listed statement (st is the callee's to free, even on error);
 * 0 to go on, or a negative code with the error set, which ends the listing.
 */
typedef int (*pc_statement_fn)(void *ctx, pc_statement *st);

typedef struct pc_provider_ops {
	const char *name; /* "confluent", "local" */

	/* Every statement of the environment, all pages (pc_statement *, owned by out). */
	int (*list_statements)(pc_provider *p, pc_vec *out);
	/*
	 * The same statements handed to fn one at a time, each as soon as its
	 * page is parsed, so that a caller keeping a compact form never holds
	 * every page's structs at once (pc_provider_each_statement()). When
	 * the listing fails part-way, fn has already had some statements: the
	 * caller drops what it built. May be NULL (list_statements is used).
	 */
	int (*each_statement)(pc_provider *p, pc_statement_fn fn, void *ctx);
	int (*get_statement)(pc_provider *p, const char *name, pc_statement **out);
	int (*create_statement)(pc_provider *p, const pc_statement_spec *spec, pc_statement **out);
	/*
	 * PUT the whole object back as it was fetched, with spec.stopped,
	 * compute_pool_id and principal as given, guarded by
	 * st->resource_version. SQL, properties and labels can not change
	 * (Confluent has no update path for them): a change is PC_EINVALID,
	 * unsent. A stale version gives PC_ECONFLICT: the caller GETs again and
	 * retries (see pc_provider_set_stopped()).
	 */
	int (*update_statement)(pc_provider *p, const pc_statement *st);
	int (*delete_statement)(pc_provider *p, const char *name);  /* absent: PC_ENOTFOUND */
	/* Most recent first (pc_statement_exception *). */
	int (*list_exceptions)(pc_provider *p, const char *name, pc_vec *out);

	int (*list_topics)(pc_provider *p, pc_vec *out);            /* pc_topic * */
	int (*get_topic)(pc_provider *p, const char *name, pc_topic **out);
	int (*delete_topic)(pc_provider *p, const char *name);

	int (*list_pools)(pc_provider *p, pc_vec *out);             /* pc_pool * */
	int (*get_pool)(pc_provider *p, const char *id, pc_pool **out);
	int (*create_pool)(pc_provider *p, const pc_pool_spec *spec, pc_pool **out);

	void (*free)(pc_provider *p);
} pc_provider_ops;

/* Counters every provider keeps (for metrics and bench): requests by status. */
typedef struct pc_provider_stats {
	uint64_t requests;
	uint64_t by_status[6]; /* index status/100: 0 = network error, 2, 3, 4, 5 */
	uint64_t retries;
} pc_provider_stats;

struct pc_provider {
	const pc_provider_ops *ops;
	void *impl;
	pc_provider_stats stats;    /* updated atomically by the provider */
	const char *default_pool;   /* configured default compute pool, may be NULL */
	const char *principal;      /* configured principal, may be NULL */
	/* How callers poll this target (pipectl.yaml confluent.poll, docs/providers.md). */
	int64_t poll_min_ms;        /* first pause between reads of a phase */
	int64_t poll_max_ms;        /* the pause backs off up to this */
	int64_t poll_ddl_ms;        /* first pause after a DDL or DROP is created (0: poll_min_ms) */
	int64_t poll_dml_ms;        /* first pause after a DML is created or resumed (0: poll_min_ms) */
	double poll_factor;         /* the pause grows by this per poll (<= 1: PC_POLL_FACTOR_LOCAL) */
	int64_t topic_delete_timeout_ms; /* how long a dropped table's topic may take to go */
};

/* Defaults of the polling cadence: fast for the local target and the emulator, seconds for the service. */
#define PC_POLL_MIN_MS_LOCAL 100
#define PC_POLL_MAX_MS_LOCAL 2000
#define PC_POLL_MIN_MS_SERVICE 1000
#define PC_POLL_MAX_MS_SERVICE 10000
#define PC_POLL_DDL_MS_LOCAL 100    /* the local target's DDL takes 100 ms */
#define PC_POLL_DML_MS_LOCAL 200    /* and its DML is PENDING 200 ms */
#define PC_POLL_DDL_MS_SERVICE 1000 /* a DDL completes in about a second */
#define PC_POLL_DML_MS_SERVICE 5000 /* a DML takes tens of seconds to run */
#define PC_POLL_FACTOR_LOCAL 1.25
#define PC_POLL_FACTOR_SERVICE 1.5
#define PC_TOPIC_DELETE_TIMEOUT_MS_DEFAULT (10 * 60 * 1000)

/*
 * Open the provider the config names (target local or confluent). The
 * provider borrows cfg, which must outlive it. (provider_open.c)
 */
int pc_provider_open(pc_provider **out, const pc_config *cfg);
/* The two implementations: local.c and confluent.c. */
int pc_local_open(pc_provider **out, const pc_config *cfg);
int pc_confluent_open(pc_provider **out, const pc_config *cfg);
void pc_provider_free(pc_provider *p);

/*
 * Every statement through fn (see each_statement above); a provider without
 * each_statement lists them all first, then hands them over in order.
 */
int pc_provider_each_statement(pc_provider *p, pc_statement_fn fn, void *ctx);

/*
 * Stop or resume: GET, set spec.stopped (and, when resuming, the pool if
 * given), PUT the fetched object back; on 409 GET again and retry (a few
 * times). new_pool may be NULL (unchanged).
 */
int pc_provider_set_stopped(pc_provider *p, const char *name, int stopped, const char *new_pool);

/* Set st->phase (copied) and st->ph together. */
void pc_statement_set_phase(pc_statement *st, const char *api_phase);

#endif
