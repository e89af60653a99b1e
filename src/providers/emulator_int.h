/*
 * emulator_int.h - the emulator's response bodies (emulator_json.c), shared
 * by emulator.c only. base is "http://host:port".
 */
#ifndef PC_PROVIDERS_EMULATOR_INT_H
#define PC_PROVIDERS_EMULATOR_INT_H

#include "sim.h"

/* Cached per statement until its resource_version changes. */
void pc_emu_statement_json(pc_buf *b, const char *base, pc_sim_stmt *st, int64_t now);
void pc_emu_exceptions_json(pc_buf *b, const char *base, const char *org, const pc_sim_stmt *st);
void pc_emu_pool_json(pc_buf *b, const char *base, const pc_sim_pool *p, int64_t now);
void pc_emu_topic_json(pc_buf *b, const char *base, const char *cluster, const pc_sim_topic *t);

#endif
