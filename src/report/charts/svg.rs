//! Drawing a chart as SVG: 800 units wide, self-contained (no script, no link, no
//! external font), with its title and a description of every value as the text
//! alternative, values written beside the marks, and the Okabe-Ito palette, which
//! readers with any common colour-vision deficiency can tell apart.
//!
//! Colours are presentation attributes with a class each (`bg`, `ink`, `muted`,
//! `grid`, `axis`, `halo`), so that a page's stylesheet can restyle them for a dark scheme
//! while the standalone file and the PNG keep the light one. Coordinates are written
//! to 0.1 unit: the same chart always gives the same bytes.

use std::fmt::Write;

use super::layout::{Axis, Unit};
use super::model::{Amount, Bars, Body, Chart, Lines, Series, Waterfall};
use super::text::{self, escape, width};

/// The chart's width in SVG units; the PNG draws it at twice that.
pub(super) const WIDTH: f64 = 800.0;
const PAD: f64 = 16.0;
/// Room for the rotated title of the vertical axis.
const AXIS_TITLE: f64 = 22.0;
const TITLE_SIZE: f64 = 18.0;
const LABEL_SIZE: f64 = 13.0;
const VALUE_SIZE: f64 = 12.0;
const TICK_SIZE: f64 = 12.0;
/// Okabe & Ito (2008), black left out so that marks show on a dark page too.
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
];
/// A second cue besides colour for lines: solid, dashed, dotted, dash-dot.
const DASHES: [&str; 4] = ["", "7 4", "2 3", "10 3 2 3"];
const INCREASE: &str = "#009E73";
const DECREASE: &str = "#D55E00";
const TOTAL: &str = "#0072B2";
const INK: &str = "#1a1a1a";
const MUTED: &str = "#555555";
const GRID: &str = "#dddddd";
const AXIS_LINE: &str = "#888888";
/// An outline in the background colour behind a label, so a line under it cannot hide it.
const HALO: &str = " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

/// The chart as an SVG document; `id` prefixes its element ids (unique on a page).
pub(super) fn draw(chart: &Chart, id: &str) -> String {
    let mut svg = Canvas::default();
    svg.text(
        PAD,
        30.0,
        TITLE_SIZE,
        "start",
        "ink",
        INK,
        &text::fit(&chart.title, TITLE_SIZE, WIDTH - 2.0 * PAD),
        "",
    );
    let height = match &chart.body {
        Body::Bars(bars) => bar_chart(&mut svg, chart, bars),
        Body::Lines(lines) => line_chart(&mut svg, chart, lines),
        Body::Waterfall(w) => waterfall(&mut svg, chart, w),
    };
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{family}, Verdana, sans-serif\">\n\
         <title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n\
         <rect class=\"bg\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n{body}</svg>\n",
        w = num(WIDTH),
        h = num(height),
        family = text::FAMILY,
        title = escape(&chart.title),
        desc = escape(&chart.description()),
        body = svg.out,
    )
}

/// The SVG elements of a chart, written in drawing order.
#[derive(Default)]
struct Canvas {
    out: String,
}

impl Canvas {
    #[allow(clippy::too_many_arguments)]
    fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, class: &str, fill: &str, content: &str, extra: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\" fill=\"{fill}\"{extra}>{}</text>",
            num(x),
            num(y),
            num(size),
            escape(content)
        );
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str, stroke: &str, extra: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\" stroke=\"{stroke}\"{extra}/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// The title of a vertical axis, read bottom to top, centred on `mid`.
    fn vertical_title(&mut self, mid: f64, title: &str) {
        let (x, y) = (PAD + 12.0, mid);
        let transform = format!(" transform=\"rotate(-90 {} {})\"", num(x), num(y));
        self.text(x, y, LABEL_SIZE, "middle", "muted", MUTED, title, &transform);
    }

    /// A vertical value axis on the left of a plot: grid lines across it at each tick,
    /// the tick labels, and the axis line.
    fn vertical_axis(&mut self, axis: &Axis, (left, right): (f64, f64), (top, bottom): (f64, f64)) {
        for (value, label) in &axis.ticks {
            let y = axis.pixel(*value, bottom, top);
            self.line((left, y), (right, y), "grid", GRID, "");
            self.text(
                left - 6.0,
                y + TICK_SIZE * 0.35,
                TICK_SIZE,
                "end",
                "muted",
                MUTED,
                label,
                "",
            );
        }
        self.line((left, top), (left, bottom), "axis", AXIS_LINE, "");
    }

    /// A legend from `top`, wrapping across the width; returns the y below it.
    fn legend(&mut self, top: f64, items: &[(String, &str, Swatch)]) -> f64 {
        let (mut x, mut y) = (PAD, top + 12.0);
        for (name, colour, swatch) in items {
            let item = 18.0 + width(name, VALUE_SIZE) + 18.0;
            if x > PAD && x + item > WIDTH - PAD {
                x = PAD;
                y += 20.0;
            }
            match swatch {
                Swatch::Block => self.rect(x, y - 10.0, 12.0, 12.0, colour, ""),
                Swatch::Line(dash) => {
                    let extra = format!(" stroke-width=\"3\"{}", dash_attribute(dash));
                    self.line((x - 2.0, y - 4.0), (x + 14.0, y - 4.0), "series", colour, &extra);
                }
            }
            self.text(x + 18.0, y, VALUE_SIZE, "start", "ink", INK, name, "");
            x += item;
        }
        y + 8.0
    }
}

enum Swatch {
    Block,
    Line(&'static str),
}

fn dash_attribute(dash: &str) -> String {
    match dash {
        "" => String::new(),
        dash => format!(" stroke-dasharray=\"{dash}\""),
    }
}

/// The y below the title, or below the legend when the chart has one.
fn legend_for(svg: &mut Canvas, series: &[Series], swatch: fn(usize) -> Swatch) -> f64 {
    if series.len() < 2 {
        return 44.0;
    }
    let items: Vec<(String, &str, Swatch)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), PALETTE[i % PALETTE.len()], swatch(i)))
        .collect();
    svg.legend(44.0, &items)
}

/// The unit every series shares (the chart model gives each chart one).
fn unit_of(series: &[Series]) -> Unit {
    let unit = series
        .iter()
        .flat_map(|s| s.values.first())
        .map(|v| v.unit())
        .next()
        .unwrap_or(Unit::Share);
    debug_assert!(series.iter().flat_map(|s| &s.values).all(|v| v.unit() == unit));
    unit
}

/// The width of the widest tick label of a vertical axis.
fn widest_tick(axis: &Axis) -> f64 {
    axis.ticks.iter().map(|(_, l)| width(l, TICK_SIZE)).fold(0.0, f64::max)
}

/// A number as a short, stable attribute value: 0.1 precision, no `-0`.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded}")
}

/// The exact amount a mark stands for, for readers of the SVG.
fn data_value(amount: Amount) -> String {
    match amount {
        Amount::Share(Some(share)) => format!(" data-value=\"{share}\""),
        Amount::Share(None) => String::new(),
        Amount::Money(money) => format!(" data-value=\"{money}\""),
        Amount::Count(n) => format!(" data-value=\"{n}\""),
    }
}

/// Horizontal grouped bars: categories down the left, values along the bottom.
fn bar_chart(svg: &mut Canvas, chart: &Chart, bars: &Bars) -> f64 {
    let top = legend_for(svg, &bars.series, |_| Swatch::Block) + 12.0;
    let labels: Vec<String> = bars
        .categories
        .iter()
        .map(|c| text::fit(c, LABEL_SIZE, 230.0))
        .collect();
    let label_width = labels.iter().map(|l| width(l, LABEL_SIZE)).fold(0.0, f64::max);
    let values: Vec<Amount> = bars.series.iter().flat_map(|s| s.values.iter().copied()).collect();
    let value_width = values
        .iter()
        .map(|v| width(&chart.label(*v), VALUE_SIZE))
        .fold(0.0, f64::max);
    let axis = Axis::new(unit_of(&bars.series), &values, &chart.currency);
    let tick_overhang = axis.ticks.last().map_or(0.0, |(_, l)| width(l, TICK_SIZE) / 2.0);
    let left = PAD + AXIS_TITLE + label_width + 10.0;
    let right = WIDTH - PAD - (value_width + 6.0).max(tick_overhang);

    let n = bars.series.len().max(1) as f64;
    let bar = if n > 1.0 { 14.0 } else { 20.0 };
    let (bar_gap, group_gap) = (2.0, 14.0);
    let group = n * bar + (n - 1.0) * bar_gap;
    let bottom = top + bars.categories.len() as f64 * (group + group_gap);
    let x = |v: f64| axis.pixel(v, left, right);

    for (value, label) in &axis.ticks {
        svg.line((x(*value), top), (x(*value), bottom), "grid", GRID, "");
        svg.text(x(*value), bottom + 17.0, TICK_SIZE, "middle", "muted", MUTED, label, "");
    }
    let zero = x(0.0);
    svg.line((zero, top), (zero, bottom), "axis", AXIS_LINE, "");
    svg.line((left, bottom), (right, bottom), "axis", AXIS_LINE, "");
    svg.text(
        (left + right) / 2.0,
        bottom + 40.0,
        LABEL_SIZE,
        "middle",
        "muted",
        MUTED,
        &bars.value_axis,
        "",
    );
    svg.vertical_title((top + bottom) / 2.0, &bars.category_axis);

    for (j, label) in labels.iter().enumerate() {
        let group_top = top + group_gap / 2.0 + j as f64 * (group + group_gap);
        svg.text(
            left - 8.0,
            group_top + group / 2.0 + LABEL_SIZE * 0.35,
            LABEL_SIZE,
            "end",
            "ink",
            INK,
            label,
            "",
        );
        for (i, series) in bars.series.iter().enumerate() {
            let amount = series.values[j];
            let y = group_top + i as f64 * (bar + bar_gap);
            let end = amount.position().map(x);
            if let Some(end) = end {
                let extra = data_value(amount);
                svg.rect(
                    end.min(zero),
                    y,
                    (end - zero).abs(),
                    bar,
                    PALETTE[i % PALETTE.len()],
                    &extra,
                );
            }
            let after = end.unwrap_or(zero).max(zero) + 4.0;
            svg.text(
                after,
                y + bar / 2.0 + VALUE_SIZE * 0.35,
                VALUE_SIZE,
                "start",
                "ink",
                INK,
                &chart.label(amount),
                "",
            );
        }
    }
    bottom + 56.0
}

/// Lines over dates: a point per date on each series, its value written above it.
fn line_chart(svg: &mut Canvas, chart: &Chart, lines: &Lines) -> f64 {
    let legend_bottom = legend_for(svg, &lines.series, |i| Swatch::Line(DASHES[i % DASHES.len()]));
    let top = legend_bottom + 16.0;
    let values: Vec<Amount> = lines.series.iter().flat_map(|s| s.values.iter().copied()).collect();
    let axis = Axis::new(unit_of(&lines.series), &values, &chart.currency);
    let tick_width = widest_tick(&axis);
    let value_width = values.iter().map(|v| width(&chart.label(*v), 11.0)).fold(0.0, f64::max);
    let left = PAD + AXIS_TITLE + tick_width + 8.0;
    // Room right of the last point for its values.
    let right = WIDTH - PAD - (value_width + 10.0 - 28.0).max(0.0);
    let bottom = top + 280.0;
    let y = |v: f64| axis.pixel(v, bottom, top);
    let count = lines.xs.len();
    let inset = 28.0;
    let x = |i: usize| match count {
        1 => (left + right) / 2.0,
        _ => left + inset + i as f64 * (right - left - 2.0 * inset) / (count - 1) as f64,
    };

    svg.vertical_axis(&axis, (left, right), (top, bottom));
    svg.line((left, bottom), (right, bottom), "axis", AXIS_LINE, "");
    let label_width = lines.xs.iter().map(|l| width(l, TICK_SIZE)).fold(0.0, f64::max);
    let spacing = if count > 1 { x(1) - x(0) } else { f64::MAX };
    let rotate = spacing < label_width + 8.0;
    for (i, label) in lines.xs.iter().enumerate() {
        svg.line((x(i), bottom), (x(i), bottom + 4.0), "axis", AXIS_LINE, "");
        if rotate {
            let (lx, ly) = (x(i) + 4.0, bottom + 14.0);
            let transform = format!(" transform=\"rotate(-40 {} {})\"", num(lx), num(ly));
            svg.text(lx, ly, TICK_SIZE, "end", "muted", MUTED, label, &transform);
        } else {
            svg.text(x(i), bottom + 18.0, TICK_SIZE, "middle", "muted", MUTED, label, "");
        }
    }
    let labels_bottom = if rotate {
        bottom + 14.0 + label_width * 0.65 + 6.0
    } else {
        bottom + 22.0
    };
    svg.text(
        (left + right) / 2.0,
        labels_bottom + 20.0,
        LABEL_SIZE,
        "middle",
        "muted",
        MUTED,
        &lines.x_axis,
        "",
    );
    svg.vertical_title((top + bottom) / 2.0, &lines.y_axis);

    for (i, series) in lines.series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        // A share that is n/a breaks the line rather than drawing it at 0.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (k, value) in series.values.iter().enumerate() {
            match value.position() {
                Some(v) => runs.last_mut().expect("runs start non-empty").push((x(k), y(v))),
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| r.len() > 1) {
            let points: Vec<String> = run
                .iter()
                .map(|(px, py)| format!("{},{}", num(*px), num(*py)))
                .collect();
            let _ = writeln!(
                svg.out,
                "<polyline points=\"{}\" fill=\"none\" class=\"series\" stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
                points.join(" "),
                dash_attribute(DASHES[i % DASHES.len()])
            );
        }
        for (k, value) in series.values.iter().enumerate() {
            if let Some(v) = value.position() {
                let _ = writeln!(
                    svg.out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{colour}\"{}/>",
                    num(x(k)),
                    num(y(v)),
                    data_value(*value)
                );
            }
        }
    }
    // Values beside their points; at one date, labels that would overlap are spread
    // apart in the order of their points, with a short leader to a label moved.
    for k in 0..count {
        let mut points: Vec<(f64, Amount)> = lines
            .series
            .iter()
            .filter_map(|s| Some((y(s.values[k].position()?), s.values[k])))
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Above and right of the point, clear of a line leaving it level.
        let wanted: Vec<f64> = points.iter().map(|(py, _)| py - 10.0).collect();
        for ((label_y, want), (py, value)) in spread(&wanted, 13.0, bottom).into_iter().zip(wanted).zip(points) {
            let lx = x(k) + 7.0;
            if (label_y - want).abs() > 3.0 {
                svg.line((x(k) + 3.0, py), (lx - 1.0, label_y), "axis", AXIS_LINE, "");
            }
            svg.text(
                lx,
                label_y + 11.0 * 0.35,
                11.0,
                "start",
                "ink halo",
                INK,
                &chart.label(value),
                HALO,
            );
        }
    }
    labels_bottom + 40.0
}

/// Label positions near `wanted` (ascending), at least `gap` apart, none below `limit`:
/// each pushed down past the one above it, then the run pulled up off the limit.
fn spread(wanted: &[f64], gap: f64, limit: f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(wanted.len());
    for want in wanted {
        let floor = out.last().map_or(f64::MIN, |previous| previous + gap);
        out.push(want.max(floor));
    }
    let mut ceiling = limit;
    for y in out.iter_mut().rev() {
        *y = y.min(ceiling);
        ceiling = *y - gap;
    }
    out
}

/// A waterfall: the starting total, each signed step floating from the running total,
/// and the total reached, with dashed links between the levels.
fn waterfall(svg: &mut Canvas, chart: &Chart, w: &Waterfall) -> f64 {
    let legend = [
        ("increase".to_string(), INCREASE, Swatch::Block),
        ("decrease".to_string(), DECREASE, Swatch::Block),
        ("total".to_string(), TOTAL, Swatch::Block),
    ];
    let top = svg.legend(44.0, &legend) + 26.0;
    let running = w.running();
    let amounts: Vec<Amount> = running.iter().map(|m| Amount::Money(*m)).collect();
    let axis = Axis::new(Unit::Money, &amounts, &chart.currency);
    let left = PAD + AXIS_TITLE + widest_tick(&axis) + 8.0;
    let right = WIDTH - PAD;
    let bottom = top + 300.0;
    let y = |cents: i128| axis.pixel(cents as f64, bottom, top);

    svg.vertical_axis(&axis, (left, right), (top, bottom));
    svg.line((left, y(0)), (right, y(0)), "axis", AXIS_LINE, "");

    // Each bar: its label, its exact amount, the levels it spans, its colour and label.
    let mut marks = vec![(
        &w.start.label,
        w.start.amount,
        (0, running[0].cents()),
        TOTAL,
        chart.label(Amount::Money(w.start.amount)),
    )];
    for (k, step) in w.steps.iter().enumerate() {
        // A step of nothing is a hairline, neither up nor down.
        let (colour, value) = match step.amount.cents() {
            0 => (AXIS_LINE, step.amount.compact(&chart.currency)),
            c if c > 0 => (INCREASE, step.amount.signed_compact(&chart.currency)),
            _ => (DECREASE, step.amount.signed_compact(&chart.currency)),
        };
        let span = (running[k].cents(), running[k + 1].cents());
        marks.push((&step.label, step.amount, span, colour, value));
    }
    marks.push((
        &w.end.label,
        w.end.amount,
        (0, w.end.amount.cents()),
        TOTAL,
        chart.label(Amount::Money(w.end.amount)),
    ));
    let slot = (right - left) / marks.len() as f64;
    let bar = slot * 0.62;
    let mut max_lines = 1;
    for (i, (label, amount, (from, to), colour, value)) in marks.iter().enumerate() {
        let centre = left + slot * (i as f64 + 0.5);
        let (high, low) = (y(*from.max(to)), y(*from.min(to)));
        svg.rect(
            centre - bar / 2.0,
            high,
            bar,
            (low - high).max(1.0),
            colour,
            &data_value(Amount::Money(*amount)),
        );
        svg.text(centre, high - 6.0, VALUE_SIZE, "middle", "ink", INK, value, "");
        let lines: Vec<&str> = label.split('\n').collect();
        max_lines = max_lines.max(lines.len());
        for (n, line) in lines.iter().enumerate() {
            svg.text(
                centre,
                bottom + 17.0 + 15.0 * n as f64,
                TICK_SIZE,
                "middle",
                "muted",
                MUTED,
                &text::fit(line, TICK_SIZE, slot - 4.0),
                "",
            );
        }
        if i + 1 < marks.len() {
            let level = y(running[i].cents());
            svg.line(
                (centre + bar / 2.0, level),
                (centre + slot - bar / 2.0, level),
                "axis",
                AXIS_LINE,
                " stroke-dasharray=\"3 3\"",
            );
        }
    }
    let labels_bottom = bottom + 17.0 + 15.0 * (max_lines - 1) as f64;
    svg.text(
        (left + right) / 2.0,
        labels_bottom + 26.0,
        LABEL_SIZE,
        "middle",
        "muted",
        MUTED,
        &w.x_axis,
        "",
    );
    svg.vertical_title((top + bottom) / 2.0, &w.y_axis);
    labels_bottom + 44.0
}

#[cfg(test)]
mod tests {
    use super::super::model::{Step, Waterfall};
    use super::*;
    use crate::money::Money;

    fn share_chart(title: &str) -> Chart {
        Chart {
            name: "share".into(),
            title: title.into(),
            currency: "USD".into(),
            body: Body::Bars(Bars {
                category_axis: "feature".into(),
                value_axis: "percent".into(),
                categories: vec!["SSO".into(), "<b>IP</b>".into()],
                series: vec![Series {
                    name: "% of customers".into(),
                    values: vec![Amount::Share(Some(0.25)), Amount::Share(None)],
                }],
            }),
        }
    }

    #[test]
    fn labels_spread_apart_only_where_they_would_overlap() {
        assert_eq!(spread(&[10.0, 50.0], 13.0, 300.0), [10.0, 50.0]);
        assert_eq!(spread(&[10.0, 12.0, 14.0], 13.0, 300.0), [10.0, 23.0, 36.0]);
        assert_eq!(spread(&[298.0, 299.0, 300.0], 13.0, 300.0), [274.0, 287.0, 300.0]);
    }

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.01), "0");
    }

    #[test]
    fn a_chart_carries_its_text_alternative_and_escapes_labels() {
        let svg = draw(&share_chart("Share & more"), "rs-share");
        assert!(
            svg.contains("aria-labelledby=\"rs-share-title rs-share-desc\""),
            "{svg}"
        );
        assert!(
            svg.contains("<title id=\"rs-share-title\">Share &amp; more</title>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;b&gt;IP&lt;/b&gt;: % of customers n/a"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert_eq!(svg, draw(&share_chart("Share & more"), "rs-share"));
    }

    #[test]
    fn a_bar_spans_its_share_of_the_axis() {
        let svg = draw(&share_chart("t"), "x");
        let bar = svg.lines().find(|l| l.contains("data-value=\"0.25\"")).unwrap();
        let attr = |name: &str| -> f64 {
            let start = bar.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            bar[start..].split('"').next().unwrap().parse().unwrap()
        };
        let axis_end = svg
            .lines()
            .find(|l| l.contains(">100%</text>"))
            .and_then(|l| l.split("x=\"").nth(1))
            .and_then(|l| l.split('"').next())
            .map(|x| x.parse::<f64>().unwrap())
            .unwrap();
        let zero = attr("x");
        assert!((attr("width") - (axis_end - zero) / 4.0).abs() < 0.2, "{bar}");
    }

    #[test]
    fn waterfall_bars_float_from_the_running_total() {
        let step = |label: &str, cents: i128| Step {
            label: label.into(),
            amount: Money::from_cents(cents),
        };
        let chart = Chart {
            name: "waterfall-sso".into(),
            title: "SSO".into(),
            currency: "USD".into(),
            body: Body::Waterfall(
                Waterfall::new(
                    "step".into(),
                    "ARR".into(),
                    step("start", 10_000_000),
                    vec![step("up", 5_000_000), step("down", -2_000_000)],
                    step("end", 13_000_000),
                )
                .unwrap(),
            ),
        };
        let svg = draw(&chart, "q");
        let rect = |value: &str| -> (f64, f64) {
            let line = svg
                .lines()
                .find(|l| l.contains(&format!("data-value=\"{value}\"")))
                .unwrap();
            let attr = |name: &str| -> f64 {
                let start = line.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                line[start..].split('"').next().unwrap().parse().unwrap()
            };
            (attr("y"), attr("y") + attr("height"))
        };
        let (start_top, zero) = rect("100000.00");
        let (up_top, up_bottom) = rect("50000.00");
        let (down_top, down_bottom) = rect("-20000.00");
        let (end_top, _) = rect("130000.00");
        assert!((up_bottom - start_top).abs() < 0.2);
        assert!((down_top - up_top).abs() < 0.2);
        assert!((down_bottom - end_top).abs() < 0.2);
        let per_dollar = (zero - start_top) / 100_000.0;
        assert!((zero - end_top - per_dollar * 130_000.0).abs() < 0.2);
        assert!(svg.contains(">+$50k<") && svg.contains(">-$20k<"), "{svg}");
    }
}
