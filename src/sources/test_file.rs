//! Test helper shared by the readers' unit tests: a file with given contents
//! in a temporary folder that lives as long as the value.

use std::path::PathBuf;

pub(crate) struct TestFile {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

/// Writes `content` to `name` in a fresh temporary folder.
pub(crate) fn test_file(name: &str, content: &[u8]) -> TestFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    TestFile { dir, path }
}
