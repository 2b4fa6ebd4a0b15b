//! Container image references, as the distribution reference grammar reads
//! them: which registry an image comes from. `redis:7` and `library/redis`
//! are Docker Hub (`registry-1.docker.io`); a first component with a dot or
//! a port, or `localhost`, is a registry host. A leaf module.

/// Where an image is pulled from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The host the runtime connects to (`registry-1.docker.io` for Docker Hub).
    pub host: String,
    /// An explicit port (`localhost:5000/app`); otherwise `--port` (443).
    pub port: Option<u16>,
}

/// The host Docker Hub images are pulled from.
pub const DOCKER_HUB: &str = "registry-1.docker.io";

/// The registry of an image reference; `None` for an empty or malformed one.
pub fn registry_of(image: &str) -> Option<Registry> {
    let image = image.trim();
    // The digest and tag belong to the last component; only the first matters.
    let name = image.split('@').next()?;
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return None;
    }
    let (first, rest) = match name.split_once('/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (name, None),
    };
    let is_host =
        rest.is_some() && (first.contains('.') || first.contains(':') || first == "localhost");
    if !is_host {
        return Some(Registry {
            host: DOCKER_HUB.to_owned(),
            port: None,
        });
    }
    let (host, port) = match first.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().ok().filter(|p| *p != 0)?)),
        None => (first, None),
    };
    let host = host.to_ascii_lowercase();
    let host = if host == "docker.io" || host == "index.docker.io" {
        DOCKER_HUB.to_owned()
    } else {
        host
    };
    Some(Registry { host, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_of_image_references() {
        type Want = Option<(&'static str, Option<u16>)>;
        let cases: [(&str, Want); 13] = [
            ("redis:7", Some((DOCKER_HUB, None))),
            ("redis", Some((DOCKER_HUB, None))),
            ("library/redis", Some((DOCKER_HUB, None))),
            ("bitnami/redis:7.2", Some((DOCKER_HUB, None))),
            ("docker.io/library/redis:7", Some((DOCKER_HUB, None))),
            ("index.docker.io/library/redis", Some((DOCKER_HUB, None))),
            (
                "public.ecr.aws/nginx/nginx:latest",
                Some(("public.ecr.aws", None)),
            ),
            (
                "ghcr.io/owner/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                Some(("ghcr.io", None)),
            ),
            (
                "quay.io/prometheus/node-exporter:v1.8.0",
                Some(("quay.io", None)),
            ),
            ("localhost:5000/app", Some(("localhost", Some(5000)))),
            (
                "registry.example.com:8443/team/app:1",
                Some(("registry.example.com", Some(8443))),
            ),
            ("", None),
            ("bad host/app", None),
        ];
        for (image, want) in cases {
            let got = registry_of(image).map(|r| (r.host, r.port));
            assert_eq!(got, want.map(|(h, p)| (h.to_owned(), p)), "{image}");
        }
    }
}
