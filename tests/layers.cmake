# No two files of src/daemon or src/ctl include or call each other in a
# loop (tools/check-layers.py; docs/ARCHITECTURE.md says why).
find_program(MC_PYTHON3 python3)
if(MC_PYTHON3)
  add_test(NAME test-layers
           COMMAND ${MC_PYTHON3} ${CMAKE_SOURCE_DIR}/tools/check-layers.py
                   ${CMAKE_SOURCE_DIR}/src/daemon ${CMAKE_SOURCE_DIR}/src/ctl)
endif()
