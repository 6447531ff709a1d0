/*
 * normalize.h - printed cell text to numbers, and text for matching.
 *
 * Published text is never rewritten: cells keep what was printed. This
 * module decides what a cell means (a number, a printed blank, text) and
 * says when reading it took more than stripping thousands separators.
 */
#ifndef FT_NORMALIZE_H
#define FT_NORMALIZE_H

#include <sys/types.h>

#include "../extract/table.h"

/* What reading a number involved, as bit flags. */
enum ft_num_flags {
    FT_NUM_SEPARATORS = 1 << 0, /* thousands separators stripped */
    FT_NUM_WIDE = 1 << 1,       /* full-width or compatibility forms */
    FT_NUM_PARENS = 1 << 2,     /* (1,234) read as negative */
    FT_NUM_SCI = 1 << 3,        /* scientific notation */
    FT_NUM_PERCENT = 1 << 4,    /* a percentage */
    FT_NUM_DASH = 1 << 5,       /* "-", "—", "－": a printed blank */
    FT_NUM_MINUS = 1 << 6,      /* a leading minus sign */
    FT_NUM_DECIMAL_COMMA = 1 << 7, /* "93,9": a comma before the decimals */
    FT_NUM_DATE = 1 << 8 /* reads as a number, kept as text: a date
                          * column's "109.10" (民國 year.month) */
};

/* The reading of one printed string. */
typedef struct ft_number {
    ft_kind kind;       /* FT_CELL_NUMBER, FT_CELL_BLANK, TEXT or EMPTY */
    double value;
    int decimals;       /* digits after the point as printed */
    int flags;          /* ft_num_flags */
} ft_number;

/**
 * Reads printed text as a number. Accepts thousands separators in groups
 * of three, a sign or parentheses, a decimal part, an exponent and a
 * trailing %; full-width forms are folded first (NFKC). Anything else is
 * FT_CELL_TEXT. Never fails.
 */
void ft_number_parse(const char *text, ft_number *out);

/**
 * NFKC-folds s and removes all white space, for matching labels and
 * titles ("合    计" matches "合计"). Returns a new string to free(), or
 * NULL on OOM or invalid UTF-8.
 */
char *ft_text_fold(const char *s);

/* How many 元 one unit of a money unit text is: 1e8 for 亿元/億元, 1e4
 * for 万元/萬元, 1e3 for 千元 (新臺幣千元 too), 1 for 元; 0 when the text
 * names no money unit (or is NULL). */
double ft_unit_yuan(const char *unit);

/* 1 when s is a function or economic classification code (3, 5 or 7
 * digits, or a 2-digit 款/项 part). */
int ft_is_code(const char *s);

/* A normalization worth a log entry. */
typedef struct ft_norm_event {
    int row, col;
    const char *printed;    /* the cell's text (owned by the table) */
    double raw;             /* the value as printed */
    double value;           /* the value kept (rounded for artefacts) */
    int flags;
    int decimals;           /* as written to the sheet */
} ft_norm_event;

/* Callback receiving each event; ctx is passed through. */
typedef void (*ft_norm_cb)(void *ctx, const ft_table *t,
                           const ft_norm_event *ev);

/**
 * Fills the kind/value/decimals/percent fields of every body cell of t.
 * Header rows and code columns stay text. Scientific-notation artefacts
 * are rounded to the column's printed precision. Calls cb for every cell
 * whose reading needed more than stripping separators, and returns the
 * number of numeric cells.
 */
size_t ft_normalize_table(ft_table *t, ft_norm_cb cb, void *ctx);

/* 1 when column c of t holds codes (header says 编码/代码, or every body
 * value is a code). */
int ft_column_is_code(const ft_table *t, int c);

#endif
