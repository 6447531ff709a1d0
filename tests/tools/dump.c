/*
 * dump.c - developer tool: prints a page's rules, lines and segments.
 * usage: dump FILE.pdf PAGE
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../extract/extract.h"

int
main(int argc, char **argv)
{
    ft_doc *doc;
    ft_error err;
    ft_page page;
    ft_layout L;
    size_t i, j;
    if (argc < 3 || ft_doc_open(argv[1], NULL, &doc, &err) != FT_OK)
        return 2;
    if (ft_doc_page_glyphs(doc, atoi(argv[2]), &page, &err) != FT_OK)
        return 3;
    ft_doc_page_rules(doc, &page, &err);
    ft_layout_build(&page, &L);
    printf("page %.1f x %.1f glyphs %zu dups %zu rules %zu\n", page.width,
           page.height, page.n_glyphs, page.n_duplicates, page.n_rules);
    for (i = 0; i < page.n_rules; i++)
        printf("rule %c pos %.1f %.1f..%.1f\n", page.rules[i].dir,
               page.rules[i].pos, page.rules[i].a, page.rules[i].b);
    for (i = 0; i < L.n_lines; i++) {
        printf("line %zu y %.1f-%.1f:", i, L.lines[i].box.y0,
               L.lines[i].box.y1);
        for (j = 0; j < L.lines[i].ns; j++) {
            ft_seg *s = &L.segs[L.lines[i].s0 + j];
            printf(" [%.1f-%.1f %s]", s->box.x0, s->box.x1, s->text);
        }
        printf("\n");
    }
    ft_layout_clear(&L);
    ft_page_clear(&page);
    ft_doc_free(doc);
    return 0;
}
