//! The desktop app's command line: only `--data-dir DIR` (or `--data-dir=DIR`).
//!
//! Anything else on the command line is ignored, so launchers and test drivers that
//! append their own switches do not stop the app from starting.

use std::ffi::OsString;
use std::path::PathBuf;

/// The data folder named on the command line, if any.
pub fn data_dir_arg<I>(args: I) -> Option<PathBuf>
where
    I: IntoIterator<Item = OsString>,
{
    let mut found = None;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            found = args
                .next()
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or(found);
        } else if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir="))
            && !value.is_empty()
        {
            found = Some(PathBuf::from(value));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn reads_both_spellings_and_the_last_one_wins() {
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir", "/a"])),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir=/b"])),
            Some(PathBuf::from("/b"))
        );
        assert_eq!(
            data_dir_arg(args(&["app", "--data-dir", "/a", "--data-dir=/b"])),
            Some(PathBuf::from("/b"))
        );
    }

    #[test]
    fn ignores_other_switches_and_missing_values() {
        assert_eq!(data_dir_arg(args(&["app"])), None);
        assert_eq!(
            data_dir_arg(args(&["app", "--automation", "-psn_0_1"])),
            None
        );
        assert_eq!(data_dir_arg(args(&["app", "--data-dir"])), None);
        assert_eq!(data_dir_arg(args(&["app", "--data-dir="])), None);
        // The program name itself is never taken as a value.
        assert_eq!(data_dir_arg(args(&["--data-dir", "x"])), None);
    }
}
