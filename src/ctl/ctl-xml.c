/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-xml.h"

#include <string.h>

#include "mc-error.h"
#include "mc-quote.h"

#define XML_NS "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NS "http://www.w3.org/2000/xmlns/"

/* One open element: its namespace declarations and its resolved name. */
typedef struct {
        GPtrArray *prefixes; /* char*, "" for the default namespace */
        GPtrArray *uris;     /* char*, "" undeclares the default */
        char *uri;
        char *name;
        char *qname;
} Scope;

typedef struct {
        const CtlXmlHandler *handler;
        void *userdata;
        GArray *scopes; /* Scope */
        guint n_roots;
} Reader;

static void scope_clear(Scope *s) {
        g_ptr_array_unref(s->prefixes);
        g_ptr_array_unref(s->uris);
        g_free(s->uri);
        g_free(s->name);
        g_free(s->qname);
}

static bool fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static bool fail(GError **error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        g_propagate_error(error, g_error_new_valist(MC_ERROR, MC_ERROR_VALUE, fmt, ap));
        va_end(ap);
        return false;
}

/* The URI bound to prefix ("" for the default namespace) in the open
 * scopes, innermost first; NULL when not declared. */
static const char *lookup(const Reader *rd, const char *prefix) {
        if (strcmp(prefix, "xml") == 0)
                return XML_NS;
        for (guint i = rd->scopes->len; i > 0; i--) {
                const Scope *s = &g_array_index(rd->scopes, Scope, i - 1);
                for (guint k = s->prefixes->len; k > 0; k--)
                        if (strcmp(s->prefixes->pdata[k - 1], prefix) == 0)
                                return s->uris->pdata[k - 1];
        }
        return *prefix ? NULL : "";
}

/* Split "p:local" (or "local"); false when malformed. */
static bool split_qname(const char *qname, char **prefix, const char **local) {
        const char *colon = strchr(qname, ':');

        if (!colon) {
                *prefix = g_strdup("");
                *local = qname;
                return true;
        }
        if (colon == qname || !colon[1] || strchr(colon + 1, ':'))
                return false;
        *prefix = g_strndup(qname, (gsize) (colon - qname));
        *local = colon + 1;
        return true;
}

static void on_start(GMarkupParseContext *ctx, const char *qname, const char **names, const char **values,
                     gpointer userdata, GError **error) {
        Reader *rd = userdata;
        Scope scope = { .prefixes = g_ptr_array_new_with_free_func(g_free),
                        .uris = g_ptr_array_new_with_free_func(g_free) };
        g_autoptr(GPtrArray) a_uris = g_ptr_array_new();
        g_autoptr(GPtrArray) a_names = g_ptr_array_new();
        g_autoptr(GPtrArray) a_values = g_ptr_array_new();
        g_autoptr(GPtrArray) a_prefixes = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *prefix = NULL;
        const char *local;
        CtlXmlElement e;

        if (rd->scopes->len == 0 && ++rd->n_roots > 1) {
                fail(error, "a second root element <%s>: a document has one", qname);
                goto out;
        }
        if (rd->scopes->len >= CTL_XML_MAX_DEPTH) {
                fail(error, "elements nested deeper than %d levels", CTL_XML_MAX_DEPTH);
                goto out;
        }
        /* Declarations first: they apply to the element's own name too. */
        for (guint i = 0; names[i]; i++) {
                const char *p = NULL;

                for (guint k = 0; k < i; k++)
                        if (strcmp(names[k], names[i]) == 0) {
                                fail(error, "<%s> has attribute \"%s\" twice", qname, names[i]);
                                goto out;
                        }
                if (strcmp(names[i], "xmlns") == 0)
                        p = "";
                else if (g_str_has_prefix(names[i], "xmlns:"))
                        p = names[i] + 6;
                else
                        continue;
                if (*p == '\0' && names[i][5] == ':') {
                        fail(error, "<%s>: an empty namespace prefix is declared", qname);
                        goto out;
                }
                if (*p && !*values[i]) {
                        fail(error, "<%s>: prefix \"%s\" is bound to an empty namespace name", qname, p);
                        goto out;
                }
                if (strchr(p, ':') || strcmp(p, "xmlns") == 0 ||
                    (strcmp(p, "xml") == 0) != (strcmp(values[i], XML_NS) == 0) ||
                    strcmp(values[i], XMLNS_NS) == 0) {
                        fail(error, "<%s>: the reserved prefix or namespace in \"%s\" cannot be declared so",
                             qname, names[i]);
                        goto out;
                }
                g_ptr_array_add(scope.prefixes, g_strdup(p));
                g_ptr_array_add(scope.uris, g_strdup(values[i]));
        }
        g_array_append_val(rd->scopes, scope);
        scope = (Scope) { 0 };

        if (!split_qname(qname, &prefix, &local)) {
                fail(error, "<%s> is not a valid qualified name", qname);
                goto out;
        }
        e.uri = lookup(rd, prefix);
        if (!e.uri) {
                fail(error, "<%s> uses the undeclared namespace prefix \"%s\"", qname, prefix);
                goto out;
        }
        e.name = local;
        e.qname = qname;
        {
                Scope *top = &g_array_index(rd->scopes, Scope, rd->scopes->len - 1);
                top->uri = g_strdup(e.uri);
                top->name = g_strdup(local);
                top->qname = g_strdup(qname);
        }

        for (guint i = 0; names[i]; i++) {
                char *ap = NULL;
                const char *alocal, *auri;

                if (strcmp(names[i], "xmlns") == 0 || g_str_has_prefix(names[i], "xmlns:"))
                        continue;
                if (!split_qname(names[i], &ap, &alocal)) {
                        fail(error, "<%s>: attribute \"%s\" is not a valid qualified name", qname, names[i]);
                        goto out;
                }
                g_ptr_array_add(a_prefixes, ap);
                /* Unprefixed attributes are in no namespace, whatever the default. */
                auri = *ap ? lookup(rd, ap) : "";
                if (!auri) {
                        fail(error, "<%s>: attribute \"%s\" uses the undeclared prefix \"%s\"", qname, names[i], ap);
                        goto out;
                }
                for (guint k = 0; k < a_names->len; k++)
                        if (strcmp(a_names->pdata[k], alocal) == 0 && strcmp(a_uris->pdata[k], auri) == 0) {
                                fail(error, "<%s>: attribute \"%s\" is given twice (with two prefixes)", qname, alocal);
                                goto out;
                        }
                g_ptr_array_add(a_uris, (gpointer) auri);
                g_ptr_array_add(a_names, (gpointer) alocal);
                g_ptr_array_add(a_values, (gpointer) values[i]);
        }
        e.n_attrs = a_names->len;
        e.attr_uris = (const char *const *) a_uris->pdata;
        e.attr_names = (const char *const *) a_names->pdata;
        e.attr_values = (const char *const *) a_values->pdata;
        if (rd->handler->start)
                rd->handler->start(rd->userdata, &e, error);
out:
        if (scope.prefixes)
                scope_clear(&scope);
}

static void on_end(GMarkupParseContext *ctx, const char *qname, gpointer userdata, GError **error) {
        Reader *rd = userdata;
        Scope *top;
        CtlXmlElement e = { 0 };

        if (rd->scopes->len == 0)
                return;
        top = &g_array_index(rd->scopes, Scope, rd->scopes->len - 1);
        e.uri = top->uri;
        e.name = top->name;
        e.qname = top->qname;
        if (rd->handler->end)
                rd->handler->end(rd->userdata, &e, error);
        g_array_set_size(rd->scopes, rd->scopes->len - 1);
}

static void on_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer userdata, GError **error) {
        Reader *rd = userdata;

        if (rd->scopes->len == 0)
                return;
        if (rd->handler->text)
                rd->handler->text(rd->userdata, text, len, error);
}

bool ctl_xml_parse(const char *data, gsize len, const char *origin, const CtlXmlHandler *handler,
                   void *userdata, GError **error) {
        static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
        Reader rd = { .handler = handler, .userdata = userdata };
        g_autoptr(GError) local = NULL;
        GMarkupParseContext *ctx;
        bool ok;

        /* GMarkup stops at a NUL as if the document ended there. */
        if (memchr(data, '\0', len)) {
                g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s: the document holds a NUL byte", origin);
                return false;
        }
        /* GMarkup would quote the bytes in its message. */
        {
                const char *end = NULL;
                if (!g_utf8_validate_len(data, len, &end)) {
                        guint line = 1;
                        for (const char *p = data; p < end; p++)
                                line += *p == '\n';
                        g_set_error(error, MC_ERROR, MC_ERROR_SYNTAX, "%s: line %u: not valid UTF-8 (byte \\x%02x)",
                                    origin, line, (unsigned char) *end);
                        return false;
                }
        }
        rd.scopes = g_array_new(false, true, sizeof(Scope));
        g_array_set_clear_func(rd.scopes, (GDestroyNotify) scope_clear);
        ctx = g_markup_parse_context_new(&parser, G_MARKUP_TREAT_CDATA_AS_TEXT | G_MARKUP_PREFIX_ERROR_POSITION,
                                         &rd, NULL);
        ok = g_markup_parse_context_parse(ctx, data, (gssize) len, &local) &&
             g_markup_parse_context_end_parse(ctx, &local);
        g_markup_parse_context_free(ctx);
        g_array_unref(rd.scopes);
        if (!ok) {
                /* Keep our own error codes; GMarkup's are syntax errors. */
                int code = local->domain == MC_ERROR ? local->code : MC_ERROR_SYNTAX;
                g_autofree char *msg = mc_text_sanitize(local->message);
                g_set_error(error, MC_ERROR, code, "%s: %s", origin, msg);
                return false;
        }
        return true;
}

const char *ctl_xml_attr(const CtlXmlElement *e, const char *name) {
        for (guint i = 0; i < e->n_attrs; i++)
                if (!*e->attr_uris[i] && strcmp(e->attr_names[i], name) == 0)
                        return e->attr_values[i];
        return NULL;
}

static bool in_list(const char *const *list, const char *s) {
        for (; list && *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

bool ctl_xml_check_attrs(const CtlXmlElement *e, const char *const *allowed,
                         const char *const *required, GError **error) {
        for (guint i = 0; i < e->n_attrs; i++)
                if (!*e->attr_uris[i] && !in_list(allowed, e->attr_names[i]))
                        return fail(error, "<%s> has an unknown attribute \"%s\"", e->qname, e->attr_names[i]);
        for (; required && *required; required++)
                if (!ctl_xml_attr(e, *required))
                        return fail(error, "<%s> lacks the attribute \"%s\"", e->qname, *required);
        return true;
}

bool ctl_xml_is_blank(const char *text, gsize len) {
        for (gsize i = 0; i < len; i++)
                if (!strchr(" \t\r\n", text[i]))
                        return false;
        return true;
}
