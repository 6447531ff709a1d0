/*
 * fiscaltab.h - the command-line tool's own declarations.
 */
#ifndef FT_CMD_H
#define FT_CMD_H

#include <stddef.h>

#include "../extract/settings.h"

#define FT_VERSION "0.1.0"

/* Exit codes: a stable, documented table (README "Exit codes"). */
enum ft_exit {
    FT_EXIT_OK = 0,         /* converted, every check passed */
    FT_EXIT_CHECKS = 1,     /* converted, some validation check failed */
    FT_EXIT_USAGE = 2,      /* bad command line */
    FT_EXIT_OPEN = 3,       /* unreadable, or not a PDF */
    FT_EXIT_ENCRYPTED = 4,  /* encrypted, no or wrong password */
    FT_EXIT_WRITE = 5,      /* output cannot be written */
    FT_EXIT_BATCH_FAILED = 6, /* batch: some files failed to convert */
    FT_EXIT_INTERNAL = 99   /* out of memory or a bug */
};

typedef struct ft_convert_opts {
    const char *input;
    const char *display;    /* name to put in the log, or NULL */
    const char *outdir;
    const char *password;
    int first_page, last_page; /* 0: open-ended */
    int csv;
    int quiet;
    const char *fragment;   /* batch: write the dataset fragment here */
    int ocr;                /* FT_OCR_AUTO (0), FT_OCR_ALWAYS, FT_OCR_NEVER */
    const ft_table_settings *settings; /* --set, or NULL: the defaults */
    const char *stem;       /* name of the outputs, or NULL: the input's
                             * (ft_output_stem) */
    double timeout;         /* seconds after which no page is read, or 0 */
} ft_convert_opts;

/* The longest output name (bytes, before .xlsx / .log.jsonl.tmpPID). */
#define FT_STEM_MAX 200

/* The name of a PDF's outputs: its base name without a .pdf ending of any
 * case, leading dots dropped, cut to FT_STEM_MAX bytes at a whole
 * character; "output" when nothing is left. Free the result; NULL on
 * OOM. */
char *ft_output_stem(const char *path);

typedef struct ft_convert_stats {
    int pages_total, pages, pages_failed;
    size_t tables, numbers, duplicates, passed, failed;
    size_t checked;         /* tables some check reached */
    double seconds;
    /* where the time went (FT_TIMING=1 prints it): reading pages (text
     * and rules), tables (layout, grids, stitching), normalizing,
     * checking, writing */
    double t_read, t_tables, t_normalize, t_validate, t_write;
} ft_convert_stats;

/* Converts one PDF; returns an ft_exit code. Prints diagnostics. */
int ft_convert(const ft_convert_opts *o, ft_convert_stats *stats);

/* `fiscaltab inspect`: prints the page's grids, draws it to png (or not
 * when NULL); returns an ft_exit code. */
int ft_inspect(const char *input, int page, const char *png,
               const char *password, const ft_table_settings *settings);

typedef struct ft_batch_opts {
    const char *outdir;
    int jobs;               /* worker processes */
    int shard_k, shard_n;   /* this is shard k of n (1-based); n <= 1: all */
    double timeout;         /* seconds per file */
    int force;              /* redo files converted before */
    int csv;
    const ft_table_settings *settings; /* --set, or NULL: the defaults */
} ft_batch_opts;

/* `fiscaltab batch`: converts every PDF under paths; returns an ft_exit
 * code (0, 1, 6 or a usage/write error). */
int ft_batch(char **paths, int n_paths, const ft_batch_opts *o);

/* `fiscaltab merge`: joins the outputs of batch shards into outdir (files,
 * batch.jsonl, dataset); returns an ft_exit code. */
int ft_merge(char **dirs, int n_dirs, const char *outdir);

/* Seconds on a monotonic clock. */
double ft_now(void);

/* SHA-256 of a file as 64 hex digits; 0 on success. */
int ft_sha256_file(const char *path, char hex[65]);

#endif
