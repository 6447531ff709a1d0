#!/bin/sh
# Runs every test in order: unit (with tests/normalize.test), golden
# fixtures, CLI, malformed input, OCR; with ../shared the corpus and its
# accuracy (tests/eval.sh against tests/eval.baseline). Prints one
# closing line "N passed, N failed".
BUILD=${1:-build}
export FT=${FT:-./fiscaltab}
export WORK=${WORK:-tests/work}
rm -rf "$WORK"
mkdir -p "$WORK"
total_pass=0
total_fail=0
count() {
    # adds the "X: N passed, M failed" line of a suite to the totals
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$WORK/suite.out" | tail -1)
    p=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
    [ -n "$p" ] || { p=0; f=1; echo "FAIL: $1 printed no result"; }
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" tests/normalize.test >"$WORK/suite.out" 2>&1
    cat "$WORK/suite.out"
    count "$t"
done
sh tests/golden.sh "$BUILD" >"$WORK/suite.out" 2>&1
cat "$WORK/suite.out"
count golden
sh tests/cli.sh >"$WORK/suite.out" 2>&1
cat "$WORK/suite.out"
count cli
sh tests/malformed.sh >"$WORK/suite.out" 2>&1
cat "$WORK/suite.out"
count malformed
sh tests/ocr.sh "$BUILD" >"$WORK/suite.out" 2>&1
cat "$WORK/suite.out"
count ocr
if [ -d "${CORPUS:-../shared/corpus/cn}" ]; then
    sh tests/corpus.sh >"$WORK/suite.out" 2>&1
    cat "$WORK/suite.out"
    count corpus
    # accuracy on the corpus (ICDAR, tabula-java, cn) is the baseline's
    FT=$(cd "$(dirname "$FT")" && pwd)/$(basename "$FT") sh tests/eval.sh \
        >"$WORK/suite.out" 2>&1
    cat "$WORK/suite.out"
    count eval
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
