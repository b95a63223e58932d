//! docs/examples: every example reads, validates against the committed JSON Schema,
//! round-trips unchanged, and is clean under the lint; the committed schema matches
//! the Rust types.

use std::path::{Path, PathBuf};

use gongwen_domain::Document;
use gongwen_domain::document::json_schema;
use gongwen_domain::lint::{LintContext, Severity, Stage, lint, rules};

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn examples() -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(docs().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Compares a generated file with the committed one; `GONGWEN_BLESS=1` rewrites it.
fn check_generated(relative: &str, generated: &str) {
    let path = docs().join(relative);
    if std::env::var_os("GONGWEN_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/{relative} is out of date with the Rust code: \
         run `GONGWEN_BLESS=1 cargo test -p gongwen-domain --test domain generated` and commit it"
    );
}

#[test]
fn generated_schema_is_committed() {
    check_generated(
        "document.schema.json",
        &(serde_json::to_string_pretty(&json_schema()).unwrap() + "\n"),
    );
}

#[test]
fn generated_rule_list_is_committed() {
    let mut md = String::from(
        "# 行文规则 / Lint rules\n\n\
         <!-- Generated from `gongwen_domain::lint::rules()` by \
         `GONGWEN_BLESS=1 cargo test -p gongwen-domain --test domain generated`; do not edit. -->\n\n\
         `gongwen lint` 和起草界面按这些规则检查公文。每条提示给出规则编号、严重程度（错误/警告）、所涉要素和中文说明。\n\
         Each finding has the rule id, a severity (error blocks submission, warning advises), the element and a message.\n\n\
         | 编号 id | 名称 name | 规则 | 说明 | 依据 basis |\n|---|---|---|---|---|\n",
    );
    for r in rules() {
        md.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            r.id, r.name, r.title, r.description, r.basis
        ));
    }
    check_generated("lint-rules.md", &md);
}

#[test]
fn there_are_complete_examples() {
    let names: Vec<_> = examples().into_iter().map(|(n, _)| n).collect();
    for want in [
        "notice-full.json",
        "request-up.json",
        "joint-notice.json",
        "minutes.json",
        "order.json",
        "letter.json",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "missing docs/examples/{want}: {names:?}"
        );
    }
}

#[test]
fn examples_validate_against_the_schema() {
    let schema = json_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (name, json) in examples() {
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let errors: Vec<_> = validator
            .iter_errors(&value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_schema_rejects_what_the_reader_rejects() {
    let validator = jsonschema::validator_for(&json_schema()).unwrap();
    for bad in [
        r#"{"titel": "x"}"#,
        r#"{"doc_type": "通令"}"#,
        r#"{"secrecy": {"level": "秘密", "extra": 1}}"#,
        r#"{"doc_number": {"prefix": "鹤府", "year": 2026, "seq": -1}}"#,
        r#"{"doc_number": {"prefix": "鹤府", "year": 2026}}"#,
        r#"{"seal": 1}"#,
        r#"{"format": "memo"}"#,
        r#"{"minutes": {"present": []}}"#,
        r#"{"date": "2026-3-5"}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(bad).unwrap();
        assert!(!validator.is_valid(&value), "schema accepts {bad}");
        assert!(Document::from_json(bad).is_err(), "reader accepts {bad}");
    }
    // The reader and the schema check the form; the lint checks the content
    // (a 文号 with a 2-digit year reads, and GW030 reports it).
    for good in [
        r#"{}"#,
        r#"{"doc_number": {"prefix": "鹤府", "year": 26, "seq": 0}}"#,
        r#"{"seal": "seal.png"}"#,
        r#"{"seal": false}"#,
        r#"{"order_number": 3, "format": "order"}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(good).unwrap();
        assert!(validator.is_valid(&value), "schema rejects {good}");
        assert!(Document::from_json(good).is_ok(), "reader rejects {good}");
    }
}

#[test]
fn examples_round_trip_unchanged() {
    for (name, json) in examples() {
        let doc = Document::from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = Document::from_json(&doc.to_json_pretty()).unwrap();
        assert_eq!(doc, again, "{name}");
        // The examples are written in the canonical form: nothing is lost or added.
        let original: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_value(&doc).unwrap(), original, "{name}");
    }
}

#[test]
fn examples_have_no_lint_errors() {
    for (name, json) in examples() {
        let doc = Document::from_json(&json).unwrap();
        let today = doc
            .date
            .unwrap_or(gongwen_domain::document::DocDate::new(2026, 12, 1).unwrap());
        let ctx = LintContext::new(today).stage(Stage::Issue);
        let findings = lint(&doc, &ctx);
        assert!(findings.is_empty(), "{name}: {findings:#?}");
        assert!(findings.iter().all(|f| f.severity != Severity::Error));
    }
}
