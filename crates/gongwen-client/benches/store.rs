//! Store benchmark: builds an encrypted store of realistic generated 公文 through the
//! real api and prints a table of insert rate, 草稿 list latency, search latency for
//! 2-, 4- and 8-character queries, encrypted open time and store size; then rebuilds
//! the search index as the index stage does after an initial sync (a search while
//! every draft waits, the stage's rate, searches after it). It also builds a `trigram`
//! FTS5 index over the same text to compare with the bigram index.
//!
//! ```text
//! cargo bench -p gongwen-client --bench store            # 100,000 documents
//! GONGWEN_BENCH_DOCS=5000 cargo bench -p gongwen-client --bench store
//! ```
//!
//! Targets (issue 3): list p99 ≤ 5 ms, 2-character search p50 ≤ 20 ms, open ≤ 50 ms.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gongwen_client::Client;
use gongwen_client::api::OpenOptions;
use gongwen_client::key::{Key, StaticKey};
use gongwen_domain::document::{Attachment, DocDate, DocType, Issuer};
use gongwen_domain::{DocNumber, Document};

/// A small deterministic generator (xorshift64*), so every run builds the same store.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TOWNS: &[&str] = &[
    "沙坪镇",
    "共和镇",
    "址山镇",
    "鹤城镇",
    "宅梧镇",
    "双合镇",
    "雅瑶镇",
    "古劳镇",
    "龙口镇",
    "桃源镇",
];
const ORGANS: &[&str] = &[
    "人民政府",
    "党政综合办公室",
    "财政所",
    "农业农村办公室",
    "应急管理办公室",
    "社会事务办公室",
    "经济发展办公室",
];
const TOPICS: &[&str] = &[
    "开展安全生产大检查",
    "做好防汛防台风工作",
    "申请农村道路提升改造专项资金",
    "加强森林防火工作",
    "召开全镇经济工作会议",
    "做好春节期间值班工作",
    "推进乡村振兴示范带建设",
    "开展人居环境整治",
    "做好耕地保护工作",
    "加强食品安全监管",
    "开展消防安全隐患排查",
    "落实河长制工作",
    "做好冬春季疫情防控",
    "开展扫黑除恶专项斗争",
    "加强基层党组织建设",
    "做好退役军人服务保障",
    "推进政务服务标准化",
    "做好秋季开学准备",
    "开展燃气安全专项整治",
    "申请增加编制",
];
const SENTENCES: &[&str] = &[
    "为深入贯彻落实上级决策部署，切实做好相关工作，结合我镇实际，现就有关事项通知如下。",
    "各村（社区）、各部门要高度重视，主要负责同志亲自部署、亲自过问，确保各项措施落到实处。",
    "坚持人民至上、生命至上，坚持问题导向和目标导向，全面排查整治各类风险隐患。",
    "要建立健全工作台账，明确责任人和完成时限，实行销号管理，做到整改一项、销号一项。",
    "镇财政已落实配套资金，尚缺资金部分恳请上级予以支持，确保项目按期开工建设。",
    "加强统筹协调，形成工作合力，及时研究解决工作中遇到的困难和问题。",
    "严格落实值班值守和信息报送制度，遇有重大情况及时报告，不得迟报、漏报、瞒报。",
    "对工作不力、推诿扯皮造成严重后果的，将依规依纪严肃追究相关人员责任。",
    "要充分利用广播、宣传栏、微信群等渠道，广泛宣传，营造良好的社会氛围。",
    "各单位于每月25日前将工作进展情况报镇党政综合办公室，联系电话：0750-8123456。",
    "本项目涉及8个行政村，改造路面32公里，新建错车道45处，总投资约1200万元。",
    "加强督促检查，对发现的问题要立行立改，确保按时保质完成各项目标任务。",
];
const HEADINGS: &[&str] = &[
    "总体要求",
    "工作重点",
    "主要任务",
    "保障措施",
    "工作要求",
    "时间安排",
    "资金需求",
];
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六"];
const KINDS: &[DocType] = &[
    DocType::Notice,
    DocType::Request,
    DocType::Report,
    DocType::Letter,
    DocType::Opinion,
];

/// Queries of 2, 4 and 8 characters that occur in the generated text.
const Q2: &[&str] = &[
    "通知", "安全", "资金", "防汛", "会议", "乡村", "消防", "值班",
];
const Q4: &[&str] = &[
    "安全生产",
    "防汛防台",
    "道路提升",
    "乡村振兴",
    "值班值守",
    "食品安全",
    "财政配套",
    "森林防火",
];
const Q8: &[&str] = &[
    "全面排查整治各类",
    "建立健全工作台账",
    "严格落实值班值守",
    "确保按时保质完成",
    "加强统筹协调形成",
    "开展安全生产大检",
    "做好防汛防台风工",
    "推进乡村振兴示范",
];

fn generate(rng: &mut Rng, i: usize, pool: &[String]) -> Document {
    let town = rng.pick(TOWNS);
    let organ = format!("鹤山市{town}{}", rng.pick(ORGANS));
    let kind = KINDS[rng.below(KINDS.len())];
    let topic = rng.pick(TOPICS);
    let target = 1000 + rng.below(4000);
    let mut body = String::with_capacity(target + 200);
    let mut section = 0;
    while body.len() < target {
        if section < NUMERALS.len() && rng.below(4) == 0 {
            body.push_str(&format!("{}、{}\n", NUMERALS[section], rng.pick(HEADINGS)));
            section += 1;
        }
        body.push_str(rng.pick(SENTENCES));
        if rng.below(3) == 0 {
            body.push('\n');
        }
    }
    let attachments = (0..rng.below(4))
        .map(|k| Attachment {
            name: format!("{topic}附表{}", k + 1),
            file: Some(pool[rng.below(pool.len())].clone()),
            body: None,
        })
        .collect();
    Document {
        doc_type: Some(kind),
        issuers: vec![Issuer {
            name: organ.clone(),
            mark: None,
        }],
        doc_number: (rng.below(2) == 0)
            .then(|| DocNumber::new(format!("{}府", &town[..3]), 2026, (i % 900 + 1) as u32)),
        title: format!("{organ}关于{topic}的{}", kind.name()),
        main_recipients: vec![
            format!("各村（社区）{}", rng.pick(&["", "党组织", "委员会"])),
            "镇直各单位".into(),
        ],
        body,
        attachments,
        signatures: vec![organ],
        date: DocDate::new(2026, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8),
        ..Default::default()
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(p) {
        for e in entries.flatten() {
            let path = e.path();
            total += if path.is_dir() {
                dir_size(&path)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

fn open(dir: &Path) -> Client {
    OpenOptions::new(dir)
        .create(true)
        .keys(Arc::new(StaticKey(Key::from_bytes([0x5a; 32]))))
        .user("基准测试")
        .open()
        .expect("open store")
}

fn time_queries(client: &Client, queries: &[&str], rounds: usize) -> (Duration, Duration, usize) {
    let mut samples = Vec::with_capacity(queries.len() * rounds);
    let mut hits = 0;
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            hits += client.search(q, 20).expect("search").len();
            samples.push(t.elapsed());
        }
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
        hits / (queries.len() * rounds),
    )
}

/// The alternative index: FTS5 `trigram` over title + body, LIKE for 2-character queries.
fn trigram_comparison(texts: &[(String, String)], rows: &mut Vec<[String; 4]>) {
    let conn = rusqlite::Connection::open_in_memory().expect("memory db");
    conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'trigram')")
        .unwrap();
    let t0 = Instant::now();
    {
        let tx = conn.unchecked_transaction().unwrap();
        let mut stmt = tx
            .prepare("INSERT INTO t (title, body) VALUES (?1, ?2)")
            .unwrap();
        for (title, body) in texts {
            stmt.execute([title, body]).unwrap();
        }
        drop(stmt);
        tx.commit().unwrap();
    }
    let build = t0.elapsed();
    rows.push([
        "trigram: index build (in memory)".into(),
        format!("{:.1} s", build.as_secs_f64()),
        String::new(),
        String::new(),
    ]);
    for (label, queries) in [("2", Q2), ("4", Q4), ("8", Q8)] {
        let mut samples = Vec::new();
        for _ in 0..5 {
            for q in queries {
                let t = Instant::now();
                let n: i64 = if q.chars().count() < 3 {
                    // trigram cannot index 2 characters: a LIKE scan of the whole table.
                    conn.query_row(
                        "SELECT count(*) FROM (SELECT rowid FROM t WHERE title LIKE ?1 OR body LIKE ?1 LIMIT 20)",
                        [format!("%{q}%")],
                        |r| r.get(0),
                    )
                    .unwrap()
                } else {
                    conn.query_row(
                        "SELECT count(*) FROM (SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT 20)",
                        [format!("\"{q}\"")],
                        |r| r.get(0),
                    )
                    .unwrap()
                };
                std::hint::black_box(n);
                samples.push(t.elapsed());
            }
        }
        let p50 = percentile(&mut samples, 0.5);
        let p99 = percentile(&mut samples, 0.99);
        rows.push([
            format!("trigram: search, {label}-char query (top 20)"),
            ms(p50),
            ms(p99),
            String::new(),
        ]);
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    let n: usize = std::env::var("GONGWEN_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let files = root.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rows: Vec<[String; 4]> = Vec::new();

    let client = open(&data);

    // Attachment pool: files streamed into the blob store through the real save path.
    let pool_size = (n / 20).clamp(50, 5000);
    let t0 = Instant::now();
    let mut pool = Vec::with_capacity(pool_size);
    for k in 0..pool_size {
        let size = 2048 + rng.below(30 * 1024);
        let bytes: Vec<u8> = (0..size).map(|_| rng.next() as u8).collect();
        std::fs::write(files.join(format!("附件{k}.bin")), bytes).unwrap();
    }
    for k in 0..pool_size {
        let path = files.join(format!("附件{k}.bin"));
        let doc = Document {
            title: format!("附件库{k}"),
            attachments: vec![Attachment {
                name: format!("附件{k}"),
                file: Some(path.display().to_string()),
                body: None,
            }],
            ..Default::default()
        };
        let saved = client.create_draft(doc).unwrap();
        pool.push(
            client
                .open_draft(&saved.draft_id)
                .unwrap()
                .document
                .attachments[0]
                .file
                .clone()
                .unwrap(),
        );
    }
    let attach_time = t0.elapsed();
    rows.push([
        format!("attachment import ({pool_size} files of 2–32 KB, one draft each)"),
        format!(
            "{:.0} files/s",
            pool_size as f64 / attach_time.as_secs_f64()
        ),
        String::new(),
        String::new(),
    ]);

    // Inserts: one durable save (its own synchronous transaction) per document.
    let mut texts = Vec::with_capacity(n);
    let mut insert_samples = Vec::with_capacity(n);
    let t0 = Instant::now();
    for i in 0..n {
        let doc = generate(&mut rng, i, &pool);
        texts.push((doc.title.clone(), doc.body.clone()));
        let t = Instant::now();
        client.create_draft(doc).expect("insert");
        insert_samples.push(t.elapsed());
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "  inserted {} documents ({:.0}/s)",
                i + 1,
                (i + 1) as f64 / t0.elapsed().as_secs_f64()
            );
        }
    }
    let insert_time = t0.elapsed();
    rows.push([
        format!("insert {n} documents (durable save each)"),
        format!("{:.0} docs/s", n as f64 / insert_time.as_secs_f64()),
        format!("p50 {}", ms(percentile(&mut insert_samples, 0.5))),
        format!("p99 {}", ms(percentile(&mut insert_samples, 0.99))),
    ]);

    // 草稿 list, first page.
    let mut samples = Vec::new();
    for _ in 0..2000 {
        let t = Instant::now();
        std::hint::black_box(client.list_drafts(50, 0).unwrap());
        samples.push(t.elapsed());
    }
    rows.push([
        "草稿 list, first page (50 rows)".into(),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        "p99 ≤ 5 ms".into(),
    ]);

    // Search.
    for (label, queries, target) in [("2", Q2, "p50 ≤ 20 ms"), ("4", Q4, ""), ("8", Q8, "")] {
        let (p50, p99, avg_hits) = time_queries(&client, queries, 10);
        rows.push([
            format!("bigram: search, {label}-char query (top 20, avg {avg_hits} hits)"),
            ms(p50),
            ms(p99),
            target.into(),
        ]);
    }

    // The index stage: the whole index rebuilt as after an initial sync of every
    // draft (Client::reindex_search, then Client::build_search_index); a search while
    // all of them wait scans the newest within its budget and says it may be incomplete.
    let waiting = client.reindex_search().expect("reindex");
    let mut samples = Vec::new();
    let mut incomplete = 0;
    for _ in 0..3 {
        for q in Q2.iter().chain(Q8) {
            let t = Instant::now();
            incomplete += usize::from(client.search(q, 20).expect("search").incomplete);
            samples.push(t.elapsed());
        }
    }
    rows.push([
        format!("search while {waiting} drafts wait for the index (2- and 8-char, top 20)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        format!("{incomplete} of {} marked incomplete", samples.len()),
    ]);
    let t = Instant::now();
    let indexed = client.build_search_index().expect("index stage");
    let took = t.elapsed();
    assert_eq!(client.search_backlog().unwrap(), 0);
    rows.push([
        format!("index stage: {indexed} drafts indexed"),
        format!("{:.1} s", took.as_secs_f64()),
        format!("{:.0} drafts/s", indexed as f64 / took.as_secs_f64()),
        String::new(),
    ]);
    for (label, queries) in [("2", Q2), ("4", Q4), ("8", Q8)] {
        let (p50, p99, avg_hits) = time_queries(&client, queries, 10);
        rows.push([
            format!("bigram, after the index stage: search, {label}-char query (top 20, avg {avg_hits} hits)"),
            ms(p50),
            ms(p99),
            String::new(),
        ]);
    }

    // Attachments at rest (XChaCha20-Poly1305 in 64 KiB chunks): import (hash + seal +
    // fsync) and a streaming read back (decrypt + verify) of a 64 MB file, against a
    // plain file copy of the same bytes.
    let big = files.join("scan.bin");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&big).unwrap();
        let mut block = vec![0u8; 1 << 20];
        for _ in 0..64 {
            for b in block.iter_mut() {
                *b = rng.next() as u8;
            }
            f.write_all(&block).unwrap();
        }
        f.sync_all().unwrap();
    }
    let mb = 64.0;
    let t = Instant::now();
    std::fs::copy(&big, files.join("scan-copy.bin")).unwrap();
    let plain_copy = t.elapsed();
    let t = Instant::now();
    let saved = client
        .create_draft(Document {
            title: "扫描件".into(),
            attachments: vec![Attachment {
                name: "扫描件".into(),
                file: Some(big.display().to_string()),
                body: None,
            }],
            ..Default::default()
        })
        .unwrap();
    let seal_time = t.elapsed();
    let reference = client
        .open_draft(&saved.draft_id)
        .unwrap()
        .document
        .attachments[0]
        .file
        .clone()
        .unwrap();
    let t = Instant::now();
    let mut reader = client.open_attachment(&reference).unwrap();
    let read_bytes = std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    let read_time = t.elapsed();
    assert_eq!(read_bytes, 64 << 20);
    rows.push([
        "attachment 64 MB: import (hash + seal + fsync) / read back (decrypt + verify)".into(),
        format!("{:.0} MB/s", mb / seal_time.as_secs_f64()),
        format!("{:.0} MB/s", mb / read_time.as_secs_f64()),
        format!("plain file copy {:.0} MB/s", mb / plain_copy.as_secs_f64()),
    ]);

    // Autosave into the working copy vs a version per keystroke, on a 3 KB document.
    let typed = client.create_draft(generate(&mut rng, n, &pool)).unwrap();
    let mut doc = client.open_draft(&typed.draft_id).unwrap().document;
    let mut autosave = Vec::new();
    let mut per_key = Vec::new();
    for k in 0..500 {
        doc.body.push(if k % 2 == 0 { '文' } else { '字' });
        let t = Instant::now();
        client
            .autosave_draft(&typed.draft_id, doc.clone(), 1)
            .unwrap();
        autosave.push(t.elapsed());
    }
    client.commit_working_copy(&typed.draft_id).unwrap();
    for k in 0..200 {
        doc.body.push(if k % 2 == 0 { '文' } else { '字' });
        let t = Instant::now();
        client
            .save_draft(&typed.draft_id, doc.clone(), None)
            .unwrap();
        per_key.push(t.elapsed());
    }
    rows.push([
        "autosave to the working copy (3 KB body, 500 saves)".into(),
        ms(percentile(&mut autosave, 0.5)),
        ms(percentile(&mut autosave, 0.99)),
        "≪ 2 s debounce".into(),
    ]);
    rows.push([
        "for comparison: a version per save (200 saves)".into(),
        ms(percentile(&mut per_key, 0.5)),
        ms(percentile(&mut per_key, 0.99)),
        String::new(),
    ]);

    // Encrypted open (key given; a keychain lookup adds its own time).
    let info = client.store_info().unwrap();
    drop(client);
    let mut samples = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let c = open(&data);
        samples.push(t.elapsed());
        drop(c);
    }
    rows.push([
        "open encrypted store (SQLCipher, raw key)".into(),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        "≤ 50 ms".into(),
    ]);
    let db_size = std::fs::metadata(data.join("gongwen.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    let blob_size = dir_size(&data.join("blobs"));
    rows.push([
        "store size: database / attachments".into(),
        format!("{:.0} MB", db_size as f64 / 1e6),
        format!("{:.0} MB", blob_size as f64 / 1e6),
        format!("{} drafts, {} versions", info.drafts, info.versions),
    ]);

    trigram_comparison(&texts, &mut rows);

    println!();
    println!("| measure | value / p50 | p99 | target |");
    println!("|---|---|---|---|");
    for r in &rows {
        println!("| {} | {} | {} | {} |", r[0], r[1], r[2], r[3]);
    }
}
