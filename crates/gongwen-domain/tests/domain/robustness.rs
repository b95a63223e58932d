//! Arbitrary input never panics: the JSON import, the 文号 parser, the body parser
//! and the lint. Runs `PROPTEST_CASES` cases per property (proptest's default 256
//! otherwise); `scripts/fuzz.sh` runs them long.

use gongwen_domain::lint::{LintContext, Stage, lint};
use gongwen_domain::{DocNumber, Document, body};
use proptest::prelude::*;

/// Strings drawn from the characters that matter to the parsers.
fn gongwen_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("〔".to_string()),
            Just("〕".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("（".to_string()),
            Just("）".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("号".to_string()),
            Just("第".to_string()),
            Just("、".to_string()),
            Just(".".to_string()),
            Just("．".to_string()),
            Just("年".to_string()),
            Just("月".to_string()),
            Just("日".to_string()),
            Just("一".to_string()),
            Just("十".to_string()),
            Just("百".to_string()),
            Just("零".to_string()),
            Just("\n".to_string()),
            Just("《".to_string()),
            Just("》".to_string()),
            Just("鹤府".to_string()),
            Just("。".to_string()),
            Just("附件".to_string()),
            Just("\u{3000}".to_string()),
            "[0-9０-９]{1,6}",
            any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// JSON documents built from arbitrary values in the right places and the wrong ones.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        gongwen_text().prop_map(Value::String),
        prop_oneof![
            Just("秘密"),
            Just("特急"),
            Just("通知"),
            Just("令"),
            Just("standard"),
            Just("up"),
            Just("2026-02-29"),
            Just("2024-02-29")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(field_name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(vec![
            "format", "doc_type", "direction", "copy_number", "secrecy", "level", "term", "urgency", "issuers",
            "name", "mark", "doc_number", "prefix", "year", "seq", "signers", "title", "main_recipients", "body",
            "attachments", "file", "signatures", "date", "seal", "note", "cc", "printing", "organ", "order_number",
            "signer_title", "minutes", "attendees", "absentees", "observers",
        ]).prop_map(String::from),
        1 => "[a-z_]{1,8}",
    ]
}

proptest! {
    #[test]
    fn from_json_never_panics_on_any_string(s in any::<String>()) {
        let _ = Document::from_json(&s);
    }

    #[test]
    fn from_json_never_panics_on_json(v in json_value()) {
        let text = v.to_string();
        if let Ok(doc) = Document::from_json(&text) {
            // What reads also lints, prints back and reads again to the same document.
            let _ = lint(&doc, &LintContext::default().stage(Stage::Issue).electronic_exchange(true));
            prop_assert_eq!(Document::from_json(&doc.to_json_pretty()).unwrap(), doc);
        }
    }

    #[test]
    fn docnum_parser_never_panics(s in prop_oneof![any::<String>(), gongwen_text()]) {
        if let Ok(n) = s.parse::<DocNumber>() {
            // Whatever parses is valid and formats back to a form that parses to itself.
            prop_assert!(n.validate().is_ok());
            prop_assert_eq!(n.to_string().parse::<DocNumber>().unwrap(), n);
        }
    }

    #[test]
    fn docnum_round_trips(prefix in "[\\p{Han}]{1,6}", year in 1000u16..=9999, seq in 1u32..) {
        let n = DocNumber::new(prefix, year, seq);
        prop_assert_eq!(n.to_string().parse::<DocNumber>().unwrap(), n);
    }

    #[test]
    fn body_parse_and_lint_never_panic(text in prop_oneof![any::<String>(), gongwen_text()], title in gongwen_text()) {
        let blocks = body::parse(&text);
        for b in &blocks {
            prop_assert!(text.lines().nth(b.line).is_some_and(|l| l.trim() == b.text));
            let _ = b.ordinal();
        }
        let doc = Document {
            body: text.clone(),
            title,
            cc: vec![text.clone()],
            attachments: vec![gongwen_domain::document::Attachment { name: text.clone(), file: None, body: None }],
            copy_number: Some(text),
            ..Document::default()
        };
        let _ = lint(&doc, &LintContext::default());
    }
}
