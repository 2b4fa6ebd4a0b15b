//! Command lines the tool suggests, built from words: each word is quoted
//! for a POSIX shell (and bash and zsh, where people paste them), so no
//! value can end its word, expand or run anything. A leaf module.
//!
//! `shell-words`' `quote` is not used: it leaves `{`, `}`, `!` and `^`
//! bare (`a{b,c}` is two words in bash and zsh, `!!` is history expansion
//! in an interactive bash), and control characters raw.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use crate::printable::hazardous;

/// Whether `b` may stand bare anywhere in a word: letters, digits and
/// `_ @ % + = : , . / -` (Python's `shlex.quote` set). `=` may not start
/// one: zsh expands `=cmd` to the command's path.
fn bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b)
}

/// One shell word for `word`: as it is when every character may stand
/// bare, else in single quotes (a `'` inside as `'\''`). A control or
/// bidirectional character (see [`hazardous`]) is written as a `$'\ooo'`
/// segment of its UTF-8 bytes, so the line shows no raw control byte:
/// bash, zsh, ksh and POSIX.1-2024 shells read the bytes back; an older
/// `sh` reads the segment as literal text, still one word, expanding
/// nothing.
pub fn quote(word: &str) -> Cow<'_, str> {
    let starts_bare = word.as_bytes().first().is_some_and(|b| *b != b'=');
    if starts_bare && word.bytes().all(bare) {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len() + 2);
    let mut open = false;
    for c in word.chars() {
        if hazardous(c) {
            if open {
                out.push('\'');
                open = false;
            }
            out.push_str("$'");
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\{b:03o}");
            }
            out.push('\'');
            continue;
        }
        if !open {
            out.push('\'');
            open = true;
        }
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    if open || out.is_empty() {
        out.push('\'');
        if out.len() == 1 {
            out.push('\'');
        }
    }
    Cow::Owned(out)
}

/// A command line of words, each quoted when shown: the only way the tool
/// writes a command for people to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    words: Vec<String>,
}

impl Command {
    pub fn new(program: &str) -> Self {
        Self {
            words: vec![program.to_owned()],
        }
    }

    /// Adds one word, whatever it holds.
    #[must_use]
    pub fn arg(mut self, word: impl Into<String>) -> Self {
        self.words.push(word.into());
        self
    }

    /// Adds each of `words`.
    #[must_use]
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, words: I) -> Self {
        self.words.extend(words.into_iter().map(Into::into));
        self
    }

    /// The words as a shell would read them back.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, word) in self.words.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&quote(word))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_need_no_quotes_stand_bare() {
        for w in [
            "check",
            "--region",
            "us-east-1",
            "a=b",
            "10.0.0.1:443",
            "x@y%z+",
        ] {
            assert_eq!(quote(w), w);
        }
    }

    #[test]
    fn everything_else_is_quoted() {
        let cases = [
            ("", "''"),
            ("a;id;", "'a;id;'"),
            ("a b", "'a b'"),
            ("it's", "'it'\\''s'"),
            ("a{b,c}", "'a{b,c}'"),
            ("!!", "'!!'"),
            ("~root", "'~root'"),
            ("=ls", "'=ls'"),
            ("$(id)", "'$(id)'"),
            ("`id`", "'`id`'"),
            ("*", "'*'"),
            ("a\u{1b}[2Jb", "'a'$'\\033''[2Jb'"),
            ("\u{7}", "$'\\007'"),
            ("x\u{9b}", "'x'$'\\302\\233'"),
            ("\u{202e}", "$'\\342\\200\\256'"),
        ];
        for (word, want) in cases {
            assert_eq!(quote(word), want, "{word:?}");
        }
    }

    /// bash reads every quoted word back as the one word it was.
    #[test]
    fn bash_reads_the_words_back() {
        let words = [
            "a;id;",
            "it's",
            "a{b,c}",
            "!!",
            "~",
            "=ls",
            "$(touch PWNED)",
            "x\u{1b}]0;t\u{7}y\n\r\u{9b}\u{202e}'\"",
            "",
            "plain",
        ];
        let line = Command::new("printf").arg("%s\\0").args(words).to_string();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&line)
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}");
        let got: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
        let want: Vec<&[u8]> = words
            .iter()
            .map(|w| w.as_bytes())
            .chain([&b""[..]])
            .collect();
        assert_eq!(got, want, "{line}");
        assert!(!line.contains(hazardous), "{line}");
    }

    #[test]
    fn a_command_shows_its_words_quoted() {
        let c = Command::new("vpce-probe")
            .args(["check", "--target"])
            .arg("a;id;")
            .arg("");
        assert_eq!(c.to_string(), "vpce-probe check --target 'a;id;' ''");
        assert_eq!(c.words().len(), 5);
    }
}
