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
# scan FIXTURE NAME DPI ANGLE NOISE [QUALITY]: the fixture as an image-only
# PDF $O/NAME.pdf, and golden's comparison with the original in $O/NAME.out
# (exit status: golden's, 0 when every cell is exact)
scan() {
    "$BUILD/fixturescan" "fixtures/$1.pdf" "$O/$2.pdf" "$3" "$4" "$5" $6 >/dev/null
    "$BUILD/golden" "$O/$2.pdf" "fixtures/$1.tsv" >"$O/$2.out" 2>&1
}
# within NAME MAX KIND: the scan NAME kept its tables' shapes and has at
# most MAX KIND misread (KIND: "cells", "amounts" or "text cells")
within() {
    amt=' R[0-9]+C[0-9]+: expected "[-(]?[0-9][0-9,]*(\.[0-9]+)?\)?"'
    case $3 in
    amounts) n=$(grep -cE "$amt" "$O/$1.out") ;;
    text*) n=$(grep -E ' R[0-9]+C[0-9]+: expected' "$O/$1.out" | grep -cvE "$amt") ;;
    *) n=$(grep -cE ' R[0-9]+C[0-9]+: expected' "$O/$1.out") ;;
    esac
    if grep -qE 'cells, got|merge|tables, got|header_rows|title|unit' "$O/$1.out"; then
        bad "scanned $1: a table differs in shape or metadata"
        head -5 "$O/$1.out"
    elif [ "$n" -le "$2" ]; then
        ok
    else
        bad "scanned $1: $n $3 misread (at most $2)"
        head -8 "$O/$1.out"
    fi
}
# exact NAME: the scan NAME reads back exactly
exact() {
    if [ "$(grep -c . "$O/$1.out")" -eq 0 ]; then
        ok
    else
        bad "scanned $1 differs from the original"
        head -10 "$O/$1.out"
    fi
}
# unchecked NAME LOG: the wrong amounts (codes too) of scan NAME that no
# failing check in LOG covers: a failing row total in their row, another
# failing check in their column, or a failing check naming their cell.
# An amount read as the same value ("1969.08" for 1,969.08) is not wrong.
unchecked() {
    sed -n 's/^[^:]*: table \([0-9]*\) R\([0-9]*\)C\([0-9]*\): expected "\([-(]*[0-9][0-9,.]*)*\)" got "\(.*\)"$/\1 \2 \3 \4 \5/p' \
        "$O/$1.out" |
        while read -r t r c want got; do
            [ "$(echo "$want" | tr -d ',')" = "$(echo "$got" | tr -d ', ')" ] && continue
            col=$(printf "\\$(printf '%03o' $((64 + c)))")
            grep "\"table\":$t,.*\"kind\":\"check\",\"rule\":\"[a-z_]*\",\"status\":\"fail\"" "$2" >"$O/failing"
            grep -q "\"cell\":\"[A-Z]*$r\",\"kind\":\"check\",\"rule\":\"row_total\"" "$O/failing" && continue
            grep -v '"rule":"row_total"' "$O/failing" | grep -q "\"cell\":\"$col[0-9]*\"" && continue
            grep -q "\"message\":\".*[^A-Z0-9]$col$r[^0-9]" "$O/failing" && continue
            echo "table $t R${r}C$c: $want read $got"
        done
}
scan threeline threeline-300 300 0 8
exact threeline-300
# at 200 dpi with more noise: the same grid (rows, columns, spans), and
# at most 2 of its 94 cells misread (1 when this was written)
scan threeline threeline-200 200 0 12
within threeline-200 2 cells
# turned 0.7 degrees and stored as a JPEG (quality 75), as scanners do:
# straightened, and the same grid cell by cell
scan threeline threeline-jpeg 300 0.7 8 75
exact threeline-jpeg
# five pages, three tables over page breaks with repeated headers,
# turned 0.3 degrees, JPEG: the same tables and shapes, every amount
# exact, at most 6 of 114 text cells misread (3 when this was written)
scan bad-rows bad-rows-jpeg 300 0.3 8 75
within bad-rows-jpeg 0 amounts
within bad-rows-jpeg 6 "text cells"
# a narrative page, a title wrapped over two lines, "单位：万" with its 元
# wrapped below, and an unruled table over two pages, turned 0.3 degrees,
# JPEG: narrative is not a table, and the rest reads back exactly
scan prose-titles prose-jpeg 300 0.3 8 75
exact prose-jpeg
# every glyph drawn twice 1.4 pt apart (fake bold), scanned: the ghost
# strokes are taken out, the log says so, the grid keeps its shape and
# at most 3 of 75 amounts are misread (1 when this was written; 13 before
# the ghosts were decoded rather than eroded); at 200 dpi at most 10 (7)
scan fakebold fakebold-300 300 0 8
within fakebold-300 3 amounts
expect_rc 1 "$FT" convert -q "$O/fakebold-300.pdf" -o "$O/fb"
grep -q '"rule":"ocr","status":"info",.*skew 0.00 degrees corrected; [0-9][0-9]* runs of text drawn twice (fake bold) read once"}' \
    "$O/fb/fakebold-300.log.jsonl" && ok || bad "fake bold scan not reported"
scan fakebold fakebold-200 200 0 8
within fakebold-200 10 amounts
# a code misread with other marks among its digits is listed (its row may
# fall out of the code checks): every one in the comparison, in the log
expect_rc 1 "$FT" convert -q "$O/fakebold-200.pdf" -o "$O/fb2"
missed=0 listed=0
for row in $(sed -n 's/.* R\([0-9]*\)C1: expected "[0-9]*" got "[^"]*[^0-9"][^"]*"$/\1/p' "$O/fakebold-200.out"); do
    if grep -q "\"cell\":\"A$row\",\"kind\":\"extract\",\"rule\":\"ocr_not_a_code\",.*read by OCR in a column of codes: check it by eye" \
        "$O/fb2/fakebold-200.log.jsonl"; then
        listed=$((listed + 1))
    else
        missed=$((missed + 1))
    fi
done
[ "$missed" -eq 0 ] && ok || bad "fakebold-200: $missed misread codes not listed ($listed listed)"
# every misread amount sits in a failing sum, and every misread code is
# named by the failing sum its row drops out of ("the gap is the amount of
# the rows whose code OCR misread: A8, A11"; "A13 … was not read as a code")
unchecked fakebold-200 "$O/fb2/fakebold-200.log.jsonl" >"$O/unchecked"
[ ! -s "$O/unchecked" ] && ok || { bad "fakebold-200: misreads no failing check covers"; head -5 "$O/unchecked"; }
unchecked fakebold-300 "$O/fb/fakebold-300.log.jsonl" >"$O/unchecked"
[ ! -s "$O/unchecked" ] && ok || { bad "fakebold-300: misreads no failing check covers"; head -5 "$O/unchecked"; }
# performance forms at 200 dpi (their amounts are in no column of numbers:
# a "0" read as "A" was once in no sum): the tables keep their shapes, at
# most 2 amounts are misread (1 when this was written), and each fails the
# form's 资金总额 against its sources (form_total) at its cell
scan project-forms forms-200 200 0 8
within forms-200 2 amounts
"$FT" convert -q "$O/forms-200.pdf" -o "$O/pf" >/dev/null 2>&1
[ "$(grep -c '"rule":"form_total","status":"pass"' "$O/pf/forms-200.log.jsonl")" -ge 6 ] &&
    ok || bad "forms-200: form totals not checked"
unchecked forms-200 "$O/pf/forms-200.log.jsonl" >"$O/unchecked"
[ ! -s "$O/unchecked" ] && ok || { bad "forms-200: misreads no failing check covers"; head -5 "$O/unchecked"; }
# threeline with text printed in a column of amounts (见附表) and an
# amount printed without its point (2792 among x.xx): scanned, the text
# is listed and commented, the 合计 label of the codes column is not, and
# the point is put where the column prints it, said so and commented
mkdir -p "$O/marks/specs"
sed -e 's/^row 2040250|事业运行|423.86|423.86|$/row 2040250|事业运行|423.86|见附表|/' \
    -e 's/^row 2101102|事业单位医疗|27.92|27.92|$/row 2101102|事业单位医疗|27.92|2792|/' \
    fixtures/specs/threeline.spec >"$O/marks/specs/marks.spec"
"$BUILD/fixturegen" "$O/marks/specs" "$O/marks" >/dev/null
"$BUILD/fixturescan" "$O/marks/marks.pdf" "$O/marks-300.pdf" 300 0 8 >/dev/null
expect_rc 1 "$FT" convert -q "$O/marks-300.pdf" -o "$O/mk"
L="$O/mk/marks-300.log.jsonl"
grep -q '"cell":"D9","kind":"extract","rule":"ocr_not_a_number","status":"info",.*"message":"D9: \\"[^"]*\\" read by OCR in a column of numbers: check it by eye"}' \
    "$L" && ok || bad "text in a column of numbers not listed"
grep -q '"cell":"A3","kind":"extract","rule":"ocr_not_a_number"' "$L" &&
    bad "the 合计 label listed as text in a column of numbers" || ok
grep -q '"cell":"D17","kind":"extract","rule":"ocr_point_assumed","status":"info","expected":null,"actual":null,"message":"D17: 27.92: OCR read no decimal point; it was put where the column prints it: check by eye"}' \
    "$L" && ok || bad "assumed decimal point not logged"
[ "$(grep -c '"rule":"ocr_not_a_number\|"rule":"ocr_point_assumed' "$L")" -eq 2 ] &&
    ok || bad "other cells listed as text or with a point assumed"
unzip -p "$O/mk/marks-300.xlsx" xl/comments1.xml >"$O/mk/comments.xml"
grep -q 'read by OCR as text in a column of numbers: check by eye' \
    "$O/mk/comments.xml" && ok || bad "text in a column of numbers not commented in the xlsx"
grep -q 'read by OCR without a decimal point, put where the column prints it: check by eye' \
    "$O/mk/comments.xml" && ok || bad "assumed decimal point not commented in the xlsx"
# at 200 dpi, JPEG: header cells filled gray, whose text a rule-finder
# could take for rules; the grid keeps its shape, at most 2 cells misread
scan shaded-header shaded-200 200 0 8 75
within shaded-200 2 cells
# at 200 dpi, JPEG: a contents page whose dot leaders OCR reads as
# letters is still not a table; the two tables after it keep their shape
# (the unit 萬元 reads as 万元, and spaces between thousands are lost)
scan mixed-pages mixed-200 200 0 8 75
grep -qE 'cells, got|merge|tables, got|header_rows|title' "$O/mixed-200.out" &&
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

# a font without ToUnicode (fixtures/raw/no-tounicode.sh): the text layer
# is glyph numbers, so every page, even the last with only two rows and
# few odd characters, is read from its picture; the grid is the
# original's but for at most 2 cells, the title is no garble, and the
# cover (its title in a ruled box) makes no table
"$BUILD/golden" fixtures/no-tounicode.pdf fixtures/short-continuation.tsv \
    >"$O/notu.out" 2>&1
within notu 2 cells
"$FT" convert -q fixtures/no-tounicode.pdf -o "$O/notu" >/dev/null 2>&1
L=$O/notu/no-tounicode.log.jsonl
[ "$(grep -c '"rule":"undecodable_text","status":"info"' "$L")" = 3 ] &&
    [ "$(grep -c '"rule":"ocr","status":"info"' "$L")" = 3 ] &&
    [ "$(grep -c '"rule":"table"' "$L")" = 1 ] &&
    grep -q '"sheet":"01 收入决算表",.*"rule":"table"' "$L" && ok ||
    bad "no ToUnicode: pages not read by OCR, or the title garbled"
summary ocr
