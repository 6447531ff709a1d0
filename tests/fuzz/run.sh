#!/bin/sh
# Runs each fuzz target for SECONDS, seeded from tests/fuzz/corpus-TARGET
# (the fixture PDFs and number strings); prints executions and coverage,
# and fails when a target finds a crash (saved under tests/fuzz/crashes/).
SECONDS_EACH=$1
# fuzzing is for fiscaltab and poppler, not Tesseract: no OCR
export FT_TESSERACT=/nonexistent
shift
mkdir -p tests/fuzz/crashes
status=0
for t in "$@"; do
    c=tests/work/fuzz-corpus-$t
    mkdir -p "$c"
    case $t in
    pdf) cp fixtures/*.pdf "$c/" 2>/dev/null ;;
    number) sed -n 's/^\([^#].*\)$/\1/p' tests/normalize.test | head -60 |
        while IFS= read -r l; do printf '%s' "$l" >"$c/$(printf '%s' "$l" | md5sum | cut -c1-12)"; done ;;
    esac
    # regressions first: every saved crash must run clean now
    for r in tests/fuzz/regress/$t-*; do
        [ -f "$r" ] || continue
        LSAN_OPTIONS=suppressions=tests/lsan.supp build-fuzz/fuzz_$t "$r" >/dev/null 2>&1 || { echo "fuzz $t: regression $r fails"; status=1; }
    done
    LSAN_OPTIONS=suppressions=tests/lsan.supp build-fuzz/fuzz_$t -max_total_time="$SECONDS_EACH" -max_len=65536 \
        -timeout=20 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/crashes/$t- \
        "$c" >tests/work/fuzz-$t.log 2>&1
    rc=$?
    line=$(grep -E '^#[0-9]+' tests/work/fuzz-$t.log | tail -1)
    echo "fuzz $t: ${SECONDS_EACH}s, $(echo "$line" | sed 's/^#\([0-9]*\).*cov: \([0-9]*\).*/\1 executions, coverage \2 edges/')"
    if [ $rc -ne 0 ]; then
        echo "fuzz $t: FOUND A CRASH"
        grep -E 'ERROR|SUMMARY' tests/work/fuzz-$t.log | head -3
        status=1
    fi
done
exit $status
