//! The endpoint settings the app's AWS SDK reads, read the way the SDKs
//! read them (the AWS SDKs and Tools Reference Guide, "Service-specific
//! endpoints", "STS Regionalized endpoints", "Dual-stack and FIPS
//! endpoints"): `AWS_ENDPOINT_URL_<SERVICE_ID>`, `AWS_ENDPOINT_URL`,
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, `AWS_STS_REGIONAL_ENDPOINTS`,
//! `AWS_USE_FIPS_ENDPOINT`, and the same settings in the shared config
//! file's profile and its `services` section. The ECS platform never reads
//! them; the app's SDK does, so the plan probes both routes where they
//! differ. A flag beside each setting wins over it; the flags arrive parsed,
//! by the functions here that read the variables and the file too
//! ([`EndpointUrlFlag::parse`], [`StsRegionalEndpoints::parse`]).
//!
//! Precedence for one service's endpoint URL, first found wins: the flag for
//! the service, the flag for all; `AWS_ENDPOINT_URL_<SERVICE_ID>`;
//! `AWS_ENDPOINT_URL`; the `services` section of the profile;
//! the profile's `endpoint_url`. Ignoring configured URLs (the variable or
//! the profile's `ignore_configured_endpoint_urls`) drops all but the flags,
//! as code-level settings survive it in the SDKs.

use std::path::{Path, PathBuf};

use crate::catalog::Service;
use crate::names::{Host, Target};
use crate::printable::Untrusted;

mod file;
pub mod https_proxy;

pub use file::ConfigFile;

/// An endpoint URL the SDK would call, with where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    pub host: Host,
    pub port: u16,
    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER=https://...`, or the config file's
    /// path, section and key: the endpoint's `reason`. The environment's or
    /// the file's text (the URL's path is not read): [`Untrusted`].
    pub source: Untrusted,
}

/// The SDK settings of one run, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdkSettings {
    /// Per service, the URL configured for it alone or for every service.
    pub endpoint_urls: Vec<(Service, EndpointUrl)>,
    /// Where `legacy` was set, when the SDK would call the global STS name.
    pub sts_global: Option<String>,
    /// Where FIPS endpoints were asked for.
    pub fips: Option<String>,
    /// What the reading could not use (an unreadable config file the SDK
    /// would skip too).
    pub notes: Vec<String>,
}

impl SdkSettings {
    /// The URL the SDK would call for `service`, if one is configured.
    pub fn endpoint_url(&self, service: Service) -> Option<&EndpointUrl> {
        self.endpoint_urls
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, u)| u)
    }
}

/// A setting that does not parse: where it came from, its value, and what
/// was expected (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub source: String,
    pub value: String,
    pub why: String,
}

/// The flags beside the variables (`--endpoint-url`, ...), parsed at the
/// edge by the same functions as the variables.
#[derive(Debug, Clone, Default)]
pub struct Flags<'a> {
    /// The values of `--endpoint-url`.
    pub endpoint_urls: &'a [EndpointUrlFlag],
    pub ignore_configured: bool,
    pub sts_regional_endpoints: Option<StsRegionalEndpoints>,
    pub use_fips: bool,
    pub config_file: Option<&'a Path>,
    /// `--aws-profile`: not blank.
    pub profile: Option<&'a str>,
}

/// A value of `--endpoint-url`, `[SERVICE=]https://HOST[:PORT]`: the URL
/// for one service the SDK calls, or for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrlFlag {
    pub service: Option<Service>,
    pub url: EndpointUrl,
}

impl EndpointUrlFlag {
    /// Parses one value; the URL by [`parse_url`], as the variables' and
    /// the config file's URLs. A refusal shows the value without
    /// credentials.
    pub fn parse(value: &str) -> Result<Self, BadSetting> {
        let flag = "--endpoint-url";
        let refuse = |why: &str| bad(flag, &redacted(value), why);
        let source = format!("{flag} {value}");
        let (service, url) = match value.split_once('=') {
            Some((name, url)) if !name.contains("://") => {
                let service = Service::named(name.trim())
                    .copied()
                    .filter(|s| service_id(*s).is_some())
                    .ok_or_else(|| {
                        refuse(
                            "expected [SERVICE=]https://HOST[:PORT], SERVICE one the SDK calls \
                             (ecr.api, s3, logs, ssm, secretsmanager, kms, sts, ...)",
                        )
                    })?;
                (Some(service), url)
            }
            _ => (None, value),
        };
        let url = endpoint(source, url).map_err(|why| refuse(&why))?;
        Ok(Self { service, url })
    }
}

/// `AWS_STS_REGIONAL_ENDPOINTS`, the profile's `sts_regional_endpoints` and
/// `--sts-regional-endpoints`: `legacy` has the SDK call STS's global name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsRegionalEndpoints {
    Legacy,
    Regional,
}

impl StsRegionalEndpoints {
    /// `legacy` or `regional`, in any case, as the SDKs read it.
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        match value.trim().to_ascii_lowercase().as_str() {
            "legacy" => Ok(Self::Legacy),
            "regional" => Ok(Self::Regional),
            _ => Err("expected legacy or regional"),
        }
    }
}

/// The SDK's service ID as it appears in `AWS_ENDPOINT_URL_<ID>` (the
/// `services` section uses it lower-cased); `None` for what no SDK calls
/// (the registry API, the agent's own endpoints).
pub fn service_id(service: Service) -> Option<&'static str> {
    Some(match service {
        Service::EcrApi => "ECR",
        Service::S3 => "S3",
        Service::Logs => "CLOUDWATCH_LOGS",
        Service::Ssm => "SSM",
        Service::Ssmmessages => "SSMMESSAGES",
        Service::Ec2messages => "EC2MESSAGES",
        Service::Secretsmanager => "SECRETS_MANAGER",
        Service::Kms => "KMS",
        Service::Sts => "STS",
        Service::Ecs => "ECS",
        Service::Xray => "XRAY",
        Service::Monitoring => "CLOUDWATCH",
        Service::EcrDkr | Service::EcsAgent | Service::EcsTelemetry => return None,
    })
}

/// Parses an endpoint URL: `https://HOST[:PORT][/PATH]` (the path does not
/// change where the probe connects).
pub fn parse_url(url: &str) -> Result<(Host, u16), String> {
    let rest = url.trim().strip_prefix("https://").ok_or(
        "expected https://HOST[:PORT] (the probe checks TLS endpoints; an http:// URL is not one)",
    )?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("expected https://HOST[:PORT] without credentials".to_owned());
    }
    let target = Target::parse(authority).ok_or("expected https://HOST[:PORT]")?;
    Ok((target.host, target.port))
}

/// `true`/`false` in any case, empty as false, as the SDKs read their
/// boolean settings.
pub(crate) fn parse_bool(source: &str, value: &str) -> Result<bool, BadSetting> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "" | "false" => Ok(false),
        _ => Err(bad(source, value, "expected true or false")),
    }
}

fn bad(source: &str, value: &str, why: &str) -> BadSetting {
    BadSetting {
        source: source.to_owned(),
        value: value.to_owned(),
        why: why.to_owned(),
    }
}

/// Reads the settings: `flags` first, then `env`, then the shared config
/// file (`--aws-config-file`, `AWS_CONFIG_FILE`, or `~/.aws/config`) and
/// the profile (`--aws-profile`, `AWS_PROFILE`, or `default`).
pub fn settings(
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SdkSettings, BadSetting> {
    let mut out = SdkSettings::default();
    let file = config_file(flags, env, &mut out.notes)?;
    let profile_name = flags
        .profile
        .map(str::to_owned)
        .or_else(|| env("AWS_PROFILE").filter(|p| !p.trim().is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    let profile = file.as_ref().and_then(|f| f.profile(&profile_name));
    let from_profile = |key: &str| profile.and_then(|p| p.get(key));

    let ignore = flags.ignore_configured
        || match env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
            Some(v) => parse_bool("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", &v)?,
            None => match from_profile("ignore_configured_endpoint_urls") {
                Some((v, line)) => parse_bool(&line, v)?,
                None => false,
            },
        };

    out.endpoint_urls = endpoint_urls(flags, env, file.as_ref(), profile, ignore)?;

    let sts = if let Some(sts) = flags.sts_regional_endpoints {
        Some((sts, "--sts-regional-endpoints".to_owned()))
    } else {
        let setting = env("AWS_STS_REGIONAL_ENDPOINTS")
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, "AWS_STS_REGIONAL_ENDPOINTS".to_owned()))
            .or_else(|| from_profile("sts_regional_endpoints").map(|(v, l)| (v.to_owned(), l)));
        setting
            .map(|(value, source)| {
                let sts =
                    StsRegionalEndpoints::parse(&value).map_err(|why| bad(&source, &value, why))?;
                Ok((sts, source))
            })
            .transpose()?
    };
    if let Some((StsRegionalEndpoints::Legacy, source)) = sts {
        out.sts_global = Some(format!("{source}=legacy"));
    }

    let fips = if flags.use_fips {
        Some("--use-fips-endpoint".to_owned())
    } else if let Some(v) = env("AWS_USE_FIPS_ENDPOINT") {
        parse_bool("AWS_USE_FIPS_ENDPOINT", &v)?.then(|| "AWS_USE_FIPS_ENDPOINT=true".to_owned())
    } else {
        match from_profile("use_fips_endpoint") {
            Some((v, line)) => parse_bool(&line, v)?.then_some(line),
            None => None,
        }
    };
    out.fips = fips;
    Ok(out)
}

/// Per service, the endpoint URL the SDK would call, by the precedence in
/// the module's documentation.
fn endpoint_urls(
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&ConfigFile>,
    profile: Option<&file::Section>,
    ignore: bool,
) -> Result<Vec<(Service, EndpointUrl)>, BadSetting> {
    let from_profile = |key: &str| profile.and_then(|p| p.get(key));
    let mut out = Vec::new();
    // The flags: the first for the service, else the last for all.
    let flag_global = flags
        .endpoint_urls
        .iter()
        .rev()
        .find(|f| f.service.is_none())
        .map(|f| f.url.clone());
    let env_global = if ignore {
        None
    } else {
        env("AWS_ENDPOINT_URL")
            .filter(|v| !v.trim().is_empty())
            .map(|v| setting_url(format!("AWS_ENDPOINT_URL={v}"), &v, "AWS_ENDPOINT_URL"))
            .transpose()?
    };
    let profile_global = match from_profile("endpoint_url").filter(|_| !ignore) {
        Some((v, line)) => Some(setting_url(line.clone(), v, &line)?),
        None => None,
    };
    let services_section =
        from_profile("services").and_then(|(name, _)| file.and_then(|f| f.services(name)));

    for service in Service::ALL {
        let Some(id) = service_id(service) else {
            continue;
        };
        let variable = format!("AWS_ENDPOINT_URL_{id}");
        let from_flag = flags
            .endpoint_urls
            .iter()
            .find(|f| f.service == Some(service))
            .map(|f| f.url.clone())
            .or_else(|| flag_global.clone());
        let from_file = || -> Result<Option<EndpointUrl>, BadSetting> {
            let key = id.to_ascii_lowercase();
            match services_section.and_then(|s| s.get(&key)) {
                Some((v, line)) => Ok(Some(setting_url(line.clone(), v, &line)?)),
                None => Ok(profile_global.clone()),
            }
        };
        let chosen = match from_flag {
            Some(u) => Some(u),
            None if ignore => None,
            None => match env(&variable).filter(|v| !v.trim().is_empty()) {
                Some(v) => Some(setting_url(format!("{variable}={v}"), &v, &variable)?),
                None if env_global.is_some() => env_global.clone(),
                None => from_file()?,
            },
        };
        if let Some(url) = chosen {
            out.push((service, url));
        }
    }

    Ok(out)
}

/// One URL of a variable or the config file, with its source; a URL that
/// does not parse names `setting`.
fn setting_url(source: String, url: &str, setting: &str) -> Result<EndpointUrl, BadSetting> {
    endpoint(source, url).map_err(|why| bad(setting, &redacted(url), &why))
}

/// One URL with its source, wherever it was set: the one reading of
/// endpoint URLs.
fn endpoint(source: String, url: &str) -> Result<EndpointUrl, String> {
    let (host, port) = parse_url(url)?;
    Ok(EndpointUrl {
        host,
        port,
        source: source.into(),
    })
}

/// A value as it may be shown: a URL with credentials is refused, and
/// shown without them.
fn redacted(value: &str) -> String {
    match value.split_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://...@{after}"),
            None => format!("...@{after}"),
        },
        None => value.to_owned(),
    }
}

/// The shared config file: the flag's (which must be readable), else
/// `AWS_CONFIG_FILE`'s or `~/.aws/config` (skipped with a note when
/// unreadable, as the SDKs skip it).
fn config_file(
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    notes: &mut Vec<String>,
) -> Result<Option<ConfigFile>, BadSetting> {
    if let Some(path) = flags.config_file {
        return ConfigFile::read(path)
            .map(Some)
            .map_err(|why| bad("--aws-config-file", &path.display().to_string(), &why));
    }
    let (path, named) = match env("AWS_CONFIG_FILE").filter(|p| !p.trim().is_empty()) {
        Some(p) => (PathBuf::from(p), true),
        None => match env("HOME").filter(|h| !h.is_empty()) {
            Some(home) => (PathBuf::from(home).join(".aws").join("config"), false),
            None => return Ok(None),
        },
    };
    match ConfigFile::read(&path) {
        Ok(file) => Ok(Some(file)),
        Err(why) => {
            if named || path.exists() {
                notes.push(format!(
                    "the shared config file {} was not read ({why}); the SDK skips it too",
                    crate::printable::printable_path(&path)
                ));
            }
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests;
