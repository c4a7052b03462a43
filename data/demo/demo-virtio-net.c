/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A stand-in vfio-user virtio-net device program for the demo host: it
 * answers --print-migration-info-json as the proposal specifies, and
 * refuses to pretend to be a device otherwise. */

#include <stdio.h>
#include <string.h>

static const char info[] =
        "{\n"
        "  \"models\": {\n"
        "    \"virtio-spec.org/pci/virtio-net\": {\n"
        "      \"versions\": [\"v2\", \"v1\"],\n"
        "      \"params\": {\n"
        "        \"queues\":    { \"type\": \"int\", \"init_value\": 1, \"off_value\": 1,\n"
        "                       \"allowed_values\": [\"1-16\"],\n"
        "                       \"description\": \"Number of queue pairs\" },\n"
        "        \"mrg-rxbuf\": { \"type\": \"bool\", \"init_value\": true, \"off_value\": false,\n"
        "                       \"description\": \"VIRTIO_NET_F_MRG_RXBUF\" },\n"
        "        \"mtu\":       { \"type\": \"int\", \"init_value\": 1500, \"off_value\": 1500,\n"
        "                       \"allowed_values\": [\"68-9000\"] }\n"
        "      },\n"
        "      \"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]\n"
        "    }\n"
        "  }\n"
        "}\n";

int main(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--print-migration-info-json") == 0) {
                        fputs(info, stdout);
                        return 0;
                }
        fprintf(stderr, "%s: a demo stand-in; it only answers --print-migration-info-json\n", argv[0]);
        return 2;
}
