# Engine tests: pure, no testbed.
mc_add_test(test-parsers LIBS mcengine)
mc_add_test(test-compat LIBS mcengine)
# The table of D-Bus errors shared by daemon and CLI.
mc_add_test(test-bus-errors LIBS mcshared)
