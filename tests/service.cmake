# migcompatd as a service: the unit file (systemd-analyze verify and
# security), the bus policy as root and as nobody, bus activation, the
# daemon inside an emulation of the unit's sandbox, the unit's system call
# filter against what the daemon calls, and the daemon losing its bus.
# One binary; each check TCase is its own ctest test (CK_RUN_CASE), which
# exits 77 (skipped) when a tool it needs is not installed.
if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test-service.c)
  add_executable(test-service test-service.c harness.c)
  target_link_libraries(test-service PRIVATE PkgConfig::CHECK mcshared mcengine PkgConfig::SYSTEMD
                        PkgConfig::GLIB PkgConfig::JSONGLIB)
  target_compile_options(test-service PRIVATE ${MC_WARNINGS})
  target_include_directories(test-service PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  add_dependencies(test-service migcompatd mc-probe-prog)
  foreach(case unit policy activation sandbox syscalls bus-loss)
    add_test(NAME test-service-${case} COMMAND test-service)
    set_tests_properties(test-service-${case} PROPERTIES
      ENVIRONMENT "${MC_TEST_ENV};CK_RUN_CASE=${case};MC_INSTALL_LIBEXECDIR=${CMAKE_INSTALL_FULL_LIBEXECDIR}"
      SKIP_RETURN_CODE 77
      TIMEOUT 300)
  endforeach()
endif()
