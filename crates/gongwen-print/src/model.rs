//! The display list: what a laid-out document is, independent of any output format.
//!
//! Every coordinate is in millimetres, measured from the top-left corner of the
//! page (x to the right, y downwards), the way the standard states its distances.
//! The PDF writer ([`crate::pdf`]), the tests and a preview all read this one form.

use crate::fonts::FaceId;

/// An sRGB colour, each channel 0.0–1.0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color {
    pub r: f32,
    pub g: f32,
    pub b: f32,
}

impl Color {
    pub const BLACK: Color = Color {
        r: 0.0,
        g: 0.0,
        b: 0.0,
    };
    /// The red of 发文机关标志, 分隔线 and 印章 (GB/T 9704-2012 7.2.4, 7.2.7, 7.3.5.1).
    pub const RED: Color = Color {
        r: 1.0,
        g: 0.0,
        b: 0.0,
    };
}

/// A laid-out document: its pages and what the layout had to say about the input.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub pages: Vec<Page>,
    pub warnings: Vec<crate::Warning>,
}

/// One page of the display list.
#[derive(Debug, Clone)]
pub struct Page {
    /// Page size in mm (A4: 210 × 297).
    pub width: f32,
    pub height: f32,
    /// Drawn in order: later items paint over earlier ones.
    pub items: Vec<Item>,
}

impl Page {
    pub fn a4() -> Page {
        Page {
            width: crate::layout::geometry::PAGE_W,
            height: crate::layout::geometry::PAGE_H,
            items: Vec::new(),
        }
    }

    /// The text of the page's glyph runs, in drawing order (for previews and tests).
    pub fn text(&self) -> String {
        let mut s = String::new();
        for item in &self.items {
            if let Item::Text(run) = item {
                for g in &run.glyphs {
                    s.push_str(&g.text);
                }
            }
        }
        s
    }
}

/// One thing drawn on a page.
#[derive(Debug, Clone)]
pub enum Item {
    Text(GlyphRun),
    /// A filled axis-aligned rectangle: rules (分隔线, 版记 lines) are thin rectangles,
    /// so their thickness is exact in every viewer.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Color,
    },
    /// A stroked circle (the ring of a generated seal).
    Circle {
        cx: f32,
        cy: f32,
        r: f32,
        stroke: f32,
        color: Color,
    },
    /// A filled closed polygon (the star of a generated seal).
    Polygon {
        points: Vec<(f32, f32)>,
        color: Color,
    },
    /// Filled closed contours (nonzero winding), Bézier control points flagged:
    /// the seal's arc text is drawn as outlines, so that it is not text a reader
    /// copies out of the PDF.
    Shape {
        contours: Vec<Vec<PathPoint>>,
        color: Color,
    },
    /// A stroked rectangle outline (form boxes).
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        stroke: f32,
        color: Color,
    },
    /// A raster image (a seal scan) placed in the box.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: std::sync::Arc<RasterImage>,
    },
}

/// A point of a [`Item::Shape`] contour, mm from the page's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathPoint {
    pub x: f32,
    pub y: f32,
    /// A cubic Bézier control point (two come before each curved segment's end).
    pub control: bool,
}

/// Decoded RGBA pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct RasterImage {
    pub width: u32,
    pub height: u32,
    /// RGBA, 8 bits per channel, row-major.
    pub rgba: Vec<u8>,
}

/// Glyphs of one face, size and colour, sharing a baseline.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    pub face: FaceId,
    /// Font size in points.
    pub size: f32,
    pub color: Color,
    /// Baseline, mm from the page top.
    pub baseline: f32,
    /// Rotation in degrees, counter-clockwise, about each glyph's own origin
    /// (0 for ordinary text; the seal's arc text uses it).
    pub rotation: f32,
    pub glyphs: Vec<Glyph>,
}

/// One positioned glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Glyph id in the run's face.
    pub gid: u16,
    /// The text this glyph stands for (what copy and paste gives back).
    pub text: String,
    /// Left edge of the glyph's origin, mm from the page's left edge.
    pub x: f32,
    /// Baseline, mm from the page top (equal to the run's baseline unless rotated).
    pub y: f32,
}
