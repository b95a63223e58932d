//! Renders a document JSON (or a form's JSON) to PDF with the shipped fonts:
//! `cargo run -p gongwen-print --example render -- IN.json OUT.pdf [--form draft-sheet|receipt-sheet] [--system-fonts]`.
//! `--system-fonts` looks for the installed official fonts first, as `gongwen print`
//! does (a scan of the system's fonts on every start). `--repeat N` then prints the
//! document N more times in the same process and reports the warm time per print,
//! both wall-clock and CPU (all threads; on Linux, from /proc), so that a machine
//! busy with other work still gives the idle-machine figure.

use gongwen_print::forms::{DraftSheet, ReceiptSheet};
use gongwen_print::{Fonts, Options, PrintOutput};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let system = args.iter().any(|a| a == "--system-fonts");
    args.retain(|a| a != "--system-fonts");
    let mut repeat = 0usize;
    if let Some(i) = args.iter().position(|a| a == "--repeat") {
        repeat = args
            .get(i + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| fail("--repeat 后应为次数".to_string()));
        args.drain(i..i + 2);
    }
    let (paths, form) = match args.as_slice() {
        [input, output] => ((input, output), None),
        [input, output, flag, form] if flag == "--form" => ((input, output), Some(form.as_str())),
        _ => {
            eprintln!(
                "用法：render 输入.json 输出.pdf [--form draft-sheet|receipt-sheet] [--system-fonts]"
            );
            std::process::exit(2);
        }
    };
    let json = std::fs::read_to_string(paths.0)
        .unwrap_or_else(|e| fail(format!("无法读取 {}：{e}", paths.0)));
    let json = json.as_str();
    let fonts = if system {
        Fonts::system_or_bundled()
    } else {
        Fonts::bundled()
    }
    .unwrap_or_else(|e| fail(e.to_string()));
    let print_once = || -> gongwen_print::Result<PrintOutput> {
        match form {
            None => {
                let doc = gongwen_domain::Document::from_json(json)
                    .unwrap_or_else(|e| fail(e.to_string()));
                gongwen_print::print_document_with(&doc, fonts, &Options::default())
            }
            Some("draft-sheet") => {
                let sheet: DraftSheet = serde_json::from_str(json)
                    .unwrap_or_else(|e| fail(format!("发文稿纸数据有误：{e}")));
                gongwen_print::forms::print_draft_sheet_with(&sheet, fonts)
            }
            Some("receipt-sheet") => {
                let sheet: ReceiptSheet = serde_json::from_str(json)
                    .unwrap_or_else(|e| fail(format!("收文处理笺数据有误：{e}")));
                gongwen_print::forms::print_receipt_sheet_with(&sheet, fonts)
            }
            Some(other) => fail(format!(
                "未知的表单“{other}”，可用：draft-sheet、receipt-sheet"
            )),
        }
    };
    let start = std::time::Instant::now();
    let printed = print_once();
    let out = printed.unwrap_or_else(|e| fail(e.to_string()));
    let elapsed = start.elapsed();
    for w in &out.warnings {
        eprintln!("提示：{w}");
    }
    if let Err(e) = std::fs::write(paths.1, &out.pdf) {
        fail(format!("无法写入 {}：{e}", paths.1));
    }
    eprintln!(
        "{} 页，{} 字节，{:.1} ms",
        out.pages,
        out.pdf.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    if repeat > 0 {
        let cpu0 = cpu_seconds();
        let start = std::time::Instant::now();
        for _ in 0..repeat {
            print_once().unwrap_or_else(|e| fail(e.to_string()));
        }
        let wall = start.elapsed().as_secs_f64() * 1000.0 / repeat as f64;
        match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => eprintln!(
                "warm: {wall:.2} ms/print wall, {:.2} ms/print CPU ({repeat} prints)",
                (b - a) * 1000.0 / repeat as f64
            ),
            _ => eprintln!("warm: {wall:.2} ms/print wall ({repeat} prints)"),
        }
    }
}

/// CPU time of this process so far (user + system, all threads), from
/// /proc/self/stat; `None` where that is not available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // utime and stime are the 12th and 13th, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
