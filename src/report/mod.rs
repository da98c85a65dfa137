//! Rendering: minijinja templates from `reports/`, compiled in, overridable
//! file by file from a user folder, with strict undefined so a misspelt field
//! is an error rather than a blank cell. Renders any `Serialize`; knows nothing
//! about the store or the queries. Also how `Money` is written out (`money`), and
//! charts as SVG and PNG (`charts`).
//!
//! Templates named `*.html.j2` are HTML-escaped (minijinja decides by the name with
//! `.j2` stripped): a label or a connection name cannot inject markup into a page.

pub(crate) mod charts;
mod filters;
mod money;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use minijinja::value::Value;
use minijinja::{context, Environment, UndefinedBehavior};
use serde::Serialize;

use charts::Figure;

/// Built-in templates, by file name.
const BUILTIN: &[(&str, &str)] = &[
    ("revenue-share.md.j2", include_str!("../../reports/revenue-share.md.j2")),
    ("snapshots.md.j2", include_str!("../../reports/snapshots.md.j2")),
    ("quarterly.md.j2", include_str!("../../reports/quarterly.md.j2")),
    ("blurb.md.j2", include_str!("../../reports/blurb.md.j2")),
    ("blurb-parts.j2", include_str!("../../reports/blurb-parts.j2")),
    ("idps.md.j2", include_str!("../../reports/idps.md.j2")),
    ("doctor.md.j2", include_str!("../../reports/doctor.md.j2")),
    ("macros.j2", include_str!("../../reports/macros.j2")),
    ("base.html.j2", include_str!("../../reports/base.html.j2")),
    ("macros.html.j2", include_str!("../../reports/macros.html.j2")),
    (
        "revenue-share.html.j2",
        include_str!("../../reports/revenue-share.html.j2"),
    ),
    ("idps.html.j2", include_str!("../../reports/idps.html.j2")),
    ("quarterly.html.j2", include_str!("../../reports/quarterly.html.j2")),
    ("blurb.html.j2", include_str!("../../reports/blurb.html.j2")),
    ("doctor.html.j2", include_str!("../../reports/doctor.html.j2")),
    ("snapshots.html.j2", include_str!("../../reports/snapshots.html.j2")),
    ("index.html.j2", include_str!("../../reports/index.html.j2")),
    ("refresh-message.j2", include_str!("../../reports/refresh-message.j2")),
    ("runs.md.j2", include_str!("../../reports/runs.md.j2")),
    ("index.md.j2", include_str!("../../reports/index.md.j2")),
];

pub(crate) struct Reports {
    env: Environment<'static>,
}

impl Reports {
    /// Templates from `dir` where it has a file of the same name, else the built-ins.
    pub(crate) fn new(dir: Option<&Path>, currency: &str) -> Result<Reports> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.set_debug(true);
        for (name, builtin) in BUILTIN {
            let user: Option<PathBuf> = dir.map(|d| d.join(name)).filter(|p| p.is_file());
            let source = match &user {
                Some(path) => {
                    std::fs::read_to_string(path).with_context(|| format!("cannot read template {}", path.display()))?
                }
                None => builtin.to_string(),
            };
            env.add_template_owned(name.to_string(), source)
                .with_context(|| format!("template {name} does not parse"))?;
        }
        filters::register(&mut env, currency);
        Ok(Reports { env })
    }

    /// Renders template `name` with `context`.
    pub(crate) fn render(&self, name: &str, context: &impl Serialize) -> Result<String> {
        let template = self
            .env
            .get_template(name)
            .with_context(|| format!("no template {name}"))?;
        template.render(context).map_err(|err| {
            let detail = format!("{err:#}");
            anyhow::Error::new(err).context(format!("cannot render {name}: {}", detail.lines().next().unwrap_or("")))
        })
    }

    /// Renders markdown template `name` with `context`, plus `chart_images`: for each
    /// figure whose PNG is written beside the report (none on stdout), its `path` and
    /// `title`, by figure name.
    pub(crate) fn render_markdown(&self, name: &str, context: &impl Serialize, images: &[Figure]) -> Result<String> {
        let images = Value::from_iter(images.iter().map(|f| {
            let image = context! { path => format!("charts/{}.png", f.file), title => f.title };
            (f.name.clone(), image)
        }));
        self.render(
            name,
            &context! { chart_images => images, ..Value::from_serialize(context) },
        )
    }

    /// Renders HTML template `name` with `context`, plus `charts`: the figures, by name
    /// (`charts.share.svg` is the drawing), in the order given.
    pub(crate) fn render_html(&self, name: &str, context: &impl Serialize, figures: &[Figure]) -> Result<String> {
        let charts = Value::from_iter(figures.iter().map(|f| (f.name.clone(), Value::from_serialize(f))));
        self.render(name, &context! { charts => charts, ..Value::from_serialize(context) })
    }

    /// Calls macro `name` of template `template` with `argument` and returns the
    /// non-empty lines it writes, trimmed: the pieces of wording that JSON documents
    /// carry (the blurb's sentences), from the same templates the markdown uses.
    pub(crate) fn render_lines(&self, template: &str, name: &str, argument: &impl Serialize) -> Result<Vec<String>> {
        let what = || format!("cannot render macro {name} of {template}");
        let captured = self
            .env
            .get_template(template)
            .with_context(|| format!("no template {template}"))?
            .render_captured_to((), std::io::sink())
            .with_context(what)?;
        let text = captured
            .state()
            .call_macro(name, &[minijinja::Value::from_serialize(argument)])
            .map_err(|err| {
                let detail = format!("{err:#}");
                anyhow::Error::new(err).context(format!("{}: {}", what(), detail.lines().next().unwrap_or("")))
            })?;
        Ok(text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect())
    }
}
