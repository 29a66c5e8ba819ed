"""Shared fixtures: repository paths, small blueprints, and the synthetic 1,000-resource blueprint
the criterion benches use (printed by `cargo run -p iac-dharma-bench --example
synthetic_blueprint`; scripts/test.d/40-python.sh writes it once and passes its path in
IAC_DHARMA_SYNTHETIC)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors"
EXAMPLES = ROOT / "examples" / "blueprints"

SMALL = """
name: web-app
version: v1.2.0
provider: aws
region: us-east-1
description: A VPC with one public subnet and a web server
tags: {Owner: platform, Environment: prod}
resources:
  - type: vpc
    name: main
    properties: {cidr_block: 10.0.0.0/16}
  - type: aws_subnet
    name: public_a
    properties: {vpc_id: "${main.id}", cidr_block: 10.0.1.0/24}
  - type: aws_instance
    name: web
    count: 2
    properties:
      ami: ami-0abc
      instance_type: t3.micro
      subnet_id: "${public_a.id}"
      root_block_device: {volume_size: 8, volume_type: gp3}
"""


@pytest.fixture
def small_text() -> str:
    return SMALL


def synthetic_path(n: int = 1000) -> Path:
    """The synthetic blueprint of ~n resources (generated with cargo when not given)."""
    given = os.environ.get("IAC_DHARMA_SYNTHETIC")
    if given and n == 1000:
        return Path(given)
    out = ROOT / ".cache" / "python" / f"synthetic-{n}.json"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        text = subprocess.run(
            ["cargo", "run", "-q", "-p", "iac-dharma-bench", "--example", "synthetic_blueprint", "--", str(n)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        out.write_text(text)
    return out


@pytest.fixture(scope="session")
def synthetic_text() -> str:
    return synthetic_path(1000).read_text()
