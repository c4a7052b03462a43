/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench-client.h"

#include <glib.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "bench-util.h"
#include "mc-config.h"
#include "mc-sd-util.h"

static int start_call(sd_bus *bus, const BenchRequest *req, uint64_t n, sd_bus_message_handler_t cb,
                      void *userdata) {
        const char *dest = req->destination ? req->destination : MC_BUS_NAME;

        switch (req->call) {
        case BENCH_CALL_PING:
                return sd_bus_call_method_async(bus, NULL, dest, MC_BUS_PATH, "org.freedesktop.DBus.Peer",
                                                "Ping", cb, userdata, NULL);
        case BENCH_CALL_CHECK: {
                guint k = g_strv_length((char **) req->sources);
                return sd_bus_call_method_async(bus, NULL, dest, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                "Check", cb, userdata, "s", req->sources[n % k]);
        }
        case BENCH_CALL_ECHO:
                return sd_bus_call_method_async(bus, NULL, dest, "/bench", "org.migcompat.Bench", "Echo",
                                                cb, userdata, "u", req->echo_size);
        }
        return -EINVAL;
}

uint64_t bench_call(sd_bus *bus, BenchCall call, const char *source, size_t *reply_len) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        uint64_t t0, t1;
        int r;

        t0 = bench_now_ns();
        if (call == BENCH_CALL_PING)
                r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer",
                                       "Ping", &error, &reply, NULL);
        else
                r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check",
                                       &error, &reply, "s", source);
        t1 = bench_now_ns();
        if (r < 0)
                g_error("%s failed: %s", call == BENCH_CALL_PING ? "Ping" : "Check",
                        error.message ? error.message : g_strerror(-r));
        if (reply_len && call == BENCH_CALL_CHECK) {
                const char *json = NULL;
                if (sd_bus_message_read(reply, "s", &json) < 0)
                        g_error("Check reply is not a string");
                *reply_len = strlen(json);
        }
        return t1 - t0;
}

/* ---- pipelined load ------------------------------------------------------------- */

typedef struct {
        /* the same for every client */
        const char *address;
        const BenchRequest *req;
        unsigned window;
        uint64_t duration_ns;  /* 0: stop after `count` replies */
        uint64_t count;
        pthread_barrier_t *barrier;
        /* this client */
        sd_bus *bus;
        uint64_t first; /* the source it starts with */
        uint64_t sent, answered;
        uint64_t deadline;
        bool failed;
} Client;

static bool client_more(const Client *c, uint64_t now) {
        if (c->duration_ns)
                return now < c->deadline;
        return c->sent < c->count;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Client *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        /* The daemon's named errors are answers; the bus' are not. */
        if (e && !g_str_has_prefix(e->name, MC_BUS_ERROR_PREFIX) &&
            strcmp(e->name, SD_BUS_ERROR_INVALID_ARGS) != 0) {
                g_printerr("call failed: %s: %s\n", e->name, e->message);
                c->failed = true;
        }
        c->answered++;
        if (client_more(c, bench_now_ns())) {
                if (start_call(c->bus, c->req, c->first + c->sent, on_reply, c) < 0)
                        c->failed = true;
                else
                        c->sent++;
        }
        return 1;
}

static void client_run(Client *c) {
        uint64_t now = bench_now_ns();

        c->deadline = now + c->duration_ns;
        for (unsigned i = 0; i < c->window && client_more(c, now); i++) {
                if (start_call(c->bus, c->req, c->first + c->sent, on_reply, c) < 0)
                        g_error("cannot send a call");
                c->sent++;
        }
        while (c->answered < c->sent && !c->failed) {
                int r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        g_error("bus connection failed: %s", g_strerror(-r));
                if (r == 0)
                        sd_bus_wait(c->bus, UINT64_MAX);
        }
}

static sd_bus *connect_to(const char *address) {
        sd_bus *bus = NULL;
        if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address) < 0 ||
            sd_bus_set_bus_client(bus, 1) < 0 || sd_bus_start(bus) < 0)
                g_error("cannot connect to %s", address);
        return bus;
}

static void *client_thread(void *userdata) {
        Client *c = userdata;

        c->bus = connect_to(c->address);
        pthread_barrier_wait(c->barrier);
        client_run(c);
        sd_bus_flush_close_unref(c->bus);
        c->bus = NULL;
        return NULL;
}

double bench_load(const char *address, unsigned n_clients, unsigned window, const BenchRequest *req,
                  uint64_t duration_ns) {
        g_autofree Client *clients = g_new0(Client, n_clients);
        g_autofree pthread_t *threads = g_new0(pthread_t, n_clients);
        pthread_barrier_t barrier;
        guint n_sources = req->sources ? g_strv_length((char **) req->sources) : 0;
        uint64_t t0, t1, answered = 0;

        pthread_barrier_init(&barrier, NULL, n_clients + 1);
        for (unsigned i = 0; i < n_clients; i++) {
                clients[i] = (Client) {
                        .address = address,
                        .req = req,
                        /* Spread over the sources: clients that went through
                         * them in step would each ask what another had just
                         * asked. */
                        .first = (uint64_t) i * n_sources / n_clients,
                        .window = window,
                        .duration_ns = duration_ns,
                        .barrier = &barrier,
                };
                pthread_create(&threads[i], NULL, client_thread, &clients[i]);
        }
        pthread_barrier_wait(&barrier);
        t0 = bench_now_ns();
        for (unsigned i = 0; i < n_clients; i++) {
                pthread_join(threads[i], NULL);
                if (clients[i].failed)
                        g_error("a client failed");
                answered += clients[i].answered;
        }
        t1 = bench_now_ns();
        pthread_barrier_destroy(&barrier);
        /* Every call sent before the deadline is answered and counted; the
         * time runs until the last answer. */
        return (double) answered * 1e9 / (double) (t1 - t0);
}

void bench_load_count(sd_bus *bus, const BenchRequest *req, uint64_t n, unsigned window) {
        Client c = {
                .req = req,
                .window = window,
                .count = n,
                .bus = bus,
        };
        client_run(&c);
        if (c.failed)
                g_error("a call failed");
}

/* ---- judged load -------------------------------------------------------------------- */

typedef struct Judged Judged;

/* One call in flight: which question it asked. */
typedef struct {
        Judged *j;
        unsigned source;
} JudgedCall;

struct Judged {
        const char *address;
        const BenchRequest *req;
        BenchJudge judge;
        void *judge_data;
        uint64_t *progress;
        unsigned window;
        uint64_t count, first;
        sd_bus *bus;
        uint64_t sent, answered, unexpected;
        JudgedCall *calls; /* window of them, reused */
        GPtrArray *free_calls;
};

/* Unexpected replies printed over all clients, at most. */
#define JUDGED_PRINT_MAX 10
static gint judged_printed;

static int judged_start(Judged *j, sd_bus_message_handler_t cb);

static int on_judged_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JudgedCall *call = userdata;
        Judged *j = call->j;

        if (!j->judge(m, call->source, j->judge_data)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);
                j->unexpected++;
                if (g_atomic_int_add(&judged_printed, 1) < JUDGED_PRINT_MAX)
                        g_printerr("unexpected answer to question %u: %s%s%s\n", call->source,
                                   e ? e->name : "a reply that does not fit it", e ? ": " : "",
                                   e && e->message ? e->message : "");
        }
        j->answered++;
        if (j->progress)
                __atomic_fetch_add(j->progress, 1, __ATOMIC_RELAXED);
        g_ptr_array_add(j->free_calls, call);
        if (j->sent < j->count && judged_start(j, on_judged_reply) < 0)
                g_error("cannot send a call");
        return 1;
}

static int judged_start(Judged *j, sd_bus_message_handler_t cb) {
        const char *dest = j->req->destination ? j->req->destination : MC_BUS_NAME;
        guint k = g_strv_length((char **) j->req->sources);
        JudgedCall *call = g_ptr_array_steal_index_fast(j->free_calls, j->free_calls->len - 1);
        int r;

        call->source = (unsigned) ((j->first + j->sent) % k);
        r = sd_bus_call_method_async(j->bus, NULL, dest, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", cb, call,
                                     "s", j->req->sources[call->source]);
        if (r >= 0)
                j->sent++;
        return r;
}

static void *judged_thread(void *userdata) {
        Judged *j = userdata;

        j->bus = connect_to(j->address);
        j->calls = g_new0(JudgedCall, j->window);
        j->free_calls = g_ptr_array_new();
        for (unsigned i = 0; i < j->window; i++) {
                j->calls[i].j = j;
                g_ptr_array_add(j->free_calls, &j->calls[i]);
        }
        for (unsigned i = 0; i < j->window && j->sent < j->count; i++)
                if (judged_start(j, on_judged_reply) < 0)
                        g_error("cannot send a call");
        while (j->answered < j->sent) {
                int r = sd_bus_process(j->bus, NULL);
                if (r < 0)
                        g_error("bus connection failed: %s", g_strerror(-r));
                if (r == 0)
                        sd_bus_wait(j->bus, UINT64_MAX);
        }
        sd_bus_flush_close_unref(j->bus);
        j->bus = NULL;
        g_ptr_array_free(j->free_calls, true);
        g_free(j->calls);
        return NULL;
}

void bench_load_judged(const char *address, unsigned n_clients, unsigned window, const BenchRequest *req,
                       uint64_t total, BenchJudge judge, void *judge_data, uint64_t *progress, BenchTally *tally) {
        g_autofree Judged *clients = g_new0(Judged, n_clients);
        g_autofree pthread_t *threads = g_new0(pthread_t, n_clients);
        guint n_sources = g_strv_length((char **) req->sources);

        g_atomic_int_set(&judged_printed, 0);
        for (unsigned i = 0; i < n_clients; i++) {
                clients[i] = (Judged) {
                        .address = address,
                        .req = req,
                        .judge = judge,
                        .judge_data = judge_data,
                        .progress = progress,
                        .window = window,
                        /* The remainder goes to the first clients. */
                        .count = total / n_clients + (i < total % n_clients),
                        .first = (uint64_t) i * n_sources / n_clients,
                };
                pthread_create(&threads[i], NULL, judged_thread, &clients[i]);
        }
        *tally = (BenchTally) { 0 };
        for (unsigned i = 0; i < n_clients; i++) {
                pthread_join(threads[i], NULL);
                tally->answered += clients[i].answered;
                tally->unexpected += clients[i].unexpected;
        }
}

/* ---- the reference service ---------------------------------------------------------- */

struct BenchEcho {
        sd_bus *bus;
        GThread *thread;
        gint stop;
        char *name;
        GString *text; /* the answers are prefixes of it */
};

static int method_echo(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        BenchEcho *e = userdata;
        uint32_t size;
        int r = sd_bus_message_read(m, "u", &size);

        if (r < 0)
                return r;
        while (e->text->len < size)
                g_string_append_c(e->text, 'x');
        /* The same two steps as migcompatd's answer: a string appended to
         * a new reply, sent. */
        {
                g_autoptr(sd_bus_message) reply = NULL;
                char *space = NULL;
                r = sd_bus_message_new_method_return(m, &reply);
                if (r >= 0)
                        r = sd_bus_message_append_string_space(reply, size, &space);
                if (r >= 0) {
                        memcpy(space, e->text->str, size);
                        r = sd_bus_send(NULL, reply, NULL);
                }
        }
        return r;
}

static const sd_bus_vtable echo_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Echo", "u", "s", method_echo, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static gpointer echo_thread(gpointer data) {
        BenchEcho *e = data;

        while (!g_atomic_int_get(&e->stop)) {
                int r = sd_bus_process(e->bus, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        sd_bus_wait(e->bus, 100 * 1000);
        }
        return NULL;
}

BenchEcho *bench_echo_start(const char *address) {
        BenchEcho *e = g_new0(BenchEcho, 1);
        const char *unique = NULL;

        e->bus = connect_to(address);
        e->text = g_string_new(NULL);
        if (sd_bus_add_object_vtable(e->bus, NULL, "/bench", "org.migcompat.Bench", echo_vtable, e) < 0 ||
            sd_bus_get_unique_name(e->bus, &unique) < 0)
                g_error("cannot set up the reference service");
        e->name = g_strdup(unique);
        e->thread = g_thread_new("bench-echo", echo_thread, e);
        return e;
}

const char *bench_echo_name(const BenchEcho *e) {
        return e->name;
}

void bench_echo_stop(BenchEcho *e) {
        if (!e)
                return;
        g_atomic_int_set(&e->stop, 1);
        g_thread_join(e->thread);
        sd_bus_flush_close_unref(e->bus);
        g_string_free(e->text, true);
        g_free(e->name);
        g_free(e);
}
