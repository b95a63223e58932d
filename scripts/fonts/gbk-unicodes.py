#!/usr/bin/env python3
"""Prints the code points kept in the shipped fonts: everything GBK (or, with the
argument `gb2312`, GB2312) encodes
(ASCII, GB2312, the GBK ideographs, punctuation, full-width forms) plus a few
symbols the 公文 layout draws (★ for 密级, □ as the missing-glyph substitute,
〔〕 for 文号, the em dash of the page number), one U+XXXX per line."""

import sys

codec = sys.argv[1] if len(sys.argv) > 1 else "gbk"
extra = "★☆□■〔〕—–…·•●○◎※№、。，；：？！“”‘’（）《》〈〉「」『』【】"

points = set()
for cp in range(0x20, 0x10000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    try:
        chr(cp).encode(codec)
    except UnicodeEncodeError:
        continue
    points.add(cp)
points.update(ord(c) for c in extra)
points.update(range(0x20, 0x7F))
points.update(range(0xFF01, 0xFF5F))
print("\n".join(f"U+{cp:04X}" for cp in sorted(points)))
