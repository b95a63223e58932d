//! The outbox: order and identity of commands, refusal by the server (rebase, retry,
//! discard), and the audit chain.

use std::collections::HashSet;

use gongwen_client::flow::{QueueFilter, QueueKind};

use crate::common::{Env, raw};

#[test]
fn outbox_rows_have_increasing_seq_and_unique_ids() {
    let mut env = Env::new();
    for _ in 0..3 {
        let draft = env.draft("notice-full.json");
        let flow = env
            .as_user("zhang")
            .submit_draft(&draft, None)
            .unwrap()
            .flow_id;
        env.approve("li", &flow, Some("同意"));
    }
    // Each draft save also queues a draft.save.v1 row (sync, issue 7).
    let rows: Vec<_> = env
        .client
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|r| r.name.starts_with("flow."))
        .collect();
    assert_eq!(rows.len(), 9);
    assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
    let ids: HashSet<_> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rows.len());
    assert!(
        rows.iter()
            .all(|r| uuid::Uuid::parse_str(&r.id).unwrap().get_version_num() == 7)
    );
    assert_eq!(rows[0].name, "flow.start.v1");
    assert_eq!(rows[1].name, "flow.act.v1");
    assert_eq!(rows[2].args["command"]["action"], "approve");
    assert_eq!(rows[2].args["command"]["opinion"], "同意");
    assert_eq!(rows[2].args["command"]["actor"], "li");
    assert!(rows.iter().all(|r| r.state == "pending"));
    assert_eq!(env.client.sync_status().unwrap().pending, 9 + 3);
}

#[test]
fn seq_is_never_reused_after_rows_go() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    let hash = env.client.task_view(&task).unwrap().content_hash;
    let out = env
        .client
        .act(&task, "approve", None, None, None, Some(&hash))
        .unwrap();
    env.client
        .reject_command(out.seq, "STEP_ALREADY_DECIDED", "该环节已由他人处理")
        .unwrap();
    env.client.discard_rejected(out.seq).unwrap();
    let again = env
        .client
        .act(&task, "approve", None, None, None, Some(&hash))
        .unwrap();
    assert!(again.seq > out.seq, "{} after {}", again.seq, out.seq);
}

#[test]
fn a_refused_action_keeps_the_opinion_and_can_be_retried_or_discarded() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    let hash = env.client.task_view(&task).unwrap().content_hash;
    let out = env
        .client
        .act(
            &task,
            "approve",
            Some("同意，请王主任阅处"),
            None,
            None,
            Some(&hash),
        )
        .unwrap();
    assert!(env.todo("li").is_empty());
    env.task_of("wang", &flow);

    env.as_user("li")
        .reject_command(out.seq, "STEP_ALREADY_DECIDED", "该环节已由他人处理")
        .unwrap();
    // Rebased: the optimistic effect is gone; the task is back in 李四's 待办.
    assert!(env.todo("wang").is_empty());
    assert_eq!(env.task_of("li", &flow), task);
    let rejected = env.as_user("li").rejected_actions().unwrap();
    assert_eq!(rejected.len(), 1);
    let r = &rejected[0];
    assert_eq!(r.seq, out.seq);
    assert_eq!(r.action_label, "同意");
    assert_eq!(r.opinion.as_deref(), Some("同意，请王主任阅处"));
    assert_eq!(r.code, "STEP_ALREADY_DECIDED");
    assert_eq!(r.reason, "该环节已由他人处理");
    assert!(!r.title.clone().unwrap().is_empty());
    assert_eq!(env.client.flow_counts().unwrap().rejected, 1);
    let pending: Vec<_> = env
        .client
        .outbox()
        .unwrap()
        .into_iter()
        .filter(|o| o.state == "pending" && o.name.starts_with("flow."))
        .collect();
    assert_eq!(pending.len(), 2, "送审 and 起草 still wait to be sent");

    // Retry: queued again as a new command, same opinion.
    let retried = env.client.retry_rejected(out.seq).unwrap();
    assert!(retried.seq > out.seq);
    assert!(env.client.rejected_actions().unwrap().is_empty());
    env.task_of("wang", &flow);
    let last = env.client.outbox().unwrap().pop().unwrap();
    assert_eq!(last.args["command"]["opinion"], "同意，请王主任阅处");

    // Refuse it again and discard it this time.
    env.as_user("li")
        .reject_command(retried.seq, "FLOW_WITHDRAWN", "流程已撤回")
        .unwrap();
    let err = env.client.retry_rejected(out.seq).unwrap_err();
    assert_eq!(err.code(), "outbox_not_found");
    env.client.discard_rejected(retried.seq).unwrap();
    assert!(env.client.rejected_actions().unwrap().is_empty());
    assert_eq!(
        env.client.outbox().unwrap().len(),
        2 + 1,
        "送审, 起草 and the draft save"
    );
    env.client.verify_audit().unwrap();
}

#[test]
fn refusing_an_action_refuses_the_later_ones_that_depended_on_it() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    let task = env.task_of("li", &flow);
    let hash = env.client.task_view(&task).unwrap().content_hash;
    let li = env
        .client
        .act(&task, "approve", None, None, None, Some(&hash))
        .unwrap();
    let wang_task = env.task_of("wang", &flow);
    env.client
        .act(&wang_task, "approve", Some("同意"), None, None, Some(&hash))
        .unwrap();
    env.client
        .reject_command(li.seq, "STEP_ALREADY_DECIDED", "该环节已由他人处理")
        .unwrap();
    let rejected = env.client.rejected_actions().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[1].opinion.as_deref(), Some("同意"));
    // 王五's task is waiting again (串签): his approval no longer applies.
    assert_eq!(rejected[1].code, "NOT_YOUR_TURN");
    assert_eq!(env.task_of("li", &flow), task);
}

#[test]
fn refusing_the_submission_removes_the_local_flow() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let out = env.as_user("zhang").submit_draft(&draft, None).unwrap();
    env.client
        .reject_command(out.outbox_seqs[0], "ROUTE_NOT_ALLOWED", "该路线未经批准")
        .unwrap();
    assert!(env.todo("li").is_empty());
    assert_eq!(
        env.client.flow_view(&draft).unwrap_err().code(),
        "flow_not_found"
    );
    let rejected = env.as_user("zhang").rejected_actions().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].action_label, "送审");
    // Retry of the submission submits again.
    env.client.retry_rejected(out.outbox_seqs[0]).unwrap();
    env.task_of("li", &env.client.flow_view(&draft).unwrap().flow_id.clone());
}

#[test]
fn audit_chain_verifies_and_names_a_tampered_record() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    env.approve("li", &flow, Some("同意"));
    let ok = env.client.verify_audit().unwrap();
    assert!(ok.records >= 8, "{ok:?}");

    // Records cannot be changed through SQL…
    let c = raw(env.dir.path());
    let e = c
        .execute("UPDATE audit_log SET actor = 'wang' WHERE seq = 3", [])
        .unwrap_err();
    assert!(e.to_string().contains("never updated"), "{e}");
    assert!(
        c.execute("DELETE FROM audit_log WHERE seq = 3", [])
            .is_err()
    );
    // …but someone with the file and the key could drop the guard.
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET detail_json = replace(detail_json, '同意', '不同意')
         WHERE action = 'workflow.approved' AND actor = 'li';",
    )
    .unwrap();
    let seq: i64 = c
        .query_row(
            "SELECT seq FROM audit_log WHERE action = 'workflow.approved' AND actor = 'li'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    let err = env.client.verify_audit().unwrap_err();
    assert_eq!(err.code(), "audit_broken");
    let msg = err.to_string();
    assert!(msg.contains(&format!("第 {seq} 条记录")), "{msg}");
    assert!(msg.contains("workflow.approved"), "{msg}");
    assert!(msg.contains("被篡改"), "{msg}");
}

#[test]
fn audit_chain_names_a_deleted_record() {
    let mut env = Env::new();
    let draft = env.draft("notice-full.json");
    let flow = env
        .as_user("zhang")
        .submit_draft(&draft, None)
        .unwrap()
        .flow_id;
    env.approve("li", &flow, None);
    let c = raw(env.dir.path());
    c.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4;")
        .unwrap();
    drop(c);
    let err = env.client.verify_audit().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("第 5 条记录"), "{msg}");
    assert!(msg.contains("缺失"), "{msg}");
    let _ = env
        .client
        .queue(QueueKind::Todo, &QueueFilter::default(), 0, 10)
        .unwrap();
}
