# AWS IAM: policies that allow every action on every resource; policies attached to users.
package dharma.aws.iam

import rego.v1

import data.dharma.lib

policy_types := ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]

# The statements of a policy document (a JSON string), as a list.
statements(doc) := lib.blocks(object.get(json.unmarshal(doc), "Statement", []))

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

admin_statement(s) if {
	s.Effect == "Allow"
	some a in as_list(object.get(s, "Action", []))
	a in {"*", "*:*"}
	some r in as_list(object.get(s, "Resource", []))
	r == "*"
}

# --- DHARMA_AWS_IAM_001: full administrative access ------------------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_IAM_001", sprintf("policy.Statement[%d]", [i]), "the policy allows every action (*) on every resource (*)") if {
	some t in policy_types
	some rc in lib.by_type[t]
	doc := rc.change.after.policy
	is_string(doc)
	json.is_valid(doc)
	some i, s in statements(doc)
	admin_statement(s)
}

findings contains lib.unknown_finding(rc, "DHARMA_AWS_IAM_001", "policy") if {
	some t in policy_types
	some rc in lib.by_type[t]
	rc.change.after_unknown.policy == true
}

# --- DHARMA_AWS_IAM_002: policies attached directly to users ---------------------------------

findings contains lib.fail(rc, "DHARMA_AWS_IAM_002", "user", "the policy is attached to a user; attach it to a group or role instead") if {
	some t in ["aws_iam_user_policy", "aws_iam_user_policy_attachment"]
	some rc in lib.by_type[t]
}
