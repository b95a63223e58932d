//! Document membership and fan-out: after every change of a document (its draft or one
//! of its flows), recompute who may see it, and queue the ops of each member's
//! `user:{login}` bucket: the whole document for a new member, the changed entity for
//! the others, a REMOVE of everything for whoever stopped being a member.

use std::collections::{BTreeMap, BTreeSet};

use deadpool_postgres::GenericClient;
use gongwen_protocol::sync::kinds;

use super::buckets::{NewOp, user_bucket};
use super::{Applying, drafts, flows};
use crate::error::{Error, Result};

/// One entity of a document as pull serves it.
struct Entity {
    kind: &'static str,
    id: String,
    version: i64,
    data: serde_json::Value,
}

async fn entities(
    c: &impl GenericClient,
    document_id: &str,
) -> Result<(Vec<Entity>, BTreeSet<String>)> {
    let mut out = Vec::new();
    let mut members = BTreeSet::new();
    let (draft, flows) = futures_util::future::try_join(
        drafts::head(c, document_id),
        flows::of_document(c, document_id),
    )
    .await?;
    if let Some((owner, head)) = draft {
        members.insert(owner);
        out.push(Entity {
            kind: kinds::DRAFT,
            id: document_id.to_owned(),
            version: head.1,
            data: serde_json::to_value(&head.0).map_err(|e| Error::Invalid(e.to_string()))?,
        });
    }
    for f in flows {
        members.extend(flows::members_of(&f.flow));
        out.push(Entity {
            kind: kinds::FLOW,
            id: f.id.clone(),
            version: f.version,
            data: serde_json::to_value(f.data()?).map_err(|e| Error::Invalid(e.to_string()))?,
        });
    }
    Ok((out, members))
}

/// Publishes the document's current state to its members' buckets (queued on `a.ops`)
/// and updates `document_members`: a new member gets every entity of the document,
/// the others the `changed` one (`(kind, id)`).
pub(super) async fn publish(
    tx: &impl GenericClient,
    a: &mut Applying<'_>,
    document_id: &str,
    changed: (&str, &str),
) -> Result<()> {
    let (entities, before) = futures_util::future::try_join(
        entities(tx, document_id),
        super::sql::query(
            tx,
            "SELECT m.user_id, u.login FROM document_members m JOIN users u ON u.id = m.user_id
              WHERE m.document_id = $1",
            &[&document_id],
        ),
    )
    .await?;
    let (entities, logins) = entities;
    let before: BTreeMap<i64, String> = before.iter().map(|r| (r.get(0), r.get(1))).collect();
    // Usually the members do not change: touch the table only when they do, and
    // then in one statement (look the logins up, add the new members, drop the
    // others).
    let now: BTreeMap<i64, String> = if logins.iter().eq(before.values().collect::<BTreeSet<_>>()) {
        before.clone()
    } else {
        let list: Vec<&str> = logins.iter().map(String::as_str).collect();
        super::sql::query(
            tx,
            "WITH now AS (SELECT id, login FROM users WHERE login = ANY($2)),
                  added AS (INSERT INTO document_members (document_id, user_id)
                            SELECT $1, id FROM now ON CONFLICT DO NOTHING),
                  dropped AS (DELETE FROM document_members
                               WHERE document_id = $1 AND user_id NOT IN (SELECT id FROM now))
             SELECT id, login FROM now",
            &[&document_id, &list],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    };
    for (id, login) in &now {
        let new_member = !before.contains_key(id);
        for e in entities
            .iter()
            .filter(|e| new_member || (e.kind, e.id.as_str()) == changed)
        {
            a.ops.push(NewOp::put(
                user_bucket(login),
                e.kind,
                &e.id,
                e.version,
                e.data.clone(),
            ));
        }
    }
    for (id, login) in &before {
        if now.contains_key(id) {
            continue;
        }
        for e in &entities {
            a.ops
                .push(NewOp::remove(user_bucket(login), e.kind, &e.id, e.version));
        }
    }
    Ok(())
}
