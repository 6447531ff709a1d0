#!/usr/bin/env python3
"""long_cell.py OUT.pdf: a ruled table whose one cell holds 460 lines of
tiny text, 40,661 characters: more than an Excel cell holds (32,767).
Written by hand with a standard font."""
import sys
lines = ["BT /F1 14 Tf 200 820 Td (Table 1 Long) Tj ET", "0.5 w"]
for y in (800, 780, 80, 40):
    lines.append("40 %d m 555 %d l S" % (y, y))
for x in (40, 400, 555):
    lines.append("%d 40 m %d 800 l S" % (x, x))
lines.append("BT /F1 8 Tf 50 786 Td (Item) Tj 360 0 Td (Amount) Tj ET")
y = 770
for i in range(460):
    lines.append("BT /F1 1.5 Tf 45 %.2f Td (%s) Tj ET" % (y, ("w%03d " % i) * 18))
    y -= 1.5
lines.append("BT /F1 8 Tf 420 700 Td (12.00) Tj ET")
lines.append("BT /F1 8 Tf 50 55 Td (Total) Tj 370 0 Td (12.00) Tj ET")
c = "\n".join(lines)
pdf = ("%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
       "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
       "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
       "4 0 obj << /Length %d >> stream\n%s\nendstream endobj\n"
       "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
       "trailer << /Root 1 0 R >>\n%%%%EOF\n" % (len(c), c))
open(sys.argv[1], "w").write(pdf)
