//! 印章: a seal image, or a generated red round seal (ring, five-pointed star, the
//! organ's name around the upper arc), drawn as vectors.
//!
//! The generated seal marks where the real seal goes and lets a draft be proofed;
//! it is not a substitute for the organ's seal.

use std::f32::consts::PI;
use std::path::Path;
use std::sync::Arc;

use super::geometry::{ASCENT, SEAL_D};
use crate::fonts::{OutlinePoint, Role, Shaper};
use crate::model::{Color, Item, PathPoint, RasterImage};

/// Where the seal's centre sits, measured down from the top of the 署名 line it
/// presses (7.3.5.1: 署名和成文日期居印章中心偏下位置). The 署名 then lies just below
/// the centre, across the star; the 成文日期 on the next grid line in the lower half;
/// the seal hangs about 3.5 mm below the date's line; and with two blank lines above
/// the 署名 the seal's top is about 2.5 mm below the text above (印章顶端应当上距正文
/// 一行之内).
pub const SEAL_CENTRE_BELOW_LINE_TOP: f32 = 3.0;

/// Half the angle the name may span around the top when the arc text must stay
/// clear of the 署名 pressed under the seal's centre.
const CLEAR_HALF_SPAN: f32 = 65.0 * PI / 180.0;
/// The widest half-span for long names (as on a real seal, down the sides).
const MAX_HALF_SPAN: f32 = 115.0 * PI / 180.0;
const NATURAL_EM: f32 = 5.6;
const MIN_EM: f32 = 4.4;
const RING: f32 = 1.0;
/// Between the ring's inner edge and the glyphs' outer edge.
const RIM_GAP: f32 = 0.9;
/// Advance along the arc per character, in ems.
const TRACKING: f32 = 1.12;

/// Radius of the glyph centres for glyphs of `em` mm.
fn text_radius(em: f32) -> f32 {
    SEAL_D / 2.0 - RING - RIM_GAP - em / 2.0
}

/// The largest em (≤ `cap`) at which `n` glyphs fit, evenly spaced, in 2 × `half`.
fn fitting_em(n: usize, half: f32, cap: f32) -> f32 {
    if n < 2 {
        return cap;
    }
    let step = 2.0 * half / (n - 1) as f32;
    // em · TRACKING = step · (R₀ − em/2), R₀ = D/2 − ring − gap.
    let r0 = SEAL_D / 2.0 - RING - RIM_GAP;
    (step * r0 / (TRACKING + step / 2.0)).min(cap)
}

/// The arc of a generated seal: glyph size and the half-span the glyphs' centres
/// occupy, symmetric about the top.
pub fn arc_layout(n: usize) -> (f32, f32) {
    if n < 2 {
        return (NATURAL_EM, 0.0);
    }
    // Few characters spread out (16.25° a character) up to the clear span.
    let half = (CLEAR_HALF_SPAN).min((n - 1) as f32 * 16.25_f32.to_radians());
    let em = fitting_em(n, half, NATURAL_EM);
    if em >= MIN_EM {
        return (em, half);
    }
    // A long name runs further down the sides, as on a real seal, before the
    // glyphs shrink.
    let r = text_radius(MIN_EM);
    let half = ((n - 1) as f32 * MIN_EM * TRACKING / r / 2.0).min(MAX_HALF_SPAN);
    (fitting_em(n, half, NATURAL_EM).max(2.0), half)
}

/// A generated seal of diameter [`SEAL_D`] centred on (cx, cy): a red ring, a
/// five-pointed star in the centre, the organ's name evenly spaced around the top,
/// each glyph upright towards the rim (turned to the tangent of its arc). The name
/// is drawn as glyph outlines, not text: copying the page's text gives the
/// document, not the seal.
pub fn generated(shaper: &mut Shaper<'_>, name: &str, cx: f32, cy: f32) -> Vec<Item> {
    let r = SEAL_D / 2.0;
    let mut items = vec![Item::Circle {
        cx,
        cy,
        r: r - RING / 2.0,
        stroke: RING,
        color: Color::RED,
    }];

    // The star, one point up, its circumscribed circle centred on the seal.
    let (outer, inner) = (SEAL_D / 6.0, SEAL_D / 6.0 * 0.381_966);
    let points = (0..10)
        .map(|i| {
            let a = -PI / 2.0 + i as f32 * PI / 5.0;
            let rad = if i % 2 == 0 { outer } else { inner };
            (cx + rad * a.cos(), cy + rad * a.sin())
        })
        .collect();
    items.push(Item::Polygon {
        points,
        color: Color::RED,
    });

    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.is_empty() {
        return items;
    }
    let (em, half) = arc_layout(chars.len());
    let radius = text_radius(em);
    let step = if chars.len() > 1 {
        2.0 * half / (chars.len() - 1) as f32
    } else {
        0.0
    };
    for (i, &c) in chars.iter().enumerate() {
        let Some((res, _)) = shaper.resolve_or_substitute(Role::Song, c) else {
            continue;
        };
        // θ: clockwise from the top.
        let theta = -half + i as f32 * step;
        let (sin, cos) = theta.sin_cos();
        let centre = (cx + radius * sin, cy - radius * cos);
        // In the glyph's own frame (x right, y up, em units) the em box's centre is
        // half an advance right of the origin and (ASCENT − ½) up from it. Each
        // point is taken relative to that centre, then turned clockwise by θ
        // (page y grows downwards), so the glyph stands upright towards the rim.
        let (mx, my) = (res.advance / 2.0, ASCENT - 0.5);
        let place = |p: &OutlinePoint| {
            let (lx, ly) = ((p.x - mx) * em, (p.y - my) * em);
            PathPoint {
                x: centre.0 + lx * cos + ly * sin,
                y: centre.1 - (-lx * sin + ly * cos),
                control: p.control,
            }
        };
        let contours: Vec<Vec<PathPoint>> = shaper
            .outline(res.face, res.gid)
            .iter()
            .map(|contour| contour.iter().map(place).collect())
            .collect();
        if !contours.is_empty() {
            items.push(Item::Shape {
                contours,
                color: Color::RED,
            });
        }
    }
    items
}

/// Reads a seal image (PNG). White becomes transparent so the seal does not blank
/// out the text beneath it.
pub fn load_image(path: &Path) -> Result<Arc<RasterImage>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("无法打开印章图片 {}：{e}", path.display()))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(
        png::Transformations::normalize_to_color8() | png::Transformations::ALPHA,
    );
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("印章图片 {} 不是有效的 PNG 文件：{e}", path.display()))?;
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| format!("印章图片 {} 过大", path.display()))?
    ];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("印章图片 {} 无法读取：{e}", path.display()))?;
    let (w, h) = (info.width, info.height);
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => buf[..(w * h * 4) as usize].to_vec(),
        png::ColorType::GrayscaleAlpha => buf[..(w * h * 2) as usize]
            .chunks(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        other => {
            return Err(format!(
                "印章图片 {} 的颜色格式 {other:?} 不受支持",
                path.display()
            ));
        }
    };
    let rgba = rgba
        .chunks(4)
        .flat_map(|p| {
            let whiteness = p[0].min(p[1]).min(p[2]);
            let alpha = if whiteness > 235 { 0 } else { p[3] };
            [p[0], p[1], p[2], alpha]
        })
        .collect();
    Ok(Arc::new(RasterImage {
        width: w,
        height: h,
        rgba,
    }))
}
