/*
 * dataset.c - one dataset across many converted PDFs.
 *
 * Each conversion in a batch leaves a fragment (a small TSV of its
 * document, tables and cells); the batch adds fragments to
 * OUT/dataset.sqlite one document per transaction, so a killed batch
 * leaves a consistent database and a rerun completes it, and exports the
 * numeric cells in long format to OUT/dataset.csv.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "write.h"

/*****************************************************************************
 * Private functions
 *****************************************************************************/

static const char *const SCHEMA =
    "PRAGMA journal_mode=DELETE;"
    "CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, path TEXT "
    "UNIQUE, sha256 TEXT, entity TEXT, year INTEGER, kind TEXT, pages "
    "INTEGER);"
    "CREATE TABLE IF NOT EXISTS tables(id INTEGER PRIMARY KEY, document "
    "INTEGER REFERENCES documents(id), number INTEGER, sheet TEXT, title "
    "TEXT, kind TEXT, unit TEXT, pages TEXT);"
    "CREATE TABLE IF NOT EXISTS cells(tab INTEGER REFERENCES tables(id), "
    "row INTEGER, col INTEGER, text TEXT, value REAL, row_label TEXT, "
    "column_label TEXT, code TEXT);"
    "CREATE TABLE IF NOT EXISTS checks(document INTEGER REFERENCES "
    "documents(id), page INTEGER, sheet TEXT, cell TEXT, rule TEXT, status "
    "TEXT, expected REAL, actual REAL, message TEXT);"
    "CREATE INDEX IF NOT EXISTS cells_tab ON cells(tab);"
    "CREATE INDEX IF NOT EXISTS cells_code ON cells(code);";

/* Fills err from the database's message; returns FT_ERR_WRITE. */
static ft_status
db_fail(sqlite3 *db, ft_error *err, const char *what)
{
    if (err) {
        err->code = FT_ERR_WRITE;
        snprintf(err->msg, sizeof err->msg, "%s: %.200s", what,
                 db ? sqlite3_errmsg(db) : "cannot open");
    }
    return FT_ERR_WRITE;
}

/* Writes a field with tabs and line breaks turned into spaces. */
static void
put_field(FILE *fp, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

/* Splits a TSV line in place into at most max fields. */
static int
split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\n")] = 0;
    while (n < max) {
        char *t = strchr(p, '\t');
        f[n++] = p;
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

/* Binds text or NULL when empty. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* Reads "key":"value" (or a number / null) from a JSON line into buf;
 * unescapes \" and \\. Returns 0 when absent or null. */
static int
json_get(const char *line, const char *key, char *buf, size_t size)
{
    char pat[64];
    const char *p;
    size_t n = 0;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(line, pat);
    if (!p)
        return 0;
    p += strlen(pat);
    if (!strncmp(p, "null", 4))
        return 0;
    if (*p == '"') {
        for (p++; *p && *p != '"' && n + 1 < size; p++) {
            if (*p == '\\' && p[1])
                p++;
            buf[n++] = *p;
        }
    } else {
        while (*p && *p != ',' && *p != '}' && n + 1 < size)
            buf[n++] = *p++;
    }
    buf[n] = 0;
    return 1;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

/* Writes v in the fewest significant digits that read back as v:
 * 123456789012.35 stays 123456789012.35 (%.10g made it 123456789000). */
static void
put_exact(FILE *fp, double v)
{
    char buf[48];
    int p;
    if (v == floor(v) && fabs(v) < 1e15) {
        fprintf(fp, "%.0f", v); /* 134229100, not 1.342291e+08 */
        return;
    }
    for (p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strchr(buf, 'e') && fabs(v) >= 1e-4 && fabs(v) < 1e15) {
        int d;
        /* the same digits without an exponent */
        for (d = 0; d <= 17; d++) {
            snprintf(buf, sizeof buf, "%.*f", d, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
    fputs(buf, fp);
}

void
ft_fragment_cells(FILE *body, const ft_dataset_cell *cells, size_t n_cells)
{
    size_t i;
    for (i = 0; i < n_cells; i++) {
        const ft_dataset_cell *c = &cells[i];
        fprintf(body, "C\t%d\t%d\t%d\t", c->table + 1, c->row + 1,
                c->col + 1);
        put_field(body, c->text);
        if (c->has_value) {
            fputc('\t', body);
            put_exact(body, c->value);
            fputc('\t', body);
        } else
            fputs("\t\t", body);
        put_field(body, c->row_label);
        fputc('\t', body);
        put_field(body, c->column_label);
        fputc('\t', body);
        put_field(body, c->code);
        fputc('\n', body);
    }
}

ft_status
ft_write_fragment(const ft_doc_result *doc, const ft_dataset_info *info,
                  FILE *body, const char *path, ft_error *err)
{
    char tmp[4200], buf[8192];
    FILE *fp;
    size_t i, got;
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    fp = ft_create_new(tmp);
    if (!fp) {
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg, "cannot write %.200s",
                     path);
        }
        return FT_ERR_WRITE;
    }
    fputs("D\t", fp);
    put_field(fp, info->entity);
    fprintf(fp, "\t%d\t", info->year);
    put_field(fp, info->kind);
    fprintf(fp, "\t%d\n", doc->pages);
    for (i = 0; i < doc->n_tables; i++) {
        const ft_table *t = &doc->tables[i];
        fprintf(fp, "T\t%zu\t", i + 1);
        put_field(fp, doc->sheets[i]);
        fputc('\t', fp);
        put_field(fp, t->title);
        fputc('\t', fp);
        put_field(fp, doc->kinds ? doc->kinds[i] : "");
        fputc('\t', fp);
        put_field(fp, t->unit);
        fprintf(fp, "\t%d-%d\n", t->page_first, t->page_last);
    }
    /* the cells, written as their tables finished */
    rewind(body);
    while ((got = fread(buf, 1, sizeof buf, body)) > 0)
        fwrite(buf, 1, got, fp);
    if (ferror(body) | ferror(fp) | (fclose(fp) != 0) ||
        rename(tmp, path) != 0) {
        remove(tmp);
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg, "cannot write %.200s",
                     path);
        }
        return FT_ERR_WRITE;
    }
    return FT_OK;
}

int
ft_dataset_has(const char *dbpath, const char *path, const char *sha)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (access(dbpath, F_OK) != 0)
        return 0;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT 1 FROM documents WHERE path=? AND sha256=?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sha, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

ft_status
ft_dataset_add(const char *dbpath, const char *path, const char *sha,
               const char *fragment, const char *logpath, ft_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins_doc = NULL, *ins_tab = NULL, *ins_cell = NULL,
                 *ins_chk = NULL;
    FILE *fp = NULL;
    char *line = NULL;
    size_t line_cap = 0;
    sqlite3_int64 doc_id = 0, *tab_ids = NULL;
    size_t n_tab_ids = 0;
    ft_status st = FT_OK;
    char *f[12];

    if (ft_is_symlink(dbpath)) {
        if (err) {
            err->code = FT_ERR_WRITE;
            snprintf(err->msg, sizeof err->msg,
                     "%.200s is a symbolic link: not followed", dbpath);
        }
        return FT_ERR_WRITE;
    }
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        return db_fail(db, err, "cannot open the dataset");
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        st = db_fail(db, err, "dataset schema");
        goto done;
    }
    {
        /* replace an earlier version of the same document */
        sqlite3_stmt *del;
        static const char *const dels[] = {
            "DELETE FROM cells WHERE tab IN (SELECT t.id FROM tables t JOIN "
            "documents d ON t.document=d.id WHERE d.path=?)",
            "DELETE FROM tables WHERE document IN (SELECT id FROM documents "
            "WHERE path=?)",
            "DELETE FROM checks WHERE document IN (SELECT id FROM documents "
            "WHERE path=?)",
            "DELETE FROM documents WHERE path=?"};
        size_t k;
        for (k = 0; k < 4; k++) {
            if (sqlite3_prepare_v2(db, dels[k], -1, &del, NULL) != SQLITE_OK) {
                st = db_fail(db, err, "dataset delete");
                goto done;
            }
            sqlite3_bind_text(del, 1, path, -1, SQLITE_STATIC);
            sqlite3_step(del);
            sqlite3_finalize(del);
        }
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO documents(path,sha256,entity,year,"
                           "kind,pages) VALUES(?,?,?,?,?,?)",
                           -1, &ins_doc, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO tables(document,number,sheet,title,"
                           "kind,unit,pages) VALUES(?,?,?,?,?,?,?)",
                           -1, &ins_tab, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO cells(tab,row,col,text,value,"
                           "row_label,column_label,code) VALUES(?,?,?,?,?,?,"
                           "?,?)",
                           -1, &ins_cell, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO checks(document,page,sheet,cell,rule,"
                           "status,expected,actual,message) VALUES(?,?,?,?,"
                           "?,?,?,?,?)",
                           -1, &ins_chk, NULL) != SQLITE_OK) {
        st = db_fail(db, err, "dataset statements");
        goto done;
    }
    fp = fopen(fragment, "r");
    if (!fp) {
        st = db_fail(db, err, "cannot read a fragment");
        goto done;
    }
    while (st == FT_OK && getline(&line, &line_cap, fp) > 0) {
        int n = split(line, f, 12);
        if (f[0][0] == 'D' && n >= 5) {
            sqlite3_bind_text(ins_doc, 1, path, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins_doc, 2, sha, -1, SQLITE_STATIC);
            bind_text(ins_doc, 3, f[1]);
            if (atoi(f[2]))
                sqlite3_bind_int(ins_doc, 4, atoi(f[2]));
            else
                sqlite3_bind_null(ins_doc, 4);
            bind_text(ins_doc, 5, f[3]);
            sqlite3_bind_int(ins_doc, 6, atoi(f[4]));
            if (sqlite3_step(ins_doc) != SQLITE_DONE)
                st = db_fail(db, err, "dataset document");
            doc_id = sqlite3_last_insert_rowid(db);
        } else if (f[0][0] == 'T' && n >= 7) {
            int k = atoi(f[1]);
            sqlite3_reset(ins_tab);
            sqlite3_bind_int64(ins_tab, 1, doc_id);
            sqlite3_bind_int(ins_tab, 2, k);
            bind_text(ins_tab, 3, f[2]);
            bind_text(ins_tab, 4, f[3]);
            bind_text(ins_tab, 5, f[4]);
            bind_text(ins_tab, 6, f[5]);
            bind_text(ins_tab, 7, f[6]);
            if (sqlite3_step(ins_tab) != SQLITE_DONE)
                st = db_fail(db, err, "dataset table");
            if (k > 0 && (size_t)k >= n_tab_ids) {
                size_t nn = (size_t)k * 2 + 16;
                sqlite3_int64 *v = realloc(tab_ids, nn * sizeof *v);
                if (!v) {
                    st = FT_ERR_NOMEM;
                    break;
                }
                memset(v + n_tab_ids, 0, (nn - n_tab_ids) * sizeof *v);
                tab_ids = v;
                n_tab_ids = nn;
            }
            if (k > 0)
                tab_ids[k] = sqlite3_last_insert_rowid(db);
        } else if (f[0][0] == 'C' && n >= 9) {
            int k = atoi(f[1]);
            sqlite3_reset(ins_cell);
            sqlite3_bind_int64(ins_cell, 1,
                               k > 0 && (size_t)k < n_tab_ids ? tab_ids[k]
                                                              : 0);
            sqlite3_bind_int(ins_cell, 2, atoi(f[2]));
            sqlite3_bind_int(ins_cell, 3, atoi(f[3]));
            bind_text(ins_cell, 4, f[4]);
            if (*f[5])
                sqlite3_bind_double(ins_cell, 5, strtod(f[5], NULL));
            else
                sqlite3_bind_null(ins_cell, 5);
            bind_text(ins_cell, 6, f[6]);
            bind_text(ins_cell, 7, f[7]);
            bind_text(ins_cell, 8, n > 8 ? f[8] : NULL);
            if (sqlite3_step(ins_cell) != SQLITE_DONE)
                st = db_fail(db, err, "dataset cell");
        }
    }
    fclose(fp);
    fp = logpath ? fopen(logpath, "r") : NULL;
    while (fp && st == FT_OK && getline(&line, &line_cap, fp) > 0) {
        char v[4096];
        if (!strstr(line, "\"kind\":\"check\""))
            continue;
        sqlite3_reset(ins_chk);
        sqlite3_bind_int64(ins_chk, 1, doc_id);
        sqlite3_bind_int(ins_chk, 2, json_get(line, "page", v, sizeof v)
                                         ? atoi(v)
                                         : 0);
        bind_text(ins_chk, 3, json_get(line, "sheet", v, sizeof v) ? v : NULL);
        bind_text(ins_chk, 4, json_get(line, "cell", v, sizeof v) ? v : NULL);
        bind_text(ins_chk, 5, json_get(line, "rule", v, sizeof v) ? v : NULL);
        bind_text(ins_chk, 6, json_get(line, "status", v, sizeof v) ? v
                                                                    : NULL);
        if (json_get(line, "expected", v, sizeof v))
            sqlite3_bind_double(ins_chk, 7, strtod(v, NULL));
        else
            sqlite3_bind_null(ins_chk, 7);
        if (json_get(line, "actual", v, sizeof v))
            sqlite3_bind_double(ins_chk, 8, strtod(v, NULL));
        else
            sqlite3_bind_null(ins_chk, 8);
        bind_text(ins_chk, 9, json_get(line, "message", v, sizeof v) ? v
                                                                     : NULL);
        if (sqlite3_step(ins_chk) != SQLITE_DONE)
            st = db_fail(db, err, "dataset check");
    }
    if (fp)
        fclose(fp);
    if (st == FT_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
                           SQLITE_OK)
        st = db_fail(db, err, "dataset commit");
done:
    free(line);
    free(tab_ids);
    if (st != FT_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(ins_doc);
    sqlite3_finalize(ins_tab);
    sqlite3_finalize(ins_cell);
    sqlite3_finalize(ins_chk);
    sqlite3_close(db);
    return st;
}

ft_status
ft_dataset_csv(const char *dbpath, const char *csvpath, ft_error *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    FILE *fp;
    char tmp[4200];
    ft_status st = FT_OK;
    int k;
    static const char *const head[] = {
        "document", "entity", "year", "doc_kind", "table_title",
        "table_kind", "row_code", "row_label", "column_label", "value",
        "unit", "value_yuan"};

    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "SELECT d.path, d.entity, d.year, d.kind, t.title, t.kind, "
            "c.code, c.row_label, c.column_label, c.value, t.unit, "
            "c.value * CASE t.unit WHEN '万元' THEN 10000 WHEN '萬元' THEN "
            "10000 WHEN '千元' THEN 1000 WHEN '亿元' THEN 100000000 "
            "WHEN '億元' THEN 100000000 WHEN '新臺幣千元' THEN 1000 "
            "WHEN '新台币千元' THEN 1000 WHEN '新臺幣元' THEN 1 "
            "WHEN '元' THEN 1 ELSE NULL END "
            "FROM cells c JOIN tables t ON c.tab=t.id JOIN documents d ON "
            "t.document=d.id WHERE c.value IS NOT NULL "
            "ORDER BY d.path, t.number, c.row, c.col",
            -1, &q, NULL) != SQLITE_OK) {
        st = db_fail(db, err, "dataset export");
        sqlite3_close(db);
        return st;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", csvpath, (long)getpid());
    fp = ft_create_new(tmp);
    if (!fp) {
        sqlite3_finalize(q);
        sqlite3_close(db);
        return db_fail(NULL, err, "cannot write dataset.csv");
    }
    fputs("\xEF\xBB\xBF", fp);
    for (k = 0; k < 12; k++)
        fprintf(fp, "%s%s", k ? "," : "", head[k]);
    fputs("\r\n", fp);
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (k = 0; k < 12; k++) {
            const char *s = (const char *)sqlite3_column_text(q, k);
            if (k)
                fputc(',', fp);
            if (!s)
                continue;
            if (sqlite3_column_type(q, k) == SQLITE_FLOAT)
                put_exact(fp, sqlite3_column_double(q, k));
            else if (sqlite3_column_type(q, k) == SQLITE_INTEGER)
                fputs(s, fp);
            else
                ft_csv_text(fp, s); /* quoted, and no formula */
        }
        fputs("\r\n", fp);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (ferror(fp) | (fclose(fp) != 0) || rename(tmp, csvpath) != 0) {
        remove(tmp);
        return db_fail(NULL, err, "cannot write dataset.csv");
    }
    return FT_OK;
}
