//! The desktop app's own settings, kept beside the store in `desktop-settings.json`.
//!
//! What the store itself knows (the server account, the user, the outbox) stays in the
//! store; this file holds only how this window behaves: whether the first-run setup was
//! answered with 离线试用, the server address typed before logging in, the printer and
//! copies, the sync interval, the font size and whether to raise notifications. It holds
//! no secrets (passwords are never kept; refresh tokens live in the OS keychain).
//!
//! A missing file means defaults. A file that cannot be read is reported once in the log
//! and replaced by defaults on the next save: settings are never worth refusing to start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};

/// The file name inside the data folder.
pub const FILE: &str = "desktop-settings.json";

/// Bounds of the sync interval the user may choose, in seconds.
pub const SYNC_INTERVAL_RANGE: (u32, u32) = (30, 3600);
/// Bounds of the copies the user may choose.
pub const COPIES_RANGE: (u32, u32) = (1, 99);

/// How this profile works: with a server account, or on this computer only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// 离线试用: everything stays on this computer until the user connects a server.
    Local,
    /// Logged in to a server (or was: after 退出登录 the setup screen shows again).
    Server,
}

/// Text size for the whole window (older users ask for larger type).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FontSize {
    /// 14 px, Ant Design's default.
    #[default]
    Normal,
    /// 16 px.
    Large,
    /// 18 px.
    Larger,
}

/// Everything the 设置 page edits, as stored and as sent to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// `None` until the first-run setup is answered.
    pub profile: Option<Profile>,
    /// The server address last typed (kept for 离线试用 users who connect later).
    pub server_url: Option<String>,
    /// A PEM file of extra trusted CA certificates for that server.
    pub ca_file: Option<String>,
    /// The printer 打印 sends to; `None` = the system's default printer.
    pub printer: Option<String>,
    /// How many copies 打印 makes.
    pub copies: u32,
    /// How often to sync while online, in seconds.
    pub sync_interval_secs: u32,
    pub font_size: FontSize,
    /// Raise desktop notifications for new 待办.
    pub notifications: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            profile: None,
            server_url: None,
            ca_file: None,
            printer: None,
            copies: 1,
            sync_interval_secs: 60,
            font_size: FontSize::Normal,
            notifications: true,
        }
    }
}

impl Settings {
    /// The settings saved in `data_dir`, or the defaults.
    pub fn load(data_dir: &Path) -> Settings {
        let path = data_dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(settings) => settings.clamped(),
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "settings unreadable; using defaults");
                    Settings::default()
                }
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "settings unreadable; using defaults");
                Settings::default()
            }
        }
    }

    /// Writes the settings to `data_dir` atomically (a temporary file renamed over).
    pub fn save(&self, data_dir: &Path) -> Result<(), CommandError> {
        let path = data_dir.join(FILE);
        let tmp = data_dir.join(format!("{FILE}.tmp"));
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| CommandError::new(ErrorCode::Internal, format!("无法保存设置：{e}")))?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                CommandError::new(
                    ErrorCode::StoreUnavailable,
                    format!(
                        "无法保存设置到“{}”：{e}。请检查数据文件夹的权限和磁盘空间。",
                        path.display()
                    ),
                )
            })
    }

    /// Values out of range pulled back into range (a hand-edited file must not break printing).
    pub fn clamped(mut self) -> Settings {
        self.copies = self.copies.clamp(COPIES_RANGE.0, COPIES_RANGE.1);
        self.sync_interval_secs = self
            .sync_interval_secs
            .clamp(SYNC_INTERVAL_RANGE.0, SYNC_INTERVAL_RANGE.1);
        self.printer = self.printer.filter(|p| !p.trim().is_empty());
        self.server_url = self.server_url.filter(|s| !s.trim().is_empty());
        self.ca_file = self.ca_file.filter(|s| !s.trim().is_empty());
        self
    }

    /// The CA file as a path, when one is set.
    pub fn ca_path(&self) -> Option<PathBuf> {
        self.ca_file.as_deref().map(PathBuf::from)
    }
}

/// What the 设置 page may change (the profile and server address change only through
/// setup, login and logout).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    pub printer: Option<String>,
    pub copies: u32,
    pub sync_interval_secs: u32,
    pub font_size: FontSize,
    pub notifications: bool,
}

impl SettingsUpdate {
    /// Checks the ranges and applies the update to `settings`.
    pub fn apply_to(self, settings: &mut Settings) -> Result<(), CommandError> {
        if !(COPIES_RANGE.0..=COPIES_RANGE.1).contains(&self.copies) {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                format!("份数须在 {} 到 {} 之间", COPIES_RANGE.0, COPIES_RANGE.1),
            ));
        }
        if !(SYNC_INTERVAL_RANGE.0..=SYNC_INTERVAL_RANGE.1).contains(&self.sync_interval_secs) {
            return Err(CommandError::new(
                ErrorCode::InvalidInput,
                format!(
                    "同步间隔须在 {} 秒到 {} 分钟之间",
                    SYNC_INTERVAL_RANGE.0,
                    SYNC_INTERVAL_RANGE.1 / 60
                ),
            ));
        }
        settings.printer = self.printer.filter(|p| !p.trim().is_empty());
        settings.copies = self.copies;
        settings.sync_interval_secs = self.sync_interval_secs;
        settings.font_size = self.font_size;
        settings.notifications = self.notifications;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_gives_defaults_and_a_save_round_trips() {
        let dir = tempfile::TempDir::new().unwrap();
        assert_eq!(Settings::load(dir.path()), Settings::default());
        let settings = Settings {
            profile: Some(Profile::Local),
            server_url: Some("https://oa.example:8443".into()),
            printer: Some("HP_LaserJet".into()),
            copies: 3,
            font_size: FontSize::Large,
            ..Settings::default()
        };
        settings.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()), settings);
        assert!(!dir.path().join(format!("{FILE}.tmp")).exists());
    }

    #[test]
    fn a_damaged_or_out_of_range_file_does_not_stop_the_app() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        assert_eq!(Settings::load(dir.path()), Settings::default());

        std::fs::write(
            dir.path().join(FILE),
            br#"{"copies": 0, "syncIntervalSecs": 5, "printer": "  ", "unknown": 1}"#,
        )
        .unwrap();
        let loaded = Settings::load(dir.path());
        assert_eq!(loaded.copies, 1);
        assert_eq!(loaded.sync_interval_secs, SYNC_INTERVAL_RANGE.0);
        assert_eq!(loaded.printer, None);
        assert!(loaded.notifications, "missing fields take their defaults");
    }

    #[test]
    fn an_update_out_of_range_is_refused_in_chinese() {
        let mut settings = Settings::default();
        let update = SettingsUpdate {
            printer: Some("Office".into()),
            copies: 100,
            sync_interval_secs: 60,
            font_size: FontSize::Normal,
            notifications: true,
        };
        let error = update.clone().apply_to(&mut settings).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(error.message.contains("份数"), "{}", error.message);
        assert_eq!(settings, Settings::default(), "nothing changed");

        let update = SettingsUpdate {
            copies: 2,
            sync_interval_secs: 10,
            ..update
        };
        let error = update.clone().apply_to(&mut settings).unwrap_err();
        assert!(error.message.contains("同步间隔"), "{}", error.message);

        let update = SettingsUpdate {
            sync_interval_secs: 120,
            ..update
        };
        update.apply_to(&mut settings).unwrap();
        assert_eq!(settings.copies, 2);
        assert_eq!(settings.printer.as_deref(), Some("Office"));
    }

    #[test]
    fn unwritable_folders_are_reported_in_chinese() {
        let dir = tempfile::TempDir::new().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let error = Settings::default().save(&file.join("sub")).unwrap_err();
        assert_eq!(error.code, ErrorCode::StoreUnavailable);
        assert!(error.message.contains("无法保存设置"), "{}", error.message);
    }
}
