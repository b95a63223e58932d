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

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongwen_protocol::directory::Role;
use gongwen_protocol::exchange::{DeliverRequest, Delivered, Incoming, Outgoing, Receipt};
use gongwen_protocol::sync::{ExchangeSign, codes as sync_codes};
use serde::Deserialize;

use super::{ExchangeError, codes};
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

async fn deliver(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<DeliverRequest>,
) -> ApiResult<(StatusCode, Json<Delivered>)> {
    require_any(&caller, &[Role::Clerk])?;
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let delivered = super::deliver(&tx, &caller, &req, state.clock.now()).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(delivered)))
}

async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Receipt>> {
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let receipt = super::sign(
        &tx,
        &caller,
        &ExchangeSign { incoming_id: id },
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(receipt))
}
