//! The Auth0 dump: what a pull saves and `load auth0` replays (SPEC 2.3).
//!
//! Objects stay `serde_json::Value`, exactly as the Management API returned
//! them, so a dump never loses a field we did not think of. Reading checks
//! only the envelope; the classification in `classify`/`rows` reads fields.
//! `load auth0` does not hold the objects at all: [`read_dump_for_load`]
//! streams the file and keeps only what `facts` names, and accepts and
//! rejects what [`read_dump`] does, with the one exception it had before: the
//! fields of a log object that counting does not read are skipped unchecked.

use std::fs;
use std::io::{BufReader, Seek, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::facts::{DumpFacts, Skip};
use super::rows::LoginTally;
use super::stream;

/// How much of a dump `read_dump_for_load` reads at a time.
const CHUNK: usize = 8 << 20;

/// How many bytes of a dump's array elements a parser thread takes at a time
/// (`stream::read_chunked`): a few batches are held at once, and a small dump, all in
/// one batch, is parsed without threads.
const BATCH: usize = 1 << 20;

const EXPECTED_SHAPE: &str =
    r#"one JSON object {"connections": [...], "organizations": [...], "logs": [...]} ("logs" optional)"#;

/// An Auth0 tenant's connections, organizations (each may carry an extra
/// `enabled_connections` array) and, optionally, successful-login logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Auth0Dump {
    pub connections: Vec<Value>,
    pub organizations: Vec<Value>,
    pub logs: Option<Vec<Value>>,
}

impl Auth0Dump {
    /// The dump as one JSON object, keys in the documented order.
    pub(crate) fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("connections".into(), Value::Array(self.connections.clone()));
        map.insert("organizations".into(), Value::Array(self.organizations.clone()));
        if let Some(logs) = &self.logs {
            map.insert("logs".into(), Value::Array(logs.clone()));
        }
        Value::Object(map)
    }

    /// Parses a dump value; `origin` names it in errors.
    ///
    /// # Errors
    /// When the value is not the documented envelope, or an array holds
    /// something other than objects.
    pub(crate) fn from_value(value: Value, origin: &str) -> Result<Self> {
        let Value::Object(mut map) = value else {
            bail!("{origin} is not an Auth0 dump: expected {EXPECTED_SHAPE}");
        };
        let mut take = |key: &str, required: bool| -> Result<Option<Vec<Value>>> {
            match map.remove(key) {
                None | Some(Value::Null) if !required => Ok(None),
                None | Some(Value::Null) => Err(no_array(origin, key)),
                Some(Value::Array(items)) => {
                    if let Some(i) = items.iter().position(|v| !v.is_object()) {
                        bail!("{origin}: \"{key}\"[{i}] is not a JSON object: expected {EXPECTED_SHAPE}");
                    }
                    Ok(Some(items))
                }
                Some(_) => bail!("{origin}: \"{key}\" is not an array: expected {EXPECTED_SHAPE}"),
            }
        };
        let connections = take("connections", true)?.unwrap_or_default();
        let organizations = take("organizations", true)?.unwrap_or_default();
        let logs = take("logs", false)?;
        for org in &organizations {
            if let Some(ec) = org.get("enabled_connections") {
                if !ec.is_array() {
                    let id = org.get("id").and_then(Value::as_str).unwrap_or("?");
                    bail!("{origin}: organization {id} has \"enabled_connections\" that is not an array");
                }
            }
        }
        Ok(Auth0Dump {
            connections,
            organizations,
            logs,
        })
    }
}

fn no_array(origin: impl std::fmt::Display, key: &str) -> anyhow::Error {
    anyhow::anyhow!("{origin} has no \"{key}\" array: expected {EXPECTED_SHAPE}")
}

/// Reads a dump file.
///
/// # Errors
/// Names the file; for invalid JSON also the line and column; for a wrong
/// shape, the expected one.
#[cfg_attr(not(test), allow(dead_code))] // the CLI streams dumps with `read_dump_for_load`
pub(crate) fn read_dump(path: &Path) -> Result<Auth0Dump> {
    let text = read_dump_text(path)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| json_error(path, &e))?;
    Auth0Dump::from_value(value, &path.display().to_string())
}

/// The text of a dump file, checked to be UTF-8 and not blank.
fn read_dump_text(path: &Path) -> Result<String> {
    let origin = path.display();
    let bytes = crate::sources::text::read_bytes(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        anyhow::anyhow!("{origin}:{line}: not UTF-8; an Auth0 dump is JSON, which is always UTF-8, so pull it again")
    })?;
    if text.trim().is_empty() {
        bail!(
            "{origin} is empty; expected {EXPECTED_SHAPE}; pull it again with `featurearr pull auth0 --save-dump FILE`"
        );
    }
    Ok(text)
}

fn json_error(path: &Path, e: &serde_json::Error) -> anyhow::Error {
    let message = e.to_string();
    // serde_json appends " at line L column C"; the position goes in front instead.
    let reason = message.split(" at line ").next().unwrap_or(&message);
    anyhow::anyhow!(
        "{}:{}:{}: not valid JSON ({reason}); expected {EXPECTED_SHAPE}; if the file was cut short, pull it again",
        path.display(),
        e.line(),
        e.column()
    )
}

/// Reads a dump for `load auth0` while the file streams past: of each connection and
/// organization only the few fields that classification and mapping read
/// ([`DumpFacts`]; connections are classified as they come), and the logs counted into a
/// [`LoginTally`]. So a dump of hundreds of thousands of objects is never held in memory,
/// as text or as JSON values. `None` for the tally when the dump has no logs.
///
/// The file is read in chunks ([`stream::read_chunked`]); a file that reader does not
/// take is read again through serde_json's own reader, which decides as before.
///
/// # Errors
/// As [`read_dump`], with the same messages: on any problem the file is read again
/// the way `read_dump` reads it, which names the file, the line or the shape.
pub(crate) fn read_dump_for_load(path: &Path) -> Result<(DumpFacts, Option<LoginTally>)> {
    let mut file = fs::File::open(path).with_context(|| format!("cannot read Auth0 dump {}", path.display()))?;
    let parts = match stream::read_chunked(&mut file, CHUNK, BATCH) {
        Some(parts) => parts,
        None => {
            let through = file.rewind().map_err(serde_json::Error::io).and_then(|()| {
                let reader = BufReader::with_capacity(1 << 20, &file);
                stream::read(serde_json::Deserializer::from_reader(reader))
            });
            match through {
                Ok(parts) => parts,
                Err(_) => return read_whole_for_load(path),
            }
        }
    };
    let origin = path.display();
    // A null array is an absent one, as in `Auth0Dump::from_value`.
    let connections = parts.connections.ok_or_else(|| no_array(&origin, "connections"))?;
    let organizations = parts.organizations.ok_or_else(|| no_array(&origin, "organizations"))?;
    let facts = DumpFacts {
        connections,
        organizations,
    };
    Ok((facts, parts.logs))
}

/// [`read_dump_for_load`] for a file the stream rejected: `read_dump`'s checks in
/// `read_dump`'s order, so the error is the one `read_dump` gives. A file that is
/// not JSON fails before any value is built; a file that is valid JSON the stream
/// would not take (a repeated `"logs"` key, say) is read whole, as `read_dump` reads it.
fn read_whole_for_load(path: &Path) -> Result<(DumpFacts, Option<LoginTally>)> {
    let text = read_dump_text(path)?;
    serde_json::from_str::<Skip>(&text).map_err(|e| json_error(path, &e))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| json_error(path, &e))?;
    drop(text);
    let dump = Auth0Dump::from_value(value, &path.display().to_string())?;
    let tally = dump.logs.as_deref().map(LoginTally::from_values);
    Ok((DumpFacts::from_dump(&dump)?, tally))
}

/// Writes a dump as pretty JSON, to a temporary file in the same folder that
/// is then renamed over `path`, so a reader never sees half a dump.
///
/// # Errors
/// When the folder is not writable or the rename fails.
pub(crate) fn write_dump(path: &Path, dump: &Auth0Dump) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<()> {
        let mut file = fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut text = serde_json::to_string_pretty(&dump.to_value()).context("cannot serialise the Auth0 dump")?;
        text.push('\n');
        file.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot flush {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write Auth0 dump {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("featurearr-auth0-model-{}-{name}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn sample() -> Auth0Dump {
        Auth0Dump {
            connections: vec![
                json!({"id": "con_Xx9aiRppSPC3E6vT", "name": "acme-sso", "strategy": "samlp", "options": {"signInEndpoint": "https://acme.okta.com/app/x/1/sso/saml"}}),
            ],
            organizations: vec![
                json!({"id": "org_qK4t86pcMGKq00gN", "name": "acme", "metadata": {"workspace_id": "ws-1"},
                "enabled_connections": [{"connection_id": "con_Xx9aiRppSPC3E6vT", "assign_membership_on_login": true, "show_as_button": true, "connection": {"name": "acme-sso", "strategy": "samlp"}}]}),
            ],
            logs: Some(vec![
                json!({"log_id": "900", "type": "s", "date": "2026-09-01T10:00:00.000Z", "connection_id": "con_Xx9aiRppSPC3E6vT", "organization_id": null}),
            ]),
        }
    }

    #[test]
    fn dump_round_trip_keeps_objects_exactly() {
        let dir = scratch("round");
        let path = dir.join("dump.json");
        write_dump(&path, &sample()).unwrap();
        assert_eq!(read_dump(&path).unwrap(), sample());
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.find("\"connections\"").unwrap() < text.find("\"organizations\"").unwrap());
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn dump_without_logs_round_trips_as_none() {
        let dir = scratch("nologs");
        let path = dir.join("dump.json");
        let dump = Auth0Dump { logs: None, ..sample() };
        write_dump(&path, &dump).unwrap();
        assert!(!fs::read_to_string(&path).unwrap().contains("\"logs\""));
        assert_eq!(read_dump(&path).unwrap().logs, None);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_bad_json_names_file_and_line() {
        let dir = scratch("badjson");
        let path = dir.join("bad.json");
        fs::write(&path, "{\n \"connections\": [],\n \"organizations\": [,]\n}").unwrap();
        let err = format!("{:#}", read_dump(&path).unwrap_err());
        assert!(err.contains("bad.json:3:"), "{err}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_wrong_shape_says_expected_shape() {
        let dir = scratch("shape");
        let path = dir.join("arr.json");
        fs::write(&path, "[]").unwrap();
        let err = format!("{:#}", read_dump(&path).unwrap_err());
        assert!(
            err.contains("arr.json") && err.contains("\"connections\": [...]"),
            "{err}"
        );
        fs::write(&path, r#"{"connections": [1], "organizations": []}"#).unwrap();
        let err = format!("{:#}", read_dump(&path).unwrap_err());
        assert!(err.contains("\"connections\"[0] is not a JSON object"), "{err}");
        fs::write(&path, r#"{"connections": []}"#).unwrap();
        assert!(format!("{:#}", read_dump(&path).unwrap_err()).contains("no \"organizations\" array"));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_for_load_counts_logins_as_to_rows_does() {
        let dir = scratch("forload");
        let path = dir.join("dump.json");
        let mut dump = sample();
        let logs = dump.logs.as_mut().unwrap();
        logs.push(json!({"log_id": "900", "type": "s", "date": "2026-09-01T11:00:00.000Z", "connection_id": "con_Xx9aiRppSPC3E6vT"}));
        logs.push(json!({"log_id": "901", "type": "s", "date": "2026-09-02T00:00:00.000Z", "connection": "acme-sso", "connection_id": " "}));
        logs.push(json!({"log_id": "902", "type": "s", "date": "bad", "connection": "acme-sso"}));
        logs.push(json!({"log_id": "903", "type": "s", "date": "2026-09-02T00:00:00.000Z", "connection": "nobody"}));
        logs.push(json!({"log_id": 904, "type": "f", "date": "2026-09-02T00:00:00.000Z", "connection": {"x": [1]}}));
        write_dump(&path, &dump).unwrap();
        let (read, tally) = read_dump_for_load(&path).unwrap();
        assert_eq!(read, DumpFacts::from_dump(&dump).unwrap());
        let streamed = super::super::rows::to_rows_with_logins(read, tally, None, &[]).unwrap();
        assert_eq!(streamed, super::super::rows::to_rows(&dump, None, &[]).unwrap());
        assert_eq!(streamed.logins.as_ref().map(Vec::len), Some(2));

        write_dump(&path, &Auth0Dump { logs: None, ..sample() }).unwrap();
        assert!(read_dump_for_load(&path).unwrap().1.is_none());
        fs::write(&path, r#"{"connections": [], "organizations": [], "logs": [1]}"#).unwrap();
        let err = format!("{:#}", read_dump_for_load(&path).unwrap_err());
        assert!(err.contains("\"logs\"[0] is not a JSON object"), "{err}");
        fs::write(&path, "{\n \"connections\": [],\n \"organizations\": [,]\n}").unwrap();
        let err = format!("{:#}", read_dump_for_load(&path).unwrap_err());
        assert!(err.contains("dump.json:3:"), "{err}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn read_dump_missing_file_names_it() {
        let err = format!("{:#}", read_dump(Path::new("/nonexistent/auth0.json")).unwrap_err());
        assert!(err.contains("/nonexistent/auth0.json"), "{err}");
    }

    /// JSON text shaped like a dump, written by hand so that keys can repeat and come
    /// in any order, and fields can hold anything.
    mod text {
        use proptest::prelude::*;

        /// `@FF@` stands for a byte that is not UTF-8; `written` puts it in.
        pub(super) fn written(text: &str) -> Vec<u8> {
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

        pub(super) fn dump() -> impl Strategy<Value = String> {
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
            let whole = prop_oneof![12 => usual, 4 => envelope, 1 => field()];
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
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, failure_persistence: None, ..Default::default() })]

        /// The streamed load gives what `read_dump` then `to_rows` give, error messages included.
        #[test]
        fn read_dump_for_load_agrees_with_read_dump(text in text::dump()) {
            use super::super::rows::{to_rows, to_rows_with_logins};
            let file = crate::sources::test_file::test_file("dump.json", &text::written(&text));
            let pattern = regex::Regex::new("^ws-(.+)-sso$").unwrap();
            let rules = [crate::sources::auth0::VendorRule {
                vendor: "Rippling".into(),
                host: Some("app.rippling.com".into()),
                ..Default::default()
            }];
            let streamed = read_dump_for_load(&file.path)
                .and_then(|(facts, tally)| to_rows_with_logins(facts, tally, Some(&pattern), &rules));
            let whole = read_dump(&file.path).and_then(|dump| to_rows(&dump, Some(&pattern), &rules));
            match (streamed, whole) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b),
                (Err(a), Err(b)) => proptest::prop_assert_eq!(format!("{a:#}"), format!("{b:#}")),
                (a, b) => proptest::prop_assert!(false, "streamed {:?}\nwhole {:?}\n{}", a.map(|_| ()), b.map(|_| ()), text),
            }
        }

        /// The chunked reader, at any chunk and batch size (most dumps here take several
        /// batches, so their arrays go through the parser threads), reads what serde_json
        /// reads from the whole text, and gives up on exactly what serde_json rejects (or
        /// on deep nesting).
        #[test]
        fn read_chunked_agrees_with_read_at_any_chunk_size(text in text::dump(), chunk in 1..80usize, batch in 1..400usize) {
            use super::super::rows::to_rows_with_logins;
            let bytes = text::written(&text);
            let rows = |parts: stream::Parts| {
                let facts = DumpFacts {
                    connections: parts.connections.unwrap_or_default(),
                    organizations: parts.organizations.unwrap_or_default(),
                };
                to_rows_with_logins(facts, parts.logs, None, &[]).map_err(|e| e.to_string())
            };
            let chunked = stream::read_chunked(&mut bytes.as_slice(), chunk, batch).map(rows);
            let whole = stream::read(serde_json::Deserializer::from_slice(&bytes)).ok().map(rows);
            let deep = bytes.windows(121).any(|w| w.iter().all(|&b| b == b'['));
            match (chunked, whole) {
                (None, Some(_)) => proptest::prop_assert!(deep, "gave up on a dump serde_json reads: {}", text),
                (chunked, whole) => proptest::prop_assert_eq!(chunked, whole, "{}", text),
            }
        }
    }

    #[test]
    fn read_chunked_reads_pieces_cut_anywhere() {
        let text = r#" { "other": [1e2, {"x": "\u00e9"}], "logs": [{"log_id": "1", "type": "s", "ip": -2.5e-3, "x": [true, null], "date": "2026-09-01T10:00:00Z", "connection_id": "con_1"}],
            "organizations": null, "connections": [{"id": "con_1", "strategy": "samlp", "options": {"signInEndpoint": "https://a.okta.com/x"}}, {"id": 12345}],
            "organizations": [{"id": "org_1", "enabled_connections": [{"connection_id": "con_1"}]}], "tail": 12345 } "#;
        let whole = stream::read(serde_json::Deserializer::from_str(text)).unwrap();
        for chunk in 1..=text.len() + 1 {
            let parts = stream::read_chunked(&mut text.as_bytes(), chunk, 1).expect("a well-formed dump");
            assert_eq!(parts.connections, whole.connections, "chunk {chunk}");
            assert_eq!(parts.organizations, whole.organizations, "chunk {chunk}");
            assert!(parts.logs.is_some());
        }
        // Nesting: up to the limit a piece is read here; past it the whole-file reader decides.
        let nested = |depth: usize| {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            format!(r#"{{"connections": [{{"id": "con_1", "x": {deep}, "y": "[[[{{"}}], "organizations": []}}"#)
        };
        for (depth, takes) in [(60, true), (119, true), (121, false), (126, false)] {
            let text = nested(depth);
            let chunked = stream::read_chunked(&mut text.as_bytes(), 64, 1).map(|p| p.connections);
            assert_eq!(chunked.is_some(), takes, "depth {depth}");
            if takes {
                let whole = stream::read(serde_json::Deserializer::from_str(&text)).unwrap();
                assert_eq!(chunked.unwrap(), whole.connections, "depth {depth}");
            }
        }
        for bad in [
            &text[..text.len() - 3],
            "{\"logs\": [], \"logs\": []}",
            "{\"a\": 1,}",
            "{} x",
            "{\"a\": 012}",
            "",
        ] {
            assert!(stream::read_chunked(&mut bad.as_bytes(), 4, 1).is_none(), "{bad}");
        }
    }

    /// Thousands of logs through the parser threads, in batches of every size from one log
    /// to all of them, read in chunks that cut logs anywhere: the counts are the ones the
    /// whole-file reader gives. A `log_id` comes twice, the second time on another day and
    /// connection and often in another batch, so counting batches out of order shows.
    #[test]
    fn read_chunked_parses_logs_in_parallel_as_read_does() {
        use super::super::rows::to_rows_with_logins;
        let logs: Vec<String> = (0..3000)
            .map(|i| {
                let kind = if i % 11 == 0 { "f" } else { "s" };
                let connection = match i % 13 {
                    0 => r#""connection": "acme-sso""#.to_string(),
                    _ => format!(r#""connection_id": "con_{}""#, i % 7),
                };
                // Brackets, commas and escaped quotes inside strings must not end a log.
                format!(
                    r#"{{"log_id": "{}", "type": "{kind}", "date": "2026-09-{:02}T10:00:00Z", {connection}, "description": "a \"],[\" b\\", "details": {{"x": [1, "}}]", {{}}]}}}}"#,
                    i % 1700,
                    1 + i / 100 % 28,
                )
            })
            .collect();
        let text = format!(
            "{{\"connections\": [{{\"id\": \"con_1\", \"name\": \"acme-sso\", \"strategy\": \"samlp\"}}], \"organizations\": [],\n\"logs\": [\n{}\n], \"tail\": [1]}}",
            logs.join(",\n  ")
        );
        let rows = |parts: stream::Parts| {
            let facts = DumpFacts {
                connections: parts.connections.unwrap_or_default(),
                organizations: parts.organizations.unwrap_or_default(),
            };
            to_rows_with_logins(facts, parts.logs, None, &[]).unwrap()
        };
        let whole = rows(stream::read(serde_json::Deserializer::from_str(&text)).unwrap());
        let logins: i64 = whole.logins.iter().flatten().map(|l| l.logins).sum();
        // Log ids 0..1700 each count once, when any of their (one or two) logs is type s.
        let ids_logged_in = (0..1700)
            .filter(|i| i % 11 != 0 || (i < &1300 && (i + 1700) % 11 != 0))
            .count();
        assert_eq!(logins, ids_logged_in as i64);
        for (chunk, batch) in [
            (1 << 20, 1),
            (64, 1),
            (333, 700),
            (4096, 5_000),
            (1000, 100_000),
            (77, 1 << 20),
        ] {
            let chunked = stream::read_chunked(&mut text.as_bytes(), chunk, batch).expect("a well-formed dump");
            assert_eq!(rows(chunked), whole, "chunk {chunk}, batch {batch}");
        }
        // Broken halfway through the logs: one `}` too many, a log that is no object, cut short.
        let half = text.len() / 2 + text[text.len() / 2..].find("},\n").unwrap();
        let broken = [
            format!("{}}}{}", &text[..half], &text[half..]),
            format!("{}}},\n 1{}", &text[..half], &text[half + 1..]),
            text[..half].to_string(),
        ];
        for bad in broken {
            assert!(stream::read(serde_json::Deserializer::from_str(&bad)).is_err());
            assert!(
                stream::read_chunked(&mut bad.as_bytes(), 256, 300).is_none(),
                "{}",
                &bad[half - 50..]
            );
        }
    }
}
