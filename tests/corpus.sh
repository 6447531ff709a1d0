#!/bin/sh
# Optional: every real PDF of ../shared/corpus converts without a crash
# or a hang, writes a well-formed UTF-8 log, and every table found has a
# title and a unit. Skipped
# cleanly when ../shared is absent (a fresh clone elsewhere).
. tests/setup
CORPUS=${CORPUS:-../shared/corpus/cn}
if [ ! -d "$CORPUS" ]; then
    echo "corpus: skipped ($CORPUS absent)"
    echo "corpus: 0 passed, 0 failed"
    exit 0
fi
O=$WORK/corpus
mkdir -p "$O"
for pdf in "$CORPUS"/*.pdf; do
    name=$(basename "$pdf" .pdf)
    timeout 120 "$FT" convert -q "$pdf" -o "$O" >/dev/null 2>"$WORK/err"
    rc=$?
    case $rc in
    0 | 1) ok ;;
    *) bad "$pdf: exit $rc"; head -3 "$WORK/err" ;;
    esac
    log="$O/$name.log.jsonl"
    [ -f "$log" ] || continue
    # the log is well-formed UTF-8 (messages cut at a byte count once
    # ended inside a character)
    if iconv -f UTF-8 -t UTF-8 "$log" >/dev/null 2>&1; then ok; else
        bad "$log: not valid UTF-8"
    fi
    # every table with amounts (a budget table, not a list in the prose)
    # must carry a title and a unit
    grep '"rule":"table"' "$log" | grep -v ' 0 amounts,' |
        grep 'unit (none)\|(untitled table)' >"$WORK/untitled"
    if [ -s "$WORK/untitled" ]; then
        bad "$pdf: a table without title or unit"
        sed 's/.*"message":"//' "$WORK/untitled" | head -3
    else
        ok
    fi
done
summary corpus
