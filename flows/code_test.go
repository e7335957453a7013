package flows_test

import (
	"strings"
	"testing"

	"hotline/flows"
)

// crockford is the alphabet of case codes: Crockford's base 32, without
// I, L, O and U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func TestNewCaseCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := flows.NewCaseCode()
		if len(c) != 8 {
			t.Fatalf("flows.NewCaseCode() = %q, want 8 characters", c)
		}
		for _, r := range c {
			if !strings.ContainsRune(crockford, r) {
				t.Fatalf("flows.NewCaseCode() = %q has %q, not in the Crockford alphabet", c, r)
			}
		}
		if got, ok := flows.NormalizeCode(c); !ok || got != c {
			t.Fatalf("flows.NormalizeCode(%q) = %q, %v; want the code back", c, got, ok)
		}
		if seen[c] {
			t.Fatalf("flows.NewCaseCode() repeated %q within 1000 codes", c)
		}
		seen[c] = true
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"K7M4Q9XP", "K7M4Q9XP", true},
		{"k7m4q9xp", "K7M4Q9XP", true},
		{"K7M4-Q9XP", "K7M4Q9XP", true},
		{" k7m4 q9xp ", "K7M4Q9XP", true},
		{"K7M4–Q9XP", "K7M4Q9XP", true}, // en dash, as phones type it
		{"c_K7M4Q9XP", "K7M4Q9XP", true},
		{"C_k7m4q9xp", "K7M4Q9XP", true},
		{"#K7M4-Q9XP", "K7M4Q9XP", true},
		{"OOIL1234", "00111234", true},
		{"К7М4Q9ХР", "K7M4Q9XP", true}, // Cyrillic К, М, Х, Р
		{"", "", false},
		{"K7M4Q9X", "", false},
		{"K7M4Q9XPZ", "", false},
		{"K7M4Q9XU", "", false}, // U is not in the alphabet
		{"K7M4_Q9XP", "", false},
		{"K7M4Q9X!", "", false},
		{"привет!!", "", false},
		{"c_", "", false},
		{"K7M4 - Q9XP", "K7M4Q9XP", true},
		// Words with eight code letters, separated elsewhere than a
		// code is: said at the menu, not a code to look up.
		{"ok thanks", "", false},
		{"in 10 days", "", false},
		{"K7 M4Q9XP", "", false},
	}
	for _, tt := range tests {
		got, ok := flows.NormalizeCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("flows.NormalizeCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestFindCode: a code inside what people paste — a sentence, the
// reporter's forwarded confirmation, its link — is found; phones, A-numbers,
// dates and words are not taken for one.
func TestFindCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"мой код K7M4-Q9XP", "K7M4Q9XP"},
		{"Код дела: K7M4-Q9XP\nСсылка для родных и друзей: https://t.me/hotline_bot?start=c_K7M4Q9XP", "K7M4Q9XP"},
		{"https://t.me/hotline_bot?start=c_ABCDEFGH", "ABCDEFGH"}, // a link's code needs no digit
		{"check case k7m4q9xp please", "K7M4Q9XP"},
		{"case (K7M4–Q9XP).", "K7M4Q9XP"},
		{"codes K7M4-Q9XP and K7M4Q9XP", "K7M4Q9XP"},
		{"K7M4-Q9XP or 2BCD-EFG7?", ""}, // two different: ambiguous
		{"его задержали вчера, A-number A212345678", ""},
		{"call me at 305-555-0100 or 1234-5678", ""},
		{"hearing on 2026-12-20", ""},
		{"at the BACK-DOOR", ""}, // alone, it reads as a code, as NormalizeCode reads it
		{"DETAINED yesterday", ""},
		{"ABCDEFGH", "ABCDEFGH"}, // a message that is only a code needs no digit
		{" k7m4 q9xp ", "K7M4Q9XP"},
		{"код 8Z1W QCTP", "8Z1WQCTP"}, // the halves with a space, among words
		{"my code is k7m4 q9xp thanks", "K7M4Q9XP"},
		{"arrested in 2025 when he went", ""}, // a number beside a word
		// In a longer message, halves that look like a code's.
		{"hi, my friend's wife gave me this code 3C4M B1ZG, what's going on with Sergei?", "3C4MB1ZG"},
		{"hi, my friend's wife gave me this code 8Z1W QCTP, what's going on with Sergei?", "8Z1WQCTP"},
		{"hi, my friend's wife gave me this code 8z1w qctp, what's going on with Sergei?", ""},
		{"he said 3C4M said the officer at the desk when we came in the morning", ""},
		{"we came in 2025 when he went to the office for the first time, no news", ""},
		{"call 1234 5678", ""},
		{"K7M4Q9X", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := flows.FindCode(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("flows.FindCode(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestFormatCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"K7M4Q9XP", "K7M4-Q9XP"},
		{"0000ZZZZ", "0000-ZZZZ"},
		{"SHORT", "SHORT"},
	}
	for _, tt := range tests {
		if got := flows.FormatCode(tt.in); got != tt.want {
			t.Errorf("flows.FormatCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A code of eight digits is drawn again: typed at the menu, eight digits
// read as an A-number, and the friend typing the code was told what the
// bot does with A-numbers instead of the case's status (it happened to a
// test, one code in about 10,000).
func TestCaseCodeHasALetter(t *testing.T) {
	draws := [][]byte{make([]byte, 5), {0xff, 0xff, 0xff, 0xff, 0xff}}
	read := func(b []byte) (int, error) {
		copy(b, draws[0])
		draws = draws[1:]
		return len(b), nil
	}
	if got := flows.CaseCodeFrom(read); got != "ZZZZZZZZ" {
		t.Errorf("after 00000000 drawn: %q, want the next draw, ZZZZZZZZ", got)
	}
	for range 1000 {
		if code := flows.NewCaseCode(); !strings.ContainsFunc(code, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
			t.Fatalf("NewCaseCode() = %q, no letter", code)
		}
	}
}
