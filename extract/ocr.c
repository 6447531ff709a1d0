/*
 * ocr.c - reading a page image with Tesseract's C API.
 *
 * Tesseract is loaded when a page first needs it (dlopen of
 * libtesseract.so.5), not at start: most conversions never read a scan
 * and need not pay for loading it, and Tesseract's OpenMP runtime reads
 * its thread limit only when it loads, after fiscaltab has set it to one
 * thread (a batch runs a process a core; idle OpenMP threads spin and
 * made a page four times slower). Without the library fiscaltab runs as
 * before and says what a scan needs. The languages are Simplified
 * Chinese and English (Debian tesseract-ocr-chi-sim, tesseract-ocr-eng).
 * The page is read as one block of text (table rows are lines); every
 * character comes back with its box and Tesseract's confidence, so the
 * grid builder takes OCR output exactly as it takes a text layer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "ocr.h"

#include <dlfcn.h>
#include <utf8proc.h>

/* The part of Tesseract's C API (tesseract/capi.h, stable since 4.0)
 * that is used, as function pointers filled by dlsym. */
enum { PSM_SINGLE_BLOCK = 6, PSM_SINGLE_LINE = 7 };
enum { RIL_TEXTLINE = 2, RIL_WORD = 3, RIL_SYMBOL = 4 };
static struct tess {
    int tried, ok;
    const char *(*Version)(void);
    void *(*Create)(void);
    int (*Init3)(void *, const char *, const char *);
    void (*SetPageSegMode)(void *, int);
    int (*SetVariable)(void *, const char *, const char *);
    void (*SetImage)(void *, const unsigned char *, int, int, int, int);
    void (*SetSourceResolution)(void *, int);
    int (*Recognize)(void *, void *);
    int (*MeanTextConf)(void *);
    void *(*GetIterator)(void *);
    void *(*GetPageIterator)(void *);
    int (*BoundingBox)(const void *, int, int *, int *, int *, int *);
    char *(*GetUTF8Text)(const void *, int);
    char *(*ApiText)(void *);
    float (*Confidence)(const void *, int);
    int (*IsAtBeginningOf)(const void *, int);
    int (*Next)(void *, int);
    void (*DeleteText)(const char *);
    void (*IteratorDelete)(void *);
    void (*End)(void *);
    void (*Delete)(void *);
} T;

/* Loads Tesseract once; 1 when every function was found. */
static int
tess_load(void)
{
    void *h;
    if (T.tried)
        return T.ok;
    T.tried = 1;
    /* one OpenMP thread, read by libgomp as Tesseract loads it */
    setenv("OMP_THREAD_LIMIT", "1", 0);
    if (getenv("FT_TESSERACT")) {
        /* another build of the library, or none ("" or a bad path) */
        h = dlopen(getenv("FT_TESSERACT"), RTLD_NOW | RTLD_LOCAL);
    } else {
        h = dlopen("libtesseract.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!h)
            h = dlopen("libtesseract.so", RTLD_NOW | RTLD_LOCAL);
    }
    if (!h)
        return 0;
#define SYM(field, name)                                                     \
    if (!(*(void **)(void *)&T.field = dlsym(h, name)))                      \
        return 0;
    SYM(Version, "TessVersion")
    SYM(Create, "TessBaseAPICreate")
    SYM(Init3, "TessBaseAPIInit3")
    SYM(SetPageSegMode, "TessBaseAPISetPageSegMode")
    SYM(SetVariable, "TessBaseAPISetVariable")
    SYM(SetImage, "TessBaseAPISetImage")
    SYM(SetSourceResolution, "TessBaseAPISetSourceResolution")
    SYM(Recognize, "TessBaseAPIRecognize")
    SYM(MeanTextConf, "TessBaseAPIMeanTextConf")
    SYM(GetIterator, "TessBaseAPIGetIterator")
    SYM(GetPageIterator, "TessResultIteratorGetPageIterator")
    SYM(BoundingBox, "TessPageIteratorBoundingBox")
    SYM(GetUTF8Text, "TessResultIteratorGetUTF8Text")
    SYM(ApiText, "TessBaseAPIGetUTF8Text")
    SYM(Confidence, "TessResultIteratorConfidence")
    SYM(IsAtBeginningOf, "TessPageIteratorIsAtBeginningOf")
    SYM(Next, "TessResultIteratorNext")
    SYM(DeleteText, "TessDeleteText")
    SYM(IteratorDelete, "TessResultIteratorDelete")
    SYM(End, "TessBaseAPIEnd")
    SYM(Delete, "TessBaseAPIDelete")
#undef SYM
    T.ok = 1;
    return 1;
}

int
ft_ocr_available(void)
{
    return tess_load();
}

const char *
ft_ocr_version(void)
{
    static char buf[64];
    if (!tess_load())
        return "none (libtesseract.so.5 not found: install "
               "tesseract-ocr-chi-sim and tesseract-ocr-eng)";
    snprintf(buf, sizeof buf, "tesseract %s", T.Version());
    return buf;
}

/* qsort comparison of doubles, ascending. */
static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Tesseract engines, made once and kept for the process (loading the
 * Chinese model takes a good part of a second): the page reader, the
 * number reader (English, digits only) and the cell text reader. */
enum { ENG_PAGE, ENG_DIGITS, ENG_TEXT, N_ENGINES };
static void *engines[N_ENGINES];

/* The engine for a purpose, made on first use; NULL when Tesseract or
 * its language data is missing. */
static void *
engine(int which)
{
    static const char *const lang[N_ENGINES] = {"chi_sim+eng", "eng",
                                                "chi_sim"};
    void *api;
    if (engines[which])
        return engines[which];
    if (!tess_load() || !(api = T.Create()))
        return NULL;
    if (T.Init3(api, NULL, lang[which]) != 0) {
        T.Delete(api);
        return NULL;
    }
    T.SetVariable(api, "debug_file", "/dev/null");
    if (which == ENG_DIGITS) {
        /* an amount: digits, separators, a sign, brackets, percent */
        T.SetVariable(api, "tessedit_char_whitelist", "0123456789.,-()%");
        T.SetVariable(api, "load_system_dawg", "0");
        T.SetVariable(api, "load_freq_dawg", "0");
    } else {
        T.SetVariable(api, "preserve_interword_spaces", "1");
    }
    engines[which] = api;
    return api;
}

/* 1 when column x of the band rows y0..y1 holds ink. */
static int
column_ink(const unsigned char *gray, int stride, int x, int y0, int y1)
{
    int y, n = 0;
    for (y = y0; y < y1; y++)
        n += gray[(size_t)y * stride + x] < 128;
    return n >= 2;
}

/*
 * Full-width or ASCII, for bracket glyph i, measured in the image: a
 * full-width bracket stands in an em of its own, its ink at the side
 * facing what it encloses, so most of an em of white lies between it
 * and the character outside (0.8 em measured on the scanned fixtures);
 * an ASCII one sits close (0.15 em). Tesseract reads both
 * as one character, with boxes too loose to tell. Returns 1 full-width,
 * 0 ASCII, -1 when the ink does not say (no neighbour outside, or the
 * bracket's ink not found alone).
 */
static int
bracket_fullwidth(const unsigned char *gray, int w, int h, int stride,
                  double scale, const ft_glyph *g, size_t n, size_t i,
                  int opening)
{
    double ws[64], em;
    size_t a = i, z = i, k, m = 0;
    int y0, y1, xc, s, e, x, lim, gap;
    while (a > 0 && g[a - 1].box.y0 == g[i].box.y0)
        a--;
    while (z + 1 < n && g[z + 1].box.y0 == g[i].box.y0)
        z++;
    for (k = a; k <= z && m < 64; k++)
        if (ft_is_cjk(g[k].cp))
            ws[m++] = g[k].box.x1 - g[k].box.x0;
    if (m < 2)
        return -1;
    qsort(ws, m, sizeof *ws, cmp_double);
    em = ws[m / 2] * scale;
    y0 = (int)(g[i].box.y0 * scale);
    y1 = (int)(g[i].box.y1 * scale);
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > h ? h : y1;
    /* the bracket's ink: the run of inked columns nearest its box */
    xc = (int)((g[i].box.x0 + g[i].box.x1) / 2 * scale);
    if (xc < 0 || xc >= w || y1 <= y0)
        return -1;
    for (k = 0; k <= (size_t)(0.3 * em); k++) {
        if (xc - (int)k >= 0 && column_ink(gray, stride, xc - (int)k, y0, y1)) {
            xc -= (int)k;
            break;
        }
        if (xc + (int)k < w && column_ink(gray, stride, xc + (int)k, y0, y1)) {
            xc += (int)k;
            break;
        }
    }
    if (xc < 0 || xc >= w || !column_ink(gray, stride, xc, y0, y1))
        return -1;
    for (s = xc; s > 0 && (column_ink(gray, stride, s - 1, y0, y1) ||
                           (s > 1 && column_ink(gray, stride, s - 2, y0, y1)));
         s--)
        ;
    for (e = xc; e + 1 < w && (column_ink(gray, stride, e + 1, y0, y1) ||
                               (e + 2 < w &&
                                column_ink(gray, stride, e + 2, y0, y1)));
         e++)
        ;
    if (e - s + 1 > 0.4 * em)
        return -1; /* run together with a neighbour */
    /* the white outside it, up to an em and a half */
    lim = (int)(1.5 * em);
    for (gap = 0, x = opening ? s - 1 : e + 1;
         gap < lim && x >= 0 && x < w && !column_ink(gray, stride, x, y0, y1);
         gap++, x += opening ? -1 : 1)
        ;
    if (gap >= lim || x < 0 || x >= w)
        return -1; /* nothing outside: the cell's edge */
    if (gap > 1.0 * em)
        return -1;
    return gap > 0.3 * em;
}

ft_status
ft_ocr_read(const unsigned char *gray, int w, int h, int stride,
            double scale, ft_glyph **out, size_t *n, double *mean,
            char *msg, size_t msglen)
{
    void *api, *it;
    size_t cap = 0;
    ft_status st = FT_OK;
    /* each character's own ink, top and bottom, and its text line */
    typedef struct ink {
        double t, b;
        int line;
    } ink;
    ink *own = NULL;
    int line = 0;

    *out = NULL;
    *n = 0;
    *mean = 0;
    if (!tess_load()) {
        (void)gray;
        (void)w;
        (void)h;
        (void)stride;
        (void)scale;
        snprintf(msg, msglen,
                 "OCR needs Tesseract: install tesseract-ocr-chi-sim and "
                 "tesseract-ocr-eng (libtesseract5)");
        return FT_ERR_LIMIT;
    }
    api = engine(ENG_PAGE);
    if (!api) {
        snprintf(msg, msglen, "Tesseract has no chi_sim+eng data (install "
                              "tesseract-ocr-chi-sim and tesseract-ocr-eng)");
        return FT_ERR_LIMIT;
    }
    /* a table page: one block, lines as they are */
    T.SetPageSegMode(api, PSM_SINGLE_BLOCK);
    T.SetImage(api, gray, w, h, 1, stride);
    T.SetSourceResolution(api, (int)(72 * scale + 0.5));
    if (T.Recognize(api, NULL) != 0) {
        snprintf(msg, msglen, "Tesseract could not read the page");
        return FT_ERR_LIMIT;
    }
    *mean = T.MeanTextConf(api);
    it = T.GetIterator(api);
    if (it) {
        void *pit = T.GetPageIterator(it);
        do {
            int l, t, r, b, len, wl, wt, wr, wb, ot, ob;
            char *txt;
            const utf8proc_uint8_t *p;
            utf8proc_int32_t cp;
            float conf;
            int word_start;
            if (!T.BoundingBox(pit, RIL_SYMBOL, &l, &t, &r, &b))
                continue;
            ot = t;
            ob = b;
            if (T.IsAtBeginningOf(pit, RIL_TEXTLINE))
                line++;
            /* a character's ink box is as tall as the character (a
             * period is a dot); the layout wants line-tall boxes, as a
             * text layer gives: the text line's top and bottom */
            if (T.BoundingBox(pit, RIL_TEXTLINE, &wl, &wt, &wr,
                                            &wb)) {
                t = wt;
                b = wb;
            }
            (void)wl;
            (void)wr;
            txt = T.GetUTF8Text(it, RIL_SYMBOL);
            if (!txt)
                continue;
            conf = T.Confidence(it, RIL_SYMBOL);
            word_start = T.IsAtBeginningOf(pit, RIL_WORD);
            for (p = (const utf8proc_uint8_t *)txt;
                 *p && (len = (int)utf8proc_iterate(p, -1, &cp)) > 0;
                 p += len) {
                ft_glyph *g;
                if (cp <= ' ')
                    continue;
                if (*n == cap) {
                    size_t nc = cap ? cap * 2 : 512;
                    ft_glyph *ng = realloc(*out, nc * sizeof *ng);
                    ink *ni = realloc(own, nc * sizeof *ni);
                    if (ng)
                        *out = ng;
                    if (ni)
                        own = ni;
                    if (!ng || !ni) {
                        st = FT_ERR_NOMEM;
                        break;
                    }
                    cap = nc;
                }
                own[*n].t = ot / scale;
                own[*n].b = ob / scale;
                own[*n].line = line;
                g = &(*out)[(*n)++];
                memset(g, 0, sizeof *g);
                g->cp = (uint32_t)cp;
                g->box.x0 = l / scale;
                g->box.y0 = t / scale;
                g->box.x1 = r / scale;
                g->box.y1 = b / scale;
                g->space_before = word_start;
                word_start = 0;
                g->ocr = 1;
                g->conf = conf;
            }
            T.DeleteText(txt);
        } while (st == FT_OK && T.Next(it, RIL_SYMBOL));
        T.IteratorDelete(it);
    }
    if (st == FT_OK) {
        /* Tesseract sometimes takes two printed lines for one (a header
         * label centred above the labels under it, once the rule between
         * is painted out): such a line is much taller than its
         * characters, and each character keeps its own printed line,
         * about its ink, an em tall */
        size_t a = 0, z;
        while (a < *n) {
            double hs[256], hc[256], mh, lh;
            size_t k, m = 0, mc = 0;
            for (z = a; z < *n && own[z].line == own[a].line; z++)
                if (own[z].b - own[z].t > 0) {
                    if (m < 256)
                        hs[m++] = own[z].b - own[z].t;
                    if (mc < 256 && ft_is_cjk((*out)[z].cp))
                        hc[mc++] = own[z].b - own[z].t;
                }
            lh = (*out)[a].box.y1 - (*out)[a].box.y0;
            qsort(hs, m, sizeof *hs, cmp_double);
            qsort(hc, mc, sizeof *hc, cmp_double);
            /* a character's height: the median Chinese one (some are
             * read over two printed lines, as tall as both), else the
             * taller characters (digits are shorter than CJK) */
            mh = mc >= 3 ? hc[mc / 2] : m ? hs[m * 3 / 4] : 0;
            /* dots read as a letter ("e", "a" for the dot leaders of
             * a table of contents): ink a fraction of the characters'
             * height is a point, or an ellipsis when wide */
            for (k = a; mh > 0 && k < z; k++) {
                ft_glyph *g = &(*out)[k];
                if (g->cp < 0x80 && g->cp > ' ' &&
                    !strchr(".,-_=~'\"`", (int)g->cp) &&
                    own[k].b - own[k].t < 0.25 * mh)
                    g->cp = g->box.x1 - g->box.x0 > 0.5 * mh ? 0x2026 : '.';
            }
            if (mh > 0 && lh > 1.7 * mh) {
                /* the printed lines: the characters' ink centres, sorted,
                 * in runs no more than a character's height apart; each
                 * run is one line, about its middle (glyphs as tall as the
                 * merged line would make every gap look narrow) */
                double cs[256], mid[256];
                size_t nc = 0, g0, q;
                for (k = a; k < z && nc < 256; k++)
                    if (own[k].b - own[k].t >= 0.5 * mh)
                        cs[nc++] = (own[k].t + own[k].b) / 2;
                qsort(cs, nc, sizeof *cs, cmp_double);
                for (g0 = 0, q = 1; q <= nc; q++)
                    if (q == nc || cs[q] - cs[q - 1] > 1.0 * mh) {
                        double m = (cs[g0] + cs[q - 1]) / 2;
                        size_t j;
                        for (j = g0; j < q; j++)
                            mid[j] = m;
                        g0 = q;
                    }
                for (k = a; k < z; k++) {
                    double c = (own[k].t + own[k].b) / 2, best = 0;
                    size_t j;
                    if (own[k].b - own[k].t > 1.8 * mh) {
                        /* a "character" far taller than the others is a
                         * cell's wrapped lines read as one (a two-line
                         * name beside a one-line code): it keeps its ink
                         * box, so that its row reaches both lines */
                        (*out)[k].box.y0 = own[k].t;
                        (*out)[k].box.y1 = own[k].b;
                        continue;
                    }
                    if (own[k].b - own[k].t < 0.5 * mh && k > a) {
                        /* a point or comma: the line of the one before */
                        (*out)[k].box.y0 = (*out)[k - 1].box.y0;
                        (*out)[k].box.y1 = (*out)[k - 1].box.y1;
                        continue;
                    }
                    for (j = 0; j < nc; j++)
                        if (j == 0 || fabs(cs[j] - c) < fabs(best - c))
                            best = cs[j];
                    for (j = 0; j < nc; j++)
                        if (cs[j] == best) {
                            c = mid[j];
                            break;
                        }
                    (*out)[k].box.y0 = c - 0.6 * mh;
                    (*out)[k].box.y1 = c + 0.6 * mh;
                }
            }
            a = z;
        }
    }
    free(own);
    if (st == FT_OK) {
        /* Tesseract's reading order within a word is right where its
         * boxes for the characters are not (a box reaching back over the
         * one before, in doubled text): a character starting left of
         * the one before it in its word shares that one's box */
        for (size_t k = 1; k < *n; k++) {
            ft_glyph *g = &(*out)[k], *p = &(*out)[k - 1];
            if (!g->space_before && g->box.y0 == p->box.y0 &&
                g->box.x0 <= p->box.x0) {
                double m = p->box.x0 +
                           (fmin(p->box.x1, g->box.x1) - p->box.x0) / 2;
                p->box.x1 = m;
                g->box.x0 = m;
                if (g->box.x1 < m)
                    g->box.x1 = m;
            }
        }
        /* Tesseract's boxes for CJK characters can run over the next
         * characters: a box ends where the next one on its line starts */
        for (size_t k = 0; k + 1 < *n; k++) {
            ft_glyph *g = &(*out)[k];
            const ft_glyph *q = &(*out)[k + 1];
            if (q->box.y0 == g->box.y0 && q->box.x0 > g->box.x0 &&
                q->box.x0 < g->box.x1)
                g->box.x1 = q->box.x0;
        }
        /* nor should a CJK character's box reach back over the gap to a
         * code before it ("204 公共…"): wider than an em, it is cut to one,
         * keeping the side against its next character */
        for (size_t k = 1; k < *n; k++) {
            ft_glyph *g = &(*out)[k];
            const ft_glyph *p = &(*out)[k - 1];
            double em = g->box.y1 - g->box.y0;
            if (ft_is_cjk(g->cp) && p->cp >= '0' && p->cp <= '9' &&
                g->box.x1 - g->box.x0 > 1.2 * em)
                g->box.x0 = g->box.x1 - em;
        }
        /* a quote mark that overlaps the character after it is a stroke
         * of that character read twice (the top of 公 as ”) */
        size_t i, m = 0;
        for (i = 0; i < *n; i++) {
            const ft_glyph *g = &(*out)[i];
            int quote = g->cp == 0x201C || g->cp == 0x201D ||
                        g->cp == 0x2018 || g->cp == 0x2019 || g->cp == '"' ||
                        g->cp == '\'';
            if (quote && i + 1 < *n && (*out)[i + 1].box.x0 < g->box.x1 - 0.3 &&
                (*out)[i + 1].box.x0 > g->box.x0 && (*out)[i + 1].cp >= 0x3400) {
                (*out)[i + 1].space_before |= g->space_before;
                continue;
            }
            /* nor does a quote sit between a code and its name ("204”公共
             * 安全支出"): Tesseract reads the gap between the columns so;
             * the name starts a new word */
            if (quote && i > 0 && i + 1 < *n && (*out)[i - 1].cp >= '0' &&
                (*out)[i - 1].cp <= '9' && (*out)[i + 1].cp >= 0x3400 &&
                fabs((*out)[i + 1].box.y0 - g->box.y0) <
                    0.5 * (g->box.y1 - g->box.y0)) {
                (*out)[i + 1].space_before = 1;
                continue;
            }
            (*out)[m++] = *g;
        }
        *n = m;
        for (i = 0, m = 0; i < *n; i++) {
            ft_glyph *g = &(*out)[i];
            const ft_glyph *p = i ? &(*out)[i - 1] : NULL;
            double hh = g->box.y1 - g->box.y0;
            int numch = (g->cp >= '0' && g->cp <= '9') || g->cp == '.' ||
                        g->cp == ',' || g->cp == '%';
            int pnum = p && ((p->cp >= '0' && p->cp <= '9') || p->cp == '.' ||
                             p->cp == ',' || p->cp == '-');
            /* Chinese text prints full-width brackets and colons, which
             * Tesseract reads as ASCII */
            if (g->cp == '(' && i + 1 < *n && (*out)[i + 1].cp >= 0x3400)
                g->cp = 0xFF08;
            else if (g->cp == ')' && p && p->cp >= 0x3400)
                g->cp = 0xFF09;
            else if (g->cp == ':' && p && p->cp >= 0x3400)
                g->cp = 0xFF1A;
            /* a code and its name are two columns: Tesseract may take
             * them as one word */
            if (p && ft_is_cjk(g->cp) && p->cp >= '0' && p->cp <= '9' &&
                g->box.x0 - p->box.x1 > 0.4 * hh)
                g->space_before = 1;
            /* a closing quote never starts a word: noise read as ” */
            if (g->cp == 0x201D && g->space_before)
                continue;
            /* Tesseract cuts "551.12" into words at the point: digits
             * close together on one line are one number */
            if (numch && pnum && g->space_before &&
                fabs((g->box.y0 + g->box.y1) - (p->box.y0 + p->box.y1)) <
                    0.5 * hh &&
                g->box.x0 - p->box.x1 < 0.35 * hh)
                g->space_before = 0;
            (*out)[m++] = *g;
        }
        *n = m;
        /* brackets, measured where the ink says; a closing one the ink
         * cannot tell follows the opening one before it on its line */
        for (i = 0; i < *n; i++) {
            ft_glyph *g = &(*out)[i];
            int op = g->cp == '(' || g->cp == 0xFF08 || g->cp == 0x3008;
            int cl = g->cp == ')' || g->cp == 0xFF09 || g->cp == 0x3009;
            int full;
            if (!op && !cl)
                continue;
            full = bracket_fullwidth(gray, w, h, stride, scale, *out, *n, i,
                                     op);
            if (full < 0 && cl) {
                size_t k;
                for (k = i; k-- > 0 && (*out)[k].box.y0 == g->box.y0;)
                    if ((*out)[k].cp == '(' || (*out)[k].cp == 0xFF08) {
                        full = (*out)[k].cp == 0xFF08;
                        break;
                    }
            }
            if (full >= 0)
                g->cp = op ? (full ? 0xFF08 : '(') : (full ? 0xFF09 : ')');
        }
    }
    if (st != FT_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

ft_status
ft_ocr_cell(const unsigned char *gray, int w, int h, int stride, int x0,
            int y0, int x1, int y1, int dpi, double shrink, int numeric,
            char **text, float *conf)
{
    enum { PAD = 12 };
    void *api = engine(numeric ? ENG_DIGITS : ENG_TEXT);
    int cw, ch, y, lines;
    unsigned char *img;
    char *raw, *o;
    const char *p;

    *text = NULL;
    *conf = 0;
    if (!api)
        return FT_ERR_LIMIT;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > w ? w : x1;
    y1 = y1 > h ? h : y1;
    if (x1 - x0 < 4 || y1 - y0 < 4)
        return FT_OK;
    /* the cell on a white margin: Tesseract reads text touching the
     * image's edge poorly */
    cw = x1 - x0 + 2 * PAD;
    ch = y1 - y0 + 2 * PAD;
    img = malloc((size_t)cw * (size_t)ch);
    if (!img)
        return FT_ERR_NOMEM;
    memset(img, 255, (size_t)cw * (size_t)ch);
    for (y = y0; y < y1; y++)
        memcpy(img + (size_t)(y - y0 + PAD) * cw + PAD,
               gray + (size_t)y * stride + x0, (size_t)(x1 - x0));
    /* one line unless the cell is tall enough for two at this size */
    lines = (y1 - y0) > (int)(0.30 * dpi) ? 2 : 1;
    if (shrink > 0 && shrink < 1) {
        /* large type reads better smaller (a 16 pt title at 300 dpi gives
         * 文 for 支): each pixel the mean of the area it covers */
        int sw = (int)(cw * shrink), sh = (int)(ch * shrink), sx, sy;
        unsigned char *small = sw > 0 && sh > 0 ? malloc((size_t)sw * sh) : NULL;
        if (!small) {
            free(img);
            return sw > 0 && sh > 0 ? FT_ERR_NOMEM : FT_OK;
        }
        for (sy = 0; sy < sh; sy++)
            for (sx = 0; sx < sw; sx++) {
                int ax = (int)(sx / shrink), bx = (int)((sx + 1) / shrink);
                int ay = (int)(sy / shrink), by = (int)((sy + 1) / shrink);
                long sum = 0, n = 0;
                int xx, yy;
                for (yy = ay; yy < by && yy < ch; yy++)
                    for (xx = ax; xx < bx && xx < cw; xx++) {
                        sum += img[(size_t)yy * cw + xx];
                        n++;
                    }
                small[(size_t)sy * sw + sx] =
                    (unsigned char)(n ? sum / n : 255);
            }
        free(img);
        img = small;
        cw = sw;
        ch = sh;
        dpi = (int)(dpi * shrink + 0.5);
    }
    T.SetPageSegMode(api, lines > 1 ? PSM_SINGLE_BLOCK : PSM_SINGLE_LINE);
    T.SetImage(api, img, cw, ch, 1, cw);
    T.SetSourceResolution(api, dpi);
    if (T.Recognize(api, NULL) != 0) {
        free(img);
        return FT_OK;
    }
    raw = T.ApiText(api);
    *conf = (float)T.MeanTextConf(api);
    free(img);
    if (!raw)
        return FT_OK;
    /* white space out: CJK lines join without it, amounts have none */
    o = malloc(strlen(raw) + 1);
    if (!o) {
        T.DeleteText(raw);
        return FT_ERR_NOMEM;
    }
    *text = o;
    for (p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n' || c == '\r' || c == '\t' || c == '\f' ||
            (c == ' ' && (numeric || (o > *text && (unsigned char)o[-1] >= 0x80) ||
                          (unsigned char)p[1] >= 0x80)))
            continue;
        *o++ = (char)c;
    }
    *o = 0;
    while (o > *text && o[-1] == ' ')
        *--o = 0;
    T.DeleteText(raw);
    return FT_OK;
}
