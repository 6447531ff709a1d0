#!/bin/sh
# Golden tests: every fixture's tables cell by cell (tests/golden.c), then
# its exit code and expected log entries (fixtures/CASE.expect: a line
# "exit N", then JSON lines that must appear verbatim in the log).
BUILD=${1:-build}
. tests/setup
for pdf in fixtures/*.pdf; do
    case=${pdf%.pdf}
    name=$(basename "$case")
    [ -f "$case.tsv" ] || continue
    if "$BUILD/golden" "$pdf" "$case.tsv" >"$WORK/golden.out" 2>&1; then
        ok
    else
        bad "$pdf: grids differ"
        head -20 "$WORK/golden.out"
    fi
    [ -f "$case.expect" ] || continue
    want=$(sed -n 's/^exit //p' "$case.expect")
    rm -rf "$WORK/g-$name"
    expect_rc "$want" "$FT" convert -q "$pdf" -o "$WORK/g-$name"
    log="$WORK/g-$name/$name.log.jsonl"
    grep '^{' "$case.expect" | while IFS= read -r line; do
        grep -qxF -- "$line" "$log" || { echo "missing: $line"; }
    done >"$WORK/missing"
    if [ -s "$WORK/missing" ]; then
        bad "$pdf: expected log entries missing"
        cut -c1-300 "$WORK/missing" | head -5
    else
        ok
    fi
    # no failure beyond the expected ones
    nexp=$(grep -c '"status":"fail"' "$case.expect")
    ngot=$(cat "$log" 2>/dev/null | grep -c '"status":"fail"')
    if [ "$nexp" -eq "$ngot" ]; then ok; else
        bad "$pdf: $ngot failing entries, expected $nexp"
        grep '"status":"fail"' "$log" | cut -c1-300 | head -5
    fi
done
summary golden
