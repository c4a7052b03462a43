# migcompatctl against the daemon on a private bus, and the libvirt hook.
# test-ctl also drives the CLI's XML reader and label encoder directly.
set(MC_CTL_UNIT_SOURCES
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-xml.c
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-metadata.c
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-domain-xml.c
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-labels.c)
mc_add_test(test-ctl UMOCKDEV SOURCES harness.c testbed.c host-fixture.c ${MC_CTL_UNIT_SOURCES}
            LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-ctl)
  target_include_directories(test-ctl PRIVATE ${CMAKE_SOURCE_DIR}/src/ctl)
  add_dependencies(test-ctl migcompatd migcompatctl mc-probe-prog)
endif()

mc_add_test(test-hook UMOCKDEV SOURCES harness.c testbed.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-hook)
  add_dependencies(test-hook migcompatd migcompatctl)
endif()

# GLib 2.74's slice allocator keeps freed and leaked blocks alike reachable:
# make every json-glib node a malloc() LeakSanitizer can account for.
foreach(t test-ctl test-hook)
  if(TARGET ${t})
    set_tests_properties(${t} PROPERTIES ENVIRONMENT "${MC_TEST_ENV};G_SLICE=always-malloc;G_DEBUG=gc-friendly")
  endif()
endforeach()
