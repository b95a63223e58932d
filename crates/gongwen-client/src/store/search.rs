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
//!
//! ## Deferred indexing
//!
//! Indexing costs more than everything else a draft's arrival does (tokenising about
//! 1,400 bigrams per 2 KB 通知), so a large sync page does not index its new drafts
//! ([`defer_from`]): it lowers a watermark, `meta.search_indexed_through`, below them.
//! Every draft whose `num` is at or below the watermark has a current index entry;
//! the ones above it may not. [`catch_up`] indexes them in batches (the sync engine runs
//! it after its stages, one short transaction per batch) and raises the watermark; once
//! it reaches the last draft the key is removed (no backlog).
//!
//! Search never misses a document while the indexer is behind: [`query`] takes index
//! hits only at or below the watermark and scans the drafts above it directly (a
//! substring pre-filter in SQL, then the same phrase rule the index applies, on the
//! same terms), so the answer is the same set as with a complete index. Those hits have
//! no bm25 score: they come after the ranked ones, newest first, with score 0.

use gongwen_domain::Document;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::{Error, Result};

/// The `meta` key of the indexing watermark (see the module docs).
const INDEXED_THROUGH: &str = "search_indexed_through";

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

/// One phrase of a query (one word the user typed): consecutive terms, the last one a
/// prefix when the word ends in a single CJK character. `runs` are the pieces of the
/// word each of which must occur in the text as typed (CJK) or case-insensitively
/// (ASCII letters and digits): a cheap pre-filter for the scan of unindexed drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Phrase {
    terms: Vec<String>,
    prefix: bool,
    cjk_runs: Vec<String>,
    ascii_runs: Vec<String>,
}

impl Phrase {
    /// Whether the phrase occurs in a column given as its index terms, the way FTS5
    /// matches a phrase: consecutive terms, the last one by prefix when `prefix`.
    fn occurs_in(&self, column: &[&str]) -> bool {
        let n = self.terms.len();
        if n == 0 || column.len() < n {
            return false;
        }
        column.windows(n).any(|w| {
            w.iter()
                .zip(&self.terms)
                .enumerate()
                .all(|(i, (have, want))| {
                    if self.prefix && i + 1 == n {
                        have.starts_with(want.as_str())
                    } else {
                        *have == want.as_str()
                    }
                })
        })
    }
}

fn phrases(query: &str) -> Vec<Phrase> {
    let mut out = Vec::new();
    for word in query.split_whitespace() {
        let rs = runs(word);
        let n = rs.len();
        let mut phrase = Phrase {
            terms: Vec::new(),
            prefix: false,
            cjk_runs: Vec::new(),
            ascii_runs: Vec::new(),
        };
        for (i, run) in rs.into_iter().enumerate() {
            match run {
                Run::Word(w) => {
                    if w.is_ascii() {
                        phrase.ascii_runs.push(w.clone());
                    }
                    phrase.terms.push(w);
                }
                Run::Cjk(cs) => {
                    phrase.cjk_runs.push(cs.iter().collect());
                    if cs.len() == 1 {
                        phrase.terms.push(cs[0].to_string());
                        phrase.prefix = i + 1 == n;
                    } else {
                        phrase
                            .terms
                            .extend(cs.windows(2).map(|p| p.iter().collect::<String>()));
                        // A run followed by more of the query ends here in the text too,
                        // so the index has its last character as a term before what
                        // follows.
                        if i + 1 < n {
                            phrase.terms.push(cs[cs.len() - 1].to_string());
                        }
                    }
                }
            }
        }
        if !phrase.terms.is_empty() {
            out.push(phrase);
        }
    }
    out
}

/// Turns what the user typed into an FTS5 MATCH expression, or `None` when nothing
/// in it is searchable.
pub fn match_expression(query: &str) -> Option<String> {
    let phrases = phrases(query);
    if phrases.is_empty() {
        return None;
    }
    let parts: Vec<String> = phrases
        .iter()
        .map(|p| {
            // Terms contain only letters, digits and CJK characters: no quoting needed
            // beyond the phrase's own quotes.
            let mut phrase = format!("\"{}\"", p.terms.join(" "));
            if p.prefix {
                phrase.push('*');
            }
            phrase
        })
        .collect();
    Some(parts.join(" AND "))
}

/// Replaces the index entry of draft `num`.
pub fn index(tx: &Transaction<'_>, num: i64, text: &IndexedText) -> Result<()> {
    tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?
        .execute([num])?;
    tx.prepare_cached(
        "INSERT INTO search_index (rowid, title, body, recipients, doc_number, attachments)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        num,
        index_terms(&text.title),
        index_terms(&text.body),
        index_terms(&text.recipients),
        index_terms(&text.doc_number),
        index_terms(&text.attachments),
    ])?;
    Ok(())
}

/// Removes draft `num` from the index.
pub fn unindex(tx: &Transaction<'_>, num: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?
        .execute([num])?;
    Ok(())
}

/// The watermark: every draft with `num` at or below it is indexed (`i64::MAX` when
/// nothing waits).
pub fn indexed_through(conn: &Connection) -> Result<i64> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([INDEXED_THROUGH], |r| r.get(0))
        .optional()?;
    match value {
        None => Ok(i64::MAX),
        Some(v) => v
            .parse()
            .map_err(|_| Error::Corrupt(format!("搜索索引进度记录无法读取：{v}"))),
    }
}

fn set_indexed_through(tx: &Transaction<'_>, through: i64) -> Result<()> {
    if through == i64::MAX {
        tx.prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([INDEXED_THROUGH])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![INDEXED_THROUGH, through.to_string()])?;
    }
    Ok(())
}

/// Leaves drafts from `num` on to [`catch_up`]: lowers the watermark below `num`.
pub fn defer_from(tx: &Transaction<'_>, num: i64) -> Result<()> {
    let through = indexed_through(tx)?;
    if num <= through {
        set_indexed_through(tx, num - 1)?;
    }
    Ok(())
}

/// How many drafts wait for [`catch_up`].
pub fn backlog(conn: &Connection) -> Result<u64> {
    let through = indexed_through(conn)?;
    if through == i64::MAX {
        return Ok(0);
    }
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM drafts WHERE num > ?1")?
        .query_row([through], |r| r.get(0))?;
    Ok(n as u64)
}

/// Drafts indexed per transaction by [`crate::Client::build_search_index`]: short
/// enough that a user action waiting for the writer is not held up noticeably.
pub const INDEX_BATCH: usize = 500;

impl crate::Client {
    /// How many drafts wait for the search index (deferred after a large sync; the
    /// sync's index stage builds it). Search finds them meanwhile, by a slower scan:
    /// the UI may say 正在建立索引 while this is not 0.
    pub fn search_backlog(&self) -> Result<u64> {
        self.db.read(backlog)
    }

    /// The index stage: indexes every draft a large sync left unindexed, one short
    /// transaction per [`INDEX_BATCH`] so that user actions interleave. Returns how
    /// many it indexed. Blocking work: the sync engine runs it on the blocking pool.
    pub fn build_search_index(&self) -> Result<u64> {
        let mut total = 0;
        loop {
            let n = self.db.write(|tx| catch_up(tx, INDEX_BATCH))?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    }
}

/// The drafts above `through`, in `num` order, with their head content.
fn heads_above(conn: &Connection, through: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    let rows = conn
        .prepare_cached(
            "SELECT d.num, v.content FROM drafts d
             JOIN draft_versions v ON v.draft_id = d.id AND v.version = d.head_version
             WHERE d.num > ?1 ORDER BY d.num LIMIT ?2",
        )?
        .query_map(params![through, limit], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Indexes up to `batch` drafts above the watermark and raises it. Returns how many
/// were indexed (0: the index is complete).
pub fn catch_up(tx: &Transaction<'_>, batch: usize) -> Result<usize> {
    let through = indexed_through(tx)?;
    if through == i64::MAX {
        return Ok(0);
    }
    let heads = heads_above(tx, through, batch.max(1) as i64)?;
    for (num, content) in &heads {
        match Document::from_json(content) {
            Ok(doc) => index(tx, *num, &crate::api::indexed_text(&doc))?,
            // Stored versions are canonical JSON written by this program; one that no
            // longer reads must not stop the indexer (it is reported where it is opened).
            Err(e) => tracing::warn!(num, error = %e.0, "unreadable draft version: not indexed"),
        }
    }
    let next = match heads.last() {
        Some((num, _)) if heads.len() == batch.max(1) => *num,
        _ => i64::MAX,
    };
    set_indexed_through(tx, next)?;
    Ok(heads.len())
}

/// Runs a query: the best `limit` matches as (drafts.num, bm25 score; lower is better).
/// Drafts not indexed yet (above the watermark) are scanned and follow the ranked
/// hits with score 0, newest first.
pub fn query(conn: &Connection, query: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
    let expr = match_expression(query).ok_or(Error::EmptyQuery)?;
    let through = indexed_through(conn)?;
    let sql = format!(
        "SELECT rowid, bm25(search_index, {WEIGHTS}) AS score FROM search_index
         WHERE search_index MATCH ?1 AND rowid <= ?3 ORDER BY score LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![expr, limit as i64, through], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let mut out: Vec<(i64, f64)> = rows.collect::<std::result::Result<_, _>>()?;
    if through != i64::MAX && out.len() < limit {
        let rest = scan_unindexed(conn, &phrases(query), through, limit - out.len())?;
        out.extend(rest.into_iter().map(|num| (num, 0.0)));
    }
    Ok(out)
}

/// The drafts above `through` that match every phrase, newest first: what the index
/// would find once it has caught up.
fn scan_unindexed(
    conn: &Connection,
    phrases: &[Phrase],
    through: i64,
    limit: usize,
) -> Result<Vec<i64>> {
    // Every run of every phrase occurs in the stored JSON of a match (CJK as typed,
    // ASCII case-insensitively with LIKE; terms hold no JSON-escaped characters).
    let mut sql = String::from(
        "SELECT d.num, v.content FROM drafts d
         JOIN draft_versions v ON v.draft_id = d.id AND v.version = d.head_version
         WHERE d.num > ?1",
    );
    let mut args: Vec<String> = Vec::new();
    for p in phrases {
        for run in &p.cjk_runs {
            args.push(run.clone());
            sql.push_str(&format!(" AND instr(v.content, ?{}) > 0", args.len() + 1));
        }
        for run in &p.ascii_runs {
            args.push(format!("%{run}%"));
            sql.push_str(&format!(" AND v.content LIKE ?{}", args.len() + 1));
        }
    }
    sql.push_str(" ORDER BY d.num DESC");
    let mut stmt = conn.prepare(&sql)?;
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&through];
    params.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
    let mut rows = stmt.query(params.as_slice())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let (num, content): (i64, String) = (row.get(0)?, row.get(1)?);
        let Ok(doc) = Document::from_json(&content) else {
            continue;
        };
        let text = crate::api::indexed_text(&doc);
        let columns: Vec<String> = [
            &text.title,
            &text.body,
            &text.recipients,
            &text.doc_number,
            &text.attachments,
        ]
        .into_iter()
        .map(|c| index_terms(c))
        .collect();
        let columns: Vec<Vec<&str>> = columns.iter().map(|c| c.split(' ').collect()).collect();
        if phrases
            .iter()
            .all(|p| columns.iter().any(|c| p.occurs_in(c)))
        {
            out.push(num);
            if out.len() == limit {
                break;
            }
        }
    }
    Ok(out)
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

    /// Stores draft `id` with `doc` as its head version; returns its num.
    fn put_draft(tx: &Transaction<'_>, id: &str, doc: &Document) -> Result<i64> {
        let summary = crate::api::summary_of(doc);
        let num = match crate::store::drafts::get(tx, id) {
            Ok(row) => row.num,
            Err(_) => crate::store::drafts::create(tx, id, "2026-01-01T00:00:00Z", "t", &summary)?,
        };
        let head = crate::store::drafts::get(tx, id)?.head_version;
        let content = doc.to_canonical_json();
        crate::store::drafts::append_version(
            tx,
            &crate::store::drafts::VersionRow {
                draft_id: id.into(),
                version: head + 1,
                author: "t".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
                base_version: None,
                content_hash: crate::api::hash_hex(&content),
                content,
            },
            &summary,
        )?;
        Ok(num)
    }

    fn doc(title: &str, body: &str, recipients: &[&str]) -> Document {
        Document {
            title: title.into(),
            body: body.into(),
            main_recipients: recipients.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        }
    }

    fn corpus() -> Vec<Document> {
        vec![
            doc(
                "鹤山市人民政府关于开展安全生产大检查的通知",
                "各镇人民政府：\n一、检查范围。GB/T 9704-2012 规定的格式。\n二、时间安排。",
                &["各镇人民政府", "市直各单位"],
            ),
            doc("关于申请资金的请示", "请审批。", &["鹤山市人民政府"]),
            doc("2026年春耕备耕工作方案", "春耕备耕，局里统一部署。", &[]),
            doc("会议纪要", "Gongwen 公文通 系统上线", &["办公室"]),
        ]
    }

    const QUERIES: &[&str] = &[
        "通知",
        "安全生产",
        "检查通知",
        "关于",
        "请示",
        "示",
        "局",
        "2026年",
        "2026",
        "gb",
        "GB",
        "9704",
        "春耕 方案",
        "人民政府",
        "公文",
        "gongwen",
        "各镇",
        "范围",
        "上线",
        "不存在的词",
        "鹤山市人民政府",
        "市直各单位",
    ];

    fn nums(db: &crate::store::Db, q: &str) -> Vec<i64> {
        let mut n: Vec<i64> = db
            .read(|c| query(c, q, 50))
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        n.sort();
        n
    }

    #[test]
    fn the_scan_of_unindexed_drafts_finds_what_the_index_finds() {
        let (_a, indexed) = crate::store::testing::temp_db();
        let (_b, deferred) = crate::store::testing::temp_db();
        indexed
            .write(|tx| {
                for (i, d) in corpus().iter().enumerate() {
                    let num = put_draft(tx, &format!("d{i}"), d)?;
                    index(tx, num, &crate::api::indexed_text(d))?;
                }
                Ok(())
            })
            .unwrap();
        deferred
            .write(|tx| {
                for (i, d) in corpus().iter().enumerate() {
                    let num = put_draft(tx, &format!("d{i}"), d)?;
                    defer_from(tx, num)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(deferred.read(backlog).unwrap(), 4);
        assert_eq!(indexed.read(backlog).unwrap(), 0);
        for q in QUERIES {
            assert_eq!(nums(&indexed, q), nums(&deferred, q), "query {q}");
        }
        assert_eq!(nums(&deferred, "通知"), vec![1]);
        assert_eq!(nums(&deferred, "检查通知"), Vec::<i64>::new());
        assert_eq!(nums(&deferred, "gb"), vec![1]);
        // Unindexed hits carry no bm25 score.
        assert!(
            deferred
                .read(|c| query(c, "请示", 10))
                .unwrap()
                .iter()
                .all(|(_, s)| *s == 0.0)
        );
    }

    #[test]
    fn catch_up_indexes_in_batches_and_clears_the_backlog() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            let first = put_draft(tx, "old", &doc("旧的通知", "", &[]))?;
            index(
                tx,
                first,
                &crate::api::indexed_text(&doc("旧的通知", "", &[])),
            )?;
            for (i, d) in corpus().iter().enumerate() {
                let num = put_draft(tx, &format!("d{i}"), d)?;
                defer_from(tx, num)?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(db.read(backlog).unwrap(), 4);
        // The indexed draft is found by the index, the others by the scan.
        let hits = db.read(|c| query(c, "通知", 10)).unwrap();
        assert_eq!(hits.len(), 2);
        assert!(hits[0].1 < 0.0 && hits[1].1 == 0.0, "{hits:?}");
        let before: Vec<Vec<i64>> = QUERIES.iter().map(|q| nums(&db, q)).collect();
        let mut batches = Vec::new();
        loop {
            let n = db.write(|tx| catch_up(tx, 3)).unwrap();
            if n == 0 {
                break;
            }
            batches.push(n);
        }
        assert_eq!(batches, vec![3, 1]);
        assert_eq!(db.read(backlog).unwrap(), 0);
        assert_eq!(db.read(indexed_through).unwrap(), i64::MAX);
        let after: Vec<Vec<i64>> = QUERIES.iter().map(|q| nums(&db, q)).collect();
        assert_eq!(before, after);
        assert!(
            db.read(|c| query(c, "通知", 10))
                .unwrap()
                .iter()
                .all(|(_, s)| *s < 0.0)
        );
    }

    #[test]
    fn a_stale_entry_above_the_watermark_is_not_trusted() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            let d = doc("关于安全生产的通知", "", &[]);
            let num = put_draft(tx, "a", &d)?;
            index(tx, num, &crate::api::indexed_text(&d))?;
            // A new head arrives and its indexing is deferred: the old terms linger
            // in the index until the catch-up.
            put_draft(tx, "a", &doc("关于春耕的请示", "", &[]))?;
            defer_from(tx, num)
        })
        .unwrap();
        assert!(nums(&db, "安全生产").is_empty());
        assert_eq!(nums(&db, "春耕"), vec![1]);
        db.write(|tx| catch_up(tx, 10)).unwrap();
        assert!(nums(&db, "安全生产").is_empty());
        assert_eq!(nums(&db, "春耕"), vec![1]);
    }

    #[test]
    fn deferring_only_lowers_the_watermark() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            defer_from(tx, 10)?;
            defer_from(tx, 20)?;
            assert_eq!(indexed_through(tx)?, 9);
            defer_from(tx, 5)?;
            assert_eq!(indexed_through(tx)?, 4);
            Ok(())
        })
        .unwrap();
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
