# Large messages through the daemon under umockdev and the sanitizers.
mc_add_test(test-bigmsg UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-bigmsg)
  add_dependencies(test-bigmsg migcompatd mc-probe-prog)
endif()

# migcompatd and its probes end to end: leftovers killed, untrusted files not run.
mc_add_test(test-probe-daemon UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-probe-daemon)
  add_dependencies(test-probe-daemon migcompatd mc-probe-prog)
endif()
