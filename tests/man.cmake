# The man pages lint clean and match --help and the D-Bus XML (test-man.c).
mc_add_test(test-man LIBS PkgConfig::GLIB)
if(TARGET test-man)
  add_dependencies(test-man migcompatd migcompatctl)
endif()
