//! Tauri commands. Each is thin: it takes the shared [`AppState`](crate::state::AppState),
//! calls one `gongwen_client::api` function, converts the result to its transport type and
//! the error to a [`CommandError`](crate::error::CommandError). Nothing more happens here.
//!
//! The commands are `async` so that Tauri runs them off the main (UI) thread.

pub mod app;
pub mod directory;
pub mod drafts;
pub mod flow;
pub mod incoming;
pub mod outgoing;
pub mod print;
pub mod probe;
pub mod search;
pub mod session;
pub mod settings;
pub mod store;
pub mod sync;
