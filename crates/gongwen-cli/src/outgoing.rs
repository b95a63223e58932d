//! `gongwen outgoing`: the 发文登记簿, one call into
//! [`gongwen_client::Client::outgoing_register`]. Read from the local store only.

use anyhow::{Result, anyhow};
use clap::Args;
use gongwen_client::Client;
use gongwen_client::outgoing::{OutgoingFilter, OutgoingItem, ReceiptFilter};

use crate::print_json;

#[derive(Debug, Args)]
pub struct OutgoingArgs {
    /// 文号的年份（默认今年；all 为全部年份）
    #[arg(long, value_name = "YYYY|all")]
    year: Option<String>,
    /// 文种，如 通知
    #[arg(long = "type", value_name = "文种")]
    doc_type: Option<String>,
    /// 标题或文号中包含的文字
    #[arg(long)]
    search: Option<String>,
    /// 按核发和回执情况筛选
    #[arg(long, value_name = "未核发|待签收|已签收")]
    receipts: Option<String>,
    /// 文号从小到大（默认最新的在前）
    #[arg(long)]
    asc: bool,
    /// 跳过前多少条
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// 最多显示多少条
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// 以 JSON 输出
    #[arg(long)]
    json: bool,
}

/// This year in China Standard Time, the year the register opens at.
fn this_year() -> i32 {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .year()
}

fn year_arg(arg: Option<&str>) -> Result<Option<i32>> {
    match arg.map(str::trim) {
        None => Ok(Some(this_year())),
        Some("all" | "全部") => Ok(None),
        Some(y) => y
            .trim_end_matches('年')
            .parse()
            .map(Some)
            .map_err(|_| anyhow!("年份“{y}”不对，应为四位数字（如 2026）或 all")),
    }
}

/// `2026-03-02T01:00:00.000000Z` → `2026-03-02` in China time.
fn local_day(t: &str) -> String {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map(|p| {
            let d = p.to_offset(time::macros::offset!(+8)).date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_else(|_| t.to_owned())
}

fn print_item(i: &OutgoingItem) {
    let mut tags = String::new();
    if let Some(u) = &i.urgency {
        tags.push_str(&format!("[{u}]"));
    }
    if let Some(s) = &i.secrecy {
        tags.push_str(&format!("[{s}]"));
    }
    if i.pending_sync {
        tags.push_str("[待同步]");
    }
    if !tags.is_empty() {
        tags.push(' ');
    }
    let number = i.doc_number.as_deref().unwrap_or("（待编号）");
    println!("{number}  {tags}{}", i.title);
    let mut facts = vec![i.doc_type.clone().unwrap_or_else(|| "—".into())];
    if !i.main_recipients.is_empty() {
        facts.push(format!("主送：{}", i.main_recipients.join("、")));
    }
    if !i.signers.is_empty() {
        facts.push(format!("签发：{}", i.signers.join("、")));
    }
    if let Some(d) = &i.doc_date {
        facts.push(format!("成文：{d}"));
    }
    println!("    {}", facts.join("　"));
    let state = match (&i.dispatched_at, i.state_label.as_str()) {
        (Some(at), label) => format!("{label}（{}）", local_day(at)),
        (None, "办理中") => format!("办理中：{}", i.now_at),
        (None, label) => label.to_owned(),
    };
    let receipts = if i.dispatched_at.is_some() {
        format!("回执 {}/{} 已签收", i.receipts_signed, i.receipts_total)
    } else {
        format!("主送、抄送 {} 个单位", i.receipts_total)
    };
    println!("    {state}　{receipts}　公文 {}", i.document_id);
    if i.doc_number.is_none() {
        println!("    已在本机登记，联网同步后由服务器分配文号");
    }
}

pub fn run(client: &Client, a: &OutgoingArgs) -> Result<()> {
    let receipts = match a.receipts.as_deref() {
        None => None,
        Some(r) => Some(
            ReceiptFilter::parse(r)
                .ok_or_else(|| anyhow!("回执情况“{r}”不对，可选：未核发、待签收、已签收"))?,
        ),
    };
    let year = year_arg(a.year.as_deref())?;
    let filter = OutgoingFilter {
        year,
        doc_type: a.doc_type.clone(),
        text: a.search.clone(),
        receipts,
        ascending: a.asc,
    };
    let page = client.outgoing_register(&filter, a.offset, a.limit)?;
    if a.json {
        return print_json(&page);
    }
    let scope = year.map_or_else(|| "全部年份".to_owned(), |y| format!("{y}年"));
    let filtered = a.doc_type.is_some() || a.search.is_some() || receipts.is_some();
    if page.items.is_empty() {
        if filtered {
            println!("{scope}没有符合条件的发文");
        } else {
            println!("{scope}暂无发文登记（登记后取得文号的发文会列在这里）");
        }
        return Ok(());
    }
    println!("发文登记（{scope}，共 {} 件）", page.total);
    for item in &page.items {
        print_item(item);
    }
    if page.has_more {
        println!(
            "还有更多，用 --offset {} 查看下一页",
            a.offset + page.items.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_a_number_or_all() {
        assert_eq!(year_arg(Some("2025")).unwrap(), Some(2025));
        assert_eq!(year_arg(Some("2025年")).unwrap(), Some(2025));
        assert_eq!(year_arg(Some("all")).unwrap(), None);
        assert_eq!(year_arg(None).unwrap(), Some(this_year()));
        assert!(
            year_arg(Some("去年"))
                .unwrap_err()
                .to_string()
                .contains("四位数字")
        );
    }

    #[test]
    fn times_show_as_china_days() {
        assert_eq!(local_day("2026-03-01T17:00:00.000000Z"), "2026-03-02");
        assert_eq!(local_day("不是时间"), "不是时间");
    }
}
