//! Randomized sync scenarios (SYNC.md §5): several devices draft, submit and approve
//! offline while the link drops requests and answers, duplicates, delays (reorders),
//! answers 503 or garbage, and devices crash between stages. After quiescence every
//! invariant is checked. `GONGWEN_SYNC_SCENARIOS` sets the number of scenarios (CI
//! runs a small set; `make soak` runs thousands and prints the totals), and
//! `GONGWEN_SYNC_SEED` the first seed.

mod sync_support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

use gongwen_client::flow::{QueueFilter, QueueKind};
use sync_support::{FakeServer, Node, PEOPLE, Rng, document};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    scenarios: u64,
    actions: u64,
    syncs: u64,
    crashes: u64,
    applied: u64,
    rejected: u64,
    lost: u64,
    doubled: u64,
}

/// What a scenario ended with, independent of ids and clocks.
type Signature = (
    Vec<(String, String, bool, Option<String>)>,
    BTreeMap<String, Vec<String>>,
);

/// The user's open task with the smallest title (deterministic across runs).
fn first_task(node: &Node) -> Option<(String, &'static str)> {
    let mut best: Option<(String, String, &'static str)> = None;
    for (kind, action) in [(QueueKind::Todo, "approve"), (QueueKind::ToRead, "read")] {
        for item in node
            .client
            .queue(kind, &QueueFilter::default(), 0, 200)
            .unwrap()
            .items
        {
            let Some(task) = item.task_id else { continue };
            let key = format!("{}|{}", item.title, item.step_name);
            if best.as_ref().is_none_or(|b| key < b.0) {
                best = Some((key, task, action));
            }
        }
    }
    best.map(|b| (b.1, b.2))
}

fn open_titles(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    for kind in [QueueKind::Todo, QueueKind::ToRead] {
        for item in node
            .client
            .queue(kind, &QueueFilter::default(), 0, 200)
            .unwrap()
            .items
        {
            out.push(format!("{}|{}", item.title, item.step_name));
        }
    }
    out.sort();
    out
}

async fn scenario(seed: u64, skews: &[i64], totals: &mut Totals) -> Signature {
    let server = FakeServer::new();
    let mut rng = Rng::new(seed);
    let mut nodes: Vec<Option<Node>> = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Some(Node::new(
                &server,
                p.0,
                seed.wrapping_mul(31).wrapping_add(i as u64),
                skews[i % skews.len()],
            ))
        })
        .collect();
    for n in nodes.iter().flatten() {
        n.sync().await.unwrap();
    }
    let mut created: Vec<BTreeSet<String>> = vec![BTreeSet::new(); nodes.len()];
    let mut doc_no = 0;
    let steps = 20 + rng.below(25);
    for _ in 0..steps {
        let i = rng.below(nodes.len() as u64) as usize;
        let node = nodes[i].as_ref().unwrap();
        node.clock.tick();
        match rng.below(12) {
            0 | 1 => {
                doc_no += 1;
                let title = format!("第{doc_no:03}号通知");
                let saved = node
                    .client
                    .create_draft(document(&title, &format!("正文 {seed} {doc_no}")))
                    .unwrap();
                totals.actions += 1;
                if rng.chance(70) {
                    node.client.submit_draft(&saved.draft_id, None).unwrap();
                    totals.actions += 1;
                }
            }
            2 => {
                let drafts = node.client.list_drafts(50, 0).unwrap();
                if !drafts.is_empty() {
                    let d = &drafts[rng.below(drafts.len() as u64) as usize];
                    let mut doc = node.client.open_draft(&d.id).unwrap().document;
                    doc.body = format!("{}（{} 修改）", doc.body, node.login);
                    if node.client.save_draft(&d.id, doc, None).is_ok() {
                        totals.actions += 1;
                    }
                }
            }
            3..=5 => {
                if let Some((task, action)) = first_task(node) {
                    let view = node.client.task_view(&task).unwrap();
                    let opinion = format!("{} 的意见", node.login);
                    if node
                        .client
                        .act(
                            &task,
                            action,
                            Some(&opinion),
                            None,
                            None,
                            Some(&view.content_hash),
                        )
                        .is_ok()
                    {
                        totals.actions += 1;
                    }
                }
            }
            6..=8 => {
                node.net.set_faults(35);
                let _ = node.sync().await;
                totals.syncs += 1;
            }
            9 => {
                // Crash somewhere in the next sync, then start again from disk.
                node.net.set_faults(20);
                let calls = rng.below(4) as i64;
                node.net.crash_at.store(-1, Ordering::SeqCst);
                let base = node.net.calls();
                node.net.crash_at.store(base + calls, Ordering::SeqCst);
                let _ = node.sync().await;
                node.net.crash_at.store(-1, Ordering::SeqCst);
                let n = nodes[i].take().unwrap();
                nodes[i] = Some(n.crash_and_reopen());
                totals.crashes += 1;
            }
            10 => {
                node.net.offline.store(true, Ordering::SeqCst);
                let e = node.sync().await.unwrap_err();
                assert!(e.is_transient(), "{e}");
                node.net.offline.store(false, Ordering::SeqCst);
            }
            _ => {
                // Late (reordered) requests reach the server now.
                node.net.flush_held();
            }
        }
        let node = nodes[i].as_ref().unwrap();
        created[i].extend(node.outbox_ids());
    }
    // Quiescence: no more faults, every device syncs until nothing changes.
    for _ in 0..3 {
        for n in nodes.iter().flatten() {
            n.settle().await;
        }
    }

    let log = server.state().log.clone();
    // Exactly once (the fake server also refuses a second application of an id).
    let ids: BTreeSet<&str> = log.iter().map(|a| a.id.as_str()).collect();
    totals.doubled += (log.len() - ids.len()) as u64;
    // Per-client order: each client's seqs were consumed 1, 2, 3… in order.
    let mut per_client: BTreeMap<&str, i64> = BTreeMap::new();
    for a in &log {
        let last = per_client.entry(a.client_id.as_str()).or_default();
        assert_eq!(
            a.seq,
            *last + 1,
            "seed {seed}: client {} out of order",
            a.client_id
        );
        *last = a.seq;
    }
    totals.applied += log.iter().filter(|a| a.applied).count() as u64;
    totals.rejected += log.iter().filter(|a| !a.applied).count() as u64;
    let server_rejected: BTreeSet<&str> = log
        .iter()
        .filter(|a| !a.applied)
        .map(|a| a.id.as_str())
        .collect();
    let mut open = BTreeMap::new();
    for (i, n) in nodes.iter().flatten().enumerate() {
        let outbox = n.client.outbox().unwrap();
        // No wedge: nothing pending after quiescence.
        assert!(
            outbox.iter().all(|o| o.state == "rejected"),
            "seed {seed}: {} still has pending rows",
            n.login
        );
        assert_eq!(n.client.sync_pending().unwrap(), 0);
        let kept: BTreeSet<&str> = outbox.iter().map(|o| o.id.as_str()).collect();
        // No loss: every command the user made reached the server, or is shown to the
        // user as refused (by the server, or by the replay before it was ever sent).
        for id in &created[i] {
            if !(ids.contains(id.as_str()) || kept.contains(id.as_str())) {
                totals.lost += 1;
                eprintln!("seed {seed}: {} lost {id}", n.login);
            }
        }
        // A row the server applied never stays; one it refused is never dropped.
        for o in &outbox {
            if ids.contains(o.id.as_str()) {
                assert!(
                    server_rejected.contains(o.id.as_str()),
                    "seed {seed}: {} keeps a row the server applied",
                    n.login
                );
            }
        }
        for a in log.iter().filter(|a| !a.applied) {
            if created[i].contains(&a.id) {
                assert!(kept.contains(a.id.as_str()), "seed {seed}: refusal dropped");
            }
        }
        // Convergence: same buckets, same checksums, same open tasks.
        let buckets = n.client.sync_details().unwrap().buckets;
        let names: BTreeSet<String> = buckets.iter().map(|b| b.bucket.clone()).collect();
        assert_eq!(
            names,
            server.buckets_of(&n.login),
            "seed {seed}: {}",
            n.login
        );
        for b in &buckets {
            assert_eq!(
                b.checksum,
                server.checksum(&b.bucket),
                "seed {seed}: {} {}",
                n.login,
                b.bucket
            );
        }
        let on_server = server.state().open_tasks(&n.login);
        assert_eq!(
            n.open_tasks(),
            on_server,
            "seed {seed}: {}'s 待办 differs from the server",
            n.login
        );
        open.insert(n.login.clone(), open_titles(n));
    }
    totals.scenarios += 1;
    let shape = log
        .iter()
        .map(|a| {
            let login = server.state().login_of(&a.client_id);
            (login, a.name.clone(), a.applied, a.code.clone())
        })
        .collect();
    (shape, open)
}

#[tokio::test]
async fn randomized_scenarios_keep_the_invariants() {
    let count = env_u64("GONGWEN_SYNC_SCENARIOS", 4);
    let first = env_u64("GONGWEN_SYNC_SEED", 0x5EED);
    let mut totals = Totals::default();
    for k in 0..count {
        scenario(first + k, &[0], &mut totals).await;
    }
    println!(
        "sync scenarios: {} run, {} actions, {} syncs, {} crashes, {} applied, {} rejected, lost = {}, doubled = {}",
        totals.scenarios,
        totals.actions,
        totals.syncs,
        totals.crashes,
        totals.applied,
        totals.rejected,
        totals.lost,
        totals.doubled
    );
    assert_eq!(totals.scenarios, count);
    assert!(totals.actions > 0);
    assert_eq!(totals.lost, 0, "lost actions");
    assert_eq!(totals.doubled, 0, "doubled actions");
}

#[tokio::test]
async fn client_clocks_skewed_seven_days_give_identical_results() {
    let count = env_u64("GONGWEN_SYNC_SCENARIOS", 4).min(50);
    let first = env_u64("GONGWEN_SYNC_SEED", 0x5EED) + 1000;
    for k in 0..count.div_ceil(2) {
        let mut t = Totals::default();
        let straight = scenario(first + k, &[0], &mut t).await;
        let skewed = scenario(first + k, &[7, -7, 0, 3, -5], &mut t).await;
        assert_eq!(straight, skewed, "seed {}", first + k);
        assert_eq!(t.lost + t.doubled, 0);
    }
}
