//! The 文号 registry: one sequence per 机关代字 per year.

use serde::{Deserialize, Serialize};

/// `POST /v1/registry/allocate`: allocate the next 文号 at 登记.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocateRequest {
    /// 机关代字 of the sequence, e.g. 鹤府办.
    pub code: String,
    /// The client's id of the document being registered (kept with the number).
    pub document_id: String,
}

/// The allocated number: renders as `鹤府办〔2025〕7号`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocatedNumber {
    pub code: String,
    pub year: i32,
    pub seq: i64,
    pub document_id: String,
    /// The number as printed: `代字〔年份〕序号号`.
    pub text: String,
}
