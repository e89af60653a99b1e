/*
 * loader.c - the pipelines tree (docs/manifest-format.md): walk the layers, read each
 * table folder (sql-scripts/ddl.*.sql, dml.*.sql, dml.*.properties,
 * table.yaml), analyze the SQL, then build the graph.
 *
 * Every problem with a file becomes a diagnostic (path relative to the
 * project root, line when known) and loading goes on with what is readable.
 * Anything the tree holds besides those files (shift_left's inventory.json,
 * pipeline_definition.json, Makefiles, tests/, tracking.md, ...) is ignored.
 */
#include "project.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "model_internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 8    /* folders between a layer and a table folder */
#define MAX_THREADS 8  /* loader threads, whatever the number of cores */

static const char *const known_layers[] = {
	"sources", "intermediates", "facts", "dimensions", "views", "seeds", "stage", NULL,
};

typedef struct loader {
	pc_project *p;
	pc_source *src;
} loader;

static char *join(const char *a, const char *b)
{
	if (!a || !a[0])
		return pc_strdup(b);
	return pc_sprintf("%s/%s", a, b);
}

static int has_affixes(const char *s, const char *prefix, const char *suffix)
{
	size_t n = strlen(s), lp = strlen(prefix), ls = strlen(suffix);
	return n > lp + ls && strncmp(s, prefix, lp) == 0 && strcmp(s + n - ls, suffix) == 0;
}

/*
 * Split an error "<file>:<line>: <message>" (or "<file>: <message>") made by
 * a parser that was given file as its label, and add it as a diagnostic.
 */
static void add_error_diag(pc_project *p, const char *file, const char *table, const char *msg)
{
	size_t n = strlen(file);
	int line = 0;

	if (strncmp(msg, file, n) == 0 && msg[n] == ':') {
		const char *q = msg + n + 1;
		if (isdigit((unsigned char)*q)) {
			while (isdigit((unsigned char)*q))
				line = line * 10 + (*q++ - '0');
			if (q[0] == ':' && q[1] == ' ') {
				pc_project_add_diag(p, PC_SEV_ERROR, file, line, table, "%s", q + 2);
				return;
			}
			line = 0;
		} else if (q[0] == ' ') {
			pc_project_add_diag(p, PC_SEV_ERROR, file, 0, table, "%s", q + 1);
			return;
		}
	}
	pc_project_add_diag(p, PC_SEV_ERROR, file, 0, table, "%s", msg);
}

/* Read a file of the tree; a failure is a diagnostic and returns < 0. */
static int read_tree_file(loader *l, const char *rel, const char *table, char **text, size_t *len)
{
	const char *msg, *reason;

	*text = NULL;
	if (l->src->ops->read_file(l->src, rel, text, len) == 0)
		return 0;
	if (l->src->ops->kind(l->src, rel) == 1) {
		pc_project_add_diag(l->p, PC_SEV_ERROR, rel, 0, table, "could not read file: is a directory");
		return PC_EIO;
	}
	/* sources say "could not read '<rel>': <reason>": keep the reason */
	msg = pc_error_last();
	reason = strstr(msg, "': ");
	pc_project_add_diag(l->p, PC_SEV_ERROR, rel, 0, table, "could not read file: %s", reason ? reason + 3 : msg);
	return PC_EIO;
}

static int analyze(loader *l, const char *rel, const char *table, pc_sql_file **out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = read_tree_file(l, rel, table, &text, &len)) < 0)
		return rc;
	rc = pc_sql_analyze(out, rel, text, len);
	if (rc < 0)
		add_error_diag(l->p, rel, table, pc_error_last());
	else
		pc_sql_file_drop_tokens(*out); /* 5-6x the text; nobody reads them after the analysis */
	free(text);
	return rc;
}

/* dml.*.properties: `key=value` lines, `#` and `!` comments, blank lines. */
static int read_properties(loader *l, pc_table *t, const char *rel)
{
	char *text = NULL;
	size_t len = 0;
	int line = 0, bad = 0;

	if (read_tree_file(l, rel, t->name, &text, &len) < 0)
		return PC_EIO;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n'), *eq, *k, *v, *end;
		if (nl)
			*nl = '\0';
		line++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p && *p != '#' && *p != '!') {
			eq = strchr(p, '=');
			if (!eq) {
				pc_project_add_diag(l->p, PC_SEV_ERROR, rel, line, t->name, "expected key=value");
				bad = 1;
			} else {
				k = p;
				end = eq;
				while (end > k && isspace((unsigned char)end[-1]))
					end--;
				*end = '\0';
				v = eq + 1;
				while (isspace((unsigned char)*v))
					v++;
				end = v + strlen(v);
				while (end > v && isspace((unsigned char)end[-1]))
					end--;
				*end = '\0';
				if (!k[0]) {
					pc_project_add_diag(l->p, PC_SEV_ERROR, rel, line, t->name, "empty key before '='");
					bad = 1;
				} else {
					pc_kv_set(&t->dml_properties, k, v);
				}
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	free(text);
	return bad ? PC_EINVALID : 0;
}

static int read_table_yaml(loader *l, pc_table *t, const char *rel)
{
	char *text = NULL;
	size_t len = 0;
	pc_table_yaml ty;

	if (read_tree_file(l, rel, t->name, &text, &len) < 0)
		return PC_EIO;
	if (pc_table_yaml_parse(&ty, rel, text, len) < 0) {
		add_error_diag(l->p, rel, t->name, pc_error_last());
		free(text);
		return PC_EINVALID;
	}
	free(text);
	t->compute_pool = ty.compute_pool;
	t->properties = ty.properties;
	t->protect = ty.protect;
	t->active = ty.active;
	t->statefulness = ty.statefulness;
	t->adopt = ty.adopt;
	t->adopt_line = ty.adopt_line;
	t->strategy = ty.strategy;
	free(t->yaml_path);
	t->yaml_path = pc_strdup(rel);
	if (ty.statefulness == PC_STATE_FORCE_STATEFUL) {
		t->stateful = 1;
		if (!t->analyzed_stateful)
			pc_project_add_diag(l->p, PC_SEV_WARNING, rel, ty.statefulness_line, t->name,
					    "statefulness 'stateful' overrides the analysis, which found '%s' stateless",
					    t->name);
	} else if (ty.statefulness == PC_STATE_FORCE_STATELESS) {
		t->stateful = 0;
		if (t->analyzed_stateful) {
			const pc_state_reason *r = t->state_reasons.len ? t->state_reasons.items[0] : NULL;
			const char *f = t->dml_path ? t->dml_path : t->ddl_path;
			if (r)
				pc_project_add_diag(l->p, PC_SEV_WARNING, rel, ty.statefulness_line, t->name,
						    "statefulness 'stateless' overrides the analysis, which found '%s' "
						    "stateful (%s at %s:%d)",
						    t->name, r->op, f, r->line);
			else
				pc_project_add_diag(l->p, PC_SEV_WARNING, rel, ty.statefulness_line, t->name,
						    "statefulness 'stateless' overrides the analysis, which found '%s' stateful",
						    t->name);
		}
	}
	return 0;
}

/* The name a broken DDL file stands for: ddl.<name>.sql -> <name>. */
static char *name_from_file(const char *file)
{
	return pc_strndup(file + 4, strlen(file) - 8);
}

/* Table name, upsert and ctas from the analyzed DDL. */
static void use_ddl(loader *l, pc_table *t, const char *ddl_file)
{
	const pc_sql_stmt *create = NULL;

	for (size_t i = 0; i < t->ddl->stmts.len; i++) {
		const pc_sql_stmt *s = t->ddl->stmts.items[i];
		for (size_t j = 0; j < s->creates.len; j++) {
			if (!create) {
				create = s;
				continue;
			}
			pc_project_add_diag(l->p, PC_SEV_ERROR, t->ddl_path, s->line, NULL,
					    "a DDL file must create one table; it also creates '%s'",
					    (const char *)s->creates.items[j]);
			t->broken = 1;
		}
	}
	if (!create) {
		t->name = name_from_file(ddl_file);
		pc_project_add_diag(l->p, PC_SEV_ERROR, t->ddl_path, 0, t->name,
				    "no CREATE TABLE statement (expected CREATE TABLE, CREATE TABLE AS or CREATE "
				    "MATERIALIZED TABLE)");
		t->broken = 1;
		return;
	}
	t->name = pc_strdup(pc_sql_base_name(create->creates.items[0]));
	t->upsert = create->upsert;
	memcpy(t->ddl_fingerprint, t->ddl->fingerprint, sizeof(t->ddl_fingerprint));
	if (create->kind == PC_STMT_CREATE_TABLE_AS || create->kind == PC_STMT_CREATE_MATERIALIZED) {
		t->ctas = 1;
		t->analyzed_stateful = create->stateful;
		for (size_t i = 0; i < create->reasons.len; i++)
			pc_vec_push(&t->state_reasons, create->reasons.items[i]);
	}
}

/* The DML must write the DDL's table and nothing else. */
static void use_dml(loader *l, pc_table *t)
{
	int writes = 0;

	for (size_t i = 0; i < t->dml->stmts.len; i++) {
		const pc_sql_stmt *s = t->dml->stmts.items[i];
		for (size_t j = 0; j < s->writes.len; j++) {
			const char *w = s->writes.items[j];
			writes++;
			if (strcmp(pc_sql_base_name(w), t->name) != 0) {
				pc_project_add_diag(l->p, PC_SEV_ERROR, t->dml_path, s->write_lines ? s->write_lines[j] : s->line,
						    t->name, "INSERT INTO '%s' does not match the table '%s' created by '%s'", w,
						    t->name, t->ddl_path);
				t->broken = 1;
			}
		}
		if (s->stateful)
			t->analyzed_stateful = 1;
		for (size_t j = 0; j < s->reasons.len; j++)
			pc_vec_push(&t->state_reasons, s->reasons.items[j]);
	}
	if (!writes) {
		pc_project_add_diag(l->p, PC_SEV_ERROR, t->dml_path, 0, t->name, "no INSERT INTO statement");
		t->broken = 1;
	}
	memcpy(t->dml_fingerprint, t->dml->fingerprint, sizeof(t->dml_fingerprint));
}

/* ASCII lower-case copy. */
static char *lower(const char *s)
{
	char *r = pc_strdup(s);
	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * A file in sql-scripts/ that looks meant to be read and is not: a .sql
 * file not named ddl.* or dml.*, a ddl./dml. file with another extension
 * (dml.x.sq, ddl.x.SQL), a .properties file not named dml.*.
 */
static void warn_misnamed_file(loader *l, const char *scripts, const char *name)
{
	char *low = lower(name), *rel;
	const char *why = NULL;
	int ddl = strncmp(low, "ddl", 3) == 0, dml = strncmp(low, "dml", 3) == 0;

	if (name[0] == '.') {
		free(low);
		return;
	}
	if (ends_with(low, ".sql") || ends_with(low, ".sq") || ends_with(low, ".sqll") || ends_with(low, ".qsl") ||
	    ((ddl || dml) && strchr(low, '.') && !ends_with(low, ".properties")))
		why = ddl ? "a DDL file must be named ddl.<name>.sql"
		      : dml ? "a DML file must be named dml.<name>.sql"
			    : "SQL files must be named ddl.<name>.sql or dml.<name>.sql";
	else if (ends_with(low, ".properties") || ends_with(low, ".propertie"))
		why = "a properties file must be named dml.<name>.properties";
	else if (strcmp(low, "table.yml") == 0 || strcmp(low, "table.yaml") == 0 || strcmp(low, "tabel.yaml") == 0)
		why = "table settings must be in table.yaml";
	free(low);
	if (!why)
		return;
	rel = join(scripts, name);
	pc_project_add_diag(l->p, PC_SEV_WARNING, rel, 0, NULL, "not read: %s", why);
	free(rel);
}

/* A folder name that looks like a misspelled sql-scripts. */
static int looks_like_sql_scripts(const char *name)
{
	int d;
	size_t n = strlen(name);
	if (n < 8 || n > 13 || strcmp(name, "sql-scripts") == 0)
		return 0; /* the distance is at least the difference in length */
	d = pc_sql_edit_distance(name, "sql-scripts", 1);
	return d <= 2 || pc_sql_edit_distance(name, "sql_scripts", 1) <= 1 || pc_sql_edit_distance(name, "sqlscripts", 1) <= 1;
}

static void add_second_file_error(loader *l, const pc_vec *files, const char *scripts, const char *what)
{
	for (size_t i = 1; i < files->len; i++) {
		char *first = join(scripts, files->items[0]);
		char *other = join(scripts, files->items[i]);
		pc_project_add_diag(l->p, PC_SEV_ERROR, other, 0, NULL, "a second %s file in the folder (the first is '%s')",
				    what, first);
		free(first);
		free(other);
	}
}

static void load_table(loader *l, const char *folder, const char *layer, const char *product)
{
	char *scripts = join(folder, "sql-scripts");
	char *yaml_top = join(folder, "table.yaml");
	char *yaml_in = join(scripts, "table.yaml");
	pc_vec entries = PC_VEC_INIT, ddls = PC_VEC_INIT, dmls = PC_VEC_INIT, props = PC_VEC_INIT;
	pc_table *t = NULL;
	const char *yaml = NULL;
	int ky_top, ky_in = 0, yaml_listed = 0;

	if (l->src->ops->list_dir(l->src, scripts, &entries) < 0) {
		pc_project_add_diag(l->p, PC_SEV_ERROR, scripts, 0, NULL, "could not list the folder: %s", pc_error_last());
		goto done;
	}
	for (size_t i = 0; i < entries.len; i++) {
		const char *e = entries.items[i];
		if (has_affixes(e, "ddl.", ".sql"))
			pc_vec_push(&ddls, (void *)e);
		else if (has_affixes(e, "dml.", ".sql"))
			pc_vec_push(&dmls, (void *)e);
		else if (has_affixes(e, "dml.", ".properties"))
			pc_vec_push(&props, (void *)e);
		else if (strcmp(e, "table.yaml") == 0)
			yaml_listed = 1;
		else
			warn_misnamed_file(l, scripts, e);
	}
	if (!ddls.len) {
		if (dmls.len) {
			char *dml = join(scripts, dmls.items[0]);
			pc_project_add_diag(l->p, PC_SEV_ERROR, dml, 0, NULL,
					    "DML without a DDL: no ddl.*.sql in '%s'", scripts);
			free(dml);
		} else {
			pc_project_add_diag(l->p, PC_SEV_WARNING, scripts, 0, NULL,
					    "no ddl.*.sql: the folder is not a table and is ignored");
		}
		goto done;
	}
	add_second_file_error(l, &ddls, scripts, "DDL");
	add_second_file_error(l, &dmls, scripts, "DML");
	add_second_file_error(l, &props, scripts, "properties");

	t = pc_table_new();
	t->folder = pc_strdup(folder);
	t->layer = pc_strdup(layer);
	t->product = pc_strdup(product);
	t->ddl_path = join(scripts, ddls.items[0]);
	if (ddls.len > 1 || dmls.len > 1 || props.len > 1)
		t->broken = 1;
	if (analyze(l, t->ddl_path, NULL, &t->ddl) < 0) {
		t->name = name_from_file(ddls.items[0]);
		t->broken = 1;
	} else {
		use_ddl(l, t, ddls.items[0]);
	}
	if (dmls.len) {
		t->dml_path = join(scripts, dmls.items[0]);
		if (t->ctas) {
			pc_project_add_diag(l->p, PC_SEV_ERROR, t->dml_path, 0, t->name,
					    "'%s' is created by a CREATE TABLE AS in '%s', which is its DML; remove this file "
					    "or the AS query",
					    t->name, t->ddl_path);
			t->broken = 1;
		}
		if (analyze(l, t->dml_path, t->name, &t->dml) < 0)
			t->broken = 1;
		else if (!t->ctas)
			use_dml(l, t);
	}
	t->stateful = t->analyzed_stateful;
	if (props.len) {
		t->props_path = join(scripts, props.items[0]);
		if (read_properties(l, t, t->props_path) < 0)
			t->broken = 1;
	}
	ky_top = l->src->ops->kind(l->src, yaml_top);
	if (yaml_listed)
		ky_in = l->src->ops->kind(l->src, yaml_in);
	if (ky_top && ky_in) {
		pc_project_add_diag(l->p, PC_SEV_ERROR, yaml_in, 0, t->name, "a second table.yaml (the first is '%s')",
				    yaml_top);
		t->broken = 1;
	}
	yaml = ky_top ? yaml_top : ky_in ? yaml_in : NULL;
	if (yaml && read_table_yaml(l, t, yaml) < 0)
		t->broken = 1;
	pc_vec_push(&l->p->tables, t);
done:
	pc_vec_dispose(&entries, free);
	pc_vec_dispose(&ddls, NULL);
	pc_vec_dispose(&dmls, NULL);
	pc_vec_dispose(&props, NULL);
	free(scripts);
	free(yaml_top);
	free(yaml_in);
}

/*
 * The walk and the table folders. The walk (listing the layer and product
 * folders) runs on the calling thread and queues one job per table folder;
 * worker threads read and analyze the table folders as they are queued.
 * Opening and reading files is most of a load's time, so on two cores one
 * thread's reads overlap the other's. Each job keeps its own diagnostics and
 * table, merged in walk order at the end: the result does not depend on the
 * number of threads or on which thread ran what.
 */
typedef enum { JOB_TABLE, JOB_DIAGS, JOB_IF_TABLES } job_kind;

typedef struct job {
	job_kind kind;
	char *folder;      /* JOB_TABLE: the table folder */
	const char *layer; /* JOB_TABLE: a known_layers entry or "unknown" (static) */
	char *product;     /* JOB_TABLE: NULL when none */
	size_t from;       /* JOB_IF_TABLES: its diagnostics count only if a job in [from, this) loaded a table */
	pc_project *out;   /* owned scratch: only diags, n_errors, n_warnings and tables (0 or 1) are used */
} job;

typedef struct walker {
	pc_source *src;
	pc_vec jobs;  /* job *, owned, in walk order; pushed by the walk only, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next;  /* the first job no thread has taken (under mu) */
	int walking;  /* the walk may still queue jobs (under mu) */
} walker;

static job *push_job(walker *w, job_kind kind)
{
	job *j = PC_NEW(job);
	j->kind = kind;
	j->out = PC_NEW(pc_project);
	pthread_mutex_lock(&w->mu);
	pc_vec_push(&w->jobs, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return j;
}

/* Where the walk's own diagnostics go: the last job when it holds diagnostics, else a new one. */
static pc_project *walk_diags(walker *w)
{
	/* only the walk's thread writes jobs: it may read them without the lock */
	job *last = w->jobs.len ? w->jobs.items[w->jobs.len - 1] : NULL;
	if (!last || last->kind != JOB_DIAGS)
		last = push_job(w, JOB_DIAGS);
	return last->out;
}

/* Diagnostics that count only when a job queued from index `from` on loads a table. */
static pc_project *walk_diags_if_tables(walker *w, size_t from)
{
	job *j = push_job(w, JOB_IF_TABLES);
	j->from = from;
	return j->out;
}

static void queue_table(walker *w, const char *folder, const char *layer, const char *product)
{
	job *j = PC_NEW(job);
	j->kind = JOB_TABLE;
	j->folder = pc_strdup(folder);
	j->layer = layer;
	j->product = product ? pc_strdup(product) : NULL;
	j->out = PC_NEW(pc_project);
	pthread_mutex_lock(&w->mu);
	pc_vec_push(&w->jobs, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Take table jobs until the walk is over and none is left; run by every thread. */
static void *work(void *arg)
{
	walker *w = arg;
	for (;;) {
		job *j = NULL;
		pthread_mutex_lock(&w->mu);
		for (;;) {
			while (w->next < w->jobs.len && ((job *)w->jobs.items[w->next])->kind != JOB_TABLE)
				w->next++;
			if (w->next < w->jobs.len) {
				j = w->jobs.items[w->next++];
				break;
			}
			if (!w->walking)
				break;
			pthread_cond_wait(&w->cv, &w->mu);
		}
		pthread_mutex_unlock(&w->mu);
		if (!j)
			return NULL;
		loader l = { j->out, w->src };
		load_table(&l, j->folder, j->layer, j->product);
	}
}

static int is_table_folder(walker *w, const char *rel)
{
	char *scripts = join(rel, "sql-scripts");
	int k = w->src->ops->kind(w->src, scripts);
	free(scripts);
	return k == 1;
}

/* Folders under a layer: product folders, table folders, anything nested. */
static void descend(walker *w, const char *dir, const char *layer, const char *product, int depth)
{
	pc_vec entries = PC_VEC_INIT;
	int k;

	if (w->src->ops->list_dir(w->src, dir, &entries) < 0) {
		pc_project_add_diag(walk_diags(w), PC_SEV_ERROR, dir, 0, NULL, "could not list the folder: %s",
				    pc_error_last());
		return;
	}
	for (size_t i = 0; i < entries.len; i++) {
		const char *name = entries.items[i];
		char *rel;
		/* hidden folders and shift_left's tests/ folders are not tables */
		if (name[0] == '.' || strcmp(name, "tests") == 0 || strcmp(name, "sql-scripts") == 0)
			continue;
		rel = join(dir, name);
		k = w->src->ops->kind(w->src, rel);
		if (k == 1 && looks_like_sql_scripts(name)) {
			pc_project_add_diag(walk_diags(w), PC_SEV_WARNING, rel, 0, NULL,
					    "not read: a table folder holds its SQL in 'sql-scripts/', not '%s/'", name);
		} else if (k == 1) {
			if (is_table_folder(w, rel))
				queue_table(w, rel, layer, product);
			else if (depth < MAX_DEPTH)
				descend(w, rel, layer, product ? product : name, depth + 1);
		} else if (k == 2 && (has_affixes(name, "ddl.", ".sql") || has_affixes(name, "dml.", ".sql"))) {
			pc_project_add_diag(walk_diags(w), PC_SEV_WARNING, rel, 0, NULL,
					    "not read: SQL files of a table go in its 'sql-scripts/' folder");
		}
		free(rel);
	}
	pc_vec_dispose(&entries, free);
}

static void walk_pipelines(walker *w, const char *pipelines)
{
	pc_vec layers = PC_VEC_INIT;

	if (w->src->ops->list_dir(w->src, pipelines, &layers) < 0) {
		pc_project_add_diag(walk_diags(w), PC_SEV_ERROR, pipelines, 0, NULL, "could not list the folder: %s",
				    pc_error_last());
		return;
	}
	for (size_t i = 0; i < layers.len; i++) {
		const char *name = layers.items[i];
		const char *layer = "unknown";
		char *rel;
		size_t before = w->jobs.len;

		if (name[0] == '.' || strcmp(name, "tests") == 0)
			continue;
		rel = join(pipelines, name);
		if (w->src->ops->kind(w->src, rel) != 1) {
			free(rel);
			continue;
		}
		for (size_t k = 0; known_layers[k]; k++)
			if (strcmp(known_layers[k], name) == 0)
				layer = known_layers[k];
		if (is_table_folder(w, rel)) {
			queue_table(w, rel, "unknown", NULL);
			pc_project_add_diag(walk_diags_if_tables(w, before), PC_SEV_WARNING, rel, 0, NULL,
					    "table folder directly under '%s' has no layer: its layer is 'unknown'",
					    pipelines);
		} else {
			descend(w, rel, layer, NULL, 0);
			if (strcmp(layer, "unknown") == 0)
				pc_project_add_diag(walk_diags_if_tables(w, before), PC_SEV_WARNING, rel, 0, NULL,
						    "unknown layer '%s' (expected sources, intermediates, facts, dimensions, "
						    "views, seeds or stage): its tables get layer 'unknown'",
						    name);
		}
		free(rel);
	}
	pc_vec_dispose(&layers, free);
}

static void move_all(pc_vec *to, pc_vec *from)
{
	for (size_t i = 0; i < from->len; i++)
		pc_vec_push(to, from->items[i]);
	from->len = 0;
}

/* The jobs' diagnostics and tables into p, in walk order; frees the jobs. */
static void merge_jobs(pc_project *p, pc_vec *jobs)
{
	size_t *loaded = pc_calloc(jobs->len + 1, sizeof(size_t)); /* tables loaded by the jobs before index i */

	for (size_t i = 0; i < jobs->len; i++) {
		job *j = jobs->items[i];
		loaded[i] = p->tables.len;
		if (j->kind != JOB_IF_TABLES || p->tables.len > loaded[j->from]) {
			move_all(&p->diags, &j->out->diags);
			p->n_errors += j->out->n_errors;
			p->n_warnings += j->out->n_warnings;
			move_all(&p->tables, &j->out->tables);
		}
		pc_project_free(j->out);
		free(j->folder);
		free(j->product);
		free(j);
	}
	free(loaded);
	jobs->len = 0;
}

/* Walk the tree and load its table folders on up to src->threads threads. */
static void load_tree(pc_project *p, pc_source *src, const char *pipelines)
{
	walker w = { .src = src, .walking = 1 };
	pthread_t th[MAX_THREADS];
	int n = 0, want = src->threads > MAX_THREADS ? MAX_THREADS : src->threads;

	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	/* the walk is mostly waiting for the kernel too: as many workers as cores, the walk beside them */
	for (int i = 0; want > 1 && i < want; i++)
		if (pthread_create(&th[n], NULL, work, &w) == 0)
			n++;
	walk_pipelines(&w, pipelines);
	pthread_mutex_lock(&w.mu);
	w.walking = 0;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	work(&w); /* the walk's thread takes what is left; alone when there are no workers */
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	merge_jobs(p, &w.jobs);
	pc_vec_dispose(&w.jobs, NULL);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

/*
 * `externals:` of pipectl.yaml: each DDL, when given, is read from the tree
 * and must create the declared table (and nothing else). A declared name that
 * a DDL of the tree creates is a warning: the tree wins.
 */
static void load_externals(loader *l)
{
	const pc_config *c = l->p->config;
	const char *label = c->path ? c->path : "pipectl.yaml";
	for (size_t i = 0; i < c->externals.len; i++) {
		const pc_external_cfg *xc = c->externals.items[i];
		pc_external *x = PC_NEW(pc_external);
		pc_vec_push(&l->p->externals, x);
		x->name = pc_strdup(xc->name);
		x->line = xc->line;
		x->ddl_path = pc_strdup(xc->ddl);
		for (size_t k = 0; k < l->p->tables.len; k++) {
			const pc_table *t = l->p->tables.items[k];
			if (t->name && strcmp(t->name, pc_sql_base_name(xc->name)) == 0)
				pc_project_add_diag(l->p, PC_SEV_WARNING, label, xc->line, NULL,
						    "external table '%s' is also created by '%s': the tree's DDL is used",
						    xc->name, t->ddl_path);
		}
		if (xc->ddl) {
			char *text = NULL;
			size_t len = 0;
			pc_sql_file *f = NULL;
			const char *created = NULL;
			if (read_tree_file(l, xc->ddl, NULL, &text, &len) < 0)
				continue;
			if (pc_sql_analyze(&f, xc->ddl, text, len) < 0) {
				add_error_diag(l->p, xc->ddl, NULL, pc_error_last());
				free(text);
				continue;
			}
			for (size_t s = 0; s < f->stmts.len && !created; s++) {
				const pc_sql_stmt *st = f->stmts.items[s];
				if (st->creates.len)
					created = st->creates.items[0];
			}
			if (!created || strcmp(pc_sql_base_name(created), pc_sql_base_name(xc->name)) != 0)
				pc_project_add_diag(l->p, PC_SEV_ERROR, xc->ddl, 0, NULL,
						    "the DDL of external table '%s' must create it%s%s%s", xc->name,
						    created ? " (it creates '" : "", created ? created : "", created ? "')" : "");
			else {
				x->ddl_sql = text;
				text = NULL;
			}
			pc_sql_file_free(f);
			free(text);
		}
	}
}

int pc_project_load_from(pc_project **out, pc_config *cfg, pc_source *src)
{
	pc_project *p = NULL;
	pc_source *own = NULL;
	char *pipelines = NULL;
	loader l;
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!src) {
		if ((rc = pc_source_open_fs(&own, cfg->root)) < 0)
			return rc;
		src = own;
	}
	pipelines = pc_strdup(cfg->pipelines);
	n = strlen(pipelines);
	while (n > 1 && pipelines[n - 1] == '/')
		pipelines[--n] = '\0';
	if (src->ops->kind(src, pipelines) != 1) {
		rc = pc_error_set(PC_ENOTFOUND, "no pipelines folder '%s' in '%s'", pipelines, cfg->root);
		goto done;
	}
	p = PC_NEW(pc_project);
	p->config = cfg;
	p->root = pc_strdup(cfg->root);
	p->commit = pc_strdup(src->commit);
	pc_map_init(&p->by_name);
	load_tree(p, src, pipelines);
	l.p = p;
	l.src = src;
	load_externals(&l);
	pc_graph_build(p);
	*out = p;
done:
	free(pipelines);
	pc_source_free(own);
	return rc;
}

int pc_project_load(pc_project **out, const char *root, const char *config_path)
{
	pc_config *cfg = NULL;
	int rc;

	*out = NULL;
	if ((rc = pc_config_load(&cfg, root, config_path)) < 0)
		return rc;
	if ((rc = pc_project_load_from(out, cfg, NULL)) < 0) {
		pc_config_free(cfg);
		return rc;
	}
	(*out)->owns_config = 1;
	return 0;
}
