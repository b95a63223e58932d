//! 催办 end to end: the drafter reminds offline, both sync, and the reviewer's device
//! keeps the reminder for the task: announced once (also across a restart), counted
//! until the task is opened, never raised on the sender's own device.

use std::sync::Arc;

use gongwen_client::api::OpenOptions;
use gongwen_client::flow::{QueueFilter, QueueKind};
use gongwen_client::key::{Key, StaticKey};

use super::{Device, Server, example};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_reminder_reaches_the_handler_once_both_sync() {
    let server = Server::start().await;
    let zhang = Device::login(&server, "zhang").await;
    zhang.sync().await;
    let draft = zhang.client.create_draft(example()).unwrap();
    let submitted = zhang.client.submit_draft(&draft.draft_id, None).unwrap();
    zhang.sync().await;

    // 催办, written offline on the drafter's device (the handler's device is not even
    // logged in yet); it travels when the drafter syncs.
    zhang
        .client
        .act(
            &submitted.flow_id,
            "remind",
            Some("请今天办理"),
            None,
            None,
            None,
        )
        .unwrap();
    assert_eq!(zhang.client.sync_status().unwrap().pending, 1);
    zhang.sync().await;
    assert!(
        zhang.client.unseen_reminders().unwrap().is_empty(),
        "the sender is not reminded"
    );

    let li = Device::login(&server, "li").await;
    li.sync().await;
    let todo = li
        .client
        .queue(QueueKind::Todo, &QueueFilter::default(), 0, 10)
        .unwrap()
        .items;
    assert_eq!(todo.len(), 1, "{todo:#?}");
    let task = todo[0].task_id.clone().unwrap();
    let reminders = li.client.task_reminders(&task).unwrap();
    assert_eq!(reminders.len(), 1, "{reminders:#?}");
    let r = &reminders[0];
    assert_eq!(r.from, "zhang");
    assert_eq!(r.from_name, "张三");
    assert_eq!(r.message.as_deref(), Some("请今天办理"));
    assert_eq!(r.flow_id, submitted.flow_id);
    assert!(r.at.ends_with("+08:00"), "{}", r.at);
    assert!(!r.seen);

    // Announced once.
    let to_notify = li.client.reminders_to_notify().unwrap();
    assert_eq!(to_notify, reminders);
    li.client.mark_reminders_notified(&to_notify).unwrap();
    assert!(li.client.reminders_to_notify().unwrap().is_empty());

    // Restart: the store is opened again; nothing is announced again, and the flow
    // arriving again does not double the reminder.
    let Device {
        _dir: dir,
        client,
        tokens,
        transport,
    } = li;
    drop(client);
    let client = Arc::new(
        OpenOptions::new(dir.path())
            .keys(Arc::new(StaticKey(Key::from_bytes([9; 32]))))
            .user("li")
            .open()
            .unwrap(),
    );
    let li = Device {
        _dir: dir,
        client,
        tokens,
        transport,
    };
    li.sync().await;
    assert!(li.client.reminders_to_notify().unwrap().is_empty());
    assert_eq!(li.client.unseen_reminders().unwrap().len(), 1);
    assert_eq!(li.client.task_reminders(&task).unwrap().len(), 1);

    // Opening the task: it stops counting.
    assert_eq!(li.client.mark_reminders_seen(&task).unwrap(), 1);
    assert!(li.client.unseen_reminders().unwrap().is_empty());
    assert!(li.client.task_reminders(&task).unwrap()[0].seen);
    server.stop().await;
}
