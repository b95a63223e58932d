//! The desktop app's command line: `--data-dir DIR` (or `--data-dir=DIR`), and
//! `--scale F` (or `--scale=F`): the web view's zoom, 0.5 to 3 (1.5 = 150 %), for X11
//! desktops, where GTK offers only whole-number scaling (GDK_SCALE=2) and a 150 % screen
//! would otherwise show the app at 100 % or 200 %.
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

/// The zoom named on the command line, if any and if it is a number from 0.5 to 3.
pub fn scale_arg<I>(args: I) -> Option<f64>
where
    I: IntoIterator<Item = OsString>,
{
    let mut found = None;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let value = if arg == "--scale" {
            args.next()
        } else {
            arg.to_str()
                .and_then(|a| a.strip_prefix("--scale="))
                .map(OsString::from)
        };
        if let Some(scale) = value
            .and_then(|v| v.to_str().and_then(|v| v.trim().parse::<f64>().ok()))
            .filter(|z| (0.5..=3.0).contains(z))
        {
            found = Some(scale);
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
    fn reads_the_scale_within_bounds() {
        assert_eq!(scale_arg(args(&["app", "--scale", "1.5"])), Some(1.5));
        assert_eq!(
            scale_arg(args(&["app", "--data-dir", "/a", "--scale=1.25"])),
            Some(1.25)
        );
        assert_eq!(scale_arg(args(&["app"])), None);
        assert_eq!(scale_arg(args(&["app", "--scale", "huge"])), None);
        assert_eq!(scale_arg(args(&["app", "--scale", "10"])), None);
        assert_eq!(scale_arg(args(&["app", "--scale"])), None);
        // The data folder is not taken for a scale, nor the scale for a data folder.
        assert_eq!(
            data_dir_arg(args(&["app", "--scale", "1.5", "--data-dir", "/a"])),
            Some(PathBuf::from("/a"))
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
