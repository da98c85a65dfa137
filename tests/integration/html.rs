//! Issue 16: HTML reports and chart images. Each page is parsed with an HTML parser
//! (scraper), never searched as a string: it fetches nothing and runs nothing, shows
//! every headline number of its JSON as the markdown writes it, gives each chart a text
//! alternative and the table of its numbers, and is the same bytes on every render.
//! Chart PNGs decode, are 1600 px wide and are the same bytes every time.
//!
//! The project: fixtures/quarters (two quarter ends, worked out in quarterly.rs) with
//! the Auth0 dump of fixtures/basic, and an SSO label full of markup, which must reach
//! every page as text.

use std::collections::BTreeSet;
use std::path::Path;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::util::Project;

const SSO_LABEL: &str = "SSO <b>&amp;</b> \"<script>alert(1)</script>\"";

fn pages() -> Project {
    let p = Project::new("quarters");
    std::fs::copy(crate::util::fixtures().join("basic/auth0.json"), p.path("auth0.json")).unwrap();
    p.write(
        "featurearr.toml",
        format!(
            "[features.sso]\nlabel = {}\n\n[auth0]\nconnection_name_pattern = \"^(ws-.+)-sso$\"\n",
            toml_string(SSO_LABEL)
        ),
    );
    for date in ["2026-06-30", "2026-09-30"] {
        p.run(&["load", "flags", &format!("flags-{date}.csv"), "--as-of", date]);
        p.run(&["load", "arr", &format!("arr-{date}.csv"), "--as-of", date]);
    }
    p.run(&["load", "auth0", "auth0.json", "--as-of", "2026-09-30"]);
    p
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// The page's words outside its charts, one text node per line.
fn text_outside_charts(doc: &Html) -> String {
    let body = select(doc, "body")[0];
    body.descendants()
        .filter_map(|node| {
            let text = node.value().as_text()?;
            let in_svg = node
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "svg"));
            (!in_svg).then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `needle` occurs in `text` as a whole number: not inside a longer one (a full stop or
/// comma after it ends it unless a digit follows).
fn appears(text: &str, needle: &str) -> bool {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().last();
        let mut after = text[at + needle.len()..].chars();
        let (next, then) = (after.next(), after.next());
        let continues = digit(next) || (matches!(next, Some('.' | ',')) && digit(then));
        !digit(before) && !matches!(before, Some('.' | ',')) && !continues
    })
}

/// How the markdown writes numbers (the `num`, `pct`, `ratio` and `money` filters),
/// written here again from the README so that the test does not borrow the code it checks.
fn num(v: &Value) -> String {
    let n = v.as_f64().unwrap().round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(v: &Value) -> String {
    match v.as_f64() {
        Some(f) => format!("{:.1}%", f * 100.0),
        None => "n/a".into(),
    }
}

fn ratio(v: &Value) -> String {
    match v.as_f64() {
        Some(f) => format!("{f:.2}x"),
        None => "n/a".into(),
    }
}

/// `$60.0M`, `$850k`, `$1.2k`, `$420`: the unit picked after rounding, halves to even.
fn money(v: &Value) -> String {
    let cents = (v.as_f64().unwrap() * 100.0).round() as i128;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    let round = |unit: i128| {
        let (q, r) = (cents / unit, cents % unit);
        if 2 * r > unit || (2 * r == unit && q % 2 == 1) {
            q + 1
        } else {
            q
        }
    };
    let tenths = |t: i128, suffix: &str| format!("{}.{}{suffix}", t / 10, t % 10);
    let body = if round(100) < 1_000 {
        round(100).to_string()
    } else if round(10_000) < 100 {
        tenths(round(10_000), "k")
    } else if round(100_000) < 1_000 {
        format!("{}k", round(100_000))
    } else if round(10_000_000) < 10_000 {
        tenths(round(10_000_000), "M")
    } else {
        tenths(round(10_000_000_000), "B")
    };
    format!("{sign}${body}")
}

type Format = fn(&Value) -> String;

/// Each field of `row` that is not null, as `format` writes it, named `prefix.field`.
fn push_fields(numbers: &mut Vec<(String, String)>, prefix: &str, row: &Value, fields: &[(&str, Format)]) {
    for (field, format) in fields {
        if !row[field].is_null() {
            numbers.push((format!("{prefix}.{field}"), format(&row[field])));
        }
    }
}

/// Asserts that every (what, formatted number) appears in the page's text.
fn assert_numbers(page: &str, text: &str, numbers: &[(String, String)]) {
    assert!(numbers.len() > 5, "{page}: too few numbers to check: {numbers:?}");
    for (what, number) in numbers {
        assert!(
            appears(text, number),
            "{page}: {what} = {number} is not on the page:\n{text}"
        );
    }
}

fn read(p: &Project, path: &str) -> String {
    std::fs::read_to_string(p.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn html_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    names
}

/// Asserts that `doc` loads nothing from anywhere and runs nothing: no script, no
/// element with a `src`, no stylesheet or font link, no `url(` or `@import` in any style,
/// and links only to files of its folder or to its own anchors.
fn assert_self_contained(page: &str, doc: &Html) {
    assert!(select(doc, "script").is_empty(), "{page}: has a <script>");
    for tag in [
        "iframe", "object", "embed", "img", "image", "use", "link", "base", "video", "audio",
    ] {
        assert!(select(doc, tag).is_empty(), "{page}: has a <{tag}>");
    }
    assert!(
        select(doc, "[src], [srcset], [xlink\\:href]").is_empty(),
        "{page}: loads something"
    );
    for element in select(doc, "*") {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "{page}: event handler {name}={value}");
        }
    }
    let mut styles: Vec<String> = select(doc, "style").iter().map(|s| s.text().collect()).collect();
    styles.extend(
        select(doc, "[style]")
            .iter()
            .map(|e| e.value().attr("style").unwrap().to_string()),
    );
    assert!(!styles.is_empty(), "{page}: no inline CSS");
    for style in &styles {
        let lower = style.to_lowercase();
        assert!(
            !lower.contains("url(") && !lower.contains("@import"),
            "{page}: a style fetches: {style}"
        );
    }
    for link in select(doc, "a[href]") {
        let href = link.value().attr("href").unwrap();
        let local = href.starts_with('#')
            || (!href.contains(':') && !href.starts_with("//") && !href.starts_with('/') && !href.contains(".."));
        assert!(local, "{page}: links outside its folder: {href}");
    }
}

/// Asserts that every chart on the page has a text alternative (role img, a title and a
/// description it is labelled by, naming values) and the table of its numbers beside it;
/// returns the charts' titles.
fn assert_charts_described(page: &str, doc: &Html) -> Vec<String> {
    let mut titles = Vec::new();
    for figure in select(doc, "figure.chart") {
        let svgs: Vec<ElementRef> = figure.select(&Selector::parse("svg").unwrap()).collect();
        assert_eq!(svgs.len(), 1, "{page}: a chart figure holds one svg");
        let svg = svgs[0];
        assert_eq!(svg.value().attr("role"), Some("img"), "{page}: chart without role=img");
        let labelled_by = svg.value().attr("aria-labelledby").expect("aria-labelledby");
        let texts: Vec<String> = labelled_by
            .split_whitespace()
            .map(|id| {
                let found = select(doc, &format!("[id='{id}']"));
                assert_eq!(found.len(), 1, "{page}: id {id} should name one element");
                found[0].text().collect::<String>()
            })
            .collect();
        assert_eq!(texts.len(), 2, "{page}: a title and a description");
        let title_element = svg.select(&Selector::parse("title").unwrap()).next().expect("<title>");
        assert_eq!(title_element.text().collect::<String>(), texts[0]);
        assert!(!texts[0].trim().is_empty(), "{page}: empty chart title");
        assert!(
            texts[1].chars().any(|c| c.is_ascii_digit()),
            "{page}: the description should give the values: {}",
            texts[1]
        );
        let table = figure
            .select(&Selector::parse("table").unwrap())
            .next()
            .unwrap_or_else(|| panic!("{page}: chart {} without its table", texts[0]));
        let rows = table.select(&Selector::parse("tbody tr").unwrap()).count();
        assert!(rows > 0, "{page}: the table of {} is empty", texts[0]);
        titles.push(texts[0].clone());
    }
    titles
}

#[test]
fn every_page_of_an_output_dir_is_self_contained_described_and_indexed() {
    let p = pages();
    p.run(&["report", "--output-dir", "out"]);
    let out = p.path("out");
    let names = html_files(&out);
    for expected in [
        "revenue-share.html",
        "idps.html",
        "doctor.html",
        "quarterly.html",
        "blurb-sso.html",
        "index.html",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    let mut chart_titles = 0;
    for name in &names {
        let doc = Html::parse_document(&read(&p, &format!("out/{name}")));
        assert!(doc.errors.is_empty(), "{name} does not parse cleanly: {:?}", doc.errors);
        assert_self_contained(name, &doc);
        chart_titles += assert_charts_described(name, &doc).len();
        assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("en"));
        assert!(
            !select(&doc, "meta[name=viewport]").is_empty(),
            "{name}: not for phones"
        );
        let css: String = select(&doc, "style").iter().flat_map(|s| s.text()).collect();
        for rule in ["prefers-color-scheme: dark", "@media print", "overflow-x: auto"] {
            assert!(css.contains(rule), "{name}: its CSS lacks `{rule}`");
        }
    }
    // revenue share 2, idps 3, quarterly adoption and a waterfall per feature (3).
    assert_eq!(chart_titles, 2 + 3 + 1 + 3);

    // The index links every other page of the folder, and every chart file.
    let index = Html::parse_document(&read(&p, "out/index.html"));
    let links: BTreeSet<String> = select(&index, "a[href]")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    for name in names.iter().filter(|n| *n != "index.html") {
        assert!(links.contains(name), "index.html does not link {name}: {links:?}");
    }
    for link in &links {
        assert!(out.join(link).is_file(), "index.html links {link}, which is not there");
    }
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| format!("charts/{}", e.unwrap().file_name().into_string().unwrap()))
        .collect();
    assert_eq!(charts.len(), 2 * 9, "{charts:?}");
    for chart in &charts {
        assert!(links.contains(chart), "index.html does not link {chart}");
    }
}

#[test]
fn pages_show_every_headline_number_of_the_json_as_the_markdown_writes_it() {
    let p = pages();
    p.run(&["report", "--output-dir", "out"]);
    let page = |name: &str| text_outside_charts(&Html::parse_document(&read(&p, &format!("out/{name}.html"))));
    let json = |name: &str| -> Value { serde_json::from_str(&read(&p, &format!("out/{name}.json"))).unwrap() };

    let r = json("revenue-share");
    let mut numbers = Vec::new();
    let totals: &[(&str, Format)] = &[
        ("customers", num),
        ("arr", money),
        ("arr_coverage", pct),
        ("workspaces", num),
        ("customer_workspaces", num),
    ];
    push_fields(&mut numbers, "totals", &r["totals"], totals);
    for f in r["features"].as_array().unwrap() {
        let fields: &[(&str, Format)] = &[
            ("customers", num),
            ("customer_share", pct),
            ("arr", money),
            ("arr_share", pct),
            ("concentration", ratio),
            ("workspaces", num),
            ("users", num),
        ];
        push_fields(&mut numbers, &f["feature"].to_string(), f, fields);
    }
    let coverage: &[(&str, Format)] = &[
        ("attributable_arr", money),
        ("all_arr", money),
        ("arr_without_workspace", money),
        ("workspaces_without_account", num),
        ("accounts_without_workspace", num),
    ];
    push_fields(&mut numbers, "coverage", &r["coverage"], coverage);
    assert_numbers("revenue-share.html", &page("revenue-share"), &numbers);

    let r = json("idps");
    let mut numbers = Vec::new();
    push_fields(&mut numbers, "", &r, &[("total_arr", money)]);
    for i in r["idps"].as_array().unwrap() {
        let fields: &[(&str, Format)] = &[
            ("connections", num),
            ("workspaces", num),
            ("customers", num),
            ("arr", money),
            ("arr_share", pct),
            ("logins", num),
        ];
        push_fields(&mut numbers, &i["idp"].to_string(), i, fields);
    }
    for c in r["integration_candidates"].as_array().unwrap() {
        let fields: &[(&str, Format)] = &[("customers", num), ("arr", money), ("arr_share", pct)];
        push_fields(&mut numbers, &format!("candidate {}", c["idp"]), c, fields);
    }
    assert_numbers("idps.html", &page("idps"), &numbers);

    let r = json("quarterly");
    let mut numbers = Vec::new();
    for side in ["current", "previous"] {
        let fields: &[(&str, Format)] = &[("customers", num), ("arr", money), ("workspaces", num)];
        push_fields(&mut numbers, side, &r[side]["totals"], fields);
    }
    for f in r["features"].as_array().unwrap() {
        let fields: &[(&str, Format)] = &[
            ("workspaces", num),
            ("customers", num),
            ("customer_share", pct),
            ("arr", money),
            ("arr_share", pct),
            ("users", num),
        ];
        push_fields(&mut numbers, &f["feature"].to_string(), &f["current"], fields);
        push_fields(
            &mut numbers,
            &f["feature"].to_string(),
            &f["previous"],
            &[("workspaces", num)],
        );
    }
    for c in r["changes"].as_array().unwrap() {
        let fields: &[(&str, Format)] = &[("base_arr", money), ("arr", money)];
        push_fields(&mut numbers, &c["feature"].to_string(), c, fields);
    }
    assert_numbers("quarterly.html", &page("quarterly"), &numbers);

    let r = json("doctor");
    let mut numbers = Vec::new();
    let fields: &[(&str, Format)] = &[
        ("all_arr", money),
        ("attributable_arr", money),
        ("unattributed_arr", money),
        ("unattributed_arr_share", pct),
    ];
    push_fields(&mut numbers, "", &r, fields);
    for f in r["findings"].as_array().unwrap() {
        push_fields(
            &mut numbers,
            &f["key"].to_string(),
            f,
            &[("count", num), ("arr", money)],
        );
    }
    assert_numbers("doctor.html", &page("doctor"), &numbers);

    // A blurb's numbers are its sentences: the JSON's text, every warning, the footnote.
    let r = json("blurb-forced_mfa");
    let text = page("blurb-forced_mfa").replace('\n', "");
    for field in ["text", "footnote"] {
        assert!(text.contains(r[field].as_str().unwrap()), "{field} missing:\n{text}");
    }
    for warning in r["warnings"].as_array().unwrap() {
        assert!(text.contains(warning.as_str().unwrap()), "{warning} missing:\n{text}");
    }
}

#[test]
fn labels_reach_pages_and_charts_as_text_never_as_markup() {
    let p = pages();
    let html = p.run(&["report", "revenue-share", "--format", "html"]);
    let doc = Html::parse_document(&html);
    assert!(
        select(&doc, "script").is_empty() && select(&doc, "b").is_empty(),
        "{html}"
    );
    let text = text_outside_charts(&doc);
    assert!(text.contains(SSO_LABEL), "the label is shown as written:\n{text}");
    let svg_text: String = select(&doc, "svg text").iter().flat_map(|t| t.text()).collect();
    assert!(svg_text.contains("SSO <b>"), "{svg_text}");
    // The blurb's sentences are worded by a template of their own: escaped once, not twice.
    let blurb = p.run(&[
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-06-30",
        "--to",
        "2026-09-30",
        "--format",
        "html",
    ]);
    let doc = Html::parse_document(&blurb);
    assert!(select(&doc, "script").is_empty(), "{blurb}");
    assert!(text_outside_charts(&doc).contains(&format!("Customers with {SSO_LABEL} went from")));
}

#[test]
fn every_report_command_writes_html_the_same_bytes_every_time() {
    let p = pages();
    let commands: [&[&str]; 6] = [
        &["report", "revenue-share"],
        &["report", "idps", "--explain"],
        &["report", "quarterly", "--quarter", "2026Q3"],
        &[
            "report",
            "blurb",
            "--feature",
            "forced_mfa",
            "--from",
            "2026-06-30",
            "--to",
            "2026-09-30",
        ],
        &["doctor"],
        &["snapshots"],
    ];
    for command in commands {
        let args = [command, &["--format", "html"]].concat();
        let first = p.run(&args);
        assert_eq!(first, p.run(&args), "{command:?} differs between two renders");
        let doc = Html::parse_document(&first);
        assert_self_contained(&format!("{command:?}"), &doc);
        assert_charts_described(&format!("{command:?}"), &doc);
        assert!(first.starts_with("<!DOCTYPE html>"), "{command:?}");
    }
    let idps = Html::parse_document(&p.run(&["report", "idps", "--explain", "--format", "html"]));
    assert!(
        text_outside_charts(&idps).contains("How each connection was classified"),
        "--explain lists the connections"
    );
}

/// The quarterly waterfall draws exactly the JSON's amounts, which add up to the cent.
#[test]
fn waterfalls_draw_the_exact_amounts_of_the_json_and_add_up() {
    let p = pages();
    p.run(&["report", "--output-dir", "out"]);
    let r: Value = serde_json::from_str(&read(&p, "out/quarterly.json")).unwrap();
    let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i128;
    for c in r["changes"].as_array().unwrap() {
        let feature = c["feature"].as_str().unwrap();
        let svg = Html::parse_fragment(&read(&p, &format!("out/charts/quarterly-waterfall-{feature}.svg")));
        let drawn: Vec<i128> = select(&svg, "rect[data-value]")
            .iter()
            .map(|r| {
                let text = r.value().attr("data-value").unwrap();
                let (whole, fraction) = text.split_once('.').unwrap();
                let sign = if whole.starts_with('-') { -1 } else { 1 };
                whole.parse::<i128>().unwrap() * 100 + sign * fraction.parse::<i128>().unwrap()
            })
            .collect();
        let expected = [
            cents(&c["base_arr"]),
            cents(&c["turned_on_arr"]),
            -cents(&c["turned_off_arr"]),
            cents(&c["new_arr"]),
            -cents(&c["churned_arr"]),
            cents(&c["retained_change"]),
            cents(&c["arr"]),
        ];
        assert_eq!(drawn, expected, "{feature}");
        assert_eq!(drawn[..6].iter().sum::<i128>(), drawn[6], "{feature} does not add up");
    }
    // SSO (quarterly.rs): 150k + 50k - 20k + 60k - 30k + 20k = 230k.
    let sso = read(&p, "out/charts/quarterly-waterfall-sso.svg");
    assert!(
        sso.contains(">+$50k<") && sso.contains(">-$30k<") && sso.contains(">$230k<"),
        "{sso}"
    );
}

#[test]
fn chart_pngs_decode_at_1600_px_wide_the_same_bytes_every_time() {
    let p = pages();
    p.run(&["report", "--output-dir", "out1"]);
    p.run(&["report", "--output-dir", "out2"]);
    let mut pngs = 0;
    for entry in std::fs::read_dir(p.path("out1/charts")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".png") {
            continue;
        }
        pngs += 1;
        let bytes = std::fs::read(p.path("out1/charts").join(&name)).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(p.path("out2/charts").join(&name)).unwrap(),
            "{name}"
        );
        let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(frame.width, 1600, "{name}");
        assert!(frame.height > 300, "{name}: {} px high", frame.height);
        let first = &pixels[..4];
        let drawn = pixels.chunks(4).filter(|px| *px != first).count();
        assert!(drawn > 10_000, "{name}: only {drawn} pixels differ from the background");
        // The standalone SVG beside it is the chart of the page, title and all.
        let svg = read(&p, &format!("out1/charts/{}", name.replace(".png", ".svg")));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{name}");
    }
    assert_eq!(pngs, 9);
    // Every other file of the folder is the same bytes too.
    for name in html_files(&p.path("out1")) {
        assert_eq!(
            read(&p, &format!("out1/{name}")),
            read(&p, &format!("out2/{name}")),
            "{name}"
        );
    }
}

/// Markdown on stdout is unchanged; written to a folder it links each chart's PNG
/// beside its Mermaid block, and nothing else differs.
#[test]
fn markdown_in_a_folder_links_the_chart_images_and_is_otherwise_stdout() {
    let p = pages();
    p.run(&["report", "--output-dir", "out"]);
    for (name, args, images) in [
        ("revenue-share", &["report", "revenue-share"][..], 2),
        ("idps", &["report", "idps"][..], 3),
        ("quarterly", &["report", "quarterly", "--quarter", "2026Q3"][..], 4),
        ("doctor", &["doctor"][..], 0),
    ] {
        let stdout = p.run(args);
        let written = read(&p, &format!("out/{name}.md"));
        let mut links = Vec::new();
        let mut kept = Vec::new();
        for line in written.lines() {
            match line.strip_prefix("![") {
                Some(rest) => {
                    let path = rest.split("](").nth(1).unwrap().trim_end_matches(')');
                    assert!(
                        p.path("out").join(path).is_file(),
                        "{name}.md links {path}, which is missing"
                    );
                    assert!(path.ends_with(".png"), "{path}");
                    links.push(path.to_string());
                    // The image stands in a paragraph of its own: drop it and the blank line before.
                    assert_eq!(
                        kept.pop(),
                        Some(String::new()),
                        "{name}.md: no blank line before {line}"
                    );
                }
                None => kept.push(line.to_string()),
            }
        }
        assert_eq!(links.len(), images, "{name}.md: {links:?}");
        assert_eq!(
            kept.join("\n") + "\n",
            stdout,
            "{name}.md differs from stdout beyond its image links"
        );
    }
}

#[test]
fn html_templates_are_overridable_like_the_markdown_ones() {
    let p = pages();
    std::fs::create_dir(p.path("mine")).unwrap();
    let base = include_str!("../../reports/base.html.j2")
        .replace("<main>", "<main>\n<p class=\"banner\">Board pack: confidential</p>");
    p.write("mine/base.html.j2", base);
    let html = p.run(&["--reports-dir", "mine", "report", "revenue-share", "--format", "html"]);
    let doc = Html::parse_document(&html);
    let banner: String = select(&doc, "p.banner").iter().flat_map(|b| b.text()).collect();
    assert_eq!(banner, "Board pack: confidential");
    assert_eq!(
        select(&doc, "figure.chart").len(),
        2,
        "the built-in report template still renders"
    );
}
