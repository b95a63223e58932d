//! Memory settings for a one-page app that stays open all day (issue 8: memory after opening
//! 20 documents; the measurements are in BENCHMARKS.md, Desktop). On Linux the web view is
//! WebKitGTK, whose JavaScriptCore reads its options from the environment of every process
//! the app starts.
//!
//! - **The JavaScript heap is sized for a small machine.** JavaScriptCore grows its heap in
//!   proportion to the machine's RAM: on a 24 GB machine it let garbage pile up to twice the
//!   live heap before collecting. `JSC_forceRAMSize` makes it collect as on a 1 GB machine:
//!   the web process after 20 documents went from ~370 to ~260 MB, with no measurable change
//!   in the start.
//! - **JavaScript runs in the interpreter, without the JIT compilers.** The JIT's code and,
//!   above all, its per-function data (inline caches, value profiles) made up half of the web
//!   process's own memory: ~65 MB less after 20 documents without it. The app's scripts are
//!   short event handlers and React renders, and pdf.js laying out a page or two: the start
//!   took ~75 ms longer (≈ 0.67 s to the 待办 list drawn, target 1.5 s), a print preview
//!   ~10 % longer, and a keystroke in the editor ~20 ms longer until the editor drew only the
//!   field that changed (now ~50 ms to the frame, faster than the whole form with the JIT).
//!   Set `JSC_useJIT=true` in the environment to have the JIT back.
//! - **Two malloc arenas in the app's process.** glibc gives each thread that allocates its
//!   own arena and keeps what it frees there for reuse: laying out 20 documents on Tokio's
//!   threads left ~15 MB of free memory behind in arenas nobody used again.
//! - **No in-memory cache of loaded resources.** The page is loaded once from the app itself;
//!   WebKit's default cache model (a web browser's) keeps decoded copies of every stylesheet,
//!   script and image it ever loaded. `DocumentViewer` is WebKitGTK's model for exactly this
//!   kind of app.
//!
//! A value already in the environment always wins (for measuring, and for an organ that
//! prefers speed to memory).

/// The JavaScriptCore options the web processes start with, unless the environment has them
/// (the RAM size is 1 GiB, in bytes).
pub const JSC_DEFAULTS: [(&str, &str); 2] =
    [("JSC_forceRAMSize", "1073741824"), ("JSC_useJIT", "false")];

/// glibc malloc arenas for the app's process.
pub const MALLOC_ARENAS: i32 = 2;

/// Sets the process-wide memory options. Must run first thing in `main`, before any thread
/// exists: WebKit's processes inherit the environment when they are spawned, and malloc's
/// arenas are chosen as threads first allocate.
pub fn tune_process() {
    #[cfg(target_os = "linux")]
    for (name, value) in JSC_DEFAULTS {
        if std::env::var_os(name).is_none() {
            // SAFETY: called at the start of `run()` from `main`, while the process has a
            // single thread (nothing has started logging, Tauri or tokio yet), so no other
            // thread can read the environment while it changes.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(name, value);
            }
        }
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a malloc parameter; it is called before any other thread
        // exists (see above). A zero return means the value was refused, which leaves glibc's
        // default in place: nothing to undo.
        #[allow(unsafe_code)]
        let accepted = unsafe { libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS) } != 0;
        if !accepted {
            eprintln!(
                "gongwen: malloc did not accept M_ARENA_MAX={MALLOC_ARENAS}; keeping its default"
            );
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
