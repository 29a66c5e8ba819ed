#!/usr/bin/env python3
"""Writes the injection corpus (issue 11): one blueprint per provider (<provider>.yaml) holding
every hostile string of HOSTILE in each place a user string can reach generated code (property
values, tag keys and values, resource and blueprint descriptions, variable defaults and
descriptions, output values and descriptions), and one `generate` case per format of the provider
(<provider>-<format>.json) for every runner. The blueprints are YAML so the vector runners, which
read every *.json here as a case, do not take them for cases.

Each hostile string carries a `pwned_*` canary: core/tests/injection_corpus.rs parses every
generated JSON/YAML/HCL file back with a real parser and fails if a canary reaches anything but
literal text, and tests/toolchecks/injection/ts_strings.mjs does the same for TypeScript with the
TypeScript compiler's own parser. The variable defaults h0..hN (plain values, never templates)
are the list of literals those checks expect back. Run this file after editing HOSTILE."""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

HOSTILE = [
    # the control: benign text placed exactly like the others (the checks count its places)
    "benign control text",
    # HCL / Terraform JSON / Pulumi YAML / CloudFormation Fn::Sub interpolation
    "${pwned_interp}",
    "x ${pwned_interp2()} y $${already_escaped}",
    # markers right after a `$`/`%`, once an earlier marker was escaped (hcl-rs 0.20 missed them)
    "${a} %${pwned_pct} $${b}",
    "${a} $%{ if pwned_dir2 }y$%{ endif }",
    # HCL template directives
    "%{ if pwned_directive }yes%{ endif }",
    "%{for pwned_for in [1]}${pwned_for}%{endfor}",
    # heredoc terminators and a block breakout of an HCL string or `#` comment
    "EOT\n}\nresource \"null_resource\" \"pwned_heredoc\" {}\n<<EOT",
    "a\nEOF\n  pwned_eof = 1\n<<-EOF\nb",
    "\"\n  pwned_quote = \"1",
    "x\n# comment\npwned_newline = true\n",
    # JSON / YAML control characters, quotes and separators
    "a\u0001b\u001f\u007f\t\r\n\u2028\u2029\"\\ end\\",
    "'; pwned_single: 1 #",
    ": pwned_yaml\n- &anchor !!python/object:os.system pwned\n---\n...\n*anchor",
    "!Ref pwned_tag",
    "@pwned `backtick` |\n> folded",
    # CloudFormation intrinsic-function lookalikes
    "{\"Fn::Sub\": \"${pwned_sub}\"}",
    "{\"Ref\": \"pwned_ref\"} {\"Fn::GetAtt\": [\"pwned_getatt\", \"Arn\"]}",
    "${!pwned_bang} ${AWS::pwned_pseudo}",
    # ARM template expressions
    "[concat('pwned_arm', parameters('x'))]",
    "[pwned_arm_call()]",
    "[[pwned_already_escaped]",
    "[ pwned_spaced ]",
    # TypeScript: template literals, comment closers, quote breakouts
    "`${pwned_tpl()}`",
    "*/ pwned_comment(); /*",
    "'); pwned_sq(); ('",
    "\"); pwned_dq(); (\"",
    "\\'); pwned_bs(); //",
    "</script><!-- pwned_html --> \u2028pwned_ls\u2029",
    # Pulumi YAML built-in function lookalikes
    "{\"fn::invoke\": {\"function\": \"pwned:fn\"}}",
    # unicode
    "é 日本 😀 \u202epwned_rtl",
]


def template(s):
    """A literal text written as a blueprint template (`$${` is a literal `${`)."""
    return s.replace("${", "$${")


# Per provider: (region, formats, a resource type whose properties take free text, a function
# giving its properties for hostile string i, whether tag keys and values may be free text).
PROVIDERS = {
    "aws": ("us-east-1",
            ["terraform", "terraform-json", "cloudformation", "cloudformation-yaml", "pulumi-yaml",
             "pulumi-ts", "cdk-ts"],
            "aws_sns_topic",
            lambda i, s: {"name": f"topic-{i}", "display_name": template(s),
                          "tags": {s: template(s)}}),
    "azure": ("westeurope",
              ["terraform", "terraform-json", "arm", "pulumi-yaml", "pulumi-ts"],
              "azurerm_key_vault_secret",
              lambda i, s: {"name": f"secret-{i}",
                            "key_vault_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
                            "value": template(s), "content_type": template(s),
                            "tags": {s: template(s)}}),
    "gcp": ("europe-west1",
            ["terraform", "terraform-json", "pulumi-yaml", "pulumi-ts"],
            "google_compute_network",
            lambda i, s: {"name": f"net-{i}", "description": template(s),
                          "auto_create_subnetworks": False}),
}

FILES = {
    "terraform": ["main.tf", "outputs.tf", "providers.tf", "variables.tf"],
    "terraform-json": ["main.tf.json"],
    "cloudformation": ["template.json"],
    "cloudformation-yaml": ["template.yaml"],
    "arm": ["azuredeploy.json"],
    "pulumi-yaml": ["Pulumi.yaml"],
    "pulumi-ts": ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"],
    "cdk-ts": ["bin/app.ts", "cdk.json", "lib/stack.ts", "package.json", "tsconfig.json"],
}

for provider, (region, formats, rtype, props) in PROVIDERS.items():
    bp = {
        "name": "injection",
        "version": "1.0.0",
        "provider": provider,
        "region": region,
        "description": " | ".join(HOSTILE),
        "variables": [{"name": f"h{i}", "type": "string", "default": s, "description": s}
                      for i, s in enumerate(HOSTILE)],
        "outputs": [{"name": f"o{i}", "value": template(s), "description": s}
                    for i, s in enumerate(HOSTILE)]
        + [{"name": "mixed", "value": template("${pwned_interp} [pwned_arm()] ")
                                        + "${r0.id}"
                                        + template(" ${!pwned_bang} %{pwned} `${pwned}`")}],
        "resources": [{"type": rtype, "name": f"r{i}", "description": s, "properties": props(i, s)}
                      for i, s in enumerate(HOSTILE)],
    }
    with open(os.path.join(HERE, f"{provider}.yaml"), "w") as f:
        f.write("# Generated by make_cases.py (the injection corpus); edit HOSTILE there.\n")
        # JSON is YAML: every string double-quoted with escapes, nothing for a YAML reader to
        # reinterpret. Characters outside ASCII are escaped too, astral ones as YAML's \U
        # (YAML has no surrogate pairs).
        text = json.dumps(bp, indent=2, ensure_ascii=True)
        text = re.sub(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})",
                      lambda m: "\\U%08x" % (0x10000 + ((int(m[1], 16) - 0xd800) << 10)
                                              + (int(m[2], 16) - 0xdc00)), text)
        f.write(text + "\n")
    for fmt in formats:
        case = {
            "description": f"Hostile strings (interpolations, directives, heredoc terminators, "
                           f"control characters, CloudFormation/ARM/Pulumi expression lookalikes, "
                           f"TypeScript comment closers and template literals) in every user-text "
                           f"place of a {provider} blueprint generate as {fmt} without error; "
                           f"core/tests/injection_corpus.rs and scripts/test.d/21-injection.sh "
                           f"parse the output back and check that each is inert literal text",
            "call": "generate",
            "blueprint_file": f"tests/vectors/injection/{provider}.yaml",
            "args": {"format": fmt},
            "expect": {"result": {"files": FILES[fmt]}},
        }
        with open(os.path.join(HERE, f"{provider}-{fmt}.json"), "w") as f:
            json.dump(case, f, indent=2, ensure_ascii=False)
            f.write("\n")
