//! Every 行文规则: one case that triggers it and one that does not.

use std::collections::BTreeSet;

use gongwen_domain::Document;
use gongwen_domain::document::{
    DocDate, Format, Issuer, MinutesPeople, Seal, Secrecy, SecrecyLevel,
};
use gongwen_domain::lint::{Element, Field, Finding, LintContext, Severity, Stage, lint, rules};

/// A complete, correct 通知 ready to be issued: no finding at all.
const NOTICE: &str = r#"{
  "format": "standard",
  "doc_type": "通知",
  "direction": "down",
  "issuers": [{ "name": "鹤山市人民政府", "mark": "鹤山市人民政府文件" }],
  "doc_number": { "prefix": "鹤府", "year": 2026, "seq": 12 },
  "title": "鹤山市人民政府关于开展安全生产大检查的通知",
  "main_recipients": ["各镇人民政府", "市政府各部门"],
  "body": "为有效防范安全事故，现将有关事项通知如下。\n一、总体要求\n坚持问题导向，全面排查隐患。\n二、工作安排\n（一）单位自查\n1.全面排查\n2.及时整改\n（二）市级督查\n三、工作要求\n各单位于2026年12月5日前报送情况。",
  "attachments": [{ "name": "安全生产大检查工作方案" }],
  "signatures": ["鹤山市人民政府"],
  "date": "2026-11-20",
  "seal": true,
  "cc": ["市委办公室"],
  "printing": { "organ": "鹤山市人民政府办公室", "date": "2026-11-20" }
}"#;

/// A complete, correct 请示.
const REQUEST: &str = r#"{
  "doc_type": "请示",
  "direction": "up",
  "issuers": [{ "name": "鹤山市共和镇人民政府" }],
  "doc_number": { "prefix": "共府", "year": 2026, "seq": 3 },
  "signers": ["李建国"],
  "title": "鹤山市共和镇人民政府关于申请农村道路改造专项资金的请示",
  "main_recipients": ["鹤山市人民政府"],
  "body": "我镇村道破损严重，拟实施改造。\n一、项目情况\n改造路面32公里。\n二、资金需求\n恳请安排专项资金800万元。\n妥否，请批示。",
  "signatures": ["鹤山市共和镇人民政府"],
  "date": "2026-11-20",
  "seal": true,
  "cc": ["鹤山市财政局"]
}"#;

fn notice() -> Document {
    Document::from_json(NOTICE).unwrap()
}

fn request() -> Document {
    Document::from_json(REQUEST).unwrap()
}

fn date(s: &str) -> DocDate {
    DocDate::parse(s).unwrap()
}

fn ctx() -> LintContext {
    LintContext::new(date("2026-11-28"))
        .stage(Stage::Issue)
        .subordinates(["共和镇和平村委会", "共和镇财政所"])
}

struct Case {
    rule: &'static str,
    what: &'static str,
    doc: Document,
    ctx: LintContext,
    /// Some(field): the rule fires on that field; None: it stays quiet.
    fires_on: Option<Field>,
}

fn fire(rule: &'static str, what: &'static str, doc: Document, field: Field) -> Case {
    Case {
        rule,
        what,
        doc,
        ctx: ctx(),
        fires_on: Some(field),
    }
}

fn quiet(rule: &'static str, what: &'static str, doc: Document) -> Case {
    Case {
        rule,
        what,
        doc,
        ctx: ctx(),
        fires_on: None,
    }
}

fn with(mut doc: Document, f: impl FnOnce(&mut Document)) -> Document {
    f(&mut doc);
    doc
}

fn in_ctx(mut case: Case, f: impl FnOnce(LintContext) -> LintContext) -> Case {
    case.ctx = f(case.ctx);
    case
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn secret(doc: &mut Document) {
    doc.secrecy = Some(Secrecy {
        level: SecrecyLevel::Secret,
        term: Some("1年".into()),
    });
    doc.copy_number = Some("000003".into());
}

fn order() -> Document {
    with(notice(), |d| {
        d.format = Format::Order;
        d.doc_type = Some(gongwen_domain::document::DocType::Order);
        d.title.clear();
        d.main_recipients.clear();
        d.doc_number = None;
        d.signatures.clear();
        d.cc.clear();
        d.order_number = Some(12);
        d.signers = strings(&["王志强"]);
        d.signer_title = Some("市长".into());
        d.issuers[0].mark = Some("鹤山市人民政府令".into());
        d.body = "《鹤山市城市绿化管理办法》已经2026年11月18日市人民政府第30次常务会议通过，现予公布，自2027年1月1日起施行。".into();
    })
}

fn minutes() -> Document {
    with(notice(), |d| {
        d.format = Format::Minutes;
        d.doc_type = Some(gongwen_domain::document::DocType::Minutes);
        d.title = "鹤山市人民政府常务会议纪要".into();
        d.main_recipients.clear();
        d.signatures.clear();
        d.seal = Seal::Flag(false);
        d.doc_number = None;
        d.minutes = Some(MinutesPeople {
            attendees: strings(&["王志强", "李华"]),
            ..MinutesPeople::default()
        });
    })
}

fn typed(doc: Document, t: &str) -> Document {
    with(doc, |d| {
        d.doc_type = gongwen_domain::document::DocType::from_name(t)
    })
}

fn cases() -> Vec<Case> {
    use Field as F;
    vec![
        fire(
            "GW001",
            "no 文种",
            with(notice(), |d| d.doc_type = None),
            F::DocType,
        ),
        quiet("GW001", "a 文种", notice()),
        fire(
            "GW002",
            "no title",
            with(notice(), |d| d.title.clear()),
            F::Title,
        ),
        quiet("GW002", "a 命令 needs no title", order()),
        fire(
            "GW003",
            "title ends with another 文种",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于安全生产的意见".into()
            }),
            F::Title,
        ),
        fire(
            "GW003",
            "title ends with no 文种",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于开展安全生产大检查".into()
            }),
            F::Title,
        ),
        quiet(
            "GW003",
            "补充通知 ends with 通知",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于开展安全生产大检查的补充通知".into()
            }),
        ),
        fire(
            "GW004",
            "no 关于",
            with(notice(), |d| {
                d.title = "鹤山市人民政府开展安全生产大检查的通知".into()
            }),
            F::Title,
        ),
        fire(
            "GW004",
            "no 发文机关",
            with(notice(), |d| {
                d.title = "关于开展安全生产大检查的通知".into()
            }),
            F::Title,
        ),
        quiet(
            "GW004",
            "公告 needs no 关于",
            with(typed(notice(), "公告"), |d| {
                d.title = "鹤山市人民政府公告".into()
            }),
        ),
        fire(
            "GW005",
            "trailing 。",
            with(notice(), |d| d.title.push('。')),
            F::Title,
        ),
        fire(
            "GW005",
            "inner ，",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于开展检查，加强整改的通知".into()
            }),
            F::Title,
        ),
        quiet(
            "GW005",
            "书名号 and 括号 are fine",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于印发《鹤山市安全生产检查办法（试行）》的通知".into()
            }),
        ),
        fire(
            "GW006",
            "unbalanced 《",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于印发《安全生产检查办法的通知".into()
            }),
            F::Title,
        ),
        fire(
            "GW006",
            "empty 《》",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于印发《》的通知".into()
            }),
            F::Title,
        ),
        quiet(
            "GW006",
            "balanced",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于印发《安全生产检查办法》的通知".into()
            }),
        ),
        fire(
            "GW007",
            "61 characters",
            with(notice(), |d| {
                d.title = format!("鹤山市人民政府关于{}的通知", "开展".repeat(25))
            }),
            F::Title,
        ),
        quiet(
            "GW007",
            "60 characters",
            with(notice(), |d| {
                d.title = format!("鹤山市人民政府关于{}的通知", "开".repeat(47))
            }),
        ),
        fire(
            "GW008",
            "请示报告",
            with(typed(notice(), "报告"), |d| {
                d.title = "鹤山市人民政府关于道路改造的请示报告".into()
            }),
            F::Title,
        ),
        fire(
            "GW008",
            "的通知的通知",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于转发省政府关于开展检查的通知的通知".into()
            }),
            F::Title,
        ),
        quiet(
            "GW008",
            "转发 with 书名号",
            with(notice(), |d| {
                d.title = "鹤山市人民政府关于转发《省政府关于开展检查的通知》的通知".into()
            }),
        ),
        fire(
            "GW009",
            "通知 without 主送",
            with(notice(), |d| d.main_recipients.clear()),
            F::MainRecipients,
        ),
        quiet(
            "GW009",
            "公告 without 主送",
            with(typed(notice(), "公告"), |d| {
                d.title = "鹤山市人民政府公告".into();
                d.main_recipients.clear();
            }),
        ),
        fire(
            "GW010",
            "请示 to two organs",
            with(request(), |d| d.main_recipients.push("鹤山市财政局".into())),
            F::MainRecipients,
        ),
        quiet("GW010", "请示 to one organ", request()),
        fire(
            "GW011",
            "请示 cc a subordinate",
            with(request(), |d| d.cc.push("共和镇财政所".into())),
            F::Cc,
        ),
        in_ctx(
            quiet(
                "GW011",
                "directory unknown",
                with(request(), |d| d.cc.push("共和镇财政所".into())),
            ),
            |c| LintContext {
                subordinates: None,
                ..c
            },
        ),
        quiet("GW011", "cc a superior's department", request()),
        fire(
            "GW011",
            "报告 cc a subordinate",
            with(typed(request(), "报告"), |d| {
                d.title = "鹤山市共和镇人民政府关于道路情况的报告".into();
                d.body = "已完成。".into();
                d.cc.push("共和镇和平村委会".into());
            }),
            F::Cc,
        ),
        quiet(
            "GW011",
            "下行文 cc a subordinate",
            with(notice(), |d| d.cc.push("共和镇和平村委会".into())),
        ),
        fire(
            "GW012",
            "two requests",
            with(request(), |d| {
                d.title = "鹤山市共和镇人民政府关于申请道路资金和申请编制的请示".into()
            }),
            F::Title,
        ),
        fire(
            "GW012",
            "等事项",
            with(request(), |d| {
                d.title = "鹤山市共和镇人民政府关于道路改造等事项的请示".into()
            }),
            F::Title,
        ),
        quiet("GW012", "one request", request()),
        fire(
            "GW013",
            "报告 asks for approval",
            with(typed(request(), "报告"), |d| {
                d.title = "鹤山市共和镇人民政府关于道路改造情况的报告".into()
            }),
            F::Body,
        ),
        quiet(
            "GW013",
            "报告 only reports",
            with(typed(request(), "报告"), |d| {
                d.title = "鹤山市共和镇人民政府关于道路改造情况的报告".into();
                d.body = "一、基本情况\n已完成改造。\n特此报告。".into();
            }),
        ),
        fire(
            "GW014",
            "上行文 without 签发人",
            with(request(), |d| d.signers.clear()),
            F::Signers,
        ),
        fire(
            "GW014",
            "请示 without direction or 签发人",
            with(request(), |d| {
                d.signers.clear();
                d.direction = None;
            }),
            F::Signers,
        ),
        quiet("GW014", "上行文 with 签发人", request()),
        fire(
            "GW015",
            "报告 to two superiors",
            with(typed(request(), "报告"), |d| {
                d.title = "鹤山市共和镇人民政府关于道路情况的报告".into();
                d.body = "已完成。".into();
                d.main_recipients.push("鹤山市交通运输局".into());
            }),
            F::MainRecipients,
        ),
        quiet(
            "GW015",
            "报告 to one superior",
            with(typed(request(), "报告"), |d| {
                d.title = "鹤山市共和镇人民政府关于道路情况的报告".into();
                d.body = "已完成。".into();
            }),
        ),
        fire(
            "GW016",
            "下行文 with 签发人",
            with(notice(), |d| d.signers = strings(&["王志强"])),
            F::Signers,
        ),
        quiet("GW016", "命令 with 签发人", order()),
        fire(
            "GW017",
            "请示 marked 下行文",
            with(request(), |d| {
                d.direction = Some(gongwen_domain::document::Direction::Down)
            }),
            F::Direction,
        ),
        quiet("GW017", "请示 marked 上行文", request()),
        fire(
            "GW018",
            "批复 to two organs",
            with(typed(notice(), "批复"), |d| {
                d.title = "鹤山市人民政府关于共和镇道路改造资金的批复".into()
            }),
            F::MainRecipients,
        ),
        quiet(
            "GW018",
            "批复 to one organ",
            with(typed(notice(), "批复"), |d| {
                d.title = "鹤山市人民政府关于共和镇道路改造资金的批复".into();
                d.main_recipients = strings(&["鹤山市共和镇人民政府"]);
            }),
        ),
        fire(
            "GW019",
            "issuing without 成文日期",
            with(notice(), |d| {
                d.date = None;
                d.printing = None;
            }),
            F::Date,
        ),
        in_ctx(
            quiet(
                "GW019",
                "a draft without 成文日期",
                with(notice(), |d| d.date = None),
            ),
            |c| c.stage(Stage::Draft),
        ),
        fire(
            "GW020",
            "months ahead",
            with(notice(), |d| d.date = Some(date("2027-03-01"))),
            F::Date,
        ),
        fire(
            "GW020",
            "tomorrow",
            with(notice(), |d| {
                d.date = Some(date("2026-11-29"));
                d.printing = None;
            }),
            F::Date,
        ),
        quiet(
            "GW020",
            "today",
            with(notice(), |d| {
                d.date = Some(date("2026-11-28"));
                d.printing = None;
            }),
        ),
        in_ctx(
            quiet(
                "GW020",
                "no clock",
                with(notice(), |d| d.date = Some(date("2027-03-01"))),
            ),
            |c| LintContext { today: None, ..c },
        ),
        fire(
            "GW021",
            "印发 before 成文",
            with(notice(), |d| {
                d.printing.as_mut().unwrap().date = date("2026-11-19")
            }),
            F::Printing,
        ),
        quiet(
            "GW021",
            "印发 after 成文",
            with(notice(), |d| {
                d.printing.as_mut().unwrap().date = date("2026-11-21")
            }),
        ),
        fire(
            "GW022",
            "name ends with 。",
            with(notice(), |d| d.attachments[0].name.push('。')),
            F::Attachments,
        ),
        quiet(
            "GW022",
            "name ends with a bracket",
            with(notice(), |d| {
                d.attachments[0].name = "安全生产大检查工作方案（试行）".into()
            }),
        ),
        fire(
            "GW023",
            "1. in the name",
            with(notice(), |d| {
                d.attachments[0].name = "1.安全生产大检查工作方案".into()
            }),
            F::Attachments,
        ),
        fire(
            "GW023",
            "附件2： in the name",
            with(notice(), |d| d.attachments[0].name = "附件2：统计表".into()),
            F::Attachments,
        ),
        quiet(
            "GW023",
            "a year at the start",
            with(notice(), |d| {
                d.attachments[0].name = "2026年安全生产大检查工作方案".into()
            }),
        ),
        fire(
            "GW024",
            "cc ends with 。",
            with(notice(), |d| d.cc[0].push('。')),
            F::Cc,
        ),
        fire(
            "GW024",
            "two organs in one cc entry",
            with(notice(), |d| d.cc[0] = "市委办公室，市政协办公室".into()),
            F::Cc,
        ),
        quiet(
            "GW024",
            "one organ per entry",
            with(notice(), |d| d.cc.push("市政协办公室".into())),
        ),
        fire(
            "GW025",
            "主送 ends with ：",
            with(notice(), |d| d.main_recipients[1].push('：')),
            F::MainRecipients,
        ),
        quiet("GW025", "plain names", notice()),
        fire(
            "GW026",
            "秘密 without 份号",
            with(notice(), |d| {
                secret(d);
                d.copy_number = None;
            }),
            F::CopyNumber,
        ),
        quiet("GW026", "秘密 with 份号", with(notice(), secret)),
        fire(
            "GW027",
            "份号 12",
            with(notice(), |d| d.copy_number = Some("12".into())),
            F::CopyNumber,
        ),
        fire(
            "GW027",
            "份号 with letters",
            with(notice(), |d| d.copy_number = Some("A00001".into())),
            F::CopyNumber,
        ),
        quiet(
            "GW027",
            "份号 000012",
            with(notice(), |d| d.copy_number = Some("000012".into())),
        ),
        in_ctx(
            fire(
                "GW028",
                "秘密 by electronic exchange",
                with(notice(), secret),
                F::Secrecy,
            ),
            |c| c.electronic_exchange(true),
        ),
        quiet("GW028", "秘密 on paper", with(notice(), secret)),
        in_ctx(quiet("GW028", "not secret, electronic", notice()), |c| {
            c.electronic_exchange(true)
        }),
        fire(
            "GW029",
            "term with ★",
            with(notice(), |d| {
                secret(d);
                d.secrecy.as_mut().unwrap().term = Some("★1年".into());
            }),
            F::Secrecy,
        ),
        fire(
            "GW029",
            "term without unit",
            with(notice(), |d| {
                secret(d);
                d.secrecy.as_mut().unwrap().term = Some("5".into());
            }),
            F::Secrecy,
        ),
        quiet(
            "GW029",
            "term 长期",
            with(notice(), |d| {
                secret(d);
                d.secrecy.as_mut().unwrap().term = Some("长期".into());
            }),
        ),
        fire(
            "GW030",
            "two-digit year",
            with(notice(), |d| d.doc_number.as_mut().unwrap().year = 26),
            F::DocNumber,
        ),
        fire(
            "GW030",
            "bracket in 代字",
            with(notice(), |d| {
                d.doc_number.as_mut().unwrap().prefix = "鹤府[".into()
            }),
            F::DocNumber,
        ),
        quiet("GW030", "valid", notice()),
        fire(
            "GW031",
            "issuing without 文号",
            with(notice(), |d| d.doc_number = None),
            F::DocNumber,
        ),
        in_ctx(
            quiet(
                "GW031",
                "a draft without 文号",
                with(notice(), |d| d.doc_number = None),
            ),
            |c| c.stage(Stage::Draft),
        ),
        fire(
            "GW032",
            "文号 of last year",
            with(notice(), |d| d.doc_number.as_mut().unwrap().year = 2025),
            F::DocNumber,
        ),
        quiet("GW032", "same year", notice()),
        fire(
            "GW033",
            "two issuers, one 署名",
            with(notice(), |d| {
                d.issuers.push(Issuer {
                    name: "鹤山市应急管理局".into(),
                    mark: None,
                })
            }),
            F::Signatures,
        ),
        fire(
            "GW033",
            "署名 in another order",
            with(notice(), |d| {
                d.issuers.push(Issuer {
                    name: "鹤山市应急管理局".into(),
                    mark: None,
                });
                d.signatures = strings(&["鹤山市应急管理局", "鹤山市人民政府"]);
            }),
            F::Signatures,
        ),
        quiet(
            "GW033",
            "two issuers, two 署名",
            with(notice(), |d| {
                d.issuers.push(Issuer {
                    name: "鹤山市应急管理局".into(),
                    mark: None,
                });
                d.signatures.push("鹤山市应急管理局".into());
            }),
        ),
        fire(
            "GW034",
            "issuing without 署名",
            with(notice(), |d| d.signatures.clear()),
            F::Signatures,
        ),
        quiet("GW034", "纪要 has no 署名", minutes()),
        fire(
            "GW035",
            "issuing without 发文机关",
            with(notice(), |d| {
                d.issuers.clear();
                d.title = "关于开展安全生产大检查的通知".into();
            }),
            F::Issuers,
        ),
        in_ctx(
            quiet(
                "GW035",
                "a draft without 发文机关",
                with(notice(), |d| d.issuers.clear()),
            ),
            |c| c.stage(Stage::Draft),
        ),
        fire(
            "GW036",
            "署名 without 印章",
            with(notice(), |d| d.seal = Seal::Flag(false)),
            F::Seal,
        ),
        quiet(
            "GW036",
            "seal image",
            with(notice(), |d| d.seal = Seal::Image("seal.png".into())),
        ),
        fire(
            "GW037",
            "empty body",
            with(notice(), |d| d.body.clear()),
            F::Body,
        ),
        fire(
            "GW037",
            "blank lines only",
            with(notice(), |d| d.body = "\n \u{3000}\n".into()),
            F::Body,
        ),
        quiet("GW037", "body", notice()),
        fire(
            "GW038",
            "一 then 三",
            with(notice(), |d| d.body = "一、甲\n三、乙".into()),
            F::Body,
        ),
        fire(
            "GW038",
            "（一） twice",
            with(notice(), |d| d.body = "一、甲\n（一）乙\n（一）丙".into()),
            F::Body,
        ),
        fire(
            "GW038",
            "starts at 2.",
            with(notice(), |d| d.body = "一、甲\n2.乙".into()),
            F::Body,
        ),
        quiet(
            "GW038",
            "lower levels restart under each heading",
            with(notice(), |d| {
                d.body = "一、甲\n（一）乙\n1.丙\n2.丁\n二、戊\n（一）己\n1.庚".into()
            }),
        ),
        fire(
            "GW039",
            "1、",
            with(notice(), |d| d.body = "1、排查".into()),
            F::Body,
        ),
        fire(
            "GW039",
            "（一）、",
            with(notice(), |d| d.body = "（一）、排查".into()),
            F::Body,
        ),
        fire(
            "GW039",
            "一.",
            with(notice(), |d| d.body = "一.排查".into()),
            F::Body,
        ),
        quiet("GW039", "standard numbering", notice()),
        fire(
            "GW040",
            "03月05日 in the body",
            with(notice(), |d| d.body = "请于2026年03月05日前报送。".into()),
            F::Body,
        ),
        fire(
            "GW040",
            "in the 附注",
            with(notice(), |d| {
                d.note = Some("截止时间：2026年12月05日".into())
            }),
            F::Note,
        ),
        quiet(
            "GW040",
            "no padding",
            with(notice(), |d| {
                d.body = "请于2026年3月5日前报送，30日内办结。".into()
            }),
        ),
        fire(
            "GW041",
            "函 in 文件格式",
            with(typed(notice(), "函"), |d| {
                d.title = "鹤山市人民政府关于商请支持道路建设的函".into()
            }),
            F::Format,
        ),
        fire(
            "GW041",
            "命令格式 for a 通知",
            with(notice(), |d| d.format = Format::Order),
            F::Format,
        ),
        quiet(
            "GW041",
            "函 in 信函格式",
            with(typed(notice(), "函"), |d| {
                d.title = "鹤山市人民政府关于商请支持道路建设的函".into();
                d.format = Format::Letter;
            }),
        ),
        fire(
            "GW042",
            "令号 on a 通知",
            with(notice(), |d| d.order_number = Some(3)),
            F::OrderNumber,
        ),
        fire(
            "GW042",
            "命令 issued without 令号",
            with(order(), |d| d.order_number = None),
            F::OrderNumber,
        ),
        fire(
            "GW042",
            "命令 issued without 签发人职务",
            with(order(), |d| d.signer_title = None),
            F::SignerTitle,
        ),
        fire(
            "GW042",
            "令号 0",
            with(order(), |d| d.order_number = Some(0)),
            F::OrderNumber,
        ),
        quiet("GW042", "complete 命令", order()),
        fire(
            "GW043",
            "纪要 without 出席",
            with(minutes(), |d| d.minutes = None),
            F::Minutes,
        ),
        quiet("GW043", "纪要 with 出席", minutes()),
        fire(
            "GW044",
            "主送 twice",
            with(notice(), |d| d.main_recipients.push("各镇人民政府".into())),
            F::MainRecipients,
        ),
        fire(
            "GW044",
            "both 主送 and 抄送",
            with(notice(), |d| d.cc.push("市政府各部门".into())),
            F::Cc,
        ),
        quiet("GW044", "distinct organs", notice()),
        fire(
            "GW045",
            "blank 主送 entry",
            with(notice(), |d| d.main_recipients.push(" ".into())),
            F::MainRecipients,
        ),
        quiet("GW045", "no blank entries", notice()),
    ]
}

fn findings_of<'a>(rule: &str, all: &'a [Finding]) -> Vec<&'a Finding> {
    all.iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn every_rule_triggers_and_stays_quiet() {
    let mut failures = Vec::new();
    for c in cases() {
        let all = lint(&c.doc, &c.ctx);
        let mine = findings_of(c.rule, &all);
        match c.fires_on {
            Some(field) if !mine.iter().any(|f| f.element.field == field) => {
                failures.push(format!(
                    "{} ({}) should fire on {field:?}; got {all:#?}",
                    c.rule, c.what
                ));
            }
            None if !mine.is_empty() => failures.push(format!(
                "{} ({}) should be quiet; got {mine:#?}",
                c.rule, c.what
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_triggering_and_a_quiet_case() {
    let cases = cases();
    for r in rules() {
        assert!(
            cases.iter().any(|c| c.rule == r.id && c.fires_on.is_some()),
            "{} has no triggering case",
            r.id
        );
        assert!(
            cases.iter().any(|c| c.rule == r.id && c.fires_on.is_none()),
            "{} has no quiet case",
            r.id
        );
        assert!(
            !r.title.is_empty() && !r.description.is_empty() && !r.basis.is_empty(),
            "{}",
            r.id
        );
    }
    for c in &cases {
        assert!(
            rules().iter().any(|r| r.id == c.rule),
            "case for unknown rule {}",
            c.rule
        );
    }
    assert!(rules().len() >= 15);
}

#[test]
fn the_reference_documents_are_clean() {
    for doc in [notice(), request(), order(), minutes()] {
        let all = lint(&doc, &ctx());
        assert!(all.is_empty(), "{}: {all:#?}", doc.title);
    }
}

#[test]
fn messages_point_at_the_problem() {
    let doc = with(notice(), |d| d.body = "一、甲\n\n（一）乙\n（三）丙".into());
    let all = lint(&doc, &ctx());
    let f = findings_of("GW038", &all)[0];
    assert_eq!(f.element, Element::item(Field::Body, 3));
    assert!(f.message.contains("（二）"), "{}", f.message);

    let doc = with(notice(), |d| d.copy_number = Some("12".into()));
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW027")
        .unwrap();
    assert!(f.message.contains("000012"), "{}", f.message);

    let doc = with(notice(), |d| {
        d.doc_type = None;
        d.title = "鹤山市安全生产检查办法".into();
    });
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW001")
        .unwrap();
    assert!(f.message.contains("“办法”不是法定文种"), "{}", f.message);

    let doc = with(notice(), |d| {
        d.title = "鹤山市人民政府关于公布鹤山市城市绿化管理办法".into()
    });
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW003")
        .unwrap();
    assert!(f.message.contains("“办法”不是法定文种"), "{}", f.message);

    let doc = with(notice(), |d| {
        d.doc_type = None;
        d.title = "鹤山市人民政府通令".into();
    });
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW001")
        .unwrap();
    assert!(f.message.contains("“通令”不是法定文种"), "{}", f.message);

    let doc = with(notice(), |d| d.doc_type = None);
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW001")
        .unwrap();
    assert!(f.message.contains("可选择文种“通知”"), "{}", f.message);

    let doc = with(request(), |d| {
        d.cc = strings(&["鹤山市财政局", "共和镇和平村委会"])
    });
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW011")
        .unwrap();
    assert_eq!(f.element, Element::item(Field::Cc, 1));
    assert!(f.message.contains("共和镇和平村委会"));
}

#[test]
fn severity_depends_on_how_far_in_the_future() {
    let sev = |d: &str| {
        let doc = with(notice(), |x| {
            x.date = Some(date(d));
            x.printing = None;
        });
        lint(&doc, &ctx())
            .into_iter()
            .find(|f| f.rule == "GW020")
            .map(|f| f.severity)
    };
    assert_eq!(sev("2026-12-01"), Some(Severity::Warning));
    assert_eq!(sev("2026-12-28"), Some(Severity::Warning));
    assert_eq!(sev("2026-12-29"), Some(Severity::Error));
    assert_eq!(sev("2026-11-01"), None);
}

#[test]
fn findings_serialize_for_the_ui() {
    let doc = with(request(), |d| d.main_recipients.push("鹤山市财政局".into()));
    let f = lint(&doc, &ctx())
        .into_iter()
        .find(|f| f.rule == "GW010")
        .unwrap();
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(v["rule"], "GW010");
    assert_eq!(v["severity"], "error");
    assert_eq!(
        v["element"],
        serde_json::json!({ "field": "main_recipients", "index": 1 })
    );
    let whole = serde_json::to_value(Element::field(Field::DocNumber)).unwrap();
    assert_eq!(whole, serde_json::json!({ "field": "doc_number" }));
    let listed = serde_json::to_value(rules()).unwrap();
    assert_eq!(listed[9]["name"], "request-single-recipient");
}

#[test]
fn lint_is_deterministic() {
    let doc = with(notice(), |d| {
        d.title.push('。');
        d.cc[0].push('。');
        d.doc_type = None;
    });
    let a = lint(&doc, &ctx());
    assert_eq!(a, lint(&doc, &ctx()));
    let ids: BTreeSet<_> = a.iter().map(|f| f.rule).collect();
    assert!(ids.len() >= 3, "{a:#?}");
}
