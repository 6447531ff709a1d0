/*
 * misread.c - where a failing sum over OCR'd cells points: the rows
 * whose code was misread when their amounts are the gap, a decimal
 * point assumed when a power of ten explains it, else the least
 * confident number not confirmed by a crossing sum.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* 1 when the crossing sums of line k (a row when by_row is 0, else a
 * column) all pass and one at least was checked: a cell there agrees
 * with another sum. log holds table number ti's entries, or is NULL. */
static int
confirmed(const ft_log *log, int ti, int by_row, int k)
{
    size_t i;
    int pass = 0;
    for (i = 0; log && i < log->n; i++) {
        const ft_entry *x = &log->items[i];
        int row_rule;
        if (x->table != ti || strcmp(x->kind, "check"))
            continue;
        row_rule = !strcmp(x->rule, "row_total");
        if (by_row ? (row_rule || x->col != k) : (!row_rule || x->row != k))
            continue;
        if (x->status == FT_FAIL)
            return 0;
        pass |= x->status == FT_PASS;
    }
    return pass;
}

/* A failing column sum whose parts fall short by the amounts of rows
 * whose code OCR misread (those rows drop out of the code checks): puts
 * their code cells' names in out ("A8, A11") and returns 1 when some of
 * those rows (the fewest that do) explain the gap exactly. */
static int
lost_code_rows(const ft_entry *e, const ft_table *t, char *out, size_t cap)
{
    int r, c, n = 0, rows[12], cols[12];
    unsigned mask, best = 0;
    int best_bits = 0;
    double vals[12], gap = e->actual - e->expected;
    if (!e->has_values || gap <= 0)
        return 0;
    for (r = 0; r < t->n_rows && n < 12; r++)
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *x = FT_CELL(t, r, c), *v;
            if (x->covered || x->suspect != FT_SUSPECT_CODE)
                continue;
            v = FT_CELL(t, r, e->col);
            if (v->kind == FT_CELL_NUMBER && v->value > 0) {
                rows[n] = r;
                cols[n] = c;
                vals[n++] = v->value;
            }
            break;
        }
    for (mask = 1; mask < (1u << n); mask++) {
        double sum = 0;
        int k, bits = 0;
        for (k = 0; k < n; k++)
            if (mask & (1u << k)) {
                sum += vals[k];
                bits++;
            }
        if (fabs(sum - gap) < 0.005 && (!best || bits < best_bits)) {
            best = mask;
            best_bits = bits;
        }
    }
    if (!best)
        return 0;
    out[0] = 0;
    for (r = 0; r < n; r++) {
        char name[16];
        size_t len = strlen(out);
        if (!(best & (1u << r)))
            continue;
        ft_cell_name(rows[r], cols[r], name);
        snprintf(out + len, cap - len, "%s%s", len ? ", " : "", name);
    }
    return 1;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_status
ft_point_at_misread(ft_entry *e, const ft_table *t, const ft_log *log, int ti)
{
    const ft_cell *best = NULL, *moved = NULL;
    int k, br = -1, bc = -1, mr = -1, mc = -1, by_row, best_ok = 1;
    char name[16], codes[96], *m;
    size_t len;
    if (e->status != FT_FAIL || strcmp(e->kind, "check") || e->row < 0 ||
        e->col < 0 || e->row >= t->n_rows || e->col >= t->n_cols)
        return FT_OK;
    /* an entry on a cell that is not a number, or without values,
     * names its misread */
    if (FT_CELL(t, e->row, e->col)->kind == FT_CELL_TEXT || !e->has_values)
        return FT_OK;
    by_row = !strcmp(e->rule, "row_total");
    for (k = 0; k < (by_row ? t->n_cols : t->n_rows); k++) {
        int r = by_row ? e->row : k, c = by_row ? k : e->col;
        const ft_cell *x = FT_CELL(t, r, c);
        if (x->covered || !x->ocr || x->kind != FT_CELL_NUMBER)
            continue;
        /* a decimal point assumed in the wrong place changes its amount
         * by a power of ten: when that explains the sum's gap, it is the
         * likeliest misread */
        if (x->suspect == FT_SUSPECT_POINT && e->has_values && !moved) {
            double off = fabs(e->actual - e->expected), p = 10;
            int j;
            for (j = 0; j < 3 && !moved; j++, p *= 10)
                if (fabs(off - fabs(x->value) * (p - 1)) < 0.006 ||
                    fabs(off - fabs(x->value) * (1 - 1 / p)) < 0.006) {
                    moved = x;
                    mr = r;
                    mc = c;
                }
        }
        {
            int ok = confirmed(log, ti, by_row, by_row ? c : r);
            if (!best || ok < best_ok ||
                (ok == best_ok && x->conf < best->conf)) {
                best = x;
                best_ok = ok;
                br = r;
                bc = c;
            }
        }
    }
    if (!by_row && lost_code_rows(e, t, codes, sizeof codes)) {
        len = strlen(e->message);
        m = realloc(e->message, len + sizeof codes + 80);
        if (!m)
            return FT_ERR_NOMEM;
        snprintf(m + len, sizeof codes + 80,
                 "; the gap is the amount of the rows whose code OCR "
                 "misread: %s",
                 codes);
        e->message = m;
        return FT_OK;
    }
    if (!best)
        return FT_OK;
    if (moved) {
        best = moved;
        br = mr;
        bc = mc;
    }
    ft_cell_name(br, bc, name);
    len = strlen(e->message);
    m = realloc(e->message, len + 80);
    if (!m)
        return FT_ERR_NOMEM;
    if (moved)
        snprintf(m + len, 80, "; likeliest misread: %s, its decimal point "
                              "assumed", name);
    else
        snprintf(m + len, 80, "; least confident OCR reading: %s (%.0f%%)",
                 name, best->conf);
    e->message = m;
    return FT_OK;
}
