//! pdftotext gives back the exact text of every sample.

use gongwen_domain::Document;

use crate::{poppler, print, sample};

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text in content-stream order (`pdftotext -raw`), whitespace and page
/// numbers ("— 1 —") removed, so paragraphs that cross a page read back whole.
fn stream_text(pdf: &[u8]) -> String {
    let s = squash(&String::from_utf8(poppler("pdftotext", &["-raw"], pdf)).unwrap());
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '—' {
            let digits = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > 0 && chars.get(i + 1 + digits) == Some(&'—') {
                i += digits + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Everything the document should show, piece by piece.
fn expected_pieces(doc: &Document) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    v.extend(doc.title.lines().map(str::to_string));
    v.extend(doc.body.lines().map(str::to_string));
    for a in &doc.attachments {
        v.push(a.name.clone());
        if let Some(b) = &a.body {
            v.extend(b.lines().map(str::to_string));
        }
    }
    v.extend(doc.main_recipients.iter().cloned());
    v.extend(doc.cc.iter().cloned());
    v.extend(doc.signatures.iter().cloned());
    if let Some(d) = doc.date {
        v.push(d.chinese());
    }
    if let Some(n) = &doc.doc_number
        && doc.format != gongwen_domain::document::Format::Order
    {
        v.push(n.to_string());
    }
    if let Some(n) = &doc.note {
        v.push(n.clone());
    }
    if let Some(p) = &doc.printing
        && doc.format != gongwen_domain::document::Format::Letter
    {
        v.push(p.organ.clone());
        v.push(format!("{}印发", p.date.chinese()));
    }
    v.into_iter()
        .map(|s| squash(&s))
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn pdftotext_returns_the_exact_text_of_every_sample() {
    for name in [
        "notice-full",
        "request-up",
        "joint-notice",
        "letter",
        "order",
        "minutes",
        "three-pages-attachments",
    ] {
        let doc = sample(name);
        let out = print(&doc);
        let text = stream_text(&out.pdf);
        for piece in expected_pieces(&doc) {
            // A title broken over lines reads back with the line break removed.
            assert!(
                text.contains(&piece),
                "{name}: “{piece}” not found in the PDF text:\n{text}"
            );
        }
    }
}

#[test]
fn minutes_labels_and_attendees() {
    let doc = sample("minutes");
    let out = print(&doc);
    let text = squash(&String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap());
    assert!(text.contains("出席：王大明、李建国"), "{text}");
    assert!(text.contains("请假：赵刚（出差）"), "{text}");
    assert!(text.contains("列席：市司法局局长吴海"), "{text}");
}

#[test]
fn missing_characters_are_substituted_and_named() {
    // U+1F600 (an emoji) and U+2A6D6 (CJK Extension B) are in no shipped font.
    let doc = Document {
        title: "关于😀的通知".into(),
        body: "正文中有生僻字\u{2A6D6}。".into(),
        ..Document::default()
    };
    let out = print(&doc);
    let w = out
        .warnings
        .iter()
        .find(|w| w.code == gongwen_print::WarningCode::MissingGlyphs)
        .expect("a warning");
    assert!(
        w.message.contains('😀') && w.message.contains('\u{2A6D6}'),
        "{}",
        w.message
    );
    let text = String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap();
    assert!(text.contains("关于□的通知"), "{text}");
}

#[test]
fn long_title_is_balanced_and_warned() {
    let title = "鹤山市人民政府关于进一步加强和改进新时代农村基层社会治理工作推动乡村振兴战略全面落地见效促进农业农村现代化高质量发展的实施意见的通知";
    let doc = Document {
        title: title.into(),
        body: "正文。".into(),
        ..Document::default()
    };
    let out = print(&doc);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.code == gongwen_print::WarningCode::TitleTooLong)
    );
    let text = String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap();
    assert_eq!(squash(&text).matches(&squash(title)).count(), 1);
}

#[test]
fn title_lines_never_split_a_place_name() {
    // 7.3.1: 回行时要做到词意完整. "共和" followed by 镇 is a town, not "共" + "和".
    for title in [
        "鹤山市人民政府办公室关于商请支持共和镇农村道路提升改造工程的函",
        "鹤山市共和镇人民政府关于申请农村道路提升改造专项资金的请示",
    ] {
        let doc = Document {
            title: title.into(),
            body: "正文。".into(),
            ..Document::default()
        };
        let out = print(&doc);
        let text = String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap();
        let lines: Vec<String> = text
            .lines()
            .map(squash)
            .filter(|l| !l.is_empty() && title.contains(l.as_str()))
            .collect();
        assert!(lines.len() >= 2, "a long title takes two lines: {lines:?}");
        assert_eq!(lines.concat(), title, "the title reads back whole");
        assert!(
            lines.iter().any(|l| l.contains("共和镇")),
            "共和镇 stays on one line: {lines:?}"
        );
    }
}

#[test]
fn missing_seal_image_falls_back_with_a_warning() {
    let mut doc = sample("notice-full");
    doc.seal = gongwen_domain::document::Seal::Image("/nonexistent/seal.png".into());
    let out = print(&doc);
    let w = out
        .warnings
        .iter()
        .find(|w| w.code == gongwen_print::WarningCode::SealImage)
        .expect("a seal warning");
    assert!(w.message.contains("/nonexistent/seal.png"), "{}", w.message);
    assert!(lopdf::Document::load_mem(&out.pdf).is_ok());
}

#[test]
fn unreadable_font_file_is_reported_not_fatal() {
    let dir = std::env::temp_dir().join(format!("gongwen-badfont-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ttf");
    std::fs::write(&bad, b"not a font").unwrap();
    let fonts = gongwen_print::Fonts::load(&gongwen_print::fonts::FontConfig {
        extra_files: vec![bad.clone()],
        ..Default::default()
    })
    .expect("shipped fonts still load");
    assert!(fonts.report().roles.iter().all(|r| r.used.is_some()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn seal_image_is_embedded() {
    let mut doc = sample("notice-full");
    let seal =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/seals/sample-seal.png");
    doc.seal = gongwen_domain::document::Seal::Image(seal.to_string_lossy().into_owned());
    let out = print(&doc);
    assert!(
        out.warnings
            .iter()
            .all(|w| w.code != gongwen_print::WarningCode::SealImage),
        "{:?}",
        out.warnings
    );
    let list = String::from_utf8(poppler("pdfimages", &["-list"], &out.pdf)).unwrap();
    assert!(list.lines().count() > 2, "an image is embedded: {list}");
}

#[test]
fn fonts_report_names_every_role() {
    let report = gongwen_print::fonts_report().expect("fonts load");
    assert_eq!(report.roles.len(), 5);
    for r in &report.roles {
        assert!(r.used.is_some(), "{} has a face", r.label);
    }
    let summary = report.summary();
    for label in ["小标宋", "仿宋", "黑体", "楷体", "宋体"] {
        assert!(summary.contains(label), "{summary}");
    }
}

#[test]
fn no_line_starts_or_ends_with_forbidden_punctuation() {
    // 避头尾: a body dense with punctuation at every offset, read back line by line.
    const NO_START: &str = "，。、；：？！）」』》】〕”’…";
    const NO_END: &str = "（「『《【〔“‘";
    let pieces = [
        "各单位要认真落实，",
        "确保“三个到位”。",
        "（一）组织到位；",
        "《实施方案》已印发！",
        "请于12月20日前报送……",
        "是否完成？",
        "「重点」、『难点』：",
    ];
    let mut doc = sample("notice-full");
    doc.attachments.clear();
    doc.body = (0..12)
        .map(|k| {
            (0..9)
                .map(|i| pieces[(i * 3 + k) % pieces.len()])
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let out = print(&doc);
    let text = String::from_utf8(poppler("pdftotext", &[], &out.pdf)).unwrap();
    let mut checked = 0;
    for line in text.lines().map(squash).filter(|l| l.chars().count() > 20) {
        let first = line.chars().next().unwrap();
        let last = line.chars().last().unwrap();
        assert!(
            !NO_START.contains(first),
            "line starts with {first}: {line}"
        );
        assert!(!NO_END.contains(last), "line ends with {last}: {line}");
        checked += 1;
    }
    assert!(checked > 20, "{checked} lines checked");
}

#[test]
fn attachment_note_wraps_under_the_name() {
    // 7.3.4: "附件：1.名称", a second name under the first, wrapped lines aligned
    // with the name's first character.
    use crate::pdfread::read;
    let mut doc = sample("notice-full");
    doc.attachments[0].name =
        "鹤山市2026年安全生产大检查工作方案及各镇各部门检查任务分工和时间进度安排表".into();
    let out = print(&doc);
    let pages = read(&out.pdf);
    let lines: Vec<_> = pages
        .iter()
        .flat_map(|p| p.lines())
        .filter(|l| (l[0].size - 16.0).abs() < 0.01)
        .collect();
    let cell = 156.0 / 28.0;
    // "附件：" takes three cells after the two of indent; "2." stands under "1.".
    let at_number = |l: &&Vec<crate::pdfread::Glyph>| (l[0].x - (28.0 + 5.0 * cell)).abs() < 0.3;
    let i = lines
        .iter()
        .position(|l| at_number(&l))
        .expect("the 附件说明's second name");
    assert!(i >= 2);
    let (first, wrapped, second) = (&lines[i - 2], &lines[i - 1], &lines[i]);
    crate::near(
        first[0].x,
        28.0 + 2.0 * cell,
        "附件说明 indented two characters",
    );
    // The name starts after "1." (two half-width glyphs).
    let name_x = first[5].x;
    crate::near(wrapped[0].x, name_x, "wrapped line aligned with the name");
    crate::near(second[0].x, first[3].x, "2. under 1.");
    crate::near(first[3].x, 28.0 + 5.0 * cell, "1. after 附件：");
}
