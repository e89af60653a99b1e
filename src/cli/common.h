/*
 * common.h - what several commands share: the read-only session of a
 * target (config, project, provider, one snapshot of the actual state) that
 * `plan` and `status` start from.
 */
#ifndef PC_CLI_COMMON_H
#define PC_CLI_COMMON_H

#include "cli.h"

#include "../reconcile/session.h"

/*
 * Load the session of the command line (no lock; the tree and the API
 * pages are read at the same time: pc_session_load). On an error it is
 * printed and the exit status returned; PC_EXIT_OK when the session is
 * complete. Call pc_session_dispose() in every case.
 */
int pc_common_session(pc_session *s, const pc_cli *cli);

#endif
