//! The optional workspace-accounts file: `workspace_id,account_id` rows that
//! link product workspaces to Salesforce accounts (many rows per account).

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::text::{decode_text, salesforce_id_18};

/// One link, with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkspaceAccount {
    pub line: u64,
    pub workspace_id: String,
    /// 18-character form.
    pub account_id: String,
}

pub(crate) struct Mapping {
    pub links: Vec<WorkspaceAccount>,
    pub warnings: Vec<String>,
}

/// Reads a workspace-accounts CSV. A workspace linked twice to the same
/// account is kept once; to two different accounts, both links stay (doctor
/// reports it) because the file may describe a shared workspace.
pub(crate) fn read_workspace_accounts(path: &Path) -> Result<Mapping> {
    let origin = path.display().to_string();
    let bytes = super::text::read_bytes(path)?;
    let (text, warning) = decode_text(&bytes, &origin)?;
    let mut warnings: Vec<String> = warning.into_iter().collect();
    if text.trim().is_empty() {
        bail!("{origin} is empty; expected a header row `workspace_id,account_id`");
    }
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{origin}: cannot read the header row"))?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(ws_col), Some(acct_col)) = (find("workspace_id"), find("account_id")) else {
        bail!(
            "{origin}:1: the header must name columns workspace_id and account_id (found: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        );
    };
    let mut links = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&origin, e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let workspace_id = record.get(ws_col).unwrap_or("").trim();
        let account = record.get(acct_col).unwrap_or("").trim();
        if workspace_id.is_empty() {
            bail!("{origin}:{line}: column workspace_id: empty; every row needs a workspace id");
        }
        if account.is_empty() {
            bail!("{origin}:{line}: column account_id: empty; every row needs a Salesforce account id");
        }
        let account_id = salesforce_id_18(account).map_err(|problem| {
            anyhow::anyhow!(
                "{origin}:{line}: column account_id: {problem}; use the 15- or 18-character Salesforce Account ID"
            )
        })?;
        if seen.insert((workspace_id.to_string(), account_id.clone())) {
            links.push(WorkspaceAccount {
                line,
                workspace_id: workspace_id.to_string(),
                account_id,
            });
        }
    }
    if links.is_empty() {
        warnings.push(format!("{origin} has a header but no rows"));
    }
    Ok(Mapping { links, warnings })
}

fn csv_error(origin: &str, err: csv::Error) -> anyhow::Error {
    match err.position() {
        Some(pos) => anyhow::anyhow!(
            "{origin}:{}: {}; check the quoting and the number of fields",
            pos.line(),
            err
        ),
        None => anyhow::anyhow!("{origin}: {err}"),
    }
}
