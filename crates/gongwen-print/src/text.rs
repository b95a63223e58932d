//! Text: characters to positioned glyphs, line breaking with 避头尾, justification.
//!
//! Body text sits on the character grid of GB/T 9704-2012 5.2.2 (28 characters of
//! 3号 仿宋 across the 156 mm 版心): a full-width character advances one grid cell,
//! other characters their own width scaled the same way. Lines that are not the
//! last of their paragraph are justified to the full measure, as in print.

use crate::fonts::{FaceId, Role, Shaper};
use crate::model::Color;

/// Points to millimetres.
pub const PT: f32 = 25.4 / 72.0;

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub role: Role,
    /// Size in points.
    pub size: f32,
    pub color: Color,
    /// Advance of one em, in mm: the grid cell for body text, `size × PT` otherwise.
    pub cell: f32,
}

impl Style {
    /// Natural spacing: one em advances one em.
    pub fn natural(role: Role, size: f32) -> Style {
        Style {
            role,
            size,
            color: Color::BLACK,
            cell: size * PT,
        }
    }

    pub fn with_cell(self, cell: f32) -> Style {
        Style { cell, ..self }
    }

    pub fn red(self) -> Style {
        Style {
            color: Color::RED,
            ..self
        }
    }

    /// The em size in mm.
    pub fn em(&self) -> f32 {
        self.size * PT
    }
}

/// A shaped glyph, not yet placed.
#[derive(Debug, Clone)]
pub struct SGlyph {
    pub face: FaceId,
    pub gid: u16,
    /// The character the glyph shows (□ for a missing one).
    pub ch: char,
    pub style: Style,
    /// Advance in mm.
    pub advance: f32,
}

/// A glyph placed on a line: x is relative to the line's left edge.
#[derive(Debug, Clone)]
pub struct LGlyph {
    pub glyph: SGlyph,
    pub x: f32,
}

/// Characters that take no room and draw nothing (format controls, variation selectors).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Shapes spans of styled text into glyphs (one glyph per character; CJK needs no more).
pub fn shape<S: AsRef<str>>(shaper: &mut Shaper<'_>, spans: &[(S, Style)]) -> Vec<SGlyph> {
    let mut out = Vec::new();
    for (text, style) in spans {
        for ch in text.as_ref().chars() {
            let ch = if ch == '\t' { ' ' } else { ch };
            if is_invisible(ch) {
                continue;
            }
            if let Some((r, shown)) = shaper.resolve_or_substitute(style.role, ch) {
                out.push(SGlyph {
                    face: r.face,
                    gid: r.gid,
                    ch: shown,
                    style: *style,
                    advance: r.advance * style.cell,
                });
            }
        }
    }
    out
}

/// Total advance of glyphs, in mm.
pub fn width(glyphs: &[SGlyph]) -> f32 {
    glyphs.iter().map(|g| g.advance).sum()
}

/// No line may start with these (GB/T 15834 and common 避头 practice).
const NO_START: &str = "!%),.:;>?]}¢°·ˇˉ―‖’”…‰′″›℃∶、。〃〉》」』】〕〗〞︶︺︾﹀﹄﹚﹜﹞！＂％＇），．：；？］｀｜｝～￠ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ";
/// No line may end with these (避尾).
const NO_END: &str = "$([{£¥‘“〈《「『【〔〖〝﹙﹛﹝＄（［｛￡￥";

fn is_word_char(c: char) -> bool {
    c.is_ascii_graphic() || c.is_alphanumeric() && !is_cjk(c)
}

/// Ideographs, kana, hangul and full-width forms: characters that may break anywhere.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3200..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Whether a line may break between `a` and `b`.
pub fn can_break(a: char, b: char) -> bool {
    if NO_START.contains(b) || NO_END.contains(a) {
        return false;
    }
    if a == ' ' || b == ' ' {
        return true;
    }
    if is_word_char(a) && is_word_char(b) {
        return false;
    }
    // ——, …… are one mark each.
    !(a == b && matches!(a, '—' | '…' | '─'))
}

/// Breaks glyphs into lines: the first `first_width` mm wide, the others `width`.
/// Returns index ranges. Never fails: a run too long for any line is cut where it
/// must be.
pub fn break_lines(glyphs: &[SGlyph], first_width: f32, width: f32) -> Vec<std::ops::Range<usize>> {
    break_lines_keeping(glyphs, first_width, width, &[])
}

/// [`break_lines`], never breaking inside one of the `keep` ranges (names) unless
/// a range is too long for a line.
pub fn break_lines_keeping(
    glyphs: &[SGlyph],
    first_width: f32,
    width: f32,
    keep: &[std::ops::Range<usize>],
) -> Vec<std::ops::Range<usize>> {
    const EPS: f32 = 0.01;
    let allowed = |b: usize| {
        can_break(glyphs[b - 1].ch, glyphs[b].ch) && !keep.iter().any(|r| r.start < b && b < r.end)
    };
    let n = glyphs.len();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < n {
        // A continuation line never starts with a space.
        if !lines.is_empty() {
            while start < n && glyphs[start].ch == ' ' {
                start += 1;
            }
            if start == n {
                break;
            }
        }
        let w = if lines.is_empty() { first_width } else { width };
        let mut end = start;
        let mut acc = 0.0;
        while end < n && acc + glyphs[end].advance <= w + EPS {
            acc += glyphs[end].advance;
            end += 1;
        }
        if end == n {
            lines.push(start..n);
            break;
        }
        if end == start {
            end = start + 1;
        }
        let mut b = end;
        while b > start + 1 && !allowed(b) {
            b -= 1;
        }
        if b == start + 1 && !allowed(b) {
            // No opportunity at all (a long unbreakable string): cut at the measure.
            b = end;
        }
        lines.push(start..b);
        start = b;
    }
    lines
}

/// Places a line's glyphs from x = `indent`, justified to `measure` when `justify`.
pub fn place(glyphs: &[SGlyph], indent: f32, measure: f32, justify: bool) -> Vec<LGlyph> {
    // Trailing spaces do not count for justification.
    let mut len = glyphs.len();
    while len > 0 && glyphs[len - 1].ch == ' ' {
        len -= 1;
    }
    let natural = width(&glyphs[..len]);
    let extra = measure - natural;
    let gaps: Vec<usize> = if justify && extra > 0.01 && len > 1 {
        let cjk_gaps: Vec<usize> = (1..len)
            .filter(|&i| can_break(glyphs[i - 1].ch, glyphs[i].ch) || is_cjk(glyphs[i].ch))
            .collect();
        if cjk_gaps.is_empty() {
            (1..len).collect()
        } else {
            cjk_gaps
        }
    } else {
        Vec::new()
    };
    let per_gap = if gaps.is_empty() {
        0.0
    } else {
        extra / gaps.len() as f32
    };
    let mut x = indent;
    let mut out = Vec::with_capacity(glyphs.len());
    let mut gi = 0;
    for (i, g) in glyphs.iter().enumerate() {
        if gi < gaps.len() && gaps[gi] == i {
            x += per_gap;
            gi += 1;
        }
        out.push(LGlyph {
            glyph: g.clone(),
            x,
        });
        x += g.advance;
    }
    out
}

/// Sets a paragraph: first line indented by `first_indent`, the others by
/// `rest_indent`, all within `measure` mm, every line but the last justified.
pub fn paragraph(
    glyphs: &[SGlyph],
    first_indent: f32,
    rest_indent: f32,
    measure: f32,
) -> Vec<Vec<LGlyph>> {
    paragraph_keeping(glyphs, first_indent, rest_indent, measure, &[])
}

/// [`paragraph`], keeping each of the `keep` ranges (names in a list) on one line.
pub fn paragraph_keeping(
    glyphs: &[SGlyph],
    first_indent: f32,
    rest_indent: f32,
    measure: f32,
    keep: &[std::ops::Range<usize>],
) -> Vec<Vec<LGlyph>> {
    let first_indent = first_indent.min(measure * 0.5);
    let rest_indent = rest_indent.min(measure * 0.5);
    let ranges = break_lines_keeping(glyphs, measure - first_indent, measure - rest_indent, keep);
    let count = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let indent = if i == 0 { first_indent } else { rest_indent };
            place(&glyphs[r], indent, measure - indent, i + 1 < count)
        })
        .collect()
}

/// The glyph ranges of the items of a list joined by `separator` and shaped after
/// `offset` glyphs of something else (a label): what a line must not split.
pub fn list_ranges(items: &[&str], separator: &str, offset: usize) -> Vec<std::ops::Range<usize>> {
    let sep = separator.chars().count();
    let mut at = offset;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            at += sep;
        }
        let n = item.chars().filter(|&c| !is_invisible(c)).count();
        out.push(at..at + n);
        at += n;
    }
    out
}

/// Characters that end place and organ names (共和镇, 鹤山市, 应急管理局): a title
/// never breaks right before one.
const PLACE_SUFFIX: &str = "省市县区乡镇村局厅";
/// Suffixes after which a title may break (…共和镇|农村…), unless the next
/// character continues a word with it (县级, 镇政府).
const BREAK_AFTER_SUFFIX: &str = "县镇";
const SUFFIX_WORD_NEXT: &str = "长民委级域镇政人村";

/// Breaks a centred title into balanced lines (GB/T 9704-2012 7.3.1: 回行时要做到词意
/// 完整，排列对称，长短适宜; 梯形或菱形). Returns ranges. `protected` lists
/// character ranges that must not be split (organ names).
pub fn balanced_breaks(
    glyphs: &[SGlyph],
    measure: f32,
    protected: &[std::ops::Range<usize>],
) -> Vec<std::ops::Range<usize>> {
    let n = glyphs.len();
    let total = width(glyphs);
    if total <= measure + 0.01 || n < 2 {
        return break_lines(glyphs, measure, measure);
    }
    // Penalty for breaking before index i (1..n).
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    let text: String = chars.iter().collect();
    let penalty = |i: usize| -> Option<f32> {
        let (a, b) = (chars[i - 1], chars[i]);
        if !can_break(a, b) {
            return None;
        }
        if protected.iter().any(|r| r.start < i && i < r.end) {
            return None;
        }
        let before: String = chars[i..].iter().take(2).collect();
        let after: String = chars[..i]
            .iter()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        // Unknown words: breaking between any two characters may split a word (回行时
        // 要做到词意完整), so it costs more than an unbalanced break at a known boundary.
        let mut p = 14.0;
        if before == "关于" {
            p = 0.0;
        } else if matches!(a, '、' | '，' | '：' | '；' | '）' | '》' | '”') {
            p = 1.0;
        } else if (matches!(b, '和' | '及' | '与' | '暨') || matches!(a, '和' | '及' | '与' | '暨'))
            && !chars.get(i + 1).is_some_and(|&c| PLACE_SUFFIX.contains(c))
            && !PLACE_SUFFIX.contains(b)
        {
            // A conjunction — unless it begins a name such as 共和镇 or 和平村.
            p = 4.0;
        } else if PLACE_SUFFIX.contains(b) {
            // Never cut a place or organ name before its suffix (共和|镇).
            p = 30.0;
        } else if BREAK_AFTER_SUFFIX.contains(a)
            && !SUFFIX_WORD_NEXT.contains(b)
            && !PLACE_SUFFIX.contains(b)
            && is_cjk(b)
        {
            // Right after a place name (…共和镇|农村…).
            p = 6.0;
        } else if ["政府", "员会", "公室", "党委", "公司", "中心"]
            .iter()
            .any(|s| after.ends_with(s))
        {
            p = 1.5;
        } else if b == '的' || a == '的' {
            p = 8.0;
        } else if b == '（' || b == '《' {
            p = 2.0;
        }
        // Do not leave the 文种 (…的通知) alone on the last line.
        if text[text.char_indices().nth(i).map_or(text.len(), |(o, _)| o)..]
            .chars()
            .count()
            <= 2
        {
            p += 20.0;
        }
        Some(p)
    };
    let prefix: Vec<f32> = std::iter::once(0.0)
        .chain(glyphs.iter().scan(0.0, |s, g| {
            *s += g.advance;
            Some(*s)
        }))
        .collect();
    let min_lines = (total / measure).ceil().max(2.0) as usize;
    let mut best: Option<(f32, Vec<usize>)> = None;
    for lines in min_lines..=(min_lines + 1).min(n) {
        let target = total / lines as f32;
        // DP over break positions: cost[i][k] = best cost to set glyphs[..i] in k lines.
        let inf = f32::INFINITY;
        let mut cost = vec![vec![inf; lines + 1]; n + 1];
        let mut from = vec![vec![0usize; lines + 1]; n + 1];
        cost[0][0] = 0.0;
        for k in 1..=lines {
            for i in 1..=n {
                let pen_i = if i == n { Some(0.0) } else { penalty(i) };
                let Some(pen_i) = pen_i else { continue };
                for j in (k - 1)..i {
                    if cost[j][k - 1] == inf {
                        continue;
                    }
                    let w = prefix[i] - prefix[j];
                    if w > measure + 0.01 {
                        continue;
                    }
                    let dev = (w - target) / measure * 10.0;
                    let c = cost[j][k - 1] + dev * dev + pen_i;
                    if c < cost[i][k] {
                        cost[i][k] = c;
                        from[i][k] = j;
                    }
                }
            }
        }
        if cost[n][lines] < inf {
            let mut cuts = vec![n];
            let mut i = n;
            for k in (1..=lines).rev() {
                i = from[i][k];
                cuts.push(i);
            }
            cuts.reverse();
            // An hourglass (middle line shortest) is not a 梯形 or 菱形.
            let widths: Vec<f32> = cuts
                .windows(2)
                .map(|w| prefix[w[1]] - prefix[w[0]])
                .collect();
            let mut c = cost[n][lines] + (lines - min_lines) as f32 * 4.0;
            if widths.len() == 3 && widths[1] < widths[0] && widths[1] < widths[2] {
                c += 8.0;
            }
            if best.as_ref().is_none_or(|(b, _)| c < *b) {
                best = Some((c, cuts));
            }
        }
    }
    match best {
        Some((_, cuts)) => cuts.windows(2).map(|w| w[0]..w[1]).collect(),
        None => break_lines(glyphs, measure, measure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinsoku_pairs() {
        assert!(!can_break('字', '，'));
        assert!(!can_break('（', '字'));
        assert!(!can_break('2', '0'));
        assert!(!can_break('—', '—'));
        assert!(can_break('字', '字'));
        assert!(can_break('。', '字'));
    }
}
