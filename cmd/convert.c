/*
 * convert.c - one PDF through every stage: extract, stitch, normalize,
 * validate, write. Errors on one page are logged and the other pages
 * still convert; the outputs are written atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    if (ev->flags & FT_NUM_DATE) {
        char *lab = ft_column_label(t, ev->col);
        rule = "date_text";
        snprintf(msg, sizeof msg,
                 "\"%s\" under %.100s, a date column, kept as printed "
                 "text, not an amount",
                 ev->printed, lab ? lab : "a date header");
        free(lab);
    } else if (ev->flags & FT_NUM_SCI) {
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
    } else if (ev->flags & FT_NUM_DECIMAL_COMMA) {
        rule = "decimal_comma";
        snprintf(msg, sizeof msg, "\"%s\" has a decimal comma: %.*f",
                 ev->printed, ev->decimals, ev->value);
    } else if (ev->flags & FT_NUM_WIDE) {
        rule = "full_width";
        snprintf(msg, sizeof msg, "\"%s\" folded to ASCII: %.*f",
                 ev->printed, ev->decimals, ev->value);
    } else {
        return;
    }
    if (ctx->st == FT_OK)
        ctx->st = ft_log_add(ctx->log, cell->page, ctx->table, ev->row,
                             ev->col, "normalize", rule, FT_INFO,
                             ev->flags & FT_NUM_DATE ? NULL : &printed_v,
                             ev->flags & FT_NUM_DATE ? NULL : &ev->value,
                             msg);
}

char *
ft_output_stem(const char *path)
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
    if (n > 4 && strcasecmp(s + n - 4, ".pdf") == 0)
        s[n -= 4] = 0;
    if (n > FT_STEM_MAX) {
        /* room for ".log.jsonl.tmpPID" within a name's 255 bytes, cut
         * at a whole character */
        n = FT_STEM_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        s[n] = 0;
    }
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


/* A document being converted: tables arrive one by one from extract/,
 * are normalized, checked and written, and only what the checks across
 * tables read is kept. */
typedef struct conv {
    const ft_convert_opts *o;
    ft_convert_stats *stats;
    ft_log log;             /* entries not yet written to the log file */
    ft_logw *logw;
    ft_xlsx *xlsx;
    ft_csvw *csvw;          /* NULL without --csv */
    FILE *frag;             /* dataset cell lines, NULL without a fragment */
    ft_figures *figs;       /* what the narrative may name */
    ft_table *shells;       /* every table without its cells */
    ft_sheet_info *info;    /* .sheet set to names[i] at the end */
    char (*names)[128];
    size_t n, cap;
    ft_table *kept;         /* whole tables the checks across read; their
                             * sheets are written last */
    size_t *kept_index;     /* their numbers in the document */
    size_t n_kept, cap_kept;
    ft_log kept_fails;      /* failing entries on kept tables */
    ft_check_counts cc;
    char *shown[5];         /* the first failing checks, for stderr */
    size_t n_shown;
    ft_log warnings;        /* a scan that was not read, a document
                             * nothing could check: said at the end */
    size_t n_checked;       /* tables some check reached */
    int write_failed;
    ft_error err;
} conv;

/* Copies an entry into another log. */
static ft_status
copy_entry(ft_log *to, const ft_entry *e)
{
    return ft_log_add(to, e->page, e->table, e->row, e->col, e->kind,
                      e->rule, e->status, e->has_values ? &e->expected : NULL,
                      e->has_values ? &e->actual : NULL, e->message);
}

/* 1 when table number i is kept whole until the end. */
static int
is_kept(const conv *cv, int i)
{
    size_t k;
    for (k = 0; k < cv->n_kept; k++)
        if (cv->kept_index[k] == (size_t)i)
            return 1;
    return 0;
}

/* Writes the entries gathered so far to the log file, counts them, and
 * keeps what is said on stderr and what later sheets need. */
static ft_status
flush_log(conv *cv)
{
    size_t i;
    ft_status st = FT_OK;
    for (i = 0; i < cv->log.n && st == FT_OK; i++) {
        const ft_entry *e = &cv->log.items[i];
        int known = e->table >= 0 && (size_t)e->table < cv->n;
        ft_logw_put(cv->logw, e, known ? cv->names[e->table] : NULL);
        if (!strcmp(e->kind, "check")) {
            if (e->status == FT_PASS)
                cv->cc.passed++;
            else if (e->status == FT_FAIL)
                cv->cc.failed++;
            else
                cv->cc.info++;
            if (known && e->status == FT_PASS)
                cv->info[e->table].passed++;
            else if (known && e->status == FT_FAIL)
                cv->info[e->table].failed++;
        }
        if (e->status == FT_FAIL && !strcmp(e->kind, "extract") &&
            !cv->o->quiet)
            fprintf(stderr, "fiscaltab: warning: %s: page %d: %s\n",
                    cv->o->input, e->page, e->message);
        if (e->status == FT_FAIL && !strcmp(e->kind, "check") && known &&
            cv->n_shown < 5) {
            size_t len = strlen(e->message) + 200;
            char *m = malloc(len);
            if (!m)
                return FT_ERR_NOMEM;
            snprintf(m, len, "sheet '%s': %s", cv->names[e->table],
                     e->message);
            cv->shown[cv->n_shown++] = m;
        }
        if (!strcmp(e->rule, "ocr_unavailable") ||
            !strcmp(e->rule, "ocr_failed") ||
            !strcmp(e->rule, "nothing_checked"))
            st = copy_entry(&cv->warnings, e);
        if (st == FT_OK && e->status == FT_FAIL && known &&
            is_kept(cv, e->table))
            st = copy_entry(&cv->kept_fails, e);
    }
    ft_log_clear(&cv->log);
    return st;
}

/* The failing entries of table i in log (pointers into it); *n set.
 * NULL with *n = 0 when there are none or on OOM (*oom set). */
static const ft_entry **
fails_of(const ft_log *log, int i, size_t *n, int *oom)
{
    const ft_entry **v;
    size_t k, m = 0;
    *n = 0;
    *oom = 0;
    for (k = 0; k < log->n; k++)
        m += log->items[k].table == i && log->items[k].status == FT_FAIL;
    if (m == 0)
        return NULL;
    v = malloc(m * sizeof *v);
    if (!v) {
        *oom = 1;
        return NULL;
    }
    for (k = 0; k < log->n; k++)
        if (log->items[k].table == i && log->items[k].status == FT_FAIL)
            v[(*n)++] = &log->items[k];
    return v;
}

/* Notes a writer's failure: the conversion goes on to find the other
 * errors, but nothing is renamed into place. */
static ft_status
write_status(conv *cv, ft_status st)
{
    if (st == FT_ERR_WRITE) {
        if (!cv->write_failed && !cv->err.msg[0])
            snprintf(cv->err.msg, sizeof cv->err.msg,
                     "cannot write the workbook: %s",
                     ft_xlsx_reason(cv->xlsx));
        cv->write_failed = 1;
        return FT_OK;
    }
    return st;
}

/* Writes the dataset lines of table i's amounts. */
static ft_status
fragment_cells(FILE *body, const ft_table *t, size_t i)
{
    ft_dataset_cell d;
    /* each block of columns side by side has its own codes */
    char ***codes = calloc((size_t)t->n_cols + 1, sizeof *codes);
    int r, c, b;
    ft_status st = FT_OK;
    if (!codes)
        return FT_ERR_NOMEM;
    for (c = 0; c < t->n_cols; c = ft_table_block_end(t, c)) {
        codes[c] = ft_table_codes(t, c);
        if (!codes[c]) {
            st = FT_ERR_NOMEM;
            break;
        }
    }
    for (r = t->n_header_rows; r < t->n_rows && st == FT_OK; r++)
        for (c = 0, b = 0; c < t->n_cols; c++) {
            if (codes[c])
                b = c;
            const ft_cell *cell = FT_CELL(t, r, c);
            if (cell->kind != FT_CELL_NUMBER)
                continue;
            memset(&d, 0, sizeof d);
            d.table = (int)i;
            d.row = r;
            d.col = c;
            d.text = cell->text;
            d.value = cell->value;
            d.has_value = 1;
            d.row_label = ft_row_label(t, r, c);
            d.column_label = ft_column_label(t, c);
            d.code = codes[b][r];
            ft_fragment_cells(body, &d, 1);
            free(d.row_label);
            free(d.column_label);
        }
    for (c = 0; c < t->n_cols; c++) {
        for (r = 0; codes[c] && r < t->n_rows; r++)
            free(codes[c][r]);
        free(codes[c]);
    }
    free(codes);
    return st;
}

/* Normalizes and checks table i, logging what was done and found. */
static ft_status
process_table(conv *cv, ft_table *t, int i)
{
    ft_log *log = &cv->log;
    norm_ctx ctx = {log, i, FT_OK};
    ft_status st = FT_OK;
    size_t numbers;
    char msg[512], pages[32];
    double tn;
    int r, c;
    if (t->page_first == t->page_last)
        snprintf(pages, sizeof pages, "page %d", t->page_first);
    else
        snprintf(pages, sizeof pages, "pages %d-%d", t->page_first,
                 t->page_last);
    if (t->facing_pages) {
        snprintf(msg, sizeof msg,
                 "printed across facing pages: %d right-hand page%s of "
                 "figures joined beside the row labels",
                 t->facing_pages, t->facing_pages > 1 ? "s" : "");
        st = ft_log_add(log, t->page_last, i, -1, -1, "extract", "stitched",
                        FT_INFO, NULL, NULL, msg);
    }
    if (st != FT_OK) {
        ; /* out of memory: said below */
    } else if (t->dropped_header_rows) {
        snprintf(msg, sizeof msg,
                 "continued over a page break; %d repeated header rows "
                 "dropped",
                 t->dropped_header_rows);
        st = ft_log_add(log, t->page_last, i, -1, -1, "extract", "stitched",
                        FT_INFO, NULL, NULL, msg);
    } else if (t->page_last - t->page_first > t->facing_pages) {
        st = ft_log_add(log, t->page_last, i, -1, -1, "extract", "stitched",
                        FT_INFO, NULL, NULL,
                        "continued over a page break without a repeated "
                        "header");
    }
    /* text past Excel's limit is cut in the sheet: say where */
    for (r = 0; r < t->n_rows && st == FT_OK; r++)
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            size_t k, chars = 0;
            char name[16];
            if (cell->covered || !cell->text)
                continue;
            for (k = 0; cell->text[k]; k++)
                chars += ((unsigned char)cell->text[k] & 0xC0) != 0x80;
            if (chars <= FT_XLSX_MAX_CHARS)
                continue;
            ft_cell_name(r, c, name);
            snprintf(msg, sizeof msg,
                     "%s: %zu characters, cut to Excel's %d in the sheet; "
                     "the CSV (--csv) holds them all",
                     name, chars, FT_XLSX_MAX_CHARS);
            st = ft_log_add(log, cell->page, i, r, c, "extract",
                            "cell_truncated", FT_FAIL, NULL, NULL, msg);
        }
    /* control characters cannot go into xlsx XML: strip and log */
    for (r = 0; r < t->n_rows && st == FT_OK; r++)
        for (c = 0; c < t->n_cols && st == FT_OK; c++) {
            ft_cell *cell = FT_CELL(t, r, c);
            size_t n = cell->text ? ft_strip_controls(cell->text) : 0;
            if (n) {
                snprintf(msg, sizeof msg, "%zu control characters removed",
                         n);
                st = ft_log_add(log, cell->page, i, r, c, "normalize",
                                "control_characters", FT_INFO, NULL, NULL,
                                msg);
            }
        }
    if (st != FT_OK)
        return st;
    tn = ft_now();
    numbers = ft_normalize_table(t, on_norm, &ctx);
    cv->stats->t_normalize += ft_now() - tn;
    cv->stats->numbers += numbers;
    cv->info[i].numbers = numbers;
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
        st = ft_log_add(log, t->page_first, i, -1, -1, "extract", "table",
                        FT_INFO, NULL, NULL, msg);
    }
    for (c = 0; st == FT_OK && c < t->n_cols; c++) {
        /* OCR'd text in a column of numbers (a 序号 "1" read as 工, a 0
         * read as 。) is in no sum: listed, and commented in the xlsx */
        int nums = 0, texts = 0, codes = 0, others = 0, as_codes;
        for (r = t->n_header_rows; r < t->n_rows; r++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            if (cell->covered)
                continue;
            nums += cell->kind == FT_CELL_NUMBER;
            texts += cell->kind == FT_CELL_TEXT;
            if (!cell->text)
                continue;
            if (strlen(cell->text) >= 3 &&
                strspn(cell->text, "0123456789") == strlen(cell->text))
                codes++;
            else
                others++;
        }
        /* a column of budget codes: an OCR'd one with other marks among
         * its digits ("204021.，") is misread, and its row may fall out of
         * the code checks */
        as_codes = codes >= 3 && codes >= 4 * others;
        if (!as_codes && (nums < 3 || nums < 4 * texts))
            continue;
        for (r = t->n_header_rows; st == FT_OK && r < t->n_rows; r++) {
            ft_cell *cell = FT_CELL(t, r, c);
            char name[16];
            if (cell->covered || !cell->ocr || !cell->text)
                continue;
            if (as_codes ? !strpbrk(cell->text, "0123456789") ||
                               strspn(cell->text, "0123456789") ==
                                   strlen(cell->text)
                         : cell->kind != FT_CELL_TEXT ||
                               /* the label of a total row */
                               strstr(cell->text, "合计") ||
                               strstr(cell->text, "总计") ||
                               strstr(cell->text, "小计"))
                continue;
            cell->suspect = as_codes ? FT_SUSPECT_CODE : FT_SUSPECT_TEXT;
            ft_cell_name(r, c, name);
            snprintf(msg, sizeof msg,
                     "%s: \"%.80s\" read by OCR in a column of %s: check "
                     "it by eye",
                     name, cell->text, as_codes ? "codes" : "numbers");
            st = ft_log_add(log, cell->page, i, r, c, "extract",
                            as_codes ? "ocr_not_a_code" : "ocr_not_a_number",
                            FT_INFO, NULL, NULL, msg);
        }
    }
    for (r = 0; st == FT_OK && r < t->n_rows; r++)
        for (c = 0; st == FT_OK && c < t->n_cols; c++) {
            /* OCR'd amounts whose separators the column's pattern set, and
             * cells read with little confidence: listed */
            const ft_cell *cell = FT_CELL(t, r, c);
            char name[16];
            if (cell->covered || !cell->ocr || !cell->text)
                continue;
            ft_cell_name(r, c, name);
            if (cell->regrouped) {
                int point = cell->suspect == FT_SUSPECT_POINT;
                snprintf(msg, sizeof msg,
                         point ? "%s: %s: OCR read no decimal point; it was "
                                 "put where the column prints it: check by "
                                 "eye"
                               : "%s: %s: OCR read its commas and points "
                                 "otherwise; they were set by the column's "
                                 "pattern",
                         name, cell->text);
                st = ft_log_add(log, cell->page, i, r, c, "extract",
                                point ? "ocr_point_assumed"
                                      : "ocr_separators_set",
                                FT_INFO, NULL, NULL, msg);
            }
            if (st != FT_OK || cell->conf >= FT_OCR_LOW)
                continue;
            snprintf(msg, sizeof msg,
                     "%s: \"%.80s\" read by OCR with confidence %.0f%%", name,
                     cell->text, cell->conf);
            st = ft_log_add(log, cell->page, i, r, c, "extract",
                            "ocr_low_confidence", FT_INFO, NULL, NULL, msg);
        }
    if (st == FT_OK && (t->note || numbers == 0)) {
        /* an empty table keeps its header and says so */
        snprintf(msg, sizeof msg, "%s%s%s",
                 numbers ? "" : "no amounts in the table",
                 numbers || !t->note ? "" : "; ", t->note ? t->note : "");
        st = ft_log_add(log, t->page_last, i, -1, -1, "extract",
                        numbers ? "note" : "empty_table", FT_INFO, NULL, NULL,
                        msg);
    }
    tn = ft_now();
    if (st == FT_OK)
        st = ft_validate_table(t, i, log);
    if (st == FT_OK)
        st = ft_validate_cells(t, i, log);
    cv->stats->t_validate += ft_now() - tn;
    return st;
}

/* Room for one more table's shell, name and index line. */
static ft_status
grow(conv *cv)
{
    size_t nc = cv->cap ? cv->cap * 2 : 16;
    ft_table *s;
    ft_sheet_info *in;
    char(*nm)[128];
    if (cv->n < cv->cap)
        return FT_OK;
    s = realloc(cv->shells, nc * sizeof *s);
    if (s)
        cv->shells = s;
    in = realloc(cv->info, nc * sizeof *in);
    if (in)
        cv->info = in;
    nm = realloc(cv->names, nc * sizeof *nm);
    if (nm)
        cv->names = nm;
    if (!s || !in || !nm)
        return FT_ERR_NOMEM;
    cv->cap = nc;
    return FT_OK;
}

/* A copy of a table's title, texts, pages and sizes, without cells. */
static ft_status
make_shell(ft_table *shell, const ft_table *t)
{
    *shell = *t;
    shell->cells = NULL;
    shell->col_x = NULL;
    shell->title = t->title ? strdup(t->title) : NULL;
    shell->entity = t->entity ? strdup(t->entity) : NULL;
    shell->unit = t->unit ? strdup(t->unit) : NULL;
    shell->label = t->label ? strdup(t->label) : NULL;
    shell->note = t->note ? strdup(t->note) : NULL;
    if ((t->title && !shell->title) || (t->entity && !shell->entity) ||
        (t->unit && !shell->unit) || (t->label && !shell->label) ||
        (t->note && !shell->note)) {
        ft_table_clear(shell);
        return FT_ERR_NOMEM;
    }
    return FT_OK;
}

/* Takes a finished table from extract/: the ft_table_sink. */
static ft_status
take_table(void *vcv, ft_table *t)
{
    conv *cv = vcv;
    size_t i = cv->n;
    ft_status st;
    double tw;
    size_t k;

    st = grow(cv);
    if (st == FT_OK)
        st = process_table(cv, t, (int)i);
    for (k = 0; st == FT_OK && k < cv->log.n; k++)
        if (cv->log.items[k].table == (int)i)
            st = ft_point_at_misread(&cv->log.items[k], t, &cv->log, (int)i);
    if (st == FT_OK)
        st = ft_figures_add(cv->figs, t, i);
    if (st == FT_OK)
        st = make_shell(&cv->shells[i], t);
    if (st != FT_OK)
        return st;
    ft_sheet_name(t, i, cv->names[i]);
    cv->info[i].sheet = NULL; /* set when the index is written */
    cv->info[i].kind = ft_table_kind(t);
    cv->info[i].passed = cv->info[i].failed = 0;
    cv->n++;

    tw = ft_now();
    if (!cv->write_failed)
        st = write_status(cv, ft_xlsx_add(cv->xlsx, cv->names[i], &cv->err));
    if (st == FT_OK && cv->csvw && !cv->write_failed)
        st = write_status(cv, ft_csvw_table(cv->csvw, i, t, &cv->err));
    if (st == FT_OK && cv->frag)
        st = fragment_cells(cv->frag, t, i);
    if (st == FT_OK &&
        ft_table_needed_across(t, cv->kept, cv->n_kept)) {
        /* kept whole: the checks across tables may mark its cells */
        if (cv->n_kept == cv->cap_kept) {
            size_t nc = cv->cap_kept ? cv->cap_kept * 2 : 8;
            ft_table *v = realloc(cv->kept, nc * sizeof *v);
            size_t *x;
            if (v)
                cv->kept = v;
            x = realloc(cv->kept_index, nc * sizeof *x);
            if (x)
                cv->kept_index = x;
            if (!v || !x)
                return FT_ERR_NOMEM;
            cv->cap_kept = nc;
        }
        cv->kept[cv->n_kept] = *t;
        cv->kept_index[cv->n_kept++] = i;
        memset(t, 0, sizeof *t);
    } else if (st == FT_OK && !cv->write_failed) {
        size_t nf;
        int oom;
        const ft_entry **fails = fails_of(&cv->log, (int)i, &nf, &oom);
        if (oom)
            return FT_ERR_NOMEM;
        st = write_status(cv, ft_xlsx_table(cv->xlsx, i, t, fails, nf));
        free(fails);
    }
    cv->stats->t_write += ft_now() - tw;
    if (st == FT_OK)
        st = flush_log(cv);
    return st;
}

/* Says which tables no check reached, and when none was, that the
 * document could not be checked at all (a warning even with -q): exit 0
 * then means nothing failed, not that the numbers add up. */
static ft_status
say_unchecked(conv *cv)
{
    size_t i;
    ft_status st = FT_OK;
    char msg[512];
    cv->n_checked = 0;
    for (i = 0; i < cv->n && st == FT_OK; i++) {
        const ft_table *t = &cv->shells[i];
        if (cv->info[i].passed + cv->info[i].failed > 0) {
            cv->n_checked++;
            continue;
        }
        snprintf(msg, sizeof msg,
                 "%.200s: no check could be run: %s",
                 t->title ? t->title : "(untitled table)",
                 cv->info[i].numbers == 0
                     ? "it holds no amounts"
                     : "no total row or column, code hierarchy or form "
                       "total to hold its amounts against");
        st = ft_log_add(&cv->log, t->page_first, (int)i, -1, -1, "check",
                        "unchecked", FT_INFO, NULL, NULL, msg);
    }
    if (st == FT_OK && cv->n > 0 && cv->n_checked == 0) {
        snprintf(msg, sizeof msg,
                 "none of its %zu tables could be checked: its numbers are "
                 "converted but not verified",
                 cv->n);
        st = ft_log_add(&cv->log, 0, -1, -1, -1, "check", "nothing_checked",
                        FT_INFO, NULL, NULL, msg);
    }
    return st == FT_OK ? flush_log(cv) : st;
}

/* The checks across tables and on the narrative, once every table is in;
 * then the kept tables' sheets and the index. */
static ft_status
finish(conv *cv, const ft_prose_list *prose)
{
    ft_log across = {0};
    ft_status st;
    size_t k;
    double tn = ft_now();

    st = flush_log(cv); /* the pages' entries, after the last table */
    if (st == FT_OK)
        st = ft_validate_across(cv->kept, cv->n_kept, &across);
    for (k = 0; st == FT_OK && k < across.n; k++) {
        ft_entry *e = &across.items[k];
        if (e->table >= 0 && (size_t)e->table < cv->n_kept) {
            st = ft_point_at_misread(e, &cv->kept[e->table], NULL, -1);
            e->table = (int)cv->kept_index[e->table];
        }
        if (st == FT_OK)
            st = copy_entry(&cv->log, e);
    }
    ft_log_clear(&across);
    if (st == FT_OK)
        st = ft_validate_text_with(prose, cv->shells, cv->n, cv->figs,
                                   &cv->log);
    if (st == FT_OK)
        st = ft_validate_prose_oddities(prose, &cv->log);
    cv->stats->t_validate += ft_now() - tn;
    if (st == FT_OK)
        st = flush_log(cv);
    if (st == FT_OK)
        st = say_unchecked(cv);
    tn = ft_now();
    for (k = 0; st == FT_OK && !cv->write_failed && k < cv->n_kept; k++) {
        size_t nf;
        int oom;
        const ft_entry **fails =
            fails_of(&cv->kept_fails, (int)cv->kept_index[k], &nf, &oom);
        if (oom)
            return FT_ERR_NOMEM;
        st = write_status(cv, ft_xlsx_table(cv->xlsx, cv->kept_index[k],
                                            &cv->kept[k], fails, nf));
        free(fails);
    }
    for (k = 0; k < cv->n; k++)
        cv->info[k].sheet = cv->names[k]; /* names may have moved */
    if (st == FT_OK && !cv->write_failed)
        st = write_status(cv,
                          ft_xlsx_index(cv->xlsx, cv->shells, cv->info, cv->n));
    cv->stats->t_write += ft_now() - tn;
    return st;
}

/* Frees what a conversion holds; unfinished outputs are dropped. */
static void
conv_free(conv *cv)
{
    size_t k;
    ft_xlsx_abort(cv->xlsx);
    ft_logw_abort(cv->logw);
    ft_csvw_abort(cv->csvw);
    if (cv->frag)
        fclose(cv->frag);
    ft_figures_free(cv->figs);
    for (k = 0; k < cv->n; k++)
        ft_table_clear(&cv->shells[k]);
    free(cv->shells);
    free(cv->info);
    free(cv->names);
    for (k = 0; k < cv->n_kept; k++)
        ft_table_clear(&cv->kept[k]);
    free(cv->kept);
    free(cv->kept_index);
    ft_log_clear(&cv->log);
    ft_log_clear(&cv->kept_fails);
    ft_log_clear(&cv->warnings);
    for (k = 0; k < cv->n_shown; k++)
        free(cv->shown[k]);
}

/* Finishes the outputs: each renamed into place, or none on error. */
static ft_status
close_outputs(conv *cv, const ft_prose_list *prose)
{
    ft_status st = FT_OK;
    if (cv->frag) {
        ft_dataset_info info;
        ft_doc_result res;
        const char **kinds = calloc(cv->n + 1, sizeof *kinds);
        size_t i;
        int decided = 0;
        if (!kinds)
            return FT_ERR_NOMEM;
        memset(&info, 0, sizeof info);
        memset(&res, 0, sizeof res);
        info.year = ft_document_year(prose, cv->shells, cv->n);
        info.kind = "预算";
        for (i = 0; i < cv->n; i++) {
            const ft_table *t = &cv->shells[i];
            kinds[i] = cv->info[i].kind;
            if (!info.entity && t->entity)
                info.entity = t->entity;
            if (!decided && t->title && strstr(t->title, "决算")) {
                info.kind = "决算";
                decided = 1;
            }
        }
        res.tables = cv->shells;
        res.n_tables = cv->n;
        res.pages = cv->stats->pages;
        res.sheets = cv->names;
        res.kinds = kinds;
        st = ft_write_fragment(&res, &info, cv->frag, cv->o->fragment,
                               &cv->err);
        free(kinds);
    }
    if (st == FT_OK) {
        st = ft_xlsx_close(cv->xlsx, &cv->err);
        cv->xlsx = NULL;
    }
    if (st == FT_OK) {
        st = ft_logw_close(cv->logw, &cv->err);
        cv->logw = NULL;
    }
    if (st == FT_OK && cv->csvw) {
        st = ft_csvw_close(cv->csvw, &cv->err);
        cv->csvw = NULL;
    }
    return st;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

int
ft_convert(const ft_convert_opts *o, ft_convert_stats *stats)
{
    ft_doc *doc = NULL;
    ft_error err = {FT_OK, ""};
    ft_prose_list prose = {0};
    ft_status st;
    ft_extract_stats xs = {0};
    int first, last, rc = FT_EXIT_OK;
    char *stem = NULL, *path = NULL;
    double t0 = ft_now();
    size_t plen = 0;
    size_t i;
    conv cv;

    memset(stats, 0, sizeof *stats);
    memset(&cv, 0, sizeof cv);
    cv.o = o;
    cv.stats = stats;
    st = ft_doc_open(o->input, o->password, &doc, &err);
    if (st == FT_OK) {
        ft_doc_set_ocr(doc, o->ocr);
        ft_doc_set_settings(doc, o->settings);
        if (o->timeout > 0)
            ft_doc_set_deadline(doc, ft_now() + o->timeout);
    }
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

    /* the outputs, under temporary names until the end */
    stem = o->stem ? strdup(o->stem) : ft_output_stem(o->input);
    plen = strlen(o->outdir) + 512;
    path = malloc(plen);
    cv.figs = ft_figures_new();
    if (!stem || !path || !cv.figs) {
        rc = FT_EXIT_INTERNAL;
        goto out;
    }
    if (make_dirs(o->outdir) != 0) {
        fprintf(stderr, "fiscaltab: error: %s: cannot create directory %s\n",
                o->input, o->outdir);
        rc = FT_EXIT_WRITE;
        goto out;
    }
    snprintf(path, plen, "%s/%s.xlsx", o->outdir, stem);
    st = ft_xlsx_open(path, &cv.xlsx, &cv.err);
    if (st == FT_OK) {
        snprintf(path, plen, "%s/%s.log.jsonl", o->outdir, stem);
        st = ft_logw_open(path, o->display ? o->display : o->input, &cv.logw,
                          &cv.err);
    }
    if (st == FT_OK && o->csv) {
        snprintf(path, plen, "%s/%s", o->outdir, stem);
        st = ft_csvw_open(path, &cv.csvw, &cv.err);
    }
    if (st == FT_OK && o->fragment && !(cv.frag = tmpfile())) {
        snprintf(cv.err.msg, sizeof cv.err.msg,
                 "cannot create a temporary file for %.200s", o->fragment);
        st = FT_ERR_WRITE;
    }
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input,
                st == FT_ERR_NOMEM ? "out of memory" : cv.err.msg);
        rc = st == FT_ERR_NOMEM ? FT_EXIT_INTERNAL : FT_EXIT_WRITE;
        goto out;
    }

    st = ft_doc_extract_each(doc, first, last, take_table, &cv, &cv.log,
                             &prose, &xs);
    stats->pages = xs.pages;
    stats->pages_failed = xs.pages_failed;
    stats->t_read = xs.t_read;
    stats->t_tables = xs.t_tables;
    stats->duplicates = xs.duplicates;
    if (st == FT_OK)
        st = finish(&cv, &prose);
    if (st != FT_OK) {
        fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input,
                ft_strerror(st));
        rc = FT_EXIT_INTERNAL;
        goto out;
    }
    {
        double tn = ft_now();
        if (!cv.write_failed)
            st = close_outputs(&cv, &prose);
        stats->t_write += ft_now() - tn;
        if (cv.write_failed || st != FT_OK) {
            fprintf(stderr, "fiscaltab: error: %s: %s\n", o->input,
                    st == FT_ERR_NOMEM ? "out of memory" : cv.err.msg);
            rc = st == FT_ERR_NOMEM ? FT_EXIT_INTERNAL : FT_EXIT_WRITE;
            goto out;
        }
    }
    {
        ft_check_counts cc = cv.cc;
        stats->tables = cv.n;
        stats->checked = cv.n_checked;
        stats->passed = cc.passed;
        stats->failed = cc.failed;
        stats->seconds = ft_now() - t0;
        for (i = 0; i < cv.warnings.n; i++) {
            const ft_entry *w = &cv.warnings.items[i];
            /* a scan that was not read, a document nothing could check:
             * said even with -q (without it, a failed page was said as
             * it was logged) */
            if (o->quiet || w->status != FT_FAIL || strcmp(w->kind, "extract"))
                fprintf(stderr, "fiscaltab: warning: %s: %s\n", o->input,
                        w->message);
        }
        if (getenv("FT_TIMING"))
            fprintf(stderr,
                    "fiscaltab: timing: %s: read %.4f tables %.4f normalize "
                    "%.4f validate %.4f write %.4f total %.4f s\n",
                    o->input, stats->t_read, stats->t_tables,
                    stats->t_normalize, stats->t_validate, stats->t_write,
                    stats->seconds);
        if (!o->quiet) {
            char checked[64] = "";
            if (cv.n > 0)
                snprintf(checked, sizeof checked, " (%zu checked, %zu not)",
                         cv.n_checked, cv.n - cv.n_checked);
            fprintf(stderr,
                    "fiscaltab: %s: %zu tables from %d pages%s, checks %zu "
                    "passed %zu failed, %.2fs -> %s/%s.xlsx\n",
                    o->input, stats->tables, stats->pages, checked,
                    cc.passed, cc.failed, stats->seconds, o->outdir, stem);
        }
        for (i = 0; !o->quiet && i < cv.n_shown; i++)
            fprintf(stderr, "fiscaltab: check failed: %s\n", cv.shown[i]);
        rc = cc.failed ? FT_EXIT_CHECKS : FT_EXIT_OK;
    }
out:
    conv_free(&cv);
    free(stem);
    free(path);
    ft_prose_list_clear(&prose);
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
