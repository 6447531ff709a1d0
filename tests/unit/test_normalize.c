/*
 * test_normalize.c - runs tests/normalize.test through ft_number_parse,
 * and checks ft_text_fold, ft_is_code and ft_normalize_table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../normalize/normalize.h"
#include "check.h"

/* Reads one line without its newline; 0 at end of file. */
static int
get_line(FILE *f, char *buf, size_t n, int *lineno)
{
    size_t l;
    if (!fgets(buf, (int)n, f))
        return 0;
    (*lineno)++;
    l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
        buf[--l] = 0;
    return 1;
}

/* Runs the data file. */
static void
run_data(const char *path)
{
    FILE *f = fopen(path, "r");
    char in[256], kind[64], val[64];
    int lineno = 0;
    CHECK(f != NULL, "cannot open %s", path);
    if (!f)
        return;
    for (;;) {
        int start;
        ft_number n;
        static const char *const kinds[] = {"empty", "text", "number",
                                            "blank"};
        /* skip comments and blank separators before a group */
        do {
            if (!get_line(f, in, sizeof in, &lineno))
                goto out;
        } while (in[0] == '#' || in[0] == 0);
        if (!strcmp(in, "\"\""))
            in[0] = 0;
        if (!get_line(f, kind, sizeof kind, &lineno))
            break;
        start = lineno - 1;
        if (!get_line(f, val, sizeof val, &lineno))
            break;
        ft_number_parse(in, &n);
        CHECK(!strcmp(kinds[n.kind], kind),
              "%s line %d: \"%s\": expected %s got %s", path, start, in, kind,
              kinds[n.kind]);
        if (!strcmp(kind, "number") && n.kind == FT_CELL_NUMBER) {
            double v = 0;
            int d = -1;
            sscanf(val, "%lf %d", &v, &d);
            CHECK(fabs(n.value - v) < 1e-9 * (fabs(v) + 1),
                  "%s line %d: \"%s\": expected %.10g got %.10g", path, start,
                  in, v, n.value);
            CHECK(n.decimals == d, "%s line %d: \"%s\": decimals %d, got %d",
                  path, start, in, d, n.decimals);
        }
    }
out:
    fclose(f);
}

/* A 2-column table: header "科目编码|金额", then the given body rows. */
static void
make_table(ft_table *t, const char *const *codes, const char *const *vals,
           int n)
{
    int r;
    memset(t, 0, sizeof *t);
    t->n_rows = n + 1;
    t->n_cols = 2;
    t->n_header_rows = 1;
    t->cells = calloc((size_t)(n + 1) * 2, sizeof *t->cells);
    t->cells[0].text = strdup("科目编码");
    t->cells[1].text = strdup("金额");
    for (r = 0; r < n; r++) {
        FT_CELL(t, r + 1, 0)->text = codes[r] ? strdup(codes[r]) : NULL;
        FT_CELL(t, r + 1, 1)->text = vals[r] ? strdup(vals[r]) : NULL;
    }
    for (r = 0; r < (n + 1) * 2; r++)
        t->cells[r].rowspan = t->cells[r].colspan = 1;
}

static int events;

/* Counts normalization events. */
static void
count_event(void *ctx, const ft_table *t, const ft_norm_event *ev)
{
    (void)ctx;
    (void)t;
    (void)ev;
    events++;
}

int
main(int argc, char **argv)
{
    char *f;
    ft_table t;
    static const char *const codes[] = {"204", "20402", "2040201",
                                        "2040202"};
    static const char *const vals[] = {"1,000.00", "3.0E-4", "(2.50)", "－"};

    run_data(argc > 1 ? argv[1] : "tests/normalize.test");

    f = ft_text_fold("合　　计");
    CHECK(f && !strcmp(f, "合计"), "fold ideographic spaces: got %s", f);
    free(f);
    f = ft_text_fold("收 入 总 计 ");
    CHECK(f && !strcmp(f, "收入总计"), "fold spaces: got %s", f);
    free(f);
    f = ft_text_fold("（１）");
    CHECK(f && !strcmp(f, "(1)"), "fold full width: got %s", f);
    free(f);

    CHECK(ft_is_code("204"), "204 is a code");
    CHECK(ft_is_code("2040201"), "2040201 is a code");
    CHECK(ft_is_code("01"), "01 is a code part");
    CHECK(!ft_is_code("2040"), "2040 is not a code");
    CHECK(!ft_is_code("20a"), "20a is not a code");

    make_table(&t, codes, vals, 4);
    events = 0;
    CHECK(ft_normalize_table(&t, count_event, NULL) == 3,
          "three numbers in the body");
    CHECK(FT_CELL(&t, 1, 0)->kind == FT_CELL_TEXT, "code column stays text");
    CHECK(FT_CELL(&t, 0, 1)->kind == FT_CELL_TEXT, "header stays text");
    CHECK(FT_CELL(&t, 2, 1)->kind == FT_CELL_NUMBER &&
              FT_CELL(&t, 2, 1)->value == 0 &&
              FT_CELL(&t, 2, 1)->decimals == 2,
          "3.0E-4 rounds to the column's 2 decimals: %g/%d",
          FT_CELL(&t, 2, 1)->value, FT_CELL(&t, 2, 1)->decimals);
    CHECK(FT_CELL(&t, 3, 1)->value == -2.5, "(2.50) is negative");
    CHECK(FT_CELL(&t, 4, 1)->kind == FT_CELL_BLANK, "－ is a blank");
    CHECK(events == 3, "sci, parens and dash logged: %d", events);
    ft_table_clear(&t);
    CHECK_DONE();
}
