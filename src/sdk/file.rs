//! The shared AWS config file, as far as the endpoint settings need it:
//! `[default]` and `[profile NAME]` sections of `key = value` lines, and
//! `[services NAME]` sections whose keys open indented sub-sections
//! (`secrets_manager =` then `  endpoint_url = https://...`). Comments start
//! with `#` or `;`. Written here because the format is this small and the
//! crates that read it bring an SDK with them; every value keeps the line
//! it came from, which becomes the endpoint's `reason`.

use std::collections::BTreeMap;
use std::path::Path;

/// A value and where it came from (`PATH:LINE [section] key`).
type Sourced = (String, String);

/// One section: keys to values, and sub-section keys to their keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    values: BTreeMap<String, Sourced>,
    nested: BTreeMap<String, BTreeMap<String, Sourced>>,
}

impl Section {
    /// A top-level value with its source.
    pub fn get(&self, key: &str) -> Option<(&str, String)> {
        self.values
            .get(key)
            .map(|(v, source)| (v.as_str(), source.clone()))
    }
}

/// A `[services NAME]` section: the `endpoint_url` of each service key.
#[derive(Debug, Clone, Copy)]
pub struct Services<'a>(&'a Section);

impl<'a> Services<'a> {
    /// The `endpoint_url` under the service key (`secrets_manager`).
    pub fn get(self, service_key: &str) -> Option<(&'a str, String)> {
        self.0
            .nested
            .get(service_key)
            .and_then(|keys| keys.get("endpoint_url"))
            .map(|(v, source)| (v.as_str(), source.clone()))
    }
}

/// A parsed config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    sections: BTreeMap<String, Section>,
}

impl ConfigFile {
    /// Reads and parses `path`; the error says why, in words.
    pub fn read(path: &Path) -> Result<Self, String> {
        let bytes = crate::files::read_capped(path).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
        Ok(Self::parse(&text, &path.display().to_string()))
    }

    /// Parses `text`; `name` prefixes every value's source.
    pub fn parse(text: &str, name: &str) -> Self {
        let mut file = Self::default();
        let mut current: Option<String> = None;
        let mut open_key: Option<String> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            // A header may carry a comment after its bracket.
            let header = line
                .strip_prefix('[')
                .and_then(|l| l.split_once(']'))
                .filter(|(_, rest)| {
                    let rest = rest.trim();
                    rest.is_empty() || rest.starts_with(['#', ';'])
                })
                .map(|(header, _)| header);
            if let Some(header) = header {
                let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
                file.sections.entry(header.clone()).or_default();
                current = Some(header);
                open_key = None;
                continue;
            }
            let Some(section_name) = &current else {
                continue;
            };
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim().to_owned();
            let indented = raw.starts_with([' ', '\t']);
            let section = file.sections.entry(section_name.clone()).or_default();
            let source = |k: &str| format!("{name}:{} [{section_name}] {k}", n + 1);
            match (&open_key, indented) {
                (Some(parent), true) => {
                    let src = source(&format!("{parent}.{key}"));
                    section
                        .nested
                        .entry(parent.clone())
                        .or_default()
                        .insert(key, (value, src));
                }
                _ if value.is_empty() => {
                    section.nested.entry(key.clone()).or_default();
                    open_key = Some(key);
                }
                _ => {
                    let src = source(&key);
                    section.values.insert(key, (value, src));
                    open_key = None;
                }
            }
        }
        file
    }

    /// The profile `name`: `[default]` (or `[profile default]`), `[profile NAME]`.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.sections.get(&format!("profile {name}")).or_else(|| {
            (name == "default")
                .then(|| self.sections.get("default"))
                .flatten()
        })
    }

    /// The `[services NAME]` section.
    pub fn services(&self, name: &str) -> Option<Services<'_>> {
        self.sections
            .get(&format!("services {}", name.trim()))
            .map(Services)
    }
}
