/*
 * settings.h - every tolerance of table finding, named.
 *
 * As pdfplumber's TableSettings names snap_tolerance or
 * min_words_vertical, each threshold the region finder (region.c) and
 * the grid builder (grid.c) use is a field here with a documented
 * default (settings.c holds the one table of names, defaults and
 * meanings). Lengths are in PDF points unless the name ends in _em (a
 * multiple of the text's size) or _share (a fraction). A caller passes
 * NULL for the defaults, or a copy changed with ft_settings_set().
 */
#ifndef FT_SETTINGS_H
#define FT_SETTINGS_H

#include <stddef.h>

typedef struct ft_table_settings {
    /* rules */
    double snap_tolerance;      /* rules this close across them are one;
                                 * pieces of one ... */
    double join_tolerance;      /* ... when the gap along it is no more */
    double rule_min_length;     /* shorter strokes are not rules */
    double touch_tolerance;     /* rules this near cross: one region */
    double page_frame_share;    /* a plain box this share of the page's
                                 * width and height is a page frame */
    double frame_min_width;     /* a ruled region has a rule this long */
    double frame_min_height;    /* ... and a vertical one this long */
    double min_vertical_rules;  /* fewer vertical rules: columns from text */
    double dense_min_rules;     /* a frame ruled row by row has this many
                                 * horizontal rules: its slots are rows */
    double missing_rule_share;  /* a rule covering less of a cell's side
                                 * is missing there: the cells join */
    double text_over_rule;      /* text running this far over a missing
                                 * rule joins the cells it touches */
    /* lines and rows */
    double line_tolerance_em;   /* centres closer than this are one line */
    double wrap_gap_em;         /* a gap under this (x line height) ... */
    double wrap_gap_share;      /* ... and under this share of the usual
                                 * gap between numeric rows is a wrap */
    double form_min_columns;    /* in a table of text, lines with this
                                 * many cells at the same columns are rows */
    /* columns */
    double edge_tolerance;      /* slack at a region's edges */
    double column_touch;        /* a segment this near an interval is in it */
    double split_min_lines;     /* a ruled column holds two columns of text
                                 * when this many of its lines ... */
    double split_min_share;     /* ... and this share of them have two
                                 * segments side by side */
    double span_min_share;      /* a label covering less of a column does
                                 * not span it */
    double header_attach_em;    /* a header label clear of every column
                                 * heads the nearest one within this (x
                                 * size); further, a column of its own */
    /* header */
    double count_max_digits;    /* a count ("12") has at most this many */
    double count_min_columns;   /* counts in this many columns: data */
    double header_centre_share; /* an upper label within this share of its
                                 * span's width from the span's centre
                                 * spans the labels under it */
    /* regions of text without rules */
    double block_gap_em;        /* a gap over this x size (plus pad) ends
                                 * a block of table lines */
    double block_gap_pad;
    double single_gap_em;       /* a one-segment line further than this
                                 * below the line before ends the block */
    double single_lookahead;    /* a one-segment line stays when a table
                                 * line follows within this many lines */
    double single_lookahead_em; /* ... no further than this x size a line */
    double align_tolerance;     /* a one-segment line whose edge is this
                                 * near a column's edge is a row of it */
    double lone_max_share;      /* ... when narrower than this share of
                                 * the block */
    double word_gap_em;         /* segments this close (x size) are one run
                                 * of text: prose when it crosses cells */
    double same_size_share;     /* text sizes this close (share) are one
                                 * type: a header line above a block */
    double axis_min_ticks;      /* an untitled sparse grid with a cell of
                                 * this many falling, evenly stepped
                                 * numbers is a chart's axis */
    double min_table_lines;     /* a block needs this many table lines */
    double frame_rule_slack;    /* a three-line table's rules may fall
                                 * short of its text by this much */
    double frame_rule_reach_em; /* ... and sit this far (x size) outside */
    double title_reach_em;      /* a title sits within this above a table */
    double note_reach_em;       /* a note sits within this below it */
} ft_table_settings;

/* The defaults (the values the tests pin). */
const ft_table_settings *ft_settings_default(void);

/* Number of settings; ft_settings_name(i) for i < that is a name. */
size_t ft_settings_count(void);
const char *ft_settings_name(size_t i);
const char *ft_settings_doc(size_t i);
double ft_settings_get(const ft_table_settings *s, size_t i);

/* Sets a setting by name; returns 0 for an unknown name. */
int ft_settings_set(ft_table_settings *s, const char *name, double value);

/* Parses "NAME=VALUE" into s; returns 0 when it is not one. */
int ft_settings_parse(ft_table_settings *s, const char *arg);

#endif
