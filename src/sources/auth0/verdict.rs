//! One enterprise connection's verdict: its IdP vendor and the rule that decided it
//! (`classify`, with the config's vendor rules), and the workspace
//! `[auth0] connection_name_pattern` maps it to where metadata maps it to none.
//!
//! Loads decide every connection's verdict with the config in force then and store it
//! with the [`Classifier::fingerprint`] of what decided it; reports reuse the stored
//! verdicts while the fingerprint of the config in force equals it, and decide again
//! from the stored raw facts when it does not, so that a rule or pattern changed after
//! a load changes the next report without a reload.
//!
//! The fingerprint covers everything a verdict depends on besides the connection's
//! facts: the config's vendor rules in order, the name pattern, and the code that
//! decides, as the text of this file and of `classify` (which holds the built-in rule
//! tables) and the endpoint fields read back from the store (`URL_FIELDS`). Hashing the
//! source rather than a version constant means a changed built-in rule invalidates
//! stored verdicts without anyone remembering to bump anything; an edit that changes no
//! verdict (a comment) costs one report a classification, never a wrong number.

use anyhow::{Context, Result};
use regex::Regex;
use sha2::{Digest, Sha256};

use super::classify::{classify, compile_rules, CompiledRule, IdpFacts, VendorRule};
use super::elements::URL_FIELDS;

/// The source text whose change changes verdicts (see the module comment).
const DECIDING_CODE: &[&str] = &[include_str!("classify.rs"), include_str!("verdict.rs")];

/// One connection's verdict.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    pub vendor: String,
    /// The rule that decided the vendor (`vendor_rule` in reports).
    pub rule: String,
    /// A config rule said `ignore`: not a customer IdP, left out of every count.
    pub ignored: bool,
    /// The index (from 0) of the config rule that decided, if one did.
    pub config_rule: Option<usize>,
    /// The workspace the name pattern maps it to, where metadata maps it to none and
    /// it is not ignored.
    pub by_name: Option<String>,
}

/// The verdicts a load decided for its connections, in their order, with the
/// fingerprint and the config rules that decided them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LoadVerdicts {
    pub fingerprint: String,
    /// The config rules' labels (`config rule 1 (...)`), in config order.
    pub rule_labels: Vec<String>,
    pub verdicts: Vec<Verdict>,
}

/// The config's vendor rules and name pattern, compiled, with their fingerprint.
pub(crate) struct Classifier {
    rules: Vec<CompiledRule>,
    pattern: Option<Regex>,
    fingerprint: String,
}

impl Classifier {
    /// Compiles `[[auth0.vendor_rules]]` and `[auth0] connection_name_pattern`.
    ///
    /// # Errors
    /// When a rule's `name_pattern` or the name pattern is not a valid regex.
    pub(crate) fn new(rules: &[VendorRule], name_pattern: Option<&str>) -> Result<Classifier> {
        let compiled = compile_rules(rules)?;
        let pattern = match name_pattern {
            Some(p) => Some(
                Regex::new(p).with_context(|| format!("[auth0] connection_name_pattern `{p}` is not a valid regex"))?,
            ),
            None => None,
        };
        Ok(Classifier {
            rules: compiled,
            pattern,
            fingerprint: fingerprint(rules, name_pattern),
        })
    }

    /// The config rules' labels, in config order.
    pub(crate) fn rule_labels(&self) -> Vec<String> {
        self.rules.iter().map(|r| r.label().to_string()).collect()
    }

    /// What the verdicts depend on besides the facts (see the module comment).
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The verdict on one connection; `metadata_mapped` when its own or an enabling
    /// organization's metadata maps it to a workspace (then the name is not read).
    pub(crate) fn decide(&self, facts: &IdpFacts, metadata_mapped: bool) -> Verdict {
        let class = classify(facts, &self.rules);
        let by_name = (!metadata_mapped && !class.ignored)
            .then(|| map_by_name(&facts.name, self.pattern.as_ref()).map(str::to_string))
            .flatten();
        Verdict {
            vendor: class.vendor,
            rule: class.rule,
            ignored: class.ignored,
            config_rule: class.config_rule,
            by_name,
        }
    }

    /// The verdicts on `connections` (facts, metadata-mapped), in their order.
    pub(crate) fn decide_all<'c>(&self, connections: impl Iterator<Item = (&'c IdpFacts, bool)>) -> LoadVerdicts {
        LoadVerdicts {
            fingerprint: self.fingerprint.clone(),
            rule_labels: self.rule_labels(),
            verdicts: connections.map(|(facts, mapped)| self.decide(facts, mapped)).collect(),
        }
    }
}

/// The workspace a connection's name gives through `[auth0] connection_name_pattern`:
/// the pattern's first capture group, trimmed; the last step of the SPEC 2.3 chain,
/// for a connection that metadata does not map.
pub(crate) fn map_by_name<'n>(name: &'n str, pattern: Option<&Regex>) -> Option<&'n str> {
    pattern
        .and_then(|re| re.captures(name))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim())
        .filter(|s| !s.is_empty())
}

/// SHA-256 (stable across Rust versions, unlike `DefaultHasher`), in hex, of the
/// deciding code, the endpoint fields, the rules in order and the name pattern. Every
/// part is written with its length, so no two different inputs write the same bytes.
fn fingerprint(rules: &[VendorRule], name_pattern: Option<&str>) -> String {
    let mut hash = Sha256::new();
    let mut text = |part: &str| {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    };
    text("featurearr auth0 verdicts");
    for code in DECIDING_CODE {
        text(code);
    }
    text(&URL_FIELDS.join("\n"));
    let mut optional = |part: Option<&str>| match part {
        None => text("none"),
        Some(p) => {
            text("some");
            text(p);
        }
    };
    optional(name_pattern);
    for rule in rules {
        optional(Some(&rule.vendor));
        optional(rule.host.as_deref());
        optional(rule.path_contains.as_deref());
        optional(rule.strategy.as_deref());
        optional(rule.name_pattern.as_deref());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(vendor: &str, host: Option<&str>, name: Option<&str>) -> VendorRule {
        VendorRule {
            vendor: vendor.into(),
            host: host.map(str::to_string),
            name_pattern: name.map(str::to_string),
            ..VendorRule::default()
        }
    }

    /// Any change of a rule, of their order or of the pattern changes the
    /// fingerprint; the same config gives the same one.
    #[test]
    fn the_fingerprint_follows_every_rule_their_order_and_the_pattern() {
        let a = rule("Acme", Some("*.acme.com"), None);
        let b = rule("ignore", None, Some("^test-"));
        let base = fingerprint(&[a.clone(), b.clone()], Some("^(ws-[0-9]+)"));
        assert_eq!(base, fingerprint(&[a.clone(), b.clone()], Some("^(ws-[0-9]+)")));
        assert_eq!(base.len(), 64);
        let others = [
            fingerprint(&[b.clone(), a.clone()], Some("^(ws-[0-9]+)")),
            fingerprint(std::slice::from_ref(&a), Some("^(ws-[0-9]+)")),
            fingerprint(&[a.clone(), b.clone()], None),
            fingerprint(&[a.clone(), b.clone()], Some("^(ws-[0-9]*)")),
            fingerprint(
                &[rule("Acme", Some("*.acme.org"), None), b.clone()],
                Some("^(ws-[0-9]+)"),
            ),
            fingerprint(
                &[rule("Acme", None, Some("*.acme.com")), b.clone()],
                Some("^(ws-[0-9]+)"),
            ),
            fingerprint(&[a.clone(), b.clone(), rule("X", None, None)], Some("^(ws-[0-9]+)")),
        ];
        for other in &others {
            assert_ne!(&base, other);
        }
    }

    /// A connection mapped by metadata, or ignored, gets no workspace by name.
    #[test]
    fn the_name_pattern_maps_only_what_metadata_does_not_and_nothing_ignored() {
        let classifier =
            Classifier::new(&[rule("ignore", None, Some("^test-"))], Some("^[a-z]+-(ws-[0-9]+)$")).unwrap();
        let facts = |name: &str| IdpFacts {
            name: name.into(),
            strategy: "samlp".into(),
            ..IdpFacts::default()
        };
        assert_eq!(
            classifier.decide(&facts("acme-ws-1"), false).by_name.as_deref(),
            Some("ws-1")
        );
        assert_eq!(classifier.decide(&facts("acme-ws-1"), true).by_name, None);
        let ignored = classifier.decide(&facts("test-ws-2"), false);
        assert!(ignored.ignored);
        assert_eq!((ignored.by_name, ignored.config_rule), (None, Some(0)));
        assert_eq!(classifier.rule_labels(), ["config rule 1 (name ^test-)"]);
    }
}
