#!/usr/bin/env python3
"""fanout.py OUT.pdf [LEVELS]: a 3 KB PDF whose page draws a form that
draws the one below ten times, LEVELS deep (default 7), the last one ten
characters: 10^LEVELS characters from a few bytes. Written by hand."""
import sys
out_path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 7
objs = {1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        4: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
fonts = "/Font << /F1 4 0 R >>"
for k in range(n):
    oid = 10 + k
    if k == 0:
        c = "BT /F1 1 Tf 10 10 Td (AAAAAAAAAA) Tj ET"
        res = "<< %s >>" % fonts
    else:
        c = " ".join("q 1 0 0 1 0 %d cm /X%d Do Q" % (i, k - 1) for i in range(10))
        res = "<< %s /XObject << /X%d %d 0 R >> >>" % (fonts, k - 1, oid - 1)
    objs[oid] = ("<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                 "/Resources %s /Length %d >> stream\n%s\nendstream"
                 % (res, len(c), c))
c = "/X%d Do" % (n - 1)
objs[5] = "<< /Length %d >> stream\n%s\nendstream" % (len(c), c)
objs[3] = ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
           "/Resources << %s /XObject << /X%d %d 0 R >> >> >>"
           % (fonts, n - 1, 10 + n - 1))
out = "%PDF-1.4\n"
offs = {}
for k in sorted(objs):
    offs[k] = len(out.encode())
    out += "%d 0 obj %s endobj\n" % (k, objs[k])
size = max(objs) + 1
xref = len(out.encode())
out += "xref\n0 %d\n0000000000 65535 f \n" % size
for i in range(1, size):
    out += ("%010d 00000 n \n" % offs[i]) if i in offs else "0000000000 65535 f \n"
out += "trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
open(out_path, "w").write(out)
