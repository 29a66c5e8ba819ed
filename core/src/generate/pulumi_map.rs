//! The Pulumi names of Terraform types and arguments: `catalog/formats/pulumi-<provider>.map`
//! (format and method in `scripts/data/extract_pulumi.js`), read from the bridged npm packages
//! `@pulumi/aws`, `@pulumi/azure` and `@pulumi/gcp`, embedded compressed by the build script.
//!
//! Each type's lines are parsed the first time the type is looked up, as with the argument
//! schemas: a blueprint with five types pays for five types, not for 1,580.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::catalog::Provider;

static AWS: &[u8] = crate::embedded::packed!("catalog-formats-pulumi-aws.map");
static AZURE: &[u8] = crate::embedded::packed!("catalog-formats-pulumi-azure.map");
static GCP: &[u8] = crate::embedded::packed!("catalog-formats-pulumi-gcp.map");

/// How a Pulumi property holds a value whose Terraform shape is a list or a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Shape {
    /// As the Terraform schema says: a single block is one object, a list is a list.
    #[default]
    AsIs,
    /// A list, where Terraform has one block (`[]` in the data).
    List,
    /// One item, where Terraform has a list capped at one (`{}` in the data).
    One,
}

/// The Pulumi side of one argument or nested block field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Field {
    /// The Pulumi property name when it is not the camelCase of the Terraform name; `Some("")`
    /// never occurs.
    pub(crate) rename: Option<String>,
    /// True when Pulumi has no input property for it.
    pub(crate) no_input: bool,
    /// The value's shape.
    pub(crate) shape: Shape,
    /// The Pulumi scalar type (`s`, `n`, `b`) when it is not Terraform's (for a list: of its
    /// items).
    pub(crate) scalar: Option<char>,
    /// The value has no structure in the Terraform schema (`any`, or a computed attribute);
    /// `nested` then describes the Pulumi object field by field, keyed by likely Terraform names.
    pub(crate) loose: bool,
    /// Exceptions inside a nested block.
    pub(crate) nested: Fields,
}

/// The exceptions of a block: fields whose name or shape is not the plain one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fields(BTreeMap<String, Field>);

impl Fields {
    /// The exception for a Terraform field, if it has one.
    pub(crate) fn get(&self, name: &str) -> Option<&Field> {
        self.0.get(name)
    }
}

/// The Pulumi side of one Terraform resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TypeMap {
    /// The type token (`aws:ec2/vpc:Vpc`), `None` when the package has no class for the type.
    pub(crate) token: Option<String>,
    /// The class's path in the package (`ec2.Vpc`) when it is not the one the token gives.
    pub(crate) js_path: Option<String>,
    /// Argument exceptions.
    pub(crate) fields: Fields,
    /// Attribute exceptions (` ~attr` lines): computed attributes and arguments without an input
    /// whose Pulumi output is not their plain camelCase string.
    pub(crate) attrs: Fields,
    /// True when the class takes Terraform's `timeouts` block as a property (plugin-framework
    /// resources); otherwise it is the `customTimeouts` resource option.
    pub(crate) timeouts_property: bool,
}

impl TypeMap {
    /// The class's path in the package: `ec2.Vpc` for `aws:ec2/vpc:Vpc`, `Provider`-style
    /// top-level classes for the `index` module.
    pub(crate) fn class_path(&self) -> Option<String> {
        if let Some(p) = &self.js_path {
            return Some(p.clone());
        }
        let token = self.token.as_deref()?;
        let mut parts = token.split(':');
        let (_, Some(middle), Some(class)) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        let module = middle.split('/').next().unwrap_or(middle);
        Some(if module == "index" {
            class.to_string()
        } else {
            format!("{module}.{class}")
        })
    }
}

/// The Pulumi map of one provider.
pub(crate) struct PulumiMap {
    text: String,
    index: Vec<(Range<usize>, Range<usize>)>,
    parsed: Vec<OnceLock<TypeMap>>,
    /// The npm package the data was read from (`@pulumi/aws`).
    pub(crate) package: String,
    /// Its version (`7.48.0`).
    pub(crate) version: String,
}

impl std::fmt::Debug for PulumiMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PulumiMap")
            .field("types", &self.index.len())
            .field("package", &self.package)
            .field("version", &self.version)
            .finish()
    }
}

/// The map of a provider (inflated on first use, then shared).
pub(crate) fn pulumi_map(provider: Provider) -> &'static PulumiMap {
    static CELLS: [OnceLock<PulumiMap>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (cell, data) = match provider {
        Provider::Aws => (&CELLS[0], AWS),
        Provider::Azure => (&CELLS[1], AZURE),
        Provider::Gcp => (&CELLS[2], GCP),
    };
    cell.get_or_init(|| {
        // Produced by our own build script; a corrupt build degrades to "no type is mapped",
        // which every caller reports as `unmapped_type`.
        let text = crate::embedded::text(data);
        PulumiMap::from_text(text)
    })
}

impl PulumiMap {
    fn from_text(text: String) -> PulumiMap {
        let mut index = Vec::new();
        let mut package = String::new();
        let mut version = String::new();
        let mut current: Option<(Range<usize>, usize)> = None;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if let Some(rest) = line.strip_prefix('@') {
                if let Some((name, body_start)) = current.take() {
                    index.push((name, body_start..start));
                }
                let name_len = rest.find([' ', '\n']).unwrap_or(rest.len());
                current = Some((start + 1..start + 1 + name_len, start));
            } else if let Some(source) = line.trim_end().strip_prefix("# source: npm ") {
                if let Some((p, v)) = source.rsplit_once('@') {
                    package = p.to_string();
                    version = v.to_string();
                }
            }
        }
        if let Some((name, body_start)) = current {
            index.push((name, body_start..text.len()));
        }
        index.sort_by(|a, b| text[a.0.clone()].cmp(&text[b.0.clone()]));
        let parsed = index.iter().map(|_| OnceLock::new()).collect();
        PulumiMap {
            text,
            index,
            parsed,
            package,
            version,
        }
    }

    /// Number of Terraform types the data covers (mapped or not).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    /// Every Terraform type name, sorted.
    #[cfg(test)]
    pub(crate) fn type_names(&self) -> impl Iterator<Item = &str> {
        self.index.iter().map(|(n, _)| &self.text[n.clone()])
    }

    /// The Pulumi side of a Terraform type; `None` when the data does not list the type at all.
    pub(crate) fn get(&self, type_name: &str) -> Option<&TypeMap> {
        let i = self
            .index
            .binary_search_by(|(n, _)| self.text[n.clone()].cmp(type_name))
            .ok()?;
        let (_, body) = self.index.get(i)?;
        let cell = self.parsed.get(i)?;
        Some(cell.get_or_init(|| parse_type(self.text.get(body.clone()).unwrap_or(""))))
    }
}

/// Parses one type's lines: `@type token [path]`, indented field lines, ` ~attr` lines.
fn parse_type(body: &str) -> TypeMap {
    let mut lines = body.lines();
    let mut map = TypeMap::default();
    if let Some(head) = lines.next() {
        let mut words = head.split_whitespace().skip(1);
        map.token = words.next().filter(|t| *t != "-").map(str::to_string);
        map.js_path = words.next().map(str::to_string);
    }
    let mut field_lines: Vec<(usize, &str)> = Vec::new();
    let mut attr_lines: Vec<(usize, &str)> = Vec::new();
    let mut in_attr = false;
    for line in lines {
        let depth = line.len() - line.trim_start_matches(' ').len();
        let text = line.trim();
        if text.is_empty() || line.starts_with('#') {
            continue;
        }
        if depth == 1 {
            if text == "timeouts =" {
                map.timeouts_property = true;
                continue;
            }
            in_attr = text.starts_with('~');
        }
        if in_attr {
            attr_lines.push((depth, text.trim_start_matches('~')));
        } else {
            field_lines.push((depth, text));
        }
    }
    let mut pos = 0;
    map.fields = parse_fields(&field_lines, &mut pos, 1);
    pos = 0;
    map.attrs = parse_fields(&attr_lines, &mut pos, 1);
    map
}

/// Field lines: `<terraform name> <pulumi name|=|-> [{}|[]] [#s|#n|#b] [*]`, nested ones indented
/// one more space.
fn parse_fields(lines: &[(usize, &str)], pos: &mut usize, depth: usize) -> Fields {
    let mut fields = BTreeMap::new();
    while let Some(&(d, line)) = lines.get(*pos) {
        if d < depth {
            break;
        }
        *pos += 1;
        if d > depth {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(name), Some(target)) = (words.next(), words.next()) else {
            continue;
        };
        let mut field = Field {
            rename: (target != "=" && target != "-").then(|| target.to_string()),
            no_input: target == "-",
            ..Field::default()
        };
        for mark in words {
            match mark {
                "[]" => field.shape = Shape::List,
                "{}" => field.shape = Shape::One,
                "*" => field.loose = true,
                t => field.scalar = t.strip_prefix('#').and_then(|c| c.chars().next()),
            }
        }
        field.nested = parse_fields(lines, pos, depth + 1);
        fields.insert(name.to_string(), field);
    }
    Fields(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::provider_schema;

    #[test]
    fn every_schema_type_is_listed_with_its_source() {
        for provider in Provider::ALL {
            let map = pulumi_map(provider);
            let schema = provider_schema(provider);
            assert_eq!(map.len(), schema.len(), "{provider}");
            assert!(map.type_names().eq(schema.type_names()), "{provider}");
            assert!(map.package.starts_with("@pulumi/"), "{map:?}");
            assert!(map.version.split('.').count() == 3, "{map:?}");
        }
    }

    #[test]
    fn known_tokens_names_and_shapes() {
        let aws = pulumi_map(Provider::Aws);
        let vpc = aws.get("aws_vpc").unwrap();
        assert_eq!(vpc.token.as_deref(), Some("aws:ec2/vpc:Vpc"));
        assert_eq!(vpc.class_path().as_deref(), Some("ec2.Vpc"));
        assert!(vpc.fields.get("tags_all").unwrap().no_input);
        let instance = aws.get("aws_instance").unwrap();
        assert_eq!(
            instance
                .fields
                .get("ebs_block_device")
                .unwrap()
                .rename
                .as_deref(),
            Some("ebsBlockDevices")
        );
        let eks = aws.get("aws_eks_cluster").unwrap();
        let ca = eks.attrs.get("certificate_authority").unwrap();
        assert_eq!(ca.shape, Shape::One);
        assert_eq!(ca.rename, None);
        let identity = eks.attrs.get("identity").unwrap();
        assert_eq!(identity.rename.as_deref(), Some("identities"));
        assert_eq!(
            identity.nested.get("oidc").unwrap().rename.as_deref(),
            Some("oidcs")
        );
        let tg = aws.get("aws_lb_target_group").unwrap();
        assert_eq!(
            tg.fields.get("deregistration_delay").unwrap().scalar,
            Some('n')
        );
        assert_eq!(
            aws.get("aws_s3_bucket").unwrap().token.as_deref(),
            Some("aws:s3/bucket:Bucket")
        );
        assert_eq!(
            aws.get("aws_db_instance").unwrap().token.as_deref(),
            Some("aws:rds/instance:Instance")
        );
        assert_eq!(
            aws.get("aws_lb").unwrap().token.as_deref(),
            Some("aws:lb/loadBalancer:LoadBalancer")
        );
        let azure = pulumi_map(Provider::Azure);
        let vnet = azure.get("azurerm_virtual_network").unwrap();
        assert_eq!(
            vnet.token.as_deref(),
            Some("azure:network/virtualNetwork:VirtualNetwork")
        );
        assert_eq!(
            vnet.fields.get("address_space").unwrap().rename.as_deref(),
            Some("addressSpaces")
        );
        assert_eq!(
            azure
                .get("azurerm_resource_group")
                .unwrap()
                .class_path()
                .as_deref(),
            Some("core.ResourceGroup")
        );
        let gcp = pulumi_map(Provider::Gcp);
        let vm = gcp.get("google_compute_instance").unwrap();
        assert_eq!(vm.token.as_deref(), Some("gcp:compute/instance:Instance"));
        let boot = vm.fields.get("boot_disk").unwrap();
        let params = boot.nested.get("initialize_params").unwrap();
        assert_eq!(
            params.nested.get("resource_policies").unwrap().shape,
            Shape::One
        );
    }

    /// Pairs known independently of the extractor: the Pulumi column of the project's kind map of
    /// generic resource kinds (checked there against the packages' `__pulumiType`), plus classic
    /// Azure tokens as Pulumi's registry documents them.
    #[test]
    fn independently_known_pairs() {
        let known = [
            ("aws_acm_certificate", "aws:acm/certificate:Certificate"),
            ("aws_apigatewayv2_api", "aws:apigatewayv2/api:Api"),
            ("aws_autoscaling_group", "aws:autoscaling/group:Group"),
            (
                "aws_cloudfront_distribution",
                "aws:cloudfront/distribution:Distribution",
            ),
            (
                "aws_cloudwatch_log_group",
                "aws:cloudwatch/logGroup:LogGroup",
            ),
            (
                "aws_cloudwatch_metric_alarm",
                "aws:cloudwatch/metricAlarm:MetricAlarm",
            ),
            ("aws_db_instance", "aws:rds/instance:Instance"),
            ("aws_db_subnet_group", "aws:rds/subnetGroup:SubnetGroup"),
            ("aws_dynamodb_table", "aws:dynamodb/table:Table"),
            ("aws_ebs_volume", "aws:ebs/volume:Volume"),
            ("aws_ecr_repository", "aws:ecr/repository:Repository"),
            ("aws_ecs_cluster", "aws:ecs/cluster:Cluster"),
            ("aws_ecs_service", "aws:ecs/service:Service"),
            ("aws_efs_file_system", "aws:efs/fileSystem:FileSystem"),
            ("aws_eip", "aws:ec2/eip:Eip"),
            ("aws_eks_cluster", "aws:eks/cluster:Cluster"),
            ("aws_eks_node_group", "aws:eks/nodeGroup:NodeGroup"),
            (
                "aws_elasticache_replication_group",
                "aws:elasticache/replicationGroup:ReplicationGroup",
            ),
            ("aws_iam_role", "aws:iam/role:Role"),
            (
                "aws_iam_role_policy_attachment",
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            ),
            ("aws_instance", "aws:ec2/instance:Instance"),
            (
                "aws_internet_gateway",
                "aws:ec2/internetGateway:InternetGateway",
            ),
            ("aws_kinesis_stream", "aws:kinesis/stream:Stream"),
            ("aws_kms_key", "aws:kms/key:Key"),
            ("aws_lambda_function", "aws:lambda/function:Function"),
            (
                "aws_launch_template",
                "aws:ec2/launchTemplate:LaunchTemplate",
            ),
            ("aws_lb", "aws:lb/loadBalancer:LoadBalancer"),
            ("aws_lb_listener", "aws:lb/listener:Listener"),
            ("aws_lb_target_group", "aws:lb/targetGroup:TargetGroup"),
            ("aws_nat_gateway", "aws:ec2/natGateway:NatGateway"),
            (
                "aws_network_interface",
                "aws:ec2/networkInterface:NetworkInterface",
            ),
            ("aws_rds_cluster", "aws:rds/cluster:Cluster"),
            ("aws_route", "aws:ec2/route:Route"),
            ("aws_route53_record", "aws:route53/record:Record"),
            ("aws_route53_zone", "aws:route53/zone:Zone"),
            ("aws_route_table", "aws:ec2/routeTable:RouteTable"),
            ("aws_s3_bucket", "aws:s3/bucket:Bucket"),
            (
                "aws_secretsmanager_secret",
                "aws:secretsmanager/secret:Secret",
            ),
            ("aws_security_group", "aws:ec2/securityGroup:SecurityGroup"),
            ("aws_sns_topic", "aws:sns/topic:Topic"),
            (
                "aws_sns_topic_subscription",
                "aws:sns/topicSubscription:TopicSubscription",
            ),
            ("aws_sqs_queue", "aws:sqs/queue:Queue"),
            ("aws_subnet", "aws:ec2/subnet:Subnet"),
            ("aws_vpc", "aws:ec2/vpc:Vpc"),
            (
                "aws_vpc_peering_connection",
                "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
            ),
            (
                "aws_vpc_security_group_ingress_rule",
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            ),
            ("aws_wafv2_web_acl", "aws:wafv2/webAcl:WebAcl"),
            ("google_alloydb_cluster", "gcp:alloydb/cluster:Cluster"),
            (
                "google_artifact_registry_repository",
                "gcp:artifactregistry/repository:Repository",
            ),
            (
                "google_certificate_manager_certificate",
                "gcp:certificatemanager/certificate:Certificate",
            ),
            (
                "google_cloud_run_v2_service",
                "gcp:cloudrunv2/service:Service",
            ),
            ("google_cloud_tasks_queue", "gcp:cloudtasks/queue:Queue"),
            (
                "google_cloudfunctions2_function",
                "gcp:cloudfunctionsv2/function:Function",
            ),
            ("google_compute_address", "gcp:compute/address:Address"),
            (
                "google_compute_backend_bucket",
                "gcp:compute/backendBucket:BackendBucket",
            ),
            (
                "google_compute_backend_service",
                "gcp:compute/backendService:BackendService",
            ),
            ("google_compute_disk", "gcp:compute/disk:Disk"),
            ("google_compute_firewall", "gcp:compute/firewall:Firewall"),
            (
                "google_compute_forwarding_rule",
                "gcp:compute/forwardingRule:ForwardingRule",
            ),
            ("google_compute_instance", "gcp:compute/instance:Instance"),
            (
                "google_compute_instance_group_manager",
                "gcp:compute/instanceGroupManager:InstanceGroupManager",
            ),
            (
                "google_compute_instance_template",
                "gcp:compute/instanceTemplate:InstanceTemplate",
            ),
            ("google_compute_network", "gcp:compute/network:Network"),
            (
                "google_compute_network_peering",
                "gcp:compute/networkPeering:NetworkPeering",
            ),
            ("google_compute_route", "gcp:compute/route:Route"),
            (
                "google_compute_router_nat",
                "gcp:compute/routerNat:RouterNat",
            ),
            (
                "google_compute_security_policy",
                "gcp:compute/securityPolicy:SecurityPolicy",
            ),
            (
                "google_compute_subnetwork",
                "gcp:compute/subnetwork:Subnetwork",
            ),
            (
                "google_compute_target_http_proxy",
                "gcp:compute/targetHttpProxy:TargetHttpProxy",
            ),
            ("google_container_cluster", "gcp:container/cluster:Cluster"),
            (
                "google_container_node_pool",
                "gcp:container/nodePool:NodePool",
            ),
            ("google_dns_managed_zone", "gcp:dns/managedZone:ManagedZone"),
            ("google_dns_record_set", "gcp:dns/recordSet:RecordSet"),
            (
                "google_filestore_instance",
                "gcp:filestore/instance:Instance",
            ),
            (
                "google_firestore_database",
                "gcp:firestore/database:Database",
            ),
            ("google_kms_crypto_key", "gcp:kms/cryptoKey:CryptoKey"),
            ("google_kms_key_ring", "gcp:kms/keyRing:KeyRing"),
            (
                "google_logging_project_bucket_config",
                "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            ),
            (
                "google_monitoring_alert_policy",
                "gcp:monitoring/alertPolicy:AlertPolicy",
            ),
            (
                "google_project_iam_member",
                "gcp:projects/iAMMember:IAMMember",
            ),
            (
                "google_pubsub_subscription",
                "gcp:pubsub/subscription:Subscription",
            ),
            ("google_pubsub_topic", "gcp:pubsub/topic:Topic"),
            ("google_redis_instance", "gcp:redis/instance:Instance"),
            (
                "google_secret_manager_secret",
                "gcp:secretmanager/secret:Secret",
            ),
            (
                "google_service_account",
                "gcp:serviceaccount/account:Account",
            ),
            (
                "google_sql_database_instance",
                "gcp:sql/databaseInstance:DatabaseInstance",
            ),
            ("google_storage_bucket", "gcp:storage/bucket:Bucket"),
            (
                "azurerm_resource_group",
                "azure:core/resourceGroup:ResourceGroup",
            ),
            (
                "azurerm_virtual_network",
                "azure:network/virtualNetwork:VirtualNetwork",
            ),
            ("azurerm_subnet", "azure:network/subnet:Subnet"),
            (
                "azurerm_kubernetes_cluster",
                "azure:containerservice/kubernetesCluster:KubernetesCluster",
            ),
            ("azurerm_storage_account", "azure:storage/account:Account"),
            (
                "azurerm_linux_virtual_machine",
                "azure:compute/linuxVirtualMachine:LinuxVirtualMachine",
            ),
            (
                "azurerm_network_security_group",
                "azure:network/networkSecurityGroup:NetworkSecurityGroup",
            ),
            ("azurerm_key_vault", "azure:keyvault/keyVault:KeyVault"),
            (
                "azurerm_postgresql_flexible_server",
                "azure:postgresql/flexibleServer:FlexibleServer",
            ),
            (
                "azurerm_user_assigned_identity",
                "azure:authorization/userAssignedIdentity:UserAssignedIdentity",
            ),
            (
                "azurerm_role_assignment",
                "azure:authorization/assignment:Assignment",
            ),
        ];
        for (tf, token) in known {
            let provider = Provider::ALL
                .into_iter()
                .find(|p| tf.starts_with(p.terraform_name()))
                .unwrap();
            let got = pulumi_map(provider).get(tf).and_then(|t| t.token.clone());
            assert_eq!(got.as_deref(), Some(token), "{tf}");
        }
    }
}
