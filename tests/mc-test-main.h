/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one main() of the libcheck test programs. */

#include <check.h>

/* Run every test of s; the exit status ctest reads (0: all passed). */
static inline int mc_test_run(Suite *s) {
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}

#define MC_TEST_MAIN(suite_fn)                  \
        int main(void) {                        \
                return mc_test_run(suite_fn()); \
        }
