//! The body's structure, recognised from the standard numbering (not from markup):
//! `一、` level 1, `（一）` level 2, `1.` level 3, `（1）` level 4; everything else is
//! a paragraph (GB/T 9704-2012 7.3.3: 结构层次序数).

use serde::{Deserialize, Serialize};

/// What one line of the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// `一、` (黑体).
    Heading1,
    /// `（一）` (楷体).
    Heading2,
    /// `1.` (仿宋, bold allowed).
    Heading3,
    /// `（1）` (仿宋).
    Heading4,
    Paragraph,
}

impl BlockKind {
    /// 1..=4 for headings, None for paragraphs.
    pub fn level(self) -> Option<u8> {
        match self {
            BlockKind::Heading1 => Some(1),
            BlockKind::Heading2 => Some(2),
            BlockKind::Heading3 => Some(3),
            BlockKind::Heading4 => Some(4),
            BlockKind::Paragraph => None,
        }
    }
}

/// One recognised line of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// The numbering as written (`一、`, `（二）`, `3.`, `（4）`), empty for paragraphs.
    pub number: String,
    /// The whole line, numbering included, trimmed.
    pub text: String,
}

const CN_DIGITS: &str = "〇零一二三四五六七八九十百";

fn is_cn_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c))
}

fn is_arabic(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// Classifies one line.
pub fn classify(line: &str) -> (BlockKind, usize) {
    let t = line.trim_start_matches([' ', '\u{3000}', '\t']);
    // `一、`
    if let Some(i) = t.find('、') {
        if is_cn_number(&t[..i]) {
            return (BlockKind::Heading1, i + '、'.len_utf8());
        }
    }
    // `（一）` / `（1）`, also with ASCII parentheses
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open) {
            if let Some(j) = rest.find(close) {
                let inner = &rest[..j];
                let len = open.len_utf8() + j + close.len_utf8();
                if is_cn_number(inner) {
                    return (BlockKind::Heading2, len);
                }
                if is_arabic(inner) {
                    return (BlockKind::Heading4, len);
                }
            }
        }
    }
    // `1.` / `1．` (not a decimal like 1.5)
    let digits: usize = t.chars().take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c)).map(char::len_utf8).sum();
    if digits > 0 && digits <= 6 {
        let rest = &t[digits..];
        for dot in ['.', '．'] {
            if let Some(after) = rest.strip_prefix(dot) {
                if !after.starts_with(|c: char| c.is_ascii_digit()) {
                    return (BlockKind::Heading3, digits + dot.len_utf8());
                }
            }
        }
    }
    (BlockKind::Paragraph, 0)
}

/// Splits a body into blocks, one per non-empty line.
pub fn parse(body: &str) -> Vec<Block> {
    body.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (kind, n) = classify(l);
            Block { kind, number: l[..n].to_string(), text: l.to_string() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_four_levels() {
        let b = parse("一、总体要求\n（一）工作目标\n1.完成排查\n（1）全面覆盖\n各单位要高度重视。");
        let kinds: Vec<_> = b.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [BlockKind::Heading1, BlockKind::Heading2, BlockKind::Heading3, BlockKind::Heading4, BlockKind::Paragraph]
        );
        assert_eq!(b[1].number, "（一）");
        assert_eq!(b[2].number, "1.");
    }

    #[test]
    fn ordinary_text_is_a_paragraph() {
        for l in ["2026年全市GDP增长5.2%。", "1.5倍的增长", "（注：本通知自印发之日起施行）", "一是加强领导"] {
            assert_eq!(classify(l).0, BlockKind::Paragraph, "{l}");
        }
        assert_eq!(classify("十二、附则").0, BlockKind::Heading1);
        assert_eq!(classify("12．附则").0, BlockKind::Heading3);
    }
}
