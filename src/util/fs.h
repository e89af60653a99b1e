/*
 * fs.h - file system helpers. Errors carry the path and strerror().
 */
#ifndef PC_UTIL_FS_H
#define PC_UTIL_FS_H

#include "vec.h"

#include <stddef.h>

/* Read a whole file; *out is NUL-terminated and owned by the caller. */
int pc_fs_read(char **out, size_t *len, const char *path);
/* Write through a temp file in the same directory, fsync, rename. */
int pc_fs_write_atomic(const char *path, const char *data, size_t len);
/* mkdir -p */
int pc_fs_mkdirs(const char *path);
/* Entries of a directory (no . and ..), sorted, owned char *. */
int pc_fs_list_dir(pc_vec *out, const char *path);
int pc_fs_is_dir(const char *path);
int pc_fs_is_file(const char *path);
/* Join with '/', owned result. */
char *pc_path_join(const char *a, const char *b);
/* Directory part of a path, owned ("." when none). */
char *pc_path_dirname(const char *p);

#endif
