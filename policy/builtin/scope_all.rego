# scope-all: scope.all provisions EVERY member user of the source into the
# target ("Sync all users and groups"). That is rarely what a merger wants and
# easy to switch on by accident, so it must be acknowledged explicitly.
package builtin.scope_all

import data.builtin.lib

deny contains f if {
	some s in lib.syncs
	object.get(s.sc, "scope", {}).all == true
	not lib.acknowledged(s.sc, "scope-all")
	f := lib.sync_finding(s, "scope.all", sprintf(
		"sync %s: scope.all provisions every member user of %s into %s: assign groups or users instead, or add scope-all to the configuration's acknowledge list if that is intended",
		[lib.key(s), s.tenant, s.sc.target],
	))
}
