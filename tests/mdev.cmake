# mdev discovery: sysfs reading, enumeration, uevents, mdevctl cross-check.
mc_add_test(test-mdev UMOCKDEV SOURCES testbed.c LIBS mcdaemon)
mc_add_test(test-mdevctl UMOCKDEV SOURCES testbed.c LIBS mcdaemon)
# Without mdevctl the cross-check cannot run: it says so and exits 77.
set_tests_properties(test-mdevctl PROPERTIES SKIP_RETURN_CODE 77)
# The vfio-pci source, derived versions, the two-host check (engine level).
mc_add_test(test-pci UMOCKDEV SOURCES testbed.c testbed-pci.c LIBS mcdaemon)
