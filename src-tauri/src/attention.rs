//! New 待办 raise a desktop notification, and the number of open 待办 shows on the
//! window: as the taskbar badge where the desktop has one (macOS, and Linux docks that
//! speak the Unity launcher API), and always in the window title, "公文通（3 件待办）",
//! which every taskbar shows (GNOME and Windows have no badge for an app).
//!
//! Driven by events, not a UI poll: a watcher task wakes when the sync service's status
//! changes (a sync finished, the service went on- or offline) and when a command records
//! a local change ([`AppState::changed`]); then it reads the open 待办 from the store.
//!
//! 催办 cannot be told apart yet: a reminder is a workflow event that is neither kept in
//! the flow nor sent to the reminded person's client, so the store has nothing to show.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use gongwen_client::flow::{QueueFilter, QueueKind};
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

/// The window title for `count` open 待办.
pub fn title(count: u64) -> String {
    if count == 0 {
        APP_TITLE.to_owned()
    } else {
        format!("{APP_TITLE}（{count} 件待办）")
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

fn read_open(state: &AppState) -> Option<(Vec<OpenTask>, u64)> {
    let client = state.client().ok()?;
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
    Some((open, count))
}

fn show<R: Runtime>(app: &AppHandle<R>, change: &Change, notify: bool) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(&title(change.count));
        // Unsupported desktops answer an error; the title carries the count there.
        let _ = window.set_badge_count((change.count > 0).then_some(change.count as i64));
    }
    if !notify {
        return;
    }
    if let Some((title, body)) = notification_text(&change.new)
        && let Err(error) = app.notification().builder().title(title).body(body).show()
    {
        tracing::info!(%error, "no desktop notification shown");
    }
}

/// Runs for the life of the app: updates the title and badge and raises notifications.
pub async fn watch<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let local = state.local_change();
    let mut generation = state.sync_generation();
    let mut tracker = Tracker::default();
    loop {
        if let Some((open, count)) = read_open(&state) {
            let change = tracker.update(open, count);
            show(&app, &change, state.settings().notifications);
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

    #[test]
    fn titles_and_notifications_read_well() {
        assert_eq!(title(0), "公文通");
        assert_eq!(title(3), "公文通（3 件待办）");
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
