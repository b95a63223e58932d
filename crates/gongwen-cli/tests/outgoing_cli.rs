//! `gongwen outgoing` (发文登记簿) and the 文号 in `gongwen queue sent`, through the real
//! binary: a 发文 is listed once 登记 is done, not before. The store is passphrase-encrypted
//! (GONGWEN_PASSPHRASE), so no keychain is needed.

use std::path::Path;

mod office;

use office::Gongwen;

impl Gongwen {
    /// `user` approves the first task in their 待办.
    fn approve(&self, user: &str) {
        let todo = self.ok(user, &["queue", "todo"]);
        let task = todo
            .lines()
            .find_map(|l| l.trim().strip_prefix("任务 "))
            .unwrap_or_else(|| panic!("no task in {user}'s 待办:\n{todo}"))
            .to_owned();
        self.ok(user, &["act", &task, "approve"]);
    }
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/notice-full.json")
        .display()
        .to_string()
}

#[test]
fn a_document_enters_the_register_at_registration() {
    let g = Gongwen::new();
    let draft = g.ok("zhang", &["draft", "new", "--from", &example()]);
    let draft = draft.trim();
    g.ok("zhang", &["submit", draft]);

    // The example carries a 文号: 在办 shows it.
    let sent = g.ok("zhang", &["queue", "sent"]);
    assert!(sent.contains("文号：鹤府〔2026〕12号"), "{sent}");
    // Not registered yet: not in the register.
    let out = g.ok("sun", &["outgoing", "--year", "2026"]);
    assert_eq!(
        out.trim(),
        "2026年暂无发文登记（登记后取得文号的发文会列在这里）"
    );

    // 审核 ×2, 签发, 复核, 登记.
    for user in ["li", "wang", "zhao", "qian", "sun"] {
        g.approve(user);
    }
    let out = g.ok("sun", &["outgoing", "--year", "2026"]);
    assert!(out.starts_with("发文登记（2026年，共 1 件）"), "{out}");
    assert!(
        out.contains("鹤府〔2026〕12号  [特急][秘密★1年][待同步] 鹤山市人民政府关于开展2026年安全生产大检查的通知"),
        "{out}"
    );
    assert!(out.contains("签发：赵六"), "{out}");
    assert!(out.contains("成文：2026-11-28"), "{out}");
    assert!(out.contains("待印制　主送、抄送 6 个单位"), "{out}");
    assert!(out.contains(&format!("公文 {draft}")), "{out}");

    let all = g.ok("sun", &["outgoing", "--year", "all"]);
    assert!(all.starts_with("发文登记（全部年份，共 1 件）"), "{all}");
    let other = g.ok("sun", &["outgoing", "--year", "2025"]);
    assert!(other.starts_with("2025年暂无发文登记"), "{other}");
    let none = g.ok(
        "sun",
        &["outgoing", "--year", "2026", "--receipts", "已签收"],
    );
    assert_eq!(none.trim(), "2026年没有符合条件的发文");
    let found = g.ok(
        "sun",
        &["outgoing", "--year", "2026", "--search", "鹤府[2026]12号"],
    );
    assert!(found.contains("共 1 件"), "{found}");

    let json = g.ok("sun", &["outgoing", "--year", "2026", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["docNumber"], "鹤府〔2026〕12号");
    assert_eq!(v["items"][0]["state"], "to_print");
    assert_eq!(v["items"][0]["receiptsTotal"], 6);
    assert_eq!(v["years"][0], 2026);

    let err = g.fails("sun", &["outgoing", "--year", "去年"]);
    assert!(err.contains("年份“去年”不对"), "{err}");
    let err = g.fails("sun", &["outgoing", "--receipts", "很多"]);
    assert!(err.contains("可选：未核发、待签收、已签收"), "{err}");
}
