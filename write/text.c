/*
 * text.c - the CSV files and the JSON-lines log.
 *
 * CSV: UTF-8 with a byte-order mark (Excel needs it, pandas skips it),
 * RFC 4180 quoting, numbers as plain values, and text that a spreadsheet
 * would take for a formula prefixed with an apostrophe.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "write.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Fills err and returns FT_ERR_WRITE. */
static ft_status
write_fail(ft_error *err, const char *path)
{
    if (err) {
        err->code = FT_ERR_WRITE;
        int e = errno;
        size_t n = strlen(path);
        /* keep the end of a long path: it names the file */
        const char *tail = n > 160 ? path + n - 160 : path;
        snprintf(err->msg, sizeof err->msg, "cannot write %.160s: %.80s",
                 tail, strerror(e));
    }
    return FT_ERR_WRITE;
}

/* Writes a number with its printed precision, no separators. */
static void
put_number(FILE *fp, const ft_cell *c)
{
    int d = c->decimals + (c->percent ? 2 : 0);
    if (d > 12)
        d = 12;
    if (c->text && c->text[0] == '+')
        fputc('+', fp); /* a printed change keeps its sign: "+3" */
    fprintf(fp, "%.*f", d, c->value);
}

/* Writes one CSV field of text: quoted when it must be, and with an
 * apostrophe before what a spreadsheet would run as a formula (= + - @,
 * a tab or a CR first; a lone "-" is a blank). */
void
ft_csv_text(FILE *fp, const char *s)
{
    int quote = strpbrk(s, ",\"\n\r") != NULL;
    int guard = (s[0] && strchr("=+@\t\r", s[0]) != NULL) ||
                (s[0] == '-' && s[1]);
    if (!s[0])
        return;
    if (quote)
        fputc('"', fp);
    if (guard)
        fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    if (quote)
        fputc('"', fp);
}

void
ft_put_json(FILE *fp, const char *s)
{
    fputc('"', fp);
    while (s && *s) {
        unsigned char c = (unsigned char)*s;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", fp);
        else if (c == '\t')
            fputs("\\t", fp);
        else if (c < 0x20)
            fprintf(fp, "\\u%04x", c);
        else if (c < 0x80)
            fputc(c, fp);
        else {
            /* a byte that is no UTF-8 (a file name in another
             * encoding) becomes U+FFFD: the line stays valid JSON */
            n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
            if (n <= 0) {
                fputs("\\ufffd", fp);
            } else {
                fwrite(s, 1, (size_t)n, fp);
                s += n;
                continue;
            }
        }
        s++;
    }
    fputc('"', fp);
}

/* Writes a double as JSON (null for non-finite). */
static void
put_json_number(FILE *fp, double v)
{
    if (!isfinite(v)) {
        fputs("null", fp);
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15)
        fprintf(fp, "%.0f", v);
    else {
        char buf[64];
        int p;
        /* shortest of up to 15 significant digits that round-trips */
        for (p = 1; p <= 17; p++) {
            snprintf(buf, sizeof buf, "%.*g", p, v);
            if (strtod(buf, NULL) == v || p == 15)
                break;
        }
        fputs(buf, fp);
    }
}

/* A file-name-safe copy of a title (no / \ : * ? " < > | or controls),
 * at most max bytes of whole characters. */
static void
safe_name(const char *s, char *out, size_t max)
{
    size_t n = 0;
    while (s && *s && n + 4 < max) {
        unsigned char c = (unsigned char)*s;
        size_t cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (c < 0x20 || strchr("/\\:*?\"<>|", c) || (n == 0 && c == '.')) {
            out[n++] = '_';
            s++;
            continue;
        }
        memcpy(out + n, s, cl);
        n += cl;
        s += cl;
    }
    out[n] = 0;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

/* CSV files being written into a temporary directory. */
struct ft_csvw {
    char *dir, *tmp;
};

ft_status
ft_csvw_open(const char *dir, ft_csvw **out, ft_error *err)
{
    ft_csvw *w = calloc(1, sizeof *w);
    size_t n = strlen(dir) + 32;
    *out = NULL;
    if (!w || !(w->dir = strdup(dir)) || !(w->tmp = malloc(n))) {
        if (w)
            free(w->dir);
        free(w);
        return FT_ERR_NOMEM;
    }
    snprintf(w->tmp, n, "%s.tmp%ld", dir, (long)getpid());
    ft_remove_tree(w->tmp);
    if (mkdir(w->tmp, 0777) != 0) {
        ft_status st = write_fail(err, dir);
        free(w->tmp);
        w->tmp = NULL;
        ft_csvw_abort(w);
        return st;
    }
    *out = w;
    return FT_OK;
}

ft_status
ft_csvw_table(ft_csvw *w, size_t i, const ft_table *t, ft_error *err)
{
    char path[4352], name[200];
    FILE *fp;
    int r, c;
    safe_name(t->title ? t->title : "table", name, sizeof name);
    snprintf(path, sizeof path, "%s/%02zu-%s.csv", w->tmp, i + 1, name);
    fp = ft_create_new(path);
    if (!fp)
        return write_fail(err, path);
    fputs("\xEF\xBB\xBF", fp);
    for (r = 0; r < t->n_rows; r++) {
        for (c = 0; c < t->n_cols; c++) {
            const ft_cell *cell = FT_CELL(t, r, c);
            if (c)
                fputc(',', fp);
            if (cell->covered || !cell->text)
                continue;
            if (cell->kind == FT_CELL_NUMBER)
                put_number(fp, cell);
            else {
                char *s = strdup(cell->text);
                if (!s) {
                    fclose(fp);
                    return FT_ERR_NOMEM;
                }
                ft_strip_controls(s);
                ft_csv_text(fp, s);
                free(s);
            }
        }
        fputs("\r\n", fp);
    }
    if (ferror(fp) | (fclose(fp) != 0))
        return write_fail(err, path);
    return FT_OK;
}

ft_status
ft_csvw_close(ft_csvw *w, ft_error *err)
{
    const char *dir = w->dir;
    char old[4096];
    ft_status st = FT_OK;
    snprintf(old, sizeof old, "%s.old%ld", dir, (long)getpid());
    if (ft_is_symlink(dir)) {
        /* never replaced, never emptied: it points outside */
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg,
                     "%.200s is a symbolic link: not followed, not replaced",
                     dir);
        }
        ft_csvw_abort(w);
        return FT_ERR_WRITE;
    }
    /* swap the finished directory into place; a directory of that name
     * holding anything but our CSVs is the user's, and is left alone */
    {
        DIR *d = opendir(dir);
        struct dirent *de;
        int foreign = 0;
        if (d) {
            while ((de = readdir(d)) != NULL) {
                const char *n = de->d_name;
                size_t len = strlen(n);
                if (!strcmp(n, ".") || !strcmp(n, ".."))
                    continue;
                if (!(n[0] >= '0' && n[0] <= '9' && n[1] >= '0' &&
                      n[1] <= '9' && n[2] == '-' && len > 4 &&
                      !strcmp(n + len - 4, ".csv")))
                    foreign = 1;
            }
            closedir(d);
        }
        if (foreign) {
            if (err) {
                err->code = FT_ERR_WRITE;
                snprintf(err->msg, sizeof err->msg,
                         "%.200s exists and holds other files: not "
                         "replaced",
                         dir);
            }
            ft_csvw_abort(w);
            return FT_ERR_WRITE;
        }
    }
    ft_remove_tree(old);
    if (rename(dir, old) != 0 && errno != ENOENT) {
        st = write_fail(err, dir);
    } else if (rename(w->tmp, dir) != 0) {
        rename(old, dir);
        st = write_fail(err, dir);
    }
    ft_remove_tree(old);
    ft_csvw_abort(w); /* the temporary is gone when it was renamed */
    return st;
}

void
ft_csvw_abort(ft_csvw *w)
{
    if (!w)
        return;
    if (w->tmp)
        ft_remove_tree(w->tmp);
    free(w->tmp);
    free(w->dir);
    free(w);
}

/* A log being written as JSON lines to a temporary name. */
struct ft_logw {
    FILE *fp;
    char *path, *tmp, *file;
};

ft_status
ft_logw_open(const char *path, const char *file, ft_logw **out,
             ft_error *err)
{
    ft_logw *w = calloc(1, sizeof *w);
    size_t n = strlen(path) + 32;
    *out = NULL;
    if (!w || !(w->path = strdup(path)) || !(w->file = strdup(file)) ||
        !(w->tmp = malloc(n))) {
        if (w) {
            free(w->path);
            free(w->file);
        }
        free(w);
        return FT_ERR_NOMEM;
    }
    snprintf(w->tmp, n, "%s.tmp%ld", path, (long)getpid());
    w->fp = ft_create_new(w->tmp);
    if (!w->fp) {
        ft_status st = write_fail(err, path);
        ft_logw_abort(w);
        return st;
    }
    *out = w;
    return FT_OK;
}

void
ft_logw_put(ft_logw *w, const ft_entry *e, const char *sheet)
{
    static const char *const st[] = {"pass", "fail", "info"};
    FILE *fp = w->fp;
    char cell[16];
    fputs("{\"file\":", fp);
    ft_put_json(fp, w->file);
    fprintf(fp, ",\"page\":%d,\"table\":", e->page);
    if (e->table >= 0 && sheet) {
        fprintf(fp, "%d,\"sheet\":", e->table + 1);
        ft_put_json(fp, sheet);
    } else {
        fputs("null,\"sheet\":null", fp);
    }
    fputs(",\"cell\":", fp);
    if (e->row >= 0 && e->col >= 0) {
        ft_cell_name(e->row, e->col, cell);
        ft_put_json(fp, cell);
    } else {
        fputs("null", fp);
    }
    fputs(",\"kind\":", fp);
    ft_put_json(fp, e->kind);
    fputs(",\"rule\":", fp);
    ft_put_json(fp, e->rule);
    fprintf(fp, ",\"status\":\"%s\",\"expected\":", st[e->status]);
    if (e->has_values)
        put_json_number(fp, e->expected);
    else
        fputs("null", fp);
    fputs(",\"actual\":", fp);
    if (e->has_values)
        put_json_number(fp, e->actual);
    else
        fputs("null", fp);
    fputs(",\"message\":", fp);
    ft_put_json(fp, e->message);
    fputs("}\n", fp);
}

ft_status
ft_logw_close(ft_logw *w, ft_error *err)
{
    ft_status st = FT_OK;
    FILE *fp = w->fp;
    w->fp = NULL;
    if (ferror(fp) | (fclose(fp) != 0) || rename(w->tmp, w->path) != 0)
        st = write_fail(err, w->path);
    ft_logw_abort(w);
    return st;
}

void
ft_logw_abort(ft_logw *w)
{
    if (!w)
        return;
    if (w->fp)
        fclose(w->fp);
    if (w->tmp)
        remove(w->tmp); /* gone already when it was renamed */
    free(w->tmp);
    free(w->path);
    free(w->file);
    free(w);
}
