//! The Auth0 dump: what a pull saves and `load auth0` replays (SPEC 2.3).
//!
//! Objects stay `serde_json::Value`, exactly as the Management API returned
//! them, so a dump never loses a field we did not think of. Reading checks
//! only the envelope; the classification in `classify`/`rows` reads fields.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::facts::DumpFacts;
use super::rows::LoginTally;

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
                None | Some(Value::Null) => bail!("{origin} has no \"{key}\" array: expected {EXPECTED_SHAPE}"),
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

/// Reads a dump file.
///
/// # Errors
/// Names the file; for invalid JSON also the line and column; for a wrong
/// shape, the expected one.
pub(crate) fn read_dump(path: &Path) -> Result<Auth0Dump> {
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
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position goes in front instead.
        let reason = message.split(" at line ").next().unwrap_or(&message);
        anyhow::anyhow!(
            "{origin}:{}:{}: not valid JSON ({reason}); expected {EXPECTED_SHAPE}; if the file was cut short, pull it again",
            e.line(),
            e.column()
        )
    })?;
    Auth0Dump::from_value(value, &path.display().to_string())
}

/// Reads a dump for `load auth0`: the facts of connections and organizations as
/// [`DumpFacts::from_dump`] reads them from `read_dump`'s values, and the logs counted into
/// a [`LoginTally`] while the file streams past, so that a dump of a million log objects
/// is never held in memory, as text or as JSON values. `None` for the tally when the dump
/// has no logs.
///
/// # Errors
/// As [`read_dump`], with the same messages: on any problem the file is read again
/// the way `read_dump` reads it, which names the file, the line or the shape.
pub(crate) fn read_dump_for_load(path: &Path) -> Result<(DumpFacts, Option<LoginTally>)> {
    let file = fs::File::open(path).with_context(|| format!("cannot read Auth0 dump {}", path.display()))?;
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let streamed =
        serde::Deserializer::deserialize_map(&mut de, stream::DumpVisitor).and_then(|parts| de.end().map(|()| parts));
    match streamed {
        Ok((connections, organizations, tally)) => {
            let mut map = Map::new();
            for (key, value) in [("connections", connections), ("organizations", organizations)] {
                if let Some(value) = value {
                    map.insert(key.into(), value);
                }
            }
            let dump = Auth0Dump::from_value(Value::Object(map), &path.display().to_string())?;
            Ok((DumpFacts::from_dump(&dump)?, tally))
        }
        Err(_) => {
            let mut dump = read_dump(path)?;
            let tally = dump.logs.take().map(|logs| LoginTally::from_values(&logs));
            Ok((DumpFacts::from_dump(&dump)?, tally))
        }
    }
}

/// Serde visitors for [`read_dump_for_load`]. They accept exactly the documented
/// envelope; anything else is an error, and the caller then lets `read_dump` word it.
mod stream {
    use std::fmt;

    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;

    use super::super::rows::{LogFields, LoginTally};

    pub(super) type Parts = (Option<Value>, Option<Value>, Option<LoginTally>);

    pub(super) struct DumpVisitor;

    impl<'de> Visitor<'de> for DumpVisitor {
        type Value = Parts;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an Auth0 dump object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts, A::Error> {
            let (mut connections, mut organizations, mut logs) = (None, None, None);
            let mut logs_seen = false;
            while let Some(key) = map.next_key::<Key>()? {
                match key {
                    Key::Connections => connections = Some(map.next_value::<Value>()?),
                    Key::Organizations => organizations = Some(map.next_value::<Value>()?),
                    Key::Logs if logs_seen => return Err(de::Error::custom("\"logs\" appears twice")),
                    Key::Logs => {
                        logs_seen = true;
                        logs = map.next_value_seed(LogsSeed)?;
                    }
                    Key::Other => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            // A null array is an absent one, as in `Auth0Dump::from_value`.
            let present = |v: Option<Value>| v.filter(|v| !v.is_null());
            Ok((present(connections), present(organizations), logs))
        }
    }

    enum Key {
        Connections,
        Organizations,
        Logs,
        Other,
    }

    impl<'de> de::Deserialize<'de> for Key {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                    Ok(match key {
                        "connections" => Key::Connections,
                        "organizations" => Key::Organizations,
                        "logs" => Key::Logs,
                        _ => Key::Other,
                    })
                }
            }
            d.deserialize_identifier(KeyVisitor)
        }
    }

    /// `"logs"`: null (no logs) or an array of objects, counted one by one.
    struct LogsSeed;

    impl<'de> DeserializeSeed<'de> for LogsSeed {
        type Value = Option<LoginTally>;

        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for LogsSeed {
        type Value = Option<LoginTally>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of log objects")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut tally = LoginTally::default();
            while let Some(log) = seq.next_element::<Log>()? {
                tally.add(&log.fields());
            }
            Ok(Some(tally))
        }
    }

    /// The fields of a log object that counting reads, each kept only when it is a string.
    #[derive(Default)]
    struct Log {
        log_id: Option<String>,
        kind: Option<String>,
        date: Option<String>,
        connection: Option<String>,
        connection_id: Option<String>,
    }

    impl Log {
        fn fields(&self) -> LogFields<'_> {
            // As `str_field`: trimmed, and an empty string counts as absent.
            fn f(v: &Option<String>) -> Option<&str> {
                v.as_deref().map(str::trim).filter(|s| !s.is_empty())
            }
            LogFields {
                log_id: f(&self.log_id),
                kind: f(&self.kind),
                date: f(&self.date),
                connection: f(&self.connection),
                connection_id: f(&self.connection_id),
            }
        }
    }

    impl<'de> de::Deserialize<'de> for Log {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Log, D::Error> {
            d.deserialize_map(LogVisitor)
        }
    }

    struct LogVisitor;

    impl<'de> Visitor<'de> for LogVisitor {
        type Value = Log;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a log object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Log, A::Error> {
            let mut log = Log::default();
            while let Some(key) = map.next_key::<LogKey>()? {
                let slot = match key {
                    LogKey::LogId => &mut log.log_id,
                    LogKey::Type => &mut log.kind,
                    LogKey::Date => &mut log.date,
                    LogKey::Connection => &mut log.connection,
                    LogKey::ConnectionId => &mut log.connection_id,
                    LogKey::Other => {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                };
                *slot = map.next_value::<MaybeString>()?.0;
            }
            Ok(log)
        }
    }

    enum LogKey {
        LogId,
        Type,
        Date,
        Connection,
        ConnectionId,
        Other,
    }

    impl<'de> de::Deserialize<'de> for LogKey {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<LogKey, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = LogKey;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: de::Error>(self, key: &str) -> Result<LogKey, E> {
                    Ok(match key {
                        "log_id" => LogKey::LogId,
                        "type" => LogKey::Type,
                        "date" => LogKey::Date,
                        "connection" => LogKey::Connection,
                        "connection_id" => LogKey::ConnectionId,
                        _ => LogKey::Other,
                    })
                }
            }
            d.deserialize_identifier(KeyVisitor)
        }
    }

    /// Any JSON value; keeps the text when it is a string (as `Value::as_str` would).
    struct MaybeString(Option<String>);

    impl<'de> de::Deserialize<'de> for MaybeString {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<MaybeString, D::Error> {
            match <Value as de::Deserialize>::deserialize(d)? {
                Value::String(s) => Ok(MaybeString(Some(s))),
                _ => Ok(MaybeString(None)),
            }
        }
    }
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
}
