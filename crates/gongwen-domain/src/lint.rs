//! 行文规则: checks a [`Document`] against 《党政机关公文处理工作条例》(2012) and
//! GB/T 9704-2012 《党政机关公文格式》, before submission and on demand.
//!
//! Each [`Finding`] names its rule (a stable id such as `GW010`, see [`rules`]), its
//! [`Severity`], the [`Element`] it concerns (the JSON field and, for lists and the
//! body, the index of the entry or line) so the UI can show it beside the field,
//! and a zh-CN message saying what to change.
//!
//! The lint is pure and deterministic: the clock ("today") and what the directory
//! knows (which organs are subordinates of the issuer) come in a [`LintContext`].
//! It runs in time linear in the document's size (a 100 MB body included).
//!
//! Clauses cited below: 条例 第八条 (文种), 第九条 (要素: （一）份号 … （十八）页码),
//! 第十五条 (向上级机关行文), 第六章 (涉密公文的传递); GB/T 9704 7.2–7.4 (版头、主体、版记) and chapter 10 (特定格式).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::body::{self, Block, BlockKind};
use crate::document::{Direction, DocDate, DocType, Document, Format};

/// How serious a finding is. Errors block submission; warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// A field of the JSON form (the same snake_case names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Format,
    DocType,
    Direction,
    CopyNumber,
    Secrecy,
    Urgency,
    Issuers,
    DocNumber,
    Signers,
    Title,
    MainRecipients,
    Body,
    Attachments,
    Signatures,
    Date,
    Seal,
    Note,
    Cc,
    Printing,
    OrderNumber,
    SignerTitle,
    Minutes,
}

/// The element a finding concerns: a field, and for list fields the index of the
/// entry, for `body` the 0-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Element {
    pub field: Field,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
}

impl Element {
    pub fn field(field: Field) -> Element {
        Element { field, index: None }
    }
    pub fn item(field: Field, index: usize) -> Element {
        Element {
            field,
            index: Some(index),
        }
    }
}

/// One thing the lint found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable id, e.g. `GW010` (see [`rules`]).
    pub rule: &'static str,
    pub severity: Severity,
    pub element: Element,
    /// What is wrong and how to fix it, in Chinese.
    pub message: String,
}

/// Where in its life the document is: some elements only exist once it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being drafted or submitted for approval: 成文日期, 文号, 署名 and 印章 may
    /// still be missing (the date is the 签发 date; the number is allocated at 登记).
    #[default]
    Draft,
    /// About to be issued (印发): every element the format needs must be there.
    Issue,
}

/// What the lint may know besides the document. All optional: a rule that needs
/// missing knowledge stays silent.
#[derive(Debug, Clone, Default)]
pub struct LintContext {
    /// Today's date (the caller's clock), for 成文日期 checks.
    pub today: Option<DocDate>,
    pub stage: Stage,
    /// Names of the issuer's subordinate organs, when the directory knows them.
    pub subordinates: Option<BTreeSet<String>>,
    /// Whether the document is to be sent by electronic exchange (电子公文交换).
    pub electronic_exchange: bool,
}

impl LintContext {
    /// A context for a draft, with today's date from the caller's clock.
    pub fn new(today: DocDate) -> LintContext {
        LintContext {
            today: Some(today),
            ..LintContext::default()
        }
    }
    /// Sets the stage (default [`Stage::Draft`]).
    pub fn stage(mut self, stage: Stage) -> LintContext {
        self.stage = stage;
        self
    }
    /// Names the issuer's subordinate organs, as the directory knows them.
    pub fn subordinates<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> LintContext {
        self.subordinates = Some(names.into_iter().map(Into::into).collect());
        self
    }
    /// Says whether the document is to go by electronic exchange.
    pub fn electronic_exchange(mut self, yes: bool) -> LintContext {
        self.electronic_exchange = yes;
        self
    }
}

/// A rule, for documentation and the UI.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    /// Stable id, e.g. `GW010`.
    pub id: &'static str,
    /// Stable slug, e.g. `request-single-recipient`.
    pub name: &'static str,
    /// Short Chinese title.
    pub title: &'static str,
    /// What the rule checks, in Chinese.
    pub description: &'static str,
    /// The clause it rests on.
    pub basis: &'static str,
    #[serde(skip)]
    check: fn(&Cx<'_>, &mut Sink<'_>),
}

/// Every rule, in id order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// Runs every rule. Findings come in rule order, then element order.
pub fn lint(doc: &Document, ctx: &LintContext) -> Vec<Finding> {
    let cx = Cx {
        doc,
        ctx,
        blocks: body::parse(&doc.body),
    };
    let mut out = Vec::new();
    for rule in RULES {
        let mut sink = Sink {
            rule: rule.id,
            out: &mut out,
        };
        (rule.check)(&cx, &mut sink);
    }
    out
}

struct Cx<'a> {
    doc: &'a Document,
    ctx: &'a LintContext,
    blocks: Vec<Block>,
}

impl Cx<'_> {
    fn issuing(&self) -> bool {
        self.ctx.stage == Stage::Issue
    }
    fn doc_type(&self) -> Option<DocType> {
        self.doc.doc_type
    }
    fn is(&self, t: DocType) -> bool {
        self.doc.doc_type == Some(t)
    }
    fn title(&self) -> &str {
        self.doc.title.trim()
    }
}

struct Sink<'a> {
    rule: &'static str,
    out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    fn push(&mut self, severity: Severity, element: Element, message: impl Into<String>) {
        self.out.push(Finding {
            rule: self.rule,
            severity,
            element,
            message: message.into(),
        });
    }
    fn error(&mut self, element: Element, message: impl Into<String>) {
        self.push(Severity::Error, element, message);
    }
    fn warn(&mut self, element: Element, message: impl Into<String>) {
        self.push(Severity::Warning, element, message);
    }
}

use Field as F;

const fn rule(
    id: &'static str,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    basis: &'static str,
    check: fn(&Cx<'_>, &mut Sink<'_>),
) -> RuleInfo {
    RuleInfo {
        id,
        name,
        title,
        description,
        basis,
        check,
    }
}

static RULES: &[RuleInfo] = &[
    rule(
        "GW001",
        "doc-type-missing",
        "文种",
        "文种必须是条例规定的15种之一（决议、决定、命令（令）、公报、公告、通告、意见、通知、通报、报告、请示、批复、议案、函、纪要）。",
        "条例第八条",
        doc_type_missing,
    ),
    rule(
        "GW002",
        "title-missing",
        "标题",
        "公文应当有标题（命令、纪要除外）。",
        "条例第九条（七）",
        title_missing,
    ),
    rule(
        "GW003",
        "title-ends-with-doc-type",
        "标题以文种结尾",
        "标题应以所选文种结尾，如“关于……的通知”。",
        "条例第九条（七）",
        title_ends_with_doc_type,
    ),
    rule(
        "GW004",
        "title-shape",
        "标题结构",
        "标题一般由发文机关名称、事由（“关于……”）和文种组成。",
        "条例第九条（七）",
        title_shape,
    ),
    rule(
        "GW005",
        "title-punctuation",
        "标题标点",
        "标题末尾不加标点；标题中除法规、规章名称加书名号外，一般不用标点符号。",
        "GB/T 9704 7.3.1；行文惯例",
        title_punctuation,
    ),
    rule(
        "GW006",
        "title-book-marks",
        "标题书名号",
        "书名号应成对使用，且其中不能为空。",
        "GB/T 15834",
        title_book_marks,
    ),
    rule(
        "GW007",
        "title-length",
        "标题长度",
        "标题应简明，过长（超过60字）宜精简。",
        "条例第九条（七）",
        title_length,
    ),
    rule(
        "GW008",
        "title-mixed-doc-types",
        "文种混用",
        "不得“请示报告”混用；转发类标题不应出现重复的文种（“的通知的通知”）。",
        "条例第十五条（四）",
        title_mixed_doc_types,
    ),
    rule(
        "GW009",
        "main-recipient-missing",
        "主送机关",
        "除公告、通告、公报、命令、决议、纪要外，公文应当有主送机关。",
        "条例第九条（八）",
        main_recipient_missing,
    ),
    rule(
        "GW010",
        "request-single-recipient",
        "请示主送一个机关",
        "请示一般只写一个主送机关，需要同时送其他机关的，应当用抄送形式。",
        "条例第十五条（一）",
        request_single_recipient,
    ),
    rule(
        "GW011",
        "upward-cc-subordinate",
        "请示等上行文不抄送下级",
        "请示等上行文不抄送本机关的下级机关（需通讯录知道哪些是下级机关）。",
        "条例第十五条（一）",
        upward_cc_subordinate,
    ),
    rule(
        "GW012",
        "request-one-subject",
        "请示一文一事",
        "请示应当一文一事。",
        "条例第十五条（四）",
        request_one_subject,
    ),
    rule(
        "GW013",
        "report-no-request",
        "报告不夹带请示",
        "报告中不得夹带请示事项。",
        "条例第十五条（四）",
        report_no_request,
    ),
    rule(
        "GW014",
        "upward-signer",
        "上行文签发人",
        "上行文应当标注签发人姓名。",
        "条例第九条（六）",
        upward_signer,
    ),
    rule(
        "GW015",
        "upward-single-recipient",
        "上行文主送一个机关",
        "上行文原则上主送一个上级机关。",
        "条例第十五条（一）",
        upward_single_recipient,
    ),
    rule(
        "GW016",
        "signer-only-upward",
        "签发人仅用于上行文",
        "签发人只在上行文中标注（命令格式的签发人签名章除外）。",
        "条例第九条（六）、GB/T 9704 7.2.5",
        signer_only_upward,
    ),
    rule(
        "GW017",
        "direction-doc-type",
        "行文方向与文种",
        "请示、报告、议案为上行文，批复、命令为下行文，函为平行文。",
        "条例第八条",
        direction_doc_type,
    ),
    rule(
        "GW018",
        "reply-single-recipient",
        "批复主送一个机关",
        "批复答复一个请示机关，只写一个主送机关。",
        "条例第八条（十二）",
        reply_single_recipient,
    ),
    rule(
        "GW019",
        "date-missing",
        "成文日期",
        "印发的公文应当有成文日期（纪要除外）。",
        "条例第九条（十二）",
        date_missing,
    ),
    rule(
        "GW020",
        "date-future",
        "成文日期不在将来",
        "成文日期不应晚于今天；晚于今天30天以上是错误。",
        "条例第九条（十二）",
        date_future,
    ),
    rule(
        "GW021",
        "printing-date",
        "印发日期",
        "印发日期不应早于成文日期。",
        "GB/T 9704 7.4.3",
        printing_date,
    ),
    rule(
        "GW022",
        "attachment-name-punctuation",
        "附件名称标点",
        "附件名称后不加标点符号。",
        "GB/T 9704 7.3.4",
        attachment_name_punctuation,
    ),
    rule(
        "GW023",
        "attachment-name-numbered",
        "附件名称不自带序号",
        "附件说明的序号（1. 2. ……）由排版自动生成，附件名称中不要再写序号或“附件”字样。",
        "GB/T 9704 7.3.4",
        attachment_name_numbered,
    ),
    rule(
        "GW024",
        "cc-punctuation",
        "抄送机关标点",
        "每项只写一个抄送机关，末尾不加句号（排版时自动在最后加句号）。",
        "GB/T 9704 7.4.2",
        cc_punctuation,
    ),
    rule(
        "GW025",
        "recipient-punctuation",
        "主送机关标点",
        "每项只写一个主送机关（或一类机关的统称），不带冒号、逗号等标点（排版时自动添加）。",
        "GB/T 9704 7.3.2",
        recipient_punctuation,
    ),
    rule(
        "GW026",
        "secrecy-copy-number",
        "涉密公文份号",
        "涉密公文应当标注份号。",
        "条例第九条（一）、GB/T 9704 7.2.1",
        secrecy_copy_number,
    ),
    rule(
        "GW027",
        "copy-number-format",
        "份号格式",
        "份号一般用6位阿拉伯数字，如“000001”。",
        "GB/T 9704 7.2.1",
        copy_number_format,
    ),
    rule(
        "GW028",
        "secrecy-electronic",
        "涉密公文不得电子交换",
        "涉密公文不得通过普通电子公文交换传递，应通过机要渠道或者符合国家保密规定的系统传输。",
        "条例第六章（涉密公文的传递）",
        secrecy_electronic,
    ),
    rule(
        "GW029",
        "secrecy-term-format",
        "保密期限格式",
        "保密期限写作“1年”“6个月”“长期”等，不含“★”（排版时自动添加）。",
        "GB/T 9704 7.2.2",
        secrecy_term_format,
    ),
    rule(
        "GW030",
        "docnum-invalid",
        "发文字号格式",
        "发文字号由机关代字、年份、发文顺序号组成，如“鹤府〔2026〕12号”。",
        "条例第九条（五）、GB/T 9704 7.2.4",
        docnum_invalid,
    ),
    rule(
        "GW031",
        "docnum-missing",
        "发文字号",
        "印发的公文（文件格式、信函格式）应当有发文字号；草稿的文号在登记时由服务器分配。",
        "条例第九条（五）",
        docnum_missing,
    ),
    rule(
        "GW032",
        "docnum-year",
        "文号年份",
        "发文字号的年份一般与成文日期的年份一致。",
        "GB/T 9704 7.2.4",
        docnum_year,
    ),
    rule(
        "GW033",
        "joint-signatures",
        "联合行文署名",
        "联合行文时，发文机关署名应与发文机关一一对应。",
        "条例第九条（十一）、GB/T 9704 7.3.5",
        joint_signatures,
    ),
    rule(
        "GW034",
        "signature-missing",
        "发文机关署名",
        "印发的公文应当有发文机关署名（纪要、命令除外）。",
        "条例第九条（十一）",
        signature_missing,
    ),
    rule(
        "GW035",
        "issuer-missing",
        "发文机关",
        "印发的公文应当有发文机关及其标志。",
        "条例第九条（四）",
        issuer_missing,
    ),
    rule(
        "GW036",
        "seal-missing",
        "印章",
        "有发文机关署名的公文应当加盖发文机关印章。",
        "条例第九条（十三）",
        seal_missing,
    ),
    rule(
        "GW037",
        "body-empty",
        "正文",
        "公文应当有正文。",
        "条例第九条（九）",
        body_empty,
    ),
    rule(
        "GW038",
        "heading-sequence",
        "结构层次序数连续",
        "各层序数应从一开始依次编排，不得跳号或重号。",
        "GB/T 9704 7.3.3",
        heading_sequence,
    ),
    rule(
        "GW039",
        "heading-style",
        "结构层次序数写法",
        "第一层用“一、”，第二层用“（一）”，第三层用“1.”，第四层用“（1）”，不要混用标点。",
        "GB/T 9704 7.3.3",
        heading_style,
    ),
    rule(
        "GW040",
        "date-leading-zero",
        "日期不编虚位",
        "日期中的月、日不编虚位，如“2026年3月5日”，不写“03月05日”。",
        "GB/T 9704 7.3.5.1",
        date_leading_zero,
    ),
    rule(
        "GW041",
        "format-doc-type",
        "公文格式与文种",
        "函宜用信函格式，命令用命令格式，纪要用纪要格式；命令格式、纪要格式只用于相应文种。",
        "GB/T 9704 第10章",
        format_doc_type,
    ),
    rule(
        "GW042",
        "format-fields",
        "特定格式要素",
        "令号、签发人职务只用于命令格式，出席/请假/列席名单只用于纪要格式；印发的命令应有令号和签发人。",
        "GB/T 9704 10.2、10.3",
        format_fields,
    ),
    rule(
        "GW043",
        "minutes-attendees",
        "纪要出席人员",
        "印发的纪要应当列出出席人员。",
        "GB/T 9704 10.3",
        minutes_attendees,
    ),
    rule(
        "GW044",
        "duplicate-organs",
        "机关重复",
        "主送、抄送中同一机关不应重复出现，也不应既主送又抄送。",
        "条例第九条（八）（十六）",
        duplicate_organs,
    ),
    rule(
        "GW045",
        "empty-entries",
        "空白项",
        "发文机关、主送、抄送、签发人、署名、附件中不应有空白项。",
        "条例第九条",
        empty_entries,
    ),
];

// ---------------------------------------------------------------- helpers

/// Punctuation that must not end a title, a name, or an organ entry.
const TRAILING_PUNCT: &[char] = &[
    '。', '，', '、', '；', '：', '！', '？', '.', ',', ';', ':', '!', '?', '…',
];

/// Punctuation that should not appear inside a title (书名号、括号、顿号、间隔号 are allowed).
const TITLE_INNER_PUNCT: &[char] = &[
    '。', '，', '；', '：', '！', '？', ',', ';', ':', '!', '?', '“', '”', '"', '…',
];

/// Endings of titles that name a kind of document that is not a 文种.
const NOT_DOC_TYPES: &[&str] = &[
    "规定", "办法", "细则", "条例", "方案", "计划", "规划", "总结", "要点", "汇报", "请求", "申请",
    "通令", "指示", "简报", "章程", "制度", "守则",
];

fn ends_with_punct(s: &str) -> Option<char> {
    s.trim_end()
        .chars()
        .last()
        .filter(|c| TRAILING_PUNCT.contains(c))
}

/// The title with any trailing punctuation removed.
fn title_core(title: &str) -> &str {
    title.trim().trim_end_matches(TRAILING_PUNCT).trim_end()
}

/// The non-文种 a title ends with, e.g. “办法” in “鹤山市安全生产检查办法”.
fn non_doc_type_ending(core: &str) -> Option<&'static str> {
    NOT_DOC_TYPES.iter().copied().find(|n| core.ends_with(n))
}

/// The 文种 a title ends with, if any (longest name first, so 函 is not found in …).
fn doc_type_of_title(title: &str) -> Option<DocType> {
    let t = title_core(title);
    if t.ends_with('令') {
        return Some(DocType::Order);
    }
    DocType::ALL.into_iter().find(|d| t.ends_with(d.name()))
}

fn title_ends_with(t: DocType, title: &str) -> bool {
    let core = title_core(title);
    match t {
        DocType::Order => core.ends_with('令') || core.ends_with("命令"),
        _ => core.ends_with(t.name()),
    }
}

fn names_list(v: &[&str]) -> String {
    v.iter()
        .map(|s| format!("“{s}”"))
        .collect::<Vec<_>>()
        .join("、")
}

// ---------------------------------------------------------------- title

fn doc_type_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.doc_type().is_some() {
        return;
    }
    let core = title_core(cx.title());
    let mut msg = "未选择文种：文种应为条例第八条规定的15种之一".to_string();
    if let Some(bad) = non_doc_type_ending(core) {
        msg.push_str(&format!(
            "。标题以“{bad}”结尾，但“{bad}”不是法定文种；印发规章制度应使用“关于印发《……{bad}》的通知”"
        ));
    } else if let Some(t) = doc_type_of_title(core) {
        msg.push_str(&format!("。标题以“{t}”结尾，可选择文种“{t}”"));
    }
    s.error(Element::field(F::DocType), msg);
}

fn title_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.title().is_empty() && !matches!(cx.doc_type(), Some(DocType::Order | DocType::Minutes)) {
        s.error(
            Element::field(F::Title),
            "缺少标题：标题由发文机关名称、事由和文种组成，如“××市人民政府关于……的通知”",
        );
    }
}

fn title_ends_with_doc_type(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (Some(t), title) = (cx.doc_type(), cx.title()) else {
        return;
    };
    if title.is_empty() || title_ends_with(t, title) {
        return;
    }
    let msg = match doc_type_of_title(title) {
        _ if non_doc_type_ending(title_core(title)).is_some() => {
            let bad = non_doc_type_ending(title_core(title)).unwrap_or_default();
            format!(
                "标题以“{bad}”结尾，但“{bad}”不是法定文种：标题应以文种“{t}”结尾，如“关于印发《……{bad}》的{t}”"
            )
        }
        Some(other) => {
            format!("标题以“{other}”结尾，但文种选的是“{t}”：标题应以文种“{t}”结尾，或改选文种")
        }
        None => format!("标题应以文种“{t}”结尾，如“关于……的{t}”"),
    };
    s.error(Element::field(F::Title), msg);
}

fn title_shape(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let title = cx.title();
    if title.is_empty() {
        return;
    }
    let free_form = matches!(
        cx.doc_type(),
        Some(
            DocType::Communique
                | DocType::Announcement
                | DocType::PublicNotice
                | DocType::Order
                | DocType::Minutes
        )
    );
    if !free_form && !title.contains("关于") {
        s.warn(
            Element::field(F::Title),
            "标题缺少事由：一般写作“发文机关＋关于＋事由＋的＋文种”，如“××关于开展……的通知”",
        );
    }
    if cx.doc.issuers.is_empty() {
        return;
    }
    let starts_with_issuer = cx.doc.issuers.iter().any(|i| {
        let name = i.name.trim();
        let short = i.mark_text().trim().trim_end_matches("文件").trim();
        (!name.is_empty() && title.starts_with(name))
            || (!short.is_empty() && title.starts_with(short))
    });
    if !starts_with_issuer {
        let first = cx.doc.issuers[0].name.trim();
        s.warn(
            Element::field(F::Title),
            format!("标题一般以发文机关名称开头，如“{first}关于……”"),
        );
    }
}

fn title_punctuation(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let title = cx.title();
    if let Some(c) = ends_with_punct(title) {
        s.error(
            Element::field(F::Title),
            format!("标题末尾不加标点，请删去“{c}”"),
        );
    }
    let core = title_core(title);
    let inner: BTreeSet<char> = core
        .chars()
        .filter(|c| TITLE_INNER_PUNCT.contains(c))
        .collect();
    if !inner.is_empty() {
        let list: String = inner
            .iter()
            .map(|c| format!("“{c}”"))
            .collect::<Vec<_>>()
            .join("");
        s.warn(
            Element::field(F::Title),
            format!("标题中除法规、规章名称加书名号外一般不用标点符号，请检查{list}"),
        );
    }
}

fn title_book_marks(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let mut depth = 0i32;
    let mut empty = false;
    let mut prev = ' ';
    for c in cx.title().chars() {
        match c {
            '《' => depth += 1,
            '》' => {
                if prev == '《' {
                    empty = true;
                }
                depth -= 1;
                if depth < 0 {
                    break;
                }
            }
            _ => {}
        }
        prev = c;
    }
    if depth != 0 {
        s.error(Element::field(F::Title), "标题中的书名号“《》”不成对");
    } else if empty {
        s.error(Element::field(F::Title), "标题中的书名号“《》”内没有名称");
    }
}

const TITLE_MAX_CHARS: usize = 60;

fn title_length(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let n = cx.title().chars().count();
    if n > TITLE_MAX_CHARS {
        s.warn(
            Element::field(F::Title),
            format!("标题有{n}个字，超过{TITLE_MAX_CHARS}字，宜精简"),
        );
    }
}

fn title_mixed_doc_types(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let core = title_core(cx.title());
    if core.ends_with("请示报告") || core.ends_with("报告请示") {
        s.error(
            Element::field(F::Title),
            "“请示”与“报告”不得混用：请求批准用“请示”，汇报工作用“报告”",
        );
    }
    for t in DocType::ALL {
        let twice = format!("的{0}的{0}", t.name());
        if core.contains(&twice) {
            s.warn(
                Element::field(F::Title),
                format!(
                    "标题中“{twice}”重复：转发时可省去被转发文件标题中的“的{}”或使用书名号",
                    t.name()
                ),
            );
            break;
        }
    }
}

// ---------------------------------------------------------------- recipients

fn main_recipient_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let allows = cx.doc_type().is_some_and(DocType::allows_no_main_recipient);
    if !allows && cx.doc.main_recipients.iter().all(|r| r.trim().is_empty()) {
        let kind = cx
            .doc_type()
            .map(|t| format!("{t}"))
            .unwrap_or_else(|| "本公文".into());
        s.error(
            Element::field(F::MainRecipients),
            format!("{kind}应当有主送机关"),
        );
    }
}

fn request_single_recipient(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let n = cx.doc.main_recipients.len();
    if cx.is(DocType::Request) && n > 1 {
        s.error(
            Element::item(F::MainRecipients, 1),
            format!("请示只能主送一个机关（现有{n}个）；需要同时送其他机关的，请改为抄送"),
        );
    }
}

fn upward_cc_subordinate(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let upward = cx.is(DocType::Request) || cx.doc.effective_direction() == Some(Direction::Up);
    let (true, Some(subs)) = (upward, &cx.ctx.subordinates) else {
        return;
    };
    let kind = if cx.is(DocType::Request) {
        "请示"
    } else {
        "上行文"
    };
    for (i, organ) in cx.doc.cc.iter().enumerate() {
        let name = organ.trim().trim_end_matches(TRAILING_PUNCT);
        if subs.contains(name) {
            s.error(
                Element::item(F::Cc, i),
                format!("{kind}不抄送下级机关：“{name}”是本机关的下级机关"),
            );
        }
    }
}

fn request_one_subject(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if !cx.is(DocType::Request) {
        return;
    }
    let core = title_core(cx.title());
    let asks = core.matches("申请").count() + core.matches("请求").count();
    if asks > 1 || core.contains("等事项") || core.contains("等问题") || core.contains("若干")
    {
        s.warn(
            Element::field(F::Title),
            "请示应当一文一事：标题看起来包含多个请示事项，请分别行文",
        );
    }
}

/// Phrases that ask the recipient to approve something.
const REQUEST_PHRASES: &[&str] = &[
    "请批示",
    "请审批",
    "请批准",
    "予以批准",
    "妥否",
    "当否",
    "请予批复",
];

fn report_no_request(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if !cx.is(DocType::Report) {
        return;
    }
    for b in &cx.blocks {
        if let Some(p) = REQUEST_PHRASES.iter().find(|p| b.text.contains(*p)) {
            s.warn(
                Element::item(F::Body, b.line),
                format!("报告中不得夹带请示事项（“{p}”）：需要上级批准的事项请另行请示"),
            );
            return;
        }
    }
}

fn upward_signer(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.doc.effective_direction() == Some(Direction::Up)
        && cx.doc.signers.iter().all(|n| n.trim().is_empty())
    {
        s.error(Element::field(F::Signers), "上行文应当标注签发人姓名");
    }
}

fn upward_single_recipient(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let n = cx.doc.main_recipients.len();
    if cx.doc.effective_direction() == Some(Direction::Up) && !cx.is(DocType::Request) && n > 1 {
        s.error(
            Element::item(F::MainRecipients, 1),
            format!("上行文原则上只主送一个上级机关（现有{n}个），其他机关请用抄送"),
        );
    }
}

fn signer_only_upward(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let dir = cx.doc.effective_direction();
    if !cx.doc.signers.is_empty()
        && cx.doc.format != Format::Order
        && dir.is_some_and(|d| d != Direction::Up)
    {
        s.warn(
            Element::field(F::Signers),
            format!(
                "签发人只在上行文中标注，本公文是{}",
                dir.map(Direction::label).unwrap_or_default()
            ),
        );
    }
}

fn direction_doc_type(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (Some(t), Some(given)) = (cx.doc_type(), cx.doc.direction) else {
        return;
    };
    if let Some(expected) = t.inherent_direction()
        && expected != given
    {
        s.warn(
            Element::field(F::Direction),
            format!("{t}应为{}，这里选的是{}", expected.label(), given.label()),
        );
    }
}

fn reply_single_recipient(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let n = cx.doc.main_recipients.len();
    if cx.is(DocType::Reply) && n > 1 {
        s.error(
            Element::item(F::MainRecipients, 1),
            format!("批复只主送报送请示的那一个机关（现有{n}个）；需要告知其他机关的，请改为抄送"),
        );
    }
}

// ---------------------------------------------------------------- dates

fn date_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.issuing() && cx.doc.date.is_none() && !cx.is(DocType::Minutes) {
        s.error(
            Element::field(F::Date),
            "印发前应填写成文日期（以负责人签发的日期为准）",
        );
    }
}

const FUTURE_LIMIT_DAYS: i64 = 30;

fn date_future(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (Some(date), Some(today)) = (cx.doc.date, cx.ctx.today) else {
        return;
    };
    let days = (date.0 - today.0).whole_days();
    if days > FUTURE_LIMIT_DAYS {
        s.error(
            Element::field(F::Date),
            format!("成文日期{}比今天晚{days}天，请检查", date.chinese()),
        );
    } else if days > 0 {
        s.warn(
            Element::field(F::Date),
            format!("成文日期{}晚于今天（{}）", date.chinese(), today.chinese()),
        );
    }
}

fn printing_date(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (Some(date), Some(p)) = (cx.doc.date, &cx.doc.printing) else {
        return;
    };
    if p.date < date {
        s.error(
            Element::field(F::Printing),
            format!("印发日期{}早于成文日期{}", p.date.chinese(), date.chinese()),
        );
    }
}

fn date_leading_zero(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let bad = |t: &str| t.contains("年0") || (t.contains("月0") && t.contains('日'));
    for b in &cx.blocks {
        if bad(&b.text) && has_zero_padded_date(&b.text) {
            s.warn(
                Element::item(F::Body, b.line),
                "日期不编虚位：写作“2026年3月5日”，不写“2026年03月05日”",
            );
        }
    }
    if let Some(note) = &cx.doc.note
        && bad(note)
        && has_zero_padded_date(note)
    {
        s.warn(
            Element::field(F::Note),
            "日期不编虚位：写作“2026年3月5日”，不写“2026年03月05日”",
        );
    }
}

/// Whether the text has `年0N月` or `月0N日` with N a digit.
fn has_zero_padded_date(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.windows(4).any(|w| {
        matches!(
            (w[0], w[1], w[2], w[3]),
            ('年', '0', '1'..='9', '月') | ('月', '0', '1'..='9', '日')
        )
    })
}

// ---------------------------------------------------------------- attachments and lists

fn attachment_name_punctuation(cx: &Cx<'_>, s: &mut Sink<'_>) {
    for (i, a) in cx.doc.attachments.iter().enumerate() {
        if let Some(c) = ends_with_punct(&a.name) {
            s.error(
                Element::item(F::Attachments, i),
                format!("附件名称“{}”后不加标点，请删去“{c}”", a.name.trim()),
            );
        }
    }
}

/// The length in bytes of a numbering prefix like `1.`, `1、`, `（1）`, `一、`, `附件1：`.
fn numbering_prefix(name: &str) -> Option<usize> {
    let t = name.trim_start();
    let lead = name.len() - t.len();
    if let Some(rest) = t.strip_prefix("附件") {
        let digits: usize = rest
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .map(char::len_utf8)
            .sum();
        let after = &rest[digits..];
        let sep: usize = after
            .chars()
            .take_while(|c| "：:、.． ".contains(*c))
            .map(char::len_utf8)
            .sum();
        if digits + sep > 0 {
            return Some(lead + "附件".len() + digits + sep);
        }
    }
    let (kind, n) = body::classify(t);
    if kind != BlockKind::Paragraph {
        return Some(lead + n);
    }
    let digits: usize = t
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .map(char::len_utf8)
        .sum();
    if let Some(sep) = t[digits..]
        .chars()
        .next()
        .filter(|c| digits > 0 && ['、', ')', '）'].contains(c))
    {
        return Some(lead + digits + sep.len_utf8());
    }
    None
}

fn attachment_name_numbered(cx: &Cx<'_>, s: &mut Sink<'_>) {
    for (i, a) in cx.doc.attachments.iter().enumerate() {
        if let Some(n) = numbering_prefix(&a.name) {
            let prefix = a.name.get(..n).unwrap_or(&a.name).trim();
            s.error(
                Element::item(F::Attachments, i),
                format!("附件名称不要自带序号“{prefix}”：附件说明的序号由排版自动编排"),
            );
        }
    }
}

fn organ_list_punctuation(list: &[String], field: Field, what: &str, s: &mut Sink<'_>) {
    for (i, organ) in list.iter().enumerate() {
        let t = organ.trim();
        if let Some(c) = ends_with_punct(t) {
            s.error(
                Element::item(field, i),
                format!("{what}“{t}”末尾不加“{c}”（排版时自动添加标点）"),
            );
        } else if t.contains(['，', ',', '、', '；', ';']) {
            s.warn(
                Element::item(field, i),
                format!("{what}“{t}”中含有分隔符号：请每项只写一个机关"),
            );
        }
    }
}

fn cc_punctuation(cx: &Cx<'_>, s: &mut Sink<'_>) {
    organ_list_punctuation(&cx.doc.cc, F::Cc, "抄送机关", s);
}

fn recipient_punctuation(cx: &Cx<'_>, s: &mut Sink<'_>) {
    organ_list_punctuation(&cx.doc.main_recipients, F::MainRecipients, "主送机关", s);
}

fn duplicate_organs(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let norm = |x: &String| x.trim().trim_end_matches(TRAILING_PUNCT).to_string();
    let mut seen = BTreeSet::new();
    for (i, r) in cx.doc.main_recipients.iter().enumerate() {
        let n = norm(r);
        if !n.is_empty() && !seen.insert(n.clone()) {
            s.warn(
                Element::item(F::MainRecipients, i),
                format!("主送机关“{n}”重复"),
            );
        }
    }
    let mut seen_cc = BTreeSet::new();
    for (i, c) in cx.doc.cc.iter().enumerate() {
        let n = norm(c);
        if n.is_empty() {
            continue;
        }
        if seen.contains(&n) {
            s.warn(
                Element::item(F::Cc, i),
                format!("“{n}”已是主送机关，不必再抄送"),
            );
        } else if !seen_cc.insert(n.clone()) {
            s.warn(Element::item(F::Cc, i), format!("抄送机关“{n}”重复"));
        }
    }
}

fn empty_entries(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let d = cx.doc;
    let lists: [(Field, Vec<&str>); 6] = [
        (
            F::Issuers,
            d.issuers.iter().map(|i| i.name.as_str()).collect(),
        ),
        (
            F::MainRecipients,
            d.main_recipients.iter().map(String::as_str).collect(),
        ),
        (F::Cc, d.cc.iter().map(String::as_str).collect()),
        (F::Signers, d.signers.iter().map(String::as_str).collect()),
        (
            F::Signatures,
            d.signatures.iter().map(String::as_str).collect(),
        ),
        (
            F::Attachments,
            d.attachments.iter().map(|a| a.name.as_str()).collect(),
        ),
    ];
    for (field, items) in lists {
        for (i, item) in items.iter().enumerate() {
            if item.trim().is_empty() {
                s.error(Element::item(field, i), "此项为空白，请填写或删除");
            }
        }
    }
}

// ---------------------------------------------------------------- secrecy

fn secrecy_copy_number(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let Some(sec) = &cx.doc.secrecy else { return };
    if cx
        .doc
        .copy_number
        .as_deref()
        .is_none_or(|c| c.trim().is_empty())
    {
        s.error(
            Element::field(F::CopyNumber),
            format!("涉密公文（{}）应当标注份号", sec.level.name()),
        );
    }
}

fn copy_number_format(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let Some(c) = cx
        .doc
        .copy_number
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return;
    };
    let digits = c.chars().all(|ch| ch.is_ascii_digit());
    if digits && c.len() == 6 && c != "000000" {
        return;
    }
    let msg = match c.trim_start_matches('0').parse::<u32>() {
        Ok(n) if digits && (1..=999_999).contains(&n) => {
            format!("份号“{c}”应为6位阿拉伯数字，写作“{n:06}”")
        }
        _ => format!("份号“{c}”应为6位阿拉伯数字，如“000001”"),
    };
    s.error(Element::field(F::CopyNumber), msg);
}

fn secrecy_electronic(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if let (Some(sec), true) = (&cx.doc.secrecy, cx.ctx.electronic_exchange) {
        s.error(
            Element::field(F::Secrecy),
            format!(
                "{}公文不得通过电子公文交换发送：涉密公文应通过机要交通、机要通信或者符合国家保密规定的系统传递",
                sec.level.name()
            ),
        );
    }
}

fn secrecy_term_format(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let Some(term) = cx.doc.secrecy.as_ref().and_then(|x| x.term.as_deref()) else {
        return;
    };
    let t = term.trim();
    if t.contains('★') {
        s.warn(
            Element::field(F::Secrecy),
            format!("保密期限“{t}”中不要写“★”，排版时自动添加"),
        );
    } else if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        s.warn(
            Element::field(F::Secrecy),
            format!("保密期限“{t}”缺少单位，写作“{t}年”或“{t}个月”"),
        );
    }
}

// ---------------------------------------------------------------- 文号, issuers, signatures, seal

fn docnum_invalid(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if let Some(Err(e)) = cx.doc.doc_number.as_ref().map(|n| n.validate()) {
        s.error(Element::field(F::DocNumber), e.to_string());
    }
}

fn docnum_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.issuing()
        && cx.doc.doc_number.is_none()
        && matches!(cx.doc.format, Format::Standard | Format::Letter)
    {
        s.error(
            Element::field(F::DocNumber),
            "印发前应当有发文字号（登记时由服务器分配）",
        );
    }
}

fn docnum_year(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (Some(n), Some(d)) = (&cx.doc.doc_number, cx.doc.date) else {
        return;
    };
    if i32::from(n.year) != d.year() {
        s.warn(
            Element::field(F::DocNumber),
            format!("文号年份{}与成文日期的年份{}不一致", n.year, d.year()),
        );
    }
}

fn joint_signatures(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let (issuers, sigs) = (cx.doc.issuers.len(), cx.doc.signatures.len());
    if issuers == 0 || sigs == 0 {
        return;
    }
    if issuers != sigs {
        s.error(
            Element::field(F::Signatures),
            format!(
                "发文机关有{issuers}个，署名有{sigs}个：联合行文应逐一署名，与发文机关一一对应"
            ),
        );
        return;
    }
    for (i, (issuer, sig)) in cx.doc.issuers.iter().zip(&cx.doc.signatures).enumerate() {
        let (name, sig) = (issuer.name.trim(), sig.trim());
        if !name.is_empty() && !sig.is_empty() && name != sig && !name.contains(sig) {
            s.warn(
                Element::item(F::Signatures, i),
                format!("第{}个署名“{sig}”与发文机关“{name}”不一致（署名应为发文机关全称或规范化简称，顺序与发文机关相同）", i + 1),
            );
        }
    }
}

fn signature_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let exempt = matches!(cx.doc.format, Format::Order | Format::Minutes)
        || matches!(cx.doc_type(), Some(DocType::Order | DocType::Minutes));
    if cx.issuing() && !exempt && cx.doc.signatures.is_empty() {
        let hint = match cx.doc.issuer_names().as_slice() {
            [] => String::new(),
            names => format!("，如{}", names_list(names)),
        };
        s.error(
            Element::field(F::Signatures),
            format!("印发前应当有发文机关署名{hint}"),
        );
    }
}

fn issuer_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.issuing() && cx.doc.issuers.is_empty() {
        s.error(
            Element::field(F::Issuers),
            "印发前应当填写发文机关（及其发文机关标志）",
        );
    }
}

fn seal_missing(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let formats = matches!(cx.doc.format, Format::Standard | Format::Letter);
    if cx.issuing() && formats && !cx.doc.signatures.is_empty() && !cx.doc.seal.is_sealed() {
        s.warn(
            Element::field(F::Seal),
            "有发文机关署名的公文应当加盖发文机关印章（有特定发文机关标志的普发性公文可以不加盖）",
        );
    }
}

// ---------------------------------------------------------------- body

fn body_empty(cx: &Cx<'_>, s: &mut Sink<'_>) {
    if cx.blocks.is_empty() {
        s.error(Element::field(F::Body), "正文为空");
    }
}

fn heading_sequence(cx: &Cx<'_>, s: &mut Sink<'_>) {
    // The last number seen at each level since the enclosing heading.
    let mut last: [Option<u32>; 4] = [None; 4];
    for b in &cx.blocks {
        let (Some(level), Some(n)) = (b.kind.level(), b.ordinal()) else {
            continue;
        };
        let l = usize::from(level - 1);
        let expected = last[l].map_or(1, |p| p.saturating_add(1));
        if n != expected {
            let want = renumber(b.kind, expected);
            let msg = match last[l] {
                Some(p) if n <= p => format!("序数“{}”重号或倒序：此处应为“{want}”", b.number),
                _ => format!("序数“{}”跳号：此处应为“{want}”", b.number),
            };
            s.error(Element::item(F::Body, b.line), msg);
        }
        last[l] = Some(n);
        for deeper in &mut last[l + 1..] {
            *deeper = None;
        }
    }
}

/// The numbering `n` written the way `kind` is written.
fn renumber(kind: BlockKind, n: u32) -> String {
    match kind {
        BlockKind::Heading1 => format!("{}、", cn_numeral(n)),
        BlockKind::Heading2 => format!("（{}）", cn_numeral(n)),
        BlockKind::Heading3 => format!("{n}."),
        BlockKind::Heading4 => format!("（{n}）"),
        BlockKind::Paragraph => String::new(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
fn cn_numeral(n: u32) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let (h, t, u) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    let mut out = String::new();
    if n >= 1000 {
        return n.to_string();
    }
    if h > 0 {
        out.push(D[h]);
        out.push('百');
    }
    if t > 0 {
        if !(h == 0 && t == 1) {
            out.push(D[t]);
        }
        out.push('十');
    } else if h > 0 && u > 0 {
        out.push('零');
    }
    if u > 0 {
        out.push(D[u]);
    }
    out
}

fn heading_style(cx: &Cx<'_>, s: &mut Sink<'_>) {
    for b in &cx.blocks {
        if let Some(msg) = heading_style_problem(&b.text) {
            s.warn(Element::item(F::Body, b.line), msg);
        }
    }
}

fn heading_style_problem(line: &str) -> Option<String> {
    let t = line.trim_start_matches([' ', '\u{3000}', '\t']);
    let (kind, n) = body::classify(t);
    let after = &t[n..];
    match kind {
        BlockKind::Heading2 | BlockKind::Heading4 if after.starts_with(['、', '.', '．', '，']) =>
        {
            let num = &t[..n];
            return Some(format!("“{num}”后不再加标点：写作“{num}……”"));
        }
        BlockKind::Paragraph => {}
        _ => return None,
    }
    // `1、` (should be `1.`) and `一.` (should be `一、`)
    let digits: usize = t
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .map(char::len_utf8)
        .sum();
    if digits > 0 && digits <= 3 && t[digits..].starts_with('、') {
        let num = &t[..digits];
        return Some(format!("第三层序数写作“{num}.”，不写“{num}、”"));
    }
    let cn: usize = t
        .chars()
        .take_while(|c| "一二三四五六七八九十".contains(*c))
        .map(char::len_utf8)
        .sum();
    if cn > 0
        && cn <= 9
        && t[cn..].starts_with(['.', '．', '，'])
        && body::cn_number_value(&t[..cn]).is_some()
    {
        let num = &t[..cn];
        return Some(format!("第一层序数写作“{num}、”，不用“.”或“，”"));
    }
    None
}

// ---------------------------------------------------------------- formats

fn format_doc_type(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let f = cx.doc.format;
    let Some(t) = cx.doc_type() else { return };
    match (t.special_format(), f) {
        (Some(Format::Letter), Format::Standard) => s.warn(
            Element::field(F::Format),
            "函一般使用信函格式（GB/T 9704 10.1），可将公文格式改为“信函格式”",
        ),
        (Some(want @ (Format::Order | Format::Minutes)), got) if got != want => s.warn(
            Element::field(F::Format),
            format!("{t}应使用{}，这里是{}", want.label(), got.label()),
        ),
        (special, Format::Order | Format::Minutes) if special != Some(f) => s.warn(
            Element::field(F::Format),
            format!(
                "{}只用于{}，本公文的文种是{t}",
                f.label(),
                if f == Format::Order {
                    "命令（令）"
                } else {
                    "纪要"
                }
            ),
        ),
        _ => {}
    }
}

fn format_fields(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let d = cx.doc;
    if d.format != Format::Order {
        if d.order_number.is_some() {
            s.warn(Element::field(F::OrderNumber), "令号只用于命令格式");
        }
        if d.signer_title.is_some() {
            s.warn(Element::field(F::SignerTitle), "签发人职务只用于命令格式");
        }
    } else if d.order_number == Some(0) {
        s.error(Element::field(F::OrderNumber), "令号从1开始编排，不能为0");
    } else if cx.issuing() {
        if d.order_number.is_none() {
            s.error(
                Element::field(F::OrderNumber),
                "印发的命令（令）应当有令号，如“第12号”",
            );
        }
        if d.signers.is_empty() {
            s.error(
                Element::field(F::Signers),
                "命令（令）应当有签发人（加盖签发人签名章）",
            );
        }
        if d.signer_title
            .as_deref()
            .is_none_or(|t| t.trim().is_empty())
        {
            s.error(
                Element::field(F::SignerTitle),
                "命令（令）应当标注签发人职务，如“市长”",
            );
        }
    }
    if d.format != Format::Minutes && d.minutes.is_some() {
        s.warn(
            Element::field(F::Minutes),
            "出席、请假、列席人员名单只用于纪要格式",
        );
    }
}

fn minutes_attendees(cx: &Cx<'_>, s: &mut Sink<'_>) {
    let d = cx.doc;
    if cx.issuing()
        && d.format == Format::Minutes
        && d.minutes.as_ref().is_none_or(|m| m.attendees.is_empty())
    {
        s.warn(Element::field(F::Minutes), "纪要应当列出出席人员名单");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_ordered() {
        let ids: Vec<_> = rules().iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let names: BTreeSet<_> = rules().iter().map(|r| r.name).collect();
        assert_eq!(names.len(), ids.len());
        assert!(ids.len() >= 15);
    }

    #[test]
    fn chinese_numerals_round_trip() {
        for n in 1..=199 {
            assert_eq!(
                body::cn_number_value(&cn_numeral(n)),
                Some(n),
                "{n}: {}",
                cn_numeral(n)
            );
        }
        assert_eq!(cn_numeral(10), "十");
        assert_eq!(cn_numeral(105), "一百零五");
    }

    #[test]
    fn numbering_prefixes() {
        for (name, prefix) in [
            ("1.方案", "1."),
            ("附件1：方案", "附件1："),
            ("（二）方案", "（二）"),
            ("2、表", "2、"),
            ("一、表", "一、"),
        ] {
            let n = numbering_prefix(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(&name[..n], prefix);
        }
        for name in ["2026年工作方案", "附表", "附件清单"] {
            assert_eq!(numbering_prefix(name), None, "{name}");
        }
    }
}
