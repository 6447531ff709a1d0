/*
 * test_gridcases.c - runs tests/grid.test: glyph positions and rules in
 * a few lines of text, and the grid fiscaltab must build from them. No
 * PDF is involved, so each failure mode of table finding is one case.
 *
 * A case is a block of lines ended by a blank line:
 *   # what it shows                  (comments anywhere)
 *   page [W H]                       a new page (default 595 x 842)
 *   row Y [s=SIZE] @X text @>X text  text at top Y: @X starts at X,
 *                                    @>X ends at X (right-aligned)
 *   up X Y [s=SIZE] text             text turned 90°, read bottom to top,
 *                                    its foot at (X, Y)
 *   hrule Y X0 X1 / vrule X Y0 Y1    rules
 *   set NAME=VALUE                   a setting of table finding
 *   =>                               then the expected tables:
 *   table: TITLE [(ruled)]           one line per table (then unit: and
 *                                    note: lines when it has them), then
 *                                    its rows:
 *   H a | b | c                      H a header row, two spaces a body
 *     x | < | ^                      row; < and ^ a cell a span covers
 * "(no table)" expects none. Pages are stitched as a document's are.
 *
 * FT_TEST_SET=NAME=VALUE in the environment changes one setting for
 * every case (make mutate); a case's own set lines come after it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "page.h"

#define MAX_PAGES 8

typedef struct gcase {
    int line;                 /* where it starts in the file */
    char title[256];
    ft_page pages[MAX_PAGES];
    int n_pages;
    ft_table_settings set;
    char *expect;             /* expected text */
    size_t expect_len;
} gcase;

/* Appends s to a growing buffer. */
static void
buf_add(char **b, size_t *n, const char *s)
{
    size_t k = strlen(s);
    *b = realloc(*b, *n + k + 1);
    memcpy(*b + *n, s, k + 1);
    *n += k;
}

/* Parses a row line: "Y [s=SIZE] @X text @>X text". */
static int
parse_row(ft_page *p, char *s)
{
    char *end, *at;
    double y = strtod(s, &end), sz = 10;
    if (end == s)
        return 0;
    s = end;
    while (*s == ' ')
        s++;
    if (!strncmp(s, "s=", 2)) {
        sz = strtod(s + 2, &end);
        s = end;
    }
    at = strstr(s, "@");
    while (at) {
        char *next = strstr(at + 1, " @"), *text;
        int right = at[1] == '>';
        double x = strtod(at + 1 + right, &text);
        if (text == at + 1 + right)
            return 0;
        if (next)
            *next = 0;
        while (*text == ' ')
            text++;
        tp_text(p, text, x, y, sz, right);
        at = next ? next + 1 : NULL;
    }
    return 1;
}

/* Reads the next case from f; 0 at the end of the file. */
static int
read_case(FILE *f, int *lineno, gcase *c)
{
    char line[4096];
    int in_expect = 0, any = 0;
    const char *env = getenv("FT_TEST_SET");
    memset(c, 0, sizeof *c);
    c->set = *ft_settings_default();
    if (env && *env && !ft_settings_parse(&c->set, env)) {
        fprintf(stderr, "FT_TEST_SET: not a setting: %s\n", env);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        ft_page *p = c->n_pages ? &c->pages[c->n_pages - 1] : NULL;
        (*lineno)++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (n == 0) {
            if (any)
                break;
            continue;
        }
        if (line[0] == '#' && !in_expect) {
            if (!c->title[0]) {
                size_t k = strlen(line + 1);
                if (k >= sizeof c->title)
                    k = sizeof c->title - 1;
                memcpy(c->title, line + 1, k);
                c->title[k] = 0;
            }
            continue;
        }
        if (!any)
            c->line = *lineno;
        any = 1;
        if (in_expect) {
            buf_add(&c->expect, &c->expect_len, line);
            buf_add(&c->expect, &c->expect_len, "\n");
        } else if (!strcmp(line, "=>")) {
            in_expect = 1;
        } else if (!strncmp(line, "page", 4)) {
            if (c->n_pages == MAX_PAGES)
                return -1;
            p = &c->pages[c->n_pages++];
            memset(p, 0, sizeof *p);
            p->number = c->n_pages;
            p->width = 595;
            p->height = 842;
            sscanf(line + 4, "%lf %lf", &p->width, &p->height);
        } else if (!p) {
            return -1; /* text before any page */
        } else if (!strncmp(line, "row ", 4)) {
            if (!parse_row(p, line + 4))
                return -1;
        } else if (!strncmp(line, "up ", 3)) {
            double x, y, sz = 10;
            int used = 0;
            char *t;
            if (sscanf(line + 3, "%lf %lf %n", &x, &y, &used) < 2)
                return -1;
            t = line + 3 + used;
            if (!strncmp(t, "s=", 2)) {
                sz = strtod(t + 2, &t);
                while (*t == ' ')
                    t++;
            }
            tp_up_text(p, t, x, y, sz);
        } else if (!strncmp(line, "hrule ", 6) || !strncmp(line, "vrule ", 6)) {
            double pos, a, b;
            if (sscanf(line + 6, "%lf %lf %lf", &pos, &a, &b) != 3)
                return -1;
            tp_rule(p, line[0], pos, a, b);
        } else if (!strncmp(line, "set ", 4)) {
            if (!ft_settings_parse(&c->set, line + 4))
                return -1;
        } else {
            return -1;
        }
    }
    return any ? 1 : 0;
}

/* The tables as the expected text prints them. */
static char *
render(const ft_table_list *tl, size_t *len)
{
    char *b = NULL;
    size_t i;
    int r, col;
    *len = 0;
    buf_add(&b, len, "");
    if (tl->n == 0)
        buf_add(&b, len, "(no table)\n");
    for (i = 0; i < tl->n; i++) {
        const ft_table *t = &tl->items[i];
        buf_add(&b, len, "table: ");
        buf_add(&b, len, t->title ? t->title : "(untitled)");
        buf_add(&b, len, t->ruled ? " (ruled)\n" : "\n");
        if (t->unit) {
            buf_add(&b, len, "unit: ");
            buf_add(&b, len, t->unit);
            buf_add(&b, len, "\n");
        }
        if (t->note) {
            buf_add(&b, len, "note: ");
            buf_add(&b, len, t->note);
            buf_add(&b, len, "\n");
        }
        for (r = 0; r < t->n_rows; r++) {
            buf_add(&b, len, r < t->n_header_rows ? "H " : "  ");
            for (col = 0; col < t->n_cols; col++) {
                const ft_cell *cell = FT_CELL(t, r, col);
                const char *s = cell->text ? cell->text : "";
                if (cell->covered) {
                    const ft_cell *a = ft_table_anchor(t, r, col);
                    s = a->box.y0 < cell->box.y0 - 0.5 ? "^" : "<";
                }
                if (col)
                    buf_add(&b, len, " | ");
                buf_add(&b, len, s);
            }
            /* no trailing blanks: the file keeps none */
            while (*len && b[*len - 1] == ' ')
                b[--*len] = 0;
            buf_add(&b, len, "\n");
        }
    }
    return b;
}

/* Finds the tables of every page and stitches them as a document. */
static void
run_case(gcase *c, ft_table_list *doc)
{
    int i;
    for (i = 0; i < c->n_pages; i++) {
        ft_table_list page_tables = {0};
        ft_layout L;
        ft_layout_build(&c->pages[i], &L);
        ft_page_tables(&c->pages[i], &L, &c->set, &page_tables);
        ft_layout_clear(&L);
        ft_tables_stitch(doc, &page_tables);
        ft_table_list_clear(&page_tables);
    }
}

int
main(int argc, char **argv)
{
    const char *path = getenv("GRID_TEST");
    FILE *f;
    int lineno = 0, rc, i;
    gcase c;
    (void)argc;
    (void)argv;
    (void)tp_tables;
    (void)tp_cell;
    f = fopen(path ? path : "tests/grid.test", "r");
    CHECK(f != NULL, "cannot open tests/grid.test");
    if (!f)
        CHECK_DONE();
    for (;;) {
        ft_table_list doc = {0};
        char *got;
        size_t len;
        rc = read_case(f, &lineno, &c);
        if (rc == 0)
            break;
        if (rc < 0) {
            CHECK(0, "tests/grid.test:%d: a line this harness cannot read",
                  lineno);
            break;
        }
        run_case(&c, &doc);
        got = render(&doc, &len);
        CHECK(c.expect && !strcmp(got, c.expect),
              "tests/grid.test:%d: %s\n--- expected\n%s--- got\n%s", c.line,
              c.title, c.expect ? c.expect : "(nothing)\n", got);
        free(got);
        free(c.expect);
        ft_table_list_clear(&doc);
        for (i = 0; i < c.n_pages; i++)
            ft_page_clear(&c.pages[i]);
    }
    fclose(f);
    CHECK_DONE();
}
