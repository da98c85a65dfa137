//! No circle of imports between the modules of `src/` (issue 12).
//!
//! Each file of `src/` is a module (`lib.rs` the crate root, `a/mod.rs` the module
//! `a`); `main.rs` is the binary, a crate of its own, and is left out. A file depends
//! on a module when it names something in it: through `use` (braces, `self`, `as` and
//! globs included) or a path in code, starting at `crate::`, `super::`, `self::` or a
//! child module's name. Of such a path the longest prefix that is a module file is
//! the module it depends on. The graph must have no circle, so that each module can
//! be read, tested and replaced knowing only the modules below it.
//!
//! Code under `#[cfg(test)]` (test modules, inline or in files of their own, and
//! test-only items) is left out: a test may reach into any layer. Comments and
//! string literals are skipped, so a path in a doc comment or a message is no import.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// A module's path from the crate root: `[]` is `lib.rs`, `["sources", "auth0"]` is
/// `sources/auth0/mod.rs`.
type ModPath = Vec<String>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

/// The tokens of Rust source that matter for paths, each with its line; comments,
/// string, character and number literals and lifetimes are dropped.
fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skips a quoted literal whose opening quote is at `i`; `hashes` > 0 for raw strings.
    let skip_quoted = |i: &mut usize, line: &mut usize, raw: bool, hashes: usize| {
        *i += 1;
        while *i < c.len() {
            match c[*i] {
                '\\' if !raw => *i += 1,
                '"' if (1..=hashes).all(|h| at(*i + h) == '#') => {
                    *i += 1 + hashes;
                    return;
                }
                '\n' => *line += 1,
                _ => {}
            }
            *i += 1;
        }
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\n' => {
                line += 1;
                i += 1;
            }
            _ if ch.is_whitespace() => i += 1,
            '/' if at(i + 1) == '/' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                }
            }
            '"' => skip_quoted(&mut i, &mut line, false, 0),
            'b' if at(i + 1) == '"' => {
                i += 1;
                skip_quoted(&mut i, &mut line, false, 0);
            }
            'r' | 'b'
                if {
                    let start = if ch == 'b' && at(i + 1) == 'r' { i + 2 } else { i + 1 };
                    let hashes = (start..).take_while(|&j| at(j) == '#').count();
                    (ch == 'r' || start == i + 2) && at(start + hashes) == '"'
                } =>
            {
                let start = if ch == 'b' { i + 2 } else { i + 1 };
                let hashes = (start..).take_while(|&j| at(j) == '#').count();
                i = start + hashes;
                skip_quoted(&mut i, &mut line, true, hashes);
            }
            'b' if at(i + 1) == '\'' => {
                i += 1;
                continue; // the character literal, next round
            }
            '\'' => {
                if at(i + 1) == '\\' {
                    i += 3;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    // A lifetime or a label.
                    i += 1;
                    while is_ident(at(i)) {
                        i += 1;
                    }
                }
            }
            _ if ch.is_ascii_digit() => {
                while is_ident(at(i)) {
                    i += 1;
                }
            }
            _ if is_ident(ch) => {
                let start = i;
                while is_ident(at(i)) {
                    i += 1;
                }
                out.push((Tok::Ident(c[start..i].iter().collect()), line));
            }
            ':' if at(i + 1) == ':' => {
                out.push((Tok::PathSep, line));
                i += 2;
            }
            _ => {
                out.push((Tok::Punct(ch), line));
                i += 1;
            }
        }
    }
    out
}

/// What one file names: paths (as written, with the module scope they are written
/// in) and the child modules it declares under `#[cfg(test)]`.
#[derive(Debug, Default)]
struct FileRefs {
    /// (scope, path, line): `scope` is the file's module plus any inline modules around the path.
    paths: Vec<(ModPath, Vec<String>, usize)>,
    test_modules: Vec<String>,
}

fn is_punct(toks: &[(Tok, usize)], k: usize, p: char) -> bool {
    matches!(toks.get(k), Some((Tok::Punct(c), _)) if *c == p)
}

fn is_ident(toks: &[(Tok, usize)], k: usize, name: &str) -> bool {
    matches!(toks.get(k), Some((Tok::Ident(s), _)) if s == name)
}

/// The index after the bracketed group that opens at `k` (`(`, `[` or `{`).
fn skip_group(toks: &[(Tok, usize)], mut k: usize) -> usize {
    let mut depth = 0i32;
    while k < toks.len() {
        match toks[k].0 {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    k
}

/// The index after the item that starts at `k`: after its `;`, or after its body.
fn skip_item(toks: &[(Tok, usize)], mut k: usize) -> usize {
    while k < toks.len() {
        match toks[k].0 {
            Tok::Punct(';') => return k + 1,
            Tok::Punct('{') => return skip_group(toks, k),
            Tok::Punct('(' | '[') => k = skip_group(toks, k),
            _ => k += 1,
        }
    }
    k
}

/// Reads the `use` tree at `k` under `prefix`, adding each path it names to `out`.
fn use_tree(toks: &[(Tok, usize)], mut k: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    loop {
        match toks.get(k).map(|t| &t.0) {
            Some(Tok::PathSep) => k += 1,
            Some(Tok::Punct('*')) => {
                out.push(prefix);
                return k + 1;
            }
            Some(Tok::Punct('{')) => {
                k += 1;
                while k < toks.len() && !is_punct(toks, k, '}') {
                    k = use_tree(toks, k, prefix.clone(), out);
                    if is_punct(toks, k, ',') {
                        k += 1;
                    }
                }
                return k + 1;
            }
            Some(Tok::Ident(segment)) => {
                prefix.push(segment.clone());
                k += 1;
                if !matches!(toks.get(k), Some((Tok::PathSep, _))) {
                    out.push(prefix);
                    if is_ident(toks, k, "as") {
                        k += 2;
                    }
                    return k;
                }
            }
            _ => return k,
        }
    }
}

fn file_refs(module: &[String], src: &str) -> FileRefs {
    let toks = tokens(src);
    let mut refs = FileRefs::default();
    // Inline modules open around the current token: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let scope = |inline: &[(String, usize)]| -> ModPath {
        module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect()
    };
    let mut k = 0;
    while k < toks.len() {
        let line = toks[k].1;
        let cfg_test = is_punct(&toks, k, '#')
            && is_punct(&toks, k + 1, '[')
            && is_ident(&toks, k + 2, "cfg")
            && is_punct(&toks, k + 3, '(')
            && is_ident(&toks, k + 4, "test")
            && is_punct(&toks, k + 5, ')')
            && is_punct(&toks, k + 6, ']');
        if cfg_test {
            k += 7;
            while is_punct(&toks, k, '#') && is_punct(&toks, k + 1, '[') {
                k = skip_group(&toks, k + 1);
            }
            let end = skip_item(&toks, k);
            let words: Vec<&Tok> = toks[k..end].iter().map(|t| &t.0).collect();
            if let [.., Tok::Ident(m), Tok::Ident(name), Tok::Punct(';')] = words.as_slice() {
                if m == "mod" && inline.is_empty() {
                    refs.test_modules.push(name.clone());
                }
            }
            k = end;
            continue;
        }
        match &toks[k].0 {
            Tok::Ident(word) if word == "use" => {
                let mut paths = Vec::new();
                k = use_tree(&toks, k + 1, Vec::new(), &mut paths);
                let here = scope(&inline);
                refs.paths.extend(paths.into_iter().map(|p| (here.clone(), p, line)));
            }
            Tok::Ident(word) if word == "mod" && is_punct(&toks, k + 2, '{') => {
                if let Some((Tok::Ident(name), _)) = toks.get(k + 1) {
                    depth += 1;
                    inline.push((name.clone(), depth));
                }
                k += 3;
            }
            Tok::Ident(first) if matches!(toks.get(k + 1), Some((Tok::PathSep, _))) => {
                let after_sep = k > 0 && matches!(toks[k - 1].0, Tok::PathSep);
                let mut path = vec![first.clone()];
                k += 1;
                while let (Some((Tok::PathSep, _)), Some((Tok::Ident(next), _))) = (toks.get(k), toks.get(k + 1)) {
                    path.push(next.clone());
                    k += 2;
                }
                if !after_sep {
                    refs.paths.push((scope(&inline), path, line));
                }
            }
            Tok::Punct('{') => {
                depth += 1;
                k += 1;
            }
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                k += 1;
            }
            _ => k += 1,
        }
    }
    refs
}

/// The module a path written in `scope` names, or `None` when it names no module of
/// the crate (an external crate, a local type's associated item).
fn resolve(scope: &[String], path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let mut absolute: ModPath = match path[0].as_str() {
        "crate" => Vec::new(),
        "super" | "self" => scope.to_vec(),
        first => {
            let mut child = scope.to_vec();
            child.push(first.to_string());
            if !modules.contains(&child) {
                return None;
            }
            scope.to_vec()
        }
    };
    let skip = usize::from(path[0] == "crate");
    for segment in &path[skip..] {
        match segment.as_str() {
            "super" => {
                absolute.pop();
            }
            "self" => {}
            _ => absolute.push(segment.clone()),
        }
    }
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
}

/// The module of a file under `src/`, by its path there (`a/b.rs`, `a/mod.rs`).
fn module_of(relative: &str) -> ModPath {
    let stem = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The import graph: module -> module it names -> where it first does (file:line).
type Graph = BTreeMap<ModPath, BTreeMap<ModPath, String>>;

/// The graph of `files` (path under `src/`, text), test-only modules left out.
fn import_graph(files: &[(String, String)]) -> Graph {
    let parsed: Vec<(String, ModPath, FileRefs)> = files
        .iter()
        .map(|(path, text)| {
            let module = module_of(path);
            let refs = file_refs(&module, text);
            (path.clone(), module, refs)
        })
        .collect();
    let test_only: Vec<ModPath> = parsed
        .iter()
        .flat_map(|(_, module, refs)| {
            refs.test_modules.iter().map(move |m| {
                let mut child = module.clone();
                child.push(m.clone());
                child
            })
        })
        .collect();
    let kept = |m: &ModPath| !test_only.iter().any(|t| m.starts_with(t));
    let modules: BTreeSet<ModPath> = parsed.iter().map(|(_, m, _)| m.clone()).filter(kept).collect();
    let mut graph = Graph::new();
    for (path, module, refs) in parsed.iter().filter(|(_, m, _)| kept(m)) {
        let edges = graph.entry(module.clone()).or_default();
        for (scope, p, line) in &refs.paths {
            if let Some(target) = resolve(scope, p, &modules) {
                if &target != module {
                    edges.entry(target).or_insert_with(|| format!("src/{path}:{line}"));
                }
            }
        }
    }
    graph
}

/// Every circle of the graph, one per strongly connected group of modules, as the
/// shortest circle through its first module: `a -> b -> a (src/a.rs:3, src/b.rs:9)`.
fn circles(graph: &Graph) -> Vec<String> {
    // Reachability is enough for a few dozen modules: a and b share a circle when each reaches the other.
    let reach = |from: &ModPath| -> BTreeSet<ModPath> {
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([from.clone()]);
        while let Some(m) = queue.pop_front() {
            for next in graph.get(&m).into_iter().flat_map(BTreeMap::keys) {
                if seen.insert(next.clone()) {
                    queue.push_back(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&ModPath, BTreeSet<ModPath>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut done: BTreeSet<ModPath> = BTreeSet::new();
    let mut found = Vec::new();
    for start in graph.keys() {
        if done.contains(start) || !reachable[start].contains(start) {
            continue;
        }
        let group: BTreeSet<ModPath> = reachable[start]
            .iter()
            .filter(|m| reachable.get(m).is_some_and(|r| r.contains(start)))
            .cloned()
            .collect();
        done.extend(group.iter().cloned());
        // Shortest way back to `start`, by breadth-first search.
        let mut before: BTreeMap<ModPath, ModPath> = BTreeMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        'search: while let Some(m) = queue.pop_front() {
            for next in graph[&m].keys() {
                if next == start {
                    before.insert(start.clone(), m.clone());
                    break 'search;
                }
                if group.contains(next) && !before.contains_key(next) {
                    before.insert(next.clone(), m.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        let mut back = Vec::new();
        let mut at = &before[start];
        while at != start {
            back.push(at.clone());
            at = &before[at];
        }
        back.reverse();
        let cycle: Vec<ModPath> = std::iter::once(start.clone())
            .chain(back)
            .chain(std::iter::once(start.clone()))
            .collect();
        let names: Vec<String> = cycle.iter().map(|m| name(m)).collect();
        let sites: Vec<&str> = cycle.windows(2).map(|w| graph[&w[0]][&w[1]].as_str()).collect();
        let more = match group.len().saturating_sub(cycle.len() - 1) {
            0 => String::new(),
            n => format!("; {n} more modules share this circle"),
        };
        found.push(format!("{} ({}{more})", names.join(" -> "), sites.join(", ")));
    }
    found
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn src_modules_import_each_other_in_no_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    files.retain(|(path, _)| path != "main.rs");
    let graph = import_graph(&files);
    assert!(
        graph.len() > 20,
        "found only {} modules under {}",
        graph.len(),
        src.display()
    );
    assert!(
        graph[&vec!["config".to_string()]].contains_key(&vec!["cli".to_string()]),
        "config imports cli, and the graph should say so"
    );
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "modules of src/ import each other in a circle; move what both need into a module below them:\n{}",
        found.join("\n")
    );
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

fn module(path: &str) -> ModPath {
    path.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[test]
fn a_made_up_circle_is_found_and_named() {
    let made_up = files(&[
        ("lib.rs", "mod a; mod b; mod c;\npub fn run() { a::go() }"),
        ("a.rs", "use crate::b::Thing;\npub fn go() {}"),
        ("b/mod.rs", "mod inner;\npub use inner::g;\npub struct Thing;"),
        ("b/inner.rs", "pub fn g() {\n    super::super::c::h()\n}"),
        ("c.rs", "use super::{b, a::go as run};\npub fn h() {}"),
    ]);
    let mut graph = import_graph(&made_up);
    assert_eq!(
        circles(&graph),
        ["a -> b -> b::inner -> c -> a (src/a.rs:1, src/b/mod.rs:2, src/b/inner.rs:2, src/c.rs:1)"],
        "{graph:?}"
    );
    // Without b's re-export of its child the circle is gone: the two files are two modules.
    graph.get_mut(&module("b")).unwrap().clear();
    assert!(circles(&graph).is_empty(), "{graph:?}");
}

#[test]
fn paths_resolve_through_crate_super_self_and_child_modules() {
    let made_up = files(&[
        (
            "lib.rs",
            "mod x; mod y; mod z;\nfn run() { let s = x::f(); y::Y::new(); ::z::h(); }",
        ),
        (
            "x/mod.rs",
            "pub(crate) mod deep;\npub(crate) use self::deep::{self as d, Deep};\n\
             // use crate::z; a comment\nconst S: &str = \"crate::z::h\";\nconst R: &str = r#\"super::z\"#;\n\
             fn f<'a>(c: char) -> &'a str { if c == '\"' { \"\" } else { \"'\" } }",
        ),
        (
            "x/deep.rs",
            "pub(crate) struct Deep;\nfn g() -> Vec::<u8> { crate::y::make(std::mem::take(&mut 1)) }",
        ),
        ("y.rs", "pub(crate) fn make() {}"),
        ("z.rs", "pub fn h() {}"),
    ]);
    let graph = import_graph(&made_up);
    let edges = |m: &str| graph[&module(m)].keys().map(|k| name(k)).collect::<Vec<_>>();
    assert_eq!(edges(""), ["x", "y"], "`::z` names the external crate z");
    assert_eq!(
        edges("x"),
        ["x::deep"],
        "strings, raw strings, chars and comments are skipped"
    );
    assert_eq!(edges("x::deep"), ["y"]);
    assert!(edges("y").is_empty() && edges("z").is_empty());
}

#[test]
fn test_code_is_left_out() {
    let made_up = files(&[
        ("lib.rs", "mod a; mod b;\n#[cfg(test)]\nmod fuzz;"),
        (
            "a.rs",
            "pub fn f() {}\n#[cfg(test)]\n#[allow(dead_code)]\nfn only_in_tests() { crate::b::g() }\n\
             #[cfg(test)]\nuse crate::b::g;\n#[cfg(test)]\nmod tests {\n  use super::super::b;\n  mod more { }\n}",
        ),
        ("b.rs", "pub fn g() { crate::a::f() }"),
        ("fuzz.rs", "use crate::a::f; use crate::b::g;"),
    ]);
    let graph = import_graph(&made_up);
    assert!(!graph.contains_key(&module("fuzz")), "{graph:?}");
    assert!(graph[&module("a")].is_empty(), "{graph:?}");
    assert!(circles(&graph).is_empty());
    // The same import outside the test module makes the circle.
    let made_up = files(&[
        ("lib.rs", "mod a; mod b;"),
        ("a.rs", "pub fn f() {}\nmod inner {\n  use super::super::b;\n}"),
        ("b.rs", "pub fn g() { crate::a::f() }"),
    ]);
    assert_eq!(
        circles(&import_graph(&made_up)),
        ["a -> b -> a (src/a.rs:3, src/b.rs:1)"]
    );
}
