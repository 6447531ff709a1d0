/*
 * narrative.c - checks on the text around the tables.
 *
 * Years: the document's year is the one its table titles name most; a
 * table title or a numbered section heading (第三部分…, 一、…) naming
 * another year fails. Years inside prose sentences are not checked.
 *
 * Arithmetic the prose states: "总计N万元，比上年减少D万元，下降P%" must
 * have P = D / (N + D) (增加/增长: D / (N - D); or D / N when N is the
 * earlier year's figure), and "合计T万元，其中：A万元，占P%" must have
 * P = A / T, each within the rounding of the printed figures plus one
 * and a half units of the printed rate (authors compute from unrounded
 * amounts, or adjust parts to sum to 100%).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../normalize/normalize.h"
#include "validate.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* A figure found in folded text. */
typedef struct figure {
    double v;
    int decimals;
    const char *at, *end;   /* where the digits start and the unit ends */
    int percent;
} figure;

/* Reads a number at p (digits, commas, one point); fills f, returns the
 * end or NULL. */
static const char *
read_number(const char *p, figure *f)
{
    char buf[64];
    size_t n = 0;
    int dot = 0, dec = 0;
    const char *q = p;
    if (*q < '0' || *q > '9')
        return NULL;
    while (((*q >= '0' && *q <= '9') || *q == ',' || (*q == '.' && !dot)) &&
           n < sizeof buf - 1) {
        if (*q == '.') {
            if (!(q[1] >= '0' && q[1] <= '9'))
                break;
            dot = 1;
        } else if (*q != ',') {
            if (dot)
                dec++;
        }
        if (*q != ',')
            buf[n++] = *q;
        q++;
    }
    buf[n] = 0;
    f->v = strtod(buf, NULL);
    f->decimals = dec;
    f->at = p;
    f->end = q;
    f->percent = 0;
    return q;
}

/* Finds the next money figure (number + 万元/元/亿元) or percentage in
 * [p, end); returns 1 and fills f. */
static int
next_figure(const char *start, const char *p, const char *end, figure *f)
{
    for (; p < end; p++) {
        const char *q;
        if (*p < '0' || *p > '9')
            continue;
        if (p > start && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.' ||
                          p[-1] == ','))
            continue;
        q = read_number(p, f);
        if (!q)
            continue;
        if (!strncmp(q, "万元", 6) || !strncmp(q, "亿元", 6)) {
            f->end = q + 6;
            return 1;
        }
        if (!strncmp(q, "元", 3)) {
            f->end = q + 3;
            return 1;
        }
        if (*q == '%') {
            f->percent = 1;
            f->end = q + 1;
            return 1;
        }
        p = q - 1;
    }
    return 0;
}

/* Half a unit of the last printed digit. */
static double
half_unit(const figure *f)
{
    return 0.5 * pow(10, -f->decimals);
}

/* Logs a narrative check. */
static ft_status
report_text(ft_log *log, int page, const char *rule, int pass, double exp,
            double act, const char *sentence, const char *what)
{
    char msg[600];
    snprintf(msg, sizeof msg, "%s: %.*s", what, 360, sentence);
    return ft_log_add(log, page, -1, -1, -1, "check", rule,
                      pass ? FT_PASS : FT_FAIL, &exp, &act, msg);
}

/* Checks the change and share statements of one sentence [s, e). */
static ft_status
check_sentence(const char *s, const char *e, int page, figure *carry,
               ft_log *log)
{
    figure figs[32];
    int n = 0, i;
    const char *p = s;
    ft_status st = FT_OK;
    char sentence[400];
    size_t sl = (size_t)(e - s) < sizeof sentence - 1 ? (size_t)(e - s)
                                                      : sizeof sentence - 1;
    memcpy(sentence, s, sl);
    sentence[sl] = 0;
    while (n < 32 && next_figure(s, p, e, &figs[n])) {
        p = figs[n].end;
        n++;
    }
    for (i = 0; i + 1 < n && st == FT_OK; i++) {
        const figure *d = &figs[i], *pct = &figs[i + 1];
        const figure *base = NULL;
        const char *kw = d->at - s >= 6 ? d->at - 6 : NULL;
        int down, k;
        double prev_lo, prev_hi, lo, hi;
        if (d->percent || !pct->percent || !kw)
            continue;
        /* "减少D万元，下降P%" / "增加D万元，增长P%" */
        if (!strncmp(kw, "减少", 6))
            down = 1;
        else if (!strncmp(kw, "增加", 6))
            down = 0;
        else
            continue;
        if (pct->at - d->end > 12)
            continue;
        for (k = i - 1; k >= 0; k--)
            if (!figs[k].percent) {
                base = &figs[k];
                break;
            }
        /* "…总计N万元。与上年相比，减少D万元": N ends the sentence before */
        if (!base && carry->at && !strncmp(s, "与", 3))
            base = carry;
        if (!base)
            continue;
        /* previous year = base +/- d; the printed rate, within rounding */
        prev_lo = down ? base->v - half_unit(base) + d->v - half_unit(d)
                       : base->v - half_unit(base) - d->v - half_unit(d);
        prev_hi = down ? base->v + half_unit(base) + d->v + half_unit(d)
                       : base->v + half_unit(base) - d->v + half_unit(d);
        if (prev_lo <= 0 || prev_hi <= 0)
            continue;
        lo = (d->v - half_unit(d)) / prev_hi * 100;
        hi = (d->v + half_unit(d)) / prev_lo * 100;
        {
            double mid = d->v / (down ? base->v + d->v : base->v - d->v) *
                         100;
            /* the rate may be taken on the earlier year's figure when the
             * sentence names it ("上年为N万元"), and authors round from
             * unrounded amounts: one unit of the printed rate is allowed */
            double slack = 3 * half_unit(pct);
            double alt = d->v / base->v * 100;
            int pass = (pct->v + slack >= lo && pct->v - slack <= hi) ||
                       fabs(alt - pct->v) <= slack + 1e-9;
            char what[160];
            snprintf(what, sizeof what,
                     "change %s %.*f on %.*f is %.2f%%, printed %.*f%%",
                     down ? "down" : "up", d->decimals, d->v,
                     base->decimals, base->v, mid, pct->decimals, pct->v);
            st = report_text(log, page, "narrative_change", pass, mid,
                             pct->v, sentence, what);
        }
    }
    /* shares: the first amount of a sentence with 其中 is the total */
    if (st == FT_OK && n >= 3 && !figs[0].percent &&
        (strstr(sentence, "其中") || strstr(sentence, "主要包括") ||
         strstr(sentence, "主要用于"))) {
        const figure *tot = &figs[0];
        const char *qz = strstr(s, "其中");
        if (!qz || qz > e)
            qz = strstr(s, "主要");
        for (i = 1; i + 1 < n && st == FT_OK; i++) {
            const figure *a = &figs[i], *pct = &figs[i + 1];
            double lo, hi, mid;
            int pass;
            char what[160];
            if (a->percent || !pct->percent || a->at < qz ||
                pct->at - a->end > 9 || tot->v <= 0 || tot->at > qz)
                continue;
            /* "占P%" right after the part */
            if (strncmp(a->end, "，占", 6) && strncmp(a->end, ",占", 4) &&
                strncmp(a->end, "占", 3))
                continue;
            lo = (a->v - half_unit(a)) / (tot->v + half_unit(tot)) * 100;
            hi = (a->v + half_unit(a)) / (tot->v - half_unit(tot)) * 100;
            mid = a->v / tot->v * 100;
            pass = pct->v + 3 * half_unit(pct) >= lo &&
                   pct->v - 3 * half_unit(pct) <= hi;
            snprintf(what, sizeof what,
                     "share %.*f of %.*f is %.2f%%, printed %.*f%%",
                     a->decimals, a->v, tot->decimals, tot->v, mid,
                     pct->decimals, pct->v);
            st = report_text(log, page, "narrative_share", pass, mid, pct->v,
                             sentence, what);
        }
    }
    /* the last amount of this sentence, for the next one */
    carry->at = NULL;
    for (i = n - 1; i >= 0; i--)
        if (!figs[i].percent) {
            *carry = figs[i];
            carry->at = carry->end = NULL;
            carry->at = "";
            break;
        }
    return st;
}

/* Narrative words for figures the tables state, and the word to look
 * for in the tables (row labels, column labels of 合计 rows). */
static const char *const KEYS[][2] = {
    {"一般公共预算拨款收入", "一般公共预算"},
    {"一般公共预算拨款", "一般公共预算"},
    {"政府性基金预算拨款收入", "政府性基金"},
    {"基本支出", "基本支出"},
    {"项目支出", "项目支出"},
    {"人员经费", "人员经费"},
    {"公用经费", "公用经费"},
    {"机关运行经费", "机关运行经费"},
    {"上年结转", "上年结转"},
    {"收入总计", "收入总计"},
    {"支出总计", "支出总计"},
    {"本年收入", "本年收入"},
    {"本年支出", "本年支出"},
};

/* Folded label with leading numbering (一、 1. （一）) dropped; a new
 * string or NULL. */
static char *
plain_label(const char *text)
{
    char *f = ft_text_fold(text);
    const char *p = f;
    static const char *nums = "一二三四五六七八九十";
    if (!f)
        return NULL;
    if (!strncmp(p, "(", 1)) {
        const char *q = strchr(p, ')');
        if (q && q - p <= 10)
            p = q + 1;
    }
    while ((unsigned char)p[0] >= 0xE0 && p[1] && p[2]) {
        char ch[4] = {p[0], p[1], p[2], 0};
        if (!strstr(nums, ch))
            break;
        p += 3;
    }
    while (*p >= '0' && *p <= '9')
        p++;
    if (!strncmp(p, "、", 3))
        p += 3;
    else if (*p == '.')
        p++;
    memmove(f, p, strlen(p) + 1);
    return f;
}

/* A table figure that a narrative word may name; firm when the table is
 * the one that states the figure for the sentence's scope. */
typedef struct cand {
    double yuan, tol;
    size_t table;
    int row, col;
    int firm;
    const char *title, *text; /* the table's title and the cell's text */
} cand;

/* A table figure a narrative word names, found when its table is done. */
typedef struct fig {
    const char *word;       /* KEYS[k][1] */
    const char *kind;       /* ft_table_kind() of its table */
    double yuan, tol;
    size_t table;
    int row, col;
    char *title, *text;
} fig;

/* At most this many figures are kept for a word, the first ones. */
#define MAX_FIGS 32

struct ft_figures {
    fig *v;
    size_t n, cap;
};

/* Scope of a sentence: what money it talks about. */
enum { SCOPE_ALL, SCOPE_GENERAL, SCOPE_APPROP };

/* 1 when a table of this kind states word w's figure for the scope: the
 * summaries for the whole budget, the 一般公共预算 tables for 一般公共预算,
 * the 财政拨款收支总表 for 财政拨款; 人员经费/公用经费 and 机关运行经费
 * have tables of their own. */
static int
firm_kind(const char *kind, const char *w, int scope)
{
    if (!strcmp(w, "人员经费") || !strcmp(w, "公用经费"))
        return !strcmp(kind, "basic_expense_economic");
    if (!strcmp(w, "机关运行经费"))
        return !strcmp(kind, "operating_costs");
    if (scope == SCOPE_GENERAL)
        return !strcmp(kind, "general_budget_expense") ||
               !strcmp(kind, "basic_expense_economic");
    if (scope == SCOPE_APPROP)
        return !strcmp(kind, "appropriation_summary");
    return !strcmp(kind, "income_expense_summary") ||
           !strcmp(kind, "income_summary") ||
           !strcmp(kind, "expense_summary");
}

/* Number of figures kept for word w so far. */
static size_t
figs_for(const ft_figures *f, const char *w)
{
    size_t i, n = 0;
    for (i = 0; i < f->n; i++)
        n += !strcmp(f->v[i].word, w);
    return n;
}

/* Keeps cell (r, c) of table ti as a figure for word w. */
static ft_status
add_fig(ft_figures *f, const char *w, const ft_table *t, size_t ti, int r,
        int c, double factor)
{
    const ft_cell *x = FT_CELL(t, r, c);
    fig *g;
    if (x->kind != FT_CELL_NUMBER || figs_for(f, w) >= MAX_FIGS)
        return FT_OK;
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 32;
        fig *v = realloc(f->v, nc * sizeof *v);
        if (!v)
            return FT_ERR_NOMEM;
        f->v = v;
        f->cap = nc;
    }
    g = &f->v[f->n];
    memset(g, 0, sizeof *g);
    g->word = w;
    g->kind = ft_table_kind(t);
    g->yuan = x->value * factor;
    g->tol = 0.5 * pow(10, -x->decimals) * factor;
    g->table = ti;
    g->row = r;
    g->col = c;
    g->title = strdup(t->title ? t->title : "");
    g->text = strdup(x->text ? x->text : "");
    if (!g->title || !g->text) {
        free(g->title);
        free(g->text);
        return FT_ERR_NOMEM;
    }
    f->n++;
    return FT_OK;
}

/* The figures table t gives for word w: the number right of a text cell
 * that reads w (or w合计), and the 合计 row's cell in a column whose label
 * ends with w. */
static ft_status
collect_figures(ft_figures *f, const ft_table *t, size_t ti, const char *w)
{
    int r, c, k, total_row = -1;
    size_t wl = strlen(w);
    double factor = ft_unit_yuan(t->unit);
    ft_status st = FT_OK;
    if (factor <= 0)
        return FT_OK;
    for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            const ft_cell *x = FT_CELL(t, r, c);
            char *l;
            int hit;
            if (x->covered || x->kind != FT_CELL_TEXT || !x->text)
                continue;
            l = plain_label(x->text);
            if (!l)
                return FT_ERR_NOMEM;
            if (total_row < 0 && c == 0 &&
                (!strcmp(l, "合计") || !strcmp(l, "总计")))
                total_row = r;
            hit = !strncmp(l, w, wl) &&
                  (!l[wl] || !strcmp(l + wl, "合计") ||
                   !strcmp(l + wl, "小计"));
            free(l);
            if (!hit)
                continue;
            for (k = c + x->colspan; k < t->n_cols; k++) {
                const ft_cell *y = FT_CELL(t, r, k);
                if (y->covered)
                    continue;
                if (y->kind == FT_CELL_NUMBER) {
                    st = add_fig(f, w, t, ti, r, k, factor);
                    break;
                }
                if (y->kind == FT_CELL_TEXT)
                    break;
            }
        }
    }
    if (total_row < 0)
        return st;
    for (c = 0; c < t->n_cols && st == FT_OK; c++) {
        char *lab = ft_column_label(t, c), *fo, *last;
        int hit;
        if (!lab)
            return FT_ERR_NOMEM;
        fo = ft_text_fold(lab);
        free(lab);
        if (!fo)
            return FT_ERR_NOMEM;
        last = strrchr(fo, '/');
        last = last ? last + 1 : fo;
        hit = strlen(last) >= wl && !strcmp(last + strlen(last) - wl, w);
        free(fo);
        if (hit)
            st = add_fig(f, w, t, ti, total_row, c, factor);
    }
    return st;
}

/* The figures kept for word w, as candidates for a sentence's scope.
 * Returns the count (at most max). */
static int
table_figures(const ft_figures *f, const char *w, int scope, cand *cs,
              int max)
{
    size_t i;
    int n = 0;
    for (i = 0; f && i < f->n && n < max; i++) {
        const fig *g = &f->v[i];
        if (strcmp(g->word, w))
            continue;
        cs[n].firm = firm_kind(g->kind, w, scope);
        cs[n].yuan = g->yuan;
        cs[n].tol = g->tol;
        cs[n].table = g->table;
        cs[n].row = g->row;
        cs[n].col = g->col;
        cs[n].title = g->title;
        cs[n].text = g->text;
        n++;
    }
    return n;
}

/* The narrative word just before a figure at `at` in [s, at): back to a
 * delimiter; "为", "是", "共" and "合计" at its end dropped. */
static void
word_before(const char *s, const char *at, char *out, size_t size)
{
    static const char *const delim[] = {"，", "。", "；", "：", "、", ",",
                                        ";", ":", "(", ")", "万元", "%"};
    static const char *const tail[] = {"为", "是", "共", "合计", "共计",
                                       "总额", "预算", "安排"};
    const char *p = at, *b = s;
    size_t k, n;
    int again = 1;
    while (p > s) {
        int hit = 0;
        for (k = 0; k < sizeof delim / sizeof *delim; k++) {
            size_t dl = strlen(delim[k]);
            if ((size_t)(p - s) >= dl && !strncmp(p - dl, delim[k], dl)) {
                hit = 1;
                break;
            }
        }
        if (hit || (p[-1] >= '0' && p[-1] <= '9'))
            break;
        p--;
        while (p > s && ((unsigned char)*p & 0xC0) == 0x80)
            p--;
    }
    b = p;
    n = (size_t)(at - b) < size - 1 ? (size_t)(at - b) : size - 1;
    memcpy(out, b, n);
    out[n] = 0;
    while (again) {
        size_t len = strlen(out);
        again = 0;
        for (k = 0; k < sizeof tail / sizeof *tail; k++) {
            size_t tl = strlen(tail[k]);
            if (len > tl && !strcmp(out + len - tl, tail[k])) {
                out[len - tl] = 0;
                again = 1;
                break;
            }
        }
    }
}

/* Checks the amounts a sentence [s, e) names against the tables. */
static ft_status
check_against_tables(const char *s, const char *e, int page,
                     const ft_figures *figs, ft_log *log)
{
    figure f;
    const char *p = s;
    ft_status st = FT_OK;
    while (st == FT_OK && next_figure(s, p, e, &f)) {
        char word[160], msg[700];
        const char *unit = f.end - 6 >= f.at ? f.end - 6 : f.at;
        double factor = !strncmp(unit, "万元", 6)   ? 1e4
                        : !strncmp(unit, "亿元", 6) ? 1e8
                                                    : 1;
        size_t k, wl;
        cand cs[32];
        int n, i, best = -1, pass = 0;
        p = f.end;
        if (f.percent)
            continue;
        word_before(s, f.at, word, sizeof word);
        /* last year's figures are not in this year's tables */
        if (strstr(word, "上年") && !strstr(word, "上年结转"))
            continue;
        if (strstr(word, "去年") || strstr(word, "同比") ||
            strstr(word, "增加") || strstr(word, "减少") ||
            strstr(word, "增长") || strstr(word, "下降"))
            continue;
        wl = strlen(word);
        for (k = 0; k < sizeof KEYS / sizeof *KEYS; k++) {
            size_t kl = strlen(KEYS[k][0]);
            if (wl >= kl && !strcmp(word + wl - kl, KEYS[k][0]))
                break;
        }
        if (k == sizeof KEYS / sizeof *KEYS)
            continue;
        {
            /* the scope: what the sentence says before the figure */
            char before[600];
            size_t bl = (size_t)(f.at - s) < sizeof before - 1
                            ? (size_t)(f.at - s)
                            : sizeof before - 1;
            int scope = SCOPE_ALL;
            memcpy(before, s, bl);
            before[bl] = 0;
            if (strcmp(KEYS[k][1], "一般公共预算") &&
                strstr(before, "一般公共预算"))
                scope = SCOPE_GENERAL;
            else if (strstr(before, "财政拨款"))
                scope = SCOPE_APPROP;
            n = table_figures(figs, KEYS[k][1], scope, cs, 32);
        }
        if (n == 0)
            continue;
        for (i = 0; i < n; i++) {
            double tol = cs[i].tol + half_unit(&f) * factor + 1e-6;
            double d = fabs(cs[i].yuan - f.v * factor);
            if (d <= tol) {
                pass = 1;
                best = i;
                break;
            }
            /* a failure names a table that states the figure for the
             * sentence's scope; others can only agree */
            if (cs[i].firm &&
                (best < 0 || d < fabs(cs[best].yuan - f.v * factor)))
                best = i;
        }
        if (best < 0)
            continue;
        {
            const cand *c = &cs[best];
            char name[16], sentence[300];
            double exp = c->yuan / factor, act = f.v;
            size_t sl = (size_t)(e - s) < sizeof sentence - 1
                            ? (size_t)(e - s)
                            : sizeof sentence - 1;
            memcpy(sentence, s, sl);
            sentence[sl] = 0;
            ft_cell_name(c->row, c->col, name);
            snprintf(msg, sizeof msg,
                     "%s %.*f%s %s '%.100s' %s (%s): %.200s", KEYS[k][0],
                     f.decimals, f.v, factor == 1e4 ? "万元" : "元",
                     pass ? "as in" : "but not in", c->title, name, c->text,
                     sentence);
            st = ft_log_add(log, page, -1, -1, -1, "check",
                            "narrative_table", pass ? FT_PASS : FT_FAIL,
                            &exp, &act, msg);
        }
    }
    return st;
}

/* The first year "19xx年"/"20xx年" in s, or 0. */
static int
year_in(const char *s)
{
    for (; s[0] && s[1] && s[2] && s[3]; s++) {
        if ((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0')) {
            if (s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9' &&
                !strncmp(s + 4, "年", 3)) {
                return (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
                       (s[2] - '0') * 10 + (s[3] - '0');
            }
        }
    }
    return 0;
}

/* 1 for a numbered section heading: 第…部分, 一、, （一）, no sentence
 * punctuation. */
static int
is_heading(const char *s)
{
    if (strstr(s, "，") || strstr(s, "。") || strstr(s, "；") ||
        strstr(s, ",") || strlen(s) > 120)
        return 0;
    return !strncmp(s, "第", 3) || strstr(s, "部分") != NULL;
}

/* Folds a page's text for sentence checks: a line that starts with a
 * section number (一、 （一） 第) is preceded by "。" so that a heading
 * ends the sentence before it. Returns a new string (free()) or NULL. */
static char *
fold_sentences(const char *text)
{
    size_t n = strlen(text), o = 0;
    char *buf = malloc(n * 2 + 4), *f;
    const char *t = text;
    static const char *nums = "一二三四五六七八九十";
    if (!buf)
        return NULL;
    while (*t) {
        const char *nl = strchr(t, '\n');
        size_t len = nl ? (size_t)(nl - t) : strlen(t);
        const char *p = t;
        int mark = 0;
        while (*p == ' ')
            p++;
        if (!strncmp(p, "（", 3) || !strncmp(p, "(", 1) ||
            !strncmp(p, "第", 3))
            mark = 1;
        else if ((unsigned char)p[0] >= 0xE0) {
            const char *q = p;
            for (;;) {
                char ch[4] = {0, 0, 0, 0};
                if ((unsigned char)q[0] < 0xE0 || !q[1] || !q[2])
                    break;
                memcpy(ch, q, 3);
                if (!strstr(nums, ch))
                    break;
                q += 3;
            }
            mark = q > p && !strncmp(q, "、", 3);
        }
        if (mark) {
            memcpy(buf + o, "。", 3);
            o += 3;
        }
        memcpy(buf + o, t, len);
        o += len;
        buf[o++] = ' ';
        t = nl ? nl + 1 : t + len;
    }
    buf[o] = 0;
    f = ft_text_fold(buf);
    free(buf);
    return f;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_document_year(const ft_prose_list *prose, const ft_table *tables,
                 size_t n_tables)
{
    int years[64] = {0}, counts[64] = {0}, ny = 0, doc_year = 0, best = 0;
    size_t i, k;

    /* the document's year: the one its table titles name most */
    for (i = 0; i < n_tables; i++) {
        char *f = tables[i].title ? ft_text_fold(tables[i].title) : NULL;
        int y = f ? year_in(f) : 0, j;
        free(f);
        if (!y)
            continue;
        for (j = 0; j < ny && years[j] != y; j++)
            ;
        if (j == ny && ny < 64)
            years[ny++] = y;
        if (j < 64)
            counts[j]++;
    }
    if (ny == 0) {
        /* no year in the table titles: the headings and the cover vote */
        for (i = 0; prose && i < prose->n; i++) {
            const char *t = prose->items[i].text;
            while (*t) {
                const char *nl = strchr(t, '\n');
                size_t len = nl ? (size_t)(nl - t) : strlen(t);
                char *line = malloc(len + 1), *f;
                int y, j;
                if (!line)
                    return 0;
                memcpy(line, t, len);
                line[len] = 0;
                f = ft_text_fold(line);
                y = f && (is_heading(f) || (strstr(f, "年度") &&
                                            !strstr(f, "，") &&
                                            !strstr(f, "。")))
                        ? year_in(f)
                        : 0;
                if (y) {
                    for (j = 0; j < ny && years[j] != y; j++)
                        ;
                    if (j == ny && ny < 64)
                        years[ny++] = y;
                    if (j < 64)
                        counts[j]++;
                }
                free(f);
                free(line);
                t = nl ? nl + 1 : t + len;
            }
        }
    }
    for (k = 0; k < (size_t)ny; k++)
        if (counts[k] > best) {
            best = counts[k];
            doc_year = years[k];
        }
    return doc_year;
}

ft_figures *
ft_figures_new(void)
{
    return calloc(1, sizeof(ft_figures));
}

void
ft_figures_free(ft_figures *f)
{
    size_t i;
    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        free(f->v[i].title);
        free(f->v[i].text);
    }
    free(f->v);
    free(f);
}

ft_status
ft_figures_add(ft_figures *f, const ft_table *t, size_t index)
{
    size_t k, j;
    ft_status st = FT_OK;
    for (k = 0; k < sizeof KEYS / sizeof *KEYS && st == FT_OK; k++) {
        for (j = 0; j < k && strcmp(KEYS[j][1], KEYS[k][1]); j++)
            ;
        if (j == k) /* each word once */
            st = collect_figures(f, t, index, KEYS[k][1]);
    }
    return st;
}

ft_status
ft_validate_text(const ft_prose_list *prose, const ft_table *tables,
                 size_t n_tables, ft_log *log)
{
    ft_figures *f = ft_figures_new();
    size_t i;
    ft_status st = f ? FT_OK : FT_ERR_NOMEM;
    for (i = 0; i < n_tables && st == FT_OK; i++)
        st = ft_figures_add(f, &tables[i], i);
    if (st == FT_OK)
        st = ft_validate_text_with(prose, tables, n_tables, f, log);
    ft_figures_free(f);
    return st;
}

ft_status
ft_validate_text_with(const ft_prose_list *prose, const ft_table *tables,
                      size_t n_tables, const ft_figures *figs, ft_log *log)
{
    int doc_year = ft_document_year(prose, tables, n_tables);
    size_t i;
    ft_status st = FT_OK;
    for (i = 0; i < n_tables && doc_year && st == FT_OK; i++) {
        char *f = tables[i].title ? ft_text_fold(tables[i].title) : NULL;
        int y = f ? year_in(f) : 0;
        if (y && y != doc_year) {
            char msg[400];
            double a = y, e = doc_year;
            snprintf(msg, sizeof msg,
                     "table title names %d, the document's tables %d: %s", y,
                     doc_year, tables[i].title);
            st = ft_log_add(log, tables[i].page_first, (int)i, -1, -1,
                            "check", "year", FT_FAIL, &e, &a, msg);
        }
        free(f);
    }
    for (i = 0; prose && i < prose->n && st == FT_OK; i++) {
        const char *t = prose->items[i].text;
        char *all, *w;
        /* headings, line by line */
        while (doc_year && *t && st == FT_OK) {
            const char *nl = strchr(t, '\n');
            size_t len = nl ? (size_t)(nl - t) : strlen(t);
            char *line = malloc(len + 1), *f;
            if (!line)
                return FT_ERR_NOMEM;
            memcpy(line, t, len);
            line[len] = 0;
            f = ft_text_fold(line);
            if (f && is_heading(f)) {
                int y = year_in(f);
                double a = y, e = doc_year;
                char msg[400];
                snprintf(msg, sizeof msg,
                         "section heading names %d, the document's tables "
                         "%d: %s",
                         y, doc_year, line);
                if (y && y != doc_year)
                    st = ft_log_add(log, prose->items[i].page, -1, -1, -1,
                                    "check", "year", FT_FAIL, &e, &a, msg);
            }
            free(f);
            free(line);
            t = nl ? nl + 1 : t + len;
        }
        /* sentences of the page, folded (spaces and line breaks gone); a
         * numbered heading (三、 （一） 第…) also ends a sentence */
        all = fold_sentences(prose->items[i].text);
        if (!all)
            return FT_ERR_NOMEM;
        w = all;
        {
            figure carry;
            memset(&carry, 0, sizeof carry);
            while (*w && st == FT_OK) {
                char *end = strstr(w, "。");
                char *stop = end ? end : w + strlen(w);
                st = check_sentence(w, stop, prose->items[i].page, &carry,
                                    log);
                if (st == FT_OK)
                    st = check_against_tables(w, stop, prose->items[i].page,
                                              figs, log);
                w = end ? end + 3 : stop;
            }
        }
        free(all);
    }
    return st;
}
