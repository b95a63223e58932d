//! The PDF writer: a [`Layout`] to PDF bytes with printpdf.
//!
//! printpdf builds the document (pages, graphics, images, metadata) and hands it
//! over as a lopdf document; the fonts are written by [`crate::embed`]: each face
//! the layout uses, cut to the glyphs used, with a ToUnicode map, so copying text
//! out gives the exact characters. Glyphs on one baseline are one `TJ` with
//! kerning numbers that put each glyph where the layout placed it.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color as PColor, FontId, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, RawImage, RawImageData,
    RawImageFormat, Rect, Rgb, TextItem, TextMatrix, WindingOrder, XObjectTransform,
};

use crate::embed::Subset;
use crate::fonts::{FaceId, Fonts};
use crate::model::{Color, GlyphRun, Item, Layout};
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

    // The glyphs each face shows, with their text (for ToUnicode).
    let mut used: BTreeMap<FaceId, BTreeMap<u16, String>> = BTreeMap::new();
    for item in layout.pages.iter().flat_map(|p| &p.items) {
        if let Item::Text(run) = item {
            let glyphs = used.entry(run.face).or_default();
            for g in &run.glyphs {
                glyphs.entry(g.gid).or_insert_with(|| g.text.clone());
            }
        }
    }
    // Subsetting takes a few milliseconds per face: the faces go side by side.
    let subsets: Vec<(FaceId, std::result::Result<Subset, String>)> = if used.len() > 1 {
        std::thread::scope(|s| {
            let handles: Vec<_> = used
                .iter()
                .map(|(&id, glyphs)| (id, s.spawn(move || Subset::new(fonts.face(id), glyphs))))
                .collect();
            handles
                .into_iter()
                .map(|(id, h)| {
                    (
                        id,
                        h.join()
                            .unwrap_or_else(|_| Err("字体子集化失败".to_string())),
                    )
                })
                .collect()
        })
    } else {
        used.iter()
            .map(|(&id, glyphs)| (id, Subset::new(fonts.face(id), glyphs)))
            .collect()
    };
    let mut embedded: BTreeMap<FaceId, (String, Subset)> = BTreeMap::new();
    for (id, subset) in subsets {
        embedded.insert(id, (format!("GW{}", id.0), subset.map_err(Error::Fonts)?));
    }

    let mut pages = Vec::with_capacity(layout.pages.len());
    for page in &layout.pages {
        let h = page.height;
        let mut ops = Vec::new();
        for item in &page.items {
            match item {
                Item::Text(run) => {
                    let Some((resource, subset)) = embedded.get(&run.face) else {
                        continue;
                    };
                    ops.push(Op::SetFillColor {
                        col: color(run.color),
                    });
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFont {
                        font: PdfFontHandle::External(FontId(resource.clone())),
                        size: Pt(run.size),
                    });
                    text_ops(run, subset, h, &mut ops);
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
    let doc = doc.with_pages(pages);
    let mut warnings = Vec::new();
    let mut out = printpdf::to_lopdf_doc(doc, &PdfSaveOptions::default(), &mut warnings);
    // printpdf wrote one font resource dictionary shared by every page, empty as no
    // font was registered with it: the subset fonts go in there.
    let font_dict = out
        .get_pages()
        .values()
        .next()
        .and_then(|&page| out.get_dictionary(page).ok())
        .and_then(|page| page.get(b"Resources").ok())
        .and_then(|r| r.as_reference().ok())
        .and_then(|r| out.get_dictionary(r).ok())
        .and_then(|r| r.get(b"Font").ok())
        .and_then(|f| f.as_reference().ok());
    if let Some(font_dict) = font_dict {
        let written: Vec<(String, lopdf::ObjectId)> = embedded
            .values()
            .map(|(resource, subset)| (resource.clone(), subset.write(&mut out)))
            .collect();
        if let Ok(dict) = out.get_dictionary_mut(font_dict) {
            for (resource, id) in written {
                dict.set(resource, id);
            }
        }
    }
    compress(&mut out);
    let mut bytes = Vec::new();
    out.save_to(&mut bytes)
        .map_err(|e| Error::Fonts(format!("无法生成 PDF：{e}")))?;
    Ok(bytes)
}

/// Deflates every stream not yet filtered, at the fastest level: the font
/// programs (most of the bytes) are compact already (a CJK CFF subset shrinks by
/// about a fifth at any level), and deflating was a fifth of a whole `print`
/// process's time at the default level.
fn compress(doc: &mut lopdf::Document) {
    use std::io::Write as _;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") || !stream.allows_compression {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        if let Ok(deflated) = encoder.finish()
            && deflated.len() < stream.content.len()
        {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(deflated);
        }
    }
}

/// Text-showing operators for a run. Glyphs on one baseline become one `TJ`
/// whose kerning numbers put each glyph exactly where the layout placed it
/// (the viewer advances by the `W` width after each glyph; the number after a
/// glyph moves the pen from there to the next glyph's x), so copying a line out
/// of the PDF gives the line. Rotated glyphs get a text matrix each.
fn text_ops(run: &GlyphRun, subset: &Subset, page_h: f32, ops: &mut Vec<Op>) {
    if run.glyphs.is_empty() || run.size <= 0.0 {
        return;
    }
    if run.rotation != 0.0 {
        let (sin, cos) = run.rotation.to_radians().sin_cos();
        for g in &run.glyphs {
            let (x, y) = (pt(g.x).0, pt(page_h - g.y).0);
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Raw([cos, sin, -sin, cos, x, y]),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(vec![Codepoint::new(
                    subset.code(g.gid),
                    0.0,
                )])],
            });
        }
        return;
    }
    let mut i = 0;
    while i < run.glyphs.len() {
        let first = &run.glyphs[i];
        let mut j = i + 1;
        while j < run.glyphs.len() && run.glyphs[j].y == first.y {
            j += 1;
        }
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(pt(first.x), pt(page_h - first.y)),
        });
        let codepoints = run.glyphs[i..j]
            .iter()
            .enumerate()
            .map(|(k, g)| {
                let code = subset.code(g.gid);
                let offset = match run.glyphs[i..j].get(k + 1) {
                    Some(next) => {
                        let gap = pt(next.x - g.x).0 * 1000.0 / run.size;
                        ((f32::from(subset.width(code)) - gap) * 100.0).round() / 100.0
                    }
                    None => 0.0,
                };
                Codepoint::new(code, offset)
            })
            .collect();
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(codepoints)],
        });
        i = j;
    }
}
