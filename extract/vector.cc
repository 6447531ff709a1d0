/*
 * vector.cc - one pass over a page: the characters poppler's text layer
 * sees and the ruling lines the page draws (see vector.h).
 *
 * The text comes out exactly as poppler-glib's poppler_page_get_text()
 * and poppler_page_get_text_layout() give it (the same text device, the
 * same selection of the whole page), so the rest of fiscaltab cannot
 * tell the two apart. The rules come from the paths the page paints:
 * straight stroked segments, and filled rectangles thin enough to be a
 * line, clipped to the clip in force, in the text's coordinates (points,
 * origin at the top left of the crop box, the page's rotation applied).
 * White and invisible paint is no rule; curves and wide fills (shaded
 * cells) are not either.
 */
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include <Error.h>
#include <GfxState.h>
#include <GlobalParams.h>
#include <goo/GooString.h>
#include <goo/gmem.h>
#include <PDFDoc.h>
#include <Page.h>
#include <TextOutputDev.h>

#include "vector.h"

struct ft_vdoc {
    std::unique_ptr<PDFDoc> doc;
};

namespace {

/* Thickest stroke or bar that is still a rule, in points. */
const double MAX_RULE = 4.0;

/* A text output device that also keeps the page's straight lines. */
class RuleTextDev : public TextOutputDev
{
public:
    RuleTextDev() : TextOutputDev(nullptr, true, 0, false, false) { }

    /* characters past the page's limit are not collected: a form drawn
     * many times over (fan-out) would grow the text page without bound
     * before any limit after it could act */
    void drawChar(GfxState *state, double x, double y, double dx, double dy,
                  double originX, double originY, CharCode c, int nBytes,
                  const Unicode *u, int uLen) override
    {
        double w, h;
        /* counted as poppler keeps them: it drops characters under 3
         * points past FT_POPPLER_TINY_CAP of them */
        state->transformDelta(dx, dy, &w, &h);
        if (!(std::fabs(w) < 3 && std::fabs(h) < 3) ||
            ++tiny_chars <= FT_POPPLER_TINY_CAP)
            chars++;
        if (chars > FT_MAX_GLYPHS_PER_PAGE || ++drawn > FT_VDOC_MAX_DRAWN) {
            over = true;
            return;
        }
        TextOutputDev::drawChar(state, x, y, dx, dy, originX, originY, c,
                                nBytes, u, uLen);
    }

    size_t chars = 0, tiny_chars = 0, drawn = 0;
    bool over = false;
    double deadline = 0; /* seconds (monotonic) by which to give up */

    void stroke(GfxState *state) override
    {
        TextOutputDev::stroke(state);
        capture(state, true);
    }
    void fill(GfxState *state) override
    {
        TextOutputDev::fill(state);
        capture(state, false);
    }
    void eoFill(GfxState *state) override
    {
        TextOutputDev::eoFill(state);
        capture(state, false);
    }

    /* images are only measured, never decoded: a scanned page's rules
     * are in its picture, and only a render finds them */
    bool needNonText() override { return true; }
    void drawImageMask(GfxState *state, Object *ref, Stream *str, int width,
                       int height, bool invert, bool interpolate,
                       bool inlineImg) override
    {
        measure(state);
        OutputDev::drawImageMask(state, ref, str, width, height, invert,
                                 interpolate, inlineImg);
    }
    void drawImage(GfxState *state, Object *ref, Stream *str, int width,
                   int height, GfxImageColorMap *colorMap, bool interpolate,
                   const int *maskColors, bool inlineImg) override
    {
        measure(state);
        OutputDev::drawImage(state, ref, str, width, height, colorMap,
                             interpolate, maskColors, inlineImg);
    }
    void drawMaskedImage(GfxState *state, Object *, Stream *, int, int,
                         GfxImageColorMap *, bool, Stream *, int, int, bool,
                         bool) override
    {
        measure(state);
    }
    void drawSoftMaskedImage(GfxState *state, Object *, Stream *, int, int,
                             GfxImageColorMap *, bool, Stream *, int, int,
                             GfxImageColorMap *, bool) override
    {
        measure(state);
    }

    std::vector<ft_rule> rules;
    int paths = 0;
    double image_area = 0; /* the largest image, in square points */

private:
    void measure(GfxState *state)
    {
        /* the unit square through the CTM: the image's box on the page */
        double x[4], y[4];
        static const double ux[4] = {0, 1, 0, 1}, uy[4] = {0, 0, 1, 1};
        for (int k = 0; k < 4; k++)
            state->transform(ux[k], uy[k], &x[k], &y[k]);
        double w = std::max(std::max(x[0], x[1]), std::max(x[2], x[3])) -
                   std::min(std::min(x[0], x[1]), std::min(x[2], x[3]));
        double h = std::max(std::max(y[0], y[1]), std::max(y[2], y[3])) -
                   std::min(std::min(y[0], y[1]), std::min(y[2], y[3]));
        image_area = std::max(image_area, w * h);
    }

    void add(char dir, double pos, double a, double b, const double *clip)
    {
        ft_rule r;
        if (a > b)
            std::swap(a, b);
        if (dir == 'h') {
            if (pos < clip[1] - 0.5 || pos > clip[3] + 0.5)
                return;
            a = std::max(a, clip[0]);
            b = std::min(b, clip[2]);
        } else {
            if (pos < clip[0] - 0.5 || pos > clip[2] + 0.5)
                return;
            a = std::max(a, clip[1]);
            b = std::min(b, clip[3]);
        }
        if (b - a < 2 || rules.size() > 1000000)
            return;
        r.dir = dir;
        r.pos = pos;
        r.a = a;
        r.b = b;
        rules.push_back(r);
    }

    void capture(GfxState *state, bool stroke)
    {
        const GfxPath *path = state->getPath();
        GfxRGB rgb;
        double clip[4], lw = 0;
        paths++;
        if (!path)
            return;
        if (stroke) {
            state->getStrokeRGB(&rgb);
            if (state->getStrokeOpacity() < 0.2)
                return;
            lw = state->getTransformedLineWidth();
            if (lw > MAX_RULE)
                return;
        } else {
            state->getFillRGB(&rgb);
            if (state->getFillOpacity() < 0.2)
                return;
        }
        /* white (or nearly) paint draws nothing on a white page */
        if (colToDbl(rgb.r) > 0.93 && colToDbl(rgb.g) > 0.93 &&
            colToDbl(rgb.b) > 0.93)
            return;
        state->getClipBBox(&clip[0], &clip[1], &clip[2], &clip[3]);
        for (int i = 0; i < path->getNumSubpaths(); i++) {
            const GfxSubpath *sp = path->getSubpath(i);
            int n = sp->getNumPoints();
            std::vector<double> x(n), y(n);
            for (int k = 0; k < n; k++)
                state->transform(sp->getX(k), sp->getY(k), &x[k], &y[k]);
            if (stroke) {
                for (int k = 1; k <= n; k++) {
                    int a = k - 1, b = k % n;
                    if (k == n && !sp->isClosed())
                        break;
                    if (k < n && (sp->getCurve(k) || sp->getCurve(a)))
                        continue;
                    if (std::fabs(y[a] - y[b]) <= 0.5)
                        add('h', (y[a] + y[b]) / 2, x[a], x[b], clip);
                    else if (std::fabs(x[a] - x[b]) <= 0.5)
                        add('v', (x[a] + x[b]) / 2, y[a], y[b], clip);
                }
                continue;
            }
            /* a filled rectangle thin enough to be a line */
            if (n < 4 || n > 5)
                continue;
            bool curved = false;
            double x0 = x[0], x1 = x[0], y0 = y[0], y1 = y[0];
            for (int k = 0; k < n; k++) {
                curved = curved || sp->getCurve(k);
                x0 = std::min(x0, x[k]);
                x1 = std::max(x1, x[k]);
                y0 = std::min(y0, y[k]);
                y1 = std::max(y1, y[k]);
            }
            bool axis = true;
            for (int k = 0; k < n; k++)
                axis = axis &&
                       (std::fabs(x[k] - x0) < 0.1 || std::fabs(x[k] - x1) < 0.1) &&
                       (std::fabs(y[k] - y0) < 0.1 || std::fabs(y[k] - y1) < 0.1);
            if (curved || !axis)
                continue;
            if (y1 - y0 <= MAX_RULE && x1 - x0 > 2 * (y1 - y0))
                add('h', (y0 + y1) / 2, x0, x1, clip);
            else if (x1 - x0 <= MAX_RULE && y1 - y0 > 2 * (x1 - x0))
                add('v', (x0 + x1) / 2, y0, y1, clip);
        }
    }
};

/* Appends one character; returns false when out of memory. */
bool push_glyph(ft_vpage *out, size_t *cap, uint32_t cp, double x0,
                double y0, double x1, double y1, int space)
{
    if (out->n_glyphs == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        void *p = std::realloc(out->glyphs, nc * sizeof *out->glyphs);
        if (!p)
            return false;
        out->glyphs = static_cast<ft_glyph *>(p);
        *cap = nc;
    }
    ft_glyph *g = &out->glyphs[out->n_glyphs++];
    g->cp = cp;
    g->box.x0 = x0;
    g->box.y0 = y0;
    g->box.x1 = x1;
    g->box.y1 = y1;
    g->space_before = space;
    g->up = 0;
    g->ocr = 0;
    g->conf = 0;
    return true;
}

/* 1 for a box under 3 pt either way (poppler's tiny-glyph test). */
int tiny(double x0, double y0, double x1, double y1)
{
    return x1 - x0 < 3 || y1 - y0 < 3;
}

} // namespace

namespace {
/* poppler reports damage it works around on stderr; fiscaltab's library
 * never prints (what matters reaches the log through its own checks) */
void quiet(ErrorCategory, Goffset, const char *) { }
} // namespace

extern "C" ft_vdoc *ft_vdoc_open(const char *path, const char *password)
{
    if (!globalParams)
        globalParams = std::make_unique<GlobalParams>();
    setErrorCallback(quiet);
    std::optional<GooString> pw;
    if (password)
        pw = GooString(password);
    auto doc = std::make_unique<PDFDoc>(std::make_unique<GooString>(path),
                                        pw, pw);
    if (!doc->isOk())
        return nullptr;
    ft_vdoc *d = new (std::nothrow) ft_vdoc;
    if (!d)
        return nullptr;
    d->doc = std::move(doc);
    return d;
}

extern "C" void ft_vdoc_free(ft_vdoc *d)
{
    delete d;
}

extern "C" int ft_vdoc_page_count(const ft_vdoc *d)
{
    return d ? d->doc->getNumPages() : 0;
}

extern "C" int ft_vdoc_page_size(ft_vdoc *d, int number, double *width,
                                 double *height)
{
    if (!d || number < 1 || number > d->doc->getNumPages())
        return -1;
    Page *page = d->doc->getPage(number);
    if (!page || !page->isOk())
        return -1;
    double w = page->getCropWidth(), h = page->getCropHeight();
    if (page->getRotate() == 90 || page->getRotate() == 270)
        std::swap(w, h);
    *width = w;
    *height = h;
    return 0;
}

extern "C" void ft_vpage_clear(ft_vpage *p)
{
    if (!p)
        return;
    std::free(p->glyphs);
    std::free(p->rules);
    std::memset(p, 0, sizeof *p);
}

/* Seconds on a monotonic clock. */
static double
now_seconds()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* poppler's abort check while it draws a page: past the character
 * limit or the page's time budget. */
static bool
give_up(void *data)
{
    const RuleTextDev *dev = static_cast<const RuleTextDev *>(data);
    return dev->over || now_seconds() > dev->deadline;
}

/* Bytes the content streams in obj inflate to, counted up to past cap:
 * a deflate bomb (8 GiB behind 14 KB) is told before poppler parses it,
 * at the cost of inflating a page's content once more. */
static long long
content_bytes(Object &obj, long long cap)
{
    long long n = 0;
    if (obj.isArray()) {
        for (int i = 0; i < obj.arrayGetLength() && n <= cap; i++) {
            Object o = obj.arrayGet(i);
            n += content_bytes(o, cap - n);
        }
        return n;
    }
    if (!obj.isStream())
        return 0;
    Stream *str = obj.getStream();
    unsigned char buf[65536];
    int got;
    str->reset();
    while (n <= cap && (got = str->doGetChars(sizeof buf, buf)) > 0)
        n += got;
    str->close();
    return n;
}

extern "C" int ft_vdoc_page(ft_vdoc *d, int number, ft_vpage *out)
{
    std::memset(out, 0, sizeof *out);
    if (!d || number < 1 || number > d->doc->getNumPages())
        return -1;
    Page *page = d->doc->getPage(number);
    if (!page || !page->isOk())
        return -1;
    {
        Object contents = page->getContents();
        if (content_bytes(contents, FT_VDOC_MAX_CONTENT) >
            FT_VDOC_MAX_CONTENT)
            return FT_VDOC_TOO_BIG;
    }
    RuleTextDev dev;
    if (!dev.isOk())
        return -1;
    dev.deadline = now_seconds() + FT_VDOC_PAGE_SECONDS;
    /* 72 dpi, the page's own rotation, the crop box: as poppler-glib;
     * given up past the character limit or the time budget */
    page->displaySlice(&dev, 72.0, 72.0, 0, false, true, -1, -1, -1, -1,
                       false, give_up, &dev);
    if (dev.over)
        return dev.drawn > FT_VDOC_MAX_DRAWN ? FT_VDOC_TOO_MUCH
                                             : FT_VDOC_TOO_MANY;
    if (now_seconds() > dev.deadline)
        return FT_VDOC_TOO_SLOW;
    TextPage *text = dev.takeText();
    if (!text)
        return -1;

    /* the whole page selected, glyph by glyph, as poppler-glib does */
    double w = page->getCropWidth(), h = page->getCropHeight();
    if (page->getRotate() == 90 || page->getRotate() == 270)
        std::swap(w, h);
    PDFRectangle sel(0, 0, w, h);
    int n_lines = 0;
    std::vector<TextWordSelection *> **lines =
        text->getSelectionWords(&sel, selectionStyleGlyph, &n_lines);
    size_t cap = 0;
    bool ok = true;
    int space = 1;
    for (int i = 0; i < n_lines; i++) {
        std::vector<TextWordSelection *> *words = lines[i];
        for (size_t j = 0; j < words->size(); j++) {
            TextWordSelection *ws = (*words)[j];
            const TextWord *word = ws->getWord();
            double x0, y0, x1, y1;
            for (int k = ws->getBegin(); k < ws->getEnd() && ok; k++) {
                word->getCharBBox(k, &x0, &y0, &x1, &y1);
                out->n_tiny += tiny(x0, y0, x1, y1);
                out->n_chars++;
                uint32_t cp = *word->getChar(k);
                if (ft_is_space(cp)) {
                    space = 1;
                    continue;
                }
                if (x1 <= x0 || y1 <= y0)
                    continue;
                ok = push_glyph(out, &cap, cp, x0, y0, x1, y1, space);
                space = 0;
            }
            if (j + 1 < words->size() && word->hasSpaceAfter()) {
                /* the space poppler-glib puts between two words */
                double a0, b0, a1, b1, c0, e0, c1, e1;
                word->getBBox(&a0, &b0, &a1, &b1);
                (*words)[j + 1]->getWord()->getBBox(&c0, &e0, &c1, &e1);
                out->n_tiny += tiny(a1, b0, c0, b1);
                out->n_chars++;
                space = 1;
            }
            delete ws;
        }
        if (i + 1 < n_lines) {
            space = 1; /* a line break: a zero-width box in poppler-glib */
            out->n_tiny++;
            out->n_chars++;
        }
        delete words;
    }
    gfree(lines);
    text->decRefCnt();
    if (!ok) {
        ft_vpage_clear(out);
        return -1;
    }
    if (!dev.rules.empty()) {
        out->rules = static_cast<ft_rule *>(
            std::malloc(dev.rules.size() * sizeof *out->rules));
        if (!out->rules) {
            ft_vpage_clear(out);
            return -1;
        }
        std::memcpy(out->rules, dev.rules.data(),
                    dev.rules.size() * sizeof *out->rules);
        out->n_rules = dev.rules.size();
    }
    out->paths = dev.paths;
    out->image_share = dev.image_area / (w * h > 0 ? w * h : 1);
    return 0;
}
