//! Property-based fuzzing of the input parsers (issue 5 item 6): money and
//! boolean cells, Salesforce IDs, byte decoding, CSV rows, the Salesforce
//! export reader (header detection, footers, merging), the flags reader and
//! the Auth0 dump loader. Test-only; never touches the network.
//!
//! Each target asks two things: the parser never panics on hostile input
//! (only `Ok` or `Err`), and on generated valid input it gives back exactly
//! what was generated. `cargo test` runs a few cases per target
//! (`FEATUREARR_FUZZ_CASES`, default 64); `scripts/fuzz` runs each target for
//! a bounded time (`FEATUREARR_FUZZ_SECONDS`) and prints how many cases ran.
//! A failing case's seed is kept in `src/sources/fuzz.regressions` and replayed first
//! by every later run.
//!
//! In CI (`CI` set, as `.ci/run` runs) every run draws the same cases, from the seed
//! `CI_SEED` (or `PROPTEST_RNG_SEED`, which `scripts/test` sets for the other proptest
//! suites too), so that a red build is the code's doing and can be replayed; locally
//! each run draws new cases, and what one finds is kept as a regression.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseResult, TestError, TestRunner};
use serde_json::{json, Map, Value};

use super::auth0::{classify, compile_rules, read_dump, to_rows, Auth0Dump, VendorRule};
use super::flags::{parse_flags_json_page, read_flags_file, FeatureColumn, FlagsSnapshot};
use super::salesforce::{read_accounts, ApiFields, ColumnOverrides, CurrencyRates};
use super::text::boolean::parse_bool;
use super::text::csv_reader::{concat, csv_rows, CsvText, Delimiter};
use super::text::decode::decode_text;
use super::text::money::parse_money;
use super::text::salesforce_id::{id_18_checksum_ok, salesforce_id_18};

/// The seed of every CI run (see the module comment).
const CI_SEED: u64 = 18;

/// True in CI: `CI` set to anything but empty, `0` or `false` (CI services set `true`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// The seed of a run: `PROPTEST_RNG_SEED` when set, else `CI_SEED` in CI, else random.
fn rng_seed() -> RngSeed {
    match Config::default().rng_seed {
        RngSeed::Random if in_ci() => RngSeed::Fixed(CI_SEED),
        seed => seed,
    }
}

/// Runs `test` on values of `strategy`: `FEATUREARR_FUZZ_CASES` cases (64 by
/// default), repeated in fresh batches until `FEATUREARR_FUZZ_SECONDS` have
/// passed when that is set. Panics with the shrunk failing input.
fn fuzz<S>(target: &str, strategy: S, test: impl Fn(S::Value) -> TestCaseResult)
where
    S: Strategy,
    S::Value: Debug,
{
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<f64>().ok());
    let cases = env("FEATUREARR_FUZZ_CASES").map_or(64, |n| n.max(1.0) as u32);
    let budget = env("FEATUREARR_FUZZ_SECONDS").map(Duration::from_secs_f64);
    let executed = Cell::new(0u64);
    let start = Instant::now();
    loop {
        let mut config = Config::with_cases(cases);
        config.rng_seed = rng_seed();
        config.source_file = Some(file!());
        config.failure_persistence = Some(Box::new(FileFailurePersistence::WithSource("regressions")));
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy, |value| {
            executed.set(executed.get() + 1);
            test(value)
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, value)) => panic!(
                "fuzz {target}: FAILED after {} executions in {:.1} s (seed: {})\nminimal failing input: {value:#?}\n{reason}",
                executed.get(),
                start.elapsed().as_secs_f64(),
                rng_seed()
            ),
            Err(TestError::Abort(reason)) => panic!("fuzz {target}: aborted: {reason}"),
        }
        if budget.is_none_or(|b| start.elapsed() >= b) {
            break;
        }
    }
    // Parsed by scripts/fuzz; executions include shrinking steps (none on success).
    eprintln!(
        "fuzz-result target={target} seconds={:.1} executions={} failures=0",
        start.elapsed().as_secs_f64(),
        executed.get()
    );
}

/// A scratch file rewritten for every case; the directory lives as long as the target.
struct Scratch {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn scratch(name: &str) -> Scratch {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    Scratch { _dir: dir, path }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

// ---------------------------------------------------------------- money ---

/// Strings made of the characters money cells are made of, so that the
/// parser's deeper branches are reached far more often than by any string.
fn moneyish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9,.eE+()$€£ USDEURGBPusd-]{0,24}",
        "[ (-]{0,2}[$€£]?[0-9]{0,22}([.][0-9]{0,6})?([eE][+-]?[0-9]{0,25})?[)]?( [A-Za-z]{3})?",
    ]
}

/// `1234567` as `1,234,567`.
fn grouped(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One way to write a non-negative amount of `cents` (no sign, no currency).
fn number_text(cents: i128, form: u8, zeros: usize) -> String {
    let (units, rest) = (cents / 100, cents % 100);
    let pad = "0".repeat(zeros);
    match form % 6 {
        0 if rest == 0 => format!("{units}"),
        0 | 1 => format!("{units}.{rest:02}{pad}"),
        2 if rest % 10 == 0 => format!("{units}.{}", rest / 10),
        2 => format!("{pad}{units}.{rest:02}"),
        3 => format!("{}.{rest:02}", grouped(&units.to_string())),
        4 if rest == 0 => grouped(&units.to_string()),
        4 if rest % 10 == 0 => format!("{}.{}", grouped(&units.to_string()), rest / 10),
        4 => format!("{}.{rest:02}{pad}", grouped(&units.to_string())),
        _ => {
            // Scientific: all the digits of the cents, point after the first.
            let digits = cents.to_string();
            let exponent = digits.len() as i64 - 3;
            let mantissa = match digits.len() {
                1 => digits.clone(),
                _ => format!("{}.{}{pad}", &digits[..1], &digits[1..]),
            };
            let e = ["E", "e", "E+", "e+"][zeros % 4];
            if exponent < 0 {
                format!("{mantissa}{}{exponent}", &e[..1])
            } else {
                format!("{mantissa}{e}{exponent}")
            }
        }
    }
}

/// Amounts across the whole DECIMAL(18,2) range, small ones more often.
fn cents_value() -> impl Strategy<Value = i128> {
    prop_oneof![0i128..1_000, 0i128..100_000_000, 0i128..1_000_000_000_000_000_000]
}

/// Wrappers the parser documents: (template, negative, currency).
const MONEY_WRAPPERS: &[(&str, bool, Option<&str>)] = &[
    ("{}", false, None),
    ("${}", false, None),
    ("$ {}", false, None),
    ("USD {}", false, Some("USD")),
    ("usd {}", false, Some("USD")),
    ("{} USD", false, Some("USD")),
    ("€{}", false, Some("EUR")),
    ("{} €", false, Some("EUR")),
    ("£{}", false, Some("GBP")),
    ("EUR €{}", false, Some("EUR")),
    ("-{}", true, None),
    ("({})", true, None),
    ("(${})", true, None),
    ("-${}", true, None),
    ("$-{}", true, None),
    ("USD ({})", true, Some("USD")),
    ("USD -{}", true, Some("USD")),
    ("(EUR {})", true, Some("EUR")),
];

#[test]
fn ci_runs_draw_the_same_cases_and_local_runs_new_ones() {
    let explicit = std::env::var("PROPTEST_RNG_SEED").ok();
    match (explicit, in_ci()) {
        (Some(seed), _) => assert_eq!(rng_seed(), RngSeed::Fixed(seed.trim().parse().unwrap())),
        (None, true) => assert_eq!(rng_seed(), RngSeed::Fixed(CI_SEED)),
        (None, false) => assert_eq!(rng_seed(), RngSeed::Random),
    }
    // A fixed seed draws the same values on every run.
    let draw = || {
        let mut config = Config::with_cases(16);
        config.rng_seed = RngSeed::Fixed(CI_SEED);
        config.failure_persistence = None;
        let drawn = std::cell::RefCell::new(Vec::new());
        TestRunner::new(config)
            .run(&any::<u64>(), |x| {
                drawn.borrow_mut().push(x);
                Ok(())
            })
            .unwrap();
        drawn.into_inner()
    };
    let first = draw();
    assert_eq!(first.len(), 16);
    assert_eq!(first, draw());
}

#[test]
fn money_arbitrary_text_never_panics_and_stays_in_range() {
    fuzz("money_arbitrary", moneyish(), |cell| {
        if let Ok(Some(money)) = parse_money(&cell) {
            prop_assert!(money.cents.abs() < 1_000_000_000_000_000_000, "{cell:?} gave {money:?}");
            if let Some(code) = &money.currency {
                prop_assert!(
                    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()),
                    "{code}"
                );
            }
        }
        Ok(())
    });
}

#[test]
fn money_valid_forms_round_trip_to_the_cent() {
    let strategy = (
        cents_value(),
        any::<u8>(),
        0..4usize,
        0..MONEY_WRAPPERS.len(),
        "[ \t]{0,2}",
        "[ \t]{0,2}",
    );
    fuzz(
        "money_valid_forms",
        strategy,
        |(cents, form, zeros, wrapper, lead, trail)| {
            let (template, negative, currency) = MONEY_WRAPPERS[wrapper];
            let cell = format!(
                "{lead}{}{trail}",
                template.replace("{}", &number_text(cents, form, zeros))
            );
            let money = parse_money(&cell).map_err(|e| TestCaseError::fail(format!("{cell:?}: {e}")))?;
            let money = money.ok_or_else(|| TestCaseError::fail(format!("{cell:?} read as empty")))?;
            prop_assert_eq!(money.cents, if negative { -cents } else { cents }, "{:?}", cell);
            prop_assert_eq!(money.currency.as_deref(), currency, "{:?}", cell);
            Ok(())
        },
    );
}

// -------------------------------------------------------------- booleans ---

const TRUE_SPELLINGS: &[&str] = &["true", "t", "yes", "y", "1"];
const FALSE_SPELLINGS: &[&str] = &["false", "f", "no", "n", "0"];

/// The documented rule, written independently of the parser.
fn expected_bool(cell: &str) -> Result<Option<bool>, ()> {
    let value = cell.trim();
    if value.is_empty() {
        Ok(None)
    } else if TRUE_SPELLINGS.iter().any(|s| s.eq_ignore_ascii_case(value)) {
        Ok(Some(true))
    } else if FALSE_SPELLINGS.iter().any(|s| s.eq_ignore_ascii_case(value)) {
        Ok(Some(false))
    } else {
        Err(())
    }
}

#[test]
fn bool_arbitrary_text_follows_the_documented_spellings() {
    let strategy = prop_oneof![
        any::<String>(),
        "[ \t]{0,2}[TtRrUuEeFfAaLlSsYyNnOo01]{0,5}[ \t\u{a0}]{0,2}",
    ];
    fuzz("bool_arbitrary", strategy, |cell| {
        prop_assert_eq!(parse_bool(&cell), expected_bool(&cell), "{:?}", cell);
        Ok(())
    });
}

#[test]
fn bool_documented_spellings_in_any_case_are_accepted() {
    let spelling = (
        0..TRUE_SPELLINGS.len() + FALSE_SPELLINGS.len(),
        any::<u64>(),
        "[ \t\r\n]{0,3}",
        "[ \t\r\n]{0,3}",
    );
    fuzz("bool_spellings", spelling, |(index, case_bits, lead, trail)| {
        let (word, value) = match index.checked_sub(TRUE_SPELLINGS.len()) {
            None => (TRUE_SPELLINGS[index], true),
            Some(i) => (FALSE_SPELLINGS[i], false),
        };
        let cased: String = word
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if case_bits >> i & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        let cell = format!("{lead}{cased}{trail}");
        prop_assert_eq!(parse_bool(&cell), Ok(Some(value)), "{:?}", cell);
        Ok(())
    });
}

// ----------------------------------------------------------- Salesforce ID ---

fn id15() -> impl Strategy<Value = String> {
    "[0-9A-Za-z]{15}"
}

#[test]
fn id_arbitrary_text_never_panics_and_only_gives_18_alphanumerics() {
    let strategy = prop_oneof![
        any::<String>(),
        "[ ]?[0-9A-Za-z]{13,19}[ ]?",
        "[0-9A-Za-z\u{e7}\u{130}-]{15,18}"
    ];
    fuzz("id_arbitrary", strategy, |raw| {
        if let Ok(id) = salesforce_id_18(&raw) {
            prop_assert_eq!(id.len(), 18, "{:?} gave {:?}", raw, id);
            prop_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()), "{raw:?} gave {id:?}");
            prop_assert!(id.starts_with(raw.trim()), "{raw:?} gave {id:?}");
        }
        let _ = id_18_checksum_ok(&raw);
        Ok(())
    });
}

#[test]
fn id_15_to_18_is_idempotent_prefix_preserving_and_case_sensitive() {
    fuzz("id_15_to_18", (id15(), 0..15usize), |(id, flip)| {
        let long = salesforce_id_18(&id).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&long[..15], id.as_str());
        prop_assert!(id_18_checksum_ok(&long), "{long}");
        let again = salesforce_id_18(&long);
        prop_assert_eq!(again.as_deref(), Ok(long.as_str()));
        // Two IDs that differ only in case stay two records, even for tools
        // that compare 18-character IDs case-insensitively (the suffix's job).
        let c = id.as_bytes()[flip] as char;
        if c.is_ascii_alphabetic() {
            let mut other = id.clone();
            let swapped = if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
            other.replace_range(flip..=flip, &swapped.to_string());
            let other_long = salesforce_id_18(&other).map_err(TestCaseError::fail)?;
            prop_assert!(!other_long.eq_ignore_ascii_case(&long), "{long} vs {other_long}");
        }
        Ok(())
    });
}

// ------------------------------------------------------- decoding and CSV ---

fn bytes_with_boms() -> impl Strategy<Value = Vec<u8>> {
    let prefix = prop_oneof![
        Just(Vec::new()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(vec![0xFF, 0xFE]),
        Just(vec![0xFE, 0xFF]),
    ];
    (prefix, proptest::collection::vec(any::<u8>(), 0..200)).prop_map(|(mut p, rest)| {
        p.extend(rest);
        p
    })
}

#[test]
fn decode_arbitrary_bytes_never_panics_and_drops_nul() {
    fuzz("decode_bytes", bytes_with_boms(), |bytes| {
        if let Ok((text, _)) = decode_text(&bytes, "f.csv") {
            prop_assert!(!text.contains('\0'));
        }
        Ok(())
    });
}

#[test]
fn decode_utf8_text_comes_back_unchanged() {
    fuzz("decode_utf8", (any::<String>(), any::<bool>()), |(text, bom)| {
        let mut bytes = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
        bytes.extend(text.as_bytes());
        let (decoded, warning) = decode_text(&bytes, "f.csv").map_err(|e| TestCaseError::fail(e.to_string()))?;
        // A text that itself starts with U+FEFF loses it when no BOM was added: it is one.
        let want = if bom {
            text.as_str()
        } else {
            text.strip_prefix('\u{feff}').unwrap_or(&text)
        };
        prop_assert_eq!(decoded, want.replace('\0', ""));
        prop_assert!(warning.is_none());
        Ok(())
    });
}

#[test]
fn csv_rows_arbitrary_text_never_panics_and_lines_increase() {
    let strategy = prop_oneof![any::<String>(), "[a\",\r\n ]{0,40}"];
    fuzz("csv_rows", strategy, |text| {
        if let Ok(rows) = csv_rows(&text, "f.csv") {
            let line_count = text.replace("\r\n", "\n").matches(['\n', '\r']).count() as u64 + 1;
            let mut previous = 0;
            for row in &rows {
                prop_assert!(
                    row.line > previous && row.line <= line_count,
                    "{text:?}: line {}",
                    row.line
                );
                previous = row.line;
            }
        }
        Ok(())
    });
}

/// Reading a CSV in two parts on two threads gives exactly the rows, or the error, of
/// reading it whole: wherever the middle falls (inside quotes, in a CRLF, on blank lines).
#[test]
fn csv_two_parts_read_as_one() {
    let text = prop_oneof![any::<String>(), "[a\",;|\t\r\n ]{0,60}"];
    let strategy = (text, prop::sample::select(Delimiter::ALL.to_vec()));
    fuzz("csv_two_parts", strategy, |(text, delimiter)| {
        let csv = CsvText::new(&text, "f.csv", Some(delimiter));
        let read = |min_bytes: usize| {
            csv.fold_rows_from(
                None,
                min_bytes,
                |_| Vec::new(),
                |rows, row| {
                    rows.push((row.line, row.blank_before, row.fields.clone()));
                    Ok(())
                },
            )
            .map(concat)
            .map_err(|e| e.to_string())
        };
        prop_assert_eq!(read(0), read(usize::MAX), "{:?}", text);
        Ok(())
    });
}

// --------------------------------------------------- Salesforce exports ---

fn usd_eur() -> CurrencyRates {
    CurrencyRates {
        reporting: "USD".into(),
        rates: BTreeMap::from([("EUR".to_string(), "1.08".to_string())]),
    }
}

fn header_names() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Id", "ID", " id ", "Account ID", "ACCOUNT id", "Name", "Account Name", "ARR__c", "arr__C", "ARR",
            "Annual Recurring Revenue", "Annual Recurring Revenue Currency", "ARR Currency", "CurrencyIsoCode",
            "Account Currency", "ParentId", "Parent Account ID", "Workspace_ID__c", "Workspace ID",
            "Workspace IDs", "Annual Recurring Revenue (converted)", "Grand Totals (2 records)", "Total", "",
        ])
        .prop_map(str::to_string),
        1 => "[A-Za-z _()]{0,12}",
    ]
}

fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        id15(),
        id15().prop_map(|id| salesforce_id_18(&id).unwrap()),
        "[0-9A-Za-z]{14,19}",
        moneyish(),
        prop::sample::select(vec![
            "USD",
            "EUR",
            "eur",
            "Euro",
            "Total",
            "Grand Totals (3 records)",
            "ws_1; ws_2",
            "ARR by Account",
            "Confidential Information - Do Not Distribute",
            "Generated By:  Jane Doe",
            "Copyright (c) 2000-2026 salesforce.com, inc.",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ]
}

fn csv_field(cell: &str, quote_all: bool) -> String {
    if quote_all || cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// CSV-shaped text: a random header from known and unknown names, then rows
/// of plausible and implausible cells, blank lines and short rows.
fn csv_shaped() -> impl Strategy<Value = (String, ColumnOverrides)> {
    let rows = proptest::collection::vec(proptest::collection::vec(cell_text(), 0..6), 0..8);
    let header = proptest::collection::vec(header_names(), 0..7);
    let overrides = (
        proptest::option::weighted(0.15, header_names()),
        proptest::option::weighted(0.15, header_names()),
        proptest::option::weighted(0.1, header_names()),
        proptest::option::weighted(0.1, header_names()),
    )
        .prop_map(|(account_id, arr, currency, workspaces)| ColumnOverrides {
            account_id,
            arr,
            currency,
            workspaces,
            ..Default::default()
        });
    (header, rows, 0..3usize, any::<bool>(), any::<bool>(), overrides).prop_map(
        |(header, rows, title_rows, quote_all, crlf, overrides)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for _ in 0..title_rows {
                text.push_str(&format!("\"ARR by Account\"{eol}"));
            }
            for row in std::iter::once(&header).chain(rows.iter()) {
                let fields: Vec<String> = row.iter().map(|c| csv_field(c, quote_all)).collect();
                text.push_str(&fields.join(","));
                text.push_str(eol);
            }
            (text, overrides)
        },
    )
}

#[test]
fn salesforce_arbitrary_bytes_never_panic() {
    let file = scratch("arr.csv");
    let strategy = prop_oneof![
        bytes_with_boms(),
        "(Id|Account ID)?,[a-zA-Z0-9,\"\r\n ]{0,60}".prop_map(String::into_bytes),
    ];
    fuzz("salesforce_bytes", strategy, |bytes| {
        write(&file.path, &bytes);
        let _ = read_accounts(
            &file.path,
            &ColumnOverrides::default(),
            &ApiFields::default(),
            &usd_eur(),
            Some(Delimiter::Comma),
        );
        Ok(())
    });
}

#[test]
fn salesforce_csv_shaped_text_never_panics() {
    let file = scratch("arr.csv");
    fuzz("salesforce_csv_shaped", csv_shaped(), |(text, overrides)| {
        write(&file.path, text.as_bytes());
        if let Ok(export) = read_accounts(
            &file.path,
            &overrides,
            &ApiFields::default(),
            &usd_eur(),
            Some(Delimiter::Comma),
        ) {
            for account in &export.accounts {
                prop_assert_eq!(account.account_id.len(), 18);
                prop_assert!(!account.lines.is_empty());
            }
        }
        Ok(())
    });
}

/// One account of a generated export.
#[derive(Debug, Clone)]
struct GenAccount {
    id15: String,
    name: String,
    /// Exact amount in the account's currency; None = every ARR cell empty.
    cents: Option<i128>,
    euro: bool,
    /// Per row: write the ID in its 18-char form, name kept, ARR kept, money form, workspaces.
    rows: Vec<(bool, bool, bool, u8, Vec<String>)>,
}

fn gen_account() -> impl Strategy<Value = GenAccount> {
    let row = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
        proptest::collection::vec("ws_[a-z0-9]{1,4}", 0..3),
    );
    (
        id15(),
        "[A-Za-z0-9 ,.'\"&\n-]{0,16}",
        proptest::option::weighted(0.85, 0i128..100_000_000_000_000_000),
        any::<bool>(),
        proptest::collection::vec(row, 1..4),
    )
        .prop_map(|(id15, name, cents, euro, rows)| GenAccount {
            id15,
            name,
            cents,
            euro,
            rows,
        })
}

/// A whole export, as the generator meant it.
#[derive(Debug, Clone)]
struct GenExport {
    accounts: Vec<GenAccount>,
    report_labels: bool,
    currency_column: bool,
    workspace_column: bool,
    /// Column order: a permutation of the used columns plus a decoy.
    column_order: Vec<usize>,
    row_order: Vec<usize>,
    title_rows: bool,
    footer: u8,
    quote_all: bool,
    crlf: bool,
    final_newline: bool,
    bom: bool,
}

fn gen_export() -> impl Strategy<Value = GenExport> {
    let accounts = proptest::collection::vec(gen_account(), 0..6).prop_map(|mut accounts| {
        let mut seen = std::collections::HashSet::new();
        accounts.retain(|a| seen.insert(a.id15.clone()));
        accounts
    });
    let layout = (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
        any::<u64>(),
    );
    let text = (
        any::<bool>(),
        0u8..6,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    (accounts, layout, text).prop_map(
        |(
            accounts,
            (report_labels, currency_column, workspace_column, column_order, shuffle_seed),
            (title_rows, footer, quote_all, crlf, final_newline, bom),
        )| {
            // Rows of all accounts, interleaved by a seeded shuffle.
            let mut row_order: Vec<usize> = Vec::new();
            for (i, a) in accounts.iter().enumerate() {
                row_order.extend(std::iter::repeat_n(i, a.rows.len()));
            }
            let mut state = shuffle_seed | 1;
            for i in (1..row_order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                row_order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            GenExport {
                accounts,
                report_labels,
                currency_column,
                workspace_column,
                column_order,
                row_order,
                title_rows: title_rows && report_labels,
                footer,
                quote_all,
                crlf,
                final_newline,
                bom,
            }
        },
    )
}

/// Round half to even of `cents × 1.08`, written without the reader's helper.
fn eur_to_usd(cents: i128) -> i128 {
    let (q, r) = ((cents * 108) / 100, (cents * 108) % 100);
    if r > 50 || (r == 50 && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

impl GenExport {
    fn text(&self) -> String {
        let labels = if self.report_labels {
            [
                "Account ID",
                "Account Name",
                "Annual Recurring Revenue",
                "Annual Recurring Revenue Currency",
                "Workspace ID",
                "Annual Recurring Revenue (converted)",
            ]
        } else {
            [
                "Id",
                "Name",
                "ARR__c",
                "CurrencyIsoCode",
                "Workspace_ID__c",
                "LastModifiedDate",
            ]
        };
        let used: Vec<usize> = self
            .column_order
            .iter()
            .copied()
            .filter(|&c| (c != 3 || self.currency_column) && (c != 4 || self.workspace_column))
            .collect();
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut lines: Vec<String> = Vec::new();
        let line = |cells: Vec<String>| -> String {
            let fields: Vec<String> = cells.iter().map(|c| csv_field(c, self.quote_all)).collect();
            fields.join(",")
        };
        if self.title_rows {
            lines.push(line(vec!["ARR by Account".into()]));
            lines.push(line(vec!["Filtered By: Type equals Customer".into()]));
            lines.push(String::new());
        }
        lines.push(line(used.iter().map(|&c| labels[c].to_string()).collect()));
        let mut total: i128 = 0;
        let mut seen_rows = vec![0usize; self.accounts.len()];
        for &a in &self.row_order {
            let account = &self.accounts[a];
            let r = seen_rows[a];
            seen_rows[a] += 1;
            let (long_id, keep_name, keep_arr, form, workspaces) = &account.rows[r];
            let id = if *long_id {
                salesforce_id_18(&account.id15).unwrap()
            } else {
                account.id15.clone()
            };
            let name = if r == 0 || *keep_name {
                account.name.clone()
            } else {
                String::new()
            };
            let arr = match account.cents {
                Some(cents) if r == 0 || *keep_arr => {
                    total += cents;
                    self.arr_text(account.euro, cents, *form)
                }
                _ => String::new(),
            };
            let currency = if account.euro { "EUR" } else { "USD" };
            let ws = workspaces.join(["; ", ",", " "][*form as usize % 3]);
            let cells = used
                .iter()
                .map(|&c| match c {
                    0 => id.clone(),
                    1 => name.clone(),
                    2 => arr.clone(),
                    3 => currency.to_string(),
                    4 => ws.clone(),
                    _ => "1/15/2024".to_string(),
                })
                .collect();
            lines.push(line(cells));
        }
        let n = self.row_order.len();
        let width_row = |fill: &dyn Fn(usize) -> String| line(used.iter().map(|&c| fill(c)).collect());
        match self.footer {
            1 => {
                lines.push(String::new());
                for footer in [
                    "ARR by Account",
                    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
                    "Confidential Information - Do Not Distribute",
                    "Generated By:  Jane Doe  9/8/2026 11:22 AM",
                    "Example SaaS Inc",
                ] {
                    lines.push(line(vec![footer.into()]));
                }
            }
            2 => {
                let label = format!("Grand Totals ({n} records)");
                lines.push(width_row(&|c| match c {
                    1 => label.clone(),
                    2 => format!("{}.{:02}", total / 100, total % 100),
                    _ => String::new(),
                }));
                lines.push(line(vec![label.clone()]));
                lines.push(String::new());
                lines.push(line(vec!["Confidential Information - Do Not Distribute".into()]));
                lines.push(line(vec![
                    "Copyright © 2000-2025 salesforce.com, inc. All rights reserved.".into(),
                ]));
            }
            3 => {
                lines.push(line(vec![
                    "Copyright © 2000-2025 salesforce.com, inc. All rights reserved.".into(),
                ]));
                lines.push(line(vec!["Example SaaS Inc".into()]));
            }
            4 => {
                lines.push(width_row(&|c| match c {
                    1 => "Total".into(),
                    2 => total.to_string(),
                    _ => String::new(),
                }));
            }
            5 => {
                lines.push(width_row(&|_| String::new()));
                lines.push(String::new());
            }
            _ => {}
        }
        let mut text = if self.bom {
            "\u{feff}".to_string()
        } else {
            String::new()
        };
        text.push_str(&lines.join(eol));
        if self.final_newline {
            text.push_str(eol);
        }
        text
    }

    fn arr_text(&self, euro: bool, cents: i128, form: u8) -> String {
        let number = number_text(cents, form, (form / 6) as usize % 3);
        // Without a currency column the text itself must name EUR.
        let marker = (form / 18) % 4;
        match (euro, self.currency_column, marker) {
            (false, _, 1) => format!("${number}"),
            (false, _, 2) => format!("USD {number}"),
            (false, _, 3) => format!("{number} USD"),
            (false, _, _) => number,
            (true, true, 0) => number,
            (true, _, 1) => format!("€{number}"),
            (true, _, 2) => format!("{number} €"),
            (true, _, _) => format!("EUR {number}"),
        }
    }
}

#[test]
fn salesforce_generated_exports_come_back_exactly() {
    let file = scratch("arr.csv");
    fuzz("salesforce_valid_exports", gen_export(), |export| {
        let text = export.text();
        write(&file.path, text.as_bytes());
        let read = read_accounts(
            &file.path,
            &ColumnOverrides::default(),
            &ApiFields::default(),
            &usd_eur(),
            Some(Delimiter::Comma),
        )
        .map_err(|e| TestCaseError::fail(format!("{e:#}\n--- file ---\n{text}")))?;

        // Accounts appear in the order of their first row.
        let mut order: Vec<usize> = Vec::new();
        for &a in &export.row_order {
            if !order.contains(&a) {
                order.push(a);
            }
        }
        let got: Vec<(String, Option<String>, Option<i128>, usize)> = read
            .accounts
            .iter()
            .map(|a| (a.account_id.clone(), a.account_name.clone(), a.arr_cents, a.lines.len()))
            .collect();
        let want: Vec<(String, Option<String>, Option<i128>, usize)> = order
            .iter()
            .map(|&i| {
                let a = &export.accounts[i];
                let name = Some(a.name.trim().to_string()).filter(|n| !n.is_empty());
                let arr = a.cents.map(|c| if a.euro { eur_to_usd(c) } else { c });
                (salesforce_id_18(&a.id15).unwrap(), name, arr, a.rows.len())
            })
            .collect();
        prop_assert_eq!(&got, &want, "\n--- file ---\n{}", text);

        if export.workspace_column {
            for (account, &i) in read.accounts.iter().zip(&order) {
                let mut want: Vec<String> = Vec::new();
                let mut rows_seen = 0;
                for &a in &export.row_order {
                    if a == i {
                        for ws in &export.accounts[i].rows[rows_seen].4 {
                            if !want.contains(ws) {
                                want.push(ws.clone());
                            }
                        }
                        rows_seen += 1;
                    }
                }
                prop_assert_eq!(&account.workspace_ids, &want, "\n--- file ---\n{}", text);
            }
        }
        Ok(())
    });
}

// ------------------------------------------------------------ flags reader ---

fn builtin_features() -> Vec<FeatureColumn> {
    [
        ("sso", vec!["sso_enabled"]),
        ("scim", vec!["scim_enabled"]),
        ("forced_mfa", vec!["mfa_enforced", "force_mfa", "forced_mfa"]),
    ]
    .into_iter()
    .map(|(key, columns)| FeatureColumn {
        key: key.into(),
        columns: columns.into_iter().map(str::to_string).collect(),
    })
    .collect()
}

#[test]
fn flags_arbitrary_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let features = builtin_features();
    let strategy = (
        prop::sample::select(vec!["flags.csv", "flags.json", "flags.ndjson"]),
        prop_oneof![
            bytes_with_boms(),
            "workspace_id,[a-z_]{0,8},sso_enabled\n[a-z0-9,\"\n -]{0,40}".prop_map(String::into_bytes),
            "[\\[\\]{}\":,0-9a-z_ \n.-]{0,60}".prop_map(String::into_bytes),
            json_value().prop_map(|v| v.to_string().into_bytes()),
        ],
    );
    fuzz("flags_files", strategy, |(name, bytes)| {
        let path = dir.path().join(name);
        write(&path, &bytes);
        let _ = read_flags_file(&path, &features, Some(Delimiter::Comma));
        Ok(())
    });
}

#[test]
fn flags_json_rows_name_the_line_their_object_starts_on() {
    let object = (
        "[a-z0-9_\\[\\]{},\"\\\\ ]{1,8}",
        proptest::option::of(any::<bool>()),
        "[\n ]{0,3}",
        "[\n ]{0,3}",
    );
    let strategy = proptest::collection::vec(object, 0..6);
    let features = builtin_features();
    fuzz("flags_json_lines", strategy, |objects| {
        let mut text = "[".to_string();
        let mut want: Vec<(u64, String)> = Vec::new();
        for (i, (id, sso, before, after)) in objects.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(before);
            let line = text.matches('\n').count() as u64 + 1;
            let id = format!("{id}{i}");
            let value = json!({"workspace_id": id, "sso_enabled": sso, "note": "],[{"});
            text.push_str(&value.to_string());
            text.push_str(after);
            want.push((line, id.trim().to_string()));
        }
        text.push(']');
        let mut out = FlagsSnapshot::default();
        parse_flags_json_page(&text, "page", &features, &mut out)
            .map_err(|e| TestCaseError::fail(format!("{e:#}\n{text}")))?;
        let got: Vec<(u64, String)> = out.rows.iter().map(|r| (r.line, r.workspace_id.clone())).collect();
        prop_assert_eq!(got, want, "{}", text);
        Ok(())
    });
}

// ------------------------------------------------------------- Auth0 dump ---

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-z_]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("[a-z_]{0,12}", inner), 0..4)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Values that may stand where the dump has an ID, a name or a URL.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "con_1", "con_2", "org_1", " ", "", "acme-sso", "ws-1", "s", "f",
            "https://acme.okta.com/app/x/sso/saml", "https://login.microsoftonline.com/t/saml2",
            "https://idp.example.com/adfs/ls", "https://kc.example.com/realms/acme/", "acme.onelogin.com",
            "://", "@", "http://:80/", "https://ß.OKTA.com", "https://a@b:c@d/e?f#g",
            "2026-09-01T10:00:00.000Z", "2026-02-30T10:00:00Z", "not a date",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        1 => json_value(),
    ]
}

fn object_of(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    proptest::collection::vec((prop::sample::select(keys), field_value()), 0..keys.len() + 2)
        .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

fn connection() -> impl Strategy<Value = Value> {
    let strategy = prop::sample::select(vec![
        "samlp",
        "oidc",
        "okta",
        "waad",
        "adfs",
        "ip",
        "sharepoint",
        "auth0",
        "google-oauth2",
        "okta-samlp",
        "",
    ]);
    let options = (
        object_of(&[
            "signInEndpoint",
            "metadataUrl",
            "issuer",
            "discovery_url",
            "token_endpoint",
            "jwks_uri",
        ]),
        object_of(&["commonName", "organizationName", "organizationalUnitName"]),
        object_of(&["issuer", "authorization_endpoint"]),
        any::<bool>(),
    )
        .prop_map(|(mut urls, subject, oidc, with_subject)| {
            if with_subject {
                urls["subject"] = subject;
                urls["oidc_metadata"] = oidc;
            }
            urls
        });
    (
        object_of(&["id", "name", "metadata"]),
        strategy,
        proptest::option::weighted(0.8, options),
        proptest::option::of(object_of(&["workspace_id"])),
    )
        .prop_map(|(mut conn, strategy, options, metadata)| {
            conn["strategy"] = json!(strategy);
            if let Some(options) = options {
                conn["options"] = options;
            }
            if let Some(metadata) = metadata {
                conn["metadata"] = metadata;
            }
            conn
        })
}

fn organization() -> impl Strategy<Value = Value> {
    (
        object_of(&["id", "name", "display_name"]),
        proptest::option::of(object_of(&["workspace_id"])),
        proptest::option::weighted(
            0.8,
            proptest::collection::vec(object_of(&["connection_id", "connection"]), 0..3),
        ),
    )
        .prop_map(|(mut org, metadata, enabled)| {
            if let Some(metadata) = metadata {
                org["metadata"] = metadata;
            }
            if let Some(enabled) = enabled {
                org["enabled_connections"] = Value::Array(enabled);
            }
            org
        })
}

/// Dump-shaped JSON: the envelope mostly right, the objects' fields anything.
fn dump_value() -> impl Strategy<Value = Value> {
    let logs = proptest::collection::vec(
        object_of(&[
            "log_id",
            "type",
            "date",
            "connection_id",
            "connection",
            "organization_id",
        ]),
        0..5,
    );
    let envelope = (
        proptest::collection::vec(connection(), 0..5),
        proptest::collection::vec(organization(), 0..4),
        proptest::option::of(logs),
    )
        .prop_map(|(connections, organizations, logs)| {
            let mut map = Map::new();
            map.insert("connections".into(), Value::Array(connections));
            map.insert("organizations".into(), Value::Array(organizations));
            if let Some(logs) = logs {
                map.insert("logs".into(), Value::Array(logs));
            }
            Value::Object(map)
        });
    prop_oneof![
        4 => envelope,
        1 => json_value(),
        1 => object_of(&["connections", "organizations", "logs"]),
    ]
}

fn vendor_rules() -> impl Strategy<Value = Vec<VendorRule>> {
    let rule = (
        "[A-Za-z ]{1,8}",
        proptest::option::of(prop::sample::select(vec!["*.example.com", "idp.example.com", "*.", ""])),
        proptest::option::of("[a-z/]{0,6}"),
        proptest::option::of(prop::sample::select(vec!["samlp", "oidc"])),
        proptest::option::of(prop::sample::select(vec!["^acme", "(", ".*", ""])),
    )
        .prop_map(|(vendor, host, path_contains, strategy, name_pattern)| VendorRule {
            vendor,
            host: host.map(str::to_string),
            path_contains,
            strategy: strategy.map(str::to_string),
            name_pattern: name_pattern.map(str::to_string),
        });
    proptest::collection::vec(rule, 0..3)
}

#[test]
fn auth0_dump_values_never_panic_the_loader_or_the_rows() {
    let pattern = regex::Regex::new(r"^(?:ws-)?([a-z0-9-]+)-sso$").unwrap();
    let strategy = (dump_value(), any::<bool>(), vendor_rules());
    fuzz("auth0_dump_values", strategy, |(value, with_pattern, rules)| {
        let organizations = value.get("organizations").and_then(Value::as_array).map_or(0, Vec::len);
        let Ok(dump) = Auth0Dump::from_value(value, "dump.json") else {
            return Ok(());
        };
        // What was accepted writes back to the same envelope.
        let again = Auth0Dump::from_value(dump.to_value(), "again").ok();
        prop_assert_eq!(again.as_ref(), Some(&dump));
        if let Ok(rows) = to_rows(&dump, with_pattern.then_some(&pattern)) {
            prop_assert_eq!(rows.organizations.len(), organizations);
            if let Ok(rules) = compile_rules(&rules) {
                for c in &rows.connections {
                    let class = classify(&c.idp, &rules);
                    prop_assert_eq!(class.ignored, class.vendor == "ignore");
                }
            }
            let mut ids: Vec<&str> = rows.connections.iter().map(|c| c.connection_id.as_str()).collect();
            ids.sort_unstable();
            prop_assert!(ids.windows(2).all(|w| w[0] != w[1]), "{ids:?}");
            if let Some(logins) = &rows.logins {
                prop_assert!(logins.iter().all(|l| l.logins > 0));
            }
        }
        Ok(())
    });
}

#[test]
fn auth0_dump_files_of_arbitrary_bytes_never_panic() {
    let file = scratch("dump.json");
    let strategy = prop_oneof![
        bytes_with_boms(),
        dump_value().prop_map(|v| v.to_string().into_bytes()),
        "[\\[\\]{}\":,0-9a-z_ \n.-]{0,60}".prop_map(String::into_bytes),
    ];
    fuzz("auth0_dump_files", strategy, |bytes| {
        write(&file.path, &bytes);
        let _ = read_dump(&file.path);
        Ok(())
    });
}
