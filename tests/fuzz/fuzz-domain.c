/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatctl's reader of libvirt domain XML and of the migcompat
 * metadata element in it (check-domain, the libvirt hook). The whole
 * input is the document. Failures carry a UTF-8 message; metadata that
 * reads is written back as XML and must read back as the same source. */

#include <string.h>

#include "fuzz.h"

#include "ctl-domain-xml.h"
#include "mc-serialize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CtlDomain) dom = ctl_domain_parse((const char *) data, size, "fuzz.xml", &error);

        if (!dom) {
                fuzz_check_error(error);
                return 0;
        }
        if (dom->metadata && dom->metadata->source->devices->len > 0) {
                g_autofree char *xml = ctl_metadata_to_xml(dom->metadata->source, dom->metadata->uuids, true);
                g_autofree char *doc = g_strconcat("<domain><metadata>", xml, "</metadata></domain>", NULL);
                g_autoptr(GError) again = NULL;
                g_autoptr(CtlDomain) back = ctl_domain_parse(doc, strlen(doc), "again.xml", &again);
                FUZZ_ASSERT(back && back->metadata, "%s: %s", doc, again ? again->message : "no metadata");
                g_autofree char *a = mc_source_to_json(dom->metadata->source, false);
                g_autofree char *b = mc_source_to_json(back->metadata->source, false);
                FUZZ_ASSERT(strcmp(a, b) == 0, "%s read back as %s", a, b);
        }
        return 0;
}
