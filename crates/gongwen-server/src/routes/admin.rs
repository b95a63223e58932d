//! `/v1/admin/*`: the directory, for administrators (管理员). Listing organs
//! and departments is open to every signed-in user; the rest is checked by
//! [`authorize`] against the organ concerned.
//!
//! Route templates of an organ: `GET /v1/admin/route-templates[?organ=代字]`
//! (the organ's members and administrators), `POST /v1/admin/route-templates`
//! with [`SetRouteTemplate`] and `DELETE /v1/admin/route-templates?organ=代字&name=名称`
//! (administrators of the organ). Delegations: `POST /v1/admin/delegations`,
//! `GET /v1/admin/delegations[?organ=代字]` and
//! `POST /v1/admin/delegations/{id}/revoke`. Password reset:
//! `POST /v1/admin/users/{login}/password` ([`ResetPasswordRequest`]). Every change is published to the
//! devices concerned and audited, in one transaction.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongwen_protocol::auth::{PasswordReset, ResetPasswordRequest};
use gongwen_protocol::directory::{
    Delegation, Department, DirectoryImport, ImportSummary, NewDelegation, NewDepartment, NewOrgan,
    NewPosition, NewUser, Organ, Position, User,
};
use gongwen_protocol::sync::DelegationData;
use serde::Deserialize;

use super::extract::ApiJson;
use crate::AppState;
use crate::auth::{Action, Caller, Resource, account, authorize, password};
use crate::directory;
use crate::directory::templates::{self, OrganRouteTemplate, SetRouteTemplate};
use crate::error::{ApiResult, AppError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/directory/organs", get(list_organs))
        .route("/v1/directory/departments", get(list_departments))
        .route("/v1/admin/organs", get(list_organs).post(create_organ))
        .route(
            "/v1/admin/departments",
            get(list_departments).post(create_department),
        )
        .route("/v1/admin/users", get(list_users).post(create_user))
        .route("/v1/admin/users/{login}/password", post(reset_password))
        .route(
            "/v1/admin/positions",
            get(list_positions).post(create_position),
        )
        .route(
            "/v1/admin/delegations",
            get(list_delegations).post(create_delegation),
        )
        .route("/v1/admin/delegations/{id}/revoke", post(revoke_delegation))
        .route(
            "/v1/admin/route-templates",
            get(list_route_templates)
                .post(set_route_template)
                .delete(remove_route_template),
        )
        .route("/v1/admin/import", post(import))
}

#[derive(Debug, Deserialize)]
struct OrganFilter {
    organ: Option<String>,
}

async fn organ_id(state: &AppState, code: &str) -> ApiResult<i64> {
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(directory::organ_by_code(&client, code).await?.id)
}

/// The organ filter for a list: the named organ, or the caller's own.
async fn filter_organ(state: &AppState, caller: &Caller, filter: &OrganFilter) -> ApiResult<i64> {
    match filter
        .organ
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(code) => organ_id(state, code).await,
        None => Ok(caller.organ_id),
    }
}

async fn list_organs(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Organ>>> {
    authorize(&caller, &Resource::Directory, Action::Read)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(directory::list_organs(&client).await?))
}

async fn create_organ(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewOrgan>,
) -> ApiResult<(StatusCode, Json<Organ>)> {
    match new
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(parent) => {
            let id = organ_id(&state, parent).await?;
            authorize(&caller, &Resource::Organ { id }, Action::Manage)?;
        }
        None => authorize(&caller, &Resource::TopLevelOrgans, Action::Manage)?,
    }
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let organ = directory::create_organ(&tx, &new).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(organ)))
}

async fn list_departments(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<OrganFilter>,
) -> ApiResult<Json<Vec<Department>>> {
    authorize(&caller, &Resource::Directory, Action::Read)?;
    let organ = match filter
        .organ
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(code) => Some(organ_id(&state, code).await?),
        None => None,
    };
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(directory::list_departments(&client, organ).await?))
}

async fn create_department(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewDepartment>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    let id = organ_id(&state, &new.organ).await?;
    authorize(&caller, &Resource::Organ { id }, Action::Manage)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok((
        StatusCode::CREATED,
        Json(directory::create_department(&client, &new).await?),
    ))
}

async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<OrganFilter>,
) -> ApiResult<Json<Vec<User>>> {
    let organ_id = filter_organ(&state, &caller, &filter).await?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(directory::list_users(&client, Some(organ_id)).await?))
}

async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let organ_id = organ_id(&state, &new.organ).await?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Manage)?;
    let hash = match &new.password {
        Some(p) => Some(password::hash_blocking(p.clone()).await?),
        None => None,
    };
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let user = directory::create_user(&tx, &new, hash.as_deref()).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// `POST /v1/admin/users/{login}/password`: set the password, clear the lockout and end
/// every session of the user (see [`crate::auth::account`]). A user of an organ outside
/// the administrator's reach is answered as a missing one.
async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(login): Path<String>,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<Json<PasswordReset>> {
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let organ_id: i64 = client
        .query_opt(
            "SELECT organ_id FROM users WHERE login = $1",
            &[&login.trim()],
        )
        .await
        .map_err(crate::Error::from)?
        .ok_or_else(AppError::not_found)?
        .get(0);
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Manage)?;
    let hash = account::hash_for_reset_http(&login, req.new_password).await?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let revoked =
        account::reset_password(&tx, &login, &hash, &caller.login, state.clock.now()).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(PasswordReset {
        login: login.trim().to_owned(),
        sessions_revoked: revoked,
    }))
}

async fn list_positions(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<OrganFilter>,
) -> ApiResult<Json<Vec<Position>>> {
    let organ_id = filter_organ(&state, &caller, &filter).await?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(
        directory::list_positions(&client, Some(organ_id)).await?,
    ))
}

async fn create_position(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewPosition>,
) -> ApiResult<(StatusCode, Json<Position>)> {
    let id = organ_id(&state, &new.organ).await?;
    authorize(&caller, &Resource::Organ { id }, Action::Manage)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok((
        StatusCode::CREATED,
        Json(directory::create_position(&client, &new).await?),
    ))
}

async fn list_delegations(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<OrganFilter>,
) -> ApiResult<Json<Vec<Delegation>>> {
    let organ_id = filter_organ(&state, &caller, &filter).await?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    Ok(Json(
        directory::list_delegations(&client, Some(organ_id)).await?,
    ))
}

async fn create_delegation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewDelegation>,
) -> ApiResult<(StatusCode, Json<Delegation>)> {
    // The delegating user's organ decides who may record it.
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let row = client
        .query_opt(
            "SELECT organ_id FROM users WHERE login = $1",
            &[&new.from.trim()],
        )
        .await
        .map_err(crate::Error::from)?
        .ok_or_else(AppError::not_found)?;
    authorize(
        &caller,
        &Resource::Users {
            organ_id: row.get(0),
        },
        Action::Manage,
    )?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let created = directory::create_delegation(&tx, &new).await?;
    directory::audit_admin(
        &tx,
        &caller.login,
        "delegation.create",
        &format!("delegation/{}", created.id),
        serde_json::json!({"from": created.from, "to": created.to,
            "starts_at": created.starts_at, "ends_at": created.ends_at,
            "role": created.role.map(|r| r.code())}),
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn revoke_delegation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<DelegationData>> {
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    // An administrator of another organ gets the same 404 as for a missing one.
    let organ_id = directory::delegation_organ(&client, id)
        .await
        .map_err(|_| AppError::not_found())?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Manage)?;
    let now = state.clock.now();
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let revoked = directory::revoke_delegation(&tx, id, &caller.login, now).await?;
    directory::audit_admin(
        &tx,
        &caller.login,
        "delegation.revoke",
        &format!("delegation/{id}"),
        serde_json::json!({"from": revoked.from_login, "to": revoked.to_login}),
        now,
    )
    .await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(revoked))
}

async fn list_route_templates(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<OrganFilter>,
) -> ApiResult<Json<Vec<OrganRouteTemplate>>> {
    let organ_id = filter_organ(&state, &caller, &filter).await?;
    authorize(&caller, &Resource::Users { organ_id }, Action::Read)?;
    let client = state.pool.get().await.map_err(crate::Error::from)?;
    let code = match filter
        .organ
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        Some(code) => code.to_owned(),
        None => caller.organ_code.clone(),
    };
    Ok(Json(templates::list(&client, &code).await?))
}

async fn set_route_template(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SetRouteTemplate>,
) -> ApiResult<Json<OrganRouteTemplate>> {
    let id = organ_id(&state, &req.organ).await?;
    authorize(&caller, &Resource::Organ { id }, Action::Manage)?;
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let stored = templates::set(
        &tx,
        &req.organ,
        &req.template,
        &caller.login,
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(stored))
}

#[derive(Debug, Deserialize)]
struct TemplateRef {
    organ: String,
    name: String,
}

async fn remove_route_template(
    State(state): State<AppState>,
    caller: Caller,
    Query(target): Query<TemplateRef>,
) -> ApiResult<StatusCode> {
    let id = organ_id(&state, &target.organ).await?;
    authorize(&caller, &Resource::Organ { id }, Action::Manage)?;
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    templates::remove(
        &tx,
        &target.organ,
        &target.name,
        &caller.login,
        state.clock.now(),
    )
    .await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn import(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(data): ApiJson<DirectoryImport>,
) -> ApiResult<Json<ImportSummary>> {
    authorize(&caller, &Resource::DirectoryImport, Action::Manage)?;
    let hashes = directory::hash_import_passwords(&data).await?;
    let mut client = state.pool.get().await.map_err(crate::Error::from)?;
    let tx = client.transaction().await.map_err(crate::Error::from)?;
    let summary = directory::import(&tx, &data, &hashes).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    Ok(Json(summary))
}
