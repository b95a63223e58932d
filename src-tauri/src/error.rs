//! The one place where errors become something the UI can show.
//!
//! Commands return `Result<T, CommandError>`. A [`CommandError`] is `{ code, message }`:
//! the UI branches on `code` (a short, stable list, see [`ErrorCode`]) and shows `message`
//! as it is; it is already written in Chinese for the user. The mapping from the client's
//! rich [`gongwen_client::Error`] happens in exactly one `From` impl, which also decides
//! what is worth a log line.

use serde::Serialize;
use ts_rs::TS;

/// What kind of failure the UI has to handle. Add a variant only when the UI treats it
/// differently from the others; everything else is `internal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The store was written by a newer 公文通: the user must upgrade.
    SchemaTooNew,
    /// The store is encrypted and its key is not at hand (no keychain, passphrase needed,
    /// wrong key): the user must unlock it.
    StoreLocked,
    /// The data folder or database cannot be opened, written or read.
    StoreUnavailable,
    /// The store is still being opened (upgraded to this version's schema, or waiting for
    /// the keychain): the window says so and asks again shortly.
    StoreOpening,
    /// Another 公文通 holds the database: close it and retry.
    Busy,
    /// The request itself was wrong (bad argument, too large, empty search).
    InvalidInput,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The workflow refused the action (not your task, already handled, text changed
    /// since you read it, 退回 without a reason …). Nothing changed; the message says why,
    /// and what the user typed stays in the form.
    Refused,
    /// No printer can take the job (no CUPS, no default printer, printer paused): the UI
    /// offers 导出PDF instead.
    NoPrinter,
    /// The server cannot be reached (network, address, certificate) or is down: the
    /// user checks the address or works offline.
    Offline,
    /// The server refused the user name and password (or the session ended): log in again.
    Unauthorized,
    /// 修改密码: the current password is wrong (the form marks that field).
    WrongPassword,
    /// 修改密码: the new password breaks the server's policy (too short, the login
    /// name, unchanged); the form marks the new-password field.
    WeakPassword,
    /// A bug or an unexpected state; the message says what happened.
    Internal,
}

/// The error every command returns: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    /// A zh-CN sentence that says what happened and what to do.
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> CommandError {
        CommandError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

impl From<gongwen_client::Error> for CommandError {
    fn from(error: gongwen_client::Error) -> CommandError {
        use gongwen_client::Error as E;
        let code = match &error {
            E::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            E::PassphraseRequired
            | E::KeyMissing
            | E::KeychainUnavailable { .. }
            | E::Keychain(_)
            | E::WrongKey
            | E::BadPassphrase(_) => ErrorCode::StoreLocked,
            E::DataDirUnwritable { .. }
            | E::NoDataDir
            | E::NotInitialized { .. }
            | E::DiskFull
            | E::Corrupt(_)
            | E::Io { .. }
            | E::Sqlite(_) => ErrorCode::StoreUnavailable,
            E::Busy => ErrorCode::Busy,
            E::InvalidDocument(_)
            | E::TooLarge { .. }
            | E::AttachmentFile { .. }
            | E::EmptyQuery
            | E::InvalidArgument(_) => ErrorCode::InvalidInput,
            E::DraftNotFound(_) | E::VersionNotFound { .. } | E::BlobMissing(_) => {
                ErrorCode::NotFound
            }
            // The client grows new variants as features land; until the UI needs to tell
            // one apart, it is shown with its own message as an internal error.
            #[allow(unreachable_patterns)]
            _ => ErrorCode::Internal,
        };
        match code {
            // The user cannot fix these from the dialog alone: keep a trace for support.
            // Only the stable code and the client's kind go to the log, not document content.
            ErrorCode::StoreUnavailable | ErrorCode::Internal => {
                tracing::error!(code = error.code(), error = %error, "command failed");
            }
            _ => tracing::info!(code = error.code(), "command refused"),
        }
        CommandError::new(code, error.to_string())
    }
}

impl From<gongwen_client::flow::FlowError> for CommandError {
    fn from(error: gongwen_client::flow::FlowError) -> CommandError {
        use gongwen_client::flow::FlowError as F;
        // A store error keeps the store's mapping.
        let error = match error {
            F::Store(inner) => return inner.into(),
            other => other,
        };
        let code = match &error {
            F::Workflow(_)
            | F::AlreadySubmitted { .. }
            | F::NotRejected(_)
            | F::NotYourCommand { .. }
            | F::UnknownUser(_) => ErrorCode::Refused,
            F::TaskNotFound(_) | F::FlowNotFound(_) | F::OutboxNotFound(_) => ErrorCode::NotFound,
            F::UnknownAction(_) | F::UnknownRoute { .. } | F::InvalidArgument(_) => {
                ErrorCode::InvalidInput
            }
            #[allow(unreachable_patterns)]
            _ => ErrorCode::Internal,
        };
        match code {
            ErrorCode::Internal => {
                tracing::error!(code = %error.code(), error = %error, "workflow command failed")
            }
            _ => tracing::info!(code = %error.code(), "workflow command refused"),
        }
        CommandError::new(code, error.to_string())
    }
}

impl From<gongwen_client::incoming::IncomingError> for CommandError {
    fn from(error: gongwen_client::incoming::IncomingError) -> CommandError {
        use gongwen_client::incoming::IncomingError as I;
        let code = match &error {
            I::Store(_) | I::Flow(_) => {
                return match error {
                    I::Store(inner) => inner.into(),
                    I::Flow(inner) => inner.into(),
                    _ => unreachable!("matched above"),
                };
            }
            I::NotFound(_) | I::FileNotFound(_) => ErrorCode::NotFound,
            I::AlreadySigned { .. }
            | I::NotSigned(_)
            | I::AlreadyRegistered { .. }
            | I::NumberTaken(_)
            | I::FileNotLocal(_) => ErrorCode::Refused,
            I::InvalidArgument(_) => ErrorCode::InvalidInput,
            #[allow(unreachable_patterns)]
            _ => ErrorCode::Internal,
        };
        match code {
            ErrorCode::Internal => {
                tracing::error!(code = %error.code(), error = %error, "收文 command failed")
            }
            _ => tracing::info!(code = %error.code(), "收文 command refused"),
        }
        CommandError::new(code, error.to_string())
    }
}

impl From<gongwen_print::Error> for CommandError {
    fn from(error: gongwen_print::Error) -> CommandError {
        tracing::error!(error = %error, "printing failed");
        CommandError::new(
            ErrorCode::Internal,
            format!("无法生成打印版式：{error}。请安装公文字体，或联系管理员。"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let error = CommandError::new(ErrorCode::SchemaTooNew, "请升级公文通");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "schema_too_new", "message": "请升级公文通" })
        );
    }

    #[test]
    fn maps_client_errors_to_the_codes_the_ui_branches_on() {
        use gongwen_client::Error as E;
        let cases = [
            (
                E::SchemaTooNew {
                    found: 9,
                    supported: 1,
                },
                ErrorCode::SchemaTooNew,
            ),
            (E::PassphraseRequired, ErrorCode::StoreLocked),
            (
                E::KeychainUnavailable {
                    reason: "no dbus".into(),
                },
                ErrorCode::StoreLocked,
            ),
            (E::WrongKey, ErrorCode::StoreLocked),
            (E::NoDataDir, ErrorCode::StoreUnavailable),
            (E::DiskFull, ErrorCode::StoreUnavailable),
            (E::Busy, ErrorCode::Busy),
            (E::EmptyQuery, ErrorCode::InvalidInput),
            (E::DraftNotFound("d1".into()), ErrorCode::NotFound),
        ];
        for (client_error, code) in cases {
            let message = client_error.to_string();
            let error = CommandError::from(client_error);
            assert_eq!(error.code, code, "{message}");
            // The user sees the client's own sentence, unchanged.
            assert_eq!(error.message, message);
        }
    }

    #[test]
    fn a_too_new_store_says_to_upgrade_in_chinese() {
        let error = CommandError::from(gongwen_client::Error::SchemaTooNew {
            found: 9,
            supported: 1,
        });
        assert!(error.message.contains("升级"), "{}", error.message);
    }
}
