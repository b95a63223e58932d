//! 公文交换 (document exchange between organs): what travels in the pull ops of
//! kinds [`crate::sync::kinds::INCOMING`] and [`crate::sync::kinds::RECEIPT`],
//! and the bodies of `/v1/exchange/*`.
//!
//! At 核发 the server delivers the issued document (its final version, the
//! rendered PDF and the attachments, as blob ids) to each recipient organ's
//! 收文 inbox: one [`Incoming`] per recipient, put into that organ's bucket
//! `organ:{代字}`. A 收文员 (or 办公室文书) of the recipient organ 签收s it
//! (mutation `exchange.sign.v1`, [`crate::sync::ExchangeSign`]); the server then
//! puts a [`Receipt`] (回执) into the sender organ's bucket and the updated
//! [`Incoming`] (state [`ItemState::Signed`]) into the recipient's.
//!
//! Times are RFC 3339 strings, as everywhere on the wire.

use serde::{Deserialize, Serialize};

/// An organ as shown to people: its 代字 and full name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganRef {
    pub code: String,
    pub name: String,
}

/// A person as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub login: String,
    pub display_name: String,
}

/// One file travelling with a document: the rendered PDF or an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeFile {
    /// File name shown to people, e.g. `附件1.xlsx`.
    pub name: String,
    /// `sha256:<64 hex>`: download with `GET /v1/blobs/{blob}`.
    pub blob: String,
    pub size: u64,
}

/// Where one recipient's copy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// In the recipient's 收文 inbox, not yet 签收 (未签收).
    Delivered,
    /// 签收 by the recipient: the 回执 went back to the sender (已签收).
    Signed,
}

impl ItemState {
    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Delivered => "未签收",
            ItemState::Signed => "已签收",
        }
    }
}

/// Pull `data` of kind `incoming`: one document in a recipient organ's 收文
/// inbox. Entity id = [`Incoming::id`]; version 1 when delivered, 2 once signed.
///
/// `D` is how the document is held: a `serde_json::Value` tree (the default), or its
/// JSON text (`&RawValue`) for a reader that stores the item as it came and needs only
/// the other fields, as the client's apply does. The wire form is the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incoming<D = serde_json::Value> {
    /// The incoming item's id: what `exchange.sign.v1` names.
    pub id: String,
    /// The sending (one per 核发, shared by every recipient's item).
    pub exchange_id: String,
    /// The sender's document id.
    pub document_id: String,
    pub from: OrganRef,
    pub to: OrganRef,
    pub title: String,
    /// 发文字号 as printed, e.g. `鹤府办〔2025〕3号`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// The issued document, its final version (`gongwen_domain::document::Document` JSON).
    pub document: D,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// The rendered PDF (版式文件), when the sender attached one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<ExchangeFile>,
    #[serde(default)]
    pub attachments: Vec<ExchangeFile>,
    pub sent_by: PersonRef,
    pub delivered_at: String,
    pub state: ItemState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<PersonRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
}

/// Pull `data` of kind `receipt`: the 回执 a recipient's 签收 sends back to the
/// sender organ. Entity id = the incoming item's id (one 回执 per recipient).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The 回执's own id.
    pub id: String,
    pub incoming_id: String,
    pub exchange_id: String,
    pub document_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// The organ that signed.
    pub recipient: OrganRef,
    pub signed_by: PersonRef,
    pub signed_at: String,
}

/// `GET /v1/exchange/outgoing`: one document the caller's organ sent, with
/// every recipient's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub exchange_id: String,
    pub document_id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    pub sent_by: PersonRef,
    pub sent_at: String,
    pub recipients: Vec<OutgoingRecipient>,
}

/// One recipient of an [`Outgoing`] document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingRecipient {
    pub incoming_id: String,
    pub organ: OrganRef,
    pub state: ItemState,
    pub delivered_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<PersonRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
}

/// A file to send, by blob id (the blob must be uploaded first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub name: String,
    /// `sha256:<64 hex>`.
    pub blob: String,
}

/// `POST /v1/exchange/deliver` (and what 核发 hands the exchange): send an
/// issued document to other organs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverRequest {
    /// The sender's document id; delivering the same id again returns the
    /// first delivery (idempotent).
    pub document_id: String,
    /// The final version (`gongwen_domain::document::Document` JSON).
    pub document: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<FileRef>,
    #[serde(default)]
    pub attachments: Vec<FileRef>,
    /// Recipient organs, each by 代字 or full name.
    pub recipients: Vec<String>,
}

/// Answer to a delivery: one incoming item per recipient organ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub exchange_id: String,
    pub items: Vec<DeliveredItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredItem {
    pub incoming_id: String,
    pub organ: OrganRef,
}

/// Answer to a 签收: the 回执.
pub type Signed = Receipt;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_is_snake_case_with_chinese_labels() {
        assert_eq!(
            serde_json::to_value(ItemState::Delivered).unwrap(),
            "delivered"
        );
        assert_eq!(ItemState::Signed.label(), "已签收");
    }

    #[test]
    fn deliver_request_defaults() {
        let r: DeliverRequest = serde_json::from_str(
            r#"{"document_id":"D1","document":{"title":"关于"},"recipients":["鹤山镇"]}"#,
        )
        .unwrap();
        assert!(r.attachments.is_empty());
        assert!(r.pdf.is_none());
    }
}
