/*
 * graph_project.h - `pipectl graph` without TABLE: the whole lineage of the
 * project grouped by layer and product, marking stateful tables, upsert
 * sinks, protected and external tables, with a legend.
 *
 * Formats: text (layers, products, tables with their parents), json and
 * yaml (nodes with layer, product and marks; edges), dot (a cluster per
 * layer and per product), mermaid (a subgraph per layer and per product),
 * html (one self-contained page, nothing loaded at view time: click a table
 * for its SQL, parents, children and statefulness reasons; above
 * PC_GRAPH_HTML_AGGREGATE tables the page starts from the products, each
 * opened on demand, so that it stays responsive).
 */
#ifndef PC_CLI_GRAPH_PROJECT_H
#define PC_CLI_GRAPH_PROJECT_H

#include "../model/project.h"
#include "../util/buf.h"

#include <stdio.h>

#define PC_GRAPH_HTML_AGGREGATE 1000

/* Append the project's graph in format to out; colour is decided for f (text only). */
void pc_graph_project(pc_buf *out, const pc_project *p, const char *format, FILE *f);

#endif
