//! The body's structure, recognised from the standard numbering (not from markup):
//! `一、` level 1, `（一）` level 2, `1.` level 3, `（1）` level 4; everything else is
//! a paragraph (GB/T 9704-2012 7.3.3 结构层次序数: "第一层为'一、'，第二层为'（一）'，
//! 第三层为'1.'，第四层为'（1）'").

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
    /// Index of the line in the body (0-based, counting empty lines), so that a
    /// finding can point at it.
    #[serde(default)]
    pub line: usize,
}

impl Block {
    /// The value of the heading's number (`三、` → 3, `（十二）` → 12, `4.` → 4),
    /// None for paragraphs or numbers too large to be real.
    pub fn ordinal(&self) -> Option<u32> {
        if self.kind == BlockKind::Paragraph {
            return None;
        }
        let inner = self
            .number
            .trim_end_matches(['、', '.', '．'])
            .trim_start_matches(['（', '('])
            .trim_end_matches(['）', ')']);
        arabic_value(inner).or_else(|| cn_number_value(inner))
    }
}

fn arabic_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 6 {
        return None;
    }
    s.chars().try_fold(0u32, |acc, c| {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        acc.checked_mul(10)?.checked_add(d)
    })
}

/// The value of a Chinese numeral as used in heading numbers: 一…九, 十, 十二,
/// 二十, 二十三, 一百零五. None when it is not a well-formed numeral below 1000.
pub fn cn_number_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 8 {
        return None;
    }
    let digit = |c| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let (mut total, mut current, mut last_unit) = (0u32, None::<u32>, 1000u32);
    for c in s.chars() {
        let c = if c == '〇' { '零' } else { c };
        if let Some(d) = digit(c) {
            if current.is_some() && d != 0 {
                return None; // two digits in a row: 一二
            }
            current = if d == 0 { None } else { Some(d) };
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            _ => return None,
        };
        if unit >= last_unit {
            return None; // 十百, 十十
        }
        total += current.take().unwrap_or(1) * unit;
        last_unit = unit;
    }
    Some(total + current.unwrap_or(0)).filter(|&v| v > 0)
}

const CN_DIGITS: &str = "〇零一二三四五六七八九十百";

fn is_cn_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| CN_DIGITS.contains(c))
}

fn is_arabic(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 3
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// Classifies one line.
pub fn classify(line: &str) -> (BlockKind, usize) {
    let t = line.trim_start_matches([' ', '\u{3000}', '\t']);
    // `一、`
    if let Some(i) = t.find('、')
        && is_cn_number(&t[..i])
    {
        return (BlockKind::Heading1, i + '、'.len_utf8());
    }
    // `（一）` / `（1）`, also with ASCII parentheses
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open)
            && let Some(j) = rest.find(close)
        {
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
    // `1.` / `1．` (not a decimal like 1.5)
    let digits: usize = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .map(char::len_utf8)
        .sum();
    if digits > 0 && digits <= 6 {
        let rest = &t[digits..];
        for dot in ['.', '．'] {
            if let Some(after) = rest.strip_prefix(dot)
                && !after.starts_with(|c: char| c.is_ascii_digit())
            {
                return (BlockKind::Heading3, digits + dot.len_utf8());
            }
        }
    }
    (BlockKind::Paragraph, 0)
}

/// Splits a body into blocks, one per non-empty line.
///
/// Linear in the body's length: a 100 MB body is parsed in one pass.
pub fn parse(body: &str) -> Vec<Block> {
    body.lines()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(line, l)| {
            let (kind, n) = classify(l);
            Block {
                kind,
                number: l[..n].to_string(),
                text: l.to_string(),
                line,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_four_levels() {
        let b =
            parse("一、总体要求\n（一）工作目标\n1.完成排查\n（1）全面覆盖\n各单位要高度重视。");
        let kinds: Vec<_> = b.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading1,
                BlockKind::Heading2,
                BlockKind::Heading3,
                BlockKind::Heading4,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(b[1].number, "（一）");
        assert_eq!(b[2].number, "1.");
    }

    #[test]
    fn ordinary_text_is_a_paragraph() {
        for l in [
            "2026年全市GDP增长5.2%。",
            "1.5倍的增长",
            "（注：本通知自印发之日起施行）",
            "一是加强领导",
        ] {
            assert_eq!(classify(l).0, BlockKind::Paragraph, "{l}");
        }
        assert_eq!(classify("十二、附则").0, BlockKind::Heading1);
        assert_eq!(classify("12．附则").0, BlockKind::Heading3);
    }

    #[test]
    fn ordinals_and_lines() {
        let b = parse("一、甲\n\n（十二）乙\n３．丙\n（21）丁\n正文");
        let ords: Vec<_> = b.iter().map(Block::ordinal).collect();
        assert_eq!(ords, [Some(1), Some(12), Some(3), Some(21), None]);
        let lines: Vec<_> = b.iter().map(|b| b.line).collect();
        assert_eq!(lines, [0, 2, 3, 4, 5]);
    }

    #[test]
    fn chinese_numerals() {
        for (s, v) in [
            ("一", 1),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("九十九", 99),
            ("一百零五", 105),
            ("一百二十", 120),
        ] {
            assert_eq!(cn_number_value(s), Some(v), "{s}");
        }
        for s in ["", "一二", "十十", "零", "百十百", "甲"] {
            assert_eq!(cn_number_value(s), None, "{s}");
        }
    }
}
