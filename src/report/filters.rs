//! Template filters, all registered by `register`: markdown-safe cells, money (exact,
//! compact, signed), percentages, counts, nouns that agree with their count, and
//! Mermaid-safe labels.

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind};

use super::money::amount_of;
use crate::wording;

pub(super) fn register(env: &mut Environment<'static>, currency: &str) {
    let currency = currency.to_string();
    let signed_currency = currency.clone();
    env.add_filter("md_cell", md_cell);
    // `{{ arr | money }}`: $60.0M, $850k; `n/a` for none.
    env.add_filter("money", move |v: Value| -> Result<String, Error> {
        money(&v, |m| m.compact(&currency))
    });
    // `{{ change | signed_money }}`: +$150k, -$20k, +$0.
    env.add_filter("signed_money", move |v: Value| -> Result<String, Error> {
        money(&v, |m| m.signed_compact(&signed_currency))
    });
    // `{{ share | pct }}`: 12.3%; `{{ share | pct(0) }}`: 12%.
    env.add_filter("pct", |v: Value, places: Option<usize>| -> String {
        let places = places.unwrap_or(1);
        as_f64(&v).map_or_else(|| "n/a".into(), |f| wording::percent(f, places))
    });
    env.add_filter("signed_pct", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{:+.1}%", f * 100.0))
    });
    // `{{ change | rounded_change }}`: a change as people write it: +25%, -3%, +0.4%.
    env.add_filter("rounded_change", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), rounded_change)
    });
    env.add_filter("signed", |v: Value, places: usize| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{f:+.places$}"))
    });
    // `{{ n | num }} {{ n | plural("customer") }} {{ n | plural("has", "have") }}`:
    // 1 customer has, 2 customers have.
    env.add_filter(
        "plural",
        |v: Value, singular: String, plural: Option<String>| -> Result<String, Error> {
            let count = i64::try_from(v.clone())
                .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("plural needs a count, not {v}")))?;
            Ok(wording::plural(count, &singular, plural.as_deref()).into_owned())
        },
    );
    env.add_filter("num", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| wording::thousands(f.round() as i64))
    });
    env.add_filter("ratio", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{f:.2}x"))
    });
    // `{{ x | fixed(1) }}`: a number with that many decimals; money exactly.
    env.add_filter("fixed", |v: Value, places: usize| -> String {
        if let Some(amount) = amount_of(&v) {
            return amount.rounded(places);
        }
        as_f64(&v).map_or_else(|| "null".into(), |f| format!("{f:.places$}"))
    });
    env.add_filter("mermaid_label", |s: String| -> String {
        // Mermaid quoted strings end at a double quote and break on newlines,
        // and Mermaid renders labels as HTML, so markup becomes entities.
        s.replace('"', "'")
            .replace(['\n', '\r'], " ")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    });
}

/// Formats an amount of money with `format`; none prints as `n/a`. Anything else is an
/// error: a plain number is not known to be money, nor in which unit.
fn money(v: &Value, format: impl Fn(crate::money::Money) -> String) -> Result<String, Error> {
    if v.is_none() || v.is_undefined() {
        return Ok("n/a".into());
    }
    match amount_of(v) {
        Some(amount) => Ok(format(amount)),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("money filters format amounts of money (ARR fields), not {v}"),
        )),
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

/// A fraction as a percentage change people write: +25%, -3%, +0.4% (one decimal
/// under 1%, so that a small change does not read as none).
fn rounded_change(fraction: f64) -> String {
    let pct = fraction * 100.0;
    if pct.abs() >= 1.0 || pct == 0.0 {
        format!("{pct:+.0}%")
    } else {
        format!("{pct:+.1}%")
    }
}

/// Escapes a value for a markdown table cell: pipes, line breaks and HTML
/// would otherwise break the table or render as markup.
pub(super) fn md_cell(v: Value) -> String {
    let text = if v.is_none() { String::new() } else { v.to_string() };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    fn render(template: &str, ctx: Value) -> Result<String, Error> {
        let mut env = Environment::new();
        register(&mut env, "USD");
        env.render_str(template, ctx)
    }

    #[test]
    fn md_cell_keeps_tables_intact() {
        assert_eq!(md_cell(Value::from("a|b\nc")), "a\\|b c");
        assert_eq!(md_cell(Value::from("<b>x</b>")), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(md_cell(Value::from(())), "");
    }

    #[test]
    fn changes_round_as_people_write_them() {
        assert_eq!(rounded_change(0.25), "+25%");
        assert_eq!(rounded_change(-0.034), "-3%");
        assert_eq!(rounded_change(0.004), "+0.4%");
        assert_eq!(rounded_change(0.0), "+0%");
    }

    #[test]
    fn money_filters_format_exact_amounts() {
        let ctx = Value::from_serialize(serde_json::json!({}));
        let amounts = minijinja::context! {
            arr => Value::from_serialize(Money::from_cents(6_000_000_000)),
            up => Value::from_serialize(Money::from_cents(15_000_000)),
            down => Value::from_serialize(Money::from_cents(-2_000_000)),
            none => Value::from(()),
            half => Value::from_serialize(Money::from_cents(1_234_550)),
        };
        let out = render(
            "{{ arr | money }} {{ up | signed_money }} {{ down | signed_money }} {{ none | money }} \
             {{ half | fixed(0) }} {{ half | fixed(1) }} {{ arr }}",
            amounts,
        )
        .unwrap();
        assert_eq!(out, "$60.0M +$150k -$20k n/a 12346 12345.5 60000000.00");
        let err = render("{{ 5 | money }}", ctx).unwrap_err();
        assert!(err.to_string().contains("amounts of money"), "{err}");
    }

    #[test]
    fn plural_agrees_with_the_count() {
        let out = render(
            "{% for n in [0, 1, 2] %}{{ n }} {{ n | plural('account') }} {{ n | plural('is', 'are') }}; {% endfor %}",
            Value::from(()),
        )
        .unwrap();
        assert_eq!(out, "0 accounts are; 1 account is; 2 accounts are; ");
    }
}
