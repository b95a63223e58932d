//! Reads back what a PDF draws, with lopdf: glyphs (position, size, colour), filled
//! rectangles, paths (the seal's ring, star and name), page sizes.
//! Positions in mm from the page's top-left corner.

use std::collections::BTreeMap;

use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId};

pub const MM: f32 = 72.0 / 25.4;

#[derive(Debug, Clone)]
pub struct Glyph {
    /// Pen position (left edge), mm.
    pub x: f32,
    /// Advance, mm.
    pub w: f32,
    /// Baseline, mm from the top.
    pub baseline: f32,
    /// Font size, pt.
    pub size: f32,
    pub rgb: [f32; 3],
}

#[derive(Debug, Clone)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub rgb: [f32; 3],
}

/// A painted path other than a rectangle: its points (Bézier control points
/// included) and how it was painted.
#[derive(Debug, Clone)]
pub struct Path {
    pub points: Vec<(f32, f32)>,
    /// Stroke colour and line width (mm) when stroked.
    pub stroke: Option<([f32; 3], f32)>,
    pub fill: Option<[f32; 3]>,
}

impl Path {
    /// (min x, min y, max x, max y), mm from the top-left corner.
    pub fn bbox(&self) -> (f32, f32, f32, f32) {
        self.points.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(a, b, c, d), &(x, y)| (a.min(x), b.min(y), c.max(x), d.max(y)),
        )
    }

    pub fn centre(&self) -> (f32, f32) {
        let (a, b, c, d) = self.bbox();
        ((a + c) / 2.0, (b + d) / 2.0)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PageData {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    /// Glyphs drawn turned (not measured).
    pub rotated: usize,
    pub rects: Vec<Rect>,
    pub paths: Vec<Path>,
}

impl PageData {
    /// Glyphs grouped into lines by baseline, top to bottom, each sorted by x.
    pub fn lines(&self) -> Vec<Vec<Glyph>> {
        let mut lines: Vec<Vec<Glyph>> = Vec::new();
        let mut sorted = self.glyphs.clone();
        sorted.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.x.total_cmp(&b.x)));
        for g in sorted {
            match lines.last_mut() {
                Some(l) if (l[0].baseline - g.baseline).abs() < 0.2 => l.push(g),
                _ => lines.push(vec![g]),
            }
        }
        lines
    }
}

fn num(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => 0.0,
    }
}

/// Advance widths (per CID, in 1/1000 em) of a Type0 font.
fn widths(doc: &Document, font: &lopdf::Dictionary) -> BTreeMap<u32, f32> {
    let mut out = BTreeMap::new();
    let deref = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(desc) = font.get(b"DescendantFonts").ok().and_then(&deref) else {
        return out;
    };
    let Ok(arr) = desc.as_array() else { return out };
    let Some(cid_font) = arr.first().and_then(&deref) else {
        return out;
    };
    let Ok(cid_font) = cid_font.as_dict() else {
        return out;
    };
    let Some(w) = cid_font.get(b"W").ok().and_then(&deref) else {
        return out;
    };
    let Ok(w) = w.as_array() else { return out };
    let mut i = 0;
    while i < w.len() {
        let first = num(&w[i]) as u32;
        match w.get(i + 1).and_then(&deref) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    out.insert(first + k as u32, num(v));
                }
                i += 2;
            }
            Some(last) => {
                let last = num(&last) as u32;
                let v = w.get(i + 2).map(num).unwrap_or(1000.0);
                for c in first..=last {
                    out.insert(c, v);
                }
                i += 3;
            }
            None => break,
        }
    }
    out
}

pub fn read(bytes: &[u8]) -> Vec<PageData> {
    let doc = Document::load_mem(bytes).expect("lopdf parses the PDF");
    let mut pages = Vec::new();
    for (_, page_id) in doc.get_pages() {
        pages.push(read_page(&doc, page_id));
    }
    pages
}

fn read_page(doc: &Document, page_id: ObjectId) -> PageData {
    let page = doc.get_dictionary(page_id).expect("page dictionary");
    let mb = page
        .get(b"MediaBox")
        .and_then(Object::as_array)
        .expect("MediaBox");
    let (pw, ph) = (num(&mb[2]) / MM, num(&mb[3]) / MM);
    let mut fonts: BTreeMap<Vec<u8>, BTreeMap<u32, f32>> = BTreeMap::new();
    if let Ok(res) = doc.get_page_fonts(page_id) {
        for (name, dict) in res {
            fonts.insert(name, widths(doc, dict));
        }
    }
    let content = doc.get_page_content(page_id);
    let content = Content::decode(&content).expect("content stream decodes");
    let mut data = PageData {
        width: pw,
        height: ph,
        ..PageData::default()
    };
    let mut fill = [0.0f32; 3];
    let mut stroke = [0.0f32; 3];
    let mut line_width = 1.0f32;
    let mut path: Vec<(f32, f32)> = Vec::new();
    let mut font: Vec<u8> = Vec::new();
    let mut size = 0.0f32;
    let mut tm = [1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut pen = 0.0f32;
    let mut pending_rects: Vec<[f32; 4]> = Vec::new();
    for op in &content.operations {
        let o = &op.operands;
        match op.operator.as_str() {
            "rg" => fill = [num(&o[0]), num(&o[1]), num(&o[2])],
            "RG" => stroke = [num(&o[0]), num(&o[1]), num(&o[2])],
            "w" => line_width = num(&o[0]) / MM,
            "m" | "l" => path.push((num(&o[0]) / MM, ph - num(&o[1]) / MM)),
            "c" => {
                for k in 0..3 {
                    path.push((num(&o[2 * k]) / MM, ph - num(&o[2 * k + 1]) / MM));
                }
            }
            "g" => fill = [num(&o[0]); 3],
            "Tf" => {
                font = o[0].as_name().map(<[u8]>::to_vec).unwrap_or_default();
                size = num(&o[1]);
            }
            "Tm" => {
                for (k, v) in o.iter().enumerate().take(6) {
                    tm[k] = num(v);
                }
                pen = 0.0;
            }
            "BT" => {
                tm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
                pen = 0.0;
            }
            "Td" => {
                tm[4] += num(&o[0]);
                tm[5] += num(&o[1]);
                pen = 0.0;
            }
            "TJ" | "Tj" => {
                let items: Vec<Object> = if op.operator == "TJ" {
                    o[0].as_array().cloned().unwrap_or_default()
                } else {
                    vec![o[0].clone()]
                };
                let w = fonts.get(&font).cloned().unwrap_or_default();
                for it in items {
                    match it {
                        Object::String(bytes, _) => {
                            for pair in bytes.chunks(2) {
                                let cid = if pair.len() == 2 {
                                    u16::from_be_bytes([pair[0], pair[1]]) as u32
                                } else {
                                    pair[0] as u32
                                };
                                let adv = w.get(&cid).copied().unwrap_or(1000.0) / 1000.0 * size;
                                // Only unrotated text is measured; turned glyphs are counted.
                                if tm[1].abs() < 1e-4 {
                                    data.glyphs.push(Glyph {
                                        x: (tm[4] + pen * tm[0]) / MM,
                                        w: adv * tm[0] / MM,
                                        baseline: ph - tm[5] / MM,
                                        size: size * tm[3],
                                        rgb: fill,
                                    });
                                } else {
                                    data.rotated += 1;
                                }
                                pen += adv;
                            }
                        }
                        other => pen -= num(&other) / 1000.0 * size,
                    }
                }
            }
            "re" => pending_rects.push([num(&o[0]), num(&o[1]), num(&o[2]), num(&o[3])]),
            "f" | "f*" | "F" if !path.is_empty() => {
                data.paths.push(Path {
                    points: std::mem::take(&mut path),
                    stroke: None,
                    fill: Some(fill),
                });
                pending_rects.clear();
            }
            "S" | "s" if !path.is_empty() => {
                data.paths.push(Path {
                    points: std::mem::take(&mut path),
                    stroke: Some((stroke, line_width)),
                    fill: None,
                });
                pending_rects.clear();
            }
            "f" | "f*" | "F" => {
                for r in pending_rects.drain(..) {
                    let (x, y, w, h) = (r[0] / MM, r[1] / MM, r[2] / MM, r[3] / MM);
                    data.rects.push(Rect {
                        x,
                        y: ph - y - h,
                        w,
                        h,
                        rgb: fill,
                    });
                }
            }
            "S" | "s" | "n" | "B" | "b" => {
                pending_rects.clear();
                path.clear();
            }
            _ => {}
        }
    }
    data
}
