# vfio-user discovery: the probe runner, descriptor directories, the probe
# cache, inotify, and the source that ties them together.

# The stand-in device program. No sanitizers: it runs with the probe's
# clean environment and must behave like an ordinary binary.
add_executable(mc-probe-prog progs/mc-probe-prog.c)
set_target_properties(mc-probe-prog PROPERTIES COMPILE_OPTIONS "" LINK_OPTIONS "")
target_compile_options(mc-probe-prog PRIVATE ${MC_WARNINGS})

foreach(t test-probe test-vfiouser)
  mc_add_test(${t} LIBS mcdaemon)
  if(TARGET ${t})
    target_compile_definitions(${t} PRIVATE MC_PROBE_PROG="$<TARGET_FILE:mc-probe-prog>")
    add_dependencies(${t} mc-probe-prog)
  endif()
endforeach()
