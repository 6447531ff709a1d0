/*
 * xlsx.c - the workbook: an index sheet, then one sheet per table.
 *
 * Sheets are filled as their tables finish; the workbook then holds
 * only libxlsxwriter's cells (about 80 bytes each, strings shared) until
 * it is zipped on close.
 *
 * Numbers are numeric cells with a format of their printed precision,
 * merged cells are merged, header rows are frozen and bold, and a cell
 * whose check failed is highlighted with a comment saying why. The
 * document timestamp is fixed so the same input gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "write.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Cached formats: [header?][fail?][decimals 0..6][percent?]. */
typedef struct formats {
    lxw_workbook *wb;
    lxw_format *text[2][2];
    lxw_format *num[2][7][2];
} formats;

/* Returns the format for a cell, creating it once. */
static lxw_format *
fmt_for(formats *f, int header, int fail, int number, int decimals,
        int percent)
{
    lxw_format **slot;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    slot = number ? &f->num[fail][decimals][percent] : &f->text[header][fail];
    if (!*slot) {
        lxw_format *x = workbook_add_format(f->wb);
        if (!x)
            return NULL;
        if (number) {
            char nf[32];
            if (percent)
                snprintf(nf, sizeof nf, "0%s%.*s%%", decimals ? "." : "",
                         decimals, "000000");
            else
                snprintf(nf, sizeof nf, "#,##0%s%.*s", decimals ? "." : "",
                         decimals, "000000");
            format_set_num_format(x, nf);
        } else {
            format_set_text_wrap(x);
            format_set_align(x, LXW_ALIGN_VERTICAL_CENTER);
        }
        if (header) {
            format_set_bold(x);
            format_set_align(x, LXW_ALIGN_CENTER);
        }
        if (fail)
            format_set_bg_color(x, 0xFFC7CE);
        *slot = x;
    }
    return *slot;
}

/* Display width of UTF-8 text in Excel character units (CJK = 2). */
static double
text_width(const char *s)
{
    double w = 0, line = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (; *u; u++) {
        if (*u == '\n') {
            if (line > w)
                w = line;
            line = 0;
        } else if (*u >= 0xE0) {
            line += 2;
        } else if (*u < 0x80 || *u >= 0xC0) {
            line += 1;
        }
    }
    return line > w ? line : w;
}

/* Copies s without control characters into a new string (free()). */
static char *
clean_copy(const char *s)
{
    char *d = strdup(s ? s : "");
    size_t i, chars = 0;
    if (!d)
        return NULL;
    ft_strip_controls(d);
    /* Excel holds at most FT_XLSX_MAX_CHARS characters in a cell: cut
     * there with an ellipsis (convert says so; the CSV keeps it all) */
    for (i = 0; d[i]; i++)
        if (((unsigned char)d[i] & 0xC0) != 0x80 &&
            ++chars == FT_XLSX_MAX_CHARS) {
            if (strlen(d + i) > 3 || (d[i + 1] && ((unsigned char)d[i + 1] &
                                                   0xC0) != 0x80)) {
                memcpy(d + i, "\xE2\x80\xA6", 4); /* the last one: ... */
            }
            break;
        }
    return d;
}

/* The first failing check at (r, c), or NULL. */
static const ft_entry *
failure_at(const ft_entry *const *fails, size_t n, int r, int c)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (fails[i]->row == r && fails[i]->col == c)
            return fails[i];
    return NULL;
}

/* Writes one table's sheet. Returns an lxw_error. */
static lxw_error
write_table(lxw_worksheet *ws, formats *f, const ft_table *t,
            const ft_entry *const *fails, size_t n_fails)
{
    double *width;
    int r, c;
    lxw_error e = LXW_NO_ERROR;

    width = calloc((size_t)t->n_cols + 1, sizeof *width);
    if (!width)
        return LXW_ERROR_MEMORY_MALLOC_FAILED;
    for (r = 0; r < t->n_rows && e == LXW_NO_ERROR; r++) {
        for (c = 0; c < t->n_cols && e == LXW_NO_ERROR; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            const ft_entry *fail = failure_at(fails, n_fails, r, c);
            int header = r < t->n_header_rows;
            int number = cell->kind == FT_CELL_NUMBER;
            lxw_format *fm = fmt_for(f, header, fail != NULL, number,
                                     cell->decimals, cell->percent);
            char *txt;
            if (cell->covered)
                continue;
            txt = clean_copy(cell->text);
            if (!txt) {
                e = LXW_ERROR_MEMORY_MALLOC_FAILED;
                break;
            }
            if (cell->rowspan > 1 || cell->colspan > 1) {
                e = worksheet_merge_range(
                    ws, (lxw_row_t)r, (lxw_col_t)c,
                    (lxw_row_t)(r + cell->rowspan - 1),
                    (lxw_col_t)(c + cell->colspan - 1), number ? "" : txt,
                    fm);
                if (e == LXW_NO_ERROR && number)
                    e = worksheet_write_number(ws, (lxw_row_t)r,
                                               (lxw_col_t)c, cell->value, fm);
            } else if (number) {
                e = worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
                                           cell->value, fm);
            } else if (cell->text) {
                e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c,
                                           txt, fm);
            } else if (fail) {
                e = worksheet_write_blank(ws, (lxw_row_t)r, (lxw_col_t)c,
                                          fm);
            }
            if (e == LXW_NO_ERROR && fail) {
                char *m = clean_copy(fail->message);
                if (m)
                    e = worksheet_write_comment(ws, (lxw_row_t)r,
                                                (lxw_col_t)c, m);
                free(m);
            } else if (e == LXW_NO_ERROR && cell->ocr && cell->text &&
                       (cell->conf < FT_OCR_LOW || cell->suspect)) {
                /* read by OCR without much confidence, or as text in a
                 * column of numbers: look at it */
                char m[96];
                if (cell->suspect == FT_SUSPECT_TEXT)
                    snprintf(m, sizeof m, "read by OCR as text in a column "
                                          "of numbers: check by eye");
                else if (cell->suspect == FT_SUSPECT_CODE)
                    snprintf(m, sizeof m, "read by OCR as a code with other "
                                          "marks among its digits: check by "
                                          "eye");
                else if (cell->suspect == FT_SUSPECT_POINT)
                    snprintf(m, sizeof m, "read by OCR without a decimal "
                                          "point, put where the column "
                                          "prints it: check by eye");
                else
                    snprintf(m, sizeof m,
                             "read by OCR, confidence %.0f%%: check by eye",
                             cell->conf);
                e = worksheet_write_comment(ws, (lxw_row_t)r, (lxw_col_t)c,
                                            m);
            }
            if (cell->colspan == 1 && cell->text) {
                double w = number ? (double)strlen(cell->text) + 2
                                  : text_width(txt) + 1;
                if (w > width[c])
                    width[c] = w;
            }
            free(txt);
        }
    }
    for (c = 0; c < t->n_cols && e == LXW_NO_ERROR; c++) {
        double w = width[c] < 8 ? 8 : width[c] > 50 ? 50 : width[c];
        e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
    }
    if (t->n_header_rows > 0 && t->n_header_rows < t->n_rows)
        worksheet_freeze_panes(ws, (lxw_row_t)t->n_header_rows, 0);
    free(width);
    return e;
}

/* Writes the index sheet. */
static lxw_error
write_index(lxw_worksheet *ws, formats *f, const ft_table *tables,
            const ft_sheet_info *info, size_t n)
{
    static const char *const head[] = {"sheet", "title", "entity", "unit",
                                       "label", "pages", "rows", "columns",
                                       "header_rows", "checks_passed",
                                       "checks_failed", "status", "note",
                                       "kind"};
    static const double widths[] = {30, 40, 24, 8, 14, 8, 6, 8, 11, 13, 13,
                                    8, 24, 22};
    lxw_format *hf = fmt_for(f, 1, 0, 0, 0, 0);
    lxw_format *nf = fmt_for(f, 0, 0, 1, 0, 0);
    size_t i, k;
    lxw_error e = LXW_NO_ERROR;
    for (k = 0; k < sizeof head / sizeof *head && e == LXW_NO_ERROR; k++) {
        e = worksheet_write_string(ws, 0, (lxw_col_t)k, head[k], hf);
        if (e == LXW_NO_ERROR)
            e = worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k,
                                     widths[k], NULL);
    }
    for (i = 0; i < n && e == LXW_NO_ERROR; i++) {
        const ft_table *t = &tables[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        size_t pass = info[i].passed, fail = info[i].failed;
        char pages[32];
        const char *texts[5];
        if (t->page_first == t->page_last)
            snprintf(pages, sizeof pages, "%d", t->page_first);
        else
            snprintf(pages, sizeof pages, "%d-%d", t->page_first,
                     t->page_last);
        texts[0] = info[i].sheet;
        texts[1] = t->title;
        texts[2] = t->entity;
        texts[3] = t->unit;
        texts[4] = t->label;
        for (k = 0; k < 5 && e == LXW_NO_ERROR; k++) {
            char *s;
            if (!texts[k])
                continue;
            s = clean_copy(texts[k]);
            if (!s)
                return LXW_ERROR_MEMORY_MALLOC_FAILED;
            e = worksheet_write_string(ws, r, (lxw_col_t)k, s, NULL);
            free(s);
        }
        if (e == LXW_NO_ERROR)
            e = worksheet_write_string(ws, r, 5, pages, NULL);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_number(ws, r, 6, t->n_rows, nf);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_number(ws, r, 7, t->n_cols, nf);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_number(ws, r, 8, t->n_header_rows, nf);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_number(ws, r, 9, (double)pass, nf);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_number(ws, r, 10, (double)fail, nf);
        if (e == LXW_NO_ERROR)
            e = worksheet_write_string(ws, r, 11,
                                       fail    ? "fail"
                                       : pass  ? "pass"
                                               : "unchecked",
                                       fail ? fmt_for(f, 0, 1, 0, 0, 0)
                                            : NULL);
        if (e == LXW_NO_ERROR && t->note) {
            char *s = clean_copy(t->note);
            if (!s)
                return LXW_ERROR_MEMORY_MALLOC_FAILED;
            e = worksheet_write_string(ws, r, 12, s, NULL);
            free(s);
        }
        if (e == LXW_NO_ERROR && info[i].kind)
            e = worksheet_write_string(ws, r, 13, info[i].kind, NULL);
    }
    if (e == LXW_NO_ERROR)
        worksheet_freeze_panes(ws, 1, 0);
    return e;
}

/* A workbook being written. */
struct ft_xlsx {
    lxw_workbook *wb;
    formats f;
    lxw_worksheet *index;
    lxw_worksheet **sheets;
    size_t n, cap;
    char *path, *tmp;
    lxw_error e;        /* the first error met */
};

/* The status of a libxlsxwriter result; the first error is kept for
 * close. */
static ft_status
status_of(ft_xlsx *x, lxw_error e)
{
    if (e == LXW_NO_ERROR)
        return FT_OK;
    if (x->e == LXW_NO_ERROR)
        x->e = e;
    return e == LXW_ERROR_MEMORY_MALLOC_FAILED ? FT_ERR_NOMEM : FT_ERR_WRITE;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

const char *
ft_xlsx_reason(const ft_xlsx *x)
{
    return x && x->e != LXW_NO_ERROR ? lxw_strerror(x->e) : "";
}

size_t
ft_strip_controls(char *s)
{
    char *r = s, *w = s;
    size_t n = 0;
    if (!s)
        return 0;
    for (; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            n++;
            continue;
        }
        /* U+FFFE / U+FFFF are not XML characters either */
        if (c == 0xEF && (unsigned char)r[1] == 0xBF &&
            ((unsigned char)r[2] == 0xBE || (unsigned char)r[2] == 0xBF)) {
            r += 2;
            n++;
            continue;
        }
        *w++ = *r;
    }
    *w = 0;
    return n;
}

void
ft_sheet_name(const ft_table *t, size_t i, char *o)
{
    const char *src = t->title ? t->title : "table";
    size_t chars, len;
    int k = snprintf(o, 128, "%02zu ", i + 1);
    len = (size_t)k;
    chars = (size_t)k;
    /* copy whole characters, at most 31 in all and 31 bytes */
    while (*src && chars < 31) {
        unsigned char c = (unsigned char)*src;
        size_t cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (len + cl > 127 || (cl == 4 && chars + 2 > 31))
            break;
        if (c == 0x7F) {
            src++; /* a control character is dropped */
            continue;
        }
        if (c < 0x20 || strchr("[]:*?/\\'", c)) {
            o[len++] = c < 0x20 ? ' ' : '_';
            src++;
            chars++;
            continue;
        }
        memcpy(o + len, src, cl);
        len += cl;
        src += cl;
        chars += cl == 4 ? 2 : 1; /* Excel counts UTF-16 units */
    }
    while (len > 0 && o[len - 1] == ' ')
        len--;
    o[len] = 0;
}

ft_status
ft_xlsx_open(const char *path, ft_xlsx **out, ft_error *err)
{
    lxw_workbook_options opt = {0};
    lxw_doc_properties props;
    ft_xlsx *x = calloc(1, sizeof *x);
    size_t plen = strlen(path);

    *out = NULL;
    if (!x || !(x->path = strdup(path)) || !(x->tmp = malloc(plen + 32))) {
        if (x)
            free(x->path);
        free(x);
        return FT_ERR_NOMEM;
    }
    snprintf(x->tmp, plen + 32, "%s.tmp%ld", path, (long)getpid());
    /* not constant_memory: its per-sheet row array (128 KiB, zeroed when
     * it reuses freed heap) and open temporary file cost more than the
     * cells of a budget table (measured: 38 against 17 MiB on a
     * 180-table document, 35 against 30 MiB on 600 tables) */
    x->wb = workbook_new_opt(x->tmp, &opt);
    if (x->wb)
        x->index = workbook_add_worksheet(x->wb, "index");
    if (!x->wb || !x->index) {
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg, "cannot create %.200s",
                     path);
        }
        ft_xlsx_abort(x);
        return FT_ERR_WRITE;
    }
    memset(&props, 0, sizeof props);
    props.title = "fiscaltab";
    props.author = "fiscaltab";
    props.created = 1704067200; /* fixed: outputs are reproducible */
    workbook_set_properties(x->wb, &props);
    x->f.wb = x->wb;
    *out = x;
    return FT_OK;
}

ft_status
ft_xlsx_add(ft_xlsx *x, const char *sheet, ft_error *err)
{
    lxw_worksheet *ws;
    if (x->n == x->cap) {
        size_t nc = x->cap ? x->cap * 2 : 16;
        lxw_worksheet **v = realloc(x->sheets, nc * sizeof *v);
        if (!v)
            return FT_ERR_NOMEM;
        x->sheets = v;
        x->cap = nc;
    }
    ws = workbook_add_worksheet(x->wb, sheet);
    if (!ws) {
        x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg,
                     "cannot write %.160s: sheet %zu not added", x->path,
                     x->n + 1);
        }
        return FT_ERR_WRITE;
    }
    x->sheets[x->n++] = ws;
    return FT_OK;
}

ft_status
ft_xlsx_table(ft_xlsx *x, size_t i, const ft_table *t,
              const ft_entry *const *fails, size_t n_fails)
{
    lxw_error e;
    if (i >= x->n)
        return FT_ERR_USAGE;
    e = write_table(x->sheets[i], &x->f, t, fails, n_fails);
    return status_of(x, e);
}

ft_status
ft_xlsx_index(ft_xlsx *x, const ft_table *tables, const ft_sheet_info *info,
              size_t n)
{
    return status_of(x, write_index(x->index, &x->f, tables, info, n));
}

ft_status
ft_xlsx_close(ft_xlsx *x, ft_error *err)
{
    lxw_error e;
    /* libxlsxwriter opens the name as it is: make it a file of ours
     * first, so that a link planted there is not written through */
    FILE *own = ft_create_new(x->tmp);
    if (own)
        fclose(own);
    e = workbook_close(x->wb);
    x->wb = NULL;
    if (x->e != LXW_NO_ERROR)
        e = x->e;
    if (e == LXW_NO_ERROR && rename(x->tmp, x->path) != 0)
        e = LXW_ERROR_CREATING_XLSX_FILE;
    if (e != LXW_NO_ERROR && err) {
        err->code = FT_ERR_WRITE;
        snprintf(err->msg, sizeof err->msg, "cannot write %.200s: %s",
                 x->path, lxw_strerror(e));
    }
    ft_xlsx_abort(x);
    return e == LXW_NO_ERROR ? FT_OK : FT_ERR_WRITE;
}

void
ft_xlsx_abort(ft_xlsx *x)
{
    if (!x)
        return;
    if (x->wb) {
        /* libxlsxwriter has no way to drop a workbook unwritten */
        workbook_close(x->wb);
    }
    if (x->tmp)
        remove(x->tmp); /* gone already when it was renamed */
    free(x->sheets);
    free(x->path);
    free(x->tmp);
    free(x);
}
