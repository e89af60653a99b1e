/*
 * session.h - what every command and the reconcile loop work on: the
 * config, the desired state (project), the target (provider) and the actual
 * state, loaded once and disposed once (docs/architecture.md).
 *
 * pipectl.yaml is found and parsed once (pc_config_find()); the project and
 * the provider borrow that one config. Reading the tree (files, SQL
 * analysis) and reading the target (pages of statements, the topic list)
 * are independent until the plan compares them: the actual state needs only
 * the config. So pc_session_load() fetches the API pages on a second thread
 * while this one reads the tree; at 10,000 tables that hides the tree's cost
 * behind the network's (docs/performance.md).
 */
#ifndef PC_RECONCILE_SESSION_H
#define PC_RECONCILE_SESSION_H

#include "../model/project.h"
#include "../model/source.h"
#include "../providers/provider.h"
#include "actual.h"

typedef struct pc_session {
	pc_config *config;      /* owned: the pipectl.yaml in force; proj borrows it */
	pc_project *proj;       /* owned, NULL until loaded */
	pc_provider *prov;      /* owned, NULL until opened */
	pc_actual *act;         /* owned, NULL until read */
	/* The provider borrows prov_config: config, or (in the loop) the config of
	 * an earlier cycle kept while the connection stays the same (owned then). */
	pc_config *prov_config;
	char *prov_key;         /* owned: what identifies the connection (holds secrets: never printed) */
} pc_session;

/* A zeroed session, ready for pc_session_load() or pc_session_set_desired(). */
#define PC_SESSION_INIT { 0, 0, 0, 0, 0, 0 }

/*
 * A command's session: find and parse pipectl.yaml (root, config_path as
 * pc_config_find() in the working tree), open its provider, call gate when
 * not NULL, then read the project and the actual state concurrently.
 * gate(ctx, provider, config) runs once the provider is open and before
 * anything is read (apply takes the environment lock there, so the actual
 * state is read under it); a negative return stops the load with that code.
 * On failure returns the first error (config, provider, gate, project, then
 * actual state) with pc_error_last() set; call pc_session_dispose() in every
 * case. The project may carry per-file problems (n_errors) with rc 0, as
 * pc_project_load().
 */
typedef int (*pc_session_gate)(void *ctx, pc_provider *prov, const pc_config *cfg);
int pc_session_load(pc_session *s, const char *root, const char *config_path, pc_session_gate gate,
		    void *ctx);

/*
 * Only the target: find and parse pipectl.yaml, open its provider; nothing
 * is read (s->proj and s->act stay NULL). For commands that act on the
 * target alone (unlock). Call pc_session_dispose() in every case.
 */
int pc_session_open_target(pc_session *s, const char *root, const char *config_path);

/*
 * The loop's session, one desired state after the other: take cfg and proj
 * (proj borrows cfg; both owned by the session afterwards) as the state in
 * force. The provider is opened for cfg unless the one open already talks to
 * the same place; *reconnected (may be NULL) is 1 when the provider was
 * replaced (the one open closed, a new one opened or attempted).
 * The actual state of the previous one is dropped. On failure (the new
 * provider did not open) cfg and proj are freed; the session keeps its
 * desired state, without a provider.
 */
int pc_session_set_desired(pc_session *s, pc_config *cfg, pc_project *proj, int *reconnected);
/* Read the actual state again (s->act replaced; NULL on failure). */
int pc_session_read_actual(pc_session *s);
/* 1 when pc_session_set_desired(s, cfg, …) would keep the open provider (same target and keys). */
int pc_session_same_target(const pc_session *s, const pc_config *cfg);
/* Close the provider (and drop the actual state): the next pc_session_set_desired() opens one. */
void pc_session_close_provider(pc_session *s);
/* Free everything; s is zeroed. */
void pc_session_dispose(pc_session *s);

#endif
