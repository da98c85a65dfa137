//! Workspace-flags reader (SPEC 2.1): turns a CSV, JSON-array or NDJSON file
//! (or one JSON page fetched over HTTP), or the rows of a table (a PostgreSQL
//! query's result, a Parquet file) into typed `WorkspaceRow`s.
//!
//! Which columns are features is decided by the caller (built-in plus config
//! features); this module only finds them in the header, case-insensitively.
//! A CSV header and a table's columns are found by one set of rules
//! (`FlagsColumns`), and their cells read by one set of rules
//! (`workspace_from_cells`). Every data error names `FILE:LINE: column COL`
//! (a table's: the row and its workspace_id), so a load can fail before
//! anything reaches the store (SPEC 5).

use rustc_hash::FxHashMap;
use std::path::Path;

use anyhow::{anyhow, bail};
use serde_json::{Map, Value};

use super::table::TableColumn;
use super::text::boolean::parse_bool;
use super::text::csv_reader::{concat, field_count_error, CsvRow, CsvText, Delimiter};
use super::text::decode::read_text;
use super::text::json;
use super::text::lines::{line_breaks, LineIndex};

/// A feature and the header names that may carry it, in order of preference.
#[derive(Debug, Clone)]
pub(crate) struct FeatureColumn {
    pub key: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct FlagsSnapshot {
    /// Keys of the features whose column exists in the input, in the order given.
    pub features: Vec<String>,
    pub rows: Vec<WorkspaceRow>,
    /// CSV rows whose cells are all empty (spreadsheets leave them at the end).
    pub empty_rows_skipped: usize,
    pub warnings: Vec<String>,
    /// What `WorkspaceRow::line` counts.
    pub numbering: Numbering,
    /// The SQL query the rows came from, for the snapshot's record.
    pub query: Option<String>,
}

/// How errors point at a record: a file's line, or a table's row. A query result
/// or a Parquet file has no lines, so its errors name the row's number and its
/// workspace_id, which the user can look up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Numbering {
    #[default]
    Lines,
    Rows,
}

impl Numbering {
    /// `FILE:LINE`, or `ORIGIN: row N (workspace_id `ID`)` when the ID is known.
    fn place(self, origin: &str, at: u64, workspace_id: Option<&str>) -> String {
        match (self, workspace_id) {
            (Numbering::Lines, _) => format!("{origin}:{at}"),
            (Numbering::Rows, None) => format!("{origin}: row {at}"),
            (Numbering::Rows, Some(id)) => format!("{origin}: row {at} (workspace_id `{id}`)"),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Numbering::Lines => "line",
            Numbering::Rows => "row",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkspaceRow {
    /// 1-based line where the record starts in the file (or page); for a table
    /// (`Numbering::Rows`), the 1-based row.
    pub line: u64,
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    pub users: Option<i64>,
    /// Aligned with `FlagsSnapshot::features`; `None` = empty cell, JSON null or missing key.
    pub flags: Vec<Option<bool>>,
}

const BOOL_HINT: &str = "use true/false, yes/no, y/n, t/f or 1/0";
const USERS_HINT: &str = "users is the number of members of the workspace, a whole number of 0 or more";
const ID_HINT: &str = "every workspace needs a workspace_id";
const JSON_ADVICE: &str = "if the file was cut short, export or download it again";

enum Format {
    Csv,
    Json,
    Ndjson,
}

/// Reads a flags file, choosing the format by its extension.
/// A CSV file is read with `delimiter`, or the one its header line shows when None.
pub(crate) fn read_flags_file(
    path: &Path,
    features: &[FeatureColumn],
    delimiter: Option<Delimiter>,
) -> anyhow::Result<FlagsSnapshot> {
    let origin = path.display().to_string();
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some("ndjson" | "jsonl") => Format::Ndjson,
        _ => bail!(
            "{origin} has an extension featurearr does not read; a flags file must end in .csv, .json, .ndjson, .jsonl or .parquet"
        ),
    };
    let (content, warning) = read_text(path)?;
    let mut out = FlagsSnapshot::default();
    out.warnings.extend(warning);
    if content.trim().is_empty() {
        match format {
            Format::Csv => bail!("{origin} is empty; expected a header row with workspace_id"),
            Format::Json => {
                bail!("{origin} is empty; expected a JSON array of objects with workspace_id")
            }
            Format::Ndjson => {
                bail!("{origin} is empty; expected one JSON object with workspace_id per line")
            }
        }
    }
    match format {
        Format::Csv => read_csv(&content, &origin, features, delimiter, &mut out)?,
        Format::Json => parse_flags_json_page(&content, &origin, features, &mut out)?,
        Format::Ndjson => read_ndjson(&content, &origin, features, &mut out)?,
    }
    finish(out, &origin, features)
}

/// Warns about an input without rows or without a feature's column, and fails on a
/// workspace ID given twice.
fn finish(mut out: FlagsSnapshot, origin: &str, features: &[FeatureColumn]) -> anyhow::Result<FlagsSnapshot> {
    if out.rows.is_empty() {
        out.warnings
            .push(format!("{origin} has no workspace rows; loaded zero workspaces"));
    } else {
        let missing: Vec<String> = features
            .iter()
            .filter(|f| !out.features.contains(&f.key))
            .map(|f| format!("{} ({})", f.key, f.columns.join(", ")))
            .collect();
        if !missing.is_empty() {
            out.warnings.push(format!(
                "{origin} has no column for feature {}; it is left out of this snapshot",
                missing.join(", feature ")
            ));
        }
    }
    check_unique(&out, origin)?;
    Ok(out)
}

/// Reads flags from the rows of a table, one row at a time as they arrive: its
/// columns are checked as a CSV header is (`FlagsColumns`), and each row's cells by
/// the rules of a CSV row (`workspace_from_cells`). Errors name the row and its
/// workspace_id, since a table has no lines.
pub(crate) struct FlagsTable<'f> {
    origin: String,
    features: &'f [FeatureColumn],
    columns: FlagsColumns,
    /// `users` holds numbers that may carry a fraction.
    fractional_users: bool,
    out: FlagsSnapshot,
    /// Reused from row to row for a `users` value written as `12.0`.
    whole_users: String,
}

impl<'f> FlagsTable<'f> {
    /// Checks a table's columns. `holder` says what has them in the error for a missing
    /// workspace_id ("the query returns", "the file has"), `example` how to add one.
    pub(crate) fn new(
        origin: &str,
        columns: &[TableColumn],
        features: &'f [FeatureColumn],
        holder: &str,
        example: &str,
    ) -> anyhow::Result<Self> {
        let mut out = FlagsSnapshot {
            numbering: Numbering::Rows,
            ..FlagsSnapshot::default()
        };
        let names = columns.iter().map(|c| c.name.trim().to_string()).collect();
        let flags_columns = match FlagsColumns::find(names, features, &mut out) {
            Ok(found) => found,
            Err(names) => bail!(
                "{origin}: no workspace_id column; {holder} {}; add a workspace_id column (it is required), {example}",
                quoted_list(&names)
            ),
        };
        Ok(FlagsTable {
            origin: origin.to_string(),
            features,
            fractional_users: flags_columns.users.is_some_and(|c| columns[c].fractional),
            columns: flags_columns,
            out,
            whole_users: String::new(),
        })
    }

    /// How many columns each row must have.
    pub(crate) fn width(&self) -> usize {
        self.columns.names.len()
    }

    /// How many rows have been read.
    pub(crate) fn rows(&self) -> u64 {
        self.out.rows.len() as u64
    }

    /// Reads the next row: its cells in column order, `None` for SQL NULL (read as an
    /// empty cell is: unknown).
    pub(crate) fn push(&mut self, cells: &[Option<&str>]) -> anyhow::Result<()> {
        let row = self.out.rows.len() as u64 + 1;
        if cells.len() != self.width() {
            bail!(
                "{}: row {row} has {} values but there are {} columns",
                self.origin,
                cells.len(),
                self.width()
            );
        }
        let users = self.columns.users.filter(|_| self.fractional_users);
        if let Some(text) = users.and_then(|c| cells[c]) {
            // `12.0` and `12.00` of a NUMERIC or DOUBLE column are the whole number 12.
            self.whole_users.clear();
            self.whole_users.push_str(match text.split_once('.') {
                Some((whole, fraction)) if fraction.bytes().all(|b| b == b'0') => whole,
                _ => text,
            });
        }
        let whole_users = &self.whole_users;
        let workspace = workspace_from_cells(
            |c| match (Some(c) == users, cells[c]) {
                (true, Some(_)) => whole_users.as_str(),
                (_, text) => text.unwrap_or(""),
            },
            &self.columns,
            &self.origin,
            Numbering::Rows,
            row,
        )?;
        self.out.rows.push(workspace);
        Ok(())
    }

    /// The snapshot, once every row is in: warnings as a file's, and no workspace twice.
    pub(crate) fn finish(self) -> anyhow::Result<FlagsSnapshot> {
        finish(self.out, &self.origin, self.features)
    }
}

/// Fails on the first workspace ID that appears twice, naming both lines.
pub(crate) fn check_unique(snapshot: &FlagsSnapshot, origin: &str) -> anyhow::Result<()> {
    // FxHash: SipHash was 7% of a 1M load (perf); IDs come from our own inputs.
    let mut seen: FxHashMap<&str, u64> = FxHashMap::with_capacity_and_hasher(snapshot.rows.len(), Default::default());
    let numbering = snapshot.numbering;
    for row in &snapshot.rows {
        if let Some(first) = seen.insert(&row.workspace_id, row.line) {
            bail!(
                "{}: column workspace_id: `{}` appears again (first on {} {first}); \
                 each workspace must appear once, so remove or merge one of the rows",
                numbering.place(origin, row.line, None),
                row.workspace_id,
                numbering.noun()
            );
        }
    }
    Ok(())
}

fn cell_error(origin: &str, line: u64, column: &str, problem: &str, hint: &str) -> anyhow::Error {
    anyhow!("{origin}:{line}: column {column}: {problem}; {hint}")
}

/// The error for one cell, at the record's place (`Numbering::place`).
fn cell_error_at(place: &str, column: &str, problem: &str, hint: &str) -> anyhow::Error {
    anyhow!("{place}: column {column}: {problem}; {hint}")
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Where the flags columns sit among an input's columns: a CSV header, a query's
/// result columns or a Parquet file's columns, all found by the same rules.
struct FlagsColumns {
    /// Every column's name, trimmed.
    names: Vec<String>,
    id: usize,
    name: Option<usize>,
    users: Option<usize>,
    /// Aligned with `FlagsSnapshot::features`.
    features: Vec<usize>,
}

impl FlagsColumns {
    /// Finds the flags columns among `names` (case-insensitively; the first accepted
    /// name of a feature wins, so `mfa_enforced` beats `force_mfa`) and records the
    /// features found in `out`. `Err` holds the names when none is workspace_id.
    fn find(names: Vec<String>, features: &[FeatureColumn], out: &mut FlagsSnapshot) -> Result<Self, Vec<String>> {
        let find = |wanted: &str| names.iter().position(|n| same_name(n, wanted));
        let Some(id) = find("workspace_id") else {
            return Err(names);
        };
        let name = find("workspace_name");
        let users = find("users");
        let mut feature_columns = Vec::new();
        for feature in features {
            if let Some(col) = feature.columns.iter().find_map(|c| find(c)) {
                out.features.push(feature.key.clone());
                feature_columns.push(col);
            }
        }
        Ok(FlagsColumns {
            names,
            id,
            name,
            users,
            features: feature_columns,
        })
    }
}

/// Where the header put each column a flags CSV carries.
struct CsvColumns {
    header_line: u64,
    columns: FlagsColumns,
}

fn read_csv(
    text: &str,
    origin: &str,
    features: &[FeatureColumn],
    delimiter: Option<Delimiter>,
    out: &mut FlagsSnapshot,
) -> anyhow::Result<()> {
    let csv = CsvText::new(text, origin, delimiter);
    let Some((header, after_header)) = csv.first_row()? else {
        bail!("{origin} is empty; expected a header row with workspace_id");
    };
    let columns = csv_header(&header, &csv, features, out)?;
    // (workspaces, empty rows) of each part of the file. Rows are read one at a time:
    // collecting a million records first cost more than parsing them (perf).
    let parts = csv.fold_rows(
        Some(&after_header),
        |part| (Vec::with_capacity(line_breaks(part) + 1), 0usize),
        |(rows, blank_rows), row| {
            if row.fields.iter().all(|c| c.trim().is_empty()) {
                // Spreadsheets leave `,,,` rows at the end; they carry nothing.
                *blank_rows += 1;
                return Ok(());
            }
            rows.push(csv_workspace(row, &columns, origin)?);
            Ok(())
        },
    )?;
    let blank_rows: usize = parts.iter().map(|(_, blank)| blank).sum();
    out.rows = concat(parts.into_iter().map(|(rows, _)| rows).collect());
    out.empty_rows_skipped = blank_rows;
    if blank_rows > 0 {
        out.warnings.push(format!("{origin}: skipped {blank_rows} empty rows"));
    }
    Ok(())
}

fn csv_header(
    header: &CsvRow,
    csv: &CsvText,
    features: &[FeatureColumn],
    out: &mut FlagsSnapshot,
) -> anyhow::Result<CsvColumns> {
    let origin = csv.origin();
    let names: Vec<String> = header.fields.iter().map(|h| h.trim().to_string()).collect();
    match FlagsColumns::find(names, features, out) {
        Ok(columns) => Ok(CsvColumns {
            header_line: header.line,
            columns,
        }),
        Err(names) => bail!(
            "{origin}:{}: no workspace_id column; the header has {} ({}); add a workspace_id column (it is required)",
            header.line,
            quoted_list(&names),
            csv.delimiter().describe()
        ),
    }
}

fn csv_workspace(row: &CsvRow, columns: &CsvColumns, origin: &str) -> anyhow::Result<WorkspaceRow> {
    let cells = &row.fields;
    let names = &columns.columns.names;
    if cells.len() != names.len() {
        return Err(field_count_error(
            origin,
            row.line,
            cells.len(),
            columns.header_line,
            names.len(),
        ));
    }
    workspace_from_cells(|c| &cells[c], &columns.columns, origin, Numbering::Lines, row.line)
}

/// One workspace from the cells of a record, by the rules every tabular input shares
/// (a CSV row, a query's row, a Parquet row): an ID that is not empty, `users` a whole
/// number of 0 or more, each feature cell a boolean or empty. `cell(c)` is the text of
/// column `c` (empty for SQL NULL); errors name the record's place (`Numbering`).
fn workspace_from_cells<'c>(
    cell: impl Fn(usize) -> &'c str,
    columns: &FlagsColumns,
    origin: &str,
    numbering: Numbering,
    line: u64,
) -> anyhow::Result<WorkspaceRow> {
    let names = &columns.names;
    let workspace_id = cell(columns.id).trim();
    if workspace_id.is_empty() {
        return Err(cell_error_at(
            &numbering.place(origin, line, None),
            &names[columns.id],
            "the workspace ID is empty",
            ID_HINT,
        ));
    }
    let place = || numbering.place(origin, line, Some(workspace_id));
    let workspace_name = columns
        .name
        .map(|c| cell(c).trim())
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let users = match columns.users {
        Some(c) => parse_users(cell(c)).map_err(|p| cell_error_at(&place(), &names[c], &p, USERS_HINT))?,
        None => None,
    };
    let mut flags = Vec::with_capacity(columns.features.len());
    for &c in &columns.features {
        let value = parse_bool(cell(c)).map_err(|()| {
            let problem = format!("`{}` is not a boolean", cell(c).trim());
            cell_error_at(&place(), &names[c], &problem, BOOL_HINT)
        })?;
        flags.push(value);
    }
    Ok(WorkspaceRow {
        line,
        workspace_id: workspace_id.to_string(),
        workspace_name,
        users,
        flags,
    })
}

/// Parses a `users` cell: a whole number of 0 or more.
fn parse_users(cell: &str) -> Result<Option<i64>, String> {
    let value = cell.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        Ok(_) => Err(format!("`{value}` is negative")),
        Err(_) if value.bytes().all(|b| b.is_ascii_digit()) => Err(format!("`{value}` is too large")),
        Err(_) => Err(format!("`{value}` is not a whole number")),
    }
}

/// Parses one JSON array of workspace objects (a file, or one page of an
/// HTTP source) and appends its rows to `out`. `origin` names the file or
/// page URL in errors; line numbers are relative to `text`.
pub(crate) fn parse_flags_json_page(
    text: &str,
    origin: &str,
    features: &[FeatureColumn],
    out: &mut FlagsSnapshot,
) -> anyhow::Result<()> {
    let value: Value = json::parse(text, origin, 0, JSON_ADVICE)?;
    let Value::Array(items) = value else {
        bail!(
            "{origin}: expected a JSON array of workspace objects, like [{{\"workspace_id\": \"ws_1\", \"sso_enabled\": true}}], \
             but found {}",
            json_kind(&value)
        );
    };
    let offsets = json::array_element_starts(text);
    let lines = LineIndex::new(text);
    let mut objects = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        // The scanner sees exactly the elements serde_json parsed; line 1 is
        // only a fallback that should never be used.
        let line = offsets.get(index).map_or(1, |&at| lines.line_of(at));
        match item {
            Value::Object(map) => objects.push((line, map)),
            other => bail!(
                "{origin}:{line}: expected a JSON object for each workspace, found {}",
                json_kind(other)
            ),
        }
    }
    add_json_objects(&objects, origin, features, out)
}

fn read_ndjson(text: &str, origin: &str, features: &[FeatureColumn], out: &mut FlagsSnapshot) -> anyhow::Result<()> {
    let mut parsed = Vec::new();
    for (index, line_text) in text.lines().enumerate() {
        let line = index as u64 + 1;
        if line_text.trim().is_empty() {
            continue;
        }
        let value: Value = json::parse(line_text, origin, line - 1, JSON_ADVICE)?;
        match value {
            Value::Object(map) => parsed.push((line, map)),
            other => bail!(
                "{origin}:{line}: expected one JSON object per line (NDJSON), found {}",
                json_kind(&other)
            ),
        }
    }
    let objects: Vec<(u64, &Map<String, Value>)> = parsed.iter().map(|(l, m)| (*l, m)).collect();
    add_json_objects(&objects, origin, features, out)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Looks a key up case-insensitively (headers and keys are matched the same
/// way in every format), returning the key as written and its value.
fn lookup<'a>(object: &'a Map<String, Value>, wanted: &str) -> Option<(&'a str, &'a Value)> {
    object
        .iter()
        .find(|(key, _)| same_name(key, wanted))
        .map(|(key, value)| (key.as_str(), value))
}

fn add_json_objects(
    objects: &[(u64, &Map<String, Value>)],
    origin: &str,
    features: &[FeatureColumn],
    out: &mut FlagsSnapshot,
) -> anyhow::Result<()> {
    if !objects.is_empty() && objects.iter().all(|(_, o)| lookup(o, "workspace_id").is_none()) {
        let mut keys: Vec<String> = Vec::new();
        for (_, object) in objects {
            for key in object.keys() {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
        bail!(
            "{origin}: no object has a workspace_id key; the keys found are {}; add workspace_id (it is required)",
            quoted_list(&keys)
        );
    }

    // A feature is present when any object of any page has one of its keys.
    // Pages may add features, so earlier rows are realigned with None.
    let present = |f: &FeatureColumn| {
        out.features.contains(&f.key)
            || objects
                .iter()
                .any(|(_, o)| f.columns.iter().any(|c| lookup(o, c).is_some()))
    };
    let keys: Vec<String> = features.iter().filter(|f| present(f)).map(|f| f.key.clone()).collect();
    if keys != out.features {
        let old = std::mem::replace(&mut out.features, keys);
        for row in &mut out.rows {
            let flags = std::mem::take(&mut row.flags);
            row.flags = out
                .features
                .iter()
                .map(|key| old.iter().position(|k| k == key).and_then(|i| flags[i]))
                .collect();
        }
    }
    let active: Vec<Option<&FeatureColumn>> = out
        .features
        .iter()
        .map(|key| features.iter().find(|f| &f.key == key))
        .collect();

    for &(line, object) in objects {
        let workspace_id = match lookup(object, "workspace_id") {
            None => {
                return Err(cell_error(
                    origin,
                    line,
                    "workspace_id",
                    "the object has no workspace_id key",
                    ID_HINT,
                ))
            }
            Some((key, Value::String(s))) if s.trim().is_empty() => {
                return Err(cell_error(origin, line, key, "the workspace ID is empty", ID_HINT))
            }
            Some((_, Value::String(s))) => s.trim().to_string(),
            // Numeric IDs are fine as long as they are whole numbers.
            Some((_, Value::Number(n))) if n.is_i64() || n.is_u64() => n.to_string(),
            Some((key, other)) => {
                let problem = format!("`{other}` is not a workspace ID");
                return Err(cell_error(
                    origin,
                    line,
                    key,
                    &problem,
                    "use a string such as \"ws_7f3a\"",
                ));
            }
        };
        let workspace_name = match lookup(object, "workspace_name") {
            None | Some((_, Value::Null)) => None,
            Some((_, Value::String(s))) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Some((_, other)) => Some(other.to_string()),
        };
        let users = match lookup(object, "users") {
            None => None,
            Some((key, value)) => json_users(value).map_err(|p| cell_error(origin, line, key, &p, USERS_HINT))?,
        };
        let mut flags = Vec::with_capacity(active.len());
        for feature in &active {
            let found = feature.and_then(|f| f.columns.iter().find_map(|c| lookup(object, c)));
            let value = match found {
                None => None,
                Some((key, value)) => json_bool(value).map_err(|p| cell_error(origin, line, key, &p, BOOL_HINT))?,
            };
            flags.push(value);
        }
        out.rows.push(WorkspaceRow {
            line,
            workspace_id,
            workspace_name,
            users,
            flags,
        });
    }
    Ok(())
}

fn json_bool(value: &Value) -> Result<Option<bool>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) => parse_bool(s).map_err(|()| format!("`{}` is not a boolean", s.trim())),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x == 0.0 || x == 1.0 => Ok(Some(x == 1.0)),
            _ => Err(format!("`{n}` is not a boolean")),
        },
        other => Err(format!("`{other}` is not a boolean")),
    }
}

fn json_users(value: &Value) -> Result<Option<i64>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => parse_users(s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return if i >= 0 {
                    Ok(Some(i))
                } else {
                    Err(format!("`{n}` is negative"))
                };
            }
            if n.is_u64() {
                return Err(format!("`{n}` is too large"));
            }
            match n.as_f64() {
                // 12.0 is a whole number written by a tool that only has floats.
                Some(x) if x.fract() == 0.0 && (0.0..9.0e15).contains(&x) => Ok(Some(x as i64)),
                Some(x) if x < 0.0 => Err(format!("`{n}` is negative")),
                _ => Err(format!("`{n}` is not a whole number")),
            }
        }
        other => Err(format!("`{other}` is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(key: &str, columns: &[&str]) -> FeatureColumn {
        FeatureColumn {
            key: key.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    /// The built-in features as the caller passes them (SPEC 2.1).
    fn builtin() -> Vec<FeatureColumn> {
        vec![
            feature("sso", &["sso_enabled"]),
            feature("scim", &["scim_enabled"]),
            feature("forced_mfa", &["mfa_enforced", "force_mfa", "forced_mfa"]),
        ]
    }

    use crate::sources::test_file::test_file as fixture;

    fn read(name: &str, content: &str) -> anyhow::Result<FlagsSnapshot> {
        let f = fixture(name, content.as_bytes());
        read_flags_file(&f.path, &builtin(), None)
    }

    /// Runs a read that must fail and returns the message with the temp
    /// folder removed, so tests can compare whole messages.
    fn read_err(name: &str, content: &[u8], features: &[FeatureColumn]) -> String {
        let f = fixture(name, content);
        let err = read_flags_file(&f.path, features, None).expect_err("the read should fail");
        format!("{err:#}").replace(&format!("{}/", f.dir.path().display()), "")
    }

    fn row(line: u64, id: &str, name: Option<&str>, users: Option<i64>, flags: &[Option<bool>]) -> WorkspaceRow {
        WorkspaceRow {
            line,
            workspace_id: id.into(),
            workspace_name: name.map(str::to_string),
            users,
            flags: flags.to_vec(),
        }
    }

    #[test]
    fn csv_with_bom_crlf_quoted_newline_and_alias() {
        let content = "\u{feff}Workspace_ID ,workspace_name,users,SSO_ENABLED,force_mfa,notes\r\n\
                       ws_1,\"Acme\r\nEurope\",12,yes,0,x\r\n\
                       ws_2,Beta,,,TRUE,\r\n\
                       ws_3,,0,n,,\r\n";
        let snap = read("flags.csv", content).unwrap();
        assert_eq!(snap.features, ["sso", "forced_mfa"]);
        assert_eq!(
            snap.rows,
            [
                row(2, "ws_1", Some("Acme\r\nEurope"), Some(12), &[Some(true), Some(false)]),
                row(4, "ws_2", Some("Beta"), None, &[None, Some(true)]),
                row(5, "ws_3", None, Some(0), &[Some(false), None]),
            ]
        );
        assert_eq!(snap.warnings.len(), 1, "{:?}", snap.warnings);
        assert!(
            snap.warnings[0].contains("feature scim (scim_enabled)"),
            "{:?}",
            snap.warnings
        );
    }

    #[test]
    fn first_accepted_column_wins_and_config_features_are_read() {
        let mut features = builtin();
        features.push(feature("ip_allowlist", &["ip_allowlist_enabled"]));
        let f = fixture(
            "flags.csv",
            b"workspace_id,force_mfa,mfa_enforced,ip_allowlist_enabled,scim_enabled,sso_enabled\nws_1,false,true,1,f,t\n",
        );
        let snap = read_flags_file(&f.path, &features, None).unwrap();
        assert_eq!(snap.features, ["sso", "scim", "forced_mfa", "ip_allowlist"]);
        assert_eq!(snap.rows[0].flags, [Some(true), Some(false), Some(true), Some(true)]);
        assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    }

    #[test]
    fn csv_bad_boolean_names_file_line_and_column() {
        let content = b"workspace_id,workspace_name,sso_enabled\nws_1,\"two\nlines\",yes\nws_2,B,maybe\n";
        let err = read_err("flags.csv", content, &builtin());
        assert_eq!(
            err,
            "flags.csv:4: column sso_enabled: `maybe` is not a boolean; use true/false, yes/no, y/n, t/f or 1/0"
        );
    }

    #[test]
    fn csv_bad_users() {
        let err = read_err("flags.csv", b"workspace_id,users\nws_1,-3\n", &builtin());
        assert_eq!(
            err,
            format!("flags.csv:2: column users: `-3` is negative; {USERS_HINT}")
        );
        let err = read_err("flags.csv", b"workspace_id,Users\nws_1,3\nws_2,4.5\n", &builtin());
        assert_eq!(
            err,
            format!("flags.csv:3: column Users: `4.5` is not a whole number; {USERS_HINT}")
        );
        let err = read_err("flags.csv", b"workspace_id,users\nws_1,lots\n", &builtin());
        assert!(
            err.starts_with("flags.csv:2: column users: `lots` is not a whole number"),
            "{err}"
        );
    }

    #[test]
    fn csv_missing_or_empty_workspace_id() {
        let err = read_err("flags.csv", b"id,sso_enabled\nws_1,true\n", &builtin());
        assert_eq!(
            err,
            "flags.csv:1: no workspace_id column; the header has `id`, `sso_enabled` (split at `,`, the delimiter detected from the header line; --delimiter sets another); add a workspace_id column (it is required)"
        );
        let err = read_err(
            "flags.csv",
            b"workspace_id,sso_enabled\nws_1,true\n ,false\n",
            &builtin(),
        );
        assert_eq!(
            err,
            format!("flags.csv:3: column workspace_id: the workspace ID is empty; {ID_HINT}")
        );
    }

    #[test]
    fn csv_wrong_field_count_names_the_line() {
        let err = read_err(
            "flags.csv",
            b"workspace_id,sso_enabled\r\nws_1,true\r\n\r\nws_2,true,extra\r\n",
            &builtin(),
        );
        assert_eq!(
            err,
            "flags.csv:4: the row has 3 fields but the header on line 1 has 2; quote values that contain commas"
        );
    }

    #[test]
    fn empty_and_header_only_files() {
        assert_eq!(
            read_err("flags.csv", b"", &builtin()),
            "flags.csv is empty; expected a header row with workspace_id"
        );
        assert_eq!(
            read_err("flags.csv", b"\xEF\xBB\xBF\r\n", &builtin()),
            "flags.csv is empty; expected a header row with workspace_id"
        );
        let snap = read("flags.csv", "workspace_id,sso_enabled\n").unwrap();
        assert!(snap.rows.is_empty());
        assert_eq!(snap.features, ["sso"]);
        assert!(
            snap.warnings.iter().any(|w| w.contains("no workspace rows")),
            "{:?}",
            snap.warnings
        );
        let snap = read("flags.json", "[]").unwrap();
        assert!(snap.rows.is_empty());
        assert!(snap.warnings.iter().any(|w| w.contains("no workspace rows")));
        assert!(read_err("flags.json", b"  \n", &builtin())
            .ends_with("is empty; expected a JSON array of objects with workspace_id"));
    }

    #[test]
    fn trailing_comma_rows_are_skipped_with_a_warning() {
        let snap = read("flags.csv", "workspace_id,sso_enabled\nws_1,y\n,\n,\n").unwrap();
        assert_eq!(snap.rows.len(), 1);
        assert!(
            snap.warnings.iter().any(|w| w.contains("skipped 2 empty rows")),
            "{:?}",
            snap.warnings
        );
    }

    #[test]
    fn unknown_extension() {
        let err = read_err("flags.xlsx", b"workspace_id\n", &builtin());
        assert!(err.contains("flags.xlsx has an extension"), "{err}");
        assert!(err.contains(".csv, .json, .ndjson, .jsonl or .parquet"), "{err}");
        // Extensions are matched case-insensitively.
        assert_eq!(read("FLAGS.CSV", "workspace_id\nws_1\n").unwrap().rows.len(), 1);
        assert_eq!(
            read("flags.JSONL", "{\"workspace_id\":\"ws_1\"}\n").unwrap().rows.len(),
            1
        );
    }

    #[test]
    fn duplicate_workspace_ids_name_both_lines() {
        let err = read_err("flags.csv", b"workspace_id\nws_1\nws_2\nws_1\n", &builtin());
        assert_eq!(
            err,
            "flags.csv:4: column workspace_id: `ws_1` appears again (first on line 2); \
             each workspace must appear once, so remove or merge one of the rows"
        );
        // IDs are opaque: different case is a different workspace.
        assert_eq!(read("flags.csv", "workspace_id\nws_1\nWS_1\n").unwrap().rows.len(), 2);
        let err = read_err(
            "flags.ndjson",
            b"{\"workspace_id\":\"a\"}\n\n{\"workspace_id\":\"a\"}\n",
            &builtin(),
        );
        assert!(
            err.starts_with("flags.ndjson:3: column workspace_id: `a` appears again (first on line 1)"),
            "{err}"
        );
    }

    #[test]
    fn windows_1252_names_are_decoded_with_a_warning() {
        let f = fixture(
            "flags.csv",
            b"workspace_id,workspace_name\nws_1,Soci\xe9t\xe9 G\xe9n\xe9rale\n",
        );
        let snap = read_flags_file(&f.path, &builtin(), None).unwrap();
        assert_eq!(snap.rows[0].workspace_name.as_deref(), Some("Société Générale"));
        assert!(snap.warnings.iter().any(|w| w.contains("is not UTF-8 (first at line ")));
    }

    const JSON_FIXTURE: &str = r#"[
  {"workspace_id": "ws_1", "workspace_name": "Acme [EU] \"main\" {x}", "users": 12,
   "sso_enabled": true, "scim_enabled": "no", "mfa_enforced": 1},
  {
    "workspace_id": "ws_2",
    "users": "7",
    "sso_enabled": null,
    "scim_enabled": 0,
    "extra": {"nested": [1, {"a": "],"}]}
  },
  {"workspace_id": 42, "users": 3.0, "Forced_MFA": "Y"}
]"#;

    #[test]
    fn json_array_happy_path_with_element_lines() {
        let snap = read("flags.json", JSON_FIXTURE).unwrap();
        assert_eq!(snap.features, ["sso", "scim", "forced_mfa"]);
        assert_eq!(
            snap.rows,
            [
                row(
                    2,
                    "ws_1",
                    Some("Acme [EU] \"main\" {x}"),
                    Some(12),
                    &[Some(true), Some(false), Some(true)]
                ),
                row(4, "ws_2", None, Some(7), &[None, Some(false), None]),
                row(11, "42", None, Some(3), &[None, None, Some(true)]),
            ]
        );
    }

    #[test]
    fn json_value_errors_name_the_element_line() {
        let text = b"[\n  {\"workspace_id\": \"ws_1\", \"sso_enabled\": true},\n  {\"workspace_id\": \"ws_2\",\n   \"sso_enabled\": \"maybe\"}\n]";
        let err = read_err("flags.json", text, &builtin());
        assert_eq!(
            err,
            format!("flags.json:3: column sso_enabled: `maybe` is not a boolean; {BOOL_HINT}")
        );
        let text = b"[{\"workspace_id\": \"ws_1\", \"sso_enabled\": 2}]";
        assert!(read_err("flags.json", text, &builtin())
            .starts_with("flags.json:1: column sso_enabled: `2` is not a boolean"));
        let text = b"[{\"workspace_id\": \"ws_1\", \"users\": -1}]";
        assert!(read_err("flags.json", text, &builtin()).starts_with("flags.json:1: column users: `-1` is negative"));
        let text = b"[{\"workspace_id\": \"ws_1\", \"users\": 2.5}]";
        assert!(read_err("flags.json", text, &builtin())
            .starts_with("flags.json:1: column users: `2.5` is not a whole number"));
        let text = b"[{\"workspace_id\": \"ws_1\"},\n{\"name\": \"x\"}]";
        assert_eq!(
            read_err("flags.json", text, &builtin()),
            format!("flags.json:2: column workspace_id: the object has no workspace_id key; {ID_HINT}")
        );
        let text = b"[{\"workspace_id\": \"ws_1\"},\n{\"workspace_id\": \"  \"}]";
        assert!(read_err("flags.json", text, &builtin())
            .starts_with("flags.json:2: column workspace_id: the workspace ID is empty"));
    }

    #[test]
    fn json_shape_errors() {
        let err = read_err("flags.json", b"{\"data\": []}", &builtin());
        assert!(
            err.starts_with("flags.json: expected a JSON array of workspace objects"),
            "{err}"
        );
        assert!(err.ends_with("but found an object"), "{err}");
        let err = read_err(
            "flags.json",
            b"[{\"workspace_id\": \"ws_1\"},\n\n \"ws_2\"]",
            &builtin(),
        );
        assert_eq!(
            err,
            "flags.json:3: expected a JSON object for each workspace, found a string"
        );
        let err = read_err("flags.json", b"[{\"id\": \"ws_1\", \"sso\": true}]", &builtin());
        assert_eq!(
            err,
            "flags.json: no object has a workspace_id key; the keys found are `id`, `sso`; add workspace_id (it is required)"
        );
    }

    #[test]
    fn truncated_json_reports_serde_position() {
        let err = read_err(
            "flags.json",
            b"[\n  {\"workspace_id\": \"ws_1\"},\n  {\"workspace_id\": \"ws",
            &builtin(),
        );
        assert!(err.starts_with("flags.json:3:"), "{err}");
        assert!(err.contains("not valid JSON (EOF while parsing a string)"), "{err}");
        assert!(err.ends_with("export or download it again"), "{err}");
    }

    #[test]
    fn ndjson_happy_path_and_errors() {
        let content =
            "{\"workspace_id\":\"ws_1\",\"sso_enabled\":\"t\"}\r\n\r\n{\"workspace_id\":\"ws_2\",\"users\":5}\r\n";
        let snap = read("flags.ndjson", content).unwrap();
        assert_eq!(snap.features, ["sso"]);
        assert_eq!(
            snap.rows,
            [
                row(1, "ws_1", None, None, &[Some(true)]),
                row(3, "ws_2", None, Some(5), &[None])
            ]
        );

        let err = read_err(
            "flags.ndjson",
            b"{\"workspace_id\":\"ws_1\"}\n{\"workspace_id\":\n",
            &builtin(),
        );
        assert!(err.starts_with("flags.ndjson:2:"), "{err}");
        assert!(err.contains("not valid JSON"), "{err}");
        let err = read_err("flags.jsonl", b"{\"workspace_id\":\"ws_1\"}\n[1]\n", &builtin());
        assert_eq!(
            err,
            "flags.jsonl:2: expected one JSON object per line (NDJSON), found an array"
        );
        let err = read_err(
            "flags.ndjson",
            b"{\"workspace_id\":\"ws_1\",\"scim_enabled\":\"nope\"}\n",
            &builtin(),
        );
        assert_eq!(
            err,
            format!("flags.ndjson:1: column scim_enabled: `nope` is not a boolean; {BOOL_HINT}")
        );
    }

    #[test]
    fn json_pages_append_and_realign_features() {
        let features = builtin();
        let mut snap = FlagsSnapshot::default();
        parse_flags_json_page(
            r#"[{"workspace_id":"a","scim_enabled":true}]"#,
            "https://x/p1",
            &features,
            &mut snap,
        )
        .unwrap();
        assert_eq!(snap.features, ["scim"]);
        parse_flags_json_page(
            "[\n{\"workspace_id\":\"b\",\"sso_enabled\":false,\"scim_enabled\":false}]",
            "https://x/p2",
            &features,
            &mut snap,
        )
        .unwrap();
        assert_eq!(snap.features, ["sso", "scim"]);
        assert_eq!(
            snap.rows,
            [
                row(1, "a", None, None, &[None, Some(true)]),
                row(2, "b", None, None, &[Some(false), Some(false)])
            ]
        );
        parse_flags_json_page("[]", "https://x/p3", &features, &mut snap).unwrap();
        assert_eq!(snap.rows.len(), 2);
        let err = parse_flags_json_page(
            "[{\"workspace_id\":\"c\",\"sso_enabled\":\"x\"}]",
            "https://x/p4",
            &features,
            &mut snap,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("https://x/p4:1: column sso_enabled:"), "{err}");
        parse_flags_json_page("[{\"workspace_id\":\"a\"}]", "https://x/p5", &features, &mut snap).unwrap();
        assert!(check_unique(&snap, "https://x")
            .unwrap_err()
            .to_string()
            .contains("`a` appears again"));
    }
}
