#!/usr/bin/env python3
"""Gather the facts behind catalog/<provider>.yaml from offline sources, and check the catalog against them.

The catalog's `attributes` and (for AWS) `force_new` lists are curated by hand; this script shows the
raw material and flags drift. It is a maintenance tool: nothing in the build or at run time uses it.

Sources (none is vendored in this repository):

* The cdktf provider bindings from npm, the same packages the argument schemas came from
  (`@cdktf/provider-aws@21.22.1`, `@cdktf/provider-azurerm@14.23.1`, `@cdktf/provider-google@16.12.1`),
  unpacked under CDKTF_DIR as `aws/`, `azurerm/`, `google/` (e.g. `npm pack NAME@VERSION` then
  `tar xzf FILE -C CDKTF_DIR/aws`). In each resource class a getter without a setter (and without a
  `put...` method) reads an attribute the provider computes: that is a computed-only attribute.
* The CloudFormation registry schemas bundled in cfn-lint 1.58.0, as a JSON map
  `{cfn_type: {"createOnly": [...], "readOnly": [...], ...}}` (CFN_SCHEMAS). A `createOnly` property
  cannot change without replacing the resource; mapped to Terraform argument names it is the starting
  point of an AWS type's `force_new` list.

Usage:
    catalog_facts.py attrs PROVIDER TYPE...   computed-only attributes of Terraform types (aws|azure|gcp)
    catalog_facts.py cfn TYPE...              AWS: CloudFormation createOnly properties as TF arguments
    catalog_facts.py check                    compare every catalog type's `attributes` with the bindings

Environment: CDKTF_DIR (default /tmp/npmpk), CFN_SCHEMAS (default
/work/shared/schemas/cloudformation-us-east-1.json.gz).
"""
import glob
import gzip
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDKTF_DIR = Path(os.environ.get("CDKTF_DIR", "/tmp/npmpk"))
CFN_SCHEMAS = Path(os.environ.get("CFN_SCHEMAS", "/work/shared/schemas/cloudformation-us-east-1.json.gz"))
PACKAGE = {"aws": "aws", "azure": "azurerm", "gcp": "google"}
SCHEMA = {"aws": "terraform-aws", "azure": "terraform-azurerm", "gcp": "terraform-google"}

# Terraform type -> CloudFormation type, for the AWS types in the catalog.
CFN_TYPE = {
    "aws_vpc": "AWS::EC2::VPC", "aws_subnet": "AWS::EC2::Subnet",
    "aws_internet_gateway": "AWS::EC2::InternetGateway", "aws_nat_gateway": "AWS::EC2::NatGateway",
    "aws_eip": "AWS::EC2::EIP", "aws_route_table": "AWS::EC2::RouteTable", "aws_route": "AWS::EC2::Route",
    "aws_route_table_association": "AWS::EC2::SubnetRouteTableAssociation",
    "aws_security_group": "AWS::EC2::SecurityGroup",
    "aws_vpc_security_group_ingress_rule": "AWS::EC2::SecurityGroupIngress",
    "aws_vpc_security_group_egress_rule": "AWS::EC2::SecurityGroupEgress",
    "aws_instance": "AWS::EC2::Instance", "aws_ebs_volume": "AWS::EC2::Volume",
    "aws_volume_attachment": "AWS::EC2::VolumeAttachment", "aws_launch_template": "AWS::EC2::LaunchTemplate",
    "aws_autoscaling_group": "AWS::AutoScaling::AutoScalingGroup", "aws_flow_log": "AWS::EC2::FlowLog",
    "aws_s3_bucket": "AWS::S3::Bucket", "aws_s3_bucket_policy": "AWS::S3::BucketPolicy",
    "aws_db_instance": "AWS::RDS::DBInstance", "aws_db_subnet_group": "AWS::RDS::DBSubnetGroup",
    "aws_rds_cluster": "AWS::RDS::DBCluster", "aws_rds_cluster_instance": "AWS::RDS::DBInstance",
    "aws_elasticache_replication_group": "AWS::ElastiCache::ReplicationGroup",
    "aws_elasticache_subnet_group": "AWS::ElastiCache::SubnetGroup",
    "aws_lb": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws_lb_target_group": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws_lb_listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws_eks_cluster": "AWS::EKS::Cluster", "aws_eks_node_group": "AWS::EKS::Nodegroup",
    "aws_lambda_function": "AWS::Lambda::Function", "aws_sqs_queue": "AWS::SQS::Queue",
    "aws_sns_topic": "AWS::SNS::Topic", "aws_sns_topic_subscription": "AWS::SNS::Subscription",
    "aws_dynamodb_table": "AWS::DynamoDB::Table", "aws_route53_zone": "AWS::Route53::HostedZone",
    "aws_route53_record": "AWS::Route53::RecordSet", "aws_iam_role": "AWS::IAM::Role",
    "aws_iam_policy": "AWS::IAM::ManagedPolicy", "aws_iam_instance_profile": "AWS::IAM::InstanceProfile",
    "aws_kms_key": "AWS::KMS::Key", "aws_kms_alias": "AWS::KMS::Alias",
    "aws_ecr_repository": "AWS::ECR::Repository", "aws_cloudwatch_log_group": "AWS::Logs::LogGroup",
    "aws_cloudtrail": "AWS::CloudTrail::Trail", "aws_apigatewayv2_api": "AWS::ApiGatewayV2::Api",
    "aws_apigatewayv2_stage": "AWS::ApiGatewayV2::Stage",
    "aws_cloudfront_distribution": "AWS::CloudFront::Distribution",
    "aws_secretsmanager_secret": "AWS::SecretsManager::Secret",
    "aws_acm_certificate": "AWS::CertificateManager::Certificate",
    "aws_efs_file_system": "AWS::EFS::FileSystem", "aws_ecs_cluster": "AWS::ECS::Cluster",
    "aws_ecs_service": "AWS::ECS::Service", "aws_cloudwatch_metric_alarm": "AWS::CloudWatch::Alarm",
    "aws_wafv2_web_acl": "AWS::WAFv2::WebACL",
}

# CloudFormation property names whose Terraform argument is not their snake_case spelling.
# Keyed by CFN type; "*" applies to every type.
RENAME = {
    "*": {"Name": "name"},
    "AWS::EC2::Instance": {"ImageId": "ami", "PrivateIpAddress": "private_ip",
                           "PlacementGroupName": "placement_group", "NetworkInterfaces": "network_interface",
                           "CpuOptions": "cpu_options", "HibernationOptions": "hibernation"},
    "AWS::EC2::NatGateway": {"PrivateIpAddress": "private_ip"},
    "AWS::EC2::SecurityGroup": {"GroupName": "name", "GroupDescription": "description"},
    "AWS::EC2::SecurityGroupIngress": {"GroupId": "security_group_id", "IpProtocol": "ip_protocol",
                                       "CidrIp": "cidr_ipv4", "CidrIpv6": "cidr_ipv6",
                                       "SourceSecurityGroupId": "referenced_security_group_id",
                                       "SourcePrefixListId": "prefix_list_id"},
    "AWS::EC2::SecurityGroupEgress": {"GroupId": "security_group_id", "CidrIp": "cidr_ipv4",
                                      "CidrIpv6": "cidr_ipv6",
                                      "DestinationSecurityGroupId": "referenced_security_group_id",
                                      "DestinationPrefixListId": "prefix_list_id"},
    "AWS::EC2::VolumeAttachment": {"Device": "device_name"},
    "AWS::EC2::LaunchTemplate": {"LaunchTemplateName": "name"},
    "AWS::EC2::FlowLog": {"DeliverLogsPermissionArn": "iam_role_arn", "LogGroupName": "log_group_name"},
    "AWS::AutoScaling::AutoScalingGroup": {"AutoScalingGroupName": "name"},
    "AWS::S3::Bucket": {"BucketName": "bucket", "BucketNamePrefix": "bucket_prefix"},
    "AWS::RDS::DBInstance": {"DBInstanceIdentifier": "identifier", "MasterUsername": "username",
                             "DBName": "db_name", "DBClusterIdentifier": "cluster_identifier",
                             "CharacterSetName": "character_set_name",
                             "CustomIAMInstanceProfile": "custom_iam_instance_profile"},
    "AWS::RDS::DBSubnetGroup": {"DBSubnetGroupName": "name"},
    "AWS::RDS::DBCluster": {"DBClusterIdentifier": "cluster_identifier", "DatabaseName": "database_name",
                            "SnapshotIdentifier": "snapshot_identifier"},
    "AWS::ElastiCache::ReplicationGroup": {"AtRestEncryptionEnabled": "at_rest_encryption_enabled",
                                           "PreferredCacheClusterAZs": "preferred_cache_cluster_azs"},
    "AWS::ElastiCache::SubnetGroup": {"CacheSubnetGroupName": "name"},
    "AWS::EKS::Cluster": {"RoleArn": "role_arn", "EncryptionConfig": "encryption_config"},
    "AWS::EKS::Nodegroup": {"NodegroupName": "node_group_name", "NodeRole": "node_role_arn",
                            "Subnets": "subnet_ids"},
    "AWS::SQS::Queue": {"QueueName": "name"},
    "AWS::SNS::Topic": {"TopicName": "name"},
    "AWS::DynamoDB::Table": {"TableName": "name"},
    "AWS::Route53::HostedZone": {"DelegationSetId": "delegation_set_id"},
    "AWS::Route53::RecordSet": {"HostedZoneId": "zone_id"},
    "AWS::IAM::Role": {"RoleName": "name"},
    "AWS::IAM::ManagedPolicy": {"ManagedPolicyName": "name"},
    "AWS::IAM::InstanceProfile": {"InstanceProfileName": "name"},
    "AWS::KMS::Alias": {"AliasName": "name"},
    "AWS::ECR::Repository": {"RepositoryName": "name"},
    "AWS::Logs::LogGroup": {"LogGroupName": "name"},
    "AWS::CloudTrail::Trail": {"TrailName": "name"},
    "AWS::Lambda::Function": {"FunctionName": "function_name"},
    "AWS::ApiGatewayV2::Stage": {"StageName": "name"},
    "AWS::ECS::Cluster": {"ClusterName": "name"},
    "AWS::ECS::Service": {"ServiceName": "name", "Role": "iam_role"},
    "AWS::CloudWatch::Alarm": {"AlarmName": "alarm_name"},
}


def snake(name):
    """CamelCase -> snake_case, keeping acronyms together (DBSubnetGroupName -> db_subnet_group_name)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def schema_arguments(provider):
    """Top-level argument names of every type in catalog/schemas/<provider>.schema."""
    types, current = {}, None
    for line in open(ROOT / "catalog" / "schemas" / f"{SCHEMA[provider]}.schema"):
        if line.startswith("@"):
            current = line[1:].strip()
            types[current] = set()
        elif line.startswith(" ") and not line.startswith("  ") and current:
            types[current].add(line.split()[0])
    return types


_classes = {}


def binding_classes(provider):
    """Terraform type -> (file, class name) of the resource classes in the cdktf package."""
    if provider not in _classes:
        found = {}
        for path in glob.glob(str(CDKTF_DIR / PACKAGE[provider] / "package" / "lib" / "*" / "index.js")):
            text = open(path).read()
            for m in re.finditer(r'^(\w+)\.tfResourceType = "(\w+)";', text, re.M):
                if f"class {m.group(1)} extends cdktf.TerraformResource" in text:
                    found[m.group(2)] = (path, m.group(1))
        _classes[provider] = found
    return _classes[provider]


def computed_attributes(provider, tf_type):
    """Attributes of tf_type that a configuration cannot set (getter, no setter, no put method)."""
    path, cls = binding_classes(provider)[tf_type]
    text = open(path).read()
    start = text.index(f"class {cls} extends cdktf.TerraformResource")
    body = text[start:text.index(f"{cls}.tfResourceType", start)]
    getters = dict(re.findall(r"^    get (\w+)\(\) \{\n(.*?)\n    \}", body, re.M | re.S))
    settable = set(re.findall(r"^    set (\w+)\(", body, re.M))
    settable |= {m[0].lower() + m[1:] for m in re.findall(r"^    put(\w+)\(", body, re.M)}
    fields = dict(re.findall(r'this\._(\w+) = new [\w.]+\(this, "(\w+)"', body))
    out = []
    for getter, code in getters.items():
        if getter.endswith("Input") or getter in settable:
            continue
        m = re.search(r"get\w*Attribute\('(\w+)'\)", code)
        if m:
            out.append(m.group(1))
            continue
        m = re.search(r"this\._(\w+)", code)
        out.append(fields.get(m.group(1), "?" + getter) if m else "?" + getter)
    return sorted(out)


def cfn_force_new(tf_type, arguments, cfn):
    """(kept, dropped): CFN createOnly properties of tf_type's CFN type, as TF argument names."""
    cfn_type = CFN_TYPE[tf_type]
    renames = {**RENAME["*"], **RENAME.get(cfn_type, {})}
    kept, dropped = [], []
    for prop in cfn[cfn_type]["createOnly"]:
        if "/" in prop:  # a nested property: Terraform splits these into blocks differently
            dropped.append(prop)
            continue
        arg = renames.get(prop, snake(prop))
        (kept if arg in arguments else dropped).append(arg if arg in arguments else prop)
    return kept, dropped


def load_catalog(provider):
    import yaml  # PyYAML; only `check` needs it

    with open(ROOT / "catalog" / f"{provider}.yaml") as f:
        return yaml.safe_load(f)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    verb = argv[1]
    if verb == "attrs":
        for tf_type in argv[3:]:
            print(tf_type, " ".join(computed_attributes(argv[2], tf_type)))
    elif verb == "cfn":
        cfn = json.load(gzip.open(CFN_SCHEMAS))
        arguments = schema_arguments("aws")
        for tf_type in argv[2:]:
            kept, dropped = cfn_force_new(tf_type, arguments[tf_type], cfn)
            print(f"{tf_type} ({CFN_TYPE[tf_type]})\n  force_new candidates: {kept}\n  not TF arguments: {dropped}")
    elif verb == "check":
        problems = 0
        for provider in PACKAGE:
            for tf_type, entry in load_catalog(provider)["types"].items():
                want = set(computed_attributes(provider, tf_type)) | {"id"}
                have = set(entry.get("attributes", []))
                for name in sorted(want - have):
                    print(f"{provider} {tf_type}: computed attribute `{name}` not listed")
                    problems += 1
                for name in sorted(have - want):
                    print(f"{provider} {tf_type}: listed attribute `{name}` is not computed-only")
                    problems += 1
        print(f"{problems} difference(s)")
        sys.exit(1 if problems else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
