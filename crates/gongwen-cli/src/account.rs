//! `gongwen passwd`: change the account's password on the server.
//!
//! On a terminal it asks for the current password and twice for the new one, without
//! echo. Otherwise it reads lines from standard input: the current password, the new
//! one, and optionally the new one again (which must match). The new refresh token
//! replaces the old one in the keychain; the user's other devices must log in again.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use gongwen_client::Client;
use gongwen_client::sync::{self, KeychainTokens, PasswordChangeError};

/// The current and the new password.
#[derive(Debug, PartialEq, Eq)]
struct Passwords {
    current: String,
    new: String,
}

fn prompt(label: &str) -> Result<String> {
    rpassword::prompt_password(label).with_context(|| format!("无法读取{label}"))
}

fn from_terminal() -> Result<Passwords> {
    let current = prompt("当前密码：")?;
    let new = prompt("新密码：")?;
    let again = prompt("再次输入新密码：")?;
    if new != again {
        bail!("两次输入的新密码不一致，密码未修改");
    }
    Ok(Passwords { current, new })
}

/// Lines: the current password, the new one, and optionally the new one again.
fn from_lines(input: impl BufRead) -> Result<Passwords> {
    let mut lines = Vec::new();
    for line in input.lines().take(3) {
        let line = line.context("无法读取标准输入")?;
        lines.push(line.trim_end_matches('\r').to_owned());
    }
    let mut it = lines.into_iter();
    let current = it.next().filter(|l| !l.is_empty());
    let new = it.next().filter(|l| !l.is_empty());
    let (Some(current), Some(new)) = (current, new) else {
        bail!("请在标准输入中依次提供当前密码和新密码（各占一行）");
    };
    if let Some(again) = it.next().filter(|l| !l.is_empty())
        && again != new
    {
        bail!("两次输入的新密码不一致，密码未修改");
    }
    Ok(Passwords { current, new })
}

pub fn passwd(client: Client) -> Result<ExitCode> {
    let Some(account) = sync::account(&client)? else {
        bail!("尚未登录服务器，无法修改密码：请先运行 gongwen login --server 地址 --user 用户名");
    };
    let stdin = std::io::stdin();
    let passwords = if stdin.is_terminal() {
        println!(
            "修改 {}（{}）在 {} 上的密码",
            account.display, account.login, account.server_url
        );
        from_terminal()?
    } else {
        from_lines(stdin.lock())?
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")?;
    match rt.block_on(sync::change_password(
        &client,
        &passwords.current,
        &passwords.new,
        Arc::new(KeychainTokens),
    )) {
        Ok(_) => {
            println!("密码已修改。您在其他设备上的登录已失效，需要用新密码重新登录");
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ PasswordChangeError::SessionEnded) => {
            eprintln!("修改密码失败：{e}（gongwen login）");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(anyhow!("修改密码失败：{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_the_current_and_the_new_password() {
        let p = from_lines("旧密码123\n新的密码456\n".as_bytes()).unwrap();
        assert_eq!(p.current, "旧密码123");
        assert_eq!(p.new, "新的密码456");
        let p = from_lines("旧密码123\r\n新的密码456\r\n新的密码456\r\n".as_bytes()).unwrap();
        assert_eq!(p.new, "新的密码456");
    }

    #[test]
    fn a_mismatched_repeat_or_a_missing_line_is_refused() {
        let e = from_lines("旧密码123\n新的密码456\n新的密码457\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("不一致"), "{e}");
        let e = from_lines("旧密码123\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("当前密码和新密码"), "{e}");
        assert!(from_lines("".as_bytes()).is_err());
    }
}
