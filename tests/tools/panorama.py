#!/usr/bin/env python3
"""panorama.py OUT.pdf: page 1 a small table of text, page 2 a panoramic
picture (14,400 x 800 pt, the largest a PDF page may be): too large to
read by OCR, it must not cost the table on page 1. Written by hand."""
import sys
table = ("BT /F1 14 Tf 200 760 Td (Table 1 Costs) Tj ET "
         "BT /F1 10 Tf 60 720 Td (Item) Tj 200 0 Td (2023) Tj 100 0 Td (2024) Tj ET "
         "BT /F1 10 Tf 60 700 Td (Salaries) Tj 200 0 Td (1.50) Tj 100 0 Td (2.25) Tj ET "
         "BT /F1 10 Tf 60 680 Td (Goods) Tj 200 0 Td (3.00) Tj 100 0 Td (4.75) Tj ET")
picture = "q 14000 0 0 800 0 0 cm /Im Do Q"
img = b"\x80" * 3 * 64 * 4
objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
        100: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        101: (b"<< /Type /XObject /Subtype /Image /Width 64 /Height 4 "
              b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >> "
              b"stream\n" % len(img)) + img + b"\nendstream"}
res = b"/Resources << /Font << /F1 100 0 R >> /XObject << /Im 101 0 R >> >>"
for pid, box, c in ((3, b"[0 0 595 842]", table), (5, b"[0 0 14400 800]", picture)):
    objs[pid] = (b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents %d 0 R %s >>"
                 % (box, pid + 1, res))
    objs[pid + 1] = b"<< /Length %d >> stream\n%s\nendstream" % (len(c), c.encode())
out = b"%PDF-1.4\n"
offs = {}
for k in sorted(objs):
    offs[k] = len(out)
    out += b"%d 0 obj " % k + objs[k] + b" endobj\n"
size = max(objs) + 1
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % size
for i in range(1, size):
    out += (b"%010d 00000 n \n" % offs[i]) if i in offs else b"0000000000 65535 f \n"
out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
open(sys.argv[1], "wb").write(out)
