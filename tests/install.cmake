# The install layout with prefix /usr (tests/test-install.sh): the ctest
# build installed with --prefix /usr, then a /usr-configured build of the
# same source, checked file by file.
add_test(NAME test-install
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test-install.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR}
                 ${CMAKE_COMMAND})
set_tests_properties(test-install PROPERTIES
        TIMEOUT 600
        ENVIRONMENT "${MC_TEST_ENV};MC_CONF_PREFIX=${CMAKE_INSTALL_PREFIX};MC_CONF_UNIT_DIR=${SYSTEMD_SYSTEM_UNIT_DIR};MC_CONF_DBUS_SERVICES_DIR=${DBUS_SYSTEM_BUS_SERVICES_DIR};MC_CONF_DBUS_POLICY_DIR=${DBUS_SYSTEM_POLICY_DIR};MC_CONF_DBUS_INTERFACES_DIR=${DBUS_INTERFACES_DIR};MC_CONF_LIBVIRT_HOOKS_DIR=${LIBVIRT_HOOKS_DIR}")
