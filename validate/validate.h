/*
 * validate.h - the sums a budget table must satisfy.
 *
 * Checks read the numbers normalize/ filled in and append pass/fail
 * entries to the document's log. A failing check is reported, never
 * "fixed". Tolerances follow the published precision: n rounded summands
 * may miss their rounded total by up to (n + 1) half-units.
 */
#ifndef FT_VALIDATE_H
#define FT_VALIDATE_H

#include "../extract/table.h"

/* Counts of what the checks found. */
typedef struct ft_check_counts {
    size_t passed, failed, info;
} ft_check_counts;

/**
 * Runs every check on table number index of a document and appends the
 * entries to log. Returns FT_ERR_NOMEM on failure.
 */
ft_status ft_validate_table(const ft_table *t, int index, ft_log *log);

/**
 * Appends to a failing check e over table t (read by OCR) the cell it
 * most likely comes from: the rows whose code OCR misread when their
 * amounts are the gap, a number whose assumed decimal point a power of
 * ten explains, else the least confident number in the sum's row (row
 * totals) or column, passing over those whose crossing sums in log
 * (entries of table number ti; log may be NULL) all pass. Does nothing
 * to other entries. Returns FT_ERR_NOMEM on failure.
 */
ft_status ft_point_at_misread(ft_entry *e, const ft_table *t,
                              const ft_log *log, int ti);

/**
 * Checks the text around the tables: years in table titles and section
 * headings against the document's year, and the rates and shares that
 * the narrative states against its own figures. prose may be NULL.
 */
ft_status ft_validate_text(const ft_prose_list *prose, const ft_table *tables,
                           size_t n_tables, ft_log *log);

/* The table figures the narrative may name (基本支出, 项目支出, 人员经费…),
 * gathered a table at a time so the tables need not be kept. */
typedef struct ft_figures ft_figures;

/* A new, empty set; NULL on OOM. */
ft_figures *ft_figures_new(void);

/* Adds the figures of table number index. Returns FT_ERR_NOMEM on OOM. */
ft_status ft_figures_add(ft_figures *f, const ft_table *t, size_t index);

/* Frees the set; NULL is ignored. */
void ft_figures_free(ft_figures *f);

/* As ft_validate_text, with the figures gathered beforehand; tables
 * need only their titles and pages (the cells are not read). */
ft_status ft_validate_text_with(const ft_prose_list *prose,
                                const ft_table *tables, size_t n_tables,
                                const ft_figures *figs, ft_log *log);

/* The kind of a table from its title: "income_expense_summary",
 * "income_summary", "expense_summary", "appropriation_summary",
 * "general_budget_expense", "basic_expense_economic", "government_fund",
 * "state_capital", "three_public_costs", "operating_costs",
 * "project_expense", "project_performance_form", "procurement" or
 * "other". A static string. */
const char *ft_table_kind(const ft_table *t);

/**
 * The value of a form's label at (r, c), f its folded text ("年度资金总额："):
 * a number ending its own cell, else the next cell printed to its right.
 * Returns FT_CELL_NUMBER (*v, *prec set), FT_CELL_TEXT (printed but not
 * a number) or FT_CELL_EMPTY (nothing, a blank, or another funds label
 * next). *vc gets the value's column.
 */
ft_kind ft_label_value(const ft_table *t, int r, int c, const char *f,
                       double *v, int *prec, int *vc);

/**
 * Checks across the tables of one document (收支总表 against 收入总表 and
 * 支出总表) and logs oddities in cells (doubled words, template
 * leftovers, negative amounts) as info.
 */
ft_status ft_validate_document(const ft_table *tables, size_t n,
                               ft_log *log);

/* The checks across tables alone (收支总表 against 收入总表 and 支出总表,
 * 基本支出, project forms against 项目支出表): they read only the first
 * table of each summary kind and the project tables. */
ft_status ft_validate_across(const ft_table *tables, size_t n, ft_log *log);

/* 1 when ft_validate_across reads table t, given the tables seen before
 * it that it reads: a converter streaming tables keeps only these. */
int ft_table_needed_across(const ft_table *t, const ft_table *seen,
                           size_t n_seen);

/* Logs oddities in one table's cells (doubled words, template leftovers,
 * negative amounts) as info. */
ft_status ft_validate_cells(const ft_table *t, int index, ft_log *log);

/* Logs doubled words and template leftovers in the narrative as info. */
ft_status ft_validate_prose_oddities(const ft_prose_list *prose,
                                     ft_log *log);

/* The document's year: the one its table titles name most, else its
 * headings and cover; 0 when none. */
int ft_document_year(const ft_prose_list *prose, const ft_table *tables,
                     size_t n_tables);

/* The classification code of each row in the block of columns holding
 * column c (blocks printed side by side each have their own code
 * column; function codes 3/5/7 digits, split 类/款/项 columns put
 * together), NULL where none: an array of n_rows strings; free each and
 * the array. NULL on OOM. */
char **ft_table_codes(const ft_table *t, int c);

/* The column after the last of the block of columns holding column c. */
int ft_table_block_end(const ft_table *t, int c);

/* The label of the value at (r, c): the nearest text cell left of it
 * outside code columns; a new string (free()) or NULL. */
char *ft_row_label(const ft_table *t, int r, int c);

/* Counts the check entries of a log (kind "check"). */
void ft_log_count(const ft_log *log, ft_check_counts *out);

/**
 * The column label path of column c: the header cells above it from top
 * to bottom, joined by "/", repeats dropped (e.g. 本年收入/一般公共预算).
 * Returns a new string to free(), "" when the table has no header, or
 * NULL on OOM.
 */
char *ft_column_label(const ft_table *t, int c);

#endif
