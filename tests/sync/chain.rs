//! The whole chain between two organs, each person on their own device, through the
//! real server on PostgreSQL: 鹤府办 drafts, reviews, signs, rechecks, 登记 (the
//! server gives the 文号), 印制 and 核发 (the server delivers to 鹤山镇); 鹤山镇's
//! 收文员 pulls it into 收文, 签收s it offline-first and 登记s it (the template would give
//! 初审 to the office head; the 收文员, on the command line, gives it to the deputy, and the server
//! starts the flow so); 鹤府办's clients pull the 回执.

use std::collections::HashMap;

use gongwen_client::incoming::{IncomingFilter, IncomingStatus};
use gongwen_protocol::directory::{NewOrgan, NewPosition, NewUser, OrganLevel, Role};

use super::cli::Cli;
use super::{Device, PASSWORD, Server, example};

/// 鹤山镇人民政府 with the people the standard 收文 route needs.
pub(crate) async fn seed_town(db: &str) {
    use gongwen_server::directory;
    let pool = gongwen_server::db::connect(db, 2).await.unwrap();
    let c = pool.get().await.unwrap();
    directory::create_organ(
        &c,
        &NewOrgan {
            name: "鹤山镇人民政府".into(),
            code: "鹤山镇".into(),
            level: OrganLevel::Town,
            parent: None,
        },
    )
    .await
    .unwrap();
    let hash = gongwen_server::auth::password::hash(PASSWORD).unwrap();
    for (login, name, roles, position) in [
        ("town", "镇收文员", vec![Role::Receiver, Role::Clerk], None),
        (
            "townoffice",
            "镇办主任",
            vec![Role::Reviewer],
            Some("办公室主任"),
        ),
        (
            "towndeputy",
            "镇分管领导",
            vec![Role::Leader, Role::Signer],
            Some("分管领导"),
        ),
        (
            "townhead",
            "镇长",
            vec![Role::Leader, Role::Signer],
            Some("主要负责人"),
        ),
    ] {
        directory::create_user(
            &c,
            &NewUser {
                login: login.into(),
                display_name: Some(name.into()),
                organ: "鹤山镇".into(),
                department: None,
                roles,
                password: None,
            },
            Some(&hash),
        )
        .await
        .unwrap();
        if let Some(title) = position {
            directory::create_position(
                &c,
                &NewPosition {
                    organ: "鹤山镇".into(),
                    department: None,
                    title: title.into(),
                    holder: Some(login.into()),
                },
            )
            .await
            .unwrap();
        }
    }
}

async fn scalar(db: &str, sql: &str) -> i64 {
    let pool = gongwen_server::db::connect(db, 1).await.unwrap();
    let c = pool.get().await.unwrap();
    c.query_one(sql, &[]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_reaches_the_other_organs_inbox_and_the_receipt_comes_back() {
    let server = Server::start().await;
    seed_town(&server.db).await;
    let mut devices: HashMap<&str, Device> = HashMap::new();
    for login in ["zhang", "li", "wang", "zhao", "qian", "sun", "zhou"] {
        let d = Device::login(&server, login).await;
        d.sync().await;
        devices.insert(login, d);
    }

    // 起草 and 送审, offline; then the 发文 chain, each on their own device.
    let mut doc = example();
    doc.main_recipients = vec!["鹤山镇人民政府".into()];
    doc.cc = vec![];
    doc.doc_number = None;
    // 涉密公文 never travel through the exchange (the server refuses them at 核发).
    doc.secrecy = None;
    let zhang = &devices["zhang"];
    let draft = zhang.client.create_draft(doc).unwrap();
    let submitted = zhang.client.submit_draft(&draft.draft_id, None).unwrap();
    zhang.sync().await;
    // 审核 ×2, 签发, 复核, 登记, 印制, 核发.
    for login in ["li", "wang", "zhao", "qian", "sun", "zhou", "sun"] {
        let d = &devices[login];
        d.sync().await;
        assert_eq!(d.approve_first(), submitted.flow_id, "{login}");
        let report = d.sync().await;
        assert_eq!(
            (report.applied, report.rejected),
            (1, 0),
            "{login}: {report:?} {:?}",
            d.client.rejected_actions().unwrap()
        );
    }
    zhang.sync().await;
    let view = zhang.client.flow_view(&submitted.flow_id).unwrap();
    assert_eq!(view.status, "completed", "{view:?}");
    // The server gave the 文号 at 登记, once.
    assert_eq!(
        scalar(
            &server.db,
            &format!(
                "SELECT count(*) FROM doc_numbers WHERE document_id = '{}'",
                draft.draft_id
            )
        )
        .await,
        1
    );

    // 鹤山镇's 收文员: the document is in 收文, with the 文号 on it.
    let town = Device::login(&server, "town").await;
    town.sync().await;
    let page = town
        .client
        .incoming(&IncomingFilter::default(), 0, 10)
        .unwrap();
    assert_eq!(page.total, 1, "{page:?}");
    let item = page.items[0].clone();
    assert_eq!(item.status, IncomingStatus::Unsigned);
    assert_eq!(item.from.code, "鹤府办");
    let number = item.doc_number.clone().expect("the 文号 travels with it");
    assert!(number.contains("〔") && number.ends_with("号"), "{number}");
    let detail = town.client.incoming_detail(&item.id).unwrap();
    assert_eq!(
        detail.document.title,
        draft_title(&devices, &draft.draft_id)
    );
    assert!(detail.document.doc_number.is_some());

    // 签收 offline-first, then the server confirms.
    town.client.sign_incoming(&item.id).unwrap();
    assert_eq!(
        town.client.incoming_detail(&item.id).unwrap().item.status,
        IncomingStatus::SignPending
    );
    let report = town.sync().await;
    assert_eq!((report.applied, report.rejected), (1, 0), "{report:?}");
    assert_eq!(
        town.client.incoming_detail(&item.id).unwrap().item.status,
        IncomingStatus::Signed
    );

    // 登记 starts the 收文 flow. By the template the office head would do 初审; the 收文员
    // gives it to the deputy instead, and the server starts the flow as registered.
    let preview = town.client.first_step_preview(&item.id, None).unwrap();
    assert_eq!(preview.step.as_deref(), Some("初审"), "{preview:?}");
    let defaults: Vec<&str> = preview.handlers.iter().map(|h| h.login.as_str()).collect();
    assert_eq!(defaults, ["townoffice"], "{preview:?}");
    // She registers with the command line on her other computer (`--handler`).
    let cli = Cli::new("town", &server);
    cli.ok(&["init"]).await;
    cli.ok(&["login", "--server", &server.base, "--user", "town"])
        .await;
    cli.ok(&["sync"]).await;
    let reg = cli
        .json(&[
            "incoming",
            "register",
            &item.id,
            "--handler",
            "towndeputy",
            "--json",
        ])
        .await;
    let receipt_number = reg["receiptNumber"].as_str().unwrap();
    assert!(receipt_number.starts_with("鹤山镇收〔"), "{reg}");
    assert!(
        reg["nowAt"].as_str().unwrap().contains("镇分管领导"),
        "{reg}"
    );
    let flow_id = reg["flowId"].as_str().unwrap().to_owned();
    cli.ok(&["sync"]).await;
    let status = cli.json(&["sync", "status", "--json"]).await;
    assert_eq!(
        (status["pending"].as_i64(), status["rejected"].as_i64()),
        (Some(0), Some(0)),
        "{status}"
    );
    let office = Device::login(&server, "townoffice").await;
    office.sync().await;
    let office_counts = office.client.flow_counts().unwrap();
    assert_eq!(
        office_counts.todo, 0,
        "the office head was passed over: {office_counts:?}"
    );
    let deputy = Device::login(&server, "towndeputy").await;
    deputy.sync().await;
    assert_eq!(deputy.approve_first(), flow_id);
    deputy.sync().await;

    // 鹤府办 pulls the 回执.
    for login in ["zhang", "sun"] {
        let d = &devices[login];
        d.sync().await;
        let receipts = d.client.receipts(Some(&draft.draft_id)).unwrap();
        assert_eq!(receipts.len(), 1, "{login}: {receipts:?}");
        assert_eq!(receipts[0].recipient.code, "鹤山镇");
        assert_eq!(receipts[0].signed_by.login, "town");
        assert_eq!(receipts[0].doc_number.as_deref(), Some(number.as_str()));
    }
    assert_eq!(
        scalar(
            &server.db,
            "SELECT count(*) FROM exchange_items WHERE state = 'signed'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(&server.db, "SELECT count(*) FROM exchange_receipts").await,
        1
    );
    server.stop().await;
}

fn draft_title(devices: &HashMap<&str, Device>, draft: &str) -> String {
    devices["zhang"]
        .client
        .open_draft(draft)
        .unwrap()
        .document
        .title
}
