/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mc-quote.h"

typedef struct {
        char *header;
        CtlElide elide;
        guint min_width;
        guint rank;
        guint width;
} Column;

struct CtlTable {
        guint n_columns;
        Column *columns;
        GPtrArray *rows; /* GStrv */
};

CtlTable *ctl_table_new(guint n_columns, const char *const *headers) {
        CtlTable *t = g_new0(CtlTable, 1);

        t->n_columns = n_columns;
        t->columns = g_new0(Column, n_columns);
        for (guint i = 0; i < n_columns; i++)
                t->columns[i].header = g_strdup(headers[i]);
        t->rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
        return t;
}

void ctl_table_free(CtlTable *t) {
        if (!t)
                return;
        for (guint i = 0; i < t->n_columns; i++)
                g_free(t->columns[i].header);
        g_free(t->columns);
        g_ptr_array_unref(t->rows);
        g_free(t);
}

void ctl_table_set_elide(CtlTable *t, guint column, CtlElide elide, guint min_width, guint rank) {
        g_return_if_fail(column < t->n_columns);
        t->columns[column].elide = elide;
        t->columns[column].rank = rank;
        /* Room for at least one character on each side of "...". */
        t->columns[column].min_width = MAX(min_width, 5);
}

void ctl_table_add_row(CtlTable *t, const char *const *cells) {
        char **row = g_new0(char *, t->n_columns + 1);
        for (guint i = 0; i < t->n_columns; i++)
                row[i] = g_strdup(cells[i] ? cells[i] : "-");
        g_ptr_array_add(t->rows, row);
}

guint ctl_table_n_rows(const CtlTable *t) {
        return t->rows->len;
}

char *ctl_elide(const char *s, guint width, CtlElide how) {
        /* Cut characters, never bytes: half a UTF-8 sequence is not text. */
        g_autofree char *safe = g_utf8_validate(s, -1, NULL) ? NULL : mc_text_sanitize(s);
        const char *t = safe ? safe : s;
        glong len = g_utf8_strlen(t, -1);

        if (len <= (glong) width || how == CTL_ELIDE_NONE || width < 4)
                return g_strdup(t);
        if (how == CTL_ELIDE_END) {
                g_autofree char *head = g_utf8_substring(t, 0, width - 3);
                return g_strconcat(head, "...", NULL);
        }
        {
                /* The end of an id (the type) tells rows apart more than
                 * its start: keep two thirds of the end. */
                guint keep = width - 3, tail = keep * 2 / 3, head = keep - tail;
                g_autofree char *h = g_utf8_substring(t, 0, head);
                return g_strconcat(h, "...", g_utf8_offset_to_pointer(t, len - tail), NULL);
        }
}

static guint total_width(const CtlTable *t) {
        guint w = 0;
        for (guint i = 0; i < t->n_columns; i++)
                w += t->columns[i].width + (i ? 1 : 0);
        return w;
}

static void layout(CtlTable *t, guint width, bool header) {
        for (guint i = 0; i < t->n_columns; i++) {
                Column *c = &t->columns[i];
                c->width = header ? (guint) strlen(c->header) : 0;
                for (guint r = 0; r < t->rows->len; r++)
                        c->width = MAX(c->width, (guint) strlen(((char **) t->rows->pdata[r])[i]));
        }
        if (width == 0)
                return;
        /* Take one column at a time from the widest elidable column of
         * the lowest rank that can still give; short counts and flags
         * never shrink. */
        while (total_width(t) > width) {
                Column *giver = NULL;
                for (guint i = 0; i < t->n_columns; i++) {
                        Column *c = &t->columns[i];
                        guint floor = MAX(c->min_width, header ? (guint) strlen(c->header) : 0);
                        if (c->elide == CTL_ELIDE_NONE || c->width <= floor)
                                continue;
                        if (!giver || c->rank < giver->rank || (c->rank == giver->rank && c->width > giver->width))
                                giver = c;
                }
                if (!giver)
                        break;
                giver->width--;
        }
}

static void print_row(const CtlTable *t, char **cells) {
        g_autoptr(GString) line = g_string_new(NULL);

        for (guint i = 0; i < t->n_columns; i++) {
                const Column *c = &t->columns[i];
                g_autofree char *cell = ctl_elide(cells[i], c->width, c->elide);

                if (i)
                        g_string_append_c(line, ' ');
                if (i + 1 < t->n_columns)
                        g_string_append_printf(line, "%-*s", (int) c->width, cell);
                else
                        g_string_append(line, cell);
        }
        /* A short last cell leaves no trailing blanks behind. */
        while (line->len && line->str[line->len - 1] == ' ')
                g_string_truncate(line, line->len - 1);
        puts(line->str);
}

void ctl_table_print(CtlTable *t, guint width, bool header) {
        layout(t, width, header);
        if (header) {
                g_auto(GStrv) h = g_new0(char *, t->n_columns + 1);
                for (guint i = 0; i < t->n_columns; i++)
                        h[i] = g_strdup(t->columns[i].header);
                print_row(t, h);
        }
        for (guint r = 0; r < t->rows->len; r++)
                print_row(t, t->rows->pdata[r]);
}

guint ctl_output_width(bool full) {
        struct winsize ws;
        const char *env;

        if (full)
                return 0;
        if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        env = getenv("COLUMNS");
        if (env && *env) {
                char *end = NULL;
                unsigned long v = strtoul(env, &end, 10);
                if (end && *end == '\0' && v > 0 && v < 100000)
                        return (guint) v;
        }
        return 0;
}
