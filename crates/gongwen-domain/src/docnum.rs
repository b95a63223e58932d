//! 发文字号: `代字〔YYYY〕n号` (GB/T 9704-2012 7.2.4).
//!
//! The year is in full, in 六角括号 〔〕 (U+3014/U+3015); the serial number has no
//! leading zeros and no 第. Allocation (one sequence per 代字 per year) belongs to
//! the server, at 登记: a draft has no number yet.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A 发文字号, e.g. 鹤府〔2026〕12号.
///
/// Reading it from JSON checks only the types; `DocNumber::validate` (and the
/// lint rule GW030) checks the parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DocNumber {
    /// 机关代字, e.g. "鹤府", "鹤府办".
    pub prefix: String,
    /// 年份, four digits.
    pub year: u16,
    /// 发文顺序号, from 1.
    pub seq: u32,
}

/// Why a 文号 is not in the standard form. The message shows the correct form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("文号“{input}”不符合规范：{reason}。正确写法如“{example}”")]
pub struct DocNumberError {
    pub input: String,
    pub reason: &'static str,
    /// The corrected form when it can be guessed, otherwise a generic example.
    pub example: String,
}

impl DocNumber {
    pub fn new(prefix: impl Into<String>, year: u16, seq: u32) -> DocNumber {
        DocNumber {
            prefix: prefix.into(),
            year,
            seq,
        }
    }

    /// Checks the parts: a non-empty 代字 without brackets or digits, a 4-digit year, seq ≥ 1.
    pub fn validate(&self) -> Result<(), DocNumberError> {
        let err = |reason| DocNumberError {
            input: self.to_string(),
            reason,
            example: "鹤府〔2026〕12号".into(),
        };
        let p = self.prefix.trim();
        if p.is_empty() {
            return Err(err("缺少机关代字"));
        }
        if p.chars()
            .any(|c| "〔〕[]()（）【】".contains(c) || c.is_ascii_digit() || c.is_whitespace())
        {
            return Err(err("机关代字中不应有括号、数字或空格"));
        }
        if !(1000..=9999).contains(&self.year) {
            return Err(err("年份应为四位数字"));
        }
        if self.seq == 0 {
            return Err(err("顺序号应从1开始"));
        }
        Ok(())
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}〔{}〕{}号", self.prefix, self.year, self.seq)
    }
}

impl FromStr for DocNumber {
    type Err = DocNumberError;

    fn from_str(input: &str) -> Result<DocNumber, DocNumberError> {
        let s = input.trim();
        let fail = |reason: &'static str, example: Option<String>| DocNumberError {
            input: input.to_string(),
            reason,
            example: example.unwrap_or_else(|| "鹤府〔2026〕12号".into()),
        };
        // Find the year in any bracket style, to report a useful correction.
        let brackets = [
            ('〔', '〕'),
            ('[', ']'),
            ('［', '］'),
            ('(', ')'),
            ('（', '）'),
            ('【', '】'),
            ('〖', '〗'),
        ];
        let Some((open, close, open_at)) = brackets
            .iter()
            .filter_map(|&(o, c)| s.find(o).map(|i| (o, c, i)))
            .min_by_key(|&(_, _, i)| i)
        else {
            return Err(fail("缺少用六角括号〔〕括起的年份", None));
        };
        let prefix = s[..open_at].trim();
        let after_open = &s[open_at + open.len_utf8()..];
        let Some(close_at) = after_open.find(close) else {
            return Err(fail("年份的括号没有闭合", None));
        };
        let year_str = after_open[..close_at].trim();
        let rest = after_open[close_at + close.len_utf8()..].trim();
        let seq_str = rest.strip_suffix('号');
        let guess = |year: &str, seq: &str| -> Option<String> {
            let y: u16 = year.parse().ok().filter(|y: &u16| *y >= 1000)?;
            let n: u32 = seq
                .trim_start_matches('第')
                .trim_start_matches('0')
                .parse()
                .ok()?;
            (!prefix.is_empty()).then(|| DocNumber::new(prefix, y, n).to_string())
        };
        let seq_raw = seq_str.unwrap_or(rest);
        if open != '〔' {
            return Err(fail(
                "年份应使用六角括号〔〕，不能用方括号或圆括号",
                guess(year_str, seq_raw),
            ));
        }
        if prefix.is_empty() {
            return Err(fail("缺少机关代字", None));
        }
        if year_str.len() != 4 || !year_str.chars().all(|c| c.is_ascii_digit()) {
            let full = year_str
                .parse::<u16>()
                .ok()
                .filter(|y| *y < 100)
                .and_then(|y| guess(&(2000 + y).to_string(), seq_raw));
            return Err(fail("年份应写全四位数字", full));
        }
        let Some(seq_str) = seq_str else {
            return Err(fail("顺序号后应有“号”字", guess(year_str, rest)));
        };
        if seq_str.starts_with('第') {
            return Err(fail("顺序号前不加“第”字", guess(year_str, seq_str)));
        }
        if seq_str.is_empty() || !seq_str.chars().all(|c| c.is_ascii_digit()) {
            return Err(fail("顺序号应为阿拉伯数字", None));
        }
        if seq_str.starts_with('0') {
            return Err(fail(
                "顺序号不编虚位（不加前导0）",
                guess(year_str, seq_str),
            ));
        }
        let seq: u32 = seq_str.parse().map_err(|_| fail("顺序号过大", None))?;
        let year: u16 = year_str
            .parse()
            .map_err(|_| fail("年份应写全四位数字", None))?;
        let n = DocNumber::new(prefix, year, seq);
        n.validate().map_err(|e| DocNumberError {
            input: input.to_string(),
            ..e
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exactly() {
        assert_eq!(
            DocNumber::new("鹤府", 2026, 12).to_string(),
            "鹤府〔2026〕12号"
        );
    }

    #[test]
    fn parses_the_standard_form() {
        let n: DocNumber = "鹤府办〔2026〕7号".parse().unwrap();
        assert_eq!(n, DocNumber::new("鹤府办", 2026, 7));
    }

    #[test]
    fn rejects_wrong_forms_and_shows_the_right_one() {
        for (bad, hint) in [
            ("鹤府[2024]12号", "鹤府〔2024〕12号"),
            ("鹤府(2024)12号", "鹤府〔2024〕12号"),
            ("鹤府〔24〕12号", "鹤府〔2024〕12号"),
            ("鹤府〔2024〕012号", "鹤府〔2024〕12号"),
            ("鹤府〔2024〕第12号", "鹤府〔2024〕12号"),
        ] {
            let e = bad.parse::<DocNumber>().unwrap_err();
            assert_eq!(e.example, hint, "{bad}: {e}");
            assert!(e.to_string().contains(hint), "{e}");
        }
        assert!("〔2024〕12号".parse::<DocNumber>().is_err());
        assert!("鹤府2024 12号".parse::<DocNumber>().is_err());
        assert!("鹤府〔2024〕0号".parse::<DocNumber>().is_err());
    }
}
