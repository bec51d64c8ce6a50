//! The token cache on disk, for the processes of one machine: a directory of mode 0700 with one
//! sealed record per credential (`NAME.token`, 0600), replaced by an atomic rename, and an
//! advisory file lock per credential (`NAME.lock`), which ends with the process that held it.
//!
//! The files are a few hundred bytes in a local directory, read and written in place on the
//! runtime's thread: a blocking-pool hop would cost more than the read.

use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::{TokenStore, TokenStoreLock};
use crate::error::{Error, Setting};

/// How often a waiter tries the lock again. The holder keeps it for one token request at most.
const LOCK_POLL: Duration = Duration::from_millis(10);
/// A lock held longer than this is not waited for (the caller fetches its own token): one token
/// request is bounded by the attempt timeout, 30 s by default.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Others' permission bits: none may be set on the directory or a record.
const OTHERS: u32 = 0o077;

/// Records in one directory.
#[derive(Debug)]
pub(crate) struct DiskStore {
    dir: PathBuf,
}

/// `$XDG_CACHE_HOME/wa-stats`, or `$HOME/.cache/wa-stats`.
pub(crate) fn user_cache_dir() -> Result<PathBuf, Error> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .map(|cache| cache.join("wa-stats"))
        .ok_or_else(|| {
            Error::bad_setting(
                Setting::TokenCache,
                "no cache directory for the token cache: set XDG_CACHE_HOME or HOME to an \
                 absolute path, or give the directory",
            )
        })
}

fn refuse(reason: String) -> Error {
    Error::bad_setting(Setting::TokenCache, reason)
}

/// The most a record file holds: a sealed record is a few hundred bytes.
const RECORD_MAX: u64 = 64 * 1024;

/// The refusal of a cache entry that is not a regular file of ours: a symbolic link (whose target
/// is someone else's, and must be neither read, written nor chmod-ed) or anything but a file.
fn not_ours(path: &Path, metadata: &fs::Metadata) -> Option<String> {
    let kind = metadata.file_type();
    if kind.is_symlink() {
        Some(format!(
            "token cache file {} is a symbolic link; the cache uses only files it made itself: \
             remove the link",
            path.display()
        ))
    } else if !kind.is_file() {
        Some(format!(
            "token cache file {} is not a regular file: remove it",
            path.display()
        ))
    } else {
        None
    }
}

/// The refusal of a path others may read, with its mode as `ls` shows it and the fix; `None`
/// when it is private.
fn readable_by_others(
    what: &str,
    path: &Path,
    metadata: &fs::Metadata,
    private: u32,
) -> Option<String> {
    let mode = metadata.permissions().mode();
    (mode & OTHERS != 0).then(|| {
        format!(
            "{what} {} may be read by others (mode {:04o}); run: chmod {private:o} {}",
            path.display(),
            mode & 0o7777,
            path.display()
        )
    })
}

impl DiskStore {
    pub(crate) fn open(dir: PathBuf) -> Result<Self, Error> {
        match fs::metadata(&dir) {
            Ok(metadata) if !metadata.is_dir() => {
                return Err(refuse(format!(
                    "token cache {} is not a directory",
                    dir.display()
                )));
            }
            Ok(metadata) => {
                if let Some(reason) =
                    readable_by_others("token cache directory", &dir, &metadata, 0o700)
                {
                    return Err(refuse(reason));
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&dir)
                    .map_err(|error| {
                        refuse(format!(
                            "cannot create the token cache directory {}: {error}",
                            dir.display()
                        ))
                    })?;
            }
            Err(error) => {
                return Err(refuse(format!(
                    "cannot read the token cache directory {}: {error}",
                    dir.display()
                )));
            }
        }
        let store = Self { dir };
        store.check_records()?;
        Ok(store)
    }

    /// Refuses the cache if any record in it is readable by others.
    fn check_records(&self) -> Result<(), Error> {
        let entries = fs::read_dir(&self.dir).map_err(|error| {
            refuse(format!(
                "cannot read the token cache directory {}: {error}",
                self.dir.display()
            ))
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path
                .extension()
                .is_some_and(|ext| ext == "token" || ext == "lock")
            {
                continue;
            }
            // `DirEntry::metadata` does not follow a symbolic link: this is the entry itself.
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if let Some(reason) = not_ours(&path, &metadata) {
                return Err(refuse(reason));
            }
            if path.extension().is_some_and(|ext| ext == "token")
                && let Some(reason) =
                    readable_by_others("token cache file", &path, &metadata, 0o600)
            {
                return Err(refuse(reason));
            }
        }
        Ok(())
    }

    fn record(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.token"))
    }

    fn read_now(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let path = self.record(name);
        // Looked at without following a link, before opening: a link's target is not ours, and
        // opening a FIFO would wait for a writer.
        match fs::symlink_metadata(&path) {
            Ok(metadata) => {
                if let Some(reason) = not_ours(&path, &metadata) {
                    return Err(io::Error::new(io::ErrorKind::PermissionDenied, reason));
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        }
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let metadata = file.metadata()?;
        if let Some(reason) = not_ours(&path, &metadata)
            .or_else(|| readable_by_others("token cache file", &path, &metadata, 0o600))
        {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, reason));
        }
        // One read for the whole record (an unbuffered byte iterator would be a call a byte), and
        // never more than a record can hold.
        let mut record = Vec::new();
        file.take(RECORD_MAX + 1).read_to_end(&mut record)?;
        if u64::try_from(record.len()).unwrap_or(u64::MAX) > RECORD_MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "token cache file {} is larger than a record ({RECORD_MAX} bytes)",
                    path.display()
                ),
            ));
        }
        Ok(Some(record))
    }

    async fn lock_now(&self, name: &str) -> io::Result<Box<dyn TokenStoreLock>> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(self.dir.join(format!("{name}.lock")))?;
        let started = tokio::time::Instant::now();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    tokio::time::sleep(LOCK_POLL).await;
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "another process has held the token cache's lock for {} s",
                            LOCK_WAIT.as_secs()
                        ),
                    ));
                }
                Err(TryLockError::Error(error)) => return Err(error),
            }
        }
        Ok(Box::new(DiskLock {
            lock,
            record: self.record(name),
        }))
    }
}

impl TokenStore for DiskStore {
    fn read<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Option<Vec<u8>>>> {
        Box::pin(async move { self.read_now(name) })
    }

    fn lock<'a>(&'a self, name: &'a str) -> BoxFuture<'a, io::Result<Box<dyn TokenStoreLock>>> {
        Box::pin(self.lock_now(name))
    }
}

/// A held `NAME.lock`; dropping the file releases it, also when the process dies.
struct DiskLock {
    lock: File,
    record: PathBuf,
}

impl DiskLock {
    fn replace(&self, sealed: &[u8]) -> io::Result<()> {
        // A reader without the lock sees the old record or the new one, never half of either.
        let temporary = self
            .record
            .with_extension(format!("token.{}.tmp", std::process::id()));
        // A leftover of a process that had this id; `create_new` then refuses a link put there
        // (it does not follow one), so the record is written only into a file made here.
        fs::remove_file(&temporary).ok();
        let mut file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&temporary)?;
        // Whatever fails from here on (a full disk, say), the temporary file goes.
        let written = file.write_all(sealed);
        drop(file);
        written
            .and_then(|()| fs::rename(&temporary, &self.record))
            .inspect_err(|_| {
                fs::remove_file(&temporary).ok();
            })
    }
}

impl TokenStoreLock for DiskLock {
    fn write(&mut self, sealed: Vec<u8>) -> BoxFuture<'_, io::Result<()>> {
        Box::pin(async move { self.replace(&sealed) })
    }

    fn release(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            // Closing the file would release it too; unlocking first says so explicitly.
            self.lock.unlock().ok();
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record that is a link, a FIFO or too large is refused at once, never followed, waited
    /// on or read whole (issue 31, items 10 and 12).
    #[test]
    fn a_record_that_is_not_a_small_regular_file_is_not_read() {
        let dir = std::env::temp_dir().join(format!("wa-stats-disk-{}", std::process::id()));
        fs::remove_dir_all(&dir).ok();
        DiskStore::open(dir.clone()).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link.token")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo.token"))
            .status()
            .expect("mkfifo(1) runs");
        assert!(made.success());
        let large = dir.join("large.token");
        fs::write(&large, vec![0u8; 64 * 1024 + 1]).unwrap();
        fs::set_permissions(&large, fs::Permissions::from_mode(0o600)).unwrap();
        for (name, why) in [
            ("link", "is a symbolic link"),
            ("fifo", "is not a regular file"),
            ("large", "larger than a record"),
        ] {
            // On a thread of its own, so that a read that waits (a FIFO opened) fails the test
            // instead of hanging it.
            let (sender, receiver) = std::sync::mpsc::channel();
            let reader = DiskStore { dir: dir.clone() };
            std::thread::spawn(move || sender.send(reader.read_now(name).map(|_| ())));
            let error = receiver
                .recv_timeout(Duration::from_secs(10))
                .expect("the read ends")
                .unwrap_err()
                .to_string();
            assert!(error.contains(why), "{name}: {error}");
            assert!(!error.contains("chmod"), "{name}: {error}");
        }
        // And at open, as the CLI's --token-cache disk does.
        let error = DiskStore::open(dir.clone()).unwrap_err().to_string();
        assert!(
            error.contains("not a regular file") || error.contains("symbolic link"),
            "{error}"
        );
        fs::remove_dir_all(&dir).ok();
    }
}
