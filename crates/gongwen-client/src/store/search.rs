//! Full-text search in Chinese with FTS5 over overlapping bigrams.
//!
//! FTS5's `unicode61` tokenizer keeps a run of CJK characters as one token, which
//! would make "通知" unfindable inside "关于…的通知". So text is split here, before it
//! reaches FTS5, into space-separated terms:
//!
//! - a run of CJK characters becomes its overlapping bigrams plus its last character
//!   (`公文通知` → `公文 文通 通知 知`); a single character stays itself;
//! - a run of letters/digits becomes one lower-cased term (`GB9704`, `2026`);
//! - everything else separates terms.
//!
//! A query is split the same way into a phrase (`"公文 文通 通知"`): consecutive bigrams
//! must be adjacent, so a match is a true substring match (a CJK run followed by
//! digits or letters also keeps its last character, as the index does). A query ending in a single
//! CJK character (`2026年`, `局`) uses a prefix on that last term. Several words are
//! AND-ed. Ranking is bm25 with per-column weights.
//!
//! The alternative (the built-in `trigram` tokenizer plus a LIKE scan for 1–2 character
//! queries) was measured by the `store` benchmark; see BENCHMARKS.md.

use rusqlite::{Connection, Transaction, params};

use crate::error::{Error, Result};

/// The text of one document as indexed, column by column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexedText {
    pub title: String,
    pub body: String,
    pub recipients: String,
    pub doc_number: String,
    pub attachments: String,
}

/// bm25 weights: title, body, recipients, doc_number, attachments.
const WEIGHTS: &str = "10.0, 1.0, 3.0, 5.0, 2.0";

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F
        | 0x3040..=0x30FF | 0xAC00..=0xD7AF | 0x3005 | 0x3007)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    Cjk(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cur: Option<Run> = None;
    for c in text.chars() {
        if is_cjk(c) {
            match &mut cur {
                Some(Run::Cjk(v)) => v.push(c),
                _ => {
                    out.extend(cur.take());
                    cur = Some(Run::Cjk(vec![c]));
                }
            }
        } else if c.is_alphanumeric() {
            match &mut cur {
                Some(Run::Word(w)) => w.extend(c.to_lowercase()),
                _ => {
                    out.extend(cur.take());
                    cur = Some(Run::Word(c.to_lowercase().collect()));
                }
            }
        } else {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// The terms to index for `text`, space separated.
pub fn index_terms(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut push = |t: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    };
    for run in runs(text) {
        match run {
            Run::Word(w) => push(&w),
            Run::Cjk(cs) => {
                for pair in cs.windows(2) {
                    let s: String = pair.iter().collect();
                    push(&s);
                }
                let last: String = cs[cs.len() - 1..].iter().collect();
                push(&last);
            }
        }
    }
    out
}

/// Turns what the user typed into an FTS5 MATCH expression, or `None` when nothing
/// in it is searchable.
pub fn match_expression(query: &str) -> Option<String> {
    let mut phrases = Vec::new();
    for word in query.split_whitespace() {
        let rs = runs(word);
        let n = rs.len();
        let mut terms = Vec::new();
        let mut prefix = false;
        for (i, run) in rs.into_iter().enumerate() {
            match run {
                Run::Word(w) => terms.push(w),
                Run::Cjk(cs) if cs.len() == 1 => {
                    terms.push(cs[0].to_string());
                    prefix = i + 1 == n;
                }
                Run::Cjk(cs) => {
                    terms.extend(cs.windows(2).map(|p| p.iter().collect::<String>()));
                    // A run followed by more of the query ends here in the text too, so
                    // the index has its last character as a term before what follows.
                    if i + 1 < n {
                        terms.push(cs[cs.len() - 1].to_string());
                    }
                }
            }
        }
        if terms.is_empty() {
            continue;
        }
        // Terms contain only letters, digits and CJK characters: no quoting needed
        // beyond the phrase's own quotes.
        let mut phrase = format!("\"{}\"", terms.join(" "));
        if prefix {
            phrase.push('*');
        }
        phrases.push(phrase);
    }
    if phrases.is_empty() {
        None
    } else {
        Some(phrases.join(" AND "))
    }
}

/// Replaces the index entry of draft `num`.
pub fn index(tx: &Transaction<'_>, num: i64, text: &IndexedText) -> Result<()> {
    tx.execute("DELETE FROM search_index WHERE rowid = ?1", [num])?;
    tx.execute(
        "INSERT INTO search_index (rowid, title, body, recipients, doc_number, attachments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            num,
            index_terms(&text.title),
            index_terms(&text.body),
            index_terms(&text.recipients),
            index_terms(&text.doc_number),
            index_terms(&text.attachments),
        ],
    )?;
    Ok(())
}

/// Removes draft `num` from the index.
pub fn unindex(tx: &Transaction<'_>, num: i64) -> Result<()> {
    tx.execute("DELETE FROM search_index WHERE rowid = ?1", [num])?;
    Ok(())
}

/// Runs a query: the best `limit` matches as (drafts.num, bm25 score; lower is better).
pub fn query(conn: &Connection, query: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
    let expr = match_expression(query).ok_or(Error::EmptyQuery)?;
    let sql = format!(
        "SELECT rowid, bm25(search_index, {WEIGHTS}) AS score FROM search_index
         WHERE search_index MATCH ?1 ORDER BY score LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![expr, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A piece of highlighted text: `hit` marks the parts that match the query.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Splits `text` into segments, marking every occurrence of any query word
/// (case-insensitive for Latin letters).
pub fn highlight(text: &str, query: &str) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut hit = vec![false; chars.len()];
    for word in query.split_whitespace() {
        let w: Vec<char> = word
            .chars()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect();
        if w.is_empty() || w.len() > lower.len() {
            continue;
        }
        for start in 0..=lower.len() - w.len() {
            if lower[start..start + w.len()] == w[..] {
                hit[start..start + w.len()]
                    .iter_mut()
                    .for_each(|h| *h = true);
            }
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    for (c, h) in chars.into_iter().zip(hit) {
        match out.last_mut() {
            Some(seg) if seg.hit == h => seg.text.push(c),
            _ => out.push(Segment {
                text: c.to_string(),
                hit: h,
            }),
        }
    }
    out
}

/// A window of about `width` characters of `text` around the first match of the
/// query, highlighted. Starts at the beginning when nothing matches.
pub fn snippet(text: &str, query: &str, width: usize) -> Vec<Segment> {
    let flat: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let segs = highlight(&flat, query);
    let total: usize = segs.iter().map(|s| s.text.chars().count()).sum();
    let first_hit = {
        let mut pos = 0;
        let mut found = None;
        for s in &segs {
            if s.hit {
                found = Some(pos);
                break;
            }
            pos += s.text.chars().count();
        }
        found.unwrap_or(0)
    };
    let start = first_hit
        .saturating_sub(width / 4)
        .min(total.saturating_sub(width));
    let end = (start + width).min(total);
    let mut out = Vec::new();
    let mut pos = 0;
    for s in segs {
        let len = s.text.chars().count();
        let (a, b) = (pos.max(start), (pos + len).min(end));
        if a < b {
            let text: String = s.text.chars().skip(a - pos).take(b - a).collect();
            out.push(Segment { text, hit: s.hit });
        }
        pos += len;
    }
    if start > 0 {
        out.insert(
            0,
            Segment {
                text: "…".into(),
                hit: false,
            },
        );
    }
    if end < total {
        out.push(Segment {
            text: "…".into(),
            hit: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_bigrams_plus_last_char() {
        assert_eq!(index_terms("公文通知"), "公文 文通 通知 知");
        assert_eq!(index_terms("局"), "局");
        assert_eq!(index_terms("GB/T 9704-2012 关于"), "gb t 9704 2012 关于 于");
        assert_eq!(index_terms("鹤府〔2026〕12号"), "鹤府 府 2026 12 号");
    }

    #[test]
    fn queries_become_phrases() {
        assert_eq!(match_expression("通知").unwrap(), "\"通知\"");
        assert_eq!(match_expression("安全生产").unwrap(), "\"安全 全生 生产\"");
        assert_eq!(match_expression("2026年").unwrap(), "\"2026 年\"*");
        assert_eq!(match_expression("局").unwrap(), "\"局\"*");
        assert_eq!(
            match_expression("鹤府〔2026〕12号").unwrap(),
            "\"鹤府 府 2026 12 号\"*"
        );
        assert_eq!(
            match_expression("通知  检查").unwrap(),
            "\"通知\" AND \"检查\""
        );
        assert_eq!(
            match_expression("\"AND\" OR").unwrap(),
            "\"and\" AND \"or\""
        );
        assert_eq!(match_expression("，。！"), None);
        assert_eq!(match_expression("   "), None);
    }

    #[test]
    fn highlight_marks_every_occurrence() {
        let segs = highlight("关于通知的通知", "通知");
        let marked: Vec<(&str, bool)> = segs.iter().map(|s| (s.text.as_str(), s.hit)).collect();
        assert_eq!(
            marked,
            vec![
                ("关于", false),
                ("通知", true),
                ("的", false),
                ("通知", true)
            ]
        );
        assert!(
            highlight("Hello GB", "gb")
                .iter()
                .any(|s| s.hit && s.text == "GB")
        );
    }

    #[test]
    fn snippet_centres_on_the_first_hit() {
        let text = format!("{}安全生产{}", "甲".repeat(200), "乙".repeat(200));
        let s = snippet(&text, "安全", 40);
        assert_eq!(s.first().unwrap().text, "…");
        assert_eq!(s.last().unwrap().text, "…");
        assert!(s.iter().any(|x| x.hit && x.text == "安全"));
        let len: usize = s.iter().map(|x| x.text.chars().count()).sum();
        assert_eq!(len, 42);
    }

    #[test]
    fn two_char_words_are_found_inside_longer_runs() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            let text = IndexedText {
                title: "鹤山市人民政府关于开展安全生产大检查的通知".into(),
                body: "各镇人民政府：现将有关事项通知如下。".into(),
                ..Default::default()
            };
            index(tx, 1, &text)?;
            index(
                tx,
                2,
                &IndexedText {
                    title: "关于申请资金的请示".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
        let hits = |q: &str| {
            db.read(|c| query(c, q, 10))
                .unwrap()
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(hits("通知"), vec![1]);
        assert_eq!(hits("安全生产"), vec![1]);
        let mut both = hits("关于");
        both.sort();
        assert_eq!(both, vec![1, 2]);
        assert_eq!(hits("请示"), vec![2]);
        assert_eq!(hits("安全 通知"), vec![1]);
        assert!(
            hits("检查通知").is_empty(),
            "not a substring: must not match"
        );
        assert_eq!(hits("示"), vec![2]);
    }
}
