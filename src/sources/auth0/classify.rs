//! Which IdP vendor sits behind an Auth0 enterprise connection (SPEC 2.3).
//!
//! Order: the strategy when it names the vendor; else hosts, then paths, of
//! the IdP endpoint URLs in `options`; else the parsed certificate subject;
//! else the user's config rules; else a generic fallback per strategy.
//! Auth0's own values (`entityId` = SP id, `provisioning_ticket_url`, waad
//! `app_domain`) are never read: they name Auth0, not the IdP.
//!
//! Names for strategies the SPEC does not list (our choice, from the
//! reference): `office365` → `Microsoft Entra ID`; `ad`, `auth0-adldap` →
//! `Active Directory`; `sharepoint` → `Microsoft SharePoint`; `ip` →
//! `IP Address`; the self-service flavours `auth0-samlp`, `okta-samlp`,
//! `keycloak-samlp` are treated as `samlp` (host rules, then `Other SAML`).
//!
//! A layer of its own: it takes one connection's parsed fields
//! ([`ConnectionFields`]) and the config rules, and gives the vendor and the
//! rule that decided it. It knows nothing of dumps, facts or rows.

use anyhow::{Context, Result};
use regex::Regex;

use super::elements::{ConnectionFields, OptionsFields, URL_FIELDS};

/// A user rule from `[[auth0.vendor_rules]]`. Every condition given must
/// hold; a rule with none matches everything (a catch-all).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VendorRule {
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

/// A [`VendorRule`] with its regex compiled once.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    rule: VendorRule,
    name_regex: Option<Regex>,
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
            })
        })
        .collect()
}

/// The vendor and the rule that decided it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classification {
    pub vendor: String,
    pub rule: String,
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

/// `(field, host, path)` of an IdP endpoint URL in `options`.
pub(crate) type EndpointUrl = (&'static str, String, String);

/// `(field, host, path)` of every IdP endpoint URL in `options`.
fn endpoint_urls(options: &OptionsFields) -> Vec<EndpointUrl> {
    URL_FIELDS
        .iter()
        .zip(&options.urls)
        .filter_map(|(field, value)| {
            let (host, path) = host_and_path(value.as_deref()?)?;
            Some((*field, host, path))
        })
        .collect()
}

/// Vendor from the parsed certificate subject (`options.subject`), for IdPs
/// on custom domains (Okta custom URL, self-hosted) where hosts say nothing.
fn by_certificate(options: &OptionsFields) -> Option<Classification> {
    let subject = &options.subject;
    fn field(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    let (cn, o, ou) = (
        field(&subject.common_name),
        field(&subject.organization_name),
        field(&subject.organizational_unit_name),
    );
    let found = |vendor: &str, evidence: String| {
        Some(Classification {
            vendor: vendor.into(),
            rule: format!("certificate subject {evidence}"),
        })
    };
    if o.eq_ignore_ascii_case("Okta") || ou.contains("SSOProvider") {
        return found("Okta", format!("O={o}"));
    }
    if ou.contains("Google For Work") || (cn == "Google" && o.starts_with("Google")) {
        return found("Google Workspace", format!("CN={cn}, O={o}"));
    }
    if cn.contains("Microsoft Azure Federated SSO Certificate") {
        return found("Microsoft Entra ID", format!("CN={cn}"));
    }
    if o.contains("OneLogin")
        || ou.contains("OneLogin")
        || cn == "app.onelogin.com"
        || cn.starts_with("OneLogin Account")
    {
        return found("OneLogin", format!("CN={cn}, O={o}"));
    }
    None
}

fn config_rule(name: &str, strategy: &str, urls: &[EndpointUrl], rules: &[CompiledRule]) -> Option<Classification> {
    rules.iter().enumerate().find_map(|(i, c)| {
        let r = &c.rule;
        let host_ok = r
            .host
            .as_deref()
            .is_none_or(|h| urls.iter().any(|(_, host, _)| host_matches(h, host)));
        let path_ok = r
            .path_contains
            .as_deref()
            .is_none_or(|p| urls.iter().any(|(_, _, path)| path.contains(&p.to_ascii_lowercase())));
        let strategy_ok = r.strategy.as_deref().is_none_or(|s| s == strategy);
        let name_ok = c.name_regex.as_ref().is_none_or(|re| re.is_match(name));
        (host_ok && path_ok && strategy_ok && name_ok).then(|| Classification {
            vendor: r.vendor.clone(),
            rule: format!("config rule {}", i + 1),
        })
    })
}

fn fallback(strategy: &str, has_options: bool) -> Classification {
    let vendor = match strategy {
        "oidc" => "Other OIDC",
        "sharepoint" => "Microsoft SharePoint",
        "ip" => "IP Address",
        _ => "Other SAML",
    };
    let rule = if has_options {
        format!("fallback {strategy}")
    } else {
        format!("fallback {strategy} (no options: the token lacks read:connections_options)")
    };
    Classification {
        vendor: vendor.into(),
        rule,
    }
}

/// What the built-in rules say about an enterprise connection: its vendor, or
/// that the config rules (compiled later, once the dump is read) and then the
/// fallback decide.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Decided(Classification),
    Undecided {
        /// The connection's `name` as given (config rules match it untrimmed).
        name: String,
        strategy: String,
        urls: Vec<EndpointUrl>,
        has_options: bool,
    },
}

impl Verdict {
    /// The vendor: the built-in one, else the first config rule that matches, else the fallback.
    pub(crate) fn decide(self, rules: &[CompiledRule]) -> Classification {
        match self {
            Verdict::Decided(class) => class,
            Verdict::Undecided {
                name,
                strategy,
                urls,
                has_options,
            } => config_rule(&name, &strategy, &urls, rules).unwrap_or_else(|| fallback(&strategy, has_options)),
        }
    }
}

/// The built-in rules (strategy, hosts, paths, certificate subject) applied
/// to one connection; `None` when it is not an enterprise connection
/// (database, social, passwordless).
pub(crate) fn classify_builtin(conn: &ConnectionFields) -> Option<Verdict> {
    let strategy = conn.strategy.as_deref().unwrap_or("");
    if !is_enterprise(strategy) {
        return None;
    }
    let decided = |vendor: &str, rule: String| {
        Some(Verdict::Decided(Classification {
            vendor: vendor.into(),
            rule,
        }))
    };
    if let Some((_, vendor)) = BY_STRATEGY.iter().find(|(s, _)| *s == strategy) {
        return decided(vendor, format!("strategy {strategy}"));
    }
    let options = conn.options.as_ref();
    let urls = options.map(endpoint_urls).unwrap_or_default();
    for (field, host, _) in &urls {
        if let Some((_, vendor)) = BY_HOST.iter().find(|(pattern, _)| host_matches(pattern, host)) {
            return decided(vendor, format!("host {host} in options.{field}"));
        }
    }
    for (field, _, path) in &urls {
        if let Some((needle, vendor)) = BY_PATH.iter().find(|(needle, _)| path.contains(needle)) {
            return decided(vendor, format!("path {needle} in options.{field}"));
        }
    }
    if let Some(found) = options.and_then(by_certificate) {
        return Some(Verdict::Decided(found));
    }
    Some(Verdict::Undecided {
        name: conn.name.clone().unwrap_or_default(),
        strategy: strategy.to_string(),
        urls,
        has_options: options.is_some(),
    })
}

/// Classifies one connection; `None` when it is not an enterprise connection.
#[cfg(test)]
pub(crate) fn classify(conn: &serde_json::Value, rules: &[CompiledRule]) -> Option<Classification> {
    classify_builtin(&ConnectionFields::of_value(conn)).map(|v| v.decide(rules))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn vendor(conn: &Value) -> (String, String) {
        let c = classify(conn, &[]).expect("enterprise");
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
    fn certificate_subject_is_the_fallback_before_config() {
        let mut okta = samlp("https://login.acme.com/app/sso/saml");
        okta["options"]["subject"] = json!({"commonName": "acme", "organizationName": "Okta", "countryName": "US"});
        assert_eq!(vendor(&okta), ("Okta".into(), "certificate subject O=Okta".into()));
        let mut google = samlp("https://sso.acme.com/x");
        google["options"]["subject"] =
            json!({"commonName": "Google", "organizationName": "Google Inc.", "countryName": "US"});
        assert_eq!(vendor(&google).0, "Google Workspace");
        let mut entra = samlp("https://sso.acme.com/x");
        entra["options"]["subject"] = json!({"commonName": "Microsoft Azure Federated SSO Certificate"});
        assert_eq!(vendor(&entra).0, "Microsoft Entra ID");
        let mut onelogin = samlp("https://sso.acme.com/x");
        onelogin["options"]["subject"] = json!({"commonName": "app.onelogin.com", "organizationName": "OneLogin"});
        assert_eq!(vendor(&onelogin).0, "OneLogin");
        // The recorded go-auth0 subject (a Google corp host as CN) proves nothing.
        let mut corp = samlp("https://sso.acme.com/x");
        corp["options"]["subject"] = json!({"commonName": "europa.sfo.corp.google.com", "countryName": "AU", "organizationName": "Internet Widgits Pty Ltd"});
        assert_eq!(vendor(&corp).0, "Other SAML");
    }

    #[test]
    fn host_beats_certificate_subject() {
        let mut conn = samlp("https://acme.onelogin.com/trust/saml2/http-post/sso/1");
        conn["options"]["subject"] = json!({"organizationName": "Okta"});
        assert_eq!(vendor(&conn).0, "OneLogin");
    }

    #[test]
    fn config_rules_apply_only_where_builtins_fall_back() {
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
                vendor: "Never".into(),
                host: Some("*.okta.com".into()),
                ..Default::default()
            },
        ])
        .unwrap();
        let c = classify(&samlp("https://app.rippling.com/saml/sso"), &rules).unwrap();
        assert_eq!((c.vendor.as_str(), c.rule.as_str()), ("Rippling", "config rule 1"));
        let c = classify(&samlp("https://idp.uni.edu/idp/profile/SAML2/Redirect/SSO"), &rules).unwrap();
        assert_eq!((c.vendor.as_str(), c.rule.as_str()), ("Shibboleth", "config rule 2"));
        let mut conn = oidc("https://id.acme.io", "");
        conn["name"] = json!("acme-corp");
        assert_eq!(classify(&conn, &rules).unwrap().rule, "config rule 3");
        conn["strategy"] = json!("samlp");
        assert_eq!(classify(&conn, &rules).unwrap().vendor, "Other SAML");
        assert_eq!(
            classify(&samlp("https://acme.okta.com/app"), &rules).unwrap().rule,
            "host acme.okta.com in options.signInEndpoint"
        );
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
                classify(
                    &json!({"id": "con_1", "name": "x", "strategy": strategy, "options": {}}),
                    &[]
                ),
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
