package tenants

// Reference is what the config reference (docs/config-reference.md) says
// of one key: a short Title naming what the value is, when its JSON type
// says too little ("directory", "cron"), and the Text, in Markdown. The
// JSON Schema carries both (title, markdownDescription: editors show
// them), and the reference's tables are rendered from the schema
// (TestConfigReference; go test ./tenants -run TestConfigReference
// -update rewrites them).
type Reference struct {
	Title string
	Text  string
}

// reference is the config reference of every key of both files, by the
// path the reference names it: "sync[].scope.filters[].clauses[].value",
// "sync[].mappings.<attr>.flow", "assumptions.<id>". A test fails when a
// key of the format has none, or an entry names no key.
var reference = map[string]Reference{
	"apiVersion":                          {Text: "must be `xtsync/v1`"},
	"kind":                                {Text: "must be `Tenant`"},
	"name":                                {Text: "the tenant's handle in this repository: `[a-z0-9-]{1,63}`, unique, equal to the file name"},
	"tenantId":                            {Text: "the Entra tenant id; unique; stored lower-case"},
	"displayName":                         {Text: "for people; not sent to Graph"},
	"initialDomain":                       {Title: "domain name", Text: "`<x>.onmicrosoft.com`; B2B users this tenant receives get UPNs `<upn with @ as _>#EXT#@<initialDomain>`"},
	"cloud":                               {Text: "the Microsoft cloud; a sync between clouds is a warning (needs an Entra ID Governance licence; no manager, no group sync)"},
	"suspend":                             {Text: "leave the tenant alone: reconcile plans and reports the writes to it, to the partner entries and identity synchronizations about it and to the configurations into or out of it, and makes none of them (see [Suspend](#suspend))"},
	"suspend.until":                       {Title: "RFC 3339 time with its zone", Text: "when the suspension ends (`2026-12-24T00:00:00Z`, `2026-12-24T09:00:00+01:00`); absent: until the key is removed"},
	"suspend.reason":                      {Text: "why; every run reports it"},
	"partners":                            {Text: "cross-tenant access settings, one entry per partner tenant"},
	"partners[].tenant":                   {Text: "a tenant of this repository by name, or any tenant by GUID. A GUID of a repository tenant is resolved to its name. A name that is not a repository tenant is an error."},
	"partners[].inbound":                  {Text: "what this tenant allows the partner to do in it"},
	"partners[].inbound.userSync":         {Text: "\"Allow users sync into this tenant\": `identitySynchronization.userSyncInbound.isSyncAllowed`"},
	"partners[].inbound.autoRedeem":       {Text: "`automaticUserConsentSettings.inboundAllowed` (required by sync)"},
	"partners[].inbound.limits":           {Text: "this tenant's own guard rails, enforced by the built-in policy `inbound-limits` (not sent to Graph)"},
	"partners[].inbound.limits.userTypes": {Text: "the userTypes the partner may create here; absent: any"},
	"partners[].inbound.limits.maxUsers":  {Text: "at most this many B2B users from the partner after a cycle; absent: no limit"},
	"partners[].outbound":                 {Text: "what this tenant allows towards the partner"},
	"partners[].outbound.autoRedeem":      {Text: "`automaticUserConsentSettings.outboundAllowed` (required by sync)"},
	"sync":                                {Text: "cross-tenant synchronization configurations this tenant is the source of"},
	"sync[].name":                         {Text: "`[A-Za-z0-9_.-]{1,120}`, unique within the tenant; the configuration's display name. Messages name it `contoso-eu/eu-to-us`."},
	"sync[].id":                           {Text: "the configuration's service principal object id, so a rename is not a re-create"},
	"sync[].target":                       {Text: "the target tenant: a tenant of this repository (name, or its GUID). Not the source itself."},
	"sync[].enabled":                      {Text: "the job is started; `false` pauses it (users stay as they are)"},
	"sync[].scope":                        {Text: "which source users are provisioned; absent: nobody is assigned"},
	"sync[].scope.all":                    {Text: "\"Sync all users\" (`SyncAll`); `false` = only assigned users and groups. `true` without `acknowledge: [scope-all]` is a warning."},
	"sync[].scope.groups":                 {Text: "directly assigned groups, by display name or object id (`appRoleAssignedTo`). Only **direct** members are in scope: nested groups are not followed."},
	"sync[].scope.users":                  {Text: "directly assigned users, by UPN or object id"},
	"sync[].scope.filters":                {Text: "scoping filters (schema `objectMapping.scope.groups`): a user is in scope when all clauses of **at least one** filter hold"},
	"sync[].scope.filters[].name":         {Text: "the filter's title"},
	"sync[].scope.filters[].clauses":      {Text: "the clauses, ANDed; at least one"},
	"sync[].scope.filters[].clauses[].attribute": {Text: "source attribute, provisioning or Graph name (see Aliases)"},
	"sync[].scope.filters[].clauses[].operator":  {Title: "operator name", Text: "one of Entra's scoping operators, spelled as Entra spells them: see [Operators](#operators)"},
	"sync[].scope.filters[].clauses[].value":     {Text: "compared as text; required by the binary operators, refused by the unary ones"},
	"sync[].userType":                            {Text: "the userType constant mapping: external members or external guests"},
	"sync[].userTypeFlow":                        {Text: "when the userType mapping applies: `onCreate` leaves B2B users that already exist (adopted) with their userType (Graph flowType `ObjectAddOnly`)"},
	"sync[].showInAddressList":                   {Text: "the showInAddressList constant mapping"},
	"sync[].mappings":                            {Text: "changes to the default attribute mappings, keyed by target attribute"},
	"sync[].mappings.<attr>.source":              {Text: "a Direct mapping from this source attribute"},
	"sync[].mappings.<attr>.constant":            {Text: "a Constant mapping (the value as text)"},
	"sync[].mappings.<attr>.expression":          {Text: "an Expression mapping; must parse (`xtsync expr` evaluates one offline). Errors give the file position of the value and the column in the expression."},
	"sync[].mappings.<attr>.remove":              {Text: "drop the default mapping of this attribute (`false` is an error; removing a non-default attribute is a warning)"},
	"sync[].mappings.<attr>.flow":                {Text: "\"Apply this mapping\": Always, or only during object creation (`ObjectAddOnly`); not with `remove`"},
	"sync[].actions":                             {Text: "target object actions; never empty (pause with `enabled: false`). Without `delete`, users leaving the scope stay in the target."},
	"sync[].deletionThreshold":                   {Text: "\"Prevent accidental deletions\": more deletes+disables in a cycle than this quarantines the job; `0` = off"},
	"sync[].acknowledge":                         {Title: "list of policy ids", Text: "built-in policies this configuration knowingly accepts (e.g. `[scope-all]`)"},
	"sync[].suspend":                             {Text: "leave the configuration alone: reconcile plans and reports its writes and makes none of them (see [Suspend](#suspend))"},
	"sync[].suspend.until":                       {Title: "RFC 3339 time with its zone", Text: "when the suspension ends; absent: until the key is removed"},
	"sync[].suspend.reason":                      {Text: "why; every run reports it"},
	"policies":                                   {Title: "list of directories", Text: "the repository's own Rego policies and their tests"},
	"disabledPolicies":                           {Title: "list of policy ids", Text: "built-in policies turned off (the base revision's list counts in a pull request)"},
	"snapshots":                                  {Title: "directory", Text: "where `snapshot pull` writes and `simulate` reads directory snapshots; they hold personal data: keep them out of Git"},
	"prune":                                      {Text: "remove live objects the repository no longer declares"},
	"ignorePartners":                             {Text: "tenant ids xtsync never touches (a repository tenant listed here is a warning)"},
	"verifyCommits":                              {Title: "path", Text: "a keyring: an armored OpenPGP keyring or an SSH allowed-signers file; reconcile applies only commits signed by one of its keys (see [docs/reconcile.md](reconcile.md#signed-commits))"},
	"assumptions":                                {Text: "overrides of the simulator's assumptions"},
	"assumptions.<id>":                           {Text: "only the overridable ids below; the others are errors (absent: the assumption's default)"},
	"maxDeleteShare":                             {Text: "the share of a target's B2B users one change may soft-delete before the built-in policy `delete-share` denies it"},
	"policyTimeout":                              {Text: "how long one evaluation of the policies may run in `check`, `plan` and `reconcile` before it is stopped (exit 1, naming the policy file): `30s`, `2m`, `1h`, 1s to 24h. The base revision's value counts in a pull request, and `--policy-timeout` overrides both"},
	"windows":                                    {Text: "change windows: when reconcile may write (see [Change windows](#change-windows))"},
	"windows[].name":                             {Text: "the window's name in reports; unique (default `windows[<index>]`)"},
	"windows[].kind":                             {Text: "`allow`: writes only while such a window is open; `deny`: no writes while it is open (deny wins)"},
	"windows[].schedule":                         {Title: "cron", Text: "when the window opens: five fields `minute hour day-of-month month day-of-week` (`0 18 23 12 *`, `0 8 * * 1-5`) or `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`, read in `timeZone`"},
	"windows[].duration":                         {Text: "how long it stays open from each opening: `8h`, `90m`, `1h30m`, `256h`"},
	"windows[].timeZone":                         {Title: "IANA time zone", Text: "the schedule's time zone (`Europe/Berlin`, `America/New_York`); summer time follows the zone"},
	"windows[].tenants":                          {Title: "list of tenant names", Text: "the window applies to writes to these tenants, to the partner entries and identity synchronizations about them, and to the configurations into or out of them; absent: all"},
	"windows[].configurations":                   {Title: "list of `<source>/<name>`", Text: "the window applies to writes to these configurations; absent: all"},
	"ignore":                                     {Text: "drift rules: differences between Graph and the repository that reconcile reports and never repairs (see [Drift rules](#drift-rules))"},
	"ignore[].object":                            {Title: "pattern", Text: "object names (`partner/contoso-us/*`, `sync/contoso-eu/eu-to-us/schema`, `sync/contoso-eu/**`): `*` and `?` stay within one `/`-separated part, `**` spans parts, `{a,b}` and `[…]` as in shells"},
	"ignore[].fields":                            {Title: "list of patterns", Text: "the fields of those objects (`inboundAutoRedeem`, `mappings.companyName`, `mappings.*`, `*`); at least one"},
	"ignore[].reason":                            {Text: "why the drift is left alone; reported with it"},
	"notifications":                              {Text: "where the scheduled reconciler announces what an operator must know (below)"},
	"notifications.nearThreshold":                {Text: "the share of a configuration's `deletionThreshold` at which the users a run would soft-delete or disable are announced (event `deletions`)"},
	"notifications.webhooks":                     {Text: "the receivers, each announced each event at most once until it changes"},
	"notifications.webhooks[].kind":              {Text: "the body: a Slack incoming webhook message, a Teams incoming webhook (or Workflows) Adaptive Card, or xtsync's own JSON"},
	"notifications.webhooks[].urlEnv":            {Title: "environment variable name", Text: "the variable that holds the webhook's URL where xtsync runs; it must be named `XTSYNC_WEBHOOK_<NAME>`. A `url` key is an error: the URL is a secret and never in the repository"},
	"notifications.webhooks[].events":            {Text: "the events this webhook is told about"},
}
