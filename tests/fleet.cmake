# migcompatctl's fleet view: check/check-domain over directories of host
# profiles, what-if, and the profile collection procedure of migcompatctl(1).
mc_add_test(test-fleet UMOCKDEV SOURCES harness.c testbed.c host-fixture.c
            LIBS mcshared mcengine PkgConfig::SYSTEMD PkgConfig::JSONGLIB)
if(TARGET test-fleet)
  add_dependencies(test-fleet migcompatd migcompatctl mc-probe-prog)
  set_tests_properties(test-fleet PROPERTIES ENVIRONMENT "${MC_TEST_ENV};G_SLICE=always-malloc;G_DEBUG=gc-friendly")
endif()

# migcompatd on dbus-broker with the system bus policy (mc_harness_start_broker()).
mc_add_test(test-broker UMOCKDEV SOURCES harness.c testbed.c host-fixture.c
            LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-broker)
  add_dependencies(test-broker migcompatd migcompatctl)
endif()

# The daemon's check that an answer may go on the bus (its fast ASCII path).
mc_add_test(test-bus-string LIBS mcdaemon)
if(TARGET test-bus-string)
  target_include_directories(test-bus-string PRIVATE ${CMAKE_SOURCE_DIR}/src/daemon)
endif()
