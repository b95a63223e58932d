//! 公文通 desktop: the thin Tauri shell around `gongwen-client`.
//!
//! Everything the user can do lives in `gongwen_client::api`; this crate only opens the
//! store, exposes one command per api function (see [`commands`]), and turns errors into
//! the `{code, message}` the UI understands (see [`error`]). The window itself is declared
//! in `tauri.conf.json` at the repository root (`src-tauri/tauri.conf.json` links to it).
//!
//! [`run`] starts the real app. [`app_builder`] is generic over the runtime so tests can
//! boot the same app on `tauri::test::mock_builder()` without a display.

mod args;
pub mod attention;
mod bindings;
pub mod commands;
pub mod dto;
pub mod error;
mod instance;
pub mod logging;
mod memory;
pub mod settings;
pub mod state;

use std::path::PathBuf;

use tauri::{Builder, Runtime};

pub use error::{CommandError, ErrorCode};
pub use state::AppState;

/// Starts the desktop app and blocks until its last window closes.
pub fn run() {
    memory::tune_process();
    commands::probe::mark_now("main");
    let dir = data_dir();
    logging::init(dir.as_deref().ok());
    let state = match dir {
        Ok(dir) => AppState::open_patiently(dir, STORE_PATIENCE),
        Err(error) => AppState::failed(PathBuf::new(), error.into()),
    };
    commands::probe::mark_now("store-open");
    let builder = desktop_plugins(tauri::Builder::default(), state.data_dir());
    if let Err(error) = app_builder(builder, state).run(tauri::generate_context!()) {
        // Nothing can be shown without a window; say it where a supporter will look.
        tracing::error!(%error, "公文通无法启动");
        eprintln!("公文通无法启动：{error}");
        std::process::exit(1);
    }
}

/// How long the start waits for the store before the window comes up without it and says
/// what is happening (an ordinary open takes ~15 ms; upgrading a large store to a new
/// version's schema took minutes; a keychain may wait for the user to unlock it).
const STORE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// The plugins that act on the desktop session itself, registered by [`run`] only (tests
/// boot many apps in one process, and must neither exit as a "second instance" nor write
/// window positions into the user's config):
///
/// - single instance, first of all plugins: a second launch on the same data folder hands
///   over to the running window (unminimised and focused) and exits;
/// - window state: the main window reopens at the size and place it was closed at
///   (saved in the user's config folder, per data folder).
fn desktop_plugins<R: Runtime>(builder: Builder<R>, data_dir: &std::path::Path) -> Builder<R> {
    let instance = tauri_plugin_single_instance::Builder::new().callback(|app, _argv, _cwd| {
        tracing::info!("another launch asked for the window");
        focus_main_window(app);
    });
    #[cfg(target_os = "linux")]
    let instance = instance.dbus_id(instance::dbus_id(data_dir));
    #[cfg(not(target_os = "linux"))]
    let _ = data_dir;
    builder.plugin(instance.build()).plugin(
        tauri_plugin_window_state::Builder::new()
            .with_filename(instance::window_state_file(data_dir))
            // Size, place, maximised; not visibility: the window shows once its page has
            // loaded (see [`show_when_loaded`]).
            .with_state_flags(
                tauri_plugin_window_state::StateFlags::all()
                    - tauri_plugin_window_state::StateFlags::VISIBLE,
            )
            .build(),
    )
}

/// How long the main window may stay hidden while its page loads (it is hidden at start, see
/// [`show_when_loaded`]).
const SHOW_AT_THE_LATEST: std::time::Duration = std::time::Duration::from_secs(3);

/// Shows the main window once its page has loaded (`tauri.conf.json` creates it hidden).
///
/// A window shown at once is blank until the UI's script has run, and on WebKitGTK without
/// GPU compositing its first paint, when it falls while the web process is still starting,
/// waits half a second for a frame the web process cannot send yet: half of the starts took
/// 0.5 s longer in the desktop bench. Shown when the page has loaded, the first paint holds
/// the UI, and that wait does not occur.
fn show_when_loaded<R: Runtime>(
    webview: &tauri::Webview<R>,
    payload: &tauri::webview::PageLoadPayload<'_>,
) {
    if payload.event() == tauri::webview::PageLoadEvent::Finished && webview.label() == "main" {
        // Unconditionally: a window that is already shown stays as it is.
        if let Err(error) = webview.window().show() {
            tracing::warn!(%error, "could not show the main window");
        }
    }
}

/// Brings the main window to the front: shown, unminimised and focused.
fn focus_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// The app minus its runtime and context: managed state, commands and the plugins the UI
/// calls (file dialogs, notifications).
pub fn app_builder<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .on_page_load(show_when_loaded)
        .setup(|app| {
            use tauri::Manager;
            // The window and its web view exist now (desktop bench breakdown).
            commands::probe::mark_now("setup");
            if let Some(window) = app.get_webview_window("main") {
                memory::tune_webview(&window);
                // Should the page never report itself loaded, the window shows anyway.
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(SHOW_AT_THE_LATEST).await;
                    if let Err(error) = window.show() {
                        tracing::warn!(%error, "could not show the main window");
                    }
                });
            }
            // The sync service lives on Tauri's tokio runtime; it starts once the store is open.
            let state = app.state::<AppState>();
            if state.is_opened() {
                tauri::async_runtime::block_on(async { state.start_sync() });
            } else {
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<AppState>();
                    state.wait_opened().await;
                    state.start_sync();
                });
            }
            // The 待办 count in the title and badge, and notifications for new ones.
            tauri::async_runtime::spawn(attention::watch(app.handle().clone()));
            // `--scale 1.5`: fractional display scaling where the desktop has none (X11).
            if let Some(scale) = args::scale_arg(std::env::args_os())
                && let Some(window) = app.get_webview_window("main")
                && let Err(error) = window.set_zoom(scale)
            {
                tracing::warn!(%error, scale, "could not zoom the window");
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::store::queue_counts,
            commands::store::sync_status,
            commands::store::store_info,
            commands::store::store_lock,
            commands::store::unlock_store,
            commands::drafts::list_drafts,
            commands::drafts::open_draft,
            commands::drafts::create_draft,
            commands::drafts::save_draft,
            commands::drafts::delete_draft,
            commands::drafts::draft_history,
            commands::drafts::compare_versions,
            commands::drafts::lint_document,
            commands::flow::queue,
            commands::flow::flow_counts,
            commands::flow::task_view,
            commands::flow::act,
            commands::flow::submit_draft,
            commands::flow::route_names,
            commands::sync::outbox,
            commands::sync::rejected_actions,
            commands::sync::retry_rejected,
            commands::sync::discard_rejected,
            commands::print::print_pdf,
            commands::print::render_pdf,
            commands::print::export_pdf,
            commands::print::print_job,
            commands::directory::directory,
            commands::drafts::draft_conflicts,
            commands::drafts::compare_conflict,
            commands::drafts::resolve_conflict,
            commands::drafts::autosave_draft,
            commands::drafts::commit_working_copy,
            commands::drafts::discard_working_copy,
            commands::session::setup_status,
            commands::session::check_server,
            commands::session::login,
            commands::session::start_offline,
            commands::session::logout,
            commands::session::change_password,
            commands::session::sync_now,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::printers,
            commands::settings::fonts,
            commands::app::about,
            commands::app::open_data_dir,
            commands::app::export_diagnostics,
            commands::incoming::incoming_list,
            commands::incoming::incoming_counts,
            commands::incoming::incoming_detail,
            commands::incoming::sign_incoming,
            commands::incoming::suggest_receipt_number,
            commands::incoming::register_incoming,
            commands::incoming::incoming_routes,
            commands::incoming::first_step_preview,
            commands::incoming::receipt_overview,
            commands::incoming::save_incoming_file,
            commands::incoming::instruct_task,
            commands::outgoing::outgoing_register,
            commands::outgoing::outgoing_detail,
            commands::search::search_documents,
            commands::probe::startup_mark,
        ])
}

/// `--data-dir DIR`, else `GONGWEN_DATA_DIR`, else the platform's app data folder.
fn data_dir() -> gongwen_client::Result<PathBuf> {
    match args::data_dir_arg(std::env::args_os()) {
        Some(dir) => Ok(dir),
        None => gongwen_client::default_data_dir(),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shell_tests;
