-- The bare scope join `make bench-compare` times DuckDB on (docs/benchmarks.md):
-- the direct members of one assigned group, joined to the users of the same
-- snapshot, that pass a department filter. No mappings, no target matching,
-- no report: a small part of what `xtsync simulate` does on the same files.
-- The columns are given, so DuckDB reads only the fields the join needs and
-- detects no schema. {{files}} is replaced by the snapshot glob before the query runs.
WITH snap AS (
	SELECT filename, users, groups
	FROM read_json('{{files}}', filename = true, maximum_object_size = 2147483647,
		columns = {users: 'STRUCT(id VARCHAR, department VARCHAR)[]',
		           groups: 'STRUCT(displayName VARCHAR, members VARCHAR[])[]'})
), u AS (
	SELECT filename, unnest(users) AS u FROM snap
), g AS (
	SELECT filename, unnest(groups) AS g FROM snap
), m AS (
	SELECT filename, unnest(g.members) AS member FROM g WHERE g.displayName = 'All-Staff'
)
SELECT count(*) AS in_scope
FROM m JOIN u ON u.filename = m.filename AND u.u.id = m.member
WHERE u.u.department = 'Engineering';
