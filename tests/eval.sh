#!/bin/sh
# make eval: accuracy on ../shared/corpus (skipped cleanly without it).
#  1. ICDAR 2013 EU: whole-process adjacency-relation F1, micro-averaged
#     over documents, with ../shared/tools (per document, then the total).
#  2. tabula-java expected CSVs: tables reproduced exactly, and F1, on
#     the page(s) each peer test reads (tests/tabula.tsv).
#  3. Real Chinese PDFs: tables found and validation checks passed/failed
#     per document.
# The figures (per document, and the totals) are compared with
# tests/eval.baseline; a change shows as a diff and counts as a failed
# test (make check runs this when ../shared is there): update the
# baseline by hand when an improvement is real. Exit 1 on a change.
FT=${FT:-$(pwd)/fiscaltab}
SHARED=${SHARED:-../shared}
WORK=${WORK:-tests/work}/eval
if [ ! -d "$SHARED/corpus" ] || [ ! -d "$SHARED/tools" ]; then
    echo "eval: skipped ($SHARED/corpus absent)"
    echo "eval: 0 passed, 0 failed"
    exit 0
fi
rm -rf "$WORK"
mkdir -p "$WORK"
out=$WORK/figures
: >"$out"

echo "== ICDAR 2013 EU (whole process: tables found by fiscaltab)"
# scored on the per-table CSVs: the xlsx's index sheet is not a table
bash "$SHARED/tools/eval_icdar.sh" "$SHARED/corpus/icdar2013/competition-dataset-eu" \
    "$WORK/icdar" "$FT convert -q --csv {pdf} -o {out} && rm -f {out}/*.xlsx" \
    >"$WORK/icdar.txt" 2>&1
cat "$WORK/icdar.txt"
grep -E '^(eu-[0-9a-z]+ truth=|docs f1=)' "$WORK/icdar.txt" | sed 's/^/icdar2013 /' >>"$out"

echo "== tabula-java expected CSVs"
tp=0 tn=0 exact=0 n=0
for exp in "$SHARED"/corpus/tabula-java/csv/*.csv; do
    name=$(basename "$exp" .csv)
    pdf=$SHARED/corpus/tabula-java/$name.pdf
    [ -f "$pdf" ] || continue
    n=$((n + 1))
    d=$WORK/tabula/$name
    mkdir -p "$d/truth"
    cp "$exp" "$d/truth/"
    # the page(s) the peer's test reads: the expected CSV holds only those
    pages=$(awk -F'\t' -v f="$name" '$1 == f {print $2}' tests/tabula.tsv)
    area=$(awk -F'\t' -v f="$name" '$1 == f && $4 != "-" {print $4}' tests/tabula.tsv)
    "$FT" convert -q --csv ${pages:+--pages "$pages"} "$pdf" -o "$d" >/dev/null 2>&1
    # truth JSON from the expected CSV: one table
    python3 -c "
import csv,json,sys
rows=list(csv.reader(open(sys.argv[1],encoding='utf-8-sig')))
json.dump([{'title':'t','rows':rows}],open(sys.argv[2],'w'))" "$exp" "$d/truth.json"
    line=$(python3 "$SHARED/tools/score.py" "$d/truth.json" "$d/$name" 2>/dev/null | tail -2 | tr '\n' ' ')
    why=$(awk -F'\t' -v f="$name" '$1 == f {print $5}' tests/tabula.tsv)
    echo "$name (page ${pages:-all}${area:+, the test's area $area}): $line"
    echo "tabula-java $name ${line% }" >>"$out"
    case $line in *perfect_tables=1*) ;; *) echo "    -> ${why:-UNEXPLAINED}" ;; esac
    case $line in *perfect_tables=1*) exact=$((exact + 1)) ;; esac
    m=$(echo "$line" | sed -n 's/.*matched=\([0-9]*\).*/\1/p')
    t=$(echo "$line" | sed -n 's/.*relations truth=\([0-9]*\).*/\1/p')
    e=$(echo "$line" | sed -n 's/.*extracted=\([0-9]*\) matched.*/\1/p')
    tp=$((tp + ${m:-0}))
    tn=$((tn + ${t:-0}))
    tx=$((${tx:-0} + ${e:-0}))
done
python3 -c "
tp,tn,tx,ex,n=$tp,$tn,${tx:-0},$exact,$n
p=tp/tx if tx else 0; r=tp/tn if tn else 0; f=2*p*r/(p+r) if p+r else 0
print(f'tabula-java exact {ex}/{n} f1={f:.4f}')" | tee -a "$out"

echo "== Chinese budget PDFs: tables found, checks passed / failed"
for pdf in "$SHARED"/corpus/cn/*.pdf; do
    name=$(basename "$pdf" .pdf)
    "$FT" convert -q "$pdf" -o "$WORK/cn" >/dev/null 2>&1
    log=$WORK/cn/$name.log.jsonl
    t=$(grep -c '"rule":"table"' "$log")
    p=$(grep '"kind":"check"' "$log" | grep -c '"status":"pass"')
    f=$(grep '"kind":"check"' "$log" | grep -c '"status":"fail"')
    echo "cn $name tables=$t checks_passed=$p checks_failed=$f" | tee -a "$out"
    # every failure: explained by hand in tests/eval.explained (a source
    # error, or an error planted in a test copy), or UNEXPLAINED
    grep '"kind":"check"' "$log" | grep '"status":"fail"' |
        sed 's/.*"page":\([0-9]*\).*"rule":"\([a-z_]*\)".*"message":"\([^"]*\)".*/p\1\t\2\t\3/' |
        while IFS="$(printf '\t')" read -r pg rule msg; do
            why=$(awk -F'\t' -v f="$name" -v p="$pg" -v r="$rule" -v m="$msg" \
                '$1 == f && $2 == p && $3 == r && index(m, $4) == 1 {print $5}' \
                tests/eval.explained)
            echo "    fail $pg $rule: $(echo "$msg" | cut -c1-90)"
            echo "        -> ${why:-UNEXPLAINED}"
            [ -n "$why" ] || echo "unexplained $name $pg $rule" >>"$out"
        done
done

echo "== amounts stored as text (tests/tools/text_amounts.py) in every workbook"
# the fixtures and the ICDAR documents too (the sections above keep the
# tabula-java and cn workbooks); 0 is the goal: a cell that reads as a
# number is a number unless it sits in a code column
for pdf in fixtures/*.pdf "$SHARED"/corpus/icdar2013/*/*.pdf; do
    "$FT" convert -q --ocr never "$pdf" -o "$WORK/xlsx" >/dev/null 2>&1
done
PY=python3
python3 -c 'import openpyxl' 2>/dev/null || PY=/usr/bin/python3
"$PY" tests/tools/text_amounts.py "$WORK" >"$WORK/text_amounts.txt"
tail -1 "$WORK/text_amounts.txt" | tee -a "$out"
grep -v '^text_amounts' "$WORK/text_amounts.txt" | head -20 | sed 's/^/    /'

echo "== compared with tests/eval.baseline"
sort tests/eval.baseline >"$WORK/base.sorted"
same=$(sort "$out" | comm -12 - "$WORK/base.sorted" | wc -l)
changed=$(sort "$out" | comm -3 - "$WORK/base.sorted" | wc -l)
if diff -u tests/eval.baseline "$out"; then
    echo "eval: no change from the baseline"
else
    echo "eval: figures changed (see the diff above)"
fi
echo "eval: $same passed, $changed failed"
[ "$changed" -eq 0 ]
