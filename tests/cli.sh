#!/bin/sh
# CLI tests: every exit code, the one-line messages, bad input, and the
# files a conversion writes.
. tests/setup
O=$WORK/cli
rm -rf "$O"
mkdir -p "$O"

# --- usage (2), help and version (0)
expect_rc 0 "$FT" --help
grep -q '^Usage: fiscaltab convert' "$WORK/out" && ok || bad "--help text"
expect_rc 0 "$FT" --version
grep -q '^fiscaltab [0-9]' "$WORK/out" && ok || bad "--version text"
expect_rc 2 "$FT"
expect_err "Try 'fiscaltab --help'"
expect_rc 2 "$FT" frobnicate
expect_err "fiscaltab: error: unknown command 'frobnicate'"
expect_rc 2 "$FT" convert
expect_err "fiscaltab: error: convert takes exactly one FILE"
expect_rc 2 "$FT" convert a.pdf b.pdf
expect_rc 2 "$FT" convert --pages x fixtures/threeline.pdf -o "$O"
expect_err "fiscaltab: error: bad --pages 'x'"
expect_rc 2 "$FT" convert --pages 5-2 fixtures/threeline.pdf -o "$O"
expect_rc 2 "$FT" convert --pages 9 fixtures/threeline.pdf -o "$O"
expect_err "fiscaltab: error: fixtures/threeline.pdf: --pages starts at 9 but the document has 1 pages"
expect_rc 2 "$FT" convert --bogus fixtures/threeline.pdf

# --- FT_TIMING=1: one line of stage timings on stderr (make bench uses it)
expect_rc 0 env FT_TIMING=1 "$FT" convert -q fixtures/threeline.pdf -o "$O/timing"
grep -Eq '^fiscaltab: timing: fixtures/threeline.pdf: read [0-9.]+ tables [0-9.]+ normalize [0-9.]+ validate [0-9.]+ write [0-9.]+ total [0-9.]+ s$' "$WORK/err" &&
    ok || bad "FT_TIMING line"
expect_rc 0 "$FT" convert -q fixtures/threeline.pdf -o "$O/timing"
[ -s "$WORK/err" ] && bad "-q without FT_TIMING prints" || ok

# --- unreadable input (3): one line naming the file
expect_rc 3 "$FT" convert "$O/missing.pdf" -o "$O"
expect_err "fiscaltab: error: $O/missing.pdf: cannot read the file"
printf 'hello, not a PDF\n' >"$O/text.pdf"
expect_rc 3 "$FT" convert "$O/text.pdf" -o "$O"
expect_err "fiscaltab: error: $O/text.pdf: not a readable PDF"
: >"$O/empty.pdf"
expect_rc 3 "$FT" convert "$O/empty.pdf" -o "$O"
expect_err "fiscaltab: error: $O/empty.pdf: not a readable PDF"
mkdir -p "$O/dir.pdf"
expect_rc 3 "$FT" convert "$O/dir.pdf" -o "$O"
expect_err "fiscaltab: error: $O/dir.pdf:"
head -c 1000 fixtures/threeline.pdf >"$O/truncated.pdf"
expect_rc 3 "$FT" convert "$O/truncated.pdf" -o "$O"
expect_err "fiscaltab: error: $O/truncated.pdf:"
# none of these wrote an output
[ ! -e "$O/text.xlsx" ] && [ ! -e "$O/empty.xlsx" ] && ok || bad "output written for bad input"

# --- encrypted (4), then the right password converts (0)
expect_rc 4 "$FT" convert fixtures/bad/locked.pdf -o "$O"
expect_err "fiscaltab: error: fixtures/bad/locked.pdf: encrypted, a password is needed"
expect_rc 4 "$FT" convert fixtures/bad/locked.pdf -o "$O" --password wrong
expect_err "fiscaltab: error: fixtures/bad/locked.pdf: wrong password"
expect_rc 0 "$FT" convert fixtures/bad/locked.pdf -o "$O" --password secret
[ -s "$O/locked.xlsx" ] && ok || bad "locked.xlsx not written"

# --- cannot write (5)
: >"$O/afile"
expect_rc 5 "$FT" convert fixtures/threeline.pdf -o "$O/afile/sub"
expect_err "fiscaltab: error: fixtures/threeline.pdf: cannot create directory $O/afile/sub"

# --- validation failures (1), with the worst failures on stderr
expect_rc 1 "$FT" convert fixtures/bad-sums.pdf -o "$O"
expect_err "checks 44 passed 2 failed"
expect_err "fiscaltab: check failed: sheet '01 2023年一般公共预算支出预算表（不含上年结转）': C6: row total"

# --- a document none of whose tables could be checked says so, even
# with -q, in the log (each table and the whole), and still exits 0
expect_rc 0 "$FT" convert -q fixtures/borderless-forms.pdf -o "$O/u"
expect_err "fiscaltab: warning: fixtures/borderless-forms.pdf: none of its 2 tables could be checked: its numbers are converted but not verified"
[ "$(grep -c '"rule":"unchecked"' "$O/u/borderless-forms.log.jsonl")" -eq 2 ] &&
    grep -q '"page":0,"table":null,.*"rule":"nothing_checked"' \
        "$O/u/borderless-forms.log.jsonl" && ok ||
    bad "unchecked tables not logged"
rm -rf "$O/b1"
expect_rc 0 "$FT" batch fixtures/borderless-forms.pdf fixtures/unruled.pdf -o "$O/b1"
expect_err "2 files, 2 converted, 0 with failed checks, 1 with tables none of which could be checked, 0 failed"
grep -q '"path":"borderless-forms.pdf",.*"tables":2,"tables_checked":0,' "$O/b1/batch.jsonl" &&
    grep -q '"path":"unruled.pdf",.*"tables":1,"tables_checked":1,' "$O/b1/batch.jsonl" &&
    ok || bad "batch.jsonl tables_checked"

# --- a font without ToUnicode and OCR turned off: each page is said
# undecodable on stderr and in the log (fail), and nothing garbled is
# made a table
expect_rc 0 "$FT" convert fixtures/no-tounicode.pdf --ocr never -o "$O/nt"
expect_err "fiscaltab: warning: fixtures/no-tounicode.pdf: page 2: 24% of its characters do not decode (a font without a usable ToUnicode map); not read by OCR (--ocr never): nothing extracted"
expect_err "fiscaltab: warning: fixtures/no-tounicode.pdf: page 3: 7% of its characters do not decode"
expect_err "fiscaltab: fixtures/no-tounicode.pdf: 0 tables from 3 pages, checks 0 passed 0 failed"
[ "$(grep -c '"rule":"undecodable_text","status":"fail"' "$O/nt/no-tounicode.log.jsonl")" = 3 ] &&
    ok || bad "no ToUnicode: fail entries"

# --- batch: a folder with no PDF is a usage error, said as such
mkdir -p "$O/nopdf"
expect_rc 2 "$FT" batch "$O/nopdf" -o "$O/nopdf-out"
expect_err "fiscaltab: error: no PDF found in $O/nopdf"
# inputs that would write the same outputs are told apart, each said:
# report.pdf under two roots, a/x.pdf and b/x.pdf given by name, x.pdf
# beside x.PDF; report.tmp.pdf's outputs survive report.pdf's clean-up
# of its own temporaries; a.pDf's outputs are found; the same content
# under two names is flagged
C=$O/coll
rm -rf "$C"
mkdir -p "$C/A" "$C/B" "$C/D"
cp fixtures/unruled.pdf "$C/A/report.pdf"
cp fixtures/threeline.pdf "$C/B/report.pdf"
expect_rc 0 "$FT" batch "$C/A" "$C/B" -o "$C/o1"
expect_err "fiscaltab: warning: $C/A/report.pdf and $C/B/report.pdf would write the same outputs: the second is written as report~2.pdf"
[ -f "$C/o1/report.xlsx" ] && [ -f "$C/o1/report~2.xlsx" ] &&
    grep -q '"path":"report~2.pdf",.*"source":"'"$C"'/B/report.pdf"' "$C/o1/batch.jsonl" &&
    ok || bad "two roots' report.pdf: one overwrote the other"
expect_rc 0 "$FT" batch "$C/A/report.pdf" "$C/B/report.pdf" -o "$C/o2"
[ "$(grep -c . "$C/o2/batch.jsonl")" = 2 ] && [ -f "$C/o2/report~2.xlsx" ] &&
    ok || bad "files given by name: one overwrote the other"
cp fixtures/unruled.pdf "$C/D/x.pdf"
cp fixtures/threeline.pdf "$C/D/x.PDF"
cp fixtures/threeline.pdf "$C/D/report.pdf"
cp fixtures/unruled.pdf "$C/D/report.tmp.pdf"
cp fixtures/unruled.pdf "$C/D/a.pDf"
expect_rc 0 "$FT" batch "$C/D" -o "$C/o3"
expect_err "would write the same outputs: the second is written as x~2.pdf"
[ -f "$C/o3/report.tmp.xlsx" ] && [ -f "$C/o3/x.xlsx" ] && [ -f "$C/o3/x~2.xlsx" ] &&
    [ -f "$C/o3/a.xlsx" ] && ok || bad "collisions in one folder: outputs lost"
grep -q '"path":"x~2.pdf",.*"duplicate_of":"a.pDf"' "$C/o3/batch.jsonl" &&
    grep -q '"path":"x.PDF",.*"duplicate_of":"report.pdf"' "$C/o3/batch.jsonl" &&
    ! grep -q '"path":"a.pDf",.*duplicate_of' "$C/o3/batch.jsonl" &&
    ok || bad "the same content under two names not flagged"
expect_rc 0 "$FT" batch "$C/D" -o "$C/o3"
[ "$(grep -c '"resumed":true' "$C/o3/batch.jsonl")" = 5 ] &&
    ok || bad "rerun: not every file resumed (a.pDf's log not found?)"

# --- symbolic links planted under -o are never followed: refused with
# an error, and what they point at is left as it was
V=$O/victim
rm -rf "$V" "$O/ln"
mkdir -p "$V" "$O/ln"
echo keep >"$V/keep.txt"
echo keep >"$V/threeline.xlsx.tmp1"
ln -s "$V" "$O/ln/unruled"
expect_rc 5 "$FT" convert fixtures/unruled.pdf --csv -o "$O/ln"
expect_err "fiscaltab: error: fixtures/unruled.pdf: $O/ln/unruled is a symbolic link: not followed, not replaced"
[ -f "$V/keep.txt" ] && [ "$(ls "$V" | wc -l)" -eq 2 ] && ok ||
    bad "convert --csv emptied or wrote into a linked CSV folder"
# batch: a link at OUT/.fiscaltab (its dead temporaries would be cleared)
rm -rf "$O/lb"
mkdir -p "$O/lb"
echo keep >"$V/report.tsv.tmp99999999"
ln -s "$V" "$O/lb/.fiscaltab"
expect_rc 5 "$FT" batch fixtures/unruled.pdf -o "$O/lb"
expect_err "fiscaltab: error: $O/lb/.fiscaltab is a symbolic link: not followed"
[ -f "$V/report.tsv.tmp99999999" ] && ok || bad "batch cleared a linked .fiscaltab"
# batch: a link where a subfolder's outputs go (and its stale temporaries
# would be cleared); the other files still convert
rm -rf "$O/lin" "$O/lo"
mkdir -p "$O/lin/sub" "$O/lo"
cp fixtures/threeline.pdf "$O/lin/sub/"
cp fixtures/unruled.pdf "$O/lin/"
ln -s "$V" "$O/lo/sub"
expect_rc 6 "$FT" batch "$O/lin" -o "$O/lo"
grep -q '"path":"sub/threeline.pdf",.*"error":"'"$O"'/lo/sub is a symbolic link: not followed"' "$O/lo/batch.jsonl" &&
    [ -f "$O/lo/unruled.xlsx" ] && ok || bad "batch: linked subfolder not refused, or others lost"
[ -f "$V/threeline.xlsx.tmp1" ] && [ ! -e "$V/threeline.xlsx" ] && ok ||
    bad "batch wrote into or cleared a linked subfolder"
# batch: a link at OUT/dataset.sqlite
rm -rf "$O/ld"
mkdir -p "$O/ld"
ln -s "$V/keep.txt" "$O/ld/dataset.sqlite"
expect_rc 6 "$FT" batch fixtures/unruled.pdf -o "$O/ld"
expect_err "is a symbolic link: not followed"
[ "$(cat "$V/keep.txt")" = keep ] && ok || bad "batch wrote through a linked dataset.sqlite"

# --- a whole-run time budget: no page is read after it, the pages left
# are said (stderr, log), what was read is written
expect_rc 0 "$FT" convert fixtures/seed-budget.pdf --timeout 0.001 -o "$O/to"
grep -q "fiscaltab: warning: fixtures/seed-budget.pdf: page [0-9]*: the run's time budget (--timeout) ran out: pages [0-9]*-18 not read" "$WORK/err" &&
    grep -q '"rule":"timeout","status":"fail"' "$O/to/seed-budget.log.jsonl" &&
    [ -s "$O/to/seed-budget.xlsx" ] && ok || bad "convert --timeout: pages left not said"
expect_rc 2 "$FT" convert fixtures/seed-budget.pdf --timeout x -o "$O/to"
expect_err "fiscaltab: error: bad --timeout 'x'"

# --- a full conversion: files, sheets, CSV, determinism, stdout empty
expect_rc 0 "$FT" convert fixtures/seed-budget.pdf -o "$O/a" --csv
[ ! -s "$WORK/out" ] && ok || bad "stdout is not empty"
expect_err "fiscaltab: fixtures/seed-budget.pdf: 13 tables from 18 pages (9 checked, 4 not), checks"
[ -s "$O/a/seed-budget.xlsx" ] && [ -s "$O/a/seed-budget.log.jsonl" ] && ok ||
    bad "xlsx or log missing"
n=$(ls "$O/a/seed-budget" | grep -c '\.csv$')
[ "$n" -eq 13 ] && ok || bad "expected 13 CSV files, got $n"
[ -f "$O/a/seed-budget/01-2023年预算收支总表.csv" ] && ok || bad "CSV name"
# the 项目支出表s put a counter row (栏次 1 2 3 …) under their header: the
# counters name no column, so 合计 is a row total, checked on every row
grep -q '"table":13,.*"cell":"B10","kind":"check","rule":"row_total","status":"pass","expected":510,"actual":510,"message":"B10: row total (合计) = 510.00 equals its parts"}' \
    "$O/a/seed-budget.log.jsonl" && ok || bad "项目支出表 row totals not checked"
[ "$(grep -c '"table":1[23],.*"rule":"row_total","status":"pass"' "$O/a/seed-budget.log.jsonl")" -eq 36 ] &&
    ok || bad "not every 项目支出表 row total checked"
# the 上年结转 table lists the unit's own line (忻州市公安局) above its
# projects, twice (the department, then its one unit): both are checked
grep -q '"table":13,.*"cell":"B5","kind":"check","rule":"column_total","status":"pass","expected":1144.89,"actual":1144.89,"message":"B5: column total (忻州市公安局 over its 7 projects) = 1144.89 equals its parts"}' \
    "$O/a/seed-budget.log.jsonl" && ok || bad "项目支出表 unit line not checked"
[ "$(grep -c '"table":13,.*"rule":"column_total","status":"pass","expected":1144.89' "$O/a/seed-budget.log.jsonl")" -eq 4 ] &&
    ok || bad "not every unit line of the 项目支出表 checked"
# a performance form's 资金总额 equals the sources listed under it
expect_rc 0 "$FT" convert fixtures/project-forms.pdf -o "$O/pf" -q
grep -q '"table":4,.*"cell":"C4","kind":"check","rule":"form_total","status":"pass","expected":2795000,"actual":2795000,"message":"C4: 实施期资金总额 = 2795000 equals its parts"}' \
    "$O/pf/project-forms.log.jsonl" && ok || bad "form total not checked"
[ "$(grep -c '"rule":"form_total","status":"pass"' "$O/pf/project-forms.log.jsonl")" -eq 8 ] &&
    ok || bad "not every form total checked"
# CSV: BOM, numbers as values, a quoted header cell
head -c 3 "$O/a/seed-budget/01-2023年预算收支总表.csv" | od -An -tx1 |
    grep -q 'ef bb bf' && ok || bad "CSV BOM"
grep -q '^一、一般公共预算,13422.91,' "$O/a/seed-budget/01-2023年预算收支总表.csv" &&
    ok || bad "CSV number"
# xlsx: index + 13 sheets, merged header, numeric cell, frozen header
unzip -p "$O/a/seed-budget.xlsx" xl/workbook.xml >"$WORK/wb.xml"
n=$(grep -o '<sheet ' "$WORK/wb.xml" | wc -l)
[ "$n" -eq 14 ] && ok || bad "expected 14 sheets, got $n"
grep -q 'name="index"' "$WORK/wb.xml" && ok || bad "index sheet"
unzip -p "$O/a/seed-budget.xlsx" xl/worksheets/sheet2.xml >"$WORK/s2.xml"
grep -q '<mergeCell ref="A1:B1"/>' "$WORK/s2.xml" && ok || bad "merged A1:B1"
grep -q '<c r="B3" s="[0-9]*"><v>13422.91</v></c>' "$WORK/s2.xml" && ok ||
    bad "B3 numeric 13422.91"
grep -q '<pane ySplit="2"' "$WORK/s2.xml" && ok || bad "frozen header"
expect_rc 0 "$FT" convert -q fixtures/seed-budget.pdf -o "$O/b" --csv
[ ! -s "$WORK/err" ] && ok || bad "-q still prints"
cmp -s "$O/a/seed-budget.xlsx" "$O/b/seed-budget.xlsx" && ok ||
    bad "xlsx not deterministic"
cmp -s "$O/a/seed-budget.log.jsonl" "$O/b/seed-budget.log.jsonl" && ok ||
    bad "log not deterministic"
# no temporary files left behind
[ -z "$(find "$O/a" "$O/b" -name '*.tmp*')" ] && ok || bad "temporary files left"

# --- page range: only the pages asked for
expect_rc 0 "$FT" convert fixtures/seed-budget.pdf -o "$O/c" --pages 12-12
expect_err "2 tables from 1 pages"
# --- inspect: the grid as text, the page drawn, exit codes
expect_rc 0 "$FT" inspect fixtures/seed-budget.pdf --page 4 --png "$O/p4.png"
grep -q '^table 1: 2023年预算收入总表 | unit 万元 | 18 x 9, 2 header rows, ruled$' "$WORK/out" &&
    ok || bad "inspect table line"
grep -q '^H 项目 *| < ' "$WORK/out" && ok || bad "inspect shows the span"
head -c 8 "$O/p4.png" | od -An -tx1 | grep -q '89 50 4e 47' && ok ||
    bad "inspect PNG"
expect_rc 0 "$FT" inspect fixtures/seed-budget.pdf --page 1
grep -q 'no_text_layer' "$WORK/out" && ok || bad "inspect on a scanned page"
expect_rc 2 "$FT" inspect fixtures/seed-budget.pdf --page 99
expect_err "fiscaltab: error: fixtures/seed-budget.pdf: no page 99 (the document has 18 pages)"
expect_rc 2 "$FT" inspect fixtures/seed-budget.pdf
expect_rc 3 "$FT" inspect "$O/text.pdf" --page 1
# --- batch: a folder with good and bad files, nested, with a symlink
B=$O/batch
mkdir -p "$B/in/sub/deeper" "$B/in/bad"
cp fixtures/seed-budget.pdf "$B/in/"
cp fixtures/threeline.pdf "$B/in/sub/"
cp fixtures/bad-sums.pdf "$B/in/sub/deeper/BadSums.PDF"
head -c 3000 fixtures/unruled.pdf >"$B/in/bad/truncated.pdf"
cp fixtures/bad/locked.pdf "$B/in/bad/"
echo "not a pdf" >"$B/in/bad/text.pdf"
: >"$B/in/bad/empty.pdf"
ln -s "$(pwd)/fixtures" "$B/in/link"
expect_rc 6 "$FT" batch "$B/in" -o "$B/out" -j 2
expect_err "fiscaltab batch: 7 files, 3 converted, 1 with failed checks, 0 with tables none of which could be checked, 4 failed, 20 pages"
expect_err "fiscaltab: failed: bad/locked.pdf: encrypted, a password is needed"
[ "$(wc -l <"$B/out/batch.jsonl")" -eq 7 ] && ok || bad "batch.jsonl lines"
grep -q '"path":"bad/empty.pdf".*"status":"failed","exit":3,"error":"not a readable PDF: the file is empty"' "$B/out/batch.jsonl" && ok || bad "empty.pdf record"
grep -q '"path":"bad/text.pdf".*"status":"failed","exit":3' "$B/out/batch.jsonl" && ok || bad "text.pdf record"
grep -q '"path":"bad/truncated.pdf".*"status":"failed","exit":3' "$B/out/batch.jsonl" && ok || bad "truncated record"
grep -q '"path":"sub/deeper/BadSums.PDF".*"checks_failed":2,.*"status":"checks_failed","exit":1' "$B/out/batch.jsonl" && ok || bad "checks_failed record"
grep -q '"path":"seed-budget.pdf","sha256":"[0-9a-f]\{64\}","pages":18,"tables":13,' "$B/out/batch.jsonl" && ok || bad "seed-budget record"
[ -s "$B/out/sub/deeper/BadSums.xlsx" ] && [ -s "$B/out/sub/threeline.log.jsonl" ] && ok || bad "mirrored outputs"
[ ! -e "$B/out/link" ] && ok || bad "symlink followed"
# a rerun skips what is done; --force redoes it
expect_rc 6 "$FT" batch "$B/in" -o "$B/out"
[ "$(grep -c '"resumed":true' "$B/out/batch.jsonl")" -eq 3 ] && ok || bad "rerun did not skip"
expect_rc 6 "$FT" batch "$B/in" -o "$B/out" --force
[ "$(grep -c '"resumed":true' "$B/out/batch.jsonl")" -eq 0 ] && ok || bad "--force skipped"
# shards: two halves cover every file once
"$FT" batch "$B/in" -o "$B/s1" --shard 1/2 2>/dev/null
"$FT" batch "$B/in" -o "$B/s2" --shard 2/2 2>/dev/null
n1=$(wc -l <"$B/s1/batch.jsonl"); n2=$(wc -l <"$B/s2/batch.jsonl")
[ $((n1 + n2)) -eq 7 ] && ok || bad "shards cover $n1 + $n2 files"
cat "$B/s1/batch.jsonl" "$B/s2/batch.jsonl" | sed 's/.*"path":"\([^"]*\)".*/\1/' | sort -u | wc -l | grep -qx 7 && ok || bad "shards overlap"
expect_rc 2 "$FT" batch "$B/in" -o "$B/x" --shard 3/2
# the shards merged equal one unsharded run: files, report and dataset
expect_rc 6 "$FT" merge "$B/s1" "$B/s2" -o "$B/all"
expect_rc 6 "$FT" batch "$B/in" -o "$B/one" --force
q="select d.path, t.number, c.row, c.col, c.text, c.value, c.row_label, c.column_label, c.code from cells c join tables t on c.tab=t.id join documents d on t.document=d.id order by 1,2,3,4"
[ "$(sqlite3 "$B/all/dataset.sqlite" "$q" | md5sum)" = "$(sqlite3 "$B/one/dataset.sqlite" "$q" | md5sum)" ] &&
    ok || bad "merged dataset differs"
cmp -s "$B/all/dataset.csv" "$B/one/dataset.csv" && ok || bad "merged dataset.csv differs"
strip() { sed 's/"seconds":[0-9.]*,//; s/,"resumed":true//' "$1" | sort; }
[ "$(strip "$B/all/batch.jsonl")" = "$(strip "$B/one/batch.jsonl")" ] && ok ||
    bad "merged batch.jsonl differs"
cmp -s "$B/all/sub/threeline.xlsx" "$B/one/sub/threeline.xlsx" && ok ||
    bad "merged files differ"
# one SQL query answers: the 一般公共预算 amount of every 7-digit code
sqlite3 "$B/one/dataset.sqlite" "SELECT c.code || '=' || c.value FROM cells c JOIN tables t ON c.tab=t.id JOIN documents d ON t.document=d.id WHERE d.path='seed-budget.pdf' AND t.kind='income_summary' AND length(c.code)=7 AND c.column_label LIKE '%/一般公共预算' ORDER BY c.code" | tr '\n' ' ' >"$WORK/q"
[ "$(cat "$WORK/q")" = "2040201=5213.17 2040202=2839.7 2040219=1969.08 2040250=423.86 2040299=1607.0 2080505=551.12 2101101=213.19 2101102=27.92 2130599=28.0 2210201=549.87 " ] &&
    ok || bad "dataset query: $(cat "$WORK/q")"
head -1 "$B/one/dataset.csv" | grep -q 'document,entity,year,doc_kind,table_title,table_kind,row_code,row_label,column_label,value,unit,value_yuan' &&
    ok || bad "dataset.csv header"
grep -q '^seed-budget.pdf,忻州市公安局,2023,预算,2023年预算收入总表,income_summary,2040201,行政运行,本年收入/一般公共预算,5213.17,万元,52131700' "$B/one/dataset.csv" &&
    ok || bad "dataset.csv row"
# blocks side by side: each cell's row_code is its own block's, 3, 5 or
# 7 digits (never the codes of two blocks glued, 3010130201)
rm -rf "$B/side"
expect_rc 0 "$FT" batch fixtures/side-blocks.pdf -o "$B/side"
grep -q '^side-blocks.pdf,.*,30201,办公费,公用经费/决算数,' "$B/side/dataset.csv" &&
    grep -q '^side-blocks.pdf,.*,31001,办公设备购置,公用经费/决算数,' "$B/side/dataset.csv" &&
    ok || bad "side-by-side blocks: row codes of their own block"
[ "$(sqlite3 "$B/side/dataset.sqlite" "SELECT count(*) FROM cells WHERE code IS NOT NULL AND length(code) NOT IN (3,5,7)")" = 0 ] &&
    ok || bad "side-by-side blocks: a row code of another length"
# killed mid-way, then resumed: every file converted, nothing half-written
mkdir -p "$B/many"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cp fixtures/seed-budget.pdf "$B/many/f$i.pdf"; done
timeout -s KILL 0.3 "$FT" batch "$B/many" -o "$B/mout" -j 2 >/dev/null 2>&1
sleep 1
expect_rc 0 "$FT" batch "$B/many" -o "$B/mout" -j 2
[ "$(grep -c '"status":"ok"' "$B/mout/batch.jsonl")" -eq 12 ] && ok || bad "resume after kill"
# wait_for FILE: until FILE has something in it (at most 20 s)
wait_for() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 400 ]; do
        sleep 0.05
        i=$((i + 1))
    done
}
# killed with -9 before batch.jsonl is written: what finished was
# recorded as it finished, and a rerun resumes it
rm -rf "$B/k9"
"$FT" batch "$B/many" -o "$B/k9" -j 1 >/dev/null 2>&1 &
bp=$!
wait_for "$B/k9/.fiscaltab/done.jsonl"
kill -9 $bp 2>/dev/null
wait $bp 2>/dev/null
[ ! -f "$B/k9/batch.jsonl" ] && ok || bad "kill -9: batch.jsonl written anyway (the test did not kill in time)"
expect_rc 0 "$FT" batch "$B/many" -o "$B/k9" -j 2
[ "$(grep -c '"resumed":true' "$B/k9/batch.jsonl")" -ge 1 ] &&
    [ "$(grep -c '"status":"ok"' "$B/k9/batch.jsonl")" -eq 12 ] &&
    [ ! -e "$B/k9/.fiscaltab/done.jsonl" ] && ok ||
    bad "kill -9: nothing resumed"
# two batches on one folder: the second is refused while the first runs
rm -rf "$B/lk"
"$FT" batch "$B/many" -o "$B/lk" -j 1 >/dev/null 2>&1 &
bp=$!
wait_for "$B/lk/.fiscaltab/done.jsonl"
expect_rc 5 "$FT" batch "$B/many" -o "$B/lk"
expect_err "fiscaltab: error: $B/lk is in use by another batch; try again when it ends"
kill $bp 2>/dev/null
wait $bp 2>/dev/null
# merge keeps report.tmp.pdf's outputs (only NAME.tmpPID are temporaries)
rm -rf "$B/mt" "$B/mtall"
mkdir -p "$B/mtin"
cp fixtures/unruled.pdf "$B/mtin/report.tmp.pdf"
"$FT" batch "$B/mtin" -o "$B/mt" 2>/dev/null
expect_rc 0 "$FT" merge "$B/mt" -o "$B/mtall"
[ -f "$B/mtall/report.tmp.xlsx" ] && ok || bad "merge dropped report.tmp.xlsx"
# names with a quote, a backslash or a newline: batch.jsonl holds them
# escaped, a rerun resumes them and merge copies and lists them unchanged
rm -rf "$B/odd" "$B/oddo" "$B/oddm"
mkdir -p "$B/odd"
cp fixtures/unruled.pdf "$B/odd/q\"uote.pdf"
cp fixtures/unruled.pdf "$B/odd/back\\slash.pdf"
cp fixtures/unruled.pdf "$B/odd/new
line.pdf"
expect_rc 0 "$FT" batch "$B/odd" -o "$B/oddo"
expect_rc 0 "$FT" batch "$B/odd" -o "$B/oddo"
[ "$(grep -c '"resumed":true' "$B/oddo/batch.jsonl")" = 3 ] && ok ||
    bad "odd names: not resumed"
expect_rc 0 "$FT" merge "$B/oddo" -o "$B/oddm"
[ -f "$B/oddm/q\"uote.xlsx" ] && [ -f "$B/oddm/back\\slash.xlsx" ] &&
    [ -f "$B/oddm/new
line.xlsx" ] && [ "$(strip "$B/oddo/batch.jsonl")" = "$(strip "$B/oddm/batch.jsonl")" ] &&
    ok || bad "odd names: merge lost or mangled them"
# a rerun that asks for CSVs redoes the files converted without them
rm -rf "$B/cv"
"$FT" batch fixtures/unruled.pdf -o "$B/cv" 2>/dev/null
expect_rc 0 "$FT" batch fixtures/unruled.pdf -o "$B/cv" --csv
[ -d "$B/cv/unruled" ] && ! grep -q '"resumed":true' "$B/cv/batch.jsonl" &&
    ok || bad "rerun with --csv: no CSVs for a resumed file"
# the killed-then-resumed dataset equals an uninterrupted run
"$FT" batch "$B/many" -o "$B/mclean" -j 2 2>/dev/null
[ "$(sqlite3 "$B/mout/dataset.sqlite" "$q" | md5sum)" = "$(sqlite3 "$B/mclean/dataset.sqlite" "$q" | md5sum)" ] &&
    ok || bad "dataset after kill and resume differs"
[ -z "$(find "$B/mout" -name '*.tmp*')" ] && ok || bad "temporary files after kill"
# temporaries of a dead batch (its report, a dataset fragment) are cleared
# on the next run; a live process's are left alone
dead=4194000
while kill -0 $dead 2>/dev/null; do dead=$((dead + 1)); done
: >"$B/mout/batch.jsonl.tmp$dead"
: >"$B/mout/.fiscaltab/x.tsv.tmp$dead"
: >"$B/mout/batch.jsonl.tmp$$"
expect_rc 0 "$FT" batch "$B/many" -o "$B/mout" -j 2
[ ! -e "$B/mout/batch.jsonl.tmp$dead" ] && [ ! -e "$B/mout/.fiscaltab/x.tsv.tmp$dead" ] &&
    ok || bad "a dead batch's temporaries left"
[ -e "$B/mout/batch.jsonl.tmp$$" ] && ok || bad "a live process's temporary removed"
rm -f "$B/mout/batch.jsonl.tmp$$"

# table-finding settings: listed with their defaults, changed by --set
# (an unknown name is a usage error), and the change reaches the grid
expect_rc 0 "$FT" settings
grep -qx 'snap_tolerance       2.5    rules closer than this (pt) across them are one rule ...' "$WORK/out" &&
    ok || bad "settings: snap_tolerance not listed with its default"
[ "$(wc -l <"$WORK/out")" -ge 30 ] && ok || bad "settings: too few listed"
expect_rc 2 "$FT" convert --set nope=1 fixtures/unruled.pdf -o "$WORK/set"
expect_err "fiscaltab: error: bad --set 'nope=1' (NAME=NUMBER; 'fiscaltab settings' lists the names)"
expect_rc 2 "$FT" convert --set lone_max_share=x fixtures/unruled.pdf -o "$WORK/set"
expect_rc 0 "$FT" convert -q fixtures/short-block.pdf -o "$WORK/set"
grep -q '"message":"2024年部门收支预算总表: 26 rows x 4 columns' "$WORK/set/short-block.log.jsonl" &&
    ok || bad "short-block: 26 rows with the defaults"
# labels alone on their rows no longer join the block above: rows lost
"$FT" convert -q --set lone_max_share=0 fixtures/short-block.pdf -o "$WORK/set0" >/dev/null 2>&1
grep -q '"message":"2024年部门收支预算总表: 26 rows' "$WORK/set0/short-block.log.jsonl" &&
    bad "--set lone_max_share=0 changed nothing" || ok
summary cli
