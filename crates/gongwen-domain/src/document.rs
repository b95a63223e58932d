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
//!
//! The special formats of GB/T 9704-2012 chapter 10 add: `order_number` (令号) and
//! `signer_title` (签发人职务) for 命令格式, `minutes` (出席/请假/列席) for 纪要格式.
//! 联合行文 lists several `issuers` (each with its 发文机关标志 `mark`) and one
//! `signatures` entry per issuer, in the same order.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::docnum::DocNumber;

/// A 公文, as drafted, stored, exchanged and printed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// 令号 of a 命令(令) in 命令格式, printed `第12号` under the 标志 (GB/T 9704 10.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<u32>,
    /// 签发人职务, printed before the 签发人签名章 in 命令格式, e.g. "市长"
    /// (GB/T 9704 7.3.5.3 and 10.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_title: Option<String>,
    /// 出席、请假、列席人员 of a 纪要 in 纪要格式 (GB/T 9704 10.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<MinutesPeople>,
}

/// The people lists of a 纪要 (GB/T 9704-2012 10.3): each printed after its 黑体 label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MinutesPeople {
    /// 出席: the attendees, names or "姓名（职务）".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<String>,
    /// 请假: those excused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absentees: Vec<String>,
    /// 列席: those attending without a vote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<String>,
}

/// 公文格式 (GB/T 9704-2012 chapters 7 and 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DocType {
    #[serde(rename = "决议")]
    Resolution,
    #[serde(rename = "决定")]
    Decision,
    /// 命令(令); the JSON form accepts "命令", "令" and "命令(令)".
    #[serde(
        rename = "命令",
        alias = "令",
        alias = "命令(令)",
        alias = "命令（令）"
    )]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
///
/// Reading normalises "no seal": `false` and a blank path read as [`Seal::None`],
/// so that what is read, written and read again is the same document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        match self {
            Seal::None | Seal::Flag(false) => true,
            Seal::Image(path) => path.trim().is_empty(),
            Seal::Flag(true) => false,
        }
    }
    pub fn is_sealed(&self) -> bool {
        !self.is_none()
    }
}

impl<'de> Deserialize<'de> for Seal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SealVisitor;
        impl serde::de::Visitor<'_> for SealVisitor {
            type Value = Seal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or the path of a seal image")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Seal, E> {
                Ok(if v { Seal::Flag(true) } else { Seal::None })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Seal, E> {
                Ok(if v.trim().is_empty() {
                    Seal::None
                } else {
                    Seal::Image(v.to_owned())
                })
            }
        }
        d.deserialize_any(SealVisitor)
    }
}

/// 印发机关和印发日期.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(DocDate)
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
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
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

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DocDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DocDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A calendar date `YYYY-MM-DD`, printed `2026年3月5日` (GB/T 9704 7.3.5.1).",
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        })
    }
}

/// The JSON Schema (draft 2020-12) of the document form, generated from these types.
/// Committed as `docs/document.schema.json`; a test fails when it drifts.
#[cfg(feature = "schema")]
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Document);
    schema.insert(
        "$id".into(),
        "https://gongwen.invalid/document.schema.json".into(),
    );
    schema.insert("title".into(), "公文 (Gongwen document)".into());
    schema.to_value()
}

/// Why a document's JSON could not be read: a zh-CN message naming the field
/// (as a path such as `secrecy.level` or `attachments[1].name`), the offending
/// value where there is one, and the line and column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl Document {
    /// Reads the JSON form. The error names the line, column and, for unknown
    /// fields or bad values, the field and the value.
    ///
    /// A leading byte-order mark (as Windows Notepad writes) is ignored.
    pub fn from_json(json: &str) -> Result<Document, ParseError> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let mut de = serde_json::Deserializer::from_str(json);
        let doc = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            parse_error(&path, e.inner())
        })?;
        de.end().map_err(|e| parse_error(".", &e))?;
        Ok(doc)
    }

    /// The canonical JSON form (stable field order, pretty printed).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a Document always serializes")
    }

    /// The canonical compact JSON: the input of the content hash.
    pub fn to_canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a Document always serializes")
    }

    /// The 发文机关 names, in order (the first is the 主办机关).
    pub fn issuer_names(&self) -> Vec<&str> {
        self.issuers.iter().map(|i| i.name.as_str()).collect()
    }

    /// Whether this is a joint document (联合行文).
    pub fn is_joint(&self) -> bool {
        self.issuers.len() > 1
    }

    /// The direction as given, else the one the 文种 implies (请示 is always 上行文, …).
    pub fn effective_direction(&self) -> Option<Direction> {
        self.direction
            .or_else(|| self.doc_type.and_then(DocType::inherent_direction))
    }
}

impl DocType {
    /// The direction the 文种 always has (条例 第八条): 请示、报告、议案 go up, 批复 and
    /// 命令 go down, 函 goes between organs without a 隶属 relation. None for the others.
    pub fn inherent_direction(self) -> Option<Direction> {
        match self {
            DocType::Request | DocType::Report | DocType::Motion => Some(Direction::Up),
            DocType::Reply | DocType::Order => Some(Direction::Down),
            DocType::Letter => Some(Direction::Parallel),
            _ => None,
        }
    }

    /// Whether the 文种 may have no 主送机关: published or recorded rather than sent
    /// (公告、通告、公报、命令、决议、纪要).
    pub fn allows_no_main_recipient(self) -> bool {
        matches!(
            self,
            DocType::Announcement
                | DocType::PublicNotice
                | DocType::Communique
                | DocType::Order
                | DocType::Resolution
                | DocType::Minutes
        )
    }

    /// The format GB/T 9704 chapter 10 gives this 文种, if it has a special one.
    pub fn special_format(self) -> Option<Format> {
        match self {
            DocType::Order => Some(Format::Order),
            DocType::Minutes => Some(Format::Minutes),
            DocType::Letter => Some(Format::Letter),
            _ => None,
        }
    }
}

fn parse_error(path: &str, e: &serde_json::Error) -> ParseError {
    let raw = e.to_string();
    let raw = match raw.rfind(" at line ") {
        Some(i) if e.line() > 0 => &raw[..i],
        _ => raw.as_str(),
    };
    let mut msg = translate_serde_message(path, raw);
    let field = path.trim_start_matches('.');
    if !field.is_empty() {
        msg = format!("字段“{field}”：{msg}");
    }
    if e.line() > 0 {
        msg.push_str(&format!("（第{}行第{}列）", e.line(), e.column()));
    }
    ParseError(msg)
}

/// Turns serde_json's English messages into plain Chinese, keeping the names
/// and values it quotes.
fn translate_serde_message(path: &str, msg: &str) -> String {
    let quoted = |rest: &str| rest.split('`').next().unwrap_or("").to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = quoted(rest);
        let expected = rest
            .split("expected ")
            .nth(1)
            .map(list_names)
            .unwrap_or_default();
        let mut m = format!("未知字段“{field}”：公文 JSON 不认识这个字段，请检查拼写");
        if !expected.is_empty() {
            m.push_str(&format!("（此处可用的字段：{expected}）"));
        }
        return m;
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = quoted(rest);
        let expected = rest
            .split("expected ")
            .nth(1)
            .map(list_names)
            .unwrap_or_default();
        if path.trim_start_matches('.') == "doc_type" {
            return format!(
                "“{value}”不是《党政机关公文处理工作条例》规定的文种，应为以下15种之一：{expected}"
            );
        }
        return format!("取值“{value}”无效，应为以下之一：{expected}");
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        return format!("缺少必填字段“{}”", quoted(rest));
    }
    if let Some(rest) = msg.strip_prefix("duplicate field `") {
        return format!("字段“{}”重复出现", quoted(rest));
    }
    if path.trim_start_matches('.') == "seal" {
        return "印章应为 true（加盖印章）、false（不加盖）或印章图片的路径".into();
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "类型不对：应为{}，实际是{}",
            type_name(want),
            type_name(got)
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("取值{}无效，应为{}", type_name(got), type_name(want));
    }
    if msg.starts_with("EOF while parsing") {
        return "JSON 不完整：内容在结束前中断（缺少引号、括号或花括号）".into();
    }
    let fixed = match msg {
        "expected value" => "此处应为一个 JSON 值（字符串要加英文双引号）",
        "expected `,` or `}`" => "此处应为英文逗号“,”或右花括号“}”",
        "expected `,` or `]`" => "此处应为英文逗号“,”或右方括号“]”",
        "expected `:`" => "此处应为英文冒号“:”",
        "expected ident" => "此处应为 true、false 或 null",
        "key must be a string" => "对象的字段名必须是加英文双引号的字符串",
        "trailing comma" => "多余的逗号",
        "trailing characters" => "JSON 结束后还有多余的内容",
        "invalid escape" => "字符串中的转义序列无效",
        "invalid number" => "数字格式无效",
        "number out of range" => "数字超出范围",
        "invalid unicode code point" => "字符串中的 Unicode 字符无效",
        "recursion limit exceeded" => "JSON 嵌套层次过深",
        "lone leading surrogate in hex escape" | "unexpected end of hex escape" => {
            "字符串中的 \\u 转义无效"
        }
        _ if msg.starts_with("control character") => "字符串中有未转义的控制字符（换行应写作 \\n）",
        _ => return format!("公文 JSON 无法读取：{msg}"),
    };
    fixed.to_string()
}

/// "`a`, `b`, `c`" or "one of `a`, `b`" → "a、b、c".
fn list_names(s: &str) -> String {
    s.trim_start_matches("one of ")
        .split(", ")
        .map(|n| n.trim().trim_start_matches("or ").trim_matches('`'))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("、")
}

/// Names serde's type descriptions in Chinese, keeping quoted values.
fn type_name(s: &str) -> String {
    let s = s.trim();
    let value = s.split(['`', '"']).nth(1).map(|v| format!("“{v}”"));
    let kind = if s.starts_with("a string") || s.starts_with("string") {
        "字符串"
    } else if s.starts_with("a sequence") || s.starts_with("sequence") {
        "数组"
    } else if s.starts_with("map") || s.starts_with("struct") || s.starts_with("a map") {
        "对象"
    } else if s.starts_with("a boolean") || s.starts_with("boolean") {
        "true 或 false"
    } else if s.starts_with("unit") {
        "空值"
    } else if s.starts_with("integer") || s.starts_with('u') || s.starts_with('i') {
        "整数"
    } else if s.starts_with("floating point") {
        "小数"
    } else if s.starts_with("null") {
        "null"
    } else {
        return s.replace('`', "");
    };
    match value {
        Some(v) => format!("{kind}{v}"),
        None => kind.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_document_reads() {
        let d =
            Document::from_json(r#"{"title":"关于开展安全检查的通知","doc_type":"通知"}"#).unwrap();
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
    fn no_seal_reads_the_same_however_written() {
        for json in [
            r#"{"seal":false}"#,
            r#"{"seal":""}"#,
            r#"{"seal":" "}"#,
            "{}",
        ] {
            let d = Document::from_json(json).unwrap();
            assert_eq!(d.seal, Seal::None, "{json}");
            assert_eq!(Document::from_json(&d.to_canonical_json()).unwrap(), d);
        }
        assert!(Seal::Image(String::new()).is_none());
    }

    #[test]
    fn seal_forms() {
        assert!(
            Document::from_json(r#"{"seal":true}"#)
                .unwrap()
                .seal
                .is_sealed()
        );
        assert!(
            !Document::from_json(r#"{"seal":false}"#)
                .unwrap()
                .seal
                .is_sealed()
        );
        assert_eq!(
            Document::from_json(r#"{"seal":"seal.png"}"#).unwrap().seal,
            Seal::Image("seal.png".into())
        );
        assert!(!Document::from_json("{}").unwrap().seal.is_sealed());
    }

    #[test]
    fn secrecy_display() {
        let s = Secrecy {
            level: SecrecyLevel::Confidential,
            term: Some("1年".into()),
        };
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
