# fiscaltab - budget PDFs to checked spreadsheets.
#   make            build ./fiscaltab
#   make demo       install deps, build, convert the bundled sample
#   make check      install deps, build, run every test
#   make asan       the same tests under AddressSanitizer + UBSan
#   make fixtures   regenerate the fixture PDFs and expected grids
#   make fixtures-html  print fixtures/html/*.html with Chromium
#   make bench      speed and memory against pdftotext -bbox-layout
#   make eval       accuracy on ../shared/corpus (skipped without it)
#   make mutate     each table-finding setting x0.5 and x2: which no test notices
#   make install PREFIX=/usr/local

PREFIX  ?= /usr/local
CC      ?= cc
CXX     ?= c++
PKGS     = poppler-glib gio-2.0 cairo libutf8proc xlsxwriter sqlite3
WARN     = -Wall -Wextra -Wstrict-prototypes -Wno-overlength-strings -Werror
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(OPT)
# Tesseract (OCR of scanned pages) is loaded at run time when a page
# needs it (extract/ocr.c): nothing to link, -ldl for dlopen
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# poppler-glib, gio and cairo are loaded at run time when a page must be
# rendered (extract/pdf.c): their headers are used, their libraries are
# not linked, and a process starts faster
PKGLIBS   = $(shell pkg-config --libs $(filter-out poppler-glib gio-2.0 cairo,$(PKGS)) 2>/dev/null) -ldl
# extract/vector.cc uses poppler's own C++ classes (libpoppler-private-dev),
# whose headers are not warning-clean: they are system headers here
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror $(OPT)
POPPLER_CXXFLAGS = $(shell pkg-config --cflags poppler 2>/dev/null | sed 's/-I/-isystem /g')
POPPLER_LIBS = $(shell pkg-config --libs poppler 2>/dev/null)
LDFLAGS += -Wl,--as-needed -Wl,-O1
LDLIBS  += $(PKGLIBS) $(POPPLER_LIBS) -lstdc++ -lm
BUILD   ?= build

ifdef V
Q =
else
Q = @
endif

LIB_SRC = extract/settings.c extract/table.c extract/pdf.c extract/ocr.c extract/layout.c extract/grid.c \
          extract/region.c extract/stitch.c extract/document.c normalize/normalize.c \
          validate/validate.c validate/narrative.c validate/document.c \
          validate/misread.c \
          validate/log.c write/xlsx.c write/text.c write/dataset.c \
          write/files.c
CMD_SRC = cmd/main.c cmd/convert.c cmd/inspect.c cmd/batch.c cmd/sha256.c
LIB_CXX = extract/vector.cc
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cc=$(BUILD)/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS = $(wildcard extract/*.h normalize/*.h validate/*.h write/*.h cmd/*.h)

.PHONY: all deps demo check test asan asan-test fixtures bench eval install clean \
        indent fuzz fuzz-smoke mutate fixtures-html

all: fiscaltab

deps:
	$(Q)sh scripts/install-deps.sh

fiscaltab: $(BUILD)/fiscaltab
	$(Q)cp $< $@

$(BUILD)/fiscaltab: $(LIB_OBJ) $(CMD_OBJ)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(PKGCFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(CXX) $(CXXFLAGS) $(POPPLER_CXXFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/check.h tests/unit/page.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(PKGCFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# scanned copies of fixtures (tests/ocr.sh): render, turn, add noise
$(BUILD)/fixturescan: fixtures/scan.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags poppler-glib cairo) -o $@ $< \
	    $(shell pkg-config --libs poppler-glib cairo) -ljpeg -lm

$(BUILD)/fixturegen: fixtures/gen.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags cairo) -o $@ $< \
	    $(shell pkg-config --libs cairo) -lm

demo: deps
	$(Q)$(MAKE) --no-print-directory fiscaltab
	@mkdir -p out
	-$(Q)./fiscaltab convert fixtures/seed-budget.pdf -o out --csv
	@echo "demo: open out/seed-budget.xlsx (tables), out/seed-budget.log.jsonl (checks), out/seed-budget/*.csv"

check: deps
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory asan-test
	$(Q)$(MAKE) --no-print-directory test

test: $(BUILD)/fiscaltab $(UNIT_BIN) $(BUILD)/golden $(BUILD)/fixturescan \
      $(BUILD)/fixturegen
	$(Q)FT=$(BUILD)/fiscaltab sh tests/run.sh $(BUILD)

asan: deps
	$(Q)$(MAKE) --no-print-directory asan-test

asan-test:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" test

fixtures-html:
	$(Q)sh fixtures/html/print.sh

fixtures: $(BUILD)/fixturegen
	$(Q)$(BUILD)/fixturegen fixtures/specs fixtures
	$(Q)qpdf --encrypt secret owner 256 -- fixtures/threeline.pdf \
	    fixtures/bad/locked.pdf

bench: fiscaltab $(BUILD)/fixturegen
	$(Q)sh tests/bench.sh $(BUILD)

eval: fiscaltab
	$(Q)FT=$(CURDIR)/fiscaltab sh tests/eval.sh

mutate: fiscaltab $(UNIT_BIN) $(BUILD)/golden
	$(Q)sh tests/mutate.sh $(BUILD)

# libFuzzer targets (clang): make fuzz FUZZ_SECONDS=600 runs each target;
# make fuzz-smoke runs each for a few seconds (CI). Crashes land in
# tests/fuzz/crashes/ and become regression tests in tests/fuzz/regress/.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS = number grid pdf
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
FUZZ_LIB_SRC = $(filter-out write/%,$(LIB_SRC))

build-fuzz/vector.o: $(LIB_CXX) $(HEADERS)
	@mkdir -p build-fuzz
	$(Q)clang++ -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer $(POPPLER_CXXFLAGS) -c -o $@ $(LIB_CXX)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRC) build-fuzz/vector.o $(HEADERS)
	@mkdir -p build-fuzz
	$(Q)clang $(FUZZ_CFLAGS) $(PKGCFLAGS) -o $@ $< $(FUZZ_LIB_SRC) \
	    build-fuzz/vector.o $(PKGLIBS) $(POPPLER_LIBS) -fsanitize-link-c++-runtime -lstdc++ -lm

# the whole-file target runs the command's conversion, writers included
build-fuzz/fuzz_pdf: tests/fuzz/fuzz_pdf.c $(LIB_SRC) build-fuzz/vector.o cmd/convert.c $(HEADERS)
	@mkdir -p build-fuzz
	$(Q)clang $(FUZZ_CFLAGS) $(PKGCFLAGS) -o $@ $< $(LIB_SRC) \
	    build-fuzz/vector.o cmd/convert.c $(PKGLIBS) $(POPPLER_LIBS) -fsanitize-link-c++-runtime -lstdc++ -lm

fuzz: deps $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	$(Q)sh tests/fuzz/run.sh 10 $(FUZZ_TARGETS)

install: fiscaltab
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 fiscaltab $(DESTDIR)$(PREFIX)/bin/fiscaltab

indent:
	clang-format -i $(LIB_SRC) $(CMD_SRC) $(HEADERS) fixtures/gen.c

clean:
	rm -rf build build-asan build-fuzz fiscaltab out

$(BUILD)/dump: tests/tools/dump.c $(LIB_OBJ)
	$(Q)$(CC) $(CFLAGS) $(PKGCFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

$(BUILD)/golden: tests/golden.c $(LIB_OBJ)
	$(Q)$(CC) $(CFLAGS) $(PKGCFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)
