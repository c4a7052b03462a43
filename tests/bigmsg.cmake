# Large messages through the daemon under umockdev and the sanitizers.
mc_add_test(test-bigmsg UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-bigmsg)
  add_dependencies(test-bigmsg migcompatd mc-probe-prog)
endif()
