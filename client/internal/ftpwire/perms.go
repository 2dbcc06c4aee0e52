package ftpwire

import (
	"bytes"
	"strconv"
	"strings"
)

// Perms maps a name, as jlaffaye/ftp parsed it from a listing, to the
// permissions the same listing line reported. jlaffaye/ftp drops them, so
// the engine reads them again from the raw listing it captures.
type Perms map[string]string

// Of returns the permissions listed for name, or "" when there were none.
func (pt Perms) Of(name string) string { return pt[name] }

// ParsePerms reads the permissions of every line of a raw LIST or MLSD
// listing. It finds each line's name exactly as jlaffaye/ftp does (the
// same parsers, tried in the same order), so that names with spaces or
// leading blanks, and links shown as "name -> target", match its entries.
// Lines without permissions (MS-DOS style, MLSD without UNIX.mode or perm)
// add nothing; when a name is listed twice the first line wins. Every
// permission string in the table is validated: a few letters, never
// anything that could drive a terminal.
func ParsePerms(raw []byte) Perms {
	pt := Perms{}
	for len(raw) > 0 {
		var line []byte
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			line, raw = raw, nil
		}
		// bufio.ScanLines, which jlaffaye/ftp reads with, drops one "\r".
		line = bytes.TrimSuffix(line, []byte{'\r'})
		name, perm, ok := linePerm(string(line))
		if !ok || perm == "" {
			continue
		}
		if _, seen := pt[name]; !seen {
			pt[name] = perm
		}
	}
	return pt
}

// linePerm returns the name and permissions of one listing line; ok is
// false when jlaffaye/ftp would not read the line as an MLSD or Unix ls
// entry (MS-DOS lines have no permissions at all).
func linePerm(line string) (name, perm string, ok bool) {
	if name, perm, ok := mlsdPerm(line); ok {
		return name, perm, true
	}
	if name, perm, ok := lsPerm(line); ok {
		return name, perm, true
	}
	return hostedFTPPerm(line)
}

// mlsdPerm reads an RFC 3659 line, "fact=value;fact=value; name". The
// permissions are the UNIX.mode fact rendered as ls shows it, else the
// perm fact (RFC 3659's letters, "adfrw").
func mlsdPerm(line string) (name, perm string, ok bool) {
	semi, space := strings.IndexByte(line, ';'), strings.IndexByte(line, ' ')
	if semi < 0 || semi > space {
		return "", "", false
	}
	name = line[space+1:]
	var mode, typ, permFact string
	var haveMode, havePerm bool
	for _, field := range strings.Split(line[:space-1], ";") {
		i := strings.IndexByte(field, '=')
		if i < 1 {
			return "", "", false
		}
		switch value := field[i+1:]; strings.ToLower(field[:i]) {
		case "unix.mode":
			mode, haveMode = value, true
		case "type":
			typ = value
		case "perm":
			permFact, havePerm = value, true
		}
	}
	if haveMode {
		if p := renderMode(mode, typ); p != "" {
			return name, p, true
		}
	}
	if havePerm && validPermFact(permFact) {
		return name, strings.ToLower(permFact), true
	}
	return name, "", true
}

// renderMode renders an octal UNIX.mode ("0644", "4755", "100644") as ls
// does ("-rw-r--r--"). The first letter comes from the MLSD type fact,
// else from the file-type bits of the mode, else it is "?".
func renderMode(mode, typ string) string {
	v, err := strconv.ParseUint(mode, 8, 32)
	if err != nil || v > 0o177777 {
		return ""
	}
	b := []byte{fileTypeLetter(typ, v), '-', '-', '-', '-', '-', '-', '-', '-', '-'}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if v&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		}
	}
	special := func(bit uint64, at int, set, unset byte) {
		if v&bit == 0 {
			return
		}
		if b[at] == 'x' {
			b[at] = set
		} else {
			b[at] = unset
		}
	}
	special(0o4000, 3, 's', 'S')
	special(0o2000, 6, 's', 'S')
	special(0o1000, 9, 't', 'T')
	return string(b)
}

// fileTypeLetter is ls's first letter for an MLSD type fact or, failing
// that, for the S_IFMT bits of a mode.
func fileTypeLetter(typ string, mode uint64) byte {
	t := strings.ToLower(typ)
	switch {
	case t == "dir" || t == "cdir" || t == "pdir":
		return 'd'
	case t == "file":
		return '-'
	case strings.HasPrefix(t, "os.unix=symlink") || strings.HasPrefix(t, "os.unix=slink"):
		return 'l'
	}
	switch mode & 0o170000 {
	case 0o040000:
		return 'd'
	case 0o100000:
		return '-'
	case 0o120000:
		return 'l'
	case 0o020000:
		return 'c'
	case 0o060000:
		return 'b'
	case 0o010000:
		return 'p'
	case 0o140000:
		return 's'
	}
	return '?'
}

// validPermFact accepts an RFC 3659 perm fact: only its letters.
func validPermFact(p string) bool {
	if p == "" || len(p) > 10 {
		return false
	}
	for _, c := range strings.ToLower(p) {
		if !strings.ContainsRune("acdeflmprw", c) {
			return false
		}
	}
	return true
}

// lsPerm reads a Unix ls line the way jlaffaye/ftp's parseLsListLine does,
// variants included ("folder 0" and a link count of 0). ok is false where
// jlaffaye/ftp would try its next parser.
func lsPerm(line string) (name, perm string, ok bool) {
	if i := strings.IndexByte(line, ' '); i != 10 && (i != 11 || line[10] != '+') {
		return "", "", false
	}
	sc := &fieldScanner{s: line}
	fields := sc.nextFields(6)
	if len(fields) < 6 {
		return "", "", false
	}
	perm = validLsPerm(fields[0])
	if fields[1] == "folder" && fields[2] == "0" {
		return sc.rest(), perm, true
	}
	if fields[1] == "0" {
		sc.next()
		if _, err := strconv.ParseUint(fields[2], 0, 64); err != nil {
			return "", "", false
		}
		return sc.rest(), perm, true
	}
	if fields = append(fields, sc.nextFields(2)...); len(fields) < 8 {
		return "", "", false
	}
	name = sc.rest()
	switch fields[0][0] {
	case '-', 'd':
	case 'l':
		if i := strings.Index(name, " -> "); i > 0 {
			name = name[:i]
		}
	default:
		return "", "", true // jlaffaye/ftp drops the line: an unknown type
	}
	return name, perm, true
}

// hostedFTPPerm reads hostedftp.com's lines (a link count of 0) as
// jlaffaye/ftp's parseHostedFTPLine does: as ls lines with a count of 1.
func hostedFTPPerm(line string) (name, perm string, ok bool) {
	if strings.IndexByte(line, ' ') != 10 {
		return "", "", false
	}
	sc := &fieldScanner{s: line}
	fields := sc.nextFields(2)
	if len(fields) < 2 || fields[1] != "0" {
		return "", "", false
	}
	return lsPerm(fields[0] + " 1 " + sc.rest())
}

// validLsPerm returns an ls permission field ("-rw-r--r--", "drwxr-xr-x+")
// when it is one, else "".
func validLsPerm(f string) string {
	if len(f) != 10 && (len(f) != 11 || f[10] != '+') {
		return ""
	}
	if !strings.ContainsRune("-dlbcpsDn?", rune(f[0])) {
		return ""
	}
	for i := 1; i < 10; i++ {
		if !strings.ContainsRune("-rwxsStTlL", rune(f[i])) {
			return ""
		}
	}
	return f
}

// fieldScanner splits on spaces as jlaffaye/ftp's scanner does: runs of
// spaces separate fields, and the one space after a field is consumed with
// it, so that the rest (a name) keeps any further leading spaces.
type fieldScanner struct {
	s   string
	pos int
}

func (sc *fieldScanner) next() string {
	for sc.pos < len(sc.s) && sc.s[sc.pos] == ' ' {
		sc.pos++
	}
	start := sc.pos
	for sc.pos < len(sc.s) {
		if sc.s[sc.pos] == ' ' {
			sc.pos++
			return sc.s[start : sc.pos-1]
		}
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

func (sc *fieldScanner) nextFields(n int) []string {
	fields := make([]string, 0, n)
	for i := 0; i < n; i++ {
		f := sc.next()
		if f == "" {
			break
		}
		fields = append(fields, f)
	}
	return fields
}

func (sc *fieldScanner) rest() string { return sc.s[sc.pos:] }
