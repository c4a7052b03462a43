/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stand-in vfio-user device program for the probe tests. Built without
 * sanitizers: it runs in the clean environment the probe gives it. The
 * first argument picks the behaviour; the modes that print migration
 * information only do so when the last argument is
 * --print-migration-info-json, as a real program would. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define INFO_FMT \
        "{\n" \
        "  \"models\": {\n" \
        "    \"%s\": {\n" \
        "      \"versions\": [\"v2\", \"v1\"],\n" \
        "      \"params\": {\n" \
        "        \"new-feature\":   { \"type\": \"bool\", \"init_value\": true, \"off_value\": false,\n" \
        "                           \"description\": \"New feature that old devices lack\" },\n" \
        "        \"num-resources\": { \"type\": \"int\", \"init_value\": 64, \"allowed_values\": [64] },\n" \
        "        \"queues\":        { \"type\": \"int\", \"init_value\": 1, \"off_value\": 1,\n" \
        "                           \"allowed_values\": [\"1-8\", 16] }\n" \
        "      },\n" \
        "      \"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]\n" \
        "    }\n" \
        "  }\n" \
        "}\n"

static int usage(void) {
        fprintf(stderr, "usage: mc-probe-prog MODE [ARGS...] --print-migration-info-json\n");
        return 2;
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static _Noreturn void hang(void) {
        for (;;)
                pause();
}

static int print_info(const char *model) {
        printf(INFO_FMT, model ? model : "vendor-a.com/my-nic");
        return fflush(stdout) == 0 ? 0 : 1;
}

/* Append one line to a file, to count runs independently of the pool. */
static void count_run(const char *path) {
        FILE *f = fopen(path, "a");
        if (f) {
                fprintf(f, "run %d\n", (int) getpid());
                fclose(f);
        }
}

static int report_env(void) {
        char buf[1];
        struct sigaction sa;
        sigset_t mask;
        ssize_t n;
        DIR *d;
        struct dirent *de;

        printf("pid=%d pgid=%d\n", (int) getpid(), (int) getpgid(0));
        n = read(STDIN_FILENO, buf, sizeof buf);
        printf("stdin=%s\n", n == 0 ? "eof" : n > 0 ? "data" : "error");
        for (char **e = environ; e && *e; e++)
                printf("env:%s\n", *e);
        sigprocmask(SIG_SETMASK, NULL, &mask);
        printf("sigterm-blocked=%d\n", sigismember(&mask, SIGTERM));
        sigaction(SIGPIPE, NULL, &sa);
        printf("sigpipe-ignored=%d\n", sa.sa_handler == SIG_IGN);
        d = opendir("/proc/self/fd");
        if (!d)
                return 1;
        while ((de = readdir(d))) {
                char path[300], target[256];
                ssize_t l;
                if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
                        continue;
                snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
                l = readlink(path, target, sizeof target - 1);
                target[l > 0 ? l : 0] = '\0';
                printf("fd:%s=%s\n", de->d_name, target);
        }
        closedir(d);
        return fflush(stdout) == 0 ? 0 : 1;
}

/* Leave a process behind outside our process group and session, as a
 * double-forking daemon does: a child that calls setsid() and forks a
 * grandchild, which writes its pid to pidfile and sleeps an hour. Returns
 * once the pid file exists. */
static int escape(const char *pidfile) {
        char tmp[4096];
        pid_t pid;
        int status;

        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                FILE *f;
                int null;

                if (setsid() < 0)
                        _exit(1);
                pid = fork();
                if (pid != 0)
                        _exit(pid < 0);
                null = open("/dev/null", O_RDWR);
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
                f = fopen(tmp, "w");
                if (!f)
                        _exit(1);
                fprintf(f, "%d\n", (int) getpid());
                if (fclose(f) != 0 || rename(tmp, pidfile) < 0)
                        _exit(1);
                sleep_ms(1000L * 3600);
                _exit(0);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        while (access(pidfile, F_OK) < 0)
                sleep_ms(5);
        return 0;
}

int main(int argc, char **argv) {
        const char *mode;
        bool probe;

        if (argc < 2)
                return usage();
        mode = argv[1];
        probe = strcmp(argv[argc - 1], "--print-migration-info-json") == 0;

        if (strcmp(mode, "json") == 0) {
                /* json [MODEL [COUNTFILE]] --print-migration-info-json */
                if (!probe)
                        return usage();
                if (argc > 4)
                        count_run(argv[3]);
                return print_info(argc > 3 ? argv[2] : NULL);
        }
        if (strcmp(mode, "sleep") == 0) {
                /* sleep MS: then print the information */
                if (argc < 3)
                        return usage();
                sleep_ms(atol(argv[2]));
                return print_info(NULL);
        }
        if (strcmp(mode, "hang") == 0)
                hang();
        if (strcmp(mode, "hang-stderr") == 0) {
                fprintf(stderr, "waiting for a device that never answers\n");
                fflush(stderr);
                hang();
        }
        if (strcmp(mode, "big") == 0) {
                /* 100 MiB, or until killed. */
                static char chunk[65536];
                memset(chunk, 'x', sizeof chunk);
                for (int i = 0; i < 1600; i++)
                        if (fwrite(chunk, 1, sizeof chunk, stdout) != sizeof chunk)
                                return 1;
                return 0;
        }
        if (strcmp(mode, "exact") == 0) {
                /* exact N: print exactly N bytes of JSON-free filler. */
                long n = argc > 2 ? atol(argv[2]) : 0;
                for (long i = 0; i < n; i++)
                        putchar('y');
                return fflush(stdout) == 0 ? 0 : 1;
        }
        if (strcmp(mode, "garbage") == 0) {
                fputs("this is not JSON \x01\xff{[\n", stdout);
                return 0;
        }
        if (strcmp(mode, "badjson") == 0) {
                /* Well-formed JSON, wrong shape. */
                fputs("{\"models\": {\"vendor-a.com/my-nic\": {\"versions\": \"v1\"}}}\n", stdout);
                return 0;
        }
        if (strcmp(mode, "fail") == 0) {
                fputs("out of \x01 cheese\nsecond line\n", stderr);
                return 3;
        }
        if (strcmp(mode, "signal") == 0) {
                fputs("about to die\n", stderr);
                fflush(stderr);
                raise(SIGUSR1);
                return 0;
        }
        if (strcmp(mode, "fork") == 0) {
                /* fork PIDFILE: a child keeps stdout open and sleeps; the
                 * parent records its pid, prints the information and
                 * exits. */
                char tmp[4096];
                FILE *f;
                pid_t pid;

                if (argc < 3)
                        return usage();
                fflush(stdout);
                pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0) {
                        sleep_ms(1000L * 3600);
                        _exit(0);
                }
                snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
                f = fopen(tmp, "w");
                if (!f)
                        return 1;
                fprintf(f, "%d\n", (int) pid);
                if (fclose(f) != 0 || rename(tmp, argv[2]) < 0)
                        return 1;
                return print_info(NULL);
        }
        if (strcmp(mode, "env") == 0)
                return report_env();
        if (strcmp(mode, "escape") == 0) {
                /* escape PIDFILE MODE [ARGS...]: leave a process behind
                 * (see escape()), then behave as MODE. */
                if (argc < 4)
                        return usage();
                if (escape(argv[2]) < 0)
                        return 1;
                return main(argc - 2, argv + 2);
        }
        return usage();
}
