# Engine tests: pure, no testbed.
mc_add_test(test-parsers LIBS mcengine)
mc_add_test(test-compat LIBS mcengine)
