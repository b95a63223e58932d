//! The page geometry of GB/T 9704-2012, in millimetres.

/// A4 (5.2.1: 公文用纸采用 GB/T 148 中规定的 A4 型纸).
pub const PAGE_W: f32 = 210.0;
pub const PAGE_H: f32 = 297.0;

/// 5.2.1 版面: 天头 (top margin) 37 mm ± 1 mm.
pub const TOP: f32 = 37.0;
/// 5.2.1: 订口 (binding-side margin) 28 mm ± 1 mm.
pub const LEFT: f32 = 28.0;
/// 5.2.1: 版心尺寸为 156 mm × 225 mm.
pub const BODY_W: f32 = 156.0;
pub const BODY_H: f32 = 225.0;
/// Right edge and bottom edge of the 版心.
pub const RIGHT: f32 = LEFT + BODY_W;
pub const BOTTOM: f32 = TOP + BODY_H;

/// 5.2.2 字体和字号: 3号仿宋体字 (16 pt).
pub const BODY_SIZE: f32 = 16.0;
/// 2号 (22 pt): 标题 (7.3.1).
pub const TITLE_SIZE: f32 = 22.0;
/// 4号 (14 pt): 版记 (7.4.2, 7.4.3) and 页码 (7.5).
pub const SMALL_SIZE: f32 = 14.0;

/// 5.2.3 行数和字数: 一般每面排22行，每行排28个字. One character cell.
pub const CELL: f32 = BODY_W / 28.0;
/// The line pitch that makes 22 lines fill the 225 mm 版心.
pub const PITCH: f32 = BODY_H / 22.0;

/// The ideographic em box runs from 0.12 em below the baseline to 0.88 em above.
pub const ASCENT: f32 = 0.88;

/// 7.2.4: 发文机关标志上边缘至版心上边缘为 35 mm.
pub const MARK_TOP: f32 = TOP + 35.0;
/// 7.2.7 版头中的分隔线: the red 分隔线 lies 4 mm below the 发文字号.
pub const RULE_GAP: f32 = 4.0;
/// Thickness of the red 分隔线 (the standard leaves it open; common practice).
pub const RED_RULE: f32 = 0.5;

/// 7.5 页码: 一字线上距版心下边缘 7 mm.
pub const FOLIO_TOP: f32 = BOTTOM + 7.0;

/// 7.4.1: 首条和末条分隔线用粗线（推荐高度为 0.35 mm），中间的分隔线用细线（推荐高度为 0.25 mm）.
pub const IMPRINT_THICK: f32 = 0.35;
pub const IMPRINT_THIN: f32 = 0.25;

/// 10.1 信函格式: 标志上边缘至上页边为 30 mm; 双线长 170 mm; 下双线距下页边 20 mm.
pub const LETTER_MARK_TOP: f32 = 30.0;
pub const LETTER_RULE_W: f32 = 170.0;
pub const LETTER_BOTTOM_RULE: f32 = PAGE_H - 20.0;

/// 10.2 命令格式: 标志上边缘至版心上边缘为 20 mm.
pub const ORDER_MARK_TOP: f32 = TOP + 20.0;

/// Seal diameter: 4.2 cm, the size of a county people's government seal
/// (国务院关于国家行政机关和企业事业单位社会团体印章的规定).
pub const SEAL_D: f32 = 42.0;
