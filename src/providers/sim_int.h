/*
 * sim_int.h - what the simulation's files (sim.c, sim_run.c, sim_stmt.c)
 * share and nothing else includes. Every function works on a locked pc_sim
 * (sim.h) at time t, which never goes back.
 */
#ifndef PC_PROVIDERS_SIM_INT_H
#define PC_PROVIDERS_SIM_INT_H

#include "sim.h"

#define NAME_MAX_LEN 100
/* spec.statement's maxLength in Confluent's sql/v1 API (characters, counted as code points) */
#define SQL_MAX_LEN 131072
#define DEFAULT_POOL "lfcp-local"
#define CARRY_PROP "sql.tables.initial-offset-from"

/* ---- sim.c: indexes, events, removal ---- */

/* The next transition of st is due at `due` (a later schedule replaces it). */
void pc_sim__schedule(pc_sim *s, pc_sim_stmt *st, int64_t due);
/* First index of v (sorted by name) whose name is > name (strict) or >= name. */
size_t pc_sim__sorted_bound(const pc_vec *v, const char *name, int strict);
void pc_sim__sorted_insert(pc_vec *v, pc_sim_stmt *st);
void pc_sim__sorted_remove(pc_vec *v, pc_sim_stmt *st);
void pc_sim__vec_remove_ptr(pc_vec *v, const void *p);
int pc_sim__is_dml(const pc_sim_stmt *st);
/* Delete st: out of the indexes into the archive (its audit is kept). */
void pc_sim__remove_stmt(pc_sim *s, pc_sim_env *e, pc_sim_stmt *st, int64_t t);
/* How long a statement that ended in phase ph is kept; 0: for ever. */
int64_t pc_sim__expire_after(const pc_sim *s, pc_sim_phase ph);

/* ---- sim_run.c: transitions ---- */

/* The timeline (when opt.timeline_max): st's phase when it changed, or `event` ("DELETED"). */
void pc_sim__mark_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t, const char *event);
/* The timeline: topic `name` "CREATED" or "DROPPED". */
void pc_sim__mark_topic(pc_sim *s, const char *name, int64_t t, const char *event);
void pc_sim__timeline_free(pc_sim *s);

/* A change: resource_version and updated_at move, savers see it. */
void pc_sim__touch(pc_sim *s, pc_sim_stmt *st, int64_t t);
void pc_sim__set_detail(pc_sim_stmt *st, const char *detail);
/* st ended (COMPLETED, FAILED or STOPPED) at t: its expiry is scheduled. */
void pc_sim__schedule_expiry(pc_sim *s, pc_sim_stmt *st, int64_t t);
void pc_sim__fail_stmt(pc_sim *s, pc_sim_stmt *st, int64_t t, const char *detail, const char *exc_name);
/* Lingering topics whose deletion is done by t are gone. */
void pc_sim__purge_lingering(pc_sim *s, int64_t t);
void pc_sim__start_ddl(pc_sim *s, pc_sim_stmt *st, int64_t t);
void pc_sim__start_dml(pc_sim *s, pc_sim_stmt *st, int64_t t);
/* An INSERT's sink is upsert when the table it writes was created as one. */
void pc_sim__refresh_sink_upsert(pc_sim *s, pc_sim_stmt *st);
/* STOPPING -> STOPPED with latest_offsets; wakes the carry-overs waiting on it. */
void pc_sim__finish_stop(pc_sim *s, pc_sim_stmt *st, int64_t t);

#endif
