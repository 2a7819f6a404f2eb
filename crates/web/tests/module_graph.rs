//! No import circles between the modules of `passage-web` and of
//! `passage-service`: a resource module may use the shared machinery, never
//! the other way round, and no two modules lean on each other. Read from the
//! sources (every `crate::…` and `super::…` path outside the tests), so a new
//! circle fails here before it sets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `api/extract.rs` → `api::extract`, `api/mod.rs` → `api`; the crate root is "".
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// Module → the modules it uses.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let resolve = |path: &str| -> Option<String> {
        // The longest module that prefixes the path: crate::api::extract::who → api::extract.
        let segs: Vec<&str> = path.split("::").collect();
        (1..=segs.len()).rev().map(|n| segs[..n].join("::")).find(|m| modules.contains(m))
    };
    let mut g = BTreeMap::new();
    for f in &files {
        let me = module_of(src, f);
        if me.is_empty() {
            continue; // the crate root assembles everything; items defined there (AppState) are not a module
        }
        let text = std::fs::read_to_string(f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let parent = me.rsplit_once("::").map(|(p, _)| p.to_string()).unwrap_or_default();
        let mut uses = BTreeSet::new();
        let mut paths: Vec<String> = Vec::new();
        for (prefix, base) in [("crate::", String::new()), ("super::", parent.clone())] {
            for (i, _) in code.match_indices(prefix) {
                let before = code[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest: String = code[i + prefix.len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                let rest = rest.trim_end_matches(':');
                paths.push(if base.is_empty() { rest.to_string() } else { format!("{base}::{rest}") });
            }
        }
        // A parent that reaches into its children by their short names (the API router).
        for child in modules.iter().filter(|m| m.rsplit_once("::").is_some_and(|(p, _)| p == me)) {
            let short = child.rsplit("::").next().unwrap();
            if code.contains(&format!("{short}::")) {
                paths.push(child.clone());
            }
        }
        for p in paths {
            if let Some(m) = resolve(&p) {
                if m != me {
                    uses.insert(m);
                }
            }
        }
        g.insert(me, uses);
    }
    g
}

/// Every circle, as the modules on it.
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(at) = stack.iter().position(|s| s == n) {
            found.push(stack[at..].to_vec());
            return;
        }
        if done.contains(n) {
            return;
        }
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            visit(m, g, stack, done, found);
        }
        stack.pop();
        done.insert(n.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for n in g.keys() {
        visit(n, g, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

fn check(crate_dir: &str) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate_dir).join("src");
    let g = graph(&src);
    assert!(g.len() > 5, "read {} modules from {}", g.len(), src.display());
    let c = circles(&g);
    assert!(c.is_empty(), "import circles in {crate_dir}: {}", c.iter().map(|c| c.join(" → ")).collect::<Vec<_>>().join("; "));
}

#[test]
fn no_import_circles_in_the_web_layer() {
    check(".");
}

#[test]
fn no_import_circles_in_the_services() {
    check("../service");
}

#[test]
fn the_page_machinery_uses_no_resource_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    let shared: BTreeSet<&str> = ["page", "layout", "assets", "session", "form", "i18n", "error", "routing", "api::extract"].into();
    for m in &shared {
        let bad: Vec<&String> = g[*m].iter().filter(|u| !shared.contains(u.as_str())).collect();
        assert!(bad.is_empty(), "{m} uses {bad:?}");
    }
}
