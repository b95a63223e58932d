//! Renders a document JSON (or a form's JSON) to PDF with the shipped fonts:
//! `cargo run -p gongwen-print --example render -- IN.json OUT.pdf [--form draft-sheet|receipt-sheet]`.

use gongwen_print::forms::{DraftSheet, ReceiptSheet};
use gongwen_print::{Fonts, Options, PrintOutput};

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (paths, form) = match args.as_slice() {
        [input, output] => ((input, output), None),
        [input, output, flag, form] if flag == "--form" => ((input, output), Some(form.as_str())),
        _ => {
            eprintln!("用法：render 输入.json 输出.pdf [--form draft-sheet|receipt-sheet]");
            std::process::exit(2);
        }
    };
    let json = std::fs::read_to_string(paths.0)
        .unwrap_or_else(|e| fail(format!("无法读取 {}：{e}", paths.0)));
    let fonts = Fonts::bundled().unwrap_or_else(|e| fail(e.to_string()));
    let start = std::time::Instant::now();
    let printed: gongwen_print::Result<PrintOutput> = match form {
        None => {
            let doc =
                gongwen_domain::Document::from_json(&json).unwrap_or_else(|e| fail(e.to_string()));
            gongwen_print::print_document_with(&doc, fonts, &Options::default())
        }
        Some("draft-sheet") => {
            let sheet: DraftSheet = serde_json::from_str(&json)
                .unwrap_or_else(|e| fail(format!("发文稿纸数据有误：{e}")));
            gongwen_print::forms::print_draft_sheet_with(&sheet, fonts)
        }
        Some("receipt-sheet") => {
            let sheet: ReceiptSheet = serde_json::from_str(&json)
                .unwrap_or_else(|e| fail(format!("收文处理笺数据有误：{e}")));
            gongwen_print::forms::print_receipt_sheet_with(&sheet, fonts)
        }
        Some(other) => fail(format!(
            "未知的表单“{other}”，可用：draft-sheet、receipt-sheet"
        )),
    };
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
}
