/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The one table of D-Bus errors (src/shared/mc-bus-errors.h): every name
 * once, the fault a client reads from each, and the one GError mapping. */

#include <check.h>
#include <string.h>

#include "mc-bus-errors.h"
#include "mc-error.h"
#include "mc-sd-util.h"
#include "mc-test-main.h"

START_TEST(names_once_and_ours_prefixed) {
        unsigned ours = 0;

        for (const McBusErrorEntry *e = mc_bus_errors; e->name; e++) {
                /* Error names follow the rules of interface names. */
                ck_assert_msg(sd_bus_interface_name_is_valid(e->name), "%s", e->name);
                for (const McBusErrorEntry *f = e + 1; f->name; f++)
                        ck_assert_msg(strcmp(e->name, f->name) != 0, "%s listed twice", e->name);
                if (g_str_has_prefix(e->name, MC_BUS_ERROR_PREFIX))
                        ours++;
        }
        /* InvalidSource, NotFound, NotMigratable, AccessDenied: no NotReady. */
        ck_assert_uint_eq(ours, 4);
        ck_assert_int_eq(mc_bus_error_fault(MC_BUS_ERROR_PREFIX "NotReady"), MC_BUS_FAULT_INPUT);
}
END_TEST

START_TEST(faults) {
        ck_assert_int_eq(mc_bus_error_fault(MC_BUS_ERROR_INVALID_SOURCE), MC_BUS_FAULT_INPUT);
        ck_assert_int_eq(mc_bus_error_fault(MC_BUS_ERROR_NOT_FOUND), MC_BUS_FAULT_INPUT);
        ck_assert_int_eq(mc_bus_error_fault(MC_BUS_ERROR_NOT_MIGRATABLE), MC_BUS_FAULT_INPUT);
        ck_assert_int_eq(mc_bus_error_fault(MC_BUS_ERROR_ACCESS_DENIED), MC_BUS_FAULT_DENIED);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_INVALID_ARGS), MC_BUS_FAULT_INPUT);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_ACCESS_DENIED), MC_BUS_FAULT_POLICY);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_SERVICE_UNKNOWN), MC_BUS_FAULT_ABSENT);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_NAME_HAS_NO_OWNER), MC_BUS_FAULT_ABSENT);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_NO_REPLY), MC_BUS_FAULT_TIMEOUT);
        ck_assert_int_eq(mc_bus_error_fault(SD_BUS_ERROR_FAILED), MC_BUS_FAULT_OTHER);
        ck_assert_int_eq(mc_bus_error_fault(NULL), MC_BUS_FAULT_OTHER);
}
END_TEST

static void expect_mapped(int code, const char *otherwise, const char *want) {
        g_auto(sd_bus_error) e = SD_BUS_ERROR_NULL;
        g_autoptr(GError) g = g_error_new(MC_ERROR, code, "origin: $: what went wrong");
        int r = mc_bus_error_set_gerror(&e, g, otherwise);

        ck_assert_int_lt(r, 0);
        ck_assert_str_eq(e.name, want);
        ck_assert_str_eq(e.message, "origin: $: what went wrong");
}

START_TEST(gerror_mapping) {
        /* An argument that is not JSON, or too big: unusable. */
        expect_mapped(MC_ERROR_SYNTAX, MC_BUS_ERROR_INVALID_SOURCE, SD_BUS_ERROR_INVALID_ARGS);
        expect_mapped(MC_ERROR_LIMIT, MC_BUS_ERROR_INVALID_SOURCE, SD_BUS_ERROR_INVALID_ARGS);
        /* A thing that does not exist, whatever the call. */
        expect_mapped(MC_ERROR_NOT_FOUND, MC_BUS_ERROR_NOT_MIGRATABLE, MC_BUS_ERROR_NOT_FOUND);
        /* Anything else: what failing means for the call. */
        expect_mapped(MC_ERROR_VALUE, MC_BUS_ERROR_INVALID_SOURCE, MC_BUS_ERROR_INVALID_SOURCE);
        expect_mapped(MC_ERROR_UNKNOWN_MEMBER, MC_BUS_ERROR_INVALID_SOURCE, MC_BUS_ERROR_INVALID_SOURCE);
        expect_mapped(MC_ERROR_VALUE, MC_BUS_ERROR_NOT_MIGRATABLE, MC_BUS_ERROR_NOT_MIGRATABLE);
}
END_TEST

static Suite *bus_errors_suite(void) {
        Suite *s = suite_create("bus-errors");
        TCase *tc = tcase_create("table");

        tcase_add_test(tc, names_once_and_ours_prefixed);
        tcase_add_test(tc, faults);
        tcase_add_test(tc, gerror_mapping);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(bus_errors_suite)
