//! `pull salesforce`: the org's currencies (`CurrencyType`, in a multi-currency org),
//! `SELECT COUNT()`, then the records over REST (below `bulk_threshold`) or a Bulk
//! API 2.0 job, written as an API-name CSV: the export `load arr` reads, and what
//! `--save-dump` saves. The caller reads it with the ARR reader, so that a pull and
//! `load arr` of its dump give the same snapshot.
//!
//! Nothing here touches the store: a pull that fails returns an error and nothing else.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::ProgressBar;
use serde::Serialize;

use super::bulk;
use super::fields::{ApiFields, QuerySettings, CURRENCY_SOQL};
use super::reader::CONVERSION_RATE_COLUMN;
use super::rest;
use super::session::{ApiUsage, Credentials, Session, SALESFORCE};
use crate::sources::http::{ApiError, HttpClient, HttpSettings};

/// REST or Bulk API 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// REST below `bulk_threshold` records, else Bulk.
    Auto,
    Rest,
    Bulk,
}

/// Everything a pull needs. Debug shows no secret (see [`Credentials`]).
#[derive(Debug, Clone)]
pub(crate) struct PullOptions {
    /// `https://acme.my.salesforce.com` or `http://127.0.0.1:PORT`.
    pub instance_url: String,
    pub credentials: Credentials,
    pub query: QuerySettings,
    pub api: Api,
    /// `[currency] reporting`: Salesforce's rates are turned into rates against it.
    pub reporting: String,
    pub http: HttpSettings,
    /// Draw a progress spinner on stderr (the caller checks it is a terminal).
    pub progress: bool,
}

/// What a pull read and cost: printed at its end and stored in the snapshot's details.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PullSummary {
    pub instance_url: String,
    /// `rest` or `bulk`.
    pub api: &'static str,
    pub records: u64,
    /// What `SELECT COUNT()` said before the records were read.
    pub counted: u64,
    /// Requests to the org's APIs (retries included): what counts against its daily limit.
    pub api_requests: u64,
    pub token_requests: u64,
    pub retries: u64,
    /// The org's daily API requests after the pull, from `Sforce-Limit-Info`.
    pub api_usage: Option<ApiUsage>,
    /// The org's active currencies and their `ConversionRate`s; None in a single-currency org.
    pub currency_types: Option<BTreeMap<String, String>>,
    pub corporate_currency: Option<String>,
    #[serde(skip)]
    pub elapsed: Duration,
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// A pull's result: the API-name CSV of the records, and the summary.
#[derive(Debug)]
pub(crate) struct Pulled {
    pub csv: Vec<u8>,
    /// The field names read, as the CSV's header has them (for reading it back).
    pub fields: ApiFields,
    pub summary: PullSummary,
}

/// Pulls the accounts of `opts.query` from the org.
///
/// # Errors
/// On any failed request (after the retry policy), a refused token, a failed Bulk job,
/// a Salesforce error (with the config key to fix), or records that do not add up.
pub(crate) fn fetch_accounts(opts: &PullOptions) -> Result<Pulled> {
    let started = Instant::now();
    let http = HttpClient::new(&opts.http, SALESFORCE)?;
    let session = Session::new(&http, &opts.instance_url, opts.credentials.clone());
    let progress = crate::progress::pull_spinner(opts.progress);
    let result = pull(&session, opts, &progress);
    progress.finish_and_clear();
    let (csv, fields, mut summary) =
        result.with_context(|| format!("cannot pull accounts from Salesforce at {}", opts.instance_url))?;
    summary.token_requests = session.token_requests();
    summary.api_requests = http.requests().saturating_sub(summary.token_requests);
    summary.retries = http.retries();
    summary.api_usage = session.usage();
    summary.elapsed = started.elapsed();
    Ok(Pulled { csv, fields, summary })
}

/// What `refresh --dry-run` checks before a run would pull, reading no record: with
/// a Connected App, that the token endpoint gives a token (no API request is
/// counted); with `SALESFORCE_ACCESS_TOKEN` alone, that the org accepts it, by the
/// pull's own `SELECT COUNT()`. Returns the requests made.
///
/// # Errors
/// When the org cannot be reached or refuses the credentials (or the query); never
/// with a secret or a token in the message.
pub(crate) fn check_access(opts: &PullOptions) -> Result<u64> {
    let http = HttpClient::new(&opts.http, SALESFORCE)?;
    let session = Session::new(&http, &opts.instance_url, opts.credentials.clone());
    let checked = if session.has_client_credentials() {
        session.token().map(drop)
    } else {
        rest::count(&session, &opts.query.data_path(), &opts.query.count_soql())
            .map(drop)
            .map_err(|err| explain_query_error(err, &opts.query))
    };
    checked.with_context(|| format!("cannot reach Salesforce at {} with the credentials", opts.instance_url))?;
    Ok(http.requests())
}

fn pull(
    session: &Session<'_>,
    opts: &PullOptions,
    progress: &ProgressBar,
) -> Result<(Vec<u8>, ApiFields, PullSummary)> {
    let query = &opts.query;
    let data_path = query.data_path();
    let mut warnings = Vec::new();
    let mut fields = query.fields.clone();

    progress.set_message("Salesforce: currencies");
    let currencies = match &fields.currency {
        None => None,
        Some(_) => match currency_types(session, &data_path) {
            Ok(currencies) => Some(currencies),
            // CurrencyType exists only in multi-currency orgs.
            Err(err) if ApiError::find(&err).is_some_and(|e| e.code.as_deref() == Some("INVALID_TYPE")) => {
                if fields.currency_is_default {
                    fields.currency = None;
                }
                None
            }
            Err(err) => return Err(err.context("cannot read the org's currencies (CurrencyType)")),
        },
    };
    let divisors = match &currencies {
        Some(c) => conversion_divisors(c, &opts.reporting, &mut warnings),
        None => HashMap::new(),
    };

    progress.set_message("Salesforce: counting records");
    let counted = rest::count(session, &data_path, &query.count_soql())
        .map_err(|err| explain_query_error(err, query))
        .context("cannot count the records (SELECT COUNT())")?;
    let use_bulk = match opts.api {
        Api::Rest => false,
        Api::Bulk => true,
        Api::Auto => counted >= query.bulk_threshold,
    };
    let soql = query.records_soql(&fields);
    let names: Vec<&str> = fields.selected().into_iter().map(|(_, name)| name).collect();
    let rows = if use_bulk {
        let job = bulk::query(session, &data_path, &soql, &names, |p| match p {
            bulk::Progress::Waiting { state, processed } => progress.set_message(format!(
                "Salesforce: Bulk API job {state}, {processed} of {counted} records"
            )),
            bulk::Progress::Reading { rows } => {
                progress.set_message(format!("Salesforce: read {rows} of {counted} records"))
            }
        })
        .map_err(|err| explain_query_error(err, query))?;
        job.rows
    } else {
        rest::query(session, &data_path, &soql, &names, |rows| {
            progress.set_message(format!("Salesforce: read {rows} of {counted} records"))
        })
        .map_err(|err| explain_query_error(err, query))
        .context("cannot query the records")?
        .rows
    };
    check_each_record_once(&rows)?;
    if rows.len() as u64 != counted {
        warnings.push(format!(
            "SELECT COUNT() said {counted} records and the query read {}; records changed during the pull",
            rows.len()
        ));
    }
    let currency_column = names.iter().position(|n| Some(*n) == fields.currency.as_deref());
    let csv = write_csv(
        &names,
        &rows,
        currency_column,
        currencies.is_some().then_some(&divisors),
    )?;
    let corporate = currencies.as_ref().and_then(|c| c.corporate.clone());
    let summary = PullSummary {
        instance_url: opts.instance_url.clone(),
        api: if use_bulk { "bulk" } else { "rest" },
        records: rows.len() as u64,
        counted,
        api_requests: 0,
        token_requests: 0,
        retries: 0,
        api_usage: None,
        currency_types: currencies.map(|c| c.rates),
        corporate_currency: corporate,
        elapsed: Duration::ZERO,
        warnings,
    };
    Ok((csv, fields, summary))
}

/// The active `CurrencyType` rows: ConversionRate text by ISO code, and the corporate code.
struct CurrencyTypes {
    rates: BTreeMap<String, String>,
    corporate: Option<String>,
}

fn currency_types(session: &Session<'_>, data_path: &str) -> Result<CurrencyTypes> {
    let rows = rest::query(
        session,
        data_path,
        CURRENCY_SOQL,
        &["IsoCode", "ConversionRate", "IsCorporate"],
        |_| {},
    )?;
    let mut rates = BTreeMap::new();
    let mut corporate = None;
    for row in rows.rows {
        let code = row[0].trim().to_ascii_uppercase();
        if row[2] == "true" {
            corporate = Some(code.clone());
        }
        rates.insert(code, row[1].trim().to_string());
    }
    Ok(CurrencyTypes { rates, corporate })
}

/// Per currency, the divisor that turns an amount into the reporting currency:
/// `ConversionRate` of the currency over that of the reporting currency (the plain
/// `ConversionRate` when the reporting currency is the corporate one, whose rate is 1).
/// A currency whose divisor is not an exact decimal is left to `[currency] rates`.
fn conversion_divisors(
    currencies: &CurrencyTypes,
    reporting: &str,
    warnings: &mut Vec<String>,
) -> HashMap<String, String> {
    let Some(reporting_rate) = currencies.rates.get(reporting) else {
        warnings.push(format!(
            "the org's active currencies ({}) do not include the reporting currency {reporting}; only [currency] \
             rates can convert its amounts",
            currencies.rates.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for (code, rate) in &currencies.rates {
        if code == reporting {
            continue;
        }
        match divide_decimals(rate, reporting_rate) {
            Some(divisor) => {
                out.insert(code.clone(), divisor);
            }
            None => warnings.push(format!(
                "{code}'s rate against {reporting} ({rate} / {reporting_rate}) is not an exact decimal; give it in \
                 [currency] rates, or report in the corporate currency"
            )),
        }
    }
    out
}

/// `a / b` for positive decimal texts, as exact decimal text, if it has at most 18
/// decimals.
fn divide_decimals(a: &str, b: &str) -> Option<String> {
    let parse = |t: &str| -> Option<(u128, u32)> {
        let t = t.trim();
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let frac = frac.trim_end_matches('0');
        if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits: u128 = format!("{int}{frac}").parse().ok()?;
        (digits > 0 && frac.len() <= 18).then_some((digits, frac.len() as u32))
    };
    let ((a_digits, a_scale), (b_digits, b_scale)) = (parse(a)?, parse(b)?);
    // a / b = (a_digits * 10^b_scale) / (b_digits * 10^a_scale)
    let num = a_digits.checked_mul(10u128.checked_pow(b_scale)?)?;
    let den = b_digits.checked_mul(10u128.checked_pow(a_scale)?)?;
    for scale in 0..=18u32 {
        let scaled = num.checked_mul(10u128.pow(scale))?;
        if scaled % den == 0 {
            let digits = (scaled / den).to_string();
            if scale == 0 {
                return Some(digits);
            }
            let padded = format!("{digits:0>width$}", width = scale as usize + 1);
            let (int, frac) = padded.split_at(padded.len() - scale as usize);
            return Some(format!("{int}.{frac}"));
        }
    }
    None
}

/// Salesforce IDs are unique: one seen twice means pages overlapped, and its ARR would
/// be merged as if the rows were one account's workspaces.
fn check_each_record_once(rows: &[Vec<String>]) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if let Some(first) = seen.insert(row[0].as_str(), i) {
            bail!(
                "Salesforce returned record {} twice (records {} and {}); no snapshot was written, try again",
                row[0],
                first + 1,
                i + 1
            );
        }
    }
    Ok(())
}

/// The API-name CSV: the field names as header, then one row per record, with a
/// `ConversionRate` column when the org has several currencies.
fn write_csv(
    names: &[&str],
    rows: &[Vec<String>],
    currency_column: Option<usize>,
    divisors: Option<&HashMap<String, String>>,
) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<&str> = names.to_vec();
    if divisors.is_some() {
        header.push(CONVERSION_RATE_COLUMN);
    }
    writer.write_record(&header)?;
    let mut record: Vec<&str> = Vec::with_capacity(header.len());
    for row in rows {
        record.clear();
        record.extend(row.iter().map(String::as_str));
        if let Some(divisors) = divisors {
            let code = currency_column.map(|c| row[c].trim().to_ascii_uppercase());
            record.push(code.and_then(|c| divisors.get(&c)).map_or("", String::as_str));
        }
        writer.write_record(&record)?;
    }
    writer.into_inner().context("cannot write the pulled records as CSV")
}

/// The config key behind an `INVALID_FIELD` (`No such column 'X' on entity 'Y'`) or
/// `INVALID_TYPE` answer, as context on the error.
fn explain_query_error(err: anyhow::Error, query: &QuerySettings) -> anyhow::Error {
    let text = format!("{err:#}");
    if let Some(column) = text
        .split_once("No such column '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(column, _)| column.to_string())
    {
        let object = &query.object;
        let next =
            match query.fields.key_of(&column) {
                Some(key) => format!(
                "[salesforce.fields] {key} = \"{column}\" is not a field of {object}; set {key} to the API name of \
                 the field (Setup > Object Manager > {object} > Fields & Relationships){}",
                if key == "currency" { ", or to \"\" in a single-currency org" } else { "" }
            ),
                None => format!("`{column}` in [salesforce] where is not a field of {object}; fix the condition"),
            };
        return err.context(next);
    }
    if ApiError::find(&err).is_some_and(|e| e.code.as_deref() == Some("INVALID_TYPE")) {
        let object = &query.object;
        return err.context(format!(
            "[salesforce] object = \"{object}\" is not an object the run-as user can query"
        ));
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divide_decimals_is_exact_or_nothing() {
        assert_eq!(divide_decimals("0.9", "1").as_deref(), Some("0.9"));
        assert_eq!(divide_decimals("0.9", "1.000000").as_deref(), Some("0.9"));
        assert_eq!(divide_decimals("110.25", "0.5").as_deref(), Some("220.5"));
        assert_eq!(divide_decimals("1", "0.8").as_deref(), Some("1.25"));
        assert_eq!(divide_decimals("1", "0.3"), None);
        assert_eq!(divide_decimals("1", "0"), None);
        assert_eq!(divide_decimals("x", "1"), None);
        assert_eq!(divide_decimals("0.000001", "1").as_deref(), Some("0.000001"));
    }

    #[test]
    fn divisors_are_against_the_reporting_currency() {
        let currencies = CurrencyTypes {
            rates: [("USD", "1"), ("EUR", "0.9"), ("GBP", "0.625"), ("JPY", "0.3")]
                .into_iter()
                .map(|(c, r)| (c.to_string(), r.to_string()))
                .collect(),
            corporate: Some("USD".into()),
        };
        let mut warnings = Vec::new();
        let usd = conversion_divisors(&currencies, "USD", &mut warnings);
        assert_eq!(
            (usd["EUR"].as_str(), usd["GBP"].as_str(), usd.get("USD")),
            ("0.9", "0.625", None)
        );
        assert!(warnings.is_empty());
        // Reporting in GBP: 1 GBP = 1.6 USD, so a USD amount is divided by 1 / 0.625 = 1.6.
        let gbp = conversion_divisors(&currencies, "GBP", &mut warnings);
        assert_eq!(
            (gbp["USD"].as_str(), gbp["EUR"].as_str(), gbp["JPY"].as_str()),
            ("1.6", "1.44", "0.48")
        );
        assert!(warnings.is_empty());
        // Reporting in EUR, a USD amount would be divided by 1 / 0.9 = 1.111...: left to the config.
        let eur = conversion_divisors(&currencies, "EUR", &mut warnings);
        assert!(!eur.contains_key("USD") && !eur.contains_key("GBP"));
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("USD's rate against EUR (1 / 0.9) is not an exact decimal")),
            "{warnings:?}"
        );
        let none = conversion_divisors(&currencies, "CHF", &mut warnings);
        assert!(
            none.is_empty()
                && warnings
                    .last()
                    .unwrap()
                    .contains("do not include the reporting currency CHF")
        );
    }

    #[test]
    fn the_csv_has_api_names_and_a_rate_per_row() {
        let rows = vec![
            vec![
                "0015g00000XyZaBAAV".to_string(),
                "Acme, \"North\"".into(),
                "120000.0".into(),
                "usd".into(),
            ],
            vec![
                "0015g00000Pq7RsAAJ".to_string(),
                "Beta".into(),
                "9E4".into(),
                "EUR".into(),
            ],
        ];
        let divisors: HashMap<String, String> = [("EUR".to_string(), "0.8".to_string())].into();
        let csv = write_csv(
            &["Id", "Name", "ARR__c", "CurrencyIsoCode"],
            &rows,
            Some(3),
            Some(&divisors),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "Id,Name,ARR__c,CurrencyIsoCode,ConversionRate\n\
             0015g00000XyZaBAAV,\"Acme, \"\"North\"\"\",120000.0,usd,\n\
             0015g00000Pq7RsAAJ,Beta,9E4,EUR,0.8\n"
        );
        let err = check_each_record_once(&[rows[0].clone(), rows[1].clone(), rows[0].clone()]).unwrap_err();
        assert!(err.to_string().contains("records 1 and 3"), "{err}");
    }

    #[test]
    fn invalid_field_names_the_config_key() {
        let query = QuerySettings::default();
        let err = anyhow::anyhow!(
            "GET /q failed with HTTP 400: SELECT Id, ARR__c FROM Account ^ ERROR at Row:1:Column:12 No such column \
             'ARR__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c'"
        );
        let text = format!("{:#}", explain_query_error(err, &query));
        assert!(
            text.starts_with("[salesforce.fields] arr = \"ARR__c\" is not a field of Account"),
            "{text}"
        );
        let err = anyhow::anyhow!("No such column 'Tier__c' on entity 'Account'");
        let text = format!("{:#}", explain_query_error(err, &query));
        assert!(text.starts_with("`Tier__c` in [salesforce] where"), "{text}");
    }
}
