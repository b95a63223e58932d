//! How reading, body parsing and the lint scale with the body's size.
//!
//! `cargo bench -p gongwen-domain --bench lint_scaling` prints one row per size;
//! the time per MB should stay flat (linear time), up to the 100 MB body of the
//! bad-input requirement.

use std::hint::black_box;
use std::time::{Duration, Instant};

use gongwen_domain::lint::{LintContext, Stage, lint};
use gongwen_domain::{Document, body};

const MB: usize = 1024 * 1024;

fn body_of(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 4096);
    let mut n = 0u32;
    while s.len() < bytes {
        n += 1;
        s.push_str(&format!("{n}.第{n}项工作\n"));
        for _ in 0..8 {
            s.push_str(
                "各单位要高度重视，认真组织，确保各项工作落到实处，于2026年12月5日前报送情况。\n",
            );
        }
    }
    s
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    // `cargo test --benches` runs benches once with `--bench` absent: keep it quick then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick { &[1] } else { &[1, 10, 100] };
    let ctx = LintContext::default().stage(Stage::Issue);
    println!("| body | from_json | body::parse | lint | lint ms/MB |");
    println!("|---:|---:|---:|---:|---:|");
    for &mb in sizes {
        let text = body_of(mb * MB);
        let json =
            serde_json::json!({ "doc_type": "通知", "title": "关于开展检查的通知", "body": text })
                .to_string();
        let runs = if mb >= 100 { 1 } else { 3 };
        let read = best_of(runs, || Document::from_json(&json).map(|d| d.body.len()));
        let doc = Document::from_json(&json).expect("the generated document reads");
        let parse = best_of(runs, || body::parse(&doc.body).len());
        let linted = best_of(runs, || lint(&doc, &ctx).len());
        println!(
            "| {mb} MB | {:.0} ms | {:.0} ms | {:.0} ms | {:.1} |",
            read.as_secs_f64() * 1e3,
            parse.as_secs_f64() * 1e3,
            linted.as_secs_f64() * 1e3,
            linted.as_secs_f64() * 1e3 / mb as f64,
        );
    }
}
