//! Which charts each report shows, built from the facts `compose` gathered: revenue
//! share per feature and adoption per ARR band; IdPs by ARR and by customers, and the
//! integration candidates; adoption over time and a waterfall of each feature's ARR
//! change in the quarterly report. Values go in as they are (shares, exact `Money`,
//! counts); `report::charts` draws them.
//!
//! Sits after `compose` and before `report` on the journey: it reads the one and hands
//! the other plain chart descriptions, so neither needs to know the other.

use anyhow::Result;

use crate::compose::{Idps, Quarterly, RevenueShare};
use crate::money::Money;
use crate::report::charts::{Amount, Bars, Body, Chart, Lines, Series, Step, Waterfall};

/// Revenue share: % of customers against % of ARR per feature, and each feature's
/// adoption within each ARR band.
pub(crate) fn revenue_share(r: &RevenueShare) -> Vec<Chart> {
    let mut charts = Vec::new();
    if r.features.is_empty() {
        return charts;
    }
    let labels: Vec<String> = r.features.iter().map(|f| f.label.clone()).collect();
    charts.push(chart(
        "share",
        "Share of customers and of ARR per feature",
        &r.currency,
        Body::Bars(Bars {
            category_axis: "feature".into(),
            value_axis: "percent of all customers / of attributable ARR".into(),
            categories: labels,
            series: vec![
                series(
                    "% of customers",
                    r.features.iter().map(|f| Amount::Share(f.customer_share)),
                ),
                series("% of ARR", r.features.iter().map(|f| Amount::Share(f.arr_share))),
            ],
        }),
    ));
    if !r.bands.is_empty() {
        charts.push(chart(
            "bands",
            "Adoption per ARR band: share of the band's customers with each feature",
            &r.currency,
            Body::Bars(Bars {
                category_axis: "ARR band".into(),
                value_axis: "percent of the band's customers".into(),
                categories: r.bands.iter().map(|b| b.band.clone()).collect(),
                series: r
                    .features
                    .iter()
                    .map(|f| {
                        let share = |band: &crate::compose::BandShare| {
                            band.features
                                .iter()
                                .find(|x| x.feature == f.feature)
                                .and_then(|x| x.customer_share)
                        };
                        series(&f.label, r.bands.iter().map(|b| Amount::Share(share(b))))
                    })
                    .collect(),
            }),
        ));
    }
    charts
}

/// Identity providers: ARR and customers per vendor, and what a native integration for
/// each vendor would serve.
pub(crate) fn idps(r: &Idps) -> Vec<Chart> {
    let mut charts = Vec::new();
    if !r.idps.is_empty() {
        let names: Vec<String> = r.idps.iter().map(|i| i.idp.clone()).collect();
        charts.push(chart(
            "arr",
            &format!("ARR per identity provider ({})", r.currency),
            &r.currency,
            Body::Bars(Bars {
                category_axis: "identity provider".into(),
                value_axis: format!("ARR of the customers on it ({})", r.currency),
                categories: names.clone(),
                series: vec![series("ARR", r.idps.iter().map(|i| Amount::Money(i.arr)))],
            }),
        ));
        charts.push(chart(
            "customers",
            "Customers per identity provider",
            &r.currency,
            Body::Bars(Bars {
                category_axis: "identity provider".into(),
                value_axis: "customers".into(),
                categories: names,
                series: vec![series("customers", r.idps.iter().map(|i| Amount::Count(i.customers)))],
            }),
        ));
    }
    if !r.integration_candidates.is_empty() {
        charts.push(chart(
            "candidates",
            "Integration candidates: ARR of customers on generic SAML/OIDC only",
            &r.currency,
            Body::Bars(Bars {
                category_axis: "identity provider".into(),
                value_axis: format!("ARR a native integration would serve ({})", r.currency),
                categories: r.integration_candidates.iter().map(|c| c.idp.clone()).collect(),
                series: vec![series(
                    "ARR",
                    r.integration_candidates.iter().map(|c| Amount::Money(c.arr)),
                )],
            }),
        ));
    }
    charts
}

/// The quarterly report: adoption at every snapshot, and per feature a waterfall from
/// the previous quarter's ARR to this quarter's, which must add up to the cent.
pub(crate) fn quarterly(q: &Quarterly) -> Result<Vec<Chart>> {
    let mut charts = Vec::new();
    if q.adoption_over_time.len() > 1 {
        let share = |point: &crate::compose::AdoptionPoint, feature: &str| {
            point
                .features
                .iter()
                .find(|x| x.feature == feature)
                .and_then(|x| x.customer_share)
        };
        charts.push(chart(
            "adoption",
            "Share of customers with each feature",
            &q.currency,
            Body::Lines(Lines {
                x_axis: "snapshot date".into(),
                y_axis: "percent of customers".into(),
                xs: q.adoption_over_time.iter().map(|p| p.as_of.clone()).collect(),
                series: q
                    .features
                    .iter()
                    .map(|f| {
                        series(
                            &f.label,
                            q.adoption_over_time.iter().map(|p| Amount::Share(share(p, &f.feature))),
                        )
                    })
                    .collect(),
            }),
        ));
    }
    let (before, after) = (&q.period.previous_end, &q.period.end);
    for c in &q.changes {
        let step = |label: &str, amount: Money| Step {
            label: label.into(),
            amount,
        };
        let waterfall = Waterfall::new(
            format!("where the change came from, {before} to {after}"),
            format!("ARR ({})", q.currency),
            step(&format!("ARR\n{before}"), c.base_arr),
            vec![
                step("turned\non", c.turned_on_arr),
                step("turned\noff", -c.turned_off_arr),
                step("new\ncustomers", c.new_arr),
                step("churned\ncustomers", -c.churned_arr),
                step("retained\nchange", c.retained_change),
            ],
            step(&format!("ARR\n{after}"), c.arr),
        )?;
        charts.push(chart(
            &format!("waterfall-{}", c.feature),
            &format!("{}: ARR of customers with it, {before} to {after}", c.label),
            &q.currency,
            Body::Waterfall(waterfall),
        ));
    }
    Ok(charts)
}

fn chart(name: &str, title: &str, currency: &str, body: Body) -> Chart {
    Chart {
        name: name.into(),
        title: title.into(),
        currency: currency.into(),
        body,
    }
}

fn series(name: &str, values: impl Iterator<Item = Amount>) -> Series {
    Series {
        name: name.into(),
        values: values.collect(),
    }
}
