/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Answering a check, for every bus object that offers one (the manager's
 * Check, CheckWithOptions and CheckDevice, an implementation's Check): from
 * the answer cache when the question was answered since the catalog last
 * changed, else from the engine. */

#include "bus-check.h"

#include <string.h>

#include "bus-util.h"
#include "mc-serialize.h"

/* valid: the answer is known to be a valid D-Bus string. */
static int send_answer(sd_bus_message *m, const char *answer, size_t len, bool valid) {
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = valid ? mc_bus_append_valid_string(reply, answer, len)
                          : mc_bus_append_string(reply, answer, len);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r;
}

/* The answer into d->reply. */
static void write_answer(McDaemon *d, const McSource *src, const McCheckOptions *opts) {
        g_autoptr(McCheckResult) res = mc_check(mc_registry_catalog(d->registry), src, opts);

        /* Do not keep a rare huge answer's buffer for good. */
        if (d->reply->allocated_len > 256 * 1024) {
                g_string_free(d->reply, true);
                d->reply = g_string_sized_new(4096);
        }
        /* Into a buffer kept between checks: an answer is a few kilobytes. */
        g_string_truncate(d->reply, 0);
        mc_check_result_write_json(res, d->reply);
}

int mc_bus_answer_check(McDaemon *d, sd_bus_message *m, const char *text, const char *origin,
                        const McCheckOptions *opts, sd_bus_error *error) {
        uint64_t serial = mc_catalog_serial(mc_registry_catalog(d->registry));
        const McQuestion q = {
                .source = text,
                .source_len = strlen(text),
                .only_impl = opts ? opts->only_impl : NULL,
                .max_candidates = opts && opts->max_candidates ? opts->max_candidates
                                                               : MC_CHECK_MAX_CANDIDATES_DEFAULT,
        };
        /* An oversized text is refused by the parser without being looked at. */
        size_t known_len = 0;
        const char *known = q.source_len <= MC_MAX_DOCUMENT_SIZE
                                    ? mc_answer_cache_lookup(d->answers, serial, &q, &known_len)
                                    : NULL;
        g_autoptr(McSource) src = NULL;
        bool valid;
        int r;

        /* Only valid answers are remembered. */
        if (known) {
                d->n_checks++;
                return send_answer(m, known, known_len, true);
        }
        r = mc_bus_parse_source(text, origin, &src, error);
        if (r < 0)
                return r;
        d->n_checks++;
        write_answer(d, src, opts);
        valid = mc_bus_string_valid(d->reply->str, d->reply->len);
        if (valid)
                mc_answer_cache_store(d->answers, serial, &q, d->reply->str, d->reply->len);
        return send_answer(m, d->reply->str, d->reply->len, valid);
}

int mc_bus_answer_device(McDaemon *d, sd_bus_message *m, const McSource *src) {
        g_autoptr(McCheckResult) res = mc_check(mc_registry_catalog(d->registry), src, NULL);
        g_autoptr(sd_bus_message) reply = NULL;
        int r;

        d->n_checks++;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = mc_bus_append_device_verdict(reply, d->registry, res->devices->pdata[0]);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}
