#!/usr/bin/env bash
# Rebuilds the free fallback fonts shipped in assets/fonts/ (see assets/fonts/README.md).
#
# Sources (Debian 12 packages; nothing is fetched from elsewhere):
#   FandolFang-Regular.otf, FandolSong-Regular.otf  texlive-lang-chinese  (GPL-3 with font exception)
#   NotoSerifCJK-Bold.ttc (SC face)                 fonts-noto-cjk        (SIL OFL 1.1)
#   NotoSansCJK-Regular.ttc (SC face)               fonts-noto-cjk        (SIL OFL 1.1)
#   LXGWWenKai-Regular.ttf                          fonts-lxgw-wenkai     (SIL OFL 1.1)
#
# The faces used for body text and as the per-character fallback (仿宋, 宋体, 楷体) are
# cut to GBK coverage (all of GB2312 plus the 21 000-odd GBK ideographs: enough for
# names and place names in county and township documents); the display faces (小标宋,
# 黑体) to GB2312. Both keep the punctuation the 公文 layout uses. This keeps
# assets/fonts under 40 MB.
# Needs: python3 with fonttools (`pip install fonttools`), dpkg-deb, apt-get.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../assets/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

noto=/usr/share/fonts/opentype/noto
wenkai=/usr/share/fonts/truetype/lxgw-wenkai
[ -f "$noto/NotoSerifCJK-Bold.ttc" ] || { echo "install fonts-noto-cjk first" >&2; exit 1; }
[ -f "$wenkai/LXGWWenKai-Regular.ttf" ] || { echo "install fonts-lxgw-wenkai first" >&2; exit 1; }

fandol="$work/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
(cd "$work" && apt-get download texlive-lang-chinese >/dev/null && dpkg-deb -x texlive-lang-chinese_*.deb x)

python3 "$here/gbk-unicodes.py" gbk > "$work/gbk.txt"
python3 "$here/gbk-unicodes.py" gb2312 > "$work/gb2312.txt"

subset() { # input output coverage [font-number]
  pyftsubset "$1" --font-number="${4:-0}" --unicodes-file="$work/$3.txt" \
    --layout-features='*' --name-IDs='*' --name-languages='*' --notdef-outline \
    --no-hinting --output-file="$2"
}

ttc_index() { # ttc family-name -> index of that face in the collection
  python3 - "$1" "$2" <<'PY'
import sys
from fontTools.ttLib import TTCollection
for i, f in enumerate(TTCollection(sys.argv[1]).fonts):
    if f["name"].getDebugName(1) == sys.argv[2]:
        print(i); break
else:
    sys.exit("face not found: " + sys.argv[2])
PY
}

only="${1:-}" # optional: rebuild just the file whose name contains this
want() { [ -z "$only" ] || [[ "$1" == *"$only"* ]]; }
want FandolFang && subset "$fandol/FandolFang-Regular.otf" "$out/FandolFang-Regular.otf" gbk
want FandolSong && subset "$fandol/FandolSong-Regular.otf" "$out/FandolSong-Regular.otf" gbk
want LXGW && subset "$wenkai/LXGWWenKai-Regular.ttf" "$out/LXGWWenKai-Regular.ttf" gbk
want NotoSans && subset "$noto/NotoSansCJK-Regular.ttc" "$out/NotoSansCJKsc-Regular.otf" gb2312 \
  "$(ttc_index "$noto/NotoSansCJK-Regular.ttc" "Noto Sans CJK SC")"
want NotoSerif && subset "$noto/NotoSerifCJK-Bold.ttc" "$out/NotoSerifCJKsc-Bold.otf" gb2312 \
  "$(ttc_index "$noto/NotoSerifCJK-Bold.ttc" "Noto Serif CJK SC")"

du -ch "$out"/*.otf "$out"/*.ttf
