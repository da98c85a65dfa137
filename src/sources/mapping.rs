//! The optional workspace-accounts file: `workspace_id,account_id` rows that
//! link product workspaces to Salesforce accounts (many rows per account).

use std::path::Path;

use anyhow::{bail, Result};
use rustc_hash::FxHashSet;

use super::text::csv_reader::{concat, field_count_error, CsvText, Delimiter};
use super::text::decode::read_text;
use super::text::lines::line_breaks;
use super::text::salesforce_id::salesforce_id_18;

/// One link, with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkspaceAccount {
    pub line: u64,
    pub workspace_id: String,
    /// 18-character form.
    pub account_id: String,
}

#[derive(Debug)]
pub(crate) struct Mapping {
    pub links: Vec<WorkspaceAccount>,
    /// The records after the header.
    pub rows_read: usize,
    /// Rows whose cells are all empty.
    pub empty_rows_skipped: usize,
    /// Rows repeating a (workspace, account) link already read.
    pub repeated_links_skipped: usize,
    pub warnings: Vec<String>,
}

/// Reads a workspace-accounts CSV. A workspace linked twice to the same
/// account is kept once; to two different accounts, both links stay (doctor
/// reports it) because the file may describe a shared workspace.
pub(crate) fn read_workspace_accounts(path: &Path, delimiter: Option<Delimiter>) -> Result<Mapping> {
    let origin = path.display().to_string();
    let (text, warning) = read_text(path)?;
    let mut warnings: Vec<String> = warning.into_iter().collect();
    let csv = CsvText::new(&text, &origin, delimiter);
    let (header, after_header) = match csv.first_row()? {
        Some(first) if !text.trim().is_empty() => first,
        _ => bail!("{origin}:1: the file is empty; expected a header row `workspace_id,account_id`"),
    };
    let find = |name: &str| header.fields.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(ws_col), Some(acct_col)) = (find("workspace_id"), find("account_id")) else {
        bail!(
            "{origin}:{}: the header must name columns workspace_id and account_id (found: {}; {})",
            header.line,
            header.fields.iter().collect::<Vec<_>>().join(", "),
            csv.delimiter().describe()
        );
    };
    let parts = csv.fold_rows(
        Some(&after_header),
        |part| (Vec::with_capacity(line_breaks(part) + 1), 0usize),
        |(links, empty), row| {
            let line = row.line;
            if row.fields.len() != header.fields.len() {
                return Err(field_count_error(
                    &origin,
                    line,
                    row.fields.len(),
                    header.line,
                    header.fields.len(),
                ));
            }
            if row.fields.iter().all(|c| c.trim().is_empty()) {
                *empty += 1;
                return Ok(());
            }
            let workspace_id = row.fields[ws_col].trim();
            let account = row.fields[acct_col].trim();
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
            links.push(WorkspaceAccount {
                line,
                workspace_id: workspace_id.to_string(),
                account_id,
            });
            Ok(())
        },
    )?;
    let empty_rows_skipped: usize = parts.iter().map(|(_, empty)| empty).sum();
    let all = concat(parts.into_iter().map(|(links, _)| links).collect());
    let rows_read = all.len() + empty_rows_skipped;
    let read_links = all.len();
    let links = first_of_each_link(all);
    if links.is_empty() {
        warnings.push(format!("{origin} has a header but no rows"));
    }
    Ok(Mapping {
        repeated_links_skipped: read_links - links.len(),
        links,
        rows_read,
        empty_rows_skipped,
        warnings,
    })
}

/// The links without repeats: of a (workspace, account) pair, the first row stays.
fn first_of_each_link(links: Vec<WorkspaceAccount>) -> Vec<WorkspaceAccount> {
    let mut seen = FxHashSet::with_capacity_and_hasher(links.len(), Default::default());
    let keep: Vec<bool> = links
        .iter()
        .map(|l| seen.insert((l.workspace_id.as_str(), l.account_id.as_str())))
        .collect();
    drop(seen);
    links
        .into_iter()
        .zip(keep)
        .filter_map(|(link, keep)| keep.then_some(link))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::test_file::test_file;

    fn read(text: &str) -> Result<Mapping> {
        let file = test_file("map.csv", text.as_bytes());
        read_workspace_accounts(&file.path, None).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                e.to_string().replace(&*file.path.display().to_string(), "map.csv")
            )
        })
    }

    #[test]
    fn errors_name_the_true_line_of_crlf_files_with_blank_lines() {
        let text = "workspace_id,account_id\r\n\r\nws-1,0015g00000Pq7RS\r\n\r\nws-2,\r\n";
        let err = read(text).unwrap_err().to_string();
        assert!(err.starts_with("map.csv:5: column account_id: empty"), "{err}");
        let err = read("workspace_id,account_id\nws-1,0015g00000Pq7RS,x\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("map.csv:2: the row has 3 fields but the header on line 1 has 2"),
            "{err}"
        );
        assert!(read(" \n\n").unwrap_err().to_string().contains("is empty"));
    }

    /// Large enough to be read in two parts: a repeated link is kept once, at its first
    /// row, wherever the repeat falls.
    #[test]
    fn a_repeated_link_keeps_its_first_row_across_parts() {
        let rows = 60_000;
        let mut text = String::from("workspace_id,account_id\n");
        for i in 0..rows {
            // Odd row i names workspace i / 2: again when that is even (row i / 2 gave it,
            // often in the other half), for the first time when it is odd.
            let n = if i % 2 == 1 { i / 2 } else { i };
            text.push_str(&format!("ws-{n},0015g00000Pq7RS\n"));
        }
        assert!(text.len() > 1 << 20, "too small to be split: {}", text.len());
        let mapping = read(&text).unwrap();
        let mut want = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for i in 0..rows {
            let n = if i % 2 == 1 { i / 2 } else { i };
            if seen.insert(n) {
                want.push((i as u64 + 2, format!("ws-{n}")));
            }
        }
        let got: Vec<(u64, String)> = mapping.links.iter().map(|l| (l.line, l.workspace_id.clone())).collect();
        assert_eq!(got, want);
        assert!(mapping.links.iter().all(|l| l.account_id == "0015g00000Pq7RSAAZ"));
    }
}
