//! Makes the prebuilt libduckdb available at build and run time.
//!
//! Without the `bundled` feature, libduckdb-sys links the shared library found
//! in DUCKDB_LIB_DIR (set to `.duckdb/lib` by `.cargo/config.toml`). This script
//! fetches it there for the target being built (`scripts/fetch-duckdb`, checksum
//! verified; a no-op once it is in place) and sets the binary's run path:
//!
//! - by default, the absolute path of that folder, so `target/*/featurearr`
//!   runs without LD_LIBRARY_PATH;
//! - with the `relocatable` feature (built by `scripts/package`), only paths
//!   relative to the binary itself (`$ORIGIN/../lib/featurearr` and
//!   `$ORIGIN/../lib`, `@loader_path` on macOS), so a release archive or an
//!   install runs from anywhere, also once the checkout is gone. The linker
//!   writes them, so no tool edits the binary afterwards (on macOS that would
//!   break its code signature).

use std::path::{Path, PathBuf};
use std::process::Command;

const SUPPORTED: &str = "linux-x64, linux-arm64, darwin-arm64, darwin-x64";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=scripts/fetch-duckdb");
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        return;
    }
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    let (library, origin) = match os.as_str() {
        "linux" => ("libduckdb.so", "$ORIGIN"),
        "macos" => ("libduckdb.dylib", "@loader_path"),
        _ => panic!(
            "featurearr links a prebuilt DuckDB only on Linux and macOS ({SUPPORTED}), not on {os}-{arch}; \
             build with `--features bundled` to compile DuckDB from source (about two hours on 2 cores)"
        ),
    };
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let managed_dir = root.join(".duckdb/lib");
    let lib_dir = match std::env::var_os("DUCKDB_LIB_DIR") {
        Some(dir) => root.join(dir),
        None => managed_dir.clone(),
    };
    // The checkout's own folder is brought up to date for this target on every
    // run (a stamp makes that a no-op); a folder the user chose is only filled
    // when the library is missing from it.
    if lib_dir == managed_dir || !lib_dir.join(library).exists() {
        fetch_duckdb(&root, &lib_dir, &os, &arch);
    }
    println!("cargo:rerun-if-changed={}", lib_dir.join(library).display());
    println!("cargo:rerun-if-changed={}", lib_dir.join(".sha256").display());

    if std::env::var_os("CARGO_FEATURE_RELOCATABLE").is_some() {
        // lib/featurearr first: an install's own copy must win over an
        // unrelated libduckdb that may sit in PREFIX/lib.
        println!("cargo:rustc-link-arg=-Wl,-rpath,{origin}/../lib/featurearr");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{origin}/../lib");
    } else {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());
    }
}

/// Runs `scripts/fetch-duckdb` for the target being built (not the host, so a
/// cross build gets the right library).
fn fetch_duckdb(root: &Path, lib_dir: &Path, os: &str, arch: &str) {
    let target = match (os, arch) {
        ("linux", "x86_64") => "linux-x64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "aarch64") => "darwin-arm64",
        ("macos", "x86_64") => "darwin-x64",
        _ => panic!(
            "there is no prebuilt DuckDB for {os}-{arch} (scripts/fetch-duckdb knows {SUPPORTED}); \
             build with `--features bundled` to compile DuckDB from source (about two hours on 2 cores), \
             or set DUCKDB_LIB_DIR to a folder holding libduckdb 1.5.6 built for this machine"
        ),
    };
    let status = Command::new("bash")
        .arg(root.join("scripts/fetch-duckdb"))
        .args(["--target", target, "--dest"])
        .arg(lib_dir)
        .status()
        .expect("cannot run scripts/fetch-duckdb; is bash installed?");
    assert!(
        status.success(),
        "scripts/fetch-duckdb --target {target} failed (its message is above); fix what it says and build again, \
         or build with --features bundled"
    );
}
