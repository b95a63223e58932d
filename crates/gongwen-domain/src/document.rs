//! The 公文 model: every element of 《党政机关公文处理工作条例》(2012) 第九条, and its JSON form.
//!
//! The JSON form is the one form used by import, export, the CLI and `gongwen print`.
//! Field names are snake_case; every field is optional (the lint says what a
//! complete document still lacks). Unknown fields are an error that names the field.
//!
//! | element (第九条)        | field              |
//! |-------------------------|--------------------|
//! | 份号                    | `copy_number`      |
//! | 密级和保密期限           | `secrecy`          |
//! | 紧急程度                 | `urgency`          |
//! | 发文机关标志             | `issuers[].mark`   |
//! | 发文字号                 | `doc_number`       |
//! | 签发人                   | `signers`          |
//! | 标题                     | `title`            |
//! | 主送机关                 | `main_recipients`  |
//! | 正文                     | `body`             |
//! | 附件说明 / 附件          | `attachments`      |
//! | 发文机关署名             | `signatures`       |
//! | 成文日期                 | `date`             |
//! | 印章                     | `seal`             |
//! | 附注                     | `note`             |
//! | 抄送机关                 | `cc`               |
//! | 印发机关和印发日期        | `printing`         |
//! | 页码                     | computed by print  |

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::docnum::DocNumber;

/// A 公文, as drafted, stored, exchanged and printed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// 公文格式: 文件格式 (default), 信函格式, 命令格式, 纪要格式 (GB/T 9704 chapter 10).
    #[serde(default)]
    pub format: Format,
    /// 文种: one of the 15 kinds of 第八条.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<DocType>,
    /// 行文方向: 上行文 / 平行文 / 下行文.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// 份号: the copy's serial number, 6 digits when printed (GB/T 9704 7.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_number: Option<String>,
    /// 密级和保密期限.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrecy: Option<Secrecy>,
    /// 紧急程度.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// 发文机关: one for a single issuer, several for 联合行文 (the first is the 主办机关).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issuers: Vec<Issuer>,
    /// 发文字号. A draft has none: the server allocates it at 登记.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<DocNumber>,
    /// 签发人 (上行文 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<String>,
    /// 标题.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// 主送机关.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub main_recipients: Vec<String>,
    /// 正文: plain text, one paragraph per line. Headings are recognised from the
    /// standard numbering (see [`crate::body`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// 附件 (and so the 附件说明).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// 发文机关署名.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<String>,
    /// 成文日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DocDate>,
    /// 印章: `false` (none), `true` (the default seal), or a path to a seal image.
    #[serde(default, skip_serializing_if = "Seal::is_none")]
    pub seal: Seal,
    /// 附注.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 抄送机关 (stored without the final 。; the renderer adds it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    /// 印发机关和印发日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printing: Option<Printing>,
}

/// 公文格式 (GB/T 9704-2012 chapters 7 and 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 文件格式.
    #[default]
    Standard,
    /// 信函格式.
    Letter,
    /// 命令(令)格式.
    Order,
    /// 纪要格式.
    Minutes,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Standard => "文件格式",
            Format::Letter => "信函格式",
            Format::Order => "命令格式",
            Format::Minutes => "纪要格式",
        }
    }
}

/// 文种: the 15 kinds of 《条例》第八条.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocType {
    #[serde(rename = "决议")]
    Resolution,
    #[serde(rename = "决定")]
    Decision,
    /// 命令(令); the JSON form accepts "命令", "令" and "命令(令)".
    #[serde(rename = "命令", alias = "令", alias = "命令(令)", alias = "命令（令）")]
    Order,
    #[serde(rename = "公报")]
    Communique,
    #[serde(rename = "公告")]
    Announcement,
    #[serde(rename = "通告")]
    PublicNotice,
    #[serde(rename = "意见")]
    Opinion,
    #[serde(rename = "通知")]
    Notice,
    #[serde(rename = "通报")]
    Bulletin,
    #[serde(rename = "报告")]
    Report,
    #[serde(rename = "请示")]
    Request,
    #[serde(rename = "批复")]
    Reply,
    #[serde(rename = "议案")]
    Motion,
    #[serde(rename = "函")]
    Letter,
    #[serde(rename = "纪要")]
    Minutes,
}

impl DocType {
    pub const ALL: [DocType; 15] = [
        DocType::Resolution,
        DocType::Decision,
        DocType::Order,
        DocType::Communique,
        DocType::Announcement,
        DocType::PublicNotice,
        DocType::Opinion,
        DocType::Notice,
        DocType::Bulletin,
        DocType::Report,
        DocType::Request,
        DocType::Reply,
        DocType::Motion,
        DocType::Letter,
        DocType::Minutes,
    ];

    /// The Chinese name, as written at the end of a title.
    pub fn name(self) -> &'static str {
        match self {
            DocType::Resolution => "决议",
            DocType::Decision => "决定",
            DocType::Order => "命令",
            DocType::Communique => "公报",
            DocType::Announcement => "公告",
            DocType::PublicNotice => "通告",
            DocType::Opinion => "意见",
            DocType::Notice => "通知",
            DocType::Bulletin => "通报",
            DocType::Report => "报告",
            DocType::Request => "请示",
            DocType::Reply => "批复",
            DocType::Motion => "议案",
            DocType::Letter => "函",
            DocType::Minutes => "纪要",
        }
    }

    /// Parses a Chinese name ("通知", "令", …).
    pub fn from_name(s: &str) -> Option<DocType> {
        match s.trim() {
            "令" | "命令(令)" | "命令（令）" => Some(DocType::Order),
            t => DocType::ALL.into_iter().find(|d| d.name() == t),
        }
    }
}

impl fmt::Display for DocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// 行文方向.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// 上行文.
    Up,
    /// 平行文.
    Parallel,
    /// 下行文.
    Down,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::Up => "上行文",
            Direction::Parallel => "平行文",
            Direction::Down => "下行文",
        }
    }
}

/// 密级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SecrecyLevel {
    #[serde(rename = "秘密")]
    Secret,
    #[serde(rename = "机密")]
    Confidential,
    #[serde(rename = "绝密")]
    TopSecret,
}

impl SecrecyLevel {
    pub fn name(self) -> &'static str {
        match self {
            SecrecyLevel::Secret => "秘密",
            SecrecyLevel::Confidential => "机密",
            SecrecyLevel::TopSecret => "绝密",
        }
    }
}

/// 密级和保密期限, printed as `机密★1年` (GB/T 9704 7.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrecy {
    pub level: SecrecyLevel,
    /// 保密期限, e.g. "1年", "长期". None: the level alone is printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
}

impl fmt::Display for Secrecy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.term {
            Some(t) if !t.trim().is_empty() => write!(f, "{}★{}", self.level.name(), t.trim()),
            _ => f.write_str(self.level.name()),
        }
    }
}

/// 紧急程度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Urgency {
    #[serde(rename = "加急")]
    Urgent,
    #[serde(rename = "特急")]
    Immediate,
}

impl Urgency {
    pub fn name(self) -> &'static str {
        match self {
            Urgency::Urgent => "加急",
            Urgency::Immediate => "特急",
        }
    }
}

/// One issuing organ: its name (for 署名) and its 发文机关标志 text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// 发文机关全称, e.g. "鹤山市人民政府".
    pub name: String,
    /// 发文机关标志, e.g. "鹤山市人民政府文件". Defaults to the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
}

impl Issuer {
    /// The 标志 text as printed.
    pub fn mark_text(&self) -> &str {
        self.mark.as_deref().unwrap_or(&self.name)
    }
}

/// One 附件.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// 附件名称, as listed in the 附件说明.
    pub name: String,
    /// Path of the attachment's file (for import) or its stored blob reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Text of the attachment when it is printed with the document (one paragraph per line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// 印章.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum Seal {
    /// `false`: no seal; `true`: the organ's default seal.
    Flag(bool),
    /// Path to a seal image.
    Image(String),
    #[default]
    #[serde(skip)]
    None,
}

impl Seal {
    pub fn is_none(&self) -> bool {
        matches!(self, Seal::None | Seal::Flag(false))
    }
    pub fn is_sealed(&self) -> bool {
        !self.is_none()
    }
}

/// 印发机关和印发日期.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printing {
    /// 印发机关, e.g. "鹤山市人民政府办公室".
    pub organ: String,
    /// 印发日期.
    pub date: DocDate,
}

/// A calendar date, written `YYYY-MM-DD` in JSON and `2026年3月5日` when printed
/// (Arabic numerals, no leading zeros: GB/T 9704 7.3.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocDate(pub time::Date);

impl DocDate {
    pub fn new(year: i32, month: u8, day: u8) -> Option<DocDate> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok().map(DocDate)
    }

    pub fn parse(s: &str) -> Result<DocDate, String> {
        let bad = || format!("日期“{s}”格式不对，应写作 YYYY-MM-DD，例如 2026-03-05");
        let parts: Vec<&str> = s.trim().split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(bad());
        }
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u8 = parts[1].parse().map_err(|_| bad())?;
        let d: u8 = parts[2].parse().map_err(|_| bad())?;
        DocDate::new(y, m, d).ok_or_else(|| format!("日期“{s}”不存在"))
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }
    pub fn month(self) -> u8 {
        self.0.month() as u8
    }
    pub fn day(self) -> u8 {
        self.0.day()
    }

    /// `2026年3月5日`.
    pub fn chinese(self) -> String {
        format!("{}年{}月{}日", self.year(), self.month(), self.day())
    }
}

impl fmt::Display for DocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl Serialize for DocDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a document's JSON could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl Document {
    /// Reads the JSON form. The error names the line, column and, for unknown
    /// fields, the field.
    pub fn from_json(json: &str) -> Result<Document, ParseError> {
        serde_json::from_str(json).map_err(|e| {
            let raw = e.to_string();
            let raw = raw.split(" at line ").next().unwrap_or(&raw);
            let msg = translate_serde_message(raw);
            if e.line() > 0 {
                ParseError(format!("{msg}（第{}行第{}列）", e.line(), e.column()))
            } else {
                ParseError(msg)
            }
        })
    }

    /// The canonical JSON form (stable field order, pretty printed).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a Document always serializes")
    }

    /// The canonical compact JSON: the input of the content hash.
    pub fn to_canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a Document always serializes")
    }

    /// The 发文机关 names: from `issuers`, else from `signatures`.
    pub fn issuer_names(&self) -> Vec<&str> {
        self.issuers.iter().map(|i| i.name.as_str()).collect()
    }

    /// Whether this is a joint document (联合行文).
    pub fn is_joint(&self) -> bool {
        self.issuers.len() > 1
    }
}

/// Turns serde_json's English messages into plain Chinese, keeping the names it quotes.
fn translate_serde_message(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        return format!("未知字段“{field}”：公文 JSON 不认识这个字段，请检查拼写");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or("");
        let expected = rest.split("expected ").nth(1).unwrap_or("").replace('`', "");
        return format!("取值“{value}”无效，应为以下之一：{expected}");
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return format!("缺少必填字段“{field}”");
    }
    format!("公文 JSON 无法读取：{msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_document_reads() {
        let d = Document::from_json(r#"{"title":"关于开展安全检查的通知","doc_type":"通知"}"#).unwrap();
        assert_eq!(d.doc_type, Some(DocType::Notice));
        assert_eq!(d.format, Format::Standard);
    }

    #[test]
    fn unknown_field_is_named() {
        let e = Document::from_json(r#"{"titel":"x"}"#).unwrap_err();
        assert!(e.0.contains("titel"), "{}", e.0);
        assert!(e.0.contains("未知字段"), "{}", e.0);
    }

    #[test]
    fn unknown_doc_type_is_named() {
        let e = Document::from_json(r#"{"doc_type":"通令"}"#).unwrap_err();
        assert!(e.0.contains("通令"), "{}", e.0);
    }

    #[test]
    fn order_aliases() {
        for s in ["命令", "令", "命令(令)"] {
            let d = Document::from_json(&format!(r#"{{"doc_type":"{s}"}}"#)).unwrap();
            assert_eq!(d.doc_type, Some(DocType::Order));
        }
    }

    #[test]
    fn date_round_trip_and_chinese() {
        let d = Document::from_json(r#"{"date":"2026-03-05"}"#).unwrap();
        assert_eq!(d.date.unwrap().chinese(), "2026年3月5日");
        assert!(d.to_canonical_json().contains("\"2026-03-05\""));
        assert!(Document::from_json(r#"{"date":"2026-3-5"}"#).is_err());
        assert!(Document::from_json(r#"{"date":"2026-02-30"}"#).is_err());
    }

    #[test]
    fn seal_forms() {
        assert!(Document::from_json(r#"{"seal":true}"#).unwrap().seal.is_sealed());
        assert!(!Document::from_json(r#"{"seal":false}"#).unwrap().seal.is_sealed());
        assert_eq!(
            Document::from_json(r#"{"seal":"seal.png"}"#).unwrap().seal,
            Seal::Image("seal.png".into())
        );
        assert!(!Document::from_json("{}").unwrap().seal.is_sealed());
    }

    #[test]
    fn secrecy_display() {
        let s = Secrecy { level: SecrecyLevel::Confidential, term: Some("1年".into()) };
        assert_eq!(s.to_string(), "机密★1年");
    }

    #[test]
    fn round_trip_full() {
        let json = include_str!("../../../docs/examples/notice-full.json");
        let d = Document::from_json(json).unwrap();
        let again = Document::from_json(&d.to_json_pretty()).unwrap();
        assert_eq!(d, again);
    }
}
