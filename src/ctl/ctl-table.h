/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Column tables for people, as systemctl prints them: a header, left-
 * aligned columns two spaces apart, and, when the output is narrower than
 * the table, elidable cells shortened with "..." (in the middle for
 * identifiers, whose both ends matter; at the end for lists). Columns are
 * one space apart, as systemd's tables are. Cells are ASCII (ids, models
 * and versions are, by the formats' rules). */

#include <glib.h>
#include <stdbool.h>

typedef enum {
        CTL_ELIDE_NONE,
        CTL_ELIDE_END,
        CTL_ELIDE_MIDDLE,
} CtlElide;

typedef struct CtlTable CtlTable;

/* headers: n_columns strings. */
CtlTable *ctl_table_new(guint n_columns, const char *const *headers);
void ctl_table_free(CtlTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlTable, ctl_table_free)

/* How a column may shrink: never, or down to min_width with elision.
 * Columns of a lower rank give up their width first. */
void ctl_table_set_elide(CtlTable *t, guint column, CtlElide elide, guint min_width, guint rank);
/* Add a row of n_columns cells (copied; NULL prints as "-"). */
void ctl_table_add_row(CtlTable *t, const char *const *cells);
guint ctl_table_n_rows(const CtlTable *t);
/* Print to stdout within width columns (0: no limit), with the header
 * line unless header is false. */
void ctl_table_print(CtlTable *t, guint width, bool header);

/* The width to lay tables out for: 0 (no limit) with full; else the
 * terminal's width when stdout is one; else $COLUMNS when set; else 0, so
 * that output piped into a script is never cut. */
guint ctl_output_width(bool full);

/* Shorten s to width columns with "..." (at the end, or in the middle
 * keeping a third of the start and two thirds of the end). */
char *ctl_elide(const char *s, guint width, CtlElide how);
