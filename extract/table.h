/*
 * table.h - the plain structs every fiscaltab stage passes to the next.
 *
 * extract/ fills glyphs, rules and tables; normalize/ fills the value
 * fields of each cell; validate/ reads them; write/ turns them into files.
 * No library header is included here, so any stage can use these types.
 *
 * Coordinates are PDF points with the origin at the top-left corner of
 * the page as displayed (after /Rotate), y growing downwards.
 */
#ifndef FT_TABLE_H
#define FT_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* Status codes. Add new codes last; never remove one. */
typedef enum ft_status {
    FT_OK = 0,
    FT_ERR_NOMEM,       /* out of memory */
    FT_ERR_USAGE,       /* bad argument from the caller */
    FT_ERR_OPEN,        /* file missing, unreadable or not a PDF */
    FT_ERR_ENCRYPTED,   /* needs a (correct) password */
    FT_ERR_PAGE,        /* one page could not be read */
    FT_ERR_LAYOUT,      /* poppler's boxes disagree with its text */
    FT_ERR_WRITE,       /* output could not be written */
    FT_ERR_LIMIT,       /* a resource limit was hit */
    FT_ERR_INTERNAL,    /* a bug */
    FT_STATUS_MAX
} ft_status;

/* Where an error happened, in words; owned by the caller. */
typedef struct ft_error {
    ft_status code;
    char msg[256];
} ft_error;

/* An axis-aligned box. */
typedef struct ft_box {
    double x0, y0, x1, y1;
} ft_box;

/* One character drawn on the page. */
typedef struct ft_glyph {
    uint32_t cp;        /* Unicode code point as poppler decoded it */
    ft_box box;
    int space_before;   /* poppler put white space before this glyph */
    int up;             /* in a run that reads bottom to top (text turned
                         * a quarter left, as in rotated header cells) */
    int ocr;            /* read by OCR from the page image */
    float conf;         /* OCR confidence, 0..100 (when ocr) */
} ft_glyph;

/* A ruling line: horizontal ('h', at y = pos, from a to b) or vertical
 * ('v', at x = pos, from a to b). */
typedef struct ft_rule {
    char dir;
    double pos, a, b;
} ft_rule;

/* One page as extract/ sees it. */
typedef struct ft_page {
    int number;             /* 1-based */
    double width, height;
    int rotation;           /* the page's /Rotate, degrees */
    ft_glyph *glyphs;
    size_t n_glyphs;
    ft_rule *rules;
    size_t n_rules;
    size_t n_duplicates;    /* fake-bold glyphs dropped */
    int rules_scanned;      /* 1 when the page was rendered for rules */
    int render_limited;     /* 1 when the render was scaled down to fit
                             * FT_MAX_RENDER_PIXELS */
    int text_capped;        /* 1 when poppler may have dropped glyphs: it
                             * keeps at most FT_POPPLER_TINY_CAP glyphs
                             * under 3 pt a page and says nothing */
    int ocr;                /* 1 when the glyphs came from OCR */
    double ocr_mean;        /* Tesseract's mean confidence for the page */
    double ocr_skew;        /* the scan's skew corrected, in degrees */
    int ocr_undoubled;      /* runs of text drawn twice (fake bold) undone */
    int turned;             /* 1 when its text ran bottom to top (a table
                             * printed sideways on an upright page) and
                             * glyphs and rules were turned a quarter
                             * right to read left to right; -1 when it ran
                             * top to bottom, turned a quarter left */
} ft_page;

/* The number a cell holds, once normalize/ has looked at it. */
typedef enum ft_kind {
    FT_CELL_EMPTY = 0,  /* nothing printed */
    FT_CELL_TEXT,       /* text, kept as printed */
    FT_CELL_NUMBER,     /* value holds the number */
    FT_CELL_BLANK       /* a printed blank: "-", "—", "－" */
} ft_kind;

/* One grid position. A merged cell is stored at its top-left position
 * with rowspan/colspan > 1; the positions it covers have covered = 1
 * and no text. */
typedef struct ft_cell {
    char *text;         /* UTF-8 as printed, trimmed; NULL when empty */
    int rowspan, colspan;
    int covered;
    int page;
    ft_box box;         /* the grid position (or merged area) */
    double tx0, tx1;    /* x extent of the printed text; tx1 <= tx0 when
                         * unknown */
    int ocr;            /* its text was read by OCR */
    float conf;         /* the lowest OCR confidence of its characters */
    /* filled by normalize/ */
    ft_kind kind;
    double value;
    int decimals;       /* digits after the point as printed */
    int percent;        /* printed with % (value is a fraction) */
    int changed;        /* the printed form needed more than stripping */
    int suspect;        /* OCR: 0, or why the cell wants a look: an
                         * FT_SUSPECT_* */
    int regrouped;      /* OCR: its separators were set by the column's
                         * pattern ("5.213.17" as 5,213.17) */
} ft_cell;

/* Why an OCR'd cell wants a look. */
enum {
    FT_SUSPECT_TEXT = 1, /* text read in a column of numbers */
    FT_SUSPECT_CODE,     /* other marks read among a code's digits */
    FT_SUSPECT_POINT     /* no decimal point read: the column's assumed */
};

/* OCR confidence (0..100) under which a cell is marked for a look. */
#define FT_OCR_LOW 70

/* 1 for characters poppler's text gives as white space between words
 * (space, tab, line breaks, NBSP, ideographic space, zero-width ones and
 * other controls). */
int ft_is_space(uint32_t cp);

/* One table, possibly stitched from several pages. */
typedef struct ft_table {
    char *title;        /* e.g. 2023年预算收支总表, or NULL */
    char *entity;       /* e.g. 忻州市公安局, or NULL */
    char *unit;         /* e.g. 万元, or NULL */
    char *label;        /* e.g. 预算公开表1, or NULL */
    char *note;         /* e.g. 注：本表无数据, or NULL */
    int page_first, page_last;
    int n_rows, n_cols;
    int n_header_rows;
    int ruled;          /* 1 when the grid came from ruling lines */
    int dropped_header_rows; /* repeated header rows dropped on stitching */
    int facing_pages;   /* right-hand pages joined side by side */
    ft_cell *cells;     /* n_rows * n_cols, row-major */
    double *col_x;      /* n_cols + 1 column edges on page_last, or NULL */
    ft_box box;         /* on page_last */
    ft_box title_box;   /* where the title is printed (on page_first), all
                         * zero when unknown */
} ft_table;

/* Cell at (r, c); no bounds check. */
#define FT_CELL(t, r, c) (&(t)->cells[(size_t)(r) * (size_t)(t)->n_cols + (c)])

/* The prose of one page: its lines outside every table, joined (CJK
 * without spaces), one line of text per printed line, '\n' between. */
typedef struct ft_prose {
    int page;
    char *text;
} ft_prose;

typedef struct ft_prose_list {
    ft_prose *items;
    size_t n, cap;
} ft_prose_list;

/* Frees the texts and the array; NULL is ignored. */
void ft_prose_list_clear(ft_prose_list *l);

/* What a log entry reports on. */
typedef enum ft_verdict { FT_PASS = 0, FT_FAIL, FT_INFO } ft_verdict;

/* One line of the validation log. Strings are owned by the entry. */
typedef struct ft_entry {
    int page;           /* 1-based, 0 for the whole document */
    int table;          /* index into the document's tables, -1 if none */
    int row, col;       /* grid position, -1 if none */
    const char *kind;   /* "extract", "normalize" or "check" (static) */
    char *rule;
    ft_verdict status;
    int has_values;
    double expected, actual;
    char *message;
} ft_entry;

/* The log of one document. */
typedef struct ft_log {
    ft_entry *items;
    size_t n, cap;
} ft_log;

/**
 * Appends an entry; rule and message are copied. Returns FT_ERR_NOMEM
 * on failure (the log is unchanged).
 */
ft_status ft_log_add(ft_log *log, int page, int table, int row, int col,
                     const char *kind, const char *rule, ft_verdict status,
                     const double *expected, const double *actual,
                     const char *message);

/* Frees every entry; NULL is ignored. */
void ft_log_clear(ft_log *log);

/* The cell whose span covers (r, c): the cell itself unless covered. */
const ft_cell *ft_table_anchor(const ft_table *t, int r, int c);

/* Code points of UTF-8 s, at most max, into cp; returns the count. */
size_t ft_code_points(const char *s, uint32_t *cp, size_t max);

/* Edit distance between two code point strings of at most 128 each
 * ((size_t)-1 when longer). */
size_t ft_edit_distance(const uint32_t *a, size_t na, const uint32_t *b,
                        size_t nb);

/* Amounts as OCR reads them, against a column's pattern (the decimals
 * most of its amounts print): the digits after the point; 1 when s has
 * those decimals and commas every three digits; 1 when it also has no
 * other characters (spaces may group thousands); s with its separators
 * set by the pattern, malloc'd, or NULL (see table.c). */
int ft_amount_decimals(const char *s);
int ft_amount_fits(const char *s, int decimals);

/* 1 when glyph box b is the next of a run of text turned a quarter
 * after glyph box a: right above it (dir 1, text read bottom to top) or
 * right below it (dir -1, top to bottom), in the same column, less than
 * a glyph apart. */
int ft_glyph_stacked(const ft_box *a, const ft_box *b, int dir);

/* 1 when s is a printed figure and nothing else: digits with thousands
 * separators, a point, a sign, brackets or %. */
int ft_is_figure(const char *s);
int ft_amount_keeps(const char *s, int decimals);
char *ft_amount_regroup(const char *s, int decimals, int *assumed);

/* The value of a column counter (栏次 "1", "12": one to three digits),
 * or -1. */
int ft_counter_value(const char *s);

/* A1-style name of a cell ("C12") written into buf (>= 16 bytes). */
void ft_cell_name(int row, int col, char *buf);

/* Returns a static English description of a status code. */
const char *ft_strerror(ft_status code);

/* Frees a table's strings and cells, not the struct itself; NULL is
 * ignored. */
void ft_table_clear(ft_table *t);

/* Frees the glyphs and rules of a page, not the struct; NULL ignored. */
void ft_page_clear(ft_page *p);

#endif
