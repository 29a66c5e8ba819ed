# AWS RDS: public access, encryption at rest, deletion protection, backups.
package dharma.aws.database

import rego.v1

import data.dharma.lib

# --- DHARMA_AWS_RDS_001: publicly accessible -------------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_RDS_001", "publicly_accessible", "the database has a public endpoint (publicly_accessible = true)") if {
	some t in ["aws_db_instance", "aws_rds_cluster_instance"]
	some rc in lib.by_type[t]
	rc.change.after.publicly_accessible == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_RDS_001", "publicly_accessible") if {
	some t in ["aws_db_instance", "aws_rds_cluster_instance"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.publicly_accessible == true
}

# --- DHARMA_AWS_RDS_002: storage not encrypted -----------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_RDS_002", "storage_encrypted", "the database storage is not encrypted (storage_encrypted is not true)") if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	not rc.change.after.storage_encrypted == true
	not rc.change.after_unknown.storage_encrypted == true
	not replicas[rc.address]
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_RDS_002", "storage_encrypted") if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.storage_encrypted == true
}

# Read replicas (by address) inherit the encryption and backups of their source.
replicas contains rc.address if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	source := rc.change.after.replicate_source_db
	is_string(source)
}

replicas contains rc.address if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.replicate_source_db == true
}

# --- DHARMA_AWS_RDS_003: no deletion protection ----------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_RDS_003", "deletion_protection", "deletion protection is off: one apply or API call can delete the database") if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	not rc.change.after.deletion_protection == true
	not rc.change.after_unknown.deletion_protection == true
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_RDS_003", "deletion_protection") if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	rc.change.after_unknown.deletion_protection == true
}

# --- DHARMA_AWS_RDS_004: short backup retention ----------------------------------------------

# Without backup_retention_period, RDS keeps automated backups for 1 day.
findings contains lib.fail(rc, "DHARMA_AWS_RDS_004", "backup_retention_period", sprintf("automated backups are kept %d day(s); at least 7 are expected", [days])) if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	not replicas[rc.address]
	not rc.change.after_unknown.backup_retention_period == true
	days := retention(rc)
	days < 7
}

retention(rc) := rc.change.after.backup_retention_period if is_number(rc.change.after.backup_retention_period)

retention(rc) := 1 if not is_number(object.get(rc.change.after, "backup_retention_period", null))

findings contains lib.unknown_finding(rc, "DHARMA_AWS_RDS_004", "backup_retention_period") if {
	some t in ["aws_db_instance", "aws_rds_cluster"]
	some rc in lib.by_type[t]
	not replicas[rc.address]
	rc.change.after_unknown.backup_retention_period == true
}
