//! Small durable file-system helpers.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Creates `dir` (and parents) and checks that a file can be created, written,
/// synced and removed in it.
pub(crate) fn ensure_writable_dir(dir: &Path) -> Result<()> {
    let unwritable = |e: std::io::Error| {
        if matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        ) {
            Error::DiskFull
        } else {
            Error::DataDirUnwritable {
                path: dir.to_path_buf(),
                reason: plain_io_reason(&e),
            }
        }
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::DataDirUnwritable {
            path: dir.to_path_buf(),
            reason: "这是一个文件，不是文件夹".into(),
        });
    }
    fs::create_dir_all(dir).map_err(unwritable)?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&probe)
        .map_err(unwritable)?;
    f.write_all(b"ok")
        .and_then(|()| f.sync_all())
        .map_err(unwritable)?;
    drop(f);
    fs::remove_file(&probe).map_err(unwritable)?;
    Ok(())
}

/// A short Chinese reason for common I/O errors.
pub(crate) fn plain_io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        PermissionDenied => "没有写入权限".into(),
        ReadOnlyFilesystem => "文件系统是只读的".into(),
        NotFound => "路径不存在".into(),
        StorageFull | QuotaExceeded => "磁盘空间已满".into(),
        NotADirectory => "路径中有一段不是文件夹".into(),
        _ => e.to_string(),
    }
}

/// Writes a small file atomically: temp file, fsync, rename, fsync the folder.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    sync_dir(dir)
}

/// Makes a rename or create in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
