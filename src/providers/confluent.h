/*
 * confluent.h - the confluent provider's extra entry point.
 *
 * pc_confluent_open() (provider.h) uses the default HTTP settings of
 * http.h; pc_confluent_open_with() lets tests and tools choose timeouts,
 * retries and the body cap.
 */
#ifndef PC_PROVIDERS_CONFLUENT_H
#define PC_PROVIDERS_CONFLUENT_H

#include "http.h"
#include "provider.h"

/*
 * Open the confluent provider over cfg (borrowed: must outlive the
 * provider). http NULL: defaults. Fails with PC_EINVALID
 * "confluent target: 'confluent.flink.endpoint' is not set" when a required
 * key is missing (flink endpoint/api_key/api_secret, organization_id,
 * environment_id, kafka endpoint/cluster_id/api_key/api_secret). The cloud
 * key is required only by the compute pool operations, which fail the same
 * way when it is missing; the cloud endpoint defaults to
 * https://api.confluent.cloud.
 */
int pc_confluent_open_with(pc_provider **out, const pc_config *cfg, const pc_http_opts *http);

#endif
