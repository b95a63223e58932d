//! Renders a document JSON to PDF with the shipped fonts:
//! `cargo run -p gongwen-print --example render -- IN.json OUT.pdf`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("用法：render 输入.json 输出.pdf");
        std::process::exit(2);
    }
    let json = match std::fs::read_to_string(&args[1]) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("无法读取 {}：{e}", args[1]);
            std::process::exit(1);
        }
    };
    let doc = match gongwen_domain::Document::from_json(&json) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let fonts = match gongwen_print::Fonts::bundled() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let start = std::time::Instant::now();
    match gongwen_print::print_document_with(&doc, fonts, &gongwen_print::Options::default()) {
        Ok(out) => {
            let elapsed = start.elapsed();
            for w in &out.warnings {
                eprintln!("提示：{w}");
            }
            if let Err(e) = std::fs::write(&args[2], &out.pdf) {
                eprintln!("无法写入 {}：{e}", args[2]);
                std::process::exit(1);
            }
            eprintln!(
                "{} 页，{} 字节，{:.1} ms",
                out.pages,
                out.pdf.len(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
