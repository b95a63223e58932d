//! The JSON import never panics; what it reads lints, prints back and reads
//! again to the same document.
#![no_main]

use gongwen_domain::Document;
use gongwen_domain::lint::{LintContext, Stage, lint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = Document::from_json(&text) {
        let ctx = LintContext::default().stage(Stage::Issue).electronic_exchange(true);
        let _ = lint(&doc, &ctx);
        let again = Document::from_json(&doc.to_json_pretty()).expect("the canonical form reads back");
        assert_eq!(again, doc);
    }
});
