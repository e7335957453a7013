package flows

import (
	"crypto/rand"
	"strings"
	"unicode"
	"unicode/utf8"
)

// codeAlphabet is Crockford's base32: digits and upper-case letters without
// I, L, O and U, so that a code read aloud or copied by hand stays the same.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLen is the length of a case code: 8 characters of 5 bits, 40 bits.
const codeLen = 8

// NewCaseCode returns a fresh random case code: 8 Crockford base32
// characters, 40 random bits, at least one of them a letter.
func NewCaseCode() string { return CaseCodeFrom(rand.Read) }

// CaseCodeFrom is NewCaseCode with its random bits read from read. Eight
// digits alone are drawn again (about one code in 10,000): typed at the
// menu, they read as an A-number, and a friend typing the code was told
// what the bot does with A-numbers.
func CaseCodeFrom(read func([]byte) (int, error)) string {
	for {
		var b [5]byte
		// crypto/rand.Read never returns an error; it crashes the program
		// if the system's randomness is broken.
		_, _ = read(b[:])
		v := uint64(b[0])<<32 | uint64(b[1])<<24 | uint64(b[2])<<16 | uint64(b[3])<<8 | uint64(b[4])
		out := make([]byte, codeLen)
		letter := false
		for i := codeLen - 1; i >= 0; i-- {
			out[i] = codeAlphabet[v&31]
			letter = letter || v&31 >= 10
			v >>= 5
		}
		if letter {
			return string(out)
		}
	}
}

// NormalizeCode reads a case code the way people type or paste it: any case,
// with spaces or dashes, with a leading "c_" (from a deep link) or "#", O for
// 0, I or L for 1, and Cyrillic letters that look like Latin ones. ok is false
// when what is left is not 8 valid characters.
func NormalizeCode(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "#")
	if len(s) >= 2 && (s[0] == 'c' || s[0] == 'C') && s[1] == '_' {
		s = s[2:]
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			if b.Len() != codeLen/2 {
				// Only between the two groups, as the code is written
				// (K7M4-Q9XP): "ok thanks" has eight code letters too.
				return "", false
			}
			continue
		}
		c, valid := codeChar(unicode.ToUpper(r))
		if !valid || b.Len() == codeLen {
			return "", false
		}
		b.WriteByte(c)
	}
	if b.Len() != codeLen {
		return "", false
	}
	return b.String(), true
}

// FindCode finds the case code in a message: one that is only a code, as
// NormalizeCode reads it, or a longer one — "мой код K7M4-Q9XP", a forwarded
// confirmation with its link. To tell a code from the words and numbers
// around it, it takes a link's c_ code, or a word of eight code characters
// (four, a dash, four; or eight in a row) with both a digit and a letter:
// no phone, A-number, date or plain word is one. ok is false when there is
// none, or two different ones.
func FindCode(s string) (code string, ok bool) {
	if code, ok := NormalizeCode(s); ok {
		return code, true
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Pd, r) && r != '_'
	})
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return unicode.Is(unicode.Pd, r) })
		c, valid := NormalizeCode(w)
		if !valid {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(w), "c_") {
			parts := strings.FieldsFunc(w, func(r rune) bool { return unicode.Is(unicode.Pd, r) })
			shaped := len(parts) == 1 || len(parts) == 2 && utf8.RuneCountInString(parts[0]) == 4
			if !shaped || !strings.ContainsFunc(w, unicode.IsDigit) || !strings.ContainsFunc(w, unicode.IsLetter) {
				continue
			}
		}
		if code != "" && code != c {
			return "", false
		}
		code = c
	}
	// The two halves written with a space in a short message ("код K7M4
	// Q9XP"): both a digit and a letter among them, and not a number
	// beside a word ("in 2025 when"). In a longer one ("my friend's wife
	// gave me this code 3C4M B1ZG, what's going on?") they must look like
	// a code's: one of letters and digits, the other too or in capitals,
	// not "3C4M said".
	short := len(words) <= 8
	for i := 0; i+1 < len(words); i++ {
		a, b := words[i], words[i+1]
		if utf8.RuneCountInString(a) != codeLen/2 || utf8.RuneCountInString(b) != codeLen/2 {
			continue
		}
		if !short && !(mixed(a) && (mixed(b) || capitals(b)) || mixed(b) && capitals(a)) {
			continue
		}
		c, valid := NormalizeCode(a + b)
		if !valid || !strings.ContainsFunc(a+b, unicode.IsDigit) || !strings.ContainsFunc(a+b, unicode.IsLetter) {
			continue
		}
		if isDigits(a) && !strings.ContainsFunc(b, unicode.IsDigit) || isDigits(b) && !strings.ContainsFunc(a, unicode.IsDigit) {
			continue
		}
		if code != "" && code != c {
			return "", false
		}
		code = c
	}
	return code, code != ""
}

// mixed reports whether w has both a letter and a digit.
func mixed(w string) bool {
	return strings.ContainsFunc(w, unicode.IsDigit) && strings.ContainsFunc(w, unicode.IsLetter)
}

// capitals reports whether w has no lower-case letter.
func capitals(w string) bool { return !strings.ContainsFunc(w, unicode.IsLower) }

// codeChar maps an upper-case character to the code alphabet.
func codeChar(r rune) (byte, bool) {
	switch r {
	case 'O', 'О': // Latin and Cyrillic O
		return '0', true
	case 'I', 'L':
		return '1', true
	case 'А':
		return 'A', true
	case 'В':
		return 'B', true
	case 'С':
		return 'C', true
	case 'Е':
		return 'E', true
	case 'Н':
		return 'H', true
	case 'К':
		return 'K', true
	case 'М':
		return 'M', true
	case 'Р':
		return 'P', true
	case 'Т':
		return 'T', true
	case 'Х':
		return 'X', true
	}
	if r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0 {
		return byte(r), true
	}
	return 0, false
}

// FormatCode writes a case code in two groups of four for reading:
// K7M4Q9XP → K7M4-Q9XP.
func FormatCode(code string) string {
	if len(code) != codeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}
