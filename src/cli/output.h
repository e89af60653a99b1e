/*
 * output.h - printing helpers shared by the read-only commands (validate,
 * inventory, graph, analyze): diagnostics, JSON fragments, project loading
 * with the error mapped to an exit status.
 */
#ifndef PC_CLI_OUTPUT_H
#define PC_CLI_OUTPUT_H

#include "../model/project.h"
#include "../util/buf.h"
#include "../util/vec.h"
#include "cli.h"

#include <stdio.h>

/*
 * Print one diagnostic on one line:
 * "file:line: error: message", "file: warning: message" or "error: message".
 */
void pc_out_diag(FILE *f, const pc_diag *d);
/* Print every diagnostic of the project, in file order. */
void pc_out_diags(FILE *f, const pc_project *p);
/*
 * The errors only, as validate prints them: plan, apply and destroy call it
 * when planning failed, so that every command reports a broken file the
 * same way (file:line: error: message) before its own one-line error.
 */
void pc_out_errors(FILE *f, const pc_project *p);

/* Append a JSON array of the strings of v (char *). */
void pc_out_json_strs(pc_buf *b, const pc_vec *v);
/* Fill out (emptied first, not owned) with the tables of v sorted by name. */
void pc_out_sorted_tables(pc_vec *out, const pc_vec *tables);
/* Append a JSON array of the names of the tables of v (pc_table *), sorted. */
void pc_out_json_table_names(pc_buf *b, const pc_vec *v);
/* Append a JSON string, or null when s is NULL. */
void pc_out_json_str_or_null(pc_buf *b, const char *s);

/* Write b to f and flush f; returns 0, or PC_EXIT_ERROR (said on stderr) when the write failed. */
int pc_out_flush(pc_buf *b, FILE *f);
/* Write b to f without flushing (a slice of a long output); the same return. */
int pc_out_write(const pc_buf *b, FILE *f);

/*
 * Load the project of the command line. On a failure that makes the
 * project unusable, prints "error: <message>" and returns the exit status
 * (non-zero); else 0 with *out set (free with pc_project_free()).
 */
int pc_out_load_project(pc_project **out, const pc_cli *cli);


#endif
