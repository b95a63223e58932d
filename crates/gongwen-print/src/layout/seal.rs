//! 印章: a seal image, or a generated red round seal (ring, five-pointed star, the
//! organ's name around the upper arc), drawn as vectors.
//!
//! The generated seal marks where the real seal goes and lets a draft be proofed;
//! it is not a substitute for the organ's seal.

use std::f32::consts::PI;
use std::path::Path;
use std::sync::Arc;

use super::geometry::SEAL_D;
use crate::fonts::{Role, Shaper};
use crate::model::{Color, Glyph, GlyphRun, Item, RasterImage};
use crate::text::{PT, Style};

/// A generated seal of diameter [`SEAL_D`] centred on (cx, cy).
pub fn generated(shaper: &mut Shaper<'_>, name: &str, cx: f32, cy: f32) -> Vec<Item> {
    let r = SEAL_D / 2.0;
    let ring = 1.2;
    let mut items = vec![Item::Circle {
        cx,
        cy,
        r: r - ring / 2.0,
        stroke: ring,
        color: Color::RED,
    }];

    // The five-pointed star in the centre.
    let (outer, inner) = (7.0_f32, 7.0 * 0.381_966);
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

    // The name around the upper arc, each character upright towards the rim.
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.is_empty() {
        return items;
    }
    let em = if chars.len() <= 10 {
        6.2
    } else {
        (6.2 * 10.0 / chars.len() as f32).max(3.5)
    };
    let style = Style::natural(Role::Song, em / PT).red();
    let text_r = r - ring - 0.8 - em * 0.5; // radius of the characters' centres
    let step = (em * 1.08) / text_r; // radians per character
    let span = (step * (chars.len() as f32 - 1.0)).min(PI * 1.3);
    let step = if chars.len() > 1 {
        span / (chars.len() as f32 - 1.0)
    } else {
        0.0
    };
    for (i, &c) in chars.iter().enumerate() {
        let Some((res, shown)) = shaper.resolve_or_substitute(Role::Song, c) else {
            continue;
        };
        // θ: clockwise from the top.
        let theta = -span / 2.0 + i as f32 * step;
        let (sin, cos) = theta.sin_cos();
        let centre = (cx + text_r * sin, cy - text_r * cos);
        // In the glyph's own frame (x right, y up) the origin is half an advance to
        // the left of the em box's centre and (ASCENT − ½) em below it.
        let w = res.advance * em;
        let (lx, ly) = (-w / 2.0, -(0.88 - 0.5) * em);
        // Rotate clockwise by θ (page y grows downwards).
        let ox = centre.0 + lx * cos + ly * sin;
        let oy = centre.1 - (-lx * sin + ly * cos);
        items.push(Item::Text(GlyphRun {
            face: res.face,
            size: style.size,
            color: Color::RED,
            baseline: oy,
            rotation: -theta.to_degrees(),
            glyphs: vec![Glyph {
                gid: res.gid,
                text: shown.to_string(),
                x: ox,
                y: oy,
            }],
        }));
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
