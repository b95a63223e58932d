//! The layout engine: a [`Document`] in, pages of positioned items out.
//!
//! The page is built in two parts. The 版头 (and the other first-page marks of the
//! special formats) is placed at the absolute positions the standard gives. Every
//! other element becomes a [`Block`] of grid lines in a single flow that is paginated
//! with the standard's rules: a heading never ends a page, the signature block
//! never sits alone on a page, each 附件 starts a new page, the 版记 ends on the
//! bottom of an even page.

mod blocks;
mod flow;
pub mod geometry;
mod header;
pub(crate) mod seal;

use gongwen_domain::Document;

use crate::fonts::{Fonts, Shaper};
use crate::model::Layout;
use crate::{Result, Warning, WarningCode};

pub(crate) use flow::glyph_runs as flow_runs;

/// Layout options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Folder against which relative seal image paths are resolved.
    pub base_dir: Option<std::path::PathBuf>,
}

/// Lays a document out on A4 pages by GB/T 9704-2012.
pub fn layout(doc: &Document, fonts: &Fonts, options: &Options) -> Result<Layout> {
    let mut shaper = Shaper::new(fonts);
    let mut warnings = Vec::new();
    let header = header::build(doc, &mut shaper, &mut warnings);
    let doc_blocks = blocks::build(doc, &mut shaper, options, &mut warnings);
    let mut pages = flow::paginate(header, doc_blocks, &mut shaper);
    if !shaper.missing.is_empty() {
        let list: String = shaper
            .missing
            .iter()
            .map(|c| format!("“{c}”(U+{:04X})", *c as u32))
            .collect::<Vec<_>>()
            .join("、");
        warnings.push(Warning {
            code: WarningCode::MissingGlyphs,
            message: format!("以下字符在所有字体中都没有，已用“□”代替：{list}。请安装包含这些字符的字体，或改用常用字"),
        });
    }
    if pages.is_empty() {
        pages.push(crate::model::Page::a4());
    }
    Ok(Layout { pages, warnings })
}
