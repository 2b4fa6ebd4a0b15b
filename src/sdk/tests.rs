use std::collections::HashMap;
use std::path::Path;

use super::*;

const FILE: &str = "\
# the app's profile
[default]
region = us-east-1
endpoint_url = https://profile-global.example
services = vpce

[profile ops] # the operators' profile
services = ops
sts_regional_endpoints = legacy
use_fips_endpoint = true

[profile ignoring]
ignore_configured_endpoint_urls = true
endpoint_url = https://ignored.example

[services vpce]
secrets_manager =
  endpoint_url = https://vpce-0abc-xyz.secretsmanager.us-east-1.vpce.amazonaws.com
cloudwatch_logs =
  endpoint_url = https://logs-file.example:8443/path
; a comment
[services ops]
ssm =
  endpoint_url = https://ssm-ops.example
";

fn with_file(vars: &[(&str, &str)]) -> (tempfile::TempDir, HashMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, FILE).unwrap();
    let mut env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    env.insert("AWS_CONFIG_FILE".into(), path.display().to_string());
    (dir, env)
}

fn read(flags: &Flags<'_>, env: &HashMap<String, String>) -> Result<SdkSettings, BadSetting> {
    settings(flags, &|k| env.get(k).cloned())
}

fn flag(value: &str) -> EndpointUrlFlag {
    EndpointUrlFlag::parse(value).unwrap()
}

fn host_of(s: &SdkSettings, service: Service) -> Option<String> {
    s.endpoint_url(service).map(|u| u.host.to_string())
}

#[test]
fn precedence_follows_the_sdks() {
    // File only: the services section for two services, the profile's
    // endpoint_url for every other.
    let (_dir, env) = with_file(&[]);
    let s = read(&Flags::default(), &env).unwrap();
    assert_eq!(
        host_of(&s, Service::Secretsmanager).as_deref(),
        Some("vpce-0abc-xyz.secretsmanager.us-east-1.vpce.amazonaws.com")
    );
    let logs = s.endpoint_url(Service::Logs).unwrap();
    assert_eq!(
        (logs.host.to_string().as_str(), logs.port),
        ("logs-file.example", 8443)
    );
    assert!(
        logs.source
            .raw()
            .ends_with("[services vpce] cloudwatch_logs.endpoint_url"),
        "{}",
        logs.source
    );
    assert_eq!(
        host_of(&s, Service::Kms).as_deref(),
        Some("profile-global.example")
    );
    assert_eq!(
        host_of(&s, Service::EcrDkr),
        None,
        "no SDK calls the registry API"
    );

    // AWS_ENDPOINT_URL beats the file's services section...
    let (_dir, env) = with_file(&[("AWS_ENDPOINT_URL", "https://env-global.example")]);
    let s = read(&Flags::default(), &env).unwrap();
    assert_eq!(
        host_of(&s, Service::Secretsmanager).as_deref(),
        Some("env-global.example")
    );
    // ...and AWS_ENDPOINT_URL_<ID> beats AWS_ENDPOINT_URL.
    let (_dir, env) = with_file(&[
        ("AWS_ENDPOINT_URL", "https://env-global.example"),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://env-sm.example"),
    ]);
    let s = read(&Flags::default(), &env).unwrap();
    let sm = s.endpoint_url(Service::Secretsmanager).unwrap();
    assert_eq!(sm.host.to_string(), "env-sm.example");
    assert_eq!(
        sm.source,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER=https://env-sm.example"
    );
    assert_eq!(
        host_of(&s, Service::Ssm).as_deref(),
        Some("env-global.example")
    );

    // The flags beat them all.
    let urls = [flag("secretsmanager=https://flag-sm.example")];
    let flags = Flags {
        endpoint_urls: &urls,
        ..Flags::default()
    };
    let s = read(&flags, &env).unwrap();
    assert_eq!(
        host_of(&s, Service::Secretsmanager).as_deref(),
        Some("flag-sm.example")
    );
    assert_eq!(
        host_of(&s, Service::Ssm).as_deref(),
        Some("env-global.example")
    );
}

#[test]
fn ignoring_configured_urls_keeps_only_the_flags() {
    let (_dir, env) = with_file(&[
        ("AWS_ENDPOINT_URL", "https://env-global.example"),
        ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
    ]);
    assert!(
        read(&Flags::default(), &env)
            .unwrap()
            .endpoint_urls
            .is_empty()
    );
    let urls = [flag("https://flag-all.example")];
    let flags = Flags {
        endpoint_urls: &urls,
        ..Flags::default()
    };
    let s = read(&flags, &env).unwrap();
    assert_eq!(
        host_of(&s, Service::Logs).as_deref(),
        Some("flag-all.example")
    );
    // The profile's own ignore setting.
    let (_dir, env) = with_file(&[("AWS_PROFILE", "ignoring")]);
    assert!(
        read(&Flags::default(), &env)
            .unwrap()
            .endpoint_urls
            .is_empty()
    );
}

#[test]
fn profiles_sts_and_fips() {
    let (_dir, env) = with_file(&[("AWS_PROFILE", "ops")]);
    let s = read(&Flags::default(), &env).unwrap();
    assert_eq!(
        host_of(&s, Service::Ssm).as_deref(),
        Some("ssm-ops.example")
    );
    assert_eq!(host_of(&s, Service::Logs), None);
    assert!(
        s.sts_global
            .as_deref()
            .unwrap()
            .ends_with("[profile ops] sts_regional_endpoints=legacy")
    );
    assert!(
        s.fips
            .as_deref()
            .unwrap()
            .ends_with("[profile ops] use_fips_endpoint")
    );
    // The variable beats the file.
    let (_dir, env) = with_file(&[
        ("AWS_PROFILE", "ops"),
        ("AWS_STS_REGIONAL_ENDPOINTS", "regional"),
        ("AWS_USE_FIPS_ENDPOINT", "false"),
    ]);
    let s = read(&Flags::default(), &env).unwrap();
    assert_eq!((s.sts_global, s.fips), (None, None));
}

#[test]
fn bad_settings_name_their_source() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("AWS_ENDPOINT_URL_SECRETS_MANAGER", "vpce-1.example")],
            "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        ),
        (
            &[("AWS_ENDPOINT_URL", "http://localhost:4566")],
            "AWS_ENDPOINT_URL",
        ),
        (
            &[("AWS_STS_REGIONAL_ENDPOINTS", "global")],
            "AWS_STS_REGIONAL_ENDPOINTS",
        ),
        (&[("AWS_USE_FIPS_ENDPOINT", "yes")], "AWS_USE_FIPS_ENDPOINT"),
        (
            &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "1")],
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ),
    ];
    for (vars, source) in cases {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let err = read(&Flags::default(), &env).unwrap_err();
        assert_eq!(err.source, source);
    }
    // An unreadable file named by the flag is an error; by the variable, a note.
    let flags = Flags {
        config_file: Some(Path::new("/nonexistent/config")),
        ..Flags::default()
    };
    assert_eq!(
        read(&flags, &HashMap::new()).unwrap_err().source,
        "--aws-config-file"
    );
    let env = HashMap::from([(
        "AWS_CONFIG_FILE".to_owned(),
        "/nonexistent/config".to_owned(),
    )]);
    let s = read(&Flags::default(), &env).unwrap();
    assert!(s.notes[0].contains("/nonexistent/config"), "{:?}", s.notes);
}

#[test]
fn flag_values_are_read_by_the_same_rules() {
    let f = flag(" s3 = https://s3-vpce.example:8443/x");
    assert_eq!(f.service, Some(Service::S3));
    assert_eq!(
        (f.url.host.to_string().as_str(), f.url.port),
        ("s3-vpce.example", 8443)
    );
    assert_eq!(
        f.url.source,
        "--endpoint-url  s3 = https://s3-vpce.example:8443/x"
    );
    let f = flag("https://all.example/?a=b");
    assert_eq!(
        (f.service, f.url.host.to_string().as_str()),
        (None, "all.example")
    );
    for (value, shown, why) in [
        (
            "nosuch=https://u:p@x.example",
            "nosuch=https://...@x.example",
            "expected [SERVICE=]",
        ),
        (
            "ecr.dkr=https://x.example",
            "ecr.dkr=https://x.example",
            "expected [SERVICE=]",
        ),
        (
            "s3=https://u:p@x.example",
            "s3=https://...@x.example",
            "expected https://HOST[:PORT] without",
        ),
        (
            "s3=http://x.example",
            "s3=http://x.example",
            "expected https://HOST[:PORT] (the probe",
        ),
        ("", "", "expected https://"),
    ] {
        let err = EndpointUrlFlag::parse(value).unwrap_err();
        assert_eq!(
            (err.source.as_str(), err.value.as_str()),
            ("--endpoint-url", shown)
        );
        assert!(err.why.starts_with(why), "{value}: {err:?}");
    }
    assert_eq!(
        StsRegionalEndpoints::parse(" LEGACY "),
        Ok(StsRegionalEndpoints::Legacy)
    );
    assert!(StsRegionalEndpoints::parse("").is_err());
}

#[test]
fn urls_keep_host_and_port() {
    for (url, host, port) in [
        ("https://vpce-1.example", "vpce-1.example", 443),
        ("https://vpce-1.example:8443/", "vpce-1.example", 8443),
        ("https://[2600:1f18::5]:443/x?y=z", "2600:1f18::5", 443),
    ] {
        let (h, p) = parse_url(url).unwrap();
        assert_eq!((h.to_string().as_str(), p), (host, port), "{url}");
    }
    for url in [
        "vpce.example",
        "http://x.example",
        "https://u:p@x.example",
        "https://",
    ] {
        assert!(parse_url(url).is_err(), "{url}");
    }
}
