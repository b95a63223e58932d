//! Tracked changes (痕迹保留): comparing two versions of a draft element by element,
//! and text word by word, with who made each change.
//!
//! Text is split into tokens that suit Chinese: every CJK character is a token (Chinese
//! has no spaces, and a word segmenter would make diffs depend on a dictionary), a run
//! of Latin letters or digits is a token, a run of spaces is a token, and every other
//! character (punctuation, line breaks) is its own token. The token sequences are
//! diffed with the `similar` crate (Patience, falling back to Myers).
//!
//! Attribution: comparing version `a` with a later version `b` walks every version in
//! between. A token inserted along the way carries the author and time of the version
//! that inserted it; a token of `a` deleted along the way records the version that
//! deleted it. The final `a`→`b` diff then labels each inserted or deleted run with
//! those authors.

use gongwen_domain::Document;
use gongwen_domain::document::Seal;
use serde::Serialize;
use similar::{Algorithm, DiffTag};

/// What happened to a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Equal,
    Insert,
    Delete,
}

/// A run of text with what happened to it and, for changes, who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffSegment {
    pub kind: ChangeKind,
    pub text: String,
    /// Author of the version that made this change (None for unchanged text).
    pub author: Option<String>,
    /// Version number that made this change.
    pub version: Option<i64>,
    /// When that version was saved (RFC 3339).
    pub at: Option<String>,
}

/// One element (第九条) that differs between the two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementChange {
    /// The element's Chinese name, e.g. "标题".
    pub element: &'static str,
    /// The JSON field, e.g. "title".
    pub field: &'static str,
    pub before: String,
    pub after: String,
    /// Word-by-word changes of the element's text.
    pub segments: Vec<DiffSegment>,
    /// Everyone who changed this element between the two versions.
    pub changed_by: Vec<String>,
}

/// A version as an input to the comparison.
#[derive(Debug, Clone)]
pub struct VersionInput<'a> {
    pub version: i64,
    pub author: &'a str,
    pub at: &'a str,
    pub doc: &'a Document,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Splits text into diff tokens (see the module docs).
pub fn tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Single,
    }
    let class = |c: char| {
        if is_cjk(c) || c == '\n' {
            Class::Single
        } else if c.is_alphanumeric() || c == '_' {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Single
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<Class> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        if let Some(p) = prev
            && (p != k || k == Class::Single)
        {
            out.push(&text[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn ops(old: &[&str], new: &[&str]) -> Vec<similar::DiffOp> {
    similar::capture_diff_slices(Algorithm::Patience, old, new)
}

#[derive(Debug, Clone)]
struct Mark {
    version: i64,
    author: String,
    at: String,
}

/// Diffs `steps[0]` against `steps.last()`, attributing each change through the
/// intermediate steps. Each step is (text, who saved it).
fn attributed(steps: &[(String, Mark)]) -> Vec<DiffSegment> {
    let first = &steps[0].0;
    let last = &steps[steps.len() - 1];
    let a = tokens(first);
    // Provenance of the current token list: Some(index in `a`) or the insert mark.
    #[derive(Clone)]
    enum Origin {
        Base(usize),
        Inserted(usize), // index into `marks`
    }
    let mut marks: Vec<Mark> = Vec::new();
    let mut deleted_by: Vec<Option<usize>> = vec![None; a.len()];
    let mut cur_tokens: Vec<&str> = a.clone();
    let mut origin: Vec<Origin> = (0..a.len()).map(Origin::Base).collect();
    for (text, mark) in &steps[1..] {
        let next = tokens(text);
        marks.push(mark.clone());
        let m = marks.len() - 1;
        let mut next_origin = Vec::with_capacity(next.len());
        for op in ops(&cur_tokens, &next) {
            let (tag, old_r, new_r) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => next_origin.extend(origin[old_r].iter().cloned()),
                DiffTag::Delete | DiffTag::Replace | DiffTag::Insert => {
                    for o in &origin[old_r] {
                        if let Origin::Base(j) = o {
                            deleted_by[*j] = Some(m);
                        }
                    }
                    next_origin.extend(new_r.map(|_| Origin::Inserted(m)));
                }
            }
        }
        cur_tokens = next;
        origin = next_origin;
    }
    let b = tokens(&last.0);
    let fallback = &last.1;
    let mut out: Vec<DiffSegment> = Vec::new();
    let mut push = |kind: ChangeKind, text: &str, mark: Option<&Mark>| {
        let (author, version, at) = match mark {
            Some(m) => (Some(m.author.clone()), Some(m.version), Some(m.at.clone())),
            None => (None, None, None),
        };
        if let Some(seg) = out.last_mut()
            && seg.kind == kind
            && seg.author == author
            && seg.version == version
        {
            seg.text.push_str(text);
            return;
        }
        out.push(DiffSegment {
            kind,
            text: text.to_owned(),
            author,
            version,
            at,
        });
    };
    for op in ops(&a, &b) {
        let (tag, old_r, new_r) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                for t in &b[new_r] {
                    push(ChangeKind::Equal, t, None);
                }
            }
            _ => {
                for j in old_r {
                    let mark = deleted_by[j].map(|m| &marks[m]).unwrap_or(fallback);
                    push(ChangeKind::Delete, a[j], Some(mark));
                }
                for k in new_r {
                    // `origin` is aligned with `b`: both are the last step's tokens.
                    let mark = match origin.get(k) {
                        Some(Origin::Inserted(m)) => &marks[*m],
                        _ => fallback,
                    };
                    push(ChangeKind::Insert, b[k], Some(mark));
                }
            }
        }
    }
    out
}

/// The elements of 第九条 as comparable text, in document order.
fn elements(doc: &Document) -> Vec<(&'static str, &'static str, String)> {
    let join = |v: &[String]| v.join("、");
    vec![
        ("公文格式", "format", doc.format.label().to_owned()),
        (
            "文种",
            "doc_type",
            doc.doc_type
                .map(|d| d.name().to_owned())
                .unwrap_or_default(),
        ),
        (
            "行文方向",
            "direction",
            doc.direction
                .map(|d| d.label().to_owned())
                .unwrap_or_default(),
        ),
        (
            "份号",
            "copy_number",
            doc.copy_number.clone().unwrap_or_default(),
        ),
        (
            "密级和保密期限",
            "secrecy",
            doc.secrecy
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        (
            "紧急程度",
            "urgency",
            doc.urgency.map(|u| u.name().to_owned()).unwrap_or_default(),
        ),
        (
            "发文机关标志",
            "issuers",
            doc.issuers
                .iter()
                .map(|i| {
                    if i.mark_text() == i.name {
                        i.name.clone()
                    } else {
                        format!("{}（{}）", i.name, i.mark_text())
                    }
                })
                .collect::<Vec<_>>()
                .join("、"),
        ),
        (
            "发文字号",
            "doc_number",
            doc.doc_number
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ),
        ("签发人", "signers", join(&doc.signers)),
        ("标题", "title", doc.title.clone()),
        ("主送机关", "main_recipients", join(&doc.main_recipients)),
        ("正文", "body", doc.body.clone()),
        (
            "附件",
            "attachments",
            doc.attachments
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let mut line = format!("{}. {}", i + 1, a.name);
                    if let Some(h) = a.file.as_deref().and_then(crate::store::blobs::parse_ref) {
                        line.push_str(&format!("（文件 {}）", &h[..12]));
                    }
                    if let Some(b) = &a.body {
                        line.push('\n');
                        line.push_str(b);
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("发文机关署名", "signatures", join(&doc.signatures)),
        (
            "成文日期",
            "date",
            doc.date.map(|d| d.chinese()).unwrap_or_default(),
        ),
        (
            "印章",
            "seal",
            match &doc.seal {
                Seal::Image(p) => format!("印章图片 {p}"),
                s if s.is_sealed() => "加盖印章".to_owned(),
                _ => String::new(),
            },
        ),
        ("附注", "note", doc.note.clone().unwrap_or_default()),
        ("抄送机关", "cc", join(&doc.cc)),
        (
            "印发机关和印发日期",
            "printing",
            doc.printing
                .as_ref()
                .map(|p| format!("{} {}印发", p.organ, p.date.chinese()))
                .unwrap_or_default(),
        ),
    ]
}

/// Compares `chain[0]` with `chain.last()`, element by element. `chain` holds every
/// version from the older to the newer one, in order (two entries compare directly).
/// Returns only the elements that differ.
pub fn compare(chain: &[VersionInput<'_>]) -> Vec<ElementChange> {
    assert!(!chain.is_empty(), "compare needs at least one version");
    let per_version: Vec<Vec<(&'static str, &'static str, String)>> =
        chain.iter().map(|v| elements(v.doc)).collect();
    let first = &per_version[0];
    let last = &per_version[per_version.len() - 1];
    let mut out = Vec::new();
    for (i, (element, field, before)) in first.iter().enumerate() {
        let after = &last[i].2;
        if before == after {
            continue;
        }
        let mut steps: Vec<(String, Mark)> = Vec::with_capacity(chain.len());
        let mut changed_by: Vec<String> = Vec::new();
        for (k, v) in chain.iter().enumerate() {
            let text = per_version[k][i].2.clone();
            if k > 0
                && text != steps[steps.len() - 1].0
                && !changed_by.iter().any(|a| a == v.author)
            {
                changed_by.push(v.author.to_owned());
            }
            // Skip versions that did not touch this element: fewer diffs, same result.
            if k > 0 && k + 1 < chain.len() && text == steps[steps.len() - 1].0 {
                continue;
            }
            steps.push((
                text,
                Mark {
                    version: v.version,
                    author: v.author.to_owned(),
                    at: v.at.to_owned(),
                },
            ));
        }
        out.push(ElementChange {
            element,
            field,
            before: before.clone(),
            after: after.clone(),
            segments: attributed(&steps),
            changed_by,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, body: &str) -> Document {
        Document {
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    fn input<'a>(version: i64, author: &'a str, d: &'a Document) -> VersionInput<'a> {
        VersionInput {
            version,
            author,
            at: "2026-11-28T08:00:00Z",
            doc: d,
        }
    }

    #[test]
    fn tokens_split_chinese_by_character_and_latin_by_word() {
        assert_eq!(
            tokens("关于GB 9704的通知。"),
            vec!["关", "于", "GB", " ", "9704", "的", "通", "知", "。"]
        );
        assert_eq!(tokens("a\nb"), vec!["a", "\n", "b"]);
        assert!(tokens("").is_empty());
    }

    #[test]
    fn unchanged_elements_are_left_out() {
        let a = doc("关于开展检查的通知", "正文");
        let b = doc("关于开展安全检查的通知", "正文");
        let changes = compare(&[input(1, "张三", &a), input(2, "李四", &b)]);
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!((c.element, c.field), ("标题", "title"));
        let inserted: Vec<&DiffSegment> = c
            .segments
            .iter()
            .filter(|s| s.kind == ChangeKind::Insert)
            .collect();
        assert_eq!(inserted.len(), 1);
        assert_eq!(inserted[0].text, "安全");
        assert_eq!(inserted[0].author.as_deref(), Some("李四"));
        assert_eq!(c.changed_by, vec!["李四"]);
    }

    #[test]
    fn changes_are_attributed_through_intermediate_versions() {
        let v1 = doc("标题", "一、总体要求\n坚持问题导向。");
        let v2 = doc("标题", "一、总体要求\n坚持问题导向，全面排查。");
        let v3 = doc("标题", "一、总体要求\n坚持目标导向，全面排查。");
        let chain = [
            input(1, "张三", &v1),
            input(2, "李四", &v2),
            input(3, "王五", &v3),
        ];
        let changes = compare(&chain);
        let body = changes.iter().find(|c| c.field == "body").unwrap();
        let by = |kind, text: &str| {
            body.segments
                .iter()
                .find(|s| s.kind == kind && s.text.contains(text))
                .and_then(|s| s.author.clone())
        };
        assert_eq!(by(ChangeKind::Insert, "全面排查").as_deref(), Some("李四"));
        assert_eq!(by(ChangeKind::Insert, "目标").as_deref(), Some("王五"));
        assert_eq!(by(ChangeKind::Delete, "问题").as_deref(), Some("王五"));
        assert_eq!(body.changed_by, vec!["李四", "王五"]);
        // Reassembling the equal + insert runs gives the newer text, equal + delete the older.
        let newer: String = body
            .segments
            .iter()
            .filter(|s| s.kind != ChangeKind::Delete)
            .map(|s| s.text.as_str())
            .collect();
        let older: String = body
            .segments
            .iter()
            .filter(|s| s.kind != ChangeKind::Insert)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(newer, v3.body);
        assert_eq!(older, v1.body);
    }

    #[test]
    fn identical_versions_have_no_changes() {
        let a = doc("标题", "正文");
        assert!(compare(&[input(1, "张三", &a), input(2, "张三", &a)]).is_empty());
    }
}
