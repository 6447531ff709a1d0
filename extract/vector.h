/*
 * vector.h - one pass over a page: its characters and its ruling lines.
 *
 * poppler-glib reads a page's text with one parse of its content and can
 * only find rules by rendering it, a second parse that costs two to five
 * times the first. extract/vector.cc subclasses poppler's own text
 * output device (Debian libpoppler-private-dev) so that the one parse
 * that reads the text also records the straight lines and thin filled
 * bars the page draws. Only extract/pdf.c includes this header.
 */
#ifndef FT_VECTOR_H
#define FT_VECTOR_H

#ifdef __cplusplus
extern "C" {
#endif

#include "table.h"

typedef struct ft_vdoc ft_vdoc;

/* What one pass over a page found; arrays are malloc()ed. */
typedef struct ft_vpage {
    ft_glyph *glyphs;   /* as poppler-glib's text layout reports them */
    size_t n_glyphs;
    size_t n_tiny;      /* characters (spaces too) under 3 pt */
    size_t n_chars;     /* characters, spaces and line breaks, as many as
                         * poppler_page_get_text() gives */
    ft_rule *rules;     /* straight strokes and thin filled bars */
    size_t n_rules;
    int paths;          /* path painting operations met */
    double image_share; /* the largest image's share of the page area */
} ft_vpage;

/* Opens path for one-pass reading; NULL when poppler cannot (the caller
 * then keeps to poppler-glib). */
ft_vdoc *ft_vdoc_open(const char *path, const char *password);

/* Frees a document; NULL is ignored. */
void ft_vdoc_free(ft_vdoc *d);

/* Number of pages. */
int ft_vdoc_page_count(const ft_vdoc *d);

/* Size in points of page number (1-based) as displayed (its crop box,
 * rotated); returns 0, or -1 when the page cannot be had. */
int ft_vdoc_page_size(ft_vdoc *d, int number, double *width, double *height);

/* The most characters a page's text may hold: past it the page is
 * skipped, and poppler is stopped drawing it. */
#define FT_MAX_GLYPHS_PER_PAGE 200000
/* Poppler's TextPage keeps only this many glyphs smaller than 3 x 3 pt. */
#define FT_POPPLER_TINY_CAP 50000
/* Characters a page may draw at all, kept or not (a form drawn over and
 * over: 10^8 from 3 KB), before drawing it is given up. */
#define FT_VDOC_MAX_DRAWN 400000
/* Seconds poppler may take to draw a page before it is given up. */
#define FT_VDOC_PAGE_SECONDS 60
/* A macro's value as a string ("60"). */
#define FT_STR_(x) #x
#define FT_STR(x) FT_STR_(x)
/* ft_vdoc_page() gave up: more than FT_MAX_GLYPHS_PER_PAGE characters */
#define FT_VDOC_TOO_MANY (-2)
/* ft_vdoc_page() gave up: more than FT_VDOC_MAX_DRAWN drawn */
#define FT_VDOC_TOO_MUCH (-4)
/* Bytes a page's content streams may inflate to (budget pages hold a
 * few hundred KB) before it is given up, unparsed. */
#define FT_VDOC_MAX_CONTENT (256LL << 20)
/* ft_vdoc_page() gave up: its content inflates past FT_VDOC_MAX_CONTENT */
#define FT_VDOC_TOO_BIG (-5)
/* ft_vdoc_page() gave up: longer than FT_VDOC_PAGE_SECONDS */
#define FT_VDOC_TOO_SLOW (-3)

/* Reads page number (1-based) into *out; returns 0, -1 when the page
 * could not be read this way, FT_VDOC_TOO_MANY or FT_VDOC_TOO_SLOW when
 * drawing it was given up (nothing is allocated then). */
int ft_vdoc_page(ft_vdoc *d, int number, ft_vpage *out);

/* Frees the arrays of a page read by ft_vdoc_page(). */
void ft_vpage_clear(ft_vpage *p);

#ifdef __cplusplus
}
#endif

#endif
