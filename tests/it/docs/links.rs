//! Every relative link and anchor in the README, CONTRIBUTING.md,
//! bench/README.md and the book points somewhere; every book page is in
//! SUMMARY.md; no page cites the project's issue numbers; the README stays
//! a front door.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::root;

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("bench/README.md"),
    ];
    files.extend(book_pages());
    files
}

fn book_pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs/src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

struct Parsed {
    links: Vec<String>,
    anchors: BTreeSet<String>,
}

/// The heading slug, as GitHub and mdBook make it: lower case, letters,
/// digits, `_` and `-` kept, spaces to `-`, the rest dropped.
fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

fn parse(path: &Path) -> Parsed {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut links = Vec::new();
    let mut anchors = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                links.push(dest_url.into_string());
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let base = slug(&heading.take().unwrap_or_default());
                let n = seen.entry(base.clone()).or_insert(0);
                anchors.insert(if *n == 0 {
                    base.clone()
                } else {
                    format!("{base}-{n}")
                });
                *n += 1;
            }
            _ => {}
        }
    }
    Parsed { links, anchors }
}

fn is_external(link: &str) -> bool {
    link.contains("://") || link.starts_with("mailto:")
}

#[test]
fn relative_links_and_anchors_resolve() {
    let mut broken = Vec::new();
    let mut cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for doc in documents() {
        let parsed = parse(&doc);
        cache.insert(doc.clone(), parsed.anchors.clone());
        for link in parsed.links.iter().filter(|l| !is_external(l)) {
            let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
            let target = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", doc.display()));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let target = target.canonicalize().unwrap();
            if target.extension().is_none_or(|e| e != "md") {
                broken.push(format!(
                    "{}: {link} (an anchor into a non-Markdown file)",
                    doc.display()
                ));
                continue;
            }
            let anchors = cache
                .entry(target.clone())
                .or_insert_with(|| parse(&target).anchors);
            if !anchors.contains(anchor) {
                broken.push(format!("{}: {link} (no heading #{anchor})", doc.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_book_page_is_in_the_summary() {
    let summary = root().join("docs/src/SUMMARY.md");
    let listed: BTreeSet<String> = parse(&summary).links.into_iter().collect();
    for page in book_pages() {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        if name != "SUMMARY.md" {
            assert!(listed.contains(&name), "{name} is not in SUMMARY.md");
        }
    }
    assert!(root().join("docs/book.toml").exists());
}

#[test]
fn no_page_cites_an_issue_number() {
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap().to_lowercase();
        for word in ["issue ", "issues ", "issue #"] {
            for (i, _) in text.match_indices(word) {
                let after = &text[i + word.len()..];
                assert!(
                    !after.starts_with(|c: char| c.is_ascii_digit()),
                    "{}: cites an issue number: {}",
                    doc.display(),
                    &text[i..(i + 20).min(text.len())]
                );
            }
        }
    }
}

#[test]
fn the_readme_is_a_front_door() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines; the book is for the rest"
    );
    // .ci/run and a hook run the README's test command.
    assert!(readme.contains("cargo test"));
    assert!(readme.contains("cargo run --release"));
}

/// What the book links to outside its pages lives inside the book, in
/// `docs/src/repo/` (a built book has nothing above `docs/src`): copies of
/// `examples/` and the schema, kept equal to them (`UPDATE_DOCS=1` copies).
#[test]
fn the_book_carries_what_it_links_to() {
    let root = root();
    let copy = root.join("docs/src/repo");
    let mut sources: Vec<PathBuf> = vec![root.join("schema/report.schema.json")];
    let mut dirs = vec![root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                sources.push(path);
            }
        }
    }
    let mut stale = Vec::new();
    for source in &sources {
        let rel = source.strip_prefix(&root).unwrap();
        let target = copy.join(rel);
        let want = std::fs::read(source).unwrap();
        if std::fs::read(&target).ok().as_deref() != Some(&want[..]) {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, &want).unwrap();
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/src/repo/ lacks or differs from (UPDATE_DOCS=1 copies): {stale:?}"
    );
    for page in book_pages() {
        for link in parse(&page).links.iter().filter(|l| !is_external(l)) {
            assert!(
                !link.starts_with("../"),
                "{}: {link} leaves the book (link into repo/ instead)",
                page.display()
            );
        }
    }
}
