fn main() {
    // Declaring the app's commands makes Tauri generate an `allow-<command>` permission for
    // each, and deny any command that no capability (capabilities/*.json) grants.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "queue_counts",
        "sync_status",
        "store_info",
        "list_drafts",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build step failed");
}
