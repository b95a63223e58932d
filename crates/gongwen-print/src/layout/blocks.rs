//! The 主体 and 版记 as flow blocks (GB/T 9704-2012 7.3 and 7.4).

use gongwen_domain::Document;
use gongwen_domain::body::{self, BlockKind as BodyKind};
use gongwen_domain::document::{Format, Seal};

use super::flow::{Block, BlockKind, Line, glyph_runs};
use super::geometry::*;
use super::{Options, seal};
use crate::fonts::{Role, Shaper};
use crate::model::{Color, Item};
use crate::text::{self, LGlyph, PT, SGlyph, Style};
use crate::{Warning, WarningCode};

fn body_style(role: Role) -> Style {
    Style::natural(role, BODY_SIZE).with_cell(CELL)
}

fn lines(rows: Vec<Vec<LGlyph>>) -> Vec<Line> {
    rows.into_iter().map(Line::new).collect()
}

/// Character ranges of `needles` inside `glyphs` (organ names that a title must not split).
fn find_ranges(glyphs: &[SGlyph], needles: &[&str]) -> Vec<std::ops::Range<usize>> {
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    let mut out = Vec::new();
    for needle in needles {
        let n: Vec<char> = needle.chars().collect();
        if n.len() < 2 || n.len() > chars.len() {
            continue;
        }
        for i in 0..=chars.len() - n.len() {
            if chars[i..i + n.len()] == n[..] {
                out.push(i..i + n.len());
            }
        }
    }
    out
}

/// A centred 2号小标宋 title in balanced lines (7.3.1).
fn title_block(
    doc: &Document,
    text: &str,
    shaper: &mut Shaper<'_>,
    warnings: &mut Vec<Warning>,
) -> Block {
    let style = Style::natural(Role::XiaoBiaoSong, TITLE_SIZE);
    let glyphs = text::shape(shaper, &[(text.trim(), style)]);
    let mut names: Vec<&str> = doc.issuers.iter().map(|i| i.name.as_str()).collect();
    names.extend(doc.main_recipients.iter().map(String::as_str));
    names.extend(doc.signatures.iter().map(String::as_str));
    let protected = find_ranges(&glyphs, &names);
    let ranges = text::balanced_breaks(&glyphs, BODY_W, &protected);
    if ranges.len() > 3 {
        warnings.push(Warning {
            code: WarningCode::TitleTooLong,
            message: format!("标题排成了{}行，超过三行，建议精简标题", ranges.len()),
        });
    }
    let rows = ranges
        .into_iter()
        .map(|r| Line::centred(&glyphs[r]))
        .collect();
    let mut b = Block::new(BlockKind::Head, rows);
    b.keep_with_next = true;
    b
}

/// Body paragraphs with the heading fonts of 7.3.3: 一、黑体 · （一）楷体 · 1. and （1）仿宋.
fn body_blocks(text_body: &str, shaper: &mut Shaper<'_>) -> Vec<Block> {
    let mut out = Vec::new();
    for b in body::parse(text_body) {
        let role = match b.kind {
            BodyKind::Heading1 => Role::Hei,
            BodyKind::Heading2 => Role::Kai,
            _ => Role::FangSong,
        };
        let fs = body_style(Role::FangSong);
        // A heading with running text after it ("一、总体要求。坚持……"): only the
        // heading itself takes the heading face, and the paragraph is text.
        let split = if b.kind != BodyKind::Paragraph {
            b.text
                .char_indices()
                .find(|&(_, c)| c == '。')
                .map(|(i, c)| i + c.len_utf8())
                .filter(|&i| i < b.text.len())
        } else {
            None
        };
        let glyphs = match split {
            Some(i) if role != Role::FangSong => text::shape(
                shaper,
                &[(&b.text[..i], body_style(role)), (&b.text[i..], fs)],
            ),
            _ => text::shape(shaper, &[(&b.text, body_style(role))]),
        };
        // 7.3.3: 每个自然段左空二字，回行顶格.
        let rows = text::paragraph(&glyphs, 2.0 * CELL, 0.0, BODY_W);
        // A heading stays with what follows it. The 仿宋 levels (1. and （1）) are
        // as often numbered items as headings: only a one-line one that does not
        // end a sentence counts ("1.危险化学品等重点行业领域。" is an item of a list).
        let sentence = b
            .text
            .trim_end()
            .ends_with(['。', '；', '！', '？', '.', ';', '!', '?']);
        let heading = match b.kind {
            BodyKind::Paragraph => false,
            BodyKind::Heading1 | BodyKind::Heading2 => split.is_none(),
            BodyKind::Heading3 | BodyKind::Heading4 => {
                split.is_none() && rows.len() == 1 && !sentence
            }
        };
        let kind = if heading {
            BlockKind::Heading
        } else {
            BlockKind::Text
        };
        let mut block = Block::new(kind, lines(rows));
        block.body = true;
        out.push(block);
    }
    out
}

/// 附件说明 (7.3.4): "附件：1.名称", later names aligned under the first, wrapped
/// lines aligned with the name's first character.
fn attachment_note(doc: &Document, shaper: &mut Shaper<'_>) -> Option<Block> {
    if doc.attachments.is_empty() {
        return None;
    }
    let fs = body_style(Role::FangSong);
    let label = text::shape(shaper, &[("附件：", fs)]);
    let label_w = text::width(&label);
    let many = doc.attachments.len() > 1;
    let mut rows = Vec::new();
    for (i, a) in doc.attachments.iter().enumerate() {
        // 附件名称后不加标点符号.
        let name = a
            .name
            .trim()
            .trim_end_matches(['。', '.', '；', ';', '，', ',', '、']);
        let number = if many {
            format!("{}.", i + 1)
        } else {
            String::new()
        };
        let num_glyphs = text::shape(shaper, &[(&number, fs)]);
        let mut glyphs = if i == 0 { label.clone() } else { Vec::new() };
        glyphs.extend(num_glyphs.iter().cloned());
        glyphs.extend(text::shape(shaper, &[(name, fs)]));
        let first = 2.0 * CELL + if i == 0 { 0.0 } else { label_w };
        let rest = 2.0 * CELL + label_w + text::width(&num_glyphs);
        rows.extend(text::paragraph(&glyphs, first, rest, BODY_W));
    }
    let mut b = Block::new(BlockKind::Text, lines(rows)).space(1.0);
    b.keep_together = rows_fit(&b);
    Some(b)
}

fn rows_fit(b: &Block) -> bool {
    b.lines.len() <= 6
}

/// 出席、请假、列席 (10.3): 黑体 label, 仿宋 names aligned after the colon.
fn minutes_people(doc: &Document, shaper: &mut Shaper<'_>) -> Vec<Block> {
    let Some(people) = &doc.minutes else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (label, names) in [
        ("出席", &people.attendees),
        ("请假", &people.absentees),
        ("列席", &people.observers),
    ] {
        let names: Vec<&str> = names
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            continue;
        }
        let head = text::shape(
            shaper,
            &[
                (label, body_style(Role::Hei)),
                ("：", body_style(Role::FangSong)),
            ],
        );
        let head_w = text::width(&head);
        let keep = text::list_ranges(&names, "、", head.len());
        let mut glyphs = head;
        glyphs.extend(text::shape(
            shaper,
            &[(&names.join("、"), body_style(Role::FangSong))],
        ));
        // A name never splits across lines; the list may run on to the next page.
        let rows = text::paragraph_keeping(&glyphs, 2.0 * CELL, 2.0 * CELL + head_w, BODY_W, &keep);
        let mut b = Block::new(BlockKind::Text, lines(rows));
        // The people are part of the 纪要's content: a 成文日期 after them is not
        // standing alone.
        b.body = true;
        if out.is_empty() {
            b = b.space(1.0);
        }
        out.push(b);
    }
    out
}

/// Glyphs placed from `x` at natural advances.
fn at(glyphs: &[SGlyph], x: f32) -> Vec<LGlyph> {
    Line::at(glyphs, x).glyphs
}

/// The seal (image or generated) centred on (cx, cy), block-relative.
#[allow(clippy::too_many_arguments)]
fn seal_items(
    doc: &Document,
    name: &str,
    cx: f32,
    cy: f32,
    image_allowed: bool,
    shaper: &mut Shaper<'_>,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Vec<Item> {
    if let Seal::Image(path) = &doc.seal
        && image_allowed
    {
        let p = std::path::Path::new(path);
        let full = match (&options.base_dir, p.is_relative()) {
            (Some(base), true) => base.join(p),
            _ => p.to_path_buf(),
        };
        match seal::load_image(&full) {
            Ok(img) => {
                let h = SEAL_D * img.height as f32 / img.width.max(1) as f32;
                return vec![Item::Image {
                    x: cx - SEAL_D / 2.0,
                    y: cy - h / 2.0,
                    w: SEAL_D,
                    h,
                    image: img,
                }];
            }
            Err(e) => {
                if !warnings.iter().any(|w| w.code == WarningCode::SealImage) {
                    warnings.push(Warning {
                        code: WarningCode::SealImage,
                        message: format!("{e}；已改用生成的示意印章"),
                    });
                }
            }
        }
    }
    seal::generated(shaper, name, cx, cy)
}

/// 署名、成文日期和印章 (7.3.5).
fn signature_block(
    doc: &Document,
    shaper: &mut Shaper<'_>,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Option<Block> {
    let names: Vec<String> = if doc.signatures.iter().any(|s| !s.trim().is_empty()) {
        doc.signatures
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    } else if doc.format == Format::Minutes {
        // A 纪要 carries no 署名 unless one is given (10.3).
        Vec::new()
    } else {
        doc.issuers
            .iter()
            .map(|i| i.name.trim().to_string())
            .collect()
    };
    let date = doc.date.map(|d| d.chinese());
    if names.is_empty() && date.is_none() {
        return None;
    }
    let fs = body_style(Role::FangSong);
    let date_g = date
        .as_deref()
        .map(|d| text::shape(shaper, &[(d, fs)]))
        .unwrap_or_default();
    let w_d = text::width(&date_g);
    let name_g: Vec<Vec<SGlyph>> = names
        .iter()
        .map(|n| text::shape(shaper, &[(n, fs)]))
        .collect();

    if doc.format == Format::Order {
        return Some(signature_stamp(doc, &names, &date_g, shaper));
    }

    if doc.seal.is_sealed() && !names.is_empty() {
        return Some(sealed_signature(
            doc, &names, &name_g, &date_g, shaper, options, warnings,
        ));
    }

    // 7.3.5.2: 署名右空二字; 成文日期首字比署名首字右移二字; 日期长于署名时日期右空二字，
    // 署名相应左移. 联合行文: 主办机关署名在前，其余依次向下.
    // Whichever reaches further right decides: the 署名 two characters from the
    // right, or the 成文日期 (two characters right of the 署名) two from the right.
    let w_s = name_g.iter().map(|g| text::width(g)).fold(0.0, f32::max);
    let sig_x = (BODY_W - 2.0 * CELL - w_s).min(BODY_W - 4.0 * CELL - w_d);
    let mut block_lines: Vec<Line> = name_g.iter().map(|g| Line::new(at(g, sig_x))).collect();
    if !date_g.is_empty() {
        let date_x = if names.is_empty() {
            BODY_W - 2.0 * CELL - w_d
        } else {
            sig_x + 2.0 * CELL
        };
        block_lines.push(Line::new(at(&date_g, date_x)));
    }
    Some(Block::new(BlockKind::Signature, block_lines).space(1.0))
}

/// 署名、成文日期 and seals, 7.3.5.1 (加盖印章的公文).
///
/// 成文日期右空四字; 单一机关行文: 署名 centred on the 成文日期 above it. 联合行文: the
/// 署名 in issuing order, side by side in rows, each under its own seal (印章一一对应、
/// 端正、居中下压发文机关署名), the last seal pressing the last 署名 and the 成文日期
/// (最后一个印章居中下压发文机关署名和成文日期); seals in a row evenly spaced, never
/// touching (互不相交或相切), no row wider than the 版心 (每排印章两端不得超出版心);
/// the first row's seals start within a line of the text above (two blank lines,
/// the seal's centre [`seal::SEAL_CENTRE_BELOW_LINE_TOP`] below the 署名 line's top).
fn sealed_signature(
    doc: &Document,
    names: &[String],
    name_g: &[Vec<SGlyph>],
    date_g: &[SGlyph],
    shaper: &mut Shaper<'_>,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Block {
    let w_d = text::width(date_g);
    // A column is as wide as its seal or its 署名, whichever is wider.
    let widest = name_g
        .iter()
        .map(|g| text::width(g))
        .fold(SEAL_D, f32::max)
        .min(BODY_W);
    // Seals 4 mm apart at least; 署名 one character apart at least.
    let pitch = (SEAL_D + 4.0).max(widest + CELL);
    let per_row = (((BODY_W - widest) / pitch).floor() as usize + 1).max(1);
    let cols = names.len().min(per_row);
    let half = widest / 2.0;
    // The last column is centred on the 成文日期 (右空四字), inside the 版心.
    let date_centre = if w_d > 0.0 {
        BODY_W - 4.0 * CELL - w_d / 2.0
    } else {
        BODY_W - 4.0 * CELL - half
    };
    let mut last_cx = date_centre.min(BODY_W - half);
    let first_cx = last_cx - (cols as f32 - 1.0) * pitch;
    if first_cx - half < 0.0 {
        last_cx += half - first_cx;
    }
    // Rows of seals one under another: the next 署名 line at least a seal and 2 mm
    // below, on the grid.
    let row_step = ((SEAL_D + 2.0) / PITCH).ceil() as usize;
    let joint_image = names.len() > 1 && matches!(doc.seal, Seal::Image(_));
    if joint_image {
        warnings.push(Warning {
            code: WarningCode::SealImage,
            message: "联合行文只给了一个印章图片，已用于主办机关；其余机关使用生成的示意印章"
                .to_string(),
        });
    }
    let rows: Vec<&[Vec<SGlyph>]> = name_g.chunks(per_row).collect();
    let mut block_lines: Vec<Line> = Vec::new();
    let mut deco = Vec::new();
    for (ri, row) in rows.iter().enumerate() {
        if ri > 0 {
            for _ in 0..row_step - 1 {
                block_lines.push(Line::blank());
            }
        }
        let line_top = block_lines.len() as f32 * PITCH;
        let cy = line_top + seal::SEAL_CENTRE_BELOW_LINE_TOP;
        let mut glyphs = Vec::new();
        let n_in_row = row.len();
        for (ci, g) in row.iter().enumerate() {
            // Columns aligned from the right: the last seal of the last row sits
            // over the 成文日期.
            let cx = last_cx - (n_in_row - 1 - ci) as f32 * pitch;
            glyphs.extend(at(g, cx - text::width(g) / 2.0));
            let idx = ri * per_row + ci;
            let image_allowed = !joint_image || idx == 0;
            deco.extend(seal_items(
                doc,
                &names[idx],
                LEFT + cx,
                cy,
                image_allowed,
                shaper,
                options,
                warnings,
            ));
        }
        block_lines.push(Line::new(glyphs));
    }
    block_lines.push(Line::new(at(date_g, last_cx - w_d / 2.0)));
    let mut b = Block::new(BlockKind::Signature, block_lines).space(2.0);
    let reach = deco
        .iter()
        .map(super::flow::item_bottom)
        .fold(0.0, f32::max);
    b.overhang = (reach - b.height()).max(0.0);
    b.deco = deco;
    b
}

/// 7.3.5.3 (命令格式, 10.2): 正文下空二行右空四字加盖签发人签名章，签名章左空二字标注签发人
/// 职务，以签名章为准上下居中; 签名章下空一行右空四字编排成文日期. 联合行文: 主办机关签发人
/// 职务、签名章在前，其余依次向下编排，与之上下对齐; 每行只编排一个机关的签发人职务、签名章.
///
/// Each 签发人 is a name, or "职务 姓名" (the last space separates them);
/// `signer_title` is the first 签发人's 职务 when it is not given inline.
fn signature_stamp(
    doc: &Document,
    names: &[String],
    date_g: &[SGlyph],
    shaper: &mut Shaper<'_>,
) -> Block {
    let mut signers: Vec<(Option<String>, String)> = doc
        .signers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| match s.rsplit_once(char::is_whitespace) {
            Some((title, name)) if !title.trim().is_empty() => {
                (Some(title.trim().to_string()), name.to_string())
            }
            _ => (None, s.to_string()),
        })
        .collect();
    if signers.is_empty() {
        signers.extend(names.first().map(|n| (None, n.clone())));
    }
    if let Some(first) = signers.first_mut()
        && first.0.is_none()
    {
        first.0 = doc
            .signer_title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
    }
    let stamp_em = 9.0;
    let stamp_style = Style::natural(Role::Kai, stamp_em / PT).red();
    let fs = body_style(Role::FangSong);
    let stamps: Vec<Vec<SGlyph>> = signers
        .iter()
        .map(|(_, n)| text::shape(shaper, &[(n.as_str(), stamp_style)]))
        .collect();
    let titles: Vec<Vec<SGlyph>> = signers
        .iter()
        .map(|(t, _)| text::shape(shaper, &[(t.as_deref().unwrap_or(""), fs)]))
        .collect();
    // The stamps end four characters from the right; the 职务 column ends two
    // characters before the widest stamp, so every row lines up with the first.
    let stamp_right = BODY_W - 4.0 * CELL;
    let widest = stamps.iter().map(|g| text::width(g)).fold(0.0, f32::max);
    let title_right = (stamp_right - widest - 2.0 * CELL).max(0.0);
    let mut rows = Vec::new();
    let mut deco = Vec::new();
    let em = fs.em();
    for (i, (stamp, title)) in stamps.iter().zip(&titles).enumerate() {
        rows.push(Line::new(at(stamp, stamp_right - text::width(stamp))));
        if !title.is_empty() {
            // 以签名章为准上下居中: the 职务's em box centred on the stamp's line.
            let baseline = i as f32 * PITCH + PITCH / 2.0 + (ASCENT - 0.5) * em;
            let x = (title_right - text::width(title)).max(0.0);
            let mut pos = LEFT + x;
            let placed: Vec<(&SGlyph, f32)> = title
                .iter()
                .map(|s| {
                    let p = pos;
                    pos += s.advance;
                    (s, p)
                })
                .collect();
            deco.extend(glyph_runs(placed.into_iter(), baseline));
        }
    }
    rows.push(Line::blank());
    if !date_g.is_empty() {
        rows.push(Line::new(at(
            date_g,
            BODY_W - 4.0 * CELL - text::width(date_g),
        )));
    }
    let mut b = Block::new(BlockKind::Signature, rows).space(2.0);
    b.deco = deco;
    b
}

/// Whether any seal in `items` reaches a line of text whose ink starts at `top`
/// (block-relative) and runs from the left up to `reach` (mm from the page edge).
fn seal_touches(items: &[Item], top: f32, reach: f32) -> bool {
    const CLEAR: f32 = 0.8;
    items.iter().any(|i| match *i {
        Item::Circle {
            cx, cy, r, stroke, ..
        } => {
            let r = r + stroke / 2.0 + CLEAR;
            let dy = top - cy;
            dy < r && reach > cx - (r * r - dy.max(0.0).powi(2)).sqrt()
        }
        Item::Image { x, y, h, .. } => top < y + h + CLEAR && reach > x - CLEAR,
        _ => false,
    })
}

/// 附注 (7.3.6): 居左空二字加圆括号，成文日期下一行.
fn note_block(note: &str, shaper: &mut Shaper<'_>) -> Option<Block> {
    let note = note.trim();
    if note.is_empty() {
        return None;
    }
    let text = if note.starts_with('（') && note.ends_with('）') {
        note.to_string()
    } else {
        format!("（{note}）")
    };
    let glyphs = text::shape(shaper, &[(&text, body_style(Role::FangSong))]);
    Some(Block::new(
        BlockKind::Text,
        lines(text::paragraph(&glyphs, 2.0 * CELL, 0.0, BODY_W)),
    ))
}

/// 附件 (7.3.7): 另面编排; "附件N" 3号黑体顶格第一行; 标题居中第三行; 格式同正文.
fn attachment_pages(
    doc: &Document,
    shaper: &mut Shaper<'_>,
    warnings: &mut Vec<Warning>,
) -> Vec<Block> {
    let many = doc.attachments.len() > 1;
    let mut out = Vec::new();
    for (i, a) in doc.attachments.iter().enumerate() {
        let Some(text_body) = a.body.as_deref().filter(|b| !b.trim().is_empty()) else {
            continue;
        };
        let label = if many {
            format!("附件{}", i + 1)
        } else {
            "附件".to_string()
        };
        let g = text::shape(shaper, &[(&label, body_style(Role::Hei))]);
        let mut head = Block::new(BlockKind::Head, vec![Line::at(&g, 0.0)]);
        head.new_page = true;
        head.keep_with_next = true;
        out.push(head);
        let mut title = title_block(doc, &a.name, shaper, warnings).space(1.0);
        title.keep_with_next = true;
        out.push(title);
        let mut body = body_blocks(text_body, shaper);
        if let Some(first) = body.first_mut() {
            first.space_before = PITCH;
        }
        out.extend(body);
    }
    out
}

/// 版记 (7.4): 抄送 and 印发机关/日期 in 4号仿宋, 左右各空一字, between full-width
/// rules (first and last 0.35 mm, middle 0.25 mm).
fn imprint(doc: &Document, shaper: &mut Shaper<'_>) -> Option<Block> {
    let letter = doc.format == Format::Letter;
    let cc: Vec<&str> = doc
        .cc
        .iter()
        .map(|s| s.trim().trim_end_matches(['。', '，', '、']))
        .filter(|s| !s.is_empty())
        .collect();
    let printing = if letter { None } else { doc.printing.as_ref() };
    if cc.is_empty() && printing.is_none() {
        return None;
    }
    let style = Style::natural(Role::FangSong, SMALL_SIZE);
    let one = style.em();
    let row = PITCH * 0.75;
    let mut rows: Vec<Line> = Vec::new();
    let mut deco = Vec::new();
    if !letter {
        deco.push(Item::Rect {
            x: LEFT,
            y: 0.0,
            w: BODY_W,
            h: IMPRINT_THICK,
            color: Color::BLACK,
        });
    }
    if !cc.is_empty() {
        // 7.4.2: "抄送"二字后加全角冒号和抄送机关名称，回行时与冒号后的首字对齐，最后标句号.
        let label = text::shape(shaper, &[("抄送：", style)]);
        let lw = text::width(&label);
        let keep = text::list_ranges(&cc, "，", label.len());
        let mut glyphs = label;
        glyphs.extend(text::shape(
            shaper,
            &[(&format!("{}。", cc.join("，")), style)],
        ));
        for l in text::paragraph_keeping(&glyphs, one, one + lw, BODY_W - one, &keep) {
            rows.push(Line {
                glyphs: l,
                height: row,
            });
        }
    }
    if let Some(p) = printing {
        if !rows.is_empty() {
            let y = rows.len() as f32 * row;
            deco.push(Item::Rect {
                x: LEFT,
                y: y - IMPRINT_THIN / 2.0,
                w: BODY_W,
                h: IMPRINT_THIN,
                color: Color::BLACK,
            });
        }
        // 7.4.3: 印发机关左空一字，印发日期右空一字，后加"印发"二字.
        let organ = text::shape(shaper, &[(p.organ.trim(), style)]);
        let date = text::shape(shaper, &[(&format!("{}印发", p.date.chinese()), style)]);
        let mut glyphs = at(&organ, one);
        glyphs.extend(at(&date, BODY_W - one - text::width(&date)));
        rows.push(Line {
            glyphs,
            height: row,
        });
    }
    let h: f32 = rows.iter().map(|l| l.height).sum();
    if !letter {
        // 7.4.1: 末条分隔线与公文最后一面的版心下边缘重合.
        deco.push(Item::Rect {
            x: LEFT,
            y: h - IMPRINT_THICK,
            w: BODY_W,
            h: IMPRINT_THICK,
            color: Color::BLACK,
        });
    }
    let mut b = Block::new(BlockKind::Imprint, rows);
    b.deco = deco;
    Some(b)
}

/// Every flow block of the document, in order.
pub fn build(
    doc: &Document,
    shaper: &mut Shaper<'_>,
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Vec<Block> {
    let mut out = Vec::new();
    let has_title = !doc.title.trim().is_empty();
    if has_title {
        out.push(title_block(doc, &doc.title, shaper, warnings));
    }
    // 7.3.2: 主送机关编排于标题下空一行位置，居左顶格，回行时仍顶格，最后标全角冒号.
    let recipients: Vec<&str> = doc
        .main_recipients
        .iter()
        .map(|s| s.trim().trim_end_matches(['：', ':', '，', '、']))
        .filter(|s| !s.is_empty())
        .collect();
    if !recipients.is_empty() {
        let text = format!("{}：", recipients.join("，"));
        let glyphs = text::shape(shaper, &[(&text, body_style(Role::FangSong))]);
        let keep = text::list_ranges(&recipients, "，", 0);
        let mut b = Block::new(
            BlockKind::Head,
            lines(text::paragraph_keeping(&glyphs, 0.0, 0.0, BODY_W, &keep)),
        );
        if has_title {
            b = b.space(1.0);
        }
        b.keep_with_next = true;
        b.keep_together = b.lines.len() <= 3;
        out.push(b);
    }
    // 7.3.3: 正文编排于主送机关名称下一行.
    let mut body = body_blocks(&doc.body, shaper);
    if recipients.is_empty()
        && has_title
        && let Some(first) = body.first_mut()
    {
        first.space_before = PITCH;
    }
    out.extend(body);
    out.extend(attachment_note(doc, shaper));
    if doc.format == Format::Minutes {
        out.extend(minutes_people(doc, shaper));
    }
    let signature = signature_block(doc, shaper, options, warnings);
    if let Some(mut note) = doc.note.as_deref().and_then(|n| note_block(n, shaper)) {
        // 7.3.6: 附注 on the line below the 成文日期 — unless the seal hanging below
        // the date would touch it; then one line lower.
        if let Some(sig) = &signature
            && sig.overhang > 0.0
            && let Some(first) = note.lines.first()
            && let Some(last) = first.glyphs.last()
        {
            let reach = LEFT + last.x + last.glyph.advance;
            let ink_top = sig.height() + (PITCH - BODY_SIZE * PT) / 2.0;
            if seal_touches(&sig.deco, ink_top, reach) {
                note.space_before = PITCH;
            }
        }
        out.extend(signature);
        out.push(note);
    } else {
        out.extend(signature);
    }
    out.extend(attachment_pages(doc, shaper, warnings));
    out.extend(imprint(doc, shaper));
    out
}
