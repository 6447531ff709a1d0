#!/usr/bin/env python3
"""text_amounts.py XLSX_OR_DIR...: amounts stored as text in fiscaltab's
workbooks, counted independently of fiscaltab's own typing.

A body cell (below the header rows the index sheet gives) stored as a
string is an amount stored as text when it reads as a number ("15",
"1,234.50", "-3", "(12)", "56", "93,9") and it is not a code. A cell is a code
only in a code column: one whose header names a code (编码, 代码, 序号,
编号, 科目 or a level 类 款 项 目 節 in either script), or whose values
follow the code hierarchy (a leading zero, as 款/项 parts print, or a
code under its parent two digits shorter: 201 then 20101), or the 类
column left of such a column. A column whose header names a date or a
period (日期, 年月, 期間, 时间, 月份, 起止: "109.10" is 民國 year.month)
keeps text too. Prints one line per such cell, then
"text_amounts: N cells in M workbooks"; exit 0 always (the count is the
figure).
"""
import os
import re
import sys
import zipfile

try:
    import openpyxl
except ImportError:  # python3-openpyxl is a Debian package
    print("text_amounts: skipped (python3-openpyxl absent)")
    sys.exit(0)

# a well-formed number: thousands grouped by commas (or points/spaces
# before a decimal comma), no leading zero on a whole number (0301 is a
# code); a malformed one ("34,594,76") is a misprint, not counted here
NUMBER = re.compile(r"^[-−+]?\(?(0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)"
                    r"(\.[0-9]+)?\)?%?$|"
                    r"^[-−+]?\(?(0|[1-9][0-9]*|[1-9][0-9]{0,2}([. ][0-9]{3})+)"
                    r",[0-9]+\)?%?$")
CODE = re.compile(r"^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{7})$")
HEAD_SUB = ("编码", "編碼", "代码", "代碼", "序号", "序號", "编号", "編號")
HEAD_EXACT = ("类", "款", "项", "類", "項", "目", "節", "科目", "科目代码")
HEAD_DATE = ("日期", "年月", "期間", "期间", "時間", "时间", "月份", "起止",
             "起迄")


def header_names_code(head):
    for h in head:
        h = (h or "").strip()
        if any(s in h for s in HEAD_SUB) or h in HEAD_EXACT:
            return True
    return False


def header_names_date(head):
    return any(d in (h or "") for h in head for d in HEAD_DATE)


def shows_codes(values):
    """1 when the column's values are codes by their form, 0 when they
    could be codes or numbers, -1 when some value is not a code."""
    seen = []
    shown = False
    for v in values:
        if not CODE.match(v):
            return -1
        if v.startswith("0") or (len(v) > 3 and v[:-2] in seen):
            shown = True
        seen.append(v)
    return 1 if shown and values else (0 if values else -1)


def sheet_cells(ws, header_rows):
    rows = list(ws.iter_rows())
    ncols = max((len(r) for r in rows), default=0)
    head = [[] for _ in range(ncols)]
    body = [[] for _ in range(ncols)]  # (row, cell) per column
    for i, r in enumerate(rows):
        for c, cell in enumerate(r):
            if cell.value is None:
                continue
            if i < header_rows:
                head[c].append(str(cell.value))
            else:
                body[c].append((i, cell))
    # a merged header cell heads every column it covers
    for m in ws.merged_cells.ranges:
        if m.min_row > header_rows:
            continue
        v = ws.cell(m.min_row, m.min_col).value
        if v is None or m.max_col - m.min_col > 2:
            continue
        for c in range(m.min_col + 1, min(m.max_col, ncols) + 1):
            head[c - 1].append(str(v))
    return head, body


def count(path):
    found = []
    wb = openpyxl.load_workbook(path, read_only=False)
    hr = {}
    if "index" in wb.sheetnames:
        ix = wb["index"]
        names = [c.value for c in next(ix.iter_rows(max_row=1))]
        if "sheet" in names and "header_rows" in names:
            si, hi = names.index("sheet"), names.index("header_rows")
            for r in ix.iter_rows(min_row=2, values_only=True):
                if r[si]:
                    hr[r[si]] = int(r[hi] or 0)
    for ws in wb.worksheets:
        if ws.title == "index":
            continue
        head, body = sheet_cells(ws, hr.get(ws.title, 0))
        allv = [[str(cell.value).strip() for _, cell in col] for col in body]
        code = []
        for c in range(len(body)):
            code.append(header_names_code(head[c]) or
                        shows_codes(allv[c]) > 0)
        for c in range(len(body) - 1):
            if not code[c] and code[c + 1] and shows_codes(allv[c]) == 0:
                code[c] = True
        for c, col in enumerate(body):
            if code[c] or header_names_date(head[c]):
                continue
            for i, cell in col:
                v = cell.value
                if isinstance(v, str) and NUMBER.match(v.strip()):
                    found.append("%s: %s!%s%d %r" % (
                        path, ws.title, openpyxl.utils.get_column_letter(c + 1),
                        i + 1, v))
    return found


def main(args):
    files = []
    for a in args:
        if os.path.isdir(a):
            for d, _, names in os.walk(a):
                files += [os.path.join(d, n) for n in names
                          if n.endswith(".xlsx")]
        else:
            files.append(a)
    total = 0
    for f in sorted(files):
        try:
            cells = count(f)
        except (zipfile.BadZipFile, KeyError, OSError) as e:
            print("%s: cannot read: %s" % (f, e))
            continue
        for line in cells:
            print(line)
        total += len(cells)
    print("text_amounts: %d cells in %d workbooks" % (total, len(files)))


if __name__ == "__main__":
    main(sys.argv[1:])
