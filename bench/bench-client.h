/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bus clients of the benchmark: one timed call (Check, or a Peer.Ping to
 * the same daemon), pipelined load from concurrent connections, and a
 * reference service that answers a method with a string of a given size
 * and does nothing else (what the bus alone costs for an answer that
 * large). */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

typedef enum {
        BENCH_CALL_PING,  /* org.freedesktop.DBus.Peer.Ping, answered inside sd-bus */
        BENCH_CALL_CHECK, /* Manager.Check(source) */
        BENCH_CALL_ECHO,  /* the reference service's Echo(u size) -> s */
} BenchCall;

typedef struct {
        BenchCall call;
        const char *destination;   /* NULL: migcompatd's name */
        const char *const *sources; /* Check: used in turn */
        uint32_t echo_size;        /* Echo: bytes of the answer */
} BenchRequest;

/* One call and its reply, sequentially; returns the round trip in ns
 * (aborts on an unexpected error). reply_len receives the Check reply's
 * length when not NULL. */
uint64_t bench_call(sd_bus *bus, BenchCall call, const char *source, size_t *reply_len);

/* Keep `window` calls in flight on each of n_clients connections (one
 * thread each) for duration_ns. Returns the replies per second over all
 * clients (errors from the daemon count as answers: an invalid source is
 * a legitimate question). */
double bench_load(const char *address, unsigned n_clients, unsigned window, const BenchRequest *req,
                  uint64_t duration_ns);

/* Exactly n calls, pipelined on one connection (for memory figures). */
void bench_load_count(sd_bus *bus, const BenchRequest *req, uint64_t n, unsigned window);

/* ---- judged load (the soak) ---- */

/* Whether reply (a method return or an error) is what the question
 * req->sources[source] expects. */
typedef bool (*BenchJudge)(sd_bus_message *reply, unsigned source, void *userdata);

typedef struct {
        uint64_t answered;   /* replies, whatever they said */
        uint64_t unexpected; /* of them, not what their question expects */
} BenchTally;

/* total Check calls of req, split over n_clients connections (one thread
 * each) with `window` in flight on each; every reply is judged, none
 * aborts the run (the first few unexpected ones are printed). progress,
 * when not NULL, counts the replies as they come (atomically), for a
 * watcher on another thread. */
void bench_load_judged(const char *address, unsigned n_clients, unsigned window, const BenchRequest *req,
                       uint64_t total, BenchJudge judge, void *judge_data, uint64_t *progress, BenchTally *tally);

/* The reference service, on its own thread and connection. */
typedef struct BenchEcho BenchEcho;
BenchEcho *bench_echo_start(const char *address);
/* Its unique bus name, the destination of BENCH_CALL_ECHO. */
const char *bench_echo_name(const BenchEcho *e);
void bench_echo_stop(BenchEcho *e);
