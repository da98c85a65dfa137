"""Shared by scripts/bench_duckdb.py and scripts/bench_pandas.py: where `featurearr demo`
puts the inputs, the feature columns, Salesforce's 15 -> 18 ID conversion and the SPEC 2.3
IdP vendor rules (as featurearr's src/sources/auth0/classify.rs applies them)."""

import os

# (feature key, flags column) as the demo's flags file and config name them.
FEATURES = [
    ("sso", "sso_enabled"),
    ("scim", "scim_enabled"),
    ("forced_mfa", "mfa_enforced"),
    ("ip_allowlist", "ip_allowlist_enabled"),
]

ID18_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

ENTERPRISE = [
    "ad", "adfs", "auth0-adldap", "google-apps", "ip", "office365", "oidc", "okta", "pingfederate",
    "samlp", "sharepoint", "waad", "auth0-samlp", "okta-samlp", "keycloak-samlp",
]
BY_STRATEGY = [
    ("waad", "Microsoft Entra ID"),
    ("office365", "Microsoft Entra ID"),
    ("google-apps", "Google Workspace"),
    ("okta", "Okta"),
    ("adfs", "ADFS"),
    ("pingfederate", "Ping Identity"),
    ("ad", "Active Directory"),
    ("auth0-adldap", "Active Directory"),
]
BY_HOST = [
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
]
BY_PATH = [("/adfs/", "ADFS"), ("/realms/", "Keycloak")]
URL_FIELDS = [
    "signInEndpoint", "metadataUrl", "discovery_url", "issuer", "oidc_metadata.issuer", "authorization_endpoint",
    "oidc_metadata.authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "signOutEndpoint",
    "destinationUrl", "adfs_server", "pingFederateBaseUrl",
]


def input_paths(inputs, as_of):
    return {
        "config": os.path.join(inputs, "featurearr.toml"),
        "flags": os.path.join(inputs, f"flags-{as_of}.csv"),
        "arr": os.path.join(inputs, f"arr-{as_of}.csv"),
        "workspace_accounts": os.path.join(inputs, f"workspace-accounts-{as_of}.csv"),
        "auth0": os.path.join(inputs, f"auth0-{as_of}.json"),
    }


def rate_parts(value):
    """`1.08` -> (108, 2): the rate as an exact mantissa and decimal scale."""
    text = str(value)
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return int(whole + frac), len(frac)


def id18(id15):
    """Salesforce's case-safe 18-character form of a 15-character ID."""
    if len(id15) != 15:
        return id15
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, c in enumerate(id15[chunk * 5:chunk * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << i
        suffix += ID18_SUFFIX[bits]
    return id15 + suffix


def id18_sql(x):
    """The same conversion as a SQL expression over the column `x`."""
    chunks = []
    for chunk in range(3):
        bits = " + ".join(
            f"CASE WHEN substr({x}, {chunk * 5 + i + 1}, 1) BETWEEN 'A' AND 'Z' THEN {1 << i} ELSE 0 END"
            for i in range(5)
        )
        chunks.append(f"substr('{ID18_SUFFIX}', 1 + {bits}, 1)")
    return f"CASE WHEN length({x}) = 15 THEN {x} || {' || '.join(chunks)} ELSE {x} END"


def _host_and_path(url):
    url = url.strip()
    rest = url.split("://", 1)[1] if "://" in url else url
    end = len(rest)
    for ch in "/?#":
        at = rest.find(ch)
        if at != -1:
            end = min(end, at)
    host = rest[:end].rsplit("@", 1)[-1].split(":", 1)[0].lower()
    if not host:
        return None
    path = rest[end:]
    for ch in "?#":
        path = path.split(ch, 1)[0]
    return host, path.lower()


def _host_matches(pattern, host):
    if pattern.startswith("*."):
        return host == pattern[2:] or host.endswith(pattern[1:])
    return host == pattern


def classify(conn):
    """The IdP vendor of an Auth0 connection object, or None when it is no enterprise connection."""
    strategy = conn.get("strategy") or ""
    if strategy not in ENTERPRISE:
        return None
    for s, vendor in BY_STRATEGY:
        if s == strategy:
            return vendor
    options = conn.get("options")
    options = options if isinstance(options, dict) else None
    urls = []
    for field in URL_FIELDS if options else []:
        a, _, b = field.partition(".")
        value = options.get(a)
        if b:
            value = value.get(b) if isinstance(value, dict) else None
        if isinstance(value, str):
            hp = _host_and_path(value)
            if hp:
                urls.append(hp)
    for host, _ in urls:
        for pattern, vendor in BY_HOST:
            if _host_matches(pattern, host):
                return vendor
    for _, path in urls:
        for needle, vendor in BY_PATH:
            if needle in path:
                return vendor
    subject = options.get("subject") if options else None
    if isinstance(subject, dict):
        # Only each vendor's real signing-certificate subject counts (issue 13).
        cn = (subject.get("commonName") or "").strip()
        o = (subject.get("organizationName") or "").strip()
        ou = (subject.get("organizationalUnitName") or "").strip()
        email = (subject.get("emailAddress") or "").strip()
        if ou == "SSOProvider" and (o == "Okta" or email.endswith("@okta.com")):
            return "Okta"
        if ou == "Google For Work" and cn == "Google" and o.startswith("Google"):
            return "Google Workspace"
        if cn == "Microsoft Azure Federated SSO Certificate":
            return "Microsoft Entra ID"
        if (o == "OneLogin" and cn == "app.onelogin.com") or (ou == "OneLogin IdP" and cn.startswith("OneLogin Account ")):
            return "OneLogin"
    return {"oidc": "Other OIDC", "sharepoint": "Microsoft SharePoint", "ip": "IP Address"}.get(strategy, "Other SAML")
