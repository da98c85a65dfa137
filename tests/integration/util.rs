//! Test helpers: a scratch folder per test, fixtures copied in, and a command
//! for the real binary with a clean environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/fixtures")
}

/// A scratch folder holding a copy of one fixture folder.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(fixture: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let src = fixtures().join(fixture);
        if src.is_dir() {
            for entry in std::fs::read_dir(src).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
            }
        }
        Project { dir }
    }

    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// `featurearr` run in the folder with nothing inherited from the environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("featurearr").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(self.dir.path());
        cmd
    }

    /// Runs `featurearr ARGS`, asserts success and returns stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "featurearr {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `featurearr ARGS`, asserts exit code 1, nothing on stdout, and returns stderr.
    pub fn fail(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "featurearr {args:?} should fail with 1:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "nothing may go to stdout on error");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs `featurearr ARGS`, asserts a usage error (exit 2, nothing on stdout, no
    /// panic), and returns stderr.
    pub fn usage_error(&self, args: &[&str]) -> String {
        usage_error(self.cmd().args(args))
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.run(args)).unwrap()
    }

    /// Runs `featurearr ARGS`, asserts success and returns stderr (where loads report).
    pub fn run_stderr(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "featurearr {args:?} failed:\n{stderr}");
        stderr
    }

    /// Loads the basic fixture's three files for one date.
    pub fn load_basic(&self, as_of: &str) {
        self.run(&["load", "flags", "flags.csv", "--as-of", as_of]);
        self.load_basic_arr(as_of);
    }

    /// Loads the basic fixture's ARR export and workspace-accounts file for one date.
    pub fn load_basic_arr(&self, as_of: &str) {
        self.run(&["load", "arr", "arr.csv", "--as-of", as_of]);
        self.load_basic_mapping(as_of);
    }

    /// Loads the basic fixture's workspace-accounts file for one date.
    pub fn load_basic_mapping(&self, as_of: &str) {
        self.run(&["load", "workspace-accounts", "workspace-accounts.csv", "--as-of", as_of]);
    }
}

/// Runs `cmd`, asserts a usage error (exit 2, nothing on stdout, no panic), and
/// returns stderr.
pub fn usage_error(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{cmd:?} should be a usage error:\n{stderr}");
    assert!(out.stdout.is_empty(), "nothing may go to stdout on error: {cmd:?}");
    assert!(!stderr.contains("panicked"), "{cmd:?} panicked:\n{stderr}");
    stderr
}

/// `report revenue-share --format json` without its `snapshots` (which name the inputs).
pub fn revenue_json(p: &Project) -> serde_json::Value {
    let mut r = p.json(&["report", "revenue-share", "--format", "json"]);
    r.as_object_mut().unwrap().remove("snapshots");
    r
}

/// Writes the rows of a DuckDB `select` to a Parquet file, as DuckDB's own writer does.
pub fn write_parquet(path: &Path, select: &str) {
    let db = duckdb::Connection::open_in_memory().unwrap();
    let target = path.display().to_string().replace('\'', "''");
    db.execute_batch(&format!("COPY ({select}) TO '{target}' (FORMAT parquet)"))
        .unwrap();
}

/// Asserts two floats are equal to within rounding of the last bit or two.
pub fn assert_close(actual: &serde_json::Value, expected: f64) {
    let a = actual.as_f64().unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!(
        (a - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{a} != {expected}"
    );
}

/// Every report in every format (`report --output-dir`: md, json, csv, html and the
/// charts, idps, doctor, quarterly and blurbs included) and `snapshots`, as bytes by name.
pub fn every_report(p: &Project, as_of: &str) -> BTreeMap<String, Vec<u8>> {
    let out = p.path("every-report");
    let _ = std::fs::remove_dir_all(&out);
    p.run(&["report", "--output-dir", "every-report", "--as-of", as_of]);
    let mut files = BTreeMap::new();
    let mut folders = vec![out.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let name = path.strip_prefix(&out).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    std::fs::remove_dir_all(&out).unwrap();
    for format in ["md", "json"] {
        files.insert(
            format!("snapshots.{format}"),
            p.run(&["snapshots", "--format", format]).into_bytes(),
        );
    }
    assert!(files.len() > 20, "{:?}", files.keys());
    files
}

pub fn assert_same_reports(what: &str, got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: the files"
    );
    for (name, bytes) in want {
        if got[name] != *bytes {
            let (a, b) = (String::from_utf8_lossy(&got[name]), String::from_utf8_lossy(bytes));
            let line = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            panic!("{what}: {name} differs; first differing line (got, want): {line:?}");
        }
    }
}

/// The element of the array `report[list]` whose `field` is `value` (a feature, an IdP,
/// a doctor finding), or a panic naming what is missing.
pub fn item<'a>(report: &'a serde_json::Value, list: &str, field: &str, value: &str) -> &'a serde_json::Value {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("no array `{list}` in {report}"))
        .iter()
        .find(|x| x[field] == value)
        .unwrap_or_else(|| panic!("no {list} item with {field} = {value} in {report}"))
}
