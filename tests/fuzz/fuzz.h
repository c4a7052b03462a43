/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the libFuzzer targets (see README). Each target defines
 * LLVMFuzzerTestOneInput(); with -DMC_FUZZ=ON it is linked with libFuzzer,
 * otherwise with fuzz-replay.c, which runs it on every file of the corpus
 * directories given (the test-fuzz-corpus-* tests). */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold whatever the input: abort (a crash libFuzzer
 * reports, with the input that caused it) when it does not. */
#define FUZZ_ASSERT(cond, ...)                                                       \
        do {                                                                         \
                if (!(cond)) {                                                       \
                        fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                                \
                        fputc('\n', stderr);                                         \
                        abort();                                                     \
                }                                                                    \
        } while (0)

/* Every message the readers give goes on the bus or to a terminal. */
static inline void fuzz_check_error(const GError *error) {
        FUZZ_ASSERT(error && error->message && *error->message, "a failure without a message");
        FUZZ_ASSERT(g_utf8_validate(error->message, -1, NULL), "message not UTF-8");
        /* mc_json_parse() validates the whole RFC 8259 grammar before
         * json-glib reads a byte: json-glib refusing what it let through
         * means the two disagree about what JSON is. */
        const char *after_origin = strstr(error->message, ": ");
        /* Only a reader's own "ORIGIN: not valid JSON: ..." counts: a ": "
         * after a quote is inside quoted input, which may say anything. */
        if (after_origin && memchr(error->message, '"', (size_t) (after_origin - error->message)))
                after_origin = NULL;
        FUZZ_ASSERT(!after_origin || !g_str_has_prefix(after_origin + 2, "not valid JSON: "),
                    "json-glib refused what the validator passed: %s", error->message);
}

/* Input as a cursor: NUL-separated strings and single bytes. */
typedef struct {
        const char *p, *end;
} FuzzInput;

static inline unsigned fuzz_byte(FuzzInput *in) {
        return in->p < in->end ? (unsigned char) *in->p++ : 0;
}

/* The next string up to a NUL (or the end); a copy. */
static inline char *fuzz_string(FuzzInput *in) {
        const char *start = in->p;
        while (in->p < in->end && *in->p)
                in->p++;
        char *s = g_strndup(start, (gsize) (in->p - start));
        if (in->p < in->end)
                in->p++;
        return s;
}
