/*
 * emulator_json.c - the JSON bodies of the emulator, in the shapes of
 * Confluent's specifications (docs/providers.md).
 */
#include "emulator_int.h"

#include "../util/alloc.h"
#include "../util/timeutil.h"

#include <stdlib.h>

#include <inttypes.h>
#include <string.h>

/* s escaped for the inside of a JSON string (no quotes), copied in runs. */
static void put_esc(pc_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		pc_buf_put(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			pc_buf_put(b, esc, 2);
		} else {
			pc_buf_put(b, esc, 6);
		}
		run = s + 1;
	}
	pc_buf_put(b, run, (size_t)(s - run));
}

static void put_str(pc_buf *b, const char *s)
{
	pc_buf_putc(b, '"');
	put_esc(b, s);
	pc_buf_putc(b, '"');
}

static void put_kv_obj(pc_buf *b, const pc_kvlist *l)
{
	pc_buf_putc(b, '{');
	for (size_t i = 0; i < l->len; i++) {
		pc_kv *kv = l->items[i];
		if (i)
			pc_buf_putc(b, ',');
		put_str(b, kv->key);
		pc_buf_putc(b, ':');
		put_str(b, kv->value);
	}
	pc_buf_putc(b, '}');
}

static void put_i64(pc_buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	while (n > 0)
		pc_buf_putc(b, tmp[--n]);
}

static void digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* "2025-08-21T00:23:35.459Z" without gmtime (civil from days, H. Hinnant). */
static void put_time(pc_buf *b, int64_t ms)
{
	char t[26] = "\"0000-00-00T00:00:00.000Z\"";
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t sod = secs - days * 86400, z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400 + (m <= 2));
	digits(t + 1, y, 4);
	digits(t + 6, m, 2);
	digits(t + 9, d, 2);
	digits(t + 12, (int)(sod / 3600), 2);
	digits(t + 15, (int)(sod / 60 % 60), 2);
	digits(t + 18, (int)(sod % 60), 2);
	digits(t + 21, (int)(ms - secs * 1000), 3);
	pc_buf_put(b, t, 26);
}

static void render_statement(pc_buf *b, const char *base, const pc_sim_stmt *st);

void pc_emu_statement_json(pc_buf *b, const char *base, pc_sim_stmt *st, int64_t now)
{
	pc_buf r = PC_BUF_INIT;
	(void)now;
	if (st->json_cache && st->json_cache_version == st->resource_version && st->json_cache_base &&
	    strcmp(st->json_cache_base, base) == 0) {
		pc_buf_put(b, st->json_cache, st->json_cache_len);
		return;
	}
	render_statement(&r, base, st);
	pc_buf_put(b, r.ptr, r.len);
	free(st->json_cache);
	free(st->json_cache_base);
	st->json_cache_len = r.len;
	st->json_cache = pc_buf_detach(&r);
	st->json_cache_version = st->resource_version;
	st->json_cache_base = pc_strdup(base);
}

static void render_statement(pc_buf *b, const char *base, const pc_sim_stmt *st)
{
	pc_buf_puts(b, "{\"api_version\":\"sql/v1\",\"kind\":\"Statement\",\"organization_id\":");
	put_str(b, st->org);
	pc_buf_puts(b, ",\"environment_id\":");
	put_str(b, st->env);
	pc_buf_puts(b, ",\"name\":");
	put_str(b, st->name);
	pc_buf_puts(b, ",\"metadata\":{\"self\":\"");
	pc_buf_puts(b, base);
	pc_buf_puts(b, "/sql/v1/organizations/");
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
	put_str(b, st->uid);
	pc_buf_puts(b, ",\"resource_version\":\"");
	put_i64(b, st->resource_version);
	pc_buf_puts(b, "\",\"labels\":");
	put_kv_obj(b, &st->labels);
	pc_buf_puts(b, "},\"spec\":{\"statement\":");
	put_str(b, st->sql);
	pc_buf_puts(b, ",\"properties\":");
	put_kv_obj(b, &st->properties);
	pc_buf_puts(b, ",\"compute_pool_id\":");
	put_str(b, st->compute_pool_id);
	pc_buf_puts(b, ",\"principal\":");
	put_str(b, st->principal);
	pc_buf_puts(b, st->stopped ? ",\"stopped\":true},\"status\":{\"phase\":"
				   : ",\"stopped\":false},\"status\":{\"phase\":");
	put_str(b, pc_sim_phase_name(st->phase));
	pc_buf_puts(b, ",\"detail\":");
	put_str(b, st->detail ? st->detail : "");
	pc_buf_puts(b, ",\"network_kind\":\"PUBLIC\",\"traits\":{\"sql_kind\":");
	put_str(b, st->sql_kind ? st->sql_kind : "UNKNOWN");
	pc_buf_puts(b, st->kind == PC_SIM_KIND_DML ? ",\"is_bounded\":false" : ",\"is_bounded\":true");
	pc_buf_puts(b, !st->stateful && !st->op_upsert ? ",\"is_append_only\":true" : ",\"is_append_only\":false");
	pc_buf_puts(b, ",\"upsert_columns\":null,\"schema\":{\"columns\":[]}}");
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
		put_str(b, x->name);
		pc_buf_puts(b, ",\"message\":");
		put_str(b, x->message);
		pc_buf_puts(b, ",\"timestamp\":");
		put_time(b, x->at_ms);
		pc_buf_putc(b, '}');
	}
	pc_buf_puts(b, "]}");
}

void pc_emu_pool_json(pc_buf *b, const char *base, const pc_sim_pool *p, int64_t now)
{
	pc_buf_puts(b, "{\"api_version\":\"fcpm/v2\",\"kind\":\"ComputePool\",\"id\":");
	put_str(b, p->id);
	pc_buf_printf(b, ",\"metadata\":{\"self\":\"%s/fcpm/v2/compute-pools/%s\",\"resource_name\":"
		      "\"crn://confluent.cloud/environment=%s/flink-region=%s/compute-pool=%s\",\"created_at\":",
		      base, p->id, p->env, p->region, p->id);
	put_time(b, p->created_ms);
	pc_buf_puts(b, ",\"updated_at\":");
	put_time(b, p->ready_ms);
	pc_buf_puts(b, "},\"spec\":{\"display_name\":");
	put_str(b, p->display_name);
	pc_buf_puts(b, ",\"cloud\":");
	put_str(b, p->cloud);
	pc_buf_puts(b, ",\"region\":");
	put_str(b, p->region);
	pc_buf_printf(b, ",\"max_cfu\":%d,\"enable_ai\":false,\"environment\":{\"id\":", p->max_cfu);
	put_str(b, p->env);
	pc_buf_printf(b, ",\"related\":\"%s/org/v2/environments/%s\",\"resource_name\":"
		      "\"crn://confluent.cloud/environment=%s\"}},\"status\":{\"phase\":", base, p->env, p->env);
	put_str(b, pc_sim_pool_phase(p, now));
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
	put_str(b, cluster);
	pc_buf_puts(b, ",\"topic_name\":");
	put_str(b, t->name);
	pc_buf_printf(b, ",\"is_internal\":false,\"replication_factor\":3,\"partitions_count\":%d", t->partitions);
	for (int i = 0; i < 3; i++) {
		pc_buf_printf(b, ",\"%s\":{\"related\":\"%s/kafka/v3/clusters/%s/topics/", parts[i], base, cluster);
		put_esc(b, t->name);
		pc_buf_printf(b, "/%s\"}", strcmp(parts[i], "partition_reassignments") == 0 ? "partitions/-/reassignment"
											      : parts[i]);
	}
	pc_buf_puts(b, ",\"authorized_operations\":[]}");
}
