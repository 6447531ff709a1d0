/*
 * settings.c - the table of table-finding settings: name, default and
 * meaning of each (settings.h). `fiscaltab settings` prints it, the
 * README lists it, and `make mutate` perturbs each entry in turn.
 */
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define FIELD(name, def, doc) {#name, offsetof(ft_table_settings, name), def, doc}

static const struct setting {
    const char *name;
    size_t offset;
    double def;
    const char *doc;
} table[] = {
    FIELD(snap_tolerance, 2.5,
          "rules closer than this (pt) across them are one rule ..."),
    FIELD(join_tolerance, 2,
          "... pieces of one when the gap along it is at most this (pt)"),
    FIELD(rule_min_length, 4, "strokes shorter than this (pt) are not rules"),
    FIELD(touch_tolerance, 3,
          "a horizontal and a vertical rule this near (pt) touch: one region"),
    FIELD(page_frame_share, 0.7,
          "a plain box (four sides) over this share of the page's width and "
          "height frames the page: not a table"),
    FIELD(frame_min_width, 50,
          "a ruled region has a horizontal rule at least this long (pt)"),
    FIELD(frame_min_height, 16,
          "a ruled region has a vertical rule at least this long (pt)"),
    FIELD(min_vertical_rules, 3,
          "with fewer vertical rules, columns come from text alignment"),
    FIELD(dense_min_rules, 5,
          "a frame with this many horizontal rules is ruled row by row"),
    FIELD(missing_rule_share, 0.5,
          "a rule covering less of a cell's side is missing: cells join"),
    FIELD(text_over_rule, 2,
          "text running this far (pt) over a missing rule joins the cells"),
    FIELD(line_tolerance_em, 0.3,
          "text whose centres are closer (x size) is on one line"),
    FIELD(wrap_gap_em, 0.45,
          "a line closer than this (x line height) below another wraps it"),
    FIELD(wrap_gap_share, 0.6,
          "... and closer than this share of the usual gap between rows"),
    FIELD(form_min_columns, 2,
          "in a table of text, lines with this many cells starting at the "
          "same columns are rows: their gap is the row gap"),
    FIELD(edge_tolerance, 3, "slack (pt) at a region's and a column's edges"),
    FIELD(column_touch, 1,
          "a segment this near (pt) a column of text belongs to it"),
    FIELD(split_min_lines, 3,
          "a ruled column splits when this many of its lines hold two "
          "segments side by side"),
    FIELD(split_min_share, 0.3, "... and they are this share of its lines"),
    FIELD(span_min_share, 0.4,
          "a label covering less of a column does not span it"),
    FIELD(header_attach_em, 2,
          "a header label clear of every column heads the nearest one "
          "within this (x size); further off, a column of its own"),
    FIELD(count_max_digits, 6, "a count (\"12\") has at most this many digits"),
    FIELD(count_min_columns, 2,
          "a row with counts in this many columns is data, not header"),
    FIELD(header_centre_share, 0.25,
          "an upper header label this near its span's centre (share of "
          "the span) spans the labels under it"),
    FIELD(block_gap_em, 2.5,
          "a gap over this (x size, plus block_gap_pad) ends a block of "
          "table lines"),
    FIELD(block_gap_pad, 4, "see block_gap_em (pt)"),
    FIELD(single_gap_em, 1.5,
          "a one-segment line further (x size) below the line before ends "
          "a block"),
    FIELD(single_lookahead, 3,
          "a one-segment line stays in a block when a table line follows "
          "within this many lines"),
    FIELD(single_lookahead_em, 2,
          "... each of them at most this (x size) below the one before"),
    FIELD(align_tolerance, 2,
          "a one-segment line whose edge is this near (pt) a column edge of "
          "the block above is a row of it"),
    FIELD(lone_max_share, 0.5,
          "... when it is narrower than this share of the block's width"),
    FIELD(word_gap_em, 0.6,
          "segments of a line this close (x size) are one run of text; one "
          "across the cells of a data line ends the table"),
    FIELD(same_size_share, 0.1,
          "a line above a block in type this close (share of its size) may "
          "head one of its columns"),
    FIELD(axis_min_ticks, 5,
          "an untitled, mostly empty grid with a cell of this many numbers "
          "falling by one step (350 300 250 ...) is a chart, not a table"),
    FIELD(min_table_lines, 3, "a block of text needs this many table lines"),
    FIELD(frame_rule_slack, 10,
          "a three-line table's rules may fall short of its text by this (pt)"),
    FIELD(frame_rule_reach_em, 2,
          "... and sit this far (x size) above or below it"),
    FIELD(title_reach_em, 12, "a title sits within this (x size) above a table"),
    FIELD(note_reach_em, 4, "a note sits within this (x size) below a table"),
};

#define N_SETTINGS (sizeof table / sizeof table[0])

static ft_table_settings defaults;
static int defaults_set;

const ft_table_settings *
ft_settings_default(void)
{
    size_t i;
    if (!defaults_set) {
        for (i = 0; i < N_SETTINGS; i++)
            *(double *)((char *)&defaults + table[i].offset) = table[i].def;
        defaults_set = 1;
    }
    return &defaults;
}

size_t
ft_settings_count(void)
{
    return N_SETTINGS;
}

const char *
ft_settings_name(size_t i)
{
    return i < N_SETTINGS ? table[i].name : NULL;
}

const char *
ft_settings_doc(size_t i)
{
    return i < N_SETTINGS ? table[i].doc : NULL;
}

double
ft_settings_get(const ft_table_settings *s, size_t i)
{
    return i < N_SETTINGS ? *(const double *)((const char *)s + table[i].offset)
                          : 0;
}

int
ft_settings_set(ft_table_settings *s, const char *name, double value)
{
    size_t i;
    for (i = 0; i < N_SETTINGS; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *(double *)((char *)s + table[i].offset) = value;
            return 1;
        }
    }
    return 0;
}

int
ft_settings_parse(ft_table_settings *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char name[64], *end;
    double v;
    size_t n;
    if (!eq || eq == arg)
        return 0;
    n = (size_t)(eq - arg);
    if (n >= sizeof name)
        return 0;
    memcpy(name, arg, n);
    name[n] = 0;
    v = strtod(eq + 1, &end);
    if (end == eq + 1 || *end)
        return 0;
    return ft_settings_set(s, name, v);
}
