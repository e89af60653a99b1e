/*
 * source.h - where the project tree is read from: the working tree (fs) or a
 * git ref read with libgit2 without a checkout (the reconcile loop). The
 * loader reads the pipelines tree only through this interface.
 *
 * Paths are relative to the project root, '/'-separated; "" is the root.
 */
#ifndef PC_MODEL_SOURCE_H
#define PC_MODEL_SOURCE_H

#include "../util/vec.h"

#include <stddef.h>

typedef struct pc_source pc_source;

typedef struct pc_source_ops {
	/* Entries of a directory (names only, sorted, owned char *). PC_ENOTFOUND when absent. */
	int (*list_dir)(pc_source *s, const char *rel, pc_vec *out);
	/* 1 directory, 2 regular file, 0 absent. */
	int (*kind)(pc_source *s, const char *rel);
	/* Whole file, NUL-terminated, owned by the caller. */
	int (*read_file)(pc_source *s, const char *rel, char **out, size_t *len);
	void (*free)(pc_source *s);
} pc_source_ops;

struct pc_source {
	const pc_source_ops *ops;
	void *impl;
	char *root;    /* fs: the root directory; git: the repository directory */
	char *commit;  /* git: full commit id of the tree read; NULL for the working tree */
	int threads;   /* how many threads may call ops at once (the loader reads that many
			* table folders side by side); 0 or 1: one. fs: the cores online; git: 1 */
};

/* The working tree under root (source_fs.c). */
int pc_source_open_fs(pc_source **out, const char *root);
/*
 * A git ref (e.g. "origin/main", "HEAD", a commit id) of the repository that
 * contains repo_dir, read with libgit2 without a checkout; subdir is the
 * project root inside the repository ("" for the top; NULL: where repo_dir
 * itself sits in the work tree). fetch: fetch the ref's remote first
 * (a remote-tracking ref's remote, else the branch's upstream, else origin).
 * s->commit is the full commit id. (source_git.c)
 */
int pc_source_open_git(pc_source **out, const char *repo_dir, const char *ref, const char *subdir, int fetch);
void pc_source_free(pc_source *s);

#endif
