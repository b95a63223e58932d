//! The PDF writer: a [`Layout`] to PDF bytes with printpdf.
//!
//! Fonts are embedded as subsets (printpdf's `text_layout` feature), each glyph
//! carrying its text so the ToUnicode map gives back the exact characters. Every
//! glyph is positioned absolutely (`Tm`); printpdf merges glyphs on one baseline
//! into a single `TJ`, so copying a line gives the line.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color as PColor, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, RawImageData, RawImageFormat, Rect,
    Rgb, TextItem, TextMatrix, WindingOrder, XObjectTransform,
};

use crate::fonts::{FaceId, Fonts};
use crate::model::{Color, Item, Layout};
use crate::{Error, Result};

const MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> Pt {
    Pt(mm * MM)
}

fn color(c: Color) -> PColor {
    PColor::Rgb(Rgb {
        r: c.r,
        g: c.g,
        b: c.b,
        icc_profile: None,
    })
}

fn point(x: f32, y_from_top: f32, page_h: f32) -> Point {
    Point {
        x: pt(x),
        y: pt(page_h - y_from_top),
    }
}

/// A circle as four cubic Bézier arcs.
fn circle_ring(cx: f32, cy: f32, r: f32, page_h: f32) -> PolygonRing {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    let p = |x: f32, y: f32, bezier: bool| LinePoint {
        p: point(x, y, page_h),
        bezier,
    };
    PolygonRing {
        points: vec![
            p(cx + r, cy, false),
            p(cx + r, cy + k, true),
            p(cx + k, cy + r, true),
            p(cx, cy + r, false),
            p(cx - k, cy + r, true),
            p(cx - r, cy + k, true),
            p(cx - r, cy, false),
            p(cx - r, cy - k, true),
            p(cx - k, cy - r, true),
            p(cx, cy - r, false),
            p(cx + k, cy - r, true),
            p(cx + r, cy - k, true),
            p(cx + r, cy, false),
        ],
    }
}

/// Writes the layout as a PDF document titled `title`.
pub fn pdf(layout: &Layout, fonts: &Fonts, title: &str) -> Result<Vec<u8>> {
    let mut doc = PdfDocument::new(title);
    // Parsing a face for embedding takes tens of milliseconds, once per process:
    // the faces this document needs and that are not parsed yet are parsed side
    // by side.
    let unparsed: std::collections::BTreeSet<FaceId> = layout
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Text(run) if !fonts.face(run.face).pdf_font_ready() => Some(run.face),
            _ => None,
        })
        .collect();
    if unparsed.len() > 1 {
        std::thread::scope(|s| {
            for &id in &unparsed {
                let face = fonts.face(id);
                s.spawn(move || {
                    face.pdf_font();
                });
            }
        });
    }
    let mut font_ids: BTreeMap<FaceId, printpdf::FontId> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text(run) = item
                && let std::collections::btree_map::Entry::Vacant(e) = font_ids.entry(run.face)
            {
                let face = fonts.face(run.face);
                let parsed = face.pdf_font().ok_or_else(|| {
                    Error::Fonts(format!(
                        "字体“{}”（{}）无法嵌入 PDF",
                        face.family,
                        face.path.display()
                    ))
                })?;
                e.insert(doc.add_font(parsed));
            }
        }
    }

    let mut pages = Vec::with_capacity(layout.pages.len());
    for page in &layout.pages {
        let h = page.height;
        let mut ops = Vec::new();
        for item in &page.items {
            match item {
                Item::Text(run) => {
                    let Some(id) = font_ids.get(&run.face) else {
                        continue;
                    };
                    ops.push(Op::SetFillColor {
                        col: color(run.color),
                    });
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(id.clone()),
                        size: Pt(run.size),
                    });
                    let (sin, cos) = run.rotation.to_radians().sin_cos();
                    for g in &run.glyphs {
                        let (x, y) = (pt(g.x).0, pt(h - g.y).0);
                        let matrix = if run.rotation == 0.0 {
                            TextMatrix::Translate(Pt(x), Pt(y))
                        } else {
                            TextMatrix::Raw([cos, sin, -sin, cos, x, y])
                        };
                        ops.push(Op::SetTextMatrix { matrix });
                        ops.push(Op::ShowText {
                            items: vec![TextItem::GlyphIds(vec![Codepoint {
                                gid: g.gid,
                                offset: 0.0,
                                cid: Some(g.text.clone()),
                            }])],
                        });
                    }
                    ops.push(Op::EndTextSection);
                }
                Item::Rect {
                    x,
                    y,
                    w,
                    h: rh,
                    color: c,
                } => {
                    ops.push(Op::SetFillColor { col: color(*c) });
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: pt(*x),
                            y: pt(h - y - rh),
                            width: pt(*w),
                            height: pt(*rh),
                            mode: Some(PaintMode::Fill),
                            winding_order: Some(WindingOrder::NonZero),
                        },
                    });
                }
                Item::Frame {
                    x,
                    y,
                    w,
                    h: rh,
                    stroke,
                    color: c,
                } => {
                    ops.push(Op::SetOutlineColor { col: color(*c) });
                    ops.push(Op::SetOutlineThickness { pt: pt(*stroke) });
                    ops.push(Op::DrawRectangle {
                        rectangle: Rect {
                            x: pt(*x),
                            y: pt(h - y - rh),
                            width: pt(*w),
                            height: pt(*rh),
                            mode: Some(PaintMode::Stroke),
                            winding_order: Some(WindingOrder::NonZero),
                        },
                    });
                }
                Item::Circle {
                    cx,
                    cy,
                    r,
                    stroke,
                    color: c,
                } => {
                    ops.push(Op::SetOutlineColor { col: color(*c) });
                    ops.push(Op::SetOutlineThickness { pt: pt(*stroke) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![circle_ring(*cx, *cy, *r, h)],
                            mode: PaintMode::Stroke,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Item::Polygon { points, color: c } => {
                    ops.push(Op::SetFillColor { col: color(*c) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: vec![PolygonRing {
                                points: points
                                    .iter()
                                    .map(|&(x, y)| LinePoint {
                                        p: point(x, y, h),
                                        bezier: false,
                                    })
                                    .collect(),
                            }],
                            mode: PaintMode::Fill,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Item::Shape { contours, color: c } => {
                    ops.push(Op::SetFillColor { col: color(*c) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: contours
                                .iter()
                                .map(|contour| PolygonRing {
                                    points: contour
                                        .iter()
                                        .map(|p| LinePoint {
                                            p: point(p.x, p.y, h),
                                            bezier: p.control,
                                        })
                                        .collect(),
                                })
                                .collect(),
                            mode: PaintMode::Fill,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
                Item::Image {
                    x,
                    y,
                    w,
                    h: ih,
                    image,
                } => {
                    if image.width == 0 || image.height == 0 {
                        continue;
                    }
                    let raw = RawImage {
                        pixels: RawImageData::U8(image.rgba.clone()),
                        width: image.width as usize,
                        height: image.height as usize,
                        data_format: RawImageFormat::RGBA8,
                        tag: Vec::new(),
                    };
                    let id = doc.add_image(&raw);
                    let dpi = image.width as f32 / (w / 25.4);
                    let scale_y = (ih / w) * image.width as f32 / image.height as f32;
                    ops.push(Op::UseXobject {
                        id,
                        transform: XObjectTransform {
                            translate_x: Some(pt(*x)),
                            translate_y: Some(pt(h - y - ih)),
                            dpi: Some(dpi),
                            scale_y: Some(scale_y),
                            ..XObjectTransform::default()
                        },
                    });
                }
            }
        }
        pages.push(PdfPage::new(Mm(page.width), Mm(page.height), ops));
    }
    let options = PdfSaveOptions {
        subset_fonts: true,
        optimize: true,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    Ok(doc.with_pages(pages).save(&options, &mut warnings))
}
