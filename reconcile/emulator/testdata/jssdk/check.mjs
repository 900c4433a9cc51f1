// Pages through /users of the xtsync Graph emulator with Microsoft's
// JavaScript Graph SDK (PageIterator follows @odata.nextLink), then reads a
// users delta round to its @odata.deltaLink. Prints one JSON line:
// {"users": [ids...], "deltaUsers": n, "deltaLink": true}.
//
// Environment: EMULATOR_URL (https://127.0.0.1:PORT), EMULATOR_TOKEN, and
// NODE_EXTRA_CA_CERTS=<state>/cert.pem so Node trusts the emulator.
import { Client, PageIterator } from "@microsoft/microsoft-graph-client";

const base = process.env.EMULATOR_URL;
const token = process.env.EMULATOR_TOKEN;
if (!base || !token) {
  console.error("check.mjs: set EMULATOR_URL and EMULATOR_TOKEN");
  process.exit(2);
}
const host = new URL(base).hostname;

const client = Client.init({
  baseUrl: base + "/",
  defaultVersion: "v1.0",
  customHosts: new Set([host]),
  authProvider: (done) => done(null, token),
});

const users = [];
const first = await client.api("/users").select("id,displayName").top(2).get();
const it = new PageIterator(client, first, (u) => {
  users.push(u.id);
  return true;
});
await it.iterate();

let deltaUsers = 0;
let page = await client.api("/users/delta").select("id").top(2).get();
for (;;) {
  deltaUsers += page.value.length;
  if (page["@odata.deltaLink"]) break;
  page = await client.api(page["@odata.nextLink"]).get();
}
console.log(JSON.stringify({ users, deltaUsers, deltaLink: true }));
