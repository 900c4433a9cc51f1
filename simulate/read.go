package simulate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"path"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// ReadSnapshot reads one snapshot, JSON or gzip-compressed JSON (detected by
// its magic bytes). name is the file name errors report.
//
// The decoder is hand-written for speed: it scans the bytes once, decodes the
// well-known user properties into fields, keeps every other property in
// User.Attributes and interns the values that repeat (userType, department,
// city …). Errors name the file and, for a bad value, the user's index and
// UPN: `snapshots/contoso-eu.json: user 17 ("anna@contoso.eu"): accountEnabled:
// want a boolean`; a syntax error names line and column.
func ReadSnapshot(r io.Reader, name string) (*Snapshot, error) {
	data, err := readAll(r, -1, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %s: %w", name, err)
	}
	return DecodeSnapshot(data, name)
}

// DefaultMaxSnapshotBytes caps a snapshot's size once decompressed: 4× a
// very large tenant's (a 250,000-user snapshot is about 250 MB), so a
// gzip bomb stops at 1 GiB instead of filling the memory.
const DefaultMaxSnapshotBytes = 1 << 30

// limitReader fails past max bytes, and ends (io.EOF, for the decoder to
// say what it found) after the chunk where the first byte that is not white
// space cannot start a snapshot (a JSON object).
type limitReader struct {
	r       io.Reader
	max, n  int64
	started bool
	done    bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.done {
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	for i := 0; !l.started && i < n; i++ {
		switch p[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			l.started = true
		default:
			l.done = true // read no more: the decoder says what it found
			return n, io.EOF
		}
	}
	l.n += int64(n)
	if l.n > l.max {
		return 0, errTooLarge(l.max)
	}
	return n, err
}

func errTooLarge(max int64) error {
	return fmt.Errorf("larger than %d bytes once decompressed; a larger tenant needs --max-snapshot-bytes", max)
}

// readAll reads r whole, decompressing gzip, and fails past max bytes (0:
// DefaultMaxSnapshotBytes) once decompressed; size is a hint (-1: unknown).
// It reads into buf's storage when buf is not nil (and leaves the grown
// buffer there): the decoder copies what it keeps, so one buffer serves
// every file a worker reads.
func readAll(r io.Reader, size int64, buf *[]byte, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxSnapshotBytes
	}
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
		if size > 0 {
			size *= 8
		}
	}
	src = &limitReader{r: src, max: max}
	if size > max {
		size = max
	}
	var b []byte
	if buf != nil {
		b = (*buf)[:0]
	}
	if size > 0 && cap(b) < int(size)+512 {
		// A fresh large allocation comes zeroed from the OS: no memclr.
		b = make([]byte, 0, int(size)+512)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := src.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if buf != nil {
		*buf = b
	}
	return b, nil
}

// DecodeSnapshot decodes a snapshot's JSON bytes (not compressed). name is
// the file name errors report.
func DecodeSnapshot(data []byte, name string) (*Snapshot, error) {
	return decodeSnapshot(data, name, ReadOptions{})
}

// ReadOptions tune how snapshots are decoded.
type ReadOptions struct {
	// Columnar keeps the users' other properties in per-attribute columns
	// of the snapshot instead of one User.Attributes map per user: about
	// three times less memory and much faster to load and simulate, for the
	// simulator's use at scale. User.Attributes is then nil; read attributes
	// with Snapshot.Attr, or call Snapshot.ExpandAttributes to fill the maps.
	Columnar bool
	// MaxBytes caps a snapshot's size once decompressed (0:
	// DefaultMaxSnapshotBytes).
	MaxBytes int64
	// Loaded, when set, is called with each snapshot read (and its tenant
	// name), on one of the reading goroutines, as soon as no file is left
	// to start: Prepared.Add builds the snapshot's indexes there, while the
	// last files are still being read. Calls may run at the same time.
	Loaded func(tenant string, s *Snapshot)
}

func decodeSnapshot(data []byte, name string, o ReadOptions) (*Snapshot, error) {
	d := &decoder{data: data, name: name, strs: map[string]string{}, vals: map[string]any{}, columnar: o.Columnar}
	return d.snapshot()
}

// LoadSnapshots reads every <tenant>.json and <tenant>.json.gz of dir in fsys,
// keyed by tenant name (the file's base name). A tenant with both files is an
// error. Files are decoded in parallel.
func LoadSnapshots(fsys fs.FS, dir string) (map[string]*Snapshot, error) {
	return LoadSnapshotsWith(fsys, dir, ReadOptions{})
}

// LoadSnapshotsWith is LoadSnapshots with read options.
func LoadSnapshotsWith(fsys fs.FS, dir string, o ReadOptions) (map[string]*Snapshot, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load snapshots: %w", err)
	}
	type job struct {
		tenant, file string
		size         int64
	}
	var jobs []job
	seen := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		n := e.Name()
		var tenant string
		switch {
		case strings.HasSuffix(n, ".json.gz"):
			tenant = strings.TrimSuffix(n, ".json.gz")
		case strings.HasSuffix(n, ".json"):
			tenant = strings.TrimSuffix(n, ".json")
		default:
			continue
		}
		file := path.Join(dir, n)
		if prev, dup := seen[tenant]; dup {
			return nil, fmt.Errorf("load snapshots: tenant %s has two snapshots: %s and %s", tenant, prev, file)
		}
		seen[tenant] = file
		var size int64
		if info, err := e.Info(); err == nil {
			size = info.Size()
		}
		jobs = append(jobs, job{tenant, file, size})
	}
	// The largest files first, so that the workers end together.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return jobs[order[a]].size > jobs[order[b]].size })
	out := make([]*Snapshot, len(jobs))
	errs := make([]error, len(jobs))
	// Files are read largest first; o.Loaded runs as a task of its own
	// after each, taken by any worker once no file is left to start: the
	// worker that finished its files works on the others' while the last
	// file is still being read.
	var (
		mu      sync.Mutex
		wake    = sync.NewCond(&mu)
		reading int
		loaded  []int // files read whose o.Loaded has not run
	)
	take := func() (i int, read, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		for {
			switch {
			case len(order) > 0:
				i, order = order[0], order[1:]
				reading++
				return i, true, true
			case len(loaded) > 0:
				i, loaded = loaded[0], loaded[1:]
				return i, false, true
			case reading == 0:
				return 0, false, false
			}
			wake.Wait()
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			var buf []byte
			for {
				i, read, ok := take()
				if !ok {
					return
				}
				if !read {
					o.Loaded(jobs[i].tenant, out[i])
					continue
				}
				out[i], errs[i] = loadSnapshotFile(fsys, jobs[i].file, o, &buf)
				mu.Lock()
				reading--
				if errs[i] == nil && o.Loaded != nil {
					loaded = append(loaded, i)
				}
				wake.Broadcast()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m := make(map[string]*Snapshot, len(jobs))
	for i, j := range jobs {
		m[j.tenant] = out[i]
	}
	return m, nil
}

func loadSnapshotFile(fsys fs.FS, file string, o ReadOptions, buf *[]byte) (*Snapshot, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, fmt.Errorf("load snapshot: %w", err)
	}
	defer f.Close()
	var size int64 = -1
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	if data, unmap, ok := mapFile(f, size); ok {
		defer unmap()
		limit := o.MaxBytes
		if limit <= 0 {
			limit = DefaultMaxSnapshotBytes
		}
		if size > limit {
			return nil, fmt.Errorf("load snapshot %s: %w", file, errTooLarge(limit))
		}
		return decodeMapped(data, file, o)
	}
	data, err := readAll(f, size, buf, o.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("load snapshot %s: %w", file, err)
	}
	return decodeSnapshot(data, file, o)
}

// decodeMapped decodes a file mapped into memory. A file that shrinks while
// it is read faults past its new end: that is an error, not a crash.
func decodeMapped(data []byte, name string, o ReadOptions) (s *Snapshot, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			s, err = nil, fmt.Errorf("load snapshot %s: the file changed while it was read", name)
		}
	}()
	return decodeSnapshot(data, name, o)
}

// decoder scans one snapshot document.
type decoder struct {
	data []byte
	pos  int
	name string
	// strs interns keys and repeated values; vals interns the boxed form of
	// attribute values, so a repeated department costs no allocation.
	strs map[string]string
	vals map[string]any
	// fieldErr is the first bad value of the object being decoded.
	fieldErr string
	columnar bool
	cols     *columns
	// keys are the attribute names by position in the last users (attrKey).
	keys  []attrKey
	spare attrKey
	arena []byte
	// read and ids are the users read so far and their index, for the
	// duplicate check and so that group members share the users' id strings.
	read []User
	ids  *idIndex
	// lastIdx is the user indexes of the last members list decoded.
	lastIdx []int32
}

// arenaString copies b into the decoder's arena: one allocation per
// megabyte of strings instead of one per string. The arena is never written
// again, so the strings are immutable.
func (d *decoder) arenaString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(d.arena)-len(d.arena) {
		d.arena = make([]byte, 0, max(1<<20, len(b)))
	}
	off := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[off], len(b))
}

// syntaxError is a malformed document at a byte offset.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func (d *decoder) fail(format string, args ...any) error {
	return &syntaxError{off: d.pos, msg: fmt.Sprintf(format, args...)}
}

// positioned renders a syntax error as file:line:col: message.
func (d *decoder) positioned(err error) error {
	var se *syntaxError
	if !errors.As(err, &se) {
		return err
	}
	off := min(se.off, len(d.data))
	line := 1 + bytes.Count(d.data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(d.data[:off], '\n')
	return fmt.Errorf("%s:%d:%d: %s", d.name, line, col, se.msg)
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		if c := d.data[d.pos]; c > ' ' { // most often: no space to skip
			return c
		}
	}
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *decoder) expect(c byte) error {
	if d.peek() != c {
		return d.fail("want %q, found %s", c, d.describe())
	}
	d.pos++
	return nil
}

func (d *decoder) describe() string {
	if d.pos >= len(d.data) {
		return "end of file"
	}
	c := d.data[d.pos]
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// object calls f for each key of an object; f must consume the value.
func (d *decoder) object(f func(key []byte) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.fail("want an object key, found %s", d.describe())
		}
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := f(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.fail("want ',' or '}' in object, found %s", d.describe())
		}
	}
}

// array calls f for each element of an array; f must consume the value.
func (d *decoder) array(f func(i int) error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.ws()
		if err := f(i); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.fail("want ',' or ']' in array, found %s", d.describe())
		}
	}
}

// rawString decodes a string at the cursor. The result aliases d.data when
// the string has no escapes, else a fresh buffer: copy before keeping it.
func (d *decoder) rawString() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.fail("want a string, found %s", d.describe())
	}
	d.pos++
	start := d.pos
	data := d.data
	i := start
	// Eight bytes at a time up to the first '"', '\\' or control
	// character; high collects the bytes' top bits (multi-byte characters).
	var high uint64
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		high |= x // past the stop too: at worst a needless check below
		if m := stopBytes(x); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
	}
	for ; i < len(data); i++ {
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			if high&hiBits != 0 && !utf8.Valid(data[start:i]) {
				return validUTF8(data[start:i]), nil
			}
			return data[start:i], nil
		}
		high |= uint64(c)
		if c == '\\' {
			return d.escapedString(start, i)
		}
		if c < 0x20 {
			d.pos = i
			return nil, d.fail("control character in string")
		}
	}
	d.pos = len(data)
	return nil, d.fail("unterminated string")
}

// validUTF8 returns b with each byte that is not part of a valid UTF-8
// encoding replaced by U+FFFD, as encoding/json decodes strings.
func validUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

// stopBytes marks (the top bit of each byte) the bytes of x, eight bytes of
// a string read little-endian, where a string scan stops: '"', '\\' and
// control characters. The lowest mark is exact; marks above it may be
// false (a borrow), which the caller never reads.
func stopBytes(x uint64) uint64 {
	q := x ^ ('"' * loBits)
	b := x ^ ('\\' * loBits)
	return ((q-loBits)&^q | (b-loBits)&^b | (x-0x20*loBits)&^x) & hiBits
}

func (d *decoder) escapedString(start, i int) ([]byte, error) {
	data := d.data
	out := append(make([]byte, 0, i-start+16), data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if !utf8.Valid(out) {
				out = validUTF8(out)
			}
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(data) {
			break
		}
		switch e := data[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(data, i+2)
			if !ok {
				d.pos = i
				return nil, d.fail(`bad \u escape`)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(data, i+2); ok && i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			d.pos = i
			return nil, d.fail("bad escape %q", "\\"+string(rune(e)))
		}
		i += 2
	}
	d.pos = len(data)
	return nil, d.fail("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// str decodes a string and copies it.
func (d *decoder) str() (string, error) {
	b, err := d.rawString()
	return d.arenaString(b), err
}

// intern decodes a string and returns the interned copy.
func (d *decoder) intern(b []byte) string {
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	d.strs[s] = s
	return s
}

// literal consumes true, false or null.
func (d *decoder) literal(word string) bool {
	if bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		d.pos += len(word)
		return true
	}
	return false
}

// null consumes a null if there is one.
func (d *decoder) null() bool {
	return d.peek() == 'n' && d.literal("null")
}

// boolean decodes true or false; ok is false (nothing consumed) for any
// other value.
func (d *decoder) boolean() (v, ok bool) {
	switch d.peek() {
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	}
	return false, false
}

// number decodes a JSON number: int64 when it is an integer that fits,
// else float64.
func (d *decoder) number() (any, error) {
	start := d.pos
	i := start
	data := d.data
	if i < len(data) && data[i] == '-' {
		i++
	}
	digits := i
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	if i == digits {
		return nil, d.fail("want a value, found %s", d.describe())
	}
	if data[digits] == '0' && i-digits > 1 {
		d.pos = digits
		return nil, d.fail("bad number: leading zero")
	}
	isInt := true
	if i < len(data) && data[i] == '.' {
		isInt = false
		i++
		frac := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == frac {
			d.pos = i
			return nil, d.fail("bad number: want a digit after '.'")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		isInt = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		exp := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		if i == exp {
			d.pos = i
			return nil, d.fail("bad number: want a digit in the exponent")
		}
	}
	d.pos = i
	text := string(data[start:i])
	if isInt && text != "-0" {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		d.pos = start
		return nil, d.fail("bad number %s", text)
	}
	return f, nil
}

// value decodes any JSON value into nil, string, bool, int64, float64, []any
// or map[string]any. Short strings are interned when internValues.
// stringValue is a decoded string as an attribute value: interned (one
// boxed value per distinct string) when internValues.
func (d *decoder) stringValue(b []byte, internValues bool) any {
	if internValues && len(b) <= 64 {
		if v, ok := d.vals[string(b)]; ok {
			return v
		}
		s := d.intern(b)
		var v any = s
		d.vals[s] = v
		return v
	}
	return d.arenaString(b)
}

// attrString is a string value of attribute e of user u. Besides the
// interned values, it shares the bytes of a string the user holds already
// when it can: a manager's id is that user's id string (when read), a
// prefix of the user principal name (a mail nickname) is a part of it.
func (d *decoder) attrString(b []byte, e *attrKey, u *User) any {
	if !e.interned && len(b) > 0 {
		if e.name == "manager" {
			if j, ok := d.ids.getBytes(d.read, b); ok {
				return d.read[j].ID
			}
		} else if upn := u.UserPrincipalName; len(b) <= len(upn) && upn[:len(b)] == string(b) {
			return upn[:len(b)]
		}
	}
	return d.stringValue(b, e.interned)
}

func (d *decoder) value(internValues bool) (any, error) {
	switch c := d.peek(); c {
	case '"':
		b, err := d.rawString()
		if err != nil {
			return nil, err
		}
		return d.stringValue(b, internValues), nil
	case '{':
		m := map[string]any{}
		err := d.object(func(key []byte) error {
			v, err := d.value(internValues)
			m[d.intern(key)] = v
			return err
		})
		return m, err
	case '[':
		l := []any{}
		err := d.array(func(int) error {
			v, err := d.value(internValues)
			l = append(l, v)
			return err
		})
		return l, err
	case 't', 'f':
		v, _ := d.boolean()
		if d.pos < len(d.data) && isIdentByte(d.data[d.pos]) {
			return nil, d.fail("want a value")
		}
		return v, nil
	case 'n':
		if d.literal("null") {
			return nil, nil
		}
		return nil, d.fail("want a value, found %s", d.describe())
	case 0:
		return nil, d.fail("want a value, found end of file")
	default:
		if c == '-' || ('0' <= c && c <= '9') {
			return d.number()
		}
		return nil, d.fail("want a value, found %s", d.describe())
	}
}

func isIdentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// skip consumes any value.
func (d *decoder) skip() error {
	switch d.peek() {
	case '"':
		_, err := d.rawString()
		return err
	case '{':
		return d.object(func([]byte) error { return d.skip() })
	case '[':
		return d.array(func(int) error { return d.skip() })
	}
	_, err := d.value(false)
	return err
}

// badField records the first wrong-typed property of the current object
// and skips its value.
func (d *decoder) badField(key, want string) error {
	if d.fieldErr == "" {
		d.fieldErr = key + ": want " + want
	}
	return d.skip()
}

// optString decodes a string or null ("" for null); a value of another type
// is recorded with badField.
func (d *decoder) optString(key string, intern bool) (string, error) {
	switch d.peek() {
	case '"':
		b, err := d.rawString()
		if err != nil {
			return "", err
		}
		if intern {
			return d.intern(b), nil
		}
		return d.arenaString(b), nil
	case 'n':
		if d.literal("null") {
			return "", nil
		}
	}
	return "", d.badField(key, "a string")
}

func (d *decoder) optBool(key string) (bool, error) {
	if v, ok := d.boolean(); ok {
		return v, nil
	}
	if d.null() {
		return false, nil
	}
	return false, d.badField(key, "a boolean")
}

func (d *decoder) stringList(key string) ([]string, error) {
	if d.null() {
		return nil, nil
	}
	if d.peek() != '[' {
		return nil, d.badField(key, "an array of strings")
	}
	var out []string
	err := d.array(func(int) error {
		if d.peek() != '"' {
			return d.badField(key, "an array of strings")
		}
		s, err := d.str()
		out = append(out, s)
		return err
	})
	return out, err
}

func (d *decoder) snapshot() (*Snapshot, error) {
	s := &Snapshot{FormatVersion: -1}
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "formatVersion":
			v, verr := d.value(false)
			n, ok := v.(int64)
			if verr != nil {
				return verr
			}
			if !ok {
				return fmt.Errorf("%s: formatVersion: want an integer", d.name)
			}
			s.FormatVersion = int(n)
			if n != SnapshotFormatVersion {
				return fmt.Errorf("%s: formatVersion %d: this xtsync reads version %d", d.name, n, SnapshotFormatVersion)
			}
		case "tenantId":
			s.TenantID, err = d.optString("tenantId", false)
		case "capturedAt":
			s.CapturedAt, err = d.optString("capturedAt", false)
		case "verifiedDomains":
			s.VerifiedDomains, err = d.stringList("verifiedDomains")
		case "users":
			err = d.users(s)
		case "groups":
			err = d.groups(s)
		default:
			err = d.skip()
		}
		if err == nil && d.fieldErr != "" {
			err = fmt.Errorf("%s: %s", d.name, d.fieldErr)
		}
		return err
	})
	if err == nil && d.peek() != 0 {
		err = d.fail("unexpected %s after the document", d.describe())
	}
	if err != nil {
		return nil, d.positioned(err)
	}
	if s.FormatVersion < 0 {
		return nil, fmt.Errorf("%s: formatVersion: missing (want %d)", d.name, SnapshotFormatVersion)
	}
	if d.ids != nil && d.ids.n == len(s.Users) {
		d.ids.seal(s.Users)
		s.byID = d.ids
	}
	return s, nil
}

func (d *decoder) users(s *Snapshot) error {
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		return d.fail("users: want an array, found %s", d.describe())
	}
	// Sized from the first users' average length: one allocation of
	// about the right size, neither grown (copied) nor shrunk. Slots
	// reserved and never used are never touched, so cost no memory.
	start := d.pos
	s.Users = make([]User, 0, sampleUsers)
	d.ids = newIDIndex(sampleUsers)
	if d.columnar {
		d.cols = &columns{index: map[string]int{}, hint: sampleUsers}
		s.cols = d.cols
		defer func() { d.cols.pad(len(s.Users)) }()
	}
	sized := false
	size := func() {
		sized = true
		n := len(s.Users)
		est := n + int(float64(len(d.data)-d.pos)/float64(d.pos-start)*float64(n)*1.1) + 16
		s.Users = append(make([]User, 0, est), s.Users...)
		d.read = s.Users
		d.ids = newIDIndex(est)
		for i := range s.Users {
			d.ids.add(s.Users, int32(i))
		}
		if d.columnar {
			d.cols.resize(est, n)
		}
	}
	return d.array(func(i int) error {
		s.Users = append(s.Users, User{})
		u := &s.Users[len(s.Users)-1]
		d.fieldErr = ""
		if err := d.user(u, int32(len(s.Users)-1)); err != nil {
			return err
		}
		if d.fieldErr == "" && u.ID == "" {
			d.fieldErr = "id: missing"
		}
		if d.fieldErr != "" {
			return fmt.Errorf("%s: user %d (%q): %s", d.name, i, u.UserPrincipalName, d.fieldErr)
		}
		d.read = s.Users
		if j, ok := d.ids.add(s.Users, int32(i)); !ok {
			return fmt.Errorf("%s: user %d (%q): duplicate id %q (also user %d)", d.name, i, u.UserPrincipalName, u.ID, j)
		}
		if !sized && len(s.Users) == sampleUsers {
			size()
		}
		return nil
	})
}

// sampleUsers is how many users are read before the rest are counted.
const sampleUsers = 256

// internedAttrs are the user properties whose values repeat across users.
var internedAttrs = map[string]bool{
	"department": true, "jobTitle": true, "city": true, "country": true, "state": true,
	"companyName": true, "employeeType": true, "preferredLanguage": true, "officeLocation": true,
	"usageLocation": true, "givenName": true, "surname": true, "postalCode": true,
	"streetAddress": true, "showInAddressList": true, "creationType": true,
	"externalUserState": true, "onPremisesSyncEnabled": true,
}

// attrKey is an attribute name seen at one position of the users' other
// properties: users list them in the same order, so the name is compared
// with the previous user's at that position before any map look-up.
type attrKey struct {
	name     string
	interned bool // internedAttrs[name]
	col      int  // the column (columnar), -1 until made
}

// attrKey returns the attribute name key as the ord-th other property of a
// user.
func (d *decoder) attrKey(ord int, key []byte) *attrKey {
	if ord < len(d.keys) && d.keys[ord].name == string(key) {
		return &d.keys[ord]
	}
	k := d.intern(key)
	e := attrKey{name: k, interned: internedAttrs[k], col: -1}
	if d.columnar {
		if c, ok := d.cols.index[k]; ok {
			e.col = c
		}
	}
	switch {
	case ord < len(d.keys):
		d.keys[ord] = e
	case ord == len(d.keys) && ord < 64:
		d.keys = append(d.keys, e)
	default:
		d.spare = e
		return &d.spare
	}
	return &d.keys[ord]
}

// attr decodes the value of an attribute that is not a User field.
func (d *decoder) attr(u *User, idx int32, e *attrKey) error {
	if !d.columnar {
		if d.peek() == '"' {
			b, err := d.rawString()
			if err != nil {
				return err
			}
			if u.Attributes == nil {
				u.Attributes = make(map[string]any, 16)
			}
			u.Attributes[e.name] = d.attrString(b, e, u)
			return nil
		}
		v, err := d.value(e.interned)
		if err == nil && v != nil {
			if u.Attributes == nil {
				u.Attributes = make(map[string]any, 16)
			}
			u.Attributes[e.name] = v
		}
		return err
	}
	if e.col >= 0 && d.peek() == '"' {
		// A string: most repeat a value the column already holds.
		b, err := d.rawString()
		if err != nil {
			return err
		}
		if code, ok := d.cols.code(e.col, b); ok {
			d.cols.cols[e.col].setCode(int(idx), code)
			return nil
		}
		d.cols.setAt(e.col, int(idx), d.attrString(b, e, u))
		return nil
	}
	v, err := d.value(e.interned)
	if err == nil && v != nil {
		if e.col < 0 {
			e.col = d.cols.slot(e.name, int(idx))
		}
		d.cols.setAt(e.col, int(idx), v)
	}
	return err
}

func (d *decoder) user(u *User, idx int32) error {
	ord := 0
	return d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			u.ID, err = d.optString("id", false)
		case "userPrincipalName":
			u.UserPrincipalName, err = d.optString("userPrincipalName", false)
		case "mail":
			if d.peek() != '"' {
				u.Mail, err = d.optString("mail", false)
				break
			}
			var b []byte
			if b, err = d.rawString(); string(b) == u.UserPrincipalName {
				u.Mail = u.UserPrincipalName // most users: one string, not two
			} else {
				u.Mail = d.arenaString(b)
			}
		case "displayName":
			u.DisplayName, err = d.optString("displayName", false)
		case "userType":
			u.UserType, err = d.optString("userType", true)
		case "accountEnabled":
			u.AccountEnabled, err = d.optBool("accountEnabled")
		case "deleted":
			u.Deleted, err = d.optBool("deleted")
		case "alternativeSecurityIds":
			u.AlternativeSecurityIDs, err = d.altSecIDs()
		case "proxyAddresses":
			u.ProxyAddresses, err = d.stringList("proxyAddresses")
		case "source":
			u.Source, err = d.sourceLink()
		default:
			err = d.attr(u, idx, d.attrKey(ord, key))
			ord++
		}
		return err
	})
}

func (d *decoder) altSecIDs() ([]AltSecID, error) {
	if d.null() {
		return nil, nil
	}
	if d.peek() != '[' {
		return nil, d.badField("alternativeSecurityIds", "an array of objects")
	}
	var out []AltSecID
	err := d.array(func(int) error {
		if d.peek() != '{' {
			return d.badField("alternativeSecurityIds", "an array of objects")
		}
		var a AltSecID
		err := d.object(func(key []byte) error {
			switch string(key) {
			case "type":
				v, err := d.value(false)
				n, ok := v.(int64)
				if err == nil && !ok && v != nil {
					return d.badFieldAfter("alternativeSecurityIds.type", "an integer")
				}
				a.Type = int(n)
				return err
			case "identityProvider":
				var err error
				a.IdentityProvider, err = d.optString("alternativeSecurityIds.identityProvider", true)
				return err
			case "key":
				var err error
				a.Key, err = d.optString("alternativeSecurityIds.key", false)
				return err
			}
			return d.skip()
		})
		out = append(out, a)
		return err
	})
	return out, err
}

// badFieldAfter records a wrong-typed value already consumed.
func (d *decoder) badFieldAfter(key, want string) error {
	if d.fieldErr == "" {
		d.fieldErr = key + ": want " + want
	}
	return nil
}

func (d *decoder) sourceLink() (*SourceLink, error) {
	if d.null() {
		return nil, nil
	}
	if d.peek() != '{' {
		return nil, d.badField("source", "an object")
	}
	l := &SourceLink{}
	err := d.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "tenantId":
			l.TenantID, err = d.optString("source.tenantId", true)
		case "userId":
			l.UserID, err = d.optString("source.userId", false)
		case "config":
			l.Config, err = d.optString("source.config", true)
		case "linkSource":
			l.LinkSource, err = d.optString("source.linkSource", true)
		case "deletedBySync":
			if d.null() {
				return nil
			}
			v, ok := d.boolean()
			if !ok {
				return d.badField("source.deletedBySync", "a boolean")
			}
			l.DeletedBySync = &v
		default:
			err = d.skip()
		}
		return err
	})
	return l, err
}

func (d *decoder) groups(s *Snapshot) error {
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		return d.fail("groups: want an array, found %s", d.describe())
	}
	return d.array(func(i int) error {
		s.Groups = append(s.Groups, Group{})
		g := &s.Groups[len(s.Groups)-1]
		d.fieldErr = ""
		err := d.object(func(key []byte) error {
			var err error
			switch string(key) {
			case "id":
				g.ID, err = d.optString("id", false)
			case "displayName":
				g.DisplayName, err = d.optString("displayName", false)
			case "securityEnabled":
				g.SecurityEnabled, err = d.optBool("securityEnabled")
			case "members":
				g.Members, err = d.members()
				if d.columnar {
					for len(s.memberIdx) < i {
						s.memberIdx = append(s.memberIdx, nil)
					}
					s.memberIdx = append(s.memberIdx[:i], d.lastIdx)
				}
			default:
				err = d.skip()
			}
			return err
		})
		if err != nil {
			return err
		}
		if d.fieldErr == "" && g.ID == "" {
			d.fieldErr = "id: missing"
		}
		if d.fieldErr != "" {
			return fmt.Errorf("%s: group %d (%q): %s", d.name, i, g.DisplayName, d.fieldErr)
		}
		return nil
	})
}

// members decodes a group's members; a member that is a user read
// already shares the user's id string.
func (d *decoder) members() ([]string, error) {
	if d.null() {
		return nil, nil
	}
	if d.peek() != '[' {
		return nil, d.badField("members", "an array of strings")
	}
	var out []string
	var idx []int32
	err := d.array(func(int) error {
		if d.peek() != '"' {
			return d.badField("members", "an array of strings")
		}
		b, err := d.rawString()
		if err != nil {
			return err
		}
		if j, ok := d.ids.getBytes(d.read, b); ok {
			out = append(out, d.read[j].ID)
			idx = append(idx, j)
		} else {
			out = append(out, d.arenaString(b))
			idx = append(idx, -1)
		}
		return nil
	})
	d.lastIdx = idx
	return out, err
}

// DanglingMembers lists, per group id, the members that are neither a user
// nor a group of the snapshot, sorted. The simulator ignores them: a
// snapshot pulled while the directory changed may hold a few.
func (s *Snapshot) DanglingMembers() map[string][]string {
	byID := s.byID
	if !byID.valid(s.Users) {
		byID = buildIDIndex(s.Users)
	}
	groups := make(map[string]bool, len(s.Groups))
	for i := range s.Groups {
		groups[s.Groups[i].ID] = true
	}
	out := map[string][]string{}
	for g := range s.Groups {
		var idx []int32
		if g < len(s.memberIdx) {
			idx = s.memberIdx[g]
		}
		for k, m := range s.Groups[g].Members {
			if k < len(idx) && idx[k] >= 0 && int(idx[k]) < len(s.Users) && sameString(s.Users[idx[k]].ID, m) {
				continue // the reader found this user
			}
			if _, ok := byID.get(s.Users, m); !ok && !groups[m] {
				out[s.Groups[g].ID] = append(out[s.Groups[g].ID], m)
			}
		}
	}
	for _, l := range out {
		sort.Strings(l)
	}
	return out
}
