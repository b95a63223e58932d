//! Memory settings of the web view on Linux (WebKitGTK), for a one-page app that stays open
//! all day (issue 8: memory after opening 20 documents).
//!
//! - **The JavaScript heap is sized for a small machine.** JavaScriptCore grows its heap in
//!   proportion to the machine's RAM: on a 24 GB machine it let garbage pile up to twice the
//!   live heap before collecting, and after 20 documents (each a pdf.js preview, freed when
//!   closed) the web process held ~370 MB, most of it garbage. `JSC_forceRAMSize` (read by
//!   every JavaScriptCore in the app's processes at start) makes it collect as on a 1 GB
//!   machine: ~260 MB after the same 20 documents, with no measurable change in the start
//!   (BENCHMARKS.md, Desktop). A value already in the environment is kept (for measuring).
//! - **No in-memory cache of loaded resources.** The page is loaded once from the app itself;
//!   WebKit's default cache model (a web browser's) keeps decoded copies of every stylesheet,
//!   script and image it ever loaded. `DocumentViewer` is WebKitGTK's model for exactly this
//!   kind of app.

/// The heap size JavaScriptCore is told the machine has, in bytes (1 GiB).
pub const JSC_RAM_BYTES: u64 = 1 << 30;

/// Sets the web processes' JavaScriptCore options. Must run first thing in `main`, before
/// any thread exists: WebKit's processes inherit the environment when they are spawned.
pub fn tune_process_env() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("JSC_forceRAMSize").is_none() {
        // SAFETY: called at the start of `run()` from `main`, while the process has a single
        // thread (nothing has started logging, Tauri or tokio yet), so no other thread can
        // read the environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("JSC_forceRAMSize", JSC_RAM_BYTES.to_string());
        }
    }
}

/// Drops WebKit's resource cache for the window's web view (see the module doc).
pub fn tune_webview<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    let tuned = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let tuned: tauri::Result<()> = {
        let _ = window;
        Ok(())
    };
    if let Err(error) = tuned {
        tracing::warn!(%error, "could not tune the web view's cache");
    }
}
