/*
 * golden.c - compares the tables extracted from a fixture PDF with its
 * expected grids, cell by cell.
 *
 * usage: golden CASE.pdf CASE.tsv       (exit 0: all equal, 1: differences)
 *        golden --print CASE.pdf        (writes the actual grids as TSV)
 *
 * Each difference is one line: "CASE.pdf: table 2 R3C4: expected "x" got
 * "y"". Metadata (title, entity, unit, label, note, pages, header_rows)
 * and merged ranges are compared too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../extract/extract.h"

#define MAXT 64

typedef struct exp_table {
    char *meta[7];      /* title entity unit label note pages header_rows */
    char **merges;
    size_t n_merges;
    char ***rows;       /* rows[r][c] */
    int *n_cells;
    int n_rows;
} exp_table;

static const char *const KEYS[7] = {"title", "entity", "unit", "label",
                                    "note", "pages", "header_rows"};

/* Duplicates n bytes of s. */
static char *
dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        exit(99);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* Reads the expected tables of a TSV file; returns the count. */
static int
read_expected(const char *path, exp_table *t)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int n = -1;
    if (!f) {
        fprintf(stderr, "golden: cannot read %s\n", path);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!strncmp(line, "# table ", 8)) {
            if (++n >= MAXT)
                break;
            memset(&t[n], 0, sizeof t[n]);
            continue;
        }
        if (n < 0)
            continue;
        if (line[0] == '#') {
            char *tab = strchr(line, '\t');
            int k;
            if (!tab)
                continue;
            *tab = 0;
            if (!strcmp(line + 2, "merge")) {
                t[n].merges = realloc(t[n].merges,
                                      (t[n].n_merges + 1) * sizeof(char *));
                t[n].merges[t[n].n_merges++] = dupn(tab + 1, strlen(tab + 1));
                continue;
            }
            for (k = 0; k < 7; k++)
                if (!strcmp(line + 2, KEYS[k]))
                    t[n].meta[k] = dupn(tab + 1, strlen(tab + 1));
            continue;
        }
        {
            exp_table *e = &t[n];
            char *p = line;
            int c = 0;
            e->rows = realloc(e->rows, (size_t)(e->n_rows + 1) * sizeof *e->rows);
            e->n_cells = realloc(e->n_cells,
                                 (size_t)(e->n_rows + 1) * sizeof(int));
            e->rows[e->n_rows] = NULL;
            for (;;) {
                char *tab = strchr(p, '\t');
                size_t l = tab ? (size_t)(tab - p) : strlen(p);
                e->rows[e->n_rows] = realloc(e->rows[e->n_rows],
                                             (size_t)(c + 1) * sizeof(char *));
                e->rows[e->n_rows][c++] = dupn(p, l);
                if (!tab)
                    break;
                p = tab + 1;
            }
            e->n_cells[e->n_rows] = c;
            e->n_rows++;
        }
    }
    fclose(f);
    return n + 1;
}

/* Frees the expected tables. */
static void
free_expected(exp_table *t, int n)
{
    int i, k, r, c;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 7; k++)
            free(t[i].meta[k]);
        for (k = 0; k < (int)t[i].n_merges; k++)
            free(t[i].merges[k]);
        free(t[i].merges);
        for (r = 0; r < t[i].n_rows; r++) {
            for (c = 0; c < t[i].n_cells[r]; c++)
                free(t[i].rows[r][c]);
            free(t[i].rows[r]);
        }
        free(t[i].rows);
        free(t[i].n_cells);
    }
    free(t);
}

/* The actual metadata value k of table t into buf. */
static const char *
actual_meta(const ft_table *t, int k, char *buf, size_t size)
{
    switch (k) {
    case 0:
        return t->title;
    case 1:
        return t->entity;
    case 2:
        return t->unit;
    case 3:
        return t->label;
    case 4:
        return t->note;
    case 5:
        if (t->page_first == t->page_last)
            snprintf(buf, size, "%d", t->page_first);
        else
            snprintf(buf, size, "%d-%d", t->page_first, t->page_last);
        return buf;
    default:
        snprintf(buf, size, "%d", t->n_header_rows);
        return buf;
    }
}

/* Writes the merged ranges of t, one "A1:B2" string per call index. */
static int
actual_merges(const ft_table *t, char out[][40], int max)
{
    int r, c, n = 0;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            char a[16], b[16];
            if (cell->covered || (cell->rowspan == 1 && cell->colspan == 1))
                continue;
            if (n >= max)
                return n;
            ft_cell_name(r, c, a);
            ft_cell_name(r + cell->rowspan - 1, c + cell->colspan - 1, b);
            snprintf(out[n++], 40, "%s:%s", a, b);
        }
    return n;
}

/* Prints the actual tables in the expected format. */
static void
print_tables(const ft_table_list *l)
{
    size_t i;
    int r, c, k;
    for (i = 0; i < l->n; i++) {
        const ft_table *t = &l->items[i];
        char buf[32], merges[256][40];
        int nm = actual_merges(t, merges, 256);
        printf("# table %zu\n", i + 1);
        for (k = 0; k < 7; k++) {
            const char *v = actual_meta(t, k, buf, sizeof buf);
            if (v)
                printf("# %s\t%s\n", KEYS[k], v);
        }
        for (k = 0; k < nm; k++)
            printf("# merge\t%s\n", merges[k]);
        for (r = 0; r < t->n_rows; r++) {
            for (c = 0; c < t->n_cols; c++) {
                const ft_cell *cell = FT_CELL(t, r, c);
                printf("%s%s", c ? "\t" : "", cell->text ? cell->text : "");
            }
            printf("\n");
        }
    }
}

int
main(int argc, char **argv)
{
    ft_doc *doc;
    ft_error err;
    ft_table_list tables = {0};
    ft_log log = {0};
    ft_extract_stats xs;
    exp_table *exp;
    int n_exp, i, diffs = 0, print = argc == 3 && !strcmp(argv[1], "--print");
    const char *pdf = print ? argv[2] : argv[1];

    if (argc != 3) {
        fprintf(stderr, "usage: golden CASE.pdf CASE.tsv | --print CASE.pdf\n");
        return 2;
    }
    if (ft_doc_open(pdf, NULL, &doc, &err) != FT_OK) {
        fprintf(stderr, "golden: %s: %s\n", pdf, err.msg);
        return 2;
    }
    {
        /* make mutate: one setting changed for the whole run */
        const char *mut = getenv("FT_TEST_SET");
        ft_table_settings set = *ft_settings_default();
        if (mut && *mut) {
            if (!ft_settings_parse(&set, mut)) {
                fprintf(stderr, "golden: FT_TEST_SET: not a setting: %s\n",
                        mut);
                return 2;
            }
            ft_doc_set_settings(doc, &set);
        }
    }
    if (ft_doc_extract(doc, 1, ft_doc_page_count(doc), &tables, &log, NULL,
                       &xs) !=
        FT_OK)
        return 99;
    if (print) {
        print_tables(&tables);
        goto out;
    }
    exp = calloc(MAXT, sizeof *exp);
    n_exp = read_expected(argv[2], exp);
    if ((size_t)n_exp != tables.n) {
        printf("%s: expected %d tables, got %zu\n", pdf, n_exp, tables.n);
        diffs++;
    }
    for (i = 0; i < n_exp && (size_t)i < tables.n; i++) {
        const ft_table *t = &tables.items[i];
        exp_table *e = &exp[i];
        char buf[32], merges[256][40];
        int k, r, c, nm = actual_merges(t, merges, 256);
        for (k = 0; k < 7; k++) {
            const char *a = actual_meta(t, k, buf, sizeof buf);
            const char *x = e->meta[k];
            if ((a == NULL) != (x == NULL) || (a && strcmp(a, x))) {
                printf("%s: table %d %s: expected \"%s\" got \"%s\"\n", pdf,
                       i + 1, KEYS[k], x ? x : "(none)", a ? a : "(none)");
                diffs++;
            }
        }
        for (k = 0; k < (int)e->n_merges || k < nm; k++) {
            const char *x = k < (int)e->n_merges ? e->merges[k] : "(none)";
            const char *a = k < nm ? merges[k] : "(none)";
            if (strcmp(x, a)) {
                printf("%s: table %d merge %d: expected %s got %s\n", pdf,
                       i + 1, k + 1, x, a);
                diffs++;
                break;
            }
        }
        if (e->n_rows != t->n_rows || (e->n_rows && e->n_cells[0] != t->n_cols)) {
            printf("%s: table %d: expected %d x %d cells, got %d x %d\n", pdf,
                   i + 1, e->n_rows, e->n_rows ? e->n_cells[0] : 0, t->n_rows,
                   t->n_cols);
            diffs++;
        }
        for (r = 0; r < e->n_rows && r < t->n_rows; r++)
            for (c = 0; c < e->n_cells[r] && c < t->n_cols; c++) {
                const char *a = FT_CELL(t, r, c)->text;
                const char *x = e->rows[r][c];
                if (strcmp(a ? a : "", x)) {
                    printf("%s: table %d R%dC%d: expected \"%s\" got \"%s\"\n",
                           pdf, i + 1, r + 1, c + 1, x, a ? a : "");
                    diffs++;
                }
            }
    }
    free_expected(exp, n_exp < MAXT ? n_exp : MAXT);
out:
    ft_table_list_clear(&tables);
    ft_log_clear(&log);
    ft_doc_free(doc);
    return diffs ? 1 : 0;
}
