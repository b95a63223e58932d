//! 设置: the desktop settings, the printers CUPS knows, and the fonts found on this
//! computer.

use std::process::Command;

use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::settings::{Settings, SettingsUpdate};
use crate::state::AppState;

/// The settings as saved.
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, CommandError> {
    Ok(state.settings())
}

/// Saves what the 设置 page changed; a new sync interval takes effect at once.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    update: SettingsUpdate,
) -> Result<Settings, CommandError> {
    let before = state.settings().sync_interval_secs;
    let saved = state.update_settings(|s| update.apply_to(s))?;
    if saved.sync_interval_secs != before && state.sync().is_some() {
        state.restart_sync().await;
    }
    Ok(saved)
}

/// The printers of this computer, as CUPS lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrinterList {
    pub printers: Vec<String>,
    /// The system's default printer (`lpstat -d`).
    pub system_default: Option<String>,
    /// Why no printer can be listed, in zh-CN, when that is so.
    pub problem: Option<String>,
}

/// `lpstat -d`: "system default destination: NAME" (or "no system default destination").
pub fn parse_default(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (_, name) = line.split_once("default destination:")?;
        let name = name.trim();
        (!name.is_empty()).then(|| name.to_owned())
    })
}

/// `lpstat -a`: "NAME accepting requests since …", one printer a line.
pub fn parse_printers(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    names.dedup();
    names
}

fn lpstat(arg: &str) -> std::io::Result<std::process::Output> {
    Command::new("lpstat")
        .arg(arg)
        // Untranslated output, so the parsing above holds on a Chinese desktop.
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .output()
}

/// Lists the printers (blocking: runs `lpstat`).
pub fn list_printers() -> PrinterList {
    let accepting = match lpstat("-a") {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return PrinterList {
                printers: Vec::new(),
                system_default: None,
                problem: Some(
                    "本机没有安装 CUPS 打印服务（找不到 lpstat），无法直接打印。可以先“导出PDF”再打印，或请管理员安装打印服务。"
                        .into(),
                ),
            };
        }
        Err(error) => {
            return PrinterList {
                printers: Vec::new(),
                system_default: None,
                problem: Some(format!("无法查询打印机：{error}")),
            };
        }
    };
    let printers = parse_printers(&String::from_utf8_lossy(&accepting.stdout));
    let system_default = lpstat("-d")
        .ok()
        .and_then(|o| parse_default(&String::from_utf8_lossy(&o.stdout)));
    let problem = if printers.is_empty() {
        let stderr = String::from_utf8_lossy(&accepting.stderr);
        Some(if stderr.contains("scheduler is not running") {
            "打印服务（CUPS）没有运行，无法直接打印。可以先“导出PDF”再打印，或请管理员启动打印服务。".to_owned()
        } else {
            "本机还没有添加打印机。请在系统设置中添加打印机，或先“导出PDF”再打印。".to_owned()
        })
    } else {
        None
    };
    PrinterList {
        printers,
        system_default,
        problem,
    }
}

/// 设置 · 打印: the printers to choose from.
#[tauri::command]
pub async fn printers() -> Result<PrinterList, CommandError> {
    tauri::async_runtime::spawn_blocking(list_printers)
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("无法查询打印机：{e}")))
}

/// One typeface role of GB/T 9704 and what this computer has for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FontRole {
    /// 小标宋, 仿宋, 黑体, 楷体, 宋体.
    pub label: String,
    /// The official font offices install for this role.
    pub expected: String,
    /// The official font found on this computer.
    pub official: Option<String>,
    /// The font used instead (a shipped free font) when the official one is missing.
    pub used: Option<String>,
}

/// 设置 · 打印 · 字体.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FontsInfo {
    pub roles: Vec<FontRole>,
    pub all_official: bool,
    /// Font files that could not be used, in zh-CN.
    pub problems: Vec<String>,
}

/// The official font an office installs for each role label.
fn expected_font(label: &str) -> &'static str {
    match label {
        "小标宋" => "方正小标宋简体",
        "仿宋" => "仿宋_GB2312",
        "黑体" => "黑体",
        "楷体" => "楷体_GB2312",
        "宋体" => "宋体",
        _ => "",
    }
}

impl From<gongwen_print::FontsReport> for FontsInfo {
    fn from(report: gongwen_print::FontsReport) -> FontsInfo {
        FontsInfo {
            all_official: report.all_official(),
            roles: report
                .roles
                .into_iter()
                .map(|r| FontRole {
                    expected: expected_font(&r.label).to_owned(),
                    label: r.label,
                    official: r.official,
                    used: r.used,
                })
                .collect(),
            problems: report.problems,
        }
    }
}

/// Which official fonts were found and which free fonts stand in (blocking: the first
/// call reads the font files).
pub fn fonts_info() -> Result<FontsInfo, CommandError> {
    Ok(gongwen_print::fonts_report()?.into())
}

/// 设置 · 打印 · 字体.
#[tauri::command]
pub async fn fonts() -> Result<FontsInfo, CommandError> {
    tauri::async_runtime::spawn_blocking(fonts_info)
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("无法查询字体：{e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cups_answers() {
        assert_eq!(
            parse_default("system default destination: HP_LaserJet_M1136\n"),
            Some("HP_LaserJet_M1136".into())
        );
        assert_eq!(parse_default("no system default destination\n"), None);
        assert_eq!(
            parse_printers(
                "HP_LaserJet_M1136 accepting requests since Sat 28 Nov 2026 09:00:00 AM CST\n\
                 Office-PDF accepting requests since Fri 27 Nov 2026\n"
            ),
            vec!["HP_LaserJet_M1136".to_owned(), "Office-PDF".to_owned()]
        );
        assert!(parse_printers("").is_empty());
    }

    #[test]
    fn every_role_names_the_font_to_install() {
        let info = fonts_info().expect("the shipped fonts are found");
        assert_eq!(info.roles.len(), 5);
        for role in &info.roles {
            assert!(!role.expected.is_empty(), "{role:?}");
            assert!(role.official.is_some() || role.used.is_some(), "{role:?}");
        }
    }
}
