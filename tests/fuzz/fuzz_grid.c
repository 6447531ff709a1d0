/*
 * fuzz_grid.c - libFuzzer target: layout, regions, grids, stitching and
 * validation fed with arbitrary glyph and rule lists (no PDF).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../extract/extract.h"
#include "../../normalize/normalize.h"
#include "../../validate/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a byte as a coordinate on a coarse grid. */
static double
coord(const uint8_t *p)
{
    return (double)p[0] * 2.5;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t alphabet[] = {'0', '1', '2', '.', ',', '-', '%',
                                        0x5408, 0x8BA1, 0x8868, 0x5355,
                                        0x4F4D, 'A', 'x', 0x3001, 0x4E00};
    ft_page page;
    ft_layout L;
    ft_table_list found = {0}, doc = {0};
    ft_log log = {0};
    size_t i, ng = 0, nr = 0;
    memset(&page, 0, sizeof page);
    page.number = 1;
    page.width = 640;
    page.height = 640;
    /* 5 bytes a glyph (x, y, w, h, char), then 4 bytes a rule */
    if (size < 1)
        return 0;
    ng = (size_t)data[0] * 4 < (size - 1) / 5 ? (size_t)data[0] * 4
                                               : (size - 1) / 5;
    page.glyphs = calloc(ng + 1, sizeof *page.glyphs);
    for (i = 0; i < ng; i++) {
        const uint8_t *p = data + 1 + 5 * i;
        ft_glyph *g = &page.glyphs[page.n_glyphs++];
        g->box.x0 = coord(p);
        g->box.y0 = coord(p + 1);
        g->box.x1 = g->box.x0 + 1 + p[2] % 16;
        g->box.y1 = g->box.y0 + 1 + p[3] % 16;
        g->cp = alphabet[p[4] % 16];
        g->space_before = p[4] >> 7;
        g->up = p[2] >> 7; /* rotated text reads bottom to top */
    }
    nr = (size - 1 - 5 * ng) / 4;
    page.rules = calloc(nr + 1, sizeof *page.rules);
    for (i = 0; i < nr; i++) {
        const uint8_t *p = data + 1 + 5 * ng + 4 * i;
        ft_rule *r = &page.rules[page.n_rules++];
        r->dir = p[0] & 1 ? 'h' : 'v';
        r->pos = coord(p + 1);
        r->a = coord(p + 2);
        r->b = r->a + coord(p + 3);
    }
    if (ft_layout_build(&page, &L) == FT_OK) {
        if (ft_page_tables(&page, &L, NULL, &found) == FT_OK) {
            for (i = 0; i < found.n; i++)
                ft_normalize_table(&found.items[i], NULL, NULL);
            for (i = 0; i < found.n; i++)
                ft_validate_table(&found.items[i], (int)i, &log);
            ft_tables_stitch(&doc, &found);
            ft_validate_document(doc.items, doc.n, &log);
        }
        ft_layout_clear(&L);
    }
    ft_table_list_clear(&found);
    ft_table_list_clear(&doc);
    ft_log_clear(&log);
    ft_page_clear(&page);
    return 0;
}
