/*
 * document.c - every page of a document through extraction: glyphs,
 * layout, rules (only where the text suggests a table), regions, grids,
 * and stitching across page breaks. A page that cannot be read is
 * logged and skipped; the other pages still convert. Pages are read and
 * released one at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"

/* Monotonic seconds, for the stage timings of ft_extract_stats. */
static double
seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/*
 * One page through extraction: glyphs, layout, rules when the text looks
 * tabular, tables. Problems are logged. On return *page holds the glyphs
 * and rules (clear it) and *found the page's tables.
 */
/* 1 when line ln lies in a table of found. */
static int
in_a_table(const ft_line *ln, const ft_table_list *found)
{
    double cy = (ln->box.y0 + ln->box.y1) / 2;
    size_t k;
    for (k = 0; k < found->n; k++) {
        const ft_box *b = &found->items[k].box;
        if (found->items[k].n_rows > 0 && cy >= b->y0 - 2 &&
            cy <= b->y1 + 2 && ln->box.x0 < b->x1 && ln->box.x1 > b->x0)
            return 1;
    }
    return 0;
}

/* Says so when lines that read as rows of a table (ft_line_of_figures)
 * are in no table of the page: rows no sheet holds. One entry a page,
 * quoting the first such line. */
static ft_status
log_stray_rows(const ft_layout *L, const ft_table_list *found, int page,
               ft_log *log)
{
    size_t i, j, n = 0, first = 0;
    char line[240] = "", msg[400];
    for (i = 0; i < L->n_lines; i++)
        if (ft_line_of_figures(L, i) && !in_a_table(&L->lines[i], found) &&
            n++ == 0)
            first = i;
    if (n == 0)
        return FT_OK;
    for (j = 0; j < L->lines[first].ns; j++) {
        size_t len = strlen(line);
        snprintf(line + len, sizeof line - len, "%s%s", j ? " " : "",
                 L->segs[L->lines[first].s0 + j].text);
    }
    snprintf(msg, sizeof msg,
             "%zu line%s of figures in no table, so in no sheet: \"%.200s\"%s",
             n, n > 1 ? "s" : "", line, n > 1 ? " and more" : "");
    return ft_log_add(log, page, -1, -1, -1, "extract", "rows_outside_tables",
                      FT_FAIL, NULL, NULL, msg);
}

/*
 * Appends the page's lines that lie outside every table of found (and
 * are not their titles' lines) to prose as one text. Returns FT_ERR_NOMEM
 * on failure.
 */
static ft_status
collect_prose(const ft_layout *L, const ft_table_list *found, int page,
              ft_prose_list *prose)
{
    size_t i, j, len = 0, cap = 256;
    char *text = malloc(cap);
    if (!text)
        return FT_ERR_NOMEM;
    text[0] = 0;
    for (i = 0; i < L->n_lines; i++) {
        const ft_line *ln = &L->lines[i];
        if (in_a_table(ln, found))
            continue;
        for (j = 0; j < ln->ns; j++) {
            const char *t = L->segs[ln->s0 + j].text;
            size_t n = strlen(t);
            if (len + n + 3 > cap) {
                char *nt;
                while (len + n + 3 > cap)
                    cap *= 2;
                nt = realloc(text, cap);
                if (!nt) {
                    free(text);
                    return FT_ERR_NOMEM;
                }
                text = nt;
            }
            if (j > 0)
                text[len++] = ' ';
            memcpy(text + len, t, n + 1);
            len += n;
        }
        text[len++] = '\n';
        text[len] = 0;
    }
    if (len == 0) {
        free(text);
        return FT_OK;
    }
    if (prose->n == prose->cap) {
        size_t c = prose->cap ? prose->cap * 2 : 16;
        ft_prose *v = realloc(prose->items, c * sizeof *v);
        if (!v) {
            free(text);
            return FT_ERR_NOMEM;
        }
        prose->items = v;
        prose->cap = c;
    }
    prose->items[prose->n].page = page;
    prose->items[prose->n].text = text;
    prose->n++;
    return FT_OK;
}

/* Which way a page's text mostly runs: 1 bottom to top (a table printed
 * sideways on an upright page, no /Rotate, as a landscape table on a
 * portrait page is), -1 top to bottom (turned the other way, or set in
 * vertical lines), 0 left to right. */
static int
text_direction(const ft_page *page)
{
    size_t i, up = 0, down = 0;
    if (page->ocr || page->n_glyphs < 20)
        return 0;
    for (i = 0; i < page->n_glyphs; i++) {
        up += page->glyphs[i].up != 0;
        if (i + 1 < page->n_glyphs &&
            ft_glyph_stacked(&page->glyphs[i].box, &page->glyphs[i + 1].box,
                             -1))
            down++;
    }
    if (up * 10 >= page->n_glyphs * 6)
        return 1;
    if (down * 10 >= page->n_glyphs * 6)
        return -1;
    return 0;
}

/* Box b turned a quarter on a page w by h: right (dir 1), so that what
 * ran bottom to top runs left to right, or left (dir -1), for what ran
 * top to bottom. */
static ft_box
turn_box(ft_box b, double w, double h, int dir)
{
    ft_box t;
    if (dir > 0) {
        t.x0 = h - b.y1;
        t.x1 = h - b.y0;
        t.y0 = b.x0;
        t.y1 = b.x1;
    } else {
        t.x0 = b.y0;
        t.x1 = b.y1;
        t.y0 = w - b.x1;
        t.y1 = w - b.x0;
    }
    return t;
}

/* Turns the page's glyphs a quarter (text_direction); its rules are
 * turned when they are read (turn_rules). */
static void
turn_glyphs(ft_page *page, int dir)
{
    size_t i;
    double w = page->width;
    for (i = 0; i < page->n_glyphs; i++) {
        page->glyphs[i].box =
            turn_box(page->glyphs[i].box, page->width, page->height, dir);
        page->glyphs[i].up = 0;
    }
    page->width = page->height;
    page->height = w;
    page->turned = dir;
}

/* Turns the rules of a turned page as its glyphs were; width and
 * height are the page's turned ones. */
static void
turn_rules(ft_page *page)
{
    size_t i;
    double h = page->width, w = page->height; /* the upright page's */
    for (i = 0; i < page->n_rules; i++) {
        ft_rule *r = &page->rules[i];
        double a = r->a, b = r->b;
        if (page->turned > 0 && r->dir == 'v') { /* x = pos, y a..b */
            r->dir = 'h';
            r->a = h - b;
            r->b = h - a;
        } else if (page->turned > 0) { /* y = pos, x a..b */
            r->dir = 'v';
            r->pos = h - r->pos;
        } else if (r->dir == 'v') {
            r->dir = 'h';
            r->pos = w - r->pos;
        } else {
            r->dir = 'v';
            r->a = w - b;
            r->b = w - a;
        }
    }
}

/* Reads the rules of a page; a turned page is upright while poppler
 * reads it, and its rules are turned after. */
static ft_status
page_rules(ft_doc *doc, ft_page *page, ft_error *err)
{
    ft_status st;
    double w = page->width;
    if (page->turned) {
        page->width = page->height;
        page->height = w;
    }
    st = ft_doc_page_rules(doc, page, err);
    if (page->turned) {
        page->height = page->width;
        page->width = w;
        turn_rules(page);
    }
    return st;
}

/* A page printing fewer characters than this is not judged garbled. */
#define FT_GARBLED_MIN_CHARS 20
/* Blocks of 128 code points told apart when judging a page garbled. */
#define FT_GARBLED_BLOCKS 64
/* A real script of its own (Hebrew, Thai) puts at least this share of
 * the uncommon characters in one block; glyph numbers scatter. */
#define FT_GARBLED_ONE_BLOCK 0.7
/* A page this share of whose characters map to nothing (U+FFFD, private
 * use) is garbled however they fall. */
#define FT_GARBLED_LOST_SHARE 0.1
/* Once a page of the document was garbled, a page with this many
 * uncommon characters is too (its fonts are the same). */
#define FT_GARBLED_AFTER 2
/* A page with this share of characters that do not decode is garbled:
 * real pages of the corpus stay under 0.03, a font without ToUnicode
 * gives 0.2 and more. */
#define FT_GARBLED_SHARE 0.1

/* 1 when code point c is of the scripts and signs documents of this
 * kind are written in: Latin, Greek, Cyrillic, general punctuation,
 * arrows, circled numbers, CJK symbols, Kana, the common CJK
 * ideographs, Hangul, full-width forms. A font with no usable ToUnicode
 * map gives glyph numbers read as code points, which fall everywhere
 * else too: CJK Extension A, Yi, Braille, dingbats, control pictures,
 * Lao, private use, U+FFFD. */
static int
common_code_point(uint32_t c)
{
    return c < 0x250 || (c >= 0x370 && c < 0x530) ||
           (c >= 0x2000 && c < 0x2070) || (c >= 0x2190 && c < 0x2200) ||
           (c >= 0x2460 && c < 0x2500) || (c >= 0x25A0 && c < 0x2600) ||
           (c >= 0x3000 && c < 0x3100) || (c >= 0x4E00 && c < 0xA000) ||
           (c >= 0xAC00 && c < 0xD7B0) || (c >= 0xFF00 && c < 0xFFF0);
}

/* 1 when the page's text does not decode: FT_GARBLED_SHARE of its
 * printed characters are not common_code_point, scattered over blocks of
 * code points (no one block holds seven in ten of them) or maps to
 * nothing (U+FFFD, private use: a tenth of the page); once a page of the
 * document was so (its fonts are the next pages' too), two such
 * characters on a page of few are enough (a font without ToUnicode maps
 * many glyphs to ASCII digits: "332 13 12" and a 亻 or a ␛). *share gets
 * the share. */
int
ft_page_undecodable(const ft_page *page, int seen_before, double *share)
{
    size_t i, k, n = 0, bad = 0, lost = 0, top = 0;
    uint32_t blocks[FT_GARBLED_BLOCKS];
    size_t counts[FT_GARBLED_BLOCKS], nb = 0;
    for (i = 0; i < page->n_glyphs; i++) {
        uint32_t c = page->glyphs[i].cp;
        if (c <= 0x20 || ft_is_space(c))
            continue;
        if (i > 0 && page->glyphs[i - 1].cp == c && !common_code_point(c))
            continue; /* a run of one mark (leaders that map to nothing) */
        n++;
        if (common_code_point(c))
            continue;
        bad++;
        /* U+FFFD and private use: a glyph that maps to nothing */
        lost += c == 0xFFFD || (c >= 0xE000 && c < 0xF900);
        for (k = 0; k < nb && blocks[k] != c >> 7; k++)
            ;
        if (k == nb && nb < FT_GARBLED_BLOCKS) {
            blocks[nb] = c >> 7;
            counts[nb++] = 0;
        }
        if (k < nb)
            counts[k]++;
    }
    for (k = 0; k < nb; k++)
        top = counts[k] > top ? counts[k] : top;
    *share = n ? (double)bad / (double)n : 0;
    if (seen_before)
        return bad >= FT_GARBLED_AFTER;
    /* a script of its own (Hebrew, Thai) keeps to one block of code
     * points; glyph numbers read as code points scatter over many */
    return n >= FT_GARBLED_MIN_CHARS && *share >= FT_GARBLED_SHARE &&
           ((double)top < FT_GARBLED_ONE_BLOCK * (double)bad ||
            (double)lost >= FT_GARBLED_LOST_SHARE * (double)n);
}

static ft_status
extract_page(ft_doc *doc, int p, ft_page *page, ft_table_list *found,
             ft_log *log, ft_prose_list *prose, ft_extract_stats *stats)
{
    ft_status st;
    ft_error err = {FT_OK, ""};
    ft_layout layout;
    char msg[400], dbl[80] = "";
    int dir, garbled;
    double share;

    double t0;

    memset(&layout, 0, sizeof layout);
    stats->pages++;
    t0 = seconds_now();
    st = ft_doc_page_glyphs(doc, p, page, &err);
    stats->t_read += seconds_now() - t0;
    if (st != FT_OK) {
        if (st == FT_ERR_NOMEM)
            return st;
        snprintf(msg, sizeof msg, "page skipped: %s", err.msg);
        stats->pages_failed++;
        return ft_log_add(log, p, -1, -1, -1, "extract", "page_unreadable",
                          FT_FAIL, NULL, NULL, msg);
    }
    garbled = ft_page_undecodable(page, stats->pages_garbled > 0, &share);
    if (garbled) {
        stats->pages_garbled++;
        /* a font without a usable ToUnicode map: the text is glyph
         * numbers; what the page shows is read from its picture */
        snprintf(msg, sizeof msg,
                 "%.0f%% of its characters do not decode (a font "
                 "without a usable ToUnicode map)%s",
                 100 * share,
                 ft_doc_ocr_mode(doc) == FT_OCR_NEVER
                     ? "; not read by OCR (--ocr never): nothing extracted"
                     : ": read by OCR instead");
        st = ft_log_add(log, p, -1, -1, -1, "extract", "undecodable_text",
                        ft_doc_ocr_mode(doc) == FT_OCR_NEVER ? FT_FAIL
                                                             : FT_INFO,
                        NULL, NULL, msg);
        if (st != FT_OK || ft_doc_ocr_mode(doc) == FT_OCR_NEVER) {
            page->n_glyphs = 0; /* garbled text is never a table */
            if (st == FT_OK)
                stats->pages_failed++;
            return st;
        }
    }
    if ((page->n_glyphs == 0 && ft_doc_ocr_mode(doc) == FT_OCR_AUTO &&
         ft_doc_page_is_image(doc, p)) ||
        ft_doc_ocr_mode(doc) == FT_OCR_ALWAYS || garbled) {
        /* a scan: read the picture */
        t0 = seconds_now();
        st = ft_doc_page_ocr(doc, page, &err);
        stats->t_read += seconds_now() - t0;
        if (st == FT_ERR_NOMEM)
            return st;
        if (st != FT_OK) {
            snprintf(msg, sizeof msg,
                     garbled
                         ? "page %d's text does not decode and it was not "
                           "read by OCR either: %s; nothing extracted"
                         : "page %d is a picture and was not read: %s",
                     p, err.msg);
            stats->pages_failed++;
            page->n_glyphs = 0;
            return ft_log_add(log, p, -1, -1, -1, "extract",
                              ft_ocr_available() ? "ocr_failed"
                                                 : "ocr_unavailable",
                              FT_FAIL, NULL, NULL, msg);
        }
        stats->pages_ocr++;
        if (page->ocr_undoubled > 0)
            snprintf(dbl, sizeof dbl,
                     "; %d runs of text drawn twice (fake bold) read once",
                     page->ocr_undoubled);
        snprintf(msg, sizeof msg,
                 "page %d read by OCR (%s): %zu characters, %zu rules, "
                 "mean confidence %.0f%%, skew %.2f degrees corrected%s",
                 p, ft_ocr_version(), page->n_glyphs, page->n_rules,
                 page->ocr_mean, page->ocr_skew, dbl);
        st = ft_log_add(log, p, -1, -1, -1, "extract", "ocr", FT_INFO, NULL,
                        NULL, msg);
        if (st == FT_OK && page->n_glyphs > 0 && page->ocr_mean < 60) {
            snprintf(msg, sizeof msg,
                     "page %d read poorly by OCR (mean confidence %.0f%%): "
                     "check its tables by eye",
                     p, page->ocr_mean);
            st = ft_log_add(log, p, -1, -1, -1, "extract", "ocr_poor",
                            FT_FAIL, &(double){60}, &page->ocr_mean, msg);
        }
        if (st != FT_OK)
            return st;
    }
    if (page->n_glyphs == 0)
        return ft_log_add(log, p, -1, -1, -1, "extract", "no_text_layer",
                          FT_INFO, NULL, NULL,
                          "no text layer (a scanned or blank page): "
                          "nothing extracted");
    if (page->text_capped) {
        snprintf(msg, sizeof msg, "text may be incomplete: poppler keeps "
                 "only %d characters smaller than 3 pt on a page",
                 FT_POPPLER_TINY_CAP);
        st = ft_log_add(log, p, -1, -1, -1, "extract", "text_capped",
                        FT_FAIL, NULL, NULL, msg);
        if (st != FT_OK)
            return st;
    }
    if (page->n_duplicates > 0) {
        snprintf(msg, sizeof msg,
                 "%zu duplicate glyphs (fake bold, drawn twice) dropped",
                 page->n_duplicates);
        st = ft_log_add(log, p, -1, -1, -1, "extract", "fake_bold", FT_INFO,
                        NULL, NULL, msg);
        stats->duplicates += page->n_duplicates;
    }
    dir = st == FT_OK ? text_direction(page) : 0;
    if (dir) {
        turn_glyphs(page, dir);
        st = ft_log_add(log, p, -1, -1, -1, "extract", "page_turned",
                        FT_INFO, NULL, NULL,
                        dir > 0 ? "its text runs bottom to top (printed "
                                  "sideways): read turned a quarter right"
                                : "its text runs top to bottom (printed "
                                  "sideways): read turned a quarter left");
    }
    if (st == FT_OK)
        st = ft_layout_build(page, &layout);
    if (st == FT_OK && !page->ocr &&
        ft_layout_maybe_table(&layout, page->width)) {
        t0 = seconds_now();
        st = page_rules(doc, page, &err);
        stats->t_read += seconds_now() - t0;
        if (st != FT_OK && st != FT_ERR_NOMEM) {
            /* no rules: the grid comes from text alignment alone */
            snprintf(msg, sizeof msg, "rules not read: %s", err.msg);
            st = ft_log_add(log, p, -1, -1, -1, "extract", "no_rules",
                            FT_INFO, NULL, NULL, msg);
        } else if (st == FT_OK && page->render_limited) {
            st = ft_log_add(log, p, -1, -1, -1, "extract", "render_limit",
                            FT_INFO, NULL, NULL,
                            "page too large to render at 72 dpi: rules read "
                            "from a smaller render");
        }
        if (st == FT_OK && page->n_rules > 0) {
            ft_layout_clear(&layout);
            st = ft_layout_build(page, &layout);
        }
    }
    if (st == FT_OK)
        st = ft_page_tables(page, &layout, ft_doc_settings(doc), found);
    if (st == FT_OK && page->ocr) {
        t0 = seconds_now();
        st = ft_doc_page_reread(doc, page, found);
        stats->t_read += seconds_now() - t0;
    }
    if (st == FT_OK && !page->ocr)
        st = log_stray_rows(&layout, found, p, log);
    if (st == FT_OK && prose)
        st = collect_prose(&layout, found, p, prose);
    ft_layout_clear(&layout);
    return st;
}


/* Facing pages (Taiwanese budget books print one table across a
 * spread): the left half's title runs on into the right half's, and only
 * the right half prints the unit. a is complete, b has all its rows. */
static ft_status
join_facing(ft_table *a, ft_table *b)
{
    char *joined;
    size_t la, lb;
    if (a->unit || !b->unit || !a->title || !b->title ||
        b->page_first != a->page_last + 1 ||
        a->n_rows - a->n_header_rows != b->n_rows - b->n_header_rows ||
        strstr(a->title, "表"))
        return FT_OK;
    la = strlen(a->title);
    lb = strlen(b->title);
    joined = malloc(la + lb + 1);
    a->unit = strdup(b->unit);
    if (!joined || !a->unit) {
        free(joined);
        return FT_ERR_NOMEM;
    }
    memcpy(joined, a->title, la);
    memcpy(joined + la, b->title, lb + 1);
    free(a->title);
    a->title = joined;
    free(b->title);
    b->title = strdup(joined);
    return b->title ? FT_OK : FT_ERR_NOMEM;
}

/* Hands the first table of the window to the sink and drops it from the
 * window. */
static ft_status
emit_first(ft_table_list *w, ft_table_sink sink, void *ctx)
{
    ft_table t = w->items[0];
    ft_status st;
    memmove(w->items, w->items + 1, (w->n - 1) * sizeof *w->items);
    w->n--;
    st = sink(ctx, &t);
    ft_table_clear(&t);
    return st;
}

/* Collects the tables a sink is given, for ft_doc_extract. */
static ft_status
collect(void *ctx, ft_table *t)
{
    ft_status st = ft_table_list_push(ctx, t);
    if (st == FT_OK)
        memset(t, 0, sizeof *t);
    return st;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_status
ft_doc_extract_each(ft_doc *doc, int first, int last, ft_table_sink sink,
                    void *ctx, ft_log *log, ft_prose_list *prose,
                    ft_extract_stats *stats)
{
    ft_status st = FT_OK;
    ft_table_list w = {0}; /* tables not yet handed on: the last two */
    size_t joined = 0;     /* w.items[0..joined) were joined with the next */
    int p;

    memset(stats, 0, sizeof *stats);
    for (p = first; p <= last && st == FT_OK; p++) {
        ft_page page;
        ft_table_list found = {0};
        double t0 = seconds_now(), t1;
        if (ft_doc_deadline(doc) > 0 && t0 > ft_doc_deadline(doc)) {
            /* the run's time is up: say which pages were not read */
            char msg[200];
            snprintf(msg, sizeof msg,
                     "the run's time budget (--timeout) ran out: pages %d-%d "
                     "not read",
                     p, last);
            stats->pages_failed += last - p + 1;
            st = ft_log_add(log, p, -1, -1, -1, "extract", "timeout",
                            FT_FAIL, NULL, NULL, msg);
            break;
        }
        memset(&page, 0, sizeof page);
        st = extract_page(doc, p, &page, &found, log, prose, stats);
        if (st == FT_OK)
            st = ft_tables_stitch(&w, &found);
        ft_table_list_clear(&found);
        ft_page_clear(&page);
        /* only the last table can still grow: a table is joined with
         * its facing page once that one is whole (not last), and handed
         * on once joined */
        while (st == FT_OK && w.n >= 3 && joined < w.n - 2) {
            st = join_facing(&w.items[joined], &w.items[joined + 1]);
            joined++;
        }
        t1 = seconds_now();
        stats->t_tables += t1 - t0; /* the reading is taken out below */
        while (st == FT_OK && joined >= 1) {
            st = emit_first(&w, sink, ctx);
            joined--;
        }
    }
    stats->t_tables -= stats->t_read;

    /* a title on the last page with no table after it */
    while (w.n > 0 && w.items[w.n - 1].n_rows == 0) {
        ft_table_clear(&w.items[w.n - 1]);
        w.n--;
    }
    if (joined > w.n)
        joined = w.n;
    while (st == FT_OK && w.n >= 2 && joined < w.n - 1) {
        st = join_facing(&w.items[joined], &w.items[joined + 1]);
        joined++;
    }
    while (st == FT_OK && w.n > 0)
        st = emit_first(&w, sink, ctx);
    ft_table_list_clear(&w);
    return st;
}

ft_status
ft_doc_extract(ft_doc *doc, int first, int last, ft_table_list *tables,
               ft_log *log, ft_prose_list *prose, ft_extract_stats *stats)
{
    return ft_doc_extract_each(doc, first, last, collect, tables, log, prose,
                               stats);
}

ft_status
ft_doc_inspect(ft_doc *doc, int number, const char *png, double scale,
               ft_table_list *tables, ft_log *log, ft_error *err)
{
    ft_page page;
    ft_extract_stats stats = {0};
    ft_status st;

    memset(&page, 0, sizeof page);
    st = extract_page(doc, number, &page, tables, log, NULL, &stats);
    if (st == FT_OK && png)
        st = ft_doc_draw_page(doc, &page, tables, png, scale, err);
    ft_page_clear(&page);
    return st;
}
