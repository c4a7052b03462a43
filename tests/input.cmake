# Hostile input as whole classes: every method and string argument of the
# interface XML, migcompatctl's output, and numbers on every path.
mc_add_test(test-input UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-input)
  add_dependencies(test-input migcompatd migcompatctl mc-probe-prog)
  set_tests_properties(test-input PROPERTIES ENVIRONMENT "${MC_TEST_ENV};G_SLICE=always-malloc;G_DEBUG=gc-friendly")
endif()
