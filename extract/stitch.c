/*
 * stitch.c - tables that run over a page break become one table.
 *
 * The first table of a page continues the last table of the page before
 * when it has no title of its own and the same number of columns, or
 * when it repeats the title and the whole header over the same columns.
 * When it starts with a copy of the header rows, the copy is dropped.
 * A table printed across two facing pages (the row labels on the left,
 * more columns of figures for the same rows on the right) is joined
 * side by side.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "extract.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* How far apart two cells' texts are: 0 when they print the same (both
 * empty counts), the characters to change when both were read by OCR
 * (two read in each other's place, 项目称名, count one), -1 otherwise.
 * *len gets the longer one's length. */
static long
text_distance(const ft_cell *a, const ft_cell *b, size_t *len)
{
    uint32_t x[64], y[64];
    size_t nx, ny;
    *len = 0;
    if (!a->text || !b->text)
        return !a->text && !b->text ? 0 : -1;
    nx = ft_code_points(a->text, x, 64);
    if (strcmp(a->text, b->text) == 0) {
        *len = nx;
        return 0;
    }
    if (!a->ocr || !b->ocr)
        return -1;
    ny = ft_code_points(b->text, y, 64);
    *len = nx > ny ? nx : ny;
    if (nx == ny) {
        size_t i = 0;
        while (i < nx && x[i] == y[i])
            i++;
        if (i + 1 < nx && x[i] == y[i + 1] && x[i + 1] == y[i] &&
            !memcmp(x + i + 2, y + i + 2, (nx - i - 2) * sizeof *x))
            return 1;
    }
    return (long)ft_edit_distance(x, nx, y, ny);
}

/* Number of leading rows of `next` that repeat the header of `prev`. A
 * header read twice by OCR may differ in a character in four over the
 * header ("2023年合让"; 国有资本经营预算 read short twice over), but in no
 * cell by more than half of it. */
static int
repeated_header(const ft_table *prev, const ft_table *next)
{
    int r, c, h = prev->n_header_rows;
    size_t total = 0, len;
    long d, dist = 0;
    /* next's own header rows may be fewer: a header read again by OCR
     * can lose a row's separation; the text decides */
    if (h == 0 || next->n_rows < h ||
        (next->n_header_rows < h && !FT_CELL(next, 0, 0)->ocr &&
         !FT_CELL(next, 0, prev->n_cols - 1)->ocr))
        return 0;
    for (r = 0; r < h; r++)
        for (c = 0; c < prev->n_cols; c++) {
            d = text_distance(FT_CELL(prev, r, c), FT_CELL(next, r, c), &len);
            if (d < 0 || (d > 0 && (size_t)d * 2 > (len > 2 ? len : 2)))
                return 0;
            dist += d;
            total += len;
        }
    return (size_t)dist <= (total / 4 > 1 ? total / 4 : 1) ? h : 0;
}

/* Appends rows [from, next->n_rows) of next to prev; moves the text. */
static ft_status
append_rows(ft_table *prev, ft_table *next, int from)
{
    size_t w = (size_t)prev->n_cols;
    size_t add = (size_t)(next->n_rows - from);
    ft_cell *cells;
    size_t i;

    cells = realloc(prev->cells,
                    ((size_t)prev->n_rows + add) * w * sizeof *cells);
    if (!cells)
        return FT_ERR_NOMEM;
    prev->cells = cells;
    memcpy(cells + (size_t)prev->n_rows * w,
           next->cells + (size_t)from * w, add * w * sizeof *cells);
    for (i = 0; i < add * w; i++)
        next->cells[(size_t)from * w + i].text = NULL;
    /* a span cannot reach across the break: clear covered flags of the
     * first appended row that pointed at the dropped header */
    for (i = 0; add > 0 && i < w; i++) {
        ft_cell *c = &cells[(size_t)prev->n_rows * w + i];
        if (c->covered && from > 0 && next->n_header_rows > from)
            c->covered = 0;
    }
    prev->n_rows += (int)add;
    prev->page_last = next->page_last;
    prev->box = next->box;
    if (!prev->note && next->note) {
        prev->note = next->note;
        next->note = NULL;
    }
    return FT_OK;
}

/*
 * Maps the column edges of next onto those of prev: map[j] is the prev
 * column where next's column j starts. Returns 1 when every edge of next
 * matches an edge of prev (next's columns are unions of prev's, as when
 * a sparse continuation page lacks some rules).
 */
static int
map_columns(const ft_table *prev, const ft_table *next, int *map)
{
    int j, m = 0;
    if (!prev->col_x || !next->col_x)
        return 0;
    for (j = 0; j <= next->n_cols; j++) {
        double x = next->col_x[j];
        while (m <= prev->n_cols && prev->col_x[m] < x - 4)
            m++;
        if (m > prev->n_cols || fabs(prev->col_x[m] - x) > 4)
            return 0;
        map[j] = m;
    }
    return map[0] == 0 && map[next->n_cols] == prev->n_cols;
}

/* qsort comparator for doubles. */
static int
cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Maps next's columns onto prev's by where their text sits: map[j] is
 * the prev column holding the median centre of column j's printed text. For an
 * unruled continuation page whose empty columns left no trace, its edges
 * come from its own text and match nothing. Returns 1 when the columns
 * with text land in distinct prev columns, in order.
 */
static int
map_columns_by_text(const ft_table *prev, const ft_table *next, int *map)
{
    int j, r, last = -1, any = 0;
    double *cx;
    if (!prev->col_x || next->n_rows <= 0)
        return 0;
    cx = malloc((size_t)next->n_rows * sizeof *cx);
    if (!cx)
        return 0;
    for (j = 0; j < next->n_cols; j++) {
        int n = 0, m;
        double mid;
        for (r = 0; r < next->n_rows; r++) {
            const ft_cell *c = FT_CELL(next, r, j);
            if (c->text && !c->covered && c->colspan == 1)
                cx[n++] = c->tx1 > c->tx0 ? (c->tx0 + c->tx1) / 2
                                          : (c->box.x0 + c->box.x1) / 2;
        }
        map[j] = -1;
        if (n == 0)
            continue;
        qsort(cx, (size_t)n, sizeof *cx, cmp_dbl);
        mid = cx[n / 2];
        for (m = 0; m < prev->n_cols; m++)
            if (mid >= prev->col_x[m] && mid < prev->col_x[m + 1])
                break;
        if (m == prev->n_cols || m <= last) {
            free(cx);
            return 0;
        }
        map[j] = last = m;
        any = 1;
    }
    free(cx);
    if (!any)
        return 0;
    /* columns without text go just after the column before them */
    for (j = 0, last = -1; j < next->n_cols; j++) {
        if (map[j] < 0)
            map[j] = last + 1 < prev->n_cols ? last + 1 : prev->n_cols - 1;
        if (map[j] < last)
            map[j] = last;
        last = map[j];
    }
    map[next->n_cols] = prev->n_cols;
    return 1;
}

/* Appends next's rows to prev through a column map; moves the text. A
 * column of next spans the prev columns up to the next one's start when
 * spans is 1 (edges matched: a missing rule joins columns); otherwise
 * only a cell that spans columns in next does. */
static ft_status
append_mapped(ft_table *prev, ft_table *next, const int *map, int spans)
{
    size_t w = (size_t)prev->n_cols, add = (size_t)next->n_rows, i;
    ft_cell *cells = realloc(prev->cells,
                             ((size_t)prev->n_rows + add) * w * sizeof *cells);
    int r, j, c;
    if (!cells)
        return FT_ERR_NOMEM;
    prev->cells = cells;
    for (r = 0; r < next->n_rows; r++) {
        ft_cell *row = cells + ((size_t)prev->n_rows + (size_t)r) * w;
        memset(row, 0, w * sizeof *row);
        for (i = 0; i < w; i++) {
            row[i].rowspan = row[i].colspan = 1;
            row[i].page = next->page_last;
        }
        for (j = 0; j < next->n_cols; j++) {
            ft_cell *src = FT_CELL(next, r, j);
            ft_cell *dst = &row[map[j]];
            if (src->covered) {
                for (c = map[j]; c < map[j + 1]; c++)
                    row[c].covered = 1;
                continue;
            }
            if (!src->text && !spans)
                continue; /* an empty column of next: nothing to move */
            *dst = *src;
            src->text = NULL;
            /* a column span in next covers the prev columns it spans */
            dst->colspan = spans || src->colspan > 1
                               ? map[j + src->colspan] - map[j]
                               : 1;
            if (dst->colspan < 1)
                dst->colspan = 1;
            for (c = map[j] + 1; c < map[j] + dst->colspan; c++)
                row[c].covered = 1;
        }
    }
    prev->n_rows += (int)add;
    prev->page_last = next->page_last;
    prev->box = next->box;
    return FT_OK;
}

/* 1 when column c of t's body holds figures in most of its filled
 * cells (a column of amounts). */
static int
figure_column(const ft_table *t, int c)
{
    int r, figures = 0, filled = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        const char *x = FT_CELL(t, r, c)->text;
        if (!x)
            continue;
        filled++;
        figures += ft_is_figure(x);
    }
    return figures > 0 && figures * 2 >= filled;
}

/* 1 when next heads its columns with labels of its own: a header row
 * with text in two or more columns, one of them over a column of
 * amounts, that does not repeat prev's header. A table so headed after
 * a page break is another table (a section heading the region finder
 * did not take for a title), not the rest of prev. Labels over label
 * columns only (a 收支总表's two blocks both naming a line with empty
 * amounts) head nothing. */
static int
own_header(const ft_table *prev, const ft_table *next)
{
    int r, c;
    if (prev->n_header_rows == 0 || next->n_header_rows == 0 ||
        next->n_header_rows >= next->n_rows || repeated_header(prev, next) > 0)
        return 0;
    for (r = 0; r < next->n_header_rows; r++) {
        int filled = 0, over_figures = 0;
        for (c = 0; c < next->n_cols; c++) {
            if (!FT_CELL(next, r, c)->text)
                continue;
            filled++;
            over_figures += figure_column(next, c);
        }
        if (filled >= 2 && over_figures > 0)
            return 1;
    }
    return 0;
}

/* 1 when a and b are both NULL or print the same. */
static int
same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* 1 when next is prev's next page printed again under the same title:
 * same title, label, entity and unit, the same columns, and a header
 * that repeats prev's whole (budgets that reprint the table's head on
 * every page, as Traditional-character budgets do), with no total
 * between them. Another table of the same name for another unit names
 * another entity, or ends on or starts with its own total. */
/* 1 when row r of t is a total: 合计, 总计, 合計 or 總計 in its first
 * two cells (spaces inside allowed). */
static int
total_row(const ft_table *t, int r)
{
    static const char *const words[] = {"合计", "总计", "合計", "總計"};
    int c;
    size_t k;
    if (r < 0 || r >= t->n_rows)
        return 0;
    for (c = 0; c < t->n_cols && c < 2; c++) {
        const char *x = FT_CELL(t, r, c)->text;
        char folded[64];
        size_t n = 0;
        for (; x && *x && n + 1 < sizeof folded; x++)
            if (*x != ' ')
                folded[n++] = *x;
        folded[n] = 0;
        for (k = 0; k < sizeof words / sizeof *words; k++)
            if (strstr(folded, words[k]))
                return 1;
    }
    return 0;
}

static int
repeats_title(const ft_table *prev, const ft_table *next)
{
    /* a table that ended on its total, or a page that starts with one,
     * is whole: the same table again for another unit, not the rest */
    if (total_row(prev, prev->n_rows - 1) ||
        total_row(next, prev->n_header_rows))
        return 0;
    return prev->title && next->title && same_text(prev->title, next->title) &&
           same_text(prev->label, next->label) &&
           same_text(prev->entity, next->entity) &&
           (!next->unit || same_text(prev->unit, next->unit)) &&
           prev->page_last == next->page_first - 1 &&
           prev->n_cols == next->n_cols && prev->n_header_rows > 0 &&
           next->n_rows > prev->n_header_rows &&
           repeated_header(prev, next) == prev->n_header_rows;
}

/* 1 when cell text x is a figure or a blank mark ("-", "－", "—"). */
static int
figure_or_blank(const char *x)
{
    const char *p = x;
    while (*p == '-' || !strncmp(p, "－", 3) || !strncmp(p, "—", 3))
        p += *p == '-' ? 1 : 3;
    return !*p || ft_is_figure(x);
}

/* 1 when t's body holds figures and nothing else (no row labels), and
 * at least one figure. */
static int
figures_only(const ft_table *t)
{
    int r, c, any = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const char *x = FT_CELL(t, r, c)->text;
            if (!x)
                continue;
            if (!figure_or_blank(x))
                return 0;
            any |= ft_is_figure(x);
        }
    return any;
}

/* 1 when title s ends with 表: a Chinese title that is whole. */
static int
whole_title(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 3 && strcmp(s + n - 3, "表") == 0;
}

/* 1 when next is the right-hand page of a table printed across two
 * facing pages: on the page after, with no title of its own (none, the
 * same, or the end of a title the left-hand page breaks off), as many
 * body rows, and its body all figures (the row labels are on the
 * left-hand page, which has some). */
static int
facing_page(const ft_table *prev, const ft_table *next)
{
    int body = prev->n_rows - prev->n_header_rows;
    int titled = next->title && !same_text(prev->title, next->title) &&
                 !(prev->title && !whole_title(prev->title) &&
                   whole_title(next->title));
    return !titled && prev->page_last == next->page_first - 1 && body > 0 &&
           next->n_rows - next->n_header_rows == body && !figures_only(prev) &&
           figures_only(next);
}

/* 1 when column c of t holds nothing at all (no text, no span). */
static int
empty_column(const ft_table *t, int c)
{
    int r;
    for (r = 0; r < t->n_rows; r++) {
        const ft_cell *x = FT_CELL(t, r, c);
        if (x->text || x->covered || x->colspan > 1)
            return 0;
    }
    return 1;
}

/* Copies t's cells into the grid g (h header rows, then the body;
 * width w) at column off, moving the text. A header shorter than h is
 * set at the top, its last row's cells reaching down to the body. */
static void
place_half(ft_cell *g, int h, int w, ft_table *t, int off, const int *keep)
{
    int r, c, j = 0, th = t->n_header_rows;
    for (c = 0; c < t->n_cols; c++) {
        if (!keep[c])
            continue;
        for (r = 0; r < t->n_rows; r++) {
            int to = r < th ? r : r - th + h;
            ft_cell *x = FT_CELL(t, r, c);
            g[(size_t)to * (size_t)w + (size_t)(off + j)] = *x;
            x->text = NULL;
        }
        for (r = th; r < h; r++) {
            ft_cell *x = &g[(size_t)r * (size_t)w + (size_t)(off + j)];
            *x = g[(size_t)(th - 1) * (size_t)w + (size_t)(off + j)];
            x->text = NULL;
            x->covered = 1;
            x->rowspan = x->colspan = 1;
        }
        j++;
    }
    /* the anchors that ended on the short header's last row go down */
    for (r = 0; r < th && th < h; r++)
        for (c = 0; c < j; c++) {
            ft_cell *x = &g[(size_t)r * (size_t)w + (size_t)(off + c)];
            int span = x->rowspan > 0 ? x->rowspan : 1;
            if (!x->covered && r + span == th)
                x->rowspan = span + h - th;
        }
}

/* Joins next, the right-hand page of prev (facing_page), to its right:
 * one row per row, the header as deep as the deeper one, next's empty
 * columns left out. A title the left-hand page breaks off (no 表 at
 * its end) goes on with the right-hand page's. */
static ft_status
append_facing(ft_table *prev, ft_table *next)
{
    int h = prev->n_header_rows > next->n_header_rows ? prev->n_header_rows
                                                      : next->n_header_rows;
    int body = prev->n_rows - prev->n_header_rows, c, wn = 0, w, rows;
    int *keep_p = malloc(((size_t)prev->n_cols + 1) * sizeof *keep_p);
    int *keep_n = malloc(((size_t)next->n_cols + 1) * sizeof *keep_n);
    ft_cell *g;
    if (!keep_p || !keep_n) {
        free(keep_p);
        free(keep_n);
        return FT_ERR_NOMEM;
    }
    for (c = 0; c < prev->n_cols; c++)
        keep_p[c] = 1;
    for (c = 0; c < next->n_cols; c++)
        wn += keep_n[c] = !empty_column(next, c);
    w = prev->n_cols + wn;
    rows = h + body;
    g = calloc((size_t)rows * (size_t)w, sizeof *g);
    if (!g) {
        free(keep_p);
        free(keep_n);
        return FT_ERR_NOMEM;
    }
    place_half(g, h, w, prev, 0, keep_p);
    place_half(g, h, w, next, prev->n_cols, keep_n);
    free(keep_p);
    free(keep_n);
    if (prev->title && next->title && strcmp(prev->title, next->title) &&
        !whole_title(prev->title)) {
        size_t len = strlen(prev->title) + strlen(next->title) + 1;
        char *joined = malloc(len);
        if (!joined) {
            free(g);
            return FT_ERR_NOMEM;
        }
        snprintf(joined, len, "%s%s", prev->title, next->title);
        free(prev->title);
        prev->title = joined;
    }
#define TAKE(f)                                                               \
    if (!prev->f) {                                                           \
        prev->f = next->f;                                                    \
        next->f = NULL;                                                       \
    }
    TAKE(unit)
    TAKE(entity)
    TAKE(label)
    TAKE(note)
#undef TAKE
    for (c = 0; c < prev->n_rows * prev->n_cols; c++)
        free(prev->cells[c].text);
    free(prev->cells);
    prev->cells = g;
    prev->n_rows = rows;
    prev->n_cols = w;
    prev->n_header_rows = h;
    prev->ruled = prev->ruled && next->ruled;
    prev->page_last = next->page_last;
    prev->box = next->box;
    free(prev->col_x); /* edges on two pages: none to match a page by */
    prev->col_x = NULL;
    prev->facing_pages++;
    return FT_OK;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_status
ft_tables_stitch(ft_table_list *doc, ft_table_list *page)
{
    size_t i = 0;
    ft_status st = FT_OK;

    if (page->n > 0 && doc->n > 0) {
        ft_table *prev = &doc->items[doc->n - 1];
        ft_table *next = &page->items[0];
        if (facing_page(prev, next)) {
            st = append_facing(prev, next);
            if (st != FT_OK)
                return st;
            ft_table_clear(next);
            i = 1;
        } else if (!next->title && !next->label && next->n_rows > 0 &&
            prev->page_last == next->page_first - 1 &&
            (prev->n_rows == 0 || (prev->n_rows <= prev->n_header_rows &&
                                   prev->n_cols != next->n_cols))) {
            /* a title (and maybe the start of a header) at the foot of
             * the page before: the table is the one on this page */
            int first = prev->page_first;
            next->title = prev->title;
            next->entity = next->entity ? next->entity : prev->entity;
            next->unit = next->unit ? next->unit : prev->unit;
            next->label = next->label ? next->label : prev->label;
            if (next->entity == prev->entity)
                prev->entity = NULL;
            if (next->unit == prev->unit)
                prev->unit = NULL;
            if (next->label == prev->label)
                prev->label = NULL;
            prev->title = NULL;
            next->page_first = first;
            ft_table_clear(prev);
            *prev = *next;
            memset(next, 0, sizeof *next);
            i = 1;
        } else if (!next->title && !next->label && prev->n_rows > 0 &&
                   prev->page_last == next->page_first - 1 &&
                   prev->n_cols > next->n_cols && next->n_cols > 0) {
            int *map = malloc(((size_t)next->n_cols + 1) * sizeof *map);
            if (!map)
                return FT_ERR_NOMEM;
            int spans = map_columns(prev, next, map);
            if (spans || (!next->ruled && !prev->ruled &&
                          map_columns_by_text(prev, next, map))) {
                st = append_mapped(prev, next, map, spans);
                free(map);
                if (st != FT_OK)
                    return st;
                ft_table_clear(next);
                i = 1;
            } else {
                free(map);
            }
        } else if (repeats_title(prev, next) ||
                   (!next->title && !next->label &&
                    prev->page_last == next->page_first - 1 &&
                    prev->n_cols == next->n_cols &&
                    !own_header(prev, next))) {
            int drop = repeated_header(prev, next);
            st = append_rows(prev, next, drop);
            if (st != FT_OK)
                return st;
            prev->dropped_header_rows += drop;
            ft_table_clear(next);
            i = 1;
        }
    }
    for (; i < page->n; i++) {
        ft_table *t = &page->items[i];
        /* a trailing title left over from the page before is dropped */
        if (doc->n > 0 && doc->items[doc->n - 1].n_rows == 0) {
            ft_table_clear(&doc->items[doc->n - 1]);
            doc->n--;
        }
        st = ft_table_list_push(doc, t);
        if (st != FT_OK)
            break;
    }
    for (; i < page->n; i++)
        ft_table_clear(&page->items[i]);
    free(page->items);
    memset(page, 0, sizeof *page);
    return st;
}
