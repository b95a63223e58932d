#!/usr/bin/env bash
# Times printing a 2-page 通知 three ways, on this machine, in one run:
#   gongwen-print  (the `render` example: a whole process, fonts loaded cold)
#   typst          (PyPI `typst`: one process per run, and warm in one process)
#   LibreOffice    (headless conversion of an equivalent .fodt; skipped if not installed)
# and prints a table with ratios against gongwen-print. The in-process warm time of
# gongwen-print is measured by `cargo bench -p gongwen-print` (criterion).
# Needs: cargo; optional: python3 with `pip install typst`, soffice (libreoffice-writer-nogui).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

python3 - "$root/crates/gongwen-print/tests/samples/notice-full.json" "$work" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for a in doc.get("attachments", []):
    a.pop("body", None)
doc["seal"] = False
out = sys.argv[2]
json.dump(doc, open(out + "/notice.json", "w"), ensure_ascii=False)
body = doc["body"].split("\n")
att = "附件：" + "\n".join(f"{i+1}.{a['name']}" for i, a in enumerate(doc["attachments"]))
# typst: the same elements at the same sizes on the GB/T 9704 page.
t = ['#set page(paper: "a4", margin: (top: 37mm, left: 28mm, right: 26mm, bottom: 35mm), footer: context [#set text(size: 14pt); #align(if calc.odd(here().page()) {right} else {left})[— #counter(page).display() —]])',
     '#set text(font: ("FandolFang", "Noto Serif CJK SC"), size: 16pt, lang: "zh")',
     '#set par(leading: 4.6mm, first-line-indent: (amount: 2em, all: true), justify: true)',
     '#v(35mm)', '#align(center, text(fill: red, size: 42pt, font: "Noto Serif CJK SC", weight: "bold")[%s])' % doc["issuers"][0]["mark"],
     '#v(20mm)', '#align(center)[鹤府〔2026〕12号]', '#line(length: 100%, stroke: 0.5mm + red)',
     '#v(15mm)', '#align(center, text(size: 22pt, font: "Noto Serif CJK SC", weight: "bold")[%s])' % doc["title"],
     '#par(first-line-indent: 0em)[%s：]' % "，".join(doc["main_recipients"])]
t += [p for p in body]
t += [att, '#align(right)[鹤山市人民政府　　]', '#align(right)[2026年11月28日　　]', '（%s）' % doc["note"]]
open(out + "/notice.typ", "w").write("\n\n".join(t))
# LibreOffice: a flat ODF text document with the same paragraphs.
paras = "".join(f"<text:p>{p}</text:p>" for p in [doc["issuers"][0]["mark"], "鹤府〔2026〕12号", doc["title"], "，".join(doc["main_recipients"]) + "："] + body + [att, "鹤山市人民政府", "2026年11月28日"])
fodt = f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls><style:font-face style:name="FandolFang" svg:font-family="FandolFang" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls>
<office:styles><style:default-style style:family="paragraph"><style:paragraph-properties fo:text-indent="11.1mm" fo:line-height="10.2mm"/><style:text-properties style:font-name-asian="FandolFang" style:font-size-asian="16pt" fo:font-size="16pt"/></style:default-style></office:styles>
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="37mm" fo:margin-left="28mm" fo:margin-right="26mm" fo:margin-bottom="35mm"/></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>{paras}</office:text></office:body></office:document>'''
open(out + "/notice.fodt", "w").write(fodt)
PY

ms() { python3 -c "import sys; print(f'{float(sys.argv[1])*1000/float(sys.argv[2]):.1f}')" "$1" "$2"; }
time_runs() { # command... -> total seconds for $runs runs
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}

echo "building gongwen-print (release)…" >&2
cargo build --release -q -p gongwen-print --example render
render="$CARGO_TARGET_DIR/release/examples/render"
g_total=$(time_runs "$render" "$work/notice.json" "$work/g.pdf")
g_ms=$(ms "$g_total" "$runs")
g_size=$(stat -c %s "$work/g.pdf")

rows=("gongwen-print (process)|$g_ms|$g_size")

if python3 -c "import typst" 2>/dev/null; then
  export TYPST_FONT_PATHS="$root/assets/fonts"
  t_total=$(time_runs python3 -c "import typst,sys; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])" "$work/notice.typ" "$work/t.pdf" "$root/assets/fonts")
  t_ms=$(ms "$t_total" "$runs")
  t_warm=$(python3 - "$work/notice.typ" "$work/t.pdf" "$root/assets/fonts" "$runs" <<'PY'
import sys, time, typst
c = typst.Compiler(sys.argv[1], font_paths=[sys.argv[3]])
c.compile(output=sys.argv[2])
n = int(sys.argv[4]); t = time.perf_counter()
for _ in range(n): c.compile(output=sys.argv[2])
print(f"{(time.perf_counter()-t)*1000/n:.1f}")
PY
)
  rows+=("typst (process)|$t_ms|$(stat -c %s "$work/t.pdf")" "typst (warm, in process)|$t_warm|$(stat -c %s "$work/t.pdf")")
else
  echo "typst not installed (pip install typst): skipped" >&2
fi

if command -v soffice >/dev/null; then
  l_total=$(time_runs soffice --headless --convert-to pdf --outdir "$work" "$work/notice.fodt")
  rows+=("LibreOffice headless (process)|$(ms "$l_total" "$runs")|$(stat -c %s "$work/notice.pdf")")
else
  echo "LibreOffice not installed (apt-get install libreoffice-writer-nogui): skipped" >&2
fi

printf '%-32s %10s %10s %8s\n' "printer" "ms/run" "bytes" "ratio"
for r in "${rows[@]}"; do
  IFS='|' read -r name t size <<<"$r"
  ratio=$(python3 -c "print(f'{float(\"$t\")/float(\"$g_ms\"):.1f}x')")
  printf '%-32s %10s %10s %8s\n' "$name" "$t" "$size" "$ratio"
done
echo "(in-process warm layout+PDF of gongwen-print: cargo bench -p gongwen-print)"
