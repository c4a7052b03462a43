/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct McTestbed {
        UMockdevTestbed *umockdev;
        char *root; /* real path of the testbed root */
};

McTestbed *mc_testbed_new(void) {
        McTestbed *tb = g_new0(McTestbed, 1);
        g_autofree char *sys = NULL;

        tb->umockdev = umockdev_testbed_new();
        tb->root = umockdev_testbed_get_root_dir(tb->umockdev);
        sys = g_build_filename(tb->root, "sys", "devices", NULL);
        if (g_mkdir_with_parents(sys, 0755) < 0)
                g_error("testbed: cannot create %s: %s", sys, g_strerror(errno));
        return tb;
}

void mc_testbed_free(McTestbed *tb) {
        if (!tb)
                return;
        /* Disposing the umockdev testbed removes its directory tree. */
        g_object_unref(tb->umockdev);
        g_free(tb->root);
        g_free(tb);
}

UMockdevTestbed *mc_testbed_umockdev(McTestbed *tb) {
        return tb->umockdev;
}

char *mc_testbed_real_path(McTestbed *tb, const char *sys_path) {
        g_assert(sys_path[0] == '/');
        return g_strconcat(tb->root, sys_path, NULL);
}

/* ---- files ------------------------------------------------------------ */

static void mkdir_p(const char *real) {
        if (g_mkdir_with_parents(real, 0755) < 0)
                g_error("testbed: cannot create %s: %s", real, g_strerror(errno));
}

/* Write a file below an open directory (dirfd AT_FDCWD: path absolute).
 * An existing file is unlinked first: the big-host generator hard-links
 * identical attributes, and changing one must not change the others. */
static void write_at(int dirfd, const char *name, const char *data, gssize len, mode_t mode) {
        size_t n = len < 0 ? strlen(data) : (size_t) len, done = 0;
        int fd;

        (void) unlinkat(dirfd, name, 0);
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                g_error("testbed: cannot write %s: %s", name, g_strerror(errno));
        while (done < n) {
                ssize_t w = write(fd, data + done, n - done);
                if (w < 0)
                        g_error("testbed: cannot write %s: %s", name, g_strerror(errno));
                done += (size_t) w;
        }
        close(fd);
}

static void write_real(const char *real, const char *data, gssize len, mode_t mode) {
        g_autofree char *dir = g_path_get_dirname(real);

        mkdir_p(dir);
        write_at(AT_FDCWD, real, data, len, mode);
}

static int open_dir_real(const char *real) {
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                g_error("testbed: cannot open %s: %s", real, g_strerror(errno));
        return fd;
}

static void write_attr_at(int dirfd, const char *name, const char *value) {
        g_autofree char *line = g_strconcat(value, "\n", NULL);
        write_at(dirfd, name, line, -1, 0444);
}

void mc_testbed_write(McTestbed *tb, const char *sys_path, const char *value, gssize len) {
        g_autofree char *real = mc_testbed_real_path(tb, sys_path);
        write_real(real, value, len, 0644);
}

static void write_attr(McTestbed *tb, const char *dir, const char *name, const char *value) {
        g_autofree char *path = g_strconcat(tb->root, dir, "/", name, NULL);
        g_autofree char *line = g_strconcat(value, "\n", NULL);
        write_real(path, line, -1, 0444);
}

static void remove_real(const char *real) {
        struct stat st;

        if (lstat(real, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                GDir *d = g_dir_open(real, 0, NULL);
                const char *name;
                if (d) {
                        while ((name = g_dir_read_name(d))) {
                                g_autofree char *child = g_build_filename(real, name, NULL);
                                remove_real(child);
                        }
                        g_dir_close(d);
                }
                if (rmdir(real) < 0)
                        g_error("testbed: cannot remove %s: %s", real, g_strerror(errno));
        } else if (unlink(real) < 0) {
                g_error("testbed: cannot remove %s: %s", real, g_strerror(errno));
        }
}

void mc_testbed_remove(McTestbed *tb, const char *sys_path) {
        g_autofree char *real = mc_testbed_real_path(tb, sys_path);
        remove_real(real);
}

void mc_testbed_symlink(McTestbed *tb, const char *target, const char *sys_path) {
        g_autofree char *real = mc_testbed_real_path(tb, sys_path);
        g_autofree char *dir = g_path_get_dirname(real);

        mkdir_p(dir);
        (void) unlink(real);
        if (symlink(target, real) < 0)
                g_error("testbed: cannot link %s: %s", real, g_strerror(errno));
}

/* The relative target sysfs uses for a link placed in directory from_dir
 * and pointing at to (both absolute sysfs paths). */
static char *relative_link(const char *from_dir, const char *to) {
        g_auto(GStrv) a = g_strsplit(from_dir + 1, "/", -1);
        g_auto(GStrv) b = g_strsplit(to + 1, "/", -1);
        GString *s = g_string_new(NULL);
        guint i = 0;

        while (a[i] && b[i] && strcmp(a[i], b[i]) == 0)
                i++;
        for (guint j = i; a[j]; j++)
                g_string_append(s, "../");
        for (guint j = i; b[j]; j++) {
                g_string_append(s, b[j]);
                if (b[j + 1])
                        g_string_append_c(s, '/');
        }
        return g_string_free(s, FALSE);
}

static void link_sys(McTestbed *tb, const char *link_path, const char *to) {
        g_autofree char *dir = g_path_get_dirname(link_path);
        g_autofree char *target = relative_link(dir, to);
        mc_testbed_symlink(tb, target, link_path);
}

/* ---- devices ------------------------------------------------------------ */

void mc_testbed_add_device(McTestbed *tb, const char *syspath, const char *subsystem,
                           const char *driver, const char *uevent_props) {
        g_autofree char *name = g_path_get_basename(syspath);
        g_autoptr(GString) uevent = g_string_new(NULL);
        g_autofree char *uevent_path = NULL;
        g_auto(GStrv) parts = NULL;
        g_autoptr(GString) walk = g_string_new("/sys/devices");

        g_assert(g_str_has_prefix(syspath, "/sys/devices/"));

        /* Ancestors the caller did not create: plain kobject directories. */
        parts = g_strsplit(syspath + strlen("/sys/devices/"), "/", -1);
        for (guint i = 0; parts[i] && parts[i + 1]; i++) {
                g_autofree char *real = NULL;
                g_autofree char *ue = NULL;
                g_string_append_printf(walk, "/%s", parts[i]);
                real = mc_testbed_real_path(tb, walk->str);
                if (g_file_test(real, G_FILE_TEST_IS_DIR))
                        continue;
                mkdir_p(real);
                ue = g_build_filename(real, "uevent", NULL);
                write_real(ue, "", 0, 0644);
        }

        if (driver)
                g_string_append_printf(uevent, "DRIVER=%s\n", driver);
        if (uevent_props)
                g_string_append(uevent, uevent_props);
        uevent_path = g_strconcat(syspath, "/uevent", NULL);
        mc_testbed_write(tb, uevent_path, uevent->str, -1);

        if (subsystem) {
                g_autofree char *sub = g_strconcat("/sys/", subsystem, NULL);
                g_autofree char *sub_link = g_strconcat(syspath, "/subsystem", NULL);
                g_autofree char *view = NULL;

                link_sys(tb, sub_link, sub);
                if (g_str_has_prefix(subsystem, "bus/"))
                        view = g_strconcat(sub, "/devices/", name, NULL);
                else
                        view = g_strconcat(sub, "/", name, NULL);
                link_sys(tb, view, syspath);

                if (driver) {
                        g_autofree char *drv = g_strconcat(sub, "/drivers/", driver, NULL);
                        g_autofree char *drv_dev = g_strconcat(drv, "/", name, NULL);
                        g_autofree char *dev_drv = g_strconcat(syspath, "/driver", NULL);
                        link_sys(tb, drv_dev, syspath);
                        link_sys(tb, dev_drv, drv);
                }
        }
}

void mc_testbed_make_parent(McTestbed *tb, const char *parent_syspath) {
        g_autofree char *name = g_path_get_basename(parent_syspath);
        g_autofree char *types = g_strconcat(parent_syspath, "/mdev_supported_types", NULL);
        g_autofree char *real = mc_testbed_real_path(tb, types);
        g_autofree char *link = g_strconcat("/sys/class/mdev_bus/", name, NULL);

        mkdir_p(real);
        link_sys(tb, link, parent_syspath);
}

/* The files of a type directory, written below dirfd. */
static void write_type_files(int dfd, const McTestType *t) {
        g_autofree char *avail = g_strdup_printf("%d", t->available);

        if (mkdirat(dfd, "devices", 0755) < 0 && errno != EEXIST)
                g_error("testbed: cannot create devices/: %s", g_strerror(errno));
        write_at(dfd, "create", "", 0, 0200);
        write_attr_at(dfd, "available_instances", avail);
        if (t->name)
                write_attr_at(dfd, "name", t->name);
        if (t->description)
                write_attr_at(dfd, "description", t->description);
        if (t->device_api)
                write_attr_at(dfd, "device_api", t->device_api);
        if (t->migration_device_models)
                write_at(dfd, "migration_device_models", t->migration_device_models, -1, 0444);
        if (t->migration_info_json)
                write_at(dfd, "migration_info.json", t->migration_info_json, -1, 0444);
}

void mc_testbed_add_type(McTestbed *tb, const char *parent_syspath, const McTestType *t) {
        g_autofree char *dir = g_strconcat(parent_syspath, "/mdev_supported_types/", t->type_id,
                                           NULL);
        g_autofree char *real = mc_testbed_real_path(tb, dir);
        int dfd;

        mkdir_p(real);
        dfd = open_dir_real(real);
        write_type_files(dfd, t);
        close(dfd);
}

void mc_testbed_remove_type(McTestbed *tb, const char *parent_syspath, const char *type_id) {
        g_autofree char *dir = g_strconcat(parent_syspath, "/mdev_supported_types/", type_id,
                                           NULL);
        mc_testbed_remove(tb, dir);
}

static void add_types(McTestbed *tb, const char *parent, const McTestType *types, gsize n) {
        mc_testbed_make_parent(tb, parent);
        for (gsize i = 0; i < n; i++)
                mc_testbed_add_type(tb, parent, &types[i]);
}

/* ---- families ------------------------------------------------------------ */

char *mc_testbed_add_pci_parent(McTestbed *tb, const char *bdf, const char *driver) {
        char *syspath = g_strdup_printf("/sys/devices/pci%.7s/%s", bdf, bdf);
        g_autofree char *props = g_strdup_printf("PCI_SLOT_NAME=%s\n", bdf);

        mc_testbed_add_device(tb, syspath, "bus/pci", driver, props);
        mc_testbed_make_parent(tb, syspath);
        return syspath;
}

char *mc_testbed_add_mtty(McTestbed *tb) {
        static const McTestType types[] = {
                { "mtty-1", "Single port serial", NULL, "vfio-pci", 24, NULL, NULL },
                { "mtty-2", "Dual port serial", NULL, "vfio-pci", 12, NULL, NULL },
        };
        char *p = g_strdup("/sys/devices/virtual/mtty/mtty");

        mc_testbed_add_device(tb, p, "class/mtty", NULL, NULL);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_mdpy(McTestbed *tb) {
        static const McTestType types[] = {
                { "mdpy-vga", "mdpy-vga", "virtual display, 640x480 framebuffer", "vfio-pci", 4,
                  NULL, NULL },
                { "mdpy-xga", "mdpy-xga", "virtual display, 1024x768 framebuffer", "vfio-pci", 4,
                  NULL, NULL },
                { "mdpy-hd", "mdpy-hd", "virtual display, 1920x1080 framebuffer", "vfio-pci", 4,
                  NULL, NULL },
        };
        char *p = g_strdup("/sys/devices/virtual/mdpy/mdpy");

        mc_testbed_add_device(tb, p, "class/mdpy", NULL, NULL);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_mbochs(McTestbed *tb) {
        static const McTestType types[] = {
                { "mbochs-small", "mbochs-small", "virtual display, 4 MB video memory",
                  "vfio-pci", 64, NULL, NULL },
                { "mbochs-medium", "mbochs-medium", "virtual display, 16 MB video memory",
                  "vfio-pci", 16, NULL, NULL },
                { "mbochs-large", "mbochs-large", "virtual display, 64 MB video memory",
                  "vfio-pci", 4, NULL, NULL },
        };
        char *p = g_strdup("/sys/devices/virtual/mbochs/mbochs");

        mc_testbed_add_device(tb, p, "class/mbochs", NULL, NULL);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_gvt(McTestbed *tb, const char *bdf) {
        static const McTestType types[] = {
                { "i915-GVTg_V5_1", "GVTg_V5_1",
                  "low_gm_size: 512MB\nhigh_gm_size: 2048MB\nfence: 4\nresolution: "
                  "1920x1200\nweight: 16",
                  "vfio-pci", 1, NULL, NULL },
                { "i915-GVTg_V5_2", "GVTg_V5_2",
                  "low_gm_size: 256MB\nhigh_gm_size: 1024MB\nfence: 4\nresolution: "
                  "1920x1200\nweight: 8",
                  "vfio-pci", 2, NULL, NULL },
                { "i915-GVTg_V5_4", "GVTg_V5_4",
                  "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: "
                  "1920x1200\nweight: 4",
                  "vfio-pci", 5, NULL, NULL },
                { "i915-GVTg_V5_8", "GVTg_V5_8",
                  "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: "
                  "1024x768\nweight: 2",
                  "vfio-pci", 7, NULL, NULL },
        };
        char *p = g_strdup_printf("/sys/devices/pci%.7s/%s", bdf, bdf);
        g_autofree char *props = g_strdup_printf(
                "PCI_CLASS=30000\nPCI_ID=8086:3E92\nPCI_SUBSYS_ID=1028:0869\n"
                "PCI_SLOT_NAME=%s\nMODALIAS=pci:v00008086d00003E92sv00001028sd00000869bc03sc00i00\n",
                bdf);
        g_autofree char *vendor = g_strconcat(p, "/vendor", NULL);
        g_autofree char *device = g_strconcat(p, "/device", NULL);

        mc_testbed_add_device(tb, p, "bus/pci", "i915", props);
        mc_testbed_write(tb, vendor, "0x8086\n", -1);
        mc_testbed_write(tb, device, "0x3e92\n", -1);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_nvidia(McTestbed *tb, const char *bdf) {
        static const McTestType types[] = {
                { "nvidia-63", "GRID P4-1Q",
                  "num_heads=4, frl_config=60, framebuffer=1024M, max_resolution=5120x2880, "
                  "max_instance=8",
                  "vfio-pci", 8, NULL, NULL },
                { "nvidia-64", "GRID P4-2Q",
                  "num_heads=4, frl_config=60, framebuffer=2048M, max_resolution=7680x4320, "
                  "max_instance=4",
                  "vfio-pci", 4, NULL, NULL },
                { "nvidia-65", "GRID P4-4Q",
                  "num_heads=4, frl_config=60, framebuffer=4096M, max_resolution=7680x4320, "
                  "max_instance=2",
                  "vfio-pci", 2, NULL, NULL },
                { "nvidia-66", "GRID P4-8Q",
                  "num_heads=4, frl_config=60, framebuffer=8192M, max_resolution=7680x4320, "
                  "max_instance=1",
                  "vfio-pci", 1, NULL, NULL },
        };
        g_autofree char *root = g_strdup_printf("/sys/devices/pci%.4s:%.2s", bdf, bdf + 5);
        g_autofree char *bridge_bdf = g_strdup_printf("%.4s:%.2s:00.0", bdf, bdf + 5);
        g_autofree char *bridge = g_strdup_printf("%s/%s", root, bridge_bdf);
        g_autofree char *bridge_props = g_strdup_printf("PCI_SLOT_NAME=%s\n", bridge_bdf);
        char *p = g_strdup_printf("%s/%s", bridge, bdf);
        g_autofree char *props = g_strdup_printf(
                "PCI_CLASS=30200\nPCI_ID=10DE:1BB3\nPCI_SUBSYS_ID=10DE:11D8\nPCI_SLOT_NAME=%s\n"
                "MODALIAS=pci:v000010DEd00001BB3sv000010DEsd000011D8bc03sc02i00\n",
                bdf);

        mc_testbed_add_device(tb, bridge, "bus/pci", "pcieport", bridge_props);
        mc_testbed_add_device(tb, p, "bus/pci", "nvidia", props);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_vfio_ap(McTestbed *tb) {
        static const McTestType types[] = {
                { "vfio_ap-passthrough", "VFIO AP Passthrough Device", NULL, "vfio-ap", 72351,
                  NULL, NULL },
        };
        char *p = g_strdup("/sys/devices/vfio_ap/matrix");

        mc_testbed_add_device(tb, p, "bus/matrix", "vfio_ap", NULL);
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

char *mc_testbed_add_vfio_ccw(McTestbed *tb, const char *schid) {
        static const McTestType types[] = {
                { "vfio_ccw-io", "I/O subchannel (Non-QDIO)", NULL, "vfio-ccw", 1, NULL, NULL },
        };
        char *p = g_strdup_printf("/sys/devices/css0/%s", schid);

        mc_testbed_add_device(tb, p, "bus/css", "vfio_ccw", "ST=0\nMODALIAS=css:t0\n");
        add_types(tb, p, types, G_N_ELEMENTS(types));
        return p;
}

const char mc_testbed_acme_device_models[] = MC_TESTBED_ACME_MODEL ":\nv2\nv1\n";

const char mc_testbed_acme_info_json[] =
        "{\n"
        "  \"models\": {\n"
        "    \"" MC_TESTBED_ACME_MODEL "\": {\n"
        "      \"versions\": [\"v2\", \"v1\"],\n"
        "      \"params\": {\n"
        "        \"display\": { \"type\": \"bool\", \"init_value\": true, \"off_value\": false },\n"
        "        \"framebuffer\": { \"type\": \"int\", \"init_value\": 1024,\n"
        "                         \"allowed_values\": [\"512-2048\"] }\n"
        "      },\n"
        "      \"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]\n"
        "    }\n"
        "  }\n"
        "}\n";

char *mc_testbed_add_acme(McTestbed *tb, const char *bdf) {
        const McTestType types[] = {
                { "acme_vgpu-1", "ACME vGPU 1", "framebuffer=512M", "vfio-pci", 3,
                  mc_testbed_acme_device_models, NULL },
                { "acme_vgpu-2", "ACME vGPU 2", "framebuffer=1024M", "vfio-pci", 2, NULL,
                  mc_testbed_acme_info_json },
                { "acme_vgpu-4", "ACME vGPU 4", "framebuffer=2048M", "vfio-pci", 1,
                  mc_testbed_acme_device_models, mc_testbed_acme_info_json },
        };
        char *p = mc_testbed_add_pci_parent(tb, bdf, "acme_vgpu");

        for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
                mc_testbed_add_type(tb, p, &types[i]);
        return p;
}

/* ---- instances ------------------------------------------------------------ */

static int read_available(McTestbed *tb, const char *parent, const char *type_id) {
        g_autofree char *path = g_strconcat(tb->root, parent, "/mdev_supported_types/", type_id,
                                            "/available_instances", NULL);
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        return atoi(text);
}

void mc_testbed_set_available(McTestbed *tb, const char *parent_syspath, const char *type_id,
                              int available) {
        g_autofree char *dir = g_strconcat(parent_syspath, "/mdev_supported_types/", type_id,
                                           NULL);
        g_autofree char *value = g_strdup_printf("%d", available);
        write_attr(tb, dir, "available_instances", value);
}

char *mc_testbed_add_instance(McTestbed *tb, const char *parent_syspath, const char *type_id,
                              const char *uuid, const char *const *migration, bool uevent) {
        char *syspath = g_strconcat(parent_syspath, "/", uuid, NULL);
        g_autofree char *props = g_strdup_printf("MDEV_TYPE=%s\n", type_id);
        g_autofree char *type_link = g_strconcat(syspath, "/mdev_type", NULL);
        g_autofree char *type_target = g_strconcat("../mdev_supported_types/", type_id, NULL);
        g_autofree char *remove = g_strconcat(tb->root, syspath, "/remove", NULL);
        g_autofree char *devices_link = g_strconcat(parent_syspath, "/mdev_supported_types/",
                                                    type_id, "/devices/", uuid, NULL);

        mc_testbed_add_device(tb, syspath, "bus/mdev", NULL, props);
        mc_testbed_symlink(tb, type_target, type_link);
        write_real(remove, "", 0, 0200);
        link_sys(tb, devices_link, syspath);
        if (migration) {
                for (guint i = 0; migration[i] && migration[i + 1]; i += 2) {
                        g_autofree char *dir = g_strconcat(syspath, "/migration", NULL);
                        write_attr(tb, dir, migration[i], migration[i + 1]);
                }
        }
        mc_testbed_set_available(tb, parent_syspath, type_id,
                                 MAX(read_available(tb, parent_syspath, type_id) - 1, 0));
        if (uevent)
                mc_testbed_uevent(tb, syspath, "add");
        return syspath;
}

void mc_testbed_remove_instance(McTestbed *tb, const char *instance_syspath, bool uevent) {
        g_autofree char *uuid = g_path_get_basename(instance_syspath);
        g_autofree char *parent = g_path_get_dirname(instance_syspath);
        g_autofree char *link = g_strconcat(tb->root, instance_syspath, "/mdev_type", NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autofree char *type_id = target ? g_path_get_basename(target) : NULL;
        g_autofree char *bus_link = g_strconcat("/sys/bus/mdev/devices/", uuid, NULL);

        /* The kernel sends "remove" while the directory still exists; a
         * listener handles it after it is gone. */
        if (uevent)
                mc_testbed_uevent(tb, instance_syspath, "remove");
        mc_testbed_remove(tb, instance_syspath);
        mc_testbed_remove(tb, bus_link);
        if (type_id) {
                g_autofree char *devices_link = g_strconcat(
                        parent, "/mdev_supported_types/", type_id, "/devices/", uuid, NULL);
                mc_testbed_remove(tb, devices_link);
                mc_testbed_set_available(tb, parent, type_id,
                                         read_available(tb, parent, type_id) + 1);
        }
}

/* ---- uevents ---------------------------------------------------------------- */

void mc_testbed_uevent(McTestbed *tb, const char *syspath, const char *action) {
        umockdev_testbed_uevent(tb->umockdev, syspath, action);
}

/* ---- breaking things -------------------------------------------------------- */

void mc_testbed_break_unreadable(McTestbed *tb, const char *sys_path) {
        g_autofree char *real = mc_testbed_real_path(tb, sys_path);
        remove_real(real);
        mkdir_p(real);
}

void mc_testbed_break_fifo(McTestbed *tb, const char *sys_path) {
        g_autofree char *real = mc_testbed_real_path(tb, sys_path);
        remove_real(real);
        if (mkfifo(real, 0644) < 0)
                g_error("testbed: cannot make FIFO %s: %s", real, g_strerror(errno));
}

void mc_testbed_break_loop(McTestbed *tb, const char *sys_path) {
        g_autofree char *name = g_path_get_basename(sys_path);
        mc_testbed_remove(tb, sys_path);
        mc_testbed_symlink(tb, name, sys_path);
}

void mc_testbed_break_oversized(McTestbed *tb, const char *sys_path, gsize size) {
        g_autofree char *data = g_malloc(size);
        memset(data, '7', size);
        mc_testbed_write(tb, sys_path, data, (gssize) size);
}

void mc_testbed_break_vanish(McTestbed *tb, const char *parent_syspath) {
        mc_testbed_remove(tb, parent_syspath);
}

/* ---- big hosts -------------------------------------------------------------- */

char *mc_testbed_big_parent(guint i) {
        guint domain = 0x100 + i / 8192, bus = (i / 32) % 256, dev = i % 32;
        return g_strdup_printf("/sys/devices/pci%04x:00/%04x:%02x:%02x.0", domain, domain, bus,
                               dev);
}

/* Creating files is what costs on a big host (tens of microseconds each
 * here, with or without the preload): type k of every parent has the same
 * content, so its files are written once, outside /sys, and hard-linked
 * into each parent (a hard link is still a regular file to the reader). */
guint mc_testbed_add_big_host(McTestbed *tb, guint n_parents, guint n_types,
                              guint migratable_percent) {
        g_autofree char *tmpl_root = g_build_filename(tb->root, "big-templates", NULL);
        static const char *const files[] = { "create", "available_instances", "name",
                                             "description", "device_api",
                                             "migration_device_models", NULL };
        guint written = 0;
        int *tmpl[2];

        /* Two templates per k: with and without the migration attribute. */
        mkdir_p(tmpl_root);
        for (guint m = 0; m < 2; m++) {
                tmpl[m] = g_new0(int, n_types);
                for (guint k = 0; k < n_types; k++) {
                        g_autofree char *type_id = g_strdup_printf("bigvgpu-%u", k);
                        g_autofree char *name = g_strdup_printf("BIG %u", k);
                        g_autofree char *models = g_strdup_printf("big.example/vgpu-%u:\nv1\n", k);
                        g_autofree char *d = g_strdup_printf("%s/%u-%u", tmpl_root, m, k);
                        McTestType t = { type_id, name, "a big host's vGPU", "vfio-pci", 4,
                                         m ? models : NULL, NULL };

                        mkdir_p(d);
                        tmpl[m][k] = open_dir_real(d);
                        write_type_files(tmpl[m][k], &t);
                }
        }

        for (guint i = 0; i < n_parents; i++) {
                g_autofree char *p = mc_testbed_big_parent(i);
                g_autofree char *bdf = g_path_get_basename(p);
                g_autofree char *props = g_strdup_printf("PCI_SLOT_NAME=%s\n", bdf);
                g_autofree char *types = NULL;
                int tfd;

                mc_testbed_add_device(tb, p, "bus/pci", "bigvgpu", props);
                mc_testbed_make_parent(tb, p);
                types = g_strconcat(tb->root, p, "/mdev_supported_types", NULL);
                tfd = open_dir_real(types);
                for (guint k = 0; k < n_types; k++) {
                        guint m = (i * n_types + k) % 100 < migratable_percent;
                        g_autofree char *type_id = g_strdup_printf("bigvgpu-%u", k);
                        int dfd;

                        if (mkdirat(tfd, type_id, 0755) < 0)
                                g_error("testbed: cannot create %s: %s", type_id,
                                        g_strerror(errno));
                        dfd = openat(tfd, type_id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (dfd < 0 || mkdirat(dfd, "devices", 0755) < 0)
                                g_error("testbed: cannot fill %s: %s", type_id,
                                        g_strerror(errno));
                        for (guint f = 0; files[f]; f++) {
                                if (!m && strcmp(files[f], "migration_device_models") == 0)
                                        continue;
                                if (linkat(tmpl[m][k], files[f], dfd, files[f], 0) < 0)
                                        g_error("testbed: cannot link %s/%s: %s", type_id,
                                                files[f], g_strerror(errno));
                        }
                        close(dfd);
                        written++;
                }
                close(tfd);
        }
        for (guint m = 0; m < 2; m++) {
                for (guint k = 0; k < n_types; k++)
                        close(tmpl[m][k]);
                g_free(tmpl[m]);
        }
        return written;
}
