#!/usr/bin/env python3
"""Writes data/aws-names.json: the hostnames the AWS SDKs call, from botocore.

Run by hand when botocore's data changes (see data/README.md):

    pip install botocore==1.44.8 && python3 data/generate-aws-names.py

botocore resolves endpoints offline from AWS's published data: the partitions
(partitions.json: each partition's regions, region pattern, DNS suffixes and
whether it has FIPS and dual-stack names), each service's endpoint rule set
(endpoint-rule-set-1.json) and the legacy endpoint table (endpoints.json,
which still lists the regions where a service has a FIPS endpoint). This
script asks botocore's rule engine, for every partition, every region it
lists, every service vpce-probe plans for the app's SDK and every setting,
which hostname the SDK calls, and writes the answers compactly: per service,
partition and setting, the name as a template (`{region}` for the region
code) that every region of the partition follows unless listed among the
exceptions. A region the data does not list yet follows its partition's
template, as the rule sets do. `null` means the SDK refuses to resolve a
name (a partition without FIPS, say).

The output is checked in: vpce-probe embeds it (src/aws/data.rs), and
tests/sdk-diff/run compares the plan with botocore's own resolution in CI.
"""

import collections
import json
import os
import sys

import botocore
from botocore.endpoint_provider import EndpointProvider
from botocore.loaders import create_loader

# vpce-probe's service -> (botocore client, key in endpoints.json).
SERVICES = {
    "ecr.api": ("ecr", "api.ecr"),
    "s3": ("s3", "s3"),
    "logs": ("logs", "logs"),
    "ssm": ("ssm", "ssm"),
    "secretsmanager": ("secretsmanager", "secretsmanager"),
    "kms": ("kms", "kms"),
    "sts": ("sts", "sts"),
    "ecs": ("ecs", "ecs"),
    "xray": ("xray", "xray"),
    "monitoring": ("cloudwatch", "monitoring"),
}

# The settings: (name, UseFIPS, UseDualStack, UseGlobalEndpoint).
# UseGlobalEndpoint is STS's `legacy` (AWS_STS_REGIONAL_ENDPOINTS); for S3
# it is AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=legacy, which vpce-probe does not
# model (the rule set's default, false, is planned).
SETTINGS = [
    ("default", False, False, False),
    ("fips", True, False, False),
    ("dualstack", False, True, False),
    ("fips_dualstack", True, True, False),
]
STS_LEGACY = [
    ("legacy", False, False, True),
    ("legacy_fips", True, False, True),
    ("legacy_dualstack", False, True, True),
    ("legacy_fips_dualstack", True, True, True),
]

# The S3 name planned: the bucket the Fargate agent pulls layers from.
BUCKET = "prod-{region}-starport-layer-bucket"


def resolve(provider, client, region, fips, dualstack, use_global):
    params = {"Region": region, "UseFIPS": fips, "UseDualStack": dualstack}
    if client == "s3":
        params.update(Bucket=BUCKET.format(region=region), UseGlobalEndpoint=False)
    if client == "sts":
        params["UseGlobalEndpoint"] = use_global
    try:
        url = provider.resolve_endpoint(**params).url
    except Exception:  # the rules' own error: no name in this setting
        return None
    host = url.split("://", 1)[1].split("/", 1)[0]
    return host


def compact(hosts):
    """{region: host} -> {template, except}: the commonest template wins."""
    templates = {
        region: (None if host is None else host.replace(region, "{region}"))
        for region, host in hosts.items()
    }
    counts = collections.Counter(templates.values())
    # The commonest; on a tie, the one of the first region in order.
    best = max(counts.values())
    template = next(t for r, t in sorted(templates.items()) if counts[t] == best)
    exceptions = {
        r: hosts[r] for r, t in sorted(templates.items()) if t != template
    }
    return {"template": template, "except": exceptions}


def main():
    loader = create_loader()
    partitions = loader.load_data("partitions")
    endpoints = loader.load_data("endpoints")
    out_partitions = []
    regions_of = {}
    for p in partitions["partitions"]:
        regions = sorted(r for r in p["regions"] if not r.endswith("-global"))
        regions_of[p["id"]] = regions
        o = p["outputs"]
        out_partitions.append(
            {
                "id": p["id"],
                "region_regex": p["regionRegex"],
                "regions": regions,
                "dns_suffix": o["dnsSuffix"],
                "dualstack_dns_suffix": o["dualStackDnsSuffix"],
                "supports_fips": o["supportsFIPS"],
                "supports_dualstack": o["supportsDualStack"],
            }
        )
    legacy_by_id = {p["partition"]: p for p in endpoints["partitions"]}
    out_services = []
    for name, (client, legacy_key) in SERVICES.items():
        rules = loader.load_service_model(client, "endpoint-rule-set-1")
        provider = EndpointProvider(rules, partitions)
        settings = SETTINGS + (STS_LEGACY if client == "sts" else [])
        names = {}
        fips_regions = {}
        for pid, regions in regions_of.items():
            names[pid] = {
                setting: compact(
                    {r: resolve(provider, client, r, f, d, g) for r in regions}
                )
                for setting, f, d, g in settings
            }
            listed = legacy_by_id[pid]["services"].get(legacy_key, {})
            fips_regions[pid] = sorted(
                r
                for r, e in listed.get("endpoints", {}).items()
                if r in regions
                and any(
                    v.get("tags") == ["fips"] for v in e.get("variants", [])
                )
            )
        out_services.append(
            {
                "service": name,
                "sdk_client": client,
                "names": names,
                "fips_regions": fips_regions,
            }
        )
    doc = {
        "generated_by": "data/generate-aws-names.py",
        "botocore": botocore.__version__,
        "partitions": out_partitions,
        "services": out_services,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws-names.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"wrote {path} from botocore {botocore.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
