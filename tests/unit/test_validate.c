/*
 * test_validate.c - the first checks on small tables: row totals, column
 * totals, the function-code hierarchy, rounding tolerance, and failures
 * reported at the right cell.
 */
#include <stdlib.h>
#include <string.h>

#include "../../normalize/normalize.h"
#include "../../validate/validate.h"
#include "check.h"

/* Builds a normalized table from rows of '|'-separated cells; row 0 is
 * the header. */
static void
build_h(ft_table *t, const char *const *rows, int nr, int nc, int h);

static void
build(ft_table *t, const char *const *rows, int nr, int nc)
{
    build_h(t, rows, nr, nc, 1);
}

/* As build, with h header rows; a header cell "<" is covered by the one
 * on its left (a label spanning columns). */
static void
build_h(ft_table *t, const char *const *rows, int nr, int nc, int h)
{
    int r, c;
    memset(t, 0, sizeof *t);
    t->n_rows = nr;
    t->n_cols = nc;
    t->n_header_rows = h;
    t->cells = calloc((size_t)nr * (size_t)nc, sizeof *t->cells);
    for (r = 0; r < nr; r++) {
        const char *p = rows[r];
        for (c = 0; c < nc; c++) {
            const char *bar = strchr(p, '|');
            size_t n = bar ? (size_t)(bar - p) : strlen(p);
            ft_cell *cell = FT_CELL(t, r, c);
            cell->rowspan = cell->colspan = 1;
            cell->page = 1;
            if (n) {
                cell->text = malloc(n + 1);
                memcpy(cell->text, p, n);
                cell->text[n] = 0;
            }
            p = bar ? bar + 1 : p + n;
            if (r < h && cell->text && !strcmp(cell->text, "<")) {
                ft_cell *a = cell - 1;
                while (a->covered)
                    a--;
                a->colspan++;
                free(cell->text);
                cell->text = NULL;
                cell->covered = 1;
            }
        }
    }
    ft_normalize_table(t, NULL, NULL);
}

/* Finds the entry of a rule at a cell; NULL if none. */
static const ft_entry *
entry_at(const ft_log *log, const char *rule, int r, int c)
{
    size_t i;
    for (i = 0; i < log->n; i++)
        if (!strcmp(log->items[i].rule, rule) && log->items[i].row == r &&
            log->items[i].col == c)
            return &log->items[i];
    return NULL;
}

static void
test_budget_table(void)
{
    static const char *const rows[] = {
        "科目编码|科目名称|合计|基本支出|项目支出",
        "合计||13,422.91|6,970.39|6,452.52",
        "204|公共安全支出|12,052.81|5,628.29|6,424.52",
        "20402|公安|12,052.81|5,628.29|6,424.52",
        "2040201|行政运行|5,213.17|5,204.43|8.74",
        "2040202|一般行政管理事务|6,839.64|423.86|6,415.78",
        "208|社会保障和就业支出|1,370.10|1,342.10|28.00",
        "20805|养老支出|1,370.10|1,342.10|28.00",
        "2080505|缴费支出|1,370.10|1,342.10|28.00",
    };
    ft_table t;
    ft_log log = {0};
    ft_check_counts cc;
    const ft_entry *e;
    build(&t, rows, 9, 5);
    CHECK(ft_validate_table(&t, 0, &log) == FT_OK, "validate runs");
    ft_log_count(&log, &cc);
    CHECK(cc.failed == 0, "a consistent table has no failure, got %zu",
          cc.failed);
    e = entry_at(&log, "row_total", 4, 2);
    CHECK(e && e->status == FT_PASS, "row total at C5 passes");
    e = entry_at(&log, "code_hierarchy", 2, 2);
    CHECK(e && e->status == FT_PASS && e->expected == 12052.81,
          "204 = 20402 at C3");
    e = entry_at(&log, "code_hierarchy", 3, 3);
    CHECK(e && e->status == FT_PASS, "20402 = its 7-digit children at D4");
    e = entry_at(&log, "column_total", 1, 2);
    CHECK(e && e->status == FT_PASS && e->expected == 13422.91,
          "合计 row = sum of 3-digit codes at C2");
    ft_log_clear(&log);

    /* a changed digit: 5,204.43 -> 5,284.43 */
    free(FT_CELL(&t, 4, 3)->text);
    FT_CELL(&t, 4, 3)->text = strdup("5,284.43");
    FT_CELL(&t, 4, 3)->value = 5284.43;
    ft_validate_table(&t, 0, &log);
    ft_log_count(&log, &cc);
    e = entry_at(&log, "row_total", 4, 2);
    CHECK(e && e->status == FT_FAIL && e->actual == 5213.17,
          "row total fails at C5");
    e = entry_at(&log, "code_hierarchy", 3, 3);
    CHECK(e && e->status == FT_FAIL, "20402 fails at D4 (basic spending)");
    CHECK(cc.failed == 2, "exactly two failures, got %zu", cc.failed);
    ft_log_clear(&log);
    ft_table_clear(&t);
}

static void
test_tolerance(void)
{
    /* the seed's 工资福利支出 5,454.27 is 0.01 off its printed items */
    static const char *const rows[] = {
        "项目|合计|甲|乙|丙|丁|戊|己|庚|辛",
        "工资福利支出|5,454.27|1,637.00|1,698.34|611.23|155.93|551.12|"
        "241.11|9.68|549.87",
        "另一行|10.00|1.00|1.00|1.00|1.00|1.00|1.00|1.00|2.02",
    };
    ft_table t;
    ft_log log = {0};
    const ft_entry *e;
    build(&t, rows, 3, 10);
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "row_total", 1, 1);
    CHECK(e && e->status == FT_PASS && strstr(e->message, "within rounding"),
          "0.01 over 8 summands passes and says so: %s",
          e ? e->message : "(none)");
    e = entry_at(&log, "row_total", 2, 1);
    CHECK(e && e->status == FT_FAIL, "0.98 off a sum of 9.02 fails");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* Counts entries of a rule and status. */
static int
count(const ft_log *log, const char *rule, ft_verdict v)
{
    size_t i;
    int n = 0;
    for (i = 0; i < log->n; i++)
        if (!strcmp(log->items[i].rule, rule) && log->items[i].status == v)
            n++;
    return n;
}

static void
test_narrative(void)
{
    static const char *const rows[] = {"项目|金额", "合计|1.00"};
    ft_table t;
    ft_log log = {0};
    ft_prose p[1];
    ft_prose_list pl = {p, 1, 1};
    char text[] =
        "第三部分 2022年度单位预算情况说明\n"
        "2023年度预算收入总计14,567.80万元，比上年增加2235.74万元，\n"
        "增加18.13%。2023年度支出预算14567.8万元，其中：基本支出6970.39万元，"
        "占47.85%；项目支出7597.41万元，占52.51%。\n"
        "与2022年度相比，保障保障XX月XX日前完成。\n";
    build(&t, rows, 2, 2);
    free(t.title);
    t.title = strdup("2023年预算收支总表");
    p[0].page = 3;
    p[0].text = text;
    CHECK(ft_validate_text(&pl, &t, 1, &log) == FT_OK, "text checks run");
    CHECK(count(&log, "year", FT_FAIL) == 1, "heading naming 2022 fails");
    CHECK(count(&log, "narrative_change", FT_PASS) == 1,
          "2235.74 on 14567.80 is 18.13%%");
    CHECK(count(&log, "narrative_share", FT_PASS) == 1, "47.85%% passes");
    CHECK(count(&log, "narrative_share", FT_FAIL) == 1,
          "52.51%% fails (52.15%%)");
    CHECK(ft_validate_prose_oddities(&pl, &log) == FT_OK, "oddities run");
    CHECK(count(&log, "doubled_word", FT_INFO) == 1, "保障保障 noted");
    CHECK(count(&log, "template_leftover", FT_INFO) == 1, "XX月XX日 noted");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

static void
test_kinds_and_cross(void)
{
    static const char *const summary[] = {"项目|金额|项目|金额",
                                          "本年收入合计|100.00|本年支出合计|90.00"};
    static const char *const income[] = {"项目|合计|一般公共预算",
                                         "合计|100.00|100.00"};
    static const char *const expense[] = {"项目|合计|基本支出",
                                          "合计|95.00|95.00"};
    ft_table t[3];
    ft_log log = {0};
    build(&t[0], summary, 2, 4);
    build(&t[1], income, 2, 3);
    build(&t[2], expense, 2, 3);
    t[0].title = strdup("2023年预算收支总表");
    t[1].title = strdup("预算公开表2 2023年预算收入总表");
    t[2].title = strdup("支出决算表");
    CHECK(!strcmp(ft_table_kind(&t[0]), "income_expense_summary"), "收支");
    CHECK(!strcmp(ft_table_kind(&t[1]), "income_summary"), "收入");
    CHECK(!strcmp(ft_table_kind(&t[2]), "expense_summary"), "支出");
    ft_validate_document(t, 3, &log);
    CHECK(count(&log, "cross_table", FT_PASS) == 1, "本年收入 = 收入总表");
    CHECK(count(&log, "cross_table", FT_FAIL) == 1,
          "本年支出 90 != 支出总表 95");
    ft_log_clear(&log);
    ft_table_clear(&t[0]);
    ft_table_clear(&t[1]);
    ft_table_clear(&t[2]);
}

/* Narrative figures against the tables: 基本支出 as the 支出总表 states it
 * passes, 项目支出 off by a digit fails, last year's figure is skipped. */
static void
test_narrative_tables(void)
{
    static const char *const rows[] = {"科目编码|科目名称|合计|基本支出|项目支出",
                                       "合计||14,567.80|6,970.39|7,597.41",
                                       "204|公共安全支出|14,567.80|6,970.39|"
                                       "7,597.41"};
    ft_table t;
    ft_log log = {0};
    ft_prose p[1];
    ft_prose_list pl = {p, 1, 1};
    char text[] = "2023年度支出预算14567.8万元，其中：基本支出6970.39万元，"
                  "项目支出7957.41万元。上年基本支出6000.00万元。\n";
    const ft_entry *e = NULL;
    size_t i;
    build(&t, rows, 3, 5);
    t.title = strdup("2023年预算支出总表");
    t.unit = strdup("万元");
    p[0].page = 5;
    p[0].text = text;
    CHECK(ft_validate_text(&pl, &t, 1, &log) == FT_OK, "text checks run");
    CHECK(count(&log, "narrative_table", FT_PASS) == 1, "基本支出 agrees");
    CHECK(count(&log, "narrative_table", FT_FAIL) == 1,
          "项目支出 7957.41 is not the table's 7597.41");
    for (i = 0; i < log.n; i++)
        if (!strcmp(log.items[i].rule, "narrative_table") &&
            log.items[i].status == FT_FAIL)
            e = &log.items[i];
    CHECK(e && e->page == 5 && e->expected == 7597.41 &&
              e->actual == 7957.41 && strstr(e->message, "E2"),
          "the failure names the table cell: %s", e ? e->message : "");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* Project forms against the 项目支出表: agreement in 元 vs 万元, a name
 * written slightly differently, a wrong amount, and a form with no line. */
static void
test_project_forms(void)
{
    static const char *const lines[] = {
        "项目名称|合计|一般公共预算",
        "“警务通”服务|249.27|249.27",
        "网安固网节点侦控系统扩容及网安大数据改造|279.50|279.50",
        "705网建设|800.00|800.00"};
    static const char *const f1[] = {
        "项目名称|“警务通”服务||",
        "项目资金（元）|实施期资金总额：|2,492,700|年度资金总额：|2,492,700"};
    static const char *const f2[] = {
        "项目名称|网安固网结点侦控系统扩容及网安大数据改造||",
        "项目资金 (元)|实施期资金总额:|2,795,000|年度资金总额:|2,795,000"};
    static const char *const f3[] = {
        "项目名称|705网建设||",
        "项目资金（元）|实施期资金总额：|8,000,000|年度资金总额：8,500,000|"};
    static const char *const f4[] = {
        "项目名称|机关维修||",
        "项目资金（元）|实施期资金总额：|568,000|年度资金总额：|568,000"};
    ft_table t[5];
    ft_log log = {0};
    const ft_entry *e;
    int i;
    build(&t[0], lines, 4, 3);
    build(&t[1], f1, 2, 5);
    build(&t[2], f2, 2, 5);
    build(&t[3], f3, 2, 5);
    build(&t[4], f4, 2, 5);
    t[0].title = strdup("2023年项目支出预算表（本年预算）");
    t[0].unit = strdup("万元");
    for (i = 1; i < 5; i++) {
        t[i].title = strdup("项目支出绩效目标申报表");
        t[i].n_header_rows = 0;
    }
    CHECK(!strcmp(ft_table_kind(&t[1]), "project_performance_form"), "form");
    ft_validate_document(t, 5, &log);
    CHECK(count(&log, "project_form", FT_PASS) == 2, "two forms agree");
    CHECK(count(&log, "project_form", FT_FAIL) == 1, "one disagrees");
    CHECK(count(&log, "project_form", FT_INFO) == 1, "one has no line");
    for (i = 0; i < (int)log.n; i++) {
        e = &log.items[i];
        if (strcmp(e->rule, "project_form") || e->table != 3)
            continue;
        CHECK(e->status == FT_FAIL && e->row == 1 && e->col == 3 &&
                  e->expected == 8000000 && e->actual == 8500000,
              "705网建设: form says 8,500,000, the table 800.00 万元");
    }
    for (i = 0; i < (int)log.n; i++) {
        e = &log.items[i];
        if (!strcmp(e->rule, "project_form") && e->table == 2)
            CHECK(e->status == FT_PASS && strstr(e->message, "name matched as"),
                  "结点 matched to 节点: %s", e->message);
    }
    ft_log_clear(&log);
    for (i = 0; i < 5; i++)
        ft_table_clear(&t[i]);
}

/* A form's funding block: each 资金总额 equals the sources under it. */
static void
test_form_totals(void)
{
    static const char *const rows[] = {
        "项目名称|机关维修||",
        "项目资金（元）|实施期资金总额：|568,000|年度资金总额：568,000|",
        "|其中：中央财政资金|0|其中：中央财政资金 0|",
        "|市县（区）财政资金|568,000|市县（区）财政资金 568,000|",
        "|其他资金||其他资金|",
        "项目实施计划|通过招投标确定实施单位。||"};
    ft_table t;
    ft_log log = {0};
    const ft_entry *e;
    build(&t, rows, 6, 5);
    t.n_header_rows = 0;
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "form_total", 1, 2);
    CHECK(e && e->status == FT_PASS && e->expected == 568000 &&
              !strcmp(e->message, "C2: 实施期资金总额 = 568000 equals its parts"),
          "实施期资金总额 = its sources at C2: %s", e ? e->message : "(none)");
    e = entry_at(&log, "form_total", 1, 3);
    CHECK(e && e->status == FT_PASS && e->actual == 568000,
          "a total and sources printed in their labels' cells are checked");
    CHECK(count(&log, "form_total", FT_PASS) == 2, "two totals checked");
    ft_log_clear(&log);

    /* a source misread as a letter: the sum cannot hold, and says where */
    free(FT_CELL(&t, 2, 2)->text);
    FT_CELL(&t, 2, 2)->text = strdup("A");
    FT_CELL(&t, 2, 2)->kind = FT_CELL_TEXT;
    /* a source that is off */
    free(FT_CELL(&t, 3, 3)->text);
    FT_CELL(&t, 3, 3)->text = strdup("市县（区）财政资金 586,000");
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "form_total", 2, 2);
    CHECK(e && e->status == FT_FAIL && e->page == 1 &&
              !strcmp(e->message, "C3: \"A\" is not a number, so "
                                  "实施期资金总额 (C2) cannot be checked "
                                  "against its sources"),
          "the unreadable source fails at C3: %s", e ? e->message : "(none)");
    e = entry_at(&log, "form_total", 1, 3);
    CHECK(e && e->status == FT_FAIL && e->expected == 586000 &&
              e->actual == 568000,
          "年度资金总额 568,000 against sources of 586,000 fails at D2");
    ft_log_clear(&log);
    ft_table_clear(&t);

    {
        /* one source under a total may be a part only: not checked */
        static const char *const one[] = {
            "项目资金|年度资金总额：|100|",
            "|其中：财政拨款|80|",
            "项目概况|说明|"};
        build(&t, one, 3, 3);
        t.n_header_rows = 0;
        ft_validate_table(&t, 0, &log);
        CHECK(count(&log, "form_total", FT_PASS) +
                      count(&log, "form_total", FT_FAIL) ==
                  0,
              "a total with one source is not a sum");
        ft_log_clear(&log);
        ft_table_clear(&t);
    }
}

/* A 项目支出表 whose unit's own lines stand above its projects. */
static void
test_entity_totals(void)
{
    static const char *const rows[] = {
        "项目名称|合计|一般公共预算",
        "忻州市公安局|1,144.89|1,144.89",
        "忻州市公安局|1,144.89|1,144.89",
        "2022年第二批中央政法转移支付资金(市公安局)|0.71|0.71",
        "2022年全省公安转移支付资金|185.92|185.92",
        "2022年提前批省级政法转移支付资金(公安)-采购|69.66|69.66",
        "2022年提前批省级政法转移支付资金(公安)-非采购|107.23|107.23",
        "2022年政法转移支付补助资金|510.00|510.00",
        "市直监管场所智慧监管项目|106.35|106.35",
        "执法办案中心、看守所、刑事技术处装备建设工程|165.02|165.02"};
    ft_table t;
    ft_log log = {0};
    const ft_entry *e;
    int r, c;
    build(&t, rows, 10, 3);
    t.title = strdup("2023年项目支出预算表（上年结转）");
    t.entity = strdup("忻州市公安局");
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "column_total", 1, 1);
    CHECK(e && e->status == FT_PASS &&
              !strcmp(e->message, "B2: column total (忻州市公安局 over the "
                                  "unit line below) = 1144.89 equals its "
                                  "parts"),
          "the department equals its one unit: %s", e ? e->message : "");
    e = entry_at(&log, "column_total", 2, 2);
    CHECK(e && e->status == FT_PASS && e->expected == 1144.89,
          "the unit equals its 7 projects at C3");
    CHECK(count(&log, "column_total", FT_FAIL) == 0, "no failure");
    ft_log_clear(&log);

    /* read by OCR, both cells of a row misread alike (0.71 as 0.74): the
     * row total agrees, the 0.03 over 7 summands is within the rounding
     * a printed table may carry, but not within what rounding plausibly
     * gives */
    for (r = 0; r < t.n_rows; r++)
        for (c = 0; c < t.n_cols; c++)
            FT_CELL(&t, r, c)->ocr = 1;
    FT_CELL(&t, 3, 1)->value = FT_CELL(&t, 3, 2)->value = 0.74;
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "column_total", 2, 1);
    CHECK(e && e->status == FT_FAIL &&
              strstr(e->message, "off by -0.03"),
          "0.03 off 7 OCR'd summands fails: %s", e ? e->message : "");
    ft_log_clear(&log);
    for (r = 0; r < t.n_rows; r++)
        for (c = 0; c < t.n_cols; c++)
            FT_CELL(&t, r, c)->ocr = 0;
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "column_total", 2, 1);
    CHECK(e && e->status == FT_PASS && strstr(e->message, "within rounding"),
          "the same printed is within rounding: %s", e ? e->message : "");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* Marks every cell of t read by OCR with confidence conf. */
static void
as_ocr(ft_table *t, float conf)
{
    int r, c;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            FT_CELL(t, r, c)->ocr = 1;
            FT_CELL(t, r, c)->conf = conf;
        }
}

/* The first failing entry of a rule at a cell, pointed at its misread. */
static const char *
pointed(ft_log *log, const ft_table *t, const char *rule, int r, int c)
{
    size_t i;
    for (i = 0; i < log->n; i++) {
        ft_entry *e = &log->items[i];
        if (!strcmp(e->rule, rule) && e->row == r && e->col == c &&
            e->status == FT_FAIL) {
            if (ft_point_at_misread(e, t, log, 0) != FT_OK)
                return NULL;
            return e->message;
        }
    }
    return NULL;
}

/* Where a failing sum over OCR'd cells points. */
static void
test_point_at_misread(void)
{
    static const char *const codes[] = {
        "科目编码|科目名称|合计|基本支出|项目支出",
        "20402|公安|300.00|100.00|200.00",
        "2040201|行政运行|100.00|100.00|",
        "204021.，|信息化建设|200.00||200.00"};
    static const char *const rows[] = {
        "项目|合计|甲|乙",
        "合计|60.00|30.00|30.00",
        "一、工资|10.00|5.00|5.00",
        "二、商品|20.00|10.00|10.00",
        "三、其他|33.00|15.00|15.00"};
    ft_table t;
    ft_log log = {0};
    const char *m;
    build(&t, codes, 4, 5);
    as_ocr(&t, 90);
    FT_CELL(&t, 3, 0)->suspect = FT_SUSPECT_CODE;
    ft_validate_table(&t, 0, &log);
    m = pointed(&log, &t, "code_hierarchy", 1, 2);
    CHECK(m && !strcmp(m, "C2: code 20402 = 300.00 but its 1 parts sum to "
                          "100.00 (off by 200.00); the gap is the amount "
                          "of the rows whose code OCR misread: A4"),
          "a row out of the code checks explains the gap: %s", m ? m : "");
    ft_log_clear(&log);
    ft_table_clear(&t);

    {
        /* the only child's code misread: its parent cannot be checked */
        static const char *const lone[] = {"科目编码|科目名称|合计",
                                           "208|社会保障和就业支出|100.00",
                                           "20805|养老支出|100.00",
                                           "208050S|缴费支出|100.00"};
        const ft_entry *e;
        build(&t, lone, 4, 3);
        as_ocr(&t, 90);
        FT_CELL(&t, 3, 0)->suspect = FT_SUSPECT_CODE;
        ft_validate_table(&t, 0, &log);
        e = entry_at(&log, "code_hierarchy", 2, 2);
        CHECK(e && e->status == FT_FAIL && !e->has_values &&
                  !strcmp(e->message,
                          "C3: code 20805 = 100.00, but A4 \"208050S\" below "
                          "it was not read as a code: its children cannot "
                          "be checked"),
              "a parent whose one child's code is misread fails: %s",
              e ? e->message : "");
        e = entry_at(&log, "code_hierarchy", 1, 2);
        CHECK(e && e->status == FT_PASS, "208 = 20805 still passes");
        ft_log_clear(&log);
        ft_table_clear(&t);
    }

    /* 三、其他 reads 33.00 for 30.00: its row and the column fail; 一、's
     * 10.00 is the least confident reading, but its row total passes */
    build(&t, rows, 5, 4);
    as_ocr(&t, 90);
    FT_CELL(&t, 2, 1)->conf = 50;
    ft_validate_table(&t, 0, &log);
    m = pointed(&log, &t, "column_total", 1, 1);
    CHECK(m && strstr(m, "; least confident OCR reading: B5 (90%)"),
          "a reading its row total confirms is passed over: %s", m ? m : "");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* A message cut inside a character keeps only well-formed UTF-8. */
static void
test_log_utf8(void)
{
    ft_log log = {0};
    CHECK(ft_log_add(&log, 1, -1, -1, -1, "check", "doubled_word", FT_INFO,
                     NULL, NULL,
                     "in \"\xe5\x9c\xb0\xe5\x9c\" \xff\xc0\xaf\xed\xa0\x80ok") ==
              FT_OK,
          "log add");
    CHECK(log.n == 1 && !strcmp(log.items[0].message, "in \"\xe5\x9c\xb0\" ok"),
          "scrubbed: %s", log.n ? log.items[0].message : "");
    ft_log_clear(&log);
}

/* An outline numbered per level (款 項 目 節, as Traditional budgets
 * print it): a row equals the rows of the next level under it, 合計 the
 * rows of the top level; a group still open at the table's end is left
 * alone (it may go on on the next page); rows that only name a function
 * between levels are not parts. */
static void
test_numbered_outline(void)
{
    static const char *const rows[] = {
        "款|項|目|節|名稱|本年度預算數",
        "||||合計|1,500",
        "1||||監察院主管|1,000",
        "|1|||監察院|600",
        "||||監察支出|600",
        "||1||一般行政|600",
        "|||1|行政管理|450",
        "|||2|其他設備|150",
        "|2|||審計部|400",
        "||1||一般行政|400",
        "2||||審計部主管|500",
        "|1|||臺北市審計處|300",
    };
    ft_table t;
    ft_log log = {0};
    ft_check_counts cc;
    const ft_entry *e;
    build(&t, rows, 12, 6);
    ft_validate_table(&t, 0, &log);
    ft_log_count(&log, &cc);
    CHECK(cc.failed == 0, "a consistent outline has no failure, got %zu",
          cc.failed);
    e = entry_at(&log, "code_hierarchy", 2, 5);
    CHECK(e && e->status == FT_PASS && e->expected == 1000,
          "款1 = its 項 1 and 2 at F3");
    CHECK(e && strstr(e->message, "款1"), "the place is named: %s",
          e ? e->message : "(none)");
    e = entry_at(&log, "code_hierarchy", 5, 5);
    CHECK(e && e->status == FT_PASS && e->expected == 600,
          "目1 = its 節 at F6 (監察支出 between 項 and 目 is no part)");
    e = entry_at(&log, "column_total", 1, 5);
    CHECK(e && e->status == FT_PASS && e->expected == 1500,
          "合計 = the 款 rows at F2");
    CHECK(entry_at(&log, "code_hierarchy", 10, 5) == NULL,
          "款2, open at the table's end, is not checked");
    ft_log_clear(&log);
    /* a changed digit: 450 -> 480 */
    free(FT_CELL(&t, 6, 5)->text);
    FT_CELL(&t, 6, 5)->text = strdup("480");
    FT_CELL(&t, 6, 5)->value = 480;
    ft_validate_table(&t, 0, &log);
    ft_log_count(&log, &cc);
    e = entry_at(&log, "code_hierarchy", 5, 5);
    CHECK(e && e->status == FT_FAIL && e->expected == 630,
          "目1 fails at F6: its 節 sum to 630");
    CHECK(cc.failed == 1, "exactly one failure, got %zu", cc.failed);
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* A total set after its parts (合計 last, as Traditional budgets print
 * it): each 小計 stands for the columns since the one before and is
 * checked against them; the total equals the 小計s and what follows the
 * last one. A 科目 spanning 款 and 名稱 names no code over 名稱: the
 * names are the row labels, and 合計 among them is the total row. */
static void
test_totals_on_left(void)
{
    static const char *const rows[] = {
        "科目|<|經常支出|<|<|資本支出|<|<|對外之捐助|合計",
        "款|名稱|人事費|業務費|小計|設備|獎補助費|小計||",
        "|合計|100|50|150|30|20|50|5|205",
        "1|監察院|60|30|90|10|-|10|5|105",
        "2|審計部|40|20|60|20|20|40|-|100",
    };
    ft_table t;
    ft_log log = {0};
    ft_check_counts cc;
    const ft_entry *e;
    build_h(&t, rows, 5, 10, 2);
    ft_validate_table(&t, 0, &log);
    ft_log_count(&log, &cc);
    CHECK(cc.failed == 0, "a consistent table has no failure, got %zu",
          cc.failed);
    e = entry_at(&log, "row_total", 3, 9);
    CHECK(e && e->status == FT_PASS && e->expected == 105,
          "合計 = 小計 + 小計 + 對外之捐助 at J4");
    e = entry_at(&log, "row_total", 3, 4);
    CHECK(e && e->status == FT_PASS && e->expected == 90,
          "經常支出 小計 = 人事費 + 業務費 at E4");
    e = entry_at(&log, "column_total", 2, 2);
    CHECK(e && e->status == FT_PASS && e->expected == 100,
          "合計 row = the 款 rows at C3");
    ft_log_clear(&log);
    /* a changed digit: 業務費 30 -> 38 */
    free(FT_CELL(&t, 3, 3)->text);
    FT_CELL(&t, 3, 3)->text = strdup("38");
    FT_CELL(&t, 3, 3)->value = 38;
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "row_total", 3, 4);
    CHECK(e && e->status == FT_FAIL && e->expected == 98,
          "小計 fails at E4: its parts sum to 98");
    e = entry_at(&log, "row_total", 3, 9);
    CHECK(e && e->status == FT_PASS, "合計 still equals the 小計s at J4");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

/* Blocks of 科目编码 | 科目名称 | 决算数 side by side: each block's codes
 * are its own, and a list that goes on in the next block (302's items
 * past the foot of the middle block) is checked as one, the entries at
 * the cells they are about. */
static void
test_side_blocks(void)
{
    static const char *const rows[] = {
        "科目编码|科目名称|决算数|科目编码|科目名称|决算数|科目编码|科目名称|决算数",
        "301|工资福利支出|30.00|302|商品和服务支出|16.00|30203|咨询费|4.00",
        "30101|基本工资|20.00|30201|办公费|5.00|310|资本性支出|2.00",
        "30102|津贴补贴|10.00|30202|印刷费|7.00|31002|办公设备购置|2.00",
    };
    ft_table t;
    ft_log log = {0};
    ft_check_counts cc;
    const ft_entry *e;
    char **codes;
    int r;
    build(&t, rows, 4, 9);
    codes = ft_table_codes(&t, 4);
    CHECK(codes && codes[2] && !strcmp(codes[2], "30201"),
          "the middle block's own code: %s", codes && codes[2] ? codes[2] : "-");
    for (r = 0; codes && r < t.n_rows; r++)
        free(codes[r]);
    free(codes);
    ft_validate_table(&t, 0, &log);
    ft_log_count(&log, &cc);
    CHECK(cc.failed == 0, "blocks that go on check as one list, got %zu "
          "failures", cc.failed);
    e = entry_at(&log, "code_hierarchy", 1, 5);
    CHECK(e && e->status == FT_PASS && e->expected == 16 &&
              !strncmp(e->message, "F2:", 3),
          "302 = 30201 + 30202 + 30203 (in the next block), at F2: %s",
          e ? e->message : "(none)");
    ft_log_clear(&log);
    free(FT_CELL(&t, 1, 8)->text);
    FT_CELL(&t, 1, 8)->text = strdup("4.50");
    FT_CELL(&t, 1, 8)->value = 4.5;
    ft_validate_table(&t, 0, &log);
    e = entry_at(&log, "code_hierarchy", 1, 5);
    CHECK(e && e->status == FT_FAIL && e->expected == 16.5,
          "a changed digit in the next block fails 302 at F2");
    ft_log_clear(&log);
    ft_table_clear(&t);
}

int
main(void)
{
    char name[16];
    test_log_utf8();
    test_budget_table();
    test_tolerance();
    test_narrative();
    test_kinds_and_cross();
    test_project_forms();
    test_form_totals();
    test_entity_totals();
    test_point_at_misread();
    test_narrative_tables();
    test_numbered_outline();
    test_totals_on_left();
    test_side_blocks();
    ft_cell_name(0, 0, name);
    CHECK(!strcmp(name, "A1"), "A1");
    ft_cell_name(11, 27, name);
    CHECK(!strcmp(name, "AB12"), "AB12: %s", name);
    CHECK_DONE();
}
