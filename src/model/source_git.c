/*
 * source_git.c - the project tree as it is in a git commit, read with libgit2
 * straight from the object database: no checkout, no working tree touched.
 * The reconcile loop uses it for `--git-ref origin/main`.
 *
 * The commit is resolved once, when the source is opened: every read of this
 * source sees the same tree, so a loader never mixes two commits even while
 * someone pushes or a fetch runs.
 */
#include "source.h"

#include "../util/alloc.h"
#include "../util/error.h"

#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

typedef struct git_impl {
	git_repository *repo;
	git_commit *commit;
	git_tree *tree;   /* the project root inside the commit */
} git_impl;

/* The libgit2 message of the last failure, or a fallback. */
static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

static int set_git_error(int code, const char *what, const char *subject)
{
	return pc_error_set(code, "%s '%s': %s", what, subject, git_msg());
}

/*
 * The tree at rel ("" = the root). *owned is set when the caller must free
 * the tree (not the root one). Returns PC_ENOTFOUND when absent or not a tree.
 */
static int tree_at(git_impl *g, const char *rel, git_tree **out, int *owned)
{
	git_tree_entry *e = NULL;
	int rc;

	*owned = 0;
	if (!rel || !*rel) {
		*out = g->tree;
		return 0;
	}
	if (git_tree_entry_bypath(&e, g->tree, rel) < 0)
		return pc_error_set(PC_ENOTFOUND, "'%s' is not in the commit", rel);
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		git_tree_entry_free(e);
		return pc_error_set(PC_ENOTFOUND, "'%s' is not a directory in the commit", rel);
	}
	rc = git_tree_lookup(out, g->repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return set_git_error(PC_EIO, "could not read tree", rel);
	*owned = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int git_list_dir(pc_source *s, const char *rel, pc_vec *out)
{
	git_impl *g = s->impl;
	git_tree *t = NULL;
	int owned = 0, rc;
	size_t n;

	rc = tree_at(g, rel, &t, &owned);
	if (rc < 0)
		return rc;
	n = git_tree_entrycount(t);
	for (size_t i = 0; i < n; i++)
		pc_vec_push(out, pc_strdup(git_tree_entry_name(git_tree_entry_byindex(t, i))));
	/* git orders "a/" after "a.b"; the fs source sorts bytewise: do the same. */
	pc_vec_sort(out, cmp_str);
	if (owned)
		git_tree_free(t);
	return 0;
}

static int git_kind(pc_source *s, const char *rel)
{
	git_impl *g = s->impl;
	git_tree_entry *e = NULL;
	int k = 0;

	if (!rel || !*rel)
		return 1;
	if (git_tree_entry_bypath(&e, g->tree, rel) < 0) {
		git_error_clear();
		return 0;
	}
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_TREE:
		k = 1;
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		k = 2;
		break;
	default:
		/* symlinks and submodules are not part of a readable tree */
		k = 0;
		break;
	}
	git_tree_entry_free(e);
	return k;
}

static int git_read_file(pc_source *s, const char *rel, char **out, size_t *len)
{
	git_impl *g = s->impl;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	char *data;
	size_t n;
	int rc = 0;

	*out = NULL;
	if (git_tree_entry_bypath(&e, g->tree, rel ? rel : "") < 0) {
		git_error_clear();
		return pc_error_set(PC_ENOTFOUND, "could not read '%s': not in commit %.12s", rel ? rel : "",
				    s->commit);
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		rc = pc_error_set(PC_EIO, "could not read '%s': not a file", rel);
		goto done;
	}
	if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(e)) < 0) {
		rc = set_git_error(PC_EIO, "could not read", rel);
		goto done;
	}
	n = (size_t)git_blob_rawsize(blob);
	data = pc_malloc(pc_st_add(n, 1));
	memcpy(data, git_blob_rawcontent(blob), n);
	data[n] = '\0';
	*out = data;
	if (len)
		*len = n;
done:
	git_blob_free(blob);
	git_tree_entry_free(e);
	return rc;
}

/* The implementation only: pc_source_free() frees root, commit and s. */
static void git_free(pc_source *s)
{
	git_impl *g;

	if (!s)
		return;
	g = s->impl;
	s->impl = NULL;
	if (g) {
		git_tree_free(g->tree);
		git_commit_free(g->commit);
		git_repository_free(g->repo);
		free(g);
		git_libgit2_shutdown();
	}
}

static const pc_source_ops git_ops = {
	git_list_dir,
	git_kind,
	git_read_file,
	git_free,
};

/*
 * The remote to fetch for ref: the remote of a remote-tracking name
 * ("origin/main", "refs/remotes/origin/main"), else the upstream remote of a
 * local branch (or of the branch HEAD points at), else "origin" when the
 * repository has one. Owned, NULL when there is none.
 */
static char *remote_for_ref(git_repository *repo, const char *ref)
{
	git_strarray remotes = { 0 };
	git_reference *r = NULL;
	git_buf name = { 0 };
	char *found = NULL;
	const char *short_ref = ref;

	if (strncmp(short_ref, "refs/remotes/", 13) == 0)
		short_ref += 13;
	if (git_remote_list(&remotes, repo) == 0) {
		for (size_t i = 0; i < remotes.count && !found; i++) {
			size_t n = strlen(remotes.strings[i]);
			if (strncmp(short_ref, remotes.strings[i], n) == 0 && short_ref[n] == '/')
				found = pc_strdup(remotes.strings[i]);
		}
	}
	if (!found) {
		/* a local branch, or HEAD: its upstream's remote */
		if (git_reference_dwim(&r, repo, ref) == 0) {
			git_reference *resolved = NULL;
			if (git_reference_resolve(&resolved, r) == 0 && git_reference_is_branch(resolved) &&
			    git_branch_upstream_remote(&name, repo, git_reference_name(resolved)) == 0)
				found = pc_strdup(name.ptr);
			git_reference_free(resolved);
		}
	}
	if (!found) {
		for (size_t i = 0; i < remotes.count && !found; i++)
			if (strcmp(remotes.strings[i], "origin") == 0)
				found = pc_strdup("origin");
	}
	git_buf_dispose(&name);
	git_reference_free(r);
	git_strarray_dispose(&remotes);
	git_error_clear();
	return found;
}

static int fetch_remote(git_repository *repo, const char *ref)
{
	git_remote *remote = NULL;
	git_fetch_options opts;
	char *name = remote_for_ref(repo, ref);
	int rc = 0;

	git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);

	if (!name)
		return pc_error_set(PC_ENOTFOUND, "could not fetch '%s': the repository has no remote for it", ref);
	if (git_remote_lookup(&remote, repo, name) < 0) {
		rc = set_git_error(PC_ENOTFOUND, "could not find remote", name);
		goto done;
	}
	/* the remote's configured refspecs, as `git fetch <remote>` does */
	if (git_remote_fetch(remote, NULL, &opts, "pipectl reconcile: fetch") < 0) {
		rc = pc_error_set(PC_ENET, "could not fetch remote '%s': %s", name, git_msg());
		goto done;
	}
done:
	git_remote_free(remote);
	free(name);
	return rc;
}

/* The path of dir relative to the repository's work tree ("" at the top), owned. */
static int subdir_of(git_repository *repo, const char *dir, char **out)
{
	const char *wd = git_repository_workdir(repo);
	char *real_wd = NULL, *real_dir = NULL;
	size_t n;
	int rc = 0;

	*out = NULL;
	if (!wd) {
		*out = pc_strdup(""); /* a bare repository: the project is at the top */
		return 0;
	}
	real_wd = realpath(wd, NULL);
	real_dir = realpath(dir, NULL);
	if (!real_wd || !real_dir) {
		rc = pc_error_set(PC_EIO, "could not resolve '%s': %s", real_dir ? wd : dir, strerror(errno));
		goto done;
	}
	n = strlen(real_wd);
	while (n > 1 && real_wd[n - 1] == '/')
		n--;
	if (strncmp(real_dir, real_wd, n) != 0 || (real_dir[n] != '\0' && real_dir[n] != '/')) {
		rc = pc_error_set(PC_EINVALID, "'%s' is not inside the work tree '%s'", dir, wd);
		goto done;
	}
	*out = pc_strdup(real_dir[n] == '/' ? real_dir + n + 1 : "");
done:
	free(real_wd);
	free(real_dir);
	return rc;
}

int pc_source_open_git(pc_source **out, const char *repo_dir, const char *ref, const char *subdir, int fetch)
{
	git_impl *g = NULL;
	pc_source *s = NULL;
	git_object *obj = NULL;
	git_tree *root_tree = NULL;
	git_tree_entry *e = NULL;
	char oid[GIT_OID_HEXSZ + 1];
	char *own_subdir = NULL;
	const char *dir;
	int rc = 0;

	*out = NULL;
	if (!ref || !*ref)
		ref = "HEAD";
	git_libgit2_init();
	g = PC_NEW(git_impl);
	if (git_repository_open_ext(&g->repo, repo_dir, 0, NULL) < 0) {
		rc = pc_error_set(PC_ENOTFOUND, "'%s' is not inside a git repository: %s", repo_dir, git_msg());
		goto done;
	}
	if (fetch && (rc = fetch_remote(g->repo, ref)) < 0)
		goto done;
	if (git_revparse_single(&obj, g->repo, ref) < 0) {
		rc = pc_error_set(PC_ENOTFOUND, "could not resolve git ref '%s': %s", ref, git_msg());
		goto done;
	}
	if (git_object_peel((git_object **)&g->commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = pc_error_set(PC_EINVALID, "git ref '%s' does not name a commit: %s", ref, git_msg());
		goto done;
	}
	if (git_commit_tree(&root_tree, g->commit) < 0) {
		rc = set_git_error(PC_EIO, "could not read the tree of", ref);
		goto done;
	}
	if (!subdir) {
		/* repo_dir's own place in the work tree */
		if ((rc = subdir_of(g->repo, repo_dir, &own_subdir)) < 0)
			goto done;
		subdir = own_subdir;
	}
	if (subdir && *subdir && strcmp(subdir, ".") != 0) {
		if (git_tree_entry_bypath(&e, root_tree, subdir) < 0 || git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			rc = pc_error_set(PC_ENOTFOUND, "'%s' is not a directory in git ref '%s'", subdir, ref);
			goto done;
		}
		if (git_tree_lookup(&g->tree, g->repo, git_tree_entry_id(e)) < 0) {
			rc = set_git_error(PC_EIO, "could not read tree", subdir);
			goto done;
		}
	} else {
		g->tree = root_tree;
		root_tree = NULL;
	}

	s = PC_NEW(pc_source);
	s->ops = &git_ops;
	s->impl = g;
	dir = git_repository_workdir(g->repo);
	if (!dir)
		dir = git_repository_path(g->repo);
	s->root = pc_strdup(dir);
	git_oid_tostr(oid, sizeof(oid), git_commit_id(g->commit));
	s->commit = pc_strdup(oid);
	g = NULL;
	*out = s;
done:
	git_tree_entry_free(e);
	git_tree_free(root_tree);
	git_object_free(obj);
	free(own_subdir);
	/* before shutdown: clearing after it would set up libgit2's thread state again */
	git_error_clear();
	if (g) {
		git_tree_free(g->tree);
		git_commit_free(g->commit);
		git_repository_free(g->repo);
		free(g);
		git_libgit2_shutdown();
	}
	return rc;
}
