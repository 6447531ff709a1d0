#!/bin/sh
# Malformed and hostile input: each case has its exit code and its one
# error line naming the file; none may crash, hang or leave output behind.
. tests/setup
O=$WORK/malformed
rm -rf "$O"
mkdir -p "$O"

# a minimal PDF: pages dict, page MediaBox, content stream
mkpdf() {
    name=$1 pages=$2 box=$3 content=$4
    {
        printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
        printf '2 0 obj %s endobj\n' "$pages"
        printf '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n' "$box"
        printf '4 0 obj << /Length %d >> stream\n%s\nendstream endobj\n' "${#content}" "$content"
        printf '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n'
        printf 'trailer << /Root 1 0 R >>\n%%%%EOF\n'
    } >"$O/$name"
}
one="<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
text="BT /F1 12 Tf 100 700 Td (Hello) Tj ET"

mkpdf zero.pdf "<< /Type /Pages /Kids [] /Count 0 >>" "[0 0 595 842]" ""
expect_rc 3 "$FT" convert "$O/zero.pdf" -o "$O/out"
expect_err "fiscaltab: error: $O/zero.pdf: the document has no pages"

mkpdf claim.pdf "<< /Type /Pages /Kids [3 0 R] /Count 100000 >>" "[0 0 595 842]" "$text"
expect_rc 3 "$FT" convert "$O/claim.pdf" -o "$O/out"
expect_err "fiscaltab: error: $O/claim.pdf:"

mkpdf absurd.pdf "$one" "[0 0 10000000 10000000]" "$text"
expect_rc 0 "$FT" convert "$O/absurd.pdf" -o "$O/out"
expect_err "fiscaltab: warning: $O/absurd.pdf: page 1: page skipped: absurd page size"
grep -q '"rule":"page_unreadable","status":"fail"' "$O/out/absurd.log.jsonl" &&
    ok || bad "absurd page not logged"

nest=$(i=0; while [ $i -lt 3000 ]; do printf 'q '; i=$((i+1)); done)
mkpdf nested.pdf "$one" "[0 0 595 842]" "$nest $text"
expect_rc 0 "$FT" convert "$O/nested.pdf" -o "$O/out"
expect_err "fiscaltab: $O/nested.pdf: 0 tables from 1 pages, checks 0 passed 0 failed"

mkpdf nofont.pdf "$one" "[0 0 595 842]" "BT /F9 12 Tf 100 700 Td (Hello) Tj ET"
expect_rc 0 "$FT" convert "$O/nofont.pdf" -o "$O/out"
expect_err "fiscaltab: $O/nofont.pdf: 0 tables from 1 pages, checks 0 passed 0 failed"

# a broken cross-reference table is rebuilt by poppler: still converts
sed 's/^startxref$/startxref_broken/' fixtures/threeline.pdf >"$O/xref.pdf"
expect_rc 0 "$FT" convert "$O/xref.pdf" -o "$O/out"
expect_err "1 tables from 1 pages"

# truncated at many offsets, bytes flipped at many places: a documented
# exit code every time, never a crash (>= 99 or a signal)
size=$(wc -c <fixtures/seed-budget.pdf)
for cut in 10 100 1000 5000 20000 40000 60000 80000 $((size - 200)) $((size - 20)); do
    head -c $cut fixtures/seed-budget.pdf >"$O/cut.pdf"
    "$FT" convert -q "$O/cut.pdf" -o "$O/cutout" >/dev/null 2>"$WORK/err"
    rc=$?
    case $rc in 0 | 1 | 3) ok ;; *) bad "truncated at $cut: exit $rc" ;; esac
    [ $rc -ne 3 ] || grep -q "fiscaltab: error: $O/cut.pdf: " "$WORK/err" && ok ||
        bad "truncated at $cut: no error line"
    # poppler's own complaints never reach stderr: only fiscaltab's line
    if grep -v '^fiscaltab: ' "$WORK/err" | grep -q .; then
        bad "truncated at $cut: stray output: $(grep -v '^fiscaltab: ' "$WORK/err" | head -1)"
    else
        ok
    fi
done
for at in 500 3000 9000 15000 30000 45000 70000 90000; do
    cp fixtures/seed-budget.pdf "$O/flip.pdf"
    printf '\377\000\377' | dd of="$O/flip.pdf" bs=1 seek=$at conv=notrunc 2>/dev/null
    "$FT" convert -q "$O/flip.pdf" -o "$O/flipout" >/dev/null 2>&1
    rc=$?
    case $rc in 0 | 1 | 3) ok ;; *) bad "bytes flipped at $at: exit $rc" ;; esac
done

# a page of 20,300 glyphs in a 290 x 10 grid converts, exactly sized
awk 'BEGIN {
    for (r = 0; r < 290; r++) {
        s = sprintf("BT /F1 2.6 Tf 10 %.1f Td (", 834 - r * 2.85)
        for (c = 0; c < 10; c++) s = s sprintf("%s%7.2f", c ? " " : "", ((r * 13 + c * 7) % 9973) / 3)
        print s ") Tj ET"
    } }' >"$O/dense.txt"
mkpdf dense.pdf "$one" "[0 0 595 842]" "$(cat "$O/dense.txt")"
sed -i 's|/BaseFont /Helvetica|/BaseFont /Courier|' "$O/dense.pdf"
expect_rc 0 "$FT" convert "$O/dense.pdf" -o "$O/out"
grep -q '290 rows x 10 columns, 0 header rows, 2900 amounts' "$O/out/dense.log.jsonl" &&
    ok || bad "dense page grid"

# a page of more than 200,000 characters (300 lines of 720) is skipped,
# reported on stderr and in the log; the run stays fast and small
line=$(awk 'BEGIN { for (i = 0; i < 120; i++) printf "12.45 " }')
awk -v l="$line" 'BEGIN { for (i = 0; i < 300; i++) printf "(%s) '"'"' ", l }' >"$O/many.txt"
mkpdf many.pdf "$one" "[0 0 5000 4500]" "BT /F1 12 Tf 14 TL 10 4490 Td $(cat "$O/many.txt") ET"
expect_rc 0 "$FT" convert "$O/many.pdf" -o "$O/out"
expect_err "fiscaltab: warning: $O/many.pdf: page 1: page skipped: more than 200000 characters"
grep -q '"page":1,.*"rule":"page_unreadable","status":"fail",.*"message":"page skipped: more than 200000 characters"' "$O/out/many.log.jsonl" &&
    ok || bad "glyph limit not logged"

# the same text at 4 pt: poppler keeps only 50,000 such small characters
# and drops the rest silently; fiscaltab says the page may be incomplete
mkpdf tiny.pdf "$one" "[0 0 2000 1600]" "BT /F1 4 Tf 4.8 TL 10 1590 Td $(cat "$O/many.txt") ET"
expect_rc 0 "$FT" convert "$O/tiny.pdf" -o "$O/out"
expect_err "fiscaltab: warning: $O/tiny.pdf: page 1: text may be incomplete: poppler keeps only 50000 characters smaller than 3 pt on a page"
grep -q '"rule":"text_capped","status":"fail"' "$O/out/tiny.log.jsonl" &&
    ok || bad "poppler's cap not logged"
grep -q '"rule":"text_capped"' "$O/out/dense.log.jsonl" &&
    bad "dense page flagged as capped" || ok

# a directory given as the input
mkdir -p "$O/adir.pdf"
expect_rc 3 "$FT" convert "$O/adir.pdf" -o "$O/out"
expect_err "fiscaltab: error: $O/adir.pdf: cannot read the file: it is a directory"

# outputs stay inside -o DIR whatever the input is called; no temporaries
cp fixtures/threeline.pdf "$O/..evil.pdf"
expect_rc 0 "$FT" convert "$O/..evil.pdf" -o "$O/safe" --csv
[ -f "$O/safe/evil.xlsx" ] && [ ! -e "$O/evil.xlsx" ] && ok || bad "output escaped -o"
[ -z "$(find "$O" -name '*.tmp*')" ] && ok || bad "temporary files left"
# an unrelated directory where the CSVs would go is never emptied
mkdir -p "$O/keep/threeline"
echo precious >"$O/keep/threeline/notes.txt"
expect_rc 5 "$FT" convert fixtures/threeline.pdf -o "$O/keep" --csv
expect_err "holds other files: not replaced"
[ "$(cat "$O/keep/threeline/notes.txt")" = precious ] && ok || bad "user file lost"

# more tables than any fixed array held (tab_ids[1024]): every cell of
# the dataset belongs to its table
python3 tests/tools/many_tables.py "$O/many.pdf" 1100
rm -rf "$O/mb"
expect_rc 0 "$FT" batch "$O/many.pdf" -o "$O/mb"
[ "$(sqlite3 "$O/mb/dataset.sqlite" "SELECT count(*), sum(tab = 0), count(DISTINCT tab) FROM cells")" = "4400|0|1100" ] &&
    ok || bad "dataset: cells of tables past 1024 orphaned"

# a cell past Excel's 32,767 characters: cut in the sheet with a fail
# entry and a warning naming the page and cell, whole in the CSV, and
# nothing else lost (was: exit 5 with an empty message, nothing written)
python3 tests/tools/long_cell.py "$O/long.pdf"
expect_rc 0 "$FT" convert "$O/long.pdf" -o "$O/lc" --csv
expect_err "fiscaltab: warning: $O/long.pdf: page 1: A2: 40661 characters, cut to Excel's 32767 in the sheet; the CSV (--csv) holds them all"
[ -s "$O/lc/long.xlsx" ] && grep -q '"rule":"cell_truncated","status":"fail"' "$O/lc/long.log.jsonl" &&
    [ "$(tr -d '\r' <"$O/lc/long/01-Table 1 Long.csv" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -ge 40661 ] &&
    ok || bad "long cell: workbook, log entry or whole CSV missing"

# a form drawn 10^7 times over (fan-out, 3 KB): characters past the
# page's limit are not collected and poppler is stopped, so the page is
# skipped with its line in bounded time and memory (was: 4 GiB)
python3 tests/tools/fanout.py "$O/fan.pdf" 7
expect_rc 0 timeout 60 "$FT" convert "$O/fan.pdf" -o "$O/fan"
expect_err "fiscaltab: warning: $O/fan.pdf: page 1: page skipped: draws more than 400000 characters (a form drawn over and over): given up"

# a panoramic picture page (14,400 pt wide): said not read, once, and the
# table on the page before is kept
python3 tests/tools/panorama.py "$O/pan.pdf"
expect_rc 0 "$FT" convert "$O/pan.pdf" -o "$O/pan"
expect_err "fiscaltab: warning: $O/pan.pdf: page 2: page 2 is a picture and was not read: page too large to read by OCR"
[ "$(grep -c 'is a picture and was not read' "$WORK/err")" = 1 ] &&
    grep -q '"rule":"table"' "$O/pan/pan.log.jsonl" && ok ||
    bad "panorama: the page said twice, or the other page's table lost"

# a 240-byte file name: its outputs' name is cut to 200 bytes, so that
# the temporary's (.log.jsonl.tmpPID) still fits a file name
long=$(awk 'BEGIN { while (n++ < 236) printf "a" }')
rm -rf "$O/ln" "$O/lno"
mkdir -p "$O/ln"
cp fixtures/unruled.pdf "$O/ln/$long.pdf"
expect_rc 0 "$FT" batch "$O/ln" -o "$O/lno"
stem=$(echo "$long" | cut -c1-200)
[ -s "$O/lno/$stem.xlsx" ] && [ -s "$O/lno/$stem.log.jsonl" ] && ok ||
    bad "a 240-byte name: outputs missing"

# a compression bomb (512 MiB of content behind two Flate filters, 1 KB):
# the page is given up once its content inflates past 256 MiB, unparsed
python3 tests/tools/bomb.py "$O/bomb.pdf" 512
expect_rc 0 timeout 60 "$FT" convert "$O/bomb.pdf" -o "$O/bomb"
expect_err "fiscaltab: warning: $O/bomb.pdf: page 1: page skipped: its content inflates past 256 MiB (a compression bomb?): given up"

# glyph boxes of a 1e12-point font and text at 1e15: no overflow when
# they become pixels (make asan runs this with UBSan, no recovery)
mkpdf hugebox.pdf "$one" "[0 0 595 842]" "BT /F1 12 Tf 1 0 0 1 1e15 1e15 Tm (Hello) Tj ET BT /F1 1e12 Tf 10 700 Td (Big) Tj ET BT /F1 12 Tf 100 650 Td (12.00) Tj 100 0 Td (13.00) Tj ET"
expect_rc 0 "$FT" convert "$O/hugebox.pdf" -o "$O/hb"
expect_rc 0 env FT_RULES=raster "$FT" convert "$O/hugebox.pdf" -o "$O/hb"

# a FIFO or a device as input never ends: refused at once, not read
rm -f "$O/fifo.pdf"
mkfifo "$O/fifo.pdf"
expect_rc 3 timeout 20 "$FT" convert "$O/fifo.pdf" -o "$O/ff"
expect_err "fiscaltab: error: $O/fifo.pdf: cannot read the file: not a regular file (a pipe or a device)"
expect_rc 0 timeout 20 "$FT" batch "$O/fifo.pdf" fixtures/unruled.pdf -o "$O/ffb"
expect_err "fiscaltab: error: $O/fifo.pdf: not a regular file (a pipe or a device): left out"
rm -f "$O/fifo.pdf"

# a file name that is no UTF-8: the log and batch.jsonl stay valid JSON
# (the byte is U+FFFD there); the outputs keep the name as it is
bad8=$(printf 'bad\377name')
rm -rf "$O/u8" "$O/u8o" "$O/u8b"
mkdir -p "$O/u8"
cp fixtures/unruled.pdf "$O/u8/$bad8.pdf"
expect_rc 0 "$FT" convert "$O/u8/$bad8.pdf" -o "$O/u8o"
expect_rc 0 "$FT" batch "$O/u8" -o "$O/u8b"
python3 -c '
import json, sys
for f in sys.argv[1:]:
    for line in open(f, "rb"):
        json.loads(line)
' "$O/u8o/$bad8.log.jsonl" "$O/u8b/batch.jsonl" "$O/u8b/$bad8.log.jsonl" 2>"$WORK/json.err" &&
    [ -s "$O/u8o/$bad8.xlsx" ] && ok ||
    bad "invalid UTF-8 file name: invalid JSON ($(head -1 "$WORK/json.err"))"

# text that a spreadsheet would run as a formula stays text in the CSV
mkpdf formula.pdf "$one" "[0 0 595 842]" "BT /F1 14 Tf 200 740 Td (Table 1 Formulas) Tj ET BT /F1 10 Tf 50 700 Td (=SUM\(A1:A9\)) Tj 150 0 Td (12.00) Tj ET BT /F1 10 Tf 50 680 Td (@cmd) Tj 150 0 Td (13.00) Tj ET BT /F1 10 Tf 50 660 Td (+danger) Tj 150 0 Td (14.00) Tj ET BT /F1 10 Tf 50 640 Td (plain) Tj 150 0 Td (15.00) Tj ET BT /F1 10 Tf 50 620 Td (--x) Tj 150 0 Td (123,456,789,012.35) Tj ET"
expect_rc 0 "$FT" convert "$O/formula.pdf" -o "$O/f" --csv
csv=$(ls "$O"/f/formula/*.csv 2>/dev/null | head -1)
if [ -n "$csv" ]; then
    tr -d '\r' <"$csv" | sed '1s/^\xef\xbb\xbf//' >"$WORK/f.csv"
    grep -qx "'=SUM(A1:A9),12.00" "$WORK/f.csv" &&
        grep -qx "'@cmd,13.00" "$WORK/f.csv" &&
        grep -qx "'+danger,14.00" "$WORK/f.csv" &&
        grep -qx "plain,15.00" "$WORK/f.csv" &&
        grep -qx "'--x,123456789012.35" "$WORK/f.csv" && ok ||
        bad "formula text not neutralized: $(cat "$WORK/f.csv")"
else
    bad "formula.pdf: no table"
fi
# the dataset too: labels guarded, and every amount exactly as printed
# (not rounded to 10 significant digits, 123456789000)
rm -rf "$O/fb"
expect_rc 0 "$FT" batch "$O/formula.pdf" -o "$O/fb"
tr -d '\r' <"$O/fb/dataset.csv" >"$WORK/fd.csv"
grep -q ",'=SUM(A1:A9),.*,12," "$WORK/fd.csv" &&
    grep -q ",'--x,.*,123456789012.35," "$WORK/fd.csv" &&
    ! grep -q ',=\|,+danger\|,@cmd' "$WORK/fd.csv" && ok ||
    bad "dataset.csv: formula text or a rounded amount: $(cat "$WORK/fd.csv")"
[ "$(sqlite3 "$O/fb/dataset.sqlite" "SELECT printf('%.2f', value) FROM cells WHERE row_label = '--x'")" = 123456789012.35 ] &&
    ok || bad "dataset.sqlite: a rounded amount"

# an unreadable file (checked as an ordinary user: root reads anything)
cp fixtures/threeline.pdf "$O/unreadable.pdf"
chmod 000 "$O/unreadable.pdf"
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
    chmod 777 "$O"
    expect_rc 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$FT" convert "$O/unreadable.pdf" -o "$O/u"
    expect_err "fiscaltab: error: $O/unreadable.pdf: cannot read the file: Permission denied"
fi

# a page too large to render at 72 dpi: the one-pass reader never
# renders it; when rules are found by rendering (FT_RULES=raster), they
# are read from a smaller render, and the log says so
mkpdf huge-page.pdf "$one" "[0 0 14000 14000]" "BT /F1 12 Tf 100 700 Td (a) Tj 200 0 Td (1.00) Tj ET BT /F1 12 Tf 100 680 Td (b) Tj 200 0 Td (2.00) Tj ET BT /F1 12 Tf 100 660 Td (c) Tj 200 0 Td (3.00) Tj ET"
expect_rc 0 "$FT" convert "$O/huge-page.pdf" -o "$O/out"
if grep -q '"rule":"render_limit"' "$O/out/huge-page.log.jsonl"; then
    bad "render limit logged without a render"
else
    ok
fi
expect_rc 0 env FT_RULES=raster "$FT" convert "$O/huge-page.pdf" -o "$O/out"
grep -q '"rule":"render_limit"' "$O/out/huge-page.log.jsonl" && ok ||
    bad "render limit not logged"
# a control character in the text (a ToUnicode map to U+007F) is
# stripped from the cell and logged
{
    printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n'
    printf '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n'
    printf '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n'
    c='BT /F1 14 Tf 200 740 Td (Table 1: A/B [x]) Tj ET BT /F1 10 Tf 50 700 Td (ABB) Tj 150 0 Td (1.00) Tj ET BT /F1 10 Tf 50 680 Td (=B+B) Tj 150 0 Td (2.00) Tj ET BT /F1 10 Tf 50 660 Td (BBB) Tj 150 0 Td (3.00) Tj ET'
    printf '4 0 obj << /Length %d >> stream\n%s\nendstream endobj\n' "${#c}" "$c"
    printf '5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >> endobj\n'
    m='/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <007F> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end'
    printf '6 0 obj << /Length %d >> stream\n%s\nendstream endobj\n' "${#m}" "$m"
    printf 'trailer << /Root 1 0 R >>\n%%%%EOF\n'
} >"$O/control.pdf"
expect_rc 0 "$FT" convert "$O/control.pdf" -o "$O/c" --csv
grep -q '"cell":"A1","kind":"normalize","rule":"control_characters","status":"info","expected":null,"actual":null,"message":"1 control characters removed"' "$O/c/control.log.jsonl" &&
    ok || bad "control character not logged"
# the hostile title makes a legal sheet name; formula-like text is a string
unzip -p "$O/c/control.xlsx" xl/workbook.xml | grep -q 'name="01 Table 1_ _B _x_"' &&
    ok || bad "sheet name not sanitized"
unzip -p "$O/c/control.xlsx" xl/worksheets/sheet2.xml | grep -q '<f>' &&
    bad "a formula in the sheet" || ok
unzip -p "$O/c/control.xlsx" xl/sharedStrings.xml | grep -q '<t>=B+B</t>' &&
    ok || bad "formula-like text not kept as a string"
summary malformed
