//! The official forms: 发文稿纸 (the draft's cover sheet) and 收文处理笺 (the
//! incoming-document routing slip).
//!
//! A form is a table of labelled boxes on the 版心 of an A4 page. Boxes grow with
//! their content (long opinions); a row that does not fit continues on the next
//! page, under the form's title repeated with "（续）" and the document's title row.

use gongwen_domain::Document;
use gongwen_domain::document::DocDate;
use serde::{Deserialize, Serialize};

use crate::fonts::{Fonts, Role, Shaper};
use crate::layout::geometry::{BODY_W, BOTTOM, LEFT, TOP};
use crate::model::{Color, Item, Layout, Page};
use crate::text::{self, LGlyph, SGlyph, Style};
use crate::{PrintOutput, Result, Warning, WarningCode};

/// One opinion in a box: what was written, who wrote it, when.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opinion {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DocDate>,
}

/// 发文稿纸.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftSheet {
    /// The organ whose sheet it is ("鹤山市人民政府"): the form title is "…发文稿纸".
    #[serde(default)]
    pub organ: String,
    /// 文种.
    #[serde(default)]
    pub doc_type: String,
    /// 密级 (with 保密期限).
    #[serde(default)]
    pub secrecy: String,
    /// 紧急程度.
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub title: String,
    /// 主送.
    #[serde(default)]
    pub main_recipients: String,
    /// 抄送.
    #[serde(default)]
    pub cc: String,
    /// 拟稿单位.
    #[serde(default)]
    pub drafting_unit: String,
    /// 拟稿人.
    #[serde(default)]
    pub drafter: String,
    /// 拟稿日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_date: Option<DocDate>,
    /// 核稿.
    #[serde(default)]
    pub review: Vec<Opinion>,
    /// 会签.
    #[serde(default)]
    pub countersign: Vec<Opinion>,
    /// 签发.
    #[serde(default)]
    pub approval: Vec<Opinion>,
    /// 发文字号.
    #[serde(default)]
    pub doc_number: String,
    /// 份数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    /// 附件 names.
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// 收文处理笺.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptSheet {
    /// The receiving organ: the form title is "…收文处理笺".
    #[serde(default)]
    pub organ: String,
    /// 来文单位.
    #[serde(default)]
    pub from_unit: String,
    /// 来文字号.
    #[serde(default)]
    pub doc_number: String,
    /// 收文编号.
    #[serde(default)]
    pub receipt_number: String,
    /// 收文日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<DocDate>,
    #[serde(default)]
    pub title: String,
    /// 拟办意见.
    #[serde(default)]
    pub proposed: Vec<Opinion>,
    /// 批办意见.
    #[serde(default)]
    pub instructions: Vec<Opinion>,
    /// 承办情况.
    #[serde(default)]
    pub handling: Vec<Opinion>,
    /// 传阅 record.
    #[serde(default)]
    pub circulation: Vec<Reading>,
}

/// One entry of the 传阅 record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub reader: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DocDate>,
    #[serde(default)]
    pub note: String,
}

const SIZE: f32 = 14.0; // 4号
const PAD: f32 = 2.0;
const ROW: f32 = 7.4; // a text line in a box
const STROKE: f32 = 0.3;
const LABEL_W: f32 = 26.0;

/// What goes in a box.
enum Content<'a> {
    Text(&'a str),
    Opinions(&'a [Opinion]),
    Lines(Vec<String>),
}

struct Cell<'a> {
    label: &'a str,
    /// Width of the value box (the label box is [`LABEL_W`]).
    width: f32,
    content: Content<'a>,
}

struct Row<'a> {
    cells: Vec<Cell<'a>>,
    min_h: f32,
}

fn row<'a>(cells: Vec<(&'a str, Content<'a>)>, min_h: f32) -> Row<'a> {
    let n = cells.len() as f32;
    let width = (BODY_W - n * LABEL_W) / n;
    Row {
        cells: cells
            .into_iter()
            .map(|(label, content)| Cell {
                label,
                width,
                content,
            })
            .collect(),
        min_h,
    }
}

/// Label and value widths of a row's boxes. The first label keeps the form's label
/// column; in a row of several boxes, when a value (a date, a name) would not fit
/// on one line in an equal share, the later labels shrink to their text and the
/// values share the row in proportion to what they hold, each on one line if the
/// row allows it.
fn fit_cells(shaper: &mut Shaper<'_>, r: &Row<'_>, labels: &[Vec<SGlyph>]) -> (Vec<f32>, Vec<f32>) {
    let equal_labels = vec![LABEL_W; r.cells.len()];
    let equal: Vec<f32> = r.cells.iter().map(|c| c.width).collect();
    if r.cells.len() < 2 {
        return (equal_labels, equal);
    }
    let style = Style::natural(Role::FangSong, SIZE);
    let natural: Vec<f32> = r
        .cells
        .iter()
        .map(|c| match &c.content {
            Content::Text(t) => text::width(&text::shape(shaper, &[(t.trim(), style)])),
            _ => 0.0,
        })
        .collect();
    if natural
        .iter()
        .zip(&equal)
        .all(|(&n, &w)| n <= w - 2.0 * PAD)
    {
        return (equal_labels, equal);
    }
    let label_widths: Vec<f32> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                LABEL_W
            } else {
                (text::width(l) + 4.0 * PAD).clamp(14.0, LABEL_W)
            }
        })
        .collect();
    let room = BODY_W - label_widths.iter().sum::<f32>();
    let need: Vec<f32> = natural.iter().map(|n| n + 2.0 * PAD + 0.5).collect();
    let total: f32 = need.iter().sum();
    let widths = if total <= room {
        let spare = (room - total) / need.len() as f32;
        need.iter().map(|n| n + spare).collect()
    } else {
        share_row(&need, room)
    };
    (label_widths, widths)
}

/// Widths for values that need more than the row holds. Names and dates should stay
/// on one line; the longest value (an organ's name) wraps best. So, smallest first,
/// each value but the longest keeps its one-line width as long as the others can
/// still share what is left, the longest keeping at least [`MIN_WRAP`]; the longest
/// takes the rest. A proportional split would instead squeeze a two-character name
/// into a column one character wide.
fn share_row(need: &[f32], room: f32) -> Vec<f32> {
    let mut order: Vec<usize> = (0..need.len()).collect();
    order.sort_by(|&a, &b| need[a].total_cmp(&need[b]));
    let Some(&longest) = order.last() else {
        return Vec::new();
    };
    let reserve = need[longest].min(MIN_WRAP);
    let mut widths = vec![0.0; need.len()];
    let mut left = room;
    let smaller = &order[..order.len() - 1];
    for (placed, &i) in smaller.iter().enumerate() {
        let share = (left - reserve).max(0.0) / (smaller.len() - placed) as f32;
        widths[i] = need[i].min(share);
        left -= widths[i];
    }
    widths[longest] = left;
    widths
}

/// The narrowest the longest value of an overfull row is made before the shorter
/// values give up their single line (about five characters of the form's text).
const MIN_WRAP: f32 = 30.0;

/// A laid-out box: its lines, each glyphs relative to the box's inner left edge.
struct BoxLines {
    lines: Vec<Vec<LGlyph>>,
}

fn set_content(shaper: &mut Shaper<'_>, content: &Content<'_>, width: f32) -> BoxLines {
    let style = Style::natural(Role::FangSong, SIZE);
    let measure = width - 2.0 * PAD;
    let mut lines = Vec::new();
    let para = |shaper: &mut Shaper<'_>, s: &str, lines: &mut Vec<Vec<LGlyph>>| {
        for p in s.lines().map(str::trim).filter(|p| !p.is_empty()) {
            let g = text::shape(shaper, &[(p, style)]);
            lines.extend(text::paragraph(&g, 0.0, 0.0, measure));
        }
    };
    match content {
        Content::Text(s) => para(shaper, s, &mut lines),
        Content::Lines(v) => {
            for s in v {
                para(shaper, s, &mut lines);
            }
        }
        Content::Opinions(ops) => {
            for o in *ops {
                if !o.text.trim().is_empty() {
                    let g = text::shape(shaper, &[(o.text.trim(), style)]);
                    lines.extend(text::paragraph(&g, 2.0 * style.em(), 0.0, measure));
                }
                // Name and date, right-aligned under the opinion.
                let sign = match (o.name.trim(), o.date) {
                    ("", None) => continue,
                    (n, Some(d)) => format!("{n}　{}", d.chinese()),
                    (n, None) => n.to_string(),
                };
                let g = text::shape(shaper, &[(&sign, Style::natural(Role::Kai, SIZE))]);
                let x = (measure - text::width(&g)).max(0.0);
                lines.push(at(&g, x));
            }
        }
    }
    BoxLines { lines }
}

fn at(glyphs: &[SGlyph], x: f32) -> Vec<LGlyph> {
    let mut pos = x;
    glyphs
        .iter()
        .map(|g| {
            let l = LGlyph {
                glyph: g.clone(),
                x: pos,
            };
            pos += g.advance;
            l
        })
        .collect()
}

fn draw_line(items: &mut Vec<Item>, glyphs: &[LGlyph], x0: f32, top: f32) {
    let em = glyphs
        .iter()
        .map(|g| g.glyph.style.em())
        .fold(0.0, f32::max);
    let baseline = top + (ROW - em) / 2.0 + crate::layout::geometry::ASCENT * em;
    items.extend(crate::layout::flow_runs(
        glyphs.iter().map(|g| (&g.glyph, x0 + g.x)),
        baseline,
    ));
}

/// Lays out a form: a red title, then the rows; rows that do not fit continue on
/// the next page under the repeated title and the `repeat` row.
fn layout_form(fonts: &Fonts, title: &str, rows: &[Row<'_>], repeat: usize) -> Layout {
    let mut shaper = Shaper::new(fonts);
    let title_style = Style::natural(Role::XiaoBiaoSong, 22.0).red();
    let label_style = Style::natural(Role::Hei, SIZE);
    let mut pages: Vec<Page> = Vec::new();

    // Pre-set every box.
    struct SetRow {
        labels: Vec<Vec<SGlyph>>,
        label_widths: Vec<f32>,
        boxes: Vec<BoxLines>,
        widths: Vec<f32>,
        min_h: f32,
    }
    let set: Vec<SetRow> = rows
        .iter()
        .map(|r| {
            let labels: Vec<Vec<SGlyph>> = r
                .cells
                .iter()
                .map(|c| text::shape(&mut shaper, &[(c.label, label_style)]))
                .collect();
            let (label_widths, widths) = fit_cells(&mut shaper, r, &labels);
            SetRow {
                boxes: r
                    .cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, &w)| set_content(&mut shaper, &c.content, w))
                    .collect(),
                labels,
                label_widths,
                widths,
                min_h: r.min_h,
            }
        })
        .collect();

    let new_page = |shaper: &mut Shaper<'_>, pages: &mut Vec<Page>, cont: bool| -> f32 {
        let mut page = Page::a4();
        let t = if cont {
            format!("{title}（续）")
        } else {
            title.to_string()
        };
        let g = text::shape(shaper, &[(&t, title_style)]);
        let em = title_style.em();
        let x = LEFT + (BODY_W - text::width(&g)) / 2.0;
        let placed: Vec<(&SGlyph, f32)> = {
            let mut pos = x;
            g.iter()
                .map(|s| {
                    let p = pos;
                    pos += s.advance;
                    (s, p)
                })
                .collect()
        };
        page.items.extend(crate::layout::flow_runs(
            placed.into_iter(),
            TOP - 12.0 + crate::layout::geometry::ASCENT * em,
        ));
        pages.push(page);
        TOP + 4.0
    };

    // Draws part of a row (lines from `from[i]` of each box, at most `avail` mm high).
    // Returns the height drawn and the next line index per box.
    let draw_row =
        |page: &mut Page, r: &SetRow, from: &[usize], top: f32, avail: f32| -> (f32, Vec<usize>) {
            let max_lines = (((avail - 2.0 * PAD) / ROW).floor().max(1.0)) as usize;
            let mut next = Vec::new();
            let mut used_lines = 0usize;
            for (i, b) in r.boxes.iter().enumerate() {
                let remaining = b.lines.len().saturating_sub(from[i]);
                let take = remaining.min(max_lines);
                used_lines = used_lines.max(take);
                next.push(from[i] + take);
            }
            let first = from.iter().all(|&f| f == 0);
            let min_h = if first { r.min_h } else { 0.0 };
            let h = (used_lines.max(1) as f32 * ROW + 2.0 * PAD)
                .max(min_h)
                .min(avail.max(ROW + 2.0 * PAD));
            let mut x = LEFT;
            for (i, b) in r.boxes.iter().enumerate() {
                let label_w = r.label_widths[i];
                page.items.push(Item::Frame {
                    x,
                    y: top,
                    w: label_w,
                    h,
                    stroke: STROKE,
                    color: Color::BLACK,
                });
                // Label, centred in its box (several characters wrap onto two lines).
                let label = &r.labels[i];
                let lw = text::width(label);
                let label_lines: Vec<Vec<LGlyph>> = if lw <= label_w - 2.0 * PAD {
                    vec![at(label, (label_w - lw) / 2.0)]
                } else {
                    text::paragraph(label, 0.0, 0.0, label_w - 2.0 * PAD)
                        .into_iter()
                        .map(|l| {
                            let w = l.last().map_or(0.0, |g| g.x + g.glyph.advance);
                            l.into_iter()
                                .map(|g| LGlyph {
                                    x: g.x + (label_w - w) / 2.0,
                                    ..g
                                })
                                .collect()
                        })
                        .collect()
                };
                let lh = label_lines.len() as f32 * ROW;
                let ly = top + (h - lh) / 2.0;
                for (k, l) in label_lines.iter().enumerate() {
                    draw_line(&mut page.items, l, x, ly + k as f32 * ROW);
                }
                x += label_w;
                page.items.push(Item::Frame {
                    x,
                    y: top,
                    w: r.widths[i],
                    h,
                    stroke: STROKE,
                    color: Color::BLACK,
                });
                for (k, l) in b.lines[from[i]..next[i]].iter().enumerate() {
                    draw_line(&mut page.items, l, x + PAD, top + PAD + k as f32 * ROW);
                }
                x += r.widths[i];
            }
            (h, next)
        };

    let mut y = new_page(&mut shaper, &mut pages, false);
    for (ri, r) in set.iter().enumerate() {
        let mut from = vec![0usize; r.boxes.len()];
        loop {
            let full_lines = r
                .boxes
                .iter()
                .zip(&from)
                .map(|(b, f)| b.lines.len() - f)
                .max()
                .unwrap_or(0);
            let first = from.iter().all(|&f| f == 0);
            let need =
                (full_lines.max(1) as f32 * ROW + 2.0 * PAD).max(if first { r.min_h } else { 0.0 });
            let avail = BOTTOM - y;
            // Move a row that fits on a fresh page rather than split it; split rows
            // taller than a page, or when at least three lines fit here.
            let fresh = BOTTOM - (TOP + 4.0) - ROW - 2.0 * PAD;
            if need > avail && (need <= fresh || avail < 3.0 * ROW + 2.0 * PAD) {
                y = new_page(&mut shaper, &mut pages, true);
                if ri > repeat {
                    let page = pages.last_mut().expect("a page was just added");
                    let (h, _) = draw_row(
                        page,
                        &set[repeat],
                        &vec![0; set[repeat].boxes.len()],
                        y,
                        BOTTOM - y,
                    );
                    y += h;
                }
                continue;
            }
            let page = pages.last_mut().expect("the first page exists");
            let (h, next) = draw_row(page, r, &from, y, avail);
            y += h;
            let done = r.boxes.iter().zip(&next).all(|(b, n)| *n >= b.lines.len());
            from = next;
            if done {
                break;
            }
            y = new_page(&mut shaper, &mut pages, true);
            if ri > repeat {
                let page = pages.last_mut().expect("a page was just added");
                let (h, _) = draw_row(
                    page,
                    &set[repeat],
                    &vec![0; set[repeat].boxes.len()],
                    y,
                    BOTTOM - y,
                );
                y += h;
            }
        }
    }
    let mut warnings = Vec::new();
    if !shaper.missing.is_empty() {
        let list: String = shaper.missing.iter().collect();
        warnings.push(Warning {
            code: WarningCode::MissingGlyphs,
            message: format!("以下字符在所有字体中都没有，已用“□”代替：{list}"),
        });
    }
    Layout { pages, warnings }
}

impl DraftSheet {
    /// The particulars a 发文稿纸 takes from the document itself: organ (the first
    /// issuer), 文种, 密级, 紧急程度, title, recipients, drafting unit (the 印发机关,
    /// else the organ), 成文日期, 文号 and attachments. Drafter and opinions come
    /// from the flow, so the caller fills them in.
    pub fn from_document(doc: &Document) -> DraftSheet {
        let organ = doc
            .issuers
            .first()
            .map(|i| i.name.clone())
            .unwrap_or_default();
        DraftSheet {
            doc_type: doc
                .doc_type
                .map(|d| d.name().to_owned())
                .unwrap_or_default(),
            secrecy: doc
                .secrecy
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            urgency: doc.urgency.map(|u| u.name().to_owned()).unwrap_or_default(),
            title: doc.title.clone(),
            main_recipients: doc.main_recipients.join("、"),
            cc: doc.cc.join("、"),
            drafting_unit: doc
                .printing
                .as_ref()
                .map(|p| p.organ.clone())
                .filter(|o| !o.trim().is_empty())
                .unwrap_or_else(|| organ.clone()),
            organ,
            draft_date: doc.date,
            doc_number: doc_number(doc),
            attachments: doc.attachments.iter().map(|a| a.name.clone()).collect(),
            ..Default::default()
        }
    }
}

impl ReceiptSheet {
    /// The particulars a 收文处理笺 takes from the incoming document: the receiving
    /// organ (the first 主送机关), 来文单位 (the issuers), 文号 and title. Dates,
    /// 收文编号 and opinions come from the flow.
    pub fn from_document(doc: &Document) -> ReceiptSheet {
        ReceiptSheet {
            organ: doc.main_recipients.first().cloned().unwrap_or_default(),
            from_unit: doc.issuer_names().join("、"),
            doc_number: doc_number(doc),
            title: doc.title.clone(),
            ..Default::default()
        }
    }
}

fn doc_number(doc: &Document) -> String {
    doc.doc_number
        .as_ref()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn date_text(d: Option<DocDate>) -> String {
    d.map(|d| d.chinese()).unwrap_or_default()
}

/// Lays out a 发文稿纸.
pub fn layout_draft_sheet(sheet: &DraftSheet, fonts: &Fonts) -> Layout {
    let title = format!("{}发文稿纸", sheet.organ.trim());
    let date = date_text(sheet.draft_date);
    let copies = sheet.copies.map(|c| c.to_string()).unwrap_or_default();
    let attachments: Vec<String> = if sheet.attachments.len() > 1 {
        sheet
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{}.{}", i + 1, a.trim()))
            .collect()
    } else {
        sheet
            .attachments
            .iter()
            .map(|a| a.trim().to_string())
            .collect()
    };
    let rows = vec![
        row(
            vec![
                ("文种", Content::Text(&sheet.doc_type)),
                ("密级", Content::Text(&sheet.secrecy)),
                ("紧急程度", Content::Text(&sheet.urgency)),
            ],
            0.0,
        ),
        row(vec![("标题", Content::Text(&sheet.title))], 16.0),
        row(vec![("主送", Content::Text(&sheet.main_recipients))], 0.0),
        row(vec![("抄送", Content::Text(&sheet.cc))], 0.0),
        row(
            vec![
                ("拟稿单位", Content::Text(&sheet.drafting_unit)),
                ("拟稿人", Content::Text(&sheet.drafter)),
                ("日期", Content::Text(&date)),
            ],
            0.0,
        ),
        row(vec![("核稿", Content::Opinions(&sheet.review))], 26.0),
        row(vec![("会签", Content::Opinions(&sheet.countersign))], 30.0),
        row(vec![("签发", Content::Opinions(&sheet.approval))], 40.0),
        row(
            vec![
                ("发文字号", Content::Text(&sheet.doc_number)),
                ("份数", Content::Text(&copies)),
            ],
            0.0,
        ),
        row(vec![("附件", Content::Lines(attachments))], 0.0),
    ];
    layout_form(fonts, &title, &rows, 1)
}

/// Lays out a 收文处理笺.
pub fn layout_receipt_sheet(sheet: &ReceiptSheet, fonts: &Fonts) -> Layout {
    let title = format!("{}收文处理笺", sheet.organ.trim());
    let received = date_text(sheet.received);
    let readings: Vec<String> = sheet
        .circulation
        .iter()
        .map(|r| {
            let mut s = r.reader.trim().to_string();
            if let Some(d) = r.date {
                s.push('　');
                s.push_str(&d.chinese());
            }
            if !r.note.trim().is_empty() {
                s.push_str(&format!("　{}", r.note.trim()));
            }
            s
        })
        .collect();
    let rows = vec![
        row(
            vec![
                ("来文单位", Content::Text(&sheet.from_unit)),
                ("收文编号", Content::Text(&sheet.receipt_number)),
            ],
            0.0,
        ),
        row(
            vec![
                ("来文字号", Content::Text(&sheet.doc_number)),
                ("收文日期", Content::Text(&received)),
            ],
            0.0,
        ),
        row(vec![("标题", Content::Text(&sheet.title))], 16.0),
        row(vec![("拟办意见", Content::Opinions(&sheet.proposed))], 36.0),
        row(
            vec![("批办意见", Content::Opinions(&sheet.instructions))],
            46.0,
        ),
        row(vec![("承办情况", Content::Opinions(&sheet.handling))], 36.0),
        row(vec![("传阅", Content::Lines(readings))], 24.0),
    ];
    layout_form(fonts, &title, &rows, 2)
}

fn output(layout: Layout, fonts: &Fonts, title: &str) -> Result<PrintOutput> {
    let pdf = crate::pdf(&layout, fonts, title)?;
    Ok(PrintOutput {
        pdf,
        pages: layout.pages.len(),
        warnings: layout.warnings,
    })
}

/// Prints a 发文稿纸 with the process-wide fonts.
pub fn print_draft_sheet(sheet: &DraftSheet) -> Result<PrintOutput> {
    print_draft_sheet_with(sheet, Fonts::system_or_bundled()?)
}

pub fn print_draft_sheet_with(sheet: &DraftSheet, fonts: &Fonts) -> Result<PrintOutput> {
    output(layout_draft_sheet(sheet, fonts), fonts, "发文稿纸")
}

/// Prints a 收文处理笺 with the process-wide fonts.
pub fn print_receipt_sheet(sheet: &ReceiptSheet) -> Result<PrintOutput> {
    print_receipt_sheet_with(sheet, Fonts::system_or_bundled()?)
}

pub fn print_receipt_sheet_with(sheet: &ReceiptSheet, fonts: &Fonts) -> Result<PrintOutput> {
    output(layout_receipt_sheet(sheet, fonts), fonts, "收文处理笺")
}

#[cfg(test)]
mod tests {
    use super::share_row;

    #[test]
    fn short_values_keep_their_line_and_the_longest_wraps() {
        // 拟稿单位 (long), 拟稿人 (a two-character name), 日期.
        let widths = share_row(&[58.0, 13.0, 35.0], 92.0);
        assert_eq!(widths[1], 13.0);
        assert_eq!(widths[2], 35.0);
        assert!((widths[0] - 44.0).abs() < 1e-3, "{widths:?}");
        assert!((widths.iter().sum::<f32>() - 92.0).abs() < 1e-3);
    }

    #[test]
    fn values_that_all_overflow_share_the_row_equally() {
        let widths = share_row(&[100.0, 90.0], 60.0);
        assert_eq!(widths, vec![30.0, 30.0]);
    }
}
