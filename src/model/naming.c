/*
 * naming.c - deterministic statement names and labels (docs/naming.md).
 */
#include "naming.h"
#include "sql.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The prefix part of a name is cut to this length so the table keeps room. */
#define PREFIX_MAX 40
#define HASH_LEN 8

static const char *const kind_names[] = { "ddl", "dml", "drop" };

const char *pc_name_kind_str(pc_name_kind k)
{
	if ((unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]))
		return kind_names[k];
	return "?";
}

int pc_name_kind_parse(const char *s, pc_name_kind *out)
{
	size_t i;
	for (i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!strcmp(s, kind_names[i])) {
			*out = (pc_name_kind)i;
			return 0;
		}
	}
	return pc_error_set(PC_EINVALID, "unknown statement kind '%s'", s ? s : "");
}

static int is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

char *pc_naming_slug(const char *s, size_t max)
{
	pc_buf b = PC_BUF_INIT;
	int dash = 0;
	const char *p;

	for (p = s ? s : ""; *p; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (is_alnum_lower(c)) {
			if (dash && b.len)
				pc_buf_putc(&b, '-');
			dash = 0;
			pc_buf_putc(&b, c);
		} else {
			dash = 1;
		}
	}
	if (max && b.len > max)
		pc_buf_truncate(&b, max);
	while (b.len && b.ptr[b.len - 1] == '-')
		pc_buf_truncate(&b, b.len - 1);
	if (!b.len)
		pc_buf_putc(&b, 'x');
	return pc_buf_detach(&b);
}

static int kv_cmp(const void *a, const void *b)
{
	const pc_kv *x = a, *y = b;
	return strcmp(x->key, y->key);
}

void pc_naming_dml_fp(char out[33], const char *sql_fp, const pc_kvlist *props)
{
	pc_hash h;
	pc_vec sorted = PC_VEC_INIT;
	size_t i;

	pc_hash_init(&h);
	pc_hash_update_str(&h, "dml");
	pc_hash_update_str(&h, sql_fp ? sql_fp : "");
	if (props) {
		for (i = 0; i < props->len; i++)
			pc_vec_push(&sorted, props->items[i]);
		pc_vec_sort(&sorted, kv_cmp);
		for (i = 0; i < sorted.len; i++) {
			const pc_kv *kv = sorted.items[i];
			pc_hash_update_str(&h, kv->key);
			pc_hash_update_str(&h, kv->value ? kv->value : "");
		}
	}
	pc_hash_hex(&h, out);
	pc_vec_dispose(&sorted, NULL);
}

/*
 * Slug of a physical table name in at most room characters: a version
 * suffix "_v<N>" survives the cut as "-v<N>" (the logical part is cut).
 */
static char *version_slug(const char *table, size_t room)
{
	size_t llen;
	int v;
	char suffix[16], *logical, *slug, *out;

	if (!table || !pc_naming_version_split(table, &llen, &v))
		return pc_naming_slug(table, room);
	snprintf(suffix, sizeof(suffix), "-v%d", v);
	if (room <= strlen(suffix) + 1)
		return pc_naming_slug(table, room);
	logical = pc_strndup(table, llen);
	slug = pc_naming_slug(logical, room - strlen(suffix));
	out = pc_sprintf("%s%s", slug, suffix);
	free(logical);
	free(slug);
	return out;
}

char *pc_naming_statement(const char *prefix, pc_name_kind kind, const char *table,
			  const char *content_fp, const char *nonce)
{
	pc_hash h;
	char hex[33];
	char *pfx, *slug, *name;
	size_t fixed, room;

	pc_hash_init(&h);
	pc_hash_update_str(&h, pc_name_kind_str(kind));
	pc_hash_update_str(&h, table ? table : "");
	pc_hash_update_str(&h, content_fp ? content_fp : "");
	pc_hash_update_str(&h, nonce ? nonce : "");
	pc_hash_hex(&h, hex);
	hex[HASH_LEN] = '\0';

	pfx = pc_naming_slug(prefix, PREFIX_MAX);
	/* "<pfx>-pc-<kind>-" + slug + "-" + hash8 */
	fixed = strlen(pfx) + 4 + strlen(pc_name_kind_str(kind)) + 1 + 1 + HASH_LEN;
	room = fixed < PC_NAME_MAX ? PC_NAME_MAX - fixed : 1;
	slug = version_slug(table, room);
	name = pc_sprintf("%s-pc-%s-%s-%s", pfx, pc_name_kind_str(kind), slug, hex);
	free(pfx);
	free(slug);
	return name;
}

/* One dot-separated part: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
static int valid_part(const char *s, size_t n)
{
	size_t i;
	if (!n || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!is_alnum_lower(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int pc_naming_valid(const char *name)
{
	const char *p, *dot;
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	if (!n || n > PC_NAME_MAX)
		return 0;
	for (p = name;; p = dot + 1) {
		dot = strchr(p, '.');
		if (!valid_part(p, dot ? (size_t)(dot - p) : strlen(p)))
			return 0;
		if (!dot)
			return 1;
	}
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int pc_naming_label_value_ok(const char *v)
{
	size_t i, n;
	if (!v)
		return 0;
	n = strlen(v);
	if (!n || n > PC_LABEL_VALUE_MAX || !label_char(v[0]) || !label_char(v[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!label_char(v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
			return 0;
	return 1;
}

void pc_naming_labels(pc_kvlist *out, pc_name_kind kind, const char *table,
		      const char *stmt_fp, const char *sql_fp, const char *ddl_fp)
{
	char *slug = pc_naming_slug(table, PC_LABEL_VALUE_MAX);

	pc_kv_set(out, PC_LABEL_MANAGED, "true");
	pc_kv_set(out, PC_LABEL_KIND, pc_name_kind_str(kind));
	pc_kv_set(out, PC_LABEL_TABLE, slug);
	if (pc_naming_label_value_ok(table))
		pc_kv_set(out, PC_LABEL_TABLE_NAME, table);
	if (stmt_fp && *stmt_fp)
		pc_kv_set(out, PC_LABEL_FP, stmt_fp);
	if (kind == PC_NAME_DML) {
		if (sql_fp && *sql_fp)
			pc_kv_set(out, PC_LABEL_SQL_FP, sql_fp);
		if (ddl_fp && *ddl_fp)
			pc_kv_set(out, PC_LABEL_DDL_FP, ddl_fp);
	}
	free(slug);
}

static int is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* rest = "<kind>-<slug>-<8 hex>": kind on success. */
static int parse_rest(const char *rest, pc_name_kind *kind)
{
	size_t i, n = strlen(rest), klen = 0;
	const char *slug, *h;
	pc_name_kind k;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		klen = strlen(kind_names[i]);
		if (!strncmp(rest, kind_names[i], klen) && rest[klen] == '-')
			break;
	}
	if (i == sizeof(kind_names) / sizeof(kind_names[0]))
		return 0;
	k = (pc_name_kind)i;
	slug = rest + klen + 1;
	if (n < klen + 1 + 1 + 1 + HASH_LEN)
		return 0;
	h = rest + n - HASH_LEN;
	if (h[-1] != '-' || h - 1 <= slug)
		return 0;
	for (i = 0; i < HASH_LEN; i++)
		if (!is_hex_lower(h[i]))
			return 0;
	if (!valid_part(slug, (size_t)(h - 1 - slug)))
		return 0;
	*kind = k;
	return 1;
}

int pc_naming_is_managed(const char *name, const pc_kvlist *labels, const char *prefix,
			 pc_name_kind *kind)
{
	char *pfx;
	size_t plen;
	int managed = 0, has_label;
	pc_name_kind k = PC_NAME_DML, lk = PC_NAME_DML;
	const char *v;

	if (!name)
		return 0;
	pfx = pc_naming_slug(prefix, PREFIX_MAX);
	plen = strlen(pfx);
	if (strncmp(name, pfx, plen) || strncmp(name + plen, "-pc-", 4)) {
		free(pfx);
		return 0;
	}
	free(pfx);
	v = labels ? pc_kv_get(labels, PC_LABEL_MANAGED) : NULL;
	has_label = v && !strcmp(v, "true");
	if (parse_rest(name + plen + 4, &k))
		managed = 1;
	else if (has_label)
		managed = 1;
	if (!managed)
		return 0;
	v = labels ? pc_kv_get(labels, PC_LABEL_KIND) : NULL;
	if (v && pc_name_kind_parse(v, &lk) == 0)
		k = lk;
	else
		pc_error_clear();
	if (kind)
		*kind = k;
	return 1;
}

char *pc_naming_table_from_sql(const char *sql, pc_name_kind kind)
{
	pc_sql_file *f = NULL;
	char *name = NULL;
	size_t i;

	if (!sql || pc_sql_analyze(&f, "<statement>", sql, strlen(sql)) < 0) {
		pc_error_clear();
		return NULL;
	}
	for (i = 0; i < f->stmts.len && !name; i++) {
		const pc_sql_stmt *s = f->stmts.items[i];
		const pc_vec *v = kind == PC_NAME_DROP ? &s->drops : kind == PC_NAME_DDL ? &s->creates : &s->writes;
		if (v->len)
			name = pc_strdup(pc_sql_base_name(v->items[0]));
		else if (kind == PC_NAME_DML && s->creates.len) /* CTAS */
			name = pc_strdup(pc_sql_base_name(s->creates.items[0]));
	}
	pc_sql_file_free(f);
	return name;
}

/* ---- blue/green versions ---- */

char *pc_naming_physical(const char *logical, int version)
{
	if (version <= 1)
		return pc_strdup(logical ? logical : "");
	return pc_sprintf("%s_v%d", logical ? logical : "", version);
}

int pc_naming_version_split(const char *physical, size_t *logical_len, int *version)
{
	size_t n = physical ? strlen(physical) : 0, i = n;
	long v = 0;

	while (i > 0 && physical[i - 1] >= '0' && physical[i - 1] <= '9')
		i--;
	/* digits: 1 to 4 of them, no leading zero, "_v" before, something before that */
	if (i < n && n - i <= 4 && physical[i] != '0' && i >= 3 && physical[i - 1] == 'v' && physical[i - 2] == '_') {
		v = strtol(physical + i, NULL, 10);
		if (v >= 2 && v <= PC_VERSION_MAX) {
			if (logical_len)
				*logical_len = i - 2;
			if (version)
				*version = (int)v;
			return 1;
		}
	}
	if (logical_len)
		*logical_len = n;
	if (version)
		*version = 1;
	return 0;
}

void pc_naming_version_parse(const char *physical, pc_naming_known_fn known, void *ctx, char **logical,
			     int *version)
{
	size_t llen;
	int v;
	char *base;

	if (!physical)
		physical = "";
	if (known && known(ctx, physical)) {
		*logical = pc_strdup(physical);
		*version = 1;
		return;
	}
	if (!pc_naming_version_split(physical, &llen, &v)) {
		*logical = pc_strdup(physical);
		*version = 1;
		return;
	}
	base = pc_strndup(physical, llen);
	if (known && !known(ctx, base)) {
		free(base);
		*logical = pc_strdup(physical);
		*version = 1;
		return;
	}
	*logical = base;
	*version = v;
}
