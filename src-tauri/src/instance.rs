//! What makes one running 公文通 "the same" as another: its data folder.
//!
//! Two launches on the same data folder are one instance (the second hands over to the
//! first and exits); a launch with another `--data-dir` is another profile and runs beside
//! it. Window positions are remembered per data folder for the same reason.

use std::hash::Hasher;
use std::path::Path;

/// A short, stable tag for `data_dir` (FNV-1a over its absolute path), usable in D-Bus
/// names and file names.
fn tag(data_dir: &Path) -> String {
    let absolute = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let mut hasher = Fnv1a::default();
    hasher.write(absolute.as_os_str().as_encoded_bytes());
    format!("{:016x}", hasher.finish())
}

/// The D-Bus name prefix that identifies the instance on Linux (the plugin appends
/// `.SingleInstance`). Each element of a bus name must start with a letter.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn dbus_id(data_dir: &Path) -> String {
    format!("cn.gongwen.desktop.d{}", tag(data_dir))
}

/// The window-state file name, in the user's config folder.
pub fn window_state_file(data_dir: &Path) -> String {
    format!("window-state-{}.json", tag(data_dir))
}

/// FNV-1a (64 bit): stable across Rust versions, unlike `DefaultHasher`.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_folder_is_the_same_instance_and_others_are_not() {
        let a = dbus_id(Path::new("/home/zs/.local/share/gongwen"));
        assert_eq!(a, dbus_id(Path::new("/home/zs/.local/share/gongwen")));
        assert_ne!(a, dbus_id(Path::new("/tmp/other")));
        assert_ne!(
            window_state_file(Path::new("/a")),
            window_state_file(Path::new("/b"))
        );
    }

    #[test]
    fn the_dbus_id_is_a_valid_bus_name() {
        let id = dbus_id(Path::new("relative/dir"));
        for element in id.split('.') {
            let first = element.chars().next().expect("no empty element");
            assert!(first.is_ascii_alphabetic(), "{id}");
            assert!(
                element
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{id}"
            );
        }
        assert!(id.len() + ".SingleInstance".len() <= 255);
    }
}
