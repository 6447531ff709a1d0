/*
 * grid.c - one table region to a grid of cells with spans.
 *
 * Columns: vertical rules where they exist; inside a ruled column (or
 * everywhere, for tables without rules) text alignment adds separators
 * where segments on the same line sit side by side again and again.
 * Rows: horizontal rules when the region is ruled row by row; otherwise
 * text lines, with wrapped lines joined back into their row and every
 * horizontal rule kept as a hard break. Spans: a missing rule inside a
 * ruled frame merges two cells; in unruled headers a label that covers
 * several columns spans them, and a label with nothing under it spans
 * the header rows below.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

/* Appends x; returns 0 on OOM. */
static int
dvec_push(dvec *d, double x)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        double *v = realloc(d->v, cap * sizeof *v);
        if (!v)
            return 0;
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return 1;
}

/* qsort comparator for doubles. */
static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sorts and merges values closer than tol (keeps their mean). */
static void
dvec_cluster(dvec *d, double tol)
{
    size_t i, o = 0, start = 0;
    double sum = 0;
    if (d->n == 0)
        return;
    qsort(d->v, d->n, sizeof *d->v, cmp_double);
    for (i = 0; i <= d->n; i++) {
        if (i == d->n || (i > start && d->v[i] - d->v[i - 1] > tol)) {
            d->v[o++] = sum / (double)(i - start);
            start = i;
            sum = 0;
        }
        if (i < d->n)
            sum += d->v[i];
    }
    d->n = o;
}

/* Length of [a,b] covered by rules of direction dir near pos. */
static double
coverage(const ft_rule *rules, size_t n, char dir, double pos, double a,
         double b)
{
    double cov = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const ft_rule *r = &rules[i];
        double lo, hi;
        if (r->dir != dir || fabs(r->pos - pos) > 2.5)
            continue;
        lo = r->a > a ? r->a : a;
        hi = r->b < b ? r->b : b;
        if (hi > lo)
            cov += hi - lo;
    }
    return cov;
}

/* 1 when x is one of the cuts in d (exactly: cuts are copied). */
static int
is_cut(const dvec *d, double x)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        if (d->v[i] == x)
            return 1;
    return 0;
}

/* A row band of text while rows are being formed. */
typedef struct band {
    double y0, y1;
    int has_num;
} band;

static const ft_layout *cur_layout;

/* qsort comparator: segment indices by vertical centre, then x. */
static int
cmp_idx_y(const void *a, const void *b)
{
    const ft_seg *sa = &cur_layout->segs[*(const size_t *)a];
    const ft_seg *sb = &cur_layout->segs[*(const size_t *)b];
    double ya = (sa->box.y0 + sa->box.y1) / 2;
    double yb = (sb->box.y0 + sb->box.y1) / 2;
    if (fabs(ya - yb) > 0.3 * (sa->size < sb->size ? sa->size : sb->size))
        return ya < yb ? -1 : 1;
    return sa->box.x0 < sb->box.x0 ? -1 : sa->box.x0 > sb->box.x0;
}

/* Index of the interval of sorted cuts[0..n) holding x (0..n-2), or -1. */
static int
find_slot(const double *cuts, size_t n, double x)
{
    size_t i;
    if (n < 2 || x < cuts[0] - 3 || x > cuts[n - 1] + 3)
        return -1;
    for (i = 0; i + 2 < n; i++)
        if (x < cuts[i + 1])
            return (int)i;
    return (int)n - 2;
}

/* Puts s before *dst, with a space when sp (text read bottom to top is
 * met top first); 0 on OOM. */
static int
prepend_text(char **dst, const char *s, int sp)
{
    size_t a = *dst ? strlen(*dst) : 0, b = strlen(s);
    char *n = malloc(a + b + 2);
    if (!n)
        return 0;
    memcpy(n, s, b);
    if (sp && a)
        n[b++] = ' ';
    if (a)
        memcpy(n + b, *dst, a);
    n[b + a] = 0;
    free(*dst);
    *dst = n;
    return 1;
}

/* Appends s to *dst with a joiner that suits the scripts; 0 on OOM. */
static int
append_text(char **dst, const char *s, int newline)
{
    size_t a = *dst ? strlen(*dst) : 0, b = strlen(s);
    char *n = realloc(*dst, a + b + 2);
    int space = 0;
    if (!n)
        return 0;
    if (a > 0) {
        /* last char of dst and first of s: space only between Latin */
        unsigned char last = (unsigned char)n[a - 1];
        unsigned char first = (unsigned char)s[0];
        space = last < 0x80 && first < 0x80 && last != '-' &&
                last != '/' && !(newline && last == '(');
    }
    if (space)
        n[a++] = ' ';
    memcpy(n + a, s, b + 1);
    *dst = n;
    return 1;
}

/*
 * Column intervals from text alone. Data lines (those with a number)
 * with the most segments go first, then the other data lines; in both,
 * a segment that touches two intervals joins them (data cells do not
 * span). Lines without numbers (headers) come last and only add
 * intervals where nothing was (a column empty but for its header), since
 * a header label may span several columns.
 */
static int
text_columns(const ft_layout *L, const size_t *idx, size_t n,
             const size_t *line_of, size_t n_lines, double x0, double x1,
             dvec *cuts)
{
    dvec lo = {0}, hi = {0};
    size_t *cnt = calloc(n_lines ? n_lines : 1, sizeof *cnt);
    unsigned char *num = calloc(n_lines ? n_lines : 1, 1);
    size_t i, k, maxc = 0;
    int pass, ok = 1;

    if (!cnt || !num) {
        free(cnt);
        free(num);
        return 0;
    }
    for (i = 0; i < n; i++) {
        cnt[line_of[i]]++;
        if (L->segs[idx[i]].numeric)
            num[line_of[i]] = 1;
    }
    for (i = 0; i < n_lines; i++)
        if (num[i] && cnt[i] > maxc)
            maxc = cnt[i];
    for (pass = 0; pass < 3 && ok; pass++) {
        for (i = 0; i < n && ok; i++) {
            const ft_seg *s = &L->segs[idx[i]];
            size_t li = line_of[i], hits = 0, hit = 0, hit2 = 0;
            if (pass == 0 && !(num[li] && cnt[li] == maxc))
                continue;
            if (pass == 1 && !(num[li] && cnt[li] != maxc))
                continue;
            if (pass == 2 && num[li])
                continue;
            for (k = 0; k < lo.n; k++) {
                if (s->box.x0 < hi.v[k] + 1 && s->box.x1 > lo.v[k] - 1) {
                    if (hits == 0)
                        hit = k;
                    else
                        hit2 = k;
                    hits++;
                }
            }
            if (hits == 0) {
                ok = dvec_push(&lo, s->box.x0) && dvec_push(&hi, s->box.x1);
            } else if (pass < 2) {
                if (s->box.x0 < lo.v[hit])
                    lo.v[hit] = s->box.x0;
                if (s->box.x1 > hi.v[hit])
                    hi.v[hit] = s->box.x1;
                if (hits > 1 && hit2 != hit) {
                    /* widen the first; the merge below joins the rest */
                    if (hi.v[hit2] > hi.v[hit])
                        hi.v[hit] = hi.v[hit2];
                    if (lo.v[hit2] < lo.v[hit])
                        lo.v[hit] = lo.v[hit2];
                }
            }
            /* merge intervals that came to overlap */
            for (k = 0; k < lo.n && ok; k++) {
                size_t j;
                for (j = k + 1; j < lo.n; j++) {
                    if (lo.v[j] < hi.v[k] && hi.v[j] > lo.v[k]) {
                        lo.v[k] = lo.v[k] < lo.v[j] ? lo.v[k] : lo.v[j];
                        hi.v[k] = hi.v[k] > hi.v[j] ? hi.v[k] : hi.v[j];
                        lo.v[j] = lo.v[lo.n - 1];
                        hi.v[j] = hi.v[hi.n - 1];
                        lo.n--;
                        hi.n--;
                        j = k;
                    }
                }
            }
        }
    }
    if (ok) {
        /* sort intervals by left edge (insertion sort: few of them) */
        for (i = 1; i < lo.n; i++) {
            for (k = i; k > 0 && lo.v[k] < lo.v[k - 1]; k--) {
                double t = lo.v[k];
                lo.v[k] = lo.v[k - 1];
                lo.v[k - 1] = t;
                t = hi.v[k];
                hi.v[k] = hi.v[k - 1];
                hi.v[k - 1] = t;
            }
        }
        ok = dvec_push(cuts, x0);
        for (i = 1; i < lo.n && ok; i++)
            ok = dvec_push(cuts, (hi.v[i - 1] + lo.v[i]) / 2);
        ok = ok && dvec_push(cuts, x1);
    }
    free(lo.v);
    free(hi.v);
    free(cnt);
    free(num);
    return ok;
}

/* Union-find root with path halving. */
static int
uf_find(int *p, int x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Joins the sets of x and y, the smaller index becoming the root, so a
 * set's root is its top-left cell. */
static void
uf_union(int *p, int x, int y)
{
    int a = uf_find(p, x), b = uf_find(p, y);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

/* 1 when the text is a run of small integers 1 2 3 (a 栏次 row). */
static int
is_counter(const char *s, int *expect)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || end == s || v != *expect)
        return 0;
    (*expect)++;
    return 1;
}

/* 1 when the text is a small whole number or a dash (a count). */
static int
is_count(const char *s)
{
    size_t n = strlen(s), i;
    if (n == 0 || n > 6)
        return 0;
    if (!strcmp(s, "-"))
        return 1;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* 1 when the text is an amount rather than a code or a label. */
static int
is_amount(const char *s)
{
    size_t len = strlen(s), i, digits = 0;
    int sep = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if (c == ',' || c == '.' || c == '%' || c == 'E' || c == 'e')
            sep = 1;
        else if (c == ' ' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' &&
                 i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '9' &&
                 s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] >= '0' &&
                 s[i + 3] <= '9' && (s[i + 4] < '0' || s[i + 4] > '9'))
            sep = 1; /* a space thousands separator: "13 091.35" */
        else if (c != '-' && c != '(' && c != ')' && c != '+')
            return 0;
    }
    if (digits == 0)
        return 0;
    if (!sep && (digits == 3 || digits == 5 || digits == 7 || digits <= 2))
        return 0; /* function codes, 类/款/项 parts, counters */
    return 1;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_status
ft_grid_build(const ft_layout *L, const size_t *seg_idx, size_t n_seg,
              const ft_rule *rules, size_t n_rules, ft_box box, int page,
              ft_table *out)
{
    dvec vx = {0}, hy = {0}, cols = {0}, rows = {0};
    dvec text_rows = {0}, text_cols = {0};
    size_t *idx = NULL, *line_of = NULL, n_lines = 0, i, k;
    band *bands = NULL;
    int *row_of = NULL, *col_of = NULL, *cspan = NULL, *par = NULL;
    double *tx0 = NULL, *tx1 = NULL;
    signed char *upsp = NULL; /* per cell: rotated text so far, and a
                               * space before its top piece (1), or not
                               * rotated (-1) */
    int nr, nc, r, c, h_ruled = 0, v_ruled;
    ft_status st = FT_ERR_NOMEM;

    memset(out, 0, sizeof *out);
    out->page_first = out->page_last = page;
    out->box = box;
    if (n_seg == 0)
        return FT_OK;
    cur_layout = L;
    idx = malloc(n_seg * sizeof *idx);
    line_of = malloc(n_seg * sizeof *line_of);
    bands = malloc(n_seg * sizeof *bands);
    if (!idx || !line_of || !bands)
        goto done;
    memcpy(idx, seg_idx, n_seg * sizeof *idx);
    qsort(idx, n_seg, sizeof *idx, cmp_idx_y);

    /* text lines inside the region */
    for (i = 0; i < n_seg; i++) {
        const ft_seg *s = &L->segs[idx[i]];
        double cy = (s->box.y0 + s->box.y1) / 2;
        if (n_lines == 0 || cy > bands[n_lines - 1].y1 - 0.3 * s->size ||
            cy < bands[n_lines - 1].y0) {
            bands[n_lines].y0 = s->box.y0;
            bands[n_lines].y1 = s->box.y1;
            bands[n_lines].has_num = 0;
            n_lines++;
        } else {
            band *b = &bands[n_lines - 1];
            if (s->box.y0 < b->y0)
                b->y0 = s->box.y0;
            if (s->box.y1 > b->y1)
                b->y1 = s->box.y1;
        }
        line_of[i] = n_lines - 1;
        if (s->numeric)
            bands[n_lines - 1].has_num = 1;
    }

    /* rules inside the region */
    for (i = 0; i < n_rules; i++) {
        const ft_rule *r = &rules[i];
        if (r->dir == 'v' && r->b - r->a > 4 &&
            !dvec_push(&vx, r->pos))
            goto done;
        if (r->dir == 'h' && r->b - r->a > 4 && !dvec_push(&hy, r->pos))
            goto done;
    }
    dvec_cluster(&vx, 2.5);
    dvec_cluster(&hy, 2.5);

    /* columns: vertical rules, then text separators inside each */
    v_ruled = vx.n >= 3;
    if (v_ruled) {
        dvec tmp = {0};
        if (vx.v[0] > box.x0 + 3 && !dvec_push(&vx, box.x0))
            goto done;
        if (vx.v[vx.n - 1] < box.x1 - 3 && !dvec_push(&vx, box.x1))
            goto done;
        dvec_cluster(&vx, 2.5);
        for (k = 0; k + 1 < vx.n; k++) {
            /* segments inside this ruled column */
            size_t m = 0, multi = 0, lines_with = 0, j;
            size_t *sub = malloc(n_seg * sizeof *sub);
            size_t *sub_line = malloc(n_seg * sizeof *sub_line);
            size_t last_line = (size_t)-1, per_line = 0;
            if (!sub || !sub_line) {
                free(sub);
                free(sub_line);
                free(tmp.v);
                goto done;
            }
            for (i = 0; i < n_seg; i++) {
                const ft_seg *s = &L->segs[idx[i]];
                double cx = (s->box.x0 + s->box.x1) / 2;
                if (cx > vx.v[k] && cx < vx.v[k + 1]) {
                    sub[m] = idx[i];
                    sub_line[m] = line_of[i];
                    if (line_of[i] != last_line) {
                        if (per_line >= 2)
                            multi++;
                        lines_with++;
                        per_line = 0;
                        last_line = line_of[i];
                    }
                    per_line++;
                    m++;
                }
            }
            if (per_line >= 2)
                multi++;
            if (!dvec_push(&tmp, vx.v[k])) {
                free(sub);
                free(sub_line);
                free(tmp.v);
                goto done;
            }
            if (multi >= 3 && multi * 10 >= lines_with * 3) {
                dvec inner = {0};
                if (!text_columns(L, sub, m, sub_line, n_lines, vx.v[k],
                                  vx.v[k + 1], &inner)) {
                    free(sub);
                    free(sub_line);
                    free(tmp.v);
                    goto done;
                }
                for (j = 1; j + 1 < inner.n; j++)
                    if (!dvec_push(&tmp, inner.v[j]) ||
                        !dvec_push(&text_cols, inner.v[j]))
                        break;
                free(inner.v);
            }
            free(sub);
            free(sub_line);
        }
        if (!dvec_push(&tmp, vx.v[vx.n - 1])) {
            free(tmp.v);
            goto done;
        }
        cols = tmp;
    } else {
        if (!text_columns(L, idx, n_seg, line_of, n_lines, box.x0, box.x1,
                          &cols))
            goto done;
    }

    /* rows: horizontal rules cut the region into slots; inside a slot,
     * text lines are rows of their own unless they are a wrapped line
     * (tight leading and no column where both hold a number) */
    {
        double gaps_sum = 0, y_top, y_bot;
        int dense;
        size_t band_start = 0;
        size_t gaps_n = 0, slot;
        dvec base = {0};
        for (i = 1; i < n_lines; i++) {
            double g = bands[i].y0 - bands[i - 1].y1;
            if (bands[i].has_num && bands[i - 1].has_num && g > 0) {
                gaps_sum += g;
                gaps_n++;
            }
        }
        y_top = box.y0 < bands[0].y0 ? box.y0 : bands[0].y0;
        y_bot = box.y1 > bands[n_lines - 1].y1 ? box.y1
                                                : bands[n_lines - 1].y1;
        if (!dvec_push(&base, y_top) || !dvec_push(&base, y_bot))
            goto done;
        for (k = 0; k < hy.n; k++)
            if (hy.v[k] > y_top + 3 && hy.v[k] < y_bot - 3 &&
                !dvec_push(&base, hy.v[k])) {
                free(base.v);
                goto done;
            }
        dvec_cluster(&base, 2.5);
        h_ruled = base.n > 2;
        dense = v_ruled && base.n >= 5;
        for (slot = 0; slot + 1 < base.n; slot++) {
            size_t nb = 0, first = n_lines;
            if (!dvec_push(&rows, base.v[slot])) {
                free(base.v);
                goto done;
            }
            for (i = 0; i < n_lines; i++) {
                double cy = (bands[i].y0 + bands[i].y1) / 2;
                int join = 0;
                if (cy < base.v[slot] || cy >= base.v[slot + 1])
                    continue;
                if (nb > 0) {
                    band *p = &bands[first + nb - 1];
                    double h = bands[i].y1 - bands[i].y0;
                    double g = bands[i].y0 - p->y1;
                    double med = gaps_n ? gaps_sum / (double)gaps_n : h;
                    /* in a frame ruled row by row, lines of one slot
                     * are one row unless two of them hold numbers in
                     * the same column; elsewhere tight leading joins */
                    if (dense || g < 0 || (g < 0.45 * h && g < 0.6 * med)) {
                        size_t a2, b2;
                        join = dense ||
                               !(p->has_num && bands[i].has_num && g >= 0);
                        for (a2 = 0; a2 < n_seg && join; a2++) {
                            const ft_seg *sa = &L->segs[idx[a2]];
                            /* numbers of the lines already in band p */
                            if (!sa->numeric || line_of[a2] < band_start ||
                                line_of[a2] >= i)
                                continue;
                            for (b2 = 0; b2 < n_seg; b2++) {
                                const ft_seg *sb = &L->segs[idx[b2]];
                                if (line_of[b2] != i || !sb->numeric)
                                    continue;
                                if (sb->box.x0 < sa->box.x1 &&
                                    sb->box.x1 > sa->box.x0)
                                    join = 0;
                            }
                        }
                    }
                }
                if (nb == 0)
                    first = i;
                if (!join)
                    band_start = i;
                if (join) {
                    band *p = &bands[first + nb - 1];
                    if (bands[i].y1 > p->y1)
                        p->y1 = bands[i].y1;
                    if (bands[i].y0 < p->y0)
                        p->y0 = bands[i].y0;
                    p->has_num |= bands[i].has_num;
                } else {
                    /* bands of a slot are consecutive lines: compact */
                    bands[first + nb] = bands[i];
                    if (nb > 0) {
                        double cut = (bands[first + nb - 1].y1 +
                                      bands[first + nb].y0) / 2;
                        if (!dvec_push(&rows, cut) ||
                            !dvec_push(&text_rows, cut)) {
                            free(base.v);
                            goto done;
                        }
                    }
                    nb++;
                }
            }
        }
        if (!dvec_push(&rows, base.v[base.n - 1])) {
            free(base.v);
            goto done;
        }
        free(base.v);
    }
    if (cols.n < 2 || rows.n < 2) {
        st = FT_OK;
        goto done;
    }
    nr = (int)rows.n - 1;
    nc = (int)cols.n - 1;
    out->n_rows = nr;
    out->n_cols = nc;
    out->ruled = v_ruled && h_ruled;
    out->cells = calloc((size_t)nr * (size_t)nc, sizeof *out->cells);
    out->col_x = malloc(cols.n * sizeof *out->col_x);
    if (!out->col_x)
        goto done;
    memcpy(out->col_x, cols.v, cols.n * sizeof *out->col_x);
    row_of = malloc(n_seg * sizeof *row_of);
    col_of = malloc(n_seg * sizeof *col_of);
    cspan = malloc(n_seg * sizeof *cspan);
    par = malloc((size_t)nr * (size_t)nc * sizeof *par);
    tx0 = malloc((size_t)nr * (size_t)nc * sizeof *tx0);
    tx1 = malloc((size_t)nr * (size_t)nc * sizeof *tx1);
    upsp = malloc((size_t)nr * (size_t)nc * sizeof *upsp);
    if (!out->cells || !row_of || !col_of || !cspan || !par || !tx0 ||
        !tx1 || !upsp)
        goto done;
    for (i = 0; i < (size_t)nr * (size_t)nc; i++) {
        tx0[i] = 1e18;
        tx1[i] = -1e18;
        upsp[i] = 0;
    }
    for (r = 0; r < nr; r++) {
        for (c = 0; c < nc; c++) {
            ft_cell *cell = FT_CELL(out, r, c);
            cell->rowspan = cell->colspan = 1;
            cell->page = page;
            cell->box.x0 = cols.v[c];
            cell->box.x1 = cols.v[c + 1];
            cell->box.y0 = rows.v[r];
            cell->box.y1 = rows.v[r + 1];
        }
    }

    for (i = 0; i < (size_t)nr * (size_t)nc; i++)
        par[i] = (int)i;

    /* place segments */
    for (i = 0; i < n_seg; i++) {
        const ft_seg *s = &L->segs[idx[i]];
        double cx = (s->box.x0 + s->box.x1) / 2;
        double cy = (s->box.y0 + s->box.y1) / 2;
        int c0 = find_slot(cols.v, cols.n, cx);
        int r0 = find_slot(rows.v, rows.n, cy);
        int c1 = c0;
        row_of[i] = r0;
        col_of[i] = c0;
        cspan[i] = 1;
        if (c0 < 0 || r0 < 0)
            continue;
        if (!out->ruled) {
            /* a segment that covers most of several columns spans them */
            int a = find_slot(cols.v, cols.n, s->box.x0 + 1);
            int b = find_slot(cols.v, cols.n, s->box.x1 - 1);
            if (a >= 0 && b > a) {
                double wa = cols.v[a + 1] - s->box.x0;
                double wb = s->box.x1 - cols.v[b];
                if (wa < 0.4 * (cols.v[a + 1] - cols.v[a]))
                    a++;
                if (wb < 0.4 * (cols.v[b + 1] - cols.v[b]))
                    b--;
                if (b > a && !s->numeric) {
                    c0 = a;
                    c1 = b;
                }
            }
        }
        col_of[i] = c0;
        cspan[i] = c1 - c0 + 1;
    }

    /* text into cells, in reading order (idx is sorted by line then x) */
    for (i = 0; i < n_seg; i++) {
        int rr = row_of[i], cc = col_of[i], root;
        ft_cell *cell;
        int newline;
        if (rr < 0 || cc < 0)
            continue;
        root = uf_find(par, rr * nc + cc);
        cell = &out->cells[root];
        newline = cell->text != NULL && i > 0 && line_of[i] != line_of[i - 1];
        if (L->segs[idx[i]].up && (!cell->text || upsp[root] >= 0)) {
            /* rotated text reads bottom to top: each lower piece goes
             * before the text above it */
            const ft_seg *sg = &L->segs[idx[i]];
            if (!prepend_text(&cell->text, sg->text, upsp[root] > 0))
                goto done;
            upsp[root] = L->glyphs[sg->g0].space_before ? 1 : 0;
        } else {
            if (!append_text(&cell->text, L->segs[idx[i]].text, newline))
                goto done;
            upsp[root] = -1;
        }
        if (L->segs[idx[i]].conf >= 0 &&
            (!cell->ocr || L->segs[idx[i]].conf < cell->conf)) {
            cell->ocr = 1;
            cell->conf = L->segs[idx[i]].conf;
        }
        if (tx0[root] > L->segs[idx[i]].box.x0)
            tx0[root] = L->segs[idx[i]].box.x0;
        if (tx1[root] < L->segs[idx[i]].box.x1)
            tx1[root] = L->segs[idx[i]].box.x1;
        if (cspan[i] > 1 && !out->ruled && cell->colspan < cspan[i])
            cell->colspan = cspan[i];
    }
    /* spans from missing rules in a ruled frame: side by side, two cells
     * join across a missing rule unless both hold text of their own (a
     * partial rule is missing, not a span) and no text runs over it */
    if (out->ruled) {
        for (r = 0; r < nr; r++) {
            for (c = 0; c < nc; c++) {
                double ry0 = rows.v[r], ry1 = rows.v[r + 1];
                double cx0 = cols.v[c], cx1 = cols.v[c + 1];
                int here = r * nc + c;
                if (c + 1 < nc && !is_cut(&text_cols, cols.v[c + 1]) &&
                    coverage(rules, n_rules, 'v', cols.v[c + 1], ry0, ry1) <
                        0.5 * (ry1 - ry0)) {
                    int there = here + 1;
                    double x = cols.v[c + 1];
                    int both = out->cells[here].text &&
                               out->cells[there].text;
                    int over = tx1[here] > x + 2 || tx0[there] < x - 2;
                    if (!both || over)
                        uf_union(par, here, there);
                }
                if (r + 1 < nr && !is_cut(&text_rows, rows.v[r + 1]) &&
                    coverage(rules, n_rules, 'h', rows.v[r + 1], cx0, cx1) <
                        0.5 * (cx1 - cx0)) {
                    /* a wrapped label fills both halves: always join */
                    uf_union(par, here, here + nc);
                }
            }
        }
        /* text follows its set to the set's first cell */
        for (i = 0; i < (size_t)nr * (size_t)nc; i++) {
            int root = uf_find(par, (int)i);
            if (root != (int)i && out->cells[i].text) {
                if (upsp[root] >= 0 && upsp[i] >= 0 &&
                    out->cells[root].text) {
                    /* rotated text: the lower piece reads first */
                    if (!prepend_text(&out->cells[root].text,
                                      out->cells[i].text, upsp[root] > 0))
                        goto done;
                    upsp[root] = upsp[i];
                } else if (!append_text(&out->cells[root].text,
                                        out->cells[i].text, 1)) {
                    goto done;
                }
                free(out->cells[i].text);
                out->cells[i].text = NULL;
                if (out->cells[i].ocr &&
                    (!out->cells[root].ocr ||
                     out->cells[i].conf < out->cells[root].conf)) {
                    out->cells[root].ocr = 1;
                    out->cells[root].conf = out->cells[i].conf;
                }
                if (tx0[root] > tx0[i])
                    tx0[root] = tx0[i];
                if (tx1[root] < tx1[i])
                    tx1[root] = tx1[i];
            }
        }
    }

    /* unruled column spans: merge the covered cells (only when empty) */
    if (!out->ruled) {
        for (r = 0; r < nr; r++) {
            for (c = 0; c < nc; c++) {
                ft_cell *cell = FT_CELL(out, r, c);
                int j, ok = 1;
                if (cell->colspan <= 1)
                    continue;
                for (j = 1; j < cell->colspan && c + j < nc; j++)
                    if (FT_CELL(out, r, c + j)->text)
                        ok = 0;
                if (!ok || c + cell->colspan > nc) {
                    cell->colspan = 1;
                    continue;
                }
                for (j = 1; j < cell->colspan; j++)
                    uf_union(par, r * nc + c, r * nc + c + j);
            }
        }
    }
    /* turn union-find sets into rectangular spans */
    for (r = 0; r < nr; r++) {
        for (c = 0; c < nc; c++) {
            int root = uf_find(par, r * nc + c), r1 = r, c1 = c, rect = 1;
            int rr, cc;
            if (out->cells[r * nc + c].covered || root != r * nc + c)
                continue;
            while (c1 + 1 < nc && uf_find(par, r * nc + c1 + 1) == root)
                c1++;
            while (r1 + 1 < nr && uf_find(par, (r1 + 1) * nc + c) == root)
                r1++;
            for (rr = r; rr <= r1 && rect; rr++)
                for (cc = c; cc <= c1; cc++)
                    if (uf_find(par, rr * nc + cc) != root)
                        rect = 0;
            if (!rect) {
                r1 = r;
                c1 = c;
                while (c1 + 1 < nc &&
                       uf_find(par, r * nc + c1 + 1) == root)
                    c1++;
            }
            {
                ft_cell *anchor = FT_CELL(out, r, c);
                anchor->rowspan = r1 - r + 1;
                anchor->colspan = c1 - c + 1;
                anchor->box.x1 = cols.v[c1 + 1];
                anchor->box.y1 = rows.v[r1 + 1];
                for (rr = r; rr <= r1; rr++) {
                    for (cc = c; cc <= c1; cc++) {
                        ft_cell *o = FT_CELL(out, rr, cc);
                        if (o == anchor)
                            continue;
                        if (o->text) {
                            if (!append_text(&anchor->text, o->text, 1))
                                goto done;
                            free(o->text);
                            o->text = NULL;
                        }
                        o->covered = 1;
                        par[rr * nc + cc] = r * nc + c;
                    }
                }
            }
        }
    }

    /* header rows: those above the first row with an amount */
    {
        int first = nr;
        for (r = 0; r < nr && first == nr; r++) {
            int expect = 1, counter = 1, any = 0;
            for (c = 0; c < nc; c++) {
                ft_cell *cell = FT_CELL(out, r, c);
                if (!cell->text)
                    continue;
                any = 1;
                if (!is_counter(cell->text, &expect))
                    counter = 0;
            }
            if (any && counter && expect > 2)
                continue;
            {
                int small = 0;
                for (c = 0; c < nc; c++) {
                    ft_cell *cell = FT_CELL(out, r, c);
                    if (!cell->text)
                        continue;
                    if (is_amount(cell->text)) {
                        first = r;
                        break;
                    }
                    /* small counts ("10", "1") in two or more columns past
                     * the first: a data row of a statistical table */
                    if (c > 0 && is_count(cell->text))
                        small++;
                }
                if (small >= 2 && first == nr)
                    first = r;
            }
        }
        if (first == nr) {
            /* no amounts (an empty table): the header is the leading rows
             * that reach the last column; body rows hold labels only */
            first = 0;
            while (first < nr) {
                const ft_cell *lc = FT_CELL(out, first, nc - 1);
                if (!lc->text && !lc->covered)
                    break;
                first++;
            }
            if (first == 0 || first == nr)
                first = nr;
        }
        out->n_header_rows = first;
    }

    /* unruled headers: an upper label spans the lower labels nearest to
     * it, when it sits over the middle of them */
    if (!out->ruled && out->n_header_rows > 1) {
        for (r = 0; r + 1 < out->n_header_rows; r++) {
            int owner[64], lo_c[64], hi_c[64], cnt[64], ok_u[64], round;
            if (nc > 64)
                break;
            for (c = 0; c < nc; c++) {
                lo_c[c] = hi_c[c] = c;
                /* the lower label under an upper one counts for it */
                cnt[c] = FT_CELL(out, r + 1, c)->text != NULL;
                ok_u[c] = 0;
                owner[c] = -1;
            }
            for (round = 0; round < 2; round++) {
                for (c = 0; c < nc; c++) {
                    const ft_cell *lower = FT_CELL(out, r + 1, c);
                    int u, best = -1;
                    double bd = 1e18, lx;
                    if (!lower->text || lower->covered)
                        continue;
                    if (FT_CELL(out, r, c)->text)
                        continue; /* its own upper label */
                    lx = (tx0[(r + 1) * nc + c] + tx1[(r + 1) * nc + c]) / 2;
                    for (u = 0; u < nc; u++) {
                        const ft_cell *up = FT_CELL(out, r, u);
                        double ux, d;
                        if (!up->text || up->covered || up->colspan > 1)
                            continue;
                        if (round == 1 && !ok_u[u])
                            continue;
                        if (round == 1 && c != lo_c[u] - 1 &&
                            c != hi_c[u] + 1)
                            continue;
                        ux = (tx0[r * nc + u] + tx1[r * nc + u]) / 2;
                        d = fabs(ux - lx);
                        if (d < bd) {
                            bd = d;
                            best = u;
                        }
                    }
                    if (best < 0 || (round == 1 && owner[c] >= 0 &&
                                     ok_u[owner[c]]))
                        continue;
                    owner[c] = best;
                    if (c < lo_c[best])
                        lo_c[best] = c;
                    if (c > hi_c[best])
                        hi_c[best] = c;
                    cnt[best]++;
                }
                for (c = 0; c < nc; c++) {
                    const ft_cell *up = FT_CELL(out, r, c);
                    double ux, mid, w;
                    int k2, clear = 1;
                    if (!up->text || ok_u[c] || hi_c[c] == lo_c[c])
                        continue;
                    ux = (tx0[r * nc + c] + tx1[r * nc + c]) / 2;
                    mid = (cols.v[lo_c[c]] + cols.v[hi_c[c] + 1]) / 2;
                    w = cols.v[hi_c[c] + 1] - cols.v[lo_c[c]];
                    for (k2 = lo_c[c]; k2 <= hi_c[c]; k2++)
                        if (k2 != c && (FT_CELL(out, r, k2)->text ||
                                        FT_CELL(out, r, k2)->covered))
                            clear = 0;
                    if (clear && cnt[c] >= 2 && fabs(ux - mid) <= 0.25 * w)
                        ok_u[c] = 1;
                    else if (round == 0) {
                        lo_c[c] = hi_c[c] = c;
                        cnt[c] = FT_CELL(out, r + 1, c)->text != NULL;
                    }
                }
            }
            for (c = 0; c < nc; c++) {
                int k2;
                ft_cell *up;
                if (!ok_u[c] || (lo_c[c] == c && hi_c[c] == c))
                    continue;
                /* move the label to the left end of its span */
                up = FT_CELL(out, r, lo_c[c]);
                if (lo_c[c] != c) {
                    up->text = FT_CELL(out, r, c)->text;
                    FT_CELL(out, r, c)->text = NULL;
                }
                up->colspan = hi_c[c] - lo_c[c] + 1;
                up->box.x0 = cols.v[lo_c[c]];
                up->box.x1 = cols.v[hi_c[c] + 1];
                for (k2 = lo_c[c] + 1; k2 <= hi_c[c]; k2++)
                    FT_CELL(out, r, k2)->covered = 1;
            }
        }
    }

    /* unruled headers: a label with nothing below it spans down */
    if (!out->ruled && out->n_header_rows > 1) {
        int hr = out->n_header_rows;
        for (c = 0; c < nc; c++) {
            for (r = 0; r < hr - 1; r++) {
                ft_cell *cell = FT_CELL(out, r, c);
                int r1 = r, rr, ok = 1;
                if (!cell->text || cell->covered)
                    continue;
                while (r1 + 1 < hr) {
                    int cc;
                    for (cc = c; cc < c + cell->colspan; cc++) {
                        ft_cell *b = FT_CELL(out, r1 + 1, cc);
                        if (b->text || b->covered)
                            ok = 0;
                    }
                    if (!ok)
                        break;
                    r1++;
                }
                if (r1 > r) {
                    int cc;
                    cell->rowspan = r1 - r + 1;
                    cell->box.y1 = rows.v[r1 + 1];
                    for (rr = r + 1; rr <= r1; rr++)
                        for (cc = c; cc < c + cell->colspan; cc++)
                            FT_CELL(out, rr, cc)->covered = 1;
                }
            }
        }
    }
    /* where each cell's text sits (stitching maps sparse pages by it) */
    for (i = 0; i < (size_t)nr * (size_t)nc; i++) {
        if (out->cells[i].text && tx1[i] > tx0[i]) {
            out->cells[i].tx0 = tx0[i];
            out->cells[i].tx1 = tx1[i];
        }
    }
    st = FT_OK;
done:
    free(vx.v);
    free(hy.v);
    free(cols.v);
    free(rows.v);
    free(text_rows.v);
    free(text_cols.v);
    free(idx);
    free(line_of);
    free(bands);
    free(row_of);
    free(col_of);
    free(cspan);
    free(par);
    free(tx0);
    free(tx1);
    free(upsp);
    if (st != FT_OK)
        ft_table_clear(out);
    return st;
}
