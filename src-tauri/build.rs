fn main() {
    // Declaring the app's commands makes Tauri generate an `allow-<command>` permission for
    // each, and deny any command that no capability (capabilities/*.json) grants.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "queue_counts",
        "sync_status",
        "store_info",
        "list_drafts",
        "open_draft",
        "create_draft",
        "save_draft",
        "delete_draft",
        "draft_history",
        "compare_versions",
        "lint_document",
        "queue",
        "flow_counts",
        "task_view",
        "act",
        "submit_draft",
        "route_names",
        "outbox",
        "rejected_actions",
        "retry_rejected",
        "discard_rejected",
        "print_pdf",
        "render_pdf",
        "export_pdf",
        "print_job",
        "directory",
        "draft_conflicts",
        "compare_conflict",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build step failed");
}
