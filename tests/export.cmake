# migcompatctl export against the daemon on a private bus over a simulated
# host (test-export.c), and against the real OpenStack programs
# (test-openstack.sh: a Placement service, Nova's provider config schema).
mc_add_test(test-export UMOCKDEV SOURCES harness.c testbed.c host-fixture.c ${CMAKE_SOURCE_DIR}/src/ctl/ctl-labels.c
            LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-export)
  target_include_directories(test-export PRIVATE ${CMAKE_SOURCE_DIR}/src/ctl)
  add_dependencies(test-export migcompatd migcompatctl mc-probe-prog)
  set_tests_properties(test-export PROPERTIES ENVIRONMENT "${MC_TEST_ENV};G_SLICE=always-malloc;G_DEBUG=gc-friendly")
endif()

add_test(NAME test-openstack COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test-openstack.sh ${CMAKE_BINARY_DIR}
                                        ${CMAKE_SOURCE_DIR})
set_tests_properties(test-openstack PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 ENVIRONMENT "${MC_TEST_ENV}")
if(TARGET migcompatctl)
  set_tests_properties(test-openstack PROPERTIES DEPENDS test-export)
endif()
