#!/bin/sh
# make bench: wall time of `fiscaltab convert` over `pdftotext -bbox-layout`
# on the same file (runs alternate, median of REPS), pages per second,
# and peak RSS, for every fixture and every ../shared/corpus/cn PDF; then
# the share of each stage, batch throughput and the scale test.
# Prints one table and the median ratio. Timing lives here, never in tests.
BUILD=${1:-build}
FT=${FT:-./fiscaltab}
REPS=${REPS:-5}
WORK=${WORK:-tests/work}/bench
mkdir -p "$WORK"
files="fixtures/*.pdf"
[ -d ../shared/corpus/cn ] && files="$files ../shared/corpus/cn/*.pdf"
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-48s %5s %9s %9s %6s %7s %8s\n' file pages pdftotext fiscaltab ratio pages/s peakMiB
: >"$WORK/ratios"
for f in $files; do
    case $f in *encrypted*) continue ;; esac
    pages=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
    [ -n "$pages" ] || continue
    : >"$WORK/a"
    : >"$WORK/b"
    i=0
    while [ $i -lt "$REPS" ]; do
        t0=$(now)
        pdftotext -bbox-layout "$f" /dev/null 2>/dev/null
        t1=$(now)
        "$FT" convert -q "$f" -o "$WORK/out" >/dev/null 2>&1
        t2=$(now)
        echo "$t1 - $t0" | bc -l >>"$WORK/a"
        echo "$t2 - $t1" | bc -l >>"$WORK/b"
        i=$((i + 1))
    done
    a=$(median <"$WORK/a")
    b=$(median <"$WORK/b")
    rss=$(/usr/bin/time -f %M "$FT" convert -q "$f" -o "$WORK/out" 2>&1 >/dev/null | tail -1)
    ratio=$(echo "$b / $a" | bc -l)
    echo "$ratio" >>"$WORK/ratios"
    printf '%-48s %5d %8.3fs %8.3fs %6.2f %7.1f %8.1f\n' "$(basename "$f")" \
        "$pages" "$a" "$b" "$ratio" "$(echo "$pages / $b" | bc -l)" \
        "$(echo "$rss / 1024" | bc -l)"
done
printf 'median ratio fiscaltab / pdftotext -bbox-layout: %.2f over %d files\n' \
    "$(median <"$WORK/ratios")" "$(wc -l <"$WORK/ratios")"

# where the time goes, by stage, summed over the same files (FT_TIMING=1:
# fiscaltab's own clock around each stage; process start is the rest)
: >"$WORK/stages"
for f in $files; do
    FT_TIMING=1 "$FT" convert -q "$f" -o "$WORK/out" 2>&1 >/dev/null |
        sed -n 's/.*: read \([0-9.]*\) tables \([0-9.]*\) normalize \([0-9.]*\) validate \([0-9.]*\) write \([0-9.]*\) total \([0-9.]*\) s$/\1 \2 \3 \4 \5 \6/p' >>"$WORK/stages"
done
awk '{for (i = 1; i <= 6; i++) s[i] += $i}
     END {if (s[6] > 0) printf "stages: read (poppler: text and rules, one pass) %.0f%%, tables %.0f%%, normalize %.0f%%, validate %.0f%%, write %.0f%% of %.2fs in-process\n", 100*s[1]/s[6], 100*s[2]/s[6], 100*s[3]/s[6], 100*s[4]/s[6], 100*s[5]/s[6], s[6]}' "$WORK/stages"

# batch throughput: -j 2 over -j 1 on the same files
B=$WORK/batchbench
rm -rf "$B"
mkdir -p "$B/in"
if [ -d ../shared/corpus/cn ]; then
    cp ../shared/corpus/cn/*.pdf "$B/in/"
else
    for i in 1 2 3 4 5 6 7 8; do cp fixtures/seed-budget.pdf "$B/in/s$i.pdf"; done
fi
t0=$(now)
"$FT" batch "$B/in" -o "$B/j1" -j 1 >/dev/null 2>&1
t1=$(now)
"$FT" batch "$B/in" -o "$B/j2" -j 2 >/dev/null 2>&1
t2=$(now)
printf 'batch: -j 1 %.2fs, -j 2 %.2fs, throughput ratio %.2f (%d cores)\n' \
    "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)" \
    "$(echo "($t1 - $t0) / ($t2 - $t1)" | bc -l)" "$(nproc)"

# scale: the same tables over 100 and 1,000 pages (made by the fixture
# generator): time should grow linearly, peak memory should not grow much
if [ -x "$BUILD/fixturegen" ]; then
    S=$WORK/scale
    rm -rf "$S"
    mkdir -p "$S/spec100" "$S/spec1000"
    for n in 100 1000; do
        i=0
        : >"$S/spec$n/scale$n.spec"
        while [ $i -lt $((n / 5)) ]; do  # bad-rows is 5 pages
            sed -n '/^page portrait$/,$p' fixtures/specs/bad-rows.spec | grep -v '^#' >>"$S/spec$n/scale$n.spec"
            i=$((i + 1))
        done
        "$BUILD/fixturegen" "$S/spec$n" "$S" >/dev/null 2>&1
        pages=$(pdfinfo "$S/scale$n.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
        t0=$(now)
        rss=$(/usr/bin/time -f %M "$FT" convert -q "$S/scale$n.pdf" -o "$S/out" 2>&1 >/dev/null | tail -1)
        t1=$(now)
        tables=$(grep -c '"rule":"table"' "$S/out/scale$n.log.jsonl")
        printf 'scale: %s pages (%s tables) in %.2fs (%.1f pages/s), peak %.1f MiB\n' \
            "$pages" "$tables" "$(echo "$t1 - $t0" | bc -l)" \
            "$(echo "$pages / ($t1 - $t0)" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
    done
fi

# OCR: seconds per scanned page (a fixture rendered to an image-only PDF
# at 300 dpi with noise, as tests/ocr.sh makes it), when Tesseract is here
if [ -x "$BUILD/fixturescan" ] && "$FT" --version | grep -q '^ocr: tesseract'; then
    "$BUILD/fixturescan" fixtures/seed-budget.pdf "$WORK/scan.pdf" 300 0 8 >/dev/null
    pages=$(pdfinfo "$WORK/scan.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
    t0=$(now)
    "$FT" convert -q "$WORK/scan.pdf" -o "$WORK/out" >/dev/null 2>&1
    t1=$(now)
    printf 'ocr: %s scanned pages (seed-budget, 300 dpi) in %.1fs: %.2f s a page\n' \
        "$pages" "$(echo "$t1 - $t0" | bc -l)" "$(echo "($t1 - $t0) / $pages" | bc -l)"
fi
