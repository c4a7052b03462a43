# The daemon on a private bus over simulated hosts.
mc_add_test(test-bus UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-bus)
  add_dependencies(test-bus migcompatd mc-probe-prog)
endif()
