//! First run, the server connection and the account: 测试连接, 登录, 离线试用, 退出登录,
//! 立即同步.
//!
//! A profile needs the setup screen when it has no server account and either the user
//! logged out, or never chose 离线试用 and the store holds no work yet (a store filled by
//! the CLI or an older version is used as it is, locally). After a login the store is opened again as the
//! logged-in user and the sync service starts; the queue shows at once from the store.

use std::path::PathBuf;
use std::sync::Arc;

use gongwen_client::sync::{
    self, Account, HttpTransport, MemoryTokens, PasswordChangeError, SyncError, Transport,
    TransportError,
};
use gongwen_protocol::PROTOCOL_VERSION;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::dto::SyncStatus;
use crate::error::{CommandError, ErrorCode};
use crate::settings::Profile;
use crate::state::AppState;

/// The server account of this profile, for 设置 · 账户.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub server_url: String,
    /// The login name (用户名).
    pub login: String,
    /// The person's name as the server knows it.
    pub display: String,
    pub ca_file: Option<String>,
}

impl From<Account> for AccountInfo {
    fn from(account: Account) -> AccountInfo {
        AccountInfo {
            server_url: account.server_url,
            login: account.login,
            display: account.display,
            ca_file: account.extra_ca.map(|p| p.display().to_string()),
        }
    }
}

/// Whether to show the first-run setup, and what is configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SetupStatus {
    pub needs_setup: bool,
    pub profile: Option<Profile>,
    pub account: Option<AccountInfo>,
    /// The local user's name (who the store works for).
    pub user: String,
    /// The server address last typed, to prefill the form.
    pub server_url: Option<String>,
    pub ca_file: Option<String>,
}

/// The answer of 测试连接.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServerCheck {
    /// The address as it will be used.
    pub server_url: String,
    pub server_version: String,
    pub server_protocol: u32,
    pub client_protocol: u32,
    /// Whether this client and the server speak the same protocol.
    pub compatible: bool,
    /// Whether the server's database answers.
    pub database_ok: bool,
    /// One zh-CN sentence summing it up.
    pub message: String,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn required<'a>(value: &'a str, what: &str) -> Result<&'a str, CommandError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!("请填写{what}"),
        ));
    }
    Ok(value)
}

/// A CA file the user chose must exist before anything is sent anywhere.
fn ca_path(ca_file: Option<&str>) -> Result<Option<PathBuf>, CommandError> {
    let Some(file) = ca_file else {
        return Ok(None);
    };
    let path = PathBuf::from(file);
    if !path.is_file() {
        return Err(CommandError::new(
            ErrorCode::InvalidInput,
            format!("找不到证书文件“{file}”，请重新选择机关提供的 CA 证书（.pem / .crt）"),
        ));
    }
    Ok(Some(path))
}

/// A failed connection, login or sync in the user's words. Network failures become
/// [`ErrorCode::Offline`], a wrong password [`ErrorCode::Unauthorized`].
pub fn sync_error(server: &str, error: SyncError) -> CommandError {
    match error {
        SyncError::Transport(TransportError::Offline(detail)) => {
            let lower = detail.to_lowercase();
            let message = if lower.contains("certificate") || lower.contains("unknownissuer") {
                format!(
                    "无法验证服务器 {server} 的证书。请选择机关提供的 CA 证书文件后重试。（详细信息：{detail}）"
                )
            } else if detail.starts_with("无法读取证书文件") || detail.starts_with("证书文件")
            {
                format!("{detail}。请选择正确的 CA 证书文件（PEM 格式）。")
            } else if detail.contains("无效") || detail.contains("须以") {
                detail
            } else {
                format!(
                    "无法连接服务器 {server}。请检查服务器地址和网络连接；也可以先离线使用，联网后再登录。（详细信息：{detail}）"
                )
            };
            CommandError::new(ErrorCode::Offline, message)
        }
        SyncError::Transport(TransportError::Unavailable { status, .. }) => CommandError::new(
            ErrorCode::Offline,
            format!("服务器 {server} 暂时不可用（HTTP {status}），请稍后再试。"),
        ),
        SyncError::Transport(TransportError::Refused {
            status: 401,
            message,
            ..
        })
        | SyncError::Transport(TransportError::Refused {
            status: 403,
            message,
            ..
        }) => CommandError::new(
            ErrorCode::Unauthorized,
            if message.trim().is_empty() {
                "用户名或密码不正确，请重新输入。".to_owned()
            } else {
                format!("{message}。请重新输入。")
            },
        ),
        SyncError::Transport(TransportError::Unauthorized) => {
            CommandError::new(ErrorCode::Unauthorized, "登录已失效，请重新登录。")
        }
        SyncError::Transport(TransportError::BadResponse(detail)) => CommandError::new(
            ErrorCode::Offline,
            format!(
                "{server} 的应答无法识别，可能不是公文通服务器，或地址填错了。（详细信息：{detail}）"
            ),
        ),
        SyncError::Store(store) => store.into(),
        SyncError::Flow(flow) => flow.into(),
        other => CommandError::new(ErrorCode::Refused, other.to_string()),
    }
}

/// Whether the store has any work in it (then it is not a first run).
fn store_has_work(client: &gongwen_client::Client) -> Result<bool, CommandError> {
    let queue = client.queue_counts()?;
    let flow = client.flow_counts()?;
    Ok(queue.todo + queue.done + queue.toread + queue.drafts + flow.sent + flow.toread > 0)
}

/// A store belongs to the person who logged in to it: after 退出登录 it keeps their
/// documents and the changes not yet sent, which go out at *their* next login. Someone
/// else logging in to it would see those documents and send those changes under their
/// own name, so that is refused; each person uses their own data folder.
fn owner_conflict(
    profile: Option<Profile>,
    owner: &str,
    login: &str,
    has_work: bool,
) -> Option<CommandError> {
    let other = profile == Some(Profile::Server)
        && has_work
        && !owner.trim().is_empty()
        && !owner.trim().eq_ignore_ascii_case(login.trim());
    other.then(|| {
        CommandError::new(
            ErrorCode::Refused,
            format!(
                "此数据文件夹保存的是用户 {owner} 的公文和未同步的操作，不能以 {login} 登录。请以 {owner} 登录，或为 {login} 使用另一个数据文件夹（启动时加 --data-dir 文件夹）。"
            ),
        )
    })
}

/// What the window shows first: the setup screen or the queue.
#[tauri::command]
pub async fn setup_status(state: State<'_, AppState>) -> Result<SetupStatus, CommandError> {
    let client = state.client()?;
    let account = sync::account(&client)?;
    let settings = state.settings();
    let needs_setup = account.is_none()
        && match settings.profile {
            Some(Profile::Local) => false,
            // Logged out: log in again, or choose 离线试用.
            Some(Profile::Server) => true,
            None => !store_has_work(&client)?,
        };
    Ok(SetupStatus {
        needs_setup,
        profile: settings.profile,
        account: account.map(AccountInfo::from),
        user: client.user().to_owned(),
        server_url: settings.server_url,
        ca_file: settings.ca_file,
    })
}

/// 测试连接: asks the server's `/v1/health` and compares protocol versions. Nothing is
/// saved.
#[tauri::command]
pub async fn check_server(
    server: String,
    ca_file: Option<String>,
) -> Result<ServerCheck, CommandError> {
    let server = required(&server, "服务器地址")?.to_owned();
    let ca = ca_path(trimmed(ca_file).as_deref())?;
    let probe = Account {
        server_url: server.clone(),
        login: String::new(),
        display: String::new(),
        extra_ca: ca,
    };
    let transport = HttpTransport::new(probe, Arc::new(MemoryTokens::default()))
        .map_err(|e| sync_error(&server, e.into()))?;
    let health = match transport.health().await {
        Ok(health) => health,
        // The transport refuses servers older than this client; say so plainly.
        Err(TransportError::BadResponse(detail)) if detail.contains("协议版本") => {
            return Err(CommandError::new(
                ErrorCode::Refused,
                format!(
                    "服务器 {server} 的版本较旧，与本客户端不兼容（{detail}）。请联系管理员升级服务器。"
                ),
            ));
        }
        Err(error) => return Err(sync_error(&server, error.into())),
    };
    let compatible = health.protocol == PROTOCOL_VERSION;
    let database_ok = health.database == "ok";
    let message = match (compatible, database_ok) {
        (true, true) => format!(
            "连接成功：服务器版本 {}，通信协议第 {} 版，与本客户端兼容。",
            health.version, health.protocol
        ),
        (true, false) => format!(
            "已连接服务器（版本 {}），但服务器的数据库暂时不可用：{}。请稍后再试或联系管理员。",
            health.version, health.database
        ),
        (false, _) => format!(
            "已连接服务器（版本 {}），但它使用通信协议第 {} 版，本客户端是第 {} 版，可能需要升级公文通。",
            health.version, health.protocol, PROTOCOL_VERSION
        ),
    };
    Ok(ServerCheck {
        server_url: server,
        server_version: health.version,
        server_protocol: health.protocol,
        client_protocol: PROTOCOL_VERSION,
        compatible,
        database_ok,
        message,
    })
}

/// 登录: checks the password with the server, keeps the refresh token in the keychain,
/// then works as that user (the store is opened again) and starts syncing.
#[tauri::command]
pub async fn login(
    state: State<'_, AppState>,
    server: String,
    login: String,
    password: String,
    ca_file: Option<String>,
) -> Result<AccountInfo, CommandError> {
    let server = required(&server, "服务器地址")?.to_owned();
    let user = required(&login, "用户名")?.to_owned();
    if password.is_empty() {
        return Err(CommandError::new(ErrorCode::InvalidInput, "请填写密码"));
    }
    let ca_file = trimmed(ca_file);
    let ca = ca_path(ca_file.as_deref())?;
    let client = state.client()?;
    if let Some(refused) = owner_conflict(
        state.settings().profile,
        client.user(),
        &user,
        store_has_work(&client)?,
    ) {
        return Err(refused);
    }
    let account = sync::login(
        &client,
        &server,
        &user,
        &password,
        ca.as_deref(),
        state.tokens(),
    )
    .await
    .map_err(|e| sync_error(&server, e))?;
    drop(client);
    tracing::info!(server = %account.server_url, "logged in");
    state.update_settings(|s| {
        s.profile = Some(Profile::Server);
        s.server_url = Some(account.server_url.clone());
        s.ca_file = ca_file.clone();
        Ok(())
    })?;
    state.stop_sync().await;
    state.reopen()?;
    state.start_sync();
    state.changed();
    Ok(account.into())
}

/// 离线试用: a local-only profile; the server can be connected later from 设置.
#[tauri::command]
pub async fn start_offline(state: State<'_, AppState>) -> Result<SetupStatus, CommandError> {
    state.update_settings(|s| {
        s.profile = Some(Profile::Local);
        Ok(())
    })?;
    setup_status(state).await
}

/// 退出登录: revokes the session when the server is reachable and forgets the account
/// and its token here. Local documents and anything not yet synced stay on this
/// computer and are sent after the next login.
#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> Result<SetupStatus, CommandError> {
    state.stop_sync().await;
    let client = state.client()?;
    let server = sync::account(&client)?
        .map(|a| a.server_url)
        .unwrap_or_default();
    sync::logout(&client, state.tokens())
        .await
        .map_err(|e| sync_error(&server, e))?;
    drop(client);
    tracing::info!("logged out");
    state.update_settings(|s| {
        // The setup screen shows again (now and at the next start), address filled in.
        s.profile = Some(Profile::Server);
        if s.server_url.is_none() && !server.is_empty() {
            s.server_url = Some(server.clone());
        }
        Ok(())
    })?;
    state.changed();
    setup_status(state).await
}

/// A refused 修改密码 in the user's words, with the field to mark.
pub fn password_error(error: PasswordChangeError) -> CommandError {
    // A store or keychain failure keeps the store's mapping.
    let error = match error {
        PasswordChangeError::Store(inner) => return inner.into(),
        other => other,
    };
    let code = match &error {
        PasswordChangeError::WrongPassword => ErrorCode::WrongPassword,
        PasswordChangeError::Policy { .. } => ErrorCode::WeakPassword,
        PasswordChangeError::Offline(_) => ErrorCode::Offline,
        PasswordChangeError::SessionEnded => ErrorCode::Unauthorized,
        _ => ErrorCode::Refused,
    };
    tracing::info!(code = error.code(), "password change refused");
    CommandError::new(code, error.to_string())
}

/// 修改密码: online only. Sync pauses meanwhile (no refresh of the session being ended
/// is in flight), and resumes with the new session's token from the keychain. The
/// user's other devices must log in again.
#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    current: String,
    new_password: String,
) -> Result<(), CommandError> {
    if current.is_empty() {
        return Err(CommandError::new(
            ErrorCode::WrongPassword,
            "请填写当前密码",
        ));
    }
    let client = state.client()?;
    let account = sync::account(&client)?.ok_or_else(|| {
        CommandError::new(
            ErrorCode::Refused,
            "尚未登录服务器：当前在本机离线使用，无法修改密码。请先在“设置 · 服务器”中登录。",
        )
    })?;
    // The policy needs no network.
    sync::check_new_password(&account.login, &current, &new_password).map_err(password_error)?;
    let was_syncing = state.sync().is_some();
    state.stop_sync().await;
    let result = sync::change_password(&client, &current, &new_password, state.tokens()).await;
    drop(client);
    if was_syncing {
        state.start_sync();
    }
    result.map_err(password_error)?;
    tracing::info!("password changed");
    state.changed();
    Ok(())
}

/// 立即同步: probes the server and syncs now, skipping any backoff.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncStatus, CommandError> {
    match state.sync() {
        Some(service) => {
            service.sync_now();
            Ok(service.status().into())
        }
        None => Err(CommandError::new(
            ErrorCode::Refused,
            "尚未登录服务器：当前在本机离线使用。请在“设置 · 服务器”中登录后再同步。",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_failures_say_what_to_do() {
        let error = sync_error(
            "https://oa.example:8443",
            TransportError::Offline("tcp connect error: Connection refused".into()).into(),
        );
        assert_eq!(error.code, ErrorCode::Offline);
        assert!(
            error
                .message
                .starts_with("无法连接服务器 https://oa.example:8443"),
            "{}",
            error.message
        );
        assert!(error.message.contains("离线使用"), "{}", error.message);

        let error = sync_error(
            "https://oa.example",
            TransportError::Offline("invalid peer certificate: UnknownIssuer".into()).into(),
        );
        assert!(error.message.contains("CA 证书"), "{}", error.message);
    }

    #[test]
    fn a_wrong_password_is_unauthorized_with_the_servers_words() {
        let error = sync_error(
            "https://oa.example",
            TransportError::Refused {
                status: 401,
                code: "bad_credentials".into(),
                message: "用户名或密码不正确".into(),
            }
            .into(),
        );
        assert_eq!(error.code, ErrorCode::Unauthorized);
        assert_eq!(error.message, "用户名或密码不正确。请重新输入。");
    }

    #[test]
    fn a_store_left_by_one_person_is_not_logged_in_to_by_another() {
        let refused = owner_conflict(Some(Profile::Server), "zhangmin", "lihua", true)
            .expect("another person's documents are refused");
        assert_eq!(refused.code, ErrorCode::Refused);
        assert!(refused.message.contains("zhangmin"), "{}", refused.message);
        assert!(
            refused.message.contains("另一个数据文件夹"),
            "{}",
            refused.message
        );
        // The same person again (any case), an empty store, or a local profile going online.
        assert!(owner_conflict(Some(Profile::Server), "zhangmin", "ZhangMin", true).is_none());
        assert!(owner_conflict(Some(Profile::Server), "zhangmin", "lihua", false).is_none());
        assert!(owner_conflict(Some(Profile::Local), "root", "lihua", true).is_none());
        assert!(owner_conflict(None, "root", "lihua", true).is_none());
    }

    #[test]
    fn password_refusals_mark_the_right_field() {
        let wrong = password_error(PasswordChangeError::WrongPassword);
        assert_eq!(wrong.code, ErrorCode::WrongPassword);
        assert_eq!(wrong.message, "当前密码不正确");
        let weak =
            password_error(sync::check_new_password("clerk", "旧密码旧密码", "clerk").unwrap_err());
        assert_eq!(weak.code, ErrorCode::WeakPassword);
        assert!(weak.message.contains("太短"), "{}", weak.message);
        let offline = password_error(PasswordChangeError::Offline("connection refused".into()));
        assert_eq!(offline.code, ErrorCode::Offline);
        assert!(
            offline.message.contains("需要连接服务器"),
            "{}",
            offline.message
        );
        let locked = password_error(PasswordChangeError::Locked {
            retry_after_secs: 30,
        });
        assert_eq!(locked.code, ErrorCode::Refused);
        assert!(locked.message.contains("30 秒"), "{}", locked.message);
    }

    #[test]
    fn a_missing_ca_file_is_refused_before_connecting() {
        let error = ca_path(Some("/nonexistent/ca.pem")).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(error.message.contains("证书文件"), "{}", error.message);
        assert_eq!(ca_path(None).unwrap(), None);
    }
}
