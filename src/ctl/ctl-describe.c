/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "describe DEVICE...": the source side. The daemon describes each running
 * mdev device (by UUID) or PCI function on a VFIO driver (by PCI address,
 * e.g. a VF "0000:3b:00.2"); the descriptions are combined into one source description
 * for the whole set, or into the libvirt domain metadata element that
 * carries it to the destination (ctl-metadata.h):
 *
 *   virsh metadata DOMAIN --uri https://migcompat.org/xmlns/libvirt-domain/1 \
 *         --key migcompat --set "$(migcompatctl describe --domain-metadata=virsh \
 *         --id UUID=hostdev0 UUID)" --live --config
 */

#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-metadata.h"
#include "ctl.h"
#include "mc-serialize.h"

/* domain:bus:device.function, as sysfs names PCI functions. */
static bool pci_address_valid(const char *s) {
        size_t n = strlen(s), dom = 0;

        while (dom < n && g_ascii_isxdigit(s[dom]))
                dom++;
        if (dom < 4 || dom > 8 || n != dom + 8)
                return false;
        s += dom;
        return s[0] == ':' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2]) && s[3] == ':' &&
               g_ascii_isxdigit(s[4]) && g_ascii_isxdigit(s[5]) && s[6] == '.' && s[7] >= '0' &&
               s[7] <= '7';
}

/* --id [UUID=]NAME: the device id to use for that UUID (for the only one
 * when no UUID is given). Fills uuid → id. */
static int map_ids(const CtlOptions *opts, GPtrArray *uuids, GHashTable *ids) {
        for (guint i = 0; opts->ids && i < opts->ids->len; i++) {
                const char *arg = opts->ids->pdata[i];
                const char *eq = strchr(arg, '=');
                g_autofree char *uuid = NULL;
                const char *name, *why;

                if (eq) {
                        uuid = g_ascii_strdown(arg, eq - arg);
                        name = eq + 1;
                        if (!g_ptr_array_find_with_equal_func(uuids, uuid, g_str_equal, NULL))
                                return ctl_error(CTL_EXIT_USAGE, "--id %s: %s is not one of the devices to describe",
                                                 arg, uuid);
                } else {
                        if (uuids->len != 1)
                                return ctl_error(CTL_EXIT_USAGE,
                                                 "--id %s: with several devices, say which: --id UUID=%s", arg, arg);
                        uuid = g_strdup(uuids->pdata[0]);
                        name = arg;
                }
                if ((why = mc_check_id_string(name)))
                        return ctl_error(CTL_EXIT_USAGE, "--id %s: %s", arg, why);
                if (g_hash_table_contains(ids, uuid))
                        return ctl_error(CTL_EXIT_USAGE, "--id: %s is given two ids", uuid);
                g_hash_table_insert(ids, g_steal_pointer(&uuid), g_strdup(name));
        }
        return 0;
}

int ctl_verb_describe(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) id_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(McSource) src = mc_source_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(GError) error = NULL;
        unsigned requires = 0;
        int r;

        for (int i = 1; i < argc; i++) {
                g_autofree char *uuid = NULL;
                if (!ctl_uuid_valid(argv[i]) && !pci_address_valid(argv[i]))
                        return ctl_error(CTL_EXIT_USAGE,
                                         "\"%s\" is neither an mdev UUID (8-4-4-4-12 hex digits) nor a PCI address (0000:3b:00.2)",
                                         argv[i]);
                uuid = g_ascii_strdown(argv[i], -1);
                if (g_ptr_array_find_with_equal_func(uuids, uuid, g_str_equal, NULL))
                        return ctl_error(CTL_EXIT_USAGE, "%s is given twice", argv[i]);
                g_ptr_array_add(uuids, g_steal_pointer(&uuid));
        }
        if (uuids->len > MC_MAX_DEVICES)
                return ctl_error(CTL_EXIT_USAGE, "at most %d devices at once", MC_MAX_DEVICES);
        r = map_ids(opts, uuids, ids);
        if (r)
                return r;
        for (guint i = 0; opts->requires && i < opts->requires->len; i++) {
                McCap c = mc_cap_from_string(opts->requires->pdata[i]);
                if (!c)
                        return ctl_error(CTL_EXIT_USAGE,
                                         "--require %s: not a capability (stop-copy, pre-copy, p2p, dirty-tracking)",
                                         (char *) opts->requires->pdata[i]);
                requires |= c;
        }

        r = ctl_bus_open(&bus, &error);
        if (r)
                return ctl_fail(error);
        for (guint i = 0; i < uuids->len; i++) {
                const char *uuid = uuids->pdata[i];
                const char *id = g_hash_table_lookup(ids, uuid);
                g_autofree char *json = NULL;
                g_autoptr(McSource) one = NULL;
                McSrcDevice *d;

                r = ctl_call_manager_string(bus, "Describe", uuid, &json, &error);
                if (r)
                        return ctl_fail(error);
                one = mc_source_parse(json, strlen(json), "the daemon's description", &error);
                if (!one || one->devices->len != 1)
                        return ctl_error(CTL_EXIT_DAEMON, "Describe %s: %s", uuid,
                                         error ? error->message : "not one device");
                d = g_ptr_array_steal_index(one->devices, 0);
                if (id) {
                        g_free(d->id);
                        d->id = g_strdup(id);
                }
                d->requires |= requires;
                g_ptr_array_add(src->devices, d);
                if (!g_hash_table_add(used, d->id))
                        return ctl_error(CTL_EXIT_USAGE, "device id \"%s\" is used twice", d->id);
                /* The metadata pairs an mdev's description with its UUID; a
                 * PCI function is paired by its device id (the alias). */
                if (ctl_uuid_valid(uuid))
                        g_hash_table_insert(id_uuid, g_strdup(d->id), g_strdup(uuid));
        }

        if (opts->domain_metadata) {
                g_autofree char *xml =
                        ctl_metadata_to_xml(src, id_uuid, opts->domain_metadata == CTL_METADATA_ELEMENT);
                fputs(xml, stdout);
        } else {
                g_autofree char *json = mc_source_to_json(src, true);
                puts(json);
        }
        return CTL_EXIT_OK;
}
