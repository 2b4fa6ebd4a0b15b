//! Reading files the user names (CA bundle, resolv.conf, hosts file, status
//! file) with a size cap, so that `--ca-file /dev/zero` is an error rather
//! than a process that reads forever.

use std::io::Read;
use std::path::Path;

/// Far above any real CA bundle, resolv.conf, hosts file or status file.
pub const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Reads `path` whole, failing if it holds more than [`MAX_FILE`] bytes.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE / 1024 / 1024
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_files_are_refused() {
        let err = read_capped(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        assert!(read_capped(Path::new("/nonexistent")).is_err());
        assert_eq!(
            read_capped(Path::new("/dev/null")).unwrap(),
            Vec::<u8>::new()
        );
    }
}
