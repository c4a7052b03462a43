# The libvirt hook in real live migrations between two session-mode
# libvirtd (tests/test-libvirt.sh). Needs root, libvirt and QEMU; skipped
# without them, except in CI.
add_test(NAME test-libvirt
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test-libvirt.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
set_tests_properties(test-libvirt PROPERTIES
        TIMEOUT 600
        SKIP_RETURN_CODE 77
        # Never beside another test that installs libvirt hooks or packages.
        RESOURCE_LOCK etc-libvirt-hooks)
