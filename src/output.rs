//! Writing results: to stdout, or to a file through a temporary file in the
//! same folder that replaces the target only once it is complete.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `text` to `path` (whole or not at all), or to stdout when `path` is None.
pub(crate) fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Some(path) => write_file(path, text.as_bytes()),
    }
}

/// Writes `bytes` to `path` atomically: a crash leaves the old file or the new one.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let mut tmp = temp_file_builder()
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}; check the folder's permissions", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// A temporary file that ends up with the mode any new file gets (0666 less the
/// umask), as a report written by `>` would: tempfile's default, 0600, would hide
/// the reports of a scheduled job from the web server or colleague meant to read them.
fn temp_file_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_gets_the_same_mode_as_any_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let written = dir.path().join("report.md");
        write_file(&written, b"# report\n").unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"# report\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let plain = dir.path().join("plain.md");
            std::fs::File::create(&plain).unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&written), mode(&plain));
        }
    }
}
