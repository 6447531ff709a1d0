/*
 * extract.h - PDF pages to table grids.
 *
 * The only header of fiscaltab that knows a PDF library exists is
 * extract/pdf.c's; everything here takes and returns the plain structs of
 * table.h, so the grid builder can be driven without a PDF (tests, fuzz).
 */
#ifndef FT_EXTRACT_H
#define FT_EXTRACT_H

#include "settings.h"
#include "table.h"
#include "vector.h"

/* ---------------------------------------------------------------- */
/* Documents (extract/pdf.c)                                          */
/* ---------------------------------------------------------------- */

typedef struct ft_doc ft_doc;

/* Limits that keep a hostile page from eating the machine: the text
 * limits (FT_MAX_GLYPHS_PER_PAGE, FT_POPPLER_TINY_CAP) are in vector.h,
 * where poppler draws the page. */
#define FT_MAX_RENDER_PIXELS (4000L * 4000L)

/**
 * Opens a PDF. On failure returns FT_ERR_OPEN or FT_ERR_ENCRYPTED with
 * err->msg saying why; *out is then NULL. Free with ft_doc_free().
 */
ft_status ft_doc_open(const char *path, const char *password, ft_doc **out,
                      ft_error *err);

/* Frees the document; NULL is ignored. */
void ft_doc_free(ft_doc *doc);

/* Number of pages. */
int ft_doc_page_count(const ft_doc *doc);

/**
 * Reads the glyphs of page number (1-based) into *page (which the caller
 * owns and clears with ft_page_clear()). Fake-bold duplicates are dropped
 * and counted. Rules are not read here: see ft_doc_page_rules().
 */
ft_status ft_doc_page_glyphs(ft_doc *doc, int number, ft_page *page,
                             ft_error *err);

/* OCR modes: read image-only pages (auto), every page, or none. */
enum { FT_OCR_AUTO = 0, FT_OCR_ALWAYS, FT_OCR_NEVER };

/* Sets the OCR mode for the document's pages (default FT_OCR_AUTO). */
void ft_doc_set_ocr(ft_doc *doc, int mode);

/* Sets the tolerances of table finding (copied; NULL: the defaults). */
void ft_doc_set_settings(ft_doc *doc, const ft_table_settings *set);

/* Sets the time (on ft_now()'s clock) after which no further page is
 * read (0: none); the pages left are logged as not read. */
void ft_doc_set_deadline(ft_doc *doc, double when);

/* The deadline set, or 0. */
double ft_doc_deadline(const ft_doc *doc);

/* The tolerances set, or NULL for the defaults. */
const ft_table_settings *ft_doc_settings(const ft_doc *doc);

/* The OCR mode set. */
int ft_doc_ocr_mode(const ft_doc *doc);

/* 1 when the page read last is mostly a picture (a scan). */
int ft_doc_page_is_image(const ft_doc *doc, int number);

/* 1 when fiscaltab was built with Tesseract. */
int ft_ocr_available(void);

/* The OCR engine and its version, or why there is none (static). */
const char *ft_ocr_version(void);

/**
 * Reads a page from its image: renders it once at 300 dpi, finds the
 * ruling lines in the image and erases them, and has Tesseract (chi_sim
 * and eng) read the rest; the characters, with their boxes and
 * confidences, replace page->glyphs, and the rules page->rules. Returns
 * FT_ERR_LIMIT with err->msg when OCR is not built in.
 */
ft_status ft_doc_page_ocr(ft_doc *doc, ft_page *page, ft_error *err);

struct ft_table_list;

/**
 * Reads each cell of the tables found on a page read by OCR again, from
 * that page's image: amounts with a digits-only engine, text with the
 * Chinese one, so that a cell is read on its own and not as part of a
 * line across the table. A reading replaces the first when it is an
 * amount (amount columns) or confident (text). Returns FT_ERR_NOMEM on
 * failure; without Tesseract the first readings stand.
 */
ft_status ft_doc_page_reread(ft_doc *doc, const ft_page *page,
                             struct ft_table_list *tables);

/**
 * Finds the ruling lines of a page by rendering it once at low
 * resolution and scanning for long thin runs; fills page->rules.
 */
ft_status ft_doc_page_rules(ft_doc *doc, ft_page *page, ft_error *err);

/* What extraction of a document met. */
typedef struct ft_extract_stats {
    int pages, pages_failed;
    size_t duplicates;
    int pages_ocr;      /* pages read by OCR */
    int pages_garbled;  /* pages whose text did not decode */
    double t_read;      /* seconds reading pages: text and rules (poppler) */
    double t_tables;    /* seconds finding lines, regions, grids, stitching */
} ft_extract_stats;

struct ft_table_list;

/**
 * Extracts the tables of pages first..last (1-based, inclusive) into
 * *tables, logging page problems (unreadable page, no text layer, fake
 * bold) into *log. When prose is not NULL, the text outside the tables
 * (headings and narrative) is appended to it, a page at a time. Returns
 * FT_ERR_NOMEM on failure; page errors are not failures.
 */
ft_status ft_doc_extract(ft_doc *doc, int first, int last,
                         struct ft_table_list *tables, ft_log *log,
                         ft_prose_list *prose, ft_extract_stats *stats);

/* Takes a finished table: its contents are the sink's to keep (it may
 * move them out and zero *t); what is left is freed after the call. */
typedef ft_status (*ft_table_sink)(void *ctx, ft_table *t);

/**
 * As ft_doc_extract, but hands each table to sink, in order, as soon as
 * no later page can change it (a table continued over pages is handed on
 * whole). Only the last two tables are held, so memory does not grow
 * with the page count. A sink's error stops the extraction.
 */
ft_status ft_doc_extract_each(ft_doc *doc, int first, int last,
                              ft_table_sink sink, void *ctx, ft_log *log,
                              ft_prose_list *prose, ft_extract_stats *stats);

/**
 * Extracts one page on its own, as `fiscaltab inspect` shows it: its
 * tables go to *tables (not stitched) and, when png is not NULL, the page
 * is drawn at scale (1 = 72 dpi) into that PNG file with the rules (red),
 * table boxes (blue) and cells (green) over it.
 */
ft_status ft_doc_inspect(ft_doc *doc, int number, const char *png,
                         double scale, struct ft_table_list *tables,
                         ft_log *log, ft_error *err);

/**
 * Draws a page with its rules and the given tables over it into a PNG
 * (extract/pdf.c; the page must have been read by ft_doc_page_glyphs).
 */
ft_status ft_doc_draw_page(ft_doc *doc, const ft_page *page,
                           const struct ft_table_list *tables,
                           const char *png, double scale, ft_error *err);

/* ---------------------------------------------------------------- */
/* Layout (extract/layout.c): glyphs -> segments -> lines             */
/* ---------------------------------------------------------------- */

/* A run of glyphs on one line with no wide gap: a word or phrase. */
typedef struct ft_seg {
    ft_box box;
    char *text;         /* UTF-8, spaces restored between Latin words */
    size_t g0, ng;      /* glyph range in the line-sorted glyph array */
    double size;        /* glyph height */
    int line;
    int numeric;        /* looks like an amount */
    int used;
    int up;             /* every glyph reads bottom to top */
    float conf;         /* lowest OCR confidence of its glyphs, -1 when
                         * none was read by OCR */
} ft_seg;

typedef struct ft_line {
    ft_box box;
    size_t s0, ns;      /* segment range */
    double size;
} ft_line;

typedef struct ft_layout {
    ft_glyph *glyphs;   /* sorted by line, then x */
    size_t n_glyphs;
    ft_seg *segs;
    size_t n_segs;
    ft_line *lines;
    size_t n_lines;
} ft_layout;

/**
 * Builds lines and segments from a page's glyphs. Vertical rules split
 * segments when the glyphs on both sides are apart or of different kinds.
 */
ft_status ft_layout_build(const ft_page *page, ft_layout *out);

/* Frees a layout's arrays; NULL is ignored. */
void ft_layout_clear(ft_layout *l);

/* Appends UTF-8 for cp to buf (needs 4 bytes); returns bytes written. */
size_t ft_utf8_put(char *buf, uint32_t cp);

/* 1 for Han, kana, hangul and full-width punctuation. */
int ft_is_cjk(uint32_t cp);

/* ---------------------------------------------------------------- */
/* Tables (extract/grid.c, extract/region.c, extract/stitch.c)         */
/* ---------------------------------------------------------------- */

typedef struct ft_table_list {
    ft_table *items;
    size_t n, cap;
} ft_table_list;

/**
 * Finds the tables of one page: regions from rules and text alignment,
 * grids with spans, header rows, and the title/entity/unit/note text
 * around each, with the tolerances of set (NULL: the defaults).
 * Appends to *out; the caller owns the tables.
 */
ft_status ft_page_tables(const ft_page *page, const ft_layout *layout,
                         const ft_table_settings *set, ft_table_list *out);

/* 1 when the page's text looks like it may hold a table (worth a render
 * for rules). */
int ft_layout_maybe_table(const ft_layout *layout, double page_width);

/* 1 when the page's text does not decode (a font without a usable
 * ToUnicode map: glyph numbers read as code points): a tenth of its
 * characters outside the scripts such documents use, scattered over
 * blocks of code points or mapping to nothing; once a page of the
 * document was so (seen_before), two such characters. *share gets the
 * share of those characters. */
int ft_page_undecodable(const ft_page *page, int seen_before, double *share);

/* 1 when line i of the layout reads as a row of a table: three or more
 * segments, two of them amounts with a point or a comma ("61.80"), at
 * least one label, no more labels than amounts, and nothing of a
 * sentence (its punctuation, or a run of words). */
int ft_line_of_figures(const ft_layout *layout, size_t i);

/**
 * Appends the page's tables to the document's list, stitching the first
 * one onto the last table of the previous page when it continues it
 * (same columns, no title of its own); a repeated header is dropped.
 * Takes ownership of the tables in *page_tables and empties it.
 */
ft_status ft_tables_stitch(ft_table_list *doc_tables,
                           ft_table_list *page_tables);

/* Appends a table (moved in); returns FT_ERR_NOMEM on failure. */
ft_status ft_table_list_push(ft_table_list *l, ft_table *t);

/* Frees every table and the array; NULL is ignored. */
void ft_table_list_clear(ft_table_list *l);

/**
 * Builds a grid from a box, its rules and its segments: the heart of
 * extraction, exposed for tests. Column and row separators come from
 * rules where they exist and from text alignment elsewhere.
 */
ft_status ft_grid_build(const ft_layout *layout, const size_t *seg_idx,
                        size_t n_seg, const ft_rule *rules, size_t n_rules,
                        ft_box box, int page, const ft_table_settings *set,
                        ft_table *out);

#endif
