//! The body parser and the lint never panic on any text in any field.
#![no_main]

use gongwen_domain::document::{Attachment, DocDate, Document, Secrecy, SecrecyLevel};
use gongwen_domain::lint::{LintContext, Stage, lint};
use gongwen_domain::{DocNumber, body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let blocks = body::parse(text);
    for b in &blocks {
        let _ = b.ordinal();
    }
    let doc = Document {
        title: text.to_string(),
        body: text.to_string(),
        main_recipients: text.lines().map(str::to_string).collect(),
        cc: vec![text.to_string()],
        attachments: vec![Attachment { name: text.to_string(), file: None, body: None }],
        copy_number: Some(text.to_string()),
        secrecy: Some(Secrecy { level: SecrecyLevel::Secret, term: Some(text.to_string()) }),
        doc_number: Some(DocNumber::new(text, 26, 0)),
        note: Some(text.to_string()),
        ..Document::default()
    };
    let today = DocDate::new(2026, 11, 28).expect("a real date");
    let _ = lint(&doc, &LintContext::new(today).stage(Stage::Issue).subordinates(text.lines()));
});
