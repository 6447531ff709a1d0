/*
 * table.c - helpers for the shared structs of table.h: status strings,
 * freeing pages and tables, the log, and cell names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "table.h"

/*****************************************************************************
 * Public functions
 *****************************************************************************/

const char *
ft_strerror(ft_status code)
{
    static const char *const msgs[] = {
        "no error",
        "out of memory",
        "bad argument",
        "cannot open the file as a PDF",
        "the PDF is encrypted",
        "a page cannot be read",
        "text boxes disagree with text",
        "cannot write output",
        "a resource limit was hit",
        "internal error",
    };
    if ((int)code < 0 || code >= FT_STATUS_MAX)
        code = FT_ERR_INTERNAL;
    return msgs[code];
}

void
ft_page_clear(ft_page *p)
{
    if (!p)
        return;
    free(p->glyphs);
    free(p->rules);
    p->glyphs = NULL;
    p->rules = NULL;
    p->n_glyphs = p->n_rules = 0;
}

void
ft_table_clear(ft_table *t)
{
    size_t i, n;
    if (!t)
        return;
    n = (size_t)t->n_rows * (size_t)t->n_cols;
    if (t->cells)
        for (i = 0; i < n; i++)
            free(t->cells[i].text);
    free(t->cells);
    free(t->col_x);
    free(t->title);
    free(t->entity);
    free(t->unit);
    free(t->label);
    free(t->note);
    memset(t, 0, sizeof *t);
}

/* Code points of UTF-8 s, at most max; returns the count. */
size_t
ft_code_points(const char *s, uint32_t *cp, size_t max)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t n = 0;
    utf8proc_int32_t c;
    utf8proc_ssize_t len;
    while (n < max && *p && (len = utf8proc_iterate(p, -1, &c)) > 0) {
        cp[n++] = (uint32_t)c;
        p += len;
    }
    return n;
}

/* Drops, in place, the bytes of s that are not well-formed UTF-8: a
 * message cut at a byte count ("%.200s") may end inside a character. */
static void
utf8_scrub(char *s)
{
    char *r = s, *w = s;
    while (*r) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)r,
                                              -1, &cp);
        if (n <= 0) {
            r++;
            continue;
        }
        memmove(w, r, (size_t)n);
        w += n;
        r += n;
    }
    *w = 0;
}

ft_status
ft_log_add(ft_log *log, int page, int table, int row, int col,
           const char *kind, const char *rule, ft_verdict status,
           const double *expected, const double *actual, const char *message)
{
    ft_entry *e;
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 64;
        ft_entry *v = realloc(log->items, cap * sizeof *v);
        if (!v)
            return FT_ERR_NOMEM;
        log->items = v;
        log->cap = cap;
    }
    e = &log->items[log->n];
    memset(e, 0, sizeof *e);
    e->page = page;
    e->table = table;
    e->row = row;
    e->col = col;
    e->kind = kind;
    e->status = status;
    e->rule = strdup(rule ? rule : "");
    e->message = strdup(message ? message : "");
    if (!e->rule || !e->message) {
        free(e->rule);
        free(e->message);
        return FT_ERR_NOMEM;
    }
    utf8_scrub(e->message);
    if (expected && actual) {
        e->has_values = 1;
        e->expected = *expected;
        e->actual = *actual;
    }
    log->n++;
    return FT_OK;
}

void
ft_log_clear(ft_log *log)
{
    size_t i;
    if (!log)
        return;
    for (i = 0; i < log->n; i++) {
        free(log->items[i].rule);
        free(log->items[i].message);
    }
    free(log->items);
    memset(log, 0, sizeof *log);
}

const ft_cell *
ft_table_anchor(const ft_table *t, int r, int c)
{
    int rr, cc;
    const ft_cell *cell = FT_CELL(t, r, c);
    if (!cell->covered)
        return cell;
    for (rr = r; rr >= 0; rr--)
        for (cc = c; cc >= 0; cc--) {
            const ft_cell *a = FT_CELL(t, rr, cc);
            if (!a->covered && rr + a->rowspan > r && cc + a->colspan > c)
                return a;
        }
    return cell;
}

void
ft_cell_name(int row, int col, char *buf)
{
    char tmp[8];
    int n = 0, c = col + 1;
    while (c > 0 && n < 7) {
        int m = (c - 1) % 26;
        tmp[n++] = (char)('A' + m);
        c = (c - 1) / 26;
    }
    {
        int i;
        for (i = 0; i < n; i++)
            buf[i] = tmp[n - 1 - i];
        snprintf(buf + n, 16 - (size_t)n, "%d", row + 1);
    }
}

void
ft_prose_list_clear(ft_prose_list *l)
{
    size_t i;
    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        free(l->items[i].text);
    free(l->items);
    memset(l, 0, sizeof *l);
}

size_t
ft_edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t row[129], i, j;
    if (na > 128 || nb > 128)
        return (size_t)-1;
    for (j = 0; j <= nb; j++)
        row[j] = j;
    for (i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= nb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb];
}

/* Digits after the point in an amount as printed, -1 for none. */
int
ft_amount_decimals(const char *s)
{
    const char *p = strrchr(s, '.');
    int n = 0;
    if (!p)
        return 0;
    for (p++; *p >= '0' && *p <= '9'; p++)
        n++;
    return n;
}

/* 1 when amount s follows a column's pattern: its decimals, and commas
 * (if any) every three digits before the point. */
int
ft_amount_fits(const char *s, int decimals)
{
    const char *p, *end;
    int run = 0, commas = 0;
    if (!strcmp(s, "-"))
        return 1;
    if (ft_amount_decimals(s) != decimals)
        return 0;
    end = strchr(s, '.');
    if (end != strrchr(s, '.'))
        return 0; /* two points */
    end = end ? end : s + strlen(s);
    for (p = s; p < end; p++) {
        if (*p >= '0' && *p <= '9')
            run++;
        else if (*p == ',') {
            if ((commas++ == 0 && (run < 1 || run > 3)) ||
                (commas > 1 && run != 3))
                return 0;
            run = 0;
        }
    }
    return !commas || run == 3;
}

/* 1 when s reads as an amount in the column's pattern (spaces may
 * group its thousands: "13 091.35"). */
int
ft_amount_keeps(const char *s, int decimals)
{
    return strspn(s, "0123456789,.-()% ") == strlen(s) &&
           strpbrk(s, "0123456789") && ft_amount_fits(s, decimals);
}

/*
 * An OCR'd amount whose digits are all there but whose separators break
 * the column's pattern (decimals > 0), set by the pattern: every point
 * but the last was a comma ("5.213.17"); a comma before the decimals was
 * the point ("1,969,08" for two decimals); no point at all, and it goes
 * before the last decimals digits ("12250" as 122.50: *assumed is set,
 * since a digit may be missing as well). NULL when the digits do not fit
 * or on OOM.
 */
char *
ft_amount_regroup(const char *s, int decimals, int *assumed)
{
    size_t n = strlen(s), i, points = 0, digits = 0;
    char *out, *last;
    *assumed = 0;
    if (decimals <= 0 || decimals > 3 || !n ||
        strspn(s, "0123456789,.") != n || s[0] < '0' || s[0] > '9' ||
        s[n - 1] < '0' || s[n - 1] > '9')
        return NULL;
    for (i = 0; i < n; i++) {
        points += s[i] == '.';
        digits += s[i] >= '0' && s[i] <= '9';
    }
    if (digits <= (size_t)decimals)
        return NULL;
    out = malloc(n + 2);
    if (!out)
        return NULL;
    memcpy(out, s, n + 1);
    last = strrchr(out, '.');
    if (points > 1) {
        for (i = 0; out + i < last; i++)
            if (out[i] == '.')
                out[i] = ',';
    } else if (!points) {
        char *c = strrchr(out, ',');
        if (c && strlen(c + 1) == (size_t)decimals && decimals != 3) {
            *c = '.';
        } else {
            /* the point before the last decimals digits */
            memmove(out + n - decimals + 1, out + n - decimals,
                    (size_t)decimals + 1);
            out[n - decimals] = '.';
            *assumed = 1;
        }
    }
    if (!ft_amount_keeps(out, decimals)) {
        free(out);
        return NULL;
    }
    return out;
}

/* The value of a column counter ("1", "12"), or -1. */
int
ft_counter_value(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 3 || strspn(s, "0123456789") != n)
        return -1;
    return atoi(s);
}

int
ft_is_figure(const char *s)
{
    int digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr(",.-+%() ", *s))
            return 0;
    }
    return digits > 0;
}

int
ft_glyph_stacked(const ft_box *a, const ft_box *b, int dir)
{
    double ha = a->y1 - a->y0, ov, wmin;
    ov = (a->x1 < b->x1 ? a->x1 : b->x1) - (a->x0 > b->x0 ? a->x0 : b->x0);
    wmin = a->x1 - a->x0 < b->x1 - b->x0 ? a->x1 - a->x0 : b->x1 - b->x0;
    if (wmin <= 0 || ov < 0.8 * wmin)
        return 0;
    if (dir > 0)
        return b->y0 < a->y0 && b->y1 <= a->y0 + 0.25 * ha &&
               a->y0 - b->y1 < ha;
    return b->y1 > a->y1 && b->y0 >= a->y1 - 0.25 * ha && b->y0 - a->y1 < ha;
}
