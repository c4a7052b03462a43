/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mc_bus_string_valid(): what decides whether an answer may go on the
 * bus (a NUL or bad UTF-8 would make the bus drop the connection). Its
 * word-at-a-time ASCII path must find every NUL and every non-ASCII byte
 * wherever it sits relative to the eight-byte words, and hand the rest to
 * the full UTF-8 check. */

#include <check.h>
#include <glib.h>
#include <string.h>

#include "bus-util.h"
#include "mc-test-main.h"

/* A 40-byte ASCII string with `insert` (n bytes) at offset `at`. */
static bool valid_with(const char *insert, size_t n, size_t at) {
        char buf[64];
        memset(buf, 'a', sizeof buf);
        memcpy(buf + at, insert, n);
        return mc_bus_string_valid(buf, 40);
}

START_TEST(ascii_and_utf8) {
        ck_assert(mc_bus_string_valid("", 0));
        ck_assert(mc_bus_string_valid("{\"verdict\":\"compatible\"}", 24));
        for (size_t at = 0; at + 4 <= 40; at++) {
                ck_assert_msg(valid_with("\xc3\xa9", 2, at), "e-acute at %zu", at);
                ck_assert_msg(valid_with("\xe2\x82\xac", 3, at), "euro at %zu", at);
                ck_assert_msg(valid_with("\xf0\x9f\x98\x80", 4, at), "emoji at %zu", at);
        }
}
END_TEST

START_TEST(nul_and_bad_utf8) {
        for (size_t at = 0; at < 40; at++) {
                ck_assert_msg(!valid_with("\0", 1, at), "NUL at %zu", at);
                ck_assert_msg(!valid_with("\xff", 1, at), "0xff at %zu", at);
                ck_assert_msg(!valid_with("\x80", 1, at), "lone continuation at %zu", at);
        }
        for (size_t at = 0; at + 2 <= 40; at++)
                ck_assert_msg(!valid_with("\xc0\xaf", 2, at), "overlong at %zu", at);
        /* Cut at the end of the string. */
        ck_assert(!mc_bus_string_valid("aaaaaaa\xc3", 8));
        ck_assert(!mc_bus_string_valid("aaaaaaaaaaaaaaa\xe2\x82", 17));
        /* A NUL after non-ASCII, in the slow part. */
        ck_assert(!mc_bus_string_valid("aaaaaaaa\xc3\xa9" "aaa\0a", 15));
}
END_TEST

int main(void) {
        Suite *s = suite_create("bus-string");
        TCase *tc = tcase_create("bus-string");

        tcase_add_test(tc, ascii_and_utf8);
        tcase_add_test(tc, nul_and_bad_utf8);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
