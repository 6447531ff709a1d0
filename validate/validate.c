/*
 * validate.c - row totals, column totals and the code hierarchy.
 *
 * Row totals: a 合计 column equals its siblings under the same header
 * (a 小计 column stands for its group; "其中" columns are subsets and are
 * left out). Column totals: a 合计/总计 row equals the top-level rows of
 * its block (3-digit codes, or rows numbered 一、二、…). Hierarchy: a code
 * equals the sum of its children one level down (3 → 5 → 7 digits, or
 * split 类/款/项 columns put together). Blanks count as zero.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../normalize/normalize.h"
#include "validate.h"

/* A total's label is no longer than this (code points). */
#define TOTAL_LABEL_MAX 16
/* Levels of an outline numbered per level (款 項 目 節). */
#define MAX_LEVELS 6

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* 1 when column c holds at least one number in the body. */
static int
is_numeric_col(const ft_table *t, int c)
{
    int r, nums = 0, texts = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        const ft_cell *cell = FT_CELL(t, r, c);
        if (cell->kind == FT_CELL_NUMBER)
            nums++;
        else if (cell->kind == FT_CELL_TEXT)
            texts++;
    }
    return nums > 0 && nums >= texts;
}

/* 1 when column c is a label column (text, or codes). */
static int
is_label_col(const ft_table *t, int c)
{
    return !is_numeric_col(t, c);
}

/* Value of a cell for summing: blanks and empties are zero. */
static double
val(const ft_table *t, int r, int c, int *prec, int *has)
{
    const ft_cell *cell = FT_CELL(t, r, c);
    if (cell->kind != FT_CELL_NUMBER)
        return 0;
    if (cell->decimals > *prec)
        *prec = cell->decimals;
    *has = 1;
    return cell->value;
}

/* Writes one check entry comparing expected (sum of parts) with the
 * printed total at (r, c). Returns FT_ERR_NOMEM on failure. */
static ft_status
report(ft_log *log, const ft_table *t, int index, int r, int c,
       const char *rule, double expected, double actual, int prec,
       int n_parts, const char *what)
{
    double unit = pow(10, -prec), diff = fabs(expected - actual);
    double tol = 0.5 * unit * (n_parts + 1) + 1e-9;
    char msg[512], name[16];
    ft_verdict v;
    if (FT_CELL(t, r, c)->ocr) {
        /* Read by OCR: a misread digit is likelier than every rounding
         * going one way. Allow what rounding plausibly gives: three
         * standard deviations of the summed rounding errors, at least
         * one unit in the last place. */
        double sd = unit * sqrt((n_parts + 1) / 12.0);
        double likely = (3 * sd > unit ? 3 * sd : unit) + 1e-9;
        if (likely < tol)
            tol = likely;
    }
    v = diff <= tol ? FT_PASS : FT_FAIL;
    ft_cell_name(r, c, name);
    if (v == FT_PASS && diff > 1e-9)
        snprintf(msg, sizeof msg,
                 "%s: %s = %.*f, parts sum to %.*f; within rounding "
                 "tolerance %.*f of %d summands",
                 name, what, prec, actual, prec, expected, prec + 1, tol,
                 n_parts);
    else if (v == FT_PASS)
        snprintf(msg, sizeof msg, "%s: %s = %.*f equals its parts", name,
                 what, prec, actual);
    else
        snprintf(msg, sizeof msg,
                 "%s: %s = %.*f but its %d parts sum to %.*f "
                 "(off by %.*f)",
                 name, what, prec, actual, n_parts, prec, expected, prec,
                 actual - expected);
    return ft_log_add(log, FT_CELL(t, r, c)->page, index, r, c, "check",
                      rule, v, &expected, &actual, msg);
}

/* Folded text of the anchor at (r, c), or NULL. Free the result. */
static char *
folded(const ft_table *t, int r, int c)
{
    const ft_cell *a = ft_table_anchor(t, r, c);
    return a->text ? ft_text_fold(a->text) : NULL;
}

/* 1 when folded label s names a total (合计, 总计, 合計, 總計; 小计 not
 * included): a short label, not a sentence of a 說明 column that
 * mentions one. */
static int
is_total_label(const char *s)
{
    uint32_t cp[TOTAL_LABEL_MAX + 1];
    if (!s || !(strstr(s, "合计") || strstr(s, "总计") || strstr(s, "合計") ||
                strstr(s, "總計")))
        return 0;
    return ft_code_points(s, cp, TOTAL_LABEL_MAX + 1) <= TOTAL_LABEL_MAX &&
           !strstr(s, "，") && !strstr(s, "。") && !strstr(s, ",");
}

/* 1 when folded s names a subtotal (小计, 小計). */
static int
is_subtotal_label(const char *s)
{
    return s && (strstr(s, "小计") || strstr(s, "小計"));
}

/* 1 when the body of column c holds ordinals (1 to 3 digits, "01" and
 * "001" as Traditional budgets print them) and blanks, 0 when it holds
 * nothing, -1 when it holds anything else. */
static int
ordinal_column(const ft_table *t, int c)
{
    int r, any = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        const ft_cell *x = FT_CELL(t, r, c);
        size_t n;
        if (x->covered || !x->text)
            continue;
        n = strspn(x->text, "0123456789");
        if (n == 0 || n > 3 || x->text[n])
            return -1;
        any = 1;
    }
    return any;
}

/* 1 when the lowest header cell over column c names a level of an
 * outline numbered per level (款 項 目 節). */
static int
names_level(const ft_table *t, int c)
{
    static const char *const names[] = {"款", "項", "项", "目", "節", "节"};
    const ft_cell *a;
    size_t k;
    if (t->n_header_rows == 0)
        return 0;
    a = ft_table_anchor(t, t->n_header_rows - 1, c);
    for (k = 0; a->text && k < sizeof names / sizeof *names; k++)
        if (strcmp(a->text, names[k]) == 0)
            return 1;
    return 0;
}

/* The columns in [c0, c1) of an outline numbered per level: two or more
 * neighbouring columns headed 款 項 目 節 that hold ordinals (a level
 * no row uses may stay empty), each
 * numbering its level afresh (款 1, its 項 1 2 3, ...) as Traditional
 * budgets print them, with no 类 column of codes before them (the
 * mainland's 类 | 款 | 项 are parts of one code). Returns how many,
 * their columns in cols. */
static int
level_columns(const ft_table *t, int c0, int c1, int *cols)
{
    int c, n = 0, filled = 0, o;
    for (c = c0; c < c1 && n < MAX_LEVELS; c++) {
        if (names_level(t, c) && (o = ordinal_column(t, c)) >= 0 &&
            (n == 0 || cols[n - 1] == c - 1)) {
            if (n == 0 && c > c0 && ft_column_is_code(t, c - 1))
                return 0;
            cols[n++] = c;
            filled += o;
        } else if (n > 0) {
            break;
        }
    }
    return n >= 1 && filled > 0 ? n : 0;
}

/* 1 when s starts with a Chinese list number ("一、", "十二、"). */
static int
is_numbered(const char *s)
{
    static const char *nums = "一二三四五六七八九十";
    const char *p = s;
    int n = 0;
    if (!s)
        return 0;
    while (*p && p[1] && p[2] && n < 4) {
        char ch[4] = {p[0], p[1], p[2], 0};
        if ((unsigned char)p[0] < 0x80 || !strstr(nums, ch))
            break;
        p += 3;
        n++;
    }
    return n > 0 && strncmp(p, "、", 3) == 0;
}

/* Reports, on each body row, that the amount in column c equals the sum
 * of columns parts[0..np). */
static ft_status
report_rows(const ft_table *t, int index, int c, const int *parts, int np,
            const char *what, ft_log *log)
{
    int r, i;
    ft_status st = FT_OK;
    for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
        int prec = 0, has = 0;
        double total = val(t, r, c, &prec, &has), sum = 0;
        for (i = 0; i < np; i++)
            sum += val(t, r, parts[i], &prec, &has);
        if (has)
            st = report(log, t, index, r, c, "row_total", sum, total, prec,
                        np, what);
    }
    return st;
}

/* Row totals of a total column c with its parts on its left, back to the
 * block's start [c0, c) or an earlier total: each 小計 stands for the
 * columns between it and the 小計 before it (and is checked against
 * them), 其中 columns are left out, and the total equals the 小計s and
 * the columns after the last one (經常支出 人事費 … 小計 | 資本支出 …
 * 小計 | 合計). */
static ft_status
totals_on_left(const ft_table *t, int index, int c0, int c, const char *lab,
               ft_log *log)
{
    int k, start = c0, parts[64], np = 0, seg[64], ns = 0;
    ft_status st = FT_OK;
    char what[160];
    for (k = c - 1; k >= c0; k--) {
        char *kl = ft_column_label(t, k), *leaf, *f;
        int stop;
        if (!kl)
            return FT_ERR_NOMEM;
        leaf = strrchr(kl, '/');
        f = ft_text_fold(leaf ? leaf + 1 : kl);
        stop = is_total_label(f);
        free(f);
        free(kl);
        if (stop) {
            start = k + 1;
            break;
        }
    }
    for (k = start; k < c && st == FT_OK; k++) {
        char *kl, *leaf, *f;
        int sub, subset;
        if (!is_numeric_col(t, k))
            continue;
        kl = ft_column_label(t, k);
        if (!kl)
            return FT_ERR_NOMEM;
        leaf = strrchr(kl, '/');
        f = ft_text_fold(leaf ? leaf + 1 : kl);
        sub = is_subtotal_label(f);
        subset = f && strstr(f, "其中") != NULL;
        free(f);
        if (sub) {
            if (ns >= 2) {
                snprintf(what, sizeof what, "row total (%s)", kl);
                st = report_rows(t, index, k, seg, ns, what, log);
            }
            ns = 0;
            if (np < 64)
                parts[np++] = k;
        } else if (!subset && ns < 64) {
            seg[ns++] = k;
        }
        free(kl);
    }
    for (k = 0; k < ns && np < 64; k++)
        parts[np++] = seg[k];
    if (st != FT_OK || np < 2)
        return st;
    snprintf(what, sizeof what, "row total (%s)", lab);
    return report_rows(t, index, c, parts, np, what, log);
}

/* Row checks for one block of columns [c0, c1). */
static ft_status
row_totals(const ft_table *t, int index, int c0, int c1, ft_log *log)
{
    int c, r, h = t->n_header_rows;
    ft_status st = FT_OK;
    if (h == 0)
        return FT_OK;
    for (c = c0; c < c1 && st == FT_OK; c++) {
        char *lab, *parent;
        int parts[64], np = 0, k;
        size_t plen;
        if (!is_numeric_col(t, c))
            continue;
        lab = ft_column_label(t, c);
        if (!lab)
            return FT_ERR_NOMEM;
        {
            char *leaf = strrchr(lab, '/');
            char *f = ft_text_fold(leaf ? leaf + 1 : lab);
            int tot = is_total_label(f);
            free(f);
            if (!tot) {
                free(lab);
                continue;
            }
            plen = leaf ? (size_t)(leaf - lab) + 1 : 0;
            parent = lab;
        }
        for (k = c + 1; k < c1 && np < 64; k++) {
            char *kl = ft_column_label(t, k);
            char *f;
            if (!kl) {
                free(lab);
                return FT_ERR_NOMEM;
            }
            if (plen && strncmp(kl, parent, plen) != 0) {
                free(kl);
                break; /* left the group */
            }
            {
                char *kleaf = strrchr(kl, '/');
                f = ft_text_fold(kleaf ? kleaf + 1 : kl);
            }
            if (is_total_label(f)) {
                free(f);
                free(kl);
                break; /* the next total column */
            }
            if (!is_numeric_col(t, k) && !is_label_col(t, k)) {
                free(f);
                free(kl);
                continue;
            }
            if (is_label_col(t, k)) {
                /* a label column starts another block */
                int any = 0, rr;
                for (rr = h; rr < t->n_rows; rr++)
                    if (FT_CELL(t, rr, k)->kind == FT_CELL_TEXT)
                        any = 1;
                if (any) {
                    free(f);
                    free(kl);
                    break;
                }
            }
            if (!(f && strstr(f, "其中")))
                parts[np++] = k;
            free(f);
            free(kl);
        }
        /* a group with a 小计 column is represented by it alone */
        {
            int i, j, keep[64];
            for (i = 0; i < np; i++)
                keep[i] = 1;
            for (i = 0; i < np; i++) {
                char *li = ft_column_label(t, parts[i]);
                char *slash;
                if (!li)
                    continue;
                slash = strrchr(li, '/');
                if (slash && is_subtotal_label(slash)) {
                    size_t gl = (size_t)(slash - li);
                    for (j = 0; j < np; j++) {
                        char *lj;
                        if (j == i)
                            continue;
                        lj = ft_column_label(t, parts[j]);
                        if (lj && strncmp(lj, li, gl) == 0 && lj[gl] == '/')
                            keep[j] = 0;
                        free(lj);
                    }
                }
                free(li);
            }
            for (i = j = 0; i < np; i++)
                if (keep[i])
                    parts[j++] = parts[i];
            np = j;
        }
        if (np < 2) {
            /* nothing to its right: a total set after its parts, as
             * Traditional budgets print 合計 last; else a total over one
             * column is a label, not a sum to check */
            if (plen == 0)
                st = totals_on_left(t, index, c0, c, lab, log);
            free(lab);
            continue;
        }
        for (r = h; r < t->n_rows && st == FT_OK; r++) {
            int prec = 0, has = 0, i;
            double total = val(t, r, c, &prec, &has), sum = 0;
            char what[160];
            for (i = 0; i < np; i++)
                sum += val(t, r, parts[i], &prec, &has);
            if (!has)
                continue;
            snprintf(what, sizeof what, "row total (%s)", lab);
            st = report(log, t, index, r, c, "row_total", sum, total, prec,
                        np, what);
        }
        free(lab);
    }
    return st;
}

/* Code of each body row from code columns (single or split); codes[r]
 * gets a new string or NULL. */
static void
row_codes(const ft_table *t, int c0, int c1, char **codes)
{
    int r, c, code_cols[3], nk = 0, levels[MAX_LEVELS];
    char prefix[3][16] = {{0}};
    for (c = c0; c < c1 && nk < 3; c++)
        if (ft_column_is_code(t, c))
            code_cols[nk++] = c;
    for (r = 0; r < t->n_rows; r++)
        codes[r] = NULL;
    if (nk == 0 || level_columns(t, c0, c1, levels) > 0)
        return; /* none, or ordinals of an outline: not codes */
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        char buf[32] = "";
        int k, any = 0;
        if (nk == 1) {
            const char *s = FT_CELL(t, r, code_cols[0])->text;
            if (s && ft_is_code(s) && strlen(s) >= 3)
                codes[r] = strdup(s);
            continue;
        }
        /* split columns: 类 | 款 | 项; an empty leading part inherits */
        for (k = 0; k < nk; k++) {
            const char *s = FT_CELL(t, r, code_cols[k])->text;
            if (s && (ft_is_code(s) ||
                      (k > 0 && s[0] >= '0' && s[0] <= '9' && !s[1]))) {
                snprintf(prefix[k], sizeof prefix[k], "%s", s);
                for (any = k + 1; any < nk; any++)
                    prefix[any][0] = 0;
                any = 1;
                break;
            }
        }
        if (!any)
            continue;
        for (k = 0; k < nk; k++) {
            const char *s = FT_CELL(t, r, code_cols[k])->text;
            if (s && k > 0 && s[0] >= '0' && s[0] <= '9' && !s[1]) {
                /* a 款/项 part printed without its leading zero ("2") */
                char pad[3] = {'0', s[0], 0};
                strncat(buf, pad, sizeof buf - strlen(buf) - 1);
            } else if (s && ft_is_code(s))
                strncat(buf, s, sizeof buf - strlen(buf) - 1);
            else if (s == NULL && prefix[k][0] &&
                     k < nk - 1 && FT_CELL(t, r, code_cols[k + 1])->text)
                strncat(buf, prefix[k], sizeof buf - strlen(buf) - 1);
            else
                break;
        }
        if (strlen(buf) >= 3)
            codes[r] = strdup(buf);
    }
}

/* The column in [c0, c1) of row r's code that OCR misread (other marks
 * among its digits), or -1. */
static int
misread_code(const ft_table *t, int r, int c0, int c1)
{
    int c;
    for (c = c0; c < c1; c++)
        if (!FT_CELL(t, r, c)->covered &&
            FT_CELL(t, r, c)->suspect == FT_SUSPECT_CODE &&
            FT_CELL(t, r, c)->text)
            return c;
    return -1;
}

/* The level of each body row in an outline numbered per level (the
 * first of the level columns it fills; -1 for none, as a row that only
 * names a function between two levels) into lev, and its place
 * ("款6 項1 目2") into path. Returns the top level found, -1 when the
 * block has no such outline, -2 when out of memory. */
static int
outline_levels(const ft_table *t, int c0, int c1, int *lev, char **path)
{
    int cols[MAX_LEVELS], n = level_columns(t, c0, c1, cols), r, k, top = -1;
    const char *cur[MAX_LEVELS] = {0};
    for (r = 0; r < t->n_rows; r++)
        lev[r] = -1;
    for (r = t->n_header_rows; n > 0 && r < t->n_rows; r++) {
        char buf[128] = "";
        for (k = 0; k < n && lev[r] < 0; k++)
            if (!FT_CELL(t, r, cols[k])->covered &&
                FT_CELL(t, r, cols[k])->text)
                lev[r] = k;
        if (lev[r] < 0)
            continue;
        for (k = lev[r]; k < n; k++)
            cur[k] = FT_CELL(t, r, cols[k])->text; /* deeper ones end */
        for (k = 0; k <= lev[r]; k++) {
            const ft_cell *h = ft_table_anchor(t, t->n_header_rows - 1,
                                               cols[k]);
            size_t len = strlen(buf);
            if (cur[k])
                snprintf(buf + len, sizeof buf - len, "%s%s%s",
                         len ? " " : "", h->text, cur[k]);
        }
        path[r] = strdup(buf);
        if (!path[r])
            return -2;
        if (top < 0 || lev[r] < top)
            top = lev[r];
    }
    return top;
}

/* Hierarchy and column-total checks for one block. */
static ft_status
column_checks(const ft_table *t, int index, int c0, int c1, ft_log *log)
{
    char **codes = calloc((size_t)t->n_rows + 1, sizeof *codes);
    char **labels = calloc((size_t)t->n_rows + 1, sizeof *labels);
    unsigned char *group = calloc((size_t)t->n_rows + 1, 1);
    int *level = calloc((size_t)t->n_rows + 1, sizeof *level);
    int *olev = malloc(((size_t)t->n_rows + 1) * sizeof *olev);
    char **opath = calloc((size_t)t->n_rows + 1, sizeof *opath);
    int r, c, k, lab_col = -1, econ = 0, first_num = -1, otop = -1;
    ft_status st = FT_OK;
    if (!codes || !labels || !group || !level || !olev || !opath) {
        free(codes);
        free(labels);
        free(group);
        free(level);
        free(olev);
        free(opath);
        return FT_ERR_NOMEM;
    }
    row_codes(t, c0, c1, codes);
    otop = outline_levels(t, c0, c1, olev, opath);
    if (otop == -2) {
        st = FT_ERR_NOMEM;
        otop = -1;
    }
    {
        /* outlines are checked in economic-class tables only: other
         * lists (procurement) nest and wrap too freely to sum safely */
        char *tf = ft_text_fold(t->title ? t->title : "");
        econ = tf && strstr(tf, "经济");
        free(tf);

    }
    for (c = c0; c < c1 && lab_col < 0; c++)
        if (is_label_col(t, c) && !ft_column_is_code(t, c))
            lab_col = c;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        if (lab_col >= 0)
            labels[r] = folded(t, r, lab_col);
        if (!labels[r] && codes[r] == NULL) {
            /* the label may sit in the first column of the block */
            labels[r] = folded(t, r, c0);
        }
    }
    /* outline of labels. Indented: a row's level is its first filled
     * label column, and a row's children are the rows below it at the
     * next level present (procurement lists). Economic classes: a row
     * with only the first of two labels groups the rows below that fill
     * both. level[r] < 0: not part of an outline. */
    {
        int lc[8], nl = 0, indented = 0, items = 0;
        for (c = c0; c < c1 && nl < 8; c++)
            if (is_label_col(t, c) && !ft_column_is_code(t, c))
                lc[nl++] = c;
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            int k2;
            level[r] = -1;
            if (codes[r] || is_total_label(labels[r]))
                continue;
            for (k2 = 0; k2 < nl; k2++)
                if (FT_CELL(t, r, lc[k2])->text) {
                    level[r] = k2;
                    break;
                }
            if (level[r] > 0)
                indented = 1;
        }
        if (!indented && econ && nl >= 2) {
            for (r = t->n_header_rows; r < t->n_rows; r++) {
                if (level[r] < 0)
                    continue;
                if (FT_CELL(t, r, lc[1])->text) {
                    level[r] = 1;
                    items++;
                }
            }
            indented = items > 0;
        }
        if (!indented || !econ)
            for (r = 0; r < t->n_rows; r++)
                level[r] = -1;
        for (r = t->n_header_rows; r < t->n_rows; r++)
            group[r] = level[r] == 0;
    }
    for (c = c0; c < c1 && first_num < 0; c++)
        if (is_numeric_col(t, c))
            first_num = c;
    for (c = c0; c < c1 && st == FT_OK; c++) {
        if (!is_numeric_col(t, c))
            continue;
        /* outline groups */
        for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
            int prec = 0, has = 0, n = 0, has_total = 0, next = 99;
            double sum = 0, total;
            char what[200];
            if (level[r] < 0)
                continue;
            for (k = r + 1; k < t->n_rows; k++) {
                if (level[k] < 0 && is_total_label(labels[k]))
                    break;
                if (level[k] >= 0 && level[k] <= level[r])
                    break;
                if (level[k] > level[r] && level[k] < next)
                    next = level[k];
            }
            if (next == 99)
                continue;
            total = val(t, r, c, &prec, &has_total);
            for (k = r + 1; k < t->n_rows; k++) {
                if (level[k] < 0 && is_total_label(labels[k]))
                    break;
                if (level[k] >= 0 && level[k] <= level[r])
                    break;
                if (level[k] == next) {
                    sum += val(t, k, c, &prec, &has);
                    n++;
                }
            }
            if (n == 0 || (!has && !has_total))
                continue;
            snprintf(what, sizeof what, "group %s",
                     labels[r] ? labels[r] : "");
            st = report(log, t, index, r, c, "group_total", sum, total, prec,
                        n, what);
        }
        /* outline numbered per level: a row equals the rows of the next
         * level under it, once a row of its level or above (or a total)
         * closes it; one still open at the table's end may go on past
         * it and is left alone */
        for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
            int prec = 0, has = 0, n = 0, has_total = 0, next = 99, closed = 0;
            double sum = 0, total;
            char what[160];
            if (olev[r] < 0)
                continue;
            for (k = r + 1; k < t->n_rows && !closed; k++) {
                if (olev[k] < 0 && is_total_label(labels[k]))
                    closed = 1;
                else if (olev[k] >= 0 && olev[k] <= olev[r])
                    closed = 1;
                else if (olev[k] > olev[r] && olev[k] < next)
                    next = olev[k];
            }
            if (next == 99 || !closed)
                continue;
            total = val(t, r, c, &prec, &has_total);
            for (k = r + 1; k < t->n_rows; k++) {
                if ((olev[k] < 0 && is_total_label(labels[k])) ||
                    (olev[k] >= 0 && olev[k] <= olev[r]))
                    break;
                if (olev[k] == next) {
                    sum += val(t, k, c, &prec, &has);
                    n++;
                }
            }
            if (n == 0 || (!has && !has_total))
                continue;
            snprintf(what, sizeof what, "%s", opath[r] ? opath[r] : "");
            st = report(log, t, index, r, c, "code_hierarchy", sum, total,
                        prec, n, what);
        }
        /* code hierarchy */
        for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
            size_t len;
            int prec = 0, has = 0, n = 0, has_total = 0, lost = -1;
            double sum = 0, total;
            char what[96];
            if (!codes[r])
                continue;
            len = strlen(codes[r]);
            total = val(t, r, c, &prec, &has_total);
            for (k = r + 1; k < t->n_rows; k++) {
                if (!codes[k]) {
                    if (lost < 0 && misread_code(t, k, c0, c1) >= 0)
                        lost = k;
                    continue;
                }
                if (strncmp(codes[k], codes[r], len) != 0)
                    break;
                if (strlen(codes[k]) == len + 2) {
                    sum += val(t, k, c, &prec, &has);
                    n++;
                }
            }
            if (n == 0 && lost >= 0 && has_total && len < 7 &&
                c == first_num) {
                /* OCR misread the code of the row below: the code's
                 * children cannot be told */
                char msg[400], name[16], lname[16];
                int lc = misread_code(t, lost, c0, c1);
                ft_cell_name(r, c, name);
                ft_cell_name(lost, lc, lname);
                snprintf(msg, sizeof msg,
                         "%s: code %s = %.*f, but %s \"%.60s\" below it "
                         "was not read as a code: its children cannot be "
                         "checked",
                         name, codes[r], prec, total, lname,
                         FT_CELL(t, lost, lc)->text);
                st = ft_log_add(log, FT_CELL(t, r, c)->page, index, r, c,
                                "check", "code_hierarchy", FT_FAIL, NULL,
                                NULL, msg);
                continue;
            }
            if (n == 0 || (!has && !has_total))
                continue;
            snprintf(what, sizeof what, "code %s", codes[r]);
            st = report(log, t, index, r, c, "code_hierarchy", sum, total,
                        prec, n, what);
        }
        /* column totals: the first total row of the block */
        for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
            int prec = 0, has = 0, n = 0, top_first, has_total = 0, any_top;
            double sum = 0, total;
            char what[96];
            if (!is_total_label(labels[r]))
                continue;
            {
                const ft_cell *tc = FT_CELL(t, r, c);
                /* the total's label spans this column: nothing printed */
                if (tc->covered || tc->kind == FT_CELL_TEXT)
                    break;
            }
            total = val(t, r, c, &prec, &has_total);
            /* parts: 3-digit codes anywhere in the block, else rows
             * numbered 一、二、… between this total and the previous one
             * (or after it, when the total comes first) */
            any_top = 0;
            for (k = t->n_header_rows; k < t->n_rows; k++)
                if ((codes[k] && strlen(codes[k]) == 3) ||
                    (!codes[k] && is_numbered(labels[k])) ||
                    (otop >= 0 && olev[k] == otop))
                    any_top = 1;
            top_first = 1;
            for (k = t->n_header_rows; k < r; k++)
                if (labels[k] || codes[k])
                    top_first = 0;
            for (k = t->n_header_rows; k < t->n_rows; k++) {
                int part;
                if (k == r)
                    continue;
                if (codes[k])
                    part = strlen(codes[k]) == 3;
                else
                    part = otop >= 0 && olev[k] == otop;
                if (!part && !codes[k] && otop < 0 && is_numbered(labels[k]) &&
                    (top_first ? k > r : k < r)) {
                    /* stop at an earlier total */
                    int j, blocked = 0;
                    for (j = (k < r ? k : r) + 1; j < (k < r ? r : k); j++)
                        if (is_total_label(labels[j]))
                            blocked = 1;
                    part = !blocked;
                }
                if (!part && !any_top && group[k])
                    part = 1; /* no codes, no numbering: the groups */
                if (part) {
                    sum += val(t, k, c, &prec, &has);
                    n++;
                }
            }
            if (n > 0 && (has || has_total)) {
                char *lab = ft_column_label(t, c);
                snprintf(what, sizeof what, "column total (%s)",
                         lab ? lab : "");
                free(lab);
                st = report(log, t, index, r, c, "column_total", sum, total,
                            prec, n, what);
            }
            break; /* only the first total row: later ones add other rows */
        }
    }
    for (r = 0; r < t->n_rows; r++) {
        free(codes[r]);
        free(labels[r]);
        free(opath[r]);
    }
    free(codes);
    free(labels);
    free(group);
    free(level);
    free(olev);
    free(opath);
    return st;
}

/* A form's funding block (项目支出绩效目标申报表):
 *
 *   实施期资金总额：  2,795,000
 *   其中：中央财政资金        0
 *   市县（区）财政资金 2,795,000
 *   其他资金
 *
 * The total equals the sources listed under its label. Each label has
 * its value in the cell to its right or at the end of its own cell. */

/* 1 when folded s is a label naming funds (a total or a source). */
static int
names_funds(const char *s)
{
    return s && (strstr(s, "资金") || strstr(s, "自筹") || strstr(s, "拨款"));
}

/* 1 when folded s names a source of funds under a total. */
static int
is_source_label(const char *s)
{
    return names_funds(s) && !strstr(s, "总额");
}

/* Writes a failing form_total entry at (r, c), which is printed but not
 * a number. */
static ft_status
report_unreadable(ft_log *log, const ft_table *t, int index, int r, int c,
                  const char *total, int tr, int tc)
{
    char msg[600], name[16], tname[16];
    ft_cell_name(r, c, name);
    ft_cell_name(tr, tc, tname);
    snprintf(msg, sizeof msg,
             "%s: \"%.120s\" is not a number, so %.60s (%s) cannot be "
             "checked against its sources",
             name, FT_CELL(t, r, c)->text ? FT_CELL(t, r, c)->text : "",
             total, tname);
    return ft_log_add(log, FT_CELL(t, r, c)->page, index, r, c, "check",
                      "form_total", FT_FAIL, NULL, NULL, msg);
}

/* Checks every 资金总额 of a form against the sources listed under it. */
static ft_status
form_totals(const ft_table *t, int index, ft_log *log)
{
    int r, c;
    ft_status st = FT_OK;
    for (r = 0; r < t->n_rows && st == FT_OK; r++)
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            const ft_cell *x = FT_CELL(t, r, c);
            char *f, *p, label[64];
            double total = 0, sum = 0;
            int prec = 0, tc, rr, np = 0, bad_r = -1, bad_c = -1;
            ft_kind tv;
            if (x->covered || x->kind != FT_CELL_TEXT || !x->text)
                continue;
            f = ft_text_fold(x->text);
            if (!f)
                return FT_ERR_NOMEM;
            p = strstr(f, "资金总额");
            if (!p) {
                free(f);
                continue;
            }
            /* the label's words up to 总额, for the message */
            {
                size_t n = (size_t)(p - f) + strlen("资金总额");
                if (n >= sizeof label)
                    n = 0;
                memcpy(label, f, n);
                label[n] = 0;
            }
            tv = ft_label_value(t, r, c, f, &total, &prec, &tc);
            free(f);
            if (tv == FT_CELL_EMPTY)
                continue;
            for (rr = r + 1; rr < t->n_rows; rr++) {
                const ft_cell *y = FT_CELL(t, rr, c);
                double v = 0;
                int pp = 0, vc;
                ft_kind pv;
                char *yf;
                if (y->covered || y->kind != FT_CELL_TEXT || !y->text)
                    break;
                yf = ft_text_fold(y->text);
                if (!yf)
                    return FT_ERR_NOMEM;
                if (!is_source_label(yf)) {
                    free(yf);
                    break;
                }
                pv = ft_label_value(t, rr, c, yf, &v, &pp, &vc);
                free(yf);
                np++;
                if (pv == FT_CELL_TEXT && bad_r < 0) {
                    bad_r = rr;
                    bad_c = vc;
                }
                if (pv == FT_CELL_NUMBER) {
                    sum += v;
                    if (pp > prec)
                        prec = pp;
                }
            }
            /* one source under a total may be a part ("其中") only */
            if (np < 2)
                continue;
            if (tv == FT_CELL_TEXT)
                st = report_unreadable(log, t, index, r, tc, label, r, tc);
            else if (bad_r >= 0)
                st = report_unreadable(log, t, index, bad_r, bad_c, label,
                                       r, tc);
            else
                st = report(log, t, index, r, tc, "form_total", sum, total,
                            prec, np, label);
        }
    return st;
}

/* 1 when body row r is labelled with the table's entity (a 项目支出表
 * lists the unit's own line above its projects). */
static int
is_entity_row(const ft_table *t, int r, const char *entity)
{
    int c;
    for (c = 0; c < t->n_cols; c++) {
        const ft_cell *x = FT_CELL(t, r, c);
        if (x->covered || x->kind != FT_CELL_TEXT || !x->text)
            continue;
        if (ft_is_code(x->text))
            continue;
        {
            char *f = ft_text_fold(x->text);
            int same = f && !strcmp(f, entity);
            free(f);
            return same;
        }
    }
    return 0;
}

/*
 * A 项目支出表 without a 合计 row: the line labelled with the unit's name
 * totals the projects under it, up to the next such line. Two such lines
 * in a row (the department, then its one unit) are equal.
 */
static ft_status
entity_totals(const ft_table *t, int index, ft_log *log)
{
    char *entity;
    int r, c, h = t->n_header_rows, n_entity = 0;
    ft_status st = FT_OK;
    if (!t->entity || strcmp(ft_table_kind(t), "project_expense"))
        return FT_OK;
    entity = ft_text_fold(t->entity);
    if (!entity)
        return FT_ERR_NOMEM;
    for (r = h; r < t->n_rows; r++) {
        char *f = folded(t, r, 0);
        int tot = is_total_label(f);
        free(f);
        if (tot) {
            n_entity = 0; /* column_checks has a 合计 row */
            break;
        }
        n_entity += is_entity_row(t, r, entity);
    }
    for (r = h; r < t->n_rows && n_entity && st == FT_OK; r++) {
        int end, np;
        if (!is_entity_row(t, r, entity))
            continue;
        for (end = r + 1; end < t->n_rows; end++)
            if (is_entity_row(t, end, entity))
                break;
        np = end - r - 1;
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            int prec = 0, has = 0, k;
            double total, sum = 0;
            char what[200];
            if (!is_numeric_col(t, c) || FT_CELL(t, r, c)->covered)
                continue;
            total = val(t, r, c, &prec, &has);
            if (!has)
                continue;
            if (np == 0 && end < t->n_rows) {
                /* the department, then its one unit */
                sum = val(t, end, c, &prec, &has);
                snprintf(what, sizeof what,
                         "column total (%.120s over the unit line below)",
                         t->entity);
                st = report(log, t, index, r, c, "column_total", sum, total,
                            prec, 1, what);
                continue;
            }
            if (np == 0)
                continue;
            for (k = r + 1; k < end; k++)
                sum += val(t, k, c, &prec, &has);
            snprintf(what, sizeof what,
                     "column total (%.120s over its %d projects)", t->entity,
                     np);
            st = report(log, t, index, r, c, "column_total", sum, total,
                        prec, np, what);
        }
    }
    free(entity);
    return st;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_kind
ft_label_value(const ft_table *t, int r, int c, const char *f, double *v,
               int *prec, int *vc)
{
    const ft_cell *x = FT_CELL(t, r, c);
    size_t n = strlen(f), k = n;
    int j;
    while (k > 0 && (strchr("0123456789,.", f[k - 1])))
        k--;
    *vc = c;
    if (k < n && k > 0) {
        ft_number num;
        ft_number_parse(f + k, &num);
        if (num.kind == FT_CELL_NUMBER) {
            *v = num.value;
            *prec = num.decimals;
            return FT_CELL_NUMBER;
        }
    }
    for (j = c + x->colspan; j < t->n_cols; j++) {
        const ft_cell *y = FT_CELL(t, r, j);
        char *yf;
        int label;
        if (y->covered || y->kind == FT_CELL_EMPTY)
            continue;
        *vc = j;
        if (y->kind == FT_CELL_NUMBER) {
            *v = y->value;
            *prec = y->decimals;
            return FT_CELL_NUMBER;
        }
        if (y->kind != FT_CELL_TEXT || !y->text)
            return FT_CELL_EMPTY; /* a printed blank */
        yf = ft_text_fold(y->text);
        label = !yf || names_funds(yf);
        free(yf);
        return label ? FT_CELL_EMPTY : FT_CELL_TEXT;
    }
    return FT_CELL_EMPTY;
}

char *
ft_column_label(const ft_table *t, int c)
{
    size_t cap = 16, len = 0;
    char *out = malloc(cap);
    const char *last = NULL;
    int r;
    if (!out)
        return NULL;
    out[0] = 0;
    for (r = 0; r < t->n_header_rows; r++) {
        const ft_cell *a = ft_table_anchor(t, r, c);
        size_t n;
        if (!a->text || a->text == last)
            continue;
        /* a column counter (栏次 "1", "12") names no column */
        if (ft_counter_value(a->text) >= 0)
            continue;
        last = a->text;
        n = strlen(a->text);
        if (len + n + 2 > cap) {
            char *o;
            while (len + n + 2 > cap)
                cap *= 2;
            o = realloc(out, cap);
            if (!o) {
                free(out);
                return NULL;
            }
            out = o;
        }
        if (len)
            out[len++] = '/';
        memcpy(out + len, a->text, n + 1);
        len += n;
    }
    return out;
}

/* 1 when a block of columns starts at column c: a label column holding
 * text after a numeric column (the second 科目编码 | 科目名称 | 金额 of
 * blocks printed side by side), or the table's end. */
static int
block_starts(const ft_table *t, int c)
{
    int r;
    if (c >= t->n_cols)
        return 1;
    if (c == 0 || !is_label_col(t, c) || !is_numeric_col(t, c - 1))
        return 0;
    for (r = t->n_header_rows; r < t->n_rows; r++)
        if (FT_CELL(t, r, c)->kind == FT_CELL_TEXT)
            return 1;
    return 0;
}

/* 1 when the block [b0, b0 + w) goes on in the block [b1, b1 + w) to
 * its right: as wide, and the right one's first code a child (30210)
 * of a code of the left one (302) that the right one does not print
 * itself: one list of codes read column after column, as a 基本支出决算表
 * prints 302's items over the 公用经费 blocks. */
static int
block_continues(const ft_table *t, int b0, int b1, int w)
{
    char **left = calloc((size_t)t->n_rows + 1, sizeof *left);
    char **right = calloc((size_t)t->n_rows + 1, sizeof *right);
    int r, yes = 0, first = -1;
    if (left && right && b1 + w <= t->n_cols) {
        row_codes(t, b0, b0 + w, left);
        row_codes(t, b1, b1 + w, right);
        for (r = 0; r < t->n_rows && first < 0; r++)
            if (right[r])
                first = r;
        if (first >= 0 && strlen(right[first]) >= 5) {
            size_t plen = strlen(right[first]) - 2;
            int in_left = 0, in_right = 0;
            for (r = 0; r < t->n_rows; r++) {
                in_left |= left[r] && strlen(left[r]) == plen &&
                           !strncmp(left[r], right[first], plen);
                in_right |= right[r] && strlen(right[r]) == plen &&
                            !strncmp(right[r], right[first], plen);
            }
            yes = in_left && !in_right;
        }
    }
    for (r = 0; r < t->n_rows; r++) {
        free(left ? left[r] : NULL);
        free(right ? right[r] : NULL);
    }
    free(left);
    free(right);
    return yes;
}

/* Copies the cell at (r, c) of t, the block starting at column off, into
 * *v of a stacked table w wide: a span is cut at the block's edge, and
 * a cell covered by a label that starts outside the block (公用经费合计
 * spanning two blocks' columns) carries that label, once (*carried is
 * the label carried in so far on this row). No span goes down: the
 * stacked rows are in another order. */
static void
stack_cell(const ft_table *t, int r, int c, int off, int w, ft_cell *v,
           const ft_cell **carried)
{
    const ft_cell *x = FT_CELL(t, r, c), *a = ft_table_anchor(t, r, c);
    int ac = (int)((a - t->cells) % t->n_cols);
    int ar = (int)((a - t->cells) / t->n_cols);
    *v = *a;
    v->rowspan = 1;
    if (!x->covered) {
        v->colspan = x->colspan < off + w - c ? x->colspan : off + w - c;
        return;
    }
    if (ar == r && ac >= off && ac < c) {
        *v = *x; /* covered by an anchor of this row in the block */
        return;
    }
    if (*carried == a) {
        v->text = NULL; /* the rest of a label carried in */
        v->covered = 1;
        v->kind = FT_CELL_EMPTY;
        return;
    }
    *carried = a;
    v->colspan = 1;
    v->covered = 0;
    if (a->kind == FT_CELL_NUMBER && ar != r) {
        v->text = NULL; /* an amount spanning rows is counted once */
        v->kind = FT_CELL_EMPTY;
    }
}

/* Column checks over blocks [starts[i], starts[i] + w) for i < n, one
 * list read column after column: their rows stacked (the coded rows of
 * each block in turn, then every block's other rows, the last block's
 * first, so its 公用经费合计 heads them), checked as one block, and the
 * entries put back at the cells they are about. */
static ft_status
stacked_checks(const ft_table *t, int index, const int *starts, int n, int w,
               ft_log *log)
{
    int h = t->n_header_rows, body = t->n_rows - h, vr, r, i, pass;
    int nv = h + body * n;
    ft_table v;
    int *row_of = malloc(((size_t)nv + 1) * sizeof *row_of);
    int *off_of = malloc(((size_t)nv + 1) * sizeof *off_of);
    ft_log tmp = {0};
    ft_status st = FT_OK;
    size_t k;
    memset(&v, 0, sizeof v);
    v.n_rows = nv;
    v.n_cols = w;
    v.n_header_rows = h;
    v.title = t->title;
    v.cells = calloc((size_t)nv * (size_t)w + 1, sizeof *v.cells);
    if (!row_of || !off_of || !v.cells) {
        free(row_of);
        free(off_of);
        free(v.cells);
        return FT_ERR_NOMEM;
    }
    vr = 0;
    for (r = 0; r < h; r++, vr++) {
        row_of[vr] = r;
        off_of[vr] = starts[0];
    }
    /* pass 0: coded rows block by block; 1: the rest, last block first */
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < n; i++) {
            int b = pass ? starts[n - 1 - i] : starts[i];
            char **codes = calloc((size_t)t->n_rows + 1, sizeof *codes);
            if (!codes) {
                st = FT_ERR_NOMEM;
                break;
            }
            row_codes(t, b, b + w, codes);
            for (r = h; r < t->n_rows; r++) {
                if ((codes[r] == NULL) != pass)
                    continue;
                row_of[vr] = r;
                off_of[vr++] = b;
            }
            for (r = 0; r < t->n_rows; r++)
                free(codes[r]);
            free(codes);
        }
    v.n_rows = vr;
    for (r = 0; r < vr && st == FT_OK; r++) {
        const ft_cell *carried = NULL;
        int c;
        for (c = 0; c < w; c++)
            stack_cell(t, row_of[r], off_of[r] + c, off_of[r], w,
                       FT_CELL(&v, r, c), &carried);
    }
    if (st == FT_OK)
        st = column_checks(&v, index, 0, w, &tmp);
    for (k = 0; k < tmp.n && st == FT_OK; k++) {
        ft_entry *e = &tmp.items[k];
        char vname[16], name[16], *msg = e->message;
        int rr = e->row, cc = e->col;
        if (rr >= 0 && rr < vr && cc >= 0) {
            ft_cell_name(rr, cc, vname);
            rr = row_of[e->row];
            cc = off_of[e->row] + e->col;
            ft_cell_name(rr, cc, name);
            if (!strncmp(msg, vname, strlen(vname)) &&
                msg[strlen(vname)] == ':') {
                size_t len = strlen(msg) + 16;
                char *m = malloc(len);
                if (!m) {
                    st = FT_ERR_NOMEM;
                    break;
                }
                snprintf(m, len, "%s%s", name, msg + strlen(vname));
                free(e->message);
                e->message = msg = m;
            }
        }
        st = ft_log_add(log, e->page, e->table, rr, cc, e->kind, e->rule,
                        e->status, e->has_values ? &e->expected : NULL,
                        e->has_values ? &e->actual : NULL, msg);
    }
    ft_log_clear(&tmp);
    free(v.cells); /* the texts are t's */
    free(row_of);
    free(off_of);
    return st;
}

ft_status
ft_validate_table(const ft_table *t, int index, ft_log *log)
{
    int c, start = 0, nb = 0, i;
    int *bs = malloc(((size_t)t->n_cols + 2) * sizeof *bs);
    ft_status st = FT_OK;
    if (!bs)
        return FT_ERR_NOMEM;
    for (c = 1; c <= t->n_cols; c++)
        if (block_starts(t, c)) {
            bs[nb++] = start;
            start = c;
        }
    bs[nb] = t->n_cols;
    for (i = 0; i < nb && st == FT_OK; i++)
        st = row_totals(t, index, bs[i], bs[i + 1], log);
    for (i = 0; i < nb && st == FT_OK;) {
        int w = bs[i + 1] - bs[i], j = i + 1;
        /* blocks as wide that go on one in the next: one list */
        while (j < nb && bs[j + 1] - bs[j] == w &&
               block_continues(t, bs[j - 1], bs[j], w))
            j++;
        if (j - i > 1)
            st = stacked_checks(t, index, bs + i, j - i, w, log);
        else
            st = column_checks(t, index, bs[i], bs[i + 1], log);
        i = j;
    }
    free(bs);
    if (st == FT_OK)
        st = form_totals(t, index, log);
    if (st == FT_OK)
        st = entity_totals(t, index, log);
    return st;
}

char **
ft_table_codes(const ft_table *t, int c)
{
    char **codes = calloc((size_t)t->n_rows + 1, sizeof *codes);
    int c0 = c, c1 = c + 1;
    while (c0 > 0 && !block_starts(t, c0))
        c0--;
    while (!block_starts(t, c1))
        c1++;
    if (codes)
        row_codes(t, c0, c1, codes);
    return codes;
}

int
ft_table_block_end(const ft_table *t, int c)
{
    int c1 = c + 1;
    while (!block_starts(t, c1))
        c1++;
    return c1;
}

char *
ft_row_label(const ft_table *t, int r, int c)
{
    int k;
    /* the nearest label to the left: a two-sided table has one a side */
    for (k = c - 1; k >= 0; k--) {
        const ft_cell *a = ft_table_anchor(t, r, k);
        /* codes are not labels; a 合计 in the code column is */
        if (a->kind == FT_CELL_TEXT && a->text && !ft_is_code(a->text))
            return strdup(a->text);
    }
    return NULL;
}
