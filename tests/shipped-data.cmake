# The shipped model data files (data/*-models.d) load with the engine's
# readers. The vfio-pci reader and derived-version templates come with the
# vfio-pci source: the test checks the files that need them once the engine
# has them (see test-shipped-data.c).
mc_add_test(test-shipped-data LIBS mcengine)
if(TARGET test-shipped-data)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/engine/mc-parse.h)
  file(READ ${CMAKE_SOURCE_DIR}/src/engine/mc-parse.h MC_PARSE_H)
  if(MC_PARSE_H MATCHES "mc_pci_data_file_parse")
    target_compile_definitions(test-shipped-data PRIVATE MC_HAVE_PCI_DATA_FILES)
  endif()
  if(EXISTS ${CMAKE_SOURCE_DIR}/src/engine/mc-template.h)
    target_compile_definitions(test-shipped-data PRIVATE MC_HAVE_TEMPLATES)
  endif()
  target_link_libraries(test-shipped-data PRIVATE PkgConfig::JSONGLIB)
endif()
