/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A recursive-descent reader for the usual source description: a few
 * hundred bytes, read in about a microsecond where the JSON tree costs
 * tens. It gives up (NULL) at the first thing it does not expect; it never
 * reports errors, so there is only one wording of each, the full reader's.
 * tests/test-scale.c reads every input of the fuzzing corpus both ways. */

#include "mc-source-fast.h"

#include <string.h>

typedef struct {
        const char *p, *end;
} Reader;

static void skip_ws(Reader *r) {
        while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
                r->p++;
}

static bool take(Reader *r, char c) {
        skip_ws(r);
        if (r->p < r->end && *r->p == c) {
                r->p++;
                return true;
        }
        return false;
}

static bool peek(Reader *r, char c) {
        skip_ws(r);
        return r->p < r->end && *r->p == c;
}

/* A string of printable ASCII without escapes, copied into buf. */
static bool read_string(Reader *r, char *buf, gsize size) {
        const char *start;
        gsize n;

        if (!take(r, '"'))
                return false;
        start = r->p;
        while (r->p < r->end && *r->p != '"') {
                unsigned char c = (unsigned char) *r->p;
                if (c < 0x20 || c > 0x7e || c == '\\')
                        return false;
                r->p++;
        }
        if (r->p >= r->end)
                return false;
        n = (gsize) (r->p - start);
        if (n >= size)
                return false;
        memcpy(buf, start, n);
        buf[n] = '\0';
        r->p++;
        return true;
}

/* An integer as JSON writes one: -?(0|[1-9][0-9]*), without fraction or
 * exponent, within int64 (and not "-0", which a tree reader may keep as
 * a float). */
static bool read_int(Reader *r, int64_t *ret) {
        bool neg = false;
        uint64_t v = 0;
        const char *start;

        skip_ws(r);
        if (r->p < r->end && *r->p == '-') {
                neg = true;
                r->p++;
        }
        start = r->p;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
                unsigned digit = (unsigned) (*r->p - '0');
                if (v > (UINT64_MAX - digit) / 10)
                        return false;
                v = v * 10 + digit;
                r->p++;
        }
        if (r->p == start || (*start == '0' && r->p - start > 1))
                return false;
        if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
                return false;
        if (neg) {
                if (v == 0 || v > (uint64_t) INT64_MAX + 1)
                        return false;
                *ret = v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
        } else {
                if (v > INT64_MAX)
                        return false;
                *ret = (int64_t) v;
        }
        return true;
}

static bool take_word(Reader *r, const char *word) {
        size_t n = strlen(word);

        skip_ws(r);
        if ((gsize) (r->end - r->p) < n || memcmp(r->p, word, n) != 0)
                return false;
        r->p += n;
        /* "trueish" is not true. */
        return r->p == r->end || !g_ascii_isalnum(*r->p);
}

static bool read_params(Reader *r, McSrcDevice *d) {
        char name[MC_MAX_PARAM_NAME_LEN + 1];
        char value[MC_MAX_STRING_LEN + 1];

        if (!take(r, '{'))
                return false;
        if (take(r, '}'))
                return true;
        do {
                McSrcParam p = { .name = name };

                if (!read_string(r, name, sizeof name) || mc_check_param_name(name) || !take(r, ':'))
                        return false;
                skip_ws(r);
                if (peek(r, '"')) {
                        if (!read_string(r, value, sizeof value) || mc_check_str_value(value))
                                return false;
                        p.kind = MC_SRC_STR;
                        p.s = value;
                } else if (take_word(r, "true")) {
                        p.kind = MC_SRC_BOOL;
                        p.b = true;
                } else if (take_word(r, "false")) {
                        p.kind = MC_SRC_BOOL;
                        p.b = false;
                } else if (read_int(r, &p.i)) {
                        p.kind = MC_SRC_INT;
                } else {
                        return false;
                }
                /* A name given twice: the full reader words that. */
                if (d->params->len >= MC_MAX_PARAMS || !mc_src_device_add_param(d, &p))
                        return false;
        } while (take(r, ','));
        return take(r, '}');
}

static bool read_requires(Reader *r, unsigned *ret) {
        char name[32];
        unsigned caps = 0, n = 0;

        if (!take(r, '['))
                return false;
        if (take(r, ']')) {
                *ret = 0;
                return true;
        }
        do {
                McCap cap;
                if (++n > 16 || !read_string(r, name, sizeof name))
                        return false;
                cap = mc_cap_from_string(name);
                if (!cap || (caps & cap))
                        return false;
                caps |= cap;
        } while (take(r, ','));
        if (!take(r, ']'))
                return false;
        *ret = caps;
        return true;
}

static McSrcDevice *read_device(Reader *r) {
        char member[16];
        char id[MC_MAX_ID_LEN + 1] = "", model[MC_MAX_MODEL_LEN + 1] = "";
        char version[MC_MAX_VERSION_LEN + 1] = "";
        bool have_id = false, have_model = false, have_version = false;
        bool have_params = false, have_requires = false;
        g_autoptr(McSrcDevice) d = mc_src_device_new("", "", NULL);
        unsigned requires = 0;

        if (!take(r, '{'))
                return NULL;
        do {
                if (!read_string(r, member, sizeof member) || !take(r, ':'))
                        return NULL;
                if (strcmp(member, "id") == 0 && !have_id) {
                        if (!read_string(r, id, sizeof id) || mc_check_id_string(id))
                                return NULL;
                        have_id = true;
                } else if (strcmp(member, "model") == 0 && !have_model) {
                        if (!read_string(r, model, sizeof model) || mc_check_model_string(model))
                                return NULL;
                        have_model = true;
                } else if (strcmp(member, "version") == 0 && !have_version) {
                        if (!read_string(r, version, sizeof version) || mc_check_version_string(version))
                                return NULL;
                        have_version = true;
                } else if (strcmp(member, "params") == 0 && !have_params) {
                        if (!read_params(r, d))
                                return NULL;
                        have_params = true;
                } else if (strcmp(member, "requires") == 0 && !have_requires) {
                        if (!read_requires(r, &requires))
                                return NULL;
                        have_requires = true;
                } else {
                        return NULL;
                }
        } while (take(r, ','));
        if (!take(r, '}') || !have_id || !have_model)
                return NULL;

        g_free(d->id);
        d->id = g_strdup(id);
        g_free(d->model);
        d->model = g_strdup(model);
        d->version = have_version ? g_strdup(version) : NULL;
        d->requires = requires;
        return g_steal_pointer(&d);
}

McSource *mc_source_parse_fast(const char *data, gsize len) {
        Reader r = { .p = data, .end = data + len };
        g_autoptr(McSource) src = NULL;
        char member[16];

        if (len > MC_MAX_DOCUMENT_SIZE || memchr(data, '\0', len))
                return NULL;
        if (!take(&r, '{') || !read_string(&r, member, sizeof member) ||
            strcmp(member, "devices") != 0 || !take(&r, ':') || !take(&r, '['))
                return NULL;
        src = mc_source_new();
        do {
                McSrcDevice *d = read_device(&r);

                if (!d)
                        return NULL;
                g_ptr_array_add(src->devices, d);
                if (src->devices->len > MC_MAX_DEVICES)
                        return NULL;
                for (guint i = 0; i + 1 < src->devices->len; i++)
                        if (strcmp(((McSrcDevice *) src->devices->pdata[i])->id, d->id) == 0)
                                return NULL;
        } while (take(&r, ','));
        if (!take(&r, ']') || !take(&r, '}'))
                return NULL;
        skip_ws(&r);
        if (r.p != r.end)
                return NULL;
        return g_steal_pointer(&src);
}
