/*
 * emulator_json.c - the JSON bodies of the emulator, in the shapes of
 * Confluent's specifications (confluent-api.md).
 */
#include "emulator_int.h"

#include "../util/timeutil.h"

#include <inttypes.h>
#include <string.h>

static void put_kv_obj(pc_buf *b, const pc_kvlist *l)
{
	pc_buf_putc(b, '{');
	for (size_t i = 0; i < l->len; i++) {
		pc_kv *kv = l->items[i];
		if (i)
			pc_buf_putc(b, ',');
		pc_buf_put_json_str(b, kv->key);
		pc_buf_putc(b, ':');
		pc_buf_put_json_str(b, kv->value);
	}
	pc_buf_putc(b, '}');
}

/* s escaped for the inside of a JSON string (no quotes). */
static void put_esc(pc_buf *b, const char *s)
{
	size_t at = b->len;
	pc_buf_put_json_str(b, s);
	memmove(b->ptr + at, b->ptr + at + 1, b->len - at - 2);
	pc_buf_truncate(b, b->len - 2);
}

static void put_time(pc_buf *b, int64_t ms)
{
	char t[40];
	pc_iso8601(ms, t, sizeof(t));
	pc_buf_put_json_str(b, t);
}

void pc_emu_statement_json(pc_buf *b, const char *base, const pc_sim_stmt *st, int64_t now)
{
	(void)now;
	pc_buf_puts(b, "{\"api_version\":\"sql/v1\",\"kind\":\"Statement\",\"organization_id\":");
	pc_buf_put_json_str(b, st->org);
	pc_buf_puts(b, ",\"environment_id\":");
	pc_buf_put_json_str(b, st->env);
	pc_buf_puts(b, ",\"name\":");
	pc_buf_put_json_str(b, st->name);
	pc_buf_printf(b, ",\"metadata\":{\"self\":\"%s/sql/v1/organizations/", base);
	put_esc(b, st->org);
	pc_buf_puts(b, "/environments/");
	put_esc(b, st->env);
	pc_buf_puts(b, "/statements/");
	put_esc(b, st->name);
	pc_buf_puts(b, "\",\"created_at\":");
	put_time(b, st->created_ms);
	pc_buf_puts(b, ",\"updated_at\":");
	put_time(b, st->updated_ms);
	pc_buf_puts(b, ",\"uid\":");
	pc_buf_put_json_str(b, st->uid);
	pc_buf_printf(b, ",\"resource_version\":\"%" PRId64 "\",\"labels\":", st->resource_version);
	put_kv_obj(b, &st->labels);
	pc_buf_puts(b, "},\"spec\":{\"statement\":");
	pc_buf_put_json_str(b, st->sql);
	pc_buf_puts(b, ",\"properties\":");
	put_kv_obj(b, &st->properties);
	pc_buf_puts(b, ",\"compute_pool_id\":");
	pc_buf_put_json_str(b, st->compute_pool_id);
	pc_buf_puts(b, ",\"principal\":");
	pc_buf_put_json_str(b, st->principal);
	pc_buf_printf(b, ",\"stopped\":%s},\"status\":{\"phase\":", st->stopped ? "true" : "false");
	pc_buf_put_json_str(b, pc_sim_phase_name(st->phase));
	pc_buf_puts(b, ",\"detail\":");
	pc_buf_put_json_str(b, st->detail ? st->detail : "");
	pc_buf_puts(b, ",\"network_kind\":\"PUBLIC\",\"traits\":{\"sql_kind\":");
	pc_buf_put_json_str(b, st->sql_kind ? st->sql_kind : "UNKNOWN");
	pc_buf_printf(b, ",\"is_bounded\":%s,\"is_append_only\":%s,\"upsert_columns\":null,"
		      "\"schema\":{\"columns\":[]}}",
		      st->kind == PC_SIM_KIND_DML ? "false" : "true",
		      !st->stateful && !st->op_upsert ? "true" : "false");
	if (st->phase == PC_SIM_STOPPED && st->latest_offsets_ms) {
		pc_buf_puts(b, ",\"latest_offsets\":");
		put_kv_obj(b, &st->latest_offsets);
		pc_buf_puts(b, ",\"latest_offsets_timestamp\":");
		put_time(b, st->latest_offsets_ms);
	}
	pc_buf_puts(b, "}}");
}

void pc_emu_exceptions_json(pc_buf *b, const char *base, const char *org, const pc_sim_stmt *st)
{
	pc_buf_printf(b, "{\"api_version\":\"sql/v1\",\"kind\":\"StatementExceptionList\",\"metadata\":{\"self\":"
		      "\"%s/sql/v1/organizations/%s/environments/%s/statements/%s/exceptions\"},\"data\":[",
		      base, org, st->env, st->name);
	for (size_t i = st->exceptions.len; i > 0; i--) {
		pc_sim_exception *x = st->exceptions.items[i - 1];
		pc_buf_puts(b, i == st->exceptions.len ? "{" : ",{");
		pc_buf_puts(b, "\"kind\":\"StatementException\",\"name\":");
		pc_buf_put_json_str(b, x->name);
		pc_buf_puts(b, ",\"message\":");
		pc_buf_put_json_str(b, x->message);
		pc_buf_puts(b, ",\"timestamp\":");
		put_time(b, x->at_ms);
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "]}");
}

void pc_emu_pool_json(pc_buf *b, const char *base, const pc_sim_pool *p, int64_t now)
{
	pc_buf_puts(b, "{\"api_version\":\"fcpm/v2\",\"kind\":\"ComputePool\",\"id\":");
	pc_buf_put_json_str(b, p->id);
	pc_buf_printf(b, ",\"metadata\":{\"self\":\"%s/fcpm/v2/compute-pools/%s\",\"resource_name\":"
		      "\"crn://confluent.cloud/environment=%s/flink-region=%s/compute-pool=%s\",\"created_at\":",
		      base, p->id, p->env, p->region, p->id);
	put_time(b, p->created_ms);
	pc_buf_puts(b, ",\"updated_at\":");
	put_time(b, p->ready_ms);
	pc_buf_puts(b, "},\"spec\":{\"display_name\":");
	pc_buf_put_json_str(b, p->display_name);
	pc_buf_puts(b, ",\"cloud\":");
	pc_buf_put_json_str(b, p->cloud);
	pc_buf_puts(b, ",\"region\":");
	pc_buf_put_json_str(b, p->region);
	pc_buf_printf(b, ",\"max_cfu\":%d,\"enable_ai\":false,\"environment\":{\"id\":", p->max_cfu);
	pc_buf_put_json_str(b, p->env);
	pc_buf_printf(b, ",\"related\":\"%s/org/v2/environments/%s\",\"resource_name\":"
		      "\"crn://confluent.cloud/environment=%s\"}},\"status\":{\"phase\":", base, p->env, p->env);
	pc_buf_put_json_str(b, pc_sim_pool_phase(p, now));
	pc_buf_puts(b, ",\"current_cfu\":0}}");
}

void pc_emu_topic_json(pc_buf *b, const char *base, const char *cluster, const pc_sim_topic *t)
{
	const char *parts[] = { "partitions", "configs", "partition_reassignments" };
	pc_buf_printf(b, "{\"kind\":\"KafkaTopic\",\"metadata\":{\"self\":\"%s/kafka/v3/clusters/%s/topics/", base,
		      cluster);
	put_esc(b, t->name);
	pc_buf_printf(b, "\",\"resource_name\":\"crn:///kafka=%s/topic=", cluster);
	put_esc(b, t->name);
	pc_buf_puts(b, "\"},\"cluster_id\":");
	pc_buf_put_json_str(b, cluster);
	pc_buf_puts(b, ",\"topic_name\":");
	pc_buf_put_json_str(b, t->name);
	pc_buf_printf(b, ",\"is_internal\":false,\"replication_factor\":3,\"partitions_count\":%d", t->partitions);
	for (int i = 0; i < 3; i++) {
		pc_buf_printf(b, ",\"%s\":{\"related\":\"%s/kafka/v3/clusters/%s/topics/", parts[i], base, cluster);
		put_esc(b, t->name);
		pc_buf_printf(b, "/%s\"}", strcmp(parts[i], "partition_reassignments") == 0 ? "partitions/-/reassignment"
											      : parts[i]);
	}
	pc_buf_puts(b, ",\"authorized_operations\":[]}");
}
