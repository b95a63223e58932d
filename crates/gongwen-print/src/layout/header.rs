//! The 版头 (GB/T 9704-2012 7.2) and the first-page marks of the special formats
//! (chapter 10): placed at absolute positions on page 1.

use gongwen_domain::Document;
use gongwen_domain::document::{Direction, Format};

use super::flow::{Header, Line, glyph_runs};
use super::geometry::*;
use crate::fonts::{Role, Shaper};
use crate::model::{Color, Item};
use crate::text::{self, PT, SGlyph, Style};
use crate::{Warning, WarningCode};

fn body(role: Role) -> Style {
    Style::natural(role, BODY_SIZE).with_cell(CELL)
}

/// Top of the em box of a line whose box top is `y`.
fn em_top(y: f32, em: f32) -> f32 {
    y + (PITCH - em) / 2.0
}

/// The 文号 as printed (7.2.5: 六角括号, full year, no leading zeros, no 第).
pub fn doc_number_text(doc: &Document) -> Option<String> {
    doc.doc_number.as_ref().map(|n| n.to_string())
}

/// The 份号, 密级 and 紧急程度 lines, in the order of 7.2.3.
fn corner_lines(doc: &Document, shaper: &mut Shaper<'_>) -> Vec<Vec<SGlyph>> {
    let mut lines = Vec::new();
    if let Some(n) = doc
        .copy_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // 7.2.1: 一般用6位3号阿拉伯数字.
        let n = if n.chars().all(|c| c.is_ascii_digit()) && n.len() < 6 {
            format!("{n:0>6}")
        } else {
            n.to_string()
        };
        lines.push(text::shape(shaper, &[(&n, body(Role::FangSong))]));
    }
    if let Some(s) = &doc.secrecy {
        // 7.2.2: 3号黑体字.
        lines.push(text::shape(shaper, &[(&s.to_string(), body(Role::Hei))]));
    }
    if let Some(u) = doc.urgency {
        // 7.2.3: 3号黑体字.
        lines.push(text::shape(shaper, &[(u.name(), body(Role::Hei))]));
    }
    lines
}

/// A red 小标宋 mark line: glyphs of `text` at em size `em` mm, spread to `width` mm
/// when given.
fn mark_glyphs(shaper: &mut Shaper<'_>, text: &str, em: f32) -> Vec<SGlyph> {
    let style = Style::natural(Role::XiaoBiaoSong, em / PT).red();
    text::shape(shaper, &[(text, style)])
}

/// Draws glyphs with their em-box top at `top`, starting at absolute x.
fn draw_at(glyphs: &[SGlyph], x: f32, top: f32, spacing: f32) -> Vec<Item> {
    let em = glyphs.iter().map(|g| g.style.em()).fold(0.0, f32::max);
    let mut pos = x;
    let placed: Vec<(&SGlyph, f32)> = glyphs
        .iter()
        .map(|g| {
            let p = pos;
            pos += g.advance + spacing;
            (g, p)
        })
        .collect();
    glyph_runs(placed.into_iter(), top + ASCENT * em)
}

/// The 发文机关标志 (7.2.4), its top at `top`. Returns items and its bottom edge.
fn issuer_mark(
    doc: &Document,
    shaper: &mut Shaper<'_>,
    top: f32,
    max_em: f32,
    suffix_default: &str,
) -> (Vec<Item>, f32) {
    let mut items = Vec::new();
    if doc.issuers.len() <= 1 {
        let Some(issuer) = doc.issuers.first() else {
            return (items, top);
        };
        let mut text = issuer.mark_text().trim().to_string();
        if !suffix_default.is_empty() && !text.ends_with(suffix_default) && issuer.mark.is_none() {
            text.push_str(suffix_default);
        }
        let n = text.chars().count().max(1) as f32;
        let em = max_em.min(BODY_W / n);
        let glyphs = mark_glyphs(shaper, &text, em);
        let w = text::width(&glyphs).min(BODY_W);
        items.extend(draw_at(&glyphs, LEFT + (BODY_W - w) / 2.0, top, 0.0));
        return (items, top + em);
    }
    // 联合行文: the names one above the other, the 主办机关 first; "文件" to their
    // right, centred on them vertically (7.2.4).
    let suffix = if doc.issuers[0].mark_text().trim().ends_with("文件") {
        "文件"
    } else {
        suffix_default
    };
    let names: Vec<String> = doc
        .issuers
        .iter()
        .map(|i| {
            let m = i.mark_text().trim();
            m.strip_suffix("文件").unwrap_or(m).to_string()
        })
        .collect();
    let longest = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(1)
        .max(1) as f32;
    let suffix_len = suffix.chars().count() as f32;
    let em = (max_em * 0.8)
        .min(BODY_W / (longest + suffix_len + if suffix_len > 0.0 { 0.5 } else { 0.0 }));
    let gap = em * 0.25;
    let names_w = longest * em;
    let total_w = names_w
        + if suffix_len > 0.0 {
            em * 0.5 + suffix_len * em
        } else {
            0.0
        };
    let x0 = LEFT + (BODY_W - total_w) / 2.0;
    let mut y = top;
    for name in &names {
        let glyphs = mark_glyphs(shaper, name, em);
        // Spread shorter names to the width of the longest (分散对齐).
        let w = text::width(&glyphs);
        let spacing = if glyphs.len() > 1 {
            (names_w - w).max(0.0) / (glyphs.len() - 1) as f32
        } else {
            0.0
        };
        let x = if glyphs.len() > 1 {
            x0
        } else {
            x0 + (names_w - w) / 2.0
        };
        items.extend(draw_at(&glyphs, x, y, spacing));
        y += em + gap;
    }
    let bottom = y - gap;
    if suffix_len > 0.0 {
        let glyphs = mark_glyphs(shaper, suffix, em);
        let mid = (top + bottom) / 2.0;
        items.extend(draw_at(
            &glyphs,
            x0 + names_w + em * 0.5,
            mid - em / 2.0,
            0.0,
        ));
    }
    (items, bottom)
}

fn red_rule(y: f32) -> Item {
    Item::Rect {
        x: LEFT,
        y,
        w: BODY_W,
        h: RED_RULE,
        color: Color::RED,
    }
}

/// Builds the first-page marks for the document's format.
pub fn build(doc: &Document, shaper: &mut Shaper<'_>, warnings: &mut Vec<Warning>) -> Header {
    match doc.format {
        Format::Letter => letter(doc, shaper),
        Format::Order => order(doc, shaper),
        Format::Standard | Format::Minutes => standard(doc, shaper, warnings),
    }
}

/// 文件格式 (7.2) and 纪要格式 (10.3).
fn standard(doc: &Document, shaper: &mut Shaper<'_>, warnings: &mut Vec<Warning>) -> Header {
    let mut items = Vec::new();
    let corner = corner_lines(doc, shaper);
    for (i, glyphs) in corner.iter().enumerate() {
        items.extend(Line::at(glyphs, 0.0).items(TOP + i as f32 * PITCH));
    }
    let number = doc_number_text(doc);
    if doc.issuers.is_empty() {
        // No 发文机关标志: the 文号 (if any) and the flow follow the corner lines.
        let mut y = TOP + corner.len() as f32 * PITCH + if corner.is_empty() { 0.0 } else { PITCH };
        if let Some(n) = &number {
            let g = text::shape(shaper, &[(n, body(Role::FangSong))]);
            items.extend(Line::centred(&g).items(y));
            y += 2.0 * PITCH;
        }
        return Header {
            items,
            flow_top: y,
            ..Header::default()
        };
    }
    // 10.3: 纪要标志由"……纪要"组成.
    let suffix = if doc.format == Format::Minutes {
        "纪要"
    } else {
        ""
    };
    let (mark, mark_bottom) = issuer_mark(doc, shaper, MARK_TOP, 15.0, suffix);
    items.extend(mark);

    let fs = body(Role::FangSong);
    let number_glyphs = number
        .as_deref()
        .map(|n| text::shape(shaper, &[(n, fs)]))
        .unwrap_or_default();
    let signers: Vec<&str> = doc
        .signers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let up = doc.direction == Some(Direction::Up) && !signers.is_empty();
    // 7.2.5: 发文字号编排在发文机关标志下空二行位置; 上行文 with more than two 签发人
    // take more lines, the 文号 on the last.
    let extra_rows = if up { signers.len().div_ceil(2) - 1 } else { 0 };
    let exact = mark_bottom + 2.0 * PITCH;
    let line_top = exact + grid_shift(flow_top_below(exact + extra_rows as f32 * PITCH));
    let mut last_line_top = line_top;
    if up {
        // 7.2.5/7.2.6 上行文: 发文字号居左空一字，与最后一个签发人姓名处在同一行; 签发人 label
        // 3号仿宋，names 3号楷体，居右空一字; two names a line, later lines aligned
        // with the first name.
        let label = text::shape(shaper, &[("签发人：", fs)]);
        let kai = body(Role::Kai);
        let rows: Vec<Vec<SGlyph>> = signers
            .chunks(2)
            .map(|pair| {
                let joined = pair.join("\u{3000}");
                text::shape(shaper, &[(&joined, kai)])
            })
            .collect();
        let names_w = rows.iter().map(|r| text::width(r)).fold(0.0, f32::max);
        let label_w = text::width(&label);
        let names_x = BODY_W - CELL - names_w;
        for (i, row) in rows.iter().enumerate() {
            let y = line_top + i as f32 * PITCH;
            if i == 0 {
                items.extend(Line::at(&label, names_x - label_w).items(y));
            }
            items.extend(Line::at(row, names_x).items(y));
            last_line_top = y;
        }
        if !number_glyphs.is_empty() {
            items.extend(Line::at(&number_glyphs, CELL).items(last_line_top));
        }
        if names_x - label_w < CELL + text::width(&number_glyphs) + CELL {
            warnings.push(Warning {
                code: WarningCode::Crowded,
                message: "签发人姓名较长，与发文字号挤在同一行，请检查版头".to_string(),
            });
        }
    } else if !number_glyphs.is_empty() {
        items.extend(Line::centred(&number_glyphs).items(line_top));
    }
    let rule_y = rule_below(last_line_top);
    items.push(red_rule(rule_y));
    Header {
        items,
        flow_top: flow_top_below(last_line_top),
        ..Header::default()
    }
}

/// 7.2.7: 发文字号之下 4 mm 处居中印一条与版心等宽的红色分隔线 — for a 文号 line whose
/// box top is `line_top`.
fn rule_below(line_top: f32) -> f32 {
    em_top(line_top, BODY_SIZE * PT) + BODY_SIZE * PT + RULE_GAP
}

/// 7.3.1: 标题编排于红色分隔线下空二行位置 — the flow's top for that 文号 line.
fn flow_top_below(line_top: f32) -> f32 {
    rule_below(line_top) + RED_RULE + 2.0 * PITCH
}

/// How far to move the 文号 line (at most half a line, up or down) so that the
/// flow below starts on the page's line grid (5.2.3: 22 lines filling the 版心).
/// Page 1 then holds a whole number of lines, as many as the 版头 leaves room for,
/// and its lines back onto those of page 2. The 标志's bottom edge is where the
/// glyphs' em box ends, not a printed line, so the 空二行 below it is the one
/// distance that can give.
fn grid_shift(flow_top: f32) -> f32 {
    let rows = ((flow_top - TOP) / PITCH).round();
    TOP + rows * PITCH - flow_top
}

/// A red double rule 170 mm long, centred; `thick_first`: the thick line on top.
fn double_rule(top: f32, thick_first: bool) -> (Vec<Item>, f32) {
    let (thick, thin, gap) = (0.8, 0.3, 0.6);
    let x = (PAGE_W - LETTER_RULE_W) / 2.0;
    let (a, b) = if thick_first {
        (thick, thin)
    } else {
        (thin, thick)
    };
    let items = vec![
        Item::Rect {
            x,
            y: top,
            w: LETTER_RULE_W,
            h: a,
            color: Color::RED,
        },
        Item::Rect {
            x,
            y: top + a + gap,
            w: LETTER_RULE_W,
            h: b,
            color: Color::RED,
        },
    ];
    (items, top + a + gap + b)
}

/// 信函格式 (10.1).
fn letter(doc: &Document, shaper: &mut Shaper<'_>) -> Header {
    let mut items = Vec::new();
    // 发文机关标志使用发文机关全称或者规范化简称，上边缘至上页边为 30 mm; 联合行文时使用主办机关标志.
    let name = doc.issuers.first().map(|i| {
        let m = i.mark_text().trim();
        m.strip_suffix("文件").unwrap_or(m).to_string()
    });
    let mut y = LETTER_MARK_TOP;
    if let Some(name) = name {
        let n = name.chars().count().max(1) as f32;
        let em = 12.0_f32.min(LETTER_RULE_W / n);
        let glyphs = mark_glyphs(shaper, &name, em);
        let w = text::width(&glyphs);
        items.extend(draw_at(&glyphs, (PAGE_W - w) / 2.0, y, 0.0));
        y += em;
    }
    // 标志下 4 mm 处印一条红色双线（上粗下细）.
    let (rule, rule_bottom) = double_rule(y + RULE_GAP, true);
    items.extend(rule);
    // 距下页边 20 mm 处印一条红色双线（上细下粗）.
    let (bottom_rule, _) = double_rule(LETTER_BOTTOM_RULE - 1.7, false);
    items.extend(bottom_rule);

    // 10.1: 份号、密级和保密期限、紧急程度顶格居版心左边缘编排在第一条红色双线下，自上而下
    // 分行排列，第一个要素与该线的距离为 3 号汉字高度的 7/8; 发文字号顶格居版心右边缘编排
    // 在第一条红色双线下，与该线的距离为 3 号汉字高度的 7/8 — so the 文号 shares the
    // first element's line.
    let em = BODY_SIZE * PT;
    let first_box = rule_bottom + em * 7.0 / 8.0 - (PITCH - em) / 2.0;
    let corner = corner_lines(doc, shaper);
    for (i, glyphs) in corner.iter().enumerate() {
        items.extend(Line::at(glyphs, 0.0).items(first_box + i as f32 * PITCH));
    }
    let number = doc_number_text(doc);
    if let Some(n) = &number {
        let g = text::shape(shaper, &[(n, body(Role::FangSong))]);
        items.extend(Line::right(&g, 0.0).items(first_box));
    }
    let rows = corner.len().max(usize::from(number.is_some()));
    // 10.1: 标题居中编排，与其上最后一个要素相距二行 (with no element, two lines below
    // the double line). Those two lines give by at most half a line so that the flow
    // starts on the page's line grid (5.2.3), as the 文件格式's 版头 does (see
    // `grid_shift`): page 1's lines then back onto page 2's and the page holds a
    // whole number of them.
    let flow_top = if rows == 0 {
        rule_bottom + 2.0 * PITCH
    } else {
        first_box + (rows + 2) as f32 * PITCH
    };
    Header {
        items,
        flow_top: flow_top + grid_shift(flow_top),
        no_folio_first_page: true,
        letter: true,
    }
}

/// 命令（令）格式 (10.2).
fn order(doc: &Document, shaper: &mut Shaper<'_>) -> Header {
    let mut items = Vec::new();
    let corner = corner_lines(doc, shaper);
    for (i, glyphs) in corner.iter().enumerate() {
        items.extend(Line::at(glyphs, 0.0).items(TOP + i as f32 * PITCH));
    }
    // 发文机关标志由发文机关全称加"命令"或"令"字组成，上边缘至版心上边缘为 20 mm.
    let (mark, bottom) = issuer_mark(doc, shaper, ORDER_MARK_TOP, 15.0, "令");
    items.extend(mark);
    // 发文机关标志下空二行居中编排令号，令号下空二行编排正文.
    // The 令号 line moves by at most half a line so that the text starts on the grid.
    let top = bottom + 2.0 * PITCH;
    let top = top + grid_shift(top + 3.0 * PITCH);
    let number = order_number(doc);
    if let Some(n) = number {
        let g = text::shape(shaper, &[(&n, body(Role::FangSong))]);
        items.extend(Line::centred(&g).items(top));
    }
    Header {
        items,
        flow_top: top + 3.0 * PITCH,
        ..Header::default()
    }
}

/// 令号: "第N号".
fn order_number(doc: &Document) -> Option<String> {
    doc.order_number
        .or_else(|| doc.doc_number.as_ref().map(|n| n.seq))
        .map(|n| format!("第{n}号"))
}
