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
//! Search stays available while the indexer is behind: [`query`] takes index hits only
//! at or below the watermark and scans the drafts above it directly, newest first (a
//! substring pre-filter in SQL, then the same phrase rule the index applies, on the
//! same terms). Those hits have no bm25 score: they come after the ranked ones with
//! score 0. The scan is bounded ([`ScanBudget`]: the newest 2,000 unindexed drafts or
//! 100 ms), so a search behind a whole initial sync stays interactive; when it leaves
//! unindexed drafts unexamined the answer says so ([`Found::incomplete`]) and the UI
//! shows 正在建立索引，结果可能不全.
//!
//! ## Ranking cost
//!
//! bm25 costs two passes over every match (FTS5 first counts each phrase's documents
//! for the idf, then scores each match, and only then can `LIMIT` apply), and a
//! phrase's pass reads the positions of each of its bigrams: an 8-character phrase
//! from boilerplate found in half of 100,000 公文 took 170 ms. So [`query`] first reads
//! the matches newest first, lazily, and ranks with bm25 only when there are at most
//! [`RANK_WINDOW`]; an unselective query is answered from the newest matches (title
//! hits first), which costs about the same whatever the phrase's length.
//!
//! ## 收文
//!
//! Incoming documents are not in the index: the sync keeps them as the server's JSON
//! and an initial sync of many must stay cheap. [`query_incoming`] scans the newest
//! [`INCOMING_SCAN`] of them with a substring pre-filter in SQL and then the same phrase
//! rule as the index, so a word finds a 收文 exactly when it would find a draft with the
//! same text. `Client::search_documents` puts both together.

use std::time::{Duration, Instant};

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
    for run in runs(text) {
        match run {
            Run::Word(w) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&w);
            }
            Run::Cjk(cs) => {
                for pair in cs.windows(2) {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push(pair[0]);
                    out.push(pair[1]);
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push(cs[cs.len() - 1]);
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

/// Drafts indexed by the first transaction of [`crate::Client::build_search_index`];
/// the next ones are sized from the time it took (see [`INDEX_SLICE`]).
pub const INDEX_BATCH: usize = 500;

/// About how long one transaction of the index stage holds the writer: a user action
/// that comes meanwhile waits at most about this long.
pub const INDEX_SLICE: Duration = Duration::from_millis(500);

/// The most drafts one transaction of the index stage takes.
const INDEX_BATCH_MAX: usize = 5000;

/// The FTS5 `hashsize` the index stage uses (default 1 MB): pending terms are flushed
/// to a new segment only when they pass it, so an index-stage transaction writes one
/// or two segments instead of one per ~100 drafts, and FTS5 has that much less to
/// merge later. A single save stays far below it. Measured: about 45 % less time to
/// index the same drafts in transactions of 1,000.
const INDEX_HASHSIZE: i64 = 8 << 20;

impl crate::Client {
    /// How many drafts wait for the search index (deferred after a large sync; the
    /// sync's index stage builds it). Search meanwhile scans the newest of them within
    /// a budget and marks its answer incomplete (正在建立索引，结果可能不全).
    pub fn search_backlog(&self) -> Result<u64> {
        self.db.read(backlog)
    }

    /// The index stage: indexes every draft a large sync left unindexed, in
    /// transactions of about [`INDEX_SLICE`] each so that user actions interleave.
    /// Returns how many drafts it indexed. Blocking work: the sync engine runs it on
    /// the blocking pool.
    pub fn build_search_index(&self) -> Result<u64> {
        if self.db.read(indexed_through)? == i64::MAX {
            return Ok(0);
        }
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO search_index (search_index, rank) VALUES ('hashsize', ?1)",
                [INDEX_HASHSIZE],
            )?;
            Ok(())
        })?;
        let mut total = 0u64;
        let mut batch = INDEX_BATCH;
        loop {
            let started = Instant::now();
            let n = self.db.write(|tx| catch_up(tx, batch))?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
            batch = next_batch(n, started.elapsed());
        }
    }

    /// 重建搜索索引: empties the search index and leaves every draft to the index
    /// stage ([`Client::build_search_index`]), as after a large sync. Search stays
    /// available meanwhile (see [`query`]). Returns how many drafts wait.
    pub fn reindex_search(&self) -> Result<u64> {
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO search_index (search_index) VALUES ('delete-all')",
                [],
            )?;
            set_indexed_through(tx, 0)?;
            backlog(tx)
        })
    }
}

/// The size of the next index transaction: as many drafts as fit in [`INDEX_SLICE`]
/// at the pace of the last one (`n` drafts in `took`).
fn next_batch(n: usize, took: Duration) -> usize {
    let per_draft = took.as_secs_f64() / n.max(1) as f64;
    if per_draft <= 0.0 {
        return INDEX_BATCH_MAX;
    }
    ((INDEX_SLICE.as_secs_f64() / per_draft) as usize).clamp(1, INDEX_BATCH_MAX)
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

/// A query matching more index entries than this is not ranked by bm25: its best
/// matches are taken among this many newest ones (see [`query`]).
pub const RANK_WINDOW: usize = 1000;

/// How much of the not-yet-indexed drafts one search may scan (see [`query`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanBudget {
    /// The newest this many unindexed drafts are scanned, no older ones.
    pub drafts: usize,
    /// The scan stops when this much time has passed.
    pub time: Duration,
}

impl ScanBudget {
    /// What an interactive search may spend on the backlog.
    pub const INTERACTIVE: ScanBudget = ScanBudget {
        drafts: 2000,
        time: Duration::from_millis(100),
    };
}

/// What [`query`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    /// (drafts.num, score) best first; the score is bm25 (lower is better) or 0 for a
    /// hit that was not ranked (see [`query`]).
    pub hits: Vec<(i64, f64)>,
    /// Some drafts waiting for the index were not examined: a complete index may
    /// answer more or better (the UI shows 正在建立索引，结果可能不全).
    pub incomplete: bool,
}

/// Runs a query with the interactive scan budget: the best `limit` matches.
pub fn query(conn: &Connection, query: &str, limit: usize) -> Result<Found> {
    query_within(conn, query, limit, ScanBudget::INTERACTIVE)
}

/// Runs a query: the best `limit` matches as (drafts.num, score).
///
/// Index entries are taken only at or below the watermark. Their ranking:
///
/// - the query's matches are first read newest first, lazily (`ORDER BY rowid DESC`
///   lets FTS5 stop after [`RANK_WINDOW`] + 1 of them instead of visiting them all);
/// - up to [`RANK_WINDOW`] matches: all of them are ranked by bm25 with the column
///   weights (lower is better);
/// - more: the query is not selective (a phrase of the boilerplate every 公文 has),
///   and bm25 would cost a pass over every match twice (FTS5 counts each phrase's
///   documents for its idf, then scores each match): the hits are taken among the
///   [`RANK_WINDOW`] newest matches, those with a phrase in their title first, each
///   group newest first, with score 0.
///
/// Drafts not indexed yet (above the watermark) come after the indexed hits with
/// score 0, newest first: they are scanned directly within `budget`, and the answer
/// is marked [`Found::incomplete`] when some of them were not examined.
pub fn query_within(
    conn: &Connection,
    query: &str,
    limit: usize,
    budget: ScanBudget,
) -> Result<Found> {
    let expr = match_expression(query).ok_or(Error::EmptyQuery)?;
    let phrases = phrases(query);
    let limit = limit.max(1);
    let through = indexed_through(conn)?;
    let mut hits = ranked(conn, &expr, &phrases, through, limit, RANK_WINDOW)?;
    let mut incomplete = false;
    if through != i64::MAX {
        if hits.len() < limit {
            let scan = scan_unindexed(conn, &phrases, through, limit - hits.len(), budget)?;
            incomplete = !scan.complete;
            hits.extend(scan.nums.into_iter().map(|num| (num, 0.0)));
        } else {
            // A full page from the index; the drafts still waiting were not looked at.
            incomplete = backlog(conn)? > 0;
        }
    }
    Ok(Found { hits, incomplete })
}

/// The indexed part of [`query_within`], ranking with bm25 up to `rank_window`
/// matches ([`RANK_WINDOW`]).
fn ranked(
    conn: &Connection,
    expr: &str,
    phrases: &[Phrase],
    through: i64,
    limit: usize,
    rank_window: usize,
) -> Result<Vec<(i64, f64)>> {
    let window: Vec<i64> = conn
        .prepare_cached(
            "SELECT rowid FROM search_index WHERE search_index MATCH ?1 AND rowid <= ?2
             ORDER BY rowid DESC LIMIT ?3",
        )?
        .query_map(params![expr, through, rank_window as i64 + 1], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if window.is_empty() {
        return Ok(Vec::new());
    }
    if window.len() <= rank_window {
        let sql = format!(
            "SELECT rowid, bm25(search_index, {WEIGHTS}) AS score FROM search_index
             WHERE search_index MATCH ?1 AND rowid <= ?3 ORDER BY score LIMIT ?2"
        );
        let rows = conn
            .prepare_cached(&sql)?
            .query_map(params![expr, limit as i64, through], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        return Ok(rows);
    }
    let mut title_stmt = conn.prepare_cached("SELECT title FROM drafts WHERE num = ?1")?;
    let mut in_title = Vec::new();
    let mut others = Vec::new();
    for &num in &window[..rank_window] {
        let Some(title) = title_stmt
            .query_row([num], |r| r.get::<_, String>(0))
            .optional()?
        else {
            continue;
        };
        let terms = index_terms(&title);
        let terms: Vec<&str> = terms.split(' ').collect();
        if phrases.iter().any(|p| p.occurs_in(&terms)) {
            in_title.push(num);
            if in_title.len() == limit {
                break;
            }
        } else if others.len() < limit {
            others.push(num);
        }
    }
    in_title.extend(others);
    in_title.truncate(limit);
    Ok(in_title.into_iter().map(|num| (num, 0.0)).collect())
}

/// What [`scan_unindexed`] found.
struct Scan {
    nums: Vec<i64>,
    /// Every unindexed draft was examined, or `limit` matches were found.
    complete: bool,
}

/// The drafts above `through` that match every phrase, newest first: what the index
/// will find once it has caught up. Examines at most the `budget.drafts` newest of
/// them, and stops when `budget.time` has passed.
fn scan_unindexed(
    conn: &Connection,
    phrases: &[Phrase],
    through: i64,
    limit: usize,
    budget: ScanBudget,
) -> Result<Scan> {
    let started = Instant::now();
    // The newest draft beyond the budget, if any: the scan stops above it.
    let beyond: Option<i64> = conn
        .prepare_cached(
            "SELECT num FROM drafts WHERE num > ?1 ORDER BY num DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![through, budget.drafts as i64], |r| r.get(0))
        .optional()?;
    let floor = beyond.map_or(through, |b| b.max(through));
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
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&floor];
    params.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
    let mut rows = stmt.query(params.as_slice())?;
    let mut nums = Vec::new();
    let mut complete = beyond.is_none();
    while let Some(row) = rows.next()? {
        if started.elapsed() > budget.time {
            complete = false;
            break;
        }
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
            nums.push(num);
            if nums.len() == limit {
                complete = true;
                break;
            }
        }
    }
    Ok(Scan { nums, complete })
}

/// How many of the newest 收文 one search examines (see [`query_incoming`]).
pub const INCOMING_SCAN: usize = 10_000;

/// Among this many newest 收文 that pass the substring pre-filter, [`query_incoming`]
/// takes those with a match in the title, 文号 or 来文单位 first.
const INCOMING_WINDOW: usize = 300;

/// The fields of a stored 收文 (the server's JSON, `gongwen_protocol::exchange::Incoming`)
/// that a search reads; the rest of the JSON is skipped, not built into a tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct IncomingText {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub doc_number: Option<String>,
    pub from: gongwen_protocol::exchange::OrganRef,
    pub delivered_at: String,
    pub state: gongwen_protocol::exchange::ItemState,
    #[serde(default)]
    pub document: IncomingDocumentText,
    #[serde(default)]
    pub attachments: Vec<NamedFile>,
}

/// The searched parts of a 收文's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct IncomingDocumentText {
    #[serde(default)]
    pub doc_type: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub main_recipients: Vec<String>,
}

/// A file travelling with a 收文, by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct NamedFile {
    pub name: String,
}

/// One 收文 a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMatch {
    pub item: IncomingText,
    /// A query word is in its title, 文号 or 来文单位 (not only in the body, 主送 or
    /// the attachment names).
    pub in_heading: bool,
}

/// What [`query_incoming`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncomingFound {
    /// Heading matches first, then the others; each group newest first.
    pub hits: Vec<IncomingMatch>,
    /// More 收文 than the scan examines are stored: older ones were not looked at.
    pub limited: bool,
}

/// The text of an incoming item as searched, in the index's columns (title, body,
/// 主送, 文号, attachment names) plus its 来文单位.
pub fn incoming_text(item: &IncomingText) -> (IndexedText, String) {
    (
        IndexedText {
            title: item.title.clone(),
            body: item.document.body.clone(),
            recipients: item.document.main_recipients.join(" "),
            doc_number: item.doc_number.clone().unwrap_or_default(),
            attachments: item
                .attachments
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        },
        item.from.name.clone(),
    )
}

/// 收文 (the `incoming` table) matching `query` by the same rule as the index: every
/// word occurs, as a phrase, in the title, body, 主送, 文号, attachment names or
/// 来文单位.
///
/// 收文 are not in the full-text index (the sync stores them as the server's JSON and
/// a large initial sync must stay cheap), so they are scanned: the `scan` newest, a
/// substring pre-filter in SQL over the stored JSON (each CJK run with `instr`, each
/// ASCII run with `LIKE`), then the phrase rule in Rust on the parsed item. Among the
/// first [`INCOMING_WINDOW`] pre-filtered items (newest first) those with a match in
/// the title, 文号 or 来文单位 come first; the scan stops as soon as `limit` of them
/// are found. A township organ keeps a few thousand 收文 a year, so the scan covers
/// years; beyond `scan` the answer says so ([`IncomingFound::limited`]).
pub fn query_incoming(
    conn: &Connection,
    query: &str,
    limit: usize,
    scan: usize,
) -> Result<IncomingFound> {
    let phrases = phrases(query);
    if phrases.is_empty() {
        return Err(Error::EmptyQuery);
    }
    let limit = limit.max(1);
    let mut sql = String::from(
        "SELECT id, data FROM (SELECT id, data, delivered_at FROM incoming
         ORDER BY delivered_at DESC, id LIMIT ?1) WHERE 1 = 1",
    );
    let mut args: Vec<String> = Vec::new();
    for p in &phrases {
        for run in &p.cjk_runs {
            args.push(run.clone());
            sql.push_str(&format!(" AND instr(data, ?{}) > 0", args.len() + 1));
        }
        for run in &p.ascii_runs {
            args.push(format!("%{run}%"));
            sql.push_str(&format!(" AND data LIKE ?{}", args.len() + 1));
        }
    }
    sql.push_str(&format!(" LIMIT {INCOMING_WINDOW}"));
    let mut stmt = conn.prepare(&sql)?;
    let scan_rows = scan as i64;
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&scan_rows];
    params.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
    let mut rows = stmt.query(params.as_slice())?;
    let mut heading = Vec::new();
    let mut others = Vec::new();
    let mut read = 0;
    while let Some(row) = rows.next()? {
        read += 1;
        let (id, data): (String, String) = (row.get(0)?, row.get(1)?);
        let item: IncomingText = match serde_json::from_str(&data) {
            Ok(item) => item,
            Err(e) => {
                // Written by the sync from the server's JSON; one that no longer reads
                // is reported where it is opened, and must not stop a search.
                tracing::warn!(id = %id, error = %e, "unreadable incoming item: not searched");
                continue;
            }
        };
        let (text, from) = incoming_text(&item);
        let head: Vec<String> = [&text.title, &text.doc_number, &from]
            .into_iter()
            .map(|c| index_terms(c))
            .collect();
        let head: Vec<Vec<&str>> = head.iter().map(|c| c.split(' ').collect()).collect();
        let in_heading = phrases.iter().any(|p| head.iter().any(|c| p.occurs_in(c)));
        let rest: Vec<String> = [&text.body, &text.recipients, &text.attachments]
            .into_iter()
            .map(|c| index_terms(c))
            .collect();
        let rest: Vec<Vec<&str>> = rest.iter().map(|c| c.split(' ').collect()).collect();
        let all_found = phrases
            .iter()
            .all(|p| head.iter().chain(&rest).any(|c| p.occurs_in(c)));
        if !all_found {
            continue;
        }
        if in_heading {
            heading.push(IncomingMatch { item, in_heading });
            if heading.len() == limit {
                break;
            }
        } else if others.len() < limit {
            others.push(IncomingMatch { item, in_heading });
        }
    }
    // Older 收文 went unexamined only when the scan stopped at its `scan` newest with
    // neither a full page of heading matches nor the window filled.
    let limited = heading.len() < limit
        && read < INCOMING_WINDOW
        && conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM incoming ORDER BY delivered_at DESC, id
                 LIMIT 1 OFFSET ?1)",
            )?
            .query_row([scan_rows], |r| r.get::<_, bool>(0))?;
    drop(rows);
    heading.extend(others);
    heading.truncate(limit);
    Ok(IncomingFound {
        hits: heading,
        limited,
    })
}

/// Whether any query word occurs, as the index matches it, in `text`.
pub fn occurs(text: &str, query: &str) -> bool {
    let terms = index_terms(text);
    let terms: Vec<&str> = terms.split(' ').collect();
    phrases(query).iter().any(|p| p.occurs_in(&terms))
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
            .hits
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
                .hits
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
        let found = db.read(|c| query(c, "通知", 10)).unwrap();
        assert!(!found.incomplete, "the whole backlog fits the budget");
        let hits = found.hits;
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
                .hits
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

    /// A store whose drafts `titles[i]` (body 公文正文) all wait for the index.
    fn deferred_store(titles: &[&str]) -> (tempfile::TempDir, crate::store::Db) {
        let (dir, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            for (i, t) in titles.iter().enumerate() {
                let num = put_draft(tx, &format!("d{i}"), &doc(t, "公文正文", &[]))?;
                defer_from(tx, num)?;
            }
            Ok(())
        })
        .unwrap();
        (dir, db)
    }

    fn within(db: &crate::store::Db, q: &str, limit: usize, drafts: usize) -> Found {
        let budget = ScanBudget {
            drafts,
            time: Duration::from_secs(3600),
        };
        db.read(|c| query_within(c, q, limit, budget)).unwrap()
    }

    #[test]
    fn the_scan_of_the_backlog_stops_at_its_budget_and_says_so() {
        // nums 1..=6; 通知 in 1, 3, 4 and 6.
        let (_d, db) = deferred_store(&[
            "关于甲的通知",
            "关于乙的请示",
            "关于丙的通知",
            "关于丁的通知",
            "关于戊的报告",
            "关于己的通知",
        ]);
        let nums = |f: &Found| f.hits.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        // Only the two newest unindexed drafts are examined: 6 matches, 5 does not.
        let found = within(&db, "通知", 10, 2);
        assert_eq!(nums(&found), vec![6]);
        assert!(found.incomplete);
        // Three reach 4.
        let found = within(&db, "通知", 10, 3);
        assert_eq!(nums(&found), vec![6, 4]);
        assert!(found.incomplete);
        // The whole backlog fits: everything, newest first, complete.
        let found = within(&db, "通知", 10, 6);
        assert_eq!(nums(&found), vec![6, 4, 3, 1]);
        assert!(!found.incomplete);
        // A full page found within the budget is a complete answer.
        let found = within(&db, "通知", 2, 3);
        assert_eq!(nums(&found), vec![6, 4]);
        assert!(!found.incomplete);
        // No match among the examined ones, and more waiting: nothing, incomplete.
        let found = within(&db, "请示", 10, 4);
        assert!(found.hits.is_empty());
        assert!(found.incomplete);
        assert_eq!(nums(&within(&db, "请示", 10, 5)), vec![2]);
        // The interactive budget covers this small backlog.
        let found = db.read(|c| query(c, "通知", 10)).unwrap();
        assert_eq!(nums(&found), vec![6, 4, 3, 1]);
        assert!(!found.incomplete);
    }

    #[test]
    fn a_page_filled_from_the_index_is_incomplete_while_drafts_wait() {
        let (_d, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            for i in 0..3 {
                let d = doc(&format!("第{i}号通知"), "", &[]);
                let num = put_draft(tx, &format!("i{i}"), &d)?;
                index(tx, num, &crate::api::indexed_text(&d))?;
            }
            let num = put_draft(tx, "late", &doc("迟到的通知", "", &[]))?;
            defer_from(tx, num)
        })
        .unwrap();
        let found = within(&db, "通知", 2, 100);
        assert_eq!(found.hits.len(), 2);
        assert!(found.hits.iter().all(|(_, s)| *s < 0.0), "{found:?}");
        assert!(found.incomplete, "the waiting draft was not looked at");
        let found = within(&db, "通知", 10, 100);
        assert_eq!(found.hits.len(), 4);
        assert!(!found.incomplete);
        db.write(|tx| catch_up(tx, 10)).unwrap();
        let found = within(&db, "通知", 2, 100);
        assert!(!found.incomplete);
    }

    #[test]
    fn an_unselective_query_takes_the_newest_matches_title_hits_first() {
        let (_d, db) = crate::store::testing::temp_db();
        // nums 1..=8: 通知 in the body of all, in the title of 2, 5 and 7.
        db.write(|tx| {
            for i in 1..=8 {
                let title = if [2, 5, 7].contains(&i) {
                    format!("第{i}号通知")
                } else {
                    format!("第{i}号函")
                };
                let d = doc(&title, "现将有关事项通知如下。", &[]);
                let num = put_draft(tx, &format!("d{i}"), &d)?;
                index(tx, num, &crate::api::indexed_text(&d))?;
            }
            Ok(())
        })
        .unwrap();
        let ranked_with = |window: usize, limit: usize| {
            db.read(|c| {
                ranked(
                    c,
                    &match_expression("通知").unwrap(),
                    &phrases("通知"),
                    i64::MAX,
                    limit,
                    window,
                )
            })
            .unwrap()
        };
        // Within the window: bm25, title hits (weight 10) first.
        let hits = ranked_with(8, 3);
        assert!(hits.iter().all(|(_, s)| *s < 0.0));
        let mut best: Vec<i64> = hits.iter().map(|(n, _)| *n).collect();
        best.sort();
        assert_eq!(best, vec![2, 5, 7]);
        // Beyond it: among the 4 newest matches (8, 7, 6, 5), title hits first,
        // each group newest first, unranked.
        let hits = ranked_with(4, 10);
        assert_eq!(
            hits.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![7, 5, 8, 6]
        );
        assert!(hits.iter().all(|(_, s)| *s == 0.0));
        assert_eq!(
            ranked_with(4, 3)
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>(),
            vec![7, 5, 8]
        );
        // A phrase no draft has: nothing, whatever the window.
        let none = db
            .read(|c| {
                ranked(
                    c,
                    &match_expression("检查").unwrap(),
                    &phrases("检查"),
                    i64::MAX,
                    10,
                    2,
                )
            })
            .unwrap();
        assert!(none.is_empty());
    }

    /// A 收文 from `from` delivered on day `day` of November 2026.
    fn incoming(
        id: &str,
        title: &str,
        number: Option<&str>,
        from: &str,
        body: &str,
        day: u32,
    ) -> gongwen_protocol::exchange::Incoming {
        use gongwen_protocol::exchange::{ExchangeFile, Incoming, ItemState, OrganRef, PersonRef};
        Incoming {
            id: id.into(),
            exchange_id: format!("x-{id}"),
            document_id: format!("d-{id}"),
            from: OrganRef {
                code: "SJ".into(),
                name: from.into(),
            },
            to: OrganRef {
                code: "ZF".into(),
                name: "鹤山镇人民政府".into(),
            },
            title: title.into(),
            doc_number: number.map(str::to_owned),
            document: serde_json::json!({
                "title": title,
                "doc_type": "通知",
                "body": body,
                "main_recipients": ["各镇人民政府"],
            }),
            content_hash: None,
            pdf: None,
            attachments: vec![ExchangeFile {
                name: "节假日值班表.xlsx".into(),
                blob: format!("sha256:{}", "0".repeat(64)),
                size: 10,
            }],
            sent_by: PersonRef {
                login: "li".into(),
                display_name: "李四".into(),
            },
            delivered_at: format!("2026-11-{day:02}T08:00:00Z"),
            state: ItemState::Delivered,
            signed_by: None,
            signed_at: None,
        }
    }

    fn incoming_store(
        items: &[gongwen_protocol::exchange::Incoming],
    ) -> (tempfile::TempDir, crate::store::Db) {
        let (dir, db) = crate::store::testing::temp_db();
        db.write(|tx| {
            for item in items {
                let data = serde_json::to_string(item).unwrap();
                crate::incoming::put(tx, &item.id, item, &data, "2026-11-28T00:00:00Z")?;
            }
            Ok(())
        })
        .unwrap();
        (dir, db)
    }

    fn incoming_ids(
        db: &crate::store::Db,
        q: &str,
        limit: usize,
        scan: usize,
    ) -> (Vec<String>, bool) {
        let found = db.read(|c| query_incoming(c, q, limit, scan)).unwrap();
        (
            found.hits.iter().map(|m| m.item.id.clone()).collect(),
            found.limited,
        )
    }

    #[test]
    fn incoming_search_finds_title_number_sender_body_and_attachments() {
        let (_d, db) = incoming_store(&[
            incoming(
                "a",
                "关于做好防汛工作的通知",
                Some("鹤水〔2026〕7号"),
                "鹤山市水利局",
                "各镇要落实值班制度。",
                1,
            ),
            incoming(
                "b",
                "关于申请资金的请示",
                None,
                "鹤山市财政局",
                "请审批道路提升资金。",
                2,
            ),
        ]);
        // Two characters inside a longer title, the 文号, the 来文单位, the body and an
        // attachment name each find their item.
        assert_eq!(incoming_ids(&db, "防汛", 10, 100).0, ["a"]);
        assert_eq!(incoming_ids(&db, "鹤水〔2026〕7号", 10, 100).0, ["a"]);
        assert_eq!(incoming_ids(&db, "财政局", 10, 100).0, ["b"]);
        assert_eq!(incoming_ids(&db, "道路提升", 10, 100).0, ["b"]);
        assert_eq!(incoming_ids(&db, "值班表", 10, 100).0, ["b", "a"]);
        // Every word must occur; a non-substring does not match; newest first.
        assert_eq!(incoming_ids(&db, "资金 请示", 10, 100).0, ["b"]);
        assert!(incoming_ids(&db, "防汛请示", 10, 100).0.is_empty());
        assert!(incoming_ids(&db, "不存在的词", 10, 100).0.is_empty());
        // A JSON key is no match: the words are looked for in the text only.
        assert!(incoming_ids(&db, "title", 10, 100).0.is_empty());
        assert!(db.read(|c| query_incoming(c, "，。", 10, 100)).is_err());
    }

    #[test]
    fn incoming_heading_matches_come_first_and_the_scan_says_when_it_stopped() {
        // 通知 in the title of c1 and c3, only in the body of c2 (the newest).
        let (_d, db) = incoming_store(&[
            incoming("c1", "第一份通知", None, "甲局", "正文", 1),
            incoming("c2", "第二份函", None, "乙局", "现将有关事项通知如下", 3),
            incoming("c3", "第三份通知", None, "丙局", "正文", 2),
        ]);
        let (ids, limited) = incoming_ids(&db, "通知", 10, 100);
        assert_eq!(ids, ["c3", "c1", "c2"]);
        assert!(!limited);
        // A full page of heading matches is a complete answer.
        assert_eq!(
            incoming_ids(&db, "通知", 2, 100),
            (vec!["c3".into(), "c1".into()], false)
        );
        // Only the newest two are examined: c1 is not looked at, and the answer says so.
        assert_eq!(incoming_ids(&db, "甲局", 10, 2), (vec![], true));
        assert_eq!(
            incoming_ids(&db, "通知", 10, 2),
            (vec!["c3".into(), "c2".into()], true)
        );
        assert_eq!(incoming_ids(&db, "甲局", 10, 3), (vec!["c1".into()], false));
    }

    #[test]
    fn the_index_stage_sizes_its_transactions_by_time() {
        assert_eq!(next_batch(500, INDEX_SLICE), 500);
        assert_eq!(next_batch(500, INDEX_SLICE * 2), 250);
        assert_eq!(next_batch(100, Duration::ZERO), INDEX_BATCH_MAX);
        assert_eq!(next_batch(1, INDEX_SLICE * 10), 1);
        assert_eq!(next_batch(10, Duration::from_micros(1)), INDEX_BATCH_MAX);
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
                .hits
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
