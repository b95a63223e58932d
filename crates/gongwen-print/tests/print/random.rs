//! Random documents: never a panic, always a PDF that lopdf parses.

use gongwen_domain::document::{
    Attachment, Direction, DocDate, Format, Issuer, MinutesPeople, Printing, Seal, Secrecy,
    SecrecyLevel, Urgency,
};
use gongwen_domain::{DocNumber, Document};
use proptest::prelude::*;

use crate::fonts;

/// Text from every Unicode plane, with CJK and punctuation weighted up, and long
/// unbreakable runs.
fn any_text(max: usize) -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        4 => proptest::char::range('\u{4E00}', '\u{9FFF}'),
        2 => proptest::sample::select(vec!['，', '。', '、', '；', '：', '（', '）', '《', '》', '“', '”', '—', '…', ' ', '1', 'a', '\t']),
        1 => any::<char>(),
        1 => proptest::char::range('\u{20000}', '\u{2FFFF}'),
    ];
    prop_oneof![
        8 => proptest::collection::vec(ch, 0..max).prop_map(|v| v.into_iter().collect::<String>()),
        1 => (1usize..400).prop_map(|n| "A".repeat(n)),
        1 => (1usize..200).prop_map(|n| "1".repeat(n)),
    ]
}

fn body() -> impl Strategy<Value = String> {
    let para = prop_oneof![
        6 => any_text(120),
        1 => any_text(8).prop_map(|t| format!("一、{t}")),
        1 => any_text(8).prop_map(|t| format!("（二）{t}")),
        1 => any_text(8).prop_map(|t| format!("3.{t}")),
        1 => any_text(8).prop_map(|t| format!("（4）{t}")),
    ];
    proptest::collection::vec(para, 0..300).prop_map(|v| v.join("\n"))
}

fn document() -> impl Strategy<Value = Document> {
    (
        (
            prop_oneof![
                Just(Format::Standard),
                Just(Format::Letter),
                Just(Format::Order),
                Just(Format::Minutes)
            ],
            proptest::option::of(prop_oneof![
                Just(Direction::Up),
                Just(Direction::Down),
                Just(Direction::Parallel)
            ]),
            proptest::option::of(any_text(10)),
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec((any_text(30), proptest::option::of(any_text(30))), 0..4),
            proptest::option::of((any_text(6), 1000u16..9999, 1u32..100000)),
        ),
        (
            proptest::collection::vec(any_text(8), 0..4),
            any_text(200),
            proptest::collection::vec(any_text(40), 0..5),
            body(),
            proptest::collection::vec((any_text(30), proptest::option::of(body())), 0..4),
            proptest::collection::vec(any_text(30), 0..4),
            any::<bool>(),
            proptest::option::of(any_text(60)),
            proptest::collection::vec(any_text(20), 0..6),
            any::<bool>(),
        ),
    )
        .prop_map(|(a, b)| {
            let (format, direction, copy_number, secret, urgent, issuers, number) = a;
            let (
                signers,
                title,
                recipients,
                body,
                attachments,
                signatures,
                seal,
                note,
                cc,
                printing,
            ) = b;
            Document {
                format,
                direction,
                copy_number,
                secrecy: secret.then(|| Secrecy {
                    level: SecrecyLevel::Confidential,
                    term: Some("1年".into()),
                }),
                urgency: urgent.then_some(Urgency::Immediate),
                issuers: issuers
                    .into_iter()
                    .map(|(name, mark)| Issuer { name, mark })
                    .collect(),
                doc_number: number.map(|(p, y, s)| DocNumber::new(p, y, s)),
                signers,
                title,
                main_recipients: recipients,
                body,
                attachments: attachments
                    .into_iter()
                    .map(|(name, body)| Attachment {
                        name,
                        file: None,
                        body,
                    })
                    .collect(),
                signatures,
                date: DocDate::new(2026, 11, 28),
                seal: if seal { Seal::Flag(true) } else { Seal::None },
                note,
                cc: cc.clone(),
                printing: printing.then(|| Printing {
                    organ: "鹤山市人民政府办公室".into(),
                    date: DocDate::new(2026, 11, 28).unwrap(),
                }),
                order_number: Some(3),
                signer_title: Some("市长".into()),
                minutes: Some(MinutesPeople {
                    attendees: cc.clone(),
                    absentees: Vec::new(),
                    observers: cc,
                }),
                ..Document::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_documents_always_print(doc in document()) {
        let out = gongwen_print::print_document_with(&doc, fonts(), &gongwen_print::Options::default()).expect("prints");
        prop_assert!(out.pages >= 1);
        let parsed = lopdf::Document::load_mem(&out.pdf);
        prop_assert!(parsed.is_ok(), "lopdf rejects the PDF: {:?}", parsed.err());
        prop_assert_eq!(parsed.unwrap().get_pages().len(), out.pages);
    }
}

#[test]
fn empty_document_prints_one_page() {
    let out = gongwen_print::print_document_with(
        &Document::default(),
        fonts(),
        &gongwen_print::Options::default(),
    )
    .unwrap();
    assert_eq!(out.pages, 1);
    assert!(lopdf::Document::load_mem(&out.pdf).is_ok());
}

#[test]
fn two_hundred_pages_of_body() {
    let para =
        "各单位要高度重视，主要负责同志亲自部署，认真组织开展自查自纠，确保各项工作落到实处。"
            .repeat(10);
    let doc = Document {
        title: "关于长文的通知".into(),
        body: vec![para; 400].join("\n"),
        ..Document::default()
    };
    let out = gongwen_print::print_document_with(&doc, fonts(), &gongwen_print::Options::default())
        .unwrap();
    assert!(out.pages >= 200, "{} pages", out.pages);
    assert!(lopdf::Document::load_mem(&out.pdf).is_ok());
}
