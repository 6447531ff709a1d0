/*
 * write.h - tables and the log to files: .xlsx, .csv, .log.jsonl.
 *
 * Every file is written under a temporary name in the target directory
 * and renamed into place when complete, so an interrupted run never
 * leaves a half-written output behind.
 */
#ifndef FT_WRITE_H
#define FT_WRITE_H

#include "../extract/table.h"

/* What the writers need to know about one converted document. */
typedef struct ft_doc_result {
    const char *file;       /* the input's name as given (for the log) */
    const ft_table *tables;
    size_t n_tables;
    const ft_log *log;
    int pages;
    const char **kinds;     /* kind of each table (validate/), or NULL */
    char (*sheets)[128];     /* sheet name of each table (UTF-8, <= 31
                             * characters), from ft_sheet_names() */
} ft_doc_result;

/**
 * Chooses a unique, legal sheet name for each table ("01 title"), at
 * most 31 characters, none equal to "index". Returns a new array of
 * n entries to free(), or NULL on OOM.
 */
char (*ft_sheet_names(const ft_table *tables, size_t n))[128];

/* Writes DIR/<stem>.xlsx (index sheet first, then one sheet a table). */
ft_status ft_write_xlsx(const ft_doc_result *doc, const char *path,
                        ft_error *err);

/* Writes one CSV per table into directory dir (created, replaced). */
ft_status ft_write_csv(const ft_doc_result *doc, const char *dir,
                       ft_error *err);

/* Writes the log as JSON lines. */
ft_status ft_write_log(const ft_doc_result *doc, const char *path,
                       ft_error *err);

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

/* Writes a conversion's dataset fragment (a TSV of the document, its
 * tables and cells) to path, atomically. */
ft_status ft_write_fragment(const ft_doc_result *doc,
                           const ft_dataset_info *info,
                           const ft_dataset_cell *cells, size_t n_cells,
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
