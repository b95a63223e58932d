//! 公文交换: delivering issued documents to other organs' 收文 inboxes, and
//! the 签收 that sends a 回执 back (issue 6 item 6).
//!
//! * [`deliver`] (at 核发): one `exchange_documents` row for the sending and
//!   one `exchange_items` row per recipient organ; an `incoming` op
//!   ([`gongwen_protocol::exchange::Incoming`]) goes into each recipient's
//!   bucket `organ:{代字}`, and the PDF and attachments get [`blobs::add_ref`]s
//!   so the recipient's users may download them. Documents marked 绝密, 机密
//!   or 秘密 are refused: classified documents never travel on this network.
//! * [`sign`] (`exchange.sign.v1`): a 收文员 or 办公室文书 of the recipient organ
//!   签收s the item; a `receipt` op ([`gongwen_protocol::exchange::Receipt`])
//!   goes into the sender's bucket and the signed item into the recipient's.
//! * [`outgoing`] / [`incoming`]: what `GET /v1/exchange/outgoing` and
//!   `/incoming` list.
//!
//! [`deliver`] and [`sign`] write inside the caller's transaction (the sync
//! push applies each mutation in one), and tell a business refusal
//! ([`ExchangeError::Rejected`], with a code and a zh-CN message for the user)
//! from a failure of the server ([`ExchangeError::Internal`]). They take a
//! `deadpool_postgres::Transaction`, which derefs to the `tokio_postgres` one.

pub mod http;

use deadpool_postgres::{GenericClient, Transaction};
use gongwen_domain::document::Document;
use gongwen_protocol::directory::Role;
use gongwen_protocol::exchange::{
    DeliverRequest, Delivered, DeliveredItem, ExchangeFile, Incoming, ItemState, OrganRef,
    Outgoing, OutgoingRecipient, PersonRef, Receipt,
};
use gongwen_protocol::sync::{AlreadyHandled, ExchangeSign, codes as sync_codes, kinds};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::Caller;
use crate::blobs::{self, BlobId};
use crate::error::Error;
use crate::sync::buckets;

/// Rejection codes of the exchange (besides `FORBIDDEN`, `ALREADY_HANDLED`
/// and `BLOB_MISSING` of [`gongwen_protocol::sync::codes`]).
pub mod codes {
    /// The document is classified (绝密/机密/秘密): no electronic exchange.
    pub const CLASSIFIED: &str = "EXCHANGE_CLASSIFIED";
    /// A recipient names no organ in the directory.
    pub const UNKNOWN_ORGAN: &str = "EXCHANGE_UNKNOWN_ORGAN";
    /// No recipient, or only the sender itself.
    pub const NO_RECIPIENTS: &str = "EXCHANGE_NO_RECIPIENTS";
    /// The document does not read as a 公文, or lacks its title.
    pub const BAD_DOCUMENT: &str = "EXCHANGE_BAD_DOCUMENT";
    /// The incoming item does not exist or is not addressed to the caller's organ.
    pub const NOT_FOUND: &str = "EXCHANGE_NOT_FOUND";
}

/// A business refusal: stored as the mutation's result and shown to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Stable code ([`codes`] or a `gongwen_protocol::sync::codes` one).
    pub code: &'static str,
    /// Why, in zh-CN, for the user.
    pub message: String,
    /// Nothing was consumed: the same request may succeed later (e.g. a blob
    /// still uploading, [`sync_codes::BLOB_MISSING`]). Roll back and retry.
    pub retryable: bool,
    /// Code-specific detail (e.g. [`AlreadyHandled`] for `ALREADY_HANDLED`).
    pub detail: Option<serde_json::Value>,
}

/// What [`deliver`] and [`sign`] fail with.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// Refused for a business reason. Terminal unless `retryable`.
    #[error("{}", .0.message)]
    Rejected(Rejection),
    /// The server failed (database, I/O): roll back; retryable.
    #[error(transparent)]
    Internal(#[from] Error),
}

impl From<tokio_postgres::Error> for ExchangeError {
    fn from(e: tokio_postgres::Error) -> Self {
        ExchangeError::Internal(Error::Db(e))
    }
}

pub type ExchangeResult<T> = std::result::Result<T, ExchangeError>;

fn reject(code: &'static str, message: impl Into<String>) -> ExchangeError {
    ExchangeError::Rejected(Rejection {
        code,
        message: message.into(),
        retryable: false,
        detail: None,
    })
}

fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn new_id(prefix: &str) -> crate::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Invalid(format!("无法生成随机数：{e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

/// The `blob_refs` entity kind of a sending (the sender's reference to its
/// files; each recipient's item references them as `incoming`).
const ENTITY_EXCHANGE: &str = "exchange";

/// A file of a sending as stored in `exchange_documents.attachments`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredFile {
    name: String,
    blob: String,
    size: u64,
}

impl From<StoredFile> for ExchangeFile {
    fn from(f: StoredFile) -> Self {
        ExchangeFile {
            name: f.name,
            blob: f.blob,
            size: f.size,
        }
    }
}

/// One resolved recipient organ.
#[derive(Debug, Clone)]
struct Organ {
    id: i64,
    code: String,
}

/// Resolve a recipient given as 代字 or full name (trimmed, a final 。 or ，
/// ignored).
async fn find_organ(c: &impl GenericClient, text: &str) -> crate::Result<Option<Organ>> {
    let text = text
        .trim()
        .trim_end_matches(['。', '，', ',', '；', ';'])
        .trim();
    if text.is_empty() {
        return Ok(None);
    }
    let row = c
        .query_opt(
            "SELECT id, code FROM organs WHERE code = $1
             UNION ALL
             SELECT id, code FROM organs WHERE name = $1 AND code <> $1
             LIMIT 1",
            &[&text],
        )
        .await?;
    Ok(row.map(|r| Organ {
        id: r.get(0),
        code: r.get(1),
    }))
}

async fn organ_by_id(c: &impl GenericClient, id: i64) -> crate::Result<Organ> {
    let r = c
        .query_one("SELECT id, code FROM organs WHERE id = $1", &[&id])
        .await?;
    Ok(Organ {
        id: r.get(0),
        code: r.get(1),
    })
}

async fn person(c: &impl GenericClient, user_id: i64) -> crate::Result<PersonRef> {
    let r = c
        .query_one(
            "SELECT login, display_name FROM users WHERE id = $1",
            &[&user_id],
        )
        .await?;
    Ok(PersonRef {
        login: r.get(0),
        display_name: r.get(1),
    })
}

/// A file to send: the blob must be complete on the server, else the
/// retryable `BLOB_MISSING` (the client is still uploading it).
async fn resolve_file(
    c: &impl GenericClient,
    what: &str,
    name: &str,
    blob: &str,
) -> ExchangeResult<StoredFile> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(reject(
            codes::BAD_DOCUMENT,
            format!("{what}的文件名为空或超过 200 个字符"),
        ));
    }
    let id = BlobId::parse(blob)
        .ok_or_else(|| reject(codes::BAD_DOCUMENT, format!("{what}“{name}”的附件标识无效")))?;
    match blobs::size(c, &id).await? {
        Some(size) => Ok(StoredFile {
            name: name.to_owned(),
            blob: id.to_string(),
            size,
        }),
        None => Err(ExchangeError::Rejected(Rejection {
            code: sync_codes::BLOB_MISSING,
            message: format!("{what}“{name}”尚未上传完成，上传后将自动重试"),
            retryable: true,
            detail: Some(serde_json::json!({ "blob": id.as_str() })),
        })),
    }
}

/// Deliver an issued document to each recipient organ's 收文 inbox (核发).
///
/// `sender` is the person issuing (their organ is the sending organ); `now`
/// comes from the server's clock. Writes into `tx` only: the sending, one
/// item per recipient, the blob references, and an `incoming` PUT (version 1)
/// in each recipient's bucket `organ:{代字}`.
///
/// Delivering the same `document_id` from the same organ again returns the
/// first delivery unchanged (idempotent).
///
/// Rejections (terminal unless noted):
/// * [`codes::CLASSIFIED`]: the document is marked 绝密/机密/秘密;
/// * [`codes::UNKNOWN_ORGAN`]: a recipient is neither a 代字 nor an organ
///   name (the message names every unknown one);
/// * [`codes::NO_RECIPIENTS`]: no recipient besides the sender itself;
/// * [`codes::BAD_DOCUMENT`]: not a 公文 JSON, no title, bad file names or ids;
/// * `BLOB_MISSING` (retryable): the PDF or an attachment is not uploaded yet.
pub async fn deliver(
    tx: &Transaction<'_>,
    sender: &Caller,
    req: &DeliverRequest,
    now: OffsetDateTime,
) -> ExchangeResult<Delivered> {
    let document_id = req.document_id.trim();
    if document_id.is_empty() || document_id.chars().count() > 100 {
        return Err(reject(codes::BAD_DOCUMENT, "文档编号为空或超过 100 个字符"));
    }
    let doc: Document = serde_json::from_value(req.document.clone())
        .map_err(|e| reject(codes::BAD_DOCUMENT, format!("公文内容无法识别：{e}")))?;
    if let Some(secrecy) = &doc.secrecy {
        return Err(reject(
            codes::CLASSIFIED,
            format!(
                "该公文标有密级“{}”：涉密公文严禁通过电子政务网络交换，请按涉密文件管理规定通过机要渠道传递",
                secrecy.level.name()
            ),
        ));
    }
    let title = doc.title.trim();
    if title.is_empty() {
        return Err(reject(codes::BAD_DOCUMENT, "公文缺少标题，无法交换"));
    }

    // Idempotent: the same document from the same organ was delivered before.
    if let Some(row) = tx
        .query_opt(
            "SELECT id FROM exchange_documents WHERE from_organ_id = $1 AND document_id = $2",
            &[&sender.organ_id, &document_id],
        )
        .await?
    {
        let exchange_id: String = row.get(0);
        return Ok(delivered(tx, &exchange_id).await?);
    }

    // Recipients: every one must resolve; name all the unknown ones at once.
    let mut organs: Vec<Organ> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for text in &req.recipients {
        match find_organ(tx, text).await? {
            Some(o) if o.id == sender.organ_id => {}
            Some(o) => {
                if !organs.iter().any(|known| known.id == o.id) {
                    organs.push(o);
                }
            }
            None if text.trim().is_empty() => {}
            None => unknown.push(text.trim().chars().take(100).collect()),
        }
    }
    if !unknown.is_empty() {
        let names = unknown
            .iter()
            .map(|n| format!("“{n}”"))
            .collect::<Vec<_>>()
            .join("、");
        return Err(reject(
            codes::UNKNOWN_ORGAN,
            format!("收文机关{names}不存在：请检查机关名称或代字"),
        ));
    }
    if organs.is_empty() {
        return Err(reject(
            codes::NO_RECIPIENTS,
            "未指定收文机关（本机关除外），无法交换",
        ));
    }

    let pdf = match &req.pdf {
        Some(f) => Some(resolve_file(tx, "版式文件", &f.name, &f.blob).await?),
        None => None,
    };
    let mut files = Vec::with_capacity(req.attachments.len());
    for f in &req.attachments {
        files.push(resolve_file(tx, "附件", &f.name, &f.blob).await?);
    }

    let exchange_id = new_id("EX-")?;
    let doc_number = doc.doc_number.as_ref().map(ToString::to_string);
    let document_text = req.document.to_string();
    let files_json = serde_json::to_string(&files).map_err(|e| Error::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO exchange_documents
            (id, document_id, from_organ_id, title, doc_number, document, content_hash,
             pdf_name, pdf_blob, attachments, sent_by, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10::text::jsonb, $11, $12)",
        &[
            &exchange_id,
            &document_id,
            &sender.organ_id,
            &title,
            &doc_number,
            &document_text,
            &req.content_hash,
            &pdf.as_ref().map(|f| f.name.clone()),
            &pdf.as_ref().map(|f| f.blob.clone()),
            &files_json,
            &sender.user_id,
            &now,
        ],
    )
    .await?;

    // The sending organ keeps seeing what it sent (its outgoing list).
    let sender_bucket = buckets::organ_bucket(&sender.organ_code);
    // Every id here was parsed by resolve_file.
    let blob_ids: Vec<BlobId> = pdf
        .iter()
        .chain(files.iter())
        .filter_map(|f| BlobId::parse(&f.blob))
        .collect();
    for id in &blob_ids {
        blobs::add_ref(tx, id, ENTITY_EXCHANGE, &exchange_id, &sender_bucket).await?;
    }

    // Bucket ops in bucket-name order (see sync::buckets on deadlocks).
    organs.sort_by_key(|o| buckets::organ_bucket(&o.code));
    for organ in &organs {
        let item_id = new_id("IN-")?;
        tx.execute(
            "INSERT INTO exchange_items (id, exchange_id, to_organ_id, state, version, delivered_at)
             VALUES ($1, $2, $3, 'delivered', 1, $4)",
            &[&item_id, &exchange_id, &organ.id, &now],
        )
        .await?;
        let bucket = buckets::organ_bucket(&organ.code);
        for id in &blob_ids {
            blobs::add_ref(tx, id, kinds::INCOMING, &item_id, &bucket).await?;
        }
        let item = load_incoming(tx, &item_id).await?;
        publish_incoming(tx, &item).await?;
    }
    Ok(delivered(tx, &exchange_id).await?)
}

/// The [`Delivered`] answer of an existing sending.
async fn delivered(c: &impl GenericClient, exchange_id: &str) -> crate::Result<Delivered> {
    let rows = c
        .query(
            "SELECT i.id, o.code, o.name FROM exchange_items i JOIN organs o ON o.id = i.to_organ_id
              WHERE i.exchange_id = $1 ORDER BY o.code",
            &[&exchange_id],
        )
        .await?;
    Ok(Delivered {
        exchange_id: exchange_id.to_owned(),
        items: rows
            .iter()
            .map(|r| DeliveredItem {
                incoming_id: r.get(0),
                organ: OrganRef {
                    code: r.get(1),
                    name: r.get(2),
                },
            })
            .collect(),
    })
}

/// PUT the item into its recipient organ's bucket.
async fn publish_incoming(tx: &Transaction<'_>, item: &Incoming) -> crate::Result<()> {
    let version = if item.state == ItemState::Signed {
        2
    } else {
        1
    };
    let data = serde_json::to_value(item).map_err(|e| Error::Invalid(e.to_string()))?;
    buckets::append_op(
        tx,
        &buckets::organ_bucket(&item.to.code),
        kinds::INCOMING,
        &item.id,
        version,
        Some(data),
    )
    .await?;
    Ok(())
}

const INCOMING_SELECT: &str = "
    SELECT i.id, d.id, d.document_id, fo.code, fo.name, tor.code, tor.name, d.title,
           d.doc_number, d.document::text, d.content_hash, d.pdf_name, d.pdf_blob,
           d.attachments::text, d.sent_by, i.delivered_at, i.state, i.signed_by, i.signed_at,
           (SELECT size FROM blobs b WHERE b.id = d.pdf_blob)
      FROM exchange_items i
      JOIN exchange_documents d ON d.id = i.exchange_id
      JOIN organs fo ON fo.id = d.from_organ_id
      JOIN organs tor ON tor.id = i.to_organ_id";

async fn incoming_from_row(
    c: &impl GenericClient,
    r: &tokio_postgres::Row,
) -> crate::Result<Incoming> {
    let document: String = r.get(9);
    let attachments: String = r.get(13);
    let files: Vec<StoredFile> =
        serde_json::from_str(&attachments).map_err(|e| Error::Invalid(e.to_string()))?;
    let pdf_name: Option<String> = r.get(11);
    let pdf_blob: Option<String> = r.get(12);
    let pdf_size: Option<i64> = r.get(19);
    let signed_by: Option<i64> = r.get(17);
    let signed_at: Option<OffsetDateTime> = r.get(18);
    let state: String = r.get(16);
    Ok(Incoming {
        id: r.get(0),
        exchange_id: r.get(1),
        document_id: r.get(2),
        from: OrganRef {
            code: r.get(3),
            name: r.get(4),
        },
        to: OrganRef {
            code: r.get(5),
            name: r.get(6),
        },
        title: r.get(7),
        doc_number: r.get(8),
        document: serde_json::from_str(&document).map_err(|e| Error::Invalid(e.to_string()))?,
        content_hash: r.get(10),
        pdf: match (pdf_name, pdf_blob) {
            (Some(name), Some(blob)) => Some(ExchangeFile {
                name,
                blob,
                size: pdf_size.unwrap_or(0) as u64,
            }),
            _ => None,
        },
        attachments: files.into_iter().map(Into::into).collect(),
        sent_by: person(c, r.get(14)).await?,
        delivered_at: format_time(r.get(15)),
        state: if state == "signed" {
            ItemState::Signed
        } else {
            ItemState::Delivered
        },
        signed_by: match signed_by {
            Some(id) => Some(person(c, id).await?),
            None => None,
        },
        signed_at: signed_at.map(format_time),
    })
}

async fn load_incoming(c: &impl GenericClient, item_id: &str) -> crate::Result<Incoming> {
    let row = c
        .query_one(&format!("{INCOMING_SELECT} WHERE i.id = $1"), &[&item_id])
        .await?;
    incoming_from_row(c, &row).await
}

/// The 回执 of a signed item.
async fn load_receipt(c: &impl GenericClient, item_id: &str) -> crate::Result<Option<Receipt>> {
    let Some(r) = c
        .query_opt(
            "SELECT rc.id, i.id, d.id, d.document_id, d.title, d.doc_number, o.code, o.name,
                    rc.signed_by, rc.signed_at
               FROM exchange_receipts rc
               JOIN exchange_items i ON i.id = rc.item_id
               JOIN exchange_documents d ON d.id = i.exchange_id
               JOIN organs o ON o.id = i.to_organ_id
              WHERE rc.item_id = $1",
            &[&item_id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Receipt {
        id: r.get(0),
        incoming_id: r.get(1),
        exchange_id: r.get(2),
        document_id: r.get(3),
        title: r.get(4),
        doc_number: r.get(5),
        recipient: OrganRef {
            code: r.get(6),
            name: r.get(7),
        },
        signed_by: person(c, r.get(8)).await?,
        signed_at: format_time(r.get(9)),
    }))
}

/// 签收 an incoming item (`exchange.sign.v1`): record who and when, write the
/// 回执, put a `receipt` PUT into the sender organ's bucket and the signed
/// item (version 2) into the recipient's. Returns the 回执.
///
/// Signing again by the same person returns the same 回执 (idempotent).
///
/// Rejections (all terminal):
/// * [`codes::NOT_FOUND`]: no such item in the caller's organ's inbox (an item
///   of another organ answers the same, so its existence does not leak);
/// * `FORBIDDEN`: the caller is neither 收文员 nor 办公室文书 (in person or by
///   delegation);
/// * `ALREADY_HANDLED`: someone else signed it first; `detail` is
///   [`AlreadyHandled`] ("已由 XX 于 时间 签收").
pub async fn sign(
    tx: &Transaction<'_>,
    caller: &Caller,
    args: &ExchangeSign,
    now: OffsetDateTime,
) -> ExchangeResult<Receipt> {
    let item_id = args.incoming_id.trim();
    let row = tx
        .query_opt(
            "SELECT i.to_organ_id, i.state, i.signed_by, i.signed_at, d.from_organ_id
               FROM exchange_items i JOIN exchange_documents d ON d.id = i.exchange_id
              WHERE i.id = $1
              FOR UPDATE OF i",
            &[&item_id],
        )
        .await?;
    let Some(row) = row.filter(|r| r.get::<_, i64>(0) == caller.organ_id) else {
        return Err(reject(
            codes::NOT_FOUND,
            "找不到该收文：它不存在或不是发给本机关的",
        ));
    };
    if !(caller.has(Role::Receiver) || caller.has(Role::Clerk)) {
        return Err(reject(
            sync_codes::FORBIDDEN,
            "只有本机关的收文员或办公室文书可以签收来文",
        ));
    }
    let state: String = row.get(1);
    if state == "signed" {
        let signed_by: i64 = row.get(2);
        if signed_by == caller.user_id
            && let Some(receipt) = load_receipt(tx, item_id).await?
        {
            return Ok(receipt);
        }
        let by = person(tx, signed_by).await?;
        let at: OffsetDateTime = row.get(3);
        let detail = AlreadyHandled {
            by: by.display_name.clone(),
            at: format_time(at),
            action: "签收".to_owned(),
        };
        let local =
            at.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
        return Err(ExchangeError::Rejected(Rejection {
            code: sync_codes::ALREADY_HANDLED,
            message: format!(
                "已由 {} 于 {:04}-{:02}-{:02} {:02}:{:02} 签收",
                by.display_name,
                local.year(),
                u8::from(local.month()),
                local.day(),
                local.hour(),
                local.minute()
            ),
            retryable: false,
            detail: serde_json::to_value(detail).ok(),
        }));
    }

    tx.execute(
        "UPDATE exchange_items SET state = 'signed', version = 2, signed_by = $2, signed_at = $3
          WHERE id = $1",
        &[&item_id, &caller.user_id, &now],
    )
    .await?;
    let receipt_id = new_id("RC-")?;
    tx.execute(
        "INSERT INTO exchange_receipts (id, item_id, signed_by, signer_name, signed_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &receipt_id,
            &item_id,
            &caller.user_id,
            &caller.display_name,
            &now,
        ],
    )
    .await?;
    let receipt = load_receipt(tx, item_id)
        .await?
        .ok_or_else(|| Error::Invalid("回执写入后未能读出".into()))?;
    let item = load_incoming(tx, item_id).await?;
    let sender = organ_by_id(tx, row.get(4)).await?;
    // Bucket-name order, as every multi-bucket writer does.
    let receipt_bucket = buckets::organ_bucket(&sender.code);
    let item_bucket = buckets::organ_bucket(&item.to.code);
    let receipt_data = serde_json::to_value(&receipt).map_err(|e| Error::Invalid(e.to_string()))?;
    let put_receipt = async {
        buckets::append_op(
            tx,
            &receipt_bucket,
            kinds::RECEIPT,
            item_id,
            1,
            Some(receipt_data.clone()),
        )
        .await
        .map(|_| ())
    };
    if receipt_bucket < item_bucket {
        put_receipt.await?;
        publish_incoming(tx, &item).await?;
    } else {
        publish_incoming(tx, &item).await?;
        put_receipt.await?;
    }
    Ok(receipt)
}

/// The caller organ's 收文 inbox, newest first; `pending_only` keeps the
/// items not yet signed.
pub async fn incoming(
    c: &impl GenericClient,
    caller: &Caller,
    pending_only: bool,
) -> crate::Result<Vec<Incoming>> {
    let rows = c
        .query(
            &format!(
                "{INCOMING_SELECT} WHERE i.to_organ_id = $1 AND ($2 = false OR i.state = 'delivered')
                 ORDER BY i.delivered_at DESC, i.id"
            ),
            &[&caller.organ_id, &pending_only],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(incoming_from_row(c, r).await?);
    }
    Ok(out)
}

/// The documents the caller's organ sent, newest first, each with every
/// recipient's state; `pending_only` keeps the documents with a recipient
/// that has not signed yet (and lists only those recipients).
pub async fn outgoing(
    c: &impl GenericClient,
    caller: &Caller,
    pending_only: bool,
) -> crate::Result<Vec<Outgoing>> {
    let rows = c
        .query(
            "SELECT d.id, d.document_id, d.title, d.doc_number, su.login, su.display_name, d.sent_at,
                    i.id, o.code, o.name, i.state, i.delivered_at, gu.login, gu.display_name,
                    i.signed_at
               FROM exchange_documents d
               JOIN users su ON su.id = d.sent_by
               JOIN exchange_items i ON i.exchange_id = d.id
               JOIN organs o ON o.id = i.to_organ_id
               LEFT JOIN users gu ON gu.id = i.signed_by
              WHERE d.from_organ_id = $1 AND ($2 = false OR i.state = 'delivered')
              ORDER BY d.sent_at DESC, d.id, o.code",
            &[&caller.organ_id, &pending_only],
        )
        .await?;
    let mut out: Vec<Outgoing> = Vec::new();
    for r in &rows {
        let exchange_id: String = r.get(0);
        if out.last().is_none_or(|o| o.exchange_id != exchange_id) {
            out.push(Outgoing {
                exchange_id,
                document_id: r.get(1),
                title: r.get(2),
                doc_number: r.get(3),
                sent_by: PersonRef {
                    login: r.get(4),
                    display_name: r.get(5),
                },
                sent_at: format_time(r.get(6)),
                recipients: Vec::new(),
            });
        }
        let state: String = r.get(10);
        let signer_login: Option<String> = r.get(12);
        let signer_name: Option<String> = r.get(13);
        let signed_at: Option<OffsetDateTime> = r.get(14);
        if let Some(last) = out.last_mut() {
            last.recipients.push(OutgoingRecipient {
                incoming_id: r.get(7),
                organ: OrganRef {
                    code: r.get(8),
                    name: r.get(9),
                },
                state: if state == "signed" {
                    ItemState::Signed
                } else {
                    ItemState::Delivered
                },
                delivered_at: format_time(r.get(11)),
                signed_by: signer_login
                    .zip(signer_name)
                    .map(|(login, display_name)| PersonRef {
                        login,
                        display_name,
                    }),
                signed_at: signed_at.map(format_time),
            });
        }
    }
    Ok(out)
}
