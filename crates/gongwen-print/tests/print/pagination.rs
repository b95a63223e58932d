//! Pagination read back from the PDF: pages filled to the 22nd line (5.2.3), page 1's
//! lines on the same grid, headings never at the foot of a page, the signature never
//! alone on a page (7.3.5).

use gongwen_domain::Document;

use crate::pdfread::{PageData, read};
use crate::{near, poppler, print, sample};

const PITCH: f32 = 225.0 / 22.0;
const PT: f32 = 25.4 / 72.0;
const EM: f32 = 16.0 * PT;

const FILLER: &str = "各单位要高度重视，认真抓好落实。";
const HEADINGS: [&str; 2] = ["二、检查范围和重点", "（一）检查范围"];

/// Baseline of grid line `k` (0-based) of any page.
fn grid_baseline(k: usize) -> f32 {
    37.0 + k as f32 * PITCH + (PITCH - EM) / 2.0 + 0.88 * EM
}

/// Baselines of the black 3号 lines of a page.
fn baselines(page: &PageData) -> Vec<f32> {
    page.lines()
        .into_iter()
        .filter(|l| (l[0].size - 16.0).abs() < 0.01 && l[0].rgb.iter().all(|&c| c < 0.1))
        .map(|l| l[0].baseline)
        .collect()
}

/// The text lines of page `n` (1-based), page number dropped.
fn page_text(pdf: &[u8], n: usize) -> Vec<String> {
    let page = n.to_string();
    let text = String::from_utf8(poppler("pdftotext", &["-f", &page, "-l", &page], pdf)).unwrap();
    text.lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|l| !l.is_empty() && !l.starts_with('—'))
        .collect()
}

fn with_body(body: String) -> Document {
    let mut doc = sample("notice-full");
    doc.body = body;
    doc.attachments.truncate(1);
    doc.attachments[0].body = None;
    doc.note = None;
    doc
}

#[test]
fn page_one_sits_on_the_grid_and_is_filled() {
    let para = "各镇、各部门要按照统一部署认真组织开展自查自纠工作，建立问题清单、责任清单和整改清单，明确整改时限和责任人，做到整改到位、销号管理，确保隐患整改闭环。";
    let out = print(&with_body([para; 12].join("\n")));
    let pages = read(&out.pdf);
    assert!(pages.len() >= 2);
    // The flow's lines: below the title (the 版头 has its own positions).
    let title = pages[0]
        .glyphs
        .iter()
        .find(|g| (g.size - 22.0).abs() < 0.01)
        .expect("a title")
        .baseline;
    let lines: Vec<f32> = baselines(&pages[0])
        .into_iter()
        .filter(|&b| b > title)
        .collect();
    for &b in &lines {
        let k = ((b - grid_baseline(0)) / PITCH).round() as usize;
        near(b, grid_baseline(k), "page 1 line on the page grid");
    }
    near(
        *lines.last().unwrap(),
        grid_baseline(21),
        "page 1 filled to the 22nd line",
    );
}

#[test]
fn letter_page_one_sits_on_the_grid_and_is_filled() {
    // 10.1 places the 信函's marks from the page's top edge; the title's 空二行 gives
    // a little so that the text below lies on the grid of every other page.
    let para = "为切实解决我市农村群众饮水安全问题，我市拟于2027年实施农村供水保障工程，计划新建水厂2座，改造供水管网120公里，受益人口约8万人。";
    let mut doc = sample("letter");
    doc.body = [para; 14].join("\n");
    let pages = read(&print(&doc).pdf);
    assert!(pages.len() >= 2);
    let title = pages[0]
        .glyphs
        .iter()
        .filter(|g| (g.size - 22.0).abs() < 0.01)
        .map(|g| g.baseline)
        .fold(f32::MIN, f32::max);
    let lines: Vec<f32> = baselines(&pages[0])
        .into_iter()
        .filter(|&b| b > title)
        .collect();
    assert!(lines.len() > 5);
    for &b in &lines {
        let k = ((b - grid_baseline(0)) / PITCH).round() as usize;
        near(b, grid_baseline(k), "信函 page 1 line on the page grid");
    }
    near(
        *lines.last().unwrap(),
        grid_baseline(21),
        "信函 page 1 filled to the 22nd line",
    );
    // Page 2 starts on the first grid line.
    near(
        baselines(&pages[1])[0],
        grid_baseline(0),
        "page 2 starts on line 1",
    );
}

#[test]
fn headings_never_end_a_page_and_pages_are_otherwise_full() {
    for k in 0..24 {
        let mut body = vec![FILLER.to_string(); k];
        body.extend(HEADINGS.iter().map(|s| s.to_string()));
        body.push("全市各镇、各行业领域的生产经营单位，重点检查危险化学品、烟花爆竹、人员密集场所和高层建筑消防安全，做到全覆盖、无死角。".into());
        body.extend(vec![FILLER.to_string(); 30]);
        let out = print(&with_body(body.join("\n")));
        let pages = read(&out.pdf);
        let n_text = pages.iter().filter(|p| !baselines(p).is_empty()).count();
        for (i, page) in pages.iter().enumerate().take(n_text.saturating_sub(1)) {
            let text = page_text(&out.pdf, i + 1);
            let last = text.last().cloned().unwrap_or_default();
            assert!(
                !HEADINGS.contains(&last.as_str()),
                "k = {k}: page {} ends with the heading {last}",
                i + 1
            );
            let next = page_text(&out.pdf, i + 2);
            let next_first = next.first().cloned().unwrap_or_default();
            if next.iter().any(|l| l.starts_with("2026年11月28日")) {
                // The signature's page: see signature_takes_the_least_body_text_along.
                continue;
            }
            let last_line = *baselines(page).last().unwrap();
            if HEADINGS.contains(&next_first.as_str()) {
                // The headings went over together with the first line of their text:
                // at most that much room (3 lines) is left.
                assert!(
                    last_line >= grid_baseline(21 - 2) - 0.5,
                    "k = {k}: page {} ends early ({last_line:.1} mm) before {next_first}",
                    i + 1
                );
            } else {
                near(
                    last_line,
                    grid_baseline(21),
                    &format!("k = {k}: page {} filled to the 22nd line", i + 1),
                );
            }
        }
    }
}

#[test]
fn signature_takes_the_least_body_text_along() {
    for k in 6..26 {
        let out = print(&with_body(vec![FILLER; k].join("\n")));
        let pages = read(&out.pdf);
        let date = sample("notice-full").date.unwrap().chinese();
        let sig_page = (1..=pages.len())
            .find(|&n| page_text(&out.pdf, n).iter().any(|l| l == &date))
            .expect("a page with the 成文日期");
        let text = page_text(&out.pdf, sig_page);
        let fillers = text.iter().filter(|l| *l == FILLER).count();
        assert!(
            fillers >= 1,
            "k = {k}: the signature page {sig_page} carries 正文: {text:?}"
        );
        if sig_page > 1 && fillers > 1 {
            let before = *baselines(&pages[sig_page - 2]).last().unwrap();
            near(
                before,
                grid_baseline(21),
                &format!("k = {k}: only what must move moves"),
            );
        }
    }
}

#[test]
fn request_sample_keeps_its_closing_line_with_the_signature() {
    let out = print(&sample("request-up"));
    let n = read(&out.pdf).len();
    let sig_page = (1..=n)
        .find(|&p| {
            page_text(&out.pdf, p)
                .iter()
                .any(|l| l.contains("2026年11月20日") && !l.contains("印发"))
        })
        .unwrap();
    let text = page_text(&out.pdf, sig_page);
    assert!(
        text.iter().any(|l| l == "妥否，请批示。"),
        "the closing line goes with the signature: {text:?}"
    );
}

#[test]
fn a_list_of_numbered_items_runs_on_across_pages() {
    // One-line items ("1.……。") are text, not headings: a long list is not kept
    // together, so the page before it is filled.
    let mut body = vec![FILLER.to_string(); 10];
    body.extend((1..=30).map(|i| format!("{i}.重点行业领域的安全检查。")));
    let out = print(&with_body(body.join("\n")));
    let pages = read(&out.pdf);
    near(
        *baselines(&pages[0]).last().unwrap(),
        grid_baseline(21),
        "page 1 filled to the 22nd line",
    );
}

#[test]
fn tight_spacing_makes_room_for_the_signature() {
    // 7.3.5.5: when the seal and 成文日期 do not fit under the last 正文, the line
    // spacing of that page is tightened (to no less than 7/8 of the grid pitch)
    // rather than sending the signature to a page of its own.
    let date = sample("notice-full").date.unwrap().chinese();
    let mut tightened = 0;
    for sealed in [true, false] {
        for k in 6..30 {
            let mut doc = with_body(vec![FILLER; k].join("\n"));
            doc.seal = gongwen_domain::document::Seal::Flag(sealed);
            let out = print(&doc);
            let pages = read(&out.pdf);
            let sig_page = (1..=pages.len())
                .find(|&n| page_text(&out.pdf, n).iter().any(|l| l == &date))
                .expect("a page with the 成文日期");
            let lines = baselines(&pages[sig_page - 1]);
            let pitches: Vec<f32> = lines.windows(2).map(|w| w[1] - w[0]).collect();
            let tight = pitches.iter().any(|&p| p < PITCH - 0.1);
            if !tight {
                continue;
            }
            tightened += 1;
            let case = format!("sealed = {sealed}, k = {k}");
            // Only the text lines close up, evenly, and never below 7/8 of the pitch.
            let body_pitch = pitches.iter().copied().fold(f32::MAX, f32::min);
            assert!(
                body_pitch >= PITCH * 0.875 - 0.05,
                "{case}: pitch {body_pitch:.2} mm"
            );
            // Everything stays in the 版心; the 正文 did not have to move.
            let last = *lines.last().unwrap();
            assert!(last <= 37.0 + 225.0, "{case}: last line at {last:.1} mm");
            let text = page_text(&out.pdf, sig_page);
            assert!(
                text.iter().filter(|l| *l == FILLER).count() > 1,
                "{case}: {text:?}"
            );
            if sig_page > 1 {
                near(
                    *baselines(&pages[sig_page - 2]).last().unwrap(),
                    grid_baseline(21),
                    &format!("{case}: the page before is full and on the grid"),
                );
            }
            // The signature comes after the last 正文 line, and the seal stays in the 版心.
            let date_line = text.iter().position(|l| l == &date).unwrap();
            let last_filler = text.iter().rposition(|l| l == FILLER).unwrap();
            assert!(last_filler < date_line, "{case}: {text:?}");
            if sealed {
                let seal_bottom = pages[sig_page - 1]
                    .paths
                    .iter()
                    .map(|p| p.bbox().3)
                    .fold(f32::MIN, f32::max);
                assert!(
                    seal_bottom <= 37.0 + 225.0 + 0.5,
                    "{case}: seal bottom at {seal_bottom:.1} mm"
                );
            }
        }
    }
    assert!(tightened > 0, "some length needs tightening");
}
