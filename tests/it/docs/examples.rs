//! The book's examples are the binary's: every fenced `text` block that
//! starts with `$ vpce-probe explain ...` or `$ vpce-probe endpoints ...`
//! (the commands that run offline) is the command and its output, and the
//! test runs the command and compares (`UPDATE_DOCS=1` rewrites the
//! output); every fenced `json` block that holds a whole report
//! (`schema_version`) validates against `schema/report.schema.json`.

use std::path::Path;

use super::root;

/// Splits a command line as a POSIX shell would for the quoting the book
/// uses: single and double quotes, backslash escapes outside single quotes.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                started = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                started = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        q => word.push(q),
                    }
                }
            }
            '\\' => {
                started = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// The fenced blocks of `text`: (info string, first line index, lines).
fn blocks(text: &str) -> Vec<(String, usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, Vec<String>)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), i + 1, Vec::new())),
            (Some(_), Some("")) => out.extend(open.take()),
            (Some((_, _, lines)), _) => lines.push(line.to_owned()),
            (None, None) => {}
        }
    }
    out
}

fn run(args: &[String]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_CONFIG_FILE")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn pages() -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(root().join("docs/src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn the_books_offline_commands_print_what_the_book_shows() {
    let mut checked = 0;
    let mut stale = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut updated: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut changed = false;
        // From the last block up, so that a rewritten block leaves the
        // line numbers of the ones before it as they were.
        for (info, start, lines) in blocks(&text).into_iter().rev() {
            let Some(command) = lines.first().and_then(|l| l.strip_prefix("$ vpce-probe ")) else {
                continue;
            };
            let args = words(command);
            if info != "text"
                || !matches!(
                    args.first().map(String::as_str),
                    Some("explain" | "endpoints")
                )
            {
                continue;
            }
            checked += 1;
            let shown = lines[1..].join("\n");
            let printed = run(&args);
            let printed = printed.trim_end();
            if shown.trim_end() != printed {
                changed = true;
                stale.push(format!(
                    "{}:{}: $ vpce-probe {command}",
                    rel(&page),
                    start + 1
                ));
                let at = start + 1;
                let new: Vec<String> = printed.lines().map(str::to_owned).collect();
                updated.splice(at..at + lines.len() - 1, new);
            }
        }
        if changed && std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&page, updated.join("\n") + "\n").unwrap();
            stale.clear();
        }
    }
    assert!(checked >= 2, "{checked} command examples");
    assert!(
        stale.is_empty(),
        "examples that differ from the binary (UPDATE_DOCS=1 rewrites them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_books_reports_validate_against_the_schema() {
    let validator = crate::support::schema_validator();
    let mut checked = 0;
    let mut errors = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (info, start, lines) in blocks(&text) {
            let body = lines.join("\n");
            if info != "json" || !body.contains("\"schema_version\"") {
                continue;
            }
            checked += 1;
            match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(v) => errors.extend(
                    validator
                        .iter_errors(&v)
                        .map(|e| format!("{}:{}: {e}", rel(&page), start + 1)),
                ),
                Err(e) => errors.push(format!("{}:{}: not JSON: {e}", rel(&page), start + 1)),
            }
        }
    }
    assert!(checked >= 1, "no report in the book");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn words_split_as_a_shell_does() {
    assert_eq!(
        words(r#"explain 'a "b" c' --format json "d\"e" f\ g"#),
        ["explain", "a \"b\" c", "--format", "json", "d\"e", "f g"]
    );
}
