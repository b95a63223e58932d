//! The official forms: content comes back out, boxes grow, overflow continues.

use gongwen_print::forms::{
    DraftSheet, Opinion, ReceiptSheet, print_draft_sheet_with, print_receipt_sheet_with,
};

use crate::{fonts, poppler, sample_path};

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn draft_sheet_shows_every_field() {
    let sheet: DraftSheet =
        serde_json::from_str(&std::fs::read_to_string(sample_path("draft-sheet.json")).unwrap())
            .unwrap();
    let out = print_draft_sheet_with(&sheet, fonts()).unwrap();
    assert_eq!(out.pages, 1);
    let text = squash(&String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap());
    for s in [
        "鹤山市人民政府发文稿纸",
        "签发",
        "会签",
        "核稿",
        "同意印发。",
        "王大明",
        "2026年11月25日",
        "鹤府〔2026〕12号",
        "1.安全生产大检查工作方案",
    ] {
        assert!(text.contains(s), "“{s}” missing from:\n{text}");
    }
}

#[test]
fn long_opinions_grow_and_continue_with_the_header_repeated() {
    let mut sheet: ReceiptSheet =
        serde_json::from_str(&std::fs::read_to_string(sample_path("receipt-sheet.json")).unwrap())
            .unwrap();
    let long = "请各镇各部门高度重视冬春火灾防控工作，认真排查整治各类火灾隐患。".repeat(40);
    sheet.instructions.push(Opinion {
        text: long.clone(),
        name: "李建国".into(),
        date: None,
    });
    let out = print_receipt_sheet_with(&sheet, fonts()).unwrap();
    assert!(
        out.pages >= 2,
        "the long opinion continues on a second page"
    );
    let page2 = squash(
        &String::from_utf8(poppler("pdftotext", &["-f", "2", "-l", "2"], &out.pdf)).unwrap(),
    );
    assert!(page2.contains("收文处理笺（续）"), "{page2}");
    assert!(
        page2.contains("江门市人民政府关于做好2026年冬春火灾防控工作的通知"),
        "title row repeated: {page2}"
    );
    let all = squash(&String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap());
    assert!(all.contains("李建国"));
    // The box label sits beside the middle of its box and may fall inside a wrapped phrase.
    let all = all.replace("批办意见", "");
    // A phrase may straddle a page break (the repeated header sits between its
    // halves), so count a character that occurs once per sentence.
    assert_eq!(all.matches('患').count(), 40, "no line lost or doubled");
}

#[test]
fn a_short_name_stays_on_one_line_beside_a_long_drafting_unit() {
    let mut sheet: DraftSheet =
        serde_json::from_str(&std::fs::read_to_string(sample_path("draft-sheet.json")).unwrap())
            .unwrap();
    sheet.drafting_unit = "鹤山市人民政府办公室".into();
    sheet.drafter = "李明".into();
    let out = print_draft_sheet_with(&sheet, fonts()).unwrap();
    let text = String::from_utf8(poppler("pdftotext", &["-layout"], &out.pdf)).unwrap();
    assert!(
        text.contains("李明"),
        "the name is broken over lines:\n{text}"
    );
    assert!(
        text.contains("2026年11月20日"),
        "the date is broken over lines:\n{text}"
    );
}
