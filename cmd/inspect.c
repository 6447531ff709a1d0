/*
 * inspect.c - `fiscaltab inspect FILE.pdf --page N [--png OUT.png]`: why a
 * page's tables came out as they did. Prints each table found on the page
 * as a text grid (spans shown as <, ^) and draws the page with the rules,
 * table boxes and cells over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../extract/extract.h"
#include "fiscaltab.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Display width of UTF-8 text (CJK counts two). */
static int
width_of(const char *s)
{
    int w = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++) {
        if (*u >= 0xE0)
            w += 2;
        else if (*u < 0x80)
            w++;
    }
    return w;
}

/* Prints s padded to w columns, cut at 24 columns. */
static void
put_cell(const char *s, int w)
{
    int n = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int cw = *u >= 0xE0 ? 2 : 1;
        int cl = *u < 0x80 ? 1 : *u < 0xE0 ? 2 : *u < 0xF0 ? 3 : 4;
        if (n + cw > w)
            break;
        fwrite(u, 1, (size_t)cl, stdout);
        n += cw;
        u += cl;
    }
    for (; n < w; n++)
        putchar(' ');
}

/* Prints one table as a text grid. */
static void
print_table(const ft_table *t, size_t k)
{
    int r, c, *w = calloc((size_t)t->n_cols, sizeof *w);
    if (!w)
        return;
    printf("table %zu: %s | unit %s | %d x %d, %d header rows, %s\n", k + 1,
           t->title ? t->title : "(untitled)", t->unit ? t->unit : "(none)",
           t->n_rows, t->n_cols, t->n_header_rows,
           t->ruled ? "ruled" : "from text alignment");
    for (c = 0; c < t->n_cols; c++) {
        w[c] = 2;
        for (r = 0; r < t->n_rows; r++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            int cw = cell->text && cell->colspan == 1 ? width_of(cell->text)
                                                        : 1;
            if (cw > w[c])
                w[c] = cw > 24 ? 24 : cw;
        }
    }
    for (r = 0; r < t->n_rows; r++) {
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            const char *s = cell->text ? cell->text : "";
            if (cell->covered) {
                /* inside a span: "<" continues from the left, "^" from
                 * above */
                const ft_cell *a = ft_table_anchor(t, r, c);
                s = a->box.y0 < cell->box.y0 - 0.5 ? "^" : "<";
            }
            printf("%s", c ? " | " : r < t->n_header_rows ? "H " : "  ");
            put_cell(s, w[c]);
        }
        printf("\n");
    }
    free(w);
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_inspect(const char *input, int page, const char *png, const char *password,
           const ft_table_settings *settings)
{
    ft_doc *doc = NULL;
    ft_error err = {FT_OK, ""};
    ft_table_list tables = {0};
    ft_log log = {0};
    ft_status st;
    size_t i;
    int rc = FT_EXIT_OK;

    st = ft_doc_open(input, password, &doc, &err);
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: %s\n", input, err.msg);
        return st == FT_ERR_ENCRYPTED ? FT_EXIT_ENCRYPTED : FT_EXIT_OPEN;
    }
    ft_doc_set_settings(doc, settings);
    if (page < 1 || page > ft_doc_page_count(doc)) {
        fprintf(stderr, "fiscaltab: error: %s: no page %d (the document has "
                        "%d pages)\n",
                input, page, ft_doc_page_count(doc));
        ft_doc_free(doc);
        return FT_EXIT_USAGE;
    }
    st = ft_doc_inspect(doc, page, png, 2.0, &tables, &log, &err);
    for (i = 0; i < log.n; i++)
        printf("page %d: %s: %s\n", page, log.items[i].rule,
               log.items[i].message);
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: page %d: %s\n", input, page,
                err.msg[0] ? err.msg : ft_strerror(st));
        rc = st == FT_ERR_WRITE ? FT_EXIT_WRITE : FT_EXIT_INTERNAL;
    } else {
        printf("page %d: %zu tables\n", page, tables.n);
        for (i = 0; i < tables.n; i++)
            print_table(&tables.items[i], i);
        if (png)
            fprintf(stderr, "fiscaltab: drew page %d with rules (red), "
                            "tables (blue) and cells (green) -> %s\n",
                    page, png);
    }
    ft_table_list_clear(&tables);
    ft_log_clear(&log);
    ft_doc_free(doc);
    return rc;
}
