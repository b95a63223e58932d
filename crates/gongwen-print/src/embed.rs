//! Font embedding: each face a document uses becomes a subset font program and
//! the PDF objects of a composite (Type0) font over it.
//!
//! printpdf 0.12 can subset fonts itself, but its path parses the whole face with
//! a layout engine first (tens of milliseconds per CJK face) and subsets at save
//! time with allsorts (most of the rest of a document's time). Here the faces stay
//! as the shaper already reads them (ttf-parser over the file's bytes), and only
//! the glyphs the document uses are cut out with `subsetter`, which keeps CFF
//! outlines as CFF and renumbers glyphs 1…n (0 stays .notdef) with CID = new glyph
//! id. The objects written (PDF 32000-1 9.7):
//!
//! - `Type0` font, `Identity-H` encoding, a `ToUnicode` CMap giving every glyph
//!   its text (so copying text out of the PDF gives the exact characters);
//! - its descendant `CIDFontType0` (CFF outlines, `FontFile3`/`CIDFontType0C`) or
//!   `CIDFontType2` (TrueType outlines, `FontFile2`, `CIDToGIDMap /Identity`), with
//!   `W` widths in thousandths of an em;
//! - the `FontDescriptor` with the face's metrics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId, Stream, dictionary};

use crate::fonts::Face;

/// A face cut down to the glyphs of one document.
pub(crate) struct Subset {
    /// Original glyph id → the id (and CID) in the subset.
    remap: BTreeMap<u16, u16>,
    /// Advance of each subset glyph in thousandths of an em, by new id.
    widths: Vec<u16>,
    /// The text of each subset glyph, by new id (empty for .notdef).
    texts: Vec<String>,
    program: Program,
    metrics: Metrics,
    /// PostScript name with the subset tag (`ABCDEF+Name`).
    base_font: String,
}

enum Program {
    /// A bare CID-keyed CFF table (`FontFile3`, `/Subtype /CIDFontType0C`).
    Cff(Vec<u8>),
    /// A TrueType font (`FontFile2`).
    TrueType(Vec<u8>),
}

struct Metrics {
    bbox: [i64; 4],
    ascent: i64,
    descent: i64,
    cap_height: i64,
    italic_angle: f32,
    stem_v: i64,
}

impl Subset {
    /// Cuts `face` down to `glyphs` (original glyph id → the text it shows).
    /// `Err` carries a message for users, in Chinese.
    pub(crate) fn new(face: &Face, glyphs: &BTreeMap<u16, String>) -> Result<Subset, String> {
        let fail = |why: String| {
            format!(
                "字体“{}”（{}）无法嵌入 PDF：{why}",
                face.family,
                face.path.display()
            )
        };
        let parsed = face.parse().ok_or_else(|| fail("无法解析".to_string()))?;
        let ids: Vec<u16> = glyphs.keys().copied().collect();
        let mapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
        let bytes = subsetter::subset(face.data(), face.index(), &mapper)
            .map_err(|e| fail(e.to_string()))?;
        let program = if parsed.tables().cff.is_some() {
            let cff = sfnt_table(&bytes, *b"CFF ")
                .ok_or_else(|| fail("子集中缺少 CFF 表".to_string()))?;
            Program::Cff(cff.to_vec())
        } else {
            Program::TrueType(bytes)
        };

        let upem = face.units_per_em();
        let scale = |v: f32| (v * 1000.0 / upem).round() as i64;
        let mut remap = BTreeMap::new();
        let mut widths = Vec::new();
        let mut texts = Vec::new();
        for (new, old) in mapper.remapped_gids().enumerate() {
            remap.insert(old, new as u16);
            let advance = parsed
                .glyph_hor_advance(ttf_parser::GlyphId(old))
                .map_or(1000, |a| scale(a as f32));
            widths.push(advance.clamp(0, i64::from(u16::MAX)) as u16);
            texts.push(glyphs.get(&old).cloned().unwrap_or_default());
        }

        let b = parsed.global_bounding_box();
        let ascent = scale(parsed.ascender() as f32);
        let metrics = Metrics {
            bbox: [
                scale(b.x_min as f32),
                scale(b.y_min as f32),
                scale(b.x_max as f32),
                scale(b.y_max as f32),
            ],
            ascent,
            descent: scale(parsed.descender() as f32),
            cap_height: parsed.capital_height().map_or(ascent, |h| scale(h as f32)),
            italic_angle: parsed.italic_angle(),
            // No table records the dominant stem; estimate it from the weight
            // class, as PDF producers commonly do.
            stem_v: 10 + 220 * (i64::from(parsed.weight().to_number()) - 50).max(0) / 900,
        };

        let name = parsed
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .unwrap_or_else(|| face.family.clone());
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
            .collect();
        let name = if name.is_empty() {
            "Font".to_string()
        } else {
            name
        };
        Ok(Subset {
            base_font: format!("{}+{name}", subset_tag(&ids, &name)),
            remap,
            widths,
            texts,
            program,
            metrics,
        })
    }

    /// The subset's glyph id (the code shown in the content stream) for an
    /// original glyph id; .notdef for a glyph that was not collected.
    pub(crate) fn code(&self, gid: u16) -> u16 {
        self.remap.get(&gid).copied().unwrap_or(0)
    }

    /// Advance of subset glyph `code`, in thousandths of an em (as in `W`).
    pub(crate) fn width(&self, code: u16) -> u16 {
        self.widths.get(code as usize).copied().unwrap_or(1000)
    }

    /// Adds the font's objects to `doc`; returns the `Type0` font dictionary's id.
    pub(crate) fn write(&self, doc: &mut lopdf::Document) -> ObjectId {
        let m = &self.metrics;
        let (file_key, file) = match &self.program {
            Program::Cff(cff) => (
                "FontFile3",
                Stream::new(dictionary! { "Subtype" => "CIDFontType0C" }, cff.clone()),
            ),
            Program::TrueType(ttf) => (
                "FontFile2",
                Stream::new(dictionary! { "Length1" => ttf.len() as i64 }, ttf.clone()),
            ),
        };
        let file_id = doc.add_object(file);
        let descriptor = dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(self.base_font.clone().into_bytes()),
            // Symbolic: the glyphs are addressed by CID, not a standard encoding.
            "Flags" => 4,
            "FontBBox" => m.bbox.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
            "ItalicAngle" => Object::Real(m.italic_angle),
            "Ascent" => m.ascent,
            "Descent" => m.descent,
            "CapHeight" => m.cap_height,
            "StemV" => m.stem_v,
            file_key => file_id,
        };
        let descriptor_id = doc.add_object(descriptor);

        let mut cid_font = dictionary! {
            "Type" => "Font",
            "Subtype" => match self.program {
                Program::Cff(_) => "CIDFontType0",
                Program::TrueType(_) => "CIDFontType2",
            },
            "BaseFont" => Object::Name(self.base_font.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor_id,
            "DW" => 1000,
            "W" => vec![
                Object::Integer(0),
                Object::Array(self.widths.iter().map(|&w| Object::Integer(i64::from(w))).collect()),
            ],
        };
        if matches!(self.program, Program::TrueType(_)) {
            cid_font.set("CIDToGIDMap", "Identity");
        }
        let cid_font_id = doc.add_object(cid_font);
        let to_unicode_id = doc.add_object(Stream::new(Dictionary::new(), self.to_unicode()));
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(self.base_font.clone().into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid_font_id)],
            "ToUnicode" => to_unicode_id,
        })
    }

    /// The `ToUnicode` CMap: each subset glyph id to its text in UTF-16BE.
    fn to_unicode(&self) -> Vec<u8> {
        let entries: Vec<(usize, &String)> = self
            .texts
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .collect();
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        // At most 100 mappings per section (PDF 32000-1 9.10.3, the CMap limits).
        for chunk in entries.chunks(100) {
            let _ = writeln!(s, "{} beginbfchar", chunk.len());
            for (code, text) in chunk {
                let _ = write!(s, "<{code:04X}> <");
                for unit in text.encode_utf16() {
                    let _ = write!(s, "{unit:04X}");
                }
                s.push_str(">\n");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s.into_bytes()
    }
}

/// The table `tag` of an sfnt (OpenType) font.
fn sfnt_table(font: &[u8], tag: [u8; 4]) -> Option<&[u8]> {
    let be16 = |at: usize| Some(u16::from_be_bytes(font.get(at..at + 2)?.try_into().ok()?));
    let be32 = |at: usize| Some(u32::from_be_bytes(font.get(at..at + 4)?.try_into().ok()?));
    let count = be16(4)? as usize;
    (0..count).find_map(|i| {
        let record = 12 + 16 * i;
        if font.get(record..record + 4)? != tag {
            return None;
        }
        let offset = be32(record + 8)? as usize;
        let length = be32(record + 12)? as usize;
        font.get(offset..offset.checked_add(length)?)
    })
}

/// Six capital letters that name the subset (PDF 32000-1 9.6.4), derived from
/// its glyphs and name so that the same subset gets the same tag.
fn subset_tag(glyphs: &[u16], name: &str) -> String {
    // FNV-1a over the glyph ids and the name.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = glyphs
        .iter()
        .flat_map(|g| g.to_be_bytes())
        .chain(name.bytes());
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_tag_is_six_capitals_and_stable() {
        let a = subset_tag(&[0, 3, 9], "FandolFang-Regular");
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(a, subset_tag(&[0, 3, 9], "FandolFang-Regular"));
        assert_ne!(a, subset_tag(&[0, 3, 10], "FandolFang-Regular"));
    }

    #[test]
    fn sfnt_table_reads_the_directory_and_rejects_truncation() {
        // An sfnt header with one table record pointing at 4 bytes after it.
        let mut font = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        font.extend_from_slice(b"CFF ");
        font.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 4]);
        font.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(sfnt_table(&font, *b"CFF "), Some(&[1u8, 2, 3, 4][..]));
        assert_eq!(sfnt_table(&font, *b"glyf"), None);
        assert_eq!(sfnt_table(&font[..30], *b"CFF "), None);
        assert_eq!(sfnt_table(&[], *b"CFF "), None);
    }
}
