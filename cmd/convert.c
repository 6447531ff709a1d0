/*
 * convert.c - one PDF through every stage: extract, stitch, normalize,
 * validate, write. Errors on one page are logged and the other pages
 * still convert; the outputs are written atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../extract/extract.h"
#include "../normalize/normalize.h"
#include "../validate/validate.h"
#include "../write/write.h"
#include "fiscaltab.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Context for normalization events. */
typedef struct norm_ctx {
    ft_log *log;
    int table;
    ft_status st;
} norm_ctx;

/* Logs one normalization of a number. */
static void
on_norm(void *vctx, const ft_table *t, const ft_norm_event *ev)
{
    norm_ctx *ctx = vctx;
    char msg[400];
    const char *rule = "number";
    double printed_v = ev->raw;
    const ft_cell *cell = FT_CELL(t, ev->row, ev->col);
    if (ev->flags & FT_NUM_DASH) {
        rule = "blank_dash";
        snprintf(msg, sizeof msg, "\"%s\" read as a blank (no amount)",
                 ev->printed);
        if (ctx->st == FT_OK)
            ctx->st = ft_log_add(ctx->log, cell->page, ctx->table, ev->row,
                                 ev->col, "normalize", rule, FT_INFO, NULL,
                                 NULL, msg);
        return;
    }
    if (ev->flags & FT_NUM_SCI) {
        rule = "scientific_notation";
        snprintf(msg, sizeof msg,
                 "\"%s\" is scientific notation; rounded to the column's "
                 "%d decimals: %.*f",
                 ev->printed, ev->decimals, ev->decimals, ev->value);
    } else if (ev->flags & FT_NUM_PARENS) {
        rule = "parentheses_negative";
        snprintf(msg, sizeof msg, "\"%s\" in parentheses read as %.*f",
                 ev->printed, ev->decimals, ev->value);
    } else if (ev->flags & FT_NUM_PERCENT) {
        rule = "percent";
        snprintf(msg, sizeof msg, "\"%s\" read as the fraction %.*f",
                 ev->printed, ev->decimals + 2, ev->value);
    } else if (ev->flags & FT_NUM_WIDE) {
        rule = "full_width";
        snprintf(msg, sizeof msg, "\"%s\" folded to ASCII: %.*f",
                 ev->printed, ev->decimals, ev->value);
    } else {
        return;
    }
    if (ctx->st == FT_OK)
        ctx->st = ft_log_add(ctx->log, cell->page, ctx->table, ev->row,
                             ev->col, "normalize", rule, FT_INFO, &printed_v,
                             &ev->value, msg);
}

/* Stem of a path: the base name without a .pdf ending. */
static char *
stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    char *s;
    size_t n;
    b = b ? b + 1 : path;
    while (*b == '.')
        b++; /* no hidden outputs, no ".." */
    s = strdup(b);
    if (!s)
        return NULL;
    n = strlen(s);
    if (n > 4 && (strcmp(s + n - 4, ".pdf") == 0 ||
                  strcmp(s + n - 4, ".PDF") == 0 ||
                  strcmp(s + n - 4, ".Pdf") == 0))
        s[n - 4] = 0;
    if (!s[0] || s[0] == '.') {
        free(s);
        s = strdup("output");
    }
    return s;
}

/* Creates dir and its parents; 0 on success. */
static int
make_dirs(const char *dir)
{
    char buf[4096];
    size_t i, n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return n == 0 ? 0 : -1;
    memcpy(buf, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    {
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return -1;
    }
    return 0;
}


/* Writes the dataset fragment of a converted document. */
static ft_status
write_fragment(const ft_doc_result *res, const ft_prose_list *prose,
               const char *path, ft_error *err)
{
    ft_dataset_info info;
    ft_dataset_cell *cells = NULL;
    size_t n = 0, cap = 0, i, k;
    ft_status st = FT_OK;
    int r, c, decided = 0;

    memset(&info, 0, sizeof info);
    info.year = ft_document_year(prose, res->tables, res->n_tables);
    info.kind = "预算";
    for (i = 0; i < res->n_tables; i++) {
        const ft_table *t = &res->tables[i];
        if (!info.entity && t->entity)
            info.entity = t->entity;
        if (!decided && t->title && strstr(t->title, "决算")) {
            info.kind = "决算";
            decided = 1;
        }
    }
    for (i = 0; i < res->n_tables && st == FT_OK; i++) {
        const ft_table *t = &res->tables[i];
        char **codes = ft_table_codes(t);
        if (!codes)
            return FT_ERR_NOMEM;
        for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++) {
            for (c = 0; c < t->n_cols; c++) {
                const ft_cell *cell = FT_CELL(t, r, c);
                ft_dataset_cell *d;
                if (cell->kind != FT_CELL_NUMBER)
                    continue;
                if (n == cap) {
                    size_t nc = cap ? cap * 2 : 256;
                    ft_dataset_cell *v = realloc(cells, nc * sizeof *v);
                    if (!v) {
                        st = FT_ERR_NOMEM;
                        break;
                    }
                    cells = v;
                    cap = nc;
                }
                d = &cells[n++];
                memset(d, 0, sizeof *d);
                d->table = (int)i;
                d->row = r;
                d->col = c;
                d->text = cell->text;
                d->value = cell->value;
                d->has_value = 1;
                d->row_label = ft_row_label(t, r, c);
                d->column_label = ft_column_label(t, c);
                d->code = codes[r] ? strdup(codes[r]) : NULL;
            }
        }
        for (r = 0; r < t->n_rows; r++)
            free(codes[r]);
        free(codes);
    }
    if (st == FT_OK)
        st = ft_write_fragment(res, &info, cells, n, path, err);
    for (k = 0; k < n; k++) {
        free(cells[k].row_label);
        free(cells[k].column_label);
        free(cells[k].code);
    }
    free(cells);
    return st;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

/* A failing sum over cells read by OCR: the least confident number in
 * its row (row totals) or column (the others) is the likeliest misread,
 * and the message says which. Returns FT_ERR_NOMEM on failure. */
static ft_status
point_at_least_confident(ft_entry *e, const ft_table *tables, size_t n)
{
    const ft_table *t;
    const ft_cell *best = NULL;
    int k, br = -1, bc = -1, by_row;
    char name[16], *m;
    size_t len;
    if (e->status != FT_FAIL || strcmp(e->kind, "check") || e->table < 0 ||
        (size_t)e->table >= n || e->row < 0 || e->col < 0)
        return FT_OK;
    t = &tables[e->table];
    by_row = !strcmp(e->rule, "row_total");
    for (k = 0; k < (by_row ? t->n_cols : t->n_rows); k++) {
        int r = by_row ? e->row : k, c = by_row ? k : e->col;
        const ft_cell *x = FT_CELL(t, r, c);
        if (x->covered || !x->ocr || x->kind != FT_CELL_NUMBER)
            continue;
        if (!best || x->conf < best->conf) {
            best = x;
            br = r;
            bc = c;
        }
    }
    if (!best)
        return FT_OK;
    ft_cell_name(br, bc, name);
    len = strlen(e->message);
    m = realloc(e->message, len + 80);
    if (!m)
        return FT_ERR_NOMEM;
    snprintf(m + len, 80, "; least confident OCR reading: %s (%.0f%%)", name,
             best->conf);
    e->message = m;
    return FT_OK;
}

int
ft_convert(const ft_convert_opts *o, ft_convert_stats *stats)
{
    ft_doc *doc = NULL;
    ft_error err = {FT_OK, ""};
    ft_table_list tables = {0};
    ft_prose_list prose = {0};
    ft_log log = {0};
    ft_status st;
    ft_extract_stats xs = {0};
    int first, last, rc = FT_EXIT_OK;
    char *stem = NULL, *path = NULL;
    char (*sheets)[128] = NULL;
    const char **kinds = NULL;
    double t0 = ft_now(), tn;
    size_t plen = 0;
    size_t i;

    memset(stats, 0, sizeof *stats);
    st = ft_doc_open(o->input, o->password, &doc, &err);
    if (st == FT_OK)
        ft_doc_set_ocr(doc, o->ocr);
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input, err.msg);
        return st == FT_ERR_ENCRYPTED ? FT_EXIT_ENCRYPTED
               : st == FT_ERR_NOMEM   ? FT_EXIT_INTERNAL
                                      : FT_EXIT_OPEN;
    }
    stats->pages_total = ft_doc_page_count(doc);
    first = o->first_page > 0 ? o->first_page : 1;
    last = o->last_page > 0 && o->last_page < stats->pages_total
               ? o->last_page
               : stats->pages_total;
    if (o->first_page > stats->pages_total && stats->pages_total > 0) {
        fprintf(stderr,
                "fiscaltab: error: %s: --pages starts at %d but the "
                "document has %d pages\n",
                o->input, o->first_page, stats->pages_total);
        ft_doc_free(doc);
        return FT_EXIT_USAGE;
    }
    if (stats->pages_total == 0) {
        /* nothing to convert: as unreadable as a damaged file */
        fprintf(stderr, "fiscaltab: error: %s: the document has no pages\n",
                o->input);
        ft_doc_free(doc);
        return FT_EXIT_OPEN;
    }

    if (st == FT_OK)
        st = ft_doc_extract(doc, first, last, &tables, &log, &prose, &xs);
    stats->pages = xs.pages;
    stats->pages_failed = xs.pages_failed;
    stats->t_read = xs.t_read;
    stats->t_tables = xs.t_tables;
    stats->duplicates = xs.duplicates;
    if (!o->quiet) {
        /* pages that could not be read: one line each */
        for (i = 0; i < log.n; i++)
            if (log.items[i].status == FT_FAIL &&
                !strcmp(log.items[i].kind, "extract"))
                fprintf(stderr, "fiscaltab: warning: %s: page %d: %s\n",
                        o->input, log.items[i].page, log.items[i].message);
    }
    /* normalize, describe and check every table */
    for (i = 0; i < tables.n && st == FT_OK; i++) {
        ft_table *t = &tables.items[i];
        norm_ctx ctx = {&log, (int)i, FT_OK};
        size_t numbers;
        char msg[512], pages[32];
        if (t->page_first == t->page_last)
            snprintf(pages, sizeof pages, "page %d", t->page_first);
        else
            snprintf(pages, sizeof pages, "pages %d-%d", t->page_first,
                     t->page_last);
        if (t->dropped_header_rows) {
            snprintf(msg, sizeof msg,
                     "continued over a page break; %d repeated header "
                     "rows dropped",
                     t->dropped_header_rows);
            st = ft_log_add(&log, t->page_last, (int)i, -1, -1, "extract",
                            "stitched", FT_INFO, NULL, NULL, msg);
        } else if (st == FT_OK && t->page_last > t->page_first) {
            st = ft_log_add(&log, t->page_last, (int)i, -1, -1, "extract",
                            "stitched", FT_INFO, NULL, NULL,
                            "continued over a page break without a "
                            "repeated header");
        }
        if (st != FT_OK)
            break;
        /* control characters cannot go into xlsx XML: strip and log */
        {
            int r, c;
            for (r = 0; r < t->n_rows && st == FT_OK; r++)
                for (c = 0; c < t->n_cols && st == FT_OK; c++) {
                    ft_cell *cell = FT_CELL(t, r, c);
                    size_t n = cell->text ? ft_strip_controls(cell->text) : 0;
                    if (n) {
                        snprintf(msg, sizeof msg,
                                 "%zu control characters removed", n);
                        st = ft_log_add(&log, cell->page, (int)i, r, c,
                                        "normalize", "control_characters",
                                        FT_INFO, NULL, NULL, msg);
                    }
                }
            if (st != FT_OK)
                break;
        }
        tn = ft_now();
        numbers = ft_normalize_table(t, on_norm, &ctx);
        stats->t_normalize += ft_now() - tn;
        stats->numbers += numbers;
        st = ctx.st;
        if (st == FT_OK) {
            snprintf(msg, sizeof msg,
                     "%s: %d rows x %d columns, %d header rows, %zu amounts, "
                     "%s, unit %s%s, kind %s",
                     t->title ? t->title : "(untitled table)", t->n_rows,
                     t->n_cols, t->n_header_rows, numbers, pages,
                     t->unit ? t->unit : "(none)",
                     t->ruled ? ", ruled" : ", from text alignment",
                     ft_table_kind(t));
            st = ft_log_add(&log, t->page_first, (int)i, -1, -1, "extract",
                            "table", FT_INFO, NULL, NULL, msg);
        }

        for (int r = 0; st == FT_OK && r < t->n_rows; r++)
            for (int c = 0; st == FT_OK && c < t->n_cols; c++) {
                /* OCR'd cells read with little confidence: listed */
                const ft_cell *cell = FT_CELL(t, r, c);
                char name[16];
                if (cell->covered || !cell->ocr || !cell->text ||
                    cell->conf >= FT_OCR_LOW)
                    continue;
                ft_cell_name(r, c, name);
                snprintf(msg, sizeof msg,
                         "%s: \"%.80s\" read by OCR with confidence %.0f%%",
                         name, cell->text, cell->conf);
                st = ft_log_add(&log, cell->page, (int)i, r, c, "extract",
                                "ocr_low_confidence", FT_INFO, NULL, NULL,
                                msg);
            }
        if (st == FT_OK && (t->note || numbers == 0)) {
            /* an empty table keeps its header and says so */
            snprintf(msg, sizeof msg, "%s%s%s",
                     numbers ? "" : "no amounts in the table",
                     numbers || !t->note ? "" : "; ",
                     t->note ? t->note : "");
            st = ft_log_add(&log, t->page_last, (int)i, -1, -1, "extract",
                            numbers ? "note" : "empty_table", FT_INFO, NULL,
                            NULL, msg);
        }
        tn = ft_now();
        if (st == FT_OK)
            st = ft_validate_table(t, (int)i, &log);
        stats->t_validate += ft_now() - tn;
    }
    tn = ft_now();
    if (st == FT_OK)
        st = ft_validate_document(tables.items, tables.n, &log);
    if (st == FT_OK)
        st = ft_validate_text(&prose, tables.items, tables.n, &log);
    if (st == FT_OK)
        st = ft_validate_prose_oddities(&prose, &log);
    for (i = 0; st == FT_OK && i < log.n; i++)
        st = point_at_least_confident(&log.items[i], tables.items,
                                      tables.n);
    stats->t_validate += ft_now() - tn;
    tn = ft_now();
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input,
                ft_strerror(st));
        rc = FT_EXIT_INTERNAL;
        goto out;
    }

    /* outputs */
    stem = stem_of(o->input);
    plen = strlen(o->outdir) + 512;
    path = malloc(plen);
    sheets = ft_sheet_names(tables.items, tables.n);
    kinds = calloc(tables.n + 1, sizeof *kinds);
    for (i = 0; kinds && i < tables.n; i++)
        kinds[i] = ft_table_kind(&tables.items[i]);
    if (!stem || !path || !sheets || !kinds) {
        rc = FT_EXIT_INTERNAL;
        goto out;
    }
    if (make_dirs(o->outdir) != 0) {
        fprintf(stderr, "fiscaltab: error: %s: cannot create directory %s\n",
                o->input, o->outdir);
        rc = FT_EXIT_WRITE;
        goto out;
    }
    {
        ft_doc_result res;
        res.file = o->display ? o->display : o->input;
        res.tables = tables.items;
        res.n_tables = tables.n;
        res.log = &log;
        res.pages = stats->pages;
        res.sheets = sheets;
        res.kinds = kinds;
        snprintf(path, plen, "%s/%.255s.xlsx", o->outdir, stem);
        st = ft_write_xlsx(&res, path, &err);
        if (st == FT_OK) {
            snprintf(path, plen, "%s/%.255s.log.jsonl", o->outdir, stem);
            st = ft_write_log(&res, path, &err);
        }
        if (st == FT_OK && o->fragment)
            st = write_fragment(&res, &prose, o->fragment, &err);
        if (st == FT_OK && o->csv) {
            snprintf(path, plen, "%s/%.255s", o->outdir, stem);
            st = ft_write_csv(&res, path, &err);
        }
        if (st != FT_OK) {
            fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input,
                    st == FT_ERR_NOMEM ? "out of memory" : err.msg);
            rc = st == FT_ERR_NOMEM ? FT_EXIT_INTERNAL : FT_EXIT_WRITE;
            goto out;
        }
    }
    stats->t_write = ft_now() - tn;
    {
        ft_check_counts cc;
        ft_log_count(&log, &cc);
        stats->tables = tables.n;
        stats->passed = cc.passed;
        stats->failed = cc.failed;
        stats->seconds = ft_now() - t0;
        for (i = 0; i < log.n; i++) {
            /* a scan that was not read is said even with -q */
            const ft_entry *e = &log.items[i];
            if (!strcmp(e->rule, "ocr_unavailable") ||
                !strcmp(e->rule, "ocr_failed"))
                fprintf(stderr, "fiscaltab: warning: %s: %s\n", o->input,
                        e->message);
        }
        if (getenv("FT_TIMING"))
            fprintf(stderr,
                    "fiscaltab: timing: %s: read %.4f tables %.4f normalize "
                    "%.4f validate %.4f write %.4f total %.4f s\n",
                    o->input, stats->t_read, stats->t_tables,
                    stats->t_normalize, stats->t_validate, stats->t_write,
                    stats->seconds);
        if (!o->quiet)
            fprintf(stderr,
                    "fiscaltab: %s: %zu tables from %d pages, checks %zu "
                    "passed %zu failed, %.2fs -> %s/%s.xlsx\n",
                    o->input, stats->tables, stats->pages, cc.passed,
                    cc.failed, stats->seconds, o->outdir, stem);
        if (!o->quiet && cc.failed) {
            size_t shown = 0;
            for (i = 0; i < log.n && shown < 5; i++) {
                const ft_entry *e = &log.items[i];
                if (e->status != FT_FAIL || strcmp(e->kind, "check"))
                    continue;
                fprintf(stderr, "fiscaltab: check failed: sheet '%s': %s\n",
                        sheets[e->table], e->message);
                shown++;
            }
        }
        rc = cc.failed ? FT_EXIT_CHECKS : FT_EXIT_OK;
    }
out:
    free(kinds);
    free(sheets);
    free(stem);
    free(path);
    ft_table_list_clear(&tables);
    ft_prose_list_clear(&prose);
    ft_log_clear(&log);
    ft_doc_free(doc);
    return rc;
}

double
ft_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
