#!/bin/sh
# make mutate: perturbs each setting of table finding (fiscaltab settings)
# by x0.5 and x2, one at a time, and runs the tests that read tables
# (tests/grid.test and the other unit tests, the golden fixtures, the
# corpus checks and its accuracy figures, tests/eval.sh). A perturbation
# no test notices is UNPINNED: the goal is none. Prints one line per setting and the count.
BUILD=${1:-build}
FT_REAL=${FT:-./fiscaltab}
WORK=${WORK:-tests/work}/mutate
rm -rf "$WORK"
mkdir -p "$WORK"
# copies of the binaries: a rebuild during the run changes nothing
mkdir -p "$WORK/bin/tests"
cp "$FT_REAL" "$WORK/bin/fiscaltab"
cp "$BUILD/golden" "$WORK/bin/golden"
cp "$BUILD/tests/test_grid" "$BUILD/tests/test_gridcases" "$WORK/bin/tests/"
cp tests/grid.test "$WORK/bin/grid.test"
export GRID_TEST=$WORK/bin/grid.test
FT_REAL=$(pwd)/$WORK/bin/fiscaltab
BUILD=$WORK/bin
# the binary under test with --set added to the commands that read tables
cat >"$WORK/ft" <<EOS
#!/bin/sh
cmd=\$1
shift
case \$cmd:\$FT_TEST_SET in
convert:?* | inspect:?* | batch:?*) exec "$FT_REAL" "\$cmd" --set "\$FT_TEST_SET" "\$@" ;;
*) exec "$FT_REAL" "\$cmd" "\$@" ;;
esac
EOS
chmod +x "$WORK/ft"

# 0 when every test passes with FT_TEST_SET as set
run_tests() {
    for t in "$BUILD"/tests/test_grid "$BUILD"/tests/test_gridcases; do
        "$t" >"$WORK/out" 2>&1 || return 1
    done
    FT="$WORK/ft" WORK="$WORK/w" sh tests/golden.sh "$BUILD" >"$WORK/out" 2>&1 ||
        return 1
    FT="$WORK/ft" WORK="$WORK/w" sh tests/corpus.sh >"$WORK/out" 2>&1 || return 1
    FT="$(pwd)/$WORK/ft" WORK="$WORK/w" sh tests/eval.sh >"$WORK/out" 2>&1 || return 1
    return 0
}

export FT_TEST_SET=""
if ! run_tests; then
    echo "mutate: the tests fail with the defaults; fix them first"
    cat "$WORK/out" | tail -20
    exit 1
fi
n=0 unpinned=0
"$FT_REAL" settings >"$WORK/settings"
while read -r name def rest; do
    line=$(printf '%-20s %-6s' "$name" "$def")
    for f in 0.5 2; do
        v=$(echo "$def * $f" | bc -l | sed 's/^\./0./; /\./s/0*$//; s/\.$//')
        n=$((n + 1))
        export FT_TEST_SET="$name=$v"
        if run_tests; then
            line="$line  x$f=$v UNPINNED"
            unpinned=$((unpinned + 1))
        else
            line="$line  x$f=$v caught"
        fi
    done
    echo "$line"
done <"$WORK/settings"
echo "mutate: $unpinned of $n perturbations unpinned"
