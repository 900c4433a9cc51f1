package builtin.shared_mail_test

import data.builtin.fixture_test as fx
import data.builtin.shared_mail as p

input_with(shared) := object.union(
	fx.input_of(fx.config([fx.sync("eu-to-us", {})], [fx.inbound("contoso-eu", {})])),
	{"summary": {"configs": [], "tenants": [], "pairs": [], "sharedMails": shared}},
)

pair := {"source": "contoso-eu", "config": "eu-to-us", "target": "contoso-us", "mail": "team@contoso.eu", "users": ["a@contoso.eu", "b@contoso.eu"]}

test_no_shared_mail if {
	count(p.warn) == 0 with input as input_with([])
}

test_shared_mail_warns if {
	some f in p.warn with input as input_with([pair])
	contains(f.msg, "sync contoso-eu/eu-to-us: source users share a mail, and Entra links all of them to one target user in contoso-us: team@contoso.eu (a@contoso.eu, b@contoso.eu)")
	contains(f.msg, "soft-deletes the shared user")
}

test_other_config_not_warned if {
	count(p.warn) == 0 with input as input_with([object.union(pair, {"config": "other"})])
}

test_summary_without_shared_mails if {
	count(p.warn) == 0 with input as fx.input_of(fx.config([fx.sync("eu-to-us", {})], [fx.inbound("contoso-eu", {})]))
}

test_acknowledged if {
	inp := json.patch(input_with([pair]), [{"op": "add", "path": "/head/tenants/contoso-eu/sync/0/acknowledge", "value": ["shared-mail"]}])
	count(p.warn) == 0 with input as inp
}
