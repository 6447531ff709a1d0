/*
 * document.c - what each table is, and the checks across tables.
 *
 * Kinds come from the title, tolerant of numbering (公开01表, 表一), year and
 * wording (预算/决算, 总表/表). Across tables: the 收支总表's 本年收入合计
 * and 本年支出合计 equal the 合计 of the 收入总表 and 支出总表. Oddities
 * worth a look are logged as info: doubled words ("保障保障"), template
 * leftovers ("XX月XX日前"), negative amounts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "../normalize/normalize.h"
#include "validate.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* 1 when folded s contains every word of the '|'-less list (NULL ends). */
static int
has_all(const char *s, const char *a, const char *b)
{
    return strstr(s, a) && (!b || strstr(s, b));
}

/* The value of the first number right of the first body cell whose
 * folded text contains label; fills row/col. Returns 0 when absent. */
static int
labelled_value(const ft_table *t, const char *label, double *v, int *decimals,
               int *row, int *col)
{
    int r, c, k;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            char *f;
            int hit;
            if (cell->kind != FT_CELL_TEXT || !cell->text)
                continue;
            f = ft_text_fold(cell->text);
            hit = f && strstr(f, label) != NULL;
            free(f);
            if (!hit)
                continue;
            for (k = c + cell->colspan; k < t->n_cols; k++) {
                const ft_cell *x = FT_CELL(t, r, k);
                if (x->kind == FT_CELL_TEXT)
                    break;
                if (x->kind == FT_CELL_NUMBER) {
                    *v = x->value;
                    *decimals = x->decimals;
                    *row = r;
                    *col = k;
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* The value in the body row whose label contains row_label, in the
 * first column whose label path contains col_label; 0 when absent. */
static int
cell_value(const ft_table *t, const char *row_label, const char *col_label,
           double *v, int *decimals, int *row, int *col)
{
    int r, c;
    for (c = 0; c < t->n_cols; c++) {
        char *l = ft_column_label(t, c), *f;
        int hit;
        if (!l)
            return 0;
        f = ft_text_fold(l);
        free(l);
        hit = f && strstr(f, col_label) != NULL;
        free(f);
        if (!hit)
            continue;
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            const ft_cell *x = FT_CELL(t, r, c);
            char *lab = ft_row_label(t, r, c), *lf;
            int match;
            if (!lab)
                continue;
            lf = ft_text_fold(lab);
            free(lab);
            match = lf && strstr(lf, row_label) != NULL;
            free(lf);
            if (match && x->kind == FT_CELL_NUMBER) {
                *v = x->value;
                *decimals = x->decimals;
                *row = r;
                *col = c;
                return 1;
            }
        }
        return 0;
    }
    return 0;
}

static ft_status cross_col(ft_log *log, const ft_table *tables, size_t n,
                           size_t ia, const char *la, const char *ca_label,
                           size_t ib, const char *lb, const char *cb_label,
                           const char *what);

/* Compares a figure of table a with one of table b. */
static ft_status
cross(ft_log *log, const ft_table *tables, size_t n, size_t ia,
      const char *la, size_t ib, const char *lb, const char *what)
{
    return cross_col(log, tables, n, ia, la, NULL, ib, lb, NULL, what);
}

/* The same, each side optionally looked up in a labelled column. */
static ft_status
cross_col(ft_log *log, const ft_table *tables, size_t n, size_t ia,
          const char *la, const char *ca_label, size_t ib, const char *lb,
          const char *cb_label, const char *what)
{
    double va, vb;
    int da, db, ra, ca, rb, cb;
    char msg[400], name[16];
    double tol;
    (void)n;
    if (!(ca_label ? cell_value(&tables[ia], la, ca_label, &va, &da, &ra, &ca)
                   : labelled_value(&tables[ia], la, &va, &da, &ra, &ca)) ||
        !(cb_label ? cell_value(&tables[ib], lb, cb_label, &vb, &db, &rb, &cb)
                   : labelled_value(&tables[ib], lb, &vb, &db, &rb, &cb)))
        return FT_OK;
    tol = 0.5 * pow(10, -(da > db ? da : db)) * 2 + 1e-9;
    ft_cell_name(rb, cb, name);
    snprintf(msg, sizeof msg, "%s: %s %.*f here, %s %.*f in '%s' %s", what,
             la, da, va, lb, db, vb,
             tables[ib].title ? tables[ib].title : "", name);
    return ft_log_add(log, FT_CELL(&tables[ia], ra, ca)->page, (int)ia, ra, ca,
                      "check", "cross_table",
                      fabs(va - vb) <= tol ? FT_PASS : FT_FAIL, &vb, &va,
                      msg);
}

/* 1 when s (folded) repeats a 2-4 character CJK word at once. */
static int
doubled_word(const char *s, char *word, size_t size)
{
    size_t n = strlen(s), i, k;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0xE0)
            continue;
        for (k = 2; k <= 4; k++) {
            size_t len = 3 * k, j;
            int cjk = 1;
            if (i + 2 * len > n)
                break;
            for (j = 0; j < 2 * len; j += 3)
                if ((unsigned char)s[i + j] < 0xE4 ||
                    (unsigned char)s[i + j] > 0xE9)
                    cjk = 0;
            if (cjk && !memcmp(s + i, s + i + len, len)) {
                snprintf(word, size, "%.*s", (int)(2 * len), s + i);
                return 1;
            }
        }
    }
    return 0;
}

/* Logs oddities of one text: doubled words and template leftovers. */
static ft_status
oddities(ft_log *log, const char *text, int page, int table, int r, int c)
{
    char *f = ft_text_fold(text);
    char word[64], msg[300];
    ft_status st = FT_OK;
    if (!f)
        return FT_ERR_NOMEM;
    if (doubled_word(f, word, sizeof word)) {
        snprintf(msg, sizeof msg, "doubled word \"%s\" in \"%.200s\"", word,
                 text);
        st = ft_log_add(log, page, table, r, c, "check", "doubled_word",
                        FT_INFO, NULL, NULL, msg);
    }
    if (st == FT_OK && (strstr(f, "XX") || strstr(f, "xx") ||
                        strstr(f, "××") || strstr(f, "***"))) {
        snprintf(msg, sizeof msg, "template leftover in \"%.200s\"", text);
        st = ft_log_add(log, page, table, r, c, "check", "template_leftover",
                        FT_INFO, NULL, NULL, msg);
    }
    free(f);
    return st;
}

/* Folded s with quotes and brackets of either width dropped, as code
 * points into cp (at most max); returns the count. */
static size_t
name_points(const char *s, uint32_t *cp, size_t max)
{
    static const uint32_t drop[] = {0x201C, 0x201D, '"', '\'', 0x2018,
                                    0x2019, '(', ')', 0xFF08, 0xFF09,
                                    0x300A, 0x300B, 0x3001};
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t n = 0, k;
    while (*p && n < max) {
        utf8proc_int32_t c;
        utf8proc_ssize_t len = utf8proc_iterate(p, -1, &c);
        int skip = 0;
        if (len <= 0)
            return n; /* not UTF-8: stop */
        for (k = 0; k < sizeof drop / sizeof *drop; k++)
            skip |= (uint32_t)c == drop[k];
        if (!skip)
            cp[n++] = (uint32_t)c;
        p += len;
    }
    return n;
}

/* A project line of a 项目支出表. */
typedef struct proj_line {
    uint32_t name[128];
    size_t n;
    const char *text;   /* as printed */
    double yuan;        /* amount in 元 */
    double tol;         /* half a printed unit, in 元 */
    size_t table;
    int row, col;
} proj_line;

/* Text of the first text cell right of the one whose folded text holds
 * label, in any row; the cell's row in *row. NULL when absent. */
static const char *
text_right_of(const ft_table *t, const char *label, int *row)
{
    int r, c, k;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *x = FT_CELL(t, r, c);
            char *f;
            int hit;
            if (x->covered || x->kind != FT_CELL_TEXT || !x->text)
                continue;
            f = ft_text_fold(x->text);
            hit = f && strstr(f, label) != NULL;
            free(f);
            if (!hit)
                continue;
            for (k = c + x->colspan; k < t->n_cols; k++) {
                const ft_cell *y = FT_CELL(t, r, k);
                if (!y->covered && y->text && y->kind == FT_CELL_TEXT) {
                    *row = r;
                    return y->text;
                }
            }
        }
    return NULL;
}

/* A form's 年度资金总额: the number right of the label, or printed in the
 * label's own cell ("年度资金总额：1,400,000"). Returns 0 when absent. */
static int
annual_total(const ft_table *t, double *v, int *row, int *col)
{
    int r, c;
    for (r = 0; r < t->n_rows; r++)
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *x = FT_CELL(t, r, c);
            char *f;
            int prec, vc;
            ft_kind k = FT_CELL_EMPTY;
            if (x->covered || x->kind != FT_CELL_TEXT || !x->text)
                continue;
            f = ft_text_fold(x->text);
            if (f && strstr(f, "年度资金总额"))
                k = ft_label_value(t, r, c, f, v, &prec, &vc);
            free(f);
            if (k == FT_CELL_NUMBER) {
                *row = r;
                *col = vc;
                return 1;
            }
        }
    return 0;
}

/* Lines of every 项目支出表: name (first text cell) and 合计 (the first
 * column labelled 合计, else the first number of the row). */
static ft_status
project_lines(const ft_table *tables, size_t n, proj_line **out, size_t *nl)
{
    size_t i, cap = 0;
    *out = NULL;
    *nl = 0;
    for (i = 0; i < n; i++) {
        const ft_table *t = &tables[i];
        double f = ft_unit_yuan(t->unit);
        int r, c, total = -1;
        if (strcmp(ft_table_kind(t), "project_expense") || f <= 0)
            continue;
        for (c = 0; c < t->n_cols && total < 0; c++) {
            char *l = ft_column_label(t, c), *lf;
            if (!l)
                return FT_ERR_NOMEM;
            lf = ft_text_fold(l);
            free(l);
            if (lf && strstr(lf, "合计"))
                total = c;
            free(lf);
        }
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            const ft_cell *name = NULL, *val = NULL;
            int vc = -1;
            for (c = 0; c < t->n_cols; c++) {
                const ft_cell *x = FT_CELL(t, r, c);
                if (!name && x->kind == FT_CELL_TEXT && x->text &&
                    !ft_is_code(x->text))
                    name = x;
                if (x->kind == FT_CELL_NUMBER && !val &&
                    (total < 0 || c == total)) {
                    val = x;
                    vc = c;
                }
            }
            if (!name || !val)
                continue;
            if (*nl == cap) {
                size_t nc = cap ? cap * 2 : 32;
                proj_line *p = realloc(*out, nc * sizeof *p);
                if (!p)
                    return FT_ERR_NOMEM;
                *out = p;
                cap = nc;
            }
            {
                proj_line *p = &(*out)[(*nl)++];
                char *fold = ft_text_fold(name->text);
                if (!fold)
                    return FT_ERR_NOMEM;
                p->n = name_points(fold, p->name, 128);
                free(fold);
                p->text = name->text;
                p->yuan = val->value * f;
                p->tol = 0.5 * pow(10, -val->decimals) * f + 0.5;
                p->table = i;
                p->row = r;
                p->col = vc;
            }
        }
    }
    return FT_OK;
}

/*
 * Each 项目支出绩效目标申报表's 年度资金总额 (元, or the unit its 项目资金
 * label names) against its project's line in a 项目支出表 (万元). Names
 * match after folding, quotes and brackets dropped, and then with one
 * character in ten differing (结点 for 节点). A form without a line is
 * info: forms also cover items paid from 基本支出.
 */
static ft_status
check_project_forms(ft_log *log, const ft_table *tables, size_t n)
{
    proj_line *lines;
    size_t nl, i;
    ft_status st = project_lines(tables, n, &lines, &nl);
    for (i = 0; i < n && st == FT_OK; i++) {
        const ft_table *t = &tables[i];
        const char *name, *unit_label;
        uint32_t cp[128];
        size_t ncp, k, best = nl, bestd = (size_t)-1;
        double v, f = 1, yuan;
        int nr, r, c;
        char msg[600], where[16];
        if (strcmp(ft_table_kind(t), "project_performance_form"))
            continue;
        name = text_right_of(t, "项目名称", &nr);
        if (!name || !annual_total(t, &v, &r, &c))
            continue;
        unit_label = NULL;
        {
            /* the unit its 项目资金 label names: (元) or (万元) */
            int rr, cc;
            for (rr = 0; rr < t->n_rows && !unit_label; rr++)
                for (cc = 0; cc < t->n_cols; cc++) {
                    const ft_cell *x = FT_CELL(t, rr, cc);
                    if (x->text && x->kind == FT_CELL_TEXT &&
                        strstr(x->text, "项目资金")) {
                        unit_label = x->text;
                        break;
                    }
                }
        }
        if (unit_label) {
            double u = ft_unit_yuan(strstr(unit_label, "项目资金") +
                                    strlen("项目资金"));
            if (u > 0)
                f = u;
        }
        yuan = v * f;
        {
            char *fold = ft_text_fold(name);
            if (!fold) {
                st = FT_ERR_NOMEM;
                break;
            }
            ncp = name_points(fold, cp, 128);
            free(fold);
        }
        for (k = 0; k < nl; k++) {
            size_t d = ft_edit_distance(cp, ncp, lines[k].name, lines[k].n);
            if (d < bestd) {
                bestd = d;
                best = k;
            }
        }
        if (best < nl && bestd > (ncp / 10 > 1 ? ncp / 10 : 1))
            best = nl;
        if (best == nl) {
            snprintf(msg, sizeof msg,
                     "project form \"%.200s\": 年度资金总额 %.2f 元 has no line "
                     "in a 项目支出表 (paid from 基本支出?)",
                     name, yuan);
            st = ft_log_add(log, FT_CELL(t, r, c)->page, (int)i, r, c,
                            "check", "project_form", FT_INFO, NULL, &yuan,
                            msg);
            continue;
        }
        {
            const proj_line *p = &lines[best];
            const ft_table *pt = &tables[p->table];
            double diff = fabs(yuan - p->yuan);
            int ok = diff <= p->tol;
            ft_cell_name(p->row, p->col, where);
            snprintf(msg, sizeof msg,
                     "project form \"%.160s\": 年度资金总额 %.2f 元 %s %.2f 元 "
                     "(%s %s in '%.120s' %s)%s%s",
                     name, yuan, ok ? "agrees with" : "but", p->yuan,
                     FT_CELL(pt, p->row, p->col)->text
                         ? FT_CELL(pt, p->row, p->col)->text
                         : "",
                     pt->unit ? pt->unit : "", pt->title ? pt->title : "",
                     where, bestd ? "; name matched as " : "",
                     bestd ? p->text : "");
            st = ft_log_add(log, FT_CELL(t, r, c)->page, (int)i, r, c,
                            "check", "project_form", ok ? FT_PASS : FT_FAIL,
                            &p->yuan, &yuan, msg);
        }
    }
    free(lines);
    return st;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

const char *
ft_table_kind(const ft_table *t)
{
    char *f = ft_text_fold(t->title ? t->title : "");
    const char *k = "other";
    if (!f)
        return k;
    if (has_all(f, "绩效目标", NULL))
        k = "project_performance_form";
    else if (has_all(f, "财政拨款收支", NULL) ||
             has_all(f, "财政拨款收入支出", NULL))
        k = "appropriation_summary";
    else if (has_all(f, "收支", "总表") || has_all(f, "收入支出", "总表"))
        k = "income_expense_summary";
    else if (has_all(f, "收入", "总表") || has_all(f, "收入决算表", NULL) ||
             has_all(f, "收入预算表", NULL))
        k = "income_summary";
    else if (has_all(f, "三公", NULL))
        k = "three_public_costs";
    else if (has_all(f, "机关运行经费", NULL))
        k = "operating_costs";
    else if (has_all(f, "政府性基金", NULL))
        k = "government_fund";
    else if (has_all(f, "国有资本经营", NULL))
        k = "state_capital";
    else if (has_all(f, "基本支出", NULL) &&
             (strstr(f, "经济") || strstr(f, "一般公共预算")))
        k = "basic_expense_economic";
    else if (has_all(f, "一般公共预算", "支出"))
        k = "general_budget_expense";
    else if (has_all(f, "项目支出", NULL))
        k = "project_expense";
    else if (has_all(f, "支出", "总表") || has_all(f, "支出决算表", NULL) ||
             has_all(f, "支出预算表", NULL))
        k = "expense_summary";
    else if (has_all(f, "政府采购", NULL))
        k = "procurement";
    free(f);
    return k;
}

ft_status
ft_validate_across(const ft_table *tables, size_t n, ft_log *log)
{
    size_t i, summary = n, income = n, expense = n, approp = n, general = n;
    size_t basic = n;
    ft_status st = FT_OK;

    for (i = 0; i < n; i++) {
        const char *k = ft_table_kind(&tables[i]);
        if (!strcmp(k, "income_expense_summary") && summary == n)
            summary = i;
        else if (!strcmp(k, "income_summary") && income == n)
            income = i;
        else if (!strcmp(k, "expense_summary") && expense == n)
            expense = i;
        else if (!strcmp(k, "appropriation_summary") && approp == n)
            approp = i;
        else if (!strcmp(k, "general_budget_expense") && general == n)
            general = i;
        else if (!strcmp(k, "basic_expense_economic") && basic == n)
            basic = i;
    }
    if (summary < n && income < n)
        st = cross(log, tables, n, summary, "本年收入合计", income, "合计",
                   "本年收入 agrees with the 收入总表");
    if (st == FT_OK && summary < n && expense < n)
        st = cross(log, tables, n, summary, "本年支出合计", expense, "合计",
                   "本年支出 agrees with the 支出总表");
    /* 一般公共预算 as the 财政拨款收支总表 and the 一般公共预算支出表 state it,
     * against the 收入总表's 合计 row (budgets, without carry-over) */
    if (st == FT_OK && approp < n && income < n)
        st = cross_col(log, tables, n, approp, "一般公共预算", NULL, income,
                       "合计", "一般公共预算",
                       "一般公共预算 agrees with the 收入总表");
    if (st == FT_OK && general < n && income < n && tables[general].title &&
        strstr(tables[general].title, "不含上年结转"))
        st = cross_col(log, tables, n, general, "合计", NULL, income, "合计",
                       "一般公共预算",
                       "一般公共预算 spending agrees with the 收入总表");

    /* 基本支出 as the 一般公共预算支出表 states it, against the 合计 of the
     * 一般公共预算 基本支出经济分类表 (whose 人员经费 + 公用经费 the table
     * checks itself) */
    if (st == FT_OK && general < n && basic < n && tables[basic].title &&
        strstr(tables[basic].title, "一般公共预算"))
        st = cross_col(log, tables, n, general, "合计", "基本支出", basic,
                       "合计", "合计",
                       "基本支出 agrees with the 基本支出经济分类表");
    if (st == FT_OK)
        st = check_project_forms(log, tables, n);
    return st;
}

ft_status
ft_validate_cells(const ft_table *t, int index, ft_log *log)
{
    ft_status st = FT_OK;
    int r, c;
    for (r = 0; r < t->n_rows && st == FT_OK; r++)
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            if (cell->kind == FT_CELL_TEXT && cell->text)
                st = oddities(log, cell->text, cell->page, index, r, c);
            else if (cell->kind == FT_CELL_NUMBER && cell->value < 0) {
                char msg[200];
                snprintf(msg, sizeof msg,
                         "negative amount \"%s\": worth a look",
                         cell->text ? cell->text : "");
                st = ft_log_add(log, cell->page, index, r, c, "check",
                                "negative_amount", FT_INFO, NULL, NULL, msg);
            }
        }
    return st;
}

int
ft_table_needed_across(const ft_table *t, const ft_table *seen,
                       size_t n_seen)
{
    const char *k = ft_table_kind(t);
    size_t i;
    if (!strcmp(k, "project_expense") ||
        !strcmp(k, "project_performance_form"))
        return 1;
    if (strcmp(k, "income_expense_summary") && strcmp(k, "income_summary") &&
        strcmp(k, "expense_summary") && strcmp(k, "appropriation_summary") &&
        strcmp(k, "general_budget_expense") &&
        strcmp(k, "basic_expense_economic"))
        return 0;
    for (i = 0; i < n_seen; i++)
        if (!strcmp(ft_table_kind(&seen[i]), k))
            return 0; /* only the first of a kind is compared */
    return 1;
}

ft_status
ft_validate_document(const ft_table *tables, size_t n, ft_log *log)
{
    ft_status st = ft_validate_across(tables, n, log);
    size_t i;
    for (i = 0; i < n && st == FT_OK; i++)
        st = ft_validate_cells(&tables[i], (int)i, log);
    return st;
}

ft_status
ft_validate_prose_oddities(const ft_prose_list *prose, ft_log *log)
{
    size_t i;
    ft_status st = FT_OK;
    for (i = 0; prose && i < prose->n && st == FT_OK; i++) {
        /* line by line, so that the entry quotes a short text */
        const char *t = prose->items[i].text;
        while (*t && st == FT_OK) {
            const char *nl = strchr(t, '\n');
            size_t len = nl ? (size_t)(nl - t) : strlen(t);
            char *line = malloc(len + 1);
            if (!line)
                return FT_ERR_NOMEM;
            memcpy(line, t, len);
            line[len] = 0;
            st = oddities(log, line, prose->items[i].page, -1, -1, -1);
            free(line);
            t = nl ? nl + 1 : t + len;
        }
    }
    return st;
}
