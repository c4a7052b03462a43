/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small namespace-aware reader on GLib's GMarkup (libxml2 is not in our
 * stack). GMarkup checks well-formedness, expands the five predefined
 * entities and character references, hands CDATA over as text and refuses
 * every other entity (so a DOCTYPE cannot define any: no expansion bombs).
 * On top of it this layer resolves namespace prefixes by scope, as the
 * Namespaces in XML recommendation says, and refuses what GMarkup lets
 * through: several root elements, repeated attributes, undeclared
 * prefixes, NUL bytes, and nesting deeper than CTL_XML_MAX_DEPTH.
 *
 * Handlers see each element's namespace URI and local name, never its
 * prefix: the same element may be written with any prefix, or with a
 * default namespace. Errors are MC_ERROR and read "ORIGIN: line L char C:
 * what is wrong". */

#include <glib.h>
#include <stdbool.h>

#define CTL_XML_MAX_DEPTH 256

typedef struct {
        const char *uri;   /* namespace URI; "" for none */
        const char *name;  /* local name */
        const char *qname; /* as written, for messages */
        /* Attributes, namespace declarations left out. */
        guint n_attrs;
        const char *const *attr_uris;   /* "" for unprefixed */
        const char *const *attr_names;  /* local names */
        const char *const *attr_values;
} CtlXmlElement;

typedef struct {
        bool (*start)(void *userdata, const CtlXmlElement *e, GError **error);
        bool (*end)(void *userdata, const CtlXmlElement *e, GError **error);
        /* Character data (CDATA included) inside the current element. */
        bool (*text)(void *userdata, const char *text, gsize len, GError **error);
} CtlXmlHandler;

/* Parse a whole document. origin names it in errors. */
bool ctl_xml_parse(const char *data, gsize len, const char *origin, const CtlXmlHandler *handler,
                   void *userdata, GError **error);

/* The value of the unprefixed attribute name, or NULL. */
const char *ctl_xml_attr(const CtlXmlElement *e, const char *name);
/* Refuse unprefixed attributes not in allowed (NULL-terminated) and
 * missing ones in required (NULL-terminated, may be NULL). Attributes in a
 * namespace are another vocabulary's and are left alone. */
bool ctl_xml_check_attrs(const CtlXmlElement *e, const char *const *allowed,
                         const char *const *required, GError **error);
/* Is text only XML white space? */
bool ctl_xml_is_blank(const char *text, gsize len);
