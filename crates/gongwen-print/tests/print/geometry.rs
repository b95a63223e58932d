//! Geometry read back from the PDF (GB/T 9704-2012 numbers), ±0.5 mm.

use gongwen_domain::Document;

use crate::pdfread::{PageData, read};
use crate::{near, print, sample};

const PITCH: f32 = 225.0 / 22.0;
const CELL: f32 = 156.0 / 28.0;
const PT: f32 = 25.4 / 72.0;

fn is_red(rgb: [f32; 3]) -> bool {
    rgb[0] > 0.9 && rgb[1] < 0.1 && rgb[2] < 0.1
}

fn is_black(rgb: [f32; 3]) -> bool {
    rgb.iter().all(|&c| c < 0.1)
}

/// A document of body text only: its pages carry nothing but the grid.
fn long_body() -> Document {
    let para = "各镇、各部门要按照统一部署认真组织开展自查自纠工作，建立问题清单责任清单和整改清单，明确整改时限和责任人，做到整改到位销号管理，确保隐患整改闭环。";
    let body = para.repeat(30);
    Document {
        body,
        ..Document::default()
    }
}

fn body_lines(page: &PageData) -> Vec<Vec<crate::pdfread::Glyph>> {
    page.lines()
        .into_iter()
        .filter(|l| (l[0].size - 16.0).abs() < 0.01)
        .collect()
}

#[test]
fn page_size_is_a4() {
    let out = print(&sample("notice-full"));
    for p in read(&out.pdf) {
        near(p.width, 210.0, "page width");
        near(p.height, 297.0, "page height");
    }
}

#[test]
fn body_grid_on_a_following_page() {
    let out = print(&long_body());
    let pages = read(&out.pdf);
    assert!(pages.len() >= 3, "30 long paragraphs fill several pages");
    let lines = body_lines(&pages[1]);
    // 5.2.3: 22 lines of 28 characters (counted on the extracted text).
    let text = String::from_utf8(crate::poppler(
        "pdftotext",
        &["-f", "2", "-l", "2"],
        &out.pdf,
    ))
    .unwrap();
    let counts: Vec<usize> = text
        .lines()
        .map(|l| l.trim().chars().count())
        .filter(|&n| n > 5)
        .collect();
    assert_eq!(counts.len(), 22, "page 2 has 22 lines: {counts:?}");
    // A line is one character short only where 避头尾 moved a character down.
    assert!(
        counts.iter().all(|&n| n == 28 || n == 27),
        "28 characters a line: {counts:?}"
    );
    assert!(
        counts.iter().filter(|&&n| n == 28).count() >= 18,
        "{counts:?}"
    );
    let em = 16.0 * PT;
    // First line under the 37 mm top margin: the em box is centred in the first grid row.
    let first_top = lines[0][0].baseline - 0.88 * em;
    near(
        first_top,
        37.0 + (PITCH - em) / 2.0,
        "top of the first line",
    );
    assert!(first_top >= 37.0 - 0.01);
    for pair in lines.windows(2) {
        near(
            pair[1][0].baseline - pair[0][0].baseline,
            PITCH,
            "line pitch",
        );
    }
    let mut full = 0;
    for l in &lines {
        let left = l[0].x;
        let right = l.last().map(|g| g.x + g.w).unwrap_or(0.0);
        // Full lines: 28 characters from the 28 mm 订口 to the 版心's right edge.
        if l.len() == 28 {
            full += 1;
            near(left, 28.0, "left text edge");
            near(right, 184.0, "right text edge");
            for pair in l.windows(2) {
                near(pair[1].x - pair[0].x, CELL, "character pitch");
            }
        } else if (right - 184.0).abs() < 0.5 && (left - 28.0).abs() < 0.5 {
            // A justified line one character short (避头尾 moved a character down).
            assert!(
                l.len() >= 26,
                "a justified line keeps nearly all its characters"
            );
        } else {
            // Paragraph starts are indented two characters; last lines are shorter.
            assert!(l.len() < 28, "no line holds more than 28 characters");
            assert!(left >= 28.0 - 0.5);
        }
        for g in l {
            assert!((g.size - 16.0).abs() < 0.01, "body text is 3号 (16 pt)");
        }
    }
    assert!(full >= 18, "full lines of 28 characters read back ({full})");
    // 7.3.3: a paragraph's first line is indented two characters.
    let first = &body_lines(&pages[0])[0];
    near(first[0].x, 28.0 + 2.0 * CELL, "paragraph indent");
    near(
        first[0].baseline - 0.88 * em,
        37.0 + (PITCH - em) / 2.0,
        "page 1 starts on the first grid line",
    );
}

#[test]
fn standard_header_distances() {
    let doc = sample("notice-full");
    let out = print(&doc);
    let pages = read(&out.pdf);
    let p1 = &pages[0];
    // 7.2.4: the 标志 is red 小标宋, its top 35 mm below the 版心 top (37 + 35 = 72 mm).
    let mark: Vec<_> = p1
        .glyphs
        .iter()
        .filter(|g| is_red(g.rgb) && g.size > 30.0)
        .collect();
    assert_eq!(mark.len(), "鹤山市人民政府文件".chars().count());
    let em = mark[0].size * PT;
    near(
        mark[0].baseline - 0.88 * em,
        72.0,
        "top of the 发文机关标志",
    );
    let left = mark[0].x;
    let right = mark.last().map(|g| g.x + g.w).unwrap();
    near(
        (left + right) / 2.0,
        105.0 + (28.0 - 26.0) / 2.0,
        "标志 centred on the 版心",
    );
    // 7.2.1–7.2.3: 份号, 密级, 紧急程度 on lines 1–3, flush left.
    let lines = p1.lines();
    for (i, l) in lines.iter().take(3).enumerate() {
        near(l[0].x, 28.0, "corner element flush left");
        near(
            l[0].baseline,
            37.0 + i as f32 * PITCH + (PITCH - 16.0 * PT) / 2.0 + 0.88 * 16.0 * PT,
            "corner element line",
        );
    }
    // 7.2.7: the red rule, 版心 wide, 4 mm below the 发文字号.
    let rule = p1.rects.iter().find(|r| is_red(r.rgb)).expect("a red rule");
    near(rule.x, 28.0, "red rule left");
    near(rule.w, 156.0, "red rule width");
    let number_line = lines
        .iter()
        .find(|l| {
            l.len() >= 8 && l[0].baseline > 90.0 && l[0].baseline < rule.y && is_black(l[0].rgb)
        })
        .expect("the 文号 line");
    let number_bottom = number_line[0].baseline + 0.12 * 16.0 * PT;
    near(rule.y - number_bottom, 4.0, "red rule below the 文号");
    let nl = number_line[0].x;
    let nr = number_line.last().map(|g| g.x + g.w).unwrap();
    near((nl + nr) / 2.0, 106.0, "文号 centred");
    // 7.3.1: the title in 2号 (22 pt), two lines below the red rule.
    let title = lines
        .iter()
        .find(|l| (l[0].size - 22.0).abs() < 0.01)
        .expect("a title line");
    let title_top = title[0].baseline - 0.88 * 22.0 * PT;
    near(
        title_top,
        rule.y + 0.5 + 2.0 * PITCH + (PITCH - 22.0 * PT) / 2.0,
        "title two lines below the rule",
    );
}

#[test]
fn upward_document_has_signer_on_the_number_line() {
    let out = print(&sample("request-up"));
    let p1 = &read(&out.pdf)[0];
    let lines = p1.lines();
    let rule = p1.rects.iter().find(|r| is_red(r.rgb)).expect("a red rule");
    let line = lines
        .iter()
        .rfind(|l| l[0].baseline < rule.y && l[0].size < 17.0 && l[0].baseline > 80.0)
        .expect("文号 line");
    // 7.2.5/7.2.6: 文号 1 character from the left, 签发人 1 character from the right.
    near(line[0].x, 28.0 + CELL, "文号 one character from the left");
    let right = line.last().map(|g| g.x + g.w).unwrap();
    near(right, 184.0 - CELL, "签发人 one character from the right");
}

#[test]
fn page_numbers_alternate_sides() {
    let out = print(&long_body());
    let pages = read(&out.pdf);
    assert!(pages.len() >= 2);
    for (i, p) in pages.iter().enumerate() {
        let folio: Vec<_> = p
            .glyphs
            .iter()
            .filter(|g| (g.size - 14.0).abs() < 0.01 && g.baseline > 262.0)
            .collect();
        assert!(!folio.is_empty(), "page {} has a number", i + 1);
        let em = 14.0 * PT;
        // 7.5: 一字线上距版心下边缘 7 mm.
        near(
            folio[0].baseline - 0.88 * em,
            262.0 + 7.0,
            "page number 7 mm below the 版心",
        );
        let left = folio.iter().map(|g| g.x).fold(f32::MAX, f32::min);
        let right = folio.iter().map(|g| g.x + g.w).fold(f32::MIN, f32::max);
        if (i + 1) % 2 == 1 {
            near(
                right,
                184.0 - em,
                "odd page number one character from the right",
            );
        } else {
            near(
                left,
                28.0 + em,
                "even page number one character from the left",
            );
        }
    }
    let text = String::from_utf8(crate::poppler(
        "pdftotext",
        &["-f", "2", "-l", "2"],
        &out.pdf,
    ))
    .unwrap();
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        text.contains("—2—"),
        "the page number reads “— 2 —”: {text}"
    );
}

#[test]
fn imprint_rules_end_on_the_version_bottom_of_an_even_page() {
    let out = print(&sample("notice-full"));
    let pages = read(&out.pdf);
    let last = pages.last().unwrap();
    assert_eq!(pages.len() % 2, 0, "the 版记 is on an even page");
    let mut rules: Vec<_> = last
        .rects
        .iter()
        .filter(|r| is_black(r.rgb) && (r.w - 156.0).abs() < 0.5)
        .collect();
    rules.sort_by(|a, b| a.y.total_cmp(&b.y));
    assert_eq!(rules.len(), 3, "first, middle and last rules");
    near(
        rules[2].y + rules[2].h,
        262.0,
        "last rule on the 版心 bottom",
    );
    assert!(
        (rules[0].h - 0.35).abs() < 0.02 && (rules[2].h - 0.35).abs() < 0.02,
        "outer rules 0.35 mm"
    );
    assert!((rules[1].h - 0.25).abs() < 0.02, "middle rule 0.25 mm");
    for r in &rules {
        near(r.x, 28.0, "rule starts at the 订口");
    }
    // 7.4.2/7.4.3: 4号 text, one character in from each side.
    let imprint: Vec<_> = last
        .lines()
        .into_iter()
        .filter(|l| (l[0].size - 14.0).abs() < 0.01 && l[0].baseline < 262.0)
        .collect();
    assert!(imprint.len() >= 2);
    for l in &imprint {
        near(
            l[0].x,
            28.0 + 14.0 * PT,
            "版记 text one character from the left",
        );
    }
    let printing = imprint.last().unwrap();
    near(
        printing.last().map(|g| g.x + g.w).unwrap(),
        184.0 - 14.0 * PT,
        "印发日期 one character from the right",
    );
}

#[test]
fn letter_format_marks() {
    let out = print(&sample("letter"));
    let pages = read(&out.pdf);
    let p1 = &pages[0];
    // 10.1: 标志 top 30 mm from the page top; red double rules 170 mm long.
    let mark: Vec<_> = p1
        .glyphs
        .iter()
        .filter(|g| is_red(g.rgb) && g.size > 20.0)
        .collect();
    assert!(!mark.is_empty());
    near(
        mark[0].baseline - 0.88 * mark[0].size * PT,
        30.0,
        "letter 标志 top",
    );
    let reds: Vec<_> = p1.rects.iter().filter(|r| is_red(r.rgb)).collect();
    assert_eq!(reds.len(), 4, "two double rules");
    for r in &reds {
        near(r.w, 170.0, "double rule length");
        near(r.x, 20.0, "double rule centred");
    }
    let bottom = reds.iter().map(|r| r.y + r.h).fold(f32::MIN, f32::max);
    near(
        bottom,
        297.0 - 20.0,
        "lower double rule 20 mm above the page bottom",
    );
    // No page number on page 1.
    assert!(
        !p1.glyphs
            .iter()
            .any(|g| (g.size - 14.0).abs() < 0.01 && g.baseline > 262.0)
    );
    // 10.1: 份号 flush left and 发文字号 flush right on the first line under the upper
    // double rule, their em box 7/8 of a 3号 character's height below it.
    let upper = reds.iter().map(|r| r.y).fold(f32::MAX, f32::min);
    let upper_bottom = reds
        .iter()
        .filter(|r| r.y < upper + 5.0)
        .map(|r| r.y + r.h)
        .fold(f32::MIN, f32::max);
    let em = 16.0 * PT;
    let first = p1
        .lines()
        .into_iter()
        .find(|l| l[0].baseline > upper_bottom && (l[0].size - 16.0).abs() < 0.01)
        .expect("a line under the double rule");
    near(
        first[0].baseline - 0.88 * em,
        upper_bottom + em * 7.0 / 8.0,
        "first element 7/8 em under the double rule",
    );
    near(first[0].x, 28.0, "份号 flush left");
    let last = first.last().unwrap();
    near(last.x + last.w, 184.0, "发文字号 flush right");
    let text = crate::poppler("pdftotext", &["-layout", "-f", "1", "-l", "1"], &out.pdf);
    let text = String::from_utf8(text).unwrap();
    let first_line = text.lines().find(|l| l.contains("000023")).unwrap();
    assert!(first_line.contains("鹤府办函〔2026〕88号"), "{first_line}");
}

#[test]
fn order_format_mark_twenty_mm_below_the_top() {
    let out = print(&sample("order"));
    let p1 = &read(&out.pdf)[0];
    let mark: Vec<_> = p1
        .glyphs
        .iter()
        .filter(|g| is_red(g.rgb) && g.size > 30.0)
        .collect();
    assert!(!mark.is_empty());
    near(
        mark[0].baseline - 0.88 * mark[0].size * PT,
        37.0 + 20.0,
        "命令 标志 top",
    );
    assert!(
        !p1.rects.iter().any(|r| is_red(r.rgb)),
        "no red rule in 命令格式"
    );
}

#[test]
fn heading_fonts_and_sizes() {
    let doc = sample("notice-full");
    let out = print(&doc);
    let text = String::from_utf8(crate::poppler("pdffonts", &[], &out.pdf)).unwrap();
    for family in ["FandolFang", "NotoSans", "LXGW", "NotoSerif", "FandolSong"] {
        assert!(
            text.replace(' ', "").contains(family),
            "{family} embedded: {text}"
        );
    }
    // Every embedded font is a subset.
    for line in text.lines().skip(2) {
        assert!(
            line.split_whitespace()
                .next()
                .is_some_and(|n| n.len() > 7 && n.as_bytes()[6] == b'+'),
            "subset: {line}"
        );
    }
}
