//! Salesforce ARR export reader (SPEC 2.2): turns a report export (labels,
//! footer, 15-char IDs) or an API-name export (Data Loader, `sf data query`,
//! Bulk API 2.0) into one `Account` per account, with ARR exact to the cent
//! and converted to the reporting currency.
//!
//! The file shapes follow `reference/salesforce-exports.md`: the header row
//! is found by content (title rows may sit above it), the footer and
//! `Grand Totals` rows are skipped and counted, and an account repeated on
//! several rows (one per workspace) counts its ARR once.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use std::path::Path;

use anyhow::{anyhow, bail};

use crate::sources::table::TableColumn;
use crate::sources::text::boolean::parse_bool;
use crate::sources::text::csv_reader::{concat, field_count_error, After, CsvRow, CsvText, Delimiter};
use crate::sources::text::decode::{decode_text, read_text};
use crate::sources::text::lines::line_breaks;
use crate::sources::text::money::{parse_money, Money};
use crate::sources::text::salesforce_id::{id_18_checksum_ok, salesforce_id_18};

use super::fields::ApiFields;
use super::hierarchy::parent_cycle;

/// The header of a pull's per-row conversion rate (Salesforce's `CurrencyType.ConversionRate`
/// of the row's currency against the reporting one): converted = amount / ConversionRate.
pub(crate) const CONVERSION_RATE_COLUMN: &str = "ConversionRate";

/// Header names from `[salesforce.columns]`; each wins over detection.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnOverrides {
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub arr: Option<String>,
    pub currency: Option<String>,
    /// `parent` (`parent_id`, its first name, still read).
    #[serde(alias = "parent_id")]
    pub parent: Option<String>,
    pub workspaces: Option<String>,
}

/// `[currency]` from the config. A rate is decimal text such as "1.08",
/// meaning 1 unit of the key currency = 1.08 units of `reporting`.
#[derive(Debug, Clone)]
pub(crate) struct CurrencyRates {
    pub reporting: String,
    pub rates: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `Id`, `ARR__c`, ... (Data Loader, sf CLI, Bulk API), any case.
    ApiNames,
    /// `Account ID`, `Annual Recurring Revenue`, ... (report export).
    ReportLabels,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    /// 18-character form.
    pub account_id: String,
    pub account_name: Option<String>,
    /// 18-character form.
    pub parent_id: Option<String>,
    /// In the reporting currency, rounded half-even to the cent; None = empty ARR cell (unknown, not 0).
    pub arr_cents: Option<i128>,
    pub original_cents: Option<i128>,
    /// ISO code of the original amount.
    pub currency: String,
    /// Rate applied; None when `currency` is the reporting currency. A config rate as
    /// written (`1.08`: times 1.08), a Salesforce one as `1/0.8` (divided by 0.8).
    pub rate: Option<String>,
    /// The `ConversionRate` cell of the account's first row with ARR, if the file has one.
    pub conversion_rate: Option<String>,
    /// Union over the account's rows, in order of first appearance.
    pub workspace_ids: Vec<String>,
    /// Every line the account appeared on.
    pub lines: Vec<u64>,
}

#[derive(Debug)]
pub(crate) struct SalesforceExport {
    pub shape: Shape,
    pub accounts: Vec<Account>,
    pub has_workspace_column: bool,
    /// The records after the header, footer and blank rows included.
    pub rows_read: usize,
    pub footer_lines_skipped: usize,
    pub totals_rows_skipped: usize,
    /// Rows whose cells are all empty.
    pub empty_rows_skipped: usize,
    /// Rows marked deleted (`IsDeleted` / `is_deleted` true).
    pub deleted_rows_skipped: usize,
    /// Rows of an account already read (one per workspace), merged into it.
    pub rows_merged: usize,
    /// Accounts whose ARR cell was empty on every row: kept with no ARR (0).
    pub empty_arr: usize,
    /// The rate each converted currency got, by currency code.
    pub rates_used: BTreeMap<String, RateUsed>,
    pub warnings: Vec<String>,
}

/// Where a currency's rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RateSource {
    /// `[currency] rates` in the config.
    Config,
    /// The file's `ConversionRate` column: Salesforce's `CurrencyType`, as a pull saw it.
    ConversionRate,
}

/// A rate applied to a currency, as the `rate` of its accounts shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct RateUsed {
    pub rate: String,
    pub from: RateSource,
}

const CONFIG_HINT: &str = "under [salesforce.columns] in featurearr.toml";

/// The columns we read, as header positions.
struct Columns {
    /// `IsDeleted` (API names) or `is_deleted` (dbt seeds, Fivetran syncs): a row marked
    /// true is a deleted record, not a live account.
    deleted: Option<usize>,
    account_id: usize,
    account_name: Option<usize>,
    arr: usize,
    currency: Option<usize>,
    parent_id: Option<usize>,
    workspaces: Option<usize>,
    conversion_rate: Option<usize>,
}

/// One ARR value seen for an account, kept to detect rows that disagree.
struct ArrValue<'a> {
    line: u64,
    raw: &'a str,
    cents: i128,
    currency: String,
}

/// Reads a Salesforce ARR export. See the module docs for the shapes.
///
/// In four steps: find the header ([`read_header`]), read every row's cells
/// ([`read_ahead`], on two threads), merge the rows of each account in file order
/// ([`merge_rows`]), then check and convert each account's ARR
/// ([`check_consistent_arr`], [`convert_currencies`]).
///
/// Columns are found by the `[salesforce.columns]` names (which must be there), else by
/// the `[salesforce.fields]` API names, else by the standard names and labels.
/// `delimiter`: as given (`--delimiter`, `[salesforce] delimiter`), or detected from
/// the header line when None.
pub(crate) fn read_accounts(
    path: &Path,
    overrides: &ColumnOverrides,
    fields: &ApiFields,
    rates: &CurrencyRates,
    delimiter: Option<Delimiter>,
) -> anyhow::Result<SalesforceExport> {
    let origin = path.display().to_string();
    let decoded = read_text(path)?;
    read_accounts_text(decoded, &origin, overrides, fields, rates, delimiter)
}

/// [`read_accounts`] of a file's bytes, named `origin` in messages: how a pull reads
/// the export it is about to store, exactly as `load arr` would read its dump.
pub(crate) fn read_accounts_bytes(
    bytes: &[u8],
    origin: &str,
    overrides: &ColumnOverrides,
    fields: &ApiFields,
    rates: &CurrencyRates,
    delimiter: Option<Delimiter>,
) -> anyhow::Result<SalesforceExport> {
    read_accounts_text(decode_text(bytes, origin)?, origin, overrides, fields, rates, delimiter)
}

/// [`read_accounts`] of decoded text and the decoder's warning.
fn read_accounts_text(
    (content, warning): (String, Option<String>),
    origin: &str,
    overrides: &ColumnOverrides,
    fields: &ApiFields,
    rates: &CurrencyRates,
    delimiter: Option<Delimiter>,
) -> anyhow::Result<SalesforceExport> {
    let origin = origin.to_string();
    let mut warnings: Vec<String> = warning.into_iter().collect();
    let conversion = Conversion::new(rates)?;

    let csv = CsvText::new(&content, &origin, delimiter);
    let header = read_header(&csv, overrides, fields)?;
    if header.rows_above > 0 {
        warnings.push(format!(
            "{origin}: skipped {} rows above the header on line {} (report title or filters)",
            header.rows_above, header.line
        ));
    }
    let (rows, data) = read_ahead(&csv, &header, &conversion.reporting)?;
    accounts_of(&origin, &header, &rows, data, &conversion, warnings)
}

/// Reads an ARR export that arrives as a table (a Parquet file in the API-name shape):
/// `columns` stand for the header, and `for_each_row` hands over the records in order,
/// each value as text (`None` for NULL). Every row is data (a table has no report
/// footer), and errors name `ORIGIN:ROW`, the first row being row 1.
pub(crate) fn read_account_table(
    origin: &str,
    columns: &[TableColumn],
    for_each_row: impl FnOnce(&mut dyn FnMut(&[Option<&str>]) -> anyhow::Result<()>) -> anyhow::Result<()>,
    overrides: &ColumnOverrides,
    fields: &ApiFields,
    rates: &CurrencyRates,
) -> anyhow::Result<SalesforceExport> {
    let conversion = Conversion::new(rates)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.trim().to_string()).collect();
    let has_id = names
        .iter()
        .any(|n| account_id_candidates(overrides, fields).iter().any(|w| same_name(n, w)));
    if !has_id {
        return Err(no_account_id_column(
            origin,
            overrides,
            "the file's columns are",
            &names,
        ));
    }
    let header = Header {
        line: 0,
        columns: find_columns(&names, overrides, fields, origin, None)?,
        shape: shape_of(&names),
        names,
        rows_above: 0,
        after: None,
        footer: false,
    };
    let mut rows: Vec<CsvRow> = Vec::new();
    for_each_row(&mut |cells| {
        let mut fields = csv::StringRecord::with_capacity(cells.iter().flatten().map(|c| c.len()).sum(), cells.len());
        for cell in cells {
            fields.push_field(cell.unwrap_or(""));
        }
        rows.push(CsvRow {
            line: rows.len() as u64 + 1,
            blank_before: false,
            fields,
        });
        Ok(())
    })?;
    let data = rows
        .iter()
        .map(|row| {
            Some(read_data_row(
                row,
                &header.columns,
                &header.names,
                origin,
                &conversion.reporting,
            ))
        })
        .collect();
    let facts: Vec<RowFacts> = rows.iter().map(|row| RowFacts::of(row, &header)).collect();
    accounts_of(origin, &header, &facts, data, &conversion, Vec::new())
}

/// The reporting currency and the rates to it, checked once per read.
struct Conversion<'r> {
    reporting: String,
    parsed: BTreeMap<String, Rate>,
    rates: &'r CurrencyRates,
}

impl<'r> Conversion<'r> {
    fn new(rates: &'r CurrencyRates) -> anyhow::Result<Self> {
        let reporting = parse_currency_code(&rates.reporting).ok_or_else(|| {
            anyhow!(
                "[currency] reporting = `{}` is not an ISO 4217 code; use a code such as USD",
                rates.reporting
            )
        })?;
        let parsed = parse_rates(rates, &reporting)?;
        Ok(Conversion {
            reporting,
            parsed,
            rates,
        })
    }
}

/// The accounts of an export's records (merged, checked and converted), with the
/// warnings about them added to `warnings`.
fn accounts_of(
    origin: &str,
    header: &Header,
    rows: &[RowFacts],
    data: Vec<Option<anyhow::Result<Option<DataRow>>>>,
    conversion: &Conversion,
    mut warnings: Vec<String>,
) -> anyhow::Result<SalesforceExport> {
    let rows_read = rows.len();
    let reporting = &conversion.reporting;
    let Merged {
        mut accounts,
        values,
        footer_lines_skipped,
        totals_rows_skipped,
        empty_rows_skipped,
        deleted_rows_skipped,
        rows_merged,
        arr_cells_empty,
        currency_defaulted,
        bad_checksums,
        parent_conflicts,
    } = merge_rows(origin, header, rows, data)?;

    let columns = &header.columns;
    check_consistent_arr(origin, &header.names[columns.arr], &accounts, &values)?;
    if let Some(parent) = columns.parent_id {
        check_no_parent_cycles(origin, &header.names[parent], &accounts)?;
    }
    let currency_column = &header.names[columns.currency.unwrap_or(columns.arr)];
    let rates_used = convert_currencies(
        origin,
        currency_column,
        &mut accounts,
        reporting,
        &conversion.parsed,
        conversion.rates,
    )?;

    if !bad_checksums.is_empty() {
        warnings.push(format!(
            "{origin}: {} account IDs have a case-safe suffix that does not match their first 15 characters \
             (lines {}); they were kept as given, but check that nothing upper- or lower-cased them",
            bad_checksums.len(),
            line_sample(&bad_checksums)
        ));
    }
    if !parent_conflicts.is_empty() {
        warnings.push(format!(
            "{origin}: some accounts have a different parent on later rows (lines {}); the first parent was kept",
            line_sample(&parent_conflicts)
        ));
    }
    if accounts.is_empty() {
        warnings.push(format!("{origin} has no account rows; loaded zero accounts"));
    }
    let arr_name = &header.names[columns.arr];
    if let Some(deleted) = columns.deleted.filter(|_| deleted_rows_skipped > 0) {
        warnings.push(format!(
            "{origin}: skipped {} marked deleted ({} true): deleted records are not live accounts",
            count_rows(deleted_rows_skipped),
            header.names[deleted]
        ));
    }
    let live_rows = rows_merged + accounts.len();
    if live_rows > 0 && arr_cells_empty * 2 > live_rows {
        warnings.push(format!(
            "{origin}: the ARR column `{arr_name}` is empty on {arr_cells_empty} of {live_rows} account rows; \
             is it the right column? Set arr = \"<header>\" {CONFIG_HINT} to read another"
        ));
    }
    let empty_arr = accounts.iter().filter(|a| a.arr_cents.is_none()).count();
    if empty_arr > 0 {
        warnings.push(format!(
            "{origin}: {empty_arr} of {} accounts have an empty `{arr_name}`; they are kept with ARR 0 (so they are not customers), and doctor counts them",
            accounts.len()
        ));
    }
    if columns.currency.is_none() && currency_defaulted > 0 {
        warnings.push(format!(
            "{origin}: no currency column (`CurrencyIsoCode`, `Account Currency` or `{arr_name} Currency`), so the amounts of {} were taken as {reporting}, the reporting currency; \
             if the export has one under another name, set currency = \"<header>\" {CONFIG_HINT}",
            count_rows(currency_defaulted)
        ));
    }
    Ok(SalesforceExport {
        shape: header.shape,
        accounts,
        has_workspace_column: columns.workspaces.is_some(),
        rows_read,
        footer_lines_skipped,
        totals_rows_skipped,
        empty_rows_skipped,
        deleted_rows_skipped,
        rows_merged,
        empty_arr,
        rates_used,
        warnings,
    })
}

/// Fails, naming the accounts and their lines, when the parent links of `accounts`
/// (column `parent_column`) form a cycle: such accounts have no top account, so no
/// family under `[salesforce] rollup = "ultimate_parent"`.
fn check_no_parent_cycles(origin: &str, parent_column: &str, accounts: &[Account]) -> anyhow::Result<()> {
    let links: Vec<(&str, Option<&str>)> = accounts
        .iter()
        .map(|a| (a.account_id.as_str(), a.parent_id.as_deref()))
        .collect();
    let Some(cycle) = parent_cycle(&links) else {
        return Ok(());
    };
    let name = |i: usize| {
        let a = &accounts[i];
        let line = a.lines.first().copied().unwrap_or(0);
        match a.account_name.as_deref().filter(|n| !n.is_empty()) {
            Some(n) => format!("{} ({n}, line {line})", a.account_id),
            None => format!("{} (line {line})", a.account_id),
        }
    };
    let mut path: Vec<String> = cycle.iter().map(|&i| name(i)).collect();
    path.push(accounts[cycle[0]].account_id.clone());
    bail!(
        "{origin}: the {parent_column} links form a cycle: {}; an account family needs a top account without a \
         parent, so fix the parent of one of these accounts in Salesforce (or in the file) and load again",
        path.join(" -> ")
    )
}

/// `1 row`, `12 rows`.
fn count_rows(n: usize) -> String {
    if n == 1 {
        "1 row".to_string()
    } else {
        format!("{n} rows")
    }
}

/// The header row and what it says.
struct Header {
    line: u64,
    /// Its cells, trimmed.
    names: Vec<String>,
    columns: Columns,
    shape: Shape,
    /// Rows above it (a report's title or filters).
    rows_above: usize,
    /// Where the records after it begin (a CSV text's header).
    after: Option<After>,
    /// A report footer may follow the data (CSV exports; a table has none).
    footer: bool,
}

/// Finds the header: the first row with an account ID column (report exports may
/// carry a title or filter block above it), and the columns it names.
fn read_header(csv: &CsvText, overrides: &ColumnOverrides, fields: &ApiFields) -> anyhow::Result<Header> {
    let origin = csv.origin();
    let id_candidates = account_id_candidates(overrides, fields);
    let mut leading: Vec<CsvRow> = Vec::new();
    let after = csv.find_row(|row| {
        leading.push(row.clone());
        row.fields.iter().any(|c| id_candidates.iter().any(|w| same_name(c, w)))
    })?;
    let Some(first) = leading.iter().find(|r| r.fields.iter().any(|c| !c.trim().is_empty())) else {
        bail!("{origin} is empty; expected a Salesforce export with a header row such as `Id,Name,ARR__c`");
    };
    let Some(after) = after else {
        let within = format!(
            "the first row has {} ({})",
            quoted_list(first.fields.iter()),
            csv.delimiter().describe()
        );
        return Err(no_account_id_column(
            &format!("{origin}:{}", first.line),
            overrides,
            &within,
            &[],
        ));
    };
    let rows_above = leading.len() - 1;
    let line = leading[rows_above].line;
    let names: Vec<String> = leading[rows_above]
        .fields
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let columns = find_columns(
        &names,
        overrides,
        fields,
        &format!("{origin}:{line}"),
        Some(&csv.delimiter().describe()),
    )?;
    Ok(Header {
        line,
        shape: shape_of(&names),
        names,
        columns,
        rows_above,
        after: Some(after),
        footer: true,
    })
}

/// The names an account ID column may have: the configured one, else the `[salesforce.fields]`
/// name, `Id` or `Account ID`.
fn account_id_candidates<'a>(overrides: &'a ColumnOverrides, fields: &'a ApiFields) -> Vec<&'a str> {
    match &overrides.account_id {
        Some(name) => vec![name.as_str()],
        None => vec![fields.account_id.as_str(), "Id", "Account ID"],
    }
}

/// The error for an export without an account ID column, at `place`: `within` says
/// where the names were looked for and `found` lists them (already in `within` when empty).
fn no_account_id_column(place: &str, overrides: &ColumnOverrides, within: &str, found: &[String]) -> anyhow::Error {
    let within = if found.is_empty() {
        within.to_string()
    } else {
        format!("{within} {}", quoted_list(found.iter().map(String::as_str)))
    };
    match &overrides.account_id {
        Some(name) => anyhow!(
            "{place}: no column named `{name}` (account_id {CONFIG_HINT}); {within}; fix the name in the config"
        ),
        None => anyhow!(
            "{place}: no account ID column; {within}; expected `Id` (API names) or `Account ID` (report labels); \
             if the export names it differently, set account_id = \"<header>\" {CONFIG_HINT}"
        ),
    }
}

/// Report labels when the header names `Account ID` or `Account Name`; API names otherwise.
fn shape_of(names: &[String]) -> Shape {
    if names
        .iter()
        .any(|n| same_name(n, "Account ID") || same_name(n, "Account Name"))
    {
        Shape::ReportLabels
    } else {
        Shape::ApiNames
    }
}

/// The accounts of an export's rows, before their ARR is checked and converted.
struct Merged<'r> {
    accounts: Vec<Account>,
    /// The ARR values seen for each account, aligned with `accounts`.
    values: Vec<Vec<ArrValue<'r>>>,
    footer_lines_skipped: usize,
    totals_rows_skipped: usize,
    empty_rows_skipped: usize,
    deleted_rows_skipped: usize,
    /// Rows of an account already read, merged into it.
    rows_merged: usize,
    /// Rows (of live accounts) whose ARR cell is empty.
    arr_cells_empty: usize,
    /// Rows whose currency no column or cell gave: the reporting currency was assumed.
    currency_defaulted: usize,
    /// Lines of account IDs whose case-safe suffix does not match.
    bad_checksums: Vec<u64>,
    /// Lines that give an account another parent than its first row did.
    parent_conflicts: Vec<u64>,
}

/// Goes through the records after the header in file order: skips blank, footer and
/// totals rows, fails on the first bad row, and merges the rows of one account (one
/// per workspace) into one [`Account`].
fn merge_rows<'r>(
    origin: &str,
    header: &Header,
    rows: &'r [RowFacts],
    data: Vec<Option<anyhow::Result<Option<DataRow>>>>,
) -> anyhow::Result<Merged<'r>> {
    let names = &header.names;
    // Sized once for an account per row: growing them was a tenth of a 400k-row read (perf).
    let most_accounts = rows.len();
    let mut accounts: Vec<Account> = Vec::with_capacity(most_accounts);
    let mut values: Vec<Vec<ArrValue>> = Vec::with_capacity(most_accounts);
    let mut footer_lines_skipped = 0usize;
    let mut totals_rows_skipped = 0usize;
    let mut empty_rows_skipped = 0usize;
    let mut deleted_rows_skipped = 0usize;
    let mut rows_merged = 0usize;
    let mut arr_cells_empty = 0usize;
    let mut currency_defaulted = 0usize;
    let mut bad_checksums: Vec<u64> = Vec::new();
    let mut parent_conflicts: Vec<u64> = Vec::new();
    let mut index: FxHashMap<String, usize> = FxHashMap::with_capacity_and_hasher(most_accounts, Default::default());
    let mut footer_start: Option<u64> = None;

    for (row, data) in rows.iter().zip(data) {
        let line = row.line;
        // A table has no blank lines, totals or footer: each of its rows is a record.
        if !header.footer {
            if row.filled == 0 {
                empty_rows_skipped += 1;
                continue;
            }
        } else {
            let data_seen = !accounts.is_empty();
            // A report with no matching records has its footer right after the
            // header: a blank line, then one-field rows.
            let footer_after_header = !data_seen && row.blank_before && row.cells == 1 && names.len() > 1;
            if row.filled == 0 || (row.blank_before && data_seen) || footer_after_header {
                // The first empty line after the data starts the footer.
                if (data_seen || footer_after_header) && footer_start.is_none() {
                    footer_start = Some(line);
                }
                if row.filled == 0 {
                    empty_rows_skipped += 1;
                    continue;
                }
            }
            if row.totals {
                totals_rows_skipped += 1;
                continue;
            }
            if row.only_text.as_deref().is_some_and(is_footer_text) {
                footer_lines_skipped += 1;
                footer_start.get_or_insert(line);
                continue;
            }
            if let Some(start) = footer_start {
                // Report name and company name are free text, so any single-cell
                // row after the footer began is footer too.
                if row.filled == 1 {
                    footer_lines_skipped += 1;
                    continue;
                }
                bail!(
                    "{origin}:{line}: a data row after the report footer that starts on line {start}; \
                     is there data after the footer? Remove the footer lines or the rows after them"
                );
            }
        }
        if row.cells != names.len() {
            return Err(field_count_error(origin, line, row.cells, header.line, names.len()));
        }

        let Some(DataRow {
            account_id,
            bad_checksum,
            parent_id,
            money,
            currency,
            currency_given,
            workspace_ids,
        }) = data.expect("every row with the header's field count is read ahead")?
        else {
            deleted_rows_skipped += 1;
            continue;
        };
        if money.is_none() {
            arr_cells_empty += 1;
        }
        if !currency_given {
            currency_defaulted += 1;
        }
        if bad_checksum {
            bad_checksums.push(line);
        }
        let account_name = row.account_name.as_deref();
        let arr_raw = row.arr_raw.as_str();

        // Rows of one account (one per workspace) merge into one Account.
        let at = match index.get(&account_id) {
            Some(&at) => {
                rows_merged += 1;
                at
            }
            None => {
                index.insert(account_id.clone(), accounts.len());
                accounts.push(Account {
                    account_id: account_id.clone(),
                    account_name: None,
                    parent_id: None,
                    arr_cents: None,
                    original_cents: None,
                    currency: currency.clone(),
                    rate: None,
                    conversion_rate: None,
                    workspace_ids: Vec::new(),
                    lines: Vec::new(),
                });
                values.push(Vec::new());
                accounts.len() - 1
            }
        };
        let account = &mut accounts[at];
        account.lines.push(line);
        if account.account_name.is_none() {
            account.account_name = account_name.map(str::to_string);
        }
        match (&account.parent_id, parent_id) {
            (None, parent) => account.parent_id = parent,
            (Some(kept), Some(other)) if *kept != other => parent_conflicts.push(line),
            _ => {}
        }
        for id in workspace_ids {
            if !account.workspace_ids.contains(&id) {
                account.workspace_ids.push(id);
            }
        }
        if let Some(m) = money {
            if values[at].is_empty() {
                account.original_cents = Some(m.cents);
                account.currency = currency.clone();
                account.conversion_rate = row.conversion_rate.clone();
            }
            values[at].push(ArrValue {
                line,
                raw: arr_raw,
                cents: m.cents,
                currency,
            });
        }
    }
    Ok(Merged {
        accounts,
        values,
        footer_lines_skipped,
        totals_rows_skipped,
        empty_rows_skipped,
        deleted_rows_skipped,
        rows_merged,
        arr_cells_empty,
        currency_defaulted,
        bad_checksums,
        parent_conflicts,
    })
}

/// What the merge reads of one record besides its `DataRow`, taken on the reading
/// threads. Keeping a copy of every record for the merge was 125 MB of a 400k-row
/// export (page faults that cost more than the copying), and trimming and sorting its
/// cells again a fifth of the single-threaded merge (perf).
struct RowFacts {
    line: u64,
    blank_before: bool,
    /// Fields in the record.
    cells: usize,
    /// Fields with text once trimmed.
    filled: usize,
    /// The field with text, trimmed, of a record that has exactly one (a footer line).
    only_text: Option<String>,
    /// A report's totals row (`is_totals_row`).
    totals: bool,
    /// The trimmed cells the merge keeps, of a record with the header's field count
    /// (empty otherwise): the account name and conversion rate when not empty, and the
    /// ARR cell as written.
    account_name: Option<String>,
    conversion_rate: Option<String>,
    arr_raw: String,
}

impl RowFacts {
    fn of(row: &CsvRow, header: &Header) -> RowFacts {
        let cells: Vec<&str> = row.fields.iter().map(str::trim).collect();
        let mut with_text = cells.iter().filter(|c| !c.is_empty());
        let first_text = with_text.next();
        let filled = usize::from(first_text.is_some()) + with_text.count();
        let whole = cells.len() == header.names.len();
        let columns = &header.columns;
        let kept = |column: Option<usize>| {
            column
                .filter(|_| whole)
                .map(|c| cells[c])
                .filter(|c| !c.is_empty())
                .map(str::to_string)
        };
        RowFacts {
            line: row.line,
            blank_before: row.blank_before,
            cells: cells.len(),
            filled,
            only_text: first_text.filter(|_| filled == 1).map(|c| c.to_string()),
            totals: is_totals_row(&cells, columns.account_id),
            account_name: kept(columns.account_name),
            conversion_rate: kept(columns.conversion_rate),
            arr_raw: if whole {
                cells[columns.arr].to_string()
            } else {
                String::new()
            },
        }
    }
}

/// What a data row says about its account, read from the row alone: the part of
/// reading that needs no other row, so it runs on both threads ahead of the merge.
struct DataRow {
    /// 18-character form.
    account_id: String,
    /// An 18-character ID whose case-safe suffix does not match its first 15 characters.
    bad_checksum: bool,
    parent_id: Option<String>,
    money: Option<Money>,
    currency: String,
    /// A currency column or the amount's text gave the currency (else the reporting one).
    currency_given: bool,
    workspace_ids: Vec<String>,
}

/// Every record after the header, each with its `DataRow` when it has the header's field
/// count (footer rows are read too, and their errors never looked at). Reading the
/// cells of a 400k-row export was most of its single-threaded merge loop (perf), so
/// it runs on both threads (`CsvText::fold_rows`).
#[allow(clippy::type_complexity)]
fn read_ahead(
    csv: &CsvText,
    header: &Header,
    reporting: &str,
) -> anyhow::Result<(Vec<RowFacts>, Vec<Option<anyhow::Result<Option<DataRow>>>>)> {
    let (columns, names) = (&header.columns, &header.names);
    let parts = csv.fold_rows(
        header.after.as_ref(),
        |part| {
            let rows = line_breaks(part) + 1;
            (Vec::with_capacity(rows), Vec::with_capacity(rows))
        },
        |(rows, data), row| {
            data.push(
                (row.fields.len() == names.len()).then(|| read_data_row(row, columns, names, csv.origin(), reporting)),
            );
            rows.push(RowFacts::of(row, header));
            Ok(())
        },
    )?;
    let (rows, data): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    Ok((concat(rows), concat(data)))
}

/// The `DataRow` of one record with the header's field count, None for a row marked
/// deleted (whose other cells are not read), or its first bad cell.
fn read_data_row(
    row: &CsvRow,
    columns: &Columns,
    names: &[String],
    origin: &str,
    reporting: &str,
) -> anyhow::Result<Option<DataRow>> {
    let line = row.line;
    let cells = |c: usize| row.fields[c].trim();
    let cell_error =
        |col: usize, problem: &str, hint: &str| anyhow!("{origin}:{line}: column {}: {problem}; {hint}", names[col]);
    if let Some(c) = columns.deleted {
        match parse_bool(cells(c)) {
            Ok(Some(true)) => return Ok(None),
            Ok(_) => {}
            Err(()) => {
                return Err(cell_error(
                    c,
                    &format!("`{}` is not a boolean", cells(c)),
                    "a deleted flag is true or false",
                ))
            }
        }
    }
    let id_raw = cells(columns.account_id);
    if id_raw.is_empty() {
        return Err(cell_error(
            columns.account_id,
            "the account ID is empty",
            "every data row needs one",
        ));
    }
    let id_hint = "the column must hold Salesforce record IDs";
    let account_id = salesforce_id_18(id_raw).map_err(|p| cell_error(columns.account_id, &p, id_hint))?;
    let bad_checksum = id_raw.len() == 18 && !id_18_checksum_ok(id_raw);
    let parent_id = match columns.parent_id.map(|c| (c, cells(c))) {
        Some((c, raw)) if !raw.is_empty() => Some(salesforce_id_18(raw).map_err(|p| cell_error(c, &p, id_hint))?),
        _ => None,
    };
    let arr_raw = cells(columns.arr);
    let money = parse_money(arr_raw).map_err(|p| anyhow!("{origin}:{line}: column {}: {p}", names[columns.arr]))?;
    if let Some(m) = &money {
        if m.cents < 0 {
            return Err(cell_error(
                columns.arr,
                &format!("`{arr_raw}` is negative"),
                "ARR must be 0 or more; credits and refunds do not belong in ARR",
            ));
        }
    }
    let column_code = match columns.currency.map(|c| (c, cells(c))) {
        Some((c, raw)) if !raw.is_empty() => Some(parse_currency_code(raw).ok_or_else(|| {
            cell_error(
                c,
                &format!("`{raw}` is not an ISO 4217 currency code"),
                "use codes such as USD or EUR",
            )
        })?),
        _ => None,
    };
    let text_code = money.as_ref().and_then(|m| m.currency.clone());
    let currency_given = column_code.is_some() || text_code.is_some();
    let currency = match (column_code, text_code) {
        (Some(col), Some(txt)) if col != txt => {
            let cur_name = &names[columns.currency.unwrap_or(columns.arr)];
            return Err(cell_error(
                columns.arr,
                &format!("`{arr_raw}` is in {txt} but column {cur_name} says {col}"),
                "the amount and its currency column must agree",
            ));
        }
        (Some(code), _) | (None, Some(code)) => code,
        (None, None) => reporting.to_string(),
    };
    let workspace_ids = columns
        .workspaces
        .map(|c| split_workspace_ids(cells(c)))
        .unwrap_or_default();

    Ok(Some(DataRow {
        account_id,
        bad_checksum,
        parent_id,
        money,
        currency,
        currency_given,
        workspace_ids,
    }))
}

/// Splits a cell holding one or more workspace IDs (`ws_1; ws_2`, `ws_1,ws_2`,
/// `ws_1 ws_2`), dropping empties and repeats while keeping the first order.
pub(crate) fn split_workspace_ids(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        if !part.is_empty() && !out.iter().any(|seen| seen == part) {
            out.push(part.to_string());
        }
    }
    out
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn quoted_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|n| format!("`{}`", n.trim())).collect::<Vec<_>>().join(", ")
}

fn line_sample(lines: &[u64]) -> String {
    let mut shown: Vec<String> = lines.iter().take(5).map(u64::to_string).collect();
    if lines.len() > 5 {
        shown.push("...".into());
    }
    shown.join(", ")
}

/// Finds each column: the config name if given (it must exist), else the
/// first known API name or report label. Exact names only, so
/// `Annual Recurring Revenue (converted)` (the exporting user's currency)
/// is never taken for the ARR column. `place` is where errors point: `FILE:LINE`
/// of a CSV header, or a table's name; `delimiter` says how a CSV header was split.
fn find_columns(
    names: &[String],
    overrides: &ColumnOverrides,
    fields: &ApiFields,
    place: &str,
    delimiter: Option<&str>,
) -> anyhow::Result<Columns> {
    let position = |wanted: &str| names.iter().position(|n| same_name(n, wanted));
    let found = || {
        let names = quoted_list(names.iter().map(String::as_str));
        match delimiter {
            Some(delimiter) => format!("{names} ({delimiter})"),
            None => names,
        }
    };
    // A `[salesforce.fields]` API name comes before the standard candidates.
    let pick = |key: &str,
                configured: &Option<String>,
                field: Option<&str>,
                candidates: &[&str]|
     -> anyhow::Result<Option<usize>> {
        match configured {
            Some(name) => match position(name) {
                Some(col) => Ok(Some(col)),
                None => bail!(
                    "{place}: no column named `{name}` ({key} {CONFIG_HINT}); the header has {}; \
                     fix the name in the config",
                    found()
                ),
            },
            None => Ok(field.into_iter().chain(candidates.iter().copied()).find_map(position)),
        }
    };
    let account_id = pick(
        "account_id",
        &overrides.account_id,
        Some(&fields.account_id),
        &["Id", "Account ID"],
    )?
    .expect("the header row was chosen because it has the account ID column");
    let Some(arr) = pick(
        "arr",
        &overrides.arr,
        Some(&fields.arr),
        &["ARR__c", "Annual Recurring Revenue", "ARR"],
    )?
    else {
        let converted: Vec<&String> = names
            .iter()
            .filter(|n| n.to_ascii_lowercase().contains("(converted)"))
            .collect();
        let converted_note = match converted.first() {
            Some(name) => {
                format!(" (`{name}` is in the exporting user's currency and is used only if you map it explicitly)")
            }
            None => String::new(),
        };
        bail!(
            "{place}: no ARR column; the header has {}; expected `ARR__c` (API names) or \
             `Annual Recurring Revenue` / `ARR` (report labels); set arr = \"<header>\" {CONFIG_HINT} to use another \
             column{converted_note}. A formula or roll-up ARR field is left out of Salesforce's weekly Data Export, \
             so export it with a report or Data Loader instead",
            found()
        );
    };
    // `<ARR label> Currency` is the currency of that very amount, so it is
    // preferred over the account's own currency.
    let arr_currency = format!("{} Currency", names[arr]);
    let currency = pick(
        "currency",
        &overrides.currency,
        fields.currency.as_deref(),
        &[
            arr_currency.as_str(),
            "CurrencyIsoCode",
            "Account Currency",
            "currency_iso_code",
        ],
    )?;
    Ok(Columns {
        deleted: ["IsDeleted", "is_deleted"].iter().find_map(|c| position(c)),
        account_id,
        account_name: pick(
            "account_name",
            &overrides.account_name,
            fields.name.as_deref(),
            &["Name", "Account Name"],
        )?,
        arr,
        currency,
        parent_id: pick(
            "parent",
            &overrides.parent,
            fields.parent.as_deref(),
            &["ParentId", "Parent Account ID"],
        )?,
        workspaces: pick(
            "workspaces",
            &overrides.workspaces,
            fields.workspaces.as_deref(),
            &["Workspace_ID__c", "Workspace ID", "Workspace IDs"],
        )?,
        conversion_rate: position(CONVERSION_RATE_COLUMN),
    })
}

/// `Grand Totals (N records)` inside the columns, or a formatted export's
/// `Total` row; neither may be added to sums.
fn is_totals_row(cells: &[&str], id_col: usize) -> bool {
    // Compared in place: lower-casing a copy of every cell allocated a string per cell
    // of every row.
    let starts_with = |c: &str, prefix: &str| {
        c.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    cells
        .iter()
        .any(|c| starts_with(c, "grand totals (") || starts_with(c, "grand total ("))
        || (cells.get(id_col).is_some_and(|id| id.is_empty()) && cells.iter().any(|c| same_name(c, "Total")))
}

/// Fixed footer lines of a report export (reference §1.2).
fn is_footer_text(cell: &str) -> bool {
    let c = cell.trim().to_lowercase();
    c == "total"
        || c.starts_with("grand total")
        || c == "confidential information - do not distribute"
        || (c.starts_with("copyright") && c.contains("salesforce.com"))
        || c.starts_with("generated by:")
}

fn parse_currency_code(raw: &str) -> Option<String> {
    let code = raw.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())).then(|| code.to_ascii_uppercase())
}

/// An exact positive rate, `num / den`: a decimal `mantissa / 10^scale` (a config
/// rate, multiplied by), or its inverse (a Salesforce `ConversionRate`, divided by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rate {
    num: i128,
    den: i128,
}

/// A positive decimal of at most 18 significant digits and 18 decimals.
fn parse_rate(text: &str) -> Option<Rate> {
    let text = text.trim();
    let (int_part, frac_part) = text.split_once('.').unwrap_or((text, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_part = frac_part.trim_end_matches('0');
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() || digits.len() > 18 || frac_part.len() > 18 {
        return None;
    }
    Some(Rate {
        num: digits.parse().ok()?,
        den: 10i128.pow(frac_part.len() as u32),
    })
}

impl Rate {
    /// Dividing by this rate.
    fn inverse(self) -> Rate {
        Rate {
            num: self.den,
            den: self.num,
        }
    }
}

fn parse_rates(rates: &CurrencyRates, reporting: &str) -> anyhow::Result<BTreeMap<String, Rate>> {
    let mut parsed = BTreeMap::new();
    for (code, text) in &rates.rates {
        let Some(iso) = parse_currency_code(code) else {
            bail!("[currency] rates: `{code}` is not an ISO 4217 code; use codes such as EUR or GBP");
        };
        let Some(rate) = parse_rate(text) else {
            bail!(
                "[currency] rates: {iso} = `{text}` is not a positive decimal number; write it like {iso} = 1.08 \
                 (1 {iso} = 1.08 {reporting})"
            );
        };
        parsed.insert(iso, rate);
    }
    Ok(parsed)
}

/// `cents * rate`, rounded half-even to the cent (the rounding that does not
/// drift upward when many conversions are summed). Both parts of a rate are below
/// 10^18 and cents below 10^18, so the product fits an i128.
fn convert_cents(cents: i128, rate: Rate) -> i128 {
    let product = cents * rate.num;
    let (quotient, remainder) = (product / rate.den, product % rate.den);
    match (2 * remainder).cmp(&rate.den) {
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal if quotient % 2 == 1 => quotient + 1,
        _ => quotient,
    }
}

fn cents_text(cents: i128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// An account's rows must agree on ARR (and its currency); empty cells are
/// "unknown" and agree with anything.
fn check_consistent_arr(
    origin: &str,
    column: &str,
    accounts: &[Account],
    values: &[Vec<ArrValue<'_>>],
) -> anyhow::Result<()> {
    let conflicting: Vec<usize> = (0..accounts.len())
        .filter(|&i| {
            values[i]
                .iter()
                .any(|v| v.cents != values[i][0].cents || v.currency != values[i][0].currency)
        })
        .collect();
    let Some(&first) = conflicting.first() else {
        return Ok(());
    };
    let seen = &values[first];
    let mixed_currencies = seen.iter().any(|v| v.currency != seen[0].currency);
    let listed: Vec<String> = seen
        .iter()
        .map(|v| {
            let shown = if mixed_currencies {
                format!("{} {}", cents_text(v.cents), v.currency)
            } else {
                v.raw.to_string()
            };
            format!("{} ({shown})", v.line)
        })
        .collect();
    let more = match conflicting.len() - 1 {
        0 => String::new(),
        1 => " (1 more account disagrees too)".to_string(),
        n => format!(" ({n} more accounts disagree too)"),
    };
    // The first row that disagrees with the account's first value is the one at fault.
    let at = seen
        .iter()
        .find(|v| v.cents != seen[0].cents || v.currency != seen[0].currency)
        .map_or(seen[0].line, |v| v.line);
    bail!(
        "{origin}:{at}: column {column}: account {} has different ARR on lines {}; an account's ARR must be the same on every row{more}",
        accounts[first].account_id,
        listed.join(", ")
    )
}

/// Converts every account's ARR into the reporting currency: by the config's rate of its
/// currency, else by the file's `ConversionRate` (which must be the same for every row of
/// a currency). Returns the rate each converted currency got.
fn convert_currencies(
    origin: &str,
    column: &str,
    accounts: &mut [Account],
    reporting: &str,
    parsed: &BTreeMap<String, Rate>,
    rates: &CurrencyRates,
) -> anyhow::Result<BTreeMap<String, RateUsed>> {
    let mut used: BTreeMap<String, RateUsed> = BTreeMap::new();
    // Per currency: the ConversionRate first seen and its line.
    let mut file_rates: BTreeMap<String, (String, u64)> = BTreeMap::new();
    // Every missing code at once, so the user fixes the config in one go.
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    for account in accounts.iter_mut() {
        if account.currency == reporting {
            account.arr_cents = account.original_cents;
            continue;
        }
        let line = account.lines[0];
        let (rate, text, from) = match (parsed.get(&account.currency), &account.conversion_rate) {
            (Some(&rate), _) => {
                let text = rates
                    .rates
                    .iter()
                    .find(|(code, _)| same_name(code, &account.currency))
                    .map(|(_, text)| text.trim().to_string())
                    .unwrap_or_default();
                (rate, text, RateSource::Config)
            }
            (None, Some(conversion)) => {
                let Some(rate) = parse_rate(conversion) else {
                    bail!(
                        "{origin}:{line}: column {CONVERSION_RATE_COLUMN}: `{conversion}` is not a positive decimal \
                         number; it is how many {} one {reporting} is worth, as Salesforce's CurrencyType gives it",
                        account.currency
                    );
                };
                let (first, first_line) = file_rates
                    .entry(account.currency.clone())
                    .or_insert_with(|| (conversion.clone(), line));
                if parse_rate(first) != Some(rate) {
                    bail!(
                        "{origin}:{line}: column {CONVERSION_RATE_COLUMN}: {} has the rate {conversion} here but \
                         {first} on line {first_line}; a currency has one rate in a file",
                        account.currency
                    );
                }
                (
                    rate.inverse(),
                    format!("1/{}", conversion.trim()),
                    RateSource::ConversionRate,
                )
            }
            (None, None) => {
                if account.original_cents.is_some() {
                    missing.entry(account.currency.clone()).or_insert(line);
                }
                continue;
            }
        };
        account.rate = Some(text.clone());
        used.entry(account.currency.clone())
            .or_insert(RateUsed { rate: text, from });
        if let Some(cents) = account.original_cents {
            let converted = convert_cents(cents, rate);
            if converted >= 1_000_000_000_000_000_000 {
                bail!(
                    "{origin}:{line}: ARR {} {} converts to more than DECIMAL(18,2) holds in {reporting}; \
                     check the amount and the {} rate",
                    cents_text(cents),
                    account.currency,
                    account.currency
                );
            }
            account.arr_cents = Some(converted);
        }
    }
    if missing.is_empty() {
        return Ok(used);
    }
    let first_line = missing.values().min().copied().unwrap_or(0);
    let codes: Vec<String> = missing
        .iter()
        .map(|(code, line)| format!("{code} (first on line {line})"))
        .collect();
    let mut entries: BTreeSet<String> = rates
        .rates
        .iter()
        .map(|(code, text)| format!("{code} = {}", text.trim()))
        .collect();
    entries.extend(missing.keys().map(|code| format!("{code} = <rate>")));
    bail!(
        "{origin}:{first_line}: column {column}: no exchange rate to {reporting} for {}; add it to featurearr.toml as \
         [currency] rates = {{ {} }}, where <rate> is how many {reporting} one unit of that currency is worth",
        codes.join(", "),
        entries.into_iter().collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sources::test_file::test_file as fixture;

    fn usd() -> CurrencyRates {
        CurrencyRates {
            reporting: "USD".into(),
            rates: BTreeMap::new(),
        }
    }

    fn usd_with(rates: &[(&str, &str)]) -> CurrencyRates {
        CurrencyRates {
            reporting: "USD".into(),
            rates: rates.iter().map(|(c, r)| (c.to_string(), r.to_string())).collect(),
        }
    }

    fn read(content: &str, rates: &CurrencyRates) -> SalesforceExport {
        let f = fixture("arr.csv", content.as_bytes());
        read_accounts(&f.path, &ColumnOverrides::default(), &ApiFields::default(), rates, None)
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// Reads a file that must fail; the message comes back with the temp
    /// folder stripped so whole messages can be compared.
    fn read_err_with(content: &[u8], overrides: &ColumnOverrides, rates: &CurrencyRates) -> String {
        let f = fixture("arr.csv", content);
        let err =
            read_accounts(&f.path, overrides, &ApiFields::default(), rates, None).expect_err("the read should fail");
        format!("{err:#}").replace(&format!("{}/", f.dir.path().display()), "")
    }

    fn read_err(content: &str) -> String {
        read_err_with(content.as_bytes(), &ColumnOverrides::default(), &usd())
    }

    fn ids(export: &SalesforceExport) -> Vec<&str> {
        export.accounts.iter().map(|a| a.account_id.as_str()).collect()
    }

    /// reference/salesforce-exports.md §1.2, single-currency Details Only CSV, verbatim.
    const REPORT_SINGLE: &str = r#""Account ID","Account Name","Parent Account ID","Annual Recurring Revenue","Workspace ID","Last Modified Date"
"0015g00000XyZaB","Acme Corp","","120000.00","ws_7f3a","1/15/2024"
"0015g00000Pq7Rs","Acme Europe GmbH","0015g00000XyZaB","90000.00","ws_b21c","2/3/2024"
"0015g00000Pq7RS","Pq Labs ""North""","","","","11/30/2023"

"ARR by Account"
"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
"Confidential Information - Do Not Distribute"
"Generated By:  Jane Doe  9/8/2026 11:22 AM"
"Example SaaS Inc"
"#;

    #[test]
    fn report_labels_with_classic_footer() {
        let export = read(REPORT_SINGLE, &usd());
        assert_eq!(export.shape, Shape::ReportLabels);
        assert_eq!(
            ids(&export),
            ["0015g00000XyZaBAAV", "0015g00000Pq7RsAAJ", "0015g00000Pq7RSAAZ"]
        );
        let acme_eu = &export.accounts[1];
        assert_eq!(
            *acme_eu,
            Account {
                account_id: "0015g00000Pq7RsAAJ".into(),
                account_name: Some("Acme Europe GmbH".into()),
                parent_id: Some("0015g00000XyZaBAAV".into()),
                arr_cents: Some(9_000_000),
                original_cents: Some(9_000_000),
                currency: "USD".into(),
                rate: None,
                conversion_rate: None,
                workspace_ids: vec!["ws_b21c".into()],
                lines: vec![3],
            }
        );
        let pq = &export.accounts[2];
        assert_eq!(pq.account_name.as_deref(), Some("Pq Labs \"North\""));
        assert_eq!((pq.arr_cents, pq.original_cents), (None, None));
        assert!(pq.workspace_ids.is_empty());
        assert_eq!(export.accounts[0].arr_cents, Some(12_000_000));
        assert_eq!(export.empty_arr, 1);
        assert_eq!(export.footer_lines_skipped, 5);
        assert_eq!(export.totals_rows_skipped, 0);
        assert!(export.has_workspace_column);
        assert_eq!(export.warnings.len(), 2, "{:?}", export.warnings);
        assert!(export.warnings[0].ends_with("1 of 3 accounts have an empty `Annual Recurring Revenue`; they are kept with ARR 0 (so they are not customers), and doctor counts them"));
        assert!(export.warnings[1].contains("no currency column"));
    }

    /// An export of megabytes is read ahead in two parts: accounts whose rows fall in
    /// both merge as in one, a bad cell in the second part names its line, and the
    /// footer's cells are never read as data.
    #[test]
    fn a_large_export_merges_accounts_across_both_parts() {
        let accounts = 25_000;
        let id = |i: usize| format!("0015g{i:010}");
        let mut text = String::from("\"Account ID\",\"Account Name\",\"Annual Recurring Revenue\",\"Workspace ID\"\n");
        for half in 0..2 {
            for i in 0..accounts {
                text.push_str(&format!("\"{}\",\"Account {i}\",\"{i}.50\",\"ws-{i}-{half}\"\n", id(i)));
            }
        }
        text.push_str("\n\"Grand Totals (50000 records)\"\n\"Confidential Information - Do Not Distribute\"\n\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n");
        assert!(
            text.len() > 2 << 20,
            "too small to be read in two parts: {}",
            text.len()
        );
        let export = read(&text, &usd());
        assert_eq!(export.accounts.len(), accounts);
        assert_eq!((export.footer_lines_skipped, export.totals_rows_skipped), (2, 1));
        for (i, account) in export.accounts.iter().enumerate() {
            assert_eq!(account.account_id, salesforce_id_18(&id(i)).unwrap());
            assert_eq!(account.workspace_ids, [format!("ws-{i}-0"), format!("ws-{i}-1")]);
            assert_eq!(account.lines, [i as u64 + 2, (i + accounts) as u64 + 2]);
            assert_eq!(account.arr_cents, Some(i as i128 * 100 + 50));
        }
        let bad_line = accounts + accounts / 2 + 2;
        let bad = text.replacen(
            &format!("\"{}.50\",\"ws-{}-1\"", accounts / 2, accounts / 2),
            "\"12,5.0\",\"ws\"",
            1,
        );
        let err = read_err_with(bad.as_bytes(), &ColumnOverrides::default(), &usd());
        assert!(
            err.starts_with(&format!("arr.csv:{bad_line}: column Annual Recurring Revenue: ")),
            "{err}"
        );
    }

    #[test]
    fn short_footer_with_copyright_symbol_and_totals_row_inside_columns() {
        let content = "\"Account ID\",\"Account Name\",\"ARR\",\"Workspace IDs\"\n\
                       \"0015g00000XyZaB\",\"Acme Corp\",\"$120,000.00\",\"ws_7f3a; ws_9c1d\"\n\
                       \"0015g00000Pq7Rs\",\"Acme Europe GmbH\",\"USD 90,000.00\",\"ws_b21c\"\n\
                       \"\",\"Grand Totals (2 records)\",\"210000.00\",\"\"\n\
                       \"Grand Totals (2 records)\"\n\
                       \n\
                       \"Confidential Information - Do Not Distribute\"\n\
                       \"Copyright © 2000-2025 salesforce.com, inc. All rights reserved.\"\n";
        let export = read(content, &usd());
        assert_eq!(ids(&export), ["0015g00000XyZaBAAV", "0015g00000Pq7RsAAJ"]);
        assert_eq!(export.accounts[0].workspace_ids, ["ws_7f3a", "ws_9c1d"]);
        assert_eq!(export.accounts[0].arr_cents, Some(12_000_000));
        assert_eq!(export.accounts[1].arr_cents, Some(9_000_000));
        assert_eq!(export.accounts[1].currency, "USD");
        assert_eq!(export.totals_rows_skipped, 2);
        assert_eq!(export.footer_lines_skipped, 2);
    }

    #[test]
    fn footer_lines_are_recognised_without_a_blank_line_before_them() {
        let content = "Account ID,Account Name,ARR\n0015g00000XyZaB,Acme,100\n\
                       \"Copyright © 2000-2025 salesforce.com, inc. All rights reserved.\"\n\
                       \"Example SaaS Inc\"\n";
        let export = read(content, &usd());
        assert_eq!(export.accounts.len(), 1);
        assert_eq!(export.footer_lines_skipped, 2);
        let content =
            "Account ID,Account Name,ARR\n0015g00000XyZaB,Acme,100\n\"Generated By:  Jane Doe  9/8/2026 11:22 AM\"\n";
        assert_eq!(read(content, &usd()).footer_lines_skipped, 1);
    }

    #[test]
    fn formatted_total_row_is_not_data() {
        let content = "Account ID,Account Name,ARR\n0015g00000XyZaB,Acme,100\n,Total,100\n";
        let export = read(content, &usd());
        assert_eq!(export.accounts.len(), 1);
        assert_eq!(export.totals_rows_skipped, 1);
    }

    /// reference §1.2, multi-currency Details Only CSV, verbatim. The
    /// `(converted)` columns must not be read: 90000 EUR × 1.08 = 97200 USD,
    /// not the report's 100000.
    const REPORT_MULTI: &str = r#""Account ID","Account Name","Annual Recurring Revenue Currency","Annual Recurring Revenue","Annual Recurring Revenue (converted) Currency","Annual Recurring Revenue (converted)"
"0015g00000XyZaB","Acme Corp","USD","120000.00","USD","120000.00"
"0015g00000Pq7Rs","Acme Europe GmbH","EUR","90000.00","USD","100000.00"
"#;

    #[test]
    fn multi_currency_report_converts_with_config_rate() {
        let export = read(REPORT_MULTI, &usd_with(&[("EUR", "1.08")]));
        let eu = &export.accounts[1];
        assert_eq!(eu.currency, "EUR");
        assert_eq!(eu.original_cents, Some(9_000_000));
        assert_eq!(eu.arr_cents, Some(9_720_000));
        assert_eq!(eu.rate.as_deref(), Some("1.08"));
        let us = &export.accounts[0];
        assert_eq!(
            (us.currency.as_str(), us.arr_cents, us.rate.as_deref()),
            ("USD", Some(12_000_000), None)
        );
        assert!(!export.has_workspace_column);
    }

    #[test]
    fn missing_rates_are_named_together() {
        let content = "Id,ARR__c,CurrencyIsoCode\n\
                       0015g00000XyZaBAAV,100,GBP\n\
                       0015g00000Pq7RsAAJ,200,EUR\n\
                       0015g00000Pq7RSAAZ,300,EUR\n\
                       001D000000IRFmaIAH,,JPY\n\
                       00558000001N0KeAAK,5,CHF\n";
        let err = read_err_with(
            content.as_bytes(),
            &ColumnOverrides::default(),
            &usd_with(&[("CHF", "1.1")]),
        );
        assert_eq!(
            err,
            "arr.csv:2: column CurrencyIsoCode: no exchange rate to USD for EUR (first on line 3), GBP (first on line 2); add it to \
             featurearr.toml as [currency] rates = { CHF = 1.1, EUR = <rate>, GBP = <rate> }, where <rate> is \
             how many USD one unit of that currency is worth"
        );
    }

    #[test]
    fn bad_rate_and_reporting_currency_in_config() {
        let err = read_err_with(
            REPORT_MULTI.as_bytes(),
            &ColumnOverrides::default(),
            &usd_with(&[("EUR", "abc")]),
        );
        assert!(
            err.starts_with("[currency] rates: EUR = `abc` is not a positive decimal number"),
            "{err}"
        );
        let err = read_err_with(
            REPORT_MULTI.as_bytes(),
            &ColumnOverrides::default(),
            &usd_with(&[("EUR", "0")]),
        );
        assert!(err.contains("is not a positive decimal number"), "{err}");
        let rates = CurrencyRates {
            reporting: "dollars".into(),
            rates: BTreeMap::new(),
        };
        let err = read_err_with(REPORT_MULTI.as_bytes(), &ColumnOverrides::default(), &rates);
        assert!(err.starts_with("[currency] reporting = `dollars`"), "{err}");
    }

    #[test]
    fn conversion_rounds_half_even() {
        let rate = |t: &str| parse_rate(t).unwrap();
        assert_eq!(convert_cents(5, rate("1.5")), 8); // 7.5 → 8
        assert_eq!(convert_cents(3, rate("1.5")), 4); // 4.5 → 4
        assert_eq!(convert_cents(7, rate("1.5")), 10); // 10.5 → 10
        assert_eq!(convert_cents(100, rate("1.08")), 108);
        assert_eq!(convert_cents(1, rate("0.333")), 0);
        assert_eq!(convert_cents(2, rate("0.333")), 1); // 0.666 → 1
        assert_eq!(convert_cents(12_345, rate("1.27000")), 15_678); // 156.7815 → 156.78
        assert_eq!(
            convert_cents(999_999_999_999_999_999, rate("1")),
            999_999_999_999_999_999
        );
        assert_eq!(rate("007.50"), Rate { num: 75, den: 10 });
        // A Salesforce ConversionRate divides: 90000.00 EUR at 0.9 EUR per USD is 100000.00 USD.
        assert_eq!(convert_cents(9_000_000, rate("0.9").inverse()), 10_000_000);
        assert_eq!(convert_cents(100, rate("0.3").inverse()), 333); // 3.333.. → 3.33
        assert_eq!(convert_cents(200, rate("0.3").inverse()), 667); // 6.666.. → 6.67
        for bad in ["", ".", "-1", "1e3", "0", "0.000", "1.2.3", "x"] {
            assert!(parse_rate(bad).is_none(), "{bad}");
        }
    }

    /// reference §2.1, Data Loader with UPPER-CASE headings, written with CRLF as on Windows.
    #[test]
    fn data_loader_upper_case_with_crlf() {
        let content = "\"ID\",\"NAME\",\"PARENTID\",\"ARR__C\",\"CURRENCYISOCODE\",\"WORKSPACE_ID__C\"\r\n\
                       \"0015g00000XyZaBAAV\",\"Acme Corp\",\"\",\"120000\",\"USD\",\"ws_7f3a\"\r\n\
                       \"0015g00000Pq7RsAAJ\",\"Acme Europe GmbH\",\"0015g00000XyZaBAAV\",\"90000\",\"EUR\",\"ws_b21c\"\r\n";
        let export = read(content, &usd_with(&[("EUR", "1.08")]));
        assert_eq!(export.shape, Shape::ApiNames);
        assert_eq!(ids(&export), ["0015g00000XyZaBAAV", "0015g00000Pq7RsAAJ"]);
        assert_eq!(export.accounts[1].lines, [3]);
        assert_eq!(export.accounts[1].parent_id.as_deref(), Some("0015g00000XyZaBAAV"));
        assert_eq!(export.accounts[1].arr_cents, Some(9_720_000));
        assert_eq!(export.accounts[0].workspace_ids, ["ws_7f3a"]);
    }

    /// reference §2.3, `sf data query --result-format csv` (minimal quoting, dotted `Parent.Name`).
    #[test]
    fn sf_cli_query_output() {
        let content = "Id,Name,ParentId,Parent.Name,ARR__c,CurrencyIsoCode\n\
                       0015g00000XyZaBAAV,Acme Corp,,,120000,USD\n\
                       0015g00000Pq7RsAAJ,\"Acme Europe GmbH, Berlin\",0015g00000XyZaBAAV,Acme Corp,90000,EUR\n";
        let export = read(content, &usd_with(&[("EUR", "1.08")]));
        assert_eq!(
            export.accounts[1].account_name.as_deref(),
            Some("Acme Europe GmbH, Berlin")
        );
        assert_eq!(export.accounts[1].original_cents, Some(9_000_000));
        assert!(!export.has_workspace_column);
    }

    /// reference §2.4, Bulk API 2.0 results, with the NUL bytes it can carry.
    #[test]
    fn bulk_api_with_nul_bytes_and_scientific_notation() {
        let content = b"\"Id\",\"Name\",\"ParentId\",\"ARR__c\",\"CurrencyIsoCode\",\"Workspace_ID__c\"\n\
                        \"0015g00000XyZaBAAV\",\"Acme\0 Corp\",\"\",\"1.2E5\",\"USD\",\"ws_7f3a\"\n\
                        \"0015g00000Pq7RsAAJ\",\"Acme Europe GmbH\",\"0015g00000XyZaBAAV\",\"90000\",\"USD\",\"ws_b21c\0\"\n";
        let f = fixture("bulk.csv", content);
        let export = read_accounts(
            &f.path,
            &ColumnOverrides::default(),
            &ApiFields::default(),
            &usd(),
            None,
        )
        .unwrap();
        assert_eq!(export.accounts[0].account_name.as_deref(), Some("Acme Corp"));
        assert_eq!(export.accounts[0].arr_cents, Some(12_000_000));
        assert_eq!(export.accounts[1].workspace_ids, ["ws_b21c"]);
    }

    #[test]
    fn header_below_title_rows() {
        let content = "\"ARR by Account\"\n\"Filtered By: Type equals Customer\"\n\n\
                       \"Account ID\",\"Account Name\",\"ARR\"\n\
                       \"0015g00000XyZaB\",\"Acme Corp\",\"120000.00\"\n";
        let export = read(content, &usd());
        assert_eq!(export.accounts[0].lines, [5]);
        assert_eq!(export.accounts[0].arr_cents, Some(12_000_000));
        assert_eq!(export.warnings.len(), 2);
        assert!(
            export.warnings[1].contains("no currency column"),
            "{:?}",
            export.warnings
        );
        assert!(
            export.warnings[0].contains("skipped 2 rows above the header on line 4"),
            "{:?}",
            export.warnings
        );
    }

    #[test]
    fn repeated_rows_merge_and_count_arr_once() {
        let content = "Account ID,Account Name,ARR,Workspace ID\n\
                       0015g00000XyZaB,Acme Corp,120000.00,ws_1\n\
                       0015g00000Pq7Rs,Acme Europe,90000,ws_2\n\
                       0015g00000XyZaB,,,ws_3\n\
                       0015g00000XyZaBAAV,Acme Corp,\"120,000\",ws_1;ws_4\n";
        let export = read(content, &usd());
        assert_eq!(export.accounts.len(), 2);
        let acme = &export.accounts[0];
        assert_eq!(acme.arr_cents, Some(12_000_000));
        assert_eq!(acme.workspace_ids, ["ws_1", "ws_3", "ws_4"]);
        assert_eq!(acme.lines, [2, 4, 5]);
        assert_eq!(export.empty_arr, 0);
    }

    #[test]
    fn conflicting_arr_lists_every_line() {
        let content = "Account ID,ARR,Workspace ID\n\
                       0015g00000XyZaB,120000.00,ws_1\n\
                       0015g00000Pq7Rs,1,ws_2\n\
                       0015g00000XyZaB,,ws_3\n\
                       0015g00000XyZaB,120000.00,ws_4\n\
                       0015g00000XyZaB,125000.00,ws_5\n\
                       0015g00000Pq7Rs,2,ws_6\n";
        assert_eq!(
            read_err(content),
            "arr.csv:6: column ARR: account 0015g00000XyZaBAAV has different ARR on lines 2 (120000.00), 5 (120000.00), \
             6 (125000.00); an account's ARR must be the same on every row (1 more account disagrees too)"
        );
        let content = "Id,ARR__c,CurrencyIsoCode\n0015g00000XyZaBAAV,100,USD\n0015g00000XyZaBAAV,100,EUR\n";
        assert_eq!(
            read_err(content),
            "arr.csv:3: column ARR__c: account 0015g00000XyZaBAAV has different ARR on lines 2 (100.00 USD), 3 (100.00 EUR); \
             an account's ARR must be the same on every row"
        );
    }

    #[test]
    fn ids_differing_only_in_case_stay_apart() {
        let content = "Account ID,ARR\n0015g00000Pq7Rs,1\n0015g00000Pq7RS,2\n";
        let export = read(content, &usd());
        assert_eq!(ids(&export), ["0015g00000Pq7RsAAJ", "0015g00000Pq7RSAAZ"]);
    }

    #[test]
    fn missing_arr_column_explains_weekly_export_and_config_key() {
        let content =
            "Id,Name,ParentId,CurrencyIsoCode,Annual Recurring Revenue (converted)\n0015g00000XyZaBAAV,Acme,,USD,1\n";
        let err = read_err(content);
        assert!(err.starts_with("arr.csv:1: no ARR column; the header has `Id`, `Name`, `ParentId`, `CurrencyIsoCode`, `Annual Recurring Revenue (converted)`"), "{err}");
        assert!(
            err.contains("set arr = \"<header>\" under [salesforce.columns] in featurearr.toml"),
            "{err}"
        );
        assert!(
            err.contains("`Annual Recurring Revenue (converted)` is in the exporting user's currency"),
            "{err}"
        );
        assert!(err.contains("left out of Salesforce's weekly Data Export"), "{err}");
    }

    #[test]
    fn missing_account_id_column() {
        let err = read_err("Customer,ARR\nAcme,1\n");
        assert_eq!(
            err,
            "arr.csv:1: no account ID column; the first row has `Customer`, `ARR` (split at `,`, the delimiter detected from the header line; --delimiter sets another); expected `Id` (API names) or \
             `Account ID` (report labels); if the export names it differently, set account_id = \"<header>\" \
             under [salesforce.columns] in featurearr.toml"
        );
        assert_eq!(
            read_err(""),
            "arr.csv is empty; expected a Salesforce export with a header row such as `Id,Name,ARR__c`"
        );
    }

    #[test]
    fn config_overrides_win() {
        let overrides = ColumnOverrides {
            account_id: Some("Customer Id".into()),
            arr: Some("contracted arr".into()),
            workspaces: Some("Product Tenant IDs".into()),
            ..Default::default()
        };
        let content = "Id,Customer Id,ARR__c,Contracted ARR,Product Tenant IDs\nx,0015g00000XyZaB,1,250.5,\"a, b\"\n";
        let f = fixture("arr.csv", content.as_bytes());
        let export = read_accounts(&f.path, &overrides, &ApiFields::default(), &usd(), None).unwrap();
        assert_eq!(ids(&export), ["0015g00000XyZaBAAV"]);
        assert_eq!(export.accounts[0].arr_cents, Some(25_050));
        assert_eq!(export.accounts[0].workspace_ids, ["a", "b"]);

        let overrides = ColumnOverrides {
            parent: Some("Ultimate Parent".into()),
            ..Default::default()
        };
        let err = read_err_with(b"Id,ARR__c\n0015g00000XyZaBAAV,1\n", &overrides, &usd());
        assert_eq!(
            err,
            "arr.csv:1: no column named `Ultimate Parent` (parent under [salesforce.columns] in featurearr.toml); \
             the header has `Id`, `ARR__c` (split at `,`, the delimiter detected from the header line; --delimiter sets another); fix the name in the config"
        );
    }

    #[test]
    fn a_cycle_of_parent_links_fails_naming_the_accounts_and_lines() {
        // 15-character report IDs: the message names their 18-character forms.
        let err = read_err(
            "Account ID,Account Name,Parent Account ID,ARR\n\
             0015g00000AAAAA,Top,,100\n\
             0015g00000BBBBB,Bee,0015g00000CCCCC,200\n\
             0015g00000CCCCC,,0015g00000BBBBB,300\n",
        );
        assert_eq!(
            err,
            "arr.csv: the Parent Account ID links form a cycle: 0015g00000BBBBBAA5 (Bee, line 3) -> \
             0015g00000CCCCCAA5 (line 4) -> 0015g00000BBBBBAA5; an account family needs a top account without a \
             parent, so fix the parent of one of these accounts in Salesforce (or in the file) and load again"
        );
    }

    #[test]
    fn cell_errors_name_file_line_and_column() {
        let content = "\"Account ID\",\"ARR\"\n\"0015g00000XyZaB\",\"1\"\n\"0015g00000Pq7Rs\",\"12abc\"\n";
        assert_eq!(
            read_err(content),
            "arr.csv:3: column ARR: `12abc` is not a money amount (expected forms like 120000.00, $120,000.00 or USD 120,000.00)"
        );
        assert_eq!(
            read_err("Id,ARR__c\n0015g00000XyZaBAAV,(12.50)\n"),
            "arr.csv:2: column ARR__c: `(12.50)` is negative; ARR must be 0 or more; credits and refunds do not belong in ARR"
        );
        assert_eq!(
            read_err("Id,ARR__c\n0015g00000XyZaBAAV,\"1,20,000\"\n"),
            "arr.csv:2: column ARR__c: `1,20,000` has misplaced thousands separators; `,` must separate groups of \
             three digits (like 1,200,000.00) or be left out"
        );
        assert_eq!(
            read_err("Id,ARR__c\n0015g00000XyZaBAAV,1\n,2\n"),
            "arr.csv:3: column Id: the account ID is empty; every data row needs one"
        );
        assert_eq!(
            read_err("Id,ARR__c\nAcme Corp,2\n"),
            "arr.csv:2: column Id: `Acme Corp` is not a Salesforce ID (expected 15 or 18 letters and digits); \
             the column must hold Salesforce record IDs"
        );
        assert_eq!(
            read_err("Id,ARR__c,CurrencyIsoCode\n0015g00000XyZaBAAV,EUR 5,USD\n"),
            "arr.csv:2: column ARR__c: `EUR 5` is in EUR but column CurrencyIsoCode says USD; \
             the amount and its currency column must agree"
        );
        assert_eq!(
            read_err("Id,ARR__c,CurrencyIsoCode\n0015g00000XyZaBAAV,5,Euro\n"),
            "arr.csv:2: column CurrencyIsoCode: `Euro` is not an ISO 4217 currency code; use codes such as USD or EUR"
        );
        assert_eq!(
            read_err("Id,ARR__c\r\n0015g00000XyZaBAAV,1\r\n0015g00000Pq7RsAAJ,1,x\r\n"),
            "arr.csv:3: the row has 3 fields but the header on line 1 has 2; quote values that contain commas"
        );
    }

    #[test]
    fn currency_from_the_amount_text_when_no_column() {
        let content = "Account ID,ARR\n0015g00000XyZaB,EUR 100.00\n0015g00000Pq7Rs,£10\n0015g00000Pq7RS,$5\n";
        let export = read(content, &usd_with(&[("EUR", "1.1"), ("GBP", "1.27")]));
        let got: Vec<(&str, Option<i128>)> = export
            .accounts
            .iter()
            .map(|a| (a.currency.as_str(), a.arr_cents))
            .collect();
        assert_eq!(got, [("EUR", Some(11_000)), ("GBP", Some(1_270)), ("USD", Some(500))]);
    }

    #[test]
    fn data_after_footer_is_an_error() {
        let content = "Account ID,ARR\n0015g00000XyZaB,1\n\n\"Confidential Information - Do Not Distribute\"\n0015g00000Pq7Rs,2\n";
        assert_eq!(
            read_err(content),
            "arr.csv:5: a data row after the report footer that starts on line 4; is there data after the footer? \
             Remove the footer lines or the rows after them"
        );
    }

    #[test]
    fn windows_1252_and_bom_are_decoded() {
        let f = fixture(
            "arr.csv",
            b"\"Account ID\",\"Account Name\",\"ARR\"\n\"0015g00000XyZaB\",\"Soci\xe9t\xe9 G\xe9n\xe9rale\",\"1\"\n",
        );
        let export = read_accounts(
            &f.path,
            &ColumnOverrides::default(),
            &ApiFields::default(),
            &usd(),
            None,
        )
        .unwrap();
        assert_eq!(export.accounts[0].account_name.as_deref(), Some("Société Générale"));
        assert!(
            export.warnings[0].contains("is not UTF-8 (first at line "),
            "{:?}",
            export.warnings
        );

        let export = read(
            "\u{feff}Id,ARR__c,CurrencyIsoCode\r\n0015g00000XyZaBAAV,1,USD\r\n",
            &usd(),
        );
        assert_eq!(export.accounts[0].arr_cents, Some(100));
        assert!(export.warnings.is_empty(), "{:?}", export.warnings);
    }

    #[test]
    fn mismatched_18_char_suffix_is_kept_with_a_warning() {
        let export = read("Id,ARR__c\n0015g00000xyzabAAV,1\n", &usd());
        assert_eq!(ids(&export), ["0015g00000xyzabAAV"]);
        assert!(
            export.warnings[0].contains("case-safe suffix that does not match"),
            "{:?}",
            export.warnings
        );
    }

    /// Found by `scripts/fuzz` (issue 5 item 6): a report that matched no
    /// records failed on its footer (`the row has 1 fields but the header ... has 3`).
    #[test]
    fn report_with_no_records_reads_its_footer_as_footer() {
        let content = "\"Account ID\",\"Account Name\",\"ARR\"\n\n\"ARR by Account\"\n\
                       \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n\
                       \"Confidential Information - Do Not Distribute\"\n\"Example SaaS Inc\"\n";
        let export = read(content, &usd());
        assert!(export.accounts.is_empty());
        assert_eq!(export.footer_lines_skipped, 4);
        assert!(export.warnings[0].contains("no account rows"), "{:?}", export.warnings);
    }

    #[test]
    fn header_only_gives_zero_accounts_with_a_warning() {
        let export = read("Id,ARR__c\n", &usd());
        assert!(export.accounts.is_empty());
        assert!(export.warnings[0].contains("no account rows"));
    }

    #[test]
    fn workspace_id_lists() {
        assert_eq!(split_workspace_ids("ws_1"), ["ws_1"]);
        assert_eq!(
            split_workspace_ids("ws_1;ws_2, ws_3  ws_4\nws_5"),
            ["ws_1", "ws_2", "ws_3", "ws_4", "ws_5"]
        );
        assert_eq!(split_workspace_ids("ws_2; ws_1;ws_2;;"), ["ws_2", "ws_1"]);
        assert!(split_workspace_ids(" ; , ").is_empty());
        assert!(split_workspace_ids("").is_empty());
        // Case matters: workspace IDs are opaque.
        assert_eq!(split_workspace_ids("WS_1 ws_1"), ["WS_1", "ws_1"]);
    }
}
