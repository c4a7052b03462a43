# The demo data stays true to what the daemon says.
mc_add_test(test-demo UMOCKDEV SOURCES harness.c testbed.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-demo)
  add_dependencies(test-demo migcompatd migcompatctl demo-virtio-net)
endif()
