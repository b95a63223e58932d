//! New 待办 and 催办 raise a desktop notification, and what waits shows on the window:
//! as the taskbar badge where the desktop has one (macOS, and Linux docks that speak the
//! Unity launcher API), and always in the window title, "公文通（3 件待办，1 件催办）",
//! which every taskbar shows (GNOME and Windows have no badge for an app). The badge
//! counts the open 待办 plus the 催办 not yet looked at.
//!
//! Driven by events, not a UI poll: a watcher task wakes when the sync service's status
//! changes (a sync finished, the service went on- or offline) and when a command records
//! a local change ([`AppState::changed`]); then it reads the open 待办 and the reminders
//! from the store.
//!
//! 催办 come from the store's `reminders` ([`gongwen_client::reminders`]): a reminder of
//! one of my open tasks, sent by someone else, arrives with the flow when both devices
//! have synced. Each is announced once (the store remembers it, across restarts) and
//! counts until its task is opened (the 办理 page marks it seen).

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use gongwen_client::Client;
use gongwen_client::flow::{QueueFilter, QueueKind};
use gongwen_client::reminders::Reminder;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

/// The product name, the window title when nothing waits.
pub const APP_TITLE: &str = "公文通";

/// How many open 待办 are looked at to find the new ones (the badge counts all of them).
const SCAN: usize = 200;

/// One open 待办.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub id: String,
    pub title: String,
}

/// What changed since the last look.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change {
    /// Tasks that were not open before (empty on the first look: those were there already).
    pub new: Vec<OpenTask>,
    pub count: u64,
}

/// The open 待办 seen last time.
#[derive(Debug, Default)]
pub struct Tracker {
    known: Option<HashSet<String>>,
}

impl Tracker {
    /// Records the open tasks now and says which are new.
    pub fn update(&mut self, open: Vec<OpenTask>, count: u64) -> Change {
        let ids: HashSet<String> = open.iter().map(|t| t.id.clone()).collect();
        let new = match &self.known {
            None => Vec::new(),
            Some(known) => open
                .into_iter()
                .filter(|t| !known.contains(&t.id))
                .collect(),
        };
        self.known = Some(ids);
        Change { new, count }
    }
}

/// The window title for `count` open 待办 and `reminded` unseen 催办.
pub fn title(count: u64, reminded: u64) -> String {
    match (count, reminded) {
        (0, 0) => APP_TITLE.to_owned(),
        (n, 0) => format!("{APP_TITLE}（{n} 件待办）"),
        (0, r) => format!("{APP_TITLE}（{r} 件催办）"),
        (n, r) => format!("{APP_TITLE}（{n} 件待办，{r} 件催办）"),
    }
}

/// The badge: open 待办 plus unseen 催办, or none.
pub fn badge(count: u64, reminded: u64) -> Option<i64> {
    let n = count + reminded;
    (n > 0).then_some(n as i64)
}

/// The notification for new reminders: (title, body).
pub fn reminder_text(new: &[Reminder]) -> Option<(String, String)> {
    match new {
        [] => None,
        [one] => Some((
            format!("{} 催办", one.from_name),
            match one.message.as_deref() {
                Some(m) => format!("{}：{m}", one.title),
                None => format!("请尽快办理：{}", one.title),
            },
        )),
        [first, rest @ ..] => Some((
            format!("{} 件催办", new.len()),
            format!("{} 等 {} 件", first.title, rest.len() + 1),
        )),
    }
}

/// What the store says now: the open 待办 (the first [`SCAN`] of them), their number,
/// the reminders not announced yet and the number of unseen ones.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub open: Vec<OpenTask>,
    pub count: u64,
    pub to_notify: Vec<Reminder>,
    pub reminded: u64,
}

/// Reads a [`Snapshot`].
pub fn snapshot(client: &Client) -> Option<Snapshot> {
    let count = client.flow_counts().ok()?.todo;
    let page = client
        .queue(QueueKind::Todo, &QueueFilter::default(), 0, SCAN)
        .ok()?;
    let open = page
        .items
        .into_iter()
        .filter_map(|item| {
            Some(OpenTask {
                id: item.task_id?,
                title: item.title,
            })
        })
        .collect();
    let to_notify = client.reminders_to_notify().ok()?;
    let reminded = client.unseen_reminders().ok()?.len() as u64;
    Some(Snapshot {
        open,
        count,
        to_notify,
        reminded,
    })
}

/// The reminders to announce now, marked in the store so that they are never announced
/// again (also when notifications are off: turning them on later does not replay them).
pub fn take_reminders(client: &Client, snap: &Snapshot) -> Vec<Reminder> {
    if snap.to_notify.is_empty() {
        return Vec::new();
    }
    match client.mark_reminders_notified(&snap.to_notify) {
        Ok(()) => snap.to_notify.clone(),
        Err(error) => {
            // Better silent than announcing the same reminder on every wake-up.
            tracing::warn!(%error, "could not record announced reminders");
            Vec::new()
        }
    }
}

/// The notification for new tasks: (title, body).
pub fn notification_text(new: &[OpenTask]) -> Option<(String, String)> {
    match new {
        [] => None,
        [one] => Some(("新的待办".to_owned(), one.title.clone())),
        [first, rest @ ..] => Some((
            format!("{} 件新的待办", new.len()),
            format!("{} 等 {} 件", first.title, rest.len() + 1),
        )),
    }
}

fn show<R: Runtime>(
    app: &AppHandle<R>,
    change: &Change,
    reminders: &[Reminder],
    reminded: u64,
    notify: bool,
) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(&title(change.count, reminded));
        // Unsupported desktops answer an error; the title carries the count there.
        let _ = window.set_badge_count(badge(change.count, reminded));
    }
    if !notify {
        return;
    }
    for (title, body) in [notification_text(&change.new), reminder_text(reminders)]
        .into_iter()
        .flatten()
    {
        if let Err(error) = app.notification().builder().title(title).body(body).show() {
            tracing::info!(%error, "no desktop notification shown");
        }
    }
}

/// Runs for the life of the app: updates the title and badge and raises notifications.
pub async fn watch<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let local = state.local_change();
    let mut generation = state.sync_generation();
    let mut tracker = Tracker::default();
    loop {
        if let Some(client) = state.client().ok()
            && let Some(snap) = snapshot(&client)
        {
            let reminders = take_reminders(&client, &snap);
            let change = tracker.update(snap.open, snap.count);
            show(
                &app,
                &change,
                &reminders,
                snap.reminded,
                state.settings().notifications,
            );
        }
        let service = state.sync();
        let mut status = service.as_ref().map(|s| s.subscribe());
        let mut last = status
            .as_ref()
            .map(|rx| (rx.borrow().state, rx.borrow().last_success_at.clone()));
        drop(service);
        // Wait for something that may change the 待办: a finished sync (not every
        // progress tick), a local change, or the service being replaced.
        let sync_changed: Pin<Box<dyn Future<Output = ()> + Send + '_>> = match status.as_mut() {
            Some(rx) => Box::pin(async {
                loop {
                    if rx.changed().await.is_err() {
                        // The service stopped; the generation change follows.
                        std::future::pending::<()>().await;
                    }
                    let now = {
                        let v = rx.borrow_and_update();
                        (v.state, v.last_success_at.clone())
                    };
                    if Some(&now) != last.as_ref() {
                        last = Some(now);
                        return;
                    }
                }
            }),
            None => Box::pin(std::future::pending()),
        };
        tokio::select! {
            () = sync_changed => {}
            () = local.notified() => {}
            changed = generation.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str) -> OpenTask {
        OpenTask {
            id: id.into(),
            title: format!("关于{id}的通知"),
        }
    }

    #[test]
    fn the_first_look_notifies_nothing_and_later_ones_only_the_new() {
        let mut tracker = Tracker::default();
        let first = tracker.update(vec![task("a"), task("b")], 2);
        assert_eq!(
            first,
            Change {
                new: vec![],
                count: 2
            }
        );

        let second = tracker.update(vec![task("b"), task("c")], 2);
        assert_eq!(second.new, vec![task("c")]);

        let third = tracker.update(vec![task("b"), task("c")], 2);
        assert!(third.new.is_empty(), "nothing new, nothing raised");
    }

    fn reminder(title: &str, message: Option<&str>) -> Reminder {
        Reminder {
            flow_id: "F1".into(),
            event_seq: 4,
            task_id: "T1".into(),
            title: title.into(),
            from: "zhang".into(),
            from_name: "张三".into(),
            at: "2026-03-02T09:00:00+08:00".into(),
            message: message.map(Into::into),
            seen: false,
        }
    }

    #[test]
    fn a_reminder_says_who_and_what() {
        assert_eq!(reminder_text(&[]), None);
        assert_eq!(
            reminder_text(&[reminder("关于春耕的通知", Some("请今天办理"))]),
            Some(("张三 催办".into(), "关于春耕的通知：请今天办理".into()))
        );
        assert_eq!(
            reminder_text(&[reminder("关于春耕的通知", None)]),
            Some(("张三 催办".into(), "请尽快办理：关于春耕的通知".into()))
        );
        assert_eq!(
            reminder_text(&[reminder("甲", None), reminder("乙", None)]),
            Some(("2 件催办".into(), "甲 等 2 件".into()))
        );
    }

    #[test]
    fn titles_and_notifications_read_well() {
        assert_eq!(title(0, 0), "公文通");
        assert_eq!(title(3, 0), "公文通（3 件待办）");
        assert_eq!(title(3, 1), "公文通（3 件待办，1 件催办）");
        assert_eq!(title(0, 2), "公文通（2 件催办）");
        assert_eq!(badge(0, 0), None);
        assert_eq!(badge(3, 1), Some(4));
        assert_eq!(notification_text(&[]), None);
        assert_eq!(
            notification_text(&[task("a")]),
            Some(("新的待办".into(), "关于a的通知".into()))
        );
        assert_eq!(
            notification_text(&[task("a"), task("b"), task("c")]),
            Some(("3 件新的待办".into(), "关于a的通知 等 3 件".into()))
        );
    }
}
