//! Bad input gives a clear message naming what is wrong; huge input does not explode.

use gongwen_domain::document::DocType;
use gongwen_domain::lint::{LintContext, Stage, lint};
use gongwen_domain::{DocNumber, Document, body};

#[test]
fn malformed_json_names_line_and_column() {
    let e =
        Document::from_json("{\n  \"title\": \"关于开展检查的通知\",\n  \"doc_type\" \"通知\"\n}")
            .unwrap_err();
    assert!(e.0.contains("第3行"), "{e}");
    assert!(e.0.contains("列"), "{e}");
    assert!(e.0.contains("冒号"), "{e}");

    let e = Document::from_json("{\"title\": \"关于").unwrap_err();
    assert!(e.0.contains("JSON 不完整"), "{e}");
    assert!(e.0.contains("第1行"), "{e}");

    let e = Document::from_json("{\"title\": \"x\"} trailing").unwrap_err();
    assert!(e.0.contains("多余"), "{e}");

    let e = Document::from_json("").unwrap_err();
    assert!(e.0.contains("不完整"), "{e}");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let d = Document::from_json("\u{feff}{\"doc_type\": \"通知\"}").unwrap();
    assert_eq!(d.doc_type, Some(DocType::Notice));
}

#[test]
fn unknown_field_is_named_with_its_path() {
    let e = Document::from_json("{\n\"secrecy\": {\"level\": \"秘密\", \"trem\": \"1年\"}\n}")
        .unwrap_err();
    assert!(e.0.contains("trem"), "{e}");
    assert!(e.0.contains("secrecy"), "{e}");
    assert!(e.0.contains("第2行"), "{e}");
    assert!(
        e.0.contains("term"),
        "the message lists the valid fields: {e}"
    );
}

#[test]
fn unknown_doc_type_names_the_value() {
    let e = Document::from_json(r#"{"doc_type": "通令"}"#).unwrap_err();
    assert!(e.0.contains("“通令”不是"), "{e}");
    assert!(e.0.contains("doc_type"), "{e}");
    assert!(e.0.contains("请示"), "the message lists the 15 文种: {e}");
    assert_eq!(DocType::from_name("通令"), None);
}

#[test]
fn wrong_types_and_values_name_the_field() {
    let e = Document::from_json(r#"{"main_recipients": "各镇人民政府"}"#).unwrap_err();
    assert!(
        e.0.contains("main_recipients") && e.0.contains("数组"),
        "{e}"
    );
    let e = Document::from_json(r#"{"attachments": [{"name": "表"}, {"name": 5}]}"#).unwrap_err();
    assert!(
        e.0.contains("attachments[1].name") && e.0.contains("字符串"),
        "{e}"
    );
    let e = Document::from_json(r#"{"doc_number": {"prefix": "鹤府", "year": 2026, "seq": -1}}"#)
        .unwrap_err();
    assert!(e.0.contains("doc_number.seq"), "{e}");
    let e = Document::from_json(r#"{"seal": 3}"#).unwrap_err();
    assert!(e.0.contains("印章"), "{e}");
    let e = Document::from_json(r#"{"date": "2026/03/05"}"#).unwrap_err();
    assert!(e.0.contains("date") && e.0.contains("YYYY-MM-DD"), "{e}");
    let e = Document::from_json(r#"{"title": "a", "title": "b"}"#).unwrap_err();
    assert!(e.0.contains("重复"), "{e}");
}

#[test]
fn wrong_doc_numbers_show_the_right_form() {
    for (bad, right) in [
        ("鹤府[2024]12号", "鹤府〔2024〕12号"),
        ("鹤府（2024）12号", "鹤府〔2024〕12号"),
        ("鹤府〔24〕12号", "鹤府〔2024〕12号"),
        ("鹤府〔2024〕012号", "鹤府〔2024〕12号"),
    ] {
        let e = bad.parse::<DocNumber>().unwrap_err();
        assert!(e.to_string().contains(right), "{bad}: {e}");
        assert!(
            e.to_string().contains(bad),
            "the message quotes the input: {e}"
        );
    }
}

/// A 100 MB body: reading, parsing and linting all complete (linear time, no
/// quadratic blow-up, no recursion), and the structure is right.
#[test]
fn a_100_mb_body_does_not_explode() {
    const TARGET: usize = 100 * 1024 * 1024;
    let mut body = String::with_capacity(TARGET + 1024);
    let mut n = 0u32;
    while body.len() < TARGET {
        n += 1;
        body.push_str(&format!("{}、第{n}部分\n", cn((n - 1) % 99 + 1)));
        for _ in 0..20 {
            body.push_str(
                "各单位要高度重视，认真组织，确保各项工作落到实处，于2026年12月5日前报送情况。\n",
            );
        }
    }
    // One huge line too: no line-based quadratic work.
    body.push_str(&"长".repeat(5 * 1024 * 1024));

    let json =
        serde_json::json!({ "doc_type": "通知", "title": "关于开展检查的通知", "body": body })
            .to_string();
    let doc = Document::from_json(&json).unwrap();
    assert_eq!(doc.body.len(), body.len());

    let blocks = body::parse(&doc.body);
    assert!(blocks.len() > 500_000, "{}", blocks.len());
    assert_eq!(
        blocks
            .iter()
            .filter(|b| b.kind == body::BlockKind::Heading1)
            .count(),
        n as usize
    );

    let findings = lint(&doc, &LintContext::default().stage(Stage::Draft));
    // The numbering restarts at 一 every 99 headings: reported as 重号, once per restart.
    let seq: Vec<_> = findings.iter().filter(|f| f.rule == "GW038").collect();
    assert_eq!(seq.len(), ((n - 1) / 99) as usize);
}

fn cn(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match (n / 10, n % 10) {
        (0, u) => D[u as usize].to_string(),
        (1, u) => format!("十{}", D[u as usize]),
        (t, u) => format!("{}十{}", D[t as usize], D[u as usize]),
    }
}
