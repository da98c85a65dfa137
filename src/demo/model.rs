//! The simulated company behind the demo: accounts, workspaces, Auth0 connections and
//! organizations, and how they change over the three snapshot quarters.
//! Knows the business story (who pays, who adopts SSO, who churns); knows nothing about
//! file formats, which the sibling writers own.

use chrono::{Days, NaiveDate};

use super::names::{self, Region};
use super::rng::{mix32, mix64, Rng};

pub(super) const SNAPSHOTS: usize = 3;
/// `gone`/`churned` value meaning "still there at the last snapshot".
pub(super) const NEVER: u8 = SNAPSHOTS as u8;

pub(super) const SSO: u8 = 1;
pub(super) const SCIM: u8 = 2;
pub(super) const MFA: u8 = 4;
pub(super) const IP_ALLOWLIST: u8 = 8;

/// Quarter ends, fixed so that the demo never depends on the clock.
pub(super) fn snapshot_dates() -> [NaiveDate; SNAPSHOTS] {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("valid fixed date");
    [d(3, 31), d(6, 30), d(9, 30)]
}

/// Share of workspaces that belong to no account.
const FREE_SHARE: f64 = 0.15;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Currency {
    Usd,
    Eur,
    Gbp,
}

impl Currency {
    pub(super) fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
        }
    }

    /// Units of USD per unit; the same rates the demo config declares.
    pub(super) fn usd_rate(self) -> f64 {
        match self {
            Currency::Usd => 1.0,
            Currency::Eur => 1.08,
            Currency::Gbp => 1.27,
        }
    }
}

/// How an ARR cell is spelled. Real exports differ by org settings and by who re-saved them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MoneyStyle {
    /// `USD 120,000.00`
    CodeGrouped,
    /// `$120,000.00` (USD only)
    SymbolGrouped,
    /// `120000.00`
    Plain,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rounding {
    Hundreds,
    Dollars,
    Cents,
}

/// Where an account's workspaces are recorded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Link {
    /// One export row per workspace, ARR repeated.
    Rows,
    /// One row, every workspace in the `Workspace ID` cell, `;`-separated.
    Cell,
    /// One row, the first n workspaces in the cell, the others in the mapping file.
    CellPartial(u8),
    /// One row with an empty cell; every workspace in the mapping file.
    Mapping,
}

pub(super) struct Account {
    pub(super) id15: [u8; 15],
    pub(super) name: String,
    pub(super) domain: String,
    pub(super) parent: Option<u32>,
    pub(super) currency: Currency,
    pub(super) money: MoneyStyle,
    pub(super) link: Link,
    pub(super) born: u8,
    /// Quarter in which ARR dropped to 0 or the account left the export; 0 for accounts
    /// already churned at the first snapshot; NEVER otherwise.
    pub(super) churned: u8,
    /// ARR in the account's currency, in cents; None when absent from that export.
    pub(super) arr_cents: [Option<i64>; SNAPSHOTS],
    pub(super) modified: [NaiveDate; SNAPSHOTS],
    /// ARR in USD at signing; drives feature adoption even after churn.
    pub(super) size_usd: f64,
    pub(super) workspaces: Vec<u32>,
    short: String,
    seats: f64,
    /// Workspaces at signing.
    spread: usize,
    /// Quarter in which the customer put its workspaces behind its IdP; NEVER if it has not.
    sso_from: u8,
    /// Quarter from which its IdP provisions users by SCIM; NEVER if it does not.
    scim_from: u8,
    /// Its security team restricts sign-in to office IPs on SSO workspaces.
    ip_policy: bool,
    idp: Idp,
    /// Its enterprise connections, the first one shared by all its SSO workspaces.
    connections: Vec<u32>,
    mfa_culture: bool,
    rounding: Rounding,
}

impl Account {
    /// Present in the snapshot's ARR export with ARR > 0.
    pub(super) fn paying(&self, q: usize) -> bool {
        self.arr_cents[q].is_some_and(|c| c > 0)
    }

    fn sso(&self, q: usize) -> bool {
        usize::from(self.sso_from) <= q
    }

    fn scim(&self, q: usize) -> bool {
        usize::from(self.scim_from) <= q
    }
}

/// How a customer's SSO reaches Auth0, decided when its first workspace turns SSO on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Idp {
    Undecided,
    /// Signs in through a setup Auth0 cannot see (a legacy service-provider integration).
    Elsewhere,
    /// Through enterprise connections traced to workspaces by `mapping`; `second`: a
    /// subsidiary or acquisition will bring a second IdP for one of its workspaces.
    Auth0 {
        mapping: Mapping,
        second: bool,
    },
}

pub(super) struct Workspace {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) account: Option<u32>,
    pub(super) born: u8,
    /// First snapshot the workspace no longer exists in; NEVER if it survives.
    pub(super) gone: u8,
    pub(super) users: [u32; SNAPSHOTS],
    /// Bit set of SSO, SCIM, MFA, IP_ALLOWLIST per snapshot.
    pub(super) flags: [u8; SNAPSHOTS],
    /// 0 = `true`/`false`; otherwise one of the other spellings a flags export carries.
    pub(super) spelling: u8,
    /// The IP-allowlist cell is empty (the column was added after the row).
    pub(super) blank_ip: bool,
    /// The enterprise connection its users sign in through (its customer's, or its own).
    pub(super) connection: Option<u32>,
    /// Its Auth0 organization, if it has one.
    pub(super) organization: Option<u32>,
    connection_decided: bool,
}

impl Workspace {
    pub(super) fn alive(&self, q: usize) -> bool {
        usize::from(self.born) <= q && q < usize::from(self.gone)
    }
}

/// The IdP behind a connection, and the Auth0 strategy it was set up with.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Vendor {
    Okta,
    OktaSaml,
    OktaOidc,
    /// SAML from an Okta org on a custom URL domain: only the cert subject tells.
    OktaCustomDomain,
    EntraWaad,
    EntraSaml,
    GoogleApps,
    GoogleSaml,
    OneLogin,
    PingOne,
    PingFederate,
    JumpCloud,
    Duo,
    Adfs,
    AdfsSaml,
    KeycloakSaml,
    KeycloakOidc,
    Shibboleth,
    OtherSaml,
    OtherOidc,
}

impl Vendor {
    pub(super) fn strategy(self) -> &'static str {
        match self {
            Vendor::Okta => "okta",
            Vendor::EntraWaad => "waad",
            Vendor::GoogleApps => "google-apps",
            Vendor::PingFederate => "pingfederate",
            Vendor::Adfs => "adfs",
            Vendor::OktaOidc | Vendor::Duo | Vendor::KeycloakOidc | Vendor::OtherOidc => "oidc",
            _ => "samlp",
        }
    }
}

/// How a connection can be traced to its workspace (SPEC 2.3 resolution order).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Mapping {
    Metadata,
    Name,
    Organization,
    /// A leftover proof of concept: no route to any workspace.
    Stale,
}

pub(super) struct Connection {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) display_name: Option<String>,
    pub(super) vendor: Vendor,
    pub(super) mapping: Mapping,
    /// The workspace its metadata or name points at: the first SSO workspace it served. With
    /// `Mapping::Organization` it is enabled in the organization of each workspace it serves.
    pub(super) workspace: Option<u32>,
    /// The customer's email domain.
    pub(super) domain: String,
    pub(super) born: u8,
    pub(super) gone: u8,
    /// Seeds the connection's details (client ids, thumbprints) identically in every snapshot.
    pub(super) key: u64,
}

impl Connection {
    pub(super) fn alive(&self, q: usize) -> bool {
        usize::from(self.born) <= q && q < usize::from(self.gone)
    }
}

pub(super) struct Organization {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) display_name: String,
    pub(super) workspace: Option<u32>,
    pub(super) connections: Vec<u32>,
    /// Also has the tenant's database connection enabled.
    pub(super) database: bool,
    pub(super) born: u8,
    pub(super) gone: u8,
}

impl Organization {
    pub(super) fn alive(&self, q: usize) -> bool {
        usize::from(self.born) <= q && q < usize::from(self.gone)
    }
}

pub(super) struct World {
    pub(super) seed: u64,
    pub(super) accounts: Vec<Account>,
    pub(super) workspaces: Vec<Workspace>,
    pub(super) connections: Vec<Connection>,
    pub(super) organizations: Vec<Organization>,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Chance that a customer of this size runs SSO when it signs: 1% under $10k ARR (SSO comes
/// with the enterprise plan), 14% at $100k, 60% at $250k, 85% at $500k.
fn sso_propensity(size_usd: f64) -> f64 {
    0.01 + 0.94 * logistic(-30.6 + 2.5 * size_usd.ln())
}

/// Share of a propensity that turns into SSO each quarter for a customer without it.
const SSO_ADOPTION_PER_QUARTER: f64 = 0.4;

/// Chance that a customer taking up SSO provisions users by SCIM from the start: 40% at
/// $100k ARR, 55% at $500k.
fn scim_propensity(size_usd: f64) -> f64 {
    logistic(-5.0 + 0.4 * size_usd.ln())
}

/// Contract value per workspace, roughly: a customer opens about one workspace per this much
/// ARR (a team or a region each), so a $10k customer has one or two and a $1M one dozens.
const ARR_PER_WORKSPACE_USD: f64 = 18_500.0;
/// No customer spreads further; the largest contracts in a million-workspace demo reach it.
const MAX_WORKSPACES: usize = 400;
/// Nor over more than this share of a small demo's workspaces, so that one customer does not
/// make a 2,000-workspace sample lopsided and counts scale with the size asked for.
const MAX_WORKSPACE_SHARE: f64 = 0.05;
/// A Salesforce text field listing workspace IDs stays readable up to about this many; larger
/// customers are tracked one row per workspace or in the mapping file.
const MAX_IDS_IN_CELL: usize = 12;

/// Build the whole three-quarter history for about `workspaces` workspaces.
pub(super) fn simulate(workspaces: usize, seed: u64) -> World {
    let mut sim = Sim {
        rng: Rng::new(seed),
        world: World {
            seed,
            accounts: Vec::new(),
            workspaces: Vec::with_capacity(workspaces + workspaces / 20),
            connections: Vec::new(),
            organizations: Vec::new(),
        },
        account_ids: AccountIds::new(seed),
        max_workspaces: MAX_WORKSPACES
            .min((workspaces as f64 * MAX_WORKSPACE_SHARE) as usize)
            .max(1),
        free: 0,
        created: 0,
        dates: snapshot_dates(),
    };
    // A few percent of the final population appears in each later quarter.
    let later = (workspaces as f64 * 0.03).round() as usize;
    let quotas = [workspaces.saturating_sub(2 * later), later, later];
    for (q, quota) in quotas.into_iter().enumerate() {
        sim.evolve_accounts(q);
        sim.create_quarter(q, quota);
        sim.evolve_workspaces(q);
    }
    sim.add_stale_connections();
    sim.add_case_twin();
    sim.world
}

struct Sim {
    rng: Rng,
    world: World,
    account_ids: AccountIds,
    max_workspaces: usize,
    free: usize,
    created: usize,
    dates: [NaiveDate; SNAPSHOTS],
}

impl Sim {
    fn date_within(&mut self, q: usize, max_days_back: u64) -> NaiveDate {
        let back = self.rng.below(max_days_back);
        self.dates[q].checked_sub_days(Days::new(back)).expect("date in range")
    }

    /// ARR movements and SSO decisions of accounts that existed before quarter `q`.
    fn evolve_accounts(&mut self, q: usize) {
        if q == 0 {
            return;
        }
        for ai in 0..self.world.accounts.len() {
            let (prev, prev_modified) = {
                let a = &self.world.accounts[ai];
                (a.arr_cents[q - 1], a.modified[q - 1])
            };
            let mut next = prev;
            let mut modified = prev_modified;
            if let Some(cents) = prev.filter(|c| *c > 0) {
                if self.rng.chance(0.022) {
                    // Churn: most stay in Salesforce at ARR 0, some are deleted or merged.
                    self.world.accounts[ai].churned = q as u8;
                    next = if self.rng.chance(0.65) { Some(0) } else { None };
                    modified = self.date_within(q, 90);
                } else if self.rng.chance(0.22) {
                    let factor = if self.rng.chance(0.7) {
                        self.rng.uniform(1.08, 1.6)
                    } else {
                        self.rng.uniform(0.6, 0.95)
                    };
                    let rounding = self.world.accounts[ai].rounding;
                    next = Some(to_cents(cents as f64 / 100.0 * factor, rounding));
                    modified = self.date_within(q, 90);
                }
            }
            let a = &mut self.world.accounts[ai];
            a.arr_cents[q] = next;
            a.modified[q] = modified;
            if a.paying(q) && !a.sso(q) {
                let p = SSO_ADOPTION_PER_QUARTER * sso_propensity(a.size_usd);
                if self.rng.chance(p) {
                    self.world.accounts[ai].sso_from = q as u8;
                }
            }
            // SCIM comes with SSO, or follows it some quarters later.
            let a = &self.world.accounts[ai];
            if a.paying(q) && a.sso(q) && !a.scim(q) {
                let p = if usize::from(a.sso_from) == q {
                    scim_propensity(a.size_usd)
                } else {
                    0.04 + 0.06 * sso_propensity(a.size_usd)
                };
                if self.rng.chance(p) {
                    self.world.accounts[ai].scim_from = q as u8;
                }
            }
        }
    }

    /// New accounts and workspaces of quarter `q`, about `quota` workspaces in all.
    fn create_quarter(&mut self, q: usize, quota: usize) {
        // None = a free workspace; Some((account, nth workspace of that account)).
        let mut pending: Vec<Option<(u32, usize)>> = Vec::with_capacity(quota + 8);
        if q > 0 {
            for ai in 0..self.world.accounts.len() {
                let a = &self.world.accounts[ai];
                if a.born as usize >= q || !a.paying(q) || a.workspaces.is_empty() {
                    continue;
                }
                let nth = a.workspaces.len();
                if nth < self.max_workspaces && self.rng.chance(0.02) {
                    // Land and expand: a big customer adds several teams at once.
                    let extra =
                        (1 + (nth as f64 * self.rng.uniform(0.0, 0.05)) as usize).min(self.max_workspaces - nth);
                    pending.extend((nth..nth + extra).map(|n| Some((ai as u32, n))));
                    self.created += extra;
                }
            }
        }
        while pending.len() < quota {
            if (self.free as f64) < FREE_SHARE * (self.created + 1) as f64 {
                pending.push(None);
                self.free += 1;
                self.created += 1;
            } else {
                let (ai, k) = self.new_account(q);
                for nth in 0..k {
                    pending.push(Some((ai, nth)));
                }
                self.created += k;
            }
        }
        // Creation order interleaves customers and free sign-ups, as a product database does.
        for i in (1..pending.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            pending.swap(i, j);
        }
        for p in pending {
            self.new_workspace(q, p);
        }
    }

    fn new_account(&mut self, q: usize) -> (u32, usize) {
        let rng = &mut self.rng;
        let region = match rng.f64() {
            x if x < 0.08 => Region::Eu,
            x if x < 0.12 => Region::Uk,
            _ => Region::Us,
        };
        let currency = match region {
            Region::Us => Currency::Usd,
            Region::Eu => Currency::Eur,
            Region::Uk => Currency::Gbp,
        };
        // Median $18k with a tail into the millions; nobody signs below a minimum contract.
        let size_usd = rng.lognormal(18_000.0, 1.5).max(1_200.0);
        let company = names::company(rng, region);
        let tld = match region {
            Region::Us => *rng.pick(&[".com", ".com", ".com", ".io", ".co"]),
            Region::Eu => *rng.pick(&[".de", ".fr", ".nl", ".es", ".eu", ".it"]),
            Region::Uk => ".co.uk",
        };
        let domain = format!("{}{}", names::slug(&company.short, 30), tld);
        let parent = if self.world.accounts.len() >= 20 && rng.chance(0.04) {
            Some(rng.below(self.world.accounts.len() as u64) as u32)
        } else {
            None
        };
        let money = if currency == Currency::Usd {
            [MoneyStyle::CodeGrouped, MoneyStyle::SymbolGrouped, MoneyStyle::Plain][rng.weighted(&[0.4, 0.3, 0.3])]
        } else if rng.chance(0.8) {
            MoneyStyle::CodeGrouped
        } else {
            MoneyStyle::Plain
        };
        let rounding = [Rounding::Hundreds, Rounding::Dollars, Rounding::Cents][rng.weighted(&[0.55, 0.25, 0.2])];
        // Workspaces grow with the contract: most customers have one or two, the biggest
        // hundreds. A few pay for nothing the product can see (ARR without a workspace).
        let k = if rng.chance(0.015) {
            0
        } else {
            let spread = size_usd / ARR_PER_WORKSPACE_USD * rng.lognormal(1.0, 0.6);
            (1 + spread as usize).min(self.max_workspaces)
        };
        let partial = |rng: &mut Rng| Link::CellPartial(1 + rng.below((k as u64 - 1).min(5)) as u8);
        let link = match k {
            0 => Link::Cell,
            1 if rng.chance(0.8) => Link::Cell,
            1 => Link::Mapping,
            2..=MAX_IDS_IN_CELL => match rng.weighted(&[0.40, 0.35, 0.10, 0.15]) {
                0 => Link::Rows,
                1 => Link::Cell,
                2 => partial(rng),
                _ => Link::Mapping,
            },
            _ => match rng.weighted(&[0.30, 0.15, 0.55]) {
                0 => Link::Rows,
                1 => partial(rng),
                _ => Link::Mapping,
            },
        };
        let churned_already = q == 0 && rng.chance(0.04);
        let cents = if churned_already {
            0
        } else {
            to_cents(size_usd / currency.usd_rate(), rounding)
        };
        let seats = (size_usd / rng.lognormal(160.0, 0.45)).max(3.0);
        // SSO is a company decision: one IdP for all its workspaces.
        let sso = rng.chance(sso_propensity(size_usd));
        // Forced MFA is a security-team policy: decided per customer, a bit likelier when
        // the same team already runs SSO.
        let mfa_culture = rng.chance(logistic(-2.3 + 0.17 * size_usd.ln() + if sso { 0.4 } else { 0.0 }));
        let scim = sso && rng.chance(scim_propensity(size_usd));
        // Office-IP restrictions: 4% of median customers, a quarter of those at $500k.
        let ip_policy = rng.chance(logistic(-9.0 + 0.6 * size_usd.ln()));
        let modified = self.date_within(q, if churned_already { 400 } else { 700 });
        let id15 = self.account_ids.next(&mut self.rng);
        let mut arr_cents = [None; SNAPSHOTS];
        arr_cents[q] = Some(cents);
        self.world.accounts.push(Account {
            id15,
            name: company.legal,
            domain,
            parent,
            currency,
            money,
            link,
            born: q as u8,
            churned: if churned_already { 0 } else { NEVER },
            arr_cents,
            modified: [modified; SNAPSHOTS],
            size_usd,
            workspaces: Vec::new(),
            short: company.short,
            seats,
            spread: k,
            sso_from: if sso { q as u8 } else { NEVER },
            scim_from: if scim { q as u8 } else { NEVER },
            ip_policy,
            idp: Idp::Undecided,
            connections: Vec::new(),
            mfa_culture,
            rounding,
        });
        ((self.world.accounts.len() - 1) as u32, k)
    }

    fn new_workspace(&mut self, q: usize, owner: Option<(u32, usize)>) {
        let index = self.world.workspaces.len() as u32;
        let rng = &mut self.rng;
        let (name, users, flags) = match owner {
            None => {
                let users = rng.lognormal(3.0, 0.9).round().clamp(1.0, 250.0) as u32;
                let mut flags = 0;
                if rng.chance(0.006) {
                    flags |= SSO;
                }
                if rng.chance(0.06) {
                    flags |= MFA;
                }
                (names::free_workspace(rng), users, flags)
            }
            Some((ai, nth)) => {
                let a = &self.world.accounts[ai as usize];
                let share = if nth == 0 { 0.6 } else { rng.uniform(0.05, 0.4) };
                // Spread over many workspaces, the seats are split rather than repeated.
                let share = share / (0.6 + 0.225 * a.spread.saturating_sub(1) as f64).max(1.0);
                let users = (a.seats * share * rng.lognormal(1.0, 0.2)).round().max(1.0) as u32;
                let flags = initial_paid_flags(rng, a, nth, q);
                (names::paid_workspace(rng, &a.short, nth), users, flags)
            }
        };
        // One of each, at fixed places, so every demo has them to show off escaping.
        let name = match index {
            7 => "<b>HTML</b> in a workspace name".to_string(),
            13 => "Data | Platform".to_string(),
            _ => name,
        };
        let spelling = if rng.chance(0.03) { 1 + rng.below(5) as u8 } else { 0 };
        let blank_ip = rng.chance(0.004);
        if let Some((ai, _)) = owner {
            self.world.accounts[ai as usize].workspaces.push(index);
        }
        let mut users_all = [0; SNAPSHOTS];
        users_all[q] = users;
        let mut flags_all = [0; SNAPSHOTS];
        flags_all[q] = flags;
        self.world.workspaces.push(Workspace {
            id: workspace_id(self.world.seed, index),
            name,
            account: owner.map(|(ai, _)| ai),
            born: q as u8,
            gone: NEVER,
            users: users_all,
            flags: flags_all,
            spelling,
            blank_ip,
            connection: None,
            organization: None,
            connection_decided: false,
        });
        // Some B2B customers get an Auth0 organization before any SSO exists.
        if owner.is_some() && self.rng.chance(0.02) {
            let oi = self.new_organization(q, index, None);
            self.world.workspaces[index as usize].organization = Some(oi);
        }
    }

    /// Users, feature switches, deletions and new IdP connections of quarter `q`.
    fn evolve_workspaces(&mut self, q: usize) {
        for wi in 0..self.world.workspaces.len() {
            let ws = &self.world.workspaces[wi];
            if !ws.alive(q) {
                continue;
            }
            if usize::from(ws.born) < q {
                let account = ws.account.map(|ai| &self.world.accounts[ai as usize]);
                let churned_now = account.is_some_and(|a| usize::from(a.churned) == q);
                let deleted = if churned_now {
                    self.rng.chance(0.4)
                } else {
                    account.is_none() && self.rng.chance(0.02)
                };
                if deleted {
                    self.delete_workspace(wi, q);
                    continue;
                }
                let (prev_users, prev_flags) = (ws.users[q - 1], ws.flags[q - 1]);
                let drift = if churned_now { 0.85 } else { 1.02 };
                let users = (f64::from(prev_users) * self.rng.lognormal(drift, 0.06))
                    .round()
                    .max(1.0) as u32;
                let flags = match account {
                    Some(a) if a.paying(q) => {
                        let main = a.workspaces.first() == Some(&(wi as u32));
                        paid_transition(&mut self.rng, prev_flags, a, main, q)
                    }
                    Some(_) => lapsed_transition(&mut self.rng, prev_flags),
                    None => free_transition(&mut self.rng, prev_flags),
                };
                let ws = &mut self.world.workspaces[wi];
                ws.users[q] = users;
                ws.flags[q] = flags;
            }
            let ws = &self.world.workspaces[wi];
            if ws.flags[q] & SSO != 0 && !ws.connection_decided {
                self.world.workspaces[wi].connection_decided = true;
                self.connect_workspace(q, wi as u32);
            }
        }
    }

    fn delete_workspace(&mut self, wi: usize, q: usize) {
        let ws = &mut self.world.workspaces[wi];
        ws.gone = q as u8;
        if let Some(oi) = ws.organization {
            self.world.organizations[oi as usize].gone = q as u8;
        }
        // A connection whose metadata or name points here goes with it: customers delete
        // their IdP setup when they leave.
        if let Some(ci) = ws.connection {
            let c = &mut self.world.connections[ci as usize];
            if c.workspace == Some(wi as u32) {
                c.gone = q as u8;
            }
        }
    }

    /// Workspace `wi` has just turned SSO on for the first time: route it through its
    /// customer's IdP connection (a company has one IdP, set up once), or give a free
    /// workspace a connection of its own.
    fn connect_workspace(&mut self, q: usize, wi: u32) {
        // Some SSO runs through a setup Auth0 cannot see (a legacy service-provider integration).
        const VISIBLE: f64 = 0.88;
        let Some(ai) = self.world.workspaces[wi as usize].account else {
            if self.rng.chance(VISIBLE) {
                let mapping = pick_mapping(&mut self.rng);
                self.new_connection(q, wi, mapping);
            }
            return;
        };
        let a = &self.world.accounts[ai as usize];
        match a.idp {
            Idp::Undecided => {
                if !self.rng.chance(VISIBLE) {
                    self.world.accounts[ai as usize].idp = Idp::Elsewhere;
                    return;
                }
                let mapping = pick_mapping(&mut self.rng);
                // A few customers, mostly big ones, run a second IdP (a subsidiary, an acquisition).
                let second = self.rng.chance(if a.size_usd > 250_000.0 { 0.08 } else { 0.01 });
                let ci = self.new_connection(q, wi, mapping);
                let a = &mut self.world.accounts[ai as usize];
                a.idp = Idp::Auth0 { mapping, second };
                a.connections.push(ci);
            }
            Idp::Elsewhere => {}
            Idp::Auth0 { second: true, .. } if a.connections.len() == 1 => {
                let mapping = pick_mapping(&mut self.rng);
                let ci = self.new_connection(q, wi, mapping);
                self.world.accounts[ai as usize].connections.push(ci);
            }
            Idp::Auth0 { mapping, .. } => {
                let ci = a.connections[0];
                self.world.workspaces[wi as usize].connection = Some(ci);
                if mapping == Mapping::Organization {
                    self.enable_in_organization(q, wi, ci);
                }
            }
        }
    }

    /// Enable connection `ci` in workspace `wi`'s organization, creating one if needed.
    fn enable_in_organization(&mut self, q: usize, wi: u32, ci: u32) {
        match self.world.workspaces[wi as usize].organization {
            Some(oi) => self.world.organizations[oi as usize].connections.push(ci),
            None => {
                let oi = self.new_organization(q, wi, Some(ci));
                self.world.workspaces[wi as usize].organization = Some(oi);
            }
        }
    }

    /// A new enterprise connection whose metadata, name or organization points at `wi`.
    fn new_connection(&mut self, q: usize, wi: u32, mapping: Mapping) -> u32 {
        let index = self.world.connections.len() as u32;
        let ws = &self.world.workspaces[wi as usize];
        let account = ws.account.map(|ai| &self.world.accounts[ai as usize]);
        let size = account.map_or(5_000.0, |a| a.size_usd);
        let (stem, domain, display) = match account {
            Some(a) => (names::slug(&a.short, 40), a.domain.clone(), format!("{} SSO", a.short)),
            None => {
                let stem = names::slug(&ws.name, 30);
                let domain = format!("{stem}.io");
                (stem, domain, ws.name.clone())
            }
        };
        let vendor = pick_vendor(&mut self.rng, size);
        let name = match mapping {
            Mapping::Name => format!("ws-{}-sso", ws.id),
            // Like the Auth0 B2B starter: customer slug plus random hex, unique per tenant.
            _ => format!("{stem}-{:08x}", mix32(index, self.world.seed as u32)),
        };
        let display_name = self.rng.chance(0.7).then_some(display);
        let key = mix64(self.world.seed ^ 0xC0_4E_C7 ^ (u64::from(index) << 20));
        let id = auth0_id("con_", self.world.seed ^ 0xC0, u64::from(index));
        self.world.connections.push(Connection {
            id,
            name,
            display_name,
            vendor,
            mapping,
            workspace: Some(wi),
            domain,
            born: q as u8,
            gone: NEVER,
            key,
        });
        self.world.workspaces[wi as usize].connection = Some(index);
        if mapping == Mapping::Organization {
            self.enable_in_organization(q, wi, index);
        }
        index
    }

    fn new_organization(&mut self, q: usize, wi: u32, connection: Option<u32>) -> u32 {
        let index = self.world.organizations.len() as u32;
        let ws = &self.world.workspaces[wi as usize];
        // Named after the customer, or after the workspace when the customer has several.
        let display_name = match ws.account.map(|ai| &self.world.accounts[ai as usize]) {
            Some(a) if a.workspaces.first() == Some(&wi) => a.name.clone(),
            _ => ws.name.clone(),
        };
        let hex = mix32(index, (self.world.seed >> 32) as u32);
        let name = format!("{}-{hex:08x}", names::slug(&display_name, 36));
        self.world.organizations.push(Organization {
            id: auth0_id("org_", self.world.seed ^ 0x06, u64::from(index)),
            name,
            display_name,
            workspace: Some(wi),
            connections: connection.into_iter().collect(),
            database: connection.is_none() || self.rng.chance(0.3),
            born: q as u8,
            gone: NEVER,
        });
        index
    }

    /// Proofs of concept nobody cleaned up: connections that map to no workspace at all.
    fn add_stale_connections(&mut self) {
        let stale = [
            ("okta-poc-2024", Vendor::Okta, "acme-test.com"),
            ("saml-test-old", Vendor::OtherSaml, "example.org"),
            ("legacy-adfs-migration", Vendor::Adfs, "corp.example.net"),
        ];
        let count = 2 + usize::from(self.rng.chance(0.5));
        for (name, vendor, domain) in stale.into_iter().take(count) {
            let index = self.world.connections.len() as u64;
            self.world.connections.push(Connection {
                id: auth0_id("con_", self.world.seed ^ 0xC0, index),
                name: name.to_string(),
                display_name: None,
                vendor,
                mapping: Mapping::Stale,
                workspace: None,
                domain: domain.to_string(),
                born: 0,
                gone: NEVER,
                key: mix64(self.world.seed ^ 0xC0_4E_C7 ^ (index << 20)),
            });
        }
    }

    /// Salesforce IDs are case-sensitive: make one account whose 15-character ID differs
    /// from another's only by case, so that a loader that lower-cases IDs merges them.
    fn add_case_twin(&mut self) {
        let n = self.world.accounts.len();
        if n < 30 {
            return;
        }
        let (i, j) = (n / 3, n / 3 + 1);
        let mut twin = self.world.accounts[i].id15;
        let Some(pos) = (6..15).rev().find(|&p| twin[p].is_ascii_alphabetic()) else {
            return;
        };
        twin[pos] ^= 0x20;
        if self.world.accounts.iter().all(|a| a.id15 != twin) {
            self.world.accounts[j].id15 = twin;
        }
    }
}

fn to_cents(amount: f64, rounding: Rounding) -> i64 {
    let cents = match rounding {
        Rounding::Hundreds => (amount / 100.0).round().max(1.0) * 10_000.0,
        Rounding::Dollars => amount.round().max(1.0) * 100.0,
        Rounding::Cents => (amount * 100.0).round().max(100.0),
    };
    cents as i64
}

/// A new workspace of a paying customer follows the customer's SSO, SCIM and IP policies,
/// except where its admins have not switched them on (yet).
fn initial_paid_flags(rng: &mut Rng, a: &Account, nth: usize, q: usize) -> u8 {
    let sso = a.sso(q) && (nth == 0 || rng.chance(0.85));
    let mut flags = 0;
    if sso {
        flags |= SSO;
        if a.scim(q) && rng.chance(0.8) {
            flags |= SCIM;
        }
        if a.ip_policy && rng.chance(0.4) {
            flags |= IP_ALLOWLIST;
        }
    }
    if rng.chance(if a.mfa_culture { 0.8 } else { 0.04 }) {
        flags |= MFA;
    }
    flags
}

/// Flip bit `bit` on with `on`, off with `off`.
fn toggle(rng: &mut Rng, flags: u8, bit: u8, on: f64, off: f64) -> u8 {
    if flags & bit == 0 {
        if rng.chance(on) {
            return flags | bit;
        }
    } else if rng.chance(off) {
        return flags & !bit;
    }
    flags
}

/// A paying customer's quarter: SSO rolls out over the workspaces of a customer that chose
/// it (the `main` one first), other adoption creeps up, a few switch something off.
fn paid_transition(rng: &mut Rng, flags: u8, a: &Account, main: bool, q: usize) -> u8 {
    let rollout = match (usize::from(a.sso_from) == q, main) {
        _ if !a.sso(q) => 0.0,
        (true, true) => 1.0,
        (true, false) => 0.6,
        (false, _) => 0.25,
    };
    let mut f = toggle(rng, flags, SSO, rollout, 0.01);
    // SCIM follows the customer's IdP, mostly in the same change as SSO.
    let scim_on = match () {
        _ if !a.scim(q) => 0.0,
        _ if flags & SSO == 0 || usize::from(a.scim_from) == q => 0.8,
        _ => 0.4,
    };
    f = if f & SSO == 0 {
        f & !SCIM
    } else {
        toggle(rng, f, SCIM, scim_on, 0.015)
    };
    f = toggle(rng, f, MFA, 0.025, 0.01);
    // IP allowlist is not cleared when SSO goes: that requirement breach is for `doctor`.
    let ip_on = if f & SSO != 0 && a.ip_policy { 0.05 } else { 0.0 };
    toggle(rng, f, IP_ALLOWLIST, ip_on, 0.02)
}

/// A former customer: nobody maintains the setup any more.
fn lapsed_transition(rng: &mut Rng, flags: u8) -> u8 {
    let mut f = toggle(rng, flags, SSO, 0.0, 0.3);
    if f & SSO == 0 {
        f &= !SCIM;
    }
    toggle(rng, f, MFA, 0.0, 0.1)
}

fn free_transition(rng: &mut Rng, flags: u8) -> u8 {
    let f = toggle(rng, flags, SSO, 0.002, 0.02);
    toggle(rng, f, MFA, 0.01, 0.02)
}

/// How a new connection will be traced to its workspaces (SPEC 2.3).
fn pick_mapping(rng: &mut Rng) -> Mapping {
    [Mapping::Metadata, Mapping::Name, Mapping::Organization][rng.weighted(&[0.50, 0.35, 0.15])]
}

/// Vendor mix of enterprise connections: Okta ~35%, Entra ID ~30%, Google, then the long
/// tail. Small customers lean to Google Workspace, large ones to Okta.
fn pick_vendor(rng: &mut Rng, size_usd: f64) -> Vendor {
    let big = size_usd > 100_000.0;
    let small = size_usd < 10_000.0;
    let google = if small { 0.20 } else { 0.09 };
    let okta = if big { 0.40 } else { 0.33 };
    let table: [(f64, Vendor); 20] = [
        (okta * 0.50, Vendor::Okta),
        (okta * 0.36, Vendor::OktaSaml),
        (okta * 0.09, Vendor::OktaOidc),
        (okta * 0.05, Vendor::OktaCustomDomain),
        (0.30 * 0.65, Vendor::EntraWaad),
        (0.30 * 0.35, Vendor::EntraSaml),
        (google * 0.8, Vendor::GoogleApps),
        (google * 0.2, Vendor::GoogleSaml),
        (0.05, Vendor::OneLogin),
        (0.025, Vendor::PingOne),
        (0.015, Vendor::PingFederate),
        (0.04, Vendor::JumpCloud),
        (0.02, Vendor::Duo),
        (0.015, Vendor::Adfs),
        (0.015, Vendor::AdfsSaml),
        (0.012, Vendor::KeycloakSaml),
        (0.008, Vendor::KeycloakOidc),
        (0.005, Vendor::Shibboleth),
        (0.015, Vendor::OtherSaml),
        (0.01, Vendor::OtherOidc),
    ];
    let weights: [f64; 20] = std::array::from_fn(|i| table[i].0);
    table[rng.weighted(&weights)].1
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `w` + 10 hex digits: a seeded bijection of the index, so ids look random yet never
/// collide, and fit Auth0's connection-name alphabet in `ws-<id>-sso`.
fn workspace_id(seed: u64, index: u32) -> String {
    const MASK: u64 = (1 << 40) - 1;
    let mut x = (u64::from(index) + (mix64(seed) & MASK)) & MASK;
    // Odd multipliers and xor-shifts are invertible modulo 2^40.
    x = x.wrapping_mul(0x009E_3779_B97F) & MASK;
    x ^= x >> 19;
    x = x.wrapping_mul(0x00C2_B2AE_3D27) & MASK;
    x ^= x >> 23;
    format!("w{x:010x}")
}

/// `con_`/`org_` + 16 base-62 characters; the first 11 encode a bijection of the index.
fn auth0_id(prefix: &str, seed: u64, index: u64) -> String {
    let mut out = String::with_capacity(prefix.len() + 16);
    out.push_str(prefix);
    let mut x = mix64(index ^ mix64(seed));
    for _ in 0..11 {
        out.push(BASE62[(x % 62) as usize] as char);
        x /= 62;
    }
    let mut y = mix64(index.wrapping_add(seed));
    for _ in 0..5 {
        out.push(BASE62[(y % 62) as usize] as char);
        y /= 62;
    }
    out
}

/// Salesforce Account IDs: `001`, a two-character pod, a reserved `0`, then a base-62
/// counter that grows with each record, as real IDs do. Case matters in these IDs.
struct AccountIds {
    counters: [u64; 6],
}

const PODS: [&[u8; 2]; 6] = [b"5g", b"8c", b"Dn", b"Hs", b"4x", b"1N"];

impl AccountIds {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::stream(seed, 0xACC, 0);
        let mut counters = [0; 6];
        for c in &mut counters {
            *c = 62u64.pow(4) * (10 + rng.below(200)) + rng.below(62u64.pow(4));
        }
        AccountIds { counters }
    }

    fn next(&mut self, rng: &mut Rng) -> [u8; 15] {
        let pod = rng.below(PODS.len() as u64) as usize;
        self.counters[pod] += 1 + rng.below(40);
        let mut id = *b"001xx0000000000";
        id[3..5].copy_from_slice(PODS[pod]);
        let mut n = self.counters[pod];
        for slot in id[6..].iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_ids_unique_for_a_million() {
        let mut ids: Vec<String> = (0..1_000_000).map(|i| workspace_id(42, i)).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 1_000_000);
    }

    #[test]
    fn sso_propensity_matches_brief() {
        assert!((0.005..0.03).contains(&sso_propensity(5_000.0)));
        assert!((0.1..0.3).contains(&sso_propensity(100_000.0)));
        assert!(sso_propensity(500_000.0) > 0.8);
    }
}
