//! Integration tests of gongwen-print: geometry read back from the PDF, text read
//! back with pdftotext, golden images, forms, and random documents.

mod forms;
mod geometry;
mod golden;
mod pagination;
mod pdfread;
mod random;
mod signature;
mod text;

use gongwen_domain::Document;
use gongwen_print::{Fonts, Options, PrintOutput, print_document_with};

/// The shipped fonts only: identical output on every machine.
pub fn fonts() -> &'static Fonts {
    Fonts::bundled().expect("the shipped fonts load")
}

pub fn sample_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name)
}

pub fn sample(name: &str) -> Document {
    let json =
        std::fs::read_to_string(sample_path(&format!("{name}.json"))).expect("sample exists");
    Document::from_json(&json).expect("sample parses")
}

pub fn print(doc: &Document) -> PrintOutput {
    print_document_with(doc, fonts(), &Options::default()).expect("the document prints")
}

/// Runs a poppler tool on PDF bytes; returns its stdout.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!(
        "gongwen-print-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = dir.join("in.pdf");
    std::fs::write(&input, pdf).expect("write pdf");
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&input)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (poppler-utils): {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Asserts |a − b| ≤ 0.5 mm.
#[track_caller]
pub fn near(a: f32, b: f32, what: &str) {
    assert!(
        (a - b).abs() <= 0.5,
        "{what}: {a:.2} mm, expected {b:.2} mm ± 0.5"
    );
}
