//! The flow: blocks of lines paginated down the 版心, then page numbers and the 版记.

use std::collections::BTreeSet;

use super::geometry::*;
use crate::fonts::{Role, Shaper};
use crate::model::{Glyph, GlyphRun, Item, Page};
use crate::text::{self, LGlyph, SGlyph, Style};

const EPS: f32 = 0.05;

/// One line of the flow. Glyph x positions are relative to the 版心's left edge.
#[derive(Debug, Clone)]
pub struct Line {
    pub glyphs: Vec<LGlyph>,
    /// Height of the line box (the grid pitch for ordinary lines).
    pub height: f32,
}

impl Line {
    pub fn new(glyphs: Vec<LGlyph>) -> Line {
        Line {
            glyphs,
            height: PITCH,
        }
    }

    /// An empty line (a blank grid row).
    pub fn blank() -> Line {
        Line::new(Vec::new())
    }

    /// Glyphs set at their natural advances from x = `x`.
    pub fn at(glyphs: &[SGlyph], x: f32) -> Line {
        let mut pos = x;
        let placed = glyphs
            .iter()
            .map(|g| {
                let l = LGlyph {
                    glyph: g.clone(),
                    x: pos,
                };
                pos += g.advance;
                l
            })
            .collect();
        Line::new(placed)
    }

    /// Glyphs centred across the 版心.
    pub fn centred(glyphs: &[SGlyph]) -> Line {
        Line::at(glyphs, (BODY_W - text::width(glyphs)) / 2.0)
    }

    /// Glyphs ending `right_space` mm before the 版心's right edge.
    pub fn right(glyphs: &[SGlyph], right_space: f32) -> Line {
        Line::at(glyphs, BODY_W - right_space - text::width(glyphs))
    }

    /// The em size (mm) of the line's largest glyph.
    fn em(&self) -> f32 {
        self.glyphs
            .iter()
            .map(|g| g.glyph.style.em())
            .fold(0.0, f32::max)
    }

    /// Draws the line with its box top at `y`.
    pub fn items(&self, y: f32) -> Vec<Item> {
        self.items_in(y, self.height)
    }

    /// Draws the line in a box `height` tall (its own, or less on a page whose
    /// line spacing was tightened) with its top at `y`.
    fn items_in(&self, y: f32, height: f32) -> Vec<Item> {
        let em = self.em();
        let baseline = y + (height - em) / 2.0 + ASCENT * em;
        glyph_runs(self.glyphs.iter().map(|g| (&g.glyph, LEFT + g.x)), baseline)
    }
}

/// Groups placed glyphs into runs of one face, size and colour.
pub fn glyph_runs<'a>(glyphs: impl Iterator<Item = (&'a SGlyph, f32)>, baseline: f32) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut run: Option<GlyphRun> = None;
    for (g, x) in glyphs {
        if g.ch == ' ' {
            continue;
        }
        let same = run.as_ref().is_some_and(|r| {
            r.face == g.face && r.size == g.style.size && r.color == g.style.color
        });
        if !same {
            if let Some(r) = run.take() {
                out.push(Item::Text(r));
            }
            run = Some(GlyphRun {
                face: g.face,
                size: g.style.size,
                color: g.style.color,
                baseline,
                rotation: 0.0,
                glyphs: Vec::new(),
            });
        }
        if let Some(r) = run.as_mut() {
            r.glyphs.push(Glyph {
                gid: g.gid,
                text: g.ch.to_string(),
                x,
                y: baseline,
            });
        }
    }
    if let Some(r) = run {
        out.push(Item::Text(r));
    }
    out
}

/// What a block is, for the pagination rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Title and 主送: not body text.
    Head,
    /// Body paragraphs and everything else that may split across pages.
    Text,
    /// A heading: never the last thing on a page.
    Heading,
    /// 署名, 成文日期 and seal: never alone on a page (7.3.5).
    Signature,
    /// The 版记: bottom of the last (even) page (7.4).
    Imprint,
}

/// Decorations drawn with a block, y relative to the block's top.
pub type Deco = Vec<Item>;

/// Lines that belong together, with their pagination rules.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    pub lines: Vec<Line>,
    /// Blank space above the block (dropped at the top of a page).
    pub space_before: f32,
    pub keep_together: bool,
    pub keep_with_next: bool,
    /// Starts a new page (附件, 7.3.7).
    pub new_page: bool,
    /// Part of the 正文 (not the title, 主送, 附件说明 or 附注): the signature block
    /// takes at least one such line along to its page.
    pub body: bool,
    /// How far the decorations reach below the last line (a seal pressed on the
    /// date hangs below it): that much room must be left on the page too.
    pub overhang: f32,
    pub deco: Deco,
}

impl Block {
    pub fn new(kind: BlockKind, lines: Vec<Line>) -> Block {
        Block {
            kind,
            keep_with_next: kind == BlockKind::Heading,
            keep_together: matches!(
                kind,
                BlockKind::Heading | BlockKind::Signature | BlockKind::Imprint | BlockKind::Head
            ),
            lines,
            space_before: 0.0,
            new_page: false,
            body: false,
            overhang: 0.0,
            deco: Vec::new(),
        }
    }

    pub fn space(mut self, rows: f32) -> Block {
        self.space_before = rows * PITCH;
        self
    }

    pub fn height(&self) -> f32 {
        self.lines.iter().map(|l| l.height).sum()
    }

    fn first_line(&self) -> f32 {
        self.lines.first().map_or(0.0, |l| l.height)
    }
}

/// The first-page marks and where the flow starts.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub items: Vec<Item>,
    /// Top of the flow's first line on page 1.
    pub flow_top: f32,
    /// 信函格式: no page number on page 1 (10.1).
    pub no_folio_first_page: bool,
    /// 信函格式: the 版记 has no rules and no 印发 line (10.1).
    pub letter: bool,
}

#[derive(Debug, Clone, Copy)]
enum Placed {
    /// `h`: the height the line was given (its own, or less on a tightened page).
    Line {
        block: usize,
        line: usize,
        y: f32,
        h: f32,
    },
    Deco {
        block: usize,
        y: f32,
    },
}

/// The room block `bi` needs at the foot of a page before it may start there: all
/// of it when it is kept together (with its overhang), otherwise its first line;
/// and, when it is kept with the next block, what that block needs in turn. So a
/// run of headings stays with the first line of the text they introduce.
fn need(blocks: &[Block], bi: usize, depth: usize) -> f32 {
    let b = &blocks[bi];
    let own = if b.keep_together {
        b.height() + b.overhang
    } else {
        b.first_line()
    };
    match blocks.get(bi + 1) {
        Some(next) if b.keep_with_next && !next.new_page && depth < 16 => {
            own + next.space_before + need(blocks, bi + 1, depth + 1)
        }
        _ => own,
    }
}

/// How far 7.3.5.5 may tighten a page's line spacing: to 7/8 of the grid pitch
/// (from 22 to at most 25 lines in the 版心; the gap between 3号 lines shrinks from
/// about 4.6 mm to 3.3 mm, still more than half a character).
const TIGHTEST: f32 = 0.875;

/// A page whose line spacing is tightened: (page index, factor on line heights
/// and the blank space between blocks).
type Tight = Option<(usize, f32)>;

fn place_flow(
    blocks: &[Block],
    flow_top: f32,
    breaks: &BTreeSet<(usize, usize)>,
    tight: Tight,
) -> Vec<Vec<Placed>> {
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = flow_top;
    let mut at_top = true;
    let factor = |pages: &Vec<Vec<Placed>>| match tight {
        Some((p, f)) if p + 1 == pages.len() => f,
        _ => 1.0,
    };
    for (bi, b) in blocks.iter().enumerate() {
        if b.new_page && !pages.last().is_some_and(Vec::is_empty) {
            pages.push(Vec::new());
            y = TOP;
            at_top = true;
        }
        let f = factor(&pages);
        let mut space = if at_top { 0.0 } else { b.space_before * f };
        // What cannot fit on any page is not worth a new page: then only the first
        // line must fit here.
        let mut wanted = need(blocks, bi, 0);
        if wanted > BODY_H + EPS {
            wanted = b.first_line();
        }
        // Tightening shrinks the space above the signature block but not its lines:
        // its seal is drawn against them.
        let wanted = if b.kind == BlockKind::Signature {
            wanted
        } else {
            wanted * f
        };
        if !at_top && y + space + wanted > BOTTOM + EPS {
            pages.push(Vec::new());
            y = TOP;
            space = 0.0;
        }
        y += space;
        if let Some(page) = pages.last_mut()
            && !b.deco.is_empty()
        {
            page.push(Placed::Deco { block: bi, y });
        }
        for (li, line) in b.lines.iter().enumerate() {
            let forced = breaks.contains(&(bi, li));
            let page_has_lines = pages
                .last()
                .is_some_and(|p| p.iter().any(|e| matches!(e, Placed::Line { .. })));
            // 5.2.3: the page is filled, 22 lines; a paragraph simply runs on.
            let lf = |pages: &Vec<Vec<Placed>>| {
                if b.kind == BlockKind::Signature {
                    1.0
                } else {
                    factor(pages)
                }
            };
            if (forced || y + line.height * lf(&pages) > BOTTOM + EPS) && page_has_lines {
                pages.push(Vec::new());
                y = TOP;
            }
            let h = line.height * lf(&pages);
            if let Some(page) = pages.last_mut() {
                page.push(Placed::Line {
                    block: bi,
                    line: li,
                    y,
                    h,
                });
            }
            y += h;
            at_top = false;
        }
    }
    pages
}

/// The page on which the signature block starts, when it starts a page that
/// carries no 正文 before it (the case 7.3.5.1 and 7.3.5.5 are about).
fn signature_alone(blocks: &[Block], pages: &[Vec<Placed>]) -> Option<usize> {
    let sig = blocks.iter().position(|b| b.kind == BlockKind::Signature)?;
    let starts = |e: &Placed| matches!(e, Placed::Line { block, line: 0, .. } if *block == sig);
    let pi = pages.iter().position(|p| p.iter().any(starts))?;
    let body_before = pages[pi]
        .iter()
        .take_while(|e| !starts(e))
        .any(|e| matches!(e, Placed::Line { block, .. } if blocks[*block].body));
    (pi > 0 && !body_before).then_some(pi)
}

/// 7.3.5.5 特殊情况说明: 当公文排版后所剩空白处不能容下印章或签发人签名章、成文日期时，
/// 可以采取调整行距、字距的措施解决. When the signature block was pushed off the page
/// that ends the 正文, that page's line spacing is tightened, as little as will do
/// and at most to [`TIGHTEST`], so that the block fits under the text. Character
/// spacing stays on the grid: the lines keep their 28 characters. `None` when
/// nothing needs to move or tightening cannot make room.
fn tighten_for_signature(
    blocks: &[Block],
    flow_top: f32,
    placed: &[Vec<Placed>],
) -> Option<Vec<Vec<Placed>>> {
    let pi = signature_alone(blocks, placed)?;
    let target = pi - 1;
    let sig = blocks.iter().position(|b| b.kind == BlockKind::Signature)?;
    let fits = |pages: &[Vec<Placed>]| {
        pages.get(target).is_some_and(|p| {
            p.iter()
                .any(|e| matches!(e, Placed::Line { block, .. } if *block == sig))
        })
    };
    if !fits(&place_flow(
        blocks,
        flow_top,
        &BTreeSet::new(),
        Some((target, TIGHTEST)),
    )) {
        return None;
    }
    // The loosest spacing that fits, to a thousandth.
    let (mut lo, mut hi) = (TIGHTEST, 1.0_f32);
    for _ in 0..10 {
        let mid = (lo + hi) / 2.0;
        if fits(&place_flow(
            blocks,
            flow_top,
            &BTreeSet::new(),
            Some((target, mid)),
        )) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(place_flow(
        blocks,
        flow_top,
        &BTreeSet::new(),
        Some((target, lo)),
    ))
}

/// If the signature block was pushed to the top of a page, the page before gives
/// up its last line of 正文 (and whatever follows it there, such as the 附件说明) so
/// that the signature never stands alone on a page (7.3.5: never a page with only
/// the 署名). A heading left at the foot by that goes along too. Returns where the
/// page must break, or `None` when nothing needs to move or nothing can.
fn signature_fix(blocks: &[Block], pages: &[Vec<Placed>]) -> Option<(usize, usize)> {
    let sig = blocks.iter().position(|b| b.kind == BlockKind::Signature)?;
    let starts = |e: &Placed| matches!(e, Placed::Line { block, line: 0, .. } if *block == sig);
    let pi = pages.iter().position(|p| p.iter().any(starts))?;
    if pi == 0 {
        return None;
    }
    // 正文 on the signature's page, before it: nothing to do.
    let page = &pages[pi];
    let before_sig = page.iter().take_while(|e| !starts(e));
    if before_sig
        .filter_map(|e| match e {
            Placed::Line { block, .. } => Some(*block),
            Placed::Deco { .. } => None,
        })
        .any(|b| blocks[b].body)
    {
        return None;
    }
    let prev: Vec<(usize, usize)> = pages[pi - 1]
        .iter()
        .filter_map(|e| match e {
            Placed::Line { block, line, .. } => Some((*block, *line)),
            Placed::Deco { .. } => None,
        })
        .collect();
    let mut k = prev.iter().rposition(|&(b, _)| blocks[b].body)?;
    loop {
        let (b, l) = prev[k];
        // A block kept together moves whole.
        if blocks[b].keep_together && l > 0 && k > 0 && prev[k - 1].0 == b {
            k -= 1;
            continue;
        }
        // Never leave a heading (or a block kept with the next) at the foot.
        if k > 0 && blocks[prev[k - 1].0].keep_with_next && prev[k - 1].0 != b {
            k -= 1;
            continue;
        }
        break;
    }
    // The first page keeps some 正文; a page keeps at least one line.
    if k == 0 || !prev[..k].iter().any(|&(b, _)| blocks[b].body) && pi == 1 {
        return None;
    }
    Some(prev[k])
}

/// Paginates the flow and adds the 版记 and the page numbers.
pub fn paginate(header: Header, mut blocks: Vec<Block>, shaper: &mut Shaper<'_>) -> Vec<Page> {
    let imprint = blocks
        .iter()
        .position(|b| b.kind == BlockKind::Imprint)
        .map(|i| blocks.remove(i));

    let mut breaks = BTreeSet::new();
    let mut placed = place_flow(&blocks, header.flow_top, &breaks, None);
    // 7.3.5.5: when what is left of the page cannot hold the seal (or signature
    // stamp) and the 成文日期, the line spacing is adjusted; failing that, lines of
    // 正文 go along to the signature's page (7.3.5.1: 不得出现空白印章).
    if let Some(tightened) = tighten_for_signature(&blocks, header.flow_top, &placed) {
        placed = tightened;
    }
    for _ in 0..3 {
        match signature_fix(&blocks, &placed) {
            Some(at) if breaks.insert(at) => {
                placed = place_flow(&blocks, header.flow_top, &breaks, None)
            }
            _ => break,
        }
    }

    let mut pages: Vec<Page> = Vec::new();
    let mut bottoms: Vec<f32> = Vec::new();
    for (pi, entries) in placed.iter().enumerate() {
        let mut page = Page::a4();
        let mut bottom: f32 = if pi == 0 { header.flow_top } else { TOP };
        if pi == 0 {
            page.items.extend(header.items.iter().cloned());
        }
        for e in entries {
            match *e {
                Placed::Line { block, line, y, h } => {
                    let l = &blocks[block].lines[line];
                    page.items.extend(l.items_in(y, h));
                    bottom = bottom.max(y + h);
                }
                Placed::Deco { block, y } => {
                    for item in &blocks[block].deco {
                        let moved = translate(item, y);
                        bottom = bottom.max(item_bottom(&moved));
                        page.items.push(moved);
                    }
                }
            }
        }
        pages.push(page);
        bottoms.push(bottom);
    }

    // Pages that carry no page number: 信函 page 1; a blank page before the 版记
    // page and that 版记 page (7.5).
    let mut unnumbered: BTreeSet<usize> = BTreeSet::new();
    if header.no_folio_first_page {
        unnumbered.insert(0);
    }

    if let Some(imp) = imprint {
        let h = imp.height();
        let last = pages.len() - 1;
        // Half a line between the text and the 版记's first rule; a 信函's 抄送 has no
        // rule and only needs its glyphs clear of those above (1.5 mm between inks).
        let gap = if header.letter {
            1.5 - (PITCH - BODY_SIZE * crate::text::PT) / 2.0
        } else {
            PITCH * 0.5
        };
        let fits = bottoms[last] + gap <= BOTTOM - h;
        let target = if header.letter {
            if fits { last } else { last + 1 }
        } else if fits && (last + 1).is_multiple_of(2) {
            last
        } else if (last + 2).is_multiple_of(2) {
            last + 1
        } else {
            // A blank odd page, then the 版记 on the even page: both unnumbered.
            unnumbered.insert(last + 1);
            unnumbered.insert(last + 2);
            last + 2
        };
        while pages.len() <= target {
            pages.push(Page::a4());
        }
        let mut y = BOTTOM - h;
        for item in &imp.deco {
            pages[target].items.push(translate(item, y));
        }
        for l in &imp.lines {
            pages[target].items.extend(l.items(y));
            y += l.height;
        }
    }

    let style = Style::natural(Role::Song, SMALL_SIZE);
    for (i, page) in pages.iter_mut().enumerate() {
        if unnumbered.contains(&i) {
            continue;
        }
        // 7.5: 4号半角宋体阿拉伯数字，数字左右各放一条一字线；单页码居右空一字，双页码居左空一字.
        let label = format!("— {} —", i + 1);
        let glyphs = text::shape(shaper, &[(&label, style)]);
        let w = text::width(&glyphs);
        let one = style.em();
        let x = if (i + 1) % 2 == 1 {
            RIGHT - one - w
        } else {
            LEFT + one
        };
        let baseline = FOLIO_TOP + ASCENT * one;
        let mut pos = x;
        let positioned: Vec<(&SGlyph, f32)> = glyphs
            .iter()
            .map(|g| {
                let p = pos;
                pos += g.advance;
                (g, p)
            })
            .collect();
        page.items
            .extend(glyph_runs(positioned.into_iter(), baseline));
    }
    pages
}

/// Moves an item down by `dy`.
pub fn translate(item: &Item, dy: f32) -> Item {
    let mut it = item.clone();
    match &mut it {
        Item::Text(run) => {
            run.baseline += dy;
            for g in &mut run.glyphs {
                g.y += dy;
            }
        }
        Item::Rect { y, .. } | Item::Frame { y, .. } | Item::Image { y, .. } => *y += dy,
        Item::Circle { cy, .. } => *cy += dy,
        Item::Polygon { points, .. } => {
            for p in points {
                p.1 += dy;
            }
        }
        Item::Shape { contours, .. } => {
            for p in contours.iter_mut().flatten() {
                p.y += dy;
            }
        }
    }
    it
}

pub fn item_bottom(item: &Item) -> f32 {
    match item {
        Item::Text(run) => run.glyphs.iter().map(|g| g.y).fold(run.baseline, f32::max),
        Item::Rect { y, h, .. } | Item::Frame { y, h, .. } | Item::Image { y, h, .. } => y + h,
        Item::Circle { cy, r, .. } => cy + r,
        Item::Polygon { points, .. } => points.iter().map(|p| p.1).fold(f32::MIN, f32::max),
        Item::Shape { contours, .. } => contours
            .iter()
            .flatten()
            .map(|p| p.y)
            .fold(f32::MIN, f32::max),
    }
}
