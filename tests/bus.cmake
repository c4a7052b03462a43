# The daemon on a private bus over simulated hosts.
mc_add_test(test-bus UMOCKDEV SOURCES harness.c testbed.c host-fixture.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-bus)
  add_dependencies(test-bus migcompatd mc-probe-prog)
endif()
# Simulated real hosts (ConnectX, HiSilicon, QAT, virtio-net VFs, a GPU on
# vfio-pci, an NVIDIA vGPU host) with the shipped and the installed data.
mc_add_test(test-pci-host UMOCKDEV SOURCES harness.c testbed.c testbed-pci.c LIBS mcshared mcengine PkgConfig::SYSTEMD)
if(TARGET test-pci-host)
  add_dependencies(test-pci-host migcompatd migcompatctl)
  set_property(TEST test-pci-host APPEND PROPERTY ENVIRONMENT "MC_CMAKE=${CMAKE_COMMAND}")
endif()
