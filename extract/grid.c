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

/* Length of [a,b] covered by rules of direction dir within tol of pos. */
static double
coverage(const ft_rule *rules, size_t n, char dir, double pos, double a,
         double b, double tol)
{
    double cov = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const ft_rule *r = &rules[i];
        double lo, hi;
        if (r->dir != dir || fabs(r->pos - pos) > tol)
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

/* A segment as the reading-order sort sees it. */
typedef struct seg_key {
    double cy, x0, tol; /* vertical centre, left edge, line tolerance */
    size_t idx;
} seg_key;

/* qsort comparator: by vertical centre (centres closer than the smaller
 * tolerance are one line), then x. */
static int
cmp_seg_key(const void *a, const void *b)
{
    const seg_key *ka = a, *kb = b;
    if (fabs(ka->cy - kb->cy) > (ka->tol < kb->tol ? ka->tol : kb->tol))
        return ka->cy < kb->cy ? -1 : 1;
    return ka->x0 < kb->x0 ? -1 : ka->x0 > kb->x0;
}

/* Index of the interval of sorted cuts[0..n) holding x (0..n-2), or -1;
 * x may lie up to slack outside the outer cuts. */
static int
find_slot(const double *cuts, size_t n, double x, double slack)
{
    size_t i;
    if (n < 2 || x < cuts[0] - slack || x > cuts[n - 1] + slack)
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

/* 1 when segment s, clear of every interval, sits within attach_em of
 * its size from the nearest one and nearer it than the one on its other
 * side: *k is that interval. Further from both, it heads a column of
 * its own (one empty but for its header). */
static int
nearest_column(const dvec *lo, const dvec *hi, const ft_seg *s,
               double attach_em, size_t *k)
{
    size_t j, left = (size_t)-1, right = (size_t)-1;
    double dl = 1e18, dr = 1e18, reach = attach_em * s->size;
    for (j = 0; j < lo->n; j++) {
        if (hi->v[j] <= s->box.x0 && s->box.x0 - hi->v[j] < dl) {
            dl = s->box.x0 - hi->v[j];
            left = j;
        }
        if (lo->v[j] >= s->box.x1 && lo->v[j] - s->box.x1 < dr) {
            dr = lo->v[j] - s->box.x1;
            right = j;
        }
    }
    if (dl < dr && dl <= reach && left != (size_t)-1) {
        *k = left;
        return 1;
    }
    if (dr < dl && dr <= reach && right != (size_t)-1) {
        *k = right;
        return 1;
    }
    return 0;
}

/* 1 when interval k of lo/hi, widened to [x0, x1], would overlap
 * another. */
static int
widens_into(const dvec *lo, const dvec *hi, size_t k, double x0, double x1)
{
    size_t j;
    double a = fmin(lo->v[k], x0), b = fmax(hi->v[k], x1);
    for (j = 0; j < lo->n; j++)
        if (j != k && lo->v[j] < b && hi->v[j] > a)
            return 1;
    return 0;
}

/* Joins neighbouring column intervals that no text line holds cells in
 * both of while a cell of a body line (at or below line first_num)
 * reaches into both: one column whose cells are set differently (text
 * left-aligned, amounts centred or right-aligned, as in a form). Two
 * columns a data line fills side by side stay two. Returns 0 when out
 * of memory. */
static int
join_bridged(const ft_layout *L, const size_t *idx, size_t n,
             const size_t *line_of, size_t n_lines, size_t first_num,
             double touch, dvec *lo, dvec *hi)
{
    unsigned char *in = malloc(n_lines ? n_lines : 1);
    size_t i, k = 0;
    if (!in)
        return 0;
    while (k + 1 < lo->n) {
        int both = 0, bridge = 0;
        memset(in, 0, n_lines ? n_lines : 1);
        for (i = 0; i < n && !both; i++) {
            const ft_seg *s = &L->segs[idx[i]];
            int a = s->box.x0 < hi->v[k] + touch &&
                    s->box.x1 > lo->v[k] - touch,
                b = s->box.x0 < hi->v[k + 1] + touch &&
                    s->box.x1 > lo->v[k + 1] - touch;
            if (a && b)
                bridge |= line_of[i] >= first_num;
            else if (a || b)
                in[line_of[i]] |= a ? 1 : 2;
            both = in[line_of[i]] == 3;
        }
        if (bridge && !both) {
            hi->v[k] = fmax(hi->v[k], hi->v[k + 1]);
            memmove(lo->v + k + 1, lo->v + k + 2,
                    (lo->n - k - 2) * sizeof *lo->v);
            memmove(hi->v + k + 1, hi->v + k + 2,
                    (hi->n - k - 2) * sizeof *hi->v);
            lo->n--;
            hi->n--;
        } else {
            k++;
        }
    }
    free(in);
    return 1;
}

/*
 * Column intervals from text alone. Data lines (those with a number)
 * with the most segments go first, then the other data lines; in both,
 * a segment that touches two intervals joins them (data cells do not
 * span). Lines without numbers (headers) come last and only add
 * intervals where nothing was (a column empty but for its header), since
 * a header label may span several columns; of the header lines above
 * the first line with a number, only the lowest adds any (an upper
 * label between two columns spans them). Lines of the body holding
 * labels alone go before the header and widen their column as far as
 * it stays clear of the next.
 */
static int
text_columns(const ft_layout *L, const size_t *idx, size_t n,
             const size_t *line_of, size_t n_lines, double x0, double x1,
             double touch, double attach_em, dvec *cuts)
{
    dvec lo = {0}, hi = {0};
    size_t *cnt = calloc(n_lines ? n_lines : 1, sizeof *cnt);
    unsigned char *num = calloc(n_lines ? n_lines : 1, 1);
    size_t i, k, maxc = 0, first_num;
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
    for (i = 0; i < n_lines && !num[i]; i++)
        ;
    first_num = i; /* the header lines are those above it */
    for (pass = 0; pass < 4 && ok; pass++) {
        for (i = 0; i < n && ok; i++) {
            const ft_seg *s = &L->segs[idx[i]];
            size_t li = line_of[i], hits = 0, hit = 0, hit2 = 0;
            if (pass == 0 && !(num[li] && cnt[li] == maxc))
                continue;
            if (pass == 1 && !(num[li] && cnt[li] != maxc))
                continue;
            /* then the body's lines of labels alone, then the header */
            if (pass == 2 && (num[li] || li < first_num))
                continue;
            if (pass == 3 && (num[li] || li >= first_num))
                continue;
            for (k = 0; k < lo.n; k++) {
                if (s->box.x0 < hi.v[k] + touch && s->box.x1 > lo.v[k] - touch) {
                    if (hits == 0)
                        hit = k;
                    else
                        hit2 = k;
                    hits++;
                }
            }
            if (hits == 0 && pass == 3 && first_num < n_lines &&
                li + 1 < first_num) {
                /* a label of an upper header line between columns spans
                 * them: it makes no column (the header line just above
                 * the body may head an empty one) */
            } else if (hits == 0 && pass == 3 && first_num < n_lines &&
                       nearest_column(&lo, &hi, s, attach_em, &hit)) {
                /* a header label set off its column's edge (left-aligned
                 * over right-aligned amounts) heads that column */
                lo.v[hit] = fmin(lo.v[hit], s->box.x0);
                hi.v[hit] = fmax(hi.v[hit], s->box.x1);
            } else if (hits == 0) {
                ok = dvec_push(&lo, s->box.x0) && dvec_push(&hi, s->box.x1);
            } else if (pass == 2 && hits == 1 &&
                       !widens_into(&lo, &hi, hit, s->box.x0, s->box.x1)) {
                /* a label alone on its row widens its column as far as
                 * it does not reach the next */
                lo.v[hit] = fmin(lo.v[hit], s->box.x0);
                hi.v[hit] = fmax(hi.v[hit], s->box.x1);
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
        ok = join_bridged(L, idx, n, line_of, n_lines, first_num, touch,
                          &lo, &hi) &&
             dvec_push(cuts, x0);
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

/* 1 when the text is the next of a run of small integers 1 2 3, maybe
 * bracketed (1) (2) or （1）（2） (a 栏次 row). */
static int
is_counter(const char *s, int *expect)
{
    char *end;
    long v;
    int bracket = 0;
    if (*s == '(') {
        s++;
        bracket = 1;
    } else if (!strncmp(s, "（", strlen("（"))) {
        s += strlen("（");
        bracket = 2;
    }
    v = strtol(s, &end, 10);
    if (end == s || v != *expect)
        return 0;
    if ((bracket == 1 && strcmp(end, ")")) ||
        (bracket == 2 && strcmp(end, "）")) || (!bracket && *end))
        return 0;
    (*expect)++;
    return 1;
}

/* 1 when the text is a whole number of at most max_digits digits, maybe
 * signed ("+14") or in brackets ("(78)"), or a dash: a count. */
static int
is_count(const char *s, double max_digits)
{
    size_t n = strlen(s), i, digits = 0;
    if (!strcmp(s, "-"))
        return 1;
    if (n && (s[0] == '+' || s[0] == '-'))
        s++, n--;
    if (n >= 2 && s[0] == '(' && s[n - 1] == ')')
        s++, n -= 2;
    if (n == 0 || (double)n > max_digits)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
        else
            digits++;
    return digits > 0;
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
        else if (c == '-' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
            return 0; /* a range ("15-64"), a date or a code, not a sign */
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
 * The phases of ft_grid_build, over one work struct
 *****************************************************************************/

typedef struct grid_work {
    /* input */
    const ft_layout *L;
    const ft_table_settings *set;
    const ft_rule *rules;
    size_t n_rules;
    ft_box box;
    ft_table *out;
    size_t n_seg;
    /* text lines */
    size_t *idx;      /* the region's segments in reading order */
    size_t *line_of;  /* text line of each segment of idx */
    band *bands;      /* text lines; row bands once rows are formed */
    size_t n_lines;
    /* separators */
    dvec vx, hy;                 /* vertical and horizontal rules */
    dvec cols, rows;             /* column and row cuts */
    dvec text_cols, text_rows;   /* the cuts text alignment made */
    int v_ruled, h_ruled;
    /* cells */
    int nr, nc;
    int *row_of, *col_of, *cspan; /* per segment of idx */
    int *par;                     /* union-find over cells */
    double *tx0, *tx1;            /* per cell: where its text runs */
    signed char *upsp; /* per cell: rotated text so far, and a space
                        * before its top piece (1), or not rotated (-1) */
    int empty;         /* no grid: the later phases have nothing to do */
} grid_work;

/* The region's segments in reading order: by line, then x. */
static ft_status
sort_segments(grid_work *w)
{
    seg_key *keys = malloc(w->n_seg * sizeof *keys);
    size_t i;
    if (!keys)
        return FT_ERR_NOMEM;
    for (i = 0; i < w->n_seg; i++) {
        const ft_seg *s = &w->L->segs[w->idx[i]];
        keys[i].cy = (s->box.y0 + s->box.y1) / 2;
        keys[i].x0 = s->box.x0;
        keys[i].tol = w->set->line_tolerance_em * s->size;
        keys[i].idx = w->idx[i];
    }
    qsort(keys, w->n_seg, sizeof *keys, cmp_seg_key);
    for (i = 0; i < w->n_seg; i++)
        w->idx[i] = keys[i].idx;
    free(keys);
    return FT_OK;
}

/* Text lines: a segment whose centre falls inside the line band before
 * it (by more than the line tolerance) joins that line. */
static ft_status
find_lines(grid_work *w)
{
    size_t i;
    for (i = 0; i < w->n_seg; i++) {
        const ft_seg *s = &w->L->segs[w->idx[i]];
        double cy = (s->box.y0 + s->box.y1) / 2;
        band *last = w->n_lines ? &w->bands[w->n_lines - 1] : NULL;
        if (!last || cy > last->y1 - w->set->line_tolerance_em * s->size ||
            cy < last->y0) {
            last = &w->bands[w->n_lines++];
            last->y0 = s->box.y0;
            last->y1 = s->box.y1;
            last->has_num = 0;
        } else {
            if (s->box.y0 < last->y0)
                last->y0 = s->box.y0;
            if (s->box.y1 > last->y1)
                last->y1 = s->box.y1;
        }
        w->line_of[i] = w->n_lines - 1;
        if (s->numeric)
            last->has_num = 1;
    }
    return FT_OK;
}

/* The positions of the region's rules, each direction snapped. */
static ft_status
collect_rules(grid_work *w)
{
    size_t i;
    for (i = 0; i < w->n_rules; i++) {
        const ft_rule *r = &w->rules[i];
        if (r->b - r->a <= w->set->rule_min_length)
            continue;
        if (!dvec_push(r->dir == 'v' ? &w->vx : &w->hy, r->pos))
            return FT_ERR_NOMEM;
    }
    dvec_cluster(&w->vx, w->set->snap_tolerance);
    dvec_cluster(&w->hy, w->set->snap_tolerance);
    return FT_OK;
}

/* Inside the ruled column [a, b): text separators where enough of its
 * lines hold two segments side by side (a column the producer did not
 * rule). They go to w->cols and w->text_cols. */
static ft_status
split_ruled_column(grid_work *w, double a, double b)
{
    size_t m = 0, multi = 0, lines_with = 0, per_line = 0, i, j;
    size_t last_line = (size_t)-1;
    size_t *sub = malloc(w->n_seg * sizeof *sub);
    size_t *sub_line = malloc(w->n_seg * sizeof *sub_line);
    ft_status st = FT_ERR_NOMEM;
    if (!sub || !sub_line)
        goto done;
    for (i = 0; i < w->n_seg; i++) {
        const ft_seg *s = &w->L->segs[w->idx[i]];
        double cx = (s->box.x0 + s->box.x1) / 2;
        if (cx <= a || cx >= b)
            continue;
        sub[m] = w->idx[i];
        sub_line[m] = w->line_of[i];
        if (w->line_of[i] != last_line) {
            if (per_line >= 2)
                multi++;
            lines_with++;
            per_line = 0;
            last_line = w->line_of[i];
        }
        per_line++;
        m++;
    }
    if (per_line >= 2)
        multi++;
    if ((double)multi >= w->set->split_min_lines &&
        (double)multi >= w->set->split_min_share * (double)lines_with) {
        dvec inner = {0};
        if (!text_columns(w->L, sub, m, sub_line, w->n_lines, a, b,
                          w->set->column_touch, w->set->header_attach_em,
                          &inner)) {
            free(inner.v);
            goto done;
        }
        for (j = 1; j + 1 < inner.n; j++)
            if (!dvec_push(&w->cols, inner.v[j]) ||
                !dvec_push(&w->text_cols, inner.v[j]))
                break;
        free(inner.v);
    }
    st = FT_OK;
done:
    free(sub);
    free(sub_line);
    return st;
}

/* Columns: vertical rules, then text separators inside each ruled
 * column; without enough vertical rules, text alignment alone. */
static ft_status
find_columns(grid_work *w)
{
    const ft_table_settings *set = w->set;
    dvec *vx = &w->vx;
    size_t k;
    w->v_ruled = (double)vx->n >= set->min_vertical_rules;
    if (!w->v_ruled)
        return text_columns(w->L, w->idx, w->n_seg, w->line_of, w->n_lines,
                            w->box.x0, w->box.x1, set->column_touch,
                            set->header_attach_em, &w->cols)
                   ? FT_OK
                   : FT_ERR_NOMEM;
    if (vx->v[0] > w->box.x0 + set->edge_tolerance &&
        !dvec_push(vx, w->box.x0))
        return FT_ERR_NOMEM;
    if (vx->v[vx->n - 1] < w->box.x1 - set->edge_tolerance &&
        !dvec_push(vx, w->box.x1))
        return FT_ERR_NOMEM;
    dvec_cluster(vx, set->snap_tolerance);
    for (k = 0; k + 1 < vx->n; k++) {
        ft_status st;
        if (!dvec_push(&w->cols, vx->v[k]))
            return FT_ERR_NOMEM;
        st = split_ruled_column(w, vx->v[k], vx->v[k + 1]);
        if (st != FT_OK)
            return st;
    }
    return dvec_push(&w->cols, vx->v[vx->n - 1]) ? FT_OK : FT_ERR_NOMEM;
}

/* 1 when text line i starts left of every figure of line i + 1 (its
 * labels head the row the figures belong to). */
static int
labels_left_of_figures(const grid_work *w, size_t i)
{
    double lx = 1e18, fx = 1e18;
    size_t k;
    for (k = 0; k < w->n_seg; k++) {
        const ft_seg *s = &w->L->segs[w->idx[k]];
        if (w->line_of[k] == i)
            lx = fmin(lx, s->box.x0);
        else if (w->line_of[k] == i + 1 && s->numeric)
            fx = fmin(fx, s->box.x0);
    }
    return lx < fx;
}

/* 1 when text line i wraps the row band p (whose lines start at line
 * band_start): tight leading, or a frame ruled row by row (dense), and
 * no column where both hold a number. */
static int
is_wrap(const grid_work *w, const band *p, size_t i, size_t band_start,
        double med, int dense)
{
    const band *b = &w->bands[i];
    double h = b->y1 - b->y0, g = b->y0 - p->y1;
    size_t a2, b2;
    int join;
    if (!dense && g >= 0 &&
        !(g < w->set->wrap_gap_em * h && g < w->set->wrap_gap_share * med))
        return 0;
    /* a line of labels whose figures follow to their right on a line
     * overlapping it (set a little lower in another font) starts a row
     * of its own */
    if (!dense && !b->has_num && i + 1 < w->n_lines &&
        w->bands[i + 1].has_num && w->bands[i + 1].y0 < b->y1 &&
        w->bands[i + 1].y0 > b->y0 && labels_left_of_figures(w, i))
        return 0;
    join = dense || !(p->has_num && b->has_num && g >= 0);
    for (a2 = 0; a2 < w->n_seg && join; a2++) {
        const ft_seg *sa = &w->L->segs[w->idx[a2]];
        /* numbers of the lines already in band p */
        if (!sa->numeric || w->line_of[a2] < band_start ||
            w->line_of[a2] >= i)
            continue;
        for (b2 = 0; b2 < w->n_seg; b2++) {
            const ft_seg *sb = &w->L->segs[w->idx[b2]];
            if (w->line_of[b2] != i || !sb->numeric)
                continue;
            if (sb->box.x0 < sa->box.x1 && sb->box.x1 > sa->box.x0)
                join = 0;
        }
    }
    return join;
}

/* How many cells of text line b start where one of line a starts
 * (within align_tolerance), none unless both start in the region's
 * first column, at x0 (the label of a row; a list wrapped inside the
 * cells further right leaves it empty). The segments of line k are those
 * from first[k] to first[k + 1] (find_lines numbers lines in order). */
static size_t
shared_starts(const grid_work *w, const size_t *first, size_t a, size_t b,
              double x0)
{
    size_t i, j, n = 0;
    double tol = w->set->align_tolerance;
    if (first[a] == first[a + 1] || first[b] == first[b + 1] ||
        w->L->segs[w->idx[first[a]]].box.x0 > x0 + tol ||
        w->L->segs[w->idx[first[b]]].box.x0 > x0 + tol)
        return 0;
    for (i = first[b]; i < first[b + 1]; i++) {
        const ft_seg *sb = &w->L->segs[w->idx[i]];
        for (j = first[a]; j < first[a + 1]; j++) {
            const ft_seg *sa = &w->L->segs[w->idx[j]];
            if (fabs(sa->box.x0 - sb->box.x0) <= tol) {
                n++;
                break;
            }
        }
    }
    return n;
}

/* 1 when the horizontal rule at y covers missing_rule_share of some
 * column's width: a row's rule, not a stroke inside one cell (a word
 * underlined in a long 說明 text). */
static int
cuts_a_column(const grid_work *w, double y)
{
    size_t c;
    if (w->cols.n < 2)
        return 1;
    for (c = 0; c + 1 < w->cols.n; c++) {
        double x0 = w->cols.v[c], x1 = w->cols.v[c + 1];
        if (coverage(w->rules, w->n_rules, 'h', y, x0, x1,
                     w->set->snap_tolerance) >=
            w->set->missing_rule_share * (x1 - x0))
            return 1;
    }
    return 0;
}

/* Rows: horizontal rules cut the region into slots; inside a slot, text
 * lines are rows of their own unless they wrap the row above. Row bands
 * are compacted into w->bands. */
static ft_status
find_rows(grid_work *w)
{
    const ft_table_settings *set = w->set;
    double gaps_sum = 0, y_top, y_bot, med;
    size_t gaps_n = 0, slot, i, k, band_start = 0;
    dvec base = {0};
    int dense;
    ft_status st = FT_ERR_NOMEM;
    for (i = 1; i < w->n_lines; i++) {
        double g = w->bands[i].y0 - w->bands[i - 1].y1;
        if (w->bands[i].has_num && w->bands[i - 1].has_num && g > 0) {
            gaps_sum += g;
            gaps_n++;
        }
    }
    if (gaps_n == 0 && !w->v_ruled) {
        /* an unruled table of text (a form): the usual gap is the one
         * between two lines whose cells start at the same columns; set
         * evenly, such lines are rows, not one cell wrapped */
        size_t *first = malloc((w->n_lines + 1) * sizeof *first);
        double x0 = 1e18;
        if (!first)
            goto done;
        for (i = 0; i < w->n_seg; i++)
            x0 = fmin(x0, w->L->segs[w->idx[i]].box.x0);
        for (i = 0, k = 0; k <= w->n_lines; k++) {
            while (i < w->n_seg && w->line_of[i] < k)
                i++;
            first[k] = i;
        }
        for (i = 1; i < w->n_lines; i++) {
            double g = w->bands[i].y0 - w->bands[i - 1].y1;
            if (g > 0 && (double)shared_starts(w, first, i - 1, i, x0) >=
                             w->set->form_min_columns) {
                gaps_sum += g;
                gaps_n++;
            }
        }
        free(first);
    }
    y_top = fmin(w->box.y0, w->bands[0].y0);
    y_bot = fmax(w->box.y1, w->bands[w->n_lines - 1].y1);
    if (!dvec_push(&base, y_top) || !dvec_push(&base, y_bot))
        goto done;
    for (k = 0; k < w->hy.n; k++)
        if (w->hy.v[k] > y_top + set->edge_tolerance &&
            w->hy.v[k] < y_bot - set->edge_tolerance &&
            cuts_a_column(w, w->hy.v[k]) && !dvec_push(&base, w->hy.v[k]))
            goto done;
    dvec_cluster(&base, set->snap_tolerance);
    w->h_ruled = base.n > 2;
    dense = w->v_ruled && (double)base.n >= set->dense_min_rules;
    for (slot = 0; slot + 1 < base.n; slot++) {
        size_t nb = 0, first = w->n_lines;
        if (!dvec_push(&w->rows, base.v[slot]))
            goto done;
        for (i = 0; i < w->n_lines; i++) {
            double cy = (w->bands[i].y0 + w->bands[i].y1) / 2;
            int join = 0;
            if (cy < base.v[slot] || cy >= base.v[slot + 1])
                continue;
            if (nb > 0) {
                double h = w->bands[i].y1 - w->bands[i].y0;
                med = gaps_n ? gaps_sum / (double)gaps_n : h;
                join = is_wrap(w, &w->bands[first + nb - 1], i, band_start,
                               med, dense);
            }
            if (nb == 0)
                first = i;
            if (!join)
                band_start = i;
            if (join) {
                band *p = &w->bands[first + nb - 1];
                p->y1 = fmax(p->y1, w->bands[i].y1);
                p->y0 = fmin(p->y0, w->bands[i].y0);
                p->has_num |= w->bands[i].has_num;
                continue;
            }
            /* bands of a slot are consecutive lines: compact */
            w->bands[first + nb] = w->bands[i];
            if (nb > 0) {
                double cut = (w->bands[first + nb - 1].y1 +
                              w->bands[first + nb].y0) / 2;
                if (!dvec_push(&w->rows, cut) ||
                    !dvec_push(&w->text_rows, cut))
                    goto done;
            }
            nb++;
        }
    }
    if (!dvec_push(&w->rows, base.v[base.n - 1]))
        goto done;
    w->empty = w->cols.n < 2 || w->rows.n < 2;
    st = FT_OK;
done:
    free(base.v);
    return st;
}

/* The cell array, each cell boxed by its cuts. */
static ft_status
make_cells(grid_work *w)
{
    ft_table *out = w->out;
    size_t n, i;
    int r, c;
    w->nr = (int)w->rows.n - 1;
    w->nc = (int)w->cols.n - 1;
    n = (size_t)w->nr * (size_t)w->nc;
    out->n_rows = w->nr;
    out->n_cols = w->nc;
    out->ruled = w->v_ruled && w->h_ruled;
    out->cells = calloc(n, sizeof *out->cells);
    out->col_x = malloc(w->cols.n * sizeof *out->col_x);
    w->row_of = malloc(w->n_seg * sizeof *w->row_of);
    w->col_of = malloc(w->n_seg * sizeof *w->col_of);
    w->cspan = malloc(w->n_seg * sizeof *w->cspan);
    w->par = malloc(n * sizeof *w->par);
    w->tx0 = malloc(n * sizeof *w->tx0);
    w->tx1 = malloc(n * sizeof *w->tx1);
    w->upsp = malloc(n * sizeof *w->upsp);
    if (!out->cells || !out->col_x || !w->row_of || !w->col_of ||
        !w->cspan || !w->par || !w->tx0 || !w->tx1 || !w->upsp)
        return FT_ERR_NOMEM;
    memcpy(out->col_x, w->cols.v, w->cols.n * sizeof *out->col_x);
    for (i = 0; i < n; i++) {
        w->tx0[i] = 1e18;
        w->tx1[i] = -1e18;
        w->upsp[i] = 0;
        w->par[i] = (int)i;
    }
    for (r = 0; r < w->nr; r++) {
        for (c = 0; c < w->nc; c++) {
            ft_cell *cell = FT_CELL(out, r, c);
            cell->rowspan = cell->colspan = 1;
            cell->page = out->page_first;
            cell->box.x0 = w->cols.v[c];
            cell->box.x1 = w->cols.v[c + 1];
            cell->box.y0 = w->rows.v[r];
            cell->box.y1 = w->rows.v[r + 1];
        }
    }
    return FT_OK;
}

/* Each segment's row and column; in an unruled table, a label that
 * covers most of several columns spans them. */
static ft_status
place_segments(grid_work *w)
{
    const double *cx_cuts = w->cols.v, slack = w->set->edge_tolerance;
    size_t nc = w->cols.n, i;
    for (i = 0; i < w->n_seg; i++) {
        const ft_seg *s = &w->L->segs[w->idx[i]];
        double cx = (s->box.x0 + s->box.x1) / 2;
        double cy = (s->box.y0 + s->box.y1) / 2;
        int c0 = find_slot(cx_cuts, nc, cx, slack);
        int r0 = find_slot(w->rows.v, w->rows.n, cy, slack);
        int c1 = c0;
        w->row_of[i] = r0;
        w->col_of[i] = c0;
        w->cspan[i] = 1;
        if (c0 < 0 || r0 < 0)
            continue;
        if (!w->out->ruled) {
            int a = find_slot(cx_cuts, nc, s->box.x0 + 1, slack);
            int b = find_slot(cx_cuts, nc, s->box.x1 - 1, slack);
            if (a >= 0 && b > a) {
                double wa = cx_cuts[a + 1] - s->box.x0;
                double wb = s->box.x1 - cx_cuts[b];
                double share = w->set->span_min_share;
                if (wa < share * (cx_cuts[a + 1] - cx_cuts[a]))
                    a++;
                if (wb < share * (cx_cuts[b + 1] - cx_cuts[b]))
                    b--;
                if (b > a && !s->numeric) {
                    c0 = a;
                    c1 = b;
                }
            }
        }
        w->col_of[i] = c0;
        w->cspan[i] = c1 - c0 + 1;
    }
    return FT_OK;
}

/* Text into cells, in reading order. */
static ft_status
fill_cells(grid_work *w)
{
    ft_table *out = w->out;
    size_t i;
    for (i = 0; i < w->n_seg; i++) {
        const ft_seg *sg = &w->L->segs[w->idx[i]];
        int rr = w->row_of[i], cc = w->col_of[i], root;
        ft_cell *cell;
        int newline;
        if (rr < 0 || cc < 0)
            continue;
        root = uf_find(w->par, rr * w->nc + cc);
        cell = &out->cells[root];
        newline = cell->text != NULL && i > 0 &&
                  w->line_of[i] != w->line_of[i - 1];
        if (sg->up && (!cell->text || w->upsp[root] >= 0)) {
            /* rotated text reads bottom to top: each lower piece goes
             * before the text above it */
            if (!prepend_text(&cell->text, sg->text, w->upsp[root] > 0))
                return FT_ERR_NOMEM;
            w->upsp[root] = w->L->glyphs[sg->g0].space_before ? 1 : 0;
        } else {
            if (!append_text(&cell->text, sg->text, newline))
                return FT_ERR_NOMEM;
            w->upsp[root] = -1;
        }
        if (sg->conf >= 0 && (!cell->ocr || sg->conf < cell->conf)) {
            cell->ocr = 1;
            cell->conf = sg->conf;
        }
        if (w->tx0[root] > sg->box.x0)
            w->tx0[root] = sg->box.x0;
        if (w->tx1[root] < sg->box.x1)
            w->tx1[root] = sg->box.x1;
        if (w->cspan[i] > 1 && !out->ruled && cell->colspan < w->cspan[i])
            cell->colspan = w->cspan[i];
    }
    return FT_OK;
}

/* Moves the text of cell i into the first cell of its set. */
static ft_status
follow_set(grid_work *w, int i)
{
    ft_cell *cells = w->out->cells;
    int root = uf_find(w->par, i);
    if (root == i || !cells[i].text)
        return FT_OK;
    if (w->upsp[root] >= 0 && w->upsp[i] >= 0 && cells[root].text) {
        /* rotated text: the lower piece reads first */
        if (!prepend_text(&cells[root].text, cells[i].text,
                          w->upsp[root] > 0))
            return FT_ERR_NOMEM;
        w->upsp[root] = w->upsp[i];
    } else if (!append_text(&cells[root].text, cells[i].text, 1)) {
        return FT_ERR_NOMEM;
    }
    free(cells[i].text);
    cells[i].text = NULL;
    if (cells[i].ocr && (!cells[root].ocr || cells[i].conf < cells[root].conf)) {
        cells[root].ocr = 1;
        cells[root].conf = cells[i].conf;
    }
    if (w->tx0[root] > w->tx0[i])
        w->tx0[root] = w->tx0[i];
    if (w->tx1[root] < w->tx1[i])
        w->tx1[root] = w->tx1[i];
    return FT_OK;
}

/* Spans from missing rules in a ruled frame: side by side, two cells
 * join across a missing rule unless both hold text of their own (a
 * partial rule is missing, not a span) and no text runs over it; one
 * above the other, they always join (a wrapped label fills both). */
static ft_status
ruled_spans(grid_work *w)
{
    const ft_table_settings *set = w->set;
    const double *cols = w->cols.v, *rows = w->rows.v;
    int r, c, nc = w->nc, nr = w->nr;
    size_t i;
    if (!w->out->ruled)
        return FT_OK;
    for (r = 0; r < nr; r++) {
        for (c = 0; c < nc; c++) {
            double ry0 = rows[r], ry1 = rows[r + 1];
            double cx0 = cols[c], cx1 = cols[c + 1];
            int here = r * nc + c;
            if (c + 1 < nc && !is_cut(&w->text_cols, cols[c + 1]) &&
                coverage(w->rules, w->n_rules, 'v', cols[c + 1], ry0, ry1,
                         set->snap_tolerance) <
                    set->missing_rule_share * (ry1 - ry0)) {
                int there = here + 1;
                double x = cols[c + 1];
                int both = w->out->cells[here].text &&
                           w->out->cells[there].text;
                int over = w->tx1[here] > x + set->text_over_rule ||
                           w->tx0[there] < x - set->text_over_rule;
                if (!both || over)
                    uf_union(w->par, here, there);
            }
            if (r + 1 < nr && !is_cut(&w->text_rows, rows[r + 1]) &&
                coverage(w->rules, w->n_rules, 'h', rows[r + 1], cx0, cx1,
                         set->snap_tolerance) <
                    set->missing_rule_share * (cx1 - cx0))
                uf_union(w->par, here, here + nc);
        }
    }
    for (i = 0; i < (size_t)nr * (size_t)nc; i++) {
        ft_status st = follow_set(w, (int)i);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

/* Unruled column spans: a label's cell joins the cells it covers when
 * they are empty. */
static ft_status
unruled_spans(grid_work *w)
{
    int r, c, j;
    if (w->out->ruled)
        return FT_OK;
    for (r = 0; r < w->nr; r++) {
        for (c = 0; c < w->nc; c++) {
            ft_cell *cell = FT_CELL(w->out, r, c);
            int ok = 1;
            if (cell->colspan <= 1)
                continue;
            for (j = 1; j < cell->colspan && c + j < w->nc; j++)
                if (FT_CELL(w->out, r, c + j)->text)
                    ok = 0;
            if (!ok || c + cell->colspan > w->nc) {
                cell->colspan = 1;
                continue;
            }
            for (j = 1; j < cell->colspan; j++)
                uf_union(w->par, r * w->nc + c, r * w->nc + c + j);
        }
    }
    return FT_OK;
}

/* Turns the union-find sets into rectangular spans anchored at their
 * top-left cell (a set that is not a rectangle keeps its first row). */
static ft_status
rect_spans(grid_work *w)
{
    ft_table *out = w->out;
    int *par = w->par, nr = w->nr, nc = w->nc, r, c, rr, cc;
    for (r = 0; r < nr; r++) {
        for (c = 0; c < nc; c++) {
            int root = uf_find(par, r * nc + c), r1 = r, c1 = c, rect = 1;
            ft_cell *anchor = FT_CELL(out, r, c);
            if (anchor->covered || root != r * nc + c)
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
                while (c1 + 1 < nc && uf_find(par, r * nc + c1 + 1) == root)
                    c1++;
            }
            anchor->rowspan = r1 - r + 1;
            anchor->colspan = c1 - c + 1;
            anchor->box.x1 = w->cols.v[c1 + 1];
            anchor->box.y1 = w->rows.v[r1 + 1];
            for (rr = r; rr <= r1; rr++) {
                for (cc = c; cc <= c1; cc++) {
                    ft_cell *o = FT_CELL(out, rr, cc);
                    if (o == anchor)
                        continue;
                    if (o->text) {
                        if (!append_text(&anchor->text, o->text, 1))
                            return FT_ERR_NOMEM;
                        free(o->text);
                        o->text = NULL;
                    }
                    o->covered = 1;
                    par[rr * nc + cc] = r * nc + c;
                }
            }
        }
    }
    return FT_OK;
}

/* 1 when row r is a 栏次 counter row (1 2 3 ... in its cells). */
static int
is_counter_row(const ft_table *t, int r)
{
    int expect = 1, counter = 1, any = 0, c;
    for (c = 0; c < t->n_cols; c++) {
        const ft_cell *cell = FT_CELL(t, r, c);
        if (!cell->text)
            continue;
        if (c == 0 && !any && !strpbrk(cell->text, "0123456789"))
            continue; /* its label (栏次) */
        any = 1;
        if (!is_counter(cell->text, &expect))
            counter = 0;
    }
    return any && counter && expect > 2;
}

/* 1 when the text is a year as column headers print it: 1900 to 2099,
 * or a range of two ("2023-2024"). */
static int
is_year(const char *s)
{
    size_t n = strlen(s);
    int i;
    if (n != 4 && !(n == 9 && (s[4] == '-' || s[4] == '/')))
        return 0;
    for (i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    if (!((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0')))
        return 0;
    return n == 4 || is_year(s + 5);
}

/* 1 when some row below r holds an amount that is not a year. */
static int
amounts_below(const grid_work *w, int r)
{
    int c;
    for (r++; r < w->nr; r++)
        for (c = 0; c < w->nc; c++) {
            const char *t = FT_CELL(w->out, r, c)->text;
            if (t && is_amount(t) && !is_year(t))
                return 1;
        }
    return 0;
}

/* 1 when row r holds data: an amount, or counts in enough columns past
 * the first (a statistical table). A row whose amounts are all years
 * heads the amounts below it. */
static int
is_data_row(const grid_work *w, int r)
{
    int small = 0, years = 0, c;
    for (c = 0; c < w->nc; c++) {
        const ft_cell *cell = FT_CELL(w->out, r, c);
        if (!cell->text)
            continue;
        if (is_year(cell->text)) {
            years++;
            continue;
        }
        if (is_amount(cell->text))
            return 1;
        if (c > 0 && is_count(cell->text, w->set->count_max_digits))
            small++;
    }
    if (years && !amounts_below(w, r))
        return 1;
    return (double)small >= w->set->count_min_columns;
}

/* Header rows: those above the first data row (a counter row under the
 * header is header). With no data at all, the leading rows that reach
 * the last column. */
static ft_status
header_rows(grid_work *w)
{
    int nr = w->nr, first = nr, r;
    for (r = 0; r < nr && first == nr; r++) {
        if (is_counter_row(w->out, r))
            continue;
        if (is_data_row(w, r))
            first = r;
    }
    if (first == nr) {
        /* no amounts (an empty table): body rows hold labels only */
        first = 0;
        while (first < nr) {
            const ft_cell *lc = FT_CELL(w->out, first, w->nc - 1);
            if (!lc->text && !lc->covered)
                break;
            first++;
        }
        if (first == 0 || first == nr)
            first = nr;
    }
    w->out->n_header_rows = first;
    return FT_OK;
}

/* Unruled header row r over row r + 1: an upper label spans the lower
 * labels nearest to it, when it sits over the middle of them. */
static ft_status
span_upper_labels(grid_work *w, int r)
{
    ft_table *out = w->out;
    int nc = w->nc, c, round;
    int *owner = malloc((size_t)nc * 5 * sizeof *owner);
    int *lo_c, *hi_c, *cnt, *ok_u;
    if (!owner)
        return FT_ERR_NOMEM;
    lo_c = owner + nc;
    hi_c = lo_c + nc;
    cnt = hi_c + nc;
    ok_u = cnt + nc;
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
            lx = (w->tx0[(r + 1) * nc + c] + w->tx1[(r + 1) * nc + c]) / 2;
            for (u = 0; u < nc; u++) {
                const ft_cell *up = FT_CELL(out, r, u);
                double ux, d;
                if (!up->text || up->covered || up->colspan > 1)
                    continue;
                if (round == 1 && !ok_u[u])
                    continue;
                if (round == 1 && c != lo_c[u] - 1 && c != hi_c[u] + 1)
                    continue;
                ux = (w->tx0[r * nc + u] + w->tx1[r * nc + u]) / 2;
                d = fabs(ux - lx);
                if (d < bd) {
                    bd = d;
                    best = u;
                }
            }
            if (best < 0 ||
                (round == 1 && owner[c] >= 0 && ok_u[owner[c]]))
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
            double ux, mid, wd;
            int k2, clear = 1;
            if (!up->text || ok_u[c] || hi_c[c] == lo_c[c])
                continue;
            ux = (w->tx0[r * nc + c] + w->tx1[r * nc + c]) / 2;
            mid = (w->cols.v[lo_c[c]] + w->cols.v[hi_c[c] + 1]) / 2;
            wd = w->cols.v[hi_c[c] + 1] - w->cols.v[lo_c[c]];
            for (k2 = lo_c[c]; k2 <= hi_c[c]; k2++)
                if (k2 != c && (FT_CELL(out, r, k2)->text ||
                                FT_CELL(out, r, k2)->covered))
                    clear = 0;
            if (clear && cnt[c] >= 2 &&
                fabs(ux - mid) <= w->set->header_centre_share * wd)
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
        up->box.x0 = w->cols.v[lo_c[c]];
        up->box.x1 = w->cols.v[hi_c[c] + 1];
        for (k2 = lo_c[c] + 1; k2 <= hi_c[c]; k2++)
            FT_CELL(out, r, k2)->covered = 1;
    }
    free(owner);
    return FT_OK;
}

/* Unruled headers: upper labels span the labels under them. */
static ft_status
header_spans_across(grid_work *w)
{
    int r;
    if (w->out->ruled || w->out->n_header_rows <= 1)
        return FT_OK;
    for (r = 0; r + 1 < w->out->n_header_rows; r++) {
        ft_status st = span_upper_labels(w, r);
        if (st != FT_OK)
            return st;
    }
    return FT_OK;
}

/* Unruled headers: a label with nothing below it spans down. */
static ft_status
header_spans_down(grid_work *w)
{
    ft_table *out = w->out;
    int hr = out->n_header_rows, r, c, rr, cc;
    if (out->ruled || hr <= 1)
        return FT_OK;
    for (c = 0; c < w->nc; c++) {
        for (r = 0; r < hr - 1; r++) {
            ft_cell *cell = FT_CELL(out, r, c);
            int r1 = r, ok = 1;
            if (!cell->text || cell->covered)
                continue;
            while (r1 + 1 < hr) {
                for (cc = c; cc < c + cell->colspan; cc++) {
                    ft_cell *b = FT_CELL(out, r1 + 1, cc);
                    if (b->text || b->covered)
                        ok = 0;
                }
                if (!ok)
                    break;
                r1++;
            }
            if (r1 == r)
                continue;
            cell->rowspan = r1 - r + 1;
            cell->box.y1 = w->rows.v[r1 + 1];
            for (rr = r + 1; rr <= r1; rr++)
                for (cc = c; cc < c + cell->colspan; cc++)
                    FT_CELL(out, rr, cc)->covered = 1;
        }
    }
    return FT_OK;
}

/* Where each cell's text sits (stitching maps sparse pages by it). */
static ft_status
text_extents(grid_work *w)
{
    size_t i, n = (size_t)w->nr * (size_t)w->nc;
    for (i = 0; i < n; i++) {
        if (w->out->cells[i].text && w->tx1[i] > w->tx0[i]) {
            w->out->cells[i].tx0 = w->tx0[i];
            w->out->cells[i].tx1 = w->tx1[i];
        }
    }
    return FT_OK;
}

static void
grid_work_free(grid_work *w)
{
    free(w->vx.v);
    free(w->hy.v);
    free(w->cols.v);
    free(w->rows.v);
    free(w->text_rows.v);
    free(w->text_cols.v);
    free(w->idx);
    free(w->line_of);
    free(w->bands);
    free(w->row_of);
    free(w->col_of);
    free(w->cspan);
    free(w->par);
    free(w->tx0);
    free(w->tx1);
    free(w->upsp);
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

/* The phases, in order: each reads what the ones before it left in the
 * work struct. */
static const struct grid_phase {
    const char *name;
    ft_status (*run)(grid_work *w);
} grid_phases[] = {
    {"reading order", sort_segments},
    {"text lines", find_lines},
    {"rules", collect_rules},
    {"columns", find_columns},
    {"rows", find_rows},
    {"cells", make_cells},
    {"segments placed", place_segments},
    {"cells filled", fill_cells},
    {"spans from missing rules", ruled_spans},
    {"spans of unruled labels", unruled_spans},
    {"spans made rectangular", rect_spans},
    {"header rows", header_rows},
    {"header spans across", header_spans_across},
    {"header spans down", header_spans_down},
    {"text extents", text_extents},
};

ft_status
ft_grid_build(const ft_layout *L, const size_t *seg_idx, size_t n_seg,
              const ft_rule *rules, size_t n_rules, ft_box box, int page,
              const ft_table_settings *set, ft_table *out)
{
    grid_work w;
    ft_status st = FT_OK;
    size_t i;

    memset(out, 0, sizeof *out);
    out->page_first = out->page_last = page;
    out->box = box;
    if (n_seg == 0)
        return FT_OK;
    memset(&w, 0, sizeof w);
    w.L = L;
    w.set = set ? set : ft_settings_default();
    w.rules = rules;
    w.n_rules = n_rules;
    w.box = box;
    w.out = out;
    w.n_seg = n_seg;
    w.idx = malloc(n_seg * sizeof *w.idx);
    w.line_of = malloc(n_seg * sizeof *w.line_of);
    w.bands = malloc(n_seg * sizeof *w.bands);
    if (!w.idx || !w.line_of || !w.bands)
        st = FT_ERR_NOMEM;
    else
        memcpy(w.idx, seg_idx, n_seg * sizeof *w.idx);
    for (i = 0; i < sizeof grid_phases / sizeof grid_phases[0]; i++) {
        if (st != FT_OK || w.empty)
            break;
        st = grid_phases[i].run(&w);
    }
    grid_work_free(&w);
    if (st != FT_OK)
        ft_table_clear(out);
    return st;
}
