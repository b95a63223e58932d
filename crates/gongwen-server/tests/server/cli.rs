//! The `gongwen-server` binary: bad input gives one line, a non-zero exit
//! and no panic; the admin commands work; SIGTERM stops it cleanly.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use gongwen_testkit::TestPostgres;

const BIN: &str = env!("CARGO_BIN_EXE_gongwen-server");

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, None)
}

fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("GONGWEN_DATABASE_URL")
        .env_remove("GONGWEN_LISTEN")
        .env_remove("GONGWEN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            pipe.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// Exit code 1 and exactly one line on stderr containing every `needle`.
#[track_caller]
fn assert_one_line_failure(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing {n:?} in: {stderr}");
    }
}

fn migrated_db() -> String {
    let url = TestPostgres::shared().fresh_database();
    let out = run(&["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    url
}

#[test]
fn migrate_then_migrate_again() {
    let url = TestPostgres::shared().fresh_database();
    let out = run(&["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("升级到"));
    let out = run(&["migrate", "--database-url", &url]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("已是最新"));
}

#[test]
fn unparseable_database_url() {
    assert_one_line_failure(
        &run(&["migrate", "--database-url", "postgres://[::1"]),
        &["数据库地址无法解析"],
    );
    assert_one_line_failure(
        &run(&["migrate"]),
        &["缺少数据库地址", "GONGWEN_DATABASE_URL"],
    );
}

#[test]
fn unreachable_database() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/gongwen");
    assert_one_line_failure(
        &run(&["migrate", "--database-url", &url]),
        &["无法连接数据库", "PostgreSQL 已启动"],
    );
    // serve reports it the same way.
    assert_one_line_failure(
        &run(&["serve", "--database-url", &url, "--listen", "127.0.0.1:0"]),
        &["无法连接数据库"],
    );
}

#[test]
fn wrong_database_password_and_missing_database() {
    // Our own throwaway cluster, which checks passwords on TCP.
    let pg = TestPostgres::throwaway().unwrap();
    let good = url::Url::parse(&pg.fresh_database()).unwrap();
    let mut wrong = good.clone();
    wrong.set_password(Some("not-the-password")).unwrap();
    assert_one_line_failure(
        &run(&["migrate", "--database-url", wrong.as_str()]),
        &["数据库拒绝了用户 postgres"],
    );
    let mut missing = good.clone();
    missing.set_path("/no_such_db");
    assert_one_line_failure(
        &run(&["migrate", "--database-url", missing.as_str()]),
        &["数据库 no_such_db 不存在"],
    );
}

#[test]
fn port_already_in_use() {
    let url = migrated_db();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    assert_one_line_failure(
        &run(&["serve", "--database-url", &url, "--listen", &addr]),
        &["端口已被占用", &addr],
    );
    assert_one_line_failure(
        &run(&[
            "serve",
            "--database-url",
            &url,
            "--listen",
            "not-an-address",
        ]),
        &["监听地址"],
    );
}

#[test]
fn database_from_a_newer_version() {
    let url = migrated_db();
    TestPostgres::external(&url)
        .unwrap()
        .psql("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '0999_future', '')")
        .unwrap();
    assert_one_line_failure(
        &run(&["migrate", "--database-url", &url]),
        &["999", "请升级本程序"],
    );
    assert_one_line_failure(
        &run(&["serve", "--database-url", &url, "--listen", "127.0.0.1:0"]),
        &["请升级本程序"],
    );
    assert_one_line_failure(
        &run(&["admin", "--database-url", &url, "list-organs"]),
        &["请升级本程序"],
    );
}

#[test]
fn bad_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(&path, "database_url = 5\n").unwrap();
    assert_one_line_failure(
        &run(&["--config", path.to_str().unwrap(), "migrate"]),
        &["配置文件", "格式错误"],
    );
}

#[test]
fn config_file_supplies_the_database_url() {
    let url = TestPostgres::shared().fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.toml");
    std::fs::write(&path, format!("database_url = {url:?}\n")).unwrap();
    let out = run(&["--config", path.to_str().unwrap(), "migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn admin_commands_build_and_list_the_directory() {
    let url = migrated_db();
    let db = ["admin", "--database-url", url.as_str()];
    let ok = |args: &[&str], stdin: Option<&str>| {
        let all: Vec<&str> = db.iter().chain(args).copied().collect();
        let out = run_with_stdin(&all, stdin);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(
        &["create-organ", "--name", "鹤山市人民政府", "--code", "鹤府"],
        None,
    );
    ok(
        &[
            "create-organ",
            "--name",
            "鹤山市人民政府办公室",
            "--code",
            "鹤府办",
            "--parent",
            "鹤府",
        ],
        None,
    );
    ok(
        &[
            "create-organ",
            "--name",
            "鹤山镇人民政府",
            "--code",
            "鹤山镇",
            "--parent",
            "鹤府",
            "--level",
            "town",
        ],
        None,
    );
    ok(
        &["create-dept", "--organ", "鹤府办", "--name", "综合科"],
        None,
    );
    ok(
        &[
            "create-user",
            "--organ",
            "鹤府办",
            "--dept",
            "综合科",
            "--name",
            "wang",
            "--display",
            "王文书",
            "--role",
            "办公室文书",
            "--role",
            "收文员",
        ],
        Some("王文书的登录密码\n"),
    );
    ok(
        &[
            "create-user",
            "--organ",
            "鹤府",
            "--name",
            "root",
            "--role",
            "admin",
            "--password",
            "root-password-1",
        ],
        None,
    );
    ok(
        &[
            "create-position",
            "--organ",
            "鹤府办",
            "--dept",
            "综合科",
            "--title",
            "科长",
            "--holder",
            "wang",
        ],
        None,
    );
    ok(
        &[
            "create-delegation",
            "--from",
            "root",
            "--to",
            "wang",
            "--starts-at",
            "2025-03-01T08:00:00+08:00",
            "--ends-at",
            "2025-03-02T08:00:00+08:00",
        ],
        None,
    );
    let organs = ok(&["list-organs"], None);
    assert!(
        organs.contains("鹤山镇\t鹤山镇人民政府\t乡镇级\t鹤府"),
        "{organs}"
    );
    let users = ok(&["list-users", "--organ", "鹤府办"], None);
    assert!(
        users.contains("wang\t王文书\t鹤府办\t综合科\t办公室文书、收文员"),
        "{users}"
    );
    assert!(!users.contains("root"), "{users}");
    let json = ok(&["list-users", "--json"], None);
    let parsed: Vec<gongwen_protocol::directory::User> = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.len(), 2);
    assert!(ok(&["list-positions"], None).contains("科长\twang"));
    assert!(ok(&["list-delegations"], None).contains("root\twang"));

    // Bad input: one line each, nothing written.
    let fail = |args: &[&str], needles: &[&str]| {
        let all: Vec<&str> = db.iter().chain(args).copied().collect();
        let out = run(&all);
        assert_ne!(out.status.code(), Some(0), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{args:?}: missing {n:?} in {stderr}");
        }
    };
    fail(
        &["create-organ", "--name", "重复", "--code", "鹤府"],
        &["已存在"],
    );
    fail(
        &[
            "create-organ",
            "--name",
            "孤儿",
            "--code",
            "孤",
            "--parent",
            "无此机关",
        ],
        &["找不到机关", "无此机关"],
    );
    fail(
        &[
            "create-user",
            "--organ",
            "鹤府办",
            "--name",
            "x",
            "--role",
            "boss",
        ],
        &["未知角色"],
    );
    fail(
        &[
            "create-user",
            "--organ",
            "鹤府办",
            "--name",
            "x",
            "--role",
            "clerk",
            "--password",
            "short",
        ],
        &["密码太短"],
    );
    fail(
        &["create-dept", "--organ", "无此机关", "--name", "x"],
        &["找不到机关"],
    );
    assert_eq!(
        ok(&["list-users", "--json"], None)
            .matches("\"login\"")
            .count(),
        2
    );
}

#[test]
fn admin_import_csv_is_all_or_nothing() {
    let url = migrated_db();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("dir.csv");
    std::fs::write(
        &good,
        "kind,code,name,level,parent,organ,department,login,roles,password\n\
         organ,鹤府,鹤山市人民政府,city,,,,,,\n\
         organ,鹤府办,鹤山市人民政府办公室,city,鹤府,,,,,\n\
         department,,综合科,,,鹤府办,,,,\n\
         user,,王文书,,,鹤府办,综合科,wang,办公室文书;拟稿人,王文书的登录密码\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "kind,code,name,level,parent,organ,department,login,roles\n\
         organ,云乡,云岭乡,town,鹤府,,,,\n\
         user,,某人,,,不存在,,someone,clerk\n",
    )
    .unwrap();
    let out = run(&[
        "admin",
        "--database-url",
        &url,
        "import",
        good.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("机关 2，部门 1，用户 1"));
    let out = run(&[
        "admin",
        "--database-url",
        &url,
        "import",
        bad.to_str().unwrap(),
    ]);
    assert_one_line_failure(&out, &["第 1 个用户", "找不到机关"]);
    let organs = run(&["admin", "--database-url", &url, "list-organs"]);
    assert!(
        !String::from_utf8_lossy(&organs.stdout).contains("云乡"),
        "the failed import left nothing behind"
    );
}

#[test]
fn serve_logs_json_and_stops_on_sigterm() {
    let url = migrated_db();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args([
            "--log-format",
            "json",
            "serve",
            "--database-url",
            &url,
            "--listen",
            &addr,
        ])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it answers.
    let mut up = false;
    for _ in 0..600 {
        if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
            use std::io::Read;
            s.write_all(b"GET /v1/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut resp = String::new();
            let _ = s.read_to_string(&mut resp);
            if resp.starts_with("HTTP/1.1 200") {
                up = true;
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(up, "server came up");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit after SIGTERM: {:?} {stderr}",
        out.status
    );
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"gongwen-server listening"),
        "{messages:?}"
    );
    assert!(messages.contains(&"request"), "{messages:?}");
    assert!(messages.contains(&"gongwen-server stopped"), "{messages:?}");
}

#[test]
fn admin_manages_route_templates_and_revokes_delegations() {
    let url = migrated_db();
    let db = ["admin", "--database-url", url.as_str()];
    let exec = |args: &[&str]| {
        let all: Vec<&str> = db.iter().chain(args).copied().collect();
        run(&all)
    };
    let ok = |args: &[&str]| {
        let out = exec(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    ok(&[
        "create-organ",
        "--name",
        "鹤山镇人民政府",
        "--code",
        "鹤山镇",
        "--level",
        "town",
    ]);
    for (name, role) in [("zhen", "领导"), ("wen", "办公室文书")] {
        ok(&[
            "create-user",
            "--organ",
            "鹤山镇",
            "--name",
            name,
            "--role",
            role,
            "--password",
            "cli-password-1",
        ]);
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tpl.json");
    let template = gongwen_domain::workflow::template::TemplateSet::standard().templates[0].clone();
    let mut template = template;
    template.name = "乡镇发文".into();
    std::fs::write(&file, serde_json::to_string_pretty(&template).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    assert!(ok(&["set-route-template", "--organ", "鹤山镇", "--file", file]).contains("第 1 版"));
    assert!(ok(&["set-route-template", "--organ", "鹤山镇", "--file", file]).contains("第 2 版"));
    let list = ok(&["list-route-templates", "--organ", "鹤山镇"]);
    assert!(list.contains("乡镇发文\t发文\t起草→审核→签发"), "{list}");
    let json: Vec<serde_json::Value> = serde_json::from_str(&ok(&[
        "list-route-templates",
        "--organ",
        "鹤山镇",
        "--json",
    ]))
    .unwrap();
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["version"], 2);
    assert!(json[0]["updated_by"].as_str().unwrap().starts_with("cli:"));

    // Bad input: one line, nothing written.
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"name\": 1}").unwrap();
    assert_one_line_failure(
        &exec(&[
            "set-route-template",
            "--organ",
            "鹤山镇",
            "--file",
            garbage.to_str().unwrap(),
        ]),
        &["不是有效的流程模板"],
    );
    assert_one_line_failure(
        &exec(&["set-route-template", "--organ", "不存在", "--file", file]),
        &["找不到机关"],
    );
    assert_one_line_failure(
        &exec(&[
            "remove-route-template",
            "--organ",
            "鹤山镇",
            "--name",
            "没有这个",
        ]),
        &["找不到流程模板"],
    );
    assert!(
        ok(&[
            "remove-route-template",
            "--organ",
            "鹤山镇",
            "--name",
            "乡镇发文"
        ])
        .contains("已删除")
    );
    assert!(!ok(&["list-route-templates", "--organ", "鹤山镇"]).contains("乡镇发文"));

    let created = ok(&[
        "create-delegation",
        "--from",
        "zhen",
        "--to",
        "wen",
        "--starts-at",
        "2025-03-01T08:00:00+08:00",
        "--ends-at",
        "2025-03-08T08:00:00+08:00",
    ]);
    let id: String = created
        .trim_start_matches("已创建委托 ")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!id.is_empty(), "{created}");
    assert!(ok(&["list-delegations"]).contains(&format!("{id}\tzhen\twen")));
    assert!(ok(&["revoke-delegation", "--id", &id]).contains("已撤销委托"));
    assert!(!ok(&["list-delegations"]).contains("zhen\twen"));
    assert_one_line_failure(&exec(&["revoke-delegation", "--id", &id]), &["已经撤销"]);
    // Every change is audited and the chain verifies.
    assert!(ok(&["audit", "verify"]).contains("审计链完好"));
}
