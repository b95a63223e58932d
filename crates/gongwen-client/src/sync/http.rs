//! The HTTP transport (reqwest on rustls with the ring provider), the server account
//! and its tokens.
//!
//! * Every request carries `Gongwen-Protocol` and `Gongwen-Schema` headers (and the
//!   sync bodies their `protocol` / `schema_version` fields); 426 is
//!   [`TransportError::UpgradeRequired`] ("请升级客户端"), never a misread.
//! * Authorization: `Bearer <access token>`, kept in memory only. On 401 the refresh
//!   token (OS keychain, [`KeychainTokens`]) is exchanged once for a new pair, the new
//!   refresh token replaces the old one (they are single use), and the request is sent
//!   again unchanged.
//! * Redirects are followed only to the same host and port; anything else is a
//!   [`TransportError::BadResponse`]. So are bodies that are not the expected JSON,
//!   cut short, or a 2xx with the wrong shape.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gongwen_protocol::auth::{LoginRequest, LogoutRequest, RefreshRequest, TokenPair};
use gongwen_protocol::sync::{
    BlobAnnounce, BlobUpload, PullRequest, PullResponse, PushRequest, PushResponse, SCHEMA_VERSION,
    SyncError as WireError, UPLOAD_CONTENT_TYPE, UPLOAD_OFFSET_HEADER,
};
use gongwen_protocol::{ApiError, Health, PROTOCOL_VERSION};
use reqwest::{Method, StatusCode, Url, header};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::transport::{BlobRange, Transport, TransportError, TransportResult};
use crate::Client;
use crate::key::KEYCHAIN_SERVICE;

/// Header carrying [`PROTOCOL_VERSION`] on every request.
pub const PROTOCOL_HEADER: &str = "Gongwen-Protocol";
/// Header carrying [`SCHEMA_VERSION`] on every request.
pub const SCHEMA_HEADER: &str = "Gongwen-Schema";

/// Where the refresh token of an account is kept.
pub trait TokenStore: Send + Sync {
    fn load(&self, account: &Account) -> Result<Option<String>, crate::Error>;
    fn save(&self, account: &Account, token: &str) -> Result<(), crate::Error>;
    fn delete(&self, account: &Account) -> Result<(), crate::Error>;
}

/// Runs a call of the token store on Tokio's blocking pool: the keychain's calls are D-Bus
/// round trips to the Secret Service (which may also wait for the user to unlock it), and a
/// blocked async worker holds up every other task scheduled on it (the desktop's commands).
async fn off_thread<T: Send + 'static>(
    tokens: &Arc<dyn TokenStore>,
    call: impl FnOnce(&dyn TokenStore) -> Result<T, crate::Error> + Send + 'static,
) -> Result<T, crate::Error> {
    let tokens = Arc::clone(tokens);
    tokio::task::spawn_blocking(move || call(tokens.as_ref()))
        .await
        .map_err(|e| crate::Error::Keychain(format!("钥匙串操作未完成：{e}")))?
}

/// [`TokenStore::load`] off the async workers (see [`off_thread`]).
pub(super) async fn load_token(
    tokens: &Arc<dyn TokenStore>,
    account: &Account,
) -> Result<Option<String>, crate::Error> {
    let account = account.clone();
    off_thread(tokens, move |tokens| tokens.load(&account)).await
}

/// [`TokenStore::save`] off the async workers (see [`off_thread`]).
pub(super) async fn save_token(
    tokens: &Arc<dyn TokenStore>,
    account: &Account,
    token: &str,
) -> Result<(), crate::Error> {
    let (account, token) = (account.clone(), token.to_owned());
    off_thread(tokens, move |tokens| tokens.save(&account, &token)).await
}

/// [`TokenStore::delete`] off the async workers (see [`off_thread`]).
async fn delete_token(tokens: &Arc<dyn TokenStore>, account: &Account) -> Result<(), crate::Error> {
    let account = account.clone();
    off_thread(tokens, move |tokens| tokens.delete(&account)).await
}

/// Refresh tokens in the OS keychain (service `gongwen`, entry
/// `refresh:<login>@<server>`).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeychainTokens;

impl KeychainTokens {
    fn entry(account: &Account) -> Result<keyring::Entry, crate::Error> {
        keyring::Entry::new(
            KEYCHAIN_SERVICE,
            &format!("refresh:{}@{}", account.login, account.server_url),
        )
        .map_err(|e| crate::Error::Keychain(e.to_string()))
    }
}

impl TokenStore for KeychainTokens {
    fn load(&self, account: &Account) -> Result<Option<String>, crate::Error> {
        match Self::entry(account)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(crate::Error::Keychain(e.to_string())),
        }
    }

    fn save(&self, account: &Account, token: &str) -> Result<(), crate::Error> {
        Self::entry(account)?
            .set_password(token)
            .map_err(|e| crate::Error::Keychain(e.to_string()))
    }

    fn delete(&self, account: &Account) -> Result<(), crate::Error> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(crate::Error::Keychain(e.to_string())),
        }
    }
}

/// Refresh tokens in memory (tests, one-shot tools).
#[derive(Debug, Default)]
pub struct MemoryTokens(Mutex<Option<String>>);

impl TokenStore for MemoryTokens {
    fn load(&self, _: &Account) -> Result<Option<String>, crate::Error> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    fn save(&self, _: &Account, token: &str) -> Result<(), crate::Error> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.to_owned());
        Ok(())
    }
    fn delete(&self, _: &Account) -> Result<(), crate::Error> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

/// The server account of a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub server_url: String,
    pub login: String,
    pub display: String,
    /// A PEM file of extra trusted CA certificates.
    pub extra_ca: Option<PathBuf>,
}

/// The account saved in the store, if logged in.
pub fn account(client: &Client) -> Result<Option<Account>, crate::Error> {
    client.db.read(|c| {
        Ok(c.query_row(
            "SELECT server_url, login, display, extra_ca FROM sync_account WHERE id = 1",
            [],
            |r| {
                Ok(Account {
                    server_url: r.get(0)?,
                    login: r.get(1)?,
                    display: r.get(2)?,
                    extra_ca: r.get::<_, Option<String>>(3)?.map(PathBuf::from),
                })
            },
        )
        .optional()?)
    })
}

fn install_crypto() {
    // reqwest is built without a default provider (rustls-no-provider): use ring, as
    // the server does. A second install is a no-op error.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(super) fn build_http(base: &Url, extra_ca: Option<&Path>) -> TransportResult<reqwest::Client> {
    install_crypto();
    let host = (
        base.host_str().map(str::to_owned),
        base.port_or_known_default(),
    );
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        let same = (
            attempt.url().host_str().map(str::to_owned),
            attempt.url().port_or_known_default(),
        ) == host;
        if same && attempt.previous().len() < 5 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let mut builder = reqwest::Client::builder()
        .redirect(policy)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("gongwen/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = extra_ca {
        let pem = std::fs::read(path).map_err(|e| {
            TransportError::Offline(format!("无法读取证书文件 {}：{e}", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            TransportError::Offline(format!("证书文件 {} 无法读取：{e}", path.display()))
        })?;
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| TransportError::Offline(format!("无法建立 HTTPS 客户端：{e}")))
}

pub(super) fn parse_base(server: &str) -> TransportResult<Url> {
    let mut url = Url::parse(server.trim())
        .map_err(|e| TransportError::Offline(format!("服务器地址“{server}”无效：{e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TransportError::Offline(format!(
            "服务器地址“{server}”须以 https:// 或 http:// 开头"
        )));
    }
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    Ok(url)
}

/// Sync over HTTP(S).
pub struct HttpTransport {
    http: reqwest::Client,
    base: Url,
    account: Account,
    tokens: Arc<dyn TokenStore>,
    access: Mutex<Option<String>>,
    refresh_lock: tokio::sync::Mutex<()>,
    /// This device's sync client id, sent with a refresh: the server then lets this
    /// device present a refresh token again shortly after rotating it (a crash before
    /// the new one reached the keychain) and answers with the same pair.
    device_id: Option<String>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport for `account`, with its refresh token in `tokens`.
    pub fn new(account: Account, tokens: Arc<dyn TokenStore>) -> TransportResult<HttpTransport> {
        let base = parse_base(&account.server_url)?;
        let http = build_http(&base, account.extra_ca.as_deref())?;
        Ok(HttpTransport {
            http,
            base,
            account,
            tokens,
            access: Mutex::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            device_id: None,
        })
    }

    /// Sends `device_id` with every refresh (see [`gongwen_protocol::auth::RefreshRequest`]).
    pub fn with_device_id(mut self, device_id: impl Into<String>) -> HttpTransport {
        self.device_id = Some(device_id.into());
        self
    }

    /// The transport of the store's account, with the refresh token in the keychain.
    pub fn from_account(client: &Client) -> Result<HttpTransport, super::SyncError> {
        let account = account(client)?.ok_or(TransportError::NotLoggedIn)?;
        let now = crate::api::rfc3339(client.now());
        let device = client
            .db
            .write(|tx| super::outbox::client(tx, &now))?
            .client_id;
        Ok(HttpTransport::new(account, Arc::new(KeychainTokens))?.with_device_id(device))
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    fn url(&self, path: &str) -> TransportResult<Url> {
        let path = path.trim_start_matches('/');
        let url = self
            .base
            .join(path)
            .map_err(|e| TransportError::BadResponse(format!("地址 {path}：{e}")))?;
        // An upload URL handed out by the server must stay on the server.
        if url.host_str() != self.base.host_str()
            || url.port_or_known_default() != self.base.port_or_known_default()
        {
            return Err(TransportError::BadResponse(format!(
                "服务器给出的地址 {url} 指向别处"
            )));
        }
        Ok(url)
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(SCHEMA_HEADER, SCHEMA_VERSION.to_string());
        if let Some(token) = self
            .access
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            req = req.bearer_auth(token);
        }
        req
    }

    /// Exchanges the refresh token for a new pair; stores the new refresh token.
    async fn refresh(&self, failed_with: Option<String>) -> TransportResult<()> {
        let _guard = self.refresh_lock.lock().await;
        // Another request refreshed while this one waited.
        let current = self
            .access
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if current.is_some() && current != failed_with {
            return Ok(());
        }
        let token = load_token(&self.tokens, &self.account)
            .await
            .map_err(|e| TransportError::Offline(e.to_string()))?
            .ok_or(TransportError::Unauthorized)?;
        let resp = self
            .request(Method::POST, self.url("v1/auth/refresh")?)
            .json(&RefreshRequest {
                refresh_token: token,
                device_id: self.device_id.clone(),
            })
            .send()
            .await
            .map_err(network)?;
        if resp.status() == StatusCode::UNAUTHORIZED || resp.status() == StatusCode::FORBIDDEN {
            return Err(TransportError::Unauthorized);
        }
        let pair: TokenPair = decode(resp).await?;
        save_token(&self.tokens, &self.account, &pair.refresh_token)
            .await
            .map_err(|e| TransportError::Offline(e.to_string()))?;
        *self.access.lock().unwrap_or_else(|p| p.into_inner()) = Some(pair.access_token);
        Ok(())
    }

    /// Sends with a bearer token, refreshing once on 401.
    async fn send(
        &self,
        build: impl Fn() -> TransportResult<reqwest::RequestBuilder>,
    ) -> TransportResult<reqwest::Response> {
        if self
            .access
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
        {
            self.refresh(None).await?;
        }
        let used = self
            .access
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let resp = build()?.send().await.map_err(network)?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return check(resp).await;
        }
        self.refresh(used).await?;
        let resp = build()?.send().await.map_err(network)?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            return Err(TransportError::Unauthorized);
        }
        check(resp).await
    }

    async fn post_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> TransportResult<R> {
        let url = self.url(path)?;
        let resp = self
            .send(|| Ok(self.request(Method::POST, url.clone()).json(body)))
            .await?;
        decode(resp).await
    }
}

pub(super) fn network(e: reqwest::Error) -> TransportError {
    if e.is_decode() || e.is_body() {
        TransportError::BadResponse(format!("应答不完整：{e}"))
    } else if e.is_redirect() {
        TransportError::BadResponse("服务器把请求转到了别处".into())
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push('：');
            text.push_str(&s.to_string());
            source = s.source();
        }
        TransportError::Offline(text)
    }
}

/// Turns a non-success answer into the matching error.
async fn check(resp: reqwest::Response) -> TransportResult<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    if status.is_redirection() {
        return Err(TransportError::BadResponse(format!(
            "服务器把请求转到了别处（HTTP {}）",
            status.as_u16()
        )));
    }
    let retry_after = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = resp.bytes().await.unwrap_or_default();
    let wire: Option<WireError> = serde_json::from_slice(&body).ok();
    match status.as_u16() {
        426 => Err(TransportError::UpgradeRequired {
            min_protocol: wire
                .as_ref()
                .and_then(|w| w.min_protocol)
                .unwrap_or(PROTOCOL_VERSION + 1),
            min_schema: wire
                .as_ref()
                .and_then(|w| w.min_schema_version)
                .unwrap_or(SCHEMA_VERSION),
        }),
        401 => Err(TransportError::Unauthorized),
        409 => match wire {
            Some(w) => Err(TransportError::Conflict(Box::new(w))),
            None => Err(TransportError::BadResponse("409 应答无法读取".into())),
        },
        429 | 500..=599 => Err(TransportError::Unavailable {
            status: status.as_u16(),
            retry_after,
        }),
        s => {
            let api: Option<ApiError> = serde_json::from_slice(&body).ok();
            Err(TransportError::Refused {
                status: s,
                code: api
                    .as_ref()
                    .map_or_else(|| s.to_string(), |a| a.code.clone()),
                message: api.map_or_else(|| format!("HTTP {s}"), |a| a.message),
            })
        }
    }
}

pub(super) async fn decode<R: DeserializeOwned>(resp: reqwest::Response) -> TransportResult<R> {
    let resp = check(resp).await?;
    let body = resp
        .bytes()
        .await
        .map_err(|e| TransportError::BadResponse(format!("应答不完整：{e}")))?;
    serde_json::from_slice(&body)
        .map_err(|e| TransportError::BadResponse(format!("应答不是预期的格式：{e}")))
}

fn header_u64(resp: &reqwest::Response, name: &str) -> TransportResult<u64> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| TransportError::BadResponse(format!("应答缺少 {name}")))
}

impl Transport for HttpTransport {
    async fn health(&self) -> TransportResult<Health> {
        let resp = self
            .request(Method::GET, self.url("v1/health")?)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(network)?;
        let health: Health = decode(resp).await?;
        if health.protocol < PROTOCOL_VERSION {
            return Err(TransportError::BadResponse(format!(
                "服务器的协议版本 {} 低于本客户端的 {PROTOCOL_VERSION}",
                health.protocol
            )));
        }
        Ok(health)
    }

    async fn push(&self, req: &PushRequest) -> TransportResult<PushResponse> {
        self.post_json("v1/sync/push", req).await
    }

    async fn pull(&self, req: &PullRequest) -> TransportResult<PullResponse> {
        self.post_json("v1/sync/pull", req).await
    }

    async fn blob_announce(&self, req: &BlobAnnounce) -> TransportResult<BlobUpload> {
        self.post_json("v1/blobs", req).await
    }

    async fn blob_offset(&self, upload_url: &str) -> TransportResult<u64> {
        let url = self.url(upload_url)?;
        let resp = self
            .send(|| Ok(self.request(Method::HEAD, url.clone())))
            .await?;
        header_u64(&resp, UPLOAD_OFFSET_HEADER)
    }

    async fn blob_patch(
        &self,
        upload_url: &str,
        offset: u64,
        chunk: Vec<u8>,
    ) -> TransportResult<u64> {
        let url = self.url(upload_url)?;
        let body = bytes_of(chunk);
        let resp = self
            .send(|| {
                Ok(self
                    .request(Method::PATCH, url.clone())
                    .header(UPLOAD_OFFSET_HEADER, offset.to_string())
                    .header(header::CONTENT_TYPE, UPLOAD_CONTENT_TYPE)
                    .body(body.clone()))
            })
            .await?;
        header_u64(&resp, UPLOAD_OFFSET_HEADER)
    }

    async fn blob_get(&self, id: &str, from: u64, len: u64) -> TransportResult<BlobRange> {
        let url = self.url(&format!("v1/blobs/{id}"))?;
        let range = format!("bytes={from}-{}", from + len.max(1) - 1);
        let resp = self
            .send(|| {
                Ok(self
                    .request(Method::GET, url.clone())
                    .header(header::RANGE, &range))
            })
            .await?;
        let status = resp.status();
        let total = if status == StatusCode::PARTIAL_CONTENT {
            resp.headers()
                .get(header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit('/').next())
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| TransportError::BadResponse("应答缺少 Content-Range".into()))?
        } else if from == 0 {
            resp.content_length().unwrap_or(0)
        } else {
            return Err(TransportError::BadResponse("服务器不支持断点续传".into()));
        };
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| TransportError::BadResponse(format!("下载中断：{e}")))?
            .to_vec();
        let total = if status == StatusCode::OK {
            bytes.len() as u64
        } else {
            total
        };
        if from + bytes.len() as u64 > total {
            return Err(TransportError::BadResponse("下载的数据超出附件大小".into()));
        }
        Ok(BlobRange { bytes, total })
    }
}

fn bytes_of(v: Vec<u8>) -> bytes_shim::Bytes {
    bytes_shim::Bytes::from(v)
}

/// `reqwest::Body` is not `Clone`; a chunk is kept as shared bytes so a request can be
/// built again after a token refresh without copying the chunk.
mod bytes_shim {
    #[derive(Clone)]
    pub struct Bytes(std::sync::Arc<Vec<u8>>);

    impl From<Vec<u8>> for Bytes {
        fn from(v: Vec<u8>) -> Bytes {
            Bytes(std::sync::Arc::new(v))
        }
    }

    impl From<Bytes> for reqwest::Body {
        fn from(b: Bytes) -> reqwest::Body {
            match std::sync::Arc::try_unwrap(b.0) {
                Ok(v) => reqwest::Body::from(v),
                Err(shared) => reqwest::Body::from((*shared).clone()),
            }
        }
    }
}

/// Logs in: checks the password with the server, saves the account in the store and
/// the refresh token in `tokens` (the OS keychain for [`KeychainTokens`]); the
/// password is not kept. Also records the login as the store's user name.
pub async fn login(
    client: &Client,
    server: &str,
    user: &str,
    password: &str,
    extra_ca: Option<&Path>,
    tokens: Arc<dyn TokenStore>,
) -> Result<Account, super::SyncError> {
    let base = parse_base(server)?;
    let http = build_http(&base, extra_ca)?;
    let url = base
        .join("v1/auth/login")
        .map_err(|e| TransportError::Offline(e.to_string()))?;
    let resp = http
        .post(url)
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .header(SCHEMA_HEADER, SCHEMA_VERSION.to_string())
        .json(&LoginRequest {
            login: user.trim().to_owned(),
            password: password.to_owned(),
        })
        .send()
        .await
        .map_err(network)?;
    if resp.status() == StatusCode::UNAUTHORIZED {
        let api: Option<ApiError> = resp.json().await.ok();
        return Err(TransportError::Refused {
            status: 401,
            code: api
                .as_ref()
                .map_or_else(|| "unauthorized".into(), |a| a.code.clone()),
            message: api.map_or_else(|| "用户名或密码不正确".into(), |a| a.message),
        }
        .into());
    }
    let pair: TokenPair = decode(resp).await?;
    let account = Account {
        server_url: base.as_str().trim_end_matches('/').to_owned(),
        login: pair.user.login.clone(),
        display: pair.user.display_name.clone(),
        extra_ca: extra_ca.map(Path::to_path_buf),
    };
    save_token(&tokens, &account, &pair.refresh_token).await?;
    let now = crate::api::rfc3339(client.now());
    client.db.write(|tx| {
        tx.execute(
            "INSERT INTO sync_account (id, server_url, login, display, extra_ca, logged_in_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url,
                 login = excluded.login, display = excluded.display,
                 extra_ca = excluded.extra_ca, logged_in_at = excluded.logged_in_at",
            params![
                account.server_url,
                account.login,
                account.display,
                account.extra_ca.as_ref().map(|p| p.display().to_string()),
                now
            ],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('user_name', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&account.login],
        )?;
        Ok(())
    })?;
    Ok(account)
}

/// Logs out: revokes the session on the server when it is reachable, and forgets the
/// refresh token and the account locally in any case. Local data and the outbox stay.
pub async fn logout(
    client: &Client,
    tokens: Arc<dyn TokenStore>,
) -> Result<bool, super::SyncError> {
    let Some(account) = account(client)? else {
        return Ok(false);
    };
    if let Ok(Some(refresh)) = load_token(&tokens, &account).await
        && let Ok(base) = parse_base(&account.server_url)
        && let Ok(http) = build_http(&base, account.extra_ca.as_deref())
        && let Ok(url) = base.join("v1/auth/logout")
    {
        let _ = http
            .post(url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .json(&LogoutRequest {
                refresh_token: Some(refresh),
            })
            .timeout(Duration::from_secs(10))
            .send()
            .await;
    }
    delete_token(&tokens, &account).await?;
    client.db.write(|tx| {
        tx.execute("DELETE FROM sync_account", [])?;
        Ok(())
    })?;
    Ok(true)
}
