/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "check-domain XML|-": can this libvirt domain's devices land here?
 *
 * The devices come from two places. The migcompat metadata element holds
 * the source host's descriptions (put there with "describe
 * --domain-metadata"); it is the truth about the source. An mdev <hostdev>
 * that the metadata does not describe but whose UUID exists on this host
 * is described by the daemon; one that is not migratable fails the check
 * with that reason. Everything is checked as one VM, so devices that need
 * the same type share its free instances.
 *
 * An mdev of this domain that already exists here (a destination device
 * created before the migration, or the VM's own device when checking on
 * its host) holds an instance of its type for this very domain: the check
 * counts that instance as free, or a type created to its last instance
 * for this VM would turn the VM away. That is why the check runs here, on
 * the daemon's host profile with the same engine, and not as a Check call:
 * the daemon cannot know which instances belong to the domain.
 *
 * --hook is the libvirt hook's mode: stdout stays empty (libvirt would
 * take it as a replacement domain XML) and the outcome is at most one line
 * on stderr. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "ctl-domain-xml.h"
#include "ctl-fleet.h"
#include "ctl-profile.h"
#include "ctl.h"
#include "mc-config.h"
#include "mc-quote.h"
#include "mc-serialize.h"

typedef struct {
        const CtlOptions *opts;
        CtlDomain *dom;
        char *label;            /* "domain \"NAME\"" for messages */
        McSource *src;          /* what gets checked */
        GPtrArray *origins;     /* char*, per device of src: where it came from */
        GHashTable *ids;        /* device ids taken */
        JsonArray *failed;      /* results of devices that cannot even be described */
        GPtrArray *notes;       /* char* */
        McProfile *profile;
        McCatalog *cat;
} DomainCheck;

static void domain_check_clear(DomainCheck *dc) {
        ctl_domain_free(dc->dom);
        g_free(dc->label);
        mc_source_free(dc->src);
        g_ptr_array_unref(dc->origins);
        g_hash_table_unref(dc->ids);
        json_array_unref(dc->failed);
        g_ptr_array_unref(dc->notes);
        mc_profile_free(dc->profile);
        mc_catalog_free(dc->cat);
}

static void note(DomainCheck *dc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void note(DomainCheck *dc, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        g_ptr_array_add(dc->notes, g_strdup_vprintf(fmt, ap));
        va_end(ap);
}

/* ---- which devices --------------------------------------------------------------- */

/* Does the metadata describe this hostdev? By the UUID it recorded, by
 * the alias used as device id, or by the UUID used as device id. */
static bool covered(const DomainCheck *dc, const CtlHostdev *h) {
        const CtlMetadata *md = dc->dom->metadata;

        for (guint i = 0; md && i < md->source->devices->len; i++) {
                const McSrcDevice *d = md->source->devices->pdata[i];
                const char *uuid = g_hash_table_lookup(md->uuids, d->id);

                if (g_strcmp0(uuid, h->uuid) == 0 || g_strcmp0(d->id, h->alias) == 0 ||
                    g_ascii_strcasecmp(d->id, h->uuid) == 0)
                        return true;
        }
        return false;
}

static const char *hostdev_id(const CtlHostdev *h) {
        return h->alias ? h->alias : h->uuid;
}

static void add_device(DomainCheck *dc, McSrcDevice *d, char *origin) {
        g_ptr_array_add(dc->src->devices, d);
        g_ptr_array_add(dc->origins, origin);
}

/* The metadata's device ids are taken before any hostdev asks for one. */
static void reserve_metadata_ids(DomainCheck *dc) {
        CtlMetadata *md = dc->dom->metadata;

        if (!md)
                return;
        for (guint i = 0; i < md->source->devices->len; i++) {
                McSrcDevice *d = md->source->devices->pdata[i];
                g_hash_table_add(dc->ids, g_strdup(d->id));
        }
}

/* Metadata devices go first, in document order; moved at the end, once
 * the hostdevs have been paired with them. */
static void move_metadata(DomainCheck *dc) {
        CtlMetadata *md = dc->dom->metadata;
        g_autoptr(McSource) described = g_steal_pointer(&dc->src);
        g_autoptr(GPtrArray) described_origins = g_steal_pointer(&dc->origins);

        dc->src = mc_source_new();
        dc->origins = g_ptr_array_new_with_free_func(g_free);
        if (md) {
                while (md->source->devices->len > 0)
                        add_device(dc, g_ptr_array_steal_index(md->source->devices, 0),
                                   g_strdup("from the migcompat metadata"));
        }
        while (described->devices->len > 0)
                add_device(dc, g_ptr_array_steal_index(described->devices, 0),
                           g_ptr_array_steal_index(described_origins, 0));
}

/* The implementation id of an mdev that exists here, from sysfs: the
 * parent is the directory the device sits in, the type what mdev_type
 * points to. NULL when it cannot be read. */
static char *local_impl_id(const char *uuid) {
        g_autofree char *dev = g_strconcat("/sys/bus/mdev/devices/", uuid, NULL);
        g_autofree char *type_link = g_strconcat(dev, "/mdev_type", NULL);
        g_autofree char *dev_target = g_file_read_link(dev, NULL);
        g_autofree char *type_target = g_file_read_link(type_link, NULL);
        g_autofree char *parent_dir = NULL, *parent = NULL, *type = NULL;

        if (!dev_target || !type_target)
                return NULL;
        parent_dir = g_path_get_dirname(dev_target);
        parent = g_path_get_basename(parent_dir);
        type = g_path_get_basename(type_target);
        return mc_mdev_impl_id(parent, type);
}

/* The instance of an mdev of this domain that exists here is free for it. */
static void count_own_instance(DomainCheck *dc, const CtlHostdev *h, GHashTable *bumps) {
        g_autofree char *id = local_impl_id(h->uuid);
        guint n;

        if (!id) {
                note(dc, "%s: mdev %s exists here but its type could not be read from sysfs; its instance is not "
                         "counted as free for this domain", hostdev_id(h), h->uuid);
                return;
        }
        n = GPOINTER_TO_UINT(g_hash_table_lookup(bumps, id)) + 1;
        g_hash_table_insert(bumps, g_steal_pointer(&id), GUINT_TO_POINTER(n));
}

static void apply_bumps(DomainCheck *dc, GHashTable *bumps) {
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init(&it, bumps);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                McImpl *impl = mc_catalog_get(dc->cat, key);
                McImpl *copy, *old;
                guint n = GPOINTER_TO_UINT(value);

                if (!impl || impl->available < 0)
                        continue;
                copy = mc_impl_copy(impl);
                copy->available += n;
                old = mc_catalog_put(dc->cat, copy);
                if (old)
                        mc_impl_unref(old);
                note(dc, "%u instance%s of %s already exist%s on this host for this domain and count%s as free",
                     n, n == 1 ? "" : "s", (char *) key, n == 1 ? "s" : "", n == 1 ? "s" : "");
        }
}

/* A device the daemon cannot describe because its type has no migration
 * facts: it fails the check with that reason. */
static void add_failed(DomainCheck *dc, const CtlHostdev *h, const char *message) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, hostdev_id(h));
        json_builder_set_member_name(b, "model");
        json_builder_add_null_value(b);
        json_builder_set_member_name(b, "version");
        json_builder_add_null_value(b);
        json_builder_set_member_name(b, "verdict");
        json_builder_add_string_value(b, "incompatible");
        json_builder_set_member_name(b, "implementation");
        json_builder_add_null_value(b);
        json_builder_set_member_name(b, "reasons");
        json_builder_begin_array(b);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "code");
        json_builder_add_string_value(b, "not-migratable");
        json_builder_set_member_name(b, "message");
        json_builder_add_string_value(b, message);
        json_builder_end_object(b);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "candidates");
        json_builder_begin_array(b);
        json_builder_end_array(b);
        json_builder_end_object(b);
        json_array_add_element(dc->failed, json_builder_get_root(b));
}

static int claim_id(DomainCheck *dc, const char *id, GError **error) {
        if (!g_hash_table_add(dc->ids, g_strdup(id))) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE,
                            "device id \"%s\" is used twice (by the metadata or the hostdev aliases)", id);
                return CTL_EXIT_USAGE;
        }
        return 0;
}

/* Ask the daemon about each mdev hostdev: the ones the metadata leaves out
 * are described; the ones that exist here count their instance. */
static int gather_online(DomainCheck *dc, GError **error) {
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(GHashTable) bumps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        int r;

        r = ctl_bus_open(&bus, error);
        if (r)
                return r;
        for (guint i = 0; i < dc->dom->hostdevs->len; i++) {
                const CtlHostdev *h = dc->dom->hostdevs->pdata[i];
                g_autoptr(sd_bus_message) reply = NULL;
                g_auto(sd_bus_error) berr = SD_BUS_ERROR_NULL;
                bool is_covered = covered(dc, h);
                const char *json;

                r = ctl_call_manager(bus, "Describe", &berr, &reply, "s", h->uuid);
                if (r < 0 && sd_bus_error_has_name(&berr, MC_BUS_ERROR_NOT_FOUND)) {
                        if (!is_covered)
                                note(dc, "%s: mdev %s is neither described in the migcompat metadata nor present "
                                         "on this host; it is not checked",
                                     hostdev_id(h), h->uuid);
                        continue;
                }
                if (r < 0 && sd_bus_error_has_name(&berr, MC_BUS_ERROR_NOT_MIGRATABLE)) {
                        count_own_instance(dc, h, bumps);
                        if (!is_covered) {
                                r = claim_id(dc, hostdev_id(h), error);
                                if (r)
                                        return r;
                                add_failed(dc, h, berr.message);
                        }
                        continue;
                }
                if (r < 0)
                        return ctl_bus_error(&berr, r, "Describe", error);
                count_own_instance(dc, h, bumps);
                if (is_covered)
                        continue;

                r = sd_bus_message_read(reply, "s", &json);
                if (r < 0)
                        return ctl_bus_error(NULL, r, "Describe", error);
                {
                        g_autoptr(GError) perr = NULL;
                        g_autoptr(McSource) one = mc_source_parse(json, strlen(json), "the daemon's description",
                                                                  &perr);
                        McSrcDevice *d;

                        if (!one || one->devices->len != 1) {
                                g_set_error(error, CTL_ERROR, CTL_EXIT_DAEMON, "Describe %s: %s", h->uuid,
                                            perr ? perr->message : "not one device");
                                return CTL_EXIT_DAEMON;
                        }
                        r = claim_id(dc, hostdev_id(h), error);
                        if (r)
                                return r;
                        d = g_ptr_array_steal_index(one->devices, 0);
                        g_free(d->id);
                        d->id = g_strdup(hostdev_id(h));
                        add_device(dc, d,
                                   g_strdup_printf("mdev %s on this host, described by migcompatd", h->uuid));
                }
        }
        r = ctl_profile_load_daemon(bus, NULL, &dc->profile, error);
        if (r)
                return r;
        dc->cat = mc_profile_to_catalog(dc->profile);
        apply_bumps(dc, bumps);
        return 0;
}

/* Offline there is no daemon to describe anything: the metadata is all. */
static int gather_offline(DomainCheck *dc, GError **error) {
        int r;

        for (guint i = 0; i < dc->dom->hostdevs->len; i++) {
                const CtlHostdev *h = dc->dom->hostdevs->pdata[i];
                if (!covered(dc, h))
                        note(dc, "%s: mdev %s is not described in the migcompat metadata and cannot be described "
                                 "offline; it is not checked (run \"migcompatctl describe --domain-metadata\" on "
                                 "its host)",
                             hostdev_id(h), h->uuid);
        }
        if (ctl_fleet_wanted(dc->opts))
                return 0; /* each host's profile is read by the fleet check */
        r = ctl_profile_load_file(dc->opts->profile, NULL, &dc->profile, error);
        if (r)
                return r;
        dc->cat = mc_profile_to_catalog(dc->profile);
        return 0;
}

/* ---- reporting -------------------------------------------------------------------- */

/* The reason that says most about a device that cannot land: its own
 * (no candidate at all), else its best candidate's first. */
static JsonObject *main_reason(JsonObject *d) {
        JsonArray *reasons = ctl_json_arr(d, "reasons");
        JsonArray *cands = ctl_json_arr(d, "candidates");

        if (reasons && json_array_get_length(reasons))
                return ctl_json_obj_at(reasons, 0);
        for (guint k = 0; cands && k < json_array_get_length(cands); k++) {
                JsonArray *cr = ctl_json_arr(ctl_json_obj_at(cands, k), "reasons");
                if (cr && json_array_get_length(cr))
                        return ctl_json_obj_at(cr, 0);
        }
        return NULL;
}

static char *device_words(JsonObject *d) {
        const char *model = ctl_json_str(d, "model");
        const char *version = ctl_json_str(d, "version");

        if (!model)
                return g_strdup_printf("device %s (no device model)", ctl_json_str(d, "id"));
        return g_strdup_printf("device %s (%s%s%s)", ctl_json_str(d, "id"), model, version ? " version " : "",
                               version ? version : "");
}

/* One line for the libvirt hook's log. */
static void hook_line(const DomainCheck *dc, JsonObject *root, bool accepted) {
        JsonArray *devices = ctl_json_arr(root, "devices");
        JsonObject *first = NULL;
        guint n_bad = 0;
        g_autofree char *what = NULL;
        JsonObject *reason;

        /* An incompatible device says more than an unknown one. */
        for (int pass = 0; pass < 2; pass++)
                for (guint i = 0; devices && i < json_array_get_length(devices); i++) {
                        JsonObject *d = ctl_json_obj_at(devices, i);
                        const char *v = ctl_json_str(d, "verdict");
                        if (g_strcmp0(v, pass == 0 ? "incompatible" : "unknown") != 0)
                                continue;
                        if (!first)
                                first = d;
                        n_bad++;
                }
        if (!first)
                return;
        what = device_words(first);
        reason = main_reason(first);
        fprintf(stderr, "migcompat: %s incoming migration of %s: %s %s: %s: %s%s", accepted ? "accepting" : "refusing",
                dc->label, what,
                g_strcmp0(ctl_json_str(first, "verdict"), "unknown") == 0
                        ? "may not land on this host (compatibility unknown)"
                        : "cannot land on this host",
                reason ? ctl_json_str(reason, "code") : "no-candidate",
                reason ? ctl_json_str(reason, "message") : "no implementation was found",
                n_bad > 1 ? "" : "\n");
        if (n_bad > 1)
                fprintf(stderr, " (and %u more device%s)\n", n_bad - 1, n_bad == 2 ? "" : "s");
}

static JsonNode *domain_node(const DomainCheck *dc) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        if (dc->dom->name)
                json_builder_add_string_value(b, dc->dom->name);
        else
                json_builder_add_null_value(b);
        json_builder_set_member_name(b, "uuid");
        if (dc->dom->uuid)
                json_builder_add_string_value(b, dc->dom->uuid);
        else
                json_builder_add_null_value(b);
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

static JsonNode *notes_node(const DomainCheck *dc) {
        g_autoptr(JsonArray) a = json_array_new();
        for (guint i = 0; i < dc->notes->len; i++)
                json_array_add_string_element(a, dc->notes->pdata[i]);
        return json_node_init_array(json_node_alloc(), a);
}

static void print_notes(const DomainCheck *dc) {
        for (guint i = 0; i < dc->notes->len; i++)
                ctl_print_wrapped("note: ", 6, dc->notes->pdata[i]);
}

static int nothing_to_check(DomainCheck *dc) {
        const CtlOptions *opts = dc->opts;
        g_autofree char *why = g_strdup_printf(
                "%s has %s and no mdev device %s: nothing to check", dc->label,
                dc->dom->metadata ? "an empty migcompat metadata element" : "no migcompat metadata",
                dc->dom->hostdevs->len ? "that exists on this host" : "at all");

        if (opts->hook) {
                fprintf(stderr, "migcompat: %s\n", why);
        } else if (opts->json) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                g_autoptr(JsonNode) root = NULL;
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "domain");
                json_builder_add_value(b, domain_node(dc));
                json_builder_set_member_name(b, "verdict");
                json_builder_add_null_value(b);
                json_builder_set_member_name(b, "devices");
                json_builder_begin_array(b);
                json_builder_end_array(b);
                json_builder_set_member_name(b, "notes");
                note(dc, "%s", why);
                json_builder_add_value(b, notes_node(dc));
                json_builder_end_object(b);
                root = json_builder_get_root(b);
                ctl_print_json(root);
        } else if (!opts->quiet) {
                print_notes(dc);
                ctl_print_wrapped("", 2, why);
        }
        return CTL_EXIT_OK;
}

static int report(DomainCheck *dc, const McCheckResult *res) {
        const CtlOptions *opts = dc->opts;
        g_autofree char *json = mc_check_result_to_json(res, false);
        g_autoptr(JsonNode) root = json_from_string(json, NULL);
        JsonObject *o = json_node_get_object(root);
        JsonArray *devices = ctl_json_arr(o, "devices");
        const char *verdict;
        int code;

        /* The devices that could not even be described fail the whole. */
        for (guint i = 0; i < json_array_get_length(dc->failed); i++)
                json_array_add_element(devices, json_node_copy(json_array_get_element(dc->failed, i)));
        if (json_array_get_length(dc->failed))
                json_object_set_string_member(o, "verdict", "incompatible");
        verdict = ctl_json_str(o, "verdict");
        json_object_set_member(o, "domain", domain_node(dc));
        json_object_set_member(o, "notes", notes_node(dc));

        code = strcmp(verdict, "compatible") == 0 ? CTL_EXIT_OK : CTL_EXIT_NOT_COMPATIBLE;
        if (code && opts->allow_unknown && strcmp(verdict, "unknown") == 0)
                code = CTL_EXIT_OK;

        if (opts->hook) {
                if (strcmp(verdict, "compatible") != 0)
                        hook_line(dc, o, code == CTL_EXIT_OK);
                return code;
        }
        if (opts->json) {
                ctl_print_json(root);
                return code;
        }
        if (opts->quiet)
                return code;
        {
                g_autofree char *uuid = dc->dom->uuid ? mc_quote(dc->dom->uuid, 64) : NULL;
                printf("%s%s%s%s\n", dc->label, uuid ? " (" : "", uuid ? uuid : "", uuid ? ")" : "");
        }
        for (guint i = 0; i < dc->src->devices->len; i++) {
                const McSrcDevice *d = dc->src->devices->pdata[i];
                g_autofree char *prefix = g_strdup_printf("  %-10s ", d->id);
                ctl_print_wrapped(prefix, 13, dc->origins->pdata[i]);
        }
        for (guint i = 0; i < json_array_get_length(dc->failed); i++) {
                JsonObject *d = ctl_json_obj_at(dc->failed, i);
                g_autofree char *prefix = g_strdup_printf("  %-10s ", ctl_json_str(d, "id"));
                ctl_print_wrapped(prefix, 13, "mdev on this host, of a type without migration facts");
        }
        putchar('\n');
        ctl_print_check_result_node(root, opts);
        print_notes(dc);
        return code;
}

/* ---- the verb ----------------------------------------------------------------------- */

static int run(DomainCheck *dc, const char *path, GError **error) {
        const CtlOptions *opts = dc->opts;
        g_autoptr(GError) local = NULL;
        g_autofree char *data = NULL;
        g_autoptr(McCheckResult) res = NULL;
        /* What libvirt pipes to the hook is no file anyone can open. */
        const char *origin = opts->hook ? "the domain XML" : strcmp(path, "-") == 0 ? "stdin" : path;
        gsize len = 0;
        int r;

        if (!mc_read_document(path, CTL_MAX_DOMAIN_XML, &data, &len, &local)) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "cannot read the domain XML: %s", local->message);
                return CTL_EXIT_USAGE;
        }
        dc->dom = ctl_domain_parse(data, len, origin, &local);
        if (!dc->dom) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "%s", local->message);
                return CTL_EXIT_USAGE;
        }
        if (!opts->hook_guest) {
                g_free(dc->label);
                if (dc->dom->name) {
                        /* The domain XML's text, shown on terminals and in libvirt's log. */
                        g_autofree char *name = mc_quote(dc->dom->name, 255);
                        dc->label = g_strdup_printf("domain \"%s\"", name);
                } else {
                        dc->label = g_strdup("the domain");
                }
        }
        reserve_metadata_ids(dc);

        if ((!dc->dom->metadata || dc->dom->metadata->source->devices->len == 0) && dc->dom->hostdevs->len == 0)
                return nothing_to_check(dc);

        r = opts->profile ? gather_offline(dc, error) : gather_online(dc, error);
        if (r)
                return r;
        move_metadata(dc);

        if (dc->src->devices->len == 0 && json_array_get_length(dc->failed) == 0)
                return nothing_to_check(dc);

        if (opts->print_source) {
                g_autofree char *json = NULL;
                if (dc->src->devices->len == 0) {
                        g_set_error(error, CTL_ERROR, CTL_EXIT_NOT_COMPATIBLE,
                                    "%s: no device can be described (see the notes)", dc->label);
                        return CTL_EXIT_NOT_COMPATIBLE;
                }
                for (guint i = 0; i < json_array_get_length(dc->failed); i++)
                        note(dc, "%s: left out: %s", ctl_json_str(ctl_json_obj_at(dc->failed, i), "id"),
                             ctl_json_str(ctl_json_obj_at(ctl_json_arr(ctl_json_obj_at(dc->failed, i), "reasons"), 0),
                                          "message"));
                json = mc_source_to_json(dc->src, true);
                puts(json);
                for (guint i = 0; i < dc->notes->len; i++)
                        ctl_notice("%s", (char *) dc->notes->pdata[i]);
                return CTL_EXIT_OK;
        }

        if (ctl_fleet_wanted(opts)) {
                if (!opts->json && !opts->quiet)
                        printf("%s%s%s%s\n\n", dc->label, dc->dom->uuid ? " (" : "", dc->dom->uuid ? dc->dom->uuid : "",
                               dc->dom->uuid ? ")" : "");
                return ctl_fleet_check(opts, dc->src, opts->allow_unknown, dc->notes);
        }
        {
                McCheckOptions copts = { .max_candidates = ctl_max_candidates(opts) };
                res = mc_check(dc->cat, dc->src, &copts);
        }
        return report(dc, res);
}

/* An error as the hook's one line: no positions in a document nobody can
 * see, and the bus's account of a refused call (rules, ids, pids) cut to
 * its gist, since libvirt puts the line into its own error message. */
static char *hook_message(const char *msg) {
        g_autoptr(GRegex) position = g_regex_new("(Error on )?line [0-9]+ char [0-9]+: ", G_REGEX_CASELESS, 0, NULL);
        g_autofree char *text = g_regex_replace_literal(position, msg, -1, 0, "", 0, NULL);
        char *denied = text ? strstr(text, "access denied") : NULL;

        if (!text)
                return g_strdup(msg);
        /* "Check: access denied[ by WHOM][ (a hint)]: what the bus said":
         * up to the hint or the bus's words. */
        if (denied) {
                char *end = denied + strcspn(denied, "(:");
                while (end > denied && end[-1] == ' ')
                        end--;
                *end = '\0';
        }
        g_strdelimit(text, "\n", ' ');
        return g_steal_pointer(&text);
}

int ctl_verb_check_domain(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        DomainCheck dc = {
                .opts = opts,
                .label = g_strdup("the domain"),
                .src = mc_source_new(),
                .origins = g_ptr_array_new_with_free_func(g_free),
                .ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                .failed = json_array_new(),
                .notes = g_ptr_array_new_with_free_func(g_free),
        };
        int r;

        if (opts->hook && ctl_fleet_wanted(opts)) {
                domain_check_clear(&dc);
                return ctl_error(CTL_EXIT_USAGE, "--hook checks for this host: one --profile file at most");
        }
        if (opts->hook_guest) {
                g_free(dc.label);
                dc.label = g_strdup_printf("domain \"%s\"", opts->hook_guest);
        }
        if (opts->hook) {
                /* Whatever a hook prints on stdout replaces the domain XML:
                 * nothing may ever reach it, not even by accident. */
                int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (fd >= 0) {
                        fflush(stdout);
                        dup2(fd, STDOUT_FILENO);
                        close(fd);
                }
        }
        r = run(&dc, argc > 1 ? argv[1] : "-", &error);
        if (error) {
                if (opts->hook) {
                        g_autofree char *msg = hook_message(error->message);
                        fprintf(stderr, "migcompat: cannot check the incoming migration of %s: %s\n", dc.label, msg);
                }
                else
                        ctl_fail(error);
        }
        domain_check_clear(&dc);
        return r;
}
