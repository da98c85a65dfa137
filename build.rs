//! Makes the prebuilt libduckdb available at build and run time.
//!
//! Without the `bundled` feature, libduckdb-sys links the shared library found
//! in DUCKDB_LIB_DIR (set to `.duckdb/lib` by `.cargo/config.toml`). This script
//! fetches it there when it is missing, by running `scripts/fetch-duckdb`
//! (checksum-verified), and bakes the folder into the binary's rpath so that
//! `featurearr` runs without LD_LIBRARY_PATH.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=scripts/fetch-duckdb");
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        return;
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let lib_dir = match std::env::var_os("DUCKDB_LIB_DIR") {
        Some(dir) => root.join(dir),
        None => root.join(".duckdb/lib"),
    };
    if !lib_dir.join("libduckdb.so").exists() {
        let status = Command::new("bash")
            .arg(root.join("scripts/fetch-duckdb"))
            .status()
            .expect("cannot run scripts/fetch-duckdb; is bash installed?");
        assert!(
            status.success(),
            "scripts/fetch-duckdb failed; run it by hand to see why, or build with --features bundled"
        );
    }
    println!("cargo:rerun-if-changed={}", lib_dir.join("libduckdb.so").display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());
}
