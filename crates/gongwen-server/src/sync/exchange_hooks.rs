//! Where sync meets the 公文交换 and the blob store ([`crate::exchange`],
//! [`crate::blobs`]): `exchange.sign.v1`, the delivery at 核发 and the `BLOB_MISSING`
//! check of a mutation's declared blobs.

use deadpool_postgres::GenericClient;
use gongwen_domain::document::Document;
use gongwen_protocol::exchange::{DeliverRequest, FileRef};
use gongwen_protocol::sync::{ExchangeSign, codes};
use serde::Deserialize;

use super::flows::FlowRow;
use super::{Applying, Failure, Rejection};
use crate::error::{Error, Result};
use crate::exchange::{self, ExchangeError};

/// Whether a complete blob is on the server.
pub(super) async fn blob_present(c: &impl GenericClient, blob: &str) -> Result<bool> {
    crate::blobs::exists(c, blob).await
}

fn failure(e: ExchangeError) -> Failure {
    match e {
        ExchangeError::Rejected(r) => Failure::Rejected(Rejection {
            code: r.code.to_owned(),
            message: r.message,
            retryable: r.retryable,
            detail: r.detail,
        }),
        ExchangeError::Internal(e) => Failure::Internal(e),
    }
}

/// `exchange.sign.v1`: 签收 an incoming item; the result is the 回执.
pub(super) async fn sign(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    args: &serde_json::Value,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    let args: ExchangeSign = serde_json::from_value(args.clone()).map_err(|e| {
        Failure::Rejected(Rejection::new(
            codes::BAD_ARGS,
            format!("操作参数无效：{e}"),
        ))
    })?;
    let receipt = exchange::sign(tx, a.caller, &args, a.now)
        .await
        .map_err(failure)?;
    a.audit(
        "exchange.signed",
        &args.incoming_id,
        serde_json::json!({"incoming_id": args.incoming_id}),
    );
    Ok(Some(
        serde_json::to_value(receipt).map_err(|e| Error::Invalid(e.to_string()))?,
    ))
}

/// The optional `dispatch` key of a `flow.act.v1` that completes 核发: the rendered
/// PDF and attachments to send, and the recipients when they are not the document's
/// 主送 and 抄送.
#[derive(Debug, Default, Deserialize)]
struct Dispatch {
    #[serde(default)]
    pdf: Option<FileRef>,
    #[serde(default)]
    attachments: Vec<FileRef>,
    #[serde(default)]
    recipients: Option<Vec<String>>,
}

/// 核发 completed: deliver the document (the draft's head on the server) to its
/// recipients' 收文 inboxes, in this transaction. Returns the delivery, or None when the
/// document has no recipient outside the organ or the server does not hold its draft.
pub(super) async fn deliver(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &mut Applying<'_>,
    flow: &FlowRow,
    args: &serde_json::Value,
) -> std::result::Result<Option<serde_json::Value>, Failure> {
    let dispatch: Dispatch = match args.get("dispatch") {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            Failure::Rejected(Rejection::new(
                codes::BAD_ARGS,
                format!("核发参数无效：{e}"),
            ))
        })?,
        None => Dispatch::default(),
    };
    let Some((_, (mut head, _))) = super::drafts::head(tx, &flow.document_id).await? else {
        return Ok(None);
    };
    // The 文号 allocated at 登记 goes on the issued document.
    if head
        .document
        .get("doc_number")
        .is_none_or(serde_json::Value::is_null)
        && let Some(n) = tx
            .query_opt(
                "SELECT code, year, seq FROM doc_numbers WHERE document_id = $1
                 ORDER BY allocated_at DESC LIMIT 1",
                &[&flow.document_id],
            )
            .await?
        && let Some(doc) = head.document.as_object_mut()
    {
        doc.insert(
            "doc_number".into(),
            serde_json::json!({
                "prefix": n.get::<_, String>(0),
                "year": n.get::<_, i32>(1),
                "seq": n.get::<_, i64>(2),
            }),
        );
    }
    let recipients = match dispatch.recipients {
        Some(r) => r,
        None => match serde_json::from_value::<Document>(head.document.clone()) {
            Ok(doc) => doc.main_recipients.into_iter().chain(doc.cc).collect(),
            Err(_) => Vec::new(),
        },
    };
    if recipients.iter().all(|r| r.trim().is_empty()) {
        return Ok(None);
    }
    let req = DeliverRequest {
        document_id: flow.document_id.clone(),
        document: head.document,
        content_hash: Some(head.content_hash),
        pdf: dispatch.pdf,
        attachments: dispatch.attachments,
        recipients,
    };
    match exchange::deliver(tx, a.caller, &req, a.now).await {
        Ok(delivered) => {
            a.audit(
                "exchange.delivered",
                &flow.document_id,
                serde_json::json!({"flow": flow.id, "exchange_id": delivered.exchange_id}),
            );
            Ok(Some(
                serde_json::to_value(delivered).map_err(|e| Error::Invalid(e.to_string()))?,
            ))
        }
        Err(ExchangeError::Rejected(r)) if r.code == exchange::codes::NO_RECIPIENTS => Ok(None),
        Err(e) => Err(failure(e)),
    }
}
