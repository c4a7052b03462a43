/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "daemon.h"

/* Answer a check of a source description as sent (text) with its JSON
 * answer as m's reply. The answer comes from the answer cache when the
 * question was answered since the catalog last changed. A text that is not
 * a source description is an error (origin names it, "Check argument") and
 * is not remembered. opts may be NULL (the defaults). */
int mc_bus_answer_check(McDaemon *d, sd_bus_message *m, const char *text, const char *origin,
                        const McCheckOptions *opts, sd_bus_error *error)
        __attribute__((nonnull(1, 2, 3, 4)));

/* Answer CheckDevice for a one-device source (mc_bus_read_device()): the
 * device's verdict, its implementation's object and every reason, as m's
 * reply. */
int mc_bus_answer_device(McDaemon *d, sd_bus_message *m, const McSource *src) __attribute__((nonnull));
