/*
 * sim.h - a simulated Confluent Cloud: Flink statements, Kafka topics and
 * compute pools as a pure state machine (docs/emulator.md).
 *
 * No HTTP, no clock: every call takes `now` (wall-clock milliseconds) so the
 * same state can be served by the emulator, driven in-process by the local
 * target (state saved between runs) and tested with a fake clock. Time only
 * moves forward: a `now` older than the latest seen is treated as the latest.
 *
 * Transitions are events kept in a heap and processed, in time order, at the
 * start of every call (only the ones that are due). Offsets advance lazily:
 * a running statement consumes its inputs up to their end when something
 * looks at it (get, stop, audit) or at its input/output topics; listing does
 * not advance anything. Record counts are split-invariant (the same totals
 * whatever the sequence of advances), so re-deriving state from a saved
 * snapshot gives the same numbers.
 *
 * Not thread-safe: callers hold a lock (the emulator a mutex, local a flock).
 * Errors: PC_ENOTFOUND (404), PC_EEXISTS (409 name exists), PC_ECONFLICT
 * (409 stale resource_version), PC_EINVALID (400); the message is the
 * API's detail text.
 */
#ifndef PC_PROVIDERS_SIM_H
#define PC_PROVIDERS_SIM_H

#include "../util/buf.h"
#include "../util/kv.h"
#include "../util/map.h"
#include "../util/vec.h"
#include "../model/config.h"

#include <stdint.h>

typedef enum pc_sim_phase {
	PC_SIM_PENDING = 0,
	PC_SIM_RUNNING,
	PC_SIM_COMPLETED,
	PC_SIM_DELETING,
	PC_SIM_FAILING,
	PC_SIM_FAILED,
	PC_SIM_STOPPING,
	PC_SIM_STOPPED,
	PC_SIM_DEGRADED,
} pc_sim_phase;

const char *pc_sim_phase_name(pc_sim_phase p);
int pc_sim_phase_parse(const char *s, pc_sim_phase *out); /* 0 or PC_EINVALID */

/* What a statement does, decided once from its SQL. */
typedef enum pc_sim_kind {
	PC_SIM_KIND_DDL = 0,    /* bounded, ends COMPLETED (CREATE/DROP/ALTER, SET, ...) */
	PC_SIM_KIND_DML,        /* unbounded, RUNNING (INSERT, STATEMENT SET, CTAS, SELECT) */
	PC_SIM_KIND_INVALID,    /* did not parse: fails at start with the parse error */
} pc_sim_kind;

typedef enum pc_sim_ddl_op {
	PC_SIM_OP_NONE = 0,
	PC_SIM_OP_CREATE,       /* CREATE TABLE [IF NOT EXISTS] */
	PC_SIM_OP_DROP,         /* DROP TABLE [IF EXISTS] */
	PC_SIM_OP_CTAS,         /* DML that creates its sink at start (fails when it exists) */
	PC_SIM_OP_MATERIALIZED, /* DML that creates its sink at start when missing */
} pc_sim_ddl_op;

/* Per input topic: what the statement consumed, [from, pos) per partition. */
typedef struct pc_sim_input {
	char *topic;
	int partitions;
	int64_t *from;
	int64_t *pos;
} pc_sim_input;

typedef struct pc_sim_output {
	char *topic;
	int64_t produced;
} pc_sim_output;

typedef struct pc_sim_exception {
	char *name;
	char *message;
	int64_t at_ms;
} pc_sim_exception;

typedef struct pc_sim_stmt {
	uint64_t id;
	char *org;
	char *env;
	char *name;
	char *sql;
	char *uid;
	char *compute_pool_id;
	char *principal;
	pc_kvlist properties;
	pc_kvlist labels;
	int stopped;                /* spec.stopped */
	int64_t resource_version;
	int64_t created_ms, updated_ms;
	pc_sim_phase phase;
	char *detail;
	/* analysis */
	pc_sim_kind kind;
	char *sql_kind;             /* traits.sql_kind */
	int stateful;
	pc_sim_ddl_op op;
	char *op_table;             /* table created/dropped (base name) */
	int op_if;                  /* IF [NOT] EXISTS */
	int op_partitions;          /* partitions of a created topic */
	int op_upsert;              /* created table is an upsert table */
	pc_vec reads;               /* char *, base names */
	pc_vec writes;              /* char *, base names */
	char *carry_from;           /* sql.tables.initial-offset-from, or NULL */
	/* runtime */
	int started;                /* inputs were set up once */
	int waiting;                /* pending on carry_from */
	int deleted;                /* kept only for the audit */
	int64_t due_ms;             /* next transition, 0 = none */
	int64_t as_of_ms;           /* consumption computed up to here (RUNNING) */
	int64_t ended_ms;           /* COMPLETED/FAILED/STOPPED at, 0 = not ended */
	int64_t wait_since_ms;      /* carry-over wait began (fails after carry_timeout_ms) */
	int held;                   /* its transition came due while a hold matched: waits for a release */
	int released;               /* released by name: never held again (not saved) */
	pc_vec inputs;              /* pc_sim_input * */
	pc_vec outputs;             /* pc_sim_output * */
	pc_kvlist latest_offsets;   /* filled when STOPPED */
	int64_t latest_offsets_ms;
	pc_vec exceptions;          /* pc_sim_exception *, oldest first */
	/* the emulator's rendering, valid while resource_version and base are the same */
	char *json_cache;
	size_t json_cache_len;
	int64_t json_cache_version;
	char *json_cache_base;
} pc_sim_stmt;

typedef struct pc_sim_topic {
	char *name;
	int partitions;
	int upsert;
	uint64_t incarnation;       /* bumped on every create, so a re-created topic is new */
	int64_t created_ms;
	int64_t as_of_ms;           /* source feed computed up to here */
	int64_t feed_ms;            /* time spent as a source (no writer statement) */
	int64_t written;            /* records written by statements, round-robin over partitions */
	int64_t gone_ms;            /* dropped: the topic lingers until then (0 = live) */
} pc_sim_topic;

typedef struct pc_sim_pool {
	char *id;
	char *env;
	char *display_name;
	char *cloud;
	char *region;
	int max_cfu;
	int64_t created_ms;
	int64_t ready_ms;           /* PROVISIONED (or FAILED) from here */
	int failed;                 /* ends FAILED (--fail-pool) */
} pc_sim_pool;

/* Largest partition count of a topic (CREATE TABLE beyond it fails). */
#define PC_SIM_MAX_PARTITIONS 10000

/*
 * The simulation is as strict as Confluent Cloud (docs/emulator.md, "What
 * the service does"). Old lenient behaviours stay available by name, for the
 * tests that need them (pc_sim_lenient_parse()).
 */
enum {
	PC_SIM_LENIENT_LABELS_UPDATE = 1 << 0,  /* "labels-update": a PUT changes labels */
	PC_SIM_LENIENT_LABELS_PREFIX = 1 << 1,  /* "labels-prefix": any label key at create */
	PC_SIM_LENIENT_CREATE_STOPPED = 1 << 2, /* "create-stopped": spec.stopped on create honoured */
	PC_SIM_LENIENT_STOP_ANY = 1 << 3,       /* "stop-any": stopping any statement is accepted */
	PC_SIM_LENIENT_PROPERTIES = 1 << 4,     /* "properties-update": a stopped statement's properties change */
};

/* "labels-update,create-stopped,..." or "all" into PC_SIM_LENIENT_* bits. 0 or PC_EINVALID. */
int pc_sim_lenient_parse(const char *list, unsigned *out);

#define PC_SIM_TOPIC_LINGER_MS_DEFAULT 500
#define PC_SIM_CARRY_TIMEOUT_MS_DEFAULT (6 * 3600 * 1000LL)

/* The prefix Confluent requires of end-user statement labels. */
#define PC_SIM_LABEL_PREFIX "user.confluent.io/"

typedef struct pc_sim_options {
	const char *cluster_id;     /* default "lkc-local" */
	int64_t ddl_ms;             /* DDL PENDING -> COMPLETED, pools, STOPPING (default 200) */
	int64_t pending_ms;         /* DML PENDING -> RUNNING (default 300) */
	double produce_rate;        /* records/s/partition into source topics (default 10) */
	const char *fail_statement; /* PCRE2 pattern, NULL = none */
	const char *fail_pool;      /* PCRE2 pattern: pools whose display name matches go FAILED */
	int64_t expire_completed_ms; /* COMPLETED/FAILED deleted after; 0 = never */
	int64_t expire_terminal_ms; /* COMPLETED/FAILED/STOPPED deleted after; 0 = never */
	int64_t topic_linger_ms;    /* a dropped table's topic lingers (default 500; < 0: 0) */
	int64_t carry_timeout_ms;   /* carry-over waits at most this long (default 6 h) */
	int forbid_deleted;         /* a deleted statement answers 403 (PC_EAUTH), not 404 */
	int linger_hidden;          /* a lingering topic is no longer listed or found (its name still taken) */
	unsigned lenient;           /* PC_SIM_LENIENT_* */
	const char *hold;           /* PCRE2: matching statements stay PENDING/STOPPING until released (sim_hold.c) */
} pc_sim_options;

typedef struct pc_sim_env {
	char *id;
	pc_map stmts;               /* name -> pc_sim_stmt * (live) */
	pc_vec sorted;              /* pc_sim_stmt * live, sorted by name (list order) */
	pc_map archive;             /* name -> pc_sim_stmt * (deleted, for the audit) */
	pc_vec waiting;             /* pc_sim_stmt * pending on carry-over */
	pc_vec pools;               /* pc_sim_pool * */
} pc_sim_env;

typedef struct pc_sim_event {
	int64_t due;
	uint64_t id;
} pc_sim_event;

typedef struct pc_sim {
	pc_sim_options opt;
	char *cluster_id;
	char *fail_pattern;
	void *fail_re;              /* pcre2_code * */
	pc_map envs;                /* id -> pc_sim_env * */
	pc_vec env_list;            /* pc_sim_env * in creation order */
	pc_map topics;              /* name -> pc_sim_topic * */
	pc_map writers;             /* topic name -> pc_vec * of pc_sim_stmt * writing it */
	pc_map by_id;               /* "%llu" id -> pc_sim_stmt * (live) */
	pc_vec lingering;           /* pc_sim_topic * dropped, not yet gone */
	void *fail_pool_re;         /* pcre2_code * */
	pc_vec holds;               /* pc_sim_hold_rule *: test-only holds (sim_hold.c), never saved */
	pc_sim_event *heap;
	size_t heap_len, heap_cap;
	uint64_t next_id;
	uint64_t next_incarnation;
	int64_t now_ms;             /* latest time seen */
	uint64_t changes;           /* bumped on every state change (savers compare it) */
} pc_sim;

/* Create an empty simulation. Options are copied; 0/NULL fields take defaults. */
int pc_sim_new(pc_sim **out, const pc_sim_options *opt);
void pc_sim_free(pc_sim *s);

/* Process due events up to now (every call below does this first). */
void pc_sim_tick(pc_sim *s, int64_t now);

/* The environment, created on first use (with its default pool lfcp-local). */
pc_sim_env *pc_sim_env_get(pc_sim *s, const char *env_id, int64_t now);

/* ---- statements ---- */

typedef struct pc_sim_stmt_req {
	const char *name;
	const char *sql;
	const char *compute_pool_id;  /* NULL: lfcp-local */
	const char *principal;        /* NULL: "u-local" */
	const pc_kvlist *properties;  /* may be NULL */
	const pc_kvlist *labels;      /* may be NULL */
	int stopped;
} pc_sim_stmt_req;

/* Create; *out is borrowed (valid until the next call). */
int pc_sim_create_statement(pc_sim *s, int64_t now, const char *org, const char *env,
			    const pc_sim_stmt_req *req, pc_sim_stmt **out);
/* Get (a running statement is advanced to now). Borrowed. PC_ENOTFOUND. */
int pc_sim_get_statement(pc_sim *s, int64_t now, const char *env, const char *name, pc_sim_stmt **out);

/*
 * Update as a PUT does. resource_version NULL: not checked. Fields NULL:
 * unchanged; stopped -1: unchanged. Pool, principal and properties can change
 * only while STOPPED (PC_EINVALID otherwise); a stale version: PC_ECONFLICT.
 */
typedef struct pc_sim_update {
	const char *resource_version;
	const char *sql;               /* must equal the current one when given */
	int stopped;
	const char *compute_pool_id;
	const char *principal;
	const pc_kvlist *properties;
	const pc_kvlist *labels;
} pc_sim_update;

int pc_sim_update_statement(pc_sim *s, int64_t now, const char *env, const char *name,
			    const pc_sim_update *u, pc_sim_stmt **out);
int pc_sim_delete_statement(pc_sim *s, int64_t now, const char *env, const char *name);

/*
 * One page, by name order. page_token: NULL/"" from the start, else the token
 * a previous page returned. *next: owned token, NULL on the last page.
 * pool: only statements of that compute pool (NULL = all). Borrowed items.
 */
int pc_sim_list_statements(pc_sim *s, int64_t now, const char *env, const char *pool,
			   const char *page_token, int page_size, pc_vec *out, char **next);

/* The audit of a live or deleted statement as JSON (format in docs/emulator.md). */
int pc_sim_audit_json(pc_sim *s, int64_t now, const char *env, const char *name, pc_buf *out);
/* Every DML statement of the environment (live, then deleted ones) with its audit. */
int pc_sim_env_audit_json(pc_sim *s, int64_t now, const char *env, pc_buf *out);
/* Every topic with its partitions' end offsets, as JSON. */
int pc_sim_topics_json(pc_sim *s, int64_t now, pc_buf *out);

/* ---- topics ---- */

int64_t pc_sim_topic_end(const pc_sim *s, const pc_sim_topic *t, int partition);
/* Sorted by name, borrowed. */
void pc_sim_list_topics(pc_sim *s, int64_t now, pc_vec *out);
pc_sim_topic *pc_sim_find_topic(pc_sim *s, int64_t now, const char *name);
/* A topic that is live (not lingering after a drop), or NULL. */
pc_sim_topic *pc_sim__live_topic(pc_sim *s, const char *name);
/* PC_EEXISTS when it exists, PC_EINVALID on a bad count. */
int pc_sim_create_topic(pc_sim *s, int64_t now, const char *name, int partitions, pc_sim_topic **out);
/* Running statements that read or write it fail. PC_ENOTFOUND. */
int pc_sim_delete_topic(pc_sim *s, int64_t now, const char *name);

/* ---- compute pools ---- */

const char *pc_sim_pool_phase(const pc_sim_pool *p, int64_t now);
int pc_sim_get_pool(pc_sim *s, int64_t now, const char *env, const char *id, pc_sim_pool **out);
/* env NULL: search every environment. */
int pc_sim_find_pool(pc_sim *s, int64_t now, const char *id, pc_sim_pool **out);
int pc_sim_create_pool(pc_sim *s, int64_t now, const char *env, const char *display_name,
		       const char *cloud, const char *region, int max_cfu, pc_sim_pool **out);

/* ---- holds (sim_hold.c): a test-only control, not Confluent behaviour ---- */

/*
 * A hold keeps the statements whose name or SQL matches a PCRE2 pattern in
 * their transitional phase (PENDING: DDL or DML not started; STOPPING) for as
 * long as it is in place: their due transition waits for a release, which
 * makes it happen at once. A test can thus interrupt a command in a phase
 * that no timing can guarantee. A dropped table's topic whose name matches a
 * hold (of any environment) lingers until the hold goes. Holds are not saved;
 * a held statement's due transition is, so a restarted simulation decides
 * again with its own holds.
 */
typedef struct pc_sim_hold_rule {
	char *env;                  /* NULL: every environment (--hold) */
	char *pattern;
	void *re;                   /* pcre2_code * */
} pc_sim_hold_rule;

/* Add a hold for env (NULL: every environment). A bad pattern: PC_EINVALID. */
int pc_sim_hold(pc_sim *s, int64_t now, const char *env, const char *pattern);
/*
 * Lift holds of env. name given: that statement is released (it goes on, and
 * is never held again; PC_ENOTFOUND when it does not exist); else pattern
 * given: the holds with that exact pattern applying to env go (PC_ENOTFOUND
 * when none); neither: every hold applying to env goes, --hold's included.
 * Held statements that no longer match go on at now.
 */
int pc_sim_release(pc_sim *s, int64_t now, const char *env, const char *name, const char *pattern);
/*
 * {"holds":["pattern",…],"held":["name",…],"held_topics":["topic",…]}: the holds applying
 * to env, its held statements by name, the dropped topics kept lingering past their time.
 */
int pc_sim_holds_json(pc_sim *s, int64_t now, const char *env, pc_buf *out);

/* ---- persistence (sim_json.c) ---- */

/* The whole state as JSON. */
int pc_sim_save_json(const pc_sim *s, pc_buf *out);
/* Replace the state of s (options kept) by a saved one. label names the source in errors. */
int pc_sim_load_json(pc_sim *s, const char *text, size_t len, const char *label);

/*
 * Create, as topics, the declared externals of cfg (`externals:` with a
 * `ddl:`, read relative to cfg->root) that do not exist yet; *created counts
 * them. A DDL that cannot be read or does not create its table is
 * PC_EINVALID naming the table. (sim_externals.c)
 */
int pc_sim_seed_externals(pc_sim *s, int64_t now, const pc_config *cfg, int *created);

/* ---- internal, shared by sim.c and sim_json.c ---- */
pc_sim_stmt *pc_sim__stmt_new(void);
void pc_sim__stmt_free(void *st);
void pc_sim__index_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st);
void pc_sim__heap_push(pc_sim *s, int64_t due, uint64_t id);
void pc_sim__reset(pc_sim *s);
void pc_sim__analyze(pc_sim_stmt *st);
void pc_sim__advance_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t);
void pc_sim__advance_topic(pc_sim *s, pc_sim_topic *tp, int64_t t);
pc_sim_topic *pc_sim__topic_add(pc_sim *s, const char *name, int partitions, int upsert, int64_t t);
void pc_sim__topic_drop(pc_sim *s, const char *name, int64_t t);
pc_sim_pool *pc_sim__pool_add(pc_sim_env *e, const char *id, const char *name, int64_t now, int64_t ready);
void pc_sim__topic_free(void *t);
void pc_sim__pool_free(void *p);
void pc_sim__env_free(void *e);
void pc_sim__writers_free(void *w);
void pc_sim__exception_free(void *x);
/* A hold matches st (its transition waits). */
int pc_sim__held(const pc_sim *s, const pc_sim_stmt *st);
/* A hold (of any environment: topics are the cluster's) matches the topic's name: a dropped one lingers. */
int pc_sim__topic_held(const pc_sim *s, const char *topic);
void pc_sim__holds_free(pc_sim *s);

#endif
