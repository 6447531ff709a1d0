#!/usr/bin/env python3
"""many_tables.py OUT.pdf N: a PDF of N pages, each with one small table
of its own title (Table k: a header and two rows of amounts), written by
hand with a standard font: the dataset's table numbers run past any
fixed limit."""
import sys
out, n = sys.argv[1], int(sys.argv[2])
objs = []
def add(s):
    objs.append(s)
    return len(objs) + 2  # objects 1 and 2 are the catalog and pages
kids = []
font = None
pages = []
for k in range(1, n + 1):
    c = ("BT /F1 14 Tf 200 760 Td (Table %d Costs) Tj ET "
         "BT /F1 10 Tf 60 720 Td (Item) Tj 200 0 Td (2023) Tj 100 0 Td (2024) Tj ET "
         "BT /F1 10 Tf 60 700 Td (Salaries) Tj 200 0 Td (%d.50) Tj 100 0 Td (%d.25) Tj ET "
         "BT /F1 10 Tf 60 680 Td (Goods) Tj 200 0 Td (%d.00) Tj 100 0 Td (%d.75) Tj ET"
         % (k, k, k + 1, 2 * k, 2 * k + 1))
    pages.append(c)
body = []
offsets = []
parts = ["%PDF-1.4\n"]
def obj(num, s):
    offsets.append((num, sum(len(p.encode()) for p in parts)))
    parts.append("%d 0 obj %s endobj\n" % (num, s))
font_id = 3
page_ids = []
next_id = 4
for c in pages:
    page_ids.append((next_id, next_id + 1, c))
    next_id += 2
obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
obj(2, "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % p for p, _, _ in page_ids), n))
obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
for p, cid, c in page_ids:
    obj(p, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>" % cid)
    obj(cid, "<< /Length %d >> stream\n%s\nendstream" % (len(c), c))
xref = sum(len(p.encode()) for p in parts)
offs = dict(offsets)
x = ["xref\n0 %d\n0000000000 65535 f \n" % next_id]
for i in range(1, next_id):
    x.append("%010d 00000 n \n" % offs[i])
parts.append("".join(x))
parts.append("trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (next_id, xref))
open(out, "w").write("".join(parts))
