# Fuzzing (tests/fuzz/README): every target's corpus is replayed in every
# build (test-fuzz-corpus-*); -DMC_FUZZ=ON (with clang) also builds the
# libFuzzer targets, fuzz-<name>, as tools/fuzz.sh does.
option(MC_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

set(MC_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(MC_FUZZ_CTL_SOURCES
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-xml.c
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-metadata.c
    ${CMAKE_SOURCE_DIR}/src/ctl/ctl-domain-xml.c)

if(MC_FUZZ)
  # Coverage feedback and sanitizers in the code under test, not only in
  # the target.
  foreach(lib mcengine mcshared mcdaemon)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endforeach()
endif()

# mc_add_fuzz(NAME SOURCES... LIBS... [INCLUDES...]): the replay test on
# fuzz/corpus-NAME (the engine's is fuzz/corpus), and with MC_FUZZ the
# libFuzzer binary.
function(mc_add_fuzz name)
  cmake_parse_arguments(F "" "CORPUS;TEST" "SOURCES;LIBS;INCLUDES" ${ARGN})
  add_executable(fuzz-${name}-replay ${MC_FUZZ_DIR}/fuzz-${name}.c ${MC_FUZZ_DIR}/fuzz-replay.c ${F_SOURCES})
  target_link_libraries(fuzz-${name}-replay PRIVATE ${F_LIBS})
  target_include_directories(fuzz-${name}-replay PRIVATE ${MC_FUZZ_DIR} ${F_INCLUDES})
  target_compile_options(fuzz-${name}-replay PRIVATE ${MC_WARNINGS})
  add_test(NAME ${F_TEST} COMMAND fuzz-${name}-replay ${MC_FUZZ_DIR}/${F_CORPUS})
  set_tests_properties(${F_TEST} PROPERTIES ENVIRONMENT "${MC_TEST_ENV}")
  if(MC_FUZZ)
    add_executable(fuzz-${name} ${MC_FUZZ_DIR}/fuzz-${name}.c ${F_SOURCES})
    target_link_libraries(fuzz-${name} PRIVATE ${F_LIBS})
    target_include_directories(fuzz-${name} PRIVATE ${MC_FUZZ_DIR} ${F_INCLUDES})
    target_compile_definitions(fuzz-${name} PRIVATE MC_LIBFUZZER)
    target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer,address,undefined ${MC_WARNINGS})
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  endif()
endfunction()

# The engine's readers: migration info, device models text, data files,
# descriptors, source descriptions (and the check), host profiles.
mc_add_fuzz(engine CORPUS corpus TEST test-fuzz-corpus LIBS mcengine)
# An mdev driver's sysfs attributes: type attributes, instance attributes.
mc_add_fuzz(attrs CORPUS corpus-attrs TEST test-fuzz-corpus-attrs LIBS mcengine)
# The daemon's readers of typed D-Bus arguments.
mc_add_fuzz(bus CORPUS corpus-bus TEST test-fuzz-corpus-bus LIBS mcdaemon)
# migcompatctl's domain XML and migcompat metadata reader.
mc_add_fuzz(domain CORPUS corpus-domain TEST test-fuzz-corpus-domain SOURCES ${MC_FUZZ_CTL_SOURCES}
            LIBS mcengine INCLUDES ${CMAKE_SOURCE_DIR}/src/ctl)
