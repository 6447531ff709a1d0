/*
 * stitch.c - tables that run over a page break become one table.
 *
 * The first table of a page continues the last table of the page before
 * when it has no title of its own and the same number of columns. When
 * it starts with a copy of the header rows, the copy is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "extract.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* 1 when two cells print the same text (both empty counts). */
static int
same_text(const ft_cell *a, const ft_cell *b)
{
    if (!a->text || !b->text)
        return !a->text && !b->text;
    return strcmp(a->text, b->text) == 0;
}

/* Number of leading rows of `next` that repeat the header of `prev`. */
static int
repeated_header(const ft_table *prev, const ft_table *next)
{
    int r, c, h = prev->n_header_rows;
    if (h == 0 || next->n_rows < h || next->n_header_rows < h)
        return 0;
    for (r = 0; r < h; r++)
        for (c = 0; c < prev->n_cols; c++)
            if (!same_text(FT_CELL(prev, r, c), FT_CELL(next, r, c)))
                return 0;
    return h;
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
    for (i = 0; i < w; i++) {
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
        if (!next->title && !next->label &&
            prev->page_last == next->page_first - 1 &&
            prev->n_cols == next->n_cols) {
            int drop = repeated_header(prev, next);
            if (drop == 0 && next->n_header_rows > 0 &&
                prev->n_header_rows == 0)
                drop = 0;
            st = append_rows(prev, next, drop);
            if (st != FT_OK)
                return st;
            prev->dropped_header_rows += drop;
            ft_table_clear(next);
            i = 1;
        }
    }
    for (; i < page->n; i++) {
        st = ft_table_list_push(doc, &page->items[i]);
        if (st != FT_OK)
            break;
    }
    for (; i < page->n; i++)
        ft_table_clear(&page->items[i]);
    free(page->items);
    memset(page, 0, sizeof *page);
    return st;
}
