/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-json-writer.h"

#include <string.h>

void mc_json_writer_init(McJsonWriter *w, GString *out) {
        *w = (McJsonWriter) { .out = out };
        w->first[0] = true;
}

/* Room for n more bytes (and the NUL) without a reallocation per piece:
 * grow the GString once, then write into its buffer. */
static char *reserve(GString *out, gsize n) {
        gsize len = out->len;

        if (len + n + 1 > out->allocated_len) {
                g_string_set_size(out, len + n);
                out->len = len;
        }
        return out->str + len;
}

static void put_char(GString *out, char c) {
        char *p = reserve(out, 1);
        p[0] = c;
        p[1] = '\0';
        out->len++;
}

static void put_mem(GString *out, const char *s, gsize n) {
        char *p = reserve(out, n);
        memcpy(p, s, n);
        p[n] = '\0';
        out->len += n;
}

/* Before a value or a member name: the comma that separates it. */
static void separate(McJsonWriter *w) {
        if (w->after_name) {
                w->after_name = false;
                return;
        }
        if (!w->first[w->depth])
                put_char(w->out, ',');
        w->first[w->depth] = false;
}

static void open_level(McJsonWriter *w, char c) {
        separate(w);
        put_char(w->out, c);
        g_return_if_fail(w->depth < MC_JSON_WRITER_MAX_DEPTH);
        w->first[++w->depth] = true;
}

static void close_level(McJsonWriter *w, char c) {
        g_return_if_fail(w->depth > 0);
        w->depth--;
        put_char(w->out, c);
}

void mc_json_writer_begin_object(McJsonWriter *w) {
        open_level(w, '{');
}

void mc_json_writer_end_object(McJsonWriter *w) {
        close_level(w, '}');
}

void mc_json_writer_begin_array(McJsonWriter *w) {
        open_level(w, '[');
}

void mc_json_writer_end_array(McJsonWriter *w) {
        close_level(w, ']');
}

/* 1 for the bytes a JSON string cannot hold as they are, and for NUL
 * (where the scan stops): one load per byte in the scan below. */
static const unsigned char stop_table[256] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00-0x0f */
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10-0x1f */
        ['"'] = 1,
        ['\\'] = 1,
};

static bool needs_escape(unsigned char c) {
        return c != 0 && stop_table[c];
}

/* A JSON string literal: quote, backslash and control characters escaped
 * as json-glib escapes them; everything else (UTF-8) as is. The usual
 * string needs no escape and is copied in one piece. */
static void append_quoted(GString *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        gsize n = 0;
        bool plain = true;
        char *p;

        for (;;) {
                while (!stop_table[(unsigned char) s[n]])
                        n++;
                if (!s[n])
                        break;
                plain = false;
                n++;
        }
        if (plain) {
                p = reserve(out, n + 2);
                p[0] = '"';
                memcpy(p + 1, s, n);
                p[n + 1] = '"';
                p[n + 2] = '\0';
                out->len += n + 2;
                return;
        }
        /* At most six bytes per character (\u00XX), and the quotes. */
        p = reserve(out, 6 * n + 2);
        *p++ = '"';
        for (gsize i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (!needs_escape(c)) {
                        *p++ = (char) c;
                        continue;
                }
                *p++ = '\\';
                switch (c) {
                case '"': *p++ = '"'; break;
                case '\\': *p++ = '\\'; break;
                case '\b': *p++ = 'b'; break;
                case '\f': *p++ = 'f'; break;
                case '\n': *p++ = 'n'; break;
                case '\r': *p++ = 'r'; break;
                case '\t': *p++ = 't'; break;
                default:
                        *p++ = 'u';
                        *p++ = '0';
                        *p++ = '0';
                        *p++ = hex[c >> 4];
                        *p++ = hex[c & 0xf];
                        break;
                }
        }
        *p++ = '"';
        *p = '\0';
        out->len = (gsize) (p - out->str);
}

void mc_json_writer_name(McJsonWriter *w, const char *name) {
        separate(w);
        append_quoted(w->out, name);
        put_char(w->out, ':');
        w->after_name = true;
}

void mc_json_writer_string(McJsonWriter *w, const char *s) {
        separate(w);
        append_quoted(w->out, s);
}

void mc_json_writer_string_or_null(McJsonWriter *w, const char *s) {
        if (s)
                mc_json_writer_string(w, s);
        else
                mc_json_writer_null(w);
}

void mc_json_writer_int(McJsonWriter *w, int64_t v) {
        char buf[24], *p = buf + sizeof buf;
        uint64_t u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

        separate(w);
        do {
                *--p = (char) ('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                *--p = '-';
        put_mem(w->out, p, (gsize) (buf + sizeof buf - p));
}

void mc_json_writer_bool(McJsonWriter *w, bool v) {
        separate(w);
        if (v)
                put_mem(w->out, "true", 4);
        else
                put_mem(w->out, "false", 5);
}

void mc_json_writer_null(McJsonWriter *w) {
        separate(w);
        put_mem(w->out, "null", 4);
}

void mc_json_writer_member_string(McJsonWriter *w, const char *name, const char *s) {
        mc_json_writer_name(w, name);
        mc_json_writer_string(w, s);
}

void mc_json_writer_member_int(McJsonWriter *w, const char *name, int64_t v) {
        mc_json_writer_name(w, name);
        mc_json_writer_int(w, v);
}
