//! Test-only: JSON text shaped like an Auth0 dump, written by hand so that keys can
//! repeat and come in any order, and fields can hold anything (odd values included),
//! for the property tests of the dump readers (`file`, `stream`).

use proptest::prelude::*;

/// `@FF@` stands for a byte that is not UTF-8; `written` puts it in.
pub(crate) fn written(text: &str) -> Vec<u8> {
    text.replace("@FF@", "\u{1}")
        .bytes()
        .map(|b| if b == 1 { 0xff } else { b })
        .collect()
}

fn pick(values: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::select(values).prop_map(str::to_string).boxed()
}

fn scalar() -> BoxedStrategy<String> {
    pick(&[
        "null",
        "true",
        "0",
        "-2.5",
        "1e3",
        r#""""#,
        r#"" ""#,
        r#""con_1""#,
        r#"" con_1 ""#,
        r#""con_2""#,
        r#""org_1""#,
        r#""samlp""#,
        r#""oidc""#,
        r#""waad""#,
        r#""auth0""#,
        r#""okta-samlp""#,
        r#""ws-1""#,
        r#""ws-beta-sso""#,
        r#""https://acme.okta.com/app""#,
        r#""https://fs.acme.com/adfs/ls""#,
        r#""https://app.rippling.com/sso""#,
        r#""Okta""#,
        r#""\u00e9\n""#,
        "[]",
        "{}",
        r#"[1, "a"]"#,
    ])
}

/// Values the stream must reject exactly where a `Value` parse does.
fn odd() -> BoxedStrategy<String> {
    prop_oneof![
        Just("1e400".to_string()),
        Just(r#""\ud800""#.to_string()),
        Just(r#""@FF@""#.to_string()),
        Just(format!("{}{}", "[".repeat(130), "]".repeat(130))),
    ]
    .boxed()
}

fn field() -> BoxedStrategy<String> {
    prop_oneof![100 => scalar(), 1 => odd()].boxed()
}

fn url() -> BoxedStrategy<String> {
    prop_oneof![
        3 => pick(&[
            r#""https://acme.okta.com/app/sso/saml""#, r#""https://login.microsoftonline.com/t/saml2""#,
            r#""https://fs.acme.com/adfs/ls""#, r#""https://kc.acme.com/realms/acme""#,
            r#""https://app.rippling.com/saml""#, r#""https://idp.example.com/sso""#, r#"" HTTPS://A.ONELOGIN.COM ""#,
        ]),
        1 => field(),
    ]
    .boxed()
}

/// An object: `required` members first, then some of `optional`, shuffled.
fn object(required: Vec<BoxedStrategy<String>>, optional: Vec<BoxedStrategy<String>>) -> BoxedStrategy<String> {
    let optional = proptest::collection::vec(proptest::strategy::Union::new(optional), 0..4);
    (required, optional)
        .prop_map(|(mut members, more)| {
            members.extend(more);
            members
        })
        .prop_shuffle()
        .prop_map(|members| format!("{{{}}}", members.join(", ")))
        .boxed()
}

fn member(key: &'static str, value: BoxedStrategy<String>) -> BoxedStrategy<String> {
    value.prop_map(move |v| format!("\"{key}\": {v}")).boxed()
}

fn array(item: BoxedStrategy<String>, most: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(item, 0..most)
        .prop_map(|items| format!("[{}]", items.join(",\n")))
        .boxed()
}

fn id(prefix: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        8 => (1..6u8).prop_map(move |n| format!("\"{prefix}_{n}\"")),
        1 => field(),
    ]
    .boxed()
}

fn metadata() -> BoxedStrategy<String> {
    prop_oneof![
        4 => object(vec![member("workspace_id", pick(&[r#""ws-1""#, r#""ws-2""#, r#"" ws-3 ""#]))], vec![member("x", field())]),
        1 => object(vec![], vec![member("workspace_id", field()), member("x", field())]),
        1 => field(),
    ]
    .boxed()
}

fn options() -> BoxedStrategy<String> {
    let subject = object(
        vec![],
        vec![
            member(
                "commonName",
                pick(&[r#""Google""#, r#""app.onelogin.com""#, r#""acme""#]),
            ),
            member(
                "organizationName",
                pick(&[r#""Okta""#, r#""Google Inc.""#, r#""OneLogin""#]),
            ),
            member("organizationalUnitName", field()),
        ],
    );
    let oidc = object(
        vec![],
        vec![
            member("issuer", url()),
            member("authorization_endpoint", url()),
            member("x", field()),
        ],
    );
    prop_oneof![
        8 => object(
            vec![],
            vec![
                member("signInEndpoint", url()),
                member("issuer", url()),
                member("discovery_url", url()),
                member("jwks_uri", url()),
                member("oidc_metadata", prop_oneof![4 => oidc, 1 => field()].boxed()),
                member("oidc_metadata.issuer", url()),
                member("subject", prop_oneof![4 => subject, 1 => field()].boxed()),
                member("cert", field()),
            ],
        ),
        1 => field(),
    ]
    .boxed()
}

fn connection() -> BoxedStrategy<String> {
    let strategy = prop_oneof![
        6 => pick(&[r#""samlp""#, r#""oidc""#, r#""waad""#, r#""okta-samlp""#, r#""auth0""#, r#""google-oauth2""#]),
        1 => field(),
    ];
    let name = prop_oneof![
        4 => pick(&[r#""ws-alpha-sso""#, r#""ws-beta-sso""#, r#"" acme ""#, r#""ws--sso""#]),
        1 => field(),
    ];
    prop_oneof![
        40 => object(
            vec![member("id", id("con")), member("strategy", strategy.boxed())],
            vec![
                member("name", name.boxed()),
                member("options", options()),
                member("metadata", metadata()),
                member("realms", field()),
                member("id", field()),
            ],
        ),
        1 => field(),
    ]
    .boxed()
}

fn organization() -> BoxedStrategy<String> {
    let enabled = object(
        vec![member("connection_id", id("con"))],
        vec![member("connection", field())],
    );
    let enabled = prop_oneof![
        12 => array(prop_oneof![8 => enabled, 1 => field()].boxed(), 4),
        1 => field(),
    ];
    prop_oneof![
        40 => object(
            vec![member("id", id("org"))],
            vec![
                member("name", field()),
                member("metadata", metadata()),
                member("enabled_connections", enabled.boxed()),
                member("display_name", field()),
            ],
        ),
        1 => field(),
    ]
    .boxed()
}

/// Logs hold no odd values: the stream skips a log's other fields without
/// looking (serde's `IgnoredAny`), where `read_dump` parses them.
fn log() -> BoxedStrategy<String> {
    let day = pick(&[r#""2026-09-01T10:00:00Z""#, r#""2026-09-02T23:59:59.999Z""#, r#""bad""#]);
    object(
        vec![
            member("log_id", scalar()),
            member("type", pick(&[r#""s""#, r#""s""#, r#""f""#])),
        ],
        vec![
            member("date", day),
            member("connection_id", scalar()),
            member("connection", pick(&[r#""ws-alpha-sso""#, r#""acme""#, r#""gone""#])),
            member("ip", scalar()),
        ],
    )
}

pub(crate) fn dump() -> impl Strategy<Value = String> {
    let usual = (
        array(connection(), 8),
        array(organization(), 5),
        proptest::option::of(array(log(), 6)),
        any::<bool>(),
    )
        .prop_map(|(c, o, l, orgs_first)| {
            let mut parts = vec![format!("\"connections\": {c}"), format!("\"organizations\": {o}")];
            if orgs_first {
                parts.reverse();
            }
            parts.extend(l.map(|l| format!("\"logs\": {l}")));
            format!("{{\n{}\n}}", parts.join(",\n"))
        });
    // Any key in any order, repeated or not; "logs" never holds odd values (see `log`).
    let envelope = proptest::collection::vec(
        prop_oneof![
            3 => member("connections", array(connection(), 5)),
            3 => member("organizations", array(organization(), 4)),
            2 => member("logs", array(log(), 4)),
            1 => member("connections", field()),
            1 => member("organizations", field()),
            1 => member("logs", scalar()),
            1 => member("other", prop_oneof![field(), array(connection(), 3)].boxed()),
        ],
        0..5,
    )
    .prop_map(|members| format!("{{{}}}", members.join(",\n")));
    // A saved GET /api/v2/connections response: a bare array of connections.
    let bare = array(connection(), 6);
    let whole = prop_oneof![12 => usual, 4 => envelope, 2 => bare, 1 => field()];
    (whole, proptest::bool::weighted(0.1), any::<prop::sample::Index>()).prop_map(|(text, cut, at)| {
        if !cut || text.is_empty() {
            return text;
        }
        let at = at.index(text.len());
        let end = text
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= at)
            .last()
            .unwrap_or(0);
        text[..end].to_string()
    })
}
