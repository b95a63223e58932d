//! 署名, 成文日期 and seals read back from the PDF (GB/T 9704-2012 7.3.5), ±0.5 mm.

use gongwen_domain::Document;
use gongwen_domain::document::{Issuer, Seal};

use crate::pdfread::{Glyph, PageData, Path, read};
use crate::{near, print, sample};

const PITCH: f32 = 225.0 / 22.0;
const CELL: f32 = 156.0 / 28.0;
const PT: f32 = 25.4 / 72.0;
const EM: f32 = 16.0 * PT;
const SEAL_D: f32 = 42.0;

fn is_red(rgb: [f32; 3]) -> bool {
    rgb[0] > 0.9 && rgb[1] < 0.1 && rgb[2] < 0.1
}

fn is_black(rgb: [f32; 3]) -> bool {
    rgb.iter().all(|&c| c < 0.1)
}

/// A seal read back: its ring (centre, outer radius) and what else is red near it.
#[derive(Debug, Clone, Copy)]
struct Ring {
    cx: f32,
    cy: f32,
    /// Outer radius (the stroke's outer edge).
    r: f32,
}

fn rings(page: &PageData) -> Vec<Ring> {
    let mut out: Vec<Ring> = page
        .paths
        .iter()
        .filter_map(|p: &Path| {
            let (rgb, width) = p.stroke?;
            if !is_red(rgb) {
                return None;
            }
            let (x0, y0, x1, y1) = p.bbox();
            let (cx, cy) = p.centre();
            assert!(
                ((x1 - x0) - (y1 - y0)).abs() < 0.1,
                "the seal ring is round"
            );
            Some(Ring {
                cx,
                cy,
                r: (x1 - x0) / 2.0 + width / 2.0,
            })
        })
        .collect();
    out.sort_by(|a, b| a.cy.total_cmp(&b.cy).then(a.cx.total_cmp(&b.cx)));
    out
}

/// The page carrying the seals (the first page with a red ring).
fn seal_page(pages: &[PageData]) -> &PageData {
    pages
        .iter()
        .find(|p| !rings(p).is_empty())
        .expect("a page with a seal")
}

/// Black 3号 lines on the page, top to bottom.
fn body_lines(page: &PageData) -> Vec<Vec<Glyph>> {
    page.lines()
        .into_iter()
        .filter(|l| is_black(l[0].rgb) && (l[0].size - 16.0).abs() < 0.01)
        .collect()
}

fn left(l: &[Glyph]) -> f32 {
    l[0].x
}

fn right(l: &[Glyph]) -> f32 {
    l.last().map(|g| g.x + g.w).unwrap_or(0.0)
}

fn centre(l: &[Glyph]) -> f32 {
    (left(l) + right(l)) / 2.0
}

fn em_top(l: &[Glyph]) -> f32 {
    l[0].baseline - 0.88 * EM
}

fn em_bottom(l: &[Glyph]) -> f32 {
    l[0].baseline + 0.12 * EM
}

/// Whether the point lies within `r` of the ring's centre.
fn inside(ring: &Ring, x: f32, y: f32, r: f32) -> bool {
    (x - ring.cx).hypot(y - ring.cy) <= r
}

/// The line right above the seal's top edge.
fn line_above<'a>(lines: &'a [Vec<Glyph>], ring: &Ring) -> &'a [Glyph] {
    lines
        .iter()
        .rfind(|l| em_bottom(l) < ring.cy - ring.r)
        .expect("text above the seal")
}

#[test]
fn single_seal_presses_the_signature_and_the_date() {
    let out = print(&sample("notice-full"));
    let pages = read(&out.pdf);
    let page = seal_page(&pages);
    let rings = rings(page);
    assert_eq!(rings.len(), 1, "one organ, one seal");
    let ring = rings[0];
    near(2.0 * ring.r, SEAL_D, "seal diameter");

    let lines = body_lines(page);
    let pressed: Vec<&Vec<Glyph>> = lines
        .iter()
        .filter(|l| inside(&ring, centre(l), l[0].baseline - 0.38 * EM, ring.r))
        .collect();
    assert_eq!(pressed.len(), 2, "the 署名 and the 成文日期 under the seal");
    let (name, date) = (pressed[0], pressed[1]);
    near(
        date[0].baseline - name[0].baseline,
        PITCH,
        "成文日期 on the line below the 署名",
    );
    // 7.3.5.1: 成文日期右空四字; 署名以成文日期为准居中; 印章居中.
    near(
        right(date),
        184.0 - 4.0 * CELL,
        "成文日期 four characters from the right",
    );
    near(centre(name), centre(date), "署名 centred on the 成文日期");
    near(ring.cx, centre(date), "seal centred on the 成文日期");
    // 署名和成文日期居印章中心偏下位置: the pair's middle is below the centre; the
    // 署名 lies within the ring, the 成文日期 in its lower half.
    let middle = (em_top(name) + em_bottom(date)) / 2.0;
    assert!(
        middle > ring.cy + 1.0,
        "署名 and 成文日期 sit below the seal's centre ({middle:.1} vs {:.1})",
        ring.cy
    );
    for (x, y) in [
        (left(name), em_top(name)),
        (right(name), em_top(name)),
        (left(name), em_bottom(name)),
        (right(name), em_bottom(name)),
        (centre(date), em_bottom(date)),
    ] {
        assert!(
            inside(&ring, x, y, ring.r),
            "the seal covers its 署名 and 成文日期"
        );
    }
    assert!(em_top(date) > ring.cy, "成文日期 in the seal's lower half");
    // 印章顶端应当上距正文（或附件说明）一行之内.
    let above = line_above(&lines, &ring);
    let gap = ring.cy - ring.r - em_bottom(above);
    assert!(
        gap > 0.0 && gap <= PITCH,
        "seal top within a line of the text above ({gap:.1} mm)"
    );
    // The 附注 below the date is not covered by the seal.
    let note = lines
        .iter()
        .find(|l| l[0].baseline > date[0].baseline + 1.0)
        .expect("the 附注 line");
    near(
        left(note),
        28.0 + 2.0 * CELL,
        "附注 two characters from the left",
    );
    for g in note {
        for x in [g.x, g.x + g.w] {
            for y in [em_top(note), em_bottom(note)] {
                assert!(!inside(&ring, x, y, ring.r), "the seal covers the 附注");
            }
        }
    }
}

/// The red filled shapes of a seal other than its star: one per glyph of the name.
fn arc_glyphs<'a>(page: &'a PageData, ring: &Ring) -> Vec<&'a Path> {
    page.paths
        .iter()
        .filter(|p| p.fill.is_some_and(is_red) && p.points.len() != 10)
        .filter(|p| {
            let (x, y) = p.centre();
            inside(ring, x, y, ring.r)
        })
        .collect()
}

fn centroid(points: &[(f32, f32)]) -> (f32, f32) {
    let n = points.len() as f32;
    let (x, y) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.0, b + p.1));
    (x / n, y / n)
}

/// Turns a point clockwise by `deg` about (cx, cy) (page y grows downwards).
fn turn(p: (f32, f32), cx: f32, cy: f32, deg: f32) -> (f32, f32) {
    let (s, c) = deg.to_radians().sin_cos();
    let (dx, dy) = (p.0 - cx, p.1 - cy);
    (cx + dx * c - dy * s, cy + dx * s + dy * c)
}

#[test]
fn generated_seal_name_stays_in_the_ring_above_the_signature() {
    let doc = sample("notice-full");
    let out = print(&doc);
    let pages = read(&out.pdf);
    let page = seal_page(&pages);
    let ring = rings(page)[0];
    let glyphs = arc_glyphs(page, &ring);
    assert_eq!(
        glyphs.len(),
        doc.signatures[0].chars().count(),
        "every character of the organ's name on the arc"
    );
    assert_eq!(
        page.rotated, 0,
        "the seal's name is drawn as outlines, not text"
    );
    let lines = body_lines(page);
    let name_line = lines
        .iter()
        .find(|l| inside(&ring, centre(l), l[0].baseline, ring.r))
        .expect("the 署名 under the seal");
    let inner = ring.r - 1.0;
    for g in &glyphs {
        for &(x, y) in &g.points {
            assert!(inside(&ring, x, y, inner), "the name stays inside the ring");
            assert!(y < em_top(name_line), "the name runs above the 署名");
        }
    }
    // Symmetric about the top: the first and last glyphs mirror each other's angle.
    let angles: Vec<f32> = glyphs
        .iter()
        .map(|g| {
            let (x, y) = centroid(&g.points);
            (x - ring.cx).atan2(ring.cy - y).to_degrees()
        })
        .collect();
    let (lo, hi) = angles
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &t| (a.min(t), b.max(t)));
    assert!(
        (lo + hi).abs() < 4.0,
        "the arc is centred on the top: {angles:?}"
    );
    // The star: a regular five-pointed star centred on the ring, point up.
    let star = page
        .paths
        .iter()
        .find(|p| p.fill.is_some_and(is_red) && p.points.len() == 10)
        .expect("the star");
    let (sx, sy) = centroid(&star.points);
    near(sx, ring.cx, "star centred across");
    near(sy, ring.cy, "star centred down");
    let top = star.points.iter().map(|p| p.1).fold(f32::MAX, f32::min);
    let apex = star.points.iter().find(|p| p.1 == top).unwrap();
    near(apex.0, ring.cx, "star point up");
}

#[test]
fn generated_seal_glyphs_are_evenly_spaced_and_turned_to_the_tangent() {
    // A name of one character repeated: every glyph is the same outline, so each
    // must be the middle (upright) one turned about the seal's centre by its angle.
    let mut doc = sample("notice-full");
    doc.signatures = vec!["国国国国国".into()];
    let out = print(&doc);
    let pages = read(&out.pdf);
    let page = seal_page(&pages);
    let ring = rings(page)[0];
    let mut glyphs = arc_glyphs(page, &ring);
    assert_eq!(glyphs.len(), 5);
    let angle = |p: &Path| {
        let (x, y) = centroid(&p.points);
        (x - ring.cx).atan2(ring.cy - y).to_degrees()
    };
    glyphs.sort_by(|a, b| angle(a).total_cmp(&angle(b)));
    let angles: Vec<f32> = glyphs.iter().map(|g| angle(g)).collect();
    let radii: Vec<f32> = glyphs
        .iter()
        .map(|g| {
            let (x, y) = centroid(&g.points);
            (x - ring.cx).hypot(y - ring.cy)
        })
        .collect();
    for r in &radii {
        assert!((r - radii[0]).abs() < 0.05, "one arc: {radii:?}");
    }
    let step = angles[1] - angles[0];
    for pair in angles.windows(2) {
        assert!(
            (pair[1] - pair[0] - step).abs() < 0.1,
            "evenly spaced: {angles:?}"
        );
    }
    let middle = glyphs[2];
    let (x0, _, x1, _) = middle.bbox();
    assert!(
        ((x0 + x1) / 2.0 - ring.cx).abs() < 0.3,
        "the middle glyph stands upright, centred"
    );
    for (g, &a) in glyphs.iter().zip(&angles) {
        assert_eq!(g.points.len(), middle.points.len());
        for (p, q) in g.points.iter().zip(&middle.points) {
            let back = turn(*p, ring.cx, ring.cy, -(a - angles[2]));
            assert!(
                (back.0 - q.0).abs() < 0.02 && (back.1 - q.1).abs() < 0.02,
                "the glyph at {a:.1}° is the upright glyph turned by {a:.1}°"
            );
        }
    }
    // The seal's name is drawn, not text: copying the page gives the 署名 once.
    let text = String::from_utf8(crate::poppler("pdftotext", &[], &out.pdf)).unwrap();
    assert_eq!(
        text.matches('国').count(),
        5,
        "only the 署名 reads 国国国国国: {text}"
    );
}

fn joint(names: &[&str]) -> Document {
    let mut doc = sample("joint-notice");
    doc.issuers = names
        .iter()
        .map(|n| Issuer {
            name: n.to_string(),
            mark: None,
        })
        .collect();
    doc.signatures = names.iter().map(|n| n.to_string()).collect();
    doc
}

/// Checks a joint signature: every seal over its own 署名, none touching another,
/// all inside the 版心, the last over the 成文日期.
fn check_joint(doc: &Document) {
    let out = print(doc);
    let pages = read(&out.pdf);
    let page = seal_page(&pages);
    let rings = rings(page);
    assert_eq!(
        rings.len(),
        doc.signatures.len(),
        "one seal for each organ (印章一一对应)"
    );
    for (i, a) in rings.iter().enumerate() {
        near(2.0 * a.r, SEAL_D, "seal diameter");
        // 每排印章两端不得超出版心.
        assert!(
            a.cx - a.r >= 28.0 - 0.01 && a.cx + a.r <= 184.0 + 0.01,
            "seal {i} inside the 版心: {a:?}"
        );
        for b in &rings[i + 1..] {
            // 互不相交或相切.
            assert!(
                (a.cx - b.cx).hypot(a.cy - b.cy) > a.r + b.r + 1.0,
                "seals apart: {a:?} {b:?}"
            );
        }
    }
    // Rows: seals in a row share their height, rows are a whole number of lines
    // apart.
    let lines = body_lines(page);
    let mut names_seen = 0;
    for ring in &rings {
        // The 署名 line pressed by this seal: the line through the seal's middle.
        let line = lines
            .iter()
            .find(|l| (l[0].baseline - 0.38 * EM - ring.cy).abs() < PITCH / 2.0)
            .expect("a 署名 line under each seal");
        // The glyphs of this seal's 署名: the run of the line nearest to its centre.
        let mut groups: Vec<Vec<&Glyph>> = Vec::new();
        for g in line {
            match groups.last_mut() {
                Some(run) if g.x - (run.last().unwrap().x + run.last().unwrap().w) < CELL * 0.6 => {
                    run.push(g)
                }
                _ => groups.push(vec![g]),
            }
        }
        let own = groups
            .iter()
            .min_by(|a, b| {
                let ca = (a[0].x + a.last().unwrap().x + a.last().unwrap().w) / 2.0;
                let cb = (b[0].x + b.last().unwrap().x + b.last().unwrap().w) / 2.0;
                (ca - ring.cx).abs().total_cmp(&(cb - ring.cx).abs())
            })
            .expect("a 署名 under the seal");
        let l = own[0].x;
        let r = own.last().map(|g| g.x + g.w).unwrap();
        near((l + r) / 2.0, ring.cx, "署名 centred under its seal");
        assert!(
            l >= 28.0 - 0.01 && r <= 184.0 + 0.01,
            "署名 inside the 版心"
        );
        // The name lies across the seal, a little below its centre.
        assert!(own[0].baseline > ring.cy, "署名 below the seal's centre");
        names_seen += 1;
    }
    assert_eq!(names_seen, doc.signatures.len());
    // Every 署名 glyph run is apart from the next on its line (no overlap).
    for l in &lines {
        for pair in l.windows(2) {
            assert!(
                // (a PDF width is the face's own advance, a little more than the grid's)
                pair[1].x >= pair[0].x + pair[0].w - 0.1,
                "署名 glyphs do not overlap"
            );
        }
    }
    // 最后一个印章居中下压发文机关署名和成文日期: the date under the last seal.
    let last = rings.last().unwrap();
    let date = lines
        .iter()
        .find(|l| {
            l[0].baseline > last.cy + PITCH / 2.0 && inside(last, centre(l), em_top(l), last.r)
        })
        .expect("the 成文日期 under the last seal");
    near(
        centre(date),
        last.cx,
        "成文日期 centred under the last seal",
    );
    // 成文日期一般右空四字 — unless a full row of seals needs the room and moves right.
    let row_at_left_edge = rings
        .iter()
        .any(|r| (r.cx - 28.0).abs() < r.r.max(half_name(&lines, r)) + 0.5);
    if row_at_left_edge {
        assert!(right(date) <= 184.0 + 0.01, "成文日期 inside the 版心");
    } else {
        near(
            right(date),
            184.0 - 4.0 * CELL,
            "成文日期 four characters from the right",
        );
    }
    // 首排印章顶端应当上距正文一行之内.
    let first = rings[0];
    let above = line_above(&lines, &first);
    let gap = first.cy - first.r - em_bottom(above);
    assert!(
        gap > 0.0 && gap <= PITCH,
        "first row of seals within a line of the text ({gap:.1} mm)"
    );
    for r in &rings {
        let row_gap = r.cy - first.cy;
        let rows = row_gap / PITCH;
        assert!(
            (rows - rows.round()).abs() < 0.05,
            "seal rows a whole number of lines apart ({rows:.2})"
        );
    }
}

/// Half the width of the widest 署名 glyph run on the line through the seal: what,
/// with the seal, decides how close to the 版心's edge a column may stand.
fn half_name(lines: &[Vec<Glyph>], ring: &Ring) -> f32 {
    lines
        .iter()
        .find(|l| (l[0].baseline - 0.38 * EM - ring.cy).abs() < PITCH / 2.0)
        .map(|l| {
            l.iter()
                .filter(|g| (g.x - ring.cx).abs() < ring.r + 10.0)
                .map(|g| (g.x + g.w / 2.0 - ring.cx).abs() + g.w / 2.0)
                .fold(0.0, f32::max)
        })
        .unwrap_or(0.0)
}

#[test]
fn joint_seals_of_two_organs_side_by_side() {
    let doc = sample("joint-notice");
    check_joint(&doc);
    let pages = read(&print(&doc).pdf);
    let rings = rings(seal_page(&pages));
    near(rings[0].cy, rings[1].cy, "two seals on one row");
    assert!(rings[0].cx < rings[1].cx, "主办机关 first, on the left");
}

#[test]
fn joint_seals_of_four_organs_in_two_rows() {
    let doc = joint(&[
        "鹤山市人民政府",
        "鹤山市人民武装部",
        "鹤山市应急管理局",
        "鹤山市公安局",
    ]);
    check_joint(&doc);
    let pages = read(&print(&doc).pdf);
    let rings = rings(seal_page(&pages));
    let rows: Vec<f32> = rings.iter().map(|r| r.cy).fold(Vec::new(), |mut v, y| {
        if !v.iter().any(|&r: &f32| (r - y).abs() < 0.5) {
            v.push(y);
        }
        v
    });
    assert_eq!(rows.len(), 2, "three seals to a row, the fourth below");
    // The last seal lines up under the last column of the row above.
    near(rings[3].cx, rings[2].cx, "columns aligned");
}

#[test]
fn joint_seals_with_long_names_keep_the_names_apart() {
    check_joint(&joint(&[
        "鹤山市农业农村和水利局",
        "鹤山市住房和城乡建设局",
    ]));
}

#[test]
fn joint_seal_image_is_used_for_the_lead_organ_only() {
    let mut doc = sample("joint-notice");
    let seal =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/seals/sample-seal.png");
    doc.seal = Seal::Image(seal.to_string_lossy().into_owned());
    let out = print(&doc);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.code == gongwen_print::WarningCode::SealImage),
        "a joint document with one seal image says so"
    );
    let pages = read(&out.pdf);
    assert_eq!(
        rings(seal_page(&pages)).len(),
        1,
        "the other organ's seal is generated"
    );
}

#[test]
fn unsealed_joint_signatures_stack_right_aligned() {
    // 7.3.5.2: 署名右空二字, 联合行文 names one under another; 成文日期首字比署名首字右移二字.
    let mut doc = sample("joint-notice");
    doc.seal = Seal::None;
    let out = print(&doc);
    let pages = read(&out.pdf);
    let last_text = pages
        .iter()
        .rev()
        .find(|p| body_lines(p).len() > 2)
        .expect("a page with text");
    let lines = body_lines(last_text);
    let n = lines.len();
    let (first, second, date) = (&lines[n - 3], &lines[n - 2], &lines[n - 1]);
    near(left(first), left(second), "署名 aligned");
    near(
        left(date),
        left(first) + 2.0 * CELL,
        "成文日期 two characters right of the 署名",
    );
    // Whichever reaches further right, the longer 署名 or the 成文日期, ends two
    // characters from the right (成文日期长于署名时成文日期右空二字，署名相应左移).
    near(
        right(first).max(right(second)).max(right(date)),
        184.0 - 2.0 * CELL,
        "two characters from the right",
    );
}

#[test]
fn joint_order_stacks_signature_stamps_one_organ_a_line() {
    // 7.3.5.3: 主办机关签发人职务、签名章在前，其余依次向下编排，上下对齐，每行一个机关.
    let mut doc = sample("order");
    doc.issuers.push(Issuer {
        name: "鹤山市人民武装部".into(),
        mark: None,
    });
    doc.signers = vec![
        "鹤山市人民政府市长 王大明".into(),
        "鹤山市人民武装部政治委员 李强".into(),
    ];
    doc.signer_title = None;
    let out = print(&doc);
    let page = &read(&out.pdf)[0];
    let lines = page.lines();
    let stamps: Vec<&Vec<Glyph>> = lines
        .iter()
        .filter(|l| is_red(l[0].rgb) && l[0].size > 20.0 && l[0].baseline > 120.0)
        .collect();
    assert_eq!(stamps.len(), 2, "one signature stamp a line");
    near(
        stamps[1][0].baseline - stamps[0][0].baseline,
        PITCH,
        "stamps on consecutive lines",
    );
    for s in &stamps {
        near(
            right(s),
            184.0 - 4.0 * CELL,
            "签名章 four characters from the right",
        );
    }
    let titles: Vec<&Vec<Glyph>> = lines
        .iter()
        .filter(|l| is_black(l[0].rgb) && (l[0].size - 16.0).abs() < 0.01)
        .filter(|l| {
            stamps
                .iter()
                .any(|s| (s[0].baseline - l[0].baseline).abs() < 3.0)
        })
        .collect();
    assert_eq!(titles.len(), 2, "a 职务 beside each stamp");
    near(right(titles[0]), right(titles[1]), "职务 aligned");
    let widest_stamp = stamps.iter().map(|s| left(s)).fold(f32::MAX, f32::min);
    near(
        right(titles[0]),
        widest_stamp - 2.0 * CELL,
        "职务 two characters left of the stamps",
    );
    let date = lines
        .iter()
        .find(|l| {
            is_black(l[0].rgb)
                && l[0].baseline > stamps[1][0].baseline + 1.0
                && l[0].baseline < 262.0
        })
        .expect("the 成文日期");
    near(
        right(date),
        184.0 - 4.0 * CELL,
        "成文日期 four characters from the right",
    );
    // Line centres (em box middles) two lines apart.
    let mid = |l: &[Glyph]| l[0].baseline - 0.38 * l[0].size * PT;
    near(
        mid(date) - mid(stamps[1]),
        2.0 * PITCH,
        "成文日期 one blank line below the last stamp",
    );
}
