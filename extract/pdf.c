/*
 * pdf.c - the one place fiscaltab talks to poppler-glib.
 *
 * Glyphs come from poppler_page_get_text() and its layout (one box per
 * character). Ruling lines come from one low-resolution render of the
 * page into an alpha-only surface, scanned for long thin runs of ink;
 * filled boxes contribute their edges. Each page is parsed once for text
 * and at most once more for the render.
 */
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <poppler.h>

#include "extract.h"

struct ft_doc {
    PopplerDocument *doc;
    char *producer;
    int n_pages;
    PopplerPage *page;      /* the page last read, kept for the render */
    int page_number;
};

/*****************************************************************************
 * Private functions
 *****************************************************************************/

/* Formats an error message into err (may be NULL); returns code. */
static ft_status
fail(ft_error *err, ft_status code, const char *fmt, const char *a)
{
    if (err) {
        err->code = code;
        snprintf(err->msg, sizeof err->msg, fmt, a ? a : "");
    }
    return code;
}

/* 1 for characters that carry no ink worth keeping. */
static int
is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
           cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF || cp == 0x200B ||
           cp < 0x20;
}

/* Spatial-hash key of a point on a 2pt grid. */
static uint64_t
cell_key(long gx, long gy)
{
    return ((uint64_t)(uint32_t)gx << 32) | (uint32_t)gy;
}

/*
 * Drops glyphs drawn twice (fake bold: the same character again within
 * 1pt, or 0.15 em for large type, at most 3pt). poppler already merges
 * the closest copies; this catches the rest. Uses an open-addressing
 * hash of 4pt grid cells; returns the number dropped, or (size_t)-1 when
 * out of memory.
 */
static size_t
drop_duplicates(ft_glyph *g, size_t n)
{
    size_t cap = 16, kept = 0, i;
    uint64_t *keys;
    long *heads, *next;

    while (cap < n * 2)
        cap <<= 1;
    keys = malloc(cap * sizeof *keys);
    heads = malloc(cap * sizeof *heads);
    next = malloc((n ? n : 1) * sizeof *next);
    if (!keys || !heads || !next) {
        free(keys);
        free(heads);
        free(next);
        return (size_t)-1;
    }
    for (i = 0; i < cap; i++)
        heads[i] = -2; /* empty slot */
    for (i = 0; i < n; i++) {
        double cx = (g[i].box.x0 + g[i].box.x1) / 2;
        double cy = (g[i].box.y0 + g[i].box.y1) / 2;
        double h = g[i].box.y1 - g[i].box.y0;
        double tol = h * 0.15 > 1.0 ? (h * 0.15 < 3.0 ? h * 0.15 : 3.0) : 1.0;
        long gx = (long)floor(cx / 4), gy = (long)floor(cy / 4);
        int dup = 0, dx, dy;
        for (dx = -1; dx <= 1 && !dup; dx++) {
            for (dy = -1; dy <= 1 && !dup; dy++) {
                uint64_t k = cell_key(gx + dx, gy + dy);
                size_t h = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 20) &
                           (cap - 1);
                while (heads[h] != -2 && keys[h] != k)
                    h = (h + 1) & (cap - 1);
                if (heads[h] != -2) {
                    long j;
                    for (j = heads[h]; j >= 0; j = next[j]) {
                        const ft_glyph *o = &g[j];
                        if (o->cp == g[i].cp &&
                            fabs(o->box.x0 - g[i].box.x0) <= tol &&
                            fabs(o->box.y0 - g[i].box.y0) <= tol) {
                            dup = 1;
                            break;
                        }
                    }
                }
            }
        }
        if (!dup) {
            uint64_t k = cell_key(gx, gy);
            size_t h = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 20) &
                       (cap - 1);
            while (heads[h] != -2 && keys[h] != k)
                h = (h + 1) & (cap - 1);
            if (heads[h] == -2) {
                keys[h] = k;
                heads[h] = -1;
            }
            g[kept] = g[i];
            next[kept] = heads[h];
            heads[h] = (long)kept;
            kept++;
        }
    }
    free(keys);
    free(heads);
    free(next);
    return n - kept;
}

/* Loads page number (1-based) into doc->page, reusing it when current. */
static ft_status
load_page(ft_doc *doc, int number, ft_error *err)
{
    if (doc->page && doc->page_number == number)
        return FT_OK;
    g_clear_object(&doc->page);
    doc->page = poppler_document_get_page(doc->doc, number - 1);
    if (!doc->page) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d", number);
        return fail(err, FT_ERR_PAGE, "page %s cannot be read", buf);
    }
    doc->page_number = number;
    return FT_OK;
}

/* A run of ink found while scanning the bitmap. */
typedef struct run {
    int line, a, b;     /* scan line and extent, pixels */
} run;

typedef struct runvec {
    run *v;
    size_t n, cap;
} runvec;

/* Appends a run; returns 0 on OOM. */
static int
runvec_push(runvec *rv, int line, int a, int b)
{
    if (rv->n == rv->cap) {
        size_t cap = rv->cap ? rv->cap * 2 : 256;
        run *v = realloc(rv->v, cap * sizeof *v);
        if (!v)
            return 0;
        rv->v = v;
        rv->cap = cap;
    }
    rv->v[rv->n].line = line;
    rv->v[rv->n].a = a;
    rv->v[rv->n].b = b;
    rv->n++;
    return 1;
}

/* Appends a rule to the page; returns 0 on OOM. */
static int
page_add_rule(ft_page *p, char dir, double pos, double a, double b,
              size_t *cap)
{
    if (p->n_rules == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        ft_rule *r = realloc(p->rules, nc * sizeof *r);
        if (!r)
            return 0;
        p->rules = r;
        *cap = nc;
    }
    p->rules[p->n_rules].dir = dir;
    p->rules[p->n_rules].pos = pos;
    p->rules[p->n_rules].a = a;
    p->rules[p->n_rules].b = b;
    p->n_rules++;
    return 1;
}

/* qsort comparator: runs by scan line, then start. */
static int
cmp_run(const void *a, const void *b)
{
    const run *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->a > y->a) - (x->a < y->a);
}

/*
 * Turns runs (sorted by line) into rules: runs on adjacent scan lines
 * that mostly overlap are one stroke; a thin stroke (<= 4 px) is a rule
 * at its centre, a thick one (a filled box) gives rules at both edges.
 * Returns 0 on OOM.
 */
static int
group_runs(runvec *rv, char dir, double scale, ft_page *p, size_t *cap)
{
    size_t start = 0;
    int ok = 1;
    while (ok && start < rv->n) {
        run g = rv->v[start];
        int first = g.line, last = g.line, a = g.a, b = g.b;
        size_t m;
        rv->v[start].line = -1;
        for (m = start + 1; m < rv->n; m++) {
            run *r = &rv->v[m];
            int ov;
            if (r->line < 0)
                continue;
            if (r->line > last + 1)
                break;
            if (r->line != last + 1)
                continue;
            ov = (r->b < b ? r->b : b) - (r->a > a ? r->a : a);
            if (ov * 2 >= (r->b - r->a) || ov * 2 >= (b - a)) {
                last = r->line;
                if (r->a < a)
                    a = r->a;
                if (r->b > b)
                    b = r->b;
                r->line = -1;
            }
        }
        if (last - first + 1 <= 4) {
            double pos = (first + last + 1) / 2.0 / scale;
            ok = page_add_rule(p, dir, pos, a / scale, b / scale, cap);
        } else {
            ok = page_add_rule(p, dir, first / scale, a / scale, b / scale,
                               cap) &&
                 page_add_rule(p, dir, (last + 1) / scale, a / scale,
                               b / scale, cap);
        }
        while (start < rv->n && rv->v[start].line < 0)
            start++;
    }
    return ok;
}

/*
 * Scans a darkness map (0 white .. 255 black) once, row by row, for long
 * horizontal and vertical runs of ink. A thin rule that falls between
 * two pixel rows inks both faintly, so a pixel also counts as ink when
 * it and its neighbour across the run are dark enough together.
 * Returns 0 on OOM.
 */
static int
scan_runs(const unsigned char *px, int w, int h, int stride, double scale,
          int minlen, ft_page *p, size_t *cap)
{
    runvec hr = {0}, vr = {0};
    int *vstart = malloc((size_t)(w > 0 ? w : 1) * sizeof *vstart);
    int *vopen = calloc((size_t)(w / 8 + 2), sizeof *vopen);
    int *vthin = calloc((size_t)(w > 0 ? w : 1), sizeof *vthin);
    int x, y, ok = vstart && vopen && vthin, sthin = 0;

    for (x = 0; x < w && ok; x++)
        vstart[x] = -1;
    for (y = 0; y < h && ok; y++) {
        const unsigned char *row = px + (size_t)y * stride;
        const unsigned char *below = y + 1 < h ? row + stride : NULL;
        int s = -1;
        for (x = 0; x < w; x++) {
            int v, inkh, inkv;
            /* white 8-pixel blocks with no run open in them: skip */
            if ((x & 7) == 0 && s < 0 && x + 9 <= w && !vopen[x >> 3]) {
                uint64_t r0, r1, b0 = 0;
                memcpy(&r0, row + x, 8);
                memcpy(&r1, row + x + 1, 8);
                if (below)
                    memcpy(&b0, below + x, 8);
                if ((r0 | r1 | b0) == 0) {
                    x += 7;
                    continue;
                }
            }
            v = row[x];
            inkh = v >= 0x60 || (below && v + below[x] >= 0x70);
            inkv = v >= 0x60 || (x + 1 < w && v + row[x + 1] >= 0x70);
            if (inkh) {
                /* thin here: the page a few pixels across is lighter */
                int b = below ? below[x] : 0, m = v > b ? v : b;
                int up = y >= 3 ? row[x - 3 * (ptrdiff_t)stride] : 0;
                int dn = y + 4 < h ? row[x + 4 * (ptrdiff_t)stride] : 0;
                if (s < 0) {
                    s = x;
                    sthin = 0;
                }
                sthin += (up > dn ? up : dn) * 2 <= m;
            } else if (s >= 0) {
                /* a rule is thin along most of its length; a shaded
                 * band or a filled cell is not a rule */
                if (x - s >= minlen && sthin * 2 >= x - s &&
                    !runvec_push(&hr, y, s, x))
                    ok = 0;
                s = -1;
            }
            if (inkv) {
                int r = x + 1 < w ? row[x + 1] : 0, m = v > r ? v : r;
                int lf = x >= 3 ? row[x - 3] : 0;
                int rt = x + 4 < w ? row[x + 4] : 0;
                if (vstart[x] < 0) {
                    vstart[x] = y;
                    vthin[x] = 0;
                    vopen[x >> 3]++;
                }
                vthin[x] += (lf > rt ? lf : rt) * 2 <= m;
            } else if (vstart[x] >= 0) {
                if (y - vstart[x] >= minlen && vthin[x] * 2 >= y - vstart[x] &&
                    !runvec_push(&vr, x, vstart[x], y))
                    ok = 0;
                vstart[x] = -1;
                vopen[x >> 3]--;
            }
        }
        if (s >= 0 && w - s >= minlen && sthin * 2 >= w - s &&
            !runvec_push(&hr, y, s, w))
            ok = 0;
    }
    for (x = 0; x < w && ok; x++)
        if (vstart[x] >= 0 && h - vstart[x] >= minlen &&
            vthin[x] * 2 >= h - vstart[x] &&
            !runvec_push(&vr, x, vstart[x], h))
            ok = 0;
    if (ok && vr.n > 1)
        qsort(vr.v, vr.n, sizeof *vr.v, cmp_run);
    ok = ok && group_runs(&hr, 'h', scale, p, cap) &&
         group_runs(&vr, 'v', scale, p, cap);
    free(hr.v);
    free(vr.v);
    free(vstart);
    free(vopen);
    free(vthin);
    return ok;
}

/* Drops "rules" that lie within the boxes of glyphs on their line: long
 * strokes of large characters (一, 十) or of adjacent digits ("44"). */
static void
drop_strokes(ft_page *p)
{
    size_t i, j, m = 0;
    for (i = 0; i < p->n_rules; i++) {
        const ft_rule *q = &p->rules[i];
        double covered = 0, len = q->b - q->a;
        int inside;
        for (j = 0; j < p->n_glyphs; j++) {
            const ft_box *b = &p->glyphs[j].box;
            double lo, hi;
            double y0 = b->y0, w = b->x1 - b->x0;
            /* CJK glyphs are an em square even when the box is short */
            if (ft_is_cjk(p->glyphs[j].cp) && b->y1 - b->y0 < w)
                y0 = b->y1 - w;
            if (q->dir == 'h') {
                if (q->pos <= y0 - 0.5 || q->pos >= b->y1 + 0.5)
                    continue;
                lo = b->x0 - 1 > q->a ? b->x0 - 1 : q->a;
                hi = b->x1 + 1 < q->b ? b->x1 + 1 : q->b;
            } else {
                if (q->pos <= b->x0 - 0.5 || q->pos >= b->x1 + 0.5)
                    continue;
                lo = y0 - 1 > q->a ? y0 - 1 : q->a;
                hi = b->y1 + 1 < q->b ? b->y1 + 1 : q->b;
            }
            if (hi > lo)
                covered += hi - lo;
        }
        inside = covered >= 0.8 * len;
        if (!inside)
            p->rules[m++] = *q;
    }
    p->n_rules = m;
}

/*****************************************************************************
 * Public functions
 *****************************************************************************/

ft_status
ft_doc_open(const char *path, const char *password, ft_doc **out,
            ft_error *err)
{
    GFile *file;
    GError *gerr = NULL;
    ft_doc *doc;

    *out = NULL;
    if (!path)
        return fail(err, FT_ERR_USAGE, "no file given%s", "");
    {
        /* say plainly when the file itself cannot be read */
        struct stat sb;
        FILE *fp;
        if (stat(path, &sb) != 0)
            return fail(err, FT_ERR_OPEN, "cannot read the file: %s",
                        strerror(errno));
        if (S_ISDIR(sb.st_mode))
            return fail(err, FT_ERR_OPEN, "cannot read the file: %s",
                        "it is a directory");
        fp = fopen(path, "rb");
        if (!fp)
            return fail(err, FT_ERR_OPEN, "cannot read the file: %s",
                        strerror(errno));
        fclose(fp);
        if (sb.st_size == 0)
            return fail(err, FT_ERR_OPEN, "not a readable PDF: %s",
                        "the file is empty");
    }
    doc = calloc(1, sizeof *doc);
    if (!doc)
        return fail(err, FT_ERR_NOMEM, "out of memory%s", "");
    file = g_file_new_for_path(path);
    doc->doc = poppler_document_new_from_gfile(file, password, NULL, &gerr);
    g_object_unref(file);
    if (!doc->doc) {
        ft_status st = FT_ERR_OPEN;
        const char *why = gerr ? gerr->message : "unknown error";
        if (gerr && g_error_matches(gerr, POPPLER_ERROR,
                                    POPPLER_ERROR_ENCRYPTED)) {
            st = fail(err, FT_ERR_ENCRYPTED,
                      password ? "wrong password (%s)"
                               : "encrypted, a password is needed (%s)",
                      why);
        } else if (gerr && gerr->domain == G_IO_ERROR) {
            st = fail(err, FT_ERR_OPEN, "cannot read the file: %s", why);
        } else {
            st = fail(err, FT_ERR_OPEN, "not a readable PDF: %s", why);
        }
        if (gerr)
            g_error_free(gerr);
        free(doc);
        return st;
    }
    doc->n_pages = poppler_document_get_n_pages(doc->doc);
    doc->producer = poppler_document_get_producer(doc->doc);
    *out = doc;
    return FT_OK;
}

void
ft_doc_free(ft_doc *doc)
{
    if (!doc)
        return;
    g_clear_object(&doc->page);
    g_clear_object(&doc->doc);
    g_free(doc->producer);
    free(doc);
}

int
ft_doc_page_count(const ft_doc *doc)
{
    return doc ? doc->n_pages : 0;
}

const char *
ft_doc_producer(const ft_doc *doc)
{
    return doc ? doc->producer : NULL;
}

ft_status
ft_doc_page_glyphs(ft_doc *doc, int number, ft_page *page, ft_error *err)
{
    PopplerRectangle *rects = NULL;
    guint n_rects = 0;
    char *text;
    const char *s;
    size_t n_chars, i, dropped, tiny = 0;
    int space = 1;
    ft_status st;

    memset(page, 0, sizeof *page);
    page->number = number;
    st = load_page(doc, number, err);
    if (st != FT_OK)
        return st;
    poppler_page_get_size(doc->page, &page->width, &page->height);
    if (!(page->width > 0 && page->height > 0 && page->width < 1e5 &&
          page->height < 1e5))
        return fail(err, FT_ERR_PAGE, "absurd page size%s", "");
    text = poppler_page_get_text(doc->page);
    if (!text)
        return FT_OK; /* no text layer: an empty page */
    if (!g_utf8_validate(text, -1, NULL)) {
        g_free(text);
        return fail(err, FT_ERR_LAYOUT, "text is not UTF-8%s", "");
    }
    n_chars = (size_t)g_utf8_strlen(text, -1);
    if (n_chars == 0) {
        g_free(text);
        return FT_OK;
    }
    if (n_chars > FT_MAX_GLYPHS_PER_PAGE) {
        g_free(text);
        return fail(err, FT_ERR_LIMIT, "more than 200000 characters%s", "");
    }
    if (!poppler_page_get_text_layout(doc->page, &rects, &n_rects) ||
        n_rects != n_chars) {
        char buf[64];
        snprintf(buf, sizeof buf, "%u boxes for %zu characters", n_rects,
                 n_chars);
        g_free(rects);
        g_free(text);
        return fail(err, FT_ERR_LAYOUT, "layout mismatch: %s", buf);
    }
    page->glyphs = malloc(n_chars * sizeof *page->glyphs);
    if (!page->glyphs) {
        g_free(rects);
        g_free(text);
        return fail(err, FT_ERR_NOMEM, "out of memory%s", "");
    }
    for (s = text, i = 0; *s; s = g_utf8_next_char(s), i++) {
        uint32_t cp = (uint32_t)g_utf8_get_char(s);
        ft_glyph *g;
        /* poppler's test is on the advance, which the box's narrow side
         * approximates whatever the text direction; spaces count too */
        if (rects[i].x2 - rects[i].x1 < 3 || rects[i].y2 - rects[i].y1 < 3)
            tiny++;
        if (is_space(cp)) {
            space = 1;
            continue;
        }
        if (rects[i].x2 <= rects[i].x1 || rects[i].y2 <= rects[i].y1)
            continue;
        g = &page->glyphs[page->n_glyphs++];
        g->cp = cp;
        g->space_before = space;
        space = 0;
        g->box.x0 = rects[i].x1;
        g->box.y0 = rects[i].y1;
        g->box.x1 = rects[i].x2;
        g->box.y1 = rects[i].y2;
    }
    g_free(rects);
    g_free(text);
    page->text_capped = tiny >= FT_POPPLER_TINY_CAP;
    dropped = drop_duplicates(page->glyphs, page->n_glyphs);
    if (dropped == (size_t)-1)
        return fail(err, FT_ERR_NOMEM, "out of memory%s", "");
    page->n_glyphs -= dropped;
    page->n_duplicates = dropped;
    return FT_OK;
}

ft_status
ft_doc_page_rules(ft_doc *doc, ft_page *page, ft_error *err)
{
    cairo_surface_t *surf;
    cairo_t *cr;
    double scale = 1.0;
    int w, h, stride, minlen;
    size_t cap = 0;
    ft_status st;
    const unsigned char *px;
    unsigned char *dark = NULL;

    st = load_page(doc, page->number, err);
    if (st != FT_OK)
        return st;
    /* 72 dpi: one pixel per point; thin rules stay one pixel wide since
     * poppler widens hairlines to a device pixel. */
    w = (int)ceil(page->width * scale);
    h = (int)ceil(page->height * scale);
    if ((long)w * h > FT_MAX_RENDER_PIXELS) {
        page->render_limited = 1;
        scale = sqrt((double)FT_MAX_RENDER_PIXELS / ((double)w * h));
        w = (int)ceil(page->width * scale);
        h = (int)ceil(page->height * scale);
    }
    /* RGB, not alpha: cells filled with white must not look like ink */
    surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return fail(err, FT_ERR_NOMEM, "cannot allocate a render%s", "");
    }
    cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(doc->page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surf);
    {
        /* darkness map: 255 - the darkest channel, one byte a pixel */
        const unsigned char *data = cairo_image_surface_get_data(surf);
        int sstride = cairo_image_surface_get_stride(surf), x, y;
        dark = malloc((size_t)w * (size_t)h + 16);
        if (!dark) {
            cairo_surface_destroy(surf);
            return fail(err, FT_ERR_NOMEM, "out of memory%s", "");
        }
        for (y = 0; y < h; y++) {
            const uint32_t *row =
                (const uint32_t *)(const void *)(data + (size_t)y * sstride);
            unsigned char *out = dark + (size_t)y * w;
            for (x = 0; x < w; x++) {
                uint32_t v = row[x];
                /* white pairs, the common case, without per-channel work */
                if (x + 1 < w && (v & 0xFFFFFF) == 0xFFFFFF &&
                    (row[x + 1] & 0xFFFFFF) == 0xFFFFFF) {
                    out[x] = out[x + 1] = 0;
                    x++;
                    continue;
                }
                unsigned r = (v >> 16) & 0xFF, g = (v >> 8) & 0xFF,
                         b = v & 0xFF;
                unsigned m = r < g ? r : g;
                m = m < b ? m : b;
                out[x] = (unsigned char)(255 - m);
            }
        }
        cairo_surface_destroy(surf);
        surf = NULL;
        px = dark;
        stride = w;
    }
    minlen = (int)ceil(12 * scale);
    if (minlen < 6)
        minlen = 6;
    page->rules_scanned = 1;
    if (!scan_runs(px, w, h, stride, scale, minlen, page, &cap)) {
        free(dark);
        return fail(err, FT_ERR_NOMEM, "out of memory%s", "");
    }
    free(dark);
    drop_strokes(page);
    return FT_OK;
}

ft_status
ft_doc_draw_page(ft_doc *doc, const ft_page *page,
                 const struct ft_table_list *tables, const char *png,
                 double scale, ft_error *err)
{
    cairo_surface_t *surf;
    cairo_t *cr;
    ft_status st;
    size_t i;
    int w, h, r, c;
    cairo_status_t cs;

    st = load_page(doc, page->number, err);
    if (st != FT_OK)
        return st;
    if (!(scale > 0.1 && scale <= 8))
        scale = 2;
    w = (int)ceil(page->width * scale);
    h = (int)ceil(page->height * scale);
    if ((long)w * h > FT_MAX_RENDER_PIXELS)
        return fail(err, FT_ERR_LIMIT, "page too large to draw%s", "");
    surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(doc->page, cr);
    cairo_set_line_width(cr, 1.5 / scale);
    /* cells (green), then table boxes (blue), then rules (red) */
    for (i = 0; i < tables->n; i++) {
        const ft_table *t = &tables->items[i];
        cairo_set_source_rgba(cr, 0, 0.6, 0, 0.8);
        for (r = 0; r < t->n_rows; r++)
            for (c = 0; c < t->n_cols; c++) {
                const ft_cell *cell = FT_CELL(t, r, c);
                if (cell->covered || cell->page != page->number)
                    continue;
                cairo_rectangle(cr, cell->box.x0 + 1, cell->box.y0 + 1,
                                cell->box.x1 - cell->box.x0 - 2,
                                cell->box.y1 - cell->box.y0 - 2);
                cairo_stroke(cr);
            }
        cairo_set_source_rgba(cr, 0, 0, 1, 0.8);
        cairo_rectangle(cr, t->box.x0 - 3, t->box.y0 - 3,
                        t->box.x1 - t->box.x0 + 6, t->box.y1 - t->box.y0 + 6);
        cairo_stroke(cr);
    }
    cairo_set_source_rgba(cr, 1, 0, 0, 0.9);
    for (i = 0; i < page->n_rules; i++) {
        const ft_rule *q = &page->rules[i];
        if (q->dir == 'h') {
            cairo_move_to(cr, q->a, q->pos);
            cairo_line_to(cr, q->b, q->pos);
        } else {
            cairo_move_to(cr, q->pos, q->a);
            cairo_line_to(cr, q->pos, q->b);
        }
        cairo_stroke(cr);
    }
    cairo_destroy(cr);
    cs = cairo_surface_write_to_png(surf, png);
    cairo_surface_destroy(surf);
    if (cs != CAIRO_STATUS_SUCCESS)
        return fail(err, FT_ERR_WRITE, "cannot write %s", png);
    return FT_OK;
}
