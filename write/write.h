/*
 * write.h - tables and the log to files: .xlsx, .csv, .log.jsonl.
 *
 * Every file is written under a temporary name in the target directory
 * and renamed into place when complete, so an interrupted run never
 * leaves a half-written output behind.
 */
#ifndef FT_WRITE_H
#define FT_WRITE_H

#include <stdio.h>

#include "../extract/table.h"

/* Writes one CSV field of text: RFC 4180 quoting, and an apostrophe
 * before text a spreadsheet would run as a formula (= + - @, a tab or a
 * CR first; a lone "-" is a blank). */
void ft_csv_text(FILE *fp, const char *s);

/* Writes s as a JSON string with its quotes; a byte that is no UTF-8 (a
 * file name in another encoding) becomes \ufffd, so the line stays
 * valid JSON. */
void ft_put_json(FILE *fp, const char *s);

/* 1 when path is a symbolic link (not followed). */
int ft_is_symlink(const char *path);

/* A new file at path for writing: what was at that name (a temporary of
 * a killed run, or a planted link) is unlinked first, and the file is
 * created with O_EXCL | O_NOFOLLOW, so a write never goes through a
 * link. NULL with errno set on failure. */
FILE *ft_create_new(const char *path);

/* Removes a directory and the files in it (one level) without following
 * a link: a link at dir is removed itself, what it points at stays. */
void ft_remove_tree(const char *dir);

/* 1 when a component of path below root (path starts with root) is a
 * symbolic link, copied into bad (n bytes). */
int ft_link_below(const char *root, const char *path, char *bad, size_t n);

/* What the dataset fragment says of a converted document's tables. */
typedef struct ft_doc_result {
    const ft_table *tables; /* titles, units and pages (cells not read) */
    size_t n_tables;
    int pages;
    const char **kinds;     /* kind of each table (validate/), or NULL */
    char (*sheets)[128];    /* sheet name of each table, ft_sheet_name() */
} ft_doc_result;

/* A unique, legal sheet name for table number i (0-based): "01 title",
 * at most 31 characters, never "index"; written into o (128 bytes). */
void ft_sheet_name(const ft_table *t, size_t i, char *o);


/* A workbook written a table at a time: an index sheet first, then one
 * sheet a table. Written to a temporary name and renamed on close. */
typedef struct ft_xlsx ft_xlsx;

/* What the index sheet says of a table beyond the table itself. */
typedef struct ft_sheet_info {
    const char *sheet;      /* its sheet name */
    const char *kind;       /* ft_table_kind(), or NULL */
    size_t passed, failed;  /* its checks */
    size_t numbers;         /* its amounts */
} ft_sheet_info;

/* Starts the workbook for path. */
ft_status ft_xlsx_open(const char *path, ft_xlsx **out, ft_error *err);

/* Adds the next table's sheet (sheets keep the order they are added). */
ft_status ft_xlsx_add(ft_xlsx *x, const char *sheet, ft_error *err);

/* Fills sheet i (0-based, added before) with table t; a cell with a
 * failing entry in fails is highlighted and carries its message. Each
 * sheet is filled once. */
ft_status ft_xlsx_table(ft_xlsx *x, size_t i, const ft_table *t,
                        const ft_entry *const *fails, size_t n_fails);

/* Fills the index sheet: one row per table (cells are not read). */
ft_status ft_xlsx_index(ft_xlsx *x, const ft_table *tables,
                        const ft_sheet_info *info, size_t n);

/* Finishes the file and renames it into place; frees x. */
ft_status ft_xlsx_close(ft_xlsx *x, ft_error *err);

/* Why the workbook failed (libxlsxwriter's words), or "". */
const char *ft_xlsx_reason(const ft_xlsx *x);

/* The most characters Excel holds in a cell: longer text is cut to it in
 * the sheet, its last character an ellipsis. */
#define FT_XLSX_MAX_CHARS 32767

/* Drops an unfinished workbook and frees x; NULL is ignored. */
void ft_xlsx_abort(ft_xlsx *x);

/* One CSV per table, written into a temporary directory that replaces
 * dir on close (a dir holding other files is left alone: an error). */
typedef struct ft_csvw ft_csvw;
ft_status ft_csvw_open(const char *dir, ft_csvw **out, ft_error *err);
/* Writes table number i (0-based) as NN-title.csv. */
ft_status ft_csvw_table(ft_csvw *w, size_t i, const ft_table *t,
                        ft_error *err);
/* Swaps the directory into place; frees w. */
ft_status ft_csvw_close(ft_csvw *w, ft_error *err);
/* Drops the temporary directory and frees w; NULL is ignored. */
void ft_csvw_abort(ft_csvw *w);

/* The log as JSON lines, an entry at a time, renamed into place on
 * close. file is the input's name as given. */
typedef struct ft_logw ft_logw;
ft_status ft_logw_open(const char *path, const char *file, ft_logw **out,
                       ft_error *err);
/* Writes one entry; sheet is its table's sheet name (NULL for none).
 * Write errors are found on close. */
void ft_logw_put(ft_logw *w, const ft_entry *e, const char *sheet);
/* Finishes and renames into place; frees w. */
ft_status ft_logw_close(ft_logw *w, ft_error *err);
/* Drops the temporary file and frees w; NULL is ignored. */
void ft_logw_abort(ft_logw *w);

/* What the dataset records about a document as a whole. */
typedef struct ft_dataset_info {
    const char *entity;     /* 单位名称 most tables name, or NULL */
    int year;               /* the document's year, 0 if unknown */
    const char *kind;       /* "预算" or "决算" */
} ft_dataset_info;

/* One body cell for the dataset; strings are owned by the caller. */
typedef struct ft_dataset_cell {
    int table, row, col;    /* 0-based */
    const char *text;
    double value;
    int has_value;
    char *row_label;        /* e.g. 公共安全支出 */
    char *column_label;     /* e.g. 本年收入/一般公共预算 */
    char *code;             /* e.g. 2040201, or NULL */
} ft_dataset_cell;

/* Writes dataset cells as fragment lines to body (a temporary file
 * gathering them as tables finish). */
void ft_fragment_cells(FILE *body, const ft_dataset_cell *cells,
                       size_t n_cells);

/* Writes a conversion's dataset fragment (a TSV of the document, its
 * tables, then the cell lines gathered in body) to path, atomically.
 * doc->tables are read for titles, units and pages only. */
ft_status ft_write_fragment(const ft_doc_result *doc,
                           const ft_dataset_info *info, FILE *body,
                           const char *path, ft_error *err);

/* Adds (or replaces) one document in the SQLite dataset at dbpath, from
 * its fragment and its .log.jsonl, in one transaction. */
ft_status ft_dataset_add(const char *dbpath, const char *path,
                         const char *sha, const char *fragment,
                         const char *logpath, ft_error *err);

/* 1 when the dataset already holds this path with this content hash. */
int ft_dataset_has(const char *dbpath, const char *path, const char *sha);

/* Exports the numeric cells in long format to csvpath, atomically. */
ft_status ft_dataset_csv(const char *dbpath, const char *csvpath,
                         ft_error *err);

/* Removes control characters that XML cannot hold; returns how many. */
size_t ft_strip_controls(char *s);

#endif
