/*
 * page.h - builds synthetic pages for unit tests: text placed glyph by
 * glyph (CJK one em wide, ASCII half an em) and rules.
 */
#ifndef FT_TEST_PAGE_H
#define FT_TEST_PAGE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../extract/extract.h"

/* Decodes one UTF-8 character; returns its length. */
static int
tp_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] < 0xF0) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) |
              ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
          ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return 4;
}

/* Places text with its top-left at (x, y), font size sz; spaces advance
 * without a glyph. right: x is the right edge instead. */
static void
tp_text(ft_page *p, const char *s, double x, double y, double sz, int right)
{
    double w = 0;
    const char *q;
    int space = 1; /* text placed apart starts a new word */
    if (right) {
        for (q = s; *q;) {
            uint32_t cp;
            q += tp_decode(q, &cp);
            w += cp < 0x80 ? sz * 0.55 : sz;
        }
        x -= w;
    }
    p->glyphs = realloc(p->glyphs,
                        (p->n_glyphs + strlen(s) + 1) * sizeof *p->glyphs);
    for (q = s; *q;) {
        uint32_t cp;
        double adv;
        q += tp_decode(q, &cp);
        adv = cp < 0x80 ? sz * 0.55 : sz;
        if (cp == ' ') {
            space = 1;
        } else {
            ft_glyph *g = &p->glyphs[p->n_glyphs++];
            g->cp = cp;
            g->space_before = space;
            g->up = 0;
            g->ocr = 0;
            g->conf = 0;
            space = 0;
            g->box.x0 = x;
            g->box.x1 = x + adv;
            g->box.y0 = y;
            g->box.y1 = y + sz;
        }
        x += adv;
    }
}

/* Places text turned a quarter left, read bottom to top, its foot at
 * (x, y): glyphs stacked upwards, each as tall as it is wide upright. */
static inline void
tp_up_text(ft_page *p, const char *s, double x, double y, double sz)
{
    const char *q;
    p->glyphs = realloc(p->glyphs,
                        (p->n_glyphs + strlen(s) + 1) * sizeof *p->glyphs);
    for (q = s; *q;) {
        uint32_t cp;
        double adv;
        q += tp_decode(q, &cp);
        adv = cp < 0x80 ? sz * 0.55 : sz;
        if (cp != ' ') {
            ft_glyph *g = &p->glyphs[p->n_glyphs++];
            memset(g, 0, sizeof *g);
            g->cp = cp;
            g->up = 1;
            g->box.x0 = x;
            g->box.x1 = x + sz;
            g->box.y0 = y - adv;
            g->box.y1 = y;
        }
        y -= adv;
    }
}

/* Adds a rule. */
static void
tp_rule(ft_page *p, char dir, double pos, double a, double b)
{
    p->rules = realloc(p->rules, (p->n_rules + 1) * sizeof *p->rules);
    p->rules[p->n_rules].dir = dir;
    p->rules[p->n_rules].pos = pos;
    p->rules[p->n_rules].a = a;
    p->rules[p->n_rules].b = b;
    p->n_rules++;
}

/* Runs layout and table finding on a page (with the one setting that
 * FT_TEST_SET=NAME=VALUE changes, for make mutate). */
static void
tp_tables(ft_page *p, ft_table_list *out)
{
    ft_layout L;
    ft_table_settings set = *ft_settings_default();
    const char *mut = getenv("FT_TEST_SET");
    if (mut && *mut && !ft_settings_parse(&set, mut)) {
        fprintf(stderr, "FT_TEST_SET: not a setting: %s\n", mut);
        exit(2);
    }
    ft_layout_build(p, &L);
    ft_page_tables(p, &L, &set, out);
    ft_layout_clear(&L);
}

/* Text of cell (r, c) or "" when empty or out of range. */
static const char *
tp_cell(const ft_table *t, int r, int c)
{
    if (r >= t->n_rows || c >= t->n_cols)
        return "(out of range)";
    return FT_CELL(t, r, c)->text ? FT_CELL(t, r, c)->text : "";
}

#endif
