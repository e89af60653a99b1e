#include "fs.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pc_fs_read(char **out, size_t *len, const char *path)
{
	int fd = -1, rc = 0;
	pc_buf b = PC_BUF_INIT;
	char chunk[65536];
	struct stat st;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return pc_error_set(PC_EIO, "could not read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = pc_error_set(PC_EIO, "could not read '%s': Is a directory", path);
		goto done;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (rc = pc_buf_grow(&b, (size_t)st.st_size)) < 0)
		goto done;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = pc_error_set(PC_EIO, "could not read '%s': %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if ((rc = pc_buf_put(&b, chunk, (size_t)n)) < 0)
			goto done;
	}
	if (len)
		*len = b.len;
	*out = pc_buf_detach(&b);
done:
	if (fd >= 0)
		close(fd);
	pc_buf_dispose(&b);
	return rc;
}

int pc_fs_write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = pc_sprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = -1, rc = 0;
	size_t off = 0;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		rc = pc_error_set(PC_EIO, "could not write '%s': %s", tmp, strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = pc_error_set(PC_EIO, "could not write '%s': %s", tmp, strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		rc = pc_error_set(PC_EIO, "could not sync '%s': %s", tmp, strerror(errno));
		goto done;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = pc_error_set(PC_EIO, "could not rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto done;
	}
done:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int pc_fs_mkdirs(const char *path)
{
	char *p = pc_strdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				rc = pc_error_set(PC_EIO, "could not create '%s': %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int pc_fs_list_dir(pc_vec *out, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	if (!d)
		return pc_error_set(PC_EIO, "could not read directory '%s': %s", path, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		pc_vec_push(out, pc_strdup(e->d_name));
	}
	closedir(d);
	pc_vec_sort_str(out);
	return 0;
}

int pc_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int pc_fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *pc_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (!la || strcmp(a, ".") == 0)
		return pc_strdup(b);
	if (b[0] == '/')
		return pc_strdup(b);
	return pc_sprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *pc_path_dirname(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return pc_strdup(".");
	if (s == p)
		return pc_strdup("/");
	return pc_strndup(p, (size_t)(s - p));
}
