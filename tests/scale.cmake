# What keeps the daemon fast on a big host (bench/), checked for giving the
# same answers: fast source reader, JSON writer, candidate limit, groups,
# registry, shared facts, sysfs handles, data-file memo, and on the bus.
mc_add_test(test-scale UMOCKDEV SOURCES harness.c testbed.c LIBS mcdaemon PkgConfig::SYSTEMD)
if(TARGET test-scale)
  add_dependencies(test-scale migcompatd)
endif()
