/*
 * region.c - where the tables of a page are, and what they are called.
 *
 * Ruled regions are connected sets of horizontal and vertical rules.
 * Unruled regions are runs of text lines that split into several aligned
 * segments (optionally bounded by horizontal rules, as in three-line
 * tables). Around each region, the lines above give the title, entity,
 * unit and label; the lines below give notes (注：本表无数据).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* 1 when s contains needle. */
static int
has(const char *s, const char *needle)
{
    return s && strstr(s, needle) != NULL;
}

/* Duplicates a string; NULL on OOM or NULL input. */
static char *
dup(const char *s)
{
    size_t n;
    char *d;
    if (!s)
        return NULL;
    n = strlen(s);
    d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static int is_meta_text(const char *s);

/* Text of a whole line, segments joined by a space; NULL on OOM. */
static char *
line_text(const ft_layout *L, const ft_line *l)
{
    size_t n = 1, i;
    char *s;
    for (i = 0; i < l->ns; i++)
        n += strlen(L->segs[l->s0 + i].text) + 1;
    s = malloc(n);
    if (!s)
        return NULL;
    n = 0;
    for (i = 0; i < l->ns; i++) {
        const char *t = L->segs[l->s0 + i].text;
        size_t k = strlen(t);
        if (i)
            s[n++] = ' ';
        memcpy(s + n, t, k);
        n += k;
    }
    s[n] = 0;
    return s;
}

/* Skips "：" or ":" and spaces after a key; returns the rest. */
static const char *
after_colon(const char *p)
{
    while (*p == ' ')
        p++;
    if (strncmp(p, "\xEF\xBC\x9A", 3) == 0) /* ： */
        p += 3;
    else if (*p == ':')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

/* Copies the first word of p (up to a space) into a new string. */
static char *
first_word(const char *p)
{
    size_t n = strcspn(p, " \t");
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, p, n);
    d[n] = 0;
    return d;
}

/*
 * Reads one segment of text around a table into its metadata fields.
 * Returns 1 when the text was metadata.
 */
static int
take_meta(ft_table *t, const char *s, int above)
{
    const char *p;
    if (!above) {
        if (!t->note && (strncmp(s, "注", 3) == 0 ||
                         has(s, "本表无数据") || strncmp(s, "说明", 6) == 0))
            t->note = dup(s);
        return 1;
    }
    p = strstr(s, "单位名称");
    if (!p)
        p = strstr(s, "编制单位");
    if (!p)
        p = strstr(s, "部门名称");
    if (p && *after_colon(p + 12)) {
        if (!t->entity)
            t->entity = first_word(after_colon(p + 12));
        return 1;
    }
    p = strstr(s, "部门：");
    if (p && *after_colon(p + 6)) {
        if (!t->entity)
            t->entity = first_word(after_colon(p + 6));
        return 1;
    }
    p = strstr(s, "单位");
    if (!p)
        p = strstr(s, "單位"); /* traditional */
    if (p) {
        const char *q = after_colon(p + 6);
        static const char *const units[] = {
            "万元", "萬元", "元", "千元", "亿元", "億元", "人", "新臺幣千元",
            "新台币千元", "新臺幣元", "千", "万", "萬", "亿", "億"};
        size_t k;
        for (k = 0; k < sizeof units / sizeof *units; k++) {
            size_t n = strlen(units[k]);
            if (strncmp(q, units[k], n) != 0)
                continue;
            if (!t->unit) {
                /* "单位：万" with "元" wrapped onto the next line */
                if (!strcmp(q, "万") || !strcmp(q, "千") || !strcmp(q, "亿") ||
                    !strcmp(q, "萬") || !strcmp(q, "億")) {
                    char buf[16];
                    snprintf(buf, sizeof buf, "%s元", q);
                    t->unit = dup(buf);
                } else {
                    t->unit = first_word(q);
                }
            }
            return 1;
        }
    }
    if ((has(s, "公开") && has(s, "表") && strlen(s) <= 24 &&
         strpbrk(s, "0123456789")) ||
        (strncmp(s, "表", 3) == 0 && strlen(s) <= 12)) {
        if (!t->label)
            t->label = dup(s);
        return 1;
    }
    if ((has(s, "表") || has(s, "Table") || has(s, "TABLE")) &&
        !has(s, "。") && !has(s, "，")) {
        /* a sentence that mentions a table is not its title */
        if (!t->title)
            t->title = dup(s);
        return 1;
    }
    return 0;
}

/* Bytes of s without its spaces. */
static size_t
compact_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s != ' ';
    return n;
}

/* 1 when s ends in a unit cut short ("单位：万"), whose 元 wrapped. */
static int
bare_unit_end(const char *s)
{
    static const char *const cut[] = {"：万", "：千", "：亿", ":万", ":千",
                                      ":亿", "：萬", "：億"};
    size_t n = strlen(s), k;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    for (k = 0; k < sizeof cut / sizeof *cut; k++) {
        size_t m = strlen(cut[k]);
        if (n >= m && !strncmp(s + n - m, cut[k], m))
            return 1;
    }
    return 0;
}

/* The text of line li-1 and line li joined, when li-1 looks like the
 * first part of a wrapped title (same size, just above); a new string,
 * or NULL. */
static char *
title_above(const ft_layout *L, size_t li, int ocr)
{
    const ft_line *a = &L->lines[li - 1], *b = &L->lines[li];
    char *ta, *tb, *out;
    size_t n;
    /* OCR boxes ("（" is taller than a character) give rough sizes */
    double tol = ocr ? 0.4 : 0.15;
    if (b->box.y0 - a->box.y1 > 0.8 * b->size ||
        fabs(a->size - b->size) > tol * b->size)
        return NULL;
    ta = line_text(L, a);
    tb = line_text(L, b);
    out = ta && tb ? malloc(strlen(ta) + strlen(tb) + 1) : NULL;
    if (out) {
        n = strlen(ta);
        memcpy(out, ta, n);
        memcpy(out + n, tb, strlen(tb) + 1);
    }
    free(ta);
    free(tb);
    return out;
}

/* Extends t->title (read from line li) with line li-1 when the title
 * wrapped: same size, just above, centred alike, not metadata. */
static void
join_title_above(const ft_layout *L, size_t li, ft_table *t, int ocr)
{
    const ft_line *a = &L->lines[li - 1], *b = &L->lines[li];
    double ca = (a->box.x0 + a->box.x1) / 2, cb = (b->box.x0 + b->box.x1) / 2;
    char *ta, *joined;
    /* OCR cuts a line at wide gaps (around "（"): any number of pieces */
    if ((!ocr && (a->ns != 1 || b->ns != 1)) || fabs(ca - cb) > 2 * b->size)
        return;
    ta = line_text(L, a);
    if (!ta)
        return;
    if (is_meta_text(ta) || strstr(ta, "表")) {
        free(ta);
        return;
    }
    free(ta);
    joined = title_above(L, li, ocr);
    if (joined) {
        free(t->title);
        t->title = joined;
    }
}

/* Removes column c (its cells hold no text); with widen, the column
 * before it takes its width. */
static void
remove_column(ft_table *t, int c, int widen)
{
    int r;
    for (r = 0; r < t->n_rows; r++) {
        ft_cell *row = FT_CELL(t, r, 0);
        if (widen && c > 0 && row[c - 1].colspan == 1)
            row[c - 1].box.x1 = row[c].box.x1;
        memmove(row + c, row + c + 1,
                (size_t)(t->n_cols - c - 1) * sizeof *row);
    }
    /* compact rows to the new width */
    for (r = 0; r < t->n_rows; r++)
        memmove(t->cells + (size_t)r * (size_t)(t->n_cols - 1),
                t->cells + (size_t)r * (size_t)t->n_cols,
                (size_t)(t->n_cols - 1) * sizeof *t->cells);
    if (t->col_x)
        memmove(t->col_x + c + 1, t->col_x + c + 2,
                (size_t)(t->n_cols - c - 1) * sizeof *t->col_x);
    t->n_cols--;
}

/* Where dot leaders start in x ("....", ". . . .", "……", "···"), or
 * NULL. */
static const char *
leader_start(const char *x)
{
    static const char *const runs[] = {"....", ". . . .", "……", "···",
                                       "．．．", "。。。。"};
    const char *best = NULL;
    size_t i;
    for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        const char *p = strstr(x, runs[i]);
        if (p && (!best || p < best))
            best = p;
    }
    return best;
}

/* Number of cells with dot leaders, and the column holding most. */
static int
leader_cells(const ft_table *t, int *col)
{
    int r, c, n = 0, most = 0;
    *col = -1;
    for (c = 0; c < t->n_cols; c++) {
        int k = 0;
        for (r = 0; r < t->n_rows; r++) {
            const char *x = FT_CELL(t, r, c)->text;
            if (x && leader_start(x))
                k++;
        }
        n += k;
        if (k > most) {
            most = k;
            *col = c;
        }
    }
    return n;
}

/* 1 when column c is a column of page numbers: small integers that
 * never decrease, two or more. */
static int
page_number_column(const ft_table *t, int c)
{
    long last = -1, v;
    int r, nums = 0;
    for (r = 0; r < t->n_rows; r++) {
        const char *x = FT_CELL(t, r, c)->text;
        char *end;
        if (!x)
            continue;
        v = strtol(x, &end, 10);
        if (!strcmp(end, ".") || !strcmp(end, "．") || !strcmp(end, "、"))
            end += strlen(end);
        if (end == x || *end || v < last || v > 999)
            return 0;
        last = v;
        nums++;
    }
    return nums >= 2;
}

/* 1 when the table looks like a table of contents: dot leaders in a
 * third of its rows and, after the leaders, no column of figures but
 * one of page numbers (a table whose labels end in leaders has columns
 * of amounts after them: "0.99 ........ 800  880  960"; OCR may read a
 * contents page's leaders as marks in many columns). With no leaders,
 * a column of page numbers when leaders_only is 0. */
static int
is_contents(const ft_table *t, int leaders_only)
{
    int lc, c, numeric = 0, pages = 0;
    if (leader_cells(t, &lc) * 3 < t->n_rows) {
        if (leaders_only)
            return 0;
        for (c = 0; c < t->n_cols; c++)
            if (page_number_column(t, c))
                return 1;
        return 0;
    }
    /* the columns of figures after the leaders: two or more, or one that
     * is not page numbers, make a table */
    for (c = lc + 1; c < t->n_cols; c++) {
        int r, filled = 0, figures = 0;
        for (r = 0; r < t->n_rows; r++) {
            const char *x = FT_CELL(t, r, c)->text;
            if (!x)
                continue;
            filled++;
            figures += ft_is_figure(x);
        }
        if (figures == 0 || figures * 2 < filled)
            continue;
        numeric++;
        pages += page_number_column(t, c);
    }
    return numeric == 0 || (numeric == 1 && pages == 1);
}

/* Length of the run of leader dots and spaces at s. */
static size_t
dots_len(const char *s)
{
    static const char *const dots[] = {".", " ", "…", "·", "．", "。"};
    const char *q = s;
    while (*q) {
        size_t k, len = 0;
        for (k = 0; k < sizeof dots / sizeof dots[0] && !len; k++)
            if (!strncmp(q, dots[k], strlen(dots[k])))
                len = strlen(dots[k]);
        if (!len)
            break;
        q += len;
    }
    return (size_t)(q - s);
}

/* 1 when x is leaders and nothing else. */
static int
only_leaders(const char *x)
{
    return leader_start(x) == x && x[dots_len(x)] == 0;
}

/* A column holding nothing but leaders in its body (a producer drew
 * them as a run of their own) joins the column to its left: each cell's
 * text goes after its left neighbour's. */
static void
join_leader_columns(ft_table *t)
{
    int r, c;
    for (c = 1; c < t->n_cols; c++) {
        int leaders = 0, other = 0;
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            const ft_cell *x = FT_CELL(t, r, c);
            if (!x->text || x->covered)
                continue;
            if (only_leaders(x->text))
                leaders++;
            else
                other++;
        }
        if (!leaders || other)
            continue;
        for (r = 0; r < t->n_rows; r++) {
            ft_cell *left = FT_CELL(t, r, c - 1), *x = FT_CELL(t, r, c);
            if (!x->text || x->covered || left->covered ||
                left->colspan > 1 || x->colspan > 1 || x->rowspan > 1 ||
                left->rowspan > 1)
                continue;
            if (left->text) {
                size_t a = strlen(left->text), b = strlen(x->text);
                char *j = realloc(left->text, a + b + 2);
                if (!j)
                    continue;
                j[a] = ' ';
                memcpy(j + a + 1, x->text, b + 1);
                left->text = j;
                free(x->text);
            } else {
                left->text = x->text;
            }
            x->text = NULL;
        }
        remove_column(t, c, 1);
        c--;
    }
}

/* Cuts dot leaders off the end of each cell's text ("0.99 ........" is
 * 0.99); a cell of leaders alone keeps them. */
static void
strip_leaders(ft_table *t)
{
    size_t i, n;
    join_leader_columns(t);
    n = (size_t)t->n_rows * (size_t)t->n_cols;
    for (i = 0; i < n; i++) {
        char *x = t->cells[i].text;
        char *p = x ? (char *)leader_start(x) : NULL;
        char *q;
        if (!p || p == x)
            continue;
        q = p + dots_len(p);
        if (*q) /* text after the leaders: not at the end */
            continue;
        while (p > x && (p[-1] == ' ' || p[-1] == '.'))
            p--;
        *p = 0;
    }
}

/* The text of the line with the largest type between top_limit and the
 * top of box, when it is clearly larger than the lines near it (a title
 * without 表, as in Taiwanese budget books); a new string or NULL. */
static char *
largest_above(const ft_layout *L, ft_box box, double top_limit)
{
    size_t li, best = (size_t)-1;
    double bs = 0, other = 0;
    for (li = 0; li < L->n_lines; li++) {
        const ft_line *ln = &L->lines[li];
        if (ln->box.y1 > box.y0 + 1 || ln->box.y0 < top_limit ||
            box.y0 - ln->box.y1 > 120)
            continue;
        if (ln->size > bs) {
            if (bs > other)
                other = bs;
            bs = ln->size;
            best = li;
        } else if (ln->size > other) {
            other = ln->size;
        }
    }
    if (best == (size_t)-1 || bs < 1.1 * other)
        return NULL;
    return line_text(L, &L->lines[best]);
}

/* 1 when most cells of an unruled table read "label number" (chart
 * legends and labels: "non-EU 6%"): the columns were never apart. */
static int
mostly_mixed(const ft_table *t)
{
    int r, c, filled = 0, mixed = 0;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const char *x = FT_CELL(t, r, c)->text, *sp, *q;
            int alpha = 0, num = 1;
            if (!x)
                continue;
            filled++;
            sp = strrchr(x, ' ');
            if (!sp)
                continue;
            for (q = x; q < sp; q++)
                if ((*q >= 'A' && *q <= 'z') || (unsigned char)*q >= 0xE0)
                    alpha = 1;
            for (q = sp + 1; *q; q++)
                if (!((*q >= '0' && *q <= '9') || *q == '.' || *q == '%' ||
                      *q == ','))
                    num = 0;
            if (alpha && num && sp[1])
                mixed++;
        }
    return filled >= 3 && mixed * 2 >= filled;
}

/* 1 when s has an ASCII comma before or after Chinese text (OCR reads
 * "，" so), not one inside a number. */
static int
cjk_comma(const char *s)
{
    const char *p;
    for (p = strchr(s, ','); p; p = strchr(p + 1, ','))
        if ((unsigned char)p[1] >= 0xE0 ||
            (p - s >= 3 && (unsigned char)p[-3] >= 0xE0))
            return 1;
    return 0;
}

/* 1 when x holds a digit. */
static int
has_digit(const char *x)
{
    return strpbrk(x, "0123456789") != NULL;
}

/* The number of t's cells holding text; with pred, the number of those
 * pred holds for in *hits. */
static int
count_cells(const ft_table *t, int (*pred)(const char *), int *hits)
{
    int r, c, filled = 0;
    if (hits)
        *hits = 0;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const char *x = FT_CELL(t, r, c)->text;
            if (!x)
                continue;
            filled++;
            if (pred && hits)
                *hits += pred(x) != 0;
        }
    return filled;
}

/* 1 when x holds a piece of a sentence: "，", "。" or "；", which OCR may
 * read as ASCII. */
static int
is_sentence_piece(const char *x)
{
    return has(x, "，") || has(x, "。") || has(x, "；") || has(x, ";") ||
           cjk_comma(x);
}

/* 1 when half the filled cells or more are pieces of sentences: a page
 * of narrative that OCR cut at wide gaps, not a table. */
static int
mostly_sentences(const ft_table *t)
{
    int prose, filled = count_cells(t, is_sentence_piece, &prose);
    return filled >= 3 && prose * 2 >= filled;
}

/* Number of words in x (runs between spaces). */
static int
word_count(const char *x)
{
    int words = 0, in = 0;
    for (; *x; x++) {
        if (*x == ' ')
            in = 0;
        else if (!in) {
            in = 1;
            words++;
        }
    }
    return words;
}

/* 1 when x reads as a stretch of running text: ten words or more, with
 * a full stop among or after them. */
static int
is_prose_cell(const char *x)
{
    size_t n = strlen(x);
    return word_count(x) >= 10 && (strstr(x, ". ") || (n && x[n - 1] == '.'));
}

/* 1 when x holds a sentence's punctuation: ". ", ", " or a full stop or
 * comma at its end. */
static int
has_sentence_punct(const char *x)
{
    size_t n = strlen(x);
    return strstr(x, ". ") || strstr(x, ", ") ||
           (n && (x[n - 1] == '.' || x[n - 1] == ','));
}

/* 1 for a grid with no column of figures whose cells average three
 * words or more and a third of them hold a sentence's punctuation (". ",
 * ", " or a full stop at the end): justified prose cut at its wide
 * gaps, not a table. */
static int
prose_fragments(const ft_table *t)
{
    int r, c, filled = 0, words = 0, punct = 0;
    for (c = 0; c < t->n_cols; c++) {
        int f = 0, figures = 0;
        for (r = 0; r < t->n_rows; r++) {
            const char *x = FT_CELL(t, r, c)->text;
            if (!x)
                continue;
            f++;
            figures += strpbrk(x, "0123456789") && word_count(x) <= 2;
        }
        if (f >= 3 && figures * 2 >= f)
            return 0; /* a column of figures: a table */
    }
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++)
            if (FT_CELL(t, r, c)->text)
                words += word_count(FT_CELL(t, r, c)->text);
    filled = count_cells(t, has_sentence_punct, &punct);
    return filled >= 6 && words >= 3 * filled && punct * 3 >= filled;
}

/* 1 when half the filled cells or more are running text: columns of
 * prose (a box of text beside a chart, a two-column page), not a
 * table. */
static int
mostly_prose(const ft_table *t)
{
    int prose, filled = count_cells(t, is_prose_cell, &prose);
    if (filled >= 3 && prose * 2 >= filled)
        return 1;
    return prose_fragments(t);
}

/* The longest run of numbers in x, words apart, that falls by one step
 * ("350 300 250 200 150 100 50"): the tick labels of a chart's axis read
 * top to bottom. */
static int
falling_run(const char *x)
{
    int best = 0, run = 0;
    double prev = 0, step = 0;
    while (*x) {
        char *end;
        double v;
        while (*x == ' ')
            x++;
        if (!*x)
            break;
        v = strtod(x, &end);
        if (end == x || (*end && *end != ' ')) {
            run = 0;
            while (*x && *x != ' ')
                x++;
            continue;
        }
        if (run >= 2 && fabs((v - prev) - step) < 1e-9)
            run++;
        else if (run >= 1 && v < prev) {
            step = v - prev;
            run = 2;
        } else {
            run = 1;
        }
        prev = v;
        best = run > best ? run : best;
        x = end;
    }
    return best;
}

/* 1 for a grid of mostly empty cells that has no figure at all, or whose
 * figures include an axis's falling tick labels (axis_min_ticks of them
 * in one cell): the gridlines and labels of a chart, not a table. */
static int
chart_like(const ft_table_settings *set, const ft_table *t)
{
    int digits, filled = count_cells(t, has_digit, &digits), r, c, ticks = 0;
    int cells = t->n_rows * t->n_cols;
    if (cells < 12 || filled * 10 >= cells * 3)
        return 0;
    for (r = 0; r < t->n_rows && !ticks && digits; r++)
        for (c = 0; c < t->n_cols && !ticks; c++) {
            const char *x = FT_CELL(t, r, c)->text;
            ticks = x && (double)falling_run(x) >= set->axis_min_ticks;
        }
    return digits == 0 || ticks;
}

/* 1 for a wide grid nearly all empty (under a sixth of its cells hold
 * text): a chart's gridlines with its value labels scattered in them,
 * not a table. */
static int
sparse_grid(const ft_table *t)
{
    int filled = count_cells(t, NULL, NULL), cells = t->n_rows * t->n_cols;
    return t->n_cols >= 8 && cells >= 60 && filled * 6 < cells;
}

/* Region being assembled. */
typedef struct region {
    ft_box box;
    int ruled;
} region;

/* 1 when boxes a and b overlap (with slack). */
static int
overlaps(ft_box a, ft_box b, double slack)
{
    return a.x0 < b.x1 + slack && b.x0 < a.x1 + slack &&
           a.y0 < b.y1 + slack && b.y0 < a.y1 + slack;
}

/* 1 when the centre of box b lies inside a. */
static int
centre_in(ft_box a, ft_box b)
{
    double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
    return cx >= a.x0 && cx <= a.x1 && cy >= a.y0 && cy <= a.y1;
}

/* Union-find root. */
static size_t
root_of(size_t *p, size_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/*
 * Copies the rules of a page, merging collinear pieces.
 * Returns a new array (free()) and its length in *n; NULL on OOM.
 */
static ft_rule *
clean_rules(const ft_page *p, const ft_table_settings *set, size_t *n)
{
    ft_rule *r = malloc((p->n_rules ? p->n_rules : 1) * sizeof *r);
    size_t i, j, m = 0;
    if (!r)
        return NULL;
    for (i = 0; i < p->n_rules; i++)
        r[m++] = p->rules[i];
    /* merge collinear overlapping pieces */
    for (i = 0; i < m; i++) {
        for (j = i + 1; j < m; j++) {
            if (r[j].dir != r[i].dir ||
                fabs(r[j].pos - r[i].pos) > set->snap_tolerance)
                continue;
            if (r[j].a > r[i].b + set->join_tolerance ||
                r[i].a > r[j].b + set->join_tolerance)
                continue;
            r[i].a = r[i].a < r[j].a ? r[i].a : r[j].a;
            r[i].b = r[i].b > r[j].b ? r[i].b : r[j].b;
            r[i].pos = (r[i].pos + r[j].pos) / 2;
            r[j] = r[--m];
            j = i;
        }
    }
    *n = m;
    return r;
}

/* 1 when rule h (horizontal) and v (vertical) touch, within tol. */
static int
touch(const ft_rule *h, const ft_rule *v, double tol)
{
    return v->pos >= h->a - tol && v->pos <= h->b + tol &&
           h->pos >= v->a - tol && h->pos <= v->b + tol;
}

/* 1 when the line text looks like metadata, a title or a note. */
static int
is_meta_text(const char *s)
{
    return has(s, "单位：") || has(s, "单位:") || has(s, "单位名称") ||
           has(s, "部门：") || strncmp(s, "注", 3) == 0 ||
           (has(s, "表") && !strpbrk(s, "0123456789,")) ||
           (has(s, "公开") && has(s, "表"));
}

/* Appends a region; returns 0 on OOM. */
static int
push_region(region **v, size_t *n, size_t *cap, ft_box b, int ruled)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        region *nv = realloc(*v, c * sizeof *nv);
        if (!nv)
            return 0;
        *v = nv;
        *cap = c;
    }
    (*v)[*n].box = b;
    (*v)[*n].ruled = ruled;
    (*n)++;
    return 1;
}

/*
 * Moves title/unit rows at the top of a ruled grid (Excel-made frames
 * hold "收支预算总表 / 部门：… / 单位：万元" inside the border) into the
 * metadata, and notes in the last row below. Rows are removed.
 */
static void
strip_inner_meta(ft_table *t)
{
    int r, c, drop = 0;
    for (r = 0; r < t->n_header_rows && r < 3; r++) {
        int filled = 0, meta = 1;
        for (c = 0; c < t->n_cols; c++) {
            ft_cell *cell = FT_CELL(t, r, c);
            if (!cell->text)
                continue;
            filled++;
            if (!take_meta(t, cell->text, 1))
                meta = 0;
        }
        if (!filled || !meta)
            break;
        drop = r + 1;
    }
    if (drop > 0 && drop < t->n_rows) {
        size_t n = (size_t)drop * (size_t)t->n_cols, i;
        for (i = 0; i < n; i++)
            free(t->cells[i].text);
        memmove(t->cells, t->cells + n,
                ((size_t)t->n_rows * (size_t)t->n_cols - n) *
                    sizeof *t->cells);
        t->n_rows -= drop;
        t->n_header_rows -= drop;
        /* a rowspan from a dropped row cannot reach here: spans start in
         * their own row, and covered cells of dropped rows went with them */
        for (c = 0; c < t->n_cols; c++)
            if (FT_CELL(t, 0, c)->covered)
                FT_CELL(t, 0, c)->covered = 0;
    }
    /* a note inside the frame, in the last row alone */
    if (t->n_rows > t->n_header_rows) {
        int last = t->n_rows - 1, filled = 0;
        ft_cell *note = NULL;
        for (c = 0; c < t->n_cols; c++)
            if (FT_CELL(t, last, c)->text) {
                filled++;
                note = FT_CELL(t, last, c);
            }
        if (filled == 1 && (strncmp(note->text, "注", 3) == 0 ||
                            has(note->text, "本表无数据"))) {
            if (!t->note) {
                t->note = note->text;
                note->text = NULL;
            }
            for (c = 0; c < t->n_cols; c++) {
                free(FT_CELL(t, last, c)->text);
            }
            t->n_rows--;
        }
    }
}

/* Removes body rows and whole columns that hold nothing (printed empty
 * rows of a ruled grid, double rules). */
static void
trim_empty(ft_table *t)
{
    int r, c, cc, w = 0;
    for (r = 0; r < t->n_rows; r++) {
        int any = r < t->n_header_rows;
        for (c = 0; c < t->n_cols && !any; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            if (cell->text || cell->covered || cell->rowspan > 1)
                any = 1;
        }
        if (!any) {
            for (c = 0; c < t->n_cols; c++)
                free(FT_CELL(t, r, c)->text);
            continue;
        }
        if (w != r)
            memmove(FT_CELL(t, w, 0), FT_CELL(t, r, 0),
                    (size_t)t->n_cols * sizeof *t->cells);
        w++;
    }
    t->n_rows = w;
    for (c = t->n_cols - 1; c >= 0; c--) {
        int any = 0;
        double width = 0;
        for (r = 0; r < t->n_rows; r++) {
            ft_cell *cell = FT_CELL(t, r, c);
            if (cell->text || cell->covered || cell->colspan > 1)
                any = 1;
            else
                width = cell->box.x1 - cell->box.x0;
        }
        /* an empty column wider than a double rule is a real column */
        if (width > 6)
            any = 1;
        if (any || t->n_cols <= 1)
            continue;
        remove_column(t, c, 0);
        (void)cc;
    }
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_layout_maybe_table(const ft_layout *L, double page_width)
{
    size_t i, multi = 0, narrow = 0, rows = 0;
    for (i = 0; i < L->n_lines; i++) {
        if (L->lines[i].ns >= 2)
            multi++;
        rows += ft_line_of_figures(L, i);
        if (L->lines[i].box.x1 - L->lines[i].box.x0 < 0.35 * page_width)
            narrow++;
    }
    /* aligned segments, or mostly short lines (cells of a sparse ruled
     * table), or a line of figures (the last rows of a table carried over
     * to a page of their own); prose runs the full width */
    return multi >= 3 || rows > 0 ||
           (L->n_lines >= 5 && narrow * 2 >= L->n_lines);
}

/* A line of figures (a row of a table found on its own): at least this
 * many segments, this many of them amounts, and no label segment of more
 * words than this (a sentence set word by word is prose). */
#define FIGURE_LINE_SEGMENTS 3
#define FIGURE_LINE_AMOUNTS 2
#define FIGURE_LINE_MAX_WORDS 6

int
ft_line_of_figures(const ft_layout *L, size_t i)
{
    static const char *const punct[] = {"，", "。", "；", "？", "！", ", ",
                                        "; ", ". "};
    const ft_line *l = &L->lines[i];
    size_t k, j, figures = 0, labels = 0;
    if (l->ns < FIGURE_LINE_SEGMENTS)
        return 0;
    for (k = l->s0; k < l->s0 + l->ns; k++) {
        const char *x = L->segs[k].text;
        if (L->segs[k].numeric) {
            figures += strpbrk(x, ".,") != NULL;
            continue;
        }
        /* a sentence split at wide spaces is no row of a table */
        if (word_count(x) > FIGURE_LINE_MAX_WORDS)
            return 0;
        for (j = 0; j < sizeof punct / sizeof *punct; j++)
            if (strstr(x, punct[j]))
                return 0;
        labels++;
    }
    /* a row holds more amounts than labels; prose set word by word
     * ("From August 2006, skills ... (see 4.3.1.)") the other way */
    return figures >= FIGURE_LINE_AMOUNTS && labels >= 1 && figures >= labels;
}

ft_status
ft_table_list_push(ft_table_list *l, ft_table *t)
{
    if (l->n == l->cap) {
        size_t c = l->cap ? l->cap * 2 : 16;
        ft_table *v = realloc(l->items, c * sizeof *v);
        if (!v)
            return FT_ERR_NOMEM;
        l->items = v;
        l->cap = c;
    }
    l->items[l->n++] = *t;
    memset(t, 0, sizeof *t);
    return FT_OK;
}

void
ft_table_list_clear(ft_table_list *l)
{
    size_t i;
    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        ft_table_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/*****************************************************************************
 * The phases of ft_page_tables, over one work struct
 *****************************************************************************/

typedef struct region_work {
    const ft_page *page;
    const ft_layout *L;
    const ft_table_settings *set;
    ft_rule *rules; /* the page's rules, collinear pieces merged */
    size_t n_rules;
    region *reg;    /* table regions, in reading order once sorted */
    size_t n_reg, cap_reg;
    size_t *sel;    /* scratch: the segments of one region */
    ft_table_list *out;
} region_work;

/* The page's rules, collinear pieces merged. */
static ft_status
merge_rules(region_work *w)
{
    w->rules = clean_rules(w->page, w->set, &w->n_rules);
    return w->rules ? FT_OK : FT_ERR_NOMEM;
}

/* Drops from w->rules the rules whose set (under par) is marked. */
static void
drop_rules(region_work *w, size_t *par, const unsigned char *marked)
{
    size_t i, m = 0, n = w->n_rules;
    for (i = 0; i < n; i++)
        if (!marked[root_of(par, i)])
            w->rules[m++] = w->rules[i];
    w->n_rules = m;
}

/* 1 when a set of nh horizontal and nv vertical rules with box b is a
 * frame around the page: a plain box (its four sides, nothing inside)
 * over most of the page, as budget books print on every page. Not a
 * table: what it holds is found as if it were not there. */
static int
is_page_frame(const region_work *w, size_t nh, size_t nv, ft_box b)
{
    double share = w->set->page_frame_share;
    return nh == 2 && nv == 2 && b.x1 - b.x0 >= share * w->page->width &&
           b.y1 - b.y0 >= share * w->page->height;
}

/* Ruled regions: sets of touching rules with both directions, one rule
 * longer than any character each way (not the strokes of bold text). */
static ft_status
ruled_regions(region_work *w)
{
    const ft_table_settings *set = w->set;
    size_t n = w->n_rules, i, j, *par, frames = 0;
    unsigned char *frame;
    if (n == 0)
        return FT_OK;
    par = malloc(n * sizeof *par);
    frame = calloc(n, 1);
    if (!par || !frame) {
        free(par);
        free(frame);
        return FT_ERR_NOMEM;
    }
    for (i = 0; i < n; i++)
        par[i] = i;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            const ft_rule *a = &w->rules[i], *b = &w->rules[j];
            int t = 0;
            if (a->dir == 'h' && b->dir == 'v')
                t = touch(a, b, set->touch_tolerance);
            else if (a->dir == 'v' && b->dir == 'h')
                t = touch(b, a, set->touch_tolerance);
            if (t)
                par[root_of(par, i)] = root_of(par, j);
        }
    for (i = 0; i < n; i++) {
        size_t nh = 0, nv = 0;
        double maxh = 0, maxv = 0;
        ft_box b = {1e18, 1e18, -1e18, -1e18};
        if (root_of(par, i) != i)
            continue;
        for (j = 0; j < n; j++) {
            const ft_rule *q = &w->rules[j];
            if (root_of(par, j) != i)
                continue;
            if (q->dir == 'h') {
                nh++;
                maxh = fmax(maxh, q->b - q->a);
                b.y0 = fmin(b.y0, q->pos);
                b.y1 = fmax(b.y1, q->pos);
                b.x0 = fmin(b.x0, q->a);
                b.x1 = fmax(b.x1, q->b);
            } else {
                nv++;
                maxv = fmax(maxv, q->b - q->a);
                b.x0 = fmin(b.x0, q->pos);
                b.x1 = fmax(b.x1, q->pos);
                b.y0 = fmin(b.y0, q->a);
                b.y1 = fmax(b.y1, q->b);
            }
        }
        if (is_page_frame(w, nh, nv, b)) {
            frame[i] = 1;
            frames++;
        } else if (nh >= 2 && nv >= 2 && maxh >= set->frame_min_width &&
                   maxv >= set->frame_min_height &&
                   !push_region(&w->reg, &w->n_reg, &w->cap_reg, b, 1)) {
            free(par);
            free(frame);
            return FT_ERR_NOMEM;
        }
    }
    if (frames)
        drop_rules(w, par, frame);
    free(par);
    free(frame);
    return FT_OK;
}

/* 1 when line l lies in a ruled region found so far. */
static int
in_ruled_region(const region_work *w, const ft_line *l)
{
    size_t k;
    for (k = 0; k < w->n_reg; k++)
        if (centre_in(w->reg[k].box, l->box))
            return 1;
    return 0;
}

/* 1 when s holds a page number as running heads and feet print it:
 * "Page 3 of 14", "Página 12 de 14", "第 3 页", "- 3 -". */
static int
is_page_number(const char *s)
{
    static const char *const word[] = {"Page ", "page ", "PAGE ",
                                       "Página ", "Pagina ", "Seite "};
    const char *p;
    size_t i;
    for (i = 0; i < sizeof word / sizeof word[0]; i++) {
        p = strstr(s, word[i]);
        if (p && p[strlen(word[i])] >= '0' && p[strlen(word[i])] <= '9')
            return 1;
    }
    p = strstr(s, "第");
    if (p) {
        p += strlen("第");
        while (*p == ' ')
            p++;
        if (*p >= '0' && *p <= '9') {
            while ((*p >= '0' && *p <= '9') || *p == ' ')
                p++;
            if (!strncmp(p, "页", strlen("页")) ||
                !strncmp(p, "頁", strlen("頁")))
                return 1;
        }
    }
    p = s;
    if (*p == '-') {
        p++;
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        while (*p == ' ')
            p++;
        return *p == '-' && p[1] == 0;
    }
    return 0;
}

/* 1 when line l may start a block of table lines: it has two or more
 * segments and, on a scan, is not a title or unit line OCR cut up. */
static ft_status
starts_block(const region_work *w, size_t l, int *yes)
{
    const ft_layout *L = w->L;
    const ft_line *ln = &L->lines[l];
    char *t;
    *yes = 0;
    if (in_ruled_region(w, ln) || ln->ns < 2)
        return FT_OK;
    t = line_text(L, ln);
    if (!t)
        return FT_ERR_NOMEM;
    /* a running head or foot with a page number is no table row; on a
     * scan, OCR can split a title or the unit line into pieces: a line
     * of metadata, or large type naming a 表, does not start a table */
    *yes = !is_page_number(t) &&
           !(w->page->ocr && l + 1 < L->n_lines &&
             (is_meta_text(t) ||
              (has(t, "表") && ln->size > 1.3 * L->lines[l + 1].size)));
    free(t);
    return FT_OK;
}

/* 1 when a line reads as a footnote under a table ("* Significance",
 * "Note:", "Source:", "See notes", 注, 说明, 资料来源). */
static int
is_footnote(const char *t)
{
    static const char *const lead[] = {"*", "†", "‡", "注", "说明", "說明",
                                       "资料来源", "資料來源", "数据来源",
                                       "Note", "NOTE", "Source", "SOURCE",
                                       "See "};
    size_t i;
    for (i = 0; i < sizeof lead / sizeof lead[0]; i++)
        if (!strncmp(t, lead[i], strlen(lead[i])))
            return 1;
    return 0;
}

/* 1 when segment s lines up with a column of the block's lines [start,
 * end]: its left or right edge is where a segment of a table line (two
 * or more segments) starts or ends, and it does not reach into a cell of
 * a data line to the right of where it starts (prose runs over columns;
 * a header label may span them), and it is narrower than lone_max_share
 * of the block. */
static int
aligned_with_block(const region_work *w, size_t start, size_t end,
                   const ft_seg *s)
{
    const ft_layout *L = w->L;
    double tol = w->set->align_tolerance, bx0 = 1e18, bx1 = -1e18;
    size_t k, j;
    int aligned = 0;
    for (k = start; k <= end; k++) {
        const ft_line *ln = &L->lines[k];
        int data = 0;
        if (ln->ns < 2)
            continue;
        bx0 = fmin(bx0, ln->box.x0);
        bx1 = fmax(bx1, ln->box.x1);
        for (j = 0; j < ln->ns; j++)
            data |= L->segs[ln->s0 + j].numeric;
        for (j = 0; j < ln->ns; j++) {
            const ft_seg *q = &L->segs[ln->s0 + j];
            if (fabs(q->box.x0 - s->box.x0) <= tol ||
                fabs(q->box.x1 - s->box.x1) <= tol)
                aligned = 1;
            /* a data line's cell further right that s runs into */
            if (data && q->box.x0 > s->box.x0 + tol &&
                s->box.x1 > q->box.x0 + tol &&
                fabs(q->box.x1 - s->box.x1) > tol)
                return 0;
        }
    }
    /* a lone cell, not a line of prose across the table */
    return aligned &&
           s->box.x1 - s->box.x0 <= w->set->lone_max_share * (bx1 - bx0);
}

/* 1 when line l reads as one run of text: its segments (split where a
 * number meets words) are no further apart than a word space. */
static int
is_continuous(const region_work *w, const ft_line *l)
{
    const ft_layout *L = w->L;
    size_t j;
    for (j = 1; j < l->ns; j++) {
        const ft_seg *a = &L->segs[l->s0 + j - 1], *b = &L->segs[l->s0 + j];
        if (b->box.x0 - a->box.x1 > w->set->word_gap_em * l->size)
            return 0;
    }
    return 1;
}

/* 1 when line l is wider than lone_max_share of the block [start, end]
 * (too wide for a label alone on its row). */
static int
wide_line(const region_work *w, size_t start, size_t end, const ft_line *l)
{
    double x0 = 1e18, x1 = -1e18;
    size_t k;
    for (k = start; k <= end; k++) {
        x0 = fmin(x0, w->L->lines[k].box.x0);
        x1 = fmax(x1, w->L->lines[k].box.x1);
    }
    return l->box.x1 - l->box.x0 > w->set->lone_max_share * (x1 - x0);
}

/* 1 when segment s runs across two cells of one data line (a line with
 * a number) of the block [start, end]. */
static int
crosses_cells(const region_work *w, size_t start, size_t end,
              const ft_seg *s)
{
    const ft_layout *L = w->L;
    double tol = w->set->align_tolerance;
    size_t k, j;
    for (k = start; k <= end; k++) {
        const ft_line *ln = &L->lines[k];
        size_t over = 0, nums = 0;
        for (j = 0; j < ln->ns; j++)
            nums += L->segs[ln->s0 + j].numeric;
        if (ln->ns < 2 || nums == 0)
            continue;
        for (j = 0; j < ln->ns; j++) {
            const ft_seg *q = &L->segs[ln->s0 + j];
            if (q->box.x0 < s->box.x1 - tol && q->box.x1 > s->box.x0 + tol)
                over++;
        }
        if (over >= 2)
            return 1;
    }
    return 0;
}

/* 1 when line end + 1 continues the block [start, end]: close enough,
 * outside ruled regions, and a one-segment line (a wrapped label, a
 * section row, a row whose other cells are empty) only when close to the
 * line before and either lined up with the block's columns or followed
 * soon by a table line. */
static ft_status
continues_block(const region_work *w, size_t start, size_t end, int *yes)
{
    const ft_table_settings *set = w->set;
    const ft_layout *L = w->L;
    const ft_line *nx = &L->lines[end + 1];
    double gap = nx->box.y0 - L->lines[end].box.y1;
    size_t q, found = 0;
    char *t;
    *yes = 0;
    if (gap > set->block_gap_em * nx->size + set->block_gap_pad ||
        in_ruled_region(w, nx))
        return FT_OK;
    t = line_text(L, nx);
    if (!t)
        return FT_ERR_NOMEM;
    if (is_page_number(t)) { /* a running foot ends the table */
        free(t);
        return FT_OK;
    }
    free(t);
    /* a line of running text across the cells of a data line: a
     * paragraph under the table (one segment over half its width, or
     * split only where a number meets words) */
    if ((nx->ns >= 2 && is_continuous(w, nx)) ||
        (nx->ns == 1 && wide_line(w, start, end, nx)))
        for (q = 0; q < nx->ns; q++)
            if (crosses_cells(w, start, end, &L->segs[nx->s0 + q]))
                return FT_OK;
    if (nx->ns >= 2) {
        *yes = 1;
        return FT_OK;
    }
    if (gap > set->single_gap_em * nx->size)
        return FT_OK;
    /* a label alone on its row (its amounts empty, or a section row);
     * a lone number or turned text is a chart's axis, not a row */
    if (!L->segs[nx->s0].numeric && !L->segs[nx->s0].up &&
        !is_footnote(L->segs[nx->s0].text) &&
        aligned_with_block(w, start, end, &L->segs[nx->s0]))
        found = end + 1;
    for (q = end + 2; !found && q < L->n_lines &&
                      (double)q <= (double)end + 1 + set->single_lookahead;
         q++)
        if (L->lines[q].ns >= 2) {
            found = q;
            break;
        }
    if (!found || (found > end + 1 &&
                   L->lines[found].box.y0 - nx->box.y1 >
                       (double)(found - end) * set->single_lookahead_em *
                           nx->size))
        return FT_OK;
    t = line_text(L, nx);
    if (!t)
        return FT_ERR_NOMEM;
    *yes = !is_meta_text(t);
    free(t);
    return FT_OK;
}

/* 1 when line start is a title or unit line that split into segments,
 * or the "元" of a "单位：万" wrapped onto the next line. */
static ft_status
is_leading_meta(const region_work *w, size_t start, int *yes)
{
    const ft_layout *L = w->L;
    char *t = line_text(L, &L->lines[start]);
    int meta;
    if (!t)
        return FT_ERR_NOMEM;
    meta = is_meta_text(t) && !has(t, "合计");
    /* OCR reads that lone 元 as anything ("儿", "J U"): on a scan, any
     * short mark under the end of the unit line */
    if (!meta && start > 0 &&
        (!strcmp(t, "元") ||
         (w->page->ocr && compact_len(t) <= 3 &&
          L->lines[start].box.x0 >
              L->lines[start - 1].box.x1 - 4 * L->lines[start - 1].size))) {
        char *u = line_text(L, &L->lines[start - 1]);
        if (!u) {
            free(t);
            return FT_ERR_NOMEM;
        }
        meta = (has(u, "单位") || has(u, "單位")) &&
               (!strcmp(t, "元") || bare_unit_end(u));
        free(u);
    }
    free(t);
    *yes = meta;
    return FT_OK;
}

/* The block of lines [start, end] as a region, when enough of them are
 * table lines; widened to the horizontal rules that frame it (a
 * three-line table). */
/* 1 when lines [start, end] are the last rows of a table carried over
 * to this page: lines of figures only (ft_line_of_figures), the first
 * such lines of the page. Too few to pass for a table on their own,
 * they make one that stitching can join to the table before. */
static int
carried_rows(const region_work *w, size_t start, size_t end)
{
    size_t k;
    for (k = 0; k < start; k++)
        if (ft_line_of_figures(w->L, k))
            return 0;
    for (k = start; k <= end; k++)
        if (!ft_line_of_figures(w->L, k))
            return 0;
    return 1;
}

static ft_status
push_block(region_work *w, size_t start, size_t end)
{
    const ft_table_settings *set = w->set;
    const ft_layout *L = w->L;
    const ft_line *ln = &L->lines[start];
    ft_box b = ln->box;
    size_t k, tablines = 0;
    int meta = 1;
    for (k = start; k <= end; k++) {
        size_t s, nums = 0;
        const ft_line *x = &L->lines[k];
        for (s = 0; s < x->ns; s++)
            nums += L->segs[x->s0 + s].numeric;
        if (x->ns >= 3 || (x->ns >= 2 && nums >= 1))
            tablines++;
        b.x0 = fmin(b.x0, x->box.x0);
        b.x1 = fmax(b.x1, x->box.x1);
        b.y1 = fmax(b.y1, x->box.y1);
    }
    while (start < end && meta) {
        ft_status st = is_leading_meta(w, start, &meta);
        if (st != FT_OK)
            return st;
        if (meta)
            start++;
    }
    b.y0 = L->lines[start].box.y0;
    if (((double)tablines < set->min_table_lines || end <= start + 1) &&
        !carried_rows(w, start, end))
        return FT_OK;
    for (k = 0; k < w->n_rules; k++) {
        const ft_rule *q = &w->rules[k];
        double reach = set->frame_rule_reach_em * ln->size;
        if (q->dir != 'h' || q->a > b.x0 + set->frame_rule_slack ||
            q->b < b.x1 - set->frame_rule_slack)
            continue;
        if (q->pos < b.y0 && q->pos > b.y0 - reach)
            b.y0 = q->pos;
        if (q->pos > b.y1 && q->pos < b.y1 + reach)
            b.y1 = q->pos;
    }
    return push_region(&w->reg, &w->n_reg, &w->cap_reg, b, 0)
               ? FT_OK
               : FT_ERR_NOMEM;
}

/* The first line of the block [start, end] with the lines just above it
 * that head one of its columns: a single label in the block's type, close
 * above, lined up with a column other than at the block's left edge
 * ("Combined" over "weighted rate"), and no title, unit, note or page
 * number. Lines before limit belong to the block before. */
static size_t
header_above(const region_work *w, size_t start, size_t end, size_t limit)
{
    const ft_layout *L = w->L;
    while (start > limit) {
        const ft_line *ln = &L->lines[start - 1], *first = &L->lines[start];
        const ft_seg *s = &L->segs[ln->s0];
        char *t;
        int meta;
        /* a line at the block's left edge is a title or a heading */
        if (ln->ns != 1 || s->numeric || s->up || in_ruled_region(w, ln) ||
            first->box.y0 - ln->box.y1 > w->set->single_gap_em * ln->size ||
            fabs(ln->size - first->size) >
                w->set->same_size_share * first->size ||
            s->box.x0 <= first->box.x0 + w->set->align_tolerance ||
            !aligned_with_block(w, start, end, s))
            break;
        t = line_text(L, ln);
        if (!t)
            break;
        meta = is_meta_text(t) || is_page_number(t) || is_footnote(t);
        free(t);
        if (meta)
            break;
        start--;
    }
    return start;
}

/* Unruled regions: runs of lines with several segments. */
static ft_status
unruled_regions(region_work *w)
{
    size_t l = 0, end, prev_end = 0;
    while (l < w->L->n_lines) {
        int yes;
        ft_status st = starts_block(w, l, &yes);
        if (st != FT_OK)
            return st;
        if (!yes) {
            l++;
            continue;
        }
        for (end = l; end + 1 < w->L->n_lines; end++) {
            st = continues_block(w, l, end, &yes);
            if (st != FT_OK)
                return st;
            if (!yes)
                break;
        }
        st = push_block(w, header_above(w, l, end, prev_end), end);
        if (st != FT_OK)
            return st;
        prev_end = end + 1;
        l = end + 1;
    }
    return FT_OK;
}

/* Regions top to bottom, then left to right. */
static ft_status
order_regions(region_work *w)
{
    size_t i, j;
    for (i = 1; i < w->n_reg; i++)
        for (j = i; j > 0; j--) {
            region *a = &w->reg[j - 1], *b = &w->reg[j], t;
            int swap = b->box.y0 < a->box.y0 - 5 ||
                       (fabs(b->box.y0 - a->box.y0) <= 5 &&
                        b->box.x0 < a->box.x0);
            if (!swap)
                break;
            t = *a;
            *a = *b;
            *b = t;
        }
    return FT_OK;
}

/* The grid of region i, from its segments and the rules near it. */
static ft_status
region_grid(region_work *w, size_t i, ft_table *t)
{
    const ft_layout *L = w->L;
    size_t n_sel = 0, n_rr = 0, k;
    ft_rule *rr;
    ft_status st;
    for (k = 0; k < L->n_segs; k++)
        if (centre_in(w->reg[i].box, L->segs[k].box))
            w->sel[n_sel++] = k;
    rr = malloc((w->n_rules ? w->n_rules : 1) * sizeof *rr);
    if (!rr)
        return FT_ERR_NOMEM;
    for (k = 0; k < w->n_rules; k++) {
        const ft_rule *q = &w->rules[k];
        ft_box rb;
        if (q->dir == 'h') {
            rb.x0 = q->a;
            rb.x1 = q->b;
            rb.y0 = rb.y1 = q->pos;
        } else {
            rb.y0 = q->a;
            rb.y1 = q->b;
            rb.x0 = rb.x1 = q->pos;
        }
        if (overlaps(w->reg[i].box, rb, 2))
            rr[n_rr++] = *q;
    }
    st = ft_grid_build(L, w->sel, n_sel, rr, n_rr, w->reg[i].box,
                       w->page->number, w->set, t);
    free(rr);
    return st;
}

/* Title, label, entity and unit from one line above a table. */
static ft_status
meta_from_line(region_work *w, size_t li, ft_table *t, int *any)
{
    const ft_layout *L = w->L;
    const ft_line *ln = &L->lines[li];
    int had_title = t->title != NULL;
    size_t s;
    *any = 0;
    if (w->page->ocr && !had_title && ln->ns > 1) {
        /* a title OCR cut in pieces is still one line */
        char *whole = line_text(L, ln);
        if (!whole)
            return FT_ERR_NOMEM;
        if (!has(whole, "单位") && !has(whole, "部门") && has(whole, "表") &&
            !has(whole, "。") && !has(whole, "，")) {
            *any |= take_meta(t, whole, 1);
            if (t->title)
                t->title_box = ln->box;
        }
        free(whole);
    }
    for (s = 0; s < ln->ns; s++) {
        int before = t->title != NULL;
        *any |= take_meta(t, L->segs[ln->s0 + s].text, 1);
        if (!before && t->title)
            t->title_box = L->segs[ln->s0 + s].box;
    }
    if (!had_title && !t->title && t->label && !strcmp(t->label, "表") &&
        li > 0) {
        /* a title wrapped so that "表" is alone on a line */
        free(t->label);
        t->label = NULL;
        t->title = title_above(L, li, w->page->ocr);
    }
    if (!had_title && t->title && li > 0) {
        char *was = t->title;
        join_title_above(L, li, t, w->page->ocr);
        if (t->title != was) /* two lines: the box of both */
            t->title_box.y0 = L->lines[li - 1].box.y0;
    }
    return FT_OK;
}

/* Metadata of region i: the lines above it (up to the region before)
 * and a note below it. */
static ft_status
region_meta(region_work *w, size_t i, ft_table *t, double *top_limit)
{
    const ft_layout *L = w->L;
    ft_box box = w->reg[i].box;
    double bottom_limit = w->page->height;
    size_t k, li;
    *top_limit = 0;
    for (k = 0; k < w->n_reg; k++) {
        ft_box o = w->reg[k].box;
        if (k == i || o.x1 < box.x0 || o.x0 > box.x1)
            continue;
        if (o.y1 <= box.y0 + 2 && o.y1 > *top_limit)
            *top_limit = o.y1;
        if (o.y0 >= box.y1 - 2 && o.y0 < bottom_limit)
            bottom_limit = o.y0;
    }
    for (li = L->n_lines; li-- > 0;) {
        const ft_line *ln = &L->lines[li];
        int any;
        ft_status st;
        if (ln->box.y1 > box.y0 + 1 || ln->box.y0 < *top_limit)
            continue;
        if (box.y0 - ln->box.y1 > w->set->title_reach_em * ln->size)
            break;
        st = meta_from_line(w, li, t, &any);
        if (st != FT_OK)
            return st;
        /* narrative above the title ends the search */
        if (!any && t->title)
            break;
    }
    for (li = 0; li < L->n_lines; li++) {
        const ft_line *ln = &L->lines[li];
        char *txt;
        if (ln->box.y0 < box.y1 - 1 || ln->box.y1 > bottom_limit)
            continue;
        if (ln->box.y0 - box.y1 > w->set->note_reach_em * ln->size)
            break;
        txt = line_text(L, ln);
        if (!txt)
            return FT_ERR_NOMEM;
        if (strncmp(txt, "注", 3) == 0 || has(txt, "本表无数据"))
            take_meta(t, txt, 0);
        free(txt);
        break;
    }
    return FT_OK;
}

/* 1 when a grid is not a table: two columns of text with no title or
 * unit (prose), a table of contents with dot leaders (cut in many
 * columns where OCR read the dots as letters), sentences, mixed text,
 * or a chart's labels or gridlines. */
static int
not_a_table(const region_work *w, const ft_table *t)
{
    return (!t->ruled && t->n_cols <= 2 && !t->unit &&
            (!t->title || is_contents(t, 0))) ||
           (!t->ruled && !t->unit && is_contents(t, 1)) ||
           (w->page->ocr && !t->ruled && mostly_sentences(t)) ||
           (!t->ruled && mostly_prose(t)) ||
           (!t->ruled && mostly_mixed(t)) ||
           (!t->title && !t->note && (chart_like(w->set, t) || sparse_grid(t)));
}

/* Each region's table: grid, surroundings, checks that it is one. */
static ft_status
region_tables(region_work *w)
{
    size_t i;
    for (i = 0; i < w->n_reg; i++) {
        ft_table t;
        double top_limit;
        ft_status st = region_grid(w, i, &t);
        if (st != FT_OK)
            return st;
        if (t.n_rows == 0 || t.n_cols == 0 ||
            (!w->reg[i].ruled && t.n_cols < 2)) {
            /* one column of text is prose, not a table */
            ft_table_clear(&t);
            continue;
        }
        st = region_meta(w, i, &t, &top_limit);
        if (st != FT_OK) {
            ft_table_clear(&t);
            return st;
        }
        strip_inner_meta(&t);
        trim_empty(&t);
        if (not_a_table(w, &t)) {
            ft_table_clear(&t);
            continue;
        }
        strip_leaders(&t);
        trim_empty(&t);
        if (!t.title) /* no 表 title: the largest line just above */
            t.title = largest_above(w->L, w->reg[i].box, top_limit);
        if (ft_table_list_push(w->out, &t) != FT_OK) {
            ft_table_clear(&t);
            return FT_ERR_NOMEM;
        }
    }
    return FT_OK;
}

/* A title at the foot of the page with no table under it: its table
 * starts on the next page. Kept as an empty table that stitching joins
 * to the next page's first, untitled table. */
static ft_status
title_at_foot(region_work *w)
{
    const ft_page *page = w->page;
    const ft_layout *L = w->L;
    double below = 0;
    size_t i, li, first = L->n_lines;
    ft_table t;
    for (i = 0; i < w->n_reg; i++)
        below = fmax(below, w->reg[i].box.y1);
    for (li = 0; li < L->n_lines; li++)
        if (L->lines[li].box.y0 > below) {
            first = li;
            break;
        }
    memset(&t, 0, sizeof t);
    for (li = first; li < L->n_lines; li++) {
        const ft_line *ln = &L->lines[li];
        double cx = (ln->box.x0 + ln->box.x1) / 2;
        char *txt = line_text(L, ln);
        size_t k;
        if (!txt) {
            ft_table_clear(&t);
            return FT_ERR_NOMEM;
        }
        /* a title, not a line of fields ("制表人：王五" among others) */
        if (!t.title && strstr(txt, "表") && !strstr(txt, "。") &&
            !(ln->ns >= 2 && (has(txt, "：") || has(txt, ":"))) &&
            fabs(cx - page->width / 2) < 0.15 * page->width &&
            ln->box.y0 > 0.5 * page->height)
            take_meta(&t, txt, 1);
        else if (t.title)
            for (k = 0; k < ln->ns; k++)
                take_meta(&t, L->segs[ln->s0 + k].text, 1);
        free(txt);
    }
    if (!t.title) {
        ft_table_clear(&t);
        return FT_OK;
    }
    t.page_first = t.page_last = page->number;
    if (ft_table_list_push(w->out, &t) != FT_OK) {
        ft_table_clear(&t);
        return FT_ERR_NOMEM;
    }
    return FT_OK;
}

/* The phases, in order. */
static const struct region_phase {
    const char *name;
    ft_status (*run)(region_work *w);
} region_phases[] = {
    {"rules merged", merge_rules},
    {"ruled regions", ruled_regions},
    {"unruled regions", unruled_regions},
    {"reading order", order_regions},
    {"tables", region_tables},
    {"title at the foot", title_at_foot},
};

ft_status
ft_page_tables(const ft_page *page, const ft_layout *L,
               const ft_table_settings *set, ft_table_list *out)
{
    region_work w;
    ft_status st = FT_OK;
    size_t i;
    if (L->n_segs == 0)
        return FT_OK;
    memset(&w, 0, sizeof w);
    w.page = page;
    w.L = L;
    w.set = set ? set : ft_settings_default();
    w.out = out;
    w.sel = malloc(L->n_segs * sizeof *w.sel);
    if (!w.sel)
        st = FT_ERR_NOMEM;
    for (i = 0; i < sizeof region_phases / sizeof region_phases[0]; i++) {
        if (st != FT_OK)
            break;
        st = region_phases[i].run(&w);
    }
    free(w.rules);
    free(w.reg);
    free(w.sel);
    return st;
}
