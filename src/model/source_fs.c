/*
 * source_fs.c - the working tree as a pc_source, and pc_source_free().
 *
 * Read errors name the path relative to the root and the system's reason,
 * so the loader can put them in a diagnostic as they are.
 */
#include "source.h"

#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/error.h"
#include "../util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *full_path(pc_source *s, const char *rel)
{
	if (!rel || !rel[0])
		return pc_strdup(s->root);
	return pc_path_join(s->root, rel);
}

static int fs_list_dir(pc_source *s, const char *rel, pc_vec *out)
{
	char *p = full_path(s, rel);
	DIR *d = opendir(p);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			rc = pc_error_set(PC_ENOTFOUND, "'%s': no such directory", rel && rel[0] ? rel : ".");
		else
			rc = pc_error_set(PC_EIO, "could not read directory '%s': %s", rel && rel[0] ? rel : ".",
					  strerror(errno));
		free(p);
		return rc;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		pc_vec_push(out, pc_strdup(e->d_name));
	}
	closedir(d);
	free(p);
	pc_vec_sort_str(out);
	return 0;
}

static int fs_kind(pc_source *s, const char *rel)
{
	char *p = full_path(s, rel);
	struct stat st;
	int k = 0;

	if (stat(p, &st) == 0)
		k = S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 2 : 0;
	free(p);
	return k;
}

/* One open, one fstat, reads: the loader calls this for every SQL file. */
static int fs_read_file(pc_source *s, const char *rel, char **out, size_t *len)
{
	char *p = full_path(s, rel);
	pc_buf b = PC_BUF_INIT;
	struct stat st;
	int fd, rc = 0;

	*out = NULL;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = pc_error_set(PC_EIO, "could not read '%s': %s", rel, strerror(errno));
		goto done;
	}
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			rc = pc_error_set(PC_EIO, "could not read '%s': is a directory", rel);
			goto done;
		}
		if (st.st_size > 0 && (rc = pc_buf_grow(&b, (size_t)st.st_size + 1)) < 0)
			goto done;
	}
	for (;;) {
		ssize_t n;
		if ((b.cap == 0 || b.len + 1 >= b.cap) && (rc = pc_buf_grow(&b, b.cap ? b.cap : 4096)) < 0)
			goto done;
		n = read(fd, b.ptr + b.len, b.cap - b.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = pc_error_set(PC_EIO, "could not read '%s': %s", rel, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
	}
	if (len)
		*len = b.len;
	*out = pc_buf_detach(&b);
done:
	if (fd >= 0)
		close(fd);
	pc_buf_dispose(&b);
	free(p);
	return rc;
}

static void fs_free(pc_source *s)
{
	(void)s;
}

static const pc_source_ops fs_ops = { fs_list_dir, fs_kind, fs_read_file, fs_free };

int pc_source_open_fs(pc_source **out, const char *root)
{
	pc_source *s;
	struct stat st;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	*out = NULL;
	if (!root || !root[0])
		root = ".";
	if (stat(root, &st) != 0)
		return pc_error_set(PC_ENOTFOUND, "project root '%s' does not exist", root);
	if (!S_ISDIR(st.st_mode))
		return pc_error_set(PC_EINVALID, "project root '%s' is not a directory", root);
	s = PC_NEW(pc_source);
	s->ops = &fs_ops;
	s->root = pc_strdup(root);
	/* every op opens its own descriptors: safe from any thread */
	s->threads = cores > 0 ? (int)cores : 1;
	*out = s;
	return 0;
}

void pc_source_free(pc_source *s)
{
	if (!s)
		return;
	if (s->ops && s->ops->free)
		s->ops->free(s);
	free(s->root);
	free(s->commit);
	free(s);
}
