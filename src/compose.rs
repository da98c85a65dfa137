//! Composing reports: choose the snapshots a report uses, run the query
//! building blocks on them and shape the results into the serializable
//! documents that are printed as JSON or rendered through a template.
//!
//! Reads the store through `queries`; knows nothing about templates or output.

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::cli::FailOn;
use crate::config::Config;
use crate::queries::{self, Band, Side};
use crate::store::{Source, Store, Table};

/// How far a snapshot may be from the date asked for before a blurb warns.
const STALE_DAYS: i64 = 7;
/// Fewer customers than this on either side of a claim makes it anecdotal.
const SMALL_SAMPLE: i64 = 5;
/// A customer base that changed more than this between two dates muddies a trend.
const BASE_CHANGE_LIMIT: f64 = 0.20;

/// The snapshot each source contributes to a side dated `as_of`.
pub(crate) fn select_side(store: &Store, name: &str, as_of: NaiveDate, required: &[Source]) -> Result<Side> {
    let mut snapshots = Vec::new();
    for source in Source::ALL {
        match store.snapshot_on_or_before(source, as_of)? {
            Some(s) => snapshots.push((source, s.snapshot_id, parse_date(&s.as_of)?)),
            None if required.contains(&source) => bail!(
                "no {} snapshot on or before {as_of}; load one with `{}`",
                source.name(),
                source.load_command()
            ),
            None => {}
        }
    }
    Ok(Side {
        name: name.to_string(),
        as_of,
        snapshots,
    })
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| format!("bad date `{text}` in the store"))
}

/// The report date: the one asked for, else the latest flags snapshot.
pub(crate) fn report_date(store: &Store, as_of: Option<NaiveDate>) -> Result<NaiveDate> {
    if let Some(date) = as_of {
        return Ok(date);
    }
    match flags_dates(store)?.last() {
        Some(date) => Ok(*date),
        None => bail!(
            "no flags snapshot in the store yet; load one with `{}`",
            Source::Flags.load_command()
        ),
    }
}

/// Dates of every flags snapshot, oldest first.
fn flags_dates(store: &Store) -> Result<Vec<NaiveDate>> {
    let mut dates: Vec<NaiveDate> = store
        .snapshots()?
        .into_iter()
        .filter(|s| s.source == Source::Flags.name())
        .map(|s| parse_date(&s.as_of))
        .collect::<Result<_>>()?;
    dates.sort();
    Ok(dates)
}

/// The ARR bands of the config, labelled for display.
fn bands(config: &Config) -> Vec<Band> {
    let cents = |f: f64| (f * 100.0).round() as i128;
    let label = |f: f64| crate::report::compact_money(f, &config.currency.reporting);
    let mut out = Vec::new();
    let mut lower = 0.0;
    for (i, &upper) in config.arr_bands.iter().enumerate() {
        let text = if i == 0 {
            format!("under {}", label(upper))
        } else {
            format!("{}-{}", label(lower), label(upper))
        };
        out.push(Band {
            label: text,
            lower_cents: cents(lower),
            upper_cents: Some(cents(upper)),
        });
        lower = upper;
    }
    out.push(Band {
        label: format!("{} and up", label(lower)),
        lower_cents: cents(lower),
        upper_cents: None,
    });
    out
}

/// Registers the selection for `sides` and every query.
fn prepare(store: &Store, config: &Config, sides: &[Side]) -> Result<()> {
    let queries = queries::load_queries(config.queries_dir.as_deref())?;
    queries::prepare(store, &queries, sides, &bands(config))
}

/// The snapshots a side used, for a report's "snapshots used" section.
fn used_snapshots(store: &Store, side: &Side) -> Result<Vec<Value>> {
    let all = store.snapshots()?;
    Ok(side
        .snapshots
        .iter()
        .filter_map(|(_, id, _)| all.iter().find(|s| s.snapshot_id == *id))
        .map(|s| json!({ "source": s.source, "as_of": s.as_of, "origin": s.origin }))
        .collect())
}

fn single(table: Table) -> Result<Map<String, Value>> {
    table
        .records()
        .into_iter()
        .next()
        .context("a one-row query returned no row")
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// A money amount's cents: each JSON number here is the nearest f64 to a 2-decimal
/// DECIMAL, so rounding ×100 recovers the exact cents.
fn cents_of(v: &Value) -> i128 {
    (f64_of(v) * 100.0).round() as i128
}

/// Cents back to the nearest f64, which prints as the exact decimal (a plain f64
/// subtraction prints 120000.1 - 100000.2 as 19999.90000000001).
fn from_cents(cents: i128) -> f64 {
    cents as f64 / 100.0
}

/// `after - before` for two money amounts, exact to the cent.
fn money_change(after: &Value, before: &Value) -> f64 {
    from_cents(cents_of(after) - cents_of(before))
}

fn i64_of(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

// ---------------------------------------------------------------- revenue share

#[derive(Debug, Serialize)]
pub(crate) struct RevenueShare {
    pub as_of: String,
    pub currency: String,
    pub totals: Value,
    pub features: Vec<Map<String, Value>>,
    pub bands: Vec<Value>,
    pub coverage: Value,
    pub snapshots: Vec<Value>,
}

/// Revenue share per feature on `as_of` (SPEC 3): totals, features, bands, coverage.
pub(crate) fn revenue_share(store: &Store, config: &Config, as_of: NaiveDate) -> Result<(RevenueShare, Table)> {
    let side = select_side(store, "cur", as_of, &[Source::Flags, Source::Arr])?;
    prepare(store, config, std::slice::from_ref(&side))?;
    let totals = single(queries::run_query(store, "totals", "cur")?)?;
    let totals = json!({
        "customers": totals["customers"], "arr": totals["arr"],
        "arr_coverage": totals["arr_coverage"], "workspaces": totals["workspaces"],
    });
    let table = queries::run_query(store, "revenue_share", "cur")?;
    let mut bands: Vec<Value> = Vec::new();
    for row in queries::run_query(store, "band_adoption", "cur")?.records() {
        let feature = json!({
            "feature": row["feature"], "label": row["label"],
            "customers": row["customers"], "customer_share": row["customer_share"],
        });
        match bands.last_mut() {
            Some(b) if b["band"] == row["band"] => b["features"].as_array_mut().expect("features array").push(feature),
            _ => bands.push(json!({
                "band": row["band"], "customers": row["band_customers"], "arr": row["band_arr"], "features": [feature],
            })),
        }
    }
    let coverage = Value::Object(single(queries::run_query(store, "coverage", "cur")?)?);
    let report = RevenueShare {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        totals,
        features: table.records(),
        bands,
        coverage,
        snapshots: used_snapshots(store, &side)?,
    };
    Ok((report, table))
}

// ---------------------------------------------------------------- quarters

/// A fiscal quarter, named by the fiscal year it ends in: with a fiscal year
/// starting in February, 2027Q1 runs from 2026-02-01 to 2026-04-30.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub(crate) fn parse(text: &str) -> Result<Quarter> {
        let upper = text.trim().to_ascii_uppercase();
        let parsed = upper
            .split_once('Q')
            .and_then(|(y, q)| Some((y.parse::<i32>().ok()?, q.parse::<u32>().ok()?)));
        match parsed {
            Some((year, q)) if (1..=4).contains(&q) && (1900..=9999).contains(&year) => Ok(Quarter { year, q }),
            _ => bail!("--quarter `{text}` is not a quarter; use YYYYQn, e.g. 2026Q3"),
        }
    }

    /// First and last day of the quarter for a fiscal year starting in `start_month`.
    pub(crate) fn bounds(self, start_month: u32) -> (NaiveDate, NaiveDate) {
        let fy_start_year = if start_month == 1 { self.year } else { self.year - 1 };
        let first = add_months(
            NaiveDate::from_ymd_opt(fy_start_year, start_month, 1).expect("valid month"),
            3 * (self.q - 1),
        );
        let last = add_months(first, 3).pred_opt().expect("date in range");
        (first, last)
    }

    pub(crate) fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// The quarter holding `date`.
    pub(crate) fn containing(date: NaiveDate, start_month: u32) -> Quarter {
        let months_into_fy = (date.month() + 12 - start_month) % 12;
        let fy_start_year = if date.month() >= start_month {
            date.year()
        } else {
            date.year() - 1
        };
        let year = if start_month == 1 {
            fy_start_year
        } else {
            fy_start_year + 1
        };
        Quarter {
            year,
            q: months_into_fy / 3 + 1,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).expect("date in range")
}

/// Picks the dates nearest to `target` among `dates`, for error messages.
fn nearest(dates: &[NaiveDate], target: NaiveDate) -> Vec<String> {
    let mut sorted = dates.to_vec();
    sorted.sort_by_key(|d| ((*d - target).num_days().abs(), *d));
    sorted.iter().take(3).map(NaiveDate::to_string).collect()
}

#[derive(Debug, Serialize)]
pub(crate) struct Quarterly {
    pub quarter: String,
    pub fiscal_year_start_month: u32,
    pub currency: String,
    pub period: Value,
    pub current: Value,
    pub previous: Option<Value>,
    pub features: Vec<Value>,
    pub changes: Vec<Map<String, Value>>,
    pub adoption_over_time: Vec<Value>,
    pub idps: Option<Value>,
    pub data_quality: Value,
}

/// The quarterly report: revenue share at the quarter's end against the
/// previous quarter's end, where each feature's ARR change came from, and
/// adoption over every snapshot.
pub(crate) fn quarterly(store: &Store, config: &Config, quarter: Quarter) -> Result<Quarterly> {
    let (first, last) = quarter.bounds(config.fiscal_year_start_month);
    let (_, prev_last) = quarter.previous().bounds(config.fiscal_year_start_month);
    let dates = flags_dates(store)?;
    if !dates.iter().any(|d| *d <= last) {
        let near = nearest(&dates, last);
        if near.is_empty() {
            bail!(
                "no flags snapshot on or before {last} (end of {quarter}); the store has none; load one with `{}`",
                Source::Flags.load_command()
            );
        }
        bail!(
            "no flags snapshot on or before {last} (end of {quarter}); the nearest are {}; pick a later quarter or load older data",
            near.join(", ")
        );
    }
    let required = [Source::Flags, Source::Arr];
    let cur = select_side(store, "cur", last, &required)?;
    let prev = select_side(store, "prev", prev_last, &required).ok();
    let mut sides = vec![cur.clone()];
    sides.extend(prev.clone());
    // Adoption over time: one side per flags snapshot up to the quarter's end that has ARR too.
    let mut series = Vec::new();
    for (i, date) in dates.iter().filter(|d| **d <= last).enumerate() {
        if let Ok(side) = select_side(store, &format!("t{i}"), *date, &required) {
            series.push(side);
        }
    }
    sides.extend(series.iter().cloned());
    prepare(store, config, &sides)?;

    let cur_rows = queries::run_query(store, "revenue_share", "cur")?.records();
    let prev_rows = match &prev {
        Some(_) => queries::run_query(store, "revenue_share", "prev")?.records(),
        None => Vec::new(),
    };
    let features = cur_rows
        .iter()
        .map(|c| {
            let p = prev_rows.iter().find(|p| p["feature"] == c["feature"]);
            let delta = |key: &str| p.map(|p| json!(f64_of(&c[key]) - f64_of(&p[key])));
            let ws_change_pct = p.and_then(|p| {
                let before = f64_of(&p["workspaces"]);
                (before > 0.0).then(|| json!((f64_of(&c["workspaces"]) - before) / before))
            });
            json!({
                "feature": c["feature"], "label": c["label"],
                "current": c, "previous": p,
                "customers_change": delta("customers"),
                "customer_share_change": delta("customer_share"),
                "arr_change": p.map(|p| money_change(&c["arr"], &p["arr"])),
                "arr_share_change": delta("arr_share"),
                "workspaces_change": delta("workspaces"),
                "workspaces_change_pct": ws_change_pct,
                "users_change": delta("users"),
            })
        })
        .collect();
    let changes = match &prev {
        Some(_) => queries::run_comparison(store, "feature_changes", "cur", "prev")?.records(),
        None => Vec::new(),
    };
    let mut adoption_over_time = Vec::new();
    for side in &series {
        let rows = queries::run_query(store, "revenue_share", &side.name)?.records();
        adoption_over_time.push(json!({
            "as_of": side.as_of.to_string(),
            "features": rows.iter().map(|r| json!({
                "feature": r["feature"], "label": r["label"], "customer_share": r["customer_share"],
                "arr_share": r["arr_share"], "workspaces": r["workspaces"],
            })).collect::<Vec<_>>(),
        }));
    }
    // The README documents these five; the totals block has more columns (doctor's).
    let totals = |side: &str| -> Result<Value> {
        let t = single(queries::run_query(store, "totals", side)?)?;
        Ok(json!({
            "customers": t["customers"], "arr": t["arr"], "all_arr": t["all_arr"],
            "arr_coverage": t["arr_coverage"], "workspaces": t["workspaces"],
        }))
    };
    let coverage = single(queries::run_query(store, "coverage", "cur")?)?;
    let side_doc = |side: &Side, requested: NaiveDate| -> Result<Value> {
        Ok(
            json!({ "requested": requested.to_string(), "totals": totals(&side.name)?, "snapshots": used_snapshots(store, side)? }),
        )
    };
    let gaps = snapshot_gaps(&cur);
    let idps = quarterly_idps(store, prev.is_some())?;
    Ok(Quarterly {
        quarter: quarter.to_string(),
        fiscal_year_start_month: config.fiscal_year_start_month,
        currency: config.currency.reporting.clone(),
        period: json!({ "start": first.to_string(), "end": last.to_string(), "previous_end": prev_last.to_string() }),
        current: side_doc(&cur, last)?,
        previous: prev.as_ref().map(|p| side_doc(p, prev_last)).transpose()?,
        features,
        changes,
        adoption_over_time,
        idps,
        data_quality: json!({
            "arr_coverage": totals("cur")?["arr_coverage"],
            "workspaces_without_account": coverage["workspaces_without_account"],
            "accounts_without_workspace": coverage["accounts_without_workspace"],
            "arr_without_workspace": coverage["arr_without_workspace"],
            "accounts_empty_arr": coverage["accounts_empty_arr"],
            "snapshot_gaps": gaps,
        }),
    })
}

/// Sources whose snapshot is more than a week from the flags snapshot it is read with.
fn snapshot_gaps(side: &Side) -> Vec<Value> {
    let Some((_, _, flags)) = side.snapshots.iter().find(|(s, _, _)| *s == Source::Flags) else {
        return Vec::new();
    };
    side.snapshots
        .iter()
        .filter(|(s, _, d)| *s != Source::Flags && (*flags - *d).num_days().abs() > STALE_DAYS)
        .map(|(s, _, d)| json!({ "source": s.name(), "as_of": d.to_string(), "flags_as_of": flags.to_string(), "days": (*flags - *d).num_days() }))
        .collect()
}

// ---------------------------------------------------------------- blurb

#[derive(Debug, Serialize)]
pub(crate) struct Blurb {
    pub feature: String,
    pub label: String,
    pub from: Value,
    pub to: Value,
    pub workspaces_change: i64,
    pub workspaces_change_pct: Option<f64>,
    pub sentences: Vec<String>,
    pub text: String,
    pub footnote: String,
    pub warnings: Vec<String>,
}

/// What the feature means in a sentence about workspaces.
fn workspace_phrase(key: &str, label: &str) -> String {
    match key {
        "sso" => "workspaces with SSO enabled".into(),
        "scim" => "workspaces provisioning users with SCIM".into(),
        "forced_mfa" => "workspaces enforcing MFA".into(),
        _ => format!("workspaces with {label} enabled"),
    }
}

/// A percentage change as people write it: +25%, -3%, +0.4%.
pub(crate) fn rounded_change(fraction: f64) -> String {
    let pct = fraction * 100.0;
    if pct.abs() >= 1.0 || pct == 0.0 {
        format!("{:+.0}%", pct)
    } else {
        format!("{:+.1}%", pct)
    }
}

fn whole_pct(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// Review-ready sentences on one feature between two dates, with the caveats
/// that would make the claim mislead.
pub(crate) fn blurb(store: &Store, config: &Config, key: &str, from: NaiveDate, to: NaiveDate) -> Result<Blurb> {
    let Some(feature) = config.features.iter().find(|f| f.key == key) else {
        let keys: Vec<&str> = config.features.iter().map(|f| f.key.as_str()).collect();
        bail!("--feature `{key}` is not a feature; use one of {}", keys.join(", "));
    };
    if from >= to {
        bail!("--from {from} must be before --to {to}");
    }
    let required = [Source::Flags, Source::Arr];
    let start = select_side(store, "from", from, &required)?;
    let end = select_side(store, "to", to, &required)?;
    prepare(store, config, &[start.clone(), end.clone()])?;
    let row = |side: &str| -> Result<Map<String, Value>> {
        queries::run_query(store, "revenue_share", side)?
            .records()
            .into_iter()
            .find(|r| r["feature"] == key)
            .with_context(|| {
                format!(
                    "the flags snapshot used for `{side}` has no column for feature `{key}`; check the file's header"
                )
            })
    };
    let (a, b) = (row("from")?, row("to")?);
    let (ta, tb) = (
        single(queries::run_query(store, "totals", "from")?)?,
        single(queries::run_query(store, "totals", "to")?)?,
    );
    let changes = single(queries::run_comparison(store, "feature_changes", "to", "from")?.filter_feature(key))?;

    let money = |v: &Value| crate::report::compact_money(f64_of(v), &config.currency.reporting);
    let (wa, wb) = (i64_of(&a["workspaces"]), i64_of(&b["workspaces"]));
    let change = wb - wa;
    let change_pct = (wa > 0).then(|| change as f64 / wa as f64);
    let verb = match change.signum() {
        1 => "rose",
        -1 => "fell",
        _ => "held steady",
    };
    let phrase = workspace_phrase(key, &feature.label);
    let movement = match (change, change_pct) {
        (0, _) => format!("{verb} at {}", crate::report::thousands(wb)),
        (_, Some(pct)) => format!(
            "{verb} from {} to {} ({})",
            crate::report::thousands(wa),
            crate::report::thousands(wb),
            rounded_change(pct)
        ),
        (_, None) => format!("{verb} from 0 to {}", crate::report::thousands(wb)),
    };
    let mut sentences = vec![format!(
        "Between {from} and {to}, {} {movement}, now covering {} users and {} ARR ({} of attributable ARR).",
        phrase,
        crate::report::thousands(i64_of(&b["users"])),
        money(&b["arr"]),
        whole_pct(f64_of(&b["arr_share"])),
    )];
    sentences.push(format!(
        "Customers with {} went from {} to {}, {} of all customers (was {}).",
        feature.label,
        crate::report::thousands(i64_of(&a["customers"])),
        crate::report::thousands(i64_of(&b["customers"])),
        whole_pct(f64_of(&b["customer_share"])),
        whole_pct(f64_of(&a["customer_share"])),
    ));
    let gained = f64_of(&changes["turned_on_arr"]) + f64_of(&changes["new_arr"]);
    let lost = from_cents(cents_of(&changes["turned_off_arr"]) + cents_of(&changes["churned_arr"]));
    if gained > 0.0 || lost > 0.0 {
        sentences.push(format!(
            "Customers who turned it on brought {} ARR and new customers with it {}; {} left with customers who turned it off or churned.",
            money(&changes["turned_on_arr"]),
            money(&changes["new_arr"]),
            crate::report::compact_money(lost, &config.currency.reporting),
        ));
    }

    let mut warnings = Vec::new();
    let (ca, cb) = (i64_of(&a["customers"]), i64_of(&b["customers"]));
    if ca < SMALL_SAMPLE || cb < SMALL_SAMPLE {
        warnings.push(format!(
            "Only {ca} customers had {} on {from} and {cb} on {to}; with fewer than {SMALL_SAMPLE} on a side, a percentage is an anecdote.",
            feature.label
        ));
    }
    let (base_a, base_b) = (i64_of(&ta["customers"]), i64_of(&tb["customers"]));
    if base_a > 0 {
        let base_change = (base_b - base_a) as f64 / base_a as f64;
        if base_change.abs() > BASE_CHANGE_LIMIT {
            warnings.push(format!(
                "The customer base changed by {} ({} to {} customers) between the dates, so part of the change is who the customers are, not adoption.",
                rounded_change(base_change),
                crate::report::thousands(base_a),
                crate::report::thousands(base_b)
            ));
        }
    }
    for (side, requested) in [(&start, from), (&end, to)] {
        for (source, _, date) in &side.snapshots {
            if matches!(source, Source::Flags | Source::Arr) && (requested - *date).num_days() > STALE_DAYS {
                warnings.push(format!(
                    "For {requested} the newest {} snapshot is from {date}, {} days earlier; load one nearer the date or move the date.",
                    source.name(),
                    (requested - *date).num_days()
                ));
            }
        }
    }

    let dates = |side: &Side| {
        side.snapshots
            .iter()
            .map(|(s, _, d)| format!("{} {d}", s.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let footnote = format!(
        "Workspaces and users count every workspace in the flags snapshot with {label} on; ARR is the {currency} ARR of customers (Salesforce accounts with ARR > 0 and a workspace) with {label} on any of their workspaces, each counted once; attributable ARR is the ARR of all customers. Snapshots used: {from} → {}; {to} → {}.",
        dates(&start),
        dates(&end),
        label = feature.label,
        currency = config.currency.reporting,
    );
    let side_doc = |r: &Map<String, Value>, t: &Map<String, Value>, side: &Side, requested: NaiveDate| {
        json!({
            "requested": requested.to_string(),
            "snapshots": side.snapshots.iter().map(|(s, _, d)| json!({ "source": s.name(), "as_of": d.to_string() })).collect::<Vec<_>>(),
            "workspaces": r["workspaces"], "users": r["users"], "customers": r["customers"],
            "customer_share": r["customer_share"], "arr": r["arr"], "arr_share": r["arr_share"],
            "total_customers": t["customers"], "total_arr": t["arr"],
        })
    };
    Ok(Blurb {
        feature: key.to_string(),
        label: feature.label.clone(),
        from: side_doc(&a, &ta, &start, from),
        to: side_doc(&b, &tb, &end, to),
        workspaces_change: change,
        workspaces_change_pct: change_pct,
        text: sentences.join(" "),
        sentences,
        footnote,
        warnings,
    })
}

trait FilterFeature {
    fn filter_feature(self, key: &str) -> Table;
}

impl FilterFeature for Table {
    /// Keeps the rows whose `feature` column equals `key`.
    fn filter_feature(mut self, key: &str) -> Table {
        let Some(i) = self.columns.iter().position(|c| c == "feature") else {
            return self;
        };
        self.rows.retain(|r| r[i] == key);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn money_changes_are_exact_to_the_cent() {
        assert_ne!(120_000.1 - 100_000.2, 19_999.9, "what a plain f64 subtraction gives");
        assert_eq!(money_change(&json!(120_000.1), &json!(100_000.2)), 19_999.9);
        assert_eq!(money_change(&json!(0.1), &json!(0.3)), -0.2);
        assert_eq!(money_change(&json!(13_977_723_460.31), &json!(0)), 13_977_723_460.31);
        assert_eq!(from_cents(cents_of(&json!(0.1)) + cents_of(&json!(0.2))), 0.3);
    }

    #[test]
    fn calendar_quarters() {
        let q = Quarter::parse("2026q3").unwrap();
        assert_eq!(q.bounds(1), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(q.previous().bounds(1), (d("2026-04-01"), d("2026-06-30")));
        assert_eq!(
            Quarter::parse("2026Q1").unwrap().previous().bounds(1).1,
            d("2025-12-31")
        );
        assert_eq!(Quarter::containing(d("2026-11-27"), 1), Quarter { year: 2026, q: 4 });
    }

    #[test]
    fn fiscal_year_named_by_the_year_it_ends_in() {
        // FY2027 starting in February: Q1 = Feb-Apr 2026, Q4 = Nov 2026-Jan 2027.
        assert_eq!(
            Quarter { year: 2027, q: 1 }.bounds(2),
            (d("2026-02-01"), d("2026-04-30"))
        );
        assert_eq!(
            Quarter { year: 2027, q: 4 }.bounds(2),
            (d("2026-11-01"), d("2027-01-31"))
        );
        assert_eq!(Quarter::containing(d("2027-01-15"), 2), Quarter { year: 2027, q: 4 });
        assert_eq!(Quarter::containing(d("2026-02-01"), 2), Quarter { year: 2027, q: 1 });
    }

    #[test]
    fn bad_quarters_are_refused() {
        for bad in ["2026Q5", "2026", "Q3", "26Q0", "2026-Q3x"] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn changes_round_as_people_write_them() {
        assert_eq!(rounded_change(0.25), "+25%");
        assert_eq!(rounded_change(-0.034), "-3%");
        assert_eq!(rounded_change(0.004), "+0.4%");
        assert_eq!(rounded_change(0.0), "+0%");
    }

    #[test]
    fn nearest_dates_come_first() {
        let dates = [d("2026-01-31"), d("2026-06-30"), d("2026-09-30")];
        assert_eq!(
            nearest(&dates, d("2026-05-01")),
            ["2026-06-30", "2026-01-31", "2026-09-30"]
        );
    }
}

// ---------------------------------------------------------------- identity providers

#[derive(Debug, Serialize)]
pub(crate) struct Idps {
    pub as_of: String,
    pub currency: String,
    pub total_arr: Value,
    pub idps: Vec<Map<String, Value>>,
    pub small_sample: Vec<String>,
    pub integration_candidates: Vec<Map<String, Value>>,
    pub change: Option<Value>,
    pub unmapped_connections: Vec<Map<String, Value>>,
    pub connections: Vec<Map<String, Value>>,
    pub log_window: Value,
    pub snapshots: Vec<Value>,
}

/// Top identity providers on `as_of` (SPEC 3-4), integration candidates, the
/// change against the previous Auth0 snapshot, and what could not be mapped.
pub(crate) fn idps(store: &Store, config: &Config, as_of: NaiveDate) -> Result<(Idps, Table)> {
    let required = [Source::Flags, Source::Arr, Source::Auth0];
    let cur = select_side(store, "cur", as_of, &required)?;
    let auth0_date = cur
        .snapshots
        .iter()
        .find(|(s, _, _)| *s == Source::Auth0)
        .map(|(_, _, d)| *d)
        .expect("required");
    let previous_auth0 = store
        .snapshots()?
        .into_iter()
        .filter(|s| s.source == Source::Auth0.name())
        .filter_map(|s| parse_date(&s.as_of).ok())
        .filter(|d| *d < auth0_date)
        .max();
    let prev = previous_auth0.and_then(|d| select_side(store, "prev", d, &required).ok());
    let mut sides = vec![cur.clone()];
    sides.extend(prev.clone());
    prepare(store, config, &sides)?;

    let table = queries::run_query(store, "idps", "cur")?;
    let rows = table.records();
    let small_sample = rows
        .iter()
        .filter(|r| i64_of(&r["customers"]) < SMALL_SAMPLE)
        .filter_map(|r| r["idp"].as_str().map(str::to_string))
        .collect();
    let change = match &prev {
        None => None,
        Some(p) => {
            let before = queries::run_query(store, "idps", "prev")?.records();
            let mut changes: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let b = before.iter().find(|b| b["idp"] == r["idp"]);
                    json!({
                        "idp": r["idp"],
                        "customers": r["customers"], "arr": r["arr"],
                        "customers_change": b.map(|b| i64_of(&r["customers"]) - i64_of(&b["customers"])),
                        "arr_change": b.map(|b| money_change(&r["arr"], &b["arr"])),
                        "connections_change": b.map(|b| i64_of(&r["connections"]) - i64_of(&b["connections"])),
                        "new": b.is_none(),
                    })
                })
                .collect();
            for b in before.iter().filter(|b| !rows.iter().any(|r| r["idp"] == b["idp"])) {
                changes.push(json!({
                    "idp": b["idp"], "customers": 0, "arr": 0.0,
                    "customers_change": -i64_of(&b["customers"]), "arr_change": -f64_of(&b["arr"]),
                    "connections_change": -i64_of(&b["connections"]), "new": false,
                }));
            }
            let previous_as_of = p
                .snapshots
                .iter()
                .find(|(s, _, _)| *s == Source::Auth0)
                .map(|(_, _, d)| d.to_string());
            Some(json!({ "previous_auth0_as_of": previous_as_of, "rows": changes }))
        }
    };
    let log_window = store
        .snapshots()?
        .into_iter()
        .find(|s| {
            Some(s.snapshot_id)
                == cur
                    .snapshots
                    .iter()
                    .find(|(s, _, _)| *s == Source::Auth0)
                    .map(|(_, id, _)| *id)
        })
        .map_or(Value::Null, |s| s.details["log_window"].clone());
    let report = Idps {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        total_arr: single(queries::run_query(store, "totals", "cur")?)?["arr"].clone(),
        idps: rows,
        small_sample,
        integration_candidates: queries::run_query(store, "integration_candidates", "cur")?.records(),
        change,
        unmapped_connections: queries::run_query(store, "unmapped_connections", "cur")?.records(),
        connections: queries::run_query(store, "idp_connections", "cur")?
            .into_records()
            .into_iter()
            .map(|mut connection| {
                // The store's join key, not a fact about the connection.
                connection.remove("workspace_key");
                connection
            })
            .collect(),
        log_window,
        snapshots: used_snapshots(store, &cur)?,
    };
    Ok((report, table))
}

/// The IdP section of the quarterly report: vendors at the quarter's end with
/// their change since the previous quarter's end. Needs both sides prepared.
fn quarterly_idps(store: &Store, has_prev: bool) -> Result<Option<Value>> {
    let cur = match queries::run_query(store, "idps", "cur") {
        Ok(t) => t.records(),
        Err(_) => return Ok(None),
    };
    if cur.is_empty() {
        return Ok(None);
    }
    let before = if has_prev {
        queries::run_query(store, "idps", "prev")?.records()
    } else {
        Vec::new()
    };
    let rows: Vec<Value> = cur
        .iter()
        .map(|r| {
            let b = before.iter().find(|b| b["idp"] == r["idp"]);
            json!({
                "idp": r["idp"], "customers": r["customers"], "arr": r["arr"], "arr_share": r["arr_share"],
                "customers_change": b.map(|b| i64_of(&r["customers"]) - i64_of(&b["customers"])),
                "arr_change": b.map(|b| money_change(&r["arr"], &b["arr"])),
            })
        })
        .collect();
    let new_vendors: Vec<Value> = if has_prev && !before.is_empty() {
        rows.iter()
            .filter(|r| r["customers_change"].is_null())
            .map(|r| r["idp"].clone())
            .collect()
    } else {
        Vec::new()
    };
    let biggest_mover = rows
        .iter()
        .filter(|r| !r["arr_change"].is_null())
        .max_by(|a, b| {
            f64_of(&a["arr_change"])
                .abs()
                .total_cmp(&f64_of(&b["arr_change"]).abs())
        })
        .cloned();
    Ok(Some(
        json!({ "rows": rows, "new_vendors": new_vendors, "biggest_mover": biggest_mover }),
    ))
}

// ---------------------------------------------------------------- doctor

#[derive(Debug, Serialize)]
pub(crate) struct Doctor {
    pub as_of: String,
    pub currency: String,
    pub all_arr: Value,
    pub attributable_arr: Value,
    pub unattributed_arr: Value,
    pub unattributed_arr_share: Option<f64>,
    pub findings: Vec<Finding>,
    pub snapshots: Vec<Value>,
}

/// One data-quality finding: how many things, how much ARR they carry, and examples.
#[derive(Debug, Serialize)]
pub(crate) struct Finding {
    pub key: &'static str,
    pub title: &'static str,
    pub count: i64,
    /// Exact sum of the ARR the finding's rows carry; None where ARR does not apply.
    pub arr: Option<Value>,
    pub hint: &'static str,
    pub items: Vec<Map<String, Value>>,
}

/// How many examples a finding lists.
const FINDING_ITEMS: usize = 25;

/// Data-quality findings on `as_of`, weighted in ARR where ARR applies.
pub(crate) fn doctor(store: &Store, config: &Config, as_of: NaiveDate) -> Result<Doctor> {
    let cur = select_side(store, "cur", as_of, &[Source::Flags, Source::Arr])?;
    prepare(store, config, std::slice::from_ref(&cur))?;
    let has_auth0 = cur.snapshots.iter().any(|(s, _, _)| *s == Source::Auth0);
    // One finding per query: its rows counted, and their ARR summed, in SQL.
    let finding = |key, title, hint, query: &str, arr_column: Option<&str>| -> Result<Finding> {
        let summary = queries::run_summary(store, query, "cur", arr_column, FINDING_ITEMS)?;
        Ok(Finding {
            key,
            title,
            count: summary.count,
            arr: summary.sum,
            hint,
            items: summary.first.records(),
        })
    };
    let mut findings = vec![
        finding(
            "accounts-without-workspace",
            "Accounts with ARR but no workspace",
            "their ARR is not attributable; add the workspace IDs to the export's workspace column or to the workspace-accounts file",
            "doctor_accounts_without_workspace",
            Some("arr"),
        )?,
        finding(
            "workspaces-without-account",
            "Workspaces without an account",
            "free workspaces are expected here; paid ones need a link in the export or the workspace-accounts file",
            "doctor_unlinked_workspaces",
            None,
        )?,
    ];
    let unmapped = "Enterprise connections mapped to no workspace";
    let unmapped_hint = "set metadata.workspace_id on the connection or its organization, or [auth0] connection_name_pattern in the config";
    findings.push(if has_auth0 {
        finding(
            "unmapped-connections",
            unmapped,
            unmapped_hint,
            "unmapped_connections",
            None,
        )?
    } else {
        Finding {
            key: "unmapped-connections",
            title: unmapped,
            count: 0,
            arr: None,
            hint: unmapped_hint,
            items: Vec::new(),
        }
    });
    findings.push(finding(
        "missing-accounts",
        "Workspace links to accounts missing from the export",
        "a stale mapping, or an account merged or deleted in Salesforce; fix the workspace-accounts file",
        "doctor_missing_accounts",
        None,
    )?);
    findings.push(finding(
        "prerequisite-breaks",
        "Features on without their prerequisite",
        "e.g. SCIM without SSO; check the flags export or the feature's `requires` in the config",
        "doctor_prerequisite_breaks",
        Some("arr"),
    )?);
    // Counted in cells: the query has a row per feature with its number of empty cells.
    let mut empty = finding(
        "empty-booleans",
        "Empty boolean cells (counted as false)",
        "fill them in the flags export so that off and unknown are not confused",
        "doctor_empty_flags",
        Some("workspaces"),
    )?;
    empty.count = empty.arr.take().and_then(|cells| cells.as_f64()).unwrap_or(0.0) as i64;
    findings.push(empty);
    findings.push(finding(
        "conflicting-links",
        "Workspaces linked to more than one account",
        "the same workspace ID is claimed by several accounts across the export and the workspace-accounts file; each of them counts it",
        "doctor_conflicting_links",
        Some("arr"),
    )?);
    let gaps: Vec<Map<String, Value>> = snapshot_gaps(&cur)
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect();
    findings.push(Finding {
        key: "snapshot-gaps",
        title: "Sources whose snapshot is more than 7 days from the flags snapshot",
        count: gaps.len() as i64,
        arr: None,
        hint: "load the sources for the same date, or pass --as-of to pick an older report date",
        items: gaps.into_iter().take(FINDING_ITEMS).collect(),
    });

    let totals = single(queries::run_query(store, "totals", "cur")?)?;
    Ok(Doctor {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        all_arr: totals["all_arr"].clone(),
        attributable_arr: totals["arr"].clone(),
        unattributed_arr: totals["unattributed_arr"].clone(),
        unattributed_arr_share: totals["unattributed_arr_share"].as_f64(),
        findings,
        snapshots: used_snapshots(store, &cur)?,
    })
}

/// Checks `--fail-on` thresholds; returns the ones exceeded, as sentences.
pub(crate) fn exceeded_thresholds(doctor: &Doctor, fail_on: &[FailOn]) -> Result<Vec<String>> {
    let mut exceeded = Vec::new();
    for threshold in fail_on {
        match threshold {
            FailOn::UnattributedArr(limit) => {
                let share = doctor.unattributed_arr_share.unwrap_or(0.0);
                if share > *limit {
                    exceeded.push(format!(
                        "unattributed ARR is {:.1}%, above the --fail-on limit of {:.1}%",
                        share * 100.0,
                        limit * 100.0
                    ));
                }
            }
            FailOn::Count { key, limit } => {
                let finding = doctor.findings.iter().find(|f| f.key == key).with_context(|| {
                    format!(
                        "doctor has no finding `{key}` although --fail-on accepts it; this is a bug, please report it"
                    )
                })?;
                if u64::try_from(finding.count).is_ok_and(|count| count > *limit) {
                    exceeded.push(format!(
                        "{} {}: {}, above the --fail-on limit of {limit}",
                        finding.count,
                        finding.title.to_lowercase(),
                        finding.key
                    ));
                }
            }
        }
    }
    Ok(exceeded)
}
