# shared-mail (warn): source users of one configuration share a mail
# (input.summary.sharedMails). Entra provisions one target user for the mail
# and links every one of them to it (known issue "Two users in the source
# tenant matched with the same user in the target tenant"), so a later
# delete of either soft-deletes the user the others depend on too.
package builtin.shared_mail

import data.builtin.lib

warn contains f if {
	some s in lib.syncs
	not lib.acknowledged(s.sc, "shared-mail")
	shared := sort([sprintf("%s (%s)", [m.mail, concat(", ", m.users)]) |
		some m in lib.list(object.get(input, "summary", {}), "sharedMails")
		m.source == s.tenant
		m.config == s.sc.name
	])
	count(shared) > 0
	f := lib.sync_finding(s, "scope", sprintf(
		"sync %s: source users share a mail, and Entra links all of them to one target user in %s: %s. A later delete of any of them soft-deletes the shared user (known issue \"Two users in the source tenant matched with the same user in the target tenant\"); give each user its own mail, or add shared-mail to acknowledge",
		[lib.key(s), s.sc.target, concat("; ", shared)],
	))
}
