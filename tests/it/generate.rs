//! `vpce-probe generate man` and `generate completions SHELL`, through the
//! real binary: the man page renders every subcommand and its flags, and
//! every completion script is produced (bash's passes `bash -n`).

use clap::CommandFactory;
use vpce_probe::cli::Cli;

fn generate(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .arg("generate")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_man_page_renders_every_subcommand() {
    let page = generate(&["man"]);
    assert!(page.starts_with(".TH"), "{}", &page[..page.len().min(200)]);
    for sub in Cli::command().get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let heading = format!(".SH \"VPCE-PROBE {}\"", name.to_uppercase());
        assert!(page.contains(&heading), "no section for {name}");
        for arg in sub.get_arguments() {
            if let Some(long) = arg.get_long()
                && !arg.is_hide_set()
            {
                let flag = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(page.contains(&flag), "{name}: no {flag}");
            }
        }
    }
    assert!(page.contains("EXIT STATUS"));
    // When groff is installed, the page must format without warnings.
    if let Ok(out) = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(page.as_bytes())?;
            child.wait_with_output()
        })
    {
        assert!(out.status.success(), "{out:?}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_shell_gets_a_completion_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = generate(&["completions", shell]);
        for word in ["vpce-probe", "check", "watch", "--interval"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
}

/// What bash offers for `words` (the last one being completed), with the
/// generated script loaded as bash-completion would load it.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        "source {script}\nCOMP_WORDS=({line})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\n\
         COMP_POINT=${{#COMP_LINE}}\n_vpce__probe vpce-probe '{cur}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = script.display(),
        cword = words.len() - 1,
        cur = words[words.len() - 1],
        prev = words[words.len() - 2],
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(program)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Loaded in a real bash, the script completes a subcommand's flags
/// (`clap_complete`'s own script matched on names it never set).
#[test]
fn the_bash_completion_completes_subcommand_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpce-probe.bash");
    std::fs::write(&path, generate(&["completions", "bash"])).unwrap();
    assert_eq!(
        bash_completes(&path, &["vpce-probe", "check", "--reg"]),
        ["--region"]
    );
    let formats = bash_completes(&path, &["vpce-probe", "explain", "--fo"]);
    assert_eq!(formats, ["--format"]);
    let subcommands = bash_completes(&path, &["vpce-probe", "ch"]);
    assert_eq!(subcommands, ["check"]);
}

#[test]
fn the_bash_completion_parses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpce-probe.bash");
    std::fs::write(&path, generate(&["completions", "bash"])).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["generate", "completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

/// Loaded in a real fish (Debian's, which `.ci/run` installs), the fish
/// script completes a subcommand's flags. Skipped, saying so, where fish
/// is not installed.
#[test]
fn the_fish_completion_completes_subcommand_flags() {
    if std::process::Command::new("fish")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: fish is not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vpce-probe.fish");
    std::fs::write(&path, generate(&["completions", "fish"])).unwrap();
    let complete = |line: &str| -> Vec<String> {
        let out = std::process::Command::new("fish")
            .arg("--no-config")
            .arg("-c")
            .arg(format!("source {}; complete -C '{line}'", path.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(complete("vpce-probe check --reg"), ["--region"]);
    assert_eq!(complete("vpce-probe explain --fo"), ["--format"]);
}
