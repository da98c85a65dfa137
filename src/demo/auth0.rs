//! The Auth0 dump of the demo (SPEC 2.3): `{"connections", "organizations", "logs"}` with
//! every object in the Management API's own shape (reference auth0-api.md §3-5).
//! Streams JSON by hand because a dump holds up to a million log objects; owns the
//! per-vendor option fields and login volumes, not who has SSO (the model decides that).

use std::io::{self, Write};

use chrono::{Days, NaiveDateTime};

use super::model::{snapshot_dates, Connection, Mapping, Vendor, World, SSO};
use super::names::{PEOPLE_FIRST, PEOPLE_LAST};
use super::rng::{mix64, Rng};
use super::text::{write_iso_millis, write_json_str, write_padded, write_u64};

/// Our own (fictional) product's Auth0 tenant.
const TENANT_HOST: &str = "workspaceapp.us.auth0.com";
const DATABASE: &str = "Username-Password-Authentication";
const SOCIAL: &str = "google-oauth2";
const WEB_APP: &str = "Workspace App";
const DESKTOP_APP: &str = "Workspace App Desktop";
/// Enterprise users sign in about this often per 30 days, before the size cap applies.
const LOGINS_PER_USER: f64 = 18.0;
const LOG_DAYS: u64 = 30;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Tenant-wide ids, identical in every snapshot of one seed.
struct Tenant {
    web_client: String,
    desktop_client: String,
    database_id: String,
    social_id: String,
}

impl Tenant {
    fn new(seed: u64) -> Self {
        let mut r = Rng::stream(seed, 0x7E4A, 0);
        Tenant {
            web_client: b62_string(&mut r, 32),
            desktop_client: b62_string(&mut r, 32),
            database_id: format!("con_{}", b62_string(&mut r, 16)),
            social_id: format!("con_{}", b62_string(&mut r, 16)),
        }
    }
}

fn b62_string(r: &mut Rng, n: usize) -> String {
    (0..n).map(|_| BASE62[r.below(62) as usize] as char).collect()
}

/// The dump for snapshot `q`, with at most about `log_cap` log objects.
pub(super) fn write_auth0<W: Write>(w: &mut W, world: &World, q: usize, log_cap: usize) -> io::Result<()> {
    let tenant = Tenant::new(world.seed);
    w.write_all(b"{\n\"connections\": [\n")?;
    write_builtin_connections(w, &tenant)?;
    for c in world.connections.iter().filter(|c| c.alive(q)) {
        w.write_all(b",\n")?;
        write_connection(w, world, c)?;
    }
    w.write_all(b"\n],\n\"organizations\": [")?;
    let mut first = true;
    for org in world.organizations.iter().filter(|o| o.alive(q)) {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        w.write_all(b"{\"id\":")?;
        write_json_str(w, &org.id)?;
        w.write_all(b",\"name\":")?;
        write_json_str(w, &org.name)?;
        w.write_all(b",\"display_name\":")?;
        write_json_str(w, &org.display_name)?;
        if let Some(wi) = org.workspace {
            w.write_all(b",\"metadata\":{\"workspace_id\":")?;
            write_json_str(w, &world.workspaces[wi as usize].id)?;
            w.write_all(b"}")?;
        }
        w.write_all(b",\"enabled_connections\":[")?;
        let mut first_conn = true;
        // Deleting a connection removes it from every organization.
        for c in org
            .connections
            .iter()
            .map(|ci| &world.connections[*ci as usize])
            .filter(|c| c.alive(q))
        {
            if !first_conn {
                w.write_all(b",")?;
            }
            first_conn = false;
            w.write_all(b"{\"connection_id\":")?;
            write_json_str(w, &c.id)?;
            w.write_all(b",\"assign_membership_on_login\":true,\"show_as_button\":true,\"connection\":{\"name\":")?;
            write_json_str(w, &c.name)?;
            write!(w, ",\"strategy\":\"{}\"}}}}", c.vendor.strategy())?;
        }
        if org.database {
            if !first_conn {
                w.write_all(b",")?;
            }
            write!(
                w,
                "{{\"connection_id\":\"{}\",\"assign_membership_on_login\":false,\"show_as_button\":true,\"is_signup_enabled\":false,\"connection\":{{\"name\":\"{DATABASE}\",\"strategy\":\"auth0\"}}}}",
                tenant.database_id
            )?;
        }
        w.write_all(b"]}")?;
    }
    w.write_all(b"\n],\n\"logs\": [")?;
    write_logs(w, world, &tenant, q, log_cap)?;
    w.write_all(b"\n]\n}\n")
}

/// The database and social connections every tenant has; neither is an IdP.
fn write_builtin_connections<W: Write>(w: &mut W, t: &Tenant) -> io::Result<()> {
    writeln!(
        w,
        "{{\"id\":\"{}\",\"options\":{{\"brute_force_protection\":true,\"strategy_version\":2}},\"strategy\":\"auth0\",\"name\":\"{DATABASE}\",\"is_domain_connection\":false,\"show_as_button\":true,\"enabled_clients\":[\"{}\",\"{}\"],\"realms\":[\"{DATABASE}\"],\"authentication\":{{\"active\":true}},\"connected_accounts\":{{\"active\":false}}}},",
        t.database_id, t.web_client, t.desktop_client
    )?;
    write!(
        w,
        "{{\"id\":\"{}\",\"options\":{{\"email\":true,\"scope\":[\"email\",\"profile\"],\"profile\":true}},\"strategy\":\"{SOCIAL}\",\"name\":\"{SOCIAL}\",\"is_domain_connection\":false,\"show_as_button\":true,\"enabled_clients\":[\"{}\"],\"realms\":[\"{SOCIAL}\"],\"authentication\":{{\"active\":true}},\"connected_accounts\":{{\"active\":false}}}}",
        t.social_id, t.web_client
    )
}

fn write_connection<W: Write>(w: &mut W, world: &World, c: &Connection) -> io::Result<()> {
    let mut r = Rng::new(c.key);
    let strategy = c.vendor.strategy();
    write!(w, "{{\"id\":\"{}\",\"options\":", c.id)?;
    write_options(w, c, &mut r)?;
    write!(w, ",\"strategy\":\"{strategy}\",\"name\":\"{}\"", c.name)?;
    // Auth0 issues provisioning tickets for these strategies; never an IdP host.
    if matches!(strategy, "samlp" | "waad" | "adfs" | "google-apps" | "pingfederate") {
        write!(w, ",\"provisioning_ticket_url\":\"https://{TENANT_HOST}/p/{strategy}/")?;
        write_b62(w, &mut r, 8)?;
        w.write_all(b"\"")?;
    }
    w.write_all(b",\"is_domain_connection\":false,\"show_as_button\":false")?;
    if let Some(display) = &c.display_name {
        w.write_all(b",\"display_name\":")?;
        write_json_str(w, display)?;
    }
    write!(w, ",\"enabled_clients\":[],\"realms\":[\"{}\"]", c.name)?;
    if c.mapping == Mapping::Metadata {
        if let Some(wi) = c.workspace {
            write!(
                w,
                ",\"metadata\":{{\"workspace_id\":\"{}\"}}",
                world.workspaces[wi as usize].id
            )?;
        }
    }
    w.write_all(b",\"authentication\":{\"active\":true},\"connected_accounts\":{\"active\":false}}")
}

/// `options` per strategy, with the fields that reveal the IdP where the API puts them.
fn write_options<W: Write>(w: &mut W, c: &Connection, r: &mut Rng) -> io::Result<()> {
    let d = c.domain.as_str();
    let stem = d.split('.').next().unwrap_or(d);
    match c.vendor {
        Vendor::Okta => {
            let host = okta_host(stem, r);
            write!(w, "{{\"scope\":\"openid profile email\",\"domain\":\"{host}\",\"issuer\":\"https://{host}\",\"jwks_uri\":\"https://{host}/oauth2/v1/keys\",\"client_id\":\"0oa")?;
            write_b62(w, r, 17)?;
            write!(
                w,
                "\",\"oidc_metadata\":{{\"issuer\":\"https://{host}\",\"jwks_uri\":\"https://{host}/oauth2/v1/keys\",\"token_endpoint\":\"https://{host}/oauth2/v1/token\",\"authorization_endpoint\":\"https://{host}/oauth2/v1/authorize\",\"userinfo_endpoint\":\"https://{host}/oauth2/v1/userinfo\"}},\"token_endpoint\":\"https://{host}/oauth2/v1/token\",\"userinfo_endpoint\":\"https://{host}/oauth2/v1/userinfo\",\"authorization_endpoint\":\"https://{host}/oauth2/v1/authorize\",\"type\":\"back_channel\",\"tenant_domain\":\"{d}\",\"domain_aliases\":[\"{d}\"]}}"
            )
        }
        Vendor::OktaSaml | Vendor::OktaCustomDomain => {
            let host = if c.vendor == Vendor::OktaSaml { okta_host(stem, r) } else { format!("login.{d}") };
            write!(w, "{{\"signInEndpoint\":\"https://{host}/app/{stem}_workspaceapp_1/exk")?;
            write_b62(w, r, 17)?;
            w.write_all(b"/sso/saml\"")?;
            saml_common(
                w,
                r,
                d,
                // Okta's own signing certificate (reference 3.4), which is what tells here.
                &[
                    ("commonName", stem),
                    ("countryName", "US"),
                    ("organizationName", "Okta"),
                    ("stateOrProvinceName", "California"),
                    ("localityName", "San Francisco"),
                    ("organizationalUnitName", "SSOProvider"),
                    ("emailAddress", "info@okta.com"),
                ],
            )
        }
        Vendor::OktaOidc => {
            let host = okta_host(stem, r);
            oidc(w, r, d, &format!("https://{host}"), "/oauth2/v1")
        }
        Vendor::EntraWaad => {
            let v2 = r.chance(0.8);
            write!(w, "{{\"domain\":\"{stem}.onmicrosoft.com\",\"client_id\":\"")?;
            write_guid(w, r)?;
            write!(w, "\",\"use_wsfed\":false,\"app_domain\":\"{TENANT_HOST}\",\"thumbprints\":[\"")?;
            write_hex(w, r, 40)?;
            write!(
                w,
                "\"],\"identity_api\":\"{}\",\"tenant_domain\":\"{stem}.onmicrosoft.com\",\"domain_aliases\":[\"{d}\"],\"waad_protocol\":\"openid-connect\",\"strategy_version\":2,\"userid_attribute\":\"{}\",\"useCommonEndpoint\":false,\"waad_common_endpoint\":false}}",
                if v2 { "microsoft-identity-platform-v2.0" } else { "azure-active-directory-v1.0" },
                if v2 { "sub" } else { "oid" }
            )
        }
        Vendor::EntraSaml => {
            let mut tenant = Vec::with_capacity(36);
            write_guid(&mut tenant, r)?;
            let tenant = String::from_utf8_lossy(&tenant);
            write!(w, "{{\"signInEndpoint\":\"https://login.microsoftonline.com/{tenant}/saml2\"")?;
            saml_common(w, r, d, &[("commonName", "Microsoft Azure Federated SSO Certificate")])
        }
        Vendor::GoogleApps => write!(
            w,
            "{{\"email\":true,\"scope\":[\"email\",\"profile\"],\"domain\":\"{d}\",\"profile\":true,\"ext_groups\":{},\"ext_profile\":true,\"ext_is_admin\":false,\"basic_profile\":true,\"tenant_domain\":\"{d}\",\"domain_aliases\":[\"{d}\"],\"map_user_id_to_id\":false,\"handle_login_from_social\":true}}",
            r.chance(0.5)
        ),
        Vendor::GoogleSaml => {
            w.write_all(b"{\"signInEndpoint\":\"https://accounts.google.com/o/saml2/idp?idpid=C0")?;
            write_b62(w, r, 7)?;
            w.write_all(b"\"")?;
            saml_common(
                w,
                r,
                d,
                &[
                    ("commonName", "Google"),
                    ("countryName", "US"),
                    ("organizationName", "Google Inc."),
                    ("stateOrProvinceName", "California"),
                ],
            )
        }
        Vendor::OneLogin => {
            write!(w, "{{\"signInEndpoint\":\"https://{stem}.onelogin.com/trust/saml2/http-post/sso/")?;
            write_guid(w, r)?;
            write!(w, "\",\"signOutEndpoint\":\"https://{stem}.onelogin.com/trust/saml2/http-redirect/slo/")?;
            write_u64(w, 1_000_000 + r.below(9_000_000))?;
            w.write_all(b"\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::PingOne => {
            w.write_all(b"{\"signInEndpoint\":\"https://auth.pingone.com/")?;
            write_guid(w, r)?;
            w.write_all(b"/saml20/idp/sso\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::PingFederate => {
            write!(w, "{{\"thumbprints\":[\"")?;
            write_hex(w, r, 40)?;
            write!(
                w,
                "\"],\"signInEndpoint\":\"https://sso.{d}\",\"digestAlgorithm\":\"sha256\",\"signSAMLRequest\":true,\"signatureAlgorithm\":\"rsa-sha256\",\"pingFederateBaseUrl\":\"https://sso.{d}\",\"tenant_domain\":\"{d}\",\"domain_aliases\":[\"{d}\"]}}"
            )
        }
        Vendor::JumpCloud => {
            write!(w, "{{\"signInEndpoint\":\"https://sso.jumpcloud.com/saml2/{stem}-workspaceapp\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::Duo => {
            let mut issuer = b"https://sso-".to_vec();
            write_hex(&mut issuer, r, 10)?;
            issuer.extend_from_slice(b".sso.duosecurity.com/oidc/DI");
            for _ in 0..18 {
                issuer.push(BASE62[10 + r.below(26) as usize]);
            }
            oidc(w, r, d, &String::from_utf8_lossy(&issuer), "")
        }
        Vendor::Adfs => write!(
            w,
            "{{\"thumbprints\":[],\"adfs_server\":\"https://adfs.{d}/FederationMetadata/2007-06/FederationMetadata.xml\",\"signInEndpoint\":\"https://adfs.{d}/adfs/ls/\",\"tenant_domain\":\"{d}\",\"domain_aliases\":[\"{d}\"],\"strategy_version\":2}}"
        ),
        Vendor::AdfsSaml => {
            write!(w, "{{\"signInEndpoint\":\"https://sts.{d}/adfs/ls/\",\"signOutEndpoint\":\"https://sts.{d}/adfs/ls/?wa=wsignout1.0\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::KeycloakSaml => {
            write!(w, "{{\"signInEndpoint\":\"https://auth.{d}/realms/{stem}/protocol/saml\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::KeycloakOidc => {
            // Older Keycloak deployments keep the /auth prefix.
            let prefix = if r.chance(0.5) { "/auth" } else { "" };
            oidc(w, r, d, &format!("https://sso.{d}{prefix}/realms/{stem}"), "/protocol/openid-connect")
        }
        Vendor::Shibboleth => {
            write!(w, "{{\"signInEndpoint\":\"https://idp.{d}/idp/profile/SAML2/Redirect/SSO\"")?;
            saml_common(w, r, d, &[])
        }
        Vendor::OtherSaml => {
            match r.below(3) {
                0 => write!(w, "{{\"signInEndpoint\":\"https://login.{d}/saml/sso\"")?,
                1 => write!(w, "{{\"signInEndpoint\":\"https://{stem}.my.idaptive.app/applogin/appKey/")
                    .and_then(|()| write_guid(w, r))
                    .and_then(|()| w.write_all(b"\""))?,
                _ => write!(w, "{{\"signInEndpoint\":\"https://{stem}.my.salesforce.com/idp/endpoint/HttpRedirect\"")?,
            }
            saml_common(w, r, d, &[])
        }
        Vendor::OtherOidc => oidc(w, r, d, &format!("https://id.{d}"), ""),
    }
}

fn okta_host(stem: &str, r: &mut Rng) -> String {
    match r.below(10) {
        0 => format!("{stem}.okta-emea.com"),
        1 => format!("{stem}.oktapreview.com"),
        _ => format!("{stem}.okta.com"),
    }
}

/// Options shared by `samlp` connections, after the endpoint fields; closes the object.
/// `subject` (the parsed signing-cert subject's fields, in order) only where it carries
/// the vendor's name, to keep million-workspace dumps small.
fn saml_common<W: Write>(w: &mut W, r: &mut Rng, domain: &str, subject: &[(&str, &str)]) -> io::Result<()> {
    w.write_all(b",\"thumbprints\":[\"")?;
    write_hex(w, r, 40)?;
    write!(
        w,
        "\"],\"tenant_domain\":\"{domain}\",\"domain_aliases\":[\"{domain}\"],\"digestAlgorithm\":\"sha256\",\"protocolBinding\":\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\",\"signatureAlgorithm\":\"rsa-sha256\""
    )?;
    if !subject.is_empty() {
        w.write_all(b",\"subject\":{")?;
        for (i, (key, value)) in subject.iter().enumerate() {
            write!(w, "{}\"{key}\":", if i == 0 { "" } else { "," })?;
            write_json_str(w, value)?;
        }
        w.write_all(b"}")?;
    }
    w.write_all(b",\"strategy_version\":2}")
}

/// Generic `oidc` options for an issuer; `path` is where its endpoints live below it.
fn oidc<W: Write>(w: &mut W, r: &mut Rng, domain: &str, issuer: &str, path: &str) -> io::Result<()> {
    write!(
        w,
        "{{\"type\":\"{}\",\"scope\":\"openid profile email\",\"issuer\":\"{issuer}\",\"jwks_uri\":\"{issuer}{path}/keys\",\"client_id\":\"",
        if r.chance(0.7) { "front_channel" } else { "back_channel" }
    )?;
    write_guid(w, r)?;
    write!(
        w,
        "\",\"discovery_url\":\"{issuer}/.well-known/openid-configuration\",\"oidc_metadata\":{{\"issuer\":\"{issuer}\",\"authorization_endpoint\":\"{issuer}{path}/authorize\",\"token_endpoint\":\"{issuer}{path}/token\"}},\"schema_version\":\"oidc-V4\",\"token_endpoint\":\"{issuer}{path}/token\",\"userinfo_endpoint\":\"{issuer}{path}/userinfo\",\"authorization_endpoint\":\"{issuer}{path}/authorize\",\"tenant_domain\":\"{domain}\",\"domain_aliases\":[\"{domain}\"]}}"
    )
}

fn write_hex<W: Write>(w: &mut W, r: &mut Rng, n: usize) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 64];
    for b in &mut buf[..n] {
        *b = HEX[r.below(16) as usize];
    }
    w.write_all(&buf[..n])
}

fn write_b62<W: Write>(w: &mut W, r: &mut Rng, n: usize) -> io::Result<()> {
    let mut buf = [0u8; 64];
    for b in &mut buf[..n] {
        *b = BASE62[r.below(62) as usize];
    }
    w.write_all(&buf[..n])
}

fn write_guid<W: Write>(w: &mut W, r: &mut Rng) -> io::Result<()> {
    for (i, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if i > 0 {
            w.write_all(b"-")?;
        }
        write_hex(w, r, n)?;
    }
    Ok(())
}

/// One log event before rendering. Sorted by time, as the checkpoint API returns them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct LogEvent {
    millis: i64,
    /// Index into `world.connections`, or DATABASE_EVENT / SOCIAL_EVENT.
    connection: u32,
    user: u32,
    failed: bool,
    /// The user's workspace, whose organization the login goes through if it enables the connection.
    workspace: u32,
}

const DATABASE_EVENT: u32 = u32::MAX;
const SOCIAL_EVENT: u32 = u32::MAX - 1;
const NO_WORKSPACE: u32 = u32::MAX;

const USER_AGENTS: [(&str, bool); 7] = [
    ("Chrome 128.0.0 / Mac OS X 14.6.1", false),
    ("Chrome 127.0.0 / Windows 10.0.0", false),
    ("Chrome 128.0.0 / Windows 10.0.0", false),
    ("Edge 128.0.0 / Windows 10.0.0", false),
    ("Firefox 129.0.0 / Ubuntu 0.0.0", false),
    ("Safari 17.6.0 / Mac OS X 14.6.0", false),
    ("Mobile Safari 17.6.0 / iOS 17.6.1", true),
];

/// Successful logins (`s`) over the 30 days before the snapshot, roughly proportional to
/// each SSO workspace's users, plus a few failures (`f`) and database/social sign-ins.
fn write_logs<W: Write>(w: &mut W, world: &World, tenant: &Tenant, q: usize, cap: usize) -> io::Result<()> {
    let mut r = Rng::stream(world.seed, 0x106, q as u64);
    let as_of = snapshot_dates()[q];
    let end = as_of.checked_add_days(Days::new(1)).expect("date in range");
    let start = end.checked_sub_days(Days::new(LOG_DAYS)).expect("date in range");
    let start_ms = start
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis();
    let span_ms = LOG_DAYS * 86_400_000;

    // (connection, workspace): every live SSO workspace signs in through its connection.
    let active: Vec<(u32, u32)> = world
        .workspaces
        .iter()
        .enumerate()
        .filter(|(_, ws)| ws.alive(q) && ws.flags[q] & SSO != 0)
        .filter_map(|(wi, ws)| {
            let ci = ws.connection?;
            world.connections[ci as usize].alive(q).then_some((ci, wi as u32))
        })
        .collect();
    let users = |wi: u32| world.workspaces[wi as usize].users[q];
    let total_users: f64 = active.iter().map(|(_, wi)| f64::from(users(*wi))).sum();
    let enterprise_budget = cap as f64 * 0.94;
    let per_user = if total_users > 0.0 {
        (enterprise_budget / total_users).min(LOGINS_PER_USER)
    } else {
        0.0
    };

    let mut events: Vec<LogEvent> = Vec::with_capacity(cap + cap / 10 + 16);
    // Users of one connection are numbered across its workspaces, so that their emails differ.
    let mut first_user = vec![0u32; world.connections.len()];
    for (ci, wi) in active {
        let users = users(wi);
        let first = first_user[ci as usize];
        first_user[ci as usize] += users;
        // Some workspaces are set up but nobody signed in this month.
        if r.chance(0.05) {
            continue;
        }
        let expected = f64::from(users) * per_user * r.lognormal(1.0, 0.3);
        let n = (expected + r.f64()) as u64;
        for _ in 0..n {
            events.push(LogEvent {
                millis: start_ms + r.below(span_ms) as i64,
                connection: ci,
                user: first + r.below(u64::from(users)) as u32,
                failed: r.chance(0.012),
                workspace: wi,
            });
        }
    }
    // Database and social sign-ins: not IdPs, but a real tenant is full of them.
    let others = (cap as f64 * 0.06) as u64;
    for _ in 0..others {
        events.push(LogEvent {
            millis: start_ms + r.below(span_ms) as i64,
            connection: if r.chance(0.7) { DATABASE_EVENT } else { SOCIAL_EVENT },
            user: r.below(1 + cap as u64 / 4) as u32,
            failed: r.chance(0.03),
            workspace: NO_WORKSPACE,
        });
    }
    events.sort_unstable();

    for (seq, e) in events.iter().enumerate() {
        w.write_all(if seq == 0 { b"\n" } else { b",\n" })?;
        write_log(w, world, tenant, &mut r, e, seq as u64)?;
    }
    Ok(())
}

fn write_log<W: Write>(
    w: &mut W,
    world: &World,
    tenant: &Tenant,
    r: &mut Rng,
    e: &LogEvent,
    seq: u64,
) -> io::Result<()> {
    let when = utc_from_millis(e.millis);
    // log_id: "900", the timestamp to the millisecond, then a sequence: 56 digits.
    w.write_all(b"{\"log_id\":\"900")?;
    write_compact_timestamp(w, when)?;
    w.write_all(b"0000000000000000")?;
    write_padded(w, seq, 20)?;
    w.write_all(b"\",\"date\":\"")?;
    write_iso_millis(w, when)?;
    w.write_all(if e.failed {
        b"\",\"type\":\"f\",\"description\":"
    } else {
        b"\",\"type\":\"s\",\"description\":\"\""
    })?;

    let (conn_name, conn_id, strategy, strategy_type, org, domain) = match e.connection {
        DATABASE_EVENT => (
            DATABASE,
            tenant.database_id.as_str(),
            "auth0",
            "database",
            None,
            "gmail.com",
        ),
        SOCIAL_EVENT => (SOCIAL, tenant.social_id.as_str(), SOCIAL, "social", None, "gmail.com"),
        ci => {
            let c = &world.connections[ci as usize];
            let org = world.workspaces[e.workspace as usize]
                .organization
                .map(|oi| &world.organizations[oi as usize])
                .filter(|o| o.connections.contains(&ci));
            (
                c.name.as_str(),
                c.id.as_str(),
                c.vendor.strategy(),
                "enterprise",
                org,
                c.domain.as_str(),
            )
        }
    };
    if e.failed {
        if strategy_type == "database" {
            w.write_all(b"\"Wrong email or password.\"")?;
        } else {
            w.write_all(b"\"Invalid thumbprint (configured: ")?;
            write_upper_hex(w, r, 40)?;
            w.write_all(b". calculated: ")?;
            write_upper_hex(w, r, 40)?;
            w.write_all(b")\"")?;
        }
    }
    w.write_all(b",\"connection\":")?;
    write_json_str(w, conn_name)?;
    w.write_all(b",\"connection_id\":\"")?;
    w.write_all(conn_id.as_bytes())?;
    w.write_all(b"\",\"organization_id\":")?;
    match org {
        Some(o) => {
            write_json_str(w, &o.id)?;
            w.write_all(b",\"organization_name\":")?;
            write_json_str(w, &o.name)?;
        }
        None => w.write_all(b"null,\"organization_name\":null")?,
    }
    let desktop = r.chance(0.15);
    w.write_all(b",\"client_id\":\"")?;
    w.write_all(if desktop {
        tenant.desktop_client.as_bytes()
    } else {
        tenant.web_client.as_bytes()
    })?;
    w.write_all(b"\",\"client_name\":\"")?;
    w.write_all(if desktop {
        DESKTOP_APP.as_bytes()
    } else {
        WEB_APP.as_bytes()
    })?;

    // Same user, same office IP: derive it from the user, not the event.
    let user_hash = mix64(world.seed ^ (u64::from(e.connection) << 32) ^ u64::from(e.user));
    // Name assignment must stay one-to-one per connection, so its offset is per connection.
    let names_offset = (mix64(world.seed ^ u64::from(e.connection)) >> 40) as u32;
    const FIRST_OCTETS: [u8; 12] = [23, 31, 45, 62, 77, 81, 94, 104, 142, 178, 185, 212];
    w.write_all(b"\",\"ip\":\"")?;
    write_u64(w, u64::from(FIRST_OCTETS[(user_hash % 12) as usize]))?;
    for shift in [8, 16, 24] {
        w.write_all(b".")?;
        write_u64(w, (user_hash >> shift) & 0xFF)?;
    }
    w.write_all(b"\",\"hostname\":\"")?;
    w.write_all(TENANT_HOST.as_bytes())?;
    w.write_all(b"\",\"user_id\":\"")?;
    match e.connection {
        DATABASE_EVENT => {
            w.write_all(b"auth0|")?;
            write_hex_of(w, user_hash, 16)?;
            w.write_all(b"\",\"user_name\":\"")?;
            write_email(w, e.user, names_offset, domain)?;
        }
        SOCIAL_EVENT => {
            w.write_all(b"google-oauth2|1")?;
            write_padded(w, user_hash % 10_000_000_000_000_000_000, 20)?;
            w.write_all(b"\",\"user_name\":\"")?;
            write_email(w, e.user, names_offset, domain)?;
        }
        _ => {
            // Auth0 user ids: `samlp|<connection>|<name id>`, but `google-apps|<email>`.
            w.write_all(strategy.as_bytes())?;
            w.write_all(b"|")?;
            if strategy != "google-apps" {
                w.write_all(conn_name.as_bytes())?;
                w.write_all(b"|")?;
            }
            write_email(w, e.user, names_offset, domain)?;
            w.write_all(b"\",\"user_name\":\"")?;
            write_email(w, e.user, names_offset, domain)?;
        }
    }
    let (agent, mobile) = USER_AGENTS[(user_hash >> 40) as usize % USER_AGENTS.len()];
    w.write_all(b"\",\"user_agent\":\"")?;
    w.write_all(agent.as_bytes())?;
    w.write_all(b"\",\"strategy\":\"")?;
    w.write_all(strategy.as_bytes())?;
    w.write_all(b"\",\"strategy_type\":\"")?;
    w.write_all(strategy_type.as_bytes())?;
    w.write_all(if mobile {
        b"\",\"isMobile\":true}"
    } else {
        b"\",\"isMobile\":false}"
    })
}

fn utc_from_millis(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("timestamp in range")
        .naive_utc()
}

/// `YYYYMMDDhhmmssSSS`, the time part of an Auth0 log id.
fn write_compact_timestamp<W: Write>(w: &mut W, t: NaiveDateTime) -> io::Result<()> {
    use chrono::{Datelike, Timelike};
    write_padded(w, t.year() as u64, 4)?;
    for part in [t.month(), t.day(), t.hour(), t.minute(), t.second()] {
        write_padded(w, u64::from(part), 2)?;
    }
    write_padded(w, u64::from(t.and_utc().timestamp_subsec_millis()), 3)
}

fn write_upper_hex<W: Write>(w: &mut W, r: &mut Rng, n: usize) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 64];
    for b in &mut buf[..n] {
        *b = HEX[r.below(16) as usize];
    }
    w.write_all(&buf[..n])
}

fn write_hex_of<W: Write>(w: &mut W, x: u64, n: usize) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    for (i, b) in buf[..n].iter_mut().enumerate() {
        *b = HEX[((x >> (4 * (n - 1 - i))) & 0xF) as usize];
    }
    w.write_all(&buf[..n])
}

/// `first.last@domain`, distinct for distinct user numbers of one workspace.
fn write_email<W: Write>(w: &mut W, user: u32, offset: u32, domain: &str) -> io::Result<()> {
    let nf = PEOPLE_FIRST.len() as u32;
    let nl = PEOPLE_LAST.len() as u32;
    let offset = offset % nf;
    w.write_all(PEOPLE_FIRST[((user + offset) % nf) as usize].as_bytes())?;
    w.write_all(b".")?;
    w.write_all(PEOPLE_LAST[((user / nf) % nl) as usize].as_bytes())?;
    let block = user / (nf * nl);
    if block > 0 {
        write_u64(w, u64::from(block))?;
    }
    w.write_all(b"@")?;
    w.write_all(domain.as_bytes())
}
