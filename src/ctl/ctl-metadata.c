/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-metadata.h"

#include "mc-template.h"

#include <string.h>

#include "ctl.h"
#include "mc-error.h"
#include "mc-json.h"
#include "mc-quote.h"

void ctl_metadata_free(CtlMetadata *md) {
        if (!md)
                return;
        mc_source_free(md->source);
        g_hash_table_unref(md->uuids);
        g_free(md);
}

/* ---- writing ------------------------------------------------------------------ */

static const char *src_kind_name(McSrcValueKind k) {
        switch (k) {
        case MC_SRC_BOOL:
                return "bool";
        case MC_SRC_INT:
                return "int";
        case MC_SRC_STR:
                return "str";
        }
        return "?";
}

char *ctl_metadata_to_xml(const McSource *src, GHashTable *uuids, bool in_namespace) {
        /* Every element prefixed, as libvirt writes what "virsh metadata
         * --set" gave it; or none, since that command binds the namespace
         * itself and refuses an element that already declares the prefix. */
        const char *pfx = in_namespace ? CTL_METADATA_KEY ":" : "";
        GString *s = g_string_new(NULL);

        if (in_namespace)
                g_string_append(s, "<" CTL_METADATA_KEY ":" CTL_METADATA_KEY " xmlns:" CTL_METADATA_KEY
                                   "=\"" CTL_METADATA_NS "\">\n");
        else
                g_string_append(s, "<" CTL_METADATA_KEY ">\n");

        for (guint i = 0; i < src->devices->len; i++) {
                const McSrcDevice *d = src->devices->pdata[i];
                const char *uuid = uuids ? g_hash_table_lookup(uuids, d->id) : NULL;
                g_autofree char *id = g_markup_escape_text(d->id, -1);
                g_autofree char *model = g_markup_escape_text(d->model, -1);
                bool empty = d->params->len == 0 && d->requires == 0 &&
                             (!d->derived_from || d->derived_from->len == 0);

                g_string_append_printf(s, "  <%sdevice id=\"%s\"", pfx, id);
                if (uuid) {
                        g_autofree char *u = g_markup_escape_text(uuid, -1);
                        g_string_append_printf(s, " uuid=\"%s\"", u);
                }
                g_string_append_printf(s, " model=\"%s\"", model);
                if (d->version) {
                        g_autofree char *v = g_markup_escape_text(d->version, -1);
                        g_string_append_printf(s, " version=\"%s\"", v);
                }
                g_string_append(s, empty ? "/>\n" : ">\n");
                for (guint k = 0; k < d->params->len; k++) {
                        const McSrcParam *p = d->params->pdata[k];
                        g_autofree char *name = g_markup_escape_text(p->name, -1);
                        g_autofree char *value = NULL;

                        switch (p->kind) {
                        case MC_SRC_BOOL:
                                value = g_strdup(p->b ? "true" : "false");
                                break;
                        case MC_SRC_INT:
                                value = g_strdup_printf("%" G_GINT64_FORMAT, (gint64) p->i);
                                break;
                        case MC_SRC_STR:
                                value = g_markup_escape_text(p->s, -1);
                                break;
                        }
                        g_string_append_printf(s, "    <%sparam name=\"%s\" type=\"%s\" value=\"%s\"/>\n", pfx, name,
                                               src_kind_name(p->kind), value);
                }
                for (unsigned c = 1; c < MC_CAP_ALL; c <<= 1)
                        if (d->requires & c)
                                g_string_append_printf(s, "    <%srequire capability=\"%s\"/>\n", pfx,
                                                       mc_cap_to_string((McCap) c));
                for (guint k = 0; d->derived_from && k < d->derived_from->len; k++) {
                        const McPair *p = d->derived_from->pdata[k];
                        g_autofree char *name = g_markup_escape_text(p->name, -1);
                        g_autofree char *value = g_markup_escape_text(p->value, -1);
                        g_string_append_printf(s, "    <%sderived-from name=\"%s\" value=\"%s\"/>\n", pfx,
                                               name, value);
                }
                if (!empty)
                        g_string_append_printf(s, "  </%sdevice>\n", pfx);
        }
        g_string_append_printf(s, "</%s" CTL_METADATA_KEY ">\n", pfx);
        return g_string_free(s, false);
}

/* ---- reading ------------------------------------------------------------------ */

struct CtlMetadataReader {
        guint depth; /* 0 before the root, 1 inside it, 2 in a device, 3 in its child */
        guint skip;  /* > 0: inside another vocabulary's element */
        bool done;
        McSource *source;
        GHashTable *uuids;
        GHashTable *ids;
        McSrcDevice *device; /* being read */
        char *prefix;        /* the root's, with its colon ("migcompat:"), for messages */
};

CtlMetadataReader *ctl_metadata_reader_new(void) {
        CtlMetadataReader *r = g_new0(CtlMetadataReader, 1);
        r->source = mc_source_new();
        r->uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        r->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return r;
}

void ctl_metadata_reader_free(CtlMetadataReader *r) {
        if (!r)
                return;
        mc_source_free(r->source);
        g_hash_table_unref(r->uuids);
        g_hash_table_unref(r->ids);
        mc_src_device_free(r->device);
        g_free(r->prefix);
        g_free(r);
}

bool ctl_metadata_reader_done(const CtlMetadataReader *r) {
        return r->done;
}

CtlMetadata *ctl_metadata_reader_steal(CtlMetadataReader *r) {
        CtlMetadata *md = g_new0(CtlMetadata, 1);
        md->source = g_steal_pointer(&r->source);
        md->uuids = g_steal_pointer(&r->uuids);
        r->source = mc_source_new();
        r->uuids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        return md;
}

bool ctl_uuid_valid(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (int i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
                        return false;
        }
        return true;
}

bool ctl_metadata_is_root(const CtlXmlElement *e) {
        return strcmp(e->uri, CTL_METADATA_NS) == 0 && strcmp(e->name, CTL_METADATA_KEY) == 0;
}

/* Our vocabulary: in our namespace, or unqualified below our root. */
static bool ours(const CtlXmlElement *e) {
        return !*e->uri || strcmp(e->uri, CTL_METADATA_NS) == 0;
}

static bool invalid(GError **error, const CtlXmlElement *e, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool invalid(GError **error, const CtlXmlElement *e, const char *fmt, ...) {
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "migcompat metadata: <%s>: %s", e->qname, msg);
        return false;
}

/* "WHAT "VALUE": WHY", the value quoted safely (cut, escaped). */
static bool invalid_value(GError **error, const CtlXmlElement *e, const char *what, const char *value,
                          const char *why) {
        g_autofree char *q = mc_quote(value, 64);
        return invalid(error, e, "%s \"%s\": %s", what, q, why);
}

static bool read_device(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        static const char *const allowed[] = { "id", "uuid", "model", "version", NULL };
        static const char *const required[] = { "id", "model", NULL };
        const char *id, *model, *version, *uuid, *why;

        if (!ctl_xml_check_attrs(e, allowed, required, error))
                return false;
        id = ctl_xml_attr(e, "id");
        model = ctl_xml_attr(e, "model");
        version = ctl_xml_attr(e, "version");
        uuid = ctl_xml_attr(e, "uuid");
        if ((why = mc_check_id_string(id)))
                return invalid_value(error, e, "id", id, why);
        if ((why = mc_check_model_string(model)))
                return invalid_value(error, e, "model", model, why);
        if (version && (why = mc_check_version_string(version)))
                return invalid_value(error, e, "version", version, why);
        if (uuid && !ctl_uuid_valid(uuid))
                return invalid_value(error, e, "uuid", uuid, "not a UUID (8-4-4-4-12 hex digits)");
        if (r->source->devices->len >= MC_MAX_DEVICES)
                return invalid(error, e, "more than %d devices", MC_MAX_DEVICES);
        if (!g_hash_table_add(r->ids, g_strdup(id)))
                return invalid(error, e, "device id \"%s\" is used twice; ids must be unique", id);
        r->device = mc_src_device_new(id, model, version);
        if (uuid)
                g_hash_table_insert(r->uuids, g_strdup(id), g_ascii_strdown(uuid, -1));
        return true;
}

static bool read_param(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        static const char *const names[] = { "name", "type", "value", NULL };
        const char *name, *type, *value, *why;
        McSrcParam p = { 0 };

        if (!ctl_xml_check_attrs(e, names, names, error))
                return false;
        name = ctl_xml_attr(e, "name");
        type = ctl_xml_attr(e, "type");
        value = ctl_xml_attr(e, "value");
        if ((why = mc_check_param_name(name)))
                return invalid_value(error, e, "name", name, why);
        p.name = (char *) name;
        if (strcmp(type, "bool") == 0) {
                p.kind = MC_SRC_BOOL;
                if (strcmp(value, "true") == 0)
                        p.b = true;
                else if (strcmp(value, "false") != 0)
                        return invalid_value(error, e, name, value, "a bool value is \"true\" or \"false\"");
        } else if (strcmp(type, "int") == 0) {
                int64_t v;
                p.kind = MC_SRC_INT;
                /* The integers a source description's JSON may hold, no more:
                 * 03000 is not read as 3000 here and as octal elsewhere. */
                if (!mc_json_int_from_string(value, &v))
                        return invalid_value(error, e, name, value,
                                             "not an integer as JSON writes one (RFC 8259: no leading "
                                             "zeros, sign \"+\", fraction or exponent) within 64 bits");
                p.i = v;
        } else if (strcmp(type, "str") == 0) {
                if ((why = mc_check_str_value(value)))
                        return invalid(error, e, "%s: %s", name, why);
                p.kind = MC_SRC_STR;
                p.s = (char *) value;
        } else {
                return invalid_value(error, e, "type", type, "not bool, int or str");
        }
        if (r->device->params->len >= MC_MAX_PARAMS)
                return invalid(error, e, "more than %d parameters", MC_MAX_PARAMS);
        if (!mc_src_device_add_param(r->device, &p))
                return invalid(error, e, "parameter \"%s\" is given twice", name);
        return true;
}

static bool read_require(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        static const char *const names[] = { "capability", NULL };
        const char *cap;
        McCap c;

        if (!ctl_xml_check_attrs(e, names, names, error))
                return false;
        cap = ctl_xml_attr(e, "capability");
        c = mc_cap_from_string(cap);
        if (!c) {
                g_autofree char *q = mc_quote(cap, 32);
                return invalid(error, e,
                               "unknown capability \"%s\" (expected stop-copy, pre-copy, p2p or dirty-tracking)", q);
        }
        if (r->device->requires & c)
                return invalid(error, e, "capability \"%s\" is required twice", cap);
        r->device->requires |= c;
        return true;
}

/* <derived-from name="pf-firmware" value="28.38.1900"/>: a value the
 * source's derived version was made of. */
static bool read_derived_from(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        static const char *const names[] = { "name", "value", NULL };
        const char *name, *value, *why;

        if (!ctl_xml_check_attrs(e, names, names, error))
                return false;
        name = ctl_xml_attr(e, "name");
        value = ctl_xml_attr(e, "value");
        if (!mc_template_name_valid(name)) {
                g_autofree char *q = mc_quote(name, 64);
                return invalid(error, e, "\"%s\" is not a derived-version placeholder name", q);
        }
        if ((why = mc_check_str_value(value)) || strlen(value) > MC_MAX_VERSION_LEN)
                return invalid(error, e, "value of %s: %s", name,
                               why ? why : "at most 128 bytes");
        if (!r->device->derived_from)
                r->device->derived_from = mc_pairs_new();
        if (mc_pairs_get(r->device->derived_from, name))
                return invalid(error, e, "\"%s\" is given twice", name);
        if (r->device->derived_from->len >= MC_MAX_TEMPLATE_PLACEHOLDERS)
                return invalid(error, e, "more than %d derived-from values", MC_MAX_TEMPLATE_PLACEHOLDERS);
        mc_pairs_set(r->device->derived_from, name, value);
        return true;
}

bool ctl_metadata_reader_start(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        if (r->skip > 0 || (r->depth > 0 && !ours(e))) {
                r->skip++;
                return true;
        }
        switch (r->depth++) {
        case 0: {
                const char *colon = strchr(e->qname, ':');
                /* Messages name the elements as the XML spells them. */
                g_free(r->prefix);
                r->prefix = colon ? g_strndup(e->qname, (gsize) (colon - e->qname) + 1) : g_strdup("");
                if (!ctl_metadata_is_root(e))
                        return invalid(error, e, "expected <%s> in namespace %s", CTL_METADATA_KEY, CTL_METADATA_NS);
                return ctl_xml_check_attrs(e, NULL, NULL, error);
        }
        case 1:
                if (strcmp(e->name, "device") != 0)
                        return invalid(error, e, "unknown element; <%s%s> holds <%sdevice> elements", r->prefix,
                                       CTL_METADATA_KEY, r->prefix);
                return read_device(r, e, error);
        case 2:
                if (strcmp(e->name, "param") == 0)
                        return read_param(r, e, error);
                if (strcmp(e->name, "require") == 0)
                        return read_require(r, e, error);
                if (strcmp(e->name, "derived-from") == 0)
                        return read_derived_from(r, e, error);
                return invalid(error, e,
                               "unknown element; <%sdevice> holds <%sparam>, <%srequire> and <%sderived-from> elements",
                               r->prefix, r->prefix, r->prefix, r->prefix);
        default:
                return invalid(error, e, "unexpected element: <%sparam>, <%srequire> and <%sderived-from> are empty",
                               r->prefix, r->prefix, r->prefix);
        }
}

bool ctl_metadata_reader_end(CtlMetadataReader *r, const CtlXmlElement *e, GError **error) {
        if (r->skip > 0) {
                r->skip--;
                return true;
        }
        if (r->depth == 0)
                return true;
        switch (--r->depth) {
        case 0:
                r->done = true;
                break;
        case 1:
                g_ptr_array_add(r->source->devices, g_steal_pointer(&r->device));
                break;
        default:
                break;
        }
        return true;
}

bool ctl_metadata_reader_text(CtlMetadataReader *r, const char *text, gsize len, GError **error) {
        if (r->skip > 0 || ctl_xml_is_blank(text, len))
                return true;
        g_autofree char *q = mc_quote_len(text, len, 32);
        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                    "migcompat metadata: unexpected text \"%s\": the values are in attributes", q);
        return false;
}
