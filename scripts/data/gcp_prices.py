#!/usr/bin/env python3
"""Generate pricing/gcp.csv from the Cyclenerd Google Cloud price file (Apache-2.0):
https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator `pricing.yml`.

Usage: gcp_prices.py pricing.yml > pricing/gcp.csv

Keeps the machine types, disks, buckets, Cloud NAT and IP prices the estimator uses, in the
regions listed below. Prices are copied as published; `month` (sustained-use discount included
where GCP applies it), `month_1y` and `month_3y` (committed-use) become their own purchase
options. Requires PyYAML.
"""
import csv
import sys

import yaml

COMMIT = "Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26f pricing.yml"
REGIONS = ["us-central1", "us-east1", "us-west1", "europe-west1", "europe-west2", "europe-west4",
           "asia-northeast1"]
MACHINES = [
    "e2-micro", "e2-small", "e2-medium", "e2-standard-2", "e2-standard-4", "e2-standard-8",
    "e2-standard-16", "e2-highmem-2", "e2-highmem-4", "e2-highcpu-2", "e2-highcpu-4",
    "n1-standard-1", "n1-standard-2", "n1-standard-4", "n1-standard-8", "n1-standard-16",
    "n2-standard-2", "n2-standard-4", "n2-standard-8", "n2-standard-16", "n2-highmem-2",
    "n2-highmem-4", "n2-highmem-8", "n2-highcpu-2", "n2-highcpu-4",
    "n2d-standard-2", "n2d-standard-4", "n2d-standard-8", "n2d-standard-16",
    "c3-standard-4", "c3-standard-8", "c3-standard-22", "c3-highmem-4", "c3-highcpu-4",
    "t2d-standard-1", "t2d-standard-2", "t2a-standard-1", "t2a-standard-2", "t2a-standard-4",
]
DISKS = {"hdd": "pd-standard", "balanced": "pd-balanced", "ssd": "pd-ssd", "extreme": "pd-extreme",
         "snapshot": "snapshot"}
BUCKETS = {"standard": "STANDARD", "nearline": "NEARLINE", "coldline": "COLDLINE",
           "archiv": "ARCHIVE"}


def main():
    data = yaml.safe_load(open(sys.argv[1]))
    stamp = data["about"]["generated"]  # e.g. "Thu Jul 30 06:13:17 2026"
    import datetime
    date = datetime.datetime.strptime(stamp, "%a %b %d %H:%M:%S %Y").date().isoformat()
    src = f"{COMMIT} (generated {date})"
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["provider", "region", "service", "sku", "unit", "price_usd", "purchase", "source",
                  "date"])

    def row(region, service, sku, unit, price, purchase="on_demand"):
        out.writerow(["gcp", region, service, sku, unit, repr(float(price)), purchase, src, date])

    instances = data["compute"]["instance"]
    for m in MACHINES:
        cost = instances.get(m, {}).get("cost", {})
        for r in REGIONS:
            c = cost.get(r)
            if not c:
                continue
            row(r, "Compute Engine", f"gce/{m}", "hour", c["hour"])
            for key, purchase, unit in [("month", "sud_month", "month"),
                                        ("month_1y", "commit_1y", "month"),
                                        ("month_3y", "commit_3y", "month"),
                                        ("hour_spot", "spot", "hour")]:
                if key in c:
                    row(r, "Compute Engine", f"gce/{m}", unit, c[key], purchase)
    for key, name in DISKS.items():
        cost = data["compute"]["storage"][key]["cost"]
        for r in REGIONS:
            if r in cost:
                row(r, "Compute Engine Storage", f"disk/{name}", "GB-month", cost[r]["month"])
    for key, name in BUCKETS.items():
        cost = data["storage"]["bucket"][key]["cost"]
        for r in REGIONS:
            if r in cost:
                row(r, "Cloud Storage", f"gcs/{name}", "GB-month", cost[r]["month"])
    net = data["compute"]["network"]
    for r in REGIONS:
        if r in net["nat"]["gateway"]["cost"]:
            row(r, "Cloud NAT", "nat/gateway", "hour", net["nat"]["gateway"]["cost"][r]["hour"])
        if r in net["nat"]["data"]["cost"]:
            row(r, "Cloud NAT", "nat/data", "GB", net["nat"]["data"]["cost"][r]["month"])
        if r in net["ip"]["unused"]["cost"]:
            row(r, "Networking", "ip/unused", "hour", net["ip"]["unused"]["cost"][r]["hour"])
        if r in net["ip"]["vm"]["cost"]:
            row(r, "Networking", "ip/in-use", "hour", net["ip"]["vm"]["cost"][r]["hour"])


if __name__ == "__main__":
    main()
