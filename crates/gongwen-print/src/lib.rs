//! GB/T 9704-2012 printing: a 公文 in, a PDF out, identical on every computer.
//!
//! Two stages, kept apart so that the PDF, a preview and the tests share one layout:
//!
//! 1. [`layout()`] turns a [`Document`] into a [`Layout`]: pages of positioned glyph
//!    runs, rules, seals and images, in millimetres ([`model`]). All of GB/T 9704's
//!    rules live here ([`layout`]).
//! 2. [`pdf()`] writes a [`Layout`] as PDF bytes with printpdf, fonts embedded as
//!    subsets with ToUnicode maps.
//!
//! [`print_document`] does both with the process-wide [`Fonts`]. The official forms
//! (发文稿纸, 收文处理笺) are in [`forms`].

pub(crate) mod embed;
pub mod fonts;
pub mod forms;
pub mod layout;
pub mod model;
pub mod pdf;
pub(crate) mod text;

use gongwen_domain::Document;
use serde::Serialize;

pub use fonts::{Fonts, FontsReport, Role};
pub use layout::{Options, layout};
pub use model::Layout;
pub use pdf::pdf;

/// Why a document could not be printed. Messages are for users, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No usable font (neither installed nor shipped).
    #[error("字体不可用：{0}")]
    Fonts(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Something the user should know about a printed document; the PDF was still made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    /// What happened and what to do, in Chinese.
    pub message: String,
}

/// What a [`Warning`] is about (for the UI to branch on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// Characters no font has; drawn as □.
    MissingGlyphs,
    /// The title needs more than three lines.
    TitleTooLong,
    /// The seal image could not be used; a generated seal stands in.
    SealImage,
    /// Header elements crowd each other.
    Crowded,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A printed document.
#[derive(Debug, Clone)]
pub struct PrintOutput {
    pub pdf: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Warning>,
}

/// Lays out and writes a document with the process-wide fonts.
pub fn print_document(doc: &Document) -> Result<PrintOutput> {
    print_document_with(doc, Fonts::system_or_bundled()?, &Options::default())
}

/// Lays out and writes a document with the given fonts and options.
pub fn print_document_with(
    doc: &Document,
    fonts: &Fonts,
    options: &Options,
) -> Result<PrintOutput> {
    let laid = layout(doc, fonts, options)?;
    let title = if doc.title.trim().is_empty() {
        "公文"
    } else {
        doc.title.trim()
    };
    let bytes = pdf(&laid, fonts, title)?;
    Ok(PrintOutput {
        pdf: bytes,
        pages: laid.pages.len(),
        warnings: laid.warnings,
    })
}

/// Which official fonts were found and which free fonts stand in.
pub fn fonts_report() -> Result<FontsReport> {
    Ok(Fonts::system_or_bundled()?.report().clone())
}
