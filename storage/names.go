package storage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"hotline/flows"
)

// readable writes an upper-case ICE name in title case for people:
// "ELOY FEDERAL CONTRACT FACILITY" → "Eloy Federal Contract Facility",
// "KROME NORTH SPC" → "Krome North SPC". Acronyms stay upper case, small
// words lower case, and Mc and O' names get their second capital.
func readable(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		afterComma := i > 0 && strings.HasSuffix(words[i-1], ",")
		words[i] = readableWord(w, i == 0, afterComma)
	}
	return strings.Join(words, " ")
}

// readableWord title-cases one word of a name, with its punctuation.
func readableWord(w string, first, afterComma bool) string {
	core := strings.Trim(w, "(),.;:")
	upper := strings.ToUpper(core)
	lead := w[:strings.Index(w, core)]
	wrapped := strings.HasPrefix(lead, "(")
	switch {
	case core == "":
		return w
	case isAcronym(upper):
		return strings.Replace(w, core, upper, 1)
	case stateName(upper) != "" && (wrapped || afterComma || first && len(core) == 2 && upper != "LA"):
		// "CLARK COUNTY JAIL (IN)", "CASCADE COUNTY JAIL, MT", "AZ REM OP…".
		return strings.Replace(w, core, upper, 1)
	case !first && isSmallWord(strings.ToLower(core)):
		return strings.ToLower(w)
	}
	return titleWord(strings.ToLower(w))
}

// titleWord capitalises a lower-case word and each part of it after a dot,
// dash or slash ("ft.lauderdale", "soft-sided", "sheriff/jail"), plus the
// second capital of McCook and O'Neill.
func titleWord(w string) string {
	rs := []rune(w)
	up := true
	for i, r := range rs {
		if unicode.IsLetter(r) {
			if up {
				rs[i] = unicode.ToUpper(r)
			}
			up = false
			continue
		}
		switch r {
		case '.', '-', '/', '(':
			up = true
		case '\'', '’':
			// O'Neill and D'Iberville, but not Sheriff's.
			up = i == 1 || i >= 2 && !unicode.IsLetter(rs[i-2])
		}
	}
	out := string(rs)
	if strings.HasPrefix(out, "Mc") && utf8.RuneCountInString(out) > 3 {
		r, n := utf8.DecodeRuneInString(out[2:])
		out = "Mc" + string(unicode.ToUpper(r)) + out[2+n:]
	}
	return out
}

// isAcronym reports whether an upper-case word is written in capitals.
func isAcronym(w string) bool {
	switch w {
	case "ICE", "SPC", "CDF", "IPC", "USMS", "DHS", "ERO", "US", "USA", "PR", "CBP",
		"II", "III", "IV", "VI", "BOP", "DOD", "MOC", "IGSA", "DIGSA", "IGA",
		"CCA", "TGK", "CLIPC", "AROCC", "MDC", "FCI", "FDC", "USP", "NYC", "JTF",
		"SSM", "IAH", "NWDC", "NEOCC":
		return true
	}
	return false
}

// isSmallWord reports whether a lower-case word stays lower case inside a name.
func isSmallWord(w string) bool {
	switch w {
	case "of", "and", "the", "at", "de", "del", "for", "on":
		return true
	}
	return false
}

// stateName returns the name of a US state or territory from its two-letter
// code, or "" when code is not one. Guantánamo's rows use CU.
func stateName(code string) string {
	switch code {
	case "AK":
		return "Alaska"
	case "AL":
		return "Alabama"
	case "AR":
		return "Arkansas"
	case "AZ":
		return "Arizona"
	case "CA":
		return "California"
	case "CO":
		return "Colorado"
	case "CT":
		return "Connecticut"
	case "CU":
		return "Cuba"
	case "DC":
		return "District of Columbia"
	case "DE":
		return "Delaware"
	case "FL":
		return "Florida"
	case "GA":
		return "Georgia"
	case "GU":
		return "Guam"
	case "HI":
		return "Hawaii"
	case "IA":
		return "Iowa"
	case "ID":
		return "Idaho"
	case "IL":
		return "Illinois"
	case "IN":
		return "Indiana"
	case "KS":
		return "Kansas"
	case "KY":
		return "Kentucky"
	case "LA":
		return "Louisiana"
	case "MA":
		return "Massachusetts"
	case "MD":
		return "Maryland"
	case "ME":
		return "Maine"
	case "MI":
		return "Michigan"
	case "MN":
		return "Minnesota"
	case "MO":
		return "Missouri"
	case "MP":
		return "Northern Mariana Islands"
	case "MS":
		return "Mississippi"
	case "MT":
		return "Montana"
	case "NC":
		return "North Carolina"
	case "ND":
		return "North Dakota"
	case "NE":
		return "Nebraska"
	case "NH":
		return "New Hampshire"
	case "NJ":
		return "New Jersey"
	case "NM":
		return "New Mexico"
	case "NV":
		return "Nevada"
	case "NY":
		return "New York"
	case "OH":
		return "Ohio"
	case "OK":
		return "Oklahoma"
	case "OR":
		return "Oregon"
	case "PA":
		return "Pennsylvania"
	case "PR":
		return "Puerto Rico"
	case "RI":
		return "Rhode Island"
	case "SC":
		return "South Carolina"
	case "SD":
		return "South Dakota"
	case "TN":
		return "Tennessee"
	case "TX":
		return "Texas"
	case "UT":
		return "Utah"
	case "VA":
		return "Virginia"
	case "VI":
		return "Virgin Islands"
	case "VT":
		return "Vermont"
	case "WA":
		return "Washington"
	case "WI":
		return "Wisconsin"
	case "WV":
		return "West Virginia"
	case "WY":
		return "Wyoming"
	}
	return ""
}

// maxQueryRunes caps what Match will look at: a facility name with its city
// fits easily; a longer text is a message, not a name.
const maxQueryRunes = 120

// searchText normalises a facility name, alias or query for trigram matching:
// Cyrillic transliterated, lower case, punctuation gone, and the filler words
// every facility name has ("detention center", "county jail", "тюрьма")
// dropped, so that what is left is what tells facilities apart. When every
// word is filler, they are kept.
func searchText(s string) string {
	s = strings.ToLower(flows.Translit(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '`' || unicode.Is(unicode.Mn, r):
			// Sheriff's → sheriffs, O'Neill → oneill; Тако́ма → Такома.
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(foldAccent(r))
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	kept := words[:0:0]
	for _, w := range words {
		w = respell(w)
		if !isFiller(w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		kept = words
	}
	return strings.Join(kept, " ")
}

// respell brings a word closer to how it is spelt in the directory: Russian
// transliterations of English place names (Джена → dzhena → jena, Майами →
// miami) and abbreviations ICE uses (ft → fort).
func respell(w string) string {
	w = strings.ReplaceAll(w, "dzh", "j")
	w = strings.ReplaceAll(w, "kh", "h")
	switch {
	case w == "ft":
		return "fort"
	case w == "mayami":
		return "miami"
	case w == "nyu":
		return "new"
	// States as Russian says them, also after "в" ("в Техасе", "в
	// Джорджии", "везут в Луизиану"): "Стюарт в Джорджии" found nothing.
	case w == "tehas" || w == "tehase":
		return "texas"
	case w == "luiziana" || w == "luiziane" || w == "luizianu":
		return "louisiana"
	case w == "kaliforniya" || w == "kalifornii" || w == "kaliforniyu":
		return "california"
	case w == "jorjiya" || w == "jorjii" || w == "jorjiyu":
		return "georgia"
	case w == "arizone" || w == "arizonu":
		return "arizona"
	case w == "floride" || w == "floridu":
		return "florida"
	case w == "yorke":
		return "york"
	case w == "jersi":
		return "jersey"
	case w == "chikago":
		return "chicago"
	case w == "hyuston":
		return "houston"
	case w == "takoma":
		return "tacoma"
	case w == "feniks" || w == "finiks":
		return "phoenix"
	case w == "filadelfiya":
		return "philadelphia"
	case w == "sietl":
		return "seattle"
	case w == "nyuark":
		return "newark"
	case w == "solt":
		return "salt"
	case w == "leyk":
		return "lake"
	case w == "siti":
		return "city"
	case strings.HasPrefix(w, "yuzhn"):
		return "south"
	case strings.HasPrefix(w, "severn"):
		return "north"
	case strings.HasPrefix(w, "zapadn"):
		return "west"
	case strings.HasPrefix(w, "vostochn"):
		return "east"
	case strings.HasPrefix(w, "tsentraln"):
		return "central"
	case strings.HasPrefix(w, "federaln"):
		return "federal"
	}
	return w
}

// soundText writes a normalised search text (searchText) as it sounds,
// roughly, so that an English name and its Russian spelling transliterated
// come out alike: Conroe and "Конро" (konro) are both "knr", Bakersfield
// and "Бейкерсфилд" (beykersfild) "bkrsfld", Winn and "Винн" "vn". Letters
// that sound alike become one (c as k or s, x as ks, w as v, ph as f, th
// as t, y as i), the vowels after a word's first letter go (Russian
// writes the English a of Baker as "ей", the i of Pike as "ай"), and so do
// doubled letters.
func soundText(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = soundWord(w)
	}
	return strings.Join(words, " ")
}

// soundReplacer spells the sounds of soundWord, longest first.
var soundReplacer = strings.NewReplacer(
	"ph", "f", "th", "t", "ck", "k", "qu", "kv", "q", "k", "x", "ks", "w", "v", "y", "i",
	"ts", "s", "ce", "se", "ci", "si", "cy", "si", "ch", "ch", "c", "k",
)

func soundWord(w string) string {
	w = soundReplacer.Replace(w)
	var b strings.Builder
	var last rune
	for i, r := range w {
		if i > 0 && strings.ContainsRune("aeiou", r) {
			last = r
			continue
		}
		if r == last {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}

// isFiller reports whether a normalised word is one that many facility names
// share, in English or transliterated Russian, and so tells nothing apart.
func isFiller(w string) bool {
	switch w {
	case "detention", "detentions", "center", "centre", "centers", "ctr", "cntr",
		"facility", "facilities", "fac", "processing", "ice", "service", "services",
		"spc", "ipc", "cdf", "correctional", "corrections", "correction", "corr",
		"det", "jail", "prison", "county", "co", "parish", "immigration",
		"immigrant", "contract", "federal", "fed", "dept", "department",
		"institution", "inst", "complex", "public", "safety", "sheriff", "sheriffs",
		"office", "the", "of", "in", "at", "and", "a",
		// Russian, transliterated: в, на, штат, город, центр, тюрьма, лагерь,
		// айс (ICE), каунти, иммиграционный, задержания, содержания, изолятор.
		"v", "vo", "na", "iz", "ays", "kaunti", "jeyl", "detenshn",
		// The words of a sentence around the name: "he is being held in
		// Conroe", "его держат в Конро", "кажется, сейчас в Krome".
		"he", "she", "they", "him", "her", "them", "is", "are", "was", "were", "being", "been", "held",
		"kept", "now", "currently", "still", "taken", "took", "moved", "transferred", "to", "detained",
		"i", "think", "maybe", "probably", "my", "his", "there",
		"on", "ona", "oni", "ego", "eyo", "ee", "ikh", "seychas", "derzhat", "nakhoditsya", "sidit",
		"pereveli", "otvezli", "uvezli", "kazhetsya", "navernoe", "naverno", "vrode", "dumayu", "tam", "uzhe",
		// Being moved there: "его везут в Луизиану", "they are taking him to Krome".
		"vezut", "povezli", "perevozyat", "otpravili", "otpravlyayut", "taking", "sending", "sent":
		return true
	}
	for _, p := range []string{"tsentr", "tyurm", "lager", "shtat", "gorod", "okrug",
		"immigrats", "migrats", "zaderzh", "soderzh", "izolyat", "detensh", "detench",
	} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// foldAccent drops the accent from common accented Latin letters, so that
// "Peñitas" and "Penitas" match.
func foldAccent(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	return r
}
