/*
 * layout.c - glyphs to segments (words and phrases) to text lines.
 *
 * A segment is a chain of glyphs on one baseline with no gap wider than
 * about half a character; a vertical rule between two glyphs ends it.
 * Spaces are restored between Latin words only, never between CJK
 * characters. Lines group segments that share a vertical band.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* The size of a glyph for spacing decisions: its height, or for a CJK
 * character its width when that is larger (some fonts give boxes a
 * fraction of the em tall; a CJK glyph is one em wide). */
static double
glyph_em(const ft_glyph *g)
{
    double h = g->box.y1 - g->box.y0, w = g->box.x1 - g->box.x0;
    return ft_is_cjk(g->cp) && w > h ? w : h;
}

/* A chain of glyph indices being built. */
typedef struct chain {
    size_t *idx;
    size_t n, cap;
    double y0, y1;      /* band of the first glyph */
    double x1;          /* right edge of the last glyph */
    double h;
    int closed;
} chain;

/* 1 when chain c so far reads as an amount with a separator
 * ("13,422.91", "0.5"): digits, and a point or a thousands comma. */
static int
chain_is_amount(const ft_page *page, const chain *c)
{
    size_t i;
    int sep = 0, digits = 0;
    for (i = 0; i < c->n; i++) {
        uint32_t cp = page->glyphs[c->idx[i]].cp;
        if (cp >= '0' && cp <= '9')
            digits++;
        else if (cp == '.' || cp == ',')
            sep = 1;
        else if (cp != '-' && cp != '(' && cp != ')')
            return 0;
    }
    return digits > 0 && sep;
}

/* Appends glyph index i to a chain; returns 0 on OOM. */
static int
chain_push(chain *c, size_t i)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        size_t *v = realloc(c->idx, cap * sizeof *v);
        if (!v)
            return 0;
        c->idx = v;
        c->cap = cap;
    }
    c->idx[c->n++] = i;
    return 1;
}

static const ft_glyph *sort_glyphs;

/* qsort comparator: glyph indices by left edge. */
static int
cmp_glyph_x(const void *a, const void *b)
{
    const ft_glyph *ga = &sort_glyphs[*(const size_t *)a];
    const ft_glyph *gb = &sort_glyphs[*(const size_t *)b];
    if (ga->box.x0 != gb->box.x0)
        return ga->box.x0 < gb->box.x0 ? -1 : 1;
    return ga->box.y0 < gb->box.y0 ? -1 : ga->box.y0 > gb->box.y0;
}

/* qsort comparator: segments by vertical centre, then x. */
static int
cmp_seg_y(const void *a, const void *b)
{
    const ft_seg *sa = a, *sb = b;
    double ya = (sa->box.y0 + sa->box.y1) / 2;
    double yb = (sb->box.y0 + sb->box.y1) / 2;
    if (ya != yb)
        return ya < yb ? -1 : 1;
    return sa->box.x0 < sb->box.x0 ? -1 : sa->box.x0 > sb->box.x0;
}

/* qsort comparator: segments by x. */
static int
cmp_seg_x(const void *a, const void *b)
{
    const ft_seg *sa = a, *sb = b;
    return sa->box.x0 < sb->box.x0 ? -1 : sa->box.x0 > sb->box.x0;
}

/* 1 for ASCII digits and the characters of printed amounts. */
static int
is_numch(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || cp == ',' || cp == '.' ||
           cp == '-' || cp == '%' || (cp >= 0xFF10 && cp <= 0xFF19);
}

/*
 * 1 when a vertical rule separates glyphs a and b (a left of b) and the
 * split is believable: the glyphs are apart or of different kinds. Text
 * that merely overflows its cell (evenly spaced CJK) is not split.
 */
static int
rule_between(const ft_page *p, const ft_glyph *a, const ft_glyph *b)
{
    size_t i;
    double cy = (a->box.y0 + a->box.y1) / 2;
    double h = a->box.y1 - a->box.y0;
    for (i = 0; i < p->n_rules; i++) {
        const ft_rule *r = &p->rules[i];
        if (r->dir != 'v' || r->a > cy || r->b < cy)
            continue;
        if (r->pos < (a->box.x0 + a->box.x1) / 2 ||
            r->pos > (b->box.x0 + b->box.x1) / 2)
            continue;
        if (ft_is_cjk(a->cp) && ft_is_cjk(b->cp) &&
            b->box.x0 - a->box.x1 < 0.15 * h)
            return 0;
        return 1;
    }
    return 0;
}

/* 1 when the segment text looks like a printed number (a year such as
 * 2007 is a heading, not an amount). */
static int
looks_numeric(const char *s)
{
    if (strlen(s) == 4 && (!strncmp(s, "19", 2) || !strncmp(s, "20", 2)) &&
        s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9')
        return 0;
    int digits = 0, other = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++) {
        if (*u >= '0' && *u <= '9')
            digits++;
        else if (*u == ' ' && u[1] >= '0' && u[1] <= '9' && u[2] >= '0' &&
                 u[2] <= '9' && u[3] >= '0' && u[3] <= '9' &&
                 !(u[4] >= '0' && u[4] <= '9'))
            ; /* a space between thousands: "10 000" */
        else if (!strchr(",.-+()%eE", *u))
            other++;
    }
    return digits > 0 && other == 0;
}

/* 1 when OCR'd glyph i and the one before it are a digit and the
 * point or comma after it, or such a mark and the digit after it: one
 * number, whatever gap OCR's boxes leave ("3,560 .65"). */
static int
ocr_in_number(const ft_glyph *g, size_t i)
{
#define FT_DIGIT(c) ((c) >= '0' && (c) <= '9')
    uint32_t a = g[i - 1].cp, b = g[i].cp;
    if (!g[i].ocr || !g[i - 1].ocr)
        return 0;
    if (FT_DIGIT(a) && (b == '.' || b == ','))
        return 1;
    return (a == '.' || a == ',') && FT_DIGIT(b) && i >= 2 &&
           FT_DIGIT(g[i - 2].cp);
#undef FT_DIGIT
}

/* 1 for letters of right-to-left scripts (Hebrew, Arabic). */
static int
is_rtl(uint32_t cp)
{
    return (cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFF);
}

/* 1 for letters read left to right (Latin and the like, CJK). */
static int
is_ltr_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0x00C0 && cp <= 0x024F) || (cp >= 0x0370 && cp <= 0x052F) ||
           ft_is_cjk(cp);
}

/* 1 for what stays in its printed order inside right-to-left text: the
 * digits of a number and the separators between them. */
static int
is_number_glyph(const ft_glyph *g, size_t n, size_t i)
{
    uint32_t c = g[i].cp;
    if (c >= '0' && c <= '9')
        return 1;
    return (c == '.' || c == ',' || c == '%') && i > 0 && i + 1 < n &&
           g[i - 1].cp >= '0' && g[i - 1].cp <= '9';
}

/* The order to read a segment's glyphs in: as placed, left to right; a
 * segment of right-to-left letters (and no left-to-right ones) right to
 * left, its numbers still left to right (poppler gives the glyphs in
 * the order they sit on the page). */
static void
reading_order(const ft_glyph *g, size_t n, size_t *ord)
{
    size_t i, k = 0, rtl = 0;
    for (i = 0; i < n; i++) {
        if (is_ltr_letter(g[i].cp))
            break;
        rtl += is_rtl(g[i].cp);
    }
    for (i = 0; i < n; i++)
        ord[i] = i;
    if (i < n || rtl == 0)
        return;
    i = n;
    while (i > 0) {
        size_t end = i, start = i - 1;
        if (is_number_glyph(g, n, start)) {
            while (start > 0 && is_number_glyph(g, n, start - 1))
                start--;
            for (i = start; i < end; i++)
                ord[k++] = i;
            i = start;
        } else {
            ord[k++] = start;
            i = start;
        }
    }
}

/* Builds the text of a segment from its glyphs; NULL on OOM. */
static char *
seg_text(const ft_glyph *g, size_t n)
{
    char *buf = malloc(n * 5 + 1), *o;
    size_t *ord = malloc((n ? n : 1) * sizeof *ord);
    size_t i;
    if (!buf || !ord) {
        free(buf);
        free(ord);
        return NULL;
    }
    reading_order(g, n, ord);
    o = buf;
    for (i = 0; i < n; i++) {
        const ft_glyph *a = &g[ord[i]];
        if (i > 0) {
            const ft_glyph *p = &g[ord[i - 1]];
            /* the gap between the two as they sit on the page */
            const ft_glyph *l = p->box.x0 <= a->box.x0 ? p : a;
            const ft_glyph *r = l == p ? a : p;
            double h = a->box.y1 - a->box.y0;
            double gap = r->box.x0 - l->box.x1;
            if (!ft_is_cjk(a->cp) && !ft_is_cjk(p->cp) && gap > 0.18 * h &&
                !(ord[i] == ord[i - 1] + 1 && ocr_in_number(g, ord[i])))
                *o++ = ' ';
        }
        o += ft_utf8_put(o, a->cp);
    }
    *o = 0;
    free(ord);
    return buf;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

size_t
ft_utf8_put(char *buf, uint32_t cp)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return ft_utf8_put(buf, 0xFFFD);
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int
ft_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
           cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF || cp == 0x200B ||
           cp < 0x20;
}

int
ft_is_cjk(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF00 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) ||
           (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x2014 ||
           cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019;
}

ft_status
ft_layout_build(const ft_page *page, ft_layout *out)
{
    size_t n = page->n_glyphs, i, j, nch = 0, capch = 0, ng = 0;
    size_t *order = NULL;
    chain *ch = NULL;
    ft_status st = FT_ERR_NOMEM;

    memset(out, 0, sizeof *out);
    if (n == 0)
        return FT_OK;
    order = malloc(n * sizeof *order);
    out->glyphs = malloc(n * sizeof *out->glyphs);
    if (!order || !out->glyphs)
        goto mem_error;
    for (i = 0; i < n; i++)
        order[i] = i;
    sort_glyphs = page->glyphs;
    qsort(order, n, sizeof *order, cmp_glyph_x);

    /* chain glyphs left to right */
    for (i = 0; i < n; i++) {
        const ft_glyph *g = &page->glyphs[order[i]];
        double gh = glyph_em(g);
        double gcy = (g->box.y0 + g->box.y1) / 2;
        long best = -1;
        double best_gap = 1e9;
        for (j = nch; j-- > 0;) {
            chain *c = &ch[j];
            double gap, tol;
            if (c->closed)
                continue;
            gap = g->box.x0 - c->x1;
            if (gap > 1.2 * c->h + 2) {
                if (gap > 4 * c->h + 20)
                    c->closed = 1; /* no glyph further right can join */
                continue;
            }
            tol = 0.35 * (c->h < gh ? c->h : gh);
            if (fabs(gcy - (c->y0 + c->y1) / 2) > tol)
                continue;
            if (gap > 0.6 * (c->h > gh ? c->h : gh) + 0.5 ||
                gap < -0.5 * gh)
                continue;
            if (page->n_rules &&
                rule_between(page, &page->glyphs[c->idx[c->n - 1]], g))
                continue;
            /* white space between two numbers parts cells when it is
             * wider than a word space; "15 455" is one number */
            if (g->space_before && is_numch(g->cp) &&
                ((page->glyphs[c->idx[c->n - 1]].cp >= '0' &&
                  page->glyphs[c->idx[c->n - 1]].cp <= '9') ||
                 page->glyphs[c->idx[c->n - 1]].cp == '%') &&
                gap > 0.45 * gh)
                continue;
            /* an amount and a Chinese label after it, set apart (two
             * cells printed tight: "13,422.91 一、一般公共服务支出") */
            if (ft_is_cjk(g->cp) && !g->ocr &&
                page->glyphs[c->idx[c->n - 1]].cp >= '0' &&
                page->glyphs[c->idx[c->n - 1]].cp <= '9' &&
                gap > 0.2 * gh && chain_is_amount(page, c))
                continue;
            /* OCR: a code and the word after it, a space wider than a
             * word's apart, are two cells, however tall OCR made the word
             * (a wrapped name read as one line of tall letters) */
            if (g->ocr && g->space_before && !is_numch(g->cp) &&
                page->glyphs[c->idx[c->n - 1]].cp >= '0' &&
                page->glyphs[c->idx[c->n - 1]].cp <= '9' &&
                gap > 0.45 * (c->h < gh ? c->h : gh))
                continue;
            if (fabs(gap) < best_gap) {
                best_gap = fabs(gap);
                best = (long)j;
            }
        }
        if (best < 0) {
            if (nch == capch) {
                size_t cap = capch ? capch * 2 : 64;
                chain *v = realloc(ch, cap * sizeof *v);
                if (!v)
                    goto mem_error;
                ch = v;
                capch = cap;
            }
            memset(&ch[nch], 0, sizeof ch[nch]);
            ch[nch].y0 = g->box.y0;
            ch[nch].y1 = g->box.y1;
            ch[nch].h = gh;
            best = (long)nch++;
        }
        if (!chain_push(&ch[best], order[i]))
            goto mem_error;
        ch[best].x1 = g->box.x1 > ch[best].x1 || ch[best].n == 1
                          ? g->box.x1
                          : ch[best].x1;
        if (gh > ch[best].h)
            ch[best].h = gh;
    }

    out->segs = calloc(nch ? nch : 1, sizeof *out->segs);
    if (!out->segs)
        goto mem_error;
    for (j = 0; j < nch; j++) {
        ft_seg *s = &out->segs[j];
        s->g0 = ng;
        s->ng = ch[j].n;
        s->box.x0 = s->box.y0 = 1e18;
        s->box.x1 = s->box.y1 = -1e18;
        s->up = ch[j].n > 0;
        s->conf = -1;
        for (i = 0; i < ch[j].n; i++) {
            const ft_glyph *g = &page->glyphs[ch[j].idx[i]];
            out->glyphs[ng++] = *g;
            s->up = s->up && g->up;
            if (g->ocr && (s->conf < 0 || g->conf < s->conf))
                s->conf = g->conf;
            if (g->box.x0 < s->box.x0)
                s->box.x0 = g->box.x0;
            if (g->box.y0 < s->box.y0)
                s->box.y0 = g->box.y0;
            if (g->box.x1 > s->box.x1)
                s->box.x1 = g->box.x1;
            if (g->box.y1 > s->box.y1)
                s->box.y1 = g->box.y1;
        }
        s->size = ch[j].h;
    }
    out->n_glyphs = ng;
    out->n_segs = nch;

    /* lines: sort segments by vertical centre, group by band */
    qsort(out->segs, nch, sizeof *out->segs, cmp_seg_y);
    out->lines = calloc(nch ? nch : 1, sizeof *out->lines);
    if (!out->lines)
        goto mem_error;
    for (i = 0; i < nch;) {
        ft_line *l = &out->lines[out->n_lines];
        double y0 = out->segs[i].box.y0, y1 = out->segs[i].box.y1;
        double band = 0.3 * (y1 - y0);
        l->s0 = i;
        l->box = out->segs[i].box;
        l->size = out->segs[i].size;
        for (j = i + 1; j < nch; j++) {
            double cy = (out->segs[j].box.y0 + out->segs[j].box.y1) / 2;
            if (cy > y1 - band)
                break;
            if (out->segs[j].box.x0 < l->box.x0)
                l->box.x0 = out->segs[j].box.x0;
            if (out->segs[j].box.x1 > l->box.x1)
                l->box.x1 = out->segs[j].box.x1;
            if (out->segs[j].box.y0 < l->box.y0)
                l->box.y0 = out->segs[j].box.y0;
            if (out->segs[j].box.y1 > l->box.y1)
                l->box.y1 = out->segs[j].box.y1;
            if (out->segs[j].size > l->size)
                l->size = out->segs[j].size;
        }
        l->ns = j - i;
        qsort(&out->segs[i], l->ns, sizeof *out->segs, cmp_seg_x);
        out->n_lines++;
        i = j;
    }
    for (i = 0; i < out->n_lines; i++) {
        for (j = 0; j < out->lines[i].ns; j++) {
            ft_seg *s = &out->segs[out->lines[i].s0 + j];
            s->line = (int)i;
            s->text = seg_text(&out->glyphs[s->g0], s->ng);
            if (!s->text)
                goto mem_error;
            s->numeric = looks_numeric(s->text);
        }
    }
    st = FT_OK;
mem_error:
    for (j = 0; j < nch; j++)
        free(ch[j].idx);
    free(ch);
    free(order);
    if (st != FT_OK)
        ft_layout_clear(out);
    return st;
}

void
ft_layout_clear(ft_layout *l)
{
    size_t i;
    if (!l)
        return;
    for (i = 0; i < l->n_segs; i++)
        free(l->segs[i].text);
    free(l->segs);
    free(l->lines);
    free(l->glyphs);
    memset(l, 0, sizeof *l);
}
