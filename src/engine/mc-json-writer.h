/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A compact JSON writer straight into a GString, for answers on the query
 * path: json-glib builds a node tree and then walks it, which costs about
 * ten times as much for a check result, on every check. The output is
 * what json-glib's generator prints without pretty-printing (no spaces),
 * so either may write a document; tests hold them equal. Callers write
 * well-formed sequences (a member name before each value in an object). */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define MC_JSON_WRITER_MAX_DEPTH 32

typedef struct {
        GString *out;
        int depth;
        bool first[MC_JSON_WRITER_MAX_DEPTH + 1]; /* nothing written yet at this level */
        bool after_name; /* a member name was written: its value follows */
} McJsonWriter;

void mc_json_writer_init(McJsonWriter *w, GString *out);

void mc_json_writer_begin_object(McJsonWriter *w);
void mc_json_writer_end_object(McJsonWriter *w);
void mc_json_writer_begin_array(McJsonWriter *w);
void mc_json_writer_end_array(McJsonWriter *w);
void mc_json_writer_name(McJsonWriter *w, const char *name);

void mc_json_writer_string(McJsonWriter *w, const char *s);
void mc_json_writer_string_or_null(McJsonWriter *w, const char *s);
void mc_json_writer_int(McJsonWriter *w, int64_t v);
void mc_json_writer_bool(McJsonWriter *w, bool v);
void mc_json_writer_null(McJsonWriter *w);

/* name then value, the common case */
void mc_json_writer_member_string(McJsonWriter *w, const char *name, const char *s);
void mc_json_writer_member_int(McJsonWriter *w, const char *name, int64_t v);
