package builtin.unwritable_attribute_test

import data.builtin.fixture_test as fx
import data.builtin.unwritable_attribute as p

with_mappings(ms) := fx.input_of(fx.config([fx.sync("eu-to-us", {"mappings": ms})], [fx.inbound("contoso-eu", {})]))

test_writable if {
	count(p.deny) == 0 with input as with_mappings([{"target": "jobTitle", "kind": "source", "value": "jobTitle"}])
}

test_proxy_addresses_denied if {
	some f in p.deny with input as with_mappings([{"target": "proxyAddresses", "kind": "source", "value": "mail"}])
	contains(f.msg, "mappings.proxyAddresses writes an attribute Entra cannot write (Graph makes it read-only)")
}

test_case_insensitive_and_object_form if {
	count(p.deny) == 2 with input as with_mappings({"OtherMails": {"source": "mail"}, "alternativeSecurityIds": {"constant": "x"}})
}

test_remove_is_fine if {
	count(p.deny) == 0 with input as with_mappings([{"target": "otherMails", "kind": "remove"}])
}
