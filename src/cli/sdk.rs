//! The flags beside the endpoint settings the app's AWS SDK reads
//! (`AWS_ENDPOINT_URL*`, the shared config file, STS and FIPS settings);
//! [`crate::sdk`] reads the settings themselves, and its parsers read the
//! flags' values too ([`values::endpoint_url`], ...), so a flag and its
//! setting take the same values.

#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, read without markdown"
)]

use std::path::PathBuf;

use clap::Args;

use super::values;
use crate::sdk::{EndpointUrlFlag, StsRegionalEndpoints};

/// The app's SDK endpoint settings, as flags.
#[derive(Debug, Clone, Default, Args)]
pub struct SdkArgs {
    /// An endpoint URL the app's AWS SDK calls, [SERVICE=]https://HOST[:PORT], for one service or
    /// all; repeatable. Beside AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL and the shared
    /// config file, which are read as the SDKs read them.
    #[arg(
        long = "endpoint-url",
        value_name = "[SERVICE=]URL",
        value_delimiter = ',',
        value_parser = values::endpoint_url
    )]
    pub endpoint_urls: Vec<EndpointUrlFlag>,

    /// Ignore the endpoint URLs of the environment and config file, as
    /// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true does (--endpoint-url still applies).
    #[arg(
        long,
        env = "VPCE_PROBE_IGNORE_CONFIGURED_ENDPOINT_URLS",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub ignore_configured_endpoint_urls: bool,

    /// legacy or regional, as AWS_STS_REGIONAL_ENDPOINTS: legacy plans STS's global name
    /// sts.amazonaws.com where the SDKs keep it (AWS's endpoint rules).
    #[arg(
        long,
        env = "VPCE_PROBE_STS_REGIONAL_ENDPOINTS",
        value_name = "legacy|regional",
        value_parser = values::sts_regional_endpoints
    )]
    pub sts_regional_endpoints: Option<StsRegionalEndpoints>,

    /// Plan the FIPS names the app's SDK calls, as AWS_USE_FIPS_ENDPOINT=true does (AWS's
    /// endpoint rules, also where the region has no FIPS endpoint).
    #[arg(
        long,
        env = "VPCE_PROBE_USE_FIPS_ENDPOINT",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub use_fips_endpoint: bool,

    /// The shared AWS config file the app's SDK reads (default: AWS_CONFIG_FILE, then ~/.aws/config).
    #[arg(
        long,
        env = "VPCE_PROBE_AWS_CONFIG_FILE",
        value_name = "PATH",
        value_parser = values::file
    )]
    pub aws_config_file: Option<PathBuf>,

    /// The profile of that file (default: AWS_PROFILE, then default).
    #[arg(
        long,
        env = "VPCE_PROBE_AWS_PROFILE",
        value_name = "NAME",
        value_parser = values::profile
    )]
    pub aws_profile: Option<String>,
}
