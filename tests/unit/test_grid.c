/*
 * test_grid.c - grids built from synthetic glyphs and rules: ruled
 * frames with merged cells, text-only tables with wrapped labels, text
 * joining, a number touching a label across a rule, and stitching.
 */
#include "check.h"
#include "page.h"

/* A ruled 4-column table: a merged header cell and a header label that
 * spans two rows; a number touching the next cell's label. */
static void
test_ruled(void)
{
    ft_page p;
    ft_table_list tl = {0};
    const ft_table *t;
    double ys[5] = {100, 120, 140, 160, 180};
    int i;
    memset(&p, 0, sizeof p);
    p.number = 1;
    p.width = 595;
    p.height = 842;
    tp_text(&p, "2023年预算收支总表", 200, 60, 14, 0);
    tp_text(&p, "单位：万元", 400, 82, 10, 0);
    /* frame */
    for (i = 0; i < 5; i++)
        tp_rule(&p, 'h', ys[i], 50, 450);
    tp_rule(&p, 'v', 50, 100, 180);
    tp_rule(&p, 'v', 450, 100, 180);
    /* column rules: under the merged header only from row 2 on, and
     * x=150 not crossing row 1-2 of column 0 (rowspan) */
    tp_rule(&p, 'v', 150, 100, 180);
    tp_rule(&p, 'v', 250, 120, 180);
    tp_rule(&p, 'v', 350, 120, 180);
    /* column 0 spans header rows 1-2: remove the rule under it */
    p.rules[1].a = 150; /* y=120 starts at x=150 */
    tp_text(&p, "项目", 90, 115, 10, 0);
    tp_text(&p, "预算数", 285, 103, 10, 0);
    tp_text(&p, "合计", 190, 123, 10, 0);
    tp_text(&p, "基本支出", 265, 123, 10, 0);
    tp_text(&p, "项目支出", 370, 123, 10, 0);
    tp_text(&p, "公共安全支出", 52, 143, 10, 0);
    tp_text(&p, "13,197.70", 248, 143, 10, 1); /* touches the rule */
    tp_text(&p, "12,052.81", 348, 143, 10, 1);
    tp_text(&p, "1,144.89", 448, 143, 10, 1);
    tp_text(&p, "合计", 52, 163, 10, 0);
    tp_text(&p, "13,197.70", 248, 163, 10, 1);
    tp_text(&p, "一、外交", 252, 163, 10, 0); /* label glued to a number */
    tp_text(&p, "1,144.89", 448, 163, 10, 1);
    tp_tables(&p, &tl);
    CHECK(tl.n == 1, "one table, got %zu", tl.n);
    if (tl.n != 1)
        goto out;
    t = &tl.items[0];
    CHECK(t->n_rows == 4 && t->n_cols == 4, "4x4 grid, got %dx%d", t->n_rows,
          t->n_cols);
    CHECK(t->title && !strcmp(t->title, "2023年预算收支总表"), "title %s",
          t->title ? t->title : "(null)");
    CHECK(t->unit && !strcmp(t->unit, "万元"), "unit");
    CHECK(t->n_header_rows == 2, "2 header rows, got %d", t->n_header_rows);
    CHECK(FT_CELL(t, 0, 0)->rowspan == 2, "项目 spans 2 rows");
    CHECK(FT_CELL(t, 0, 1)->colspan == 3, "预算数 spans 3 columns, got %d",
          FT_CELL(t, 0, 1)->colspan);
    CHECK(FT_CELL(t, 0, 2)->covered, "covered by the span");
    CHECK(!strcmp(tp_cell(t, 2, 1), "13,197.70"), "R3C2 %s", tp_cell(t, 2, 1));
    CHECK(!strcmp(tp_cell(t, 3, 1), "13,197.70"), "number split from label: %s",
          tp_cell(t, 3, 1));
    CHECK(!strcmp(tp_cell(t, 3, 2), "一、外交"), "label split from number: %s",
          tp_cell(t, 3, 2));
out:
    ft_table_list_clear(&tl);
    ft_page_clear(&p);
}

/* No rules at all: columns from alignment, a wrapped CJK label joined
 * without a space, a Latin label with spaces. */
static void
test_unruled(void)
{
    ft_page p;
    ft_table_list tl = {0};
    const ft_table *t;
    double y = 120;
    memset(&p, 0, sizeof p);
    p.number = 1;
    p.width = 595;
    p.height = 842;
    tp_text(&p, "2023年预算支出总表", 200, 60, 14, 0);
    tp_text(&p, "科目名称", 60, 100, 10, 0);
    tp_text(&p, "合计", 260, 100, 10, 0);
    tp_text(&p, "基本支出", 340, 100, 10, 0);
    tp_text(&p, "公共安全支出", 60, y, 10, 0);
    tp_text(&p, "100.00", 300, y, 10, 1);
    tp_text(&p, "60.00", 400, y, 10, 1);
    y += 20;
    /* wrapped label: two lines 12pt apart, numbers centred between */
    tp_text(&p, "巩固脱贫攻坚成果衔", 60, y, 10, 0);
    tp_text(&p, "接乡村振兴", 60, y + 12, 10, 0);
    tp_text(&p, "28.00", 300, y + 6, 10, 1);
    tp_text(&p, "28.00", 400, y + 6, 10, 1);
    y += 34;
    tp_text(&p, "Other public", 60, y, 10, 0);
    tp_text(&p, "5.00", 300, y, 10, 1);
    tp_text(&p, "5.00", 400, y, 10, 1);
    y += 20;
    tp_text(&p, "合计", 60, y, 10, 0);
    tp_text(&p, "133.00", 300, y, 10, 1);
    tp_text(&p, "93.00", 400, y, 10, 1);
    tp_tables(&p, &tl);
    CHECK(tl.n == 1, "one table, got %zu", tl.n);
    if (tl.n != 1)
        goto out;
    t = &tl.items[0];
    CHECK(t->n_rows == 5 && t->n_cols == 3, "5x3 grid, got %dx%d", t->n_rows,
          t->n_cols);
    CHECK(!strcmp(tp_cell(t, 2, 0), "巩固脱贫攻坚成果衔接乡村振兴"),
          "wrapped CJK joined without a space: %s", tp_cell(t, 2, 0));
    CHECK(!strcmp(tp_cell(t, 2, 1), "28.00"), "numbers in the wrapped row");
    CHECK(!strcmp(tp_cell(t, 3, 0), "Other public"),
          "Latin words keep their space: '%s'", tp_cell(t, 3, 0));
    CHECK(t->n_header_rows == 1, "one header row, got %d", t->n_header_rows);
out:
    ft_table_list_clear(&tl);
    ft_page_clear(&p);
}

/* A table on two pages: the second starts with a copy of the header. */
static void
test_stitch(void)
{
    ft_table_list doc = {0};
    int page;
    for (page = 1; page <= 2; page++) {
        ft_page p;
        ft_table_list tl = {0};
        memset(&p, 0, sizeof p);
        p.number = page;
        p.width = 595;
        p.height = 842;
        if (page == 1)
            tp_text(&p, "2023年预算支出总表", 200, 60, 14, 0);
        tp_text(&p, "科目名称", 60, 100, 10, 0);
        tp_text(&p, "合计", 260, 100, 10, 0);
        tp_text(&p, "基本支出", 340, 100, 10, 0);
        tp_text(&p, page == 1 ? "甲" : "乙", 60, 120, 10, 0);
        tp_text(&p, "1.00", 300, 120, 10, 1);
        tp_text(&p, "1.00", 400, 120, 10, 1);
        tp_text(&p, page == 1 ? "丙" : "丁", 60, 140, 10, 0);
        tp_text(&p, "2.00", 300, 140, 10, 1);
        tp_text(&p, "2.00", 400, 140, 10, 1);
        tp_text(&p, page == 1 ? "戊" : "己", 60, 160, 10, 0);
        tp_text(&p, "3.00", 300, 160, 10, 1);
        tp_text(&p, "3.00", 400, 160, 10, 1);
        tp_tables(&p, &tl);
        CHECK(tl.n == 1, "page %d: one table, got %zu", page, tl.n);
        ft_tables_stitch(&doc, &tl);
        ft_page_clear(&p);
    }
    CHECK(doc.n == 1, "stitched into one table, got %zu", doc.n);
    if (doc.n == 1) {
        const ft_table *t = &doc.items[0];
        CHECK(t->n_rows == 7, "header once + 6 rows, got %d", t->n_rows);
        CHECK(t->dropped_header_rows == 1, "one repeated header row dropped");
        CHECK(t->page_first == 1 && t->page_last == 2, "pages 1-2");
        CHECK(!strcmp(tp_cell(t, 4, 0), "乙"), "first row of page 2: %s",
              tp_cell(t, 4, 0));
    }
    ft_table_list_clear(&doc);
}

/* OCR'd amounts against the column's pattern: separators set, a missing
 * point assumed and said so, anything else left alone. */
static void
test_regroup(void)
{
    static const struct {
        const char *in;
        int decimals;
        const char *out; /* NULL: left as read */
        int assumed;
    } cases[] = {
        {"5.213.17", 2, "5,213.17", 0},
        {"6.970.39", 2, "6,970.39", 0},
        {"1.234.567.80", 2, "1,234,567.80", 0},
        {"1,969,08", 2, "1,969.08", 0},
        {"12250", 2, "122.50", 1},
        {"1,22250", 2, "1,222.50", 1},
        {"55112", 2, "551.12", 1},
        {"5", 2, NULL, 0},         /* too few digits for the decimals */
        {"12", 2, NULL, 0},
        {"1,969,008", 2, NULL, 0}, /* a digit too many: no pattern fits */
        {"12,250", 3, NULL, 0},    /* a comma, not a point, before 3 */
        {"14,567380", 2, NULL, 0},
        {"5.2a3.17", 2, NULL, 0},
        {"-12250", 2, NULL, 0},
        {"12250", 0, NULL, 0},     /* a column of whole numbers */
        {".12250", 2, NULL, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int assumed = -1;
        char *got = ft_amount_regroup(cases[i].in, cases[i].decimals,
                                      &assumed);
        if (cases[i].out)
            CHECK(got && !strcmp(got, cases[i].out) &&
                      assumed == cases[i].assumed,
                  "%s: %s (assumed %d)", cases[i].in, got ? got : "NULL",
                  assumed);
        else
            CHECK(!got, "%s left as read, got %s", cases[i].in, got);
        free(got);
    }
    CHECK(ft_amount_keeps("13 091.35", 2), "spaces group thousands");
    CHECK(!ft_amount_fits("5.213.17", 2), "two points break the pattern");
    CHECK(ft_amount_fits("-", 2), "a dash fits any pattern");
}

/* A page of n glyphs whose code points cycle through cps. */
static void
glyph_page(ft_page *p, const uint32_t *cps, size_t ncp, size_t n)
{
    size_t i;
    memset(p, 0, sizeof *p);
    p->glyphs = calloc(n, sizeof *p->glyphs);
    p->n_glyphs = n;
    for (i = 0; i < n; i++) {
        p->glyphs[i].cp = cps[i % ncp];
        p->glyphs[i].box.x0 = (double)i;
        p->glyphs[i].box.x1 = (double)i + 1;
        p->glyphs[i].box.y1 = 10;
    }
}

/* Text that does not decode: each threshold of ft_page_undecodable on
 * both sides. */
static void
test_undecodable(void)
{
    /* Hebrew: a script of its own keeps to one block */
    static const uint32_t hebrew[] = {0x05D0, 0x05D1, 0x05D2, '1'};
    /* glyph numbers read as code points: Yi, Braille, Ext A, dingbats */
    static const uint32_t scattered[] = {0xA089, 0x2821, 0x3A02, 0x2631,
                                         '3', '1', 0x4E00, 0x5E74};
    /* 7 of 10 uncommon in one block (Lao), the rest elsewhere */
    static const uint32_t lao7[] = {0x0E81, 0x0E82, 0x0E84, 0x0E87, 0x0E88,
                                    0x0E8A, 0x0E8D, 0xA089, 0x2821, 0x3A02};
    static const uint32_t lao6[] = {0x0E81, 0x0E82, 0x0E84, 0x0E87, 0x0E88,
                                    0x0E8A, 0xA089, 0x2821, 0x3A02, 0x2631};
    /* U+FFFD among digits: one in nine, one in eleven */
    static const uint32_t lost9[] = {0xFFFD, '1', '2', '3', '4',
                                     '5', '6', '7', '8'};
    static const uint32_t lost11[] = {0xFFFD, '1', '2', '3', '4', '5',
                                      '6', '7', '8', '9', '0'};
    static const uint32_t two[] = {0x2821, '1', 0x3A02, '2', '3', '4'};
    static const uint32_t one[] = {0x2821, '1', '2', '3', '4', '5'};
    ft_page p;
    double share;
    glyph_page(&p, hebrew, 4, 40);
    CHECK(!ft_page_undecodable(&p, 0, &share), "Hebrew decodes");
    ft_page_clear(&p);
    glyph_page(&p, scattered, 8, 40);
    CHECK(ft_page_undecodable(&p, 0, &share) && share == 0.5,
          "scattered glyph numbers do not decode (share %.2f)", share);
    ft_page_clear(&p);
    glyph_page(&p, scattered, 8, 16);
    CHECK(!ft_page_undecodable(&p, 0, &share),
          "too few characters to tell (FT_GARBLED_MIN_CHARS)");
    ft_page_clear(&p);
    glyph_page(&p, lao7, 10, 40);
    CHECK(!ft_page_undecodable(&p, 0, &share),
          "seven in ten in one block: a script (FT_GARBLED_ONE_BLOCK)");
    ft_page_clear(&p);
    glyph_page(&p, lao6, 10, 40);
    CHECK(ft_page_undecodable(&p, 0, &share),
          "six in ten in one block: scattered");
    ft_page_clear(&p);
    glyph_page(&p, lost9, 9, 45);
    CHECK(ft_page_undecodable(&p, 0, &share),
          "one in nine maps to nothing (FT_GARBLED_LOST_SHARE)");
    ft_page_clear(&p);
    glyph_page(&p, lost11, 11, 44);
    CHECK(!ft_page_undecodable(&p, 0, &share),
          "one in eleven: under a tenth (FT_GARBLED_SHARE)");
    ft_page_clear(&p);
    glyph_page(&p, two, 6, 6);
    CHECK(ft_page_undecodable(&p, 1, &share) &&
              !ft_page_undecodable(&p, 0, &share),
          "after a garbled page two odd characters suffice "
          "(FT_GARBLED_AFTER)");
    ft_page_clear(&p);
    glyph_page(&p, one, 6, 6);
    CHECK(!ft_page_undecodable(&p, 1, &share), "one is not enough");
    ft_page_clear(&p);
}

int
main(void)
{
    test_ruled();
    test_unruled();
    test_stitch();
    test_regroup();
    test_undecodable();
    CHECK_DONE();
}
