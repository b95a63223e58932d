//! `/v1/exchange/*`: the sender's view of what it sent, the recipient's 收文
//! inbox, and direct (online) delivery and 签收 for callers that do not go
//! through the sync push.
//!
//! Who may do what:
//! * `GET /v1/exchange/outgoing[?pending=true]`: 办公室文书 and 领导 of the
//!   sending organ (the clerk follows up the unsigned ones).
//! * `GET /v1/exchange/incoming[?pending=true]`: 收文员, 办公室文书 and 领导 of
//!   the receiving organ.
//! * `POST /v1/exchange/deliver`: an 办公室文书 of the sending organ.
//! * `POST /v1/exchange/incoming/{id}/sign`: a 收文员 or 办公室文书 of the
//!   receiving organ (checked by [`super::sign`]).
//!
//! The two commands go through the server's audit chain exactly as their sync
//! mutations do: an `exchange.delivered` / `exchange.signed` record in the
//! effect's transaction (`exchange.redelivered` / `exchange.resigned` when the
//! request only repeats one already applied), and an `exchange.rejected` record,
//! in a transaction of its own, for a terminal refusal (a retryable one, such as
//! a PDF still uploading, consumed nothing and is not recorded).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongwen_protocol::directory::Role;
use gongwen_protocol::exchange::{DeliverRequest, Delivered, Incoming, Outgoing, Receipt};
use gongwen_protocol::sync::{ExchangeSign, codes as sync_codes};
use serde::Deserialize;

use super::{ExchangeError, Rejection, codes};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, code};
use crate::routes::extract::ApiJson;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/exchange/outgoing", get(outgoing))
        .route("/v1/exchange/incoming", get(incoming))
        .route("/v1/exchange/deliver", post(deliver))
        .route("/v1/exchange/incoming/{id}/sign", post(sign))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    pending: bool,
}

/// A business rejection as an HTTP answer.
impl From<ExchangeError> for AppError {
    fn from(e: ExchangeError) -> Self {
        match e {
            ExchangeError::Internal(e) => e.into(),
            ExchangeError::Rejected(r) => {
                let status = match r.code {
                    codes::NOT_FOUND => StatusCode::NOT_FOUND,
                    sync_codes::FORBIDDEN => StatusCode::FORBIDDEN,
                    sync_codes::ALREADY_HANDLED => StatusCode::CONFLICT,
                    sync_codes::BLOB_MISSING => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                let code = match r.code {
                    codes::NOT_FOUND => code::NOT_FOUND,
                    sync_codes::FORBIDDEN => code::FORBIDDEN,
                    other => other,
                };
                AppError::new(status, code, r.message)
            }
        }
    }
}

fn require_any(caller: &Caller, roles: &[Role]) -> ApiResult<()> {
    if roles.iter().any(|r| caller.has(*r)) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

async fn outgoing(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Outgoing>>> {
    require_any(&caller, &[Role::Clerk, Role::Leader])?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(super::outgoing(&client, &caller, q.pending).await?))
}

async fn incoming(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<Incoming>>> {
    require_any(&caller, &[Role::Receiver, Role::Clerk, Role::Leader])?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(super::incoming(&client, &caller, q.pending).await?))
}

/// One audit record of an online exchange command, on the server's stream.
fn entry(
    caller: &Caller,
    now: time::OffsetDateTime,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> crate::Result<gongwen_domain::audit::Entry> {
    Ok(gongwen_domain::audit::Entry {
        id: super::new_id("http-")?,
        time: now,
        actor: caller.login.clone(),
        on_behalf_of: None,
        action: action.to_owned(),
        subject: subject.to_owned(),
        detail_json: detail.to_string(),
    })
}

/// Records a terminal refusal (the effect's transaction was rolled back), then
/// answers with it.
async fn refused(
    state: &AppState,
    caller: &Caller,
    command: &str,
    subject: &str,
    e: ExchangeError,
) -> AppError {
    if let ExchangeError::Rejected(Rejection {
        code,
        message,
        retryable: false,
        ..
    }) = &e
    {
        let record = async {
            let now = state.clock.now();
            let audit = entry(
                caller,
                now,
                "exchange.rejected",
                subject,
                serde_json::json!({"command": command, "code": code, "message": message}),
            )?;
            let mut client = state.pool.get().await?;
            let tx = client.transaction().await?;
            crate::audit::append(&tx, vec![audit]).await?;
            tx.commit().await?;
            crate::Result::Ok(())
        };
        if let Err(err) = record.await {
            // The refusal stands whether or not it could be recorded.
            tracing::error!(error = %err, command, "could not audit a refused exchange command");
        }
    }
    e.into()
}

async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<DeliverRequest>,
) -> ApiResult<(StatusCode, Json<Delivered>)> {
    require_any(&caller, &[Role::Clerk])?;
    let subject = req.document_id.trim().to_owned();
    let now = state.clock.now();
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let before = tx
        .query_opt(
            "SELECT id FROM exchange_documents WHERE from_organ_id = $1 AND document_id = $2",
            &[&caller.organ_id, &subject],
        )
        .await
        .map_err(crate::Error::from)?;
    let delivered = match super::deliver(&tx, &caller, &req, now).await {
        Ok(d) => d,
        Err(e) => {
            drop(tx);
            drop(client);
            return Err(refused(&state, &caller, "deliver", &subject, e).await);
        }
    };
    let action = if before.is_some() {
        "exchange.redelivered"
    } else {
        "exchange.delivered"
    };
    let recipients: Vec<&str> = delivered
        .items
        .iter()
        .map(|i| i.organ.code.as_str())
        .collect();
    let audit = entry(
        &caller,
        now,
        action,
        &subject,
        serde_json::json!({"exchange_id": delivered.exchange_id, "recipients": recipients}),
    )?;
    crate::audit::append(&tx, vec![audit]).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(delivered)))
}

async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Receipt>> {
    let subject = id.trim().to_owned();
    let now = state.clock.now();
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let signed_before = tx
        .query_opt(
            "SELECT state = 'signed' FROM exchange_items WHERE id = $1",
            &[&subject],
        )
        .await
        .map_err(crate::Error::from)?
        .is_some_and(|r| r.get::<_, bool>(0));
    let receipt = match super::sign(&tx, &caller, &ExchangeSign { incoming_id: id }, now).await {
        Ok(r) => r,
        Err(e) => {
            drop(tx);
            drop(client);
            return Err(refused(&state, &caller, "sign", &subject, e).await);
        }
    };
    let action = if signed_before {
        "exchange.resigned"
    } else {
        "exchange.signed"
    };
    let audit = entry(
        &caller,
        now,
        action,
        &subject,
        serde_json::json!({"incoming_id": subject, "receipt": receipt.id}),
    )?;
    crate::audit::append(&tx, vec![audit]).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(receipt))
}
