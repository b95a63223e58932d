//! Drives the real `gongwen` binary through a 发文 approval: directory, 送审, 待办, 同意,
//! refused actions with their zh-CN messages, the flow view and `audit verify`. The store
//! is passphrase-encrypted (GONGWEN_PASSPHRASE), so no keychain is needed.

use std::path::Path;

mod office;

use office::Gongwen;

impl Gongwen {
    /// The first task id in the user's 待办.
    fn first_task(&self, user: &str) -> String {
        let out = self.ok(user, &["queue", "todo"]);
        out.lines()
            .find_map(|l| l.trim().strip_prefix("任务 "))
            .unwrap_or_else(|| panic!("no task in {user}'s 待办:\n{out}"))
            .to_owned()
    }
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/notice-full.json")
        .display()
        .to_string()
}

#[test]
fn submit_approve_and_verify_through_the_cli() {
    let g = Gongwen::new();
    let draft = g.ok("zhang", &["draft", "new", "--from", &example()]);
    let draft = draft.trim();
    let out = g.ok("zhang", &["submit", draft]);
    assert!(out.contains("已送审：发文（一般）"), "{out}");
    assert!(out.contains("当前：审核（李四）"), "{out}");

    let todo = g.ok("li", &["queue", "todo"]);
    assert!(todo.contains("待办（共 1 项）"), "{todo}");
    assert!(todo.contains("[特急]"), "{todo}");
    let task = g.first_task("li");

    // Not 王五's task.
    let err = g.fails("wang", &["act", &task, "approve", "--opinion", "同意"]);
    assert!(err.contains("该任务不是您的待办"), "{err}");
    // 退回 needs a reason.
    let err = g.fails("li", &["act", &task, "return"]);
    assert!(err.contains("退回必须填写理由"), "{err}");
    // 加签 of someone not in the directory.
    let err = g.fails("li", &["act", &task, "add-handler", "--to", "查无此人"]);
    assert!(err.contains("找不到人员“查无此人”"), "{err}");

    let out = g.ok("li", &["act", &task, "approve", "--opinion", "拟同意"]);
    assert!(out.contains("已同意（待同步"), "{out}");
    assert!(out.contains("当前：审核（王五）"), "{out}");
    // Already handled.
    let err = g.fails("li", &["act", &task, "approve"]);
    assert!(err.contains("无需再次处理"), "{err}");

    let done = g.ok("li", &["queue", "done"]);
    assert!(done.contains("当前：审核（王五）"), "{done}");
    let sent = g.ok("zhang", &["queue", "sent"]);
    assert!(sent.contains("当前：审核（王五）"), "{sent}");

    let flow = g.ok("zhang", &["flow", draft]);
    assert!(flow.contains("李四 同意"), "{flow}");
    assert!(flow.contains("意见：拟同意"), "{flow}");
    assert!(flow.contains("▶ 2. 审核（串签）"), "{flow}");

    let json = g.ok("zhang", &["flow", draft, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["opinions"][1]["signature"], "李四");

    let audit = g.ok("zhang", &["audit", "verify"]);
    assert!(audit.starts_with("审计链完整：共 "), "{audit}");
}

#[test]
fn return_to_a_chosen_step_and_unknown_input() {
    let g = Gongwen::new();
    let draft = g.ok("zhang", &["draft", "new", "--from", &example()]);
    let draft = draft.trim();
    g.ok("zhang", &["submit", draft]);
    let task = g.first_task("li");
    g.ok("li", &["act", &task, "approve"]);
    let task = g.first_task("wang");
    let view = g.ok("wang", &["task", &task]);
    assert!(view.contains("可退回到：1. 起草"), "{view}");
    let out = g.ok(
        "wang",
        &[
            "act",
            &task,
            "return",
            "--step",
            "1",
            "--opinion",
            "请重新起草",
        ],
    );
    assert!(out.contains("已退回"), "{out}");
    assert!(out.contains("当前：起草（张三）"), "{out}");
    // A draft already in a flow cannot be submitted twice.
    let err = g.fails("zhang", &["submit", draft]);
    assert!(err.contains("不能重复送审"), "{err}");
    let other = g.ok("zhang", &["draft", "new", "--from", &example()]);
    let err = g.fails(
        "zhang",
        &["submit", other.trim(), "--route", "不存在的模板"],
    );
    assert!(err.contains("找不到流程模板"), "{err}");
    let err = g.fails("zhang", &["act", "no-such-task", "approve"]);
    assert!(err.contains("找不到任务"), "{err}");
}
