//! Fonts: the official faces when the user has them, the shipped free faces otherwise.
//!
//! GB/T 9704-2012 names four typefaces (小标宋, 仿宋, 黑体, 楷体) and 宋体 for page
//! numbers (7.5). Offices install 方正小标宋简体, 仿宋_GB2312, 黑体 and 楷体_GB2312; we look
//! for them through the system font configuration ([`fontdb`] reads fontconfig on
//! Linux and the Fonts folder on Windows). Every role has a free stand-in shipped in
//! `assets/fonts/` (see its README for the licences). Characters a face lacks fall
//! back, one by one, to the next face of the role's chain; a character no face has
//! is drawn as □ and reported.
//!
//! Font files are opened once per process ([`Fonts::system_or_bundled`] caches
//! them) and memory-mapped, not read: a document touches the few kilobytes of
//! tables and glyphs it uses out of tens of megabytes of CJK fonts, so mapping
//! makes loading nearly free (see [`FontBytes`] for why that is sound).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;

use crate::{Error, Result};

/// A typeface role of GB/T 9704-2012.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 小标宋: 发文机关标志, 标题 (7.2.4, 7.3.1).
    XiaoBiaoSong,
    /// 仿宋: 正文 and most elements (7.3.3).
    FangSong,
    /// 黑体: 密级, 紧急程度, first-level headings, "附件" labels (7.2.2, 7.2.3, 7.3.3, 7.3.7).
    Hei,
    /// 楷体: second-level headings, 签发人 names (7.2.6, 7.3.3).
    Kai,
    /// 宋体: page numbers (7.5).
    Song,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::XiaoBiaoSong,
        Role::FangSong,
        Role::Hei,
        Role::Kai,
        Role::Song,
    ];

    /// The role's name as users know it.
    pub fn label(self) -> &'static str {
        match self {
            Role::XiaoBiaoSong => "小标宋",
            Role::FangSong => "仿宋",
            Role::Hei => "黑体",
            Role::Kai => "楷体",
            Role::Song => "宋体",
        }
    }

    /// Installed family names that count as the official face, best first.
    fn official_families(self) -> &'static [&'static str] {
        match self {
            Role::XiaoBiaoSong => &[
                "方正小标宋简体",
                "FZXiaoBiaoSong-B05S",
                "方正小标宋_GBK",
                "FZXiaoBiaoSong-B05",
                "方正小标宋",
            ],
            Role::FangSong => &[
                "仿宋_GB2312",
                "FangSong_GB2312",
                "仿宋",
                "FangSong",
                "方正仿宋_GBK",
                "方正仿宋简体",
            ],
            Role::Hei => &["黑体", "SimHei", "方正黑体_GBK", "方正黑体简体"],
            Role::Kai => &[
                "楷体_GB2312",
                "KaiTi_GB2312",
                "楷体",
                "KaiTi",
                "方正楷体_GBK",
                "方正楷体简体",
            ],
            Role::Song => &["宋体", "SimSun", "方正书宋_GBK", "方正书宋简体"],
        }
    }

    /// The shipped stand-in: file name in `assets/fonts/` and its family name.
    fn bundled(self) -> (&'static str, &'static str) {
        match self {
            Role::XiaoBiaoSong => ("NotoSerifCJKsc-Bold.otf", "Noto Serif CJK SC Bold"),
            Role::FangSong => ("FandolFang-Regular.otf", "FandolFang"),
            Role::Hei => ("NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC"),
            Role::Kai => ("LXGWWenKai-Regular.ttf", "LXGW WenKai"),
            Role::Song => ("FandolSong-Regular.otf", "FandolSong"),
        }
    }

    /// The order in which other roles' faces stand in for a missing character,
    /// nearest in style first.
    fn fallback_roles(self) -> [Role; 4] {
        match self {
            Role::XiaoBiaoSong => [Role::Song, Role::Hei, Role::FangSong, Role::Kai],
            Role::FangSong => [Role::Song, Role::Kai, Role::XiaoBiaoSong, Role::Hei],
            Role::Hei => [Role::XiaoBiaoSong, Role::Song, Role::FangSong, Role::Kai],
            Role::Kai => [Role::FangSong, Role::Song, Role::XiaoBiaoSong, Role::Hei],
            Role::Song => [Role::FangSong, Role::XiaoBiaoSong, Role::Kai, Role::Hei],
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Installed families with wide coverage, tried last for rare characters.
const WIDE_COVERAGE_FAMILIES: &[&str] = &[
    "SimSun-ExtB",
    "SimSun-ExtG",
    "宋体-ExtB",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "思源宋体",
    "思源黑体",
    "Droid Sans Fallback",
];

/// Index of a face in [`Fonts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceId(pub u16);

/// Where a face came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Installed on this computer.
    Installed,
    /// Shipped with Gongwen in `assets/fonts/`.
    Bundled,
}

/// A font file's bytes: memory-mapped, or read when mapping fails.
pub(crate) enum FontBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FontBytes {
    fn open(path: &Path) -> std::io::Result<FontBytes> {
        let file = std::fs::File::open(path)?;
        // SAFETY: the map is read-only and private to this process, and nothing in
        // this process writes font files. What mapping risks is another process
        // truncating the file in place while it is mapped (reads past the new end
        // would fault). Font files are installed read-only, by the system's
        // package manager or by Gongwen's own installer, and font installers
        // replace files (a new inode) rather than truncate them, which leaves this
        // mapping on the old, intact file. The same trade is made by fontdb
        // itself and by browsers for system fonts.
        #[allow(unsafe_code)]
        let mapped = unsafe { memmap2::Mmap::map(&file) };
        match mapped {
            Ok(map) => Ok(FontBytes::Mapped(map)),
            Err(_) => {
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut &file, &mut data)?;
                Ok(FontBytes::Read(data))
            }
        }
    }
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FontBytes::Mapped(map) => map,
            FontBytes::Read(data) => data,
        }
    }
}

/// One loaded font face.
pub struct Face {
    pub family: String,
    pub origin: Origin,
    pub path: PathBuf,
    index: u32,
    data: FontBytes,
    units_per_em: f32,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("family", &self.family)
            .field("origin", &self.origin)
            .field("path", &self.path)
            .finish()
    }
}

impl Face {
    fn load(
        path: &Path,
        index: u32,
        family: String,
        origin: Origin,
    ) -> std::result::Result<Face, String> {
        let data = FontBytes::open(path)
            .map_err(|e| format!("无法读取字体文件 {}：{e}", path.display()))?;
        let units_per_em = ttf_parser::Face::parse(&data, index)
            .map_err(|e| format!("字体文件 {} 已损坏或格式不受支持：{e}", path.display()))?
            .units_per_em() as f32;
        Ok(Face {
            family,
            origin,
            path: path.to_path_buf(),
            index,
            data,
            units_per_em,
        })
    }

    /// A parser over the face's bytes (cheap: reads the table directory only).
    pub(crate) fn parse(&self) -> Option<ttf_parser::Face<'_>> {
        ttf_parser::Face::parse(&self.data, self.index).ok()
    }

    pub(crate) fn units_per_em(&self) -> f32 {
        self.units_per_em
    }

    /// The font file's bytes (the face is `index` within it).
    pub(crate) fn data(&self) -> &[u8] {
        &self.data
    }

    /// The face's index within its file (collections hold several).
    pub(crate) fn index(&self) -> u32 {
        self.index
    }
}

/// Which face each role uses, for the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FontsReport {
    pub roles: Vec<RoleReport>,
    /// Font files that could not be used, in plain words.
    pub problems: Vec<String>,
}

/// One role's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleReport {
    pub role: Role,
    /// "小标宋", "仿宋", …
    pub label: String,
    /// The installed official family, when found.
    pub official: Option<String>,
    /// The family actually used first for this role.
    pub used: Option<String>,
    pub origin: Option<Origin>,
}

impl FontsReport {
    /// Whether every role has its official face.
    pub fn all_official(&self) -> bool {
        self.roles.iter().all(|r| r.official.is_some())
    }

    /// One line per role, in Chinese: what the settings page shows.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for r in &self.roles {
            let line = match (&r.official, &r.used) {
                (Some(f), _) => format!("{}：已找到正式字体“{f}”\n", r.label),
                (None, Some(u)) => {
                    format!("{}：未找到正式字体，使用随附的免费字体“{u}”代替\n", r.label)
                }
                (None, None) => format!("{}：没有可用字体\n", r.label),
            };
            s.push_str(&line);
        }
        for p in &self.problems {
            s.push_str(p);
            s.push('\n');
        }
        s
    }
}

/// How to find fonts.
#[derive(Debug, Clone, Default)]
pub struct FontConfig {
    /// Look for official faces installed on the system.
    pub system: bool,
    /// Folder with the shipped faces; `None` searches the usual places
    /// (see [`bundled_dir`]).
    pub bundled_dir: Option<PathBuf>,
    /// Extra font files to consider as installed (tests, portable installs).
    pub extra_files: Vec<PathBuf>,
}

/// The loaded faces and, per role, the order in which they are tried.
#[derive(Debug)]
pub struct Fonts {
    faces: Vec<Face>,
    chains: [Vec<FaceId>; 5],
    report: FontsReport,
}

static SYSTEM: OnceLock<std::result::Result<Fonts, String>> = OnceLock::new();

impl Fonts {
    /// The process-wide fonts: installed official faces first, shipped faces
    /// otherwise. Loaded on first call, then shared.
    pub fn system_or_bundled() -> Result<&'static Fonts> {
        SYSTEM
            .get_or_init(|| {
                Fonts::load(&FontConfig {
                    system: true,
                    ..FontConfig::default()
                })
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| Error::Fonts(e.clone()))
    }

    /// Only the shipped faces: output identical on every computer (tests, goldens).
    pub fn bundled() -> Result<&'static Fonts> {
        static BUNDLED: OnceLock<std::result::Result<Fonts, String>> = OnceLock::new();
        BUNDLED
            .get_or_init(|| Fonts::load(&FontConfig::default()).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Fonts(e.clone()))
    }

    /// Loads fonts as configured. Fails only when no face at all can be loaded.
    pub fn load(config: &FontConfig) -> Result<Fonts> {
        let mut faces: Vec<Face> = Vec::new();
        let mut problems = Vec::new();
        let mut official: [Option<FaceId>; 5] = [None; 5];
        let mut bundled: [Option<FaceId>; 5] = [None; 5];
        let mut wide: Vec<FaceId> = Vec::new();

        fn push(faces: &mut Vec<Face>, face: Face) -> FaceId {
            faces.push(face);
            FaceId((faces.len() - 1) as u16)
        }

        if config.system || !config.extra_files.is_empty() {
            let mut db = fontdb::Database::new();
            if config.system {
                db.load_system_fonts();
            }
            for f in &config.extra_files {
                if let Err(e) = db.load_font_file(f) {
                    problems.push(format!("无法读取字体文件 {}：{e}", f.display()));
                }
            }
            for role in Role::ALL {
                'search: for wanted in role.official_families() {
                    for info in db.faces() {
                        if info
                            .families
                            .iter()
                            .any(|(name, _)| name.eq_ignore_ascii_case(wanted))
                        {
                            let fontdb::Source::File(path) = &info.source else {
                                continue;
                            };
                            match Face::load(
                                path,
                                info.index,
                                (*wanted).to_string(),
                                Origin::Installed,
                            ) {
                                Ok(face) => {
                                    official[role.index()] = Some(push(&mut faces, face));
                                    break 'search;
                                }
                                Err(e) => problems.push(e),
                            }
                        }
                    }
                }
            }
            for wanted in WIDE_COVERAGE_FAMILIES {
                let found = db.faces().find(|info| {
                    info.families
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case(wanted))
                });
                if let Some(info) = found
                    && let fontdb::Source::File(path) = &info.source
                    && let Ok(face) =
                        Face::load(path, info.index, (*wanted).to_string(), Origin::Installed)
                {
                    wide.push(push(&mut faces, face));
                }
            }
        }

        let dir = config.bundled_dir.clone().or_else(bundled_dir);
        match &dir {
            Some(dir) => {
                for role in Role::ALL {
                    let (file, family) = role.bundled();
                    let path = dir.join(file);
                    match Face::load(&path, 0, family.to_string(), Origin::Bundled) {
                        Ok(face) => bundled[role.index()] = Some(push(&mut faces, face)),
                        Err(e) => problems.push(e),
                    }
                }
            }
            None => problems.push(
                "找不到随附字体目录 assets/fonts（可用环境变量 GONGWEN_FONTS_DIR 指定）"
                    .to_string(),
            ),
        }

        if faces.is_empty() {
            return Err(Error::Fonts(format!(
                "没有可用的字体，无法排版。{}",
                problems.join("；")
            )));
        }

        let chains = Role::ALL.map(|role| {
            let mut chain = Vec::new();
            let mut add = |id: Option<FaceId>| {
                if let Some(id) = id
                    && !chain.contains(&id)
                {
                    chain.push(id);
                }
            };
            add(official[role.index()]);
            add(bundled[role.index()]);
            for other in role.fallback_roles() {
                add(official[other.index()]);
                add(bundled[other.index()]);
            }
            for &w in &wide {
                add(Some(w));
            }
            chain
        });

        let roles = Role::ALL
            .iter()
            .map(|&role| {
                let first = chains[role.index()]
                    .first()
                    .map(|&id| &faces[id.0 as usize]);
                RoleReport {
                    role,
                    label: role.label().to_string(),
                    official: official[role.index()].map(|id| faces[id.0 as usize].family.clone()),
                    used: first.map(|f| f.family.clone()),
                    origin: first.map(|f| f.origin),
                }
            })
            .collect();

        Ok(Fonts {
            faces,
            chains,
            report: FontsReport { roles, problems },
        })
    }

    /// Which official faces were found and which free faces stand in.
    pub fn report(&self) -> &FontsReport {
        &self.report
    }

    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[id.0 as usize]
    }

    pub fn faces(&self) -> impl Iterator<Item = (FaceId, &Face)> {
        self.faces
            .iter()
            .enumerate()
            .map(|(i, f)| (FaceId(i as u16), f))
    }

    /// The faces tried for a role, in order.
    pub fn chain(&self, role: Role) -> &[FaceId] {
        &self.chains[role.index()]
    }
}

/// Where the shipped faces live: `$GONGWEN_FONTS_DIR`, then `fonts/` or
/// `assets/fonts/` next to (or one and two levels above) the executable, the
/// installed package's `lib/gongwen/fonts`, then the source tree this crate was built from.
pub fn bundled_dir() -> Option<PathBuf> {
    let marker = Role::FangSong.bundled().0;
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("GONGWEN_FONTS_DIR") {
        candidates.push(PathBuf::from(dir));
    }
    if let Ok(exe) = std::env::current_exe() {
        let mut dir = exe.parent().map(Path::to_path_buf);
        for _ in 0..3 {
            let Some(d) = dir else { break };
            candidates.push(d.join("fonts"));
            candidates.push(d.join("assets").join("fonts"));
            candidates.push(d.join("resources").join("fonts"));
            candidates.push(d.join("Resources").join("fonts"));
            // The .deb puts bundle resources in /usr/lib/<package>/ (exe in /usr/bin).
            candidates.push(d.join("lib").join("gongwen").join("fonts"));
            dir = d.parent().map(Path::to_path_buf);
        }
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts"));
    candidates.into_iter().find(|d| d.join(marker).is_file())
}

/// Per-layout glyph lookup over a [`Fonts`]: parses each face once per call.
pub(crate) struct Shaper<'f> {
    fonts: &'f Fonts,
    parsed: Vec<Option<ttf_parser::Face<'f>>>,
    /// Characters no face has (drawn as □).
    pub missing: BTreeSet<char>,
}

/// A character resolved to a face and glyph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved {
    pub face: FaceId,
    pub gid: u16,
    /// Advance width in em.
    pub advance: f32,
}

/// The visible substitute for characters no face has.
pub const MISSING_SUBSTITUTE: char = '□';

impl<'f> Shaper<'f> {
    pub fn new(fonts: &'f Fonts) -> Shaper<'f> {
        Shaper {
            fonts,
            parsed: fonts.faces.iter().map(Face::parse).collect(),
            missing: BTreeSet::new(),
        }
    }

    fn lookup(&self, id: FaceId, ch: char) -> Option<Resolved> {
        let face = self.parsed[id.0 as usize].as_ref()?;
        let gid = face.glyph_index(ch)?;
        if gid.0 == 0 {
            return None;
        }
        let upem = self.fonts.faces[id.0 as usize].units_per_em();
        let advance = face
            .glyph_hor_advance(gid)
            .map(|a| a as f32 / upem)
            .unwrap_or(1.0);
        Some(Resolved {
            face: id,
            gid: gid.0,
            advance,
        })
    }

    /// The face and glyph for `ch` in `role`, falling back along the role's chain.
    /// `None` when no face has it (the caller draws [`MISSING_SUBSTITUTE`]).
    pub fn resolve(&self, role: Role, ch: char) -> Option<Resolved> {
        self.fonts
            .chain(role)
            .iter()
            .find_map(|&id| self.lookup(id, ch))
    }

    /// The outline of glyph `gid` of `face`: closed contours of points in em units
    /// from the glyph origin (y up), cubic Bézier control points flagged (quadratic
    /// curves raised to cubic). Empty when the face has no outline for it.
    pub fn outline(&self, face: FaceId, gid: u16) -> Vec<Vec<OutlinePoint>> {
        let Some(parsed) = self.parsed[face.0 as usize].as_ref() else {
            return Vec::new();
        };
        let mut builder = Outline {
            scale: 1.0 / self.fonts.faces[face.0 as usize].units_per_em(),
            contours: Vec::new(),
            current: Vec::new(),
            at: (0.0, 0.0),
        };
        parsed.outline_glyph(ttf_parser::GlyphId(gid), &mut builder);
        builder.finish();
        builder.contours
    }

    /// Like [`Shaper::resolve`], but records a missing character and returns the
    /// substitute (or nothing if even □ is missing: then the character is dropped).
    pub fn resolve_or_substitute(&mut self, role: Role, ch: char) -> Option<(Resolved, char)> {
        if let Some(r) = self.resolve(role, ch) {
            return Some((r, ch));
        }
        self.missing.insert(ch);
        self.resolve(role, MISSING_SUBSTITUTE)
            .map(|r| (r, MISSING_SUBSTITUTE))
    }
}

/// A point of a glyph outline, in em units (y up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct OutlinePoint {
    pub x: f32,
    pub y: f32,
    /// A cubic Bézier control point.
    pub control: bool,
}

struct Outline {
    scale: f32,
    contours: Vec<Vec<OutlinePoint>>,
    current: Vec<OutlinePoint>,
    at: (f32, f32),
}

impl Outline {
    fn point(&mut self, x: f32, y: f32, control: bool) {
        self.current.push(OutlinePoint {
            x: x * self.scale,
            y: y * self.scale,
            control,
        });
    }

    fn finish(&mut self) {
        if self.current.len() > 1 {
            self.contours.push(std::mem::take(&mut self.current));
        }
        self.current.clear();
    }
}

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.finish();
        self.point(x, y, false);
        self.at = (x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.point(x, y, false);
        self.at = (x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        // The cubic with the same curve: controls two thirds of the way to the
        // quadratic's control point from each end.
        let (x0, y0) = self.at;
        self.point(x0 + 2.0 / 3.0 * (x1 - x0), y0 + 2.0 / 3.0 * (y1 - y0), true);
        self.point(x + 2.0 / 3.0 * (x1 - x), y + 2.0 / 3.0 * (y1 - y), true);
        self.point(x, y, false);
        self.at = (x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.point(x1, y1, true);
        self.point(x2, y2, true);
        self.point(x, y, false);
        self.at = (x, y);
    }

    fn close(&mut self) {
        self.finish();
    }
}
