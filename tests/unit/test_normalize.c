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

/* Builds a one-row-header table from "|"-separated rows (an empty field
 * is an empty cell), normalizes it and returns 1 when every cell of
 * column c below the header is of kind want (empty cells aside). */
static int
column_kind(const char *const *rows, int n, int c, ft_kind want)
{
    ft_table t;
    int r, k, nc = 1, ok = 1;
    const char *p;
    for (p = rows[0]; *p; p++)
        nc += *p == '|';
    memset(&t, 0, sizeof t);
    t.n_rows = n;
    t.n_cols = nc;
    t.n_header_rows = 1;
    t.cells = calloc((size_t)(n * nc), sizeof *t.cells);
    for (r = 0; r < n; r++) {
        const char *a = rows[r];
        for (k = 0; k < nc; k++) {
            const char *b = strchr(a, '|');
            size_t len = b ? (size_t)(b - a) : strlen(a);
            ft_cell *cell = FT_CELL(&t, r, k);
            cell->rowspan = cell->colspan = 1;
            if (len) {
                cell->text = calloc(len + 1, 1);
                memcpy(cell->text, a, len);
            }
            a = b ? b + 1 : a + len;
        }
    }
    ft_normalize_table(&t, NULL, NULL);
    for (r = 1; r < n; r++) {
        ft_cell *cell = FT_CELL(&t, r, c);
        if (cell->text && cell->kind != want)
            ok = 0;
    }
    ft_table_clear(&t);
    return ok;
}

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

    /* a cell is a code only in a code column */
    {
        static const char *const lone[] = {"项目|一般|三公", "合计|1.50|15",
                                           "公务接待费|0.25|"};
        static const char *const thousands[] = {"科目名稱|預算數", "人事費|56",
                                                "業務費|770", "設備費|200"};
        static const char *const split[] = {"类|款|项|名称|金额",
                                            "201|||一般公共服务|10.00",
                                            "201|06||财政事务|10.00",
                                            "201|06|01|行政运行|10.00"};
        static const char *const nohead[] = {"甲|乙", "201|5", "20101|5",
                                             "2010101|5"};
        static const char *const split_nohead[] = {"甲|乙|丙", "208|05|1",
                                                   "208|05|2", "210|11|3"};
        static const char *const comma[] = {"Land|Yield", "A|93,9", "B|1,250",
                                            "C|0,0001", "D|1.234,5"};
        static const char *const thousand_comma[] = {"Land|Yield", "A|1,250",
                                                     "B|1,234.5"};
        static const char *const dates[] = {"計畫名稱|出國期間|購置年月|人數",
                                            "研習|109.10|98.08|3",
                                            "考察|113.05|112.12|2"};
        CHECK(column_kind(dates, 3, 1, FT_CELL_TEXT) &&
                  column_kind(dates, 3, 2, FT_CELL_TEXT),
              "a date column (出國期間, 購置年月) keeps 109.10 as text");
        CHECK(column_kind(dates, 3, 3, FT_CELL_NUMBER),
              "the count beside it is a number");
        CHECK(column_kind(lone, 3, 2, FT_CELL_NUMBER),
              "a lone 15 among amounts is a number");
        CHECK(column_kind(thousands, 4, 1, FT_CELL_NUMBER),
              "short whole amounts (56, 770, 200) are numbers");
        CHECK(column_kind(split, 4, 0, FT_CELL_TEXT) &&
                  column_kind(split, 4, 1, FT_CELL_TEXT) &&
                  column_kind(split, 4, 2, FT_CELL_TEXT),
              "类 | 款 | 项 columns named by their header are codes");
        CHECK(column_kind(nohead, 4, 0, FT_CELL_TEXT),
              "201, 20101, 2010101: a code hierarchy, codes without a header");
        CHECK(column_kind(nohead, 4, 1, FT_CELL_NUMBER),
              "5 beside the codes is a number");
        CHECK(column_kind(split_nohead, 4, 0, FT_CELL_TEXT) &&
                  column_kind(split_nohead, 4, 1, FT_CELL_TEXT),
              "208 left of 05 (a leading zero): split code columns");
        CHECK(column_kind(split_nohead, 4, 2, FT_CELL_NUMBER),
              "1, 2, 3 right of the codes are numbers");
        CHECK(column_kind(comma, 5, 1, FT_CELL_NUMBER),
              "a column with 93,9 and 0,0001 writes decimal commas");
        CHECK(column_kind(thousand_comma, 3, 1, FT_CELL_NUMBER),
              "1,250 and 1,234.5: thousands commas");
    }
    {
        ft_table d;
        static const char *const c2[] = {"204", "205", "206", "207", "208"};
        static const char *const v2[] = {"93,9", "1,250", "0,0001",
                                         "1.234,5", "1,250.5"};
        make_table(&d, c2, v2, 4);
        ft_normalize_table(&d, NULL, NULL);
        CHECK(fabs(FT_CELL(&d, 1, 1)->value - 93.9) < 1e-9 &&
                  FT_CELL(&d, 1, 1)->decimals == 1 &&
                  (FT_CELL(&d, 1, 1)->changed & FT_NUM_DECIMAL_COMMA),
              "93,9 reads 93.9 (decimal comma): %g",
              FT_CELL(&d, 1, 1)->value);
        CHECK(fabs(FT_CELL(&d, 2, 1)->value - 1.25) < 1e-9,
              "1,250 in a decimal-comma column reads 1.25: %g",
              FT_CELL(&d, 2, 1)->value);
        CHECK(fabs(FT_CELL(&d, 4, 1)->value - 1234.5) < 1e-9,
              "1.234,5 reads 1234.5: %g", FT_CELL(&d, 4, 1)->value);
        ft_table_clear(&d);
        make_table(&d, c2, v2 + 1, 4);
        ft_normalize_table(&d, NULL, NULL);
        CHECK(fabs(FT_CELL(&d, 1, 1)->value - 1250) < 1e-9,
              "with 1,250.5 in the column, 1,250 reads 1250: %g",
              FT_CELL(&d, 1, 1)->value);
        ft_table_clear(&d);
    }

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
