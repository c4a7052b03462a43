# Fuzzing: the corpus is replayed in every build; -DMC_FUZZ=ON (with clang)
# builds the libFuzzer target. See tests/fuzz/README.
option(MC_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

add_executable(fuzz-engine-replay fuzz/fuzz-engine.c)
target_link_libraries(fuzz-engine-replay PRIVATE mcengine)
target_compile_options(fuzz-engine-replay PRIVATE ${MC_WARNINGS})
add_test(NAME test-fuzz-corpus COMMAND fuzz-engine-replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus)
set_tests_properties(test-fuzz-corpus PROPERTIES ENVIRONMENT "${MC_TEST_ENV}")

if(MC_FUZZ)
  # Coverage feedback from the code under test, not only from the target.
  target_compile_options(mcengine PRIVATE -fsanitize=fuzzer-no-link)
  add_executable(fuzz-engine fuzz/fuzz-engine.c)
  target_link_libraries(fuzz-engine PRIVATE mcengine)
  target_compile_definitions(fuzz-engine PRIVATE MC_LIBFUZZER)
  target_compile_options(fuzz-engine PRIVATE -fsanitize=fuzzer,address,undefined ${MC_WARNINGS})
  target_link_options(fuzz-engine PRIVATE -fsanitize=fuzzer,address,undefined)
endif()
