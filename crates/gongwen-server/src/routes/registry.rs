//! `/v1/registry/*`: 文号 allocation at 登记.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongwen_protocol::registry::{AllocateRequest, AllocatedNumber};

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Action, Caller, Resource, authorize};
use crate::error::{ApiResult, AppError};
use crate::registry;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/registry/allocate", post(allocate))
        .route("/v1/registry/{code}/{year}", get(list))
}

/// The year comes from the server's clock (Beijing time), never the client.
fn current_year(state: &AppState) -> i32 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    state.clock.now().to_offset(offset).year()
}

async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<AllocateRequest>,
) -> ApiResult<(StatusCode, Json<AllocatedNumber>)> {
    authorize(
        &caller,
        &Resource::DocNumbers {
            organ_code: req.code.trim(),
        },
        Action::Allocate,
    )?;
    let year = current_year(&state);
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let number =
        registry::allocate(&tx, &req.code, year, &req.document_id, Some(caller.user_id)).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(number)))
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, year)): Path<(String, String)>,
) -> ApiResult<Json<Vec<AllocatedNumber>>> {
    authorize(
        &caller,
        &Resource::DocNumbers {
            organ_code: code.trim(),
        },
        Action::Read,
    )?;
    let year: i32 = year
        .parse()
        .map_err(|_| AppError::bad_request(format!("年份“{year}”无效")))?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(registry::list(&client, &code, year).await?))
}
