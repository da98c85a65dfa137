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
    fn read_dump_missing_file_names_it() {
        let err = format!("{:#}", read_dump(Path::new("/nonexistent/auth0.json")).unwrap_err());
        assert!(err.contains("/nonexistent/auth0.json"), "{err}");
    }
}
