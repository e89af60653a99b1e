/*
 * cmd_new.c - `pipectl new table NAME --layer L [--product P] [--from
 * PARENT...] [--table-yaml]`: the folder of a new table with a DDL and a DML
 * skeleton that reads its parents (and a table.yaml only when asked), so
 * that `validate` passes at once. The DDL takes the columns of the first
 * parent (its column block, as written); without a parent it has one.
 */
#include "args.h"
#include "cli.h"
#include "output.h"
#include "../util/suggest.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/vec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const std_layers[] = { "sources", "intermediates", "facts", "dimensions", "views" };

static int is_identifier(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* sql without its comments (-- to the end of the line, and block comments); owned. */
static char *without_comments(const char *sql)
{
	pc_buf b = PC_BUF_INIT;
	for (const char *s = sql; *s; s++) {
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');
			size_t n = e ? (size_t)(e - s) + 1 : strlen(s);
			pc_buf_put(&b, s, n);
			s += n - 1;
		} else if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n") - 1;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			s = e ? e + 1 : s + strlen(s) - 1;
		} else {
			pc_buf_putc(&b, *s);
		}
	}
	return b.ptr ? pc_buf_detach(&b) : pc_strdup("");
}

/* The column block of a CREATE TABLE: the text between the '(' after the
 * table name and the matching ')', comments removed, or NULL. */
static char *column_block(const char *ddl)
{
	char *text = ddl ? without_comments(ddl) : NULL, *out = NULL;
	const char *p = text ? strchr(text, '(') : NULL, *s;
	int depth = 0;
	if (!p) {
		free(text);
		return NULL;
	}
	for (s = p; *s; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0) {
			out = pc_strndup(p + 1, (size_t)(s - p - 1));
			break;
		} else if (*s == '\'') /* a string literal: skip it */
			while (s[1] && *++s != '\'')
				;
	}
	free(text);
	return out;
}

static int write_new(const char *path, const char *text)
{
	if (pc_fs_is_file(path))
		return pc_error_set(PC_EEXISTS, "%s: already exists", path);
	return pc_fs_write_atomic(path, text, strlen(text));
}

int pc_cmd_new(const pc_cli *cli, int argc, char **argv)
{
	const pc_command *cmd = pc_cli_find("new");
	pc_args args = PC_ARGS_INIT(argc, argv);
	pc_vec owned = PC_VEC_INIT, from = PC_VEC_INIT, layers = PC_VEC_INIT, products = PC_VEC_INIT, names = PC_VEC_INIT;
	const char *kind = NULL, *name = NULL, *layer = NULL, *product = NULL, *best;
	int table_yaml = 0, m, rc, status = PC_EXIT_ERROR;
	pc_project *p = NULL;
	pc_buf ddl = PC_BUF_INIT, dml = PC_BUF_INIT;
	char *folder = NULL, *dir = NULL, *ddl_path = NULL, *dml_path = NULL, *yaml_path = NULL, *cols = NULL;

	if (pc_cli_wants_help("new", argc, argv))
		return PC_EXIT_OK;
	while (pc_args_next(&args)) {
		if ((m = pc_args_value(&args, "--layer")) > 0)
			layer = args.value;
		else if (m == 0 && (m = pc_args_value(&args, "--product")) > 0)
			product = args.value;
		else if (m == 0 && (m = pc_args_value(&args, "--from")) > 0) {
			/* --from A --from B, or --from A,B */
			const char *s = args.value;
			while (*s) {
				size_t n = strcspn(s, ",");
				if (n)
					pc_vec_push(&owned, pc_strndup(s, n)), pc_vec_push(&from, owned.items[owned.len - 1]);
				s += n + (s[n] == ',');
			}
		}
		else if (m < 0) {
			status = pc_cli_usage_error(cmd, "%s needs a value", args.arg);
			goto done;
		} else if (pc_args_flag(&args, "--table-yaml", NULL))
			table_yaml = 1;
		else if (pc_args_is_option(&args)) {
			status = pc_cli_usage_error(cmd, "unknown option '%s'", args.arg);
			goto done;
		} else if (!kind)
			kind = args.arg;
		else if (!name)
			name = args.arg;
		else {
			status = pc_cli_usage_error(cmd, "unexpected argument '%s'", args.arg);
			goto done;
		}
	}
	if (!kind || strcmp(kind, "table") != 0) {
		status = pc_cli_usage_error(cmd, kind ? "'pipectl new %s': only 'new table' exists" : "what to create: 'new table NAME'", kind);
		goto done;
	}
	if (!name || !layer) {
		status = pc_cli_usage_error(cmd, "new table needs NAME and --layer");
		goto done;
	}
	if (!is_identifier(name) || (product && !is_identifier(product)) || !is_identifier(layer)) {
		status = pc_cli_usage_error(cmd, "'%s' is not a name pipectl scaffolds: letters, digits and '_', not first a digit",
					    !is_identifier(name) ? name : !is_identifier(layer) ? layer : product);
		goto done;
	}
	if ((rc = pc_out_load_project(&p, cli)) != 0) {
		status = rc;
		goto done;
	}
	/* known layers and products; did you mean */
	for (size_t i = 0; i < sizeof std_layers / sizeof std_layers[0]; i++)
		pc_vec_push(&layers, (void *)std_layers[i]);
	for (size_t i = 0; i < p->tables.len; i++) {
		const pc_table *t = p->tables.items[i];
		pc_vec_push(&names, t->name);
		if (t->layer && pc_vec_find_str(&layers, t->layer) < 0)
			pc_vec_push(&layers, t->layer);
		if (t->product && pc_vec_find_str(&products, t->product) < 0)
			pc_vec_push(&products, t->product);
	}
	if (pc_vec_find_str(&layers, layer) < 0) {
		best = pc_suggest(layer, (const char *const *)layers.items, layers.len);
		if (best)
			pc_cli_error("unknown layer '%s' (did you mean '%s'?)", layer, best);
		else
			pc_cli_error("unknown layer '%s': the layers are sources, intermediates, facts, dimensions, views "
				     "and those of the project", layer);
		goto done;
	}
	if (product && pc_vec_find_str(&products, product) < 0 &&
	    (best = pc_suggest(product, (const char *const *)products.items, products.len)) != NULL)
		pc_cli_warning("'%s' is a new product (did you mean '%s'?)", product, best);
	if (pc_project_table(p, name)) {
		pc_cli_error("table '%s' exists already: %s", name, pc_project_table(p, name)->ddl_path);
		goto done;
	}
	for (size_t i = 0; i < from.len; i++) {
		const char *f = from.items[i];
		if (!pc_project_table(p, f)) {
			best = pc_suggest(f, (const char *const *)names.items, names.len);
			if (best)
				pc_cli_error("unknown table '%s' in --from (did you mean '%s'?)", f, best);
			else
				pc_cli_error("unknown table '%s' in --from", f);
			goto done;
		}
	}

	folder = product ? pc_sprintf("%s/%s/%s/%s", p->config->pipelines, layer, product, name)
			 : pc_sprintf("%s/%s/%s", p->config->pipelines, layer, name);
	dir = pc_sprintf("%s/%s/sql-scripts", p->root, folder);
	if (pc_fs_is_dir(dir)) {
		pc_cli_error("%s/sql-scripts: already exists", folder);
		goto done;
	}
	if (from.len) {
		const pc_table *first = pc_project_table(p, from.items[0]);
		cols = column_block(first->ddl ? first->ddl->text : NULL);
	}
	pc_buf_printf(&ddl, "-- %s: layer %s%s%s. Its columns; the DML must produce them in this order.\n", name,
		      layer, product ? ", product " : "", product ? product : "");
	if (cols)
		pc_buf_printf(&ddl, "-- (copied from %s: keep what %s writes)\n", (const char *)from.items[0], name);
	pc_buf_printf(&ddl, "CREATE TABLE %s (%s%s);\n", name, cols ? cols : "\n  id STRING NOT NULL\n",
		      cols && cols[strlen(cols) - 1] != '\n' ? "\n" : "");
	ddl_path = pc_sprintf("%s/ddl.%s.sql", dir, name);
	if (from.len) {
		pc_buf_printf(&dml, "-- %s: what it reads and how. A change to a stateless statement is a\n"
				    "-- replace (offsets carried over); GROUP BY, joins, OVER make it stateful.\n"
				    "INSERT INTO %s\n", name, name);
		for (size_t i = 0; i < from.len; i++)
			pc_buf_printf(&dml, "%sSELECT *\nFROM %s", i ? "\nUNION ALL\n" : "", (const char *)from.items[i]);
		pc_buf_puts(&dml, ";\n");
		dml_path = pc_sprintf("%s/dml.%s.sql", dir, name);
	}
	if ((rc = pc_fs_mkdirs(dir)) < 0 || (rc = write_new(ddl_path, ddl.ptr)) < 0 ||
	    (dml_path && (rc = write_new(dml_path, dml.ptr)) < 0)) {
		pc_cli_error("%s", pc_error_last());
		goto done;
	}
	printf("created %s/sql-scripts/ddl.%s.sql\n", folder, name);
	if (dml_path)
		printf("created %s/sql-scripts/dml.%s.sql\n", folder, name);
	if (table_yaml) {
		static const char yaml[] = "# Settings of this table (docs/manifest-format.md); every key is optional.\n"
					   "# compute_pool: lfcp-xxxxx     # the pool of its statements\n"
					   "# protect: true                # a change that would drop it is an error\n"
					   "# statefulness: stateful       # override the analysis (stateful|stateless)\n"
					   "# properties:\n"
					   "#   sql.state-ttl: 7 d\n";
		yaml_path = pc_sprintf("%s/%s/table.yaml", p->root, folder);
		if ((rc = write_new(yaml_path, yaml)) < 0) {
			pc_cli_error("%s", pc_error_last());
			goto done;
		}
		printf("created %s/table.yaml\n", folder);
	}
	printf("Next: edit the SQL, then 'pipectl validate' and 'pipectl plan'.\n");
	status = PC_EXIT_OK;
done:
	free(folder);
	free(dir);
	free(ddl_path);
	free(dml_path);
	free(yaml_path);
	free(cols);
	pc_buf_dispose(&ddl);
	pc_buf_dispose(&dml);
	pc_vec_dispose(&from, NULL);
	pc_vec_dispose(&owned, free);
	pc_vec_dispose(&layers, NULL);
	pc_vec_dispose(&products, NULL);
	pc_vec_dispose(&names, NULL);
	pc_project_free(p);
	return status;
}
