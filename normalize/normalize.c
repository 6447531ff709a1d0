/*
 * normalize.c - reading printed numbers, folding text for matching.
 *
 * utf8proc's NFKC folds full-width digits and punctuation ("１２，３４５．６")
 * to ASCII before parsing; the grammar is then small and strict, so that
 * codes, dates and phone numbers stay text.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "normalize.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* NFKC of s with spaces trimmed at both ends; NULL on failure. */
static char *
nfkc_trim(const char *s)
{
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n;
    char *p, *e;
    n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &m,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                         UTF8PROC_COMPAT);
    if (n < 0)
        return NULL;
    p = (char *)m;
    while (*p == ' ' || *p == '\t')
        p++;
    e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = 0;
    memmove(m, p, strlen(p) + 1);
    return (char *)m;
}

/* 1 for strings that print a blank: "-", "—", "－", "--", "——". */
static int
is_dash(const char *s)
{
    if (!*s)
        return 0;
    while (*s) {
        if (*s == '-')
            s++;
        else if (strncmp(s, "\xE2\x80\x94", 3) == 0 || /* — */
                 strncmp(s, "\xE2\x80\x93", 3) == 0 || /* – */
                 strncmp(s, "\xE2\x80\x95", 3) == 0)   /* ― */
            s += 3;
        else
            return 0;
    }
    return 1;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_is_code(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return 0;
    return n == 2 || n == 3 || n == 5 || n == 7;
}

void
ft_number_parse(const char *text, ft_number *out)
{
    char *s, *p, *digits, *o;
    int neg = 0, parens = 0, seen_dot = 0, dec = 0, ok = 1;
    size_t intlen = 0, group = 0;
    int first_group = 1;

    memset(out, 0, sizeof *out);
    out->kind = FT_CELL_EMPTY;
    if (!text || !*text)
        return;
    s = nfkc_trim(text);
    if (!s) {
        out->kind = FT_CELL_TEXT;
        return;
    }
    if (!*s) {
        free(s);
        return;
    }
    if (is_dash(s)) {
        out->kind = FT_CELL_BLANK;
        out->flags = FT_NUM_DASH;
        free(s);
        return;
    }
    /* detect folding beyond ASCII */
    {
        const unsigned char *u = (const unsigned char *)text;
        for (; *u; u++)
            if (*u >= 0x80)
                out->flags |= FT_NUM_WIDE;
    }
    digits = malloc(strlen(s) + 2);
    if (!digits) {
        free(s);
        out->kind = FT_CELL_TEXT;
        return;
    }
    o = digits;
    p = s;
    if (*p == '(' && p[strlen(p) - 1] == ')') {
        parens = 1;
        p++;
        p[strlen(p) - 1] = 0;
    }
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        if (neg)
            out->flags |= FT_NUM_MINUS;
        p++;
    }
    if (neg)
        *o++ = '-';
    if (!(*p >= '0' && *p <= '9') && *p != '.')
        ok = 0;
    for (; ok && *p; p++) {
        if (*p >= '0' && *p <= '9') {
            *o++ = *p;
            if (seen_dot)
                dec++;
            else {
                intlen++;
                group++;
            }
        } else if ((*p == ',' || (*p == ' ' && p[1] >= '0' && p[1] <= '9')) &&
                   !seen_dot) {
            /* groups of three after the first */
            if (group == 0 || (first_group ? group > 3 : group != 3))
                ok = 0;
            first_group = 0;
            group = 0;
            out->flags |= FT_NUM_SEPARATORS;
        } else if (*p == '.' && !seen_dot) {
            if (!first_group && group != 3)
                ok = 0;
            seen_dot = 1;
            *o++ = '.';
        } else if ((*p == 'E' || *p == 'e') && (intlen || dec)) {
            char *end;
            long ex;
            if (!first_group && !seen_dot && group != 3)
                ok = 0;
            errno = 0;
            ex = strtol(p + 1, &end, 10);
            if (end == p + 1 || errno || labs(ex) > 300 ||
                (*end && !(end[0] == '%' && !end[1])))
                ok = 0;
            else {
                *o++ = 'e';
                o += snprintf(o, 8, "%ld", ex);
                out->flags |= FT_NUM_SCI;
                p = end - 1;
            }
            first_group = 1;
            group = 0;
        } else if (*p == '%' && !p[1]) {
            out->flags |= FT_NUM_PERCENT;
        } else {
            ok = 0;
        }
    }
    if (ok && !first_group && !seen_dot && group != 3 &&
        !(out->flags & FT_NUM_SCI))
        ok = 0;
    *o = 0;
    if (ok && intlen + (size_t)dec == 0)
        ok = 0;
    /* integers with leading zeros ("01", "007") are codes, not numbers */
    if (ok && intlen > 1 && digits[neg] == '0' && !seen_dot)
        ok = 0;
    if (!ok || (parens && neg)) {
        out->kind = FT_CELL_TEXT;
        out->flags = 0;
        free(digits);
        free(s);
        return;
    }
    out->kind = FT_CELL_NUMBER;
    out->value = strtod(digits, NULL);
    if (parens) {
        out->value = -out->value;
        out->flags |= FT_NUM_PARENS;
    }
    out->decimals = dec;
    if (out->flags & FT_NUM_PERCENT) {
        out->value /= 100.0;
    }
    if (out->value == 0)
        out->value = 0; /* no negative zero */
    free(digits);
    free(s);
}

char *
ft_text_fold(const char *s)
{
    char *m = nfkc_trim(s ? s : ""), *r, *w;
    if (!m)
        return NULL;
    for (r = w = m; *r; r++) {
        if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
            continue;
        if (strncmp(r, "\xE3\x80\x80", 3) == 0) {
            r += 2;
            continue;
        }
        *w++ = *r;
    }
    *w = 0;
    return m;
}

/* 1 when a header cell over column c names a code: 科目编码, 代码, 序号,
 * 编号, or a level of the classification (类 款 项, 類 款 項 目 節). */
static int
header_names_code(const ft_table *t, int c)
{
    static const char *const exact[] = {"类", "款", "项", "類", "項",
                                        "目", "節", "科目", "科目代码"};
    int r, leaf = 1;
    size_t k;
    for (r = t->n_header_rows - 1; r >= 0; r--) {
        const ft_cell *cell = ft_table_anchor(t, r, c);
        if (!cell->text || cell->colspan > 3)
            continue;
        if (strstr(cell->text, "编码") || strstr(cell->text, "編碼") ||
            strstr(cell->text, "代码") || strstr(cell->text, "代碼") ||
            strstr(cell->text, "序号") || strstr(cell->text, "序號") ||
            strstr(cell->text, "编号") || strstr(cell->text, "編號"))
            return 1;
        /* a bare 科目 or 款 names the column under it only when no
         * label of its own (名稱) is printed below it */
        for (k = 0; leaf && k < sizeof exact / sizeof *exact; k++)
            if (strcmp(cell->text, exact[k]) == 0)
                return 1;
        leaf = 0;
    }
    return 0;
}

/* 1 when a header cell over column c names a date or a period (出國期間,
 * 購置年月, 日期, 起止时间): its "109.10" and "98.08" are 民國 year.month,
 * not amounts. */
static int
header_names_date(const ft_table *t, int c)
{
    static const char *const words[] = {"日期", "年月", "期間", "期间",
                                        "時間", "时间", "月份", "起止",
                                        "起迄"};
    int r;
    size_t k;
    for (r = 0; r < t->n_header_rows; r++) {
        const ft_cell *cell = ft_table_anchor(t, r, c);
        if (!cell->text || cell->colspan > 3)
            continue;
        for (k = 0; k < sizeof words / sizeof *words; k++)
            if (strstr(cell->text, words[k]))
                return 1;
    }
    return 0;
}

/* How column c's body reads as codes: -1 when a cell holds something
 * else (or none holds anything), 1 when its values show they are codes
 * (a leading zero, as 款 and 项 parts print, or a code with its parent
 * two digits shorter above it: 201 then 20101), 0 when every cell could
 * be a code or a short whole number alike ("56", "770", "200"). */
static int
body_codes(const ft_table *t, int c)
{
    int r, r2, body = 0, shown = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        const ft_cell *cell = FT_CELL(t, r, c);
        size_t n;
        if (!cell->text)
            continue;
        if (!ft_is_code(cell->text))
            return -1;
        body++;
        n = strlen(cell->text);
        if (cell->text[0] == '0')
            shown = 1;
        for (r2 = t->n_header_rows; r2 < r && !shown && n > 3; r2++) {
            const char *p = FT_CELL(t, r2, c)->text;
            if (p && strlen(p) == n - 2 && strncmp(p, cell->text, n - 2) == 0)
                shown = 1;
        }
    }
    return body == 0 ? -1 : shown;
}

int
ft_column_is_code(const ft_table *t, int c)
{
    int b;
    if (header_names_code(t, c))
        return 1;
    b = body_codes(t, c);
    if (b != 0)
        return b > 0;
    /* the 类 of split 类 | 款 | 项 columns: codes left of a code part */
    return c + 1 < t->n_cols &&
           (header_names_code(t, c + 1) || body_codes(t, c + 1) > 0);
}

/* The text of a number written with a decimal comma rewritten with a
 * point ("1.234,5" -> "1234.5", "93,9" -> "93.9"): the points and spaces
 * that group thousands go, the comma becomes the point. NULL when out of
 * memory. */
static char *
point_decimals(const char *s)
{
    char *o = malloc(strlen(s) + 1), *w = o;
    if (!o)
        return NULL;
    for (; *s; s++) {
        if (*s == '.' || (*s == ' ' && s[1] >= '0' && s[1] <= '9'))
            continue;
        *w++ = *s == ',' ? '.' : *s;
    }
    *w = 0;
    return o;
}

/* 1 when column c writes its decimals after a comma, as much of Europe
 * does: some body cell has a comma followed by other than three digits
 * ("93,9", "0,0001") or after a lone 0 ("0,125"), and no cell has a
 * point after a comma (a thousands comma: "1,234.5"). */
static int
decimal_comma_column(const ft_table *t, int c)
{
    int r, sure = 0;
    for (r = t->n_header_rows; r < t->n_rows; r++) {
        const char *x = FT_CELL(t, r, c)->text, *comma, *q;
        size_t n = 0;
        if (!x)
            continue;
        comma = strrchr(x, ',');
        if (!comma)
            continue;
        if (strchr(comma, '.'))
            return 0;
        for (q = comma + 1; *q >= '0' && *q <= '9'; q++)
            n++;
        if (n == 0 || (*q && strcmp(q, "%") != 0 && strcmp(q, ")") != 0))
            continue;
        q = x;
        while (*q == '-' || *q == '(' || *q == '+')
            q++;
        if (n != 3 || (q[0] == '0' && q + 1 == comma))
            sure = 1;
    }
    return sure;
}

size_t
ft_normalize_table(ft_table *t, ft_norm_cb cb, void *ctx)
{
    int r, c;
    size_t numbers = 0;
    for (c = 0; c < t->n_cols; c++) {
        int code = ft_column_is_code(t, c), prec = -1;
        int date = !code && header_names_date(t, c);
        int dc = !code && !date && decimal_comma_column(t, c);
        for (r = 0; r < t->n_rows; r++) {
            ft_cell *cell = FT_CELL(t, r, c);
            ft_number n;
            cell->kind = cell->text ? FT_CELL_TEXT : FT_CELL_EMPTY;
            if (r < t->n_header_rows || !cell->text || code)
                continue;
            if (dc && strchr(cell->text, ',')) {
                char *x = point_decimals(cell->text);
                ft_number_parse(x ? x : cell->text, &n);
                if (x && n.kind == FT_CELL_NUMBER)
                    n.flags |= FT_NUM_DECIMAL_COMMA;
                free(x);
            } else {
                ft_number_parse(cell->text, &n);
            }
            if (date && n.kind == FT_CELL_NUMBER) {
                cell->changed = FT_NUM_DATE; /* kept as printed */
                continue;
            }
            cell->kind = n.kind;
            if (n.kind == FT_CELL_NUMBER) {
                cell->value = n.value;
                cell->decimals = n.decimals;
                cell->percent = (n.flags & FT_NUM_PERCENT) != 0;
                cell->changed = n.flags;
                if (!(n.flags & (FT_NUM_SCI | FT_NUM_PERCENT)) &&
                    n.decimals > prec)
                    prec = n.decimals;
            } else if (n.kind == FT_CELL_BLANK) {
                cell->changed = n.flags;
            }
        }
        if (prec < 0)
            prec = 2;
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            ft_cell *cell = FT_CELL(t, r, c);
            ft_norm_event ev;
            ev.raw = cell->value;
            if (cell->kind == FT_CELL_NUMBER) {
                numbers++;
                if (cell->changed & FT_NUM_SCI) {
                    double f = pow(10, prec);
                    cell->value = round(cell->value * f) / f;
                    if (cell->value == 0)
                        cell->value = 0;
                    cell->decimals = prec;
                }
            }
            if (!cb || !(cell->changed & ~(FT_NUM_SEPARATORS | FT_NUM_MINUS)))
                continue;
            ev.row = r;
            ev.col = c;
            ev.printed = cell->text;
            ev.value = cell->value;
            ev.flags = cell->changed;
            ev.decimals = cell->decimals;
            cb(ctx, t, &ev);
        }
    }
    return numbers;
}

double
ft_unit_yuan(const char *u)
{
    if (!u)
        return 0;
    if (strstr(u, "亿") || strstr(u, "億"))
        return 1e8;
    if (strstr(u, "万") || strstr(u, "萬"))
        return 1e4;
    if (strstr(u, "千"))
        return 1e3;
    return strstr(u, "元") ? 1 : 0;
}
