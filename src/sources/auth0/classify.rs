//! Which IdP vendor sits behind an Auth0 enterprise connection (SPEC 2.3), decided
//! when a report runs, from the raw facts the store keeps of each connection
//! ([`IdpFacts`]: strategy, endpoint hosts and paths, certificate subject, name).
//!
//! Order: the user's config rules first, in file order (a rule may name any vendor,
//! a built-in one included, or `ignore`: the connection is not a customer IdP); then
//! the built-in rules: the strategy when it names the vendor; else hosts, then
//! paths, of the IdP endpoint URLs in `options`; else the certificate subject, when
//! it is the vendor's own signing certificate; else a generic fallback per strategy.
//! Auth0's own values (`entityId` = SP id, `provisioning_ticket_url`, waad
//! `app_domain`) are never read: they name Auth0, not the IdP.
//!
//! Names for strategies the SPEC does not list (our choice, from the
//! reference): `office365` → `Microsoft Entra ID`; `ad`, `auth0-adldap` →
//! `Active Directory`; `sharepoint` → `Microsoft SharePoint`; `ip` →
//! `IP Address`; the self-service flavours `auth0-samlp`, `okta-samlp`,
//! `keycloak-samlp` are treated as `samlp` (host rules, then `Other SAML`).
//!
//! A layer of its own: it takes one connection's facts and the compiled config
//! rules, and gives the vendor and the rule that decided it (`vendor_rule`, a stable
//! text documented in the README). It knows nothing of dumps, stores or reports.

use anyhow::{Context, Result};
use regex::Regex;

use super::elements::{ConnectionFields, OptionsFields, Subject, URL_FIELDS};

/// A user rule from `[[auth0.vendor_rules]]`. Every condition given must
/// hold; a rule with none matches everything (a catch-all).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VendorRule {
    /// The vendor to report, or `ignore` (any case): not a customer IdP.
    pub vendor: String,
    /// Host glob (`*.example.com`) or exact host, of any IdP endpoint URL.
    pub host: Option<String>,
    /// Substring of any IdP endpoint URL's path.
    pub path_contains: Option<String>,
    /// Exact connection strategy.
    pub strategy: Option<String>,
    /// Regex on the connection name.
    pub name_pattern: Option<String>,
}

/// A [`VendorRule`] with its regex compiled once, and the text that names it in reports.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    rule: VendorRule,
    name_regex: Option<Regex>,
    /// The lower-cased `path_contains`, as paths are compared.
    path_lower: Option<String>,
    label: String,
    ignore: bool,
}

impl CompiledRule {
    /// `config rule 2 (host *.example.com)`: how reports name the rule.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }
}

/// Compiles config rules.
///
/// # Errors
/// When a `name_pattern` is not a valid regex (names the rule number).
pub(crate) fn compile_rules(rules: &[VendorRule]) -> Result<Vec<CompiledRule>> {
    rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let name_regex = match &rule.name_pattern {
                Some(p) => Some(Regex::new(p).with_context(|| {
                    format!(
                        "[[auth0.vendor_rules]] rule {} (vendor {:?}): name_pattern is not a valid regex",
                        i + 1,
                        rule.vendor
                    )
                })?),
                None => None,
            };
            Ok(CompiledRule {
                rule: rule.clone(),
                name_regex,
                path_lower: rule.path_contains.as_deref().map(str::to_ascii_lowercase),
                label: rule_label(i + 1, rule),
                ignore: rule.vendor.trim().eq_ignore_ascii_case(IGNORE),
            })
        })
        .collect()
}

/// The vendor name of a config rule that drops the connections it matches.
pub(crate) const IGNORE: &str = "ignore";

/// `config rule N (host *.example.com, path /idp/, strategy samlp, name ^acme-)`, its
/// conditions as the config gives them; `(any connection)` for a catch-all.
fn rule_label(number: usize, rule: &VendorRule) -> String {
    let conditions: Vec<String> = [
        ("host", &rule.host),
        ("path", &rule.path_contains),
        ("strategy", &rule.strategy),
        ("name", &rule.name_pattern),
    ]
    .iter()
    .filter_map(|(what, value)| value.as_deref().map(|v| format!("{what} {v}")))
    .collect();
    let conditions = if conditions.is_empty() {
        "any connection".to_string()
    } else {
        conditions.join(", ")
    };
    format!("config rule {number} ({conditions})")
}

/// The vendor and the rule that decided it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classification {
    pub vendor: String,
    pub rule: String,
    /// The index of the config rule that decided, if one did.
    pub config_rule: Option<usize>,
    /// A config rule said `ignore`: not a customer IdP, left out of every count.
    pub ignored: bool,
}

impl Classification {
    fn builtin(vendor: &str, rule: String) -> Self {
        Classification {
            vendor: vendor.into(),
            rule,
            config_rule: None,
            ignored: false,
        }
    }
}

/// Enterprise strategies (the only IdPs). Database (`auth0`), passwordless
/// and social (`google-oauth2`, `github`, ...) connections are not.
const ENTERPRISE: &[&str] = &[
    "ad",
    "adfs",
    "auth0-adldap",
    "google-apps",
    "ip",
    "office365",
    "oidc",
    "okta",
    "pingfederate",
    "samlp",
    "sharepoint",
    "waad",
    "auth0-samlp",
    "okta-samlp",
    "keycloak-samlp",
];

pub(crate) fn is_enterprise(strategy: &str) -> bool {
    ENTERPRISE.contains(&strategy)
}

/// Strategies that name their vendor outright.
const BY_STRATEGY: &[(&str, &str)] = &[
    ("waad", "Microsoft Entra ID"),
    ("office365", "Microsoft Entra ID"),
    ("google-apps", "Google Workspace"),
    ("okta", "Okta"),
    ("adfs", "ADFS"),
    ("pingfederate", "Ping Identity"),
    ("ad", "Active Directory"),
    ("auth0-adldap", "Active Directory"),
];

/// Host patterns: `*.x` matches `x` and any subdomain of it.
const BY_HOST: &[(&str, &str)] = &[
    ("*.okta.com", "Okta"),
    ("*.oktapreview.com", "Okta"),
    ("*.okta-emea.com", "Okta"),
    ("login.microsoftonline.com", "Microsoft Entra ID"),
    ("sts.windows.net", "Microsoft Entra ID"),
    ("login.windows.net", "Microsoft Entra ID"),
    ("accounts.google.com", "Google Workspace"),
    ("*.onelogin.com", "OneLogin"),
    ("*.pingone.com", "Ping Identity"),
    ("*.pingidentity.com", "Ping Identity"),
    ("*.jumpcloud.com", "JumpCloud"),
    ("*.duosecurity.com", "Duo"),
];

const BY_PATH: &[(&str, &str)] = &[("/adfs/", "ADFS"), ("/realms/", "Keycloak")];

/// Host (lower case) and path of a URL, or of a bare `host/path`.
fn host_and_path(url: &str) -> Option<(String, String)> {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next()?.split(':').next()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let path = rest[end..].split(['?', '#']).next().unwrap_or("").to_ascii_lowercase();
    Some((host, path))
}

/// Whether `host` matches `pattern` in lower case; it runs a dozen times per
/// connection, so it compares bytes instead of lower-casing the pattern into a new string.
pub(crate) fn host_matches(pattern: &str, host: &str) -> bool {
    // `s` equals `pattern` lower-cased.
    fn is_lowered(s: &[u8], pattern: &[u8]) -> bool {
        s.len() == pattern.len() && s.iter().zip(pattern).all(|(a, b)| *a == b.to_ascii_lowercase())
    }
    let host = host.as_bytes();
    match pattern.as_bytes().strip_prefix(b"*.") {
        Some(domain) => {
            is_lowered(host, domain)
                || host.len() > domain.len()
                    && host[host.len() - domain.len() - 1] == b'.'
                    && is_lowered(&host[host.len() - domain.len()..], domain)
        }
        None => is_lowered(host, pattern.as_bytes()),
    }
}

/// An IdP endpoint URL of a connection's `options`: the field it was in (an entry
/// of `URL_FIELDS`), and its host and path in lower case.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Endpoint {
    pub field: &'static str,
    pub host: String,
    pub path: String,
}

/// Every IdP endpoint URL in `options`, most telling field first, each host and path
/// once: every rule reads hosts and paths in this order and names the first that
/// matches, so a later repeat (`issuer` again as `oidc_metadata.issuer`) never decides.
pub(crate) fn endpoints(options: &OptionsFields) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = Vec::new();
    for (field, value) in URL_FIELDS.iter().zip(&options.urls) {
        let Some((host, path)) = value.as_deref().and_then(host_and_path) else {
            continue;
        };
        if !out.iter().any(|e| e.host == host && e.path == path) {
            out.push(Endpoint { field, host, path });
        }
    }
    out
}

/// Endpoints as the store keeps them (`[["signInEndpoint", "host", "/path"], ...]`); a
/// field name this featurearr does not know is left out.
///
/// # Errors
/// When the text is not such JSON.
pub(crate) fn endpoints_of_json(text: &str) -> serde_json::Result<Vec<Endpoint>> {
    let triples: Vec<(String, String, String)> = serde_json::from_str(text)?;
    Ok(triples
        .into_iter()
        .filter_map(|(field, host, path)| {
            let field = URL_FIELDS.iter().copied().find(|f| *f == field)?;
            Some(Endpoint { field, host, path })
        })
        .collect())
}

/// The parsed subject of the connection's signing certificate (`options.subject`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CertificateSubject {
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    pub email: Option<String>,
}

impl From<Subject> for CertificateSubject {
    fn from(s: Subject) -> Self {
        CertificateSubject {
            common_name: s.common_name,
            organization: s.organization_name,
            organizational_unit: s.organizational_unit_name,
            email: s.email_address,
        }
    }
}

/// What classification reads of one enterprise connection: the raw facts a load stores.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct IdpFacts {
    /// The connection's `name` (config rules match it as given).
    pub name: String,
    pub strategy: String,
    /// Whether `options` was there (it is missing without `read:connections_options`).
    pub has_options: bool,
    pub endpoints: Vec<Endpoint>,
    pub subject: CertificateSubject,
}

impl IdpFacts {
    /// The facts of a connection's parsed fields (its name untrimmed, as config rules
    /// match it); None when it is not an enterprise connection.
    pub(crate) fn of_fields(fields: ConnectionFields) -> Option<IdpFacts> {
        let strategy = fields.strategy.as_deref().unwrap_or("");
        if !is_enterprise(strategy) {
            return None;
        }
        let has_options = fields.options.is_some();
        let (endpoints, subject) = match fields.options {
            Some(options) => (endpoints(&options), CertificateSubject::from(options.subject)),
            None => (Vec::new(), CertificateSubject::default()),
        };
        Some(IdpFacts {
            name: fields.name.unwrap_or_default(),
            strategy: strategy.to_string(),
            has_options,
            endpoints,
            subject,
        })
    }
}

/// Vendor from the certificate subject, for IdPs on custom domains (Okta custom URL,
/// self-hosted) where hosts say nothing. Only each vendor's real signing-certificate
/// subject counts (reference 3.4), compared case-sensitively as the vendors write it;
/// a vendor with no documented subject (JumpCloud, Ping Identity, Duo, Keycloak,
/// ADFS) has no rule here.
fn by_certificate(s: &CertificateSubject) -> Option<Classification> {
    let field = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let (cn, o, ou, email) = (
        field(&s.common_name),
        field(&s.organization),
        field(&s.organizational_unit),
        field(&s.email),
    );
    let found = |vendor: &str, evidence: &str| {
        Some(Classification::builtin(
            vendor,
            format!("certificate subject {evidence}"),
        ))
    };
    // Okta: `O=Okta, OU=SSOProvider, CN=<org>, emailAddress=info@okta.com`.
    if ou == "SSOProvider" && (o == "Okta" || email.ends_with("@okta.com")) {
        let evidence = if o == "Okta" {
            "O=Okta, OU=SSOProvider".to_string()
        } else {
            format!("OU=SSOProvider, emailAddress={email}")
        };
        return found("Okta", &evidence);
    }
    // Google Workspace: `CN=Google, O=Google Inc., OU=Google For Work`.
    if ou == "Google For Work" && cn == "Google" && o.starts_with("Google") {
        return found("Google Workspace", &format!("CN=Google, O={o}, OU=Google For Work"));
    }
    // Entra ID's default SAML signing certificate.
    if cn == "Microsoft Azure Federated SSO Certificate" {
        return found("Microsoft Entra ID", "CN=Microsoft Azure Federated SSO Certificate");
    }
    // OneLogin: `O=OneLogin, CN=app.onelogin.com` (older) or `OU=OneLogin IdP, CN=OneLogin Account <n>`.
    if o == "OneLogin" && cn == "app.onelogin.com" {
        return found("OneLogin", "CN=app.onelogin.com, O=OneLogin");
    }
    if ou == "OneLogin IdP" && cn.starts_with("OneLogin Account ") {
        return found("OneLogin", &format!("CN={cn}, OU=OneLogin IdP"));
    }
    None
}

/// Words that name a vendor; a subject holding one that is not the vendor's real
/// signing certificate is named in the fallback's reason.
const VENDOR_WORDS: &[(&str, &str)] = &[
    ("okta", "Okta"),
    ("google", "Google Workspace"),
    ("microsoft", "Microsoft Entra ID"),
    ("azure", "Microsoft Entra ID"),
    ("onelogin", "OneLogin"),
    ("jumpcloud", "JumpCloud"),
    ("pingidentity", "Ping Identity"),
    ("ping identity", "Ping Identity"),
    ("pingone", "Ping Identity"),
    ("duo security", "Duo"),
    ("keycloak", "Keycloak"),
];

/// Why a certificate subject naming a vendor was not taken as that vendor's: the
/// subject field that names it, and what the vendor's real certificate has.
fn vendor_word_reason(s: &CertificateSubject) -> Option<String> {
    let fields = [
        ("CN", &s.common_name),
        ("O", &s.organization),
        ("OU", &s.organizational_unit),
        ("emailAddress", &s.email),
    ];
    for (key, value) in fields {
        let Some(value) = value.as_deref() else { continue };
        let lower = value.to_ascii_lowercase();
        if let Some((_, vendor)) = VENDOR_WORDS.iter().find(|(word, _)| lower.contains(word)) {
            let real = match *vendor {
                "Okta" => "OU=SSOProvider with O=Okta or an @okta.com emailAddress",
                "Google Workspace" => "CN=Google, O=Google Inc., OU=Google For Work",
                "Microsoft Entra ID" => "CN=Microsoft Azure Federated SSO Certificate",
                "OneLogin" => "CN=app.onelogin.com, O=OneLogin or CN=OneLogin Account <n>, OU=OneLogin IdP",
                _ => "a documented subject, and featurearr knows none for this vendor",
            };
            return Some(format!(
                "certificate subject {key}={value} names {vendor}, but {vendor}'s signing certificates have {real}; a self-made certificate proves nothing"
            ));
        }
    }
    None
}

fn config_rule(facts: &IdpFacts, rules: &[CompiledRule]) -> Option<Classification> {
    rules.iter().enumerate().find_map(|(i, c)| {
        let r = &c.rule;
        let host_ok = r
            .host
            .as_deref()
            .is_none_or(|h| facts.endpoints.iter().any(|e| host_matches(h, &e.host)));
        let path_ok = c
            .path_lower
            .as_deref()
            .is_none_or(|p| facts.endpoints.iter().any(|e| e.path.contains(p)));
        let strategy_ok = r.strategy.as_deref().is_none_or(|s| s == facts.strategy);
        let name_ok = c.name_regex.as_ref().is_none_or(|re| re.is_match(&facts.name));
        (host_ok && path_ok && strategy_ok && name_ok).then(|| Classification {
            vendor: if c.ignore { IGNORE.to_string() } else { r.vendor.clone() },
            rule: c.label.clone(),
            config_rule: Some(i),
            ignored: c.ignore,
        })
    })
}

fn fallback(facts: &IdpFacts) -> Classification {
    let strategy = facts.strategy.as_str();
    let vendor = match strategy {
        "oidc" => "Other OIDC",
        "sharepoint" => "Microsoft SharePoint",
        "ip" => "IP Address",
        _ => "Other SAML",
    };
    let rule = if !facts.has_options {
        format!("fallback {strategy} (no options: the token lacks read:connections_options)")
    } else if let Some(reason) = vendor_word_reason(&facts.subject) {
        format!("fallback {strategy} ({reason})")
    } else {
        format!("fallback {strategy}")
    };
    Classification::builtin(vendor, rule)
}

/// Classifies one enterprise connection: the first config rule that matches, else
/// the built-in rules (strategy, hosts, paths, certificate subject), else the fallback.
pub(crate) fn classify(facts: &IdpFacts, rules: &[CompiledRule]) -> Classification {
    if let Some(found) = config_rule(facts, rules) {
        return found;
    }
    let strategy = facts.strategy.as_str();
    if let Some((_, vendor)) = BY_STRATEGY.iter().find(|(s, _)| *s == strategy) {
        return Classification::builtin(vendor, format!("strategy {strategy}"));
    }
    for e in &facts.endpoints {
        if let Some((_, vendor)) = BY_HOST.iter().find(|(pattern, _)| host_matches(pattern, &e.host)) {
            return Classification::builtin(vendor, format!("host {} in options.{}", e.host, e.field));
        }
    }
    for e in &facts.endpoints {
        if let Some((needle, vendor)) = BY_PATH.iter().find(|(needle, _)| e.path.contains(needle)) {
            return Classification::builtin(vendor, format!("path {needle} in options.{}", e.field));
        }
    }
    if let Some(found) = by_certificate(&facts.subject) {
        return found;
    }
    fallback(facts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::auth0::elements::ConnectionFields;
    use serde_json::{json, Value};

    /// The facts a load keeps of a connection object; None when it is not an enterprise connection.
    fn facts(conn: &Value) -> Option<IdpFacts> {
        IdpFacts::of_fields(ConnectionFields::of_value(conn))
    }

    fn classified(conn: &Value, rules: &[CompiledRule]) -> Option<Classification> {
        facts(conn).map(|f| classify(&f, rules))
    }

    fn vendor(conn: &Value) -> (String, String) {
        let c = classified(conn, &[]).expect("enterprise");
        (c.vendor, c.rule)
    }

    fn samlp(sign_in: &str) -> Value {
        // Shaped as the recorded samlp body (reference 3.3), abbreviated.
        json!({
            "id": "con_Xx9aiRppSPC3E6vT",
            "options": {
                "cert": "-----BEGIN CERTIFICATE-----\nMIIDtTCCAp2gAwIBAgIJAMKR/Nsyfcaz…",
                "expires": "2016-12-21T23:43:41.000Z",
                "subject": {"countryName": "AU", "organizationName": "Internet Widgits Pty Ltd", "stateOrProvinceName": "Some-State"},
                "signingCert": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUR0VENDQXAyZ0F3SUJB…",
                "thumbprints": ["499fdf1c2218a99c8595aac2fd95ce36f0a6d59d"],
                "tenant_domain": "example.com",
                "domain_aliases": ["example.com", "example.coz"],
                "signInEndpoint": sign_in,
                "digestAlgorithm": "sha256",
                "protocolBinding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                "signatureAlgorithm": "rsa-sha256",
                "strategy_version": 2
            },
            "strategy": "samlp",
            "name": "Acceptance-Test-SAML-TestAccConnectionSAML",
            "provisioning_ticket_url": "https://terraform-provider-auth0-dev.us.auth0.com/p/samlp/Ff84sj4w",
            "is_domain_connection": false,
            "show_as_button": false,
            "enabled_clients": [],
            "realms": ["Acceptance-Test-SAML-TestAccConnectionSAML"]
        })
    }

    fn oidc(issuer: &str, discovery: &str) -> Value {
        json!({
            "id": "con_S6e3XARphqilWTZJ",
            "options": {
                "type": "front_channel",
                "scope": "openid profile email",
                "issuer": issuer,
                "client_id": "4ef8d976-71bd-4473-a7ce-087d3f0fafd8",
                "discovery_url": discovery,
                "oidc_metadata": {"issuer": issuer},
                "schema_version": "oidc-V4"
            },
            "strategy": "oidc",
            "name": "Test-OIDC-Connection-1757700921",
            "is_domain_connection": false,
            "show_as_button": false,
            "enabled_clients": [],
            "realms": ["Test-OIDC-Connection-1757700921"]
        })
    }

    fn with_strategy(strategy: &str, options: Value) -> Value {
        json!({"id": "con_rv6zpbnX2uYT1aTt", "options": options, "strategy": strategy, "name": format!("test-{strategy}"),
               "provisioning_ticket_url": "https://go-auth0-dev.eu.auth0.com.us.auth0.com/p/x/gXt0Opgf", "enabled_clients": []})
    }

    #[test]
    fn strategy_names_the_vendor() {
        let waad = with_strategy(
            "waad",
            json!({"domain": "example.onmicrosoft.com", "app_domain": "go-auth0-dev.eu.auth0.com.us.auth0.com", "identity_api": "microsoft-identity-platform-v2.0", "waad_protocol": "openid-connect"}),
        );
        assert_eq!(vendor(&waad), ("Microsoft Entra ID".into(), "strategy waad".into()));
        let google = with_strategy(
            "google-apps",
            json!({"domain": "example.com", "tenant_domain": "example.com"}),
        );
        assert_eq!(vendor(&google).0, "Google Workspace");
        let okta = with_strategy(
            "okta",
            json!({"domain": "domain.okta.com", "issuer": "https://example.com", "oidc_metadata": {"issuer": "https://domain.okta.com"}}),
        );
        assert_eq!(vendor(&okta).0, "Okta");
        let adfs = with_strategy(
            "adfs",
            json!({"signInEndpoint": "https://adfs.provider/wsfed", "thumbprints": []}),
        );
        assert_eq!(vendor(&adfs).0, "ADFS");
        let ping = with_strategy(
            "pingfederate",
            json!({"signInEndpoint": "https://ping.example.com", "pingFederateBaseUrl": "https://ping.example.com"}),
        );
        assert_eq!(vendor(&ping), ("Ping Identity".into(), "strategy pingfederate".into()));
        let ad = with_strategy(
            "ad",
            json!({"ips": null, "strategy_version": 2, "brute_force_protection": true}),
        );
        assert_eq!(vendor(&ad).0, "Active Directory");
    }

    #[test]
    fn samlp_hosts_map_to_vendors() {
        let cases = [
            (
                "https://acme.okta.com/app/acme_app/exk1/sso/saml",
                "Okta",
                "host acme.okta.com in options.signInEndpoint",
            ),
            (
                "https://acme.oktapreview.com/app/x/1/sso/saml",
                "Okta",
                "host acme.oktapreview.com in options.signInEndpoint",
            ),
            (
                "https://login.microsoftonline.com/0f1e2d3c-aaaa-bbbb-cccc-111122223333/saml2",
                "Microsoft Entra ID",
                "host login.microsoftonline.com in options.signInEndpoint",
            ),
            (
                "https://sts.windows.net/0f1e2d3c-aaaa-bbbb-cccc-111122223333/",
                "Microsoft Entra ID",
                "host sts.windows.net in options.signInEndpoint",
            ),
            (
                "https://accounts.google.com/o/saml2/idp?idpid=C0453",
                "Google Workspace",
                "host accounts.google.com in options.signInEndpoint",
            ),
            (
                "https://acme.onelogin.com/trust/saml2/http-post/sso/123",
                "OneLogin",
                "host acme.onelogin.com in options.signInEndpoint",
            ),
            (
                "https://auth.pingone.com/env-1/saml20/idp/sso",
                "Ping Identity",
                "host auth.pingone.com in options.signInEndpoint",
            ),
            (
                "https://sso.connect.pingidentity.com/sso/idp/SSO.saml2",
                "Ping Identity",
                "host sso.connect.pingidentity.com in options.signInEndpoint",
            ),
            (
                "https://sso.jumpcloud.com/saml2/acme",
                "JumpCloud",
                "host sso.jumpcloud.com in options.signInEndpoint",
            ),
            (
                "https://sso-abc.sso.duosecurity.com/saml2/sp/x/sso",
                "Duo",
                "host sso-abc.sso.duosecurity.com in options.signInEndpoint",
            ),
            (
                "https://fs.acme.com/adfs/ls",
                "ADFS",
                "path /adfs/ in options.signInEndpoint",
            ),
            (
                "https://idp.acme.com/auth/realms/acme/protocol/saml",
                "Keycloak",
                "path /realms/ in options.signInEndpoint",
            ),
            (
                "https://saml-from-metadata-xml.provider/sign_in",
                "Other SAML",
                "fallback samlp",
            ),
        ];
        for (url, want, rule) in cases {
            assert_eq!(vendor(&samlp(url)), (want.to_string(), rule.to_string()), "{url}");
        }
    }

    #[test]
    fn host_matches_as_the_lower_cased_pattern() {
        for (pattern, host, want) in [
            ("*.okta.com", "okta.com", true),
            ("*.okta.com", "acme.okta.com", true),
            ("*.OKTA.com", "a.b.okta.com", true),
            ("*.okta.com", "notokta.com", false),
            ("*.okta.com", "acme.okta.com.evil", false),
            ("*.okta.com", "ACME.okta.com", true),
            ("*.okta.com", "acme.OKTA.com", false),
            ("Login.Microsoftonline.com", "login.microsoftonline.com", true),
            ("login.microsoftonline.com", "x.login.microsoftonline.com", false),
            ("*.", "", true),
            ("*.", "a.", true),
            ("", "", true),
            ("*.é.com", "x.é.com", true),
        ] {
            let old = {
                let pattern = pattern.to_ascii_lowercase();
                match pattern.strip_prefix("*.") {
                    Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
                    None => host == pattern,
                }
            };
            assert_eq!(host_matches(pattern, host), want, "{pattern} {host}");
            assert_eq!(old, want, "{pattern} {host}");
        }
    }

    #[test]
    fn endpoints_keep_each_host_and_path_once_in_field_order() {
        let conn = oidc(
            "https://acme.okta.com",
            "https://acme.okta.com/.well-known/openid-configuration",
        );
        let f = facts(&conn).unwrap();
        let seen: Vec<(&str, &str, &str)> = f
            .endpoints
            .iter()
            .map(|e| (e.field, e.host.as_str(), e.path.as_str()))
            .collect();
        // `oidc_metadata.issuer` repeats `issuer`: kept once, under the more telling field.
        assert_eq!(
            seen,
            [
                ("discovery_url", "acme.okta.com", "/.well-known/openid-configuration"),
                ("issuer", "acme.okta.com", ""),
            ]
        );
        let stored = r#"[["discovery_url","acme.okta.com","/.well-known/openid-configuration"],["issuer","acme.okta.com",""],["unknownField","x",""]]"#;
        assert_eq!(endpoints_of_json(stored).unwrap(), f.endpoints);
        assert!(endpoints_of_json("{").is_err());
    }

    #[test]
    fn host_match_needs_a_label_boundary() {
        assert_eq!(vendor(&samlp("https://notokta.com/sso")).0, "Other SAML");
        assert_eq!(vendor(&samlp("https://okta.com.evil.example/sso")).0, "Other SAML");
        assert_eq!(vendor(&samlp("HTTPS://ACME.OKTA.COM:443/app")).0, "Okta");
    }

    #[test]
    fn oidc_issuer_and_discovery_url_map_to_vendors() {
        let entra = oidc(
            "https://login.microsoftonline.com/tid/v2.0",
            "https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration",
        );
        assert_eq!(
            vendor(&entra),
            (
                "Microsoft Entra ID".into(),
                "host login.microsoftonline.com in options.discovery_url".into()
            )
        );
        let okta = oidc("https://acme.okta.com", "");
        assert_eq!(
            vendor(&okta),
            ("Okta".into(), "host acme.okta.com in options.issuer".into())
        );
        let keycloak = oidc(
            "https://kc.acme.com/realms/acme",
            "https://kc.acme.com/realms/acme/.well-known/openid-configuration",
        );
        assert_eq!(vendor(&keycloak).0, "Keycloak");
        let duo = oidc("https://sso-1.sso.duosecurity.com/oidc/ABC", "");
        assert_eq!(vendor(&duo).0, "Duo");
        let yahoo = oidc(
            "https://api.login.yahoo.com",
            "https://api.login.yahoo.com/.well-known/openid-configuration",
        );
        assert_eq!(vendor(&yahoo), ("Other OIDC".into(), "fallback oidc".into()));
    }

    #[test]
    fn oidc_metadata_issuer_is_read() {
        let mut conn = oidc(
            "https://example.com",
            "https://example.com/.well-known/openid-configuration",
        );
        conn["options"]["oidc_metadata"]["issuer"] = json!("https://acme.okta.com");
        assert_eq!(
            vendor(&conn),
            (
                "Okta".into(),
                "host acme.okta.com in options.oidc_metadata.issuer".into()
            )
        );
    }

    #[test]
    fn auth0_own_values_are_ignored() {
        let mut conn = samlp("https://idp.example.net/sso");
        conn["options"]["entityId"] = json!("urn:auth0:tenant:acme.okta.com");
        conn["provisioning_ticket_url"] = json!("https://acme.okta.com/p/samlp/x");
        assert_eq!(vendor(&conn).0, "Other SAML");
    }

    #[test]
    fn certificate_subject_counts_only_as_the_vendors_real_signing_certificate() {
        let with_subject = |subject: Value| {
            let mut conn = samlp("https://login.acme.com/app/sso/saml");
            conn["options"]["subject"] = subject;
            vendor(&conn)
        };
        // Okta's signing certificates: O=Okta, OU=SSOProvider, emailAddress=info@okta.com.
        assert_eq!(
            with_subject(
                json!({"commonName": "dev-123456", "organizationName": "Okta", "organizationalUnitName": "SSOProvider",
                                "emailAddress": "info@okta.com", "countryName": "US", "stateOrProvinceName": "California", "localityName": "San Francisco"})
            ),
            ("Okta".into(), "certificate subject O=Okta, OU=SSOProvider".into())
        );
        assert_eq!(
            with_subject(
                json!({"commonName": "acme", "organizationalUnitName": "SSOProvider", "emailAddress": "info@okta.com"})
            ),
            (
                "Okta".into(),
                "certificate subject OU=SSOProvider, emailAddress=info@okta.com".into()
            )
        );
        assert_eq!(
            with_subject(json!({"commonName": "Google", "organizationName": "Google Inc.", "organizationalUnitName": "Google For Work",
                                "countryName": "US", "stateOrProvinceName": "California", "localityName": "Mountain View"})).0,
            "Google Workspace"
        );
        assert_eq!(
            with_subject(json!({"commonName": "Microsoft Azure Federated SSO Certificate"})).0,
            "Microsoft Entra ID"
        );
        assert_eq!(
            with_subject(json!({"commonName": "app.onelogin.com", "organizationName": "OneLogin"})).0,
            "OneLogin"
        );
        assert_eq!(
            with_subject(json!({"commonName": "OneLogin Account 123456", "organizationalUnitName": "OneLogin IdP"})).0,
            "OneLogin"
        );
        // A self-made certificate that only says `O=okta` (the issue's case) is no evidence.
        let (v, rule) =
            with_subject(json!({"commonName": "login.acme.com", "organizationName": "okta", "countryName": "US"}));
        assert_eq!(v, "Other SAML");
        assert!(
            rule.starts_with("fallback samlp (certificate subject O=okta names Okta"),
            "{rule}"
        );
        assert!(rule.contains("OU=SSOProvider"), "{rule}");
        // Case-sensitive where the vendor is: `O=Okta` without `OU=SSOProvider`, or `ou=ssoprovider`.
        assert_eq!(with_subject(json!({"organizationName": "Okta"})).0, "Other SAML");
        assert_eq!(
            with_subject(json!({"organizationName": "Okta", "organizationalUnitName": "ssoprovider"})).0,
            "Other SAML"
        );
        assert_eq!(
            with_subject(json!({"commonName": "Google", "organizationName": "Google Inc."})).0,
            "Other SAML"
        );
        // The recorded go-auth0 subject (a Google corp host as CN) proves nothing, and says why.
        let (v, rule) = with_subject(
            json!({"commonName": "europa.sfo.corp.google.com", "countryName": "AU", "organizationName": "Internet Widgits Pty Ltd"}),
        );
        assert_eq!(v, "Other SAML");
        assert!(
            rule.contains("CN=europa.sfo.corp.google.com names Google Workspace"),
            "{rule}"
        );
        // The recorded samlp subject names no vendor: a plain fallback.
        assert_eq!(vendor(&samlp("https://sso.acme.com/x")).1, "fallback samlp");
        // A vendor without a documented subject gets no certificate rule.
        let (v, rule) = with_subject(json!({"commonName": "JumpCloud", "organizationName": "JumpCloud"}));
        assert_eq!(v, "Other SAML");
        assert!(rule.contains("featurearr knows none"), "{rule}");
    }

    #[test]
    fn host_beats_certificate_subject() {
        let mut conn = samlp("https://acme.onelogin.com/trust/saml2/http-post/sso/1");
        conn["options"]["subject"] = json!({"organizationName": "Okta", "organizationalUnitName": "SSOProvider"});
        assert_eq!(vendor(&conn).0, "OneLogin");
    }

    #[test]
    fn config_rules_come_first_in_file_order_and_may_overrule_builtins() {
        let rules = compile_rules(&[
            VendorRule {
                vendor: "Rippling".into(),
                host: Some("app.rippling.com".into()),
                ..Default::default()
            },
            VendorRule {
                vendor: "Shibboleth".into(),
                path_contains: Some("/idp/profile/SAML2/".into()),
                ..Default::default()
            },
            VendorRule {
                vendor: "Acme IdP".into(),
                name_pattern: Some("^acme-".into()),
                strategy: Some("oidc".into()),
                ..Default::default()
            },
            VendorRule {
                vendor: "Okta (custom domain)".into(),
                host: Some("*.okta.com".into()),
                ..Default::default()
            },
            VendorRule {
                vendor: "Ignore".into(),
                strategy: Some("waad".into()),
                ..Default::default()
            },
            VendorRule {
                vendor: "Never".into(),
                host: Some("app.rippling.com".into()),
                ..Default::default()
            },
        ])
        .unwrap();
        let c = classified(&samlp("https://app.rippling.com/saml/sso"), &rules).unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.rule.as_str(), c.config_rule),
            ("Rippling", "config rule 1 (host app.rippling.com)", Some(0)),
            "the first matching rule decides, not a later one"
        );
        let c = classified(&samlp("https://idp.uni.edu/idp/profile/SAML2/Redirect/SSO"), &rules).unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.rule.as_str()),
            ("Shibboleth", "config rule 2 (path /idp/profile/SAML2/)")
        );
        let mut conn = oidc("https://id.acme.io", "");
        conn["name"] = json!("acme-corp");
        assert_eq!(
            classified(&conn, &rules).unwrap().rule,
            "config rule 3 (strategy oidc, name ^acme-)"
        );
        conn["strategy"] = json!("samlp");
        assert_eq!(classified(&conn, &rules).unwrap().vendor, "Other SAML");
        // A config rule overrules the built-in host rule.
        let c = classified(&samlp("https://acme.okta.com/app"), &rules).unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.rule.as_str()),
            ("Okta (custom domain)", "config rule 4 (host *.okta.com)")
        );
        // `ignore`, in any case, drops the connection; the strategy rule never runs.
        let waad = with_strategy("waad", json!({"domain": "example.onmicrosoft.com"}));
        let c = classified(&waad, &rules).unwrap();
        assert!(c.ignored);
        assert_eq!(
            (c.vendor.as_str(), c.rule.as_str()),
            ("ignore", "config rule 5 (strategy waad)")
        );
        // A catch-all is labelled as such.
        let all = compile_rules(&[VendorRule {
            vendor: "Everything".into(),
            ..Default::default()
        }])
        .unwrap();
        assert_eq!(all[0].label(), "config rule 1 (any connection)");
    }

    #[test]
    fn compile_rules_bad_regex_names_the_rule() {
        let err = compile_rules(&[VendorRule {
            vendor: "X".into(),
            name_pattern: Some("(".into()),
            ..Default::default()
        }])
        .unwrap_err();
        assert!(err.to_string().contains("rule 1"), "{err}");
    }

    #[test]
    fn missing_options_falls_back_and_says_why() {
        let mut conn = samlp("https://acme.okta.com/app");
        conn.as_object_mut().unwrap().remove("options");
        let (v, rule) = vendor(&conn);
        assert_eq!(v, "Other SAML");
        assert!(rule.contains("read:connections_options"), "{rule}");
    }

    #[test]
    fn database_and_social_connections_are_not_idps() {
        for strategy in ["auth0", "google-oauth2", "github", "email", "sms", "windowslive", ""] {
            assert_eq!(
                facts(&json!({"id": "con_1", "name": "x", "strategy": strategy, "options": {}})),
                None,
                "{strategy}"
            );
        }
    }

    #[test]
    fn other_enterprise_strategies_have_documented_names() {
        assert_eq!(
            vendor(&with_strategy("office365", json!({"client_id": "x"}))).0,
            "Microsoft Entra ID"
        );
        assert_eq!(vendor(&with_strategy("auth0-adldap", json!({}))).0, "Active Directory");
        assert_eq!(
            vendor(&with_strategy("sharepoint", json!({}))).0,
            "Microsoft SharePoint"
        );
        assert_eq!(vendor(&with_strategy("ip", json!({}))).0, "IP Address");
        assert_eq!(
            vendor(&with_strategy(
                "okta-samlp",
                json!({"signInEndpoint": "https://acme.okta.com/app/sso/saml"})
            ))
            .0,
            "Okta"
        );
        assert_eq!(vendor(&with_strategy("keycloak-samlp", json!({}))).0, "Other SAML");
    }
}
