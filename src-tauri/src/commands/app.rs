//! 设置 · 关于: versions, the data folder (打开文件夹) and 导出诊断信息.
//!
//! The diagnostics archive is a `.tar.gz` a clerk can mail to support. It holds the
//! logs, the versions, the store's numbers (schema, sizes, counts, sync state), the
//! settings, the fonts and printers found, and nothing secret: no passwords or tokens
//! (they are never read here), no store key, no document text.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// What 关于 shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AboutInfo {
    pub app_version: String,
    /// The sync protocol this client speaks.
    pub protocol_version: u32,
    /// The sync data schema this client speaks.
    pub sync_schema_version: u32,
    /// The local store's schema, and the newest this program knows.
    #[ts(type = "number")]
    pub store_schema_version: i64,
    #[ts(type = "number")]
    pub latest_store_schema_version: i64,
    pub tauri_version: String,
    /// The system web view (WebKitGTK, WebView2 …), when it can be asked.
    pub webview_version: Option<String>,
    /// e.g. "linux x86_64".
    pub platform: String,
    pub data_dir: String,
    pub log_file: String,
}

/// 关于.
#[tauri::command]
pub async fn about(state: State<'_, AppState>) -> Result<AboutInfo, CommandError> {
    let info = state.client()?.store_about()?;
    Ok(AboutInfo {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol_version: gongwen_protocol::PROTOCOL_VERSION,
        sync_schema_version: gongwen_protocol::sync::SCHEMA_VERSION,
        store_schema_version: info.schema_version,
        latest_store_schema_version: info.latest_schema_version,
        tauri_version: tauri::VERSION.to_owned(),
        webview_version: tauri::webview_version().ok(),
        platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        data_dir: state.data_dir().display().to_string(),
        log_file: crate::logging::log_file(state.data_dir())
            .display()
            .to_string(),
    })
}

/// 打开文件夹: shows the data folder in the system's file manager.
#[tauri::command]
pub async fn open_data_dir(state: State<'_, AppState>) -> Result<(), CommandError> {
    let dir = state.data_dir().to_path_buf();
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // The file manager outlives this call; it is not waited for.
    Command::new(program)
        .arg(&dir)
        .spawn()
        .map(drop)
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Internal,
                format!(
                    "无法打开文件夹（{program}：{e}）。数据文件夹是：{}",
                    dir.display()
                ),
            )
        })
}

/// A minimal ustar writer: regular files only, names up to 100 bytes.
struct Tar<W: Write> {
    out: W,
    mtime: u64,
}

impl<W: Write> Tar<W> {
    fn new(out: W, mtime: u64) -> Tar<W> {
        Tar { out, mtime }
    }

    fn append(&mut self, name: &str, data: &[u8]) -> std::io::Result<()> {
        let mut header = [0u8; 512];
        let name = name.as_bytes();
        if name.len() > 100 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "name too long for tar",
            ));
        }
        header[..name.len()].copy_from_slice(name);
        let octal = |field: &mut [u8], value: u64| {
            let text = format!("{value:0width$o}\0", width = field.len() - 1);
            field.copy_from_slice(text.as_bytes());
        };
        octal(&mut header[100..108], 0o644);
        octal(&mut header[108..116], 0);
        octal(&mut header[116..124], 0);
        octal(&mut header[124..136], data.len() as u64);
        octal(&mut header[136..148], self.mtime);
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        // The checksum is computed with its own field as spaces.
        header[148..156].fill(b' ');
        let sum: u64 = header.iter().map(|&b| u64::from(b)).sum();
        let text = format!("{sum:06o}\0 ");
        header[148..156].copy_from_slice(text.as_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(data)?;
        let pad = (512 - data.len() % 512) % 512;
        self.out.write_all(&vec![0u8; pad])
    }

    fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(&[0u8; 1024])?;
        Ok(self.out)
    }
}

fn pretty<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}").into_bytes())
}

/// Everything the archive holds, as (name, bytes), gathered from the store and the
/// system. Failures to read one part are written into that part, not fatal.
fn gather(state: &AppState) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    files.push((
        "README.txt".to_owned(),
        "公文通诊断信息\n\n\
         本压缩包供技术支持排查问题使用，包含：程序和数据版本、本机数据的统计数字（不含公文内容）、\
         同步状态、设置、本机字体和打印机、运行日志。\n\
         不包含：密码、登录令牌、数据库密钥和公文正文。\n"
            .as_bytes()
            .to_vec(),
    ));
    let client = state.client();
    let about = serde_json::json!({
        "appVersion": env!("CARGO_PKG_VERSION"),
        "protocolVersion": gongwen_protocol::PROTOCOL_VERSION,
        "syncSchemaVersion": gongwen_protocol::sync::SCHEMA_VERSION,
        "tauriVersion": tauri::VERSION,
        "webviewVersion": tauri::webview_version().ok(),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "dataDir": state.data_dir().display().to_string(),
    });
    files.push(("about.json".to_owned(), pretty(&about)));
    let store = match &client {
        Ok(client) => serde_json::json!({
            "storeInfo": client.store_info().map_err(|e| e.to_string()),
            "queueCounts": client.queue_counts().map_err(|e| e.to_string()),
            "flowCounts": client.flow_counts().map_err(|e| e.to_string()),
            "syncDetails": client.sync_details().map_err(|e| e.to_string()),
            "syncService": state.sync().map(|s| s.status()),
        }),
        Err(error) => serde_json::json!({ "storeNotOpened": error }),
    };
    files.push(("store.json".to_owned(), pretty(&store)));
    files.push(("settings.json".to_owned(), pretty(&state.settings())));
    let fonts = match gongwen_print::fonts_report() {
        Ok(report) => report.summary(),
        Err(error) => format!("字体无法读取：{error}\n"),
    };
    files.push(("fonts.txt".to_owned(), fonts.into_bytes()));
    files.push((
        "printers.json".to_owned(),
        pretty(&super::settings::list_printers()),
    ));
    let logs = crate::logging::log_dir(state.data_dir());
    if let Ok(entries) = std::fs::read_dir(&logs) {
        let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        names.sort();
        for path in names.into_iter().filter(|p| p.is_file()) {
            if let (Some(name), Ok(bytes)) = (path.file_name(), std::fs::read(&path)) {
                files.push((format!("logs/{}", name.to_string_lossy()), bytes));
            }
        }
    }
    files
}

/// Writes the diagnostics archive to `path` (a `.tar.gz`), through a temporary file so
/// a full disk leaves no half archive behind.
pub fn write_diagnostics(state: &AppState, path: &Path) -> Result<u64, CommandError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let failed = |e: std::io::Error| {
        let hint = if e.raw_os_error() == Some(28) {
            "磁盘已满，请清理磁盘或换一个位置后重试。"
        } else {
            "请换一个位置后重试。"
        };
        CommandError::new(
            ErrorCode::StoreUnavailable,
            format!("无法保存诊断信息到“{}”：{e}。{hint}", path.display()),
        )
    };
    let tmp = path.with_extension("partial");
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = Tar::new(gz, now);
        for (name, bytes) in gather(state) {
            tar.append(&format!("gongwen-diagnostics/{name}"), &bytes)?;
        }
        let file = tar.finish()?.finish()?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(std::fs::metadata(path)?.len())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// 导出诊断信息 to the file the user chose; answers its size in bytes.
#[tauri::command]
pub async fn export_diagnostics(
    state: State<'_, AppState>,
    path: String,
) -> Result<u64, CommandError> {
    let path = PathBuf::from(path.trim());
    if path.as_os_str().is_empty() {
        return Err(CommandError::new(ErrorCode::InvalidInput, "请选择保存位置"));
    }
    tracing::info!(path = %path.display(), "exporting diagnostics");
    write_diagnostics(&state, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tar_writer_makes_archives_tar_can_list() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("t.tar");
        let mut tar = Tar::new(Vec::new(), 1_764_000_000);
        tar.append("a/说明.txt", "你好".as_bytes()).unwrap();
        tar.append("a/empty", b"").unwrap();
        tar.append("a/big.bin", &vec![7u8; 1500]).unwrap();
        let bytes = tar.finish().unwrap();
        assert_eq!(bytes.len() % 512, 0);
        std::fs::write(&path, &bytes).unwrap();
        let listing = Command::new("tar").arg("-tvf").arg(&path).output();
        // `tar` is on every machine this runs on; its verdict is the point of the test.
        let listing = listing.expect("tar runs");
        assert!(
            listing.status.success(),
            "{}",
            String::from_utf8_lossy(&listing.stderr)
        );
        let text = String::from_utf8_lossy(&listing.stdout);
        assert!(text.contains("a/说明.txt"), "{text}");
        assert!(text.contains("1500"), "{text}");
        assert!(
            Tar::new(Vec::new(), 0)
                .append(&"x".repeat(101), b"")
                .is_err()
        );
    }
}
