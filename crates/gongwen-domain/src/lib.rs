//! Gongwen's domain: pure types and rules, no I/O.
//!
//! - [`document`]: the 公文 model and its JSON form (the one form used by import,
//!   export, the CLI and printing), per 《党政机关公文处理工作条例》第九条.
//! - [`docnum`]: 发文字号 (`代字〔YYYY〕n号`) parsing, validation and formatting.
//! - [`body`]: the body's structure, recognised from the standard numbering.
//! - [`lint`]: 行文规则, the checks run on demand and before submission.
//!
//! Everything here is deterministic: callers pass in the clock.

pub mod audit;
pub mod body;
pub mod docnum;
pub mod document;
pub mod lint;
pub mod workflow;

pub use docnum::DocNumber;
pub use document::Document;
