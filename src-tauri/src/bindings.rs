//! The TypeScript twins of the transport types live in `ui/src/bindings/` and are committed.
//! The test here regenerates them and fails when the committed files differ, so the UI can
//! never silently drift from Rust. To update them after changing a type:
//!
//! ```sh
//! UPDATE_BINDINGS=1 cargo test -p gongwen-desktop bindings
//! ```

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use ts_rs::TS;

    use crate::commands::print::PrintJob;
    use crate::dto::{
        ActRequest, ActResult, AutosaveOutcome, ConflictComparison, ConflictCopyRow, ConflictField,
        DiffPiece, DraftDetail, DraftRow, ElementDiff, ExportedPdf, FlowCounts, FlowDetail,
        HandlerLine, LintFinding, NextChoice, OpinionLine, OutboxRow, PersonRow, PrintedJob,
        QueueCounts, QueueName, QueuePage, QueueQuery, QueueRow, RejectedRow, ReturnTarget,
        SavedDraft, StepLine, StoreInfo, SubmitResult, SyncStatus, TaskAction, TaskDetail,
        VersionComparison, VersionRow,
    };
    use crate::error::{CommandError, ErrorCode};

    fn bindings_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
    }

    /// (file name, generated text) for every exported type.
    fn generated() -> Vec<(PathBuf, String)> {
        fn one<T: TS + 'static>() -> (PathBuf, String) {
            let path = T::output_path().expect("derived types have an output path");
            let text = T::export_to_string().expect("type exports");
            (path, text)
        }
        vec![
            one::<CommandError>(),
            one::<ErrorCode>(),
            one::<QueueCounts>(),
            one::<SyncStatus>(),
            one::<StoreInfo>(),
            one::<crate::dto::StoreLock>(),
            one::<crate::dto::StoreLockKind>(),
            one::<DraftRow>(),
            one::<QueueName>(),
            one::<QueueQuery>(),
            one::<QueueRow>(),
            one::<QueuePage>(),
            one::<FlowCounts>(),
            one::<HandlerLine>(),
            one::<StepLine>(),
            one::<OpinionLine>(),
            one::<FlowDetail>(),
            one::<TaskAction>(),
            one::<ReturnTarget>(),
            one::<NextChoice>(),
            one::<TaskDetail>(),
            one::<ActRequest>(),
            one::<ActResult>(),
            one::<SubmitResult>(),
            one::<DraftDetail>(),
            one::<SavedDraft>(),
            one::<VersionRow>(),
            one::<DiffPiece>(),
            one::<ElementDiff>(),
            one::<VersionComparison>(),
            one::<LintFinding>(),
            one::<OutboxRow>(),
            one::<RejectedRow>(),
            one::<PrintJob>(),
            one::<ExportedPdf>(),
            one::<PrintedJob>(),
            one::<PersonRow>(),
            one::<ConflictCopyRow>(),
            one::<ConflictField>(),
            one::<ConflictComparison>(),
            one::<AutosaveOutcome>(),
            one::<crate::dto::ReminderNote>(),
            // Setup, settings and 关于 (commands/session.rs, settings.rs, app.rs).
            one::<crate::settings::Profile>(),
            one::<crate::settings::FontSize>(),
            one::<crate::settings::Settings>(),
            one::<crate::settings::SettingsUpdate>(),
            one::<crate::commands::session::AccountInfo>(),
            one::<crate::commands::session::SetupStatus>(),
            one::<crate::commands::session::ServerCheck>(),
            one::<crate::commands::settings::PrinterList>(),
            one::<crate::commands::settings::FontRole>(),
            one::<crate::commands::settings::FontsInfo>(),
            one::<crate::commands::app::AboutInfo>(),
            // 收文 and 回执 (commands/incoming.rs).
            one::<crate::dto::IncomingStage>(),
            one::<crate::dto::IncomingQuery>(),
            one::<crate::dto::IncomingRow>(),
            one::<crate::dto::IncomingListPage>(),
            one::<crate::dto::IncomingCounts>(),
            one::<crate::dto::IncomingFileRow>(),
            one::<crate::dto::RegistrationInfo>(),
            one::<crate::dto::IncomingDetail>(),
            one::<crate::dto::SignResult>(),
            one::<crate::dto::RegisterRequest>(),
            one::<crate::dto::RegisterResult>(),
            one::<crate::dto::RouteChoice>(),
            one::<crate::dto::FirstStepChoice>(),
            one::<crate::dto::PersonChoice>(),
            one::<crate::dto::RecipientRow>(),
            one::<crate::dto::SentDocumentRow>(),
            one::<crate::dto::DeptChoice>(),
            one::<crate::dto::InstructRequest>(),
            // 发文登记簿 (commands/outgoing.rs).
            one::<crate::dto::OutgoingQuery>(),
            one::<crate::dto::OutgoingRow>(),
            one::<crate::dto::OutgoingListPage>(),
            one::<crate::dto::OutgoingDetail>(),
            // 搜索 (commands/search.rs).
            one::<crate::dto::SearchKind>(),
            one::<crate::dto::MarkedText>(),
            one::<crate::dto::SearchHitRow>(),
            one::<crate::dto::SearchResult>(),
        ]
    }

    #[test]
    fn bindings_match_the_rust_types() {
        let dir = bindings_dir();
        let update = std::env::var_os("UPDATE_BINDINGS").is_some_and(|v| !v.is_empty() && v != "0");
        let mut stale = Vec::new();
        for (name, text) in generated() {
            let path = dir.join(&name);
            if update {
                std::fs::write(&path, &text)
                    .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(committed) if committed == text => {}
                _ => stale.push(name.display().to_string()),
            }
        }
        assert!(
            stale.is_empty(),
            "ui/src/bindings is out of date for {stale:?}; run `UPDATE_BINDINGS=1 cargo test -p gongwen-desktop bindings` and commit the result"
        );
    }

    #[test]
    fn no_stray_binding_files() {
        let expected: Vec<_> = generated().into_iter().map(|(name, _)| name).collect();
        for entry in std::fs::read_dir(bindings_dir()).expect("ui/src/bindings exists") {
            let name = PathBuf::from(entry.expect("dir entry").file_name());
            assert!(
                expected.contains(&name),
                "ui/src/bindings/{} is not generated from Rust; remove it",
                name.display()
            );
        }
    }
}
