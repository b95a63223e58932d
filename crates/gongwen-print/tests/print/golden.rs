//! Golden images: every sample rendered with `pdftoppm -r 30` matches the committed
//! PNGs in tests/golden/ within a small tolerance. `GONGWEN_BLESS=1` rewrites them.

use std::path::{Path, PathBuf};

use crate::{fonts, print, sample, sample_path};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Renders every page at `dpi`; returns the PNG files in page order.
fn render(pdf: &[u8], dpi: u32, dir: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let input = dir.join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png"])
        .arg(&input)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm must be installed (poppler-utils)");
    assert!(status.success());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    pages
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1 % channels], p[2 % channels]])
        .collect();
    (info.width, info.height, rgb)
}

fn check(name: &str, pdf: &[u8]) {
    let tmp = std::env::temp_dir().join(format!("gongwen-golden-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let pages = render(pdf, 30, &tmp);
    let bless = std::env::var_os("GONGWEN_BLESS").is_some();
    std::fs::create_dir_all(golden_dir()).unwrap();
    for (i, page) in pages.iter().enumerate() {
        let golden = golden_dir().join(format!("{name}-{}.png", i + 1));
        if bless {
            std::fs::copy(page, &golden).unwrap();
            continue;
        }
        assert!(
            golden.exists(),
            "no golden image {} (run with GONGWEN_BLESS=1 and look at it)",
            golden.display()
        );
        let (w, h, got) = decode(page);
        let (gw, gh, want) = decode(&golden);
        assert_eq!((w, h), (gw, gh), "{name} page {}: image size", i + 1);
        let differing = got
            .chunks(3)
            .zip(want.chunks(3))
            .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 48))
            .count();
        let share = differing as f32 / (w * h) as f32;
        assert!(
            share < 0.004,
            "{name} page {}: {:.2}% of pixels differ from {}",
            i + 1,
            share * 100.0,
            golden.display()
        );
    }
    if !bless {
        let extra = golden_dir().join(format!("{name}-{}.png", pages.len() + 1));
        assert!(
            !extra.exists(),
            "{name}: fewer pages than the golden images"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn samples_match_golden_images() {
    for name in [
        "notice-full",
        "request-up",
        "joint-notice",
        "letter",
        "order",
        "minutes",
        "three-pages-attachments",
    ] {
        check(name, &print(&sample(name)).pdf);
    }
}

#[test]
fn forms_match_golden_images() {
    let draft: gongwen_print::forms::DraftSheet =
        serde_json::from_str(&std::fs::read_to_string(sample_path("draft-sheet.json")).unwrap())
            .unwrap();
    check(
        "draft-sheet",
        &gongwen_print::forms::print_draft_sheet_with(&draft, fonts())
            .unwrap()
            .pdf,
    );
    let receipt: gongwen_print::forms::ReceiptSheet =
        serde_json::from_str(&std::fs::read_to_string(sample_path("receipt-sheet.json")).unwrap())
            .unwrap();
    check(
        "receipt-sheet",
        &gongwen_print::forms::print_receipt_sheet_with(&receipt, fonts())
            .unwrap()
            .pdf,
    );
}
