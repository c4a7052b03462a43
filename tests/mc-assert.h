/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Assertions and waits shared by every check suite. */

#include <check.h>
#include <glib.h>
#include <string.h>
#include <systemd/sd-event.h>

/* Assert that s contains sub, printing both when it does not. */
#define ck_assert_contains(s, sub)                                                                   \
        do {                                                                                         \
                const char *_s = (s), *_sub = (sub);                                                 \
                ck_assert_msg(_s && strstr(_s, _sub), "expected \"%s\" in:\n%s", _sub, _s ? _s : "(null)"); \
        } while (0)

#define ck_assert_not_contains(s, sub)                                                               \
        do {                                                                                         \
                const char *_s = (s), *_sub = (sub);                                                 \
                ck_assert_msg(_s && !strstr(_s, _sub), "did not expect \"%s\" in:\n%s", _sub, _s ? _s : "(null)"); \
        } while (0)

/* Run an sd-event loop until cond holds; fail after 20 s rather than hang. */
#define RUN_UNTIL(e, cond)                                                                           \
        do {                                                                                         \
                gint64 _deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;                     \
                while (!(cond)) {                                                                    \
                        ck_assert_msg(g_get_monotonic_time() < _deadline, "timed out waiting for " #cond); \
                        ck_assert_int_ge(sd_event_run((e), 100 * 1000), 0);                          \
                }                                                                                    \
        } while (0)
