#!/usr/bin/env bash
# Times printing a 2-page 通知 several ways, on this machine, in one run:
#   gongwen-print  (the `render` example: a whole process with the shipped fonts, and
#                   with --system-fonts, scanning the installed fonts first as the CLI does)
#   gongwen print  (the CLI: a whole process that also scans the installed fonts;
#                   timed when target/release/gongwen exists, or built with WITH_CLI=1)
#   typst          (PyPI `typst`: one process per run, and warm in one process)
#   LibreOffice    (headless conversion of an equivalent .fodt; skipped if not installed)
# and prints a table with ratios against gongwen-print. Wall time depends on what else
# the machine runs; with `perf` installed the table also gives each process's CPU time
# (task-clock, all threads), which is what the wall time comes to on an idle machine.
# The in-process warm time of gongwen-print is measured by `cargo bench -p gongwen-print`
# (criterion). The load average is printed first: above the core count, mark the run noisy.
# Needs: cargo; optional: perf, python3 with `pip install typst`, soffice (libreoffice-writer-nogui).
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

cpu_ms() { # command... -> mean CPU ms per run (perf task-clock), or "-" without perf
  if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
    perf stat -x, -e task-clock -r "$runs" "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {printf "%.1f", $1}'
  else
    echo "-"
  fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
echo "building gongwen-print (release)…" >&2
cargo build --release -q -p gongwen-print --example render
render="$CARGO_TARGET_DIR/release/examples/render"
g_total=$(time_runs "$render" "$work/notice.json" "$work/g.pdf")
g_ms=$(ms "$g_total" "$runs")
g_size=$(stat -c %s "$work/g.pdf")

rows=("gongwen-print (process)|$g_ms|$g_size|$(cpu_ms "$render" "$work/notice.json" "$work/g.pdf")")
# Warm, in one process (fonts loaded, as in the running app): wall and CPU per print.
warm=$("$render" "$work/notice.json" "$work/w.pdf" --repeat "$(( runs > 20 ? runs : 20 ))" 2>&1 | sed -n 's/^warm: \([0-9.]*\) ms\/print wall, \([0-9.]*\) ms\/print CPU.*/\1|\2/p')
IFS='|' read -r w_wall w_cpu <<<"$warm"
rows+=("gongwen-print (warm, in process)|${w_wall:--}|$g_size|${w_cpu:--}")
# The same with the installed fonts scanned first, as `gongwen print` does.
s_total=$(time_runs "$render" "$work/notice.json" "$work/s.pdf" --system-fonts)
rows+=("gongwen-print (process, system fonts)|$(ms "$s_total" "$runs")|$(stat -c %s "$work/s.pdf")|$(cpu_ms "$render" "$work/notice.json" "$work/s.pdf" --system-fonts)")

if [ "${WITH_CLI:-0}" = 1 ]; then
  cargo build --release -q -p gongwen-cli
fi
cli="$CARGO_TARGET_DIR/release/gongwen"
if [ -x "$cli" ]; then
  c_total=$(time_runs "$cli" print "$work/notice.json" --output "$work/c.pdf")
  rows+=("gongwen print (CLI process)|$(ms "$c_total" "$runs")|$(stat -c %s "$work/c.pdf")|$(cpu_ms "$cli" print "$work/notice.json" --output "$work/c.pdf")")
else
  echo "gongwen CLI not built (WITH_CLI=1 builds it): skipped" >&2
fi

if python3 -c "import typst" 2>/dev/null; then
  export TYPST_FONT_PATHS="$root/assets/fonts"
  t_total=$(time_runs python3 -c "import typst,sys; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])" "$work/notice.typ" "$work/t.pdf" "$root/assets/fonts")
  t_ms=$(ms "$t_total" "$runs")
  t_warm=$(python3 - "$work/notice.typ" "$work/t.pdf" "$root/assets/fonts" "$runs" <<'PY'
import os, sys, time, typst
c = typst.Compiler(sys.argv[1], font_paths=[sys.argv[3]])
c.compile(output=sys.argv[2])
n = max(int(sys.argv[4]), 20); t = time.perf_counter(); c0 = os.times()
for _ in range(n): c.compile(output=sys.argv[2])
c1 = os.times()
cpu = (c1.user + c1.system - c0.user - c0.system) * 1000 / n
print(f"{(time.perf_counter()-t)*1000/n:.1f}|{cpu:.1f}")
PY
)
  IFS='|' read -r t_warm t_warm_cpu <<<"$t_warm"
  rows+=("typst (process)|$t_ms|$(stat -c %s "$work/t.pdf")|$(cpu_ms python3 -c "import typst,sys; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])" "$work/notice.typ" "$work/t.pdf" "$root/assets/fonts")" "typst (warm, in process)|$t_warm|$(stat -c %s "$work/t.pdf")|$t_warm_cpu")
else
  echo "typst not installed (pip install typst): skipped" >&2
fi

if command -v soffice >/dev/null; then
  l_total=$(time_runs soffice --headless --convert-to pdf --outdir "$work" "$work/notice.fodt")
  rows+=("LibreOffice headless (process)|$(ms "$l_total" "$runs")|$(stat -c %s "$work/notice.pdf")|$(cpu_ms soffice --headless --convert-to pdf --outdir "$work" "$work/notice.fodt")")
else
  echo "LibreOffice not installed (apt-get install libreoffice-writer-nogui): skipped" >&2
fi

printf '%-38s %10s %12s %10s %8s\n' "printer" "ms/run" "CPU ms/run" "bytes" "ratio"
for r in "${rows[@]}"; do
  IFS='|' read -r name t size cpu <<<"$r"
  ratio=$(python3 -c "print(f'{float(\"$t\")/float(\"$g_ms\"):.1f}x')")
  printf '%-38s %10s %12s %10s %8s\n' "$name" "$t" "$cpu" "$size" "$ratio"
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(criterion, wall time only: cargo bench -p gongwen-print)"
