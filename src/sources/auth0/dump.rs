//! The Auth0 dump: what a pull saves and `load auth0` replays (SPEC 2.3).
//!
//! Objects stay `serde_json::Value`, exactly as the Management API returned
//! them, so a dump never loses a field we did not think of. Only the envelope
//! is checked here; the other layers read fields.

use anyhow::{bail, Result};
use serde_json::{Map, Value};

/// The dump's shape, as errors tell the user what was expected.
pub(crate) const EXPECTED_SHAPE: &str = r#"one JSON object {"connections": [...], "organizations": [...], "logs": [...]} ("organizations" and "logs" optional), or a saved GET /api/v2/connections response (an array of connections, or a page {"connections": [...], "total": ...})"#;

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

    /// Parses a dump value; `origin` names it in errors. A bare array is a saved
    /// `GET /api/v2/connections` response: a dump of connections alone. A page of that
    /// endpoint (`{"connections": [...], "total": ...}`) is a dump without organizations.
    ///
    /// # Errors
    /// When the value is not the documented envelope, or an array holds
    /// something other than objects.
    pub(crate) fn from_value(value: Value, origin: &str) -> Result<Self> {
        let mut map = match value {
            Value::Object(map) => map,
            Value::Array(connections) => {
                if let Some(i) = connections.iter().position(|v| !v.is_object()) {
                    bail!("{origin}: [{i}] is not a JSON object: expected {EXPECTED_SHAPE}");
                }
                return Ok(Auth0Dump {
                    connections,
                    ..Default::default()
                });
            }
            _ => bail!("{origin} is not an Auth0 dump: expected {EXPECTED_SHAPE}"),
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
        let organizations = take("organizations", false)?.unwrap_or_default();
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

/// The error for a dump without one of its required arrays (absent or null).
pub(crate) fn no_array(origin: impl std::fmt::Display, key: &str) -> anyhow::Error {
    anyhow::anyhow!("{origin} has no \"{key}\" array: expected {EXPECTED_SHAPE}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(value: Value) -> String {
        format!("{:#}", Auth0Dump::from_value(value, "arr.json").unwrap_err())
    }

    #[test]
    fn a_wrong_shape_says_the_expected_one() {
        let err = error(json!("x"));
        assert!(
            err.contains("arr.json") && err.contains("\"connections\": [...]"),
            "{err}"
        );
        assert!(error(json!([{"id": "con_1"}, 2])).contains("[1] is not a JSON object"));
        let err = error(json!({"connections": [1], "organizations": []}));
        assert!(err.contains("\"connections\"[0] is not a JSON object"), "{err}");
        assert!(error(json!({"organizations": []})).contains("no \"connections\" array"));
        assert!(error(json!({"connections": null, "organizations": []})).contains("no \"connections\" array"));
        let err = error(json!({"connections": [], "organizations": [{"id": "org_1", "enabled_connections": {}}]}));
        assert!(
            err.contains("organization org_1 has \"enabled_connections\" that is not an array"),
            "{err}"
        );
    }

    #[test]
    fn saved_connections_responses_are_dumps_of_connections() {
        // The documented bare array (no include_totals) and the recorded page with totals (reference 2.3).
        let conn = json!({"name": "My connection", "display_name": "<string>", "options": {}, "id": "con_0000000000000001",
                          "strategy": "auth0", "realms": ["<string>"], "is_domain_connection": true, "show_as_button": true,
                          "metadata": {}, "authentication": {"active": true}, "connected_accounts": {"active": true, "cross_app_access": true}});
        let bare = Auth0Dump::from_value(json!([conn.clone()]), "x").unwrap();
        assert_eq!(
            (bare.connections.len(), bare.organizations.len(), bare.logs.is_none()),
            (1, 0, true)
        );
        let page =
            Auth0Dump::from_value(json!({"total": 5, "start": 0, "limit": 50, "connections": [conn]}), "x").unwrap();
        assert_eq!(page, bare);
        assert_eq!(Auth0Dump::from_value(json!([]), "x").unwrap(), Auth0Dump::default());
    }

    #[test]
    fn null_logs_are_no_logs_and_values_round_trip() {
        let value = json!({"connections": [{"id": "con_1"}], "organizations": [], "logs": null});
        let dump = Auth0Dump::from_value(value, "x").unwrap();
        assert_eq!(dump.logs, None);
        assert_eq!(Auth0Dump::from_value(dump.to_value(), "x").unwrap(), dump);
    }
}
