/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-domain-xml.h"

#include <string.h>

#include "ctl.h"
#include "mc-error.h"
#include "mc-quote.h"

static void hostdev_free(CtlHostdev *h) {
        g_free(h->uuid);
        g_free(h->alias);
        g_free(h->model);
        g_free(h);
}

void ctl_domain_free(CtlDomain *d) {
        if (!d)
                return;
        g_free(d->name);
        g_free(d->uuid);
        ctl_metadata_free(d->metadata);
        g_ptr_array_unref(d->hostdevs);
        g_free(d);
}

typedef struct {
        CtlDomain *domain;
        /* Names of the open elements; NULL for one in a namespace, which
         * no libvirt element is, so no path through it matches. */
        GPtrArray *path;
        CtlMetadataReader *md;   /* reading our element */
        CtlHostdev *hostdev;     /* inside an mdev <hostdev> */
        GString *text;           /* of <name> or <uuid> */
} Reader;

static bool at(const Reader *rd, const char *const *want) {
        guint n = 0;
        for (; want[n]; n++)
                if (n >= rd->path->len || g_strcmp0(rd->path->pdata[n], want[n]) != 0)
                        return false;
        return n == rd->path->len;
}

static bool on_start(void *userdata, const CtlXmlElement *e, GError **error) {
        static const char *const p_metadata[] = { "domain", "metadata", NULL };
        static const char *const p_devices[] = { "domain", "devices", NULL };
        static const char *const p_domain[] = { "domain", NULL };
        static const char *const p_hostdev[] = { "domain", "devices", "hostdev", NULL };
        static const char *const p_source[] = { "domain", "devices", "hostdev", "source", NULL };
        Reader *rd = userdata;

        if (rd->md && !ctl_metadata_reader_done(rd->md)) {
                g_ptr_array_add(rd->path, NULL);
                return ctl_metadata_reader_start(rd->md, e, error);
        }
        if (rd->path->len == 0 && (*e->uri || strcmp(e->name, "domain") != 0)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "this is not a libvirt domain XML: the root element is <%s>, not <domain>", e->qname);
                return false;
        }
        /* Anything in our namespace is ours to read (and to refuse). */
        if (at(rd, p_metadata) && strcmp(e->uri, CTL_METADATA_NS) == 0) {
                /* libvirt keeps one element per namespace; two is not its doing. */
                if (rd->md) {
                        g_set_error(error, MC_ERROR, MC_ERROR_DUPLICATE,
                                    "<metadata> holds two migcompat elements; libvirt keeps one per namespace");
                        return false;
                }
                rd->md = ctl_metadata_reader_new();
                g_ptr_array_add(rd->path, NULL);
                return ctl_metadata_reader_start(rd->md, e, error);
        }
        if (at(rd, p_domain) && !*e->uri && (strcmp(e->name, "name") == 0 || strcmp(e->name, "uuid") == 0))
                g_string_truncate(rd->text, 0);
        if (at(rd, p_devices) && !*e->uri && strcmp(e->name, "hostdev") == 0 &&
            g_strcmp0(ctl_xml_attr(e, "mode"), "subsystem") == 0 && g_strcmp0(ctl_xml_attr(e, "type"), "mdev") == 0) {
                rd->hostdev = g_new0(CtlHostdev, 1);
                rd->hostdev->model = g_strdup(ctl_xml_attr(e, "model"));
        }
        if (rd->hostdev && !*e->uri) {
                if (at(rd, p_hostdev) && strcmp(e->name, "alias") == 0) {
                        g_free(rd->hostdev->alias);
                        rd->hostdev->alias = g_strdup(ctl_xml_attr(e, "name"));
                } else if (at(rd, p_source) && strcmp(e->name, "address") == 0) {
                        const char *uuid = ctl_xml_attr(e, "uuid");
                        if (!uuid || !ctl_uuid_valid(uuid)) {
                                g_autofree char *q = mc_quote(uuid ? uuid : "", 64);
                                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                            "an mdev <hostdev> has a source address without a valid uuid (\"%s\")",
                                            q);
                                return false;
                        }
                        g_free(rd->hostdev->uuid);
                        rd->hostdev->uuid = g_ascii_strdown(uuid, -1);
                }
        }
        g_ptr_array_add(rd->path, *e->uri ? NULL : g_strdup(e->name));
        return true;
}

static bool on_end(void *userdata, const CtlXmlElement *e, GError **error) {
        static const char *const p_name[] = { "domain", "name", NULL };
        static const char *const p_uuid[] = { "domain", "uuid", NULL };
        static const char *const p_hostdev[] = { "domain", "devices", "hostdev", NULL };
        Reader *rd = userdata;
        bool ok = true;

        if (rd->md && !ctl_metadata_reader_done(rd->md)) {
                ok = ctl_metadata_reader_end(rd->md, e, error);
                g_ptr_array_set_size(rd->path, rd->path->len - 1);
                return ok;
        }
        if (at(rd, p_name)) {
                g_free(rd->domain->name);
                rd->domain->name = g_strstrip(g_strdup(rd->text->str));
        } else if (at(rd, p_uuid)) {
                g_free(rd->domain->uuid);
                rd->domain->uuid = g_strstrip(g_strdup(rd->text->str));
        } else if (at(rd, p_hostdev) && rd->hostdev) {
                if (!rd->hostdev->uuid) {
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "an mdev <hostdev>%s%s has no <source><address uuid=\"…\"/>",
                                    rd->hostdev->alias ? " " : "", rd->hostdev->alias ? rd->hostdev->alias : "");
                        ok = false;
                }
                g_ptr_array_add(rd->domain->hostdevs, g_steal_pointer(&rd->hostdev));
        }
        g_ptr_array_set_size(rd->path, rd->path->len - 1);
        return ok;
}

static bool on_text(void *userdata, const char *text, gsize len, GError **error) {
        static const char *const p_name[] = { "domain", "name", NULL };
        static const char *const p_uuid[] = { "domain", "uuid", NULL };
        Reader *rd = userdata;

        if (rd->md && !ctl_metadata_reader_done(rd->md))
                return ctl_metadata_reader_text(rd->md, text, len, error);
        if ((at(rd, p_name) || at(rd, p_uuid)) && rd->text->len + len <= 1024)
                g_string_append_len(rd->text, text, (gssize) len);
        return true;
}

CtlDomain *ctl_domain_parse(const char *data, gsize len, const char *origin, GError **error) {
        static const CtlXmlHandler handler = { on_start, on_end, on_text };
        g_autoptr(CtlDomain) d = g_new0(CtlDomain, 1);
        Reader rd = { .domain = d };
        bool ok;

        d->hostdevs = g_ptr_array_new_with_free_func((GDestroyNotify) hostdev_free);
        rd.path = g_ptr_array_new_with_free_func(g_free);
        rd.text = g_string_new(NULL);
        ok = ctl_xml_parse(data, len, origin, &handler, &rd, error);
        if (ok && rd.md)
                d->metadata = ctl_metadata_reader_steal(rd.md);
        ctl_metadata_reader_free(rd.md);
        if (rd.hostdev)
                hostdev_free(rd.hostdev);
        g_ptr_array_unref(rd.path);
        g_string_free(rd.text, true);
        return ok ? g_steal_pointer(&d) : NULL;
}
