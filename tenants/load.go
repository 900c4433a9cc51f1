package tenants

import "io/fs"

// Load reads xtsync.yaml (optional) and tenants/*.yaml from fsys, applies
// the defaults, resolves references and validates the repository. It returns
// the model and every problem found; the model is nil only when nothing
// could be read. It never panics.
func Load(fsys fs.FS) (*Repo, Diagnostics) {
	// TODO(tenants): the loader.
	return &Repo{}, nil
}
