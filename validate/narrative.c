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

ft_status
ft_validate_text(const ft_prose_list *prose, const ft_table *tables,
                 size_t n_tables, ft_log *log)
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
                w = end ? end + 3 : stop;
            }
        }
        free(all);
    }
    return st;
}
