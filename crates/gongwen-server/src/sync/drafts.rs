//! `draft.save.v1`: whole-body versions with compare-and-set on `base_version`
//! (SYNC.md §3). A save based on the current head becomes the next version; any other
//! save is kept as a conflict copy (冲突副本) of the draft, never dropped, and shown to
//! every member until a later save names it in `resolves`.

use deadpool_postgres::GenericClient;
use gongwen_domain::workflow::{Flow, StepKind};
use gongwen_protocol::sync::{
    ConflictCopy, DRAFT_SAVE_RESOLVES, DraftHead, DraftSave, codes, kinds,
};

use super::{Applying, Failure, Rejection, members, reject, rfc3339};
use crate::error::{Error, Result};

/// The draft's head as pull serves it, with its owner's login and entity version.
pub(super) async fn head(
    c: &impl GenericClient,
    draft_id: &str,
) -> Result<Option<(String, (DraftHead, i64))>> {
    // Pipelined: the head and the open conflict copies in one round trip.
    let (row, conflicts) = futures_util::future::try_join(
        super::sql::query_opt(
            c,
            "SELECT u.login, d.head_version, v.document::text, d.content_hash, d.version
               FROM drafts d JOIN users u ON u.id = d.owner_id
               JOIN draft_versions v ON v.draft_id = d.id AND v.version = d.head_version
              WHERE d.id = $1",
            &[&draft_id],
        ),
        super::sql::query(
            c,
            "SELECT c.id, c.base_version, u.login, c.saved_at, c.document::text
               FROM draft_conflicts c JOIN users u ON u.id = c.author_id
              WHERE c.draft_id = $1 AND c.resolved_at IS NULL ORDER BY c.saved_at, c.id",
            &[&draft_id],
        ),
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let document: String = row.get(2);
    let conflicts = conflicts
        .iter()
        .map(|r| {
            let doc: String = r.get(4);
            Ok(ConflictCopy {
                id: r.get(0),
                base_version: r.get(1),
                author: r.get(2),
                saved_at: rfc3339(r.get::<_, time::OffsetDateTime>(3).to_offset(super::CST)),
                document: serde_json::from_str(&doc).map_err(|e| Error::Invalid(e.to_string()))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((
        row.get(0),
        (
            DraftHead {
                draft_id: draft_id.to_owned(),
                head_version: row.get(1),
                document: serde_json::from_str(&document)
                    .map_err(|e| Error::Invalid(e.to_string()))?,
                content_hash: row.get(3),
                conflicts,
            },
            row.get(4),
        ),
    )))
}

/// Whether `login` holds an open task at an editable step of a running flow of the
/// document (the reviewer editing with tracked changes).
async fn holds_editable_task(c: &impl GenericClient, draft_id: &str, login: &str) -> Result<bool> {
    let rows = super::sql::query(
        c,
        "SELECT flow::text FROM flows WHERE document_id = $1 AND status = 'running'",
        &[&draft_id],
    )
    .await?;
    for r in rows {
        let json: String = r.get(0);
        let Ok(flow) = serde_json::from_str::<Flow>(&json) else {
            continue;
        };
        let editable = flow.open_tasks().any(|t| {
            t.assignee.0 == login
                && flow.route.steps.get(t.step).is_some_and(|s| {
                    s.editable.unwrap_or_else(|| s.kind.editable_by_default())
                        || s.kind == StepKind::Draft
                })
        });
        if editable {
            return Ok(true);
        }
    }
    Ok(false)
}

fn check(save: &DraftSave) -> std::result::Result<(), Failure> {
    let id = save.draft_id.trim();
    if id.is_empty() || id.chars().count() > 100 || id.chars().any(char::is_control) {
        return reject(codes::BAD_ARGS, "草稿编号为空、过长或含有控制字符");
    }
    if !save.document.is_object() {
        return reject(codes::BAD_ARGS, "草稿内容必须是公文 JSON 对象");
    }
    let hash = save.content_hash.trim();
    if hash.is_empty() || hash.len() > 200 {
        return reject(codes::BAD_ARGS, "草稿缺少内容哈希");
    }
    Ok(())
}

/// `draft.save.v1`.
pub(super) async fn save(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    args: &serde_json::Value,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    let save: DraftSave = serde_json::from_value(args.clone()).map_err(|e| {
        Failure::Rejected(Rejection::new(
            codes::BAD_ARGS,
            format!("操作参数无效：{e}"),
        ))
    })?;
    check(&save)?;
    let resolves: Vec<String> = args
        .get(DRAFT_SAVE_RESOLVES)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let id = save.draft_id.trim().to_owned();
    let document = save.document.to_string();
    let hash = save.content_hash.trim().to_owned();
    let mutation_id = a.mutation_id.to_owned();
    let existing = super::sql::query_opt(
        tx,
        "SELECT owner_id, head_version, content_hash FROM drafts WHERE id = $1 FOR UPDATE",
        &[&id],
    )
    .await?;
    let Some(row) = existing else {
        // A new draft: the caller owns it. The draft and its first version in one
        // statement.
        super::sql::execute(
            tx,
            "WITH d AS (
                 INSERT INTO drafts (id, owner_id, organ_id, head_version, content_hash, version,
                                     created_at, updated_at)
                 VALUES ($1, $2, $3, 1, $4, 1, $5, $5) RETURNING id)
             INSERT INTO draft_versions (draft_id, version, base_version, document, content_hash,
                                         author_id, mutation_id, saved_at)
             SELECT id, 1, $6, $7::text::jsonb, $4, $2, $8::text::uuid, $5 FROM d",
            &[
                &id,
                &a.caller.user_id,
                &a.caller.organ_id,
                &hash,
                &a.now,
                &save.base_version,
                &document,
                &mutation_id,
            ],
        )
        .await?;
        a.audit(
            "draft.created",
            &id,
            serde_json::json!({"version": 1, "content_hash": hash}),
        );
        members::publish(tx, a, &id, (kinds::DRAFT, &id)).await?;
        return Ok(Some(serde_json::json!({"conflict": false, "head": 1})));
    };
    let owner: i64 = row.get(0);
    let head_version: i64 = row.get(1);
    let head_hash: String = row.get(2);
    if owner != a.caller.user_id && !holds_editable_task(tx, &id, &a.caller.login).await? {
        return reject(
            codes::FORBIDDEN,
            "您无权修改该草稿：只有拟稿人和正在办理可修改环节的人员可以保存",
        );
    }
    let result = if save.base_version == Some(head_version) || head_hash == hash {
        let version = if head_hash == hash {
            // The same text as the head: nothing to add (a retried or identical save).
            head_version
        } else {
            let v = head_version + 1;
            insert_version(
                tx,
                a,
                &id,
                v,
                save.base_version,
                &document,
                &hash,
                &mutation_id,
            )
            .await?;
            super::sql::execute(tx,
                "UPDATE drafts SET head_version = $2, content_hash = $3, version = version + 1, updated_at = $4
                 WHERE id = $1",
                &[&id, &v, &hash, &a.now],
            )
            .await?;
            a.audit(
                "draft.saved",
                &id,
                serde_json::json!({"version": v, "base_version": save.base_version, "content_hash": hash}),
            );
            v
        };
        serde_json::json!({"conflict": false, "head": version})
    } else {
        super::sql::execute(tx,
            "INSERT INTO draft_conflicts (id, draft_id, base_version, document, content_hash, author_id, saved_at)
             VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7)",
            &[&mutation_id, &id, &save.base_version, &document, &hash, &a.caller.user_id, &a.now],
        )
        .await?;
        super::sql::execute(
            tx,
            "UPDATE drafts SET version = version + 1, updated_at = $2 WHERE id = $1",
            &[&id, &a.now],
        )
        .await?;
        a.audit(
            "draft.conflict_kept",
            &id,
            serde_json::json!({"copy": mutation_id, "base_version": save.base_version, "head": head_version, "content_hash": hash}),
        );
        serde_json::json!({"conflict": true, "head": head_version, "copy": mutation_id})
    };
    if !resolves.is_empty() {
        let n = super::sql::execute(
            tx,
            "UPDATE draft_conflicts SET resolved_at = $3, resolved_by = $4
                  WHERE draft_id = $1 AND id = ANY($2) AND resolved_at IS NULL",
            &[&id, &resolves, &a.now, &a.caller.user_id],
        )
        .await?;
        if n > 0 {
            super::sql::execute(
                tx,
                "UPDATE drafts SET version = version + 1 WHERE id = $1",
                &[&id],
            )
            .await?;
            a.audit(
                "draft.conflicts_resolved",
                &id,
                serde_json::json!({"resolved": resolves}),
            );
        }
    }
    members::publish(tx, a, &id, (kinds::DRAFT, &id)).await?;
    Ok(Some(result))
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &Applying<'_>,
    id: &str,
    version: i64,
    base: Option<i64>,
    document: &str,
    hash: &str,
    mutation_id: &str,
) -> Result<()> {
    super::sql::execute(tx,
        "INSERT INTO draft_versions (draft_id, version, base_version, document, content_hash, author_id, mutation_id, saved_at)
         VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7::text::uuid, $8)",
        &[&id, &version, &base, &document, &hash, &a.caller.user_id, &mutation_id, &a.now],
    )
    .await?;
    Ok(())
}
