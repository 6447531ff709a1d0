#!/bin/sh
# OCR of scanned pages: a fixture rendered at 300 dpi with noise, as an
# image-only PDF, must read back into the original's grid cell by cell
# (the originals' .tsv), and pass the same checks. Without Tesseract a
# scan is reported and nothing is guessed.
BUILD=${1:-build}
. tests/setup
O=$WORK/ocr
rm -rf "$O"
mkdir -p "$O"
if ! "$FT" --version | grep -q '^ocr: tesseract'; then
    "$BUILD/fixturescan" fixtures/threeline.pdf "$O/scan.pdf" 150 0 0 >/dev/null
    expect_rc 0 "$FT" convert "$O/scan.pdf" -o "$O/out"
    expect_err "is a picture and was not read: OCR needs Tesseract"
    summary ocr
    exit
fi
"$BUILD/fixturescan" fixtures/threeline.pdf "$O/threeline-300.pdf" 300 0 8 >/dev/null
if "$BUILD/golden" "$O/threeline-300.pdf" fixtures/threeline.tsv >"$O/g.out" 2>&1; then
    ok
else
    bad "scanned threeline (300 dpi, noise) grid differs from the original's"
    head -10 "$O/g.out"
fi
# at 200 dpi with more noise: the same grid (rows, columns, spans), and
# at most 2 of its 94 cells misread (1 when this was written)
"$BUILD/fixturescan" fixtures/threeline.pdf "$O/threeline-200.pdf" 200 0 12 >/dev/null
"$BUILD/golden" "$O/threeline-200.pdf" fixtures/threeline.tsv >"$O/g200.out" 2>&1
if grep -qE 'cells, got|merge|tables, got|header_rows' "$O/g200.out"; then
    bad "scanned threeline (200 dpi): grid shape differs"
    head -5 "$O/g200.out"
elif [ "$(grep -cE ' R[0-9]+C[0-9]+: expected' "$O/g200.out")" -le 2 ]; then
    ok
else
    bad "scanned threeline (200 dpi): more than 2 cells misread"
    head -5 "$O/g200.out"
fi
# turned 0.7 degrees and stored as a JPEG (quality 75), as scanners do:
# straightened, and the same grid cell by cell
"$BUILD/fixturescan" fixtures/threeline.pdf "$O/threeline-jpeg.pdf" 300 0.7 8 75 >/dev/null
if "$BUILD/golden" "$O/threeline-jpeg.pdf" fixtures/threeline.tsv >"$O/gj.out" 2>&1; then
    ok
else
    bad "scanned threeline (300 dpi, 0.7 degrees, JPEG) grid differs"
    head -10 "$O/gj.out"
fi
# five pages, three tables over page breaks with repeated headers,
# turned 0.3 degrees, JPEG: the same tables and shapes, every amount
# exact, at most 6 of 114 text cells misread (5 when this was written)
"$BUILD/fixturescan" fixtures/bad-rows.pdf "$O/bad-rows-jpeg.pdf" 300 0.3 8 75 >/dev/null
"$BUILD/golden" "$O/bad-rows-jpeg.pdf" fixtures/bad-rows.tsv >"$O/gb.out" 2>&1
if grep -qE 'cells, got|merge|tables, got|header_rows' "$O/gb.out"; then
    bad "scanned bad-rows: grid shape differs"
    head -5 "$O/gb.out"
elif grep -qE ' R[0-9]+C[0-9]+: expected "[-(]?[0-9][0-9,]*(\.[0-9]+)?\)?"' "$O/gb.out"; then
    bad "scanned bad-rows: an amount misread"
    grep -E ' R[0-9]+C[0-9]+: expected "[0-9]' "$O/gb.out" | head -3
elif [ "$(grep -cE ' R[0-9]+C[0-9]+: expected' "$O/gb.out")" -le 6 ]; then
    ok
else
    bad "scanned bad-rows: more than 6 text cells misread"
    head -8 "$O/gb.out"
fi
# a narrative page, a title wrapped over two lines, "单位：万" with its 元
# wrapped below, and an unruled table over two pages, turned 0.3 degrees,
# JPEG: narrative is not a table, and the rest reads back exactly
"$BUILD/fixturescan" fixtures/prose-titles.pdf "$O/prose-jpeg.pdf" 300 0.3 8 75 >/dev/null
if "$BUILD/golden" "$O/prose-jpeg.pdf" fixtures/prose-titles.tsv >"$O/gp.out" 2>&1; then
    ok
else
    bad "scanned prose-titles (300 dpi, 0.3 degrees, JPEG) differs"
    head -10 "$O/gp.out"
fi
# every glyph drawn twice 1.4 pt apart (fake bold), scanned: the ghost
# strokes are taken out, the log says so, the grid keeps its shape and
# at most 16 of 75 amounts are misread (13 when this was written)
"$BUILD/fixturescan" fixtures/fakebold.pdf "$O/fakebold-300.pdf" 300 0 8 >/dev/null
"$BUILD/golden" "$O/fakebold-300.pdf" fixtures/fakebold.tsv >"$O/gf.out" 2>&1
if grep -qE 'cells, got|merge|tables, got|header_rows' "$O/gf.out"; then
    bad "scanned fakebold: grid shape differs"
    head -5 "$O/gf.out"
elif [ "$(grep -cE ' R[0-9]+C[0-9]+: expected "[-(]?[0-9][0-9,]*(\.[0-9]+)?\)?"' "$O/gf.out")" -le 16 ]; then
    ok
else
    bad "scanned fakebold: more than 16 amounts misread"
    head -8 "$O/gf.out"
fi
expect_rc 1 "$FT" convert -q "$O/fakebold-300.pdf" -o "$O/fb"
grep -q '"rule":"ocr","status":"info",.*skew 0.00 degrees corrected; [0-9][0-9]* runs of text drawn twice (fake bold) read once"}' \
    "$O/fb/fakebold-300.log.jsonl" && ok || bad "fake bold scan not reported"
# an amount the OCR left as text is listed, and commented in the xlsx
grep -q '"rule":"ocr_not_a_number","status":"info",.*read by OCR in a column of numbers: check it by eye"}' \
    "$O/fb/fakebold-300.log.jsonl" && ok || bad "text in a column of numbers not listed"
unzip -p "$O/fb/fakebold-300.xlsx" xl/comments1.xml |
    grep -q 'read by OCR as text in a column of numbers: check by eye' &&
    ok || bad "text in a column of numbers not commented in the xlsx"
# at 200 dpi, JPEG: header cells filled gray, whose text a rule-finder
# could take for rules; the grid keeps its shape, at most 2 cells misread
"$BUILD/fixturescan" fixtures/shaded-header.pdf "$O/shaded-200.pdf" 200 0 8 75 >/dev/null
"$BUILD/golden" "$O/shaded-200.pdf" fixtures/shaded-header.tsv >"$O/gs.out" 2>&1
if grep -qE 'cells, got|merge|tables, got|header_rows|title|unit' "$O/gs.out"; then
    bad "scanned shaded-header (200 dpi): grid shape differs"
    head -5 "$O/gs.out"
elif [ "$(grep -cE ' R[0-9]+C[0-9]+: expected' "$O/gs.out")" -le 2 ]; then
    ok
else
    bad "scanned shaded-header (200 dpi): more than 2 cells misread"
    head -5 "$O/gs.out"
fi
# at 200 dpi, JPEG: a contents page whose dot leaders OCR reads as
# letters is still not a table; the two tables after it keep their shape
"$BUILD/fixturescan" fixtures/mixed-pages.pdf "$O/mixed-200.pdf" 200 0 8 75 >/dev/null
"$BUILD/golden" "$O/mixed-200.pdf" fixtures/mixed-pages.tsv >"$O/gm.out" 2>&1
grep -qE 'cells, got|merge|tables, got|header_rows|title' "$O/gm.out" &&
    bad "scanned mixed-pages (200 dpi): tables differ" || ok
# a plain scan never reports fake bold
expect_rc 0 "$FT" convert "$O/threeline-300.pdf" -o "$O/out"
grep -q 'drawn twice' "$O/out/threeline-300.log.jsonl" &&
    bad "fake bold reported on a plain scan" || ok
grep -q '"rule":"ocr","status":"info".*"message":"page 1 read by OCR (tesseract ' \
    "$O/out/threeline-300.log.jsonl" && ok || bad "no ocr entry in the log"
grep -q '"rule":"column_total","status":"pass","expected":13422.91,"actual":13422.91' \
    "$O/out/threeline-300.log.jsonl" && ok || bad "OCR'd totals not checked"
# the planted wrong digit of bad-sums is caught through OCR at the same
# cells, and the failure names the least confident reading in the sum
# (turned 0.3 degrees, JPEG)
"$BUILD/fixturescan" fixtures/bad-sums.pdf "$O/bad-sums-300.pdf" 300 0.3 8 75 >/dev/null
expect_rc 1 "$FT" convert -q "$O/bad-sums-300.pdf" -o "$O/bad"
for cell in C6 D5; do
    grep -q "\"cell\":\"$cell\",\"kind\":\"check\",\"rule\":\"[a-z_]*\",\"status\":\"fail\".*; least confident OCR reading: [A-Z][0-9]* ([0-9]*%)" \
        "$O/bad/bad-sums-300.log.jsonl" && ok || bad "scanned bad-sums: no failure at $cell"
done
[ "$(grep -c '"status":"fail"' "$O/bad/bad-sums-300.log.jsonl")" -eq 2 ] && ok ||
    bad "scanned bad-sums: not exactly the two planted failures"
# --ocr never: the scan is a page without text, and the log says so
expect_rc 0 "$FT" convert --ocr never "$O/threeline-300.pdf" -o "$O/never"
grep -q '"rule":"no_text_layer"' "$O/never/threeline-300.log.jsonl" && ok ||
    bad "--ocr never read the scan"
# without Tesseract (FT_TESSERACT names a library that is not there) the
# scan is reported, on stderr and in the log, and nothing is guessed
expect_rc 0 env FT_TESSERACT=/nonexistent/libtesseract.so "$FT" convert -q \
    "$O/threeline-300.pdf" -o "$O/none"
expect_err "fiscaltab: warning: $O/threeline-300.pdf: page 1 is a picture and was not read: OCR needs Tesseract: install tesseract-ocr-chi-sim and tesseract-ocr-eng (libtesseract5)"
grep -q '"rule":"ocr_unavailable","status":"fail"' "$O/none/threeline-300.log.jsonl" &&
    ok || bad "ocr_unavailable not logged"
env FT_TESSERACT=/nonexistent "$FT" --version | grep -q '^ocr: none (libtesseract.so.5 not found' &&
    ok || bad "--version without Tesseract"
expect_rc 2 "$FT" convert --ocr sometimes fixtures/threeline.pdf -o "$O/x"
expect_err "fiscaltab: error: bad --ocr 'sometimes' (auto, always or never)"
summary ocr
