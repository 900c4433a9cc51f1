# unwritable-attribute: a mapping must not write a target attribute Entra
# cannot write (docs/entra-cross-tenant-sync.md §3.3, §3.6): alternativeSecurityIds is the matching
# attribute, proxyAddresses is read-only in Graph, otherMails is computed by
# the target. The job would fail with schemaInvalid or be overwritten.
package builtin.unwritable_attribute

import data.builtin.lib

# unwritable maps the lower-case attribute to why it cannot be written.
unwritable := {
	"alternativesecurityids": "it is the matching attribute, which cannot be changed",
	"proxyaddresses": "Graph makes it read-only",
	"othermails": "the target computes it",
}

deny contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "unwritable-attribute")
	some attr in lib.mapping_targets(s.sc)
	why := unwritable[lower(attr)]
	not lib.mapping_removed(s.sc, attr)
	f := lib.sync_finding(s, sprintf("mappings.%s", [attr]), sprintf(
		"sync %s: mappings.%s writes an attribute Entra cannot write (%s): remove the mapping",
		[lib.key(s), attr, why],
	))
}
