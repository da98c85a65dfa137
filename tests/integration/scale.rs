//! Independent numbers on large inputs (issue 18, item 1): two quarter-end snapshots of
//! 250,000 workspaces, 62,000 accounts in both Salesforce shapes and an Auth0 dump of
//! tens of megabytes, large enough that every parallel and batched path of the loads
//! runs (two-thread CSV reading above 1 MiB, ~1 MB Auth0 batches, Arrow batches of
//! 122,880 rows). featurearr's revenue-share, idps and quarterly JSON are checked
//! against numbers that DuckDB works out here from the raw files, with its own
//! `read_csv`/`read_json` and SQL written in this file: none of featurearr's readers
//! or queries take part, so a bug in them cannot hide in the expected numbers.
//!
//! featurearr loads the first quarter's ARR from the report export (labels, money
//! strings, 15-character IDs, footer) and the second's from the API-name export; the
//! expected numbers of both quarters come from the API-name exports with plain numbers
//! (18-character IDs) that hold the same accounts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::Value;

use crate::util::Project;

const WORKSPACES: usize = 250_000;
/// Workspaces only in the second snapshot.
const NEW_WORKSPACES: usize = 6_000;
const ACCOUNTS: usize = 62_000;
const CONNECTIONS: usize = 12_000;
const DATES: [&str; 2] = ["2026-06-30", "2026-09-30"];
const FEATURES: [&str; 3] = ["sso", "scim", "forced_mfa"];
const CONFIG: &str = "[currency]\nreporting = \"USD\"\nrates = { EUR = 1.08, GBP = 1.27 }\n\n\
                      [auth0]\nconnection_name_pattern = \"^ws-(.+)-sso$\"\n";

/// SplitMix64: a fixed stream of numbers, the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

struct Account {
    id15: String,
    id18: String,
    currency: &'static str,
    /// ARR in cents per snapshot; None is an empty cell.
    cents: [Option<u64>; 2],
    /// One row per workspace (ARR repeated) instead of one row with a list.
    row_per_workspace: bool,
}

struct Workspace {
    id: String,
    users: u64,
    /// Features on, per snapshot; None: not in that snapshot.
    flags: [Option<[bool; 3]>; 2],
    account: Option<usize>,
}

struct Connection {
    id: String,
    name: String,
    strategy: &'static str,
    options: String,
    /// How it reaches a workspace: metadata, organizations, name pattern or none.
    mapping: Mapping,
    alive: [bool; 2],
    logins: u64,
}

enum Mapping {
    Metadata(usize),
    Organizations(Vec<usize>),
    Name,
    None,
}

struct World {
    accounts: Vec<Account>,
    workspaces: Vec<Workspace>,
    connections: Vec<Connection>,
}

const ID_CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Salesforce's case-safe suffix: one character per five, from where the capitals are.
fn id18(id15: &str) -> String {
    let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = id15.to_string();
    for chunk in id15.as_bytes().chunks(5) {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0, |acc, (i, _)| acc | (1 << i));
        out.push(table[bits] as char);
    }
    out
}

fn world() -> World {
    let mut r = Rng::new(18);
    let accounts: Vec<Account> = (0..ACCOUNTS)
        .map(|j| {
            let mut id15 = String::from("001");
            for _ in 0..12 {
                id15.push(ID_CHARS[r.below(62) as usize] as char);
            }
            let currency = match r.below(100) {
                0..=79 => "USD",
                80..=91 => "EUR",
                _ => "GBP",
            };
            let first = match r.below(200) {
                0 => None,
                1..=10 => Some(0),
                _ => Some(50_000 + r.below(300_000_000)),
            };
            let second = match (first, r.below(100)) {
                (_, 0..=2) => Some(0),
                (Some(c), 3..=32) if c > 0 => Some(c + r.below(5_000_000)),
                (Some(c), 33..=40) if c > 100_000 => Some(c - r.below(100_000)),
                (None, _) => Some(1_000 + r.below(1_000_000)),
                (c, _) => c,
            };
            Account {
                id18: id18(&id15),
                id15,
                currency,
                cents: [first, second],
                row_per_workspace: j % 9 == 4,
            }
        })
        .collect();
    let bools = |r: &mut Rng, sso_share: u64| {
        let sso = r.chance(sso_share);
        [sso, sso && r.chance(45), r.chance(35)]
    };
    let workspaces: Vec<Workspace> = (0..WORKSPACES + NEW_WORKSPACES)
        .map(|i| {
            let first = (i < WORKSPACES).then(|| bools(&mut r, 30));
            let second = if i % 50 == 7 {
                None
            } else {
                Some(match first {
                    Some(f) if !r.chance(8) => f,
                    _ => bools(&mut r, 33),
                })
            };
            Workspace {
                id: format!("ws{i:06}"),
                users: r.below(2_000),
                flags: [first, second],
                account: (!r.chance(18)).then(|| r.below(ACCOUNTS as u64) as usize),
            }
        })
        .collect();
    // Connections reach workspaces present in both snapshots.
    let stable: Vec<usize> = (0..WORKSPACES).filter(|i| i % 50 != 7).collect();
    let connections = (0..CONNECTIONS)
        .map(|n| {
            let ws = stable[r.below(stable.len() as u64) as usize];
            let (strategy, options) = connection_options(n, &mut r);
            let mapping = match r.below(20) {
                0..=11 => Mapping::Metadata(ws),
                12..=14 => Mapping::Organizations(vec![ws]),
                15 => Mapping::Organizations(vec![ws, stable[r.below(stable.len() as u64) as usize]]),
                16..=18 => Mapping::Name,
                _ => Mapping::None,
            };
            let name = match mapping {
                Mapping::Name => format!("ws-{}-sso", workspaces[ws].id),
                _ => format!("acme-{n}-{strategy}"),
            };
            Connection {
                id: format!("con_{n:012}x"),
                name,
                strategy,
                options,
                mapping,
                alive: [n % 13 != 0, n % 17 != 0],
                logins: r.below(12),
            }
        })
        .collect();
    World {
        accounts,
        workspaces,
        connections,
    }
}

/// A strategy and its options, as the Management API returns them, covering the vendor
/// rules by strategy, by host and by path (SPEC 2.3).
fn connection_options(n: usize, r: &mut Rng) -> (&'static str, String) {
    let tenant = format!("acme{n}");
    match n % 12 {
        0 => (
            "waad",
            format!(r#"{{"tenant_domain":"{tenant}.onmicrosoft.com","client_id":"c{n}"}}"#),
        ),
        1 => (
            "okta",
            format!(r#"{{"domain":"{tenant}.okta.com","client_id":"c{n}"}}"#),
        ),
        2 => (
            "google-apps",
            format!(r#"{{"domain":"{tenant}.example","tenant_domain":"{tenant}.example"}}"#),
        ),
        3 => (
            "adfs",
            format!(
                r#"{{"adfs_server":"https://fs.{tenant}.example/FederationMetadata/2007-06/FederationMetadata.xml"}}"#
            ),
        ),
        4 => (
            "pingfederate",
            format!(r#"{{"pingFederateBaseUrl":"https://pf.{tenant}.example"}}"#),
        ),
        5 => (
            "samlp",
            format!(
                r#"{{"signInEndpoint":"https://{tenant}.okta.com/app/{tenant}_app_1/exk{}/sso/saml"}}"#,
                r.below(1 << 40)
            ),
        ),
        6 => (
            "samlp",
            format!(r#"{{"signInEndpoint":"https://{tenant}.onelogin.com/trust/saml2/http-post/sso/{n}"}}"#),
        ),
        7 => (
            "samlp",
            format!(r#"{{"signInEndpoint":"https://sso.jumpcloud.com/saml2/{tenant}"}}"#),
        ),
        8 => (
            "samlp",
            format!(r#"{{"signInEndpoint":"https://idp.{tenant}.example/saml/sso"}}"#),
        ),
        9 => (
            "oidc",
            format!(
                r#"{{"discovery_url":"https://login.microsoftonline.com/{n:08x}-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration","client_id":"c{n}"}}"#
            ),
        ),
        10 => (
            "oidc",
            format!(
                r#"{{"discovery_url":"https://kc.{tenant}.example/realms/main/.well-known/openid-configuration","client_id":"c{n}"}}"#
            ),
        ),
        _ => (
            "oidc",
            format!(r#"{{"issuer":"https://auth.{tenant}.example","client_id":"c{n}"}}"#),
        ),
    }
}

fn money_label(cents: u64, currency: &str, style: u64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = cents % 100;
    match (style % 3, currency) {
        (0, _) => format!("{currency} {grouped}.{frac:02}"),
        (1, "USD") => format!("${grouped}.{frac:02}"),
        _ => format!("{}.{frac:02}", cents / 100),
    }
}

/// Per account, its rows, each the workspace IDs of its cell.
type AccountRows<'a> = Vec<Vec<Vec<&'a str>>>;
/// (workspace ID, account index) pairs for the workspace-accounts file.
type MappingRows<'a> = Vec<(&'a str, usize)>;

/// Each account's rows: the workspace IDs of each row's cell, and the workspaces left to
/// the workspace-accounts file.
fn account_rows(world: &World, q: usize) -> (AccountRows<'_>, MappingRows<'_>) {
    let mut owned: Vec<Vec<&str>> = vec![Vec::new(); world.accounts.len()];
    for w in &world.workspaces {
        if let (Some(a), Some(_)) = (w.account, w.flags[q]) {
            owned[a].push(&w.id);
        }
    }
    let mut mapping = Vec::new();
    let rows = owned
        .into_iter()
        .enumerate()
        .map(|(a, ws)| {
            if ws.is_empty() {
                vec![Vec::new()]
            } else if world.accounts[a].row_per_workspace {
                ws.into_iter().map(|w| vec![w]).collect()
            } else {
                for w in ws.iter().skip(3) {
                    mapping.push((*w, a));
                }
                vec![ws.into_iter().take(3).collect()]
            }
        })
        .collect();
    (rows, mapping)
}

fn create(path: &Path) -> BufWriter<std::fs::File> {
    BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap())
}

fn write_inputs(world: &World, dir: &Path) {
    std::fs::write(dir.join("featurearr.toml"), CONFIG).unwrap();
    let spellings = [
        ("true", "false"),
        ("t", "f"),
        ("yes", "no"),
        ("1", "0"),
        ("Y", "N"),
        ("TRUE", ""),
    ];
    for (q, date) in DATES.iter().enumerate() {
        let mut f = create(&dir.join(format!("flags-{date}.csv")));
        writeln!(
            f,
            "workspace_id,workspace_name,users,sso_enabled,scim_enabled,mfa_enforced"
        )
        .unwrap();
        for (i, w) in world.workspaces.iter().enumerate() {
            let Some(flags) = w.flags[q] else { continue };
            let (yes, no) = spellings[i % spellings.len()];
            let cell = |on: bool| if on { yes } else { no };
            writeln!(
                f,
                "{},\"Workspace {i}, \"\"{}\"\"\",{},{},{},{}",
                w.id,
                i % 7,
                w.users,
                cell(flags[0]),
                cell(flags[1]),
                cell(flags[2])
            )
            .unwrap();
        }
        f.flush().unwrap();

        let (rows, mapping) = account_rows(world, q);
        let mut api = create(&dir.join(format!("arr-api-{date}.csv")));
        writeln!(api, "Id,Name,ARR__c,CurrencyIsoCode,ParentId,Workspace_ID__c").unwrap();
        let mut report = create(&dir.join(format!("arr-report-{date}.csv")));
        writeln!(
            report,
            "\"Account ID\",\"Account Name\",\"Parent Account ID\",\"Annual Recurring Revenue\",\"Account Currency\",\"Workspace ID\""
        )
        .unwrap();
        let mut records = 0;
        for (a, account_rows) in rows.iter().enumerate() {
            let acc = &world.accounts[a];
            for cell in account_rows {
                let api_arr = acc.cents[q]
                    .map(|c| format!("{}.{:02}", c / 100, c % 100))
                    .unwrap_or_default();
                let label_arr = acc.cents[q]
                    .map(|c| money_label(c, acc.currency, a as u64))
                    .unwrap_or_default();
                writeln!(
                    api,
                    "{},\"Account {a}, Ltd.\",{api_arr},{},,{}",
                    acc.id18,
                    acc.currency,
                    cell.join(";")
                )
                .unwrap();
                writeln!(
                    report,
                    "\"{}\",\"Account {a}, Ltd.\",\"\",\"{label_arr}\",\"{}\",\"{}\"",
                    acc.id15,
                    acc.currency,
                    cell.join(";")
                )
                .unwrap();
                records += 1;
            }
        }
        write!(
            report,
            "\n\"Grand Totals ({records} records)\"\n\n\"Confidential Information - Do Not Distribute\"\n\
             \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n"
        )
        .unwrap();
        api.flush().unwrap();
        report.flush().unwrap();

        let mut wa = create(&dir.join(format!("workspace-accounts-{date}.csv")));
        writeln!(wa, "workspace_id,account_id").unwrap();
        for (w, a) in mapping {
            writeln!(wa, "{w},{}", world.accounts[a].id18).unwrap();
        }
        wa.flush().unwrap();

        write_dump(world, q, date, &mut create(&dir.join(format!("auth0-{date}.json"))));
    }
}

fn write_dump(world: &World, q: usize, date: &str, out: &mut impl Write) {
    let live: Vec<&Connection> = world.connections.iter().filter(|c| c.alive[q]).collect();
    let mut text = String::from("{\"connections\": [\n");
    text.push_str(
        r#"{"id":"con_database000001","name":"Username-Password-Authentication","strategy":"auth0","options":{"brute_force_protection":true}},
{"id":"con_social00000001","name":"google-oauth2","strategy":"google-oauth2","options":{"email":true}}"#,
    );
    for c in &live {
        let metadata = match c.mapping {
            Mapping::Metadata(ws) => format!(r#","metadata":{{"workspace_id":"{}"}}"#, world.workspaces[ws].id),
            _ => String::new(),
        };
        write!(
            text,
            ",\n{{\"id\":\"{}\",\"name\":\"{}\",\"strategy\":\"{}\",\"options\":{},\"enabled_clients\":[\"C1\"]{metadata}}}",
            c.id, c.name, c.strategy, c.options
        )
        .unwrap();
    }
    text.push_str("\n],\n\"organizations\": [\n");
    let mut first = true;
    for (n, c) in live.iter().enumerate() {
        let Mapping::Organizations(ws) = &c.mapping else {
            continue;
        };
        for (k, w) in ws.iter().enumerate() {
            if !first {
                text.push_str(",\n");
            }
            first = false;
            write!(
                text,
                r#"{{"id":"org_{n}_{k}","name":"org-{n}-{k}","metadata":{{"workspace_id":"{}"}},"enabled_connections":[{{"connection_id":"{}","assign_membership_on_login":false}}]}}"#,
                world.workspaces[*w].id, c.id
            )
            .unwrap();
        }
    }
    // An organization with no workspace: its connection stays unmapped.
    text.push_str(",\n{\"id\":\"org_none\",\"name\":\"no-workspace\",\"enabled_connections\":[]}");
    text.push_str("\n],\n\"logs\": [\n");
    out.write_all(text.as_bytes()).unwrap();
    // Successful logins inside the 30-day window, and failures and older ones around them.
    let end = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    let mut r = Rng::new(1800 + q as u64);
    let mut first = true;
    let mut log = 0u64;
    for c in &live {
        for _ in 0..c.logins {
            let (kind, back) = match r.below(10) {
                0 => ("f", r.below(30)),
                1 => ("s", 30 + r.below(20)),
                _ => ("s", r.below(30)),
            };
            let day = end - chrono::Days::new(back);
            let line = format!(
                "{}{{\"date\":\"{day}T{:02}:{:02}:{:02}.{:03}Z\",\"type\":\"{kind}\",\"connection\":\"{}\",\"connection_id\":\"{}\",\"client_id\":\"C1\",\"user_id\":\"samlp|{}|u{}\",\"log_id\":\"9002{q}{log:016}\"}}",
                if first { "" } else { ",\n" },
                r.below(24),
                r.below(60),
                r.below(60),
                r.below(1000),
                c.name,
                c.id,
                c.name,
                r.below(1000),
            );
            first = false;
            log += 1;
            out.write_all(line.as_bytes()).unwrap();
        }
    }
    out.write_all(b"\n]\n}\n").unwrap();
    out.flush().unwrap();
}

/// The expected numbers, worked out by DuckDB from the raw files with SQL written here.
struct Expected {
    db: duckdb::Connection,
}

fn sql_path(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "''"))
}

impl Expected {
    fn new(dir: &Path) -> Expected {
        let db = duckdb::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE MACRO half_even(p, d) AS
                 (p // d) + CASE WHEN 2 * (p % d) > d OR (2 * (p % d) = d AND (p // d) % 2 = 1) THEN 1 ELSE 0 END;",
        )
        .unwrap();
        for (q, date) in DATES.iter().enumerate() {
            let file = |name: &str| {
                sql_path(&dir.join(format!(
                    "{name}-{date}.{}",
                    if name == "auth0" { "json" } else { "csv" }
                )))
            };
            let sql = format!(
                "CREATE TABLE flags{q} AS
                 SELECT workspace_id, users, coalesce(sso_enabled, false) AS sso,
                        coalesce(scim_enabled, false) AS scim, coalesce(mfa_enforced, false) AS forced_mfa
                 FROM read_csv({flags}, header = true, auto_detect = false,
                     columns = {{'workspace_id': 'VARCHAR', 'workspace_name': 'VARCHAR', 'users': 'BIGINT',
                                'sso_enabled': 'BOOLEAN', 'scim_enabled': 'BOOLEAN', 'mfa_enforced': 'BOOLEAN'}});
                 CREATE TABLE rows{q} AS
                 SELECT Id AS account_id, CAST(round(ARR__c * 100) AS BIGINT) AS cents, CurrencyIsoCode AS currency,
                        Workspace_ID__c AS cell
                 FROM read_csv({api}, header = true, auto_detect = false,
                     columns = {{'Id': 'VARCHAR', 'Name': 'VARCHAR', 'ARR__c': 'DECIMAL(18,2)',
                                'CurrencyIsoCode': 'VARCHAR', 'ParentId': 'VARCHAR', 'Workspace_ID__c': 'VARCHAR'}});
                 CREATE TABLE accounts{q} AS
                 SELECT account_id, any_value(CASE currency WHEN 'USD' THEN cents
                                                 WHEN 'EUR' THEN half_even(cents * 108, 100)
                                                 WHEN 'GBP' THEN half_even(cents * 127, 100) END) AS cents
                 FROM rows{q} GROUP BY account_id;
                 CREATE TABLE links{q} AS
                 SELECT DISTINCT workspace_id, account_id FROM (
                     SELECT unnest(string_split(cell, ';')) AS workspace_id, account_id FROM rows{q} WHERE cell <> ''
                     UNION ALL
                     SELECT workspace_id, account_id FROM read_csv({wa}, header = true, auto_detect = false,
                         columns = {{'workspace_id': 'VARCHAR', 'account_id': 'VARCHAR'}}));
                 CREATE TABLE customer_workspaces{q} AS
                 SELECT l.account_id, f.* FROM links{q} l
                 JOIN accounts{q} a ON a.account_id = l.account_id AND a.cents > 0
                 JOIN flags{q} f ON f.workspace_id = l.workspace_id;
                 CREATE TABLE customers{q} AS
                 SELECT cw.account_id, any_value(a.cents) AS cents, bool_or(sso) AS sso, bool_or(scim) AS scim,
                        bool_or(forced_mfa) AS forced_mfa
                 FROM customer_workspaces{q} cw JOIN accounts{q} a USING (account_id) GROUP BY cw.account_id;
                 CREATE TABLE dump{q} AS SELECT * FROM read_json({auth0}, format = 'unstructured',
                     maximum_object_size = 1000000000,
                     columns = {{connections: 'STRUCT(id VARCHAR, name VARCHAR, strategy VARCHAR, options JSON,
                                                     metadata STRUCT(workspace_id VARCHAR))[]',
                                organizations: 'STRUCT(id VARCHAR, metadata STRUCT(workspace_id VARCHAR),
                                                       enabled_connections STRUCT(connection_id VARCHAR)[])[]',
                                logs: 'STRUCT(log_id VARCHAR, date TIMESTAMPTZ, type VARCHAR,
                                              connection_id VARCHAR)[]'}});
                 CREATE TABLE conns{q} AS
                 WITH c AS (SELECT unnest(connections, recursive := true) FROM dump{q}),
                 urls AS (
                     SELECT *, coalesce(options ->> 'signInEndpoint', options ->> 'discovery_url',
                                        options ->> 'issuer') AS url FROM c
                 ), parts AS (
                     SELECT *, regexp_extract(url, '^https://([^/]+)', 1) AS host,
                            regexp_extract(url, '^https://[^/]+(/.*)?$', 1) AS path FROM urls
                 )
                 SELECT id, name, workspace_id, CASE
                     WHEN strategy = 'waad' THEN 'Microsoft Entra ID'
                     WHEN strategy = 'okta' THEN 'Okta'
                     WHEN strategy = 'google-apps' THEN 'Google Workspace'
                     WHEN strategy = 'adfs' THEN 'ADFS'
                     WHEN strategy = 'pingfederate' THEN 'Ping Identity'
                     WHEN host LIKE '%.okta.com' THEN 'Okta'
                     WHEN host = 'login.microsoftonline.com' THEN 'Microsoft Entra ID'
                     WHEN host LIKE '%.onelogin.com' THEN 'OneLogin'
                     WHEN host LIKE '%.jumpcloud.com' THEN 'JumpCloud'
                     WHEN path LIKE '%/realms/%' THEN 'Keycloak'
                     WHEN strategy = 'samlp' THEN 'Other SAML'
                     ELSE 'Other OIDC' END AS vendor
                 FROM parts WHERE strategy IN ('waad', 'okta', 'google-apps', 'adfs', 'pingfederate', 'samlp', 'oidc');
                 CREATE TABLE conn_workspaces{q} AS
                 WITH orgs AS (
                     SELECT o.metadata.workspace_id AS workspace_id, unnest(o.enabled_connections).connection_id AS id
                     FROM (SELECT unnest(organizations) AS o FROM dump{q})
                 )
                 SELECT DISTINCT c.id, c.vendor, coalesce(c.workspace_id, o.workspace_id,
                                                      regexp_extract(c.name, '^ws-(.+)-sso$', 1)) AS workspace_id
                 FROM conns{q} c LEFT JOIN orgs o ON o.id = c.id AND c.workspace_id IS NULL;
                 DELETE FROM conn_workspaces{q} WHERE workspace_id IS NULL OR workspace_id = '';
                 CREATE TABLE logins{q} AS
                 SELECT l.connection_id AS id, count(*) AS logins
                 FROM (SELECT unnest(logs, recursive := true) FROM dump{q}) l
                 WHERE l.type = 's' AND CAST(timezone('UTC', l.date) AS DATE)
                       BETWEEN DATE '{date}' - 29 AND DATE '{date}'
                 GROUP BY 1;",
                flags = file("flags"),
                api = file("arr-api"),
                wa = file("workspace-accounts"),
                auth0 = file("auth0"),
            );
            db.execute_batch(&sql).unwrap();
        }
        Expected { db }
    }

    fn rows(&self, sql: &str) -> Vec<Vec<i64>> {
        let mut stmt = self.db.prepare(sql).unwrap();
        let mut out = Vec::new();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let n = row.as_ref().column_count();
            out.push((0..n).map(|i| row.get::<_, i64>(i).unwrap()).collect());
        }
        out
    }

    fn one(&self, sql: &str) -> Vec<i64> {
        let mut rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}");
        rows.remove(0)
    }

    /// customers, ARR cents, workspaces, all ARR cents (accounts above zero).
    fn totals(&self, q: usize) -> [i64; 4] {
        let r = self.one(&format!(
            "SELECT (SELECT count(*) FROM customers{q}), (SELECT coalesce(sum(cents), 0) FROM customers{q}),
                    (SELECT count(*) FROM flags{q}), (SELECT sum(cents) FROM accounts{q} WHERE cents > 0)"
        ));
        [r[0], r[1], r[2], r[3]]
    }

    /// Per feature: customers, ARR cents, workspaces, users.
    fn feature(&self, q: usize, feature: &str) -> [i64; 4] {
        let r = self.one(&format!(
            "SELECT (SELECT count(*) FROM customers{q} WHERE {feature}),
                    (SELECT coalesce(sum(cents), 0) FROM customers{q} WHERE {feature}),
                    (SELECT count(*) FROM flags{q} WHERE {feature}),
                    (SELECT coalesce(sum(users), 0) FROM flags{q} WHERE {feature})"
        ));
        [r[0], r[1], r[2], r[3]]
    }

    /// workspaces_without_account, accounts_without_workspace, arr_without_workspace cents,
    /// accounts_empty_arr, churned_accounts.
    fn coverage(&self, q: usize) -> [i64; 5] {
        let r = self.one(&format!(
            "SELECT (SELECT count(*) FROM flags{q} f WHERE NOT EXISTS (
                         SELECT 1 FROM links{q} l JOIN accounts{q} a USING (account_id)
                         WHERE l.workspace_id = f.workspace_id)),
                    (SELECT count(*) FROM accounts{q} a WHERE cents > 0
                         AND account_id NOT IN (SELECT account_id FROM customers{q})),
                    (SELECT coalesce(sum(cents), 0) FROM accounts{q} a WHERE cents > 0
                         AND account_id NOT IN (SELECT account_id FROM customers{q})),
                    (SELECT count(*) FROM accounts{q} WHERE cents IS NULL),
                    (SELECT count(*) FROM accounts{q} WHERE cents = 0)"
        ));
        [r[0], r[1], r[2], r[3], r[4]]
    }

    /// Per vendor: connections, workspaces, customers, ARR cents, logins.
    fn idps(&self, q: usize) -> BTreeMap<String, [i64; 5]> {
        let sql = format!(
            "WITH vendor_customers AS (
                 SELECT DISTINCT cw.vendor, c.account_id, c.cents FROM conn_workspaces{q} cw
                 JOIN customer_workspaces{q} x ON x.workspace_id = cw.workspace_id
                 JOIN customers{q} c ON c.account_id = x.account_id
             )
             SELECT v.vendor, count(DISTINCT v.id), count(DISTINCT v.workspace_id),
                    (SELECT count(*) FROM vendor_customers c WHERE c.vendor = v.vendor),
                    (SELECT coalesce(sum(cents), 0) FROM vendor_customers c WHERE c.vendor = v.vendor),
                    (SELECT coalesce(sum(l.logins), 0) FROM logins{q} l
                     WHERE l.id IN (SELECT id FROM conn_workspaces{q} m WHERE m.vendor = v.vendor))
             FROM conn_workspaces{q} v GROUP BY v.vendor ORDER BY v.vendor"
        );
        let mut stmt = self.db.prepare(&sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut out = BTreeMap::new();
        while let Some(row) = rows.next().unwrap() {
            let counts = [1, 2, 3, 4, 5].map(|i| row.get::<_, i64>(i).unwrap());
            out.insert(row.get::<_, String>(0).unwrap(), counts);
        }
        out
    }

    /// The quarterly split of a feature's ARR change, in the README's terms: base customers,
    /// customers, base ARR, ARR, turned on (count, ARR now), turned off (count, ARR before),
    /// new (count, ARR), churned (count, ARR before), retained change.
    fn change(&self, feature: &str) -> [i64; 13] {
        let r = self.one(&format!(
            "WITH b AS (SELECT account_id, cents, {feature} AS has FROM customers0),
                  c AS (SELECT account_id, cents, {feature} AS has FROM customers1),
                  both_sides AS (SELECT b.has AS had, c.has AS has, b.cents AS before, c.cents AS now
                                 FROM b JOIN c USING (account_id))
             SELECT (SELECT count(*) FROM b WHERE has), (SELECT count(*) FROM c WHERE has),
                    (SELECT coalesce(sum(cents), 0) FROM b WHERE has),
                    (SELECT coalesce(sum(cents), 0) FROM c WHERE has),
                    (SELECT count(*) FROM both_sides WHERE has AND NOT had),
                    (SELECT coalesce(sum(now), 0) FROM both_sides WHERE has AND NOT had),
                    (SELECT count(*) FROM both_sides WHERE had AND NOT has),
                    (SELECT coalesce(sum(before), 0) FROM both_sides WHERE had AND NOT has),
                    (SELECT count(*) FROM c WHERE has AND account_id NOT IN (SELECT account_id FROM b)),
                    (SELECT coalesce(sum(cents), 0) FROM c WHERE has AND account_id NOT IN (SELECT account_id FROM b)),
                    (SELECT count(*) FROM b WHERE has AND account_id NOT IN (SELECT account_id FROM c)),
                    (SELECT coalesce(sum(cents), 0) FROM b WHERE has AND account_id NOT IN (SELECT account_id FROM c)),
                    (SELECT coalesce(sum(now - before), 0) FROM both_sides WHERE had AND has)"
        ));
        r.try_into().unwrap()
    }
}

/// Money in featurearr's JSON (a number with at most two decimals) as exact cents.
fn cents(v: &Value) -> i64 {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    let c = (x * 100.0).round();
    assert!(
        (c / 100.0 - x).abs() <= x.abs() * 1e-15,
        "{v} is not a whole number of cents"
    );
    c as i64
}

/// A JSON document as featurearr printed it, and parsed.
struct Doc {
    text: String,
    json: Value,
}

impl Doc {
    fn of(p: &Project, args: &[&str]) -> Doc {
        let text = p.run(args);
        let json = serde_json::from_str(&text).unwrap();
        Doc { text, json }
    }

    /// Asserts the document holds `"key": x` with x exactly `expected` as serde_json
    /// writes it. The text, not the parsed value: serde_json reads floats to within an
    /// ulp or so (exact reading is its `float_roundtrip` feature), which would blur
    /// the last digit this checks.
    fn assert_float(&self, label: &str, key: &str, expected: f64) {
        let written = format!("\"{key}\": {}", serde_json::to_string(&expected).unwrap());
        assert!(self.text.contains(&written), "{label}: no {written} in the output");
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0).map(|x| x as i64))
        .unwrap_or_else(|| panic!("{v} is not a count"))
}

fn share(part: i64, whole: i64) -> f64 {
    part as f64 / whole as f64
}

fn feature_row<'a>(rows: &'a Value, feature: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == feature)
        .unwrap_or_else(|| panic!("no feature {feature} in {rows}"))
}

/// A revenue-share row (`features[]` of revenue-share, `current`/`previous` of quarterly).
fn check_feature(doc: &Doc, label: &str, row: &Value, expected: [i64; 4], totals: [i64; 4]) {
    let [customers, arr, workspaces, users] = expected;
    assert_eq!(int(&row["customers"]), customers, "{label}: customers");
    assert_eq!(cents(&row["arr"]), arr, "{label}: arr");
    assert_eq!(int(&row["workspaces"]), workspaces, "{label}: workspaces");
    assert_eq!(int(&row["users"]), users, "{label}: users");
    doc.assert_float(label, "customer_share", share(customers, totals[0]));
    doc.assert_float(label, "arr_share", share(arr, totals[1]));
}

fn check_idps(doc: &Doc, label: &str, rows: &Value, expected: &BTreeMap<String, [i64; 5]>, total_arr: i64) {
    let rows = rows.as_array().unwrap();
    let got: BTreeMap<String, [i64; 5]> = rows
        .iter()
        .map(|r| {
            let counts = [
                int(&r["connections"]),
                int(&r["workspaces"]),
                int(&r["customers"]),
                cents(&r["arr"]),
                int(&r["logins"]),
            ];
            (r["idp"].as_str().unwrap().to_string(), counts)
        })
        .collect();
    assert_eq!(
        &got, expected,
        "{label}: per IdP [connections, workspaces, customers, arr cents, logins]"
    );
    for r in rows {
        doc.assert_float(
            &format!("{label}: {}", r["idp"]),
            "arr_share",
            share(cents(&r["arr"]), total_arr),
        );
    }
    // SPEC 4: by ARR descending, then customers descending, then name.
    let order: Vec<(i64, i64, &str)> = rows
        .iter()
        .map(|r| (-cents(&r["arr"]), -int(&r["customers"]), r["idp"].as_str().unwrap()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "{label}: IdP order");
}

#[test]
fn large_inputs_give_the_numbers_duckdb_works_out_independently() {
    let started = std::time::Instant::now();
    let p = Project::empty();
    let world = world();
    write_inputs(&world, p.dir.path());
    let size = |name: &str| std::fs::metadata(p.path(name)).unwrap().len();
    // The fast paths only run on inputs this large (see the module comment).
    assert!(
        size("arr-report-2026-06-30.csv") > 2 << 20,
        "the export must be read in two halves"
    );
    assert!(size("flags-2026-09-30.csv") > 2 << 20);
    assert!(
        size("auth0-2026-09-30.json") > 8 << 20,
        "the dump must span several ~1 MB batches"
    );
    println!("inputs written in {:?}", started.elapsed());

    for (q, date) in DATES.iter().enumerate() {
        let arr = if q == 0 { "arr-report" } else { "arr-api" };
        for (kind, file) in [
            ("flags", format!("flags-{date}.csv")),
            ("arr", format!("{arr}-{date}.csv")),
            ("workspace-accounts", format!("workspace-accounts-{date}.csv")),
            ("auth0", format!("auth0-{date}.json")),
        ] {
            p.run(&["load", kind, &file, "--as-of", date]);
        }
    }
    println!("loaded in {:?}", started.elapsed());
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    let flags_rows: Vec<i64> = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "flags")
        .map(|s| int(&s["rows"]))
        .collect();
    assert!(
        flags_rows.iter().all(|&n| n >= WORKSPACES as i64 * 49 / 50),
        "{snapshots}"
    );

    let expected = Expected::new(p.dir.path());
    println!("expected numbers worked out in {:?}", started.elapsed());
    let totals = [expected.totals(0), expected.totals(1)];
    assert!(
        totals[1][0] >= 40_000,
        "too few customers to be a large input: {totals:?}"
    );

    // revenue-share at the second quarter's end.
    let share_doc = Doc::of(&p, &["report", "revenue-share", "--format", "json"]);
    let share_json = &share_doc.json;
    let [customers, arr, workspaces, all_arr] = totals[1];
    assert_eq!(int(&share_json["totals"]["customers"]), customers);
    assert_eq!(cents(&share_json["totals"]["arr"]), arr);
    assert_eq!(int(&share_json["totals"]["workspaces"]), workspaces);
    share_doc.assert_float("revenue-share", "arr_coverage", share(arr, all_arr));
    for feature in FEATURES {
        check_feature(
            &share_doc,
            &format!("revenue-share {feature}"),
            feature_row(&share_json["features"], feature),
            expected.feature(1, feature),
            totals[1],
        );
    }
    let cov = &share_json["coverage"];
    let [without_account, without_workspace, arr_without, empty_arr, churned] = expected.coverage(1);
    assert_eq!(cents(&cov["all_arr"]), all_arr);
    assert_eq!(cents(&cov["attributable_arr"]), arr);
    assert_eq!(int(&cov["workspaces_without_account"]), without_account);
    assert_eq!(int(&cov["accounts_without_workspace"]), without_workspace);
    assert_eq!(cents(&cov["arr_without_workspace"]), arr_without);
    assert_eq!(int(&cov["accounts_empty_arr"]), empty_arr);
    assert_eq!(int(&cov["churned_accounts"]), churned);

    // idps at both dates (the first from the older snapshots, by --as-of).
    for (q, date) in DATES.iter().enumerate() {
        let idps = Doc::of(&p, &["report", "idps", "--format", "json", "--as-of", date]);
        assert_eq!(cents(&idps.json["total_arr"]), totals[q][1]);
        check_idps(
            &idps,
            &format!("idps {date}"),
            &idps.json["idps"],
            &expected.idps(q),
            totals[q][1],
        );
    }

    // quarterly: both quarter ends and the split of every feature's change.
    let quarterly_doc = Doc::of(&p, &["report", "quarterly", "--quarter", "2026Q3", "--format", "json"]);
    let quarterly = &quarterly_doc.json;
    for (q, side) in [(0, "previous"), (1, "current")] {
        let t = &quarterly[side]["totals"];
        assert_eq!(int(&t["customers"]), totals[q][0], "quarterly {side} customers");
        assert_eq!(cents(&t["arr"]), totals[q][1], "quarterly {side} arr");
        assert_eq!(int(&t["workspaces"]), totals[q][2], "quarterly {side} workspaces");
        assert_eq!(cents(&t["all_arr"]), totals[q][3], "quarterly {side} all_arr");
        for feature in FEATURES {
            check_feature(
                &quarterly_doc,
                &format!("quarterly {side} {feature}"),
                &feature_row(&quarterly["features"], feature)[side],
                expected.feature(q, feature),
                totals[q],
            );
        }
    }
    for feature in FEATURES {
        let c = feature_row(&quarterly["changes"], feature);
        let got = [
            int(&c["base_customers"]),
            int(&c["customers"]),
            cents(&c["base_arr"]),
            cents(&c["arr"]),
            int(&c["turned_on"]),
            cents(&c["turned_on_arr"]),
            int(&c["turned_off"]),
            cents(&c["turned_off_arr"]),
            int(&c["new_customers"]),
            cents(&c["new_arr"]),
            int(&c["churned_customers"]),
            cents(&c["churned_arr"]),
            cents(&c["retained_change"]),
        ];
        assert_eq!(got, expected.change(feature), "quarterly changes of {feature}");
        let f = feature_row(&quarterly["features"], feature);
        assert_eq!(cents(&f["arr_change"]), got[3] - got[2], "{feature}: arr_change");
        assert_eq!(
            int(&f["customers_change"]),
            got[1] - got[0],
            "{feature}: customers_change"
        );
    }
    let q_idps = &quarterly["idps"]["rows"];
    let current_idps = expected.idps(1);
    for row in q_idps.as_array().unwrap() {
        let name = row["idp"].as_str().unwrap();
        let e = current_idps[name];
        assert_eq!(int(&row["customers"]), e[2], "quarterly idps {name}: customers");
        assert_eq!(cents(&row["arr"]), e[3], "quarterly idps {name}: arr");
    }
    assert_eq!(q_idps.as_array().unwrap().len(), current_idps.len());
    println!("checked in {:?}", started.elapsed());
}
