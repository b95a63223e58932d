//! Layout + PDF of a 2-page 通知, warm (fonts loaded once, as in a running app).
//! Prints the output size; `scripts/print-bench.sh` compares with LibreOffice and typst.

use criterion::{Criterion, criterion_group, criterion_main};
use gongwen_domain::Document;
use gongwen_print::{Fonts, Options, layout, pdf, print_document_with};

fn two_page_notice() -> Document {
    let json = include_str!("../tests/samples/notice-full.json");
    let mut doc = Document::from_json(json).expect("sample parses");
    for a in &mut doc.attachments {
        a.body = None;
    }
    doc.seal = gongwen_domain::document::Seal::Flag(false);
    doc
}

fn bench(c: &mut Criterion) {
    let fonts = Fonts::bundled().expect("shipped fonts");
    let doc = two_page_notice();
    let options = Options::default();
    let out = print_document_with(&doc, fonts, &options).expect("prints");
    eprintln!(
        "2-page 通知: {} pages, {} bytes ({:.1} KB)",
        out.pages,
        out.pdf.len(),
        out.pdf.len() as f64 / 1024.0
    );
    c.bench_function("layout", |b| {
        b.iter(|| layout(&doc, fonts, &options).expect("layout"))
    });
    let laid = layout(&doc, fonts, &options).expect("layout");
    c.bench_function("pdf", |b| {
        b.iter(|| pdf(&laid, fonts, "bench").expect("pdf"))
    });
    c.bench_function("layout+pdf", |b| {
        b.iter(|| print_document_with(&doc, fonts, &options).expect("prints"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
