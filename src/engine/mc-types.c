/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-types.h"

#include <errno.h>
#include <string.h>

/* ---- words ------------------------------------------------------------- */

static bool is_label_char(char c) {
        return g_ascii_isalnum(c) || c == '-';
}

static bool is_path_char(char c) {
        return g_ascii_isalnum(c) || strchr("._+,:@~-", c) != NULL;
}

const char *mc_check_model_string(const char *s) {
        const char *slash, *p;
        size_t len = strlen(s);
        unsigned labels = 0;

        if (len == 0 || len > MC_MAX_MODEL_LEN)
                return "a device model is 1 to 255 ASCII characters";
        slash = strchr(s, '/');
        if (!slash)
                return "a device model is a domain name then a path (\"example.com/my-device\")";
        /* Domain: dot-separated labels of letters, digits and '-', at least two. */
        for (p = s; p < slash;) {
                const char *start = p;
                while (p < slash && *p != '.') {
                        if (!is_label_char(*p))
                                return "the domain part of a device model takes letters, digits, '-' and '.'";
                        p++;
                }
                if (p == start || *start == '-' || p[-1] == '-' || p - start > 63)
                        return "the domain part of a device model has an empty or malformed label";
                labels++;
                if (p < slash)
                        p++;
                if (p == slash && p[-1] == '.')
                        return "the domain part of a device model ends with '.'";
        }
        if (labels < 2)
                return "the domain part of a device model needs a dot (\"example.com\")";
        /* Path: non-empty components. */
        for (p = slash; *p;) {
                const char *start = ++p;
                while (*p && *p != '/') {
                        if (!is_path_char(*p))
                                return "a device model path takes letters, digits and ._+,:@~-";
                        p++;
                }
                if (p == start)
                        return "a device model path has an empty component";
        }
        return NULL;
}

const char *mc_check_version_string(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > MC_MAX_VERSION_LEN)
                return "a version string is 1 to 128 ASCII characters";
        for (const char *p = s; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        return "a version string is printable ASCII without newlines";
        if (s[0] == ' ' || s[len - 1] == ' ')
                return "a version string does not start or end with a space";
        if (s[len - 1] == ':')
                return "a version string does not end with ':' (that marks a model line)";
        return NULL;
}

const char *mc_check_param_name(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > MC_MAX_PARAM_NAME_LEN)
                return "a parameter name is 1 to 64 ASCII characters";
        for (const char *p = s; *p; p++)
                if (*p <= 0x20 || *p > 0x7e || *p == '=' || *p == '/')
                        return "a parameter name is printable ASCII without '=', '/' or whitespace";
        if (s[0] == '.' || s[0] == '-')
                return "a parameter name does not start with '.' or '-'";
        return NULL;
}

const char *mc_check_str_value(const char *s) {
        size_t len = strlen(s);

        if (len > MC_MAX_STRING_LEN)
                return "strings are at most 4096 bytes";
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return "strings hold no newlines or control characters";
        /* Values are quoted in reasons and sent on the bus. */
        if (!g_utf8_validate(s, (gssize) len, NULL))
                return "strings are valid UTF-8";
        return NULL;
}

const char *mc_check_text(const char *s) {
        if (strlen(s) > MC_MAX_STRING_LEN)
                return "texts are at most 4096 bytes";
        for (const char *p = s; *p; p++)
                if (((unsigned char) *p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                        return "texts hold no control characters but newline and tab";
        if (!g_utf8_validate(s, -1, NULL))
                return "texts are valid UTF-8";
        return NULL;
}

const char *mc_check_id_string(const char *s) {
        size_t len = strlen(s);

        if (len == 0 || len > MC_MAX_ID_LEN)
                return "an id is 1 to 255 characters";
        for (const char *p = s; *p; p++)
                if (*p <= 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
                        return "an id is printable ASCII without whitespace, quotes or backslashes";
        return NULL;
}

/* ---- values ------------------------------------------------------------ */

const char *mc_param_type_to_string(McParamType t) {
        switch (t) {
        case MC_PARAM_BOOL:
                return "bool";
        case MC_PARAM_INT:
                return "int";
        case MC_PARAM_STR:
                return "str";
        }
        return "?";
}

void mc_value_clear(McValue *v) {
        g_clear_pointer(&v->s, g_free);
}

void mc_value_copy(McValue *dst, const McValue *src) {
        *dst = *src;
        dst->s = g_strdup(src->s);
}

bool mc_value_equal(const McValue *a, const McValue *b) {
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case MC_PARAM_BOOL:
                return a->b == b->b;
        case MC_PARAM_INT:
                return a->i == b->i;
        case MC_PARAM_STR:
                return g_strcmp0(a->s, b->s) == 0;
        }
        return false;
}

char *mc_value_to_string(const McValue *v) {
        switch (v->type) {
        case MC_PARAM_BOOL:
                return g_strdup(v->b ? "on" : "off");
        case MC_PARAM_INT:
                return g_strdup_printf("%" G_GINT64_FORMAT, v->i);
        case MC_PARAM_STR:
                return g_strdup(v->s ? v->s : "");
        }
        return g_strdup("");
}

/* ---- parameters -------------------------------------------------------- */

bool mc_param_allows(const McParam *p, const McValue *v) {
        if (v->type != p->type)
                return false;
        if (!p->has_allowed)
                return true;
        switch (p->type) {
        case MC_PARAM_BOOL:
                return (p->allowed_bools & (v->b ? 2u : 1u)) != 0;
        case MC_PARAM_INT: {
                /* Ranges are sorted by min and few; a linear walk is cheapest. */
                for (guint i = 0; i < p->allowed_ranges->len; i++) {
                        const McIntRange *r = &g_array_index(p->allowed_ranges, McIntRange, i);
                        if (v->i < r->min)
                                return false;
                        if (v->i <= r->max)
                                return true;
                }
                return false;
        }
        case MC_PARAM_STR:
                for (guint i = 0; i < p->allowed_strs->len; i++)
                        if (strcmp(p->allowed_strs->pdata[i], v->s) == 0)
                                return true;
                return false;
        }
        return false;
}

GPtrArray *mc_param_allowed_strv(const McParam *p) {
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

        if (!p->has_allowed)
                return out;
        switch (p->type) {
        case MC_PARAM_BOOL:
                if (p->allowed_bools & 1u)
                        g_ptr_array_add(out, g_strdup("off"));
                if (p->allowed_bools & 2u)
                        g_ptr_array_add(out, g_strdup("on"));
                break;
        case MC_PARAM_INT:
                for (guint i = 0; i < p->allowed_ranges->len; i++) {
                        const McIntRange *r = &g_array_index(p->allowed_ranges, McIntRange, i);
                        if (r->min == r->max)
                                g_ptr_array_add(out, g_strdup_printf("%" G_GINT64_FORMAT, r->min));
                        else
                                g_ptr_array_add(out, g_strdup_printf("%" G_GINT64_FORMAT
                                                                     "-%" G_GINT64_FORMAT,
                                                                     r->min, r->max));
                }
                break;
        case MC_PARAM_STR:
                for (guint i = 0; i < p->allowed_strs->len; i++)
                        g_ptr_array_add(out, g_strdup(p->allowed_strs->pdata[i]));
                break;
        }
        return out;
}

char *mc_param_allowed_to_string(const McParam *p) {
        g_autoptr(GPtrArray) v = NULL;
        GString *s;

        if (!p->has_allowed)
                return g_strdup_printf("any %s", mc_param_type_to_string(p->type));
        v = mc_param_allowed_strv(p);
        s = g_string_new(NULL);
        for (guint i = 0; i < v->len; i++) {
                if (i > 0)
                        g_string_append(s, ", ");
                if (i >= 16) {
                        g_string_append_printf(s, "… (%u more)", v->len - i);
                        break;
                }
                g_string_append(s, v->pdata[i]);
        }
        return g_string_free(s, false);
}

static void mc_param_free(McParam *p) {
        if (!p)
                return;
        g_free(p->name);
        mc_value_clear(&p->init_value);
        mc_value_clear(&p->off_value);
        if (p->allowed_ranges)
                g_array_unref(p->allowed_ranges);
        if (p->allowed_strs)
                g_ptr_array_unref(p->allowed_strs);
        g_free(p->description);
        g_free(p);
}

McParam *mc_param_new(const char *name, McParamType type) {
        McParam *p = g_new0(McParam, 1);
        p->name = g_strdup(name);
        p->type = type;
        p->init_value.type = type;
        p->off_value.type = type;
        return p;
}

void mc_param_unref_generic(gpointer p) {
        mc_param_free(p);
}

static bool mc_param_equal(const McParam *a, const McParam *b) {
        g_autoptr(GPtrArray) va = NULL, vb = NULL;

        if (strcmp(a->name, b->name) != 0 || a->type != b->type ||
            !mc_value_equal(&a->init_value, &b->init_value) || a->has_off != b->has_off ||
            (a->has_off && !mc_value_equal(&a->off_value, &b->off_value)) ||
            a->has_allowed != b->has_allowed || g_strcmp0(a->description, b->description) != 0)
                return false;
        va = mc_param_allowed_strv(a);
        vb = mc_param_allowed_strv(b);
        if (va->len != vb->len)
                return false;
        for (guint i = 0; i < va->len; i++)
                if (strcmp(va->pdata[i], vb->pdata[i]) != 0)
                        return false;
        return true;
}

/* ---- capabilities ------------------------------------------------------ */

static const struct {
        McCap cap;
        const char *name;
} cap_names[] = {
        { MC_CAP_STOP_COPY, "stop-copy" },
        { MC_CAP_PRE_COPY, "pre-copy" },
        { MC_CAP_P2P, "p2p" },
        { MC_CAP_DIRTY_TRACKING, "dirty-tracking" },
};

const char *mc_cap_to_string(McCap c) {
        for (size_t i = 0; i < G_N_ELEMENTS(cap_names); i++)
                if (cap_names[i].cap == c)
                        return cap_names[i].name;
        return NULL;
}

McCap mc_cap_from_string(const char *s) {
        for (size_t i = 0; i < G_N_ELEMENTS(cap_names); i++)
                if (strcmp(cap_names[i].name, s) == 0)
                        return cap_names[i].cap;
        return 0;
}

char *mc_caps_to_string(unsigned caps) {
        GString *s = g_string_new(NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(cap_names); i++)
                if (caps & cap_names[i].cap) {
                        if (s->len)
                                g_string_append(s, ", ");
                        g_string_append(s, cap_names[i].name);
                }
        if (s->len == 0)
                g_string_append(s, "none");
        return g_string_free(s, false);
}

/* ---- name/value pairs ---------------------------------------------------- */

static void pair_free(McPair *p) {
        g_free(p->name);
        g_free(p->value);
        g_free(p);
}

GPtrArray *mc_pairs_new(void) {
        return g_ptr_array_new_with_free_func((GDestroyNotify) pair_free);
}

static guint pairs_lower_bound(const GPtrArray *pairs, const char *name) {
        guint lo = 0, hi = pairs->len;
        while (lo < hi) {
                guint mid = lo + (hi - lo) / 2;
                if (strcmp(((McPair *) pairs->pdata[mid])->name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

void mc_pairs_set(GPtrArray *pairs, const char *name, const char *value) {
        guint at = pairs_lower_bound(pairs, name);
        McPair *p;

        if (at < pairs->len && strcmp(((McPair *) pairs->pdata[at])->name, name) == 0) {
                p = pairs->pdata[at];
                g_free(p->value);
                p->value = g_strdup(value);
                return;
        }
        p = g_new0(McPair, 1);
        p->name = g_strdup(name);
        p->value = g_strdup(value);
        g_ptr_array_insert(pairs, (gint) at, p);
}

const char *mc_pairs_get(const GPtrArray *pairs, const char *name) {
        guint at;

        if (!pairs)
                return NULL;
        at = pairs_lower_bound(pairs, name);
        if (at < pairs->len && strcmp(((McPair *) pairs->pdata[at])->name, name) == 0)
                return ((McPair *) pairs->pdata[at])->value;
        return NULL;
}

bool mc_pairs_equal(const GPtrArray *a, const GPtrArray *b) {
        guint na = a ? a->len : 0, nb = b ? b->len : 0;

        if (na != nb)
                return false;
        for (guint i = 0; i < na; i++) {
                const McPair *pa = a->pdata[i], *pb = b->pdata[i];
                if (strcmp(pa->name, pb->name) != 0 || strcmp(pa->value, pb->value) != 0)
                        return false;
        }
        return true;
}

GPtrArray *mc_pairs_copy(const GPtrArray *pairs) {
        GPtrArray *c;

        if (!pairs)
                return NULL;
        c = mc_pairs_new();
        for (guint i = 0; i < pairs->len; i++) {
                const McPair *p = pairs->pdata[i];
                mc_pairs_set(c, p->name, p->value);
        }
        return c;
}

/* ---- models and information -------------------------------------------- */

static int param_name_cmp(const char *name, const McParam *p) {
        return strcmp(name, p->name);
}

const McParam *mc_model_find_param(const McModel *m, const char *name) {
        guint lo = 0, hi = m->params->len;

        while (lo < hi) {
                guint mid = lo + (hi - lo) / 2;
                int c = param_name_cmp(name, m->params->pdata[mid]);
                if (c == 0)
                        return m->params->pdata[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

int mc_model_version_index(const McModel *m, const char *version) {
        for (guint i = 0; i < m->versions->len; i++)
                if (strcmp(m->versions->pdata[i], version) == 0)
                        return (int) i;
        return -1;
}

McModel *mc_model_new(const char *model) {
        McModel *m = g_new0(McModel, 1);
        m->model = g_strdup(model);
        m->versions = g_ptr_array_new_with_free_func(g_free);
        m->params = g_ptr_array_new_with_free_func(mc_param_unref_generic);
        return m;
}

void mc_model_free(McModel *m) {
        if (!m)
                return;
        g_free(m->model);
        g_ptr_array_unref(m->versions);
        g_ptr_array_unref(m->params);
        g_free(m->derived_template);
        if (m->derived_from)
                g_ptr_array_unref(m->derived_from);
        g_free(m);
}

static gint param_sort_cmp(gconstpointer a, gconstpointer b) {
        const McParam *pa = *(McParam *const *) a, *pb = *(McParam *const *) b;
        return strcmp(pa->name, pb->name);
}

void mc_model_sort_params(McModel *m) {
        g_ptr_array_sort(m->params, param_sort_cmp);
}

static bool mc_model_equal(const McModel *a, const McModel *b) {
        if (strcmp(a->model, b->model) != 0 || a->versions->len != b->versions->len ||
            a->params->len != b->params->len || a->caps_known != b->caps_known ||
            (a->caps_known && a->caps != b->caps) ||
            g_strcmp0(a->derived_template, b->derived_template) != 0 ||
            !mc_pairs_equal(a->derived_from, b->derived_from))
                return false;
        for (guint i = 0; i < a->versions->len; i++)
                if (strcmp(a->versions->pdata[i], b->versions->pdata[i]) != 0)
                        return false;
        for (guint i = 0; i < a->params->len; i++)
                if (!mc_param_equal(a->params->pdata[i], b->params->pdata[i]))
                        return false;
        return true;
}

McInfo *mc_info_new(void) {
        McInfo *info = g_new0(McInfo, 1);
        info->ref = 1;
        info->models = g_ptr_array_new_with_free_func((GDestroyNotify) mc_model_free);
        return info;
}

McInfo *mc_info_ref(McInfo *info) {
        g_atomic_int_inc(&info->ref);
        return info;
}

void mc_info_unref(McInfo *info) {
        if (!info || !g_atomic_int_dec_and_test(&info->ref))
                return;
        g_ptr_array_unref(info->models);
        g_free(info);
}

const McModel *mc_info_find_model(const McInfo *info, const char *model) {
        for (guint i = 0; i < info->models->len; i++) {
                const McModel *m = info->models->pdata[i];
                if (strcmp(m->model, model) == 0)
                        return m;
        }
        return NULL;
}

bool mc_info_equal(const McInfo *a, const McInfo *b) {
        if (a == b)
                return true;
        if (!a || !b || a->models->len != b->models->len)
                return false;
        for (guint i = 0; i < a->models->len; i++)
                if (!mc_model_equal(a->models->pdata[i], b->models->pdata[i]))
                        return false;
        return true;
}

/* ---- implementations --------------------------------------------------- */

const char *mc_kind_to_string(McKind k) {
        switch (k) {
        case MC_KIND_MDEV:
                return "mdev";
        case MC_KIND_VFIO_USER:
                return "vfio-user";
        case MC_KIND_VFIO_PCI:
                return "vfio-pci";
        }
        return "?";
}

int mc_kind_from_string(const char *s) {
        if (strcmp(s, "mdev") == 0)
                return MC_KIND_MDEV;
        if (strcmp(s, "vfio-user") == 0)
                return MC_KIND_VFIO_USER;
        if (strcmp(s, "vfio-pci") == 0)
                return MC_KIND_VFIO_PCI;
        return -1;
}

static const char *const facts_names[] = {
        [MC_FACTS_NONE] = "none",
        [MC_FACTS_DRIVER] = "driver",
        [MC_FACTS_DATA_FILE] = "data-file",
        [MC_FACTS_PROGRAM] = "program",
};

const char *mc_facts_from_to_string(McFactsFrom f) {
        return (unsigned) f < G_N_ELEMENTS(facts_names) ? facts_names[f] : "none";
}

int mc_facts_from_from_string(const char *s) {
        for (size_t i = 0; i < G_N_ELEMENTS(facts_names); i++)
                if (strcmp(facts_names[i], s) == 0)
                        return (int) i;
        return -1;
}

McImpl *mc_impl_new(McKind kind, const char *id) {
        McImpl *impl = g_new0(McImpl, 1);
        impl->ref = 1;
        impl->kind = kind;
        impl->id = g_strdup(id);
        if (kind == MC_KIND_VFIO_USER) {
                impl->args = g_new0(char *, 1);
                impl->available = MC_AVAILABLE_UNLIMITED;
        }
        if (kind == MC_KIND_VFIO_PCI) {
                impl->identity = mc_pairs_new();
                impl->available = MC_AVAILABLE_UNKNOWN;
        }
        return impl;
}

McImpl *mc_impl_ref(McImpl *impl) {
        g_atomic_int_inc(&impl->ref);
        return impl;
}

void mc_impl_unref(McImpl *impl) {
        if (!impl || !g_atomic_int_dec_and_test(&impl->ref))
                return;
        g_free(impl->id);
        g_free(impl->parent);
        g_free(impl->type_id);
        g_free(impl->driver);
        g_free(impl->name);
        g_free(impl->description);
        g_free(impl->device_api);
        g_free(impl->descriptor);
        g_free(impl->binary);
        g_strfreev(impl->args);
        if (impl->identity)
                g_ptr_array_unref(impl->identity);
        if (impl->info)
                mc_info_unref(impl->info);
        g_free(impl->facts_file);
        g_free(impl->not_migratable_reason);
        g_free(impl);
}

McImpl *mc_impl_copy(const McImpl *impl) {
        McImpl *c = g_new0(McImpl, 1);

        c->ref = 1;
        c->id = g_strdup(impl->id);
        c->kind = impl->kind;
        c->parent = g_strdup(impl->parent);
        c->type_id = g_strdup(impl->type_id);
        c->driver = g_strdup(impl->driver);
        c->name = g_strdup(impl->name);
        c->description = g_strdup(impl->description);
        c->device_api = g_strdup(impl->device_api);
        c->descriptor = g_strdup(impl->descriptor);
        c->binary = g_strdup(impl->binary);
        c->args = g_strdupv(impl->args);
        c->identity = mc_pairs_copy(impl->identity);
        c->available = impl->available;
        c->info = impl->info ? mc_info_ref(impl->info) : NULL;
        c->facts_from = impl->facts_from;
        c->facts_file = g_strdup(impl->facts_file);
        c->not_migratable_reason = g_strdup(impl->not_migratable_reason);
        return c;
}

static bool strv_equal0(char **a, char **b) {
        if (!a || !b)
                return a == b;
        return g_strv_equal((const char *const *) a, (const char *const *) b);
}

bool mc_impl_equal(const McImpl *a, const McImpl *b) {
        return strcmp(a->id, b->id) == 0 && a->kind == b->kind &&
               g_strcmp0(a->parent, b->parent) == 0 && g_strcmp0(a->type_id, b->type_id) == 0 &&
               g_strcmp0(a->driver, b->driver) == 0 && g_strcmp0(a->name, b->name) == 0 &&
               g_strcmp0(a->description, b->description) == 0 &&
               g_strcmp0(a->device_api, b->device_api) == 0 &&
               g_strcmp0(a->descriptor, b->descriptor) == 0 &&
               g_strcmp0(a->binary, b->binary) == 0 && strv_equal0(a->args, b->args) &&
               mc_pairs_equal(a->identity, b->identity) && a->available == b->available && mc_info_equal(a->info, b->info) &&
               a->facts_from == b->facts_from && g_strcmp0(a->facts_file, b->facts_file) == 0 &&
               g_strcmp0(a->not_migratable_reason, b->not_migratable_reason) == 0;
}

bool mc_impl_migratable(const McImpl *impl) {
        return impl->info != NULL && impl->info->models->len > 0;
}

char *mc_mdev_impl_id(const char *parent, const char *type_id) {
        return g_strdup_printf("mdev:%s:%s", parent, type_id);
}

char *mc_vfio_user_impl_id(const char *descriptor_name) {
        size_t len = strlen(descriptor_name);
        if (g_str_has_suffix(descriptor_name, ".json"))
                len -= 5;
        return g_strdup_printf("vfio-user:%.*s", (int) len, descriptor_name);
}

const char *const mc_pci_identity_names[] = {
        "address", "vendor", "device", "subsystem-vendor", "subsystem-device", "class",
        "revision", "driver", "driver-module", "driver-version", "driver-srcversion",
        "iommu-group", "pf", "pf-driver", "pf-driver-version", "pf-driver-srcversion",
        "pf-firmware", "pf-board-id", NULL,
};

char *mc_vfio_pci_impl_id(const char *address) {
        return g_strdup_printf("vfio-pci:%s", address);
}

/* ---- source descriptions ----------------------------------------------- */

static bool parse_int_string(const char *s, int64_t *ret) {
        char *end = NULL;
        gint64 v;

        if (!s || !*s || g_ascii_isspace(*s))
                return false;
        errno = 0;
        v = g_ascii_strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return false;
        *ret = v;
        return true;
}

bool mc_src_param_to_value(const McSrcParam *p, McParamType t, McValue *out) {
        *out = (McValue) { .type = t };
        switch (t) {
        case MC_PARAM_BOOL:
                if (p->kind == MC_SRC_BOOL) {
                        out->b = p->b;
                        return true;
                }
                if (p->kind == MC_SRC_STR && (strcmp(p->s, "on") == 0 || strcmp(p->s, "off") == 0)) {
                        out->b = strcmp(p->s, "on") == 0;
                        return true;
                }
                return false;
        case MC_PARAM_INT:
                if (p->kind == MC_SRC_INT) {
                        out->i = p->i;
                        return true;
                }
                return p->kind == MC_SRC_STR && parse_int_string(p->s, &out->i);
        case MC_PARAM_STR:
                if (p->kind != MC_SRC_STR)
                        return false;
                out->s = g_strdup(p->s);
                return true;
        }
        return false;
}

char *mc_src_param_to_string(const McSrcParam *p) {
        switch (p->kind) {
        case MC_SRC_BOOL:
                return g_strdup(p->b ? "true" : "false");
        case MC_SRC_INT:
                return g_strdup_printf("%" G_GINT64_FORMAT, p->i);
        case MC_SRC_STR:
                return g_strdup_printf("\"%s\"", p->s);
        }
        return g_strdup("?");
}

static void mc_src_param_free(McSrcParam *p) {
        g_free(p->name);
        g_free(p->s);
        g_free(p);
}

McSource *mc_source_new(void) {
        McSource *src = g_new0(McSource, 1);
        src->devices = g_ptr_array_new_with_free_func((GDestroyNotify) mc_src_device_free);
        return src;
}

void mc_source_free(McSource *src) {
        if (!src)
                return;
        g_ptr_array_unref(src->devices);
        g_free(src);
}

McSrcDevice *mc_src_device_new(const char *id, const char *model, const char *version) {
        McSrcDevice *d = g_new0(McSrcDevice, 1);
        d->id = g_strdup(id);
        d->model = g_strdup(model);
        d->version = g_strdup(version);
        d->params = g_ptr_array_new_with_free_func((GDestroyNotify) mc_src_param_free);
        return d;
}

void mc_src_device_free(McSrcDevice *d) {
        if (!d)
                return;
        g_free(d->id);
        g_free(d->model);
        g_free(d->version);
        g_ptr_array_unref(d->params);
        if (d->derived_from)
                g_ptr_array_unref(d->derived_from);
        g_free(d);
}

static guint src_param_lower_bound(const McSrcDevice *d, const char *name) {
        guint lo = 0, hi = d->params->len;
        while (lo < hi) {
                guint mid = lo + (hi - lo) / 2;
                const McSrcParam *p = d->params->pdata[mid];
                if (strcmp(p->name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

bool mc_src_device_add_param(McSrcDevice *d, const McSrcParam *p) {
        guint at = src_param_lower_bound(d, p->name);
        McSrcParam *c;

        if (at < d->params->len && strcmp(((McSrcParam *) d->params->pdata[at])->name, p->name) == 0)
                return false;
        c = g_new0(McSrcParam, 1);
        *c = *p;
        c->name = g_strdup(p->name);
        c->s = g_strdup(p->s);
        g_ptr_array_insert(d->params, (gint) at, c);
        return true;
}

const McSrcParam *mc_src_device_find_param(const McSrcDevice *d, const char *name) {
        guint at = src_param_lower_bound(d, name);
        if (at < d->params->len && strcmp(((McSrcParam *) d->params->pdata[at])->name, name) == 0)
                return d->params->pdata[at];
        return NULL;
}
