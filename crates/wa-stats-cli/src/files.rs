//! Reading a local file the tool was pointed at (the CA certificate, the profile): regular files
//! only, up to a size cap, so that a device (`/dev/zero`), a FIFO or a directory is refused at
//! once instead of filling memory or waiting for a writer forever.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// The largest CA certificate file read: a system-wide bundle of every public root is about
/// 200 KiB.
pub(crate) const CA_CERT_MAX: u64 = 4 * 1024 * 1024;
/// The largest profile file read.
pub(crate) const PROFILE_MAX: u64 = 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// There is no such file.
    Missing,
    /// It is there but not read: the reason, for a person.
    Refused(String),
}

/// The whole of the regular file at `path` (symbolic links followed), if it holds at most `cap`
/// bytes.
pub(crate) fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, Unreadable> {
    let refused = |error: io::Error| match error.kind() {
        io::ErrorKind::NotFound => Unreadable::Missing,
        _ => Unreadable::Refused(error.to_string()),
    };
    // Looked at before opening: opening a FIFO for reading waits for a writer.
    let kind = std::fs::metadata(path).map_err(refused)?.file_type();
    if !kind.is_file() {
        return Err(Unreadable::Refused(format!(
            "not a regular file ({})",
            describe(kind)
        )));
    }
    let file = File::open(path).map_err(refused)?;
    // Checked again on what was opened, in case the path changed in between.
    let metadata = file.metadata().map_err(refused)?;
    if !metadata.is_file() {
        return Err(Unreadable::Refused(format!(
            "not a regular file ({})",
            describe(metadata.file_type())
        )));
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(refused)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(Unreadable::Refused(format!(
            "larger than {} KiB, the most read from such a file",
            cap / 1024
        )));
    }
    Ok(bytes)
}

/// What a file that is not a regular one is, in words.
fn describe(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(path: &str, cap: u64) -> String {
        match read_regular(Path::new(path), cap) {
            Err(Unreadable::Refused(why)) => why,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn only_small_regular_files_are_read() {
        assert_eq!(
            refused("/dev/zero", 10),
            "not a regular file (a character device)"
        );
        assert_eq!(refused("/", 10), "not a regular file (a directory)");
        assert!(matches!(
            read_regular(Path::new("/nonexistent/wa-stats"), 10),
            Err(Unreadable::Missing)
        ));
        let path = std::env::temp_dir().join(format!("wa-stats-files-{}", std::process::id()));
        std::fs::write(&path, [b'x'; 2048]).unwrap();
        assert_eq!(read_regular(&path, 2048).unwrap().len(), 2048);
        let text = path.to_str().unwrap();
        assert!(
            refused(text, 1024).starts_with("larger than 1 KiB"),
            "{}",
            refused(text, 1024)
        );
        std::fs::remove_file(&path).ok();
    }
}
