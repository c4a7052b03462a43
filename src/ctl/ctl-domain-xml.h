/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What check-domain needs from a libvirt domain XML (virsh dumpxml, or
 * what libvirt hands a qemu hook on stdin): the domain's name and UUID,
 * our metadata element (found by namespace URI, whatever its prefix), and
 * every <hostdev mode='subsystem' type='mdev'>. Everything else, including
 * other applications' metadata, is read past. */

#include "ctl-metadata.h"

typedef struct {
        char *uuid;  /* the mdev's UUID, lower case */
        char *alias; /* <alias name=…>, NULL when absent */
        char *model; /* vfio-pci, vfio-ccw, vfio-ap; NULL when absent */
} CtlHostdev;

typedef struct {
        char *name;            /* NULL when absent */
        char *uuid;            /* NULL when absent */
        CtlMetadata *metadata; /* NULL: no migcompat element */
        GPtrArray *hostdevs;   /* CtlHostdev*, in document order */
} CtlDomain;

void ctl_domain_free(CtlDomain *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlDomain, ctl_domain_free)

CtlDomain *ctl_domain_parse(const char *data, gsize len, const char *origin, GError **error);
