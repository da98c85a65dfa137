//! `featurearr demo` inputs: a seeded, realistic sample company written as the files a
//! user would feed to `load` (workspace flags, Salesforce ARR export, workspace→account
//! mapping, Auth0 dump) for three quarter-end snapshots, plus a config.
//! Writes files only; loading and rendering belong to the commands that call it.
//! Deterministic per seed: no clock, no HashMap iteration, our own PRNG.

mod auth0;
mod flags;
mod model;
mod names;
mod rng;
mod salesforce;
mod text;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// What to generate.
pub(crate) struct DemoOptions {
    /// Workspaces in the simulated company, all quarters together (about the size of the
    /// newest flags file).
    pub workspaces: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            workspaces: 2000,
            seed: 42,
        }
    }
}

/// The four input files of one as-of date.
pub(crate) struct DemoSnapshot {
    pub as_of: chrono::NaiveDate,
    pub flags: PathBuf,
    pub arr: PathBuf,
    pub workspace_accounts: PathBuf,
    pub auth0: PathBuf,
}

pub(crate) struct DemoInputs {
    pub config: PathBuf,
    /// Oldest first.
    pub snapshots: Vec<DemoSnapshot>,
}

/// Config matching the generated files (SPEC 2.4): the rates the model converts with, the
/// extra IP-allowlist feature, and the connection naming convention.
const CONFIG: &str = r#"# featurearr config written by `featurearr demo`.

[currency]
reporting = "USD"
rates = { EUR = 1.08, GBP = 1.27 }

[features.ip_allowlist]
column = "ip_allowlist_enabled"
label = "IP allowlist"
requires = "sso"

[auth0]
connection_name_pattern = "^ws-(.+)-sso$"
"#;

/// Write the config and three snapshots (2026-03-31, 2026-06-30, 2026-09-30) into
/// `dir/inputs/`, replacing files of the same names.
///
/// # Errors
/// When the folder cannot be created or a file cannot be written.
pub(crate) fn write_inputs(dir: &Path, opts: &DemoOptions) -> anyhow::Result<DemoInputs> {
    let inputs = dir.join("inputs");
    fs::create_dir_all(&inputs).with_context(|| format!("cannot create the demo input folder {}", inputs.display()))?;
    let config = inputs.join("featurearr.toml");
    fs::write(&config, CONFIG).with_context(|| format!("cannot write {}", config.display()))?;

    let world = model::simulate(opts.workspaces, opts.seed);
    // "About one log per workspace" is spread over the three dumps, so that a
    // million-workspace demo stays near a gigabyte instead of three.
    let log_cap = opts.workspaces.div_ceil(model::SNAPSHOTS);
    let snapshots: Vec<DemoSnapshot> = model::snapshot_dates()
        .into_iter()
        .map(|as_of| DemoSnapshot {
            as_of,
            flags: inputs.join(format!("flags-{as_of}.csv")),
            arr: inputs.join(format!("arr-{as_of}.csv")),
            workspace_accounts: inputs.join(format!("workspace-accounts-{as_of}.csv")),
            auth0: inputs.join(format!("auth0-{as_of}.json")),
        })
        .collect();
    // Snapshots are independent renderings of one world: write them side by side.
    let world = &world;
    std::thread::scope(|scope| {
        let jobs: Vec<_> = snapshots
            .iter()
            .enumerate()
            .map(|(q, s)| {
                scope.spawn(move || -> anyhow::Result<()> {
                    write_file(&s.flags, |w| flags::write_flags(w, world, q))?;
                    write_file(&s.arr, |w| salesforce::write_arr(w, world, q))?;
                    write_file(&s.workspace_accounts, |w| {
                        salesforce::write_workspace_accounts(w, world, q)
                    })?;
                    write_file(&s.auth0, |w| auth0::write_auth0(w, world, q, log_cap))
                })
            })
            .collect();
        jobs.into_iter()
            .try_for_each(|job| job.join().expect("demo writer thread panicked"))
    })?;
    Ok(DemoInputs { config, snapshots })
}

fn write_file(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    body(&mut w)
        .and_then(|()| w.flush())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests;
