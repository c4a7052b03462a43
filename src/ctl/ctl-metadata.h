/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The source description inside a libvirt domain's <metadata>, so that it
 * travels with the domain XML to the destination of a migration (migcompatctl(1)). One element in the namespace CTL_METADATA_NS
 * (https://migcompat.org/xmlns/libvirt-domain/1), with the prefix
 * "migcompat" on every element, as libvirt stores it in the domain XML:
 *
 *   <migcompat:migcompat xmlns:migcompat="https://migcompat.org/xmlns/libvirt-domain/1">
 *     <migcompat:device id="hostdev0" uuid="6f8a1c3e-..." model="acme.example/vgpu" version="v1">
 *       <migcompat:param name="framebuffer" type="int" value="512"/>
 *       <migcompat:param name="display" type="bool" value="false"/>
 *       <migcompat:param name="mode" type="str" value="4"/>
 *       <migcompat:require capability="pre-copy"/>
 *     </migcompat:device>
 *     <migcompat:device id="hostdev1" model="nvidia.com/mlx5/connectx-vf" version="6.12.9+fw28.38.1900">
 *       <migcompat:derived-from name="pf-firmware" value="28.38.1900"/>
 *     </migcompat:device>
 *   </migcompat:migcompat>
 *
 * "virsh metadata --uri NS --key migcompat --set" takes the same element
 * without any namespace (it binds every unbound element to --uri under
 * the prefix --key, and fails when the element declares that prefix
 * itself), and "virsh metadata --uri NS" prints it back that way.
 *
 * It carries exactly what a source description carries, so JSON → XML →
 * JSON gives back the same document: device id (the libvirt hostdev alias,
 * or the mdev UUID), model, optional version, each parameter with the JSON
 * type the description gave its value (bool: true/false, int: decimal,
 * str: the string, so "4" stays a string and 4 an integer), and the
 * required capabilities, and the values a derived version was made of.
 * "uuid" (optional) names the source's mdev device,
 * so a <hostdev> can be paired with its description when it has no alias.
 *
 * Reading is strict (unknown elements and attributes of this vocabulary
 * are errors) but elements and attributes in other namespaces are left
 * alone. Below the root, the vocabulary is accepted in the namespace under
 * any prefix or as the default namespace (what migcompat 0.1 printed, and
 * libvirt keeps as given), or in none (a hand-written element). */

#include "ctl-xml.h"
#include "mc-types.h"

typedef struct {
        McSource *source;  /* devices in document order; may hold none */
        GHashTable *uuids; /* device id → mdev UUID, for those that say */
} CtlMetadata;

void ctl_metadata_free(CtlMetadata *md);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlMetadata, ctl_metadata_free)

/* The element, indented by two spaces per level, ending with a newline:
 * in the namespace as libvirt stores it, or without one for "virsh
 * metadata --set". uuids: device id → UUID (may be NULL). */
char *ctl_metadata_to_xml(const McSource *src, GHashTable *uuids, bool in_namespace);

/* Is s an mdev UUID (8-4-4-4-12 hex digits, either case)? */
bool ctl_uuid_valid(const char *s);

/* Is this element (a child of <metadata>) ours? */
bool ctl_metadata_is_root(const CtlXmlElement *e);

/* An incremental reader, fed the events of the element from its start tag
 * to its end tag by whoever parses the surrounding document. */
typedef struct CtlMetadataReader CtlMetadataReader;

CtlMetadataReader *ctl_metadata_reader_new(void);
void ctl_metadata_reader_free(CtlMetadataReader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlMetadataReader, ctl_metadata_reader_free)
bool ctl_metadata_reader_start(CtlMetadataReader *r, const CtlXmlElement *e, GError **error);
bool ctl_metadata_reader_end(CtlMetadataReader *r, const CtlXmlElement *e, GError **error);
bool ctl_metadata_reader_text(CtlMetadataReader *r, const char *text, gsize len, GError **error);
/* True once the root element's end tag was read. */
bool ctl_metadata_reader_done(const CtlMetadataReader *r);
/* What was read (the reader is spent). */
CtlMetadata *ctl_metadata_reader_steal(CtlMetadataReader *r);
