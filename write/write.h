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

/* Removes control characters that XML cannot hold; returns how many. */
size_t ft_strip_controls(char *s);

#endif
