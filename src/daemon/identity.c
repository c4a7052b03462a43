/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity.h"

#include <string.h>
#include <sys/utsname.h>

#include "mc-error.h"
#include "mc-template.h"
#include "sysfs.h"

#define SYS_MODULE "/sys/module"
#define MAX_RDMA_DEVICES 64

void mc_identity_free(McIdentity *id) {
        if (!id)
                return;
        g_free(id->syspath);
        g_free(id->pf_syspath);
        g_ptr_array_unref(id->values);
        g_ptr_array_unref(id->missing);
        g_free(id);
}

/* A value is an identity value when it is a short single line of
 * printable ASCII; anything else is noted as unusable. */
static bool usable(const char *v) {
        size_t n = strlen(v);
        if (n == 0 || n > MC_MAX_VERSION_LEN)
                return false;
        for (const char *p = v; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                        return false;
        return true;
}

static void put(McIdentity *id, const char *name, char *value /* taken */, const char *where) {
        if (value && usable(value))
                mc_pairs_set(id->values, name, value);
        else if (value) {
                g_autofree char *w = g_strdup_printf("%s (unusable content)", where);
                mc_pairs_set(id->missing, name, w);
        }
        else
                mc_pairs_set(id->missing, name, where);
        g_free(value);
}

static void read_attr(McIdentity *id, const McSysfsDir *dir, const char *attr, const char *name) {
        g_autofree char *where = g_strconcat(mc_sysfs_dir_path(dir), "/", attr, NULL);
        put(id, name, mc_sysfs_read_text(dir, attr, 256, NULL, NULL), where);
}

/* driver, driver-module, driver-version, driver-srcversion of the device
 * at path (prefix "" or "pf-"). */
static void read_driver(McIdentity *id, const McSysfsDir *dev, const char *prefix) {
        g_autofree char *n_driver = g_strconcat(prefix, "driver", NULL);
        g_autofree char *n_module = g_strconcat(prefix, "driver-module", NULL);
        g_autofree char *n_version = g_strconcat(prefix, "driver-version", NULL);
        g_autofree char *n_src = g_strconcat(prefix, "driver-srcversion", NULL);
        g_autofree char *drv_path = g_strconcat(mc_sysfs_dir_path(dev), "/driver", NULL);
        g_autofree char *mod_where = g_strconcat(drv_path, "/module", NULL);
        g_autoptr(McSysfsDir) drv = NULL;
        g_autoptr(McSysfsDir) mod = NULL;
        char *driver = mc_sysfs_read_link_basename(dev, "driver", NULL);
        char *module = NULL;

        put(id, n_driver, driver, drv_path);
        if (mc_pairs_get(id->values, n_driver))
                drv = mc_sysfs_dir_open(drv_path, NULL);
        if (drv)
                module = mc_sysfs_read_link_basename(drv, "module", NULL);
        put(id, n_module, module, mod_where);
        const char *modname = mc_pairs_get(id->values, n_module);
        if (modname) {
                g_autofree char *mpath = g_strconcat(SYS_MODULE "/", modname, NULL);
                mod = mc_sysfs_dir_open(mpath, NULL);
        }
        if (mod) {
                read_attr(id, mod, "version", n_version);
                read_attr(id, mod, "srcversion", n_src);
        } else {
                g_autofree char *w1 = g_strdup_printf("%s/<module>/version", SYS_MODULE);
                g_autofree char *w2 = g_strdup_printf("%s/<module>/srcversion", SYS_MODULE);
                if (modname) {
                        g_free(w1);
                        g_free(w2);
                        w1 = g_strdup_printf("%s/%s/version", SYS_MODULE, modname);
                        w2 = g_strdup_printf("%s/%s/srcversion", SYS_MODULE, modname);
                }
                put(id, n_version, NULL, w1);
                put(id, n_src, NULL, w2);
        }
}

/* The PF's firmware as its RDMA device shows it (mlx5_core + mlx5_ib):
 * PF/infiniband/<dev>/fw_ver and board_id, the first device in name order. */
static void read_pf_firmware(McIdentity *id, const McSysfsDir *pf) {
        g_autofree char *ib_path = g_strconcat(mc_sysfs_dir_path(pf), "/infiniband", NULL);
        g_autofree char *w_fw = g_strconcat(ib_path, "/*/fw_ver", NULL);
        g_autofree char *w_board = g_strconcat(ib_path, "/*/board_id", NULL);
        g_autoptr(McSysfsDir) ib = mc_sysfs_dir_open_at(pf, "infiniband", NULL);
        g_autoptr(GPtrArray) names = ib ? mc_sysfs_list(ib, NULL, MAX_RDMA_DEVICES, NULL) : NULL;

        for (guint i = 0; names && i < names->len; i++) {
                g_autoptr(McSysfsDir) dev = mc_sysfs_dir_open_at(ib, names->pdata[i], NULL);
                if (!dev || !mc_sysfs_exists(dev, "fw_ver"))
                        continue;
                read_attr(id, dev, "fw_ver", "pf-firmware");
                read_attr(id, dev, "board_id", "pf-board-id");
                return;
        }
        put(id, "pf-firmware", NULL, w_fw);
        put(id, "pf-board-id", NULL, w_board);
}

McIdentity *mc_identity_read(const char *syspath, GError **error) {
        g_autoptr(McIdentity) id = g_new0(McIdentity, 1);
        g_autoptr(McSysfsDir) dev = NULL;
        g_autoptr(McSysfsDir) pf = NULL;
        g_autofree char *physfn = NULL;
        char *s;

        dev = mc_sysfs_dir_open(syspath, error);
        if (!dev)
                return NULL;
        id->syspath = g_strdup(syspath);
        id->values = mc_pairs_new();
        id->missing = mc_pairs_new();
        mc_pairs_set(id->values, "address", strrchr(syspath, '/') ? strrchr(syspath, '/') + 1 : syspath);
        read_attr(id, dev, "vendor", "vendor");
        read_attr(id, dev, "device", "device");
        read_attr(id, dev, "subsystem_vendor", "subsystem-vendor");
        read_attr(id, dev, "subsystem_device", "subsystem-device");
        read_attr(id, dev, "class", "class");
        read_attr(id, dev, "revision", "revision");
        read_driver(id, dev, "");
        s = mc_sysfs_read_link_basename(dev, "iommu_group", NULL);
        {
                g_autofree char *w = g_strconcat(syspath, "/iommu_group", NULL);
                put(id, "iommu-group", s, w);
        }

        /* A VF: physfn -> "../0000:3b:00.0", a sibling in the device tree. */
        physfn = mc_sysfs_read_link(dev, "physfn", NULL);
        if (physfn && !strchr(physfn, '\n')) {
                g_autofree char *joined = g_strconcat(syspath, "/", physfn, NULL);
                g_autofree char *pf_path = g_canonicalize_filename(joined, "/");
                /* The kernel links a VF to a sibling device; a link out of
                 * the device tree is not followed. */
                if (g_str_has_prefix(pf_path, "/sys/devices/")) {
                        id->pf_syspath = g_steal_pointer(&pf_path);
                        pf = mc_sysfs_dir_open(id->pf_syspath, NULL);
                }
        }
        if (pf) {
                mc_pairs_set(id->values, "pf", strrchr(id->pf_syspath, '/') + 1);
                read_driver(id, pf, "pf-");
                read_pf_firmware(id, pf);
        } else {
                g_autofree char *w = g_strconcat(syspath, "/physfn (not an SR-IOV VF)", NULL);
                static const char *const pf_names[] = { "pf", "pf-driver", "pf-driver-module",
                                                        "pf-driver-version", "pf-driver-srcversion",
                                                        "pf-firmware", "pf-board-id", NULL };
                for (guint i = 0; pf_names[i]; i++)
                        put(id, pf_names[i], NULL, w);
        }
        return g_steal_pointer(&id);
}

static char *read_rel(const char *base, const char *rel, GError **error) {
        g_autoptr(McSysfsDir) dir = mc_sysfs_dir_open(base, error);
        char *v;

        if (!dir)
                return NULL;
        v = mc_sysfs_read_text(dir, rel, 256, NULL, error);
        if (v && !usable(v)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                            "%s/%s: not a short line of printable ASCII", base, rel);
                g_clear_pointer(&v, g_free);
        }
        return v;
}

char *mc_identity_resolve(const McIdentity *id, const char *name, GError **error) {
        const char *v;

        if (strcmp(name, "kernel-release") == 0) {
                struct utsname u;
                if (uname(&u) < 0 || !usable(u.release)) {
                        g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND,
                                    "uname() gives no usable release");
                        return NULL;
                }
                return g_strdup(u.release);
        }
        if (g_str_has_prefix(name, "attr:"))
                return read_rel(id->syspath, name + 5, error);
        if (g_str_has_prefix(name, "pf-attr:")) {
                if (!id->pf_syspath) {
                        g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND,
                                    "%s/physfn: does not exist (not an SR-IOV VF)", id->syspath);
                        return NULL;
                }
                return read_rel(id->pf_syspath, name + 8, error);
        }
        v = mc_pairs_get(id->values, name);
        if (v)
                return g_strdup(v);
        v = mc_pairs_get(id->missing, name);
        g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND, "looked for %s",
                    v ? v : "it in vain (not a value of this device)");
        return NULL;
}

McInfo *mc_identity_derive(const McIdentity *id, const McInfo *file_info, const char *file_origin,
                           const GPtrArray *extra, char **reason) {
        g_autoptr(McInfo) info = mc_info_new();

        for (guint i = 0; i < file_info->models->len; i++) {
                const McModel *fm = file_info->models->pdata[i];
                McModel *m = mc_model_copy(fm);
                g_autoptr(GPtrArray) names = NULL;
                g_autoptr(GError) error = NULL;
                g_autofree char *version = NULL;

                g_ptr_array_add(info->models, m);
                if (!fm->derived_template)
                        continue;
                names = mc_template_names(fm->derived_template);
                m->derived_from = mc_pairs_new();
                for (guint k = 0; k < names->len; k++) {
                        g_autoptr(GError) rerr = NULL;
                        g_autofree char *label = mc_template_label(names->pdata[k]);
                        const char *given = mc_pairs_get(extra, names->pdata[k]);
                        char *v = given ? g_strdup(given) : mc_identity_resolve(id, names->pdata[k], &rerr);
                        if (!v) {
                                *reason = g_strdup_printf(
                                        "model data file %s derives the version of %s from {%s} "
                                        "(%s), which this host does not show: %s",
                                        file_origin, fm->model, (const char *) names->pdata[k],
                                        label, rerr->message);
                                return NULL;
                        }
                        mc_pairs_set(m->derived_from, names->pdata[k], v);
                        g_free(v);
                }
                version = mc_template_expand(fm->derived_template, m->derived_from, &error);
                if (!version) {
                        *reason = g_strdup_printf("model data file %s, model %s: %s", file_origin,
                                                  fm->model, error->message);
                        return NULL;
                }
                /* The derived version first (it is what this host runs),
                 * then the vendor's listed ones. */
                if (mc_model_version_index(m, version) >= 0)
                        g_ptr_array_remove_index(m->versions, (guint) mc_model_version_index(m, version));
                g_ptr_array_insert(m->versions, 0, g_steal_pointer(&version));
        }
        return g_steal_pointer(&info);
}
