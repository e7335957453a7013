package flows

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Translit writes Russian or Ukrainian Cyrillic in readable Latin letters, the
// way names appear in passports and US documents: Элой → Eloy, Иванов Сергей
// → Ivanov Sergey. Case is kept; Latin letters, digits and everything else
// pass through unchanged. A text with і, ї, є or ґ is read as Ukrainian, where
// г is h and и is y.
func Translit(s string) string {
	return translit(s, strings.ContainsAny(s, "іїєґІЇЄҐ"), nil)
}

// translit writes s in Latin letters, letters in override first.
func translit(s string, ukrainian bool, override map[rune]string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		lower := unicode.ToLower(r)
		latin, ok := override[lower]
		if !ok {
			latin, ok = translitRune(lower, ukrainian, wordStart(rs, i), afterVowel(rs, i))
		}
		if !ok {
			b.WriteRune(r)
			continue
		}
		if latin == "" || lower == r {
			b.WriteString(latin)
			continue
		}
		// An upper-case letter: Ж is "ZH" inside an upper-case word and "Zh" in
		// a capitalised one.
		if len(latin) > 1 && upperWord(rs, i) {
			b.WriteString(strings.ToUpper(latin))
			continue
		}
		b.WriteString(strings.ToUpper(latin[:1]))
		b.WriteString(latin[1:])
	}
	return b.String()
}

// translitRune returns the Latin spelling of one lower-case Cyrillic letter;
// ok is false for anything that is not one.
func translitRune(r rune, ukrainian, start, afterVowel bool) (latin string, ok bool) {
	switch r {
	case 'а':
		return "a", true
	case 'б':
		return "b", true
	case 'в':
		return "v", true
	case 'г':
		if ukrainian {
			return "h", true
		}
		return "g", true
	case 'ґ':
		return "g", true
	case 'д':
		return "d", true
	case 'е':
		return "e", true
	case 'ё':
		// Фёдор is Fedor in a passport, but a word that starts with ё reads
		// better as yo: Ёлкин → Yolkin.
		if start || afterVowel {
			return "yo", true
		}
		return "e", true
	case 'є':
		if start {
			return "ye", true
		}
		return "ie", true
	case 'ж':
		return "zh", true
	case 'з':
		return "z", true
	case 'и':
		if ukrainian {
			return "y", true
		}
		return "i", true
	case 'і':
		return "i", true
	case 'ї':
		if start {
			return "yi", true
		}
		return "i", true
	case 'й':
		return "y", true
	case 'к':
		return "k", true
	case 'л':
		return "l", true
	case 'м':
		return "m", true
	case 'н':
		return "n", true
	case 'о':
		return "o", true
	case 'п':
		return "p", true
	case 'р':
		return "r", true
	case 'с':
		return "s", true
	case 'т':
		return "t", true
	case 'у':
		return "u", true
	case 'ў':
		return "w", true
	case 'ф':
		return "f", true
	case 'х':
		return "kh", true
	case 'ц':
		return "ts", true
	case 'ч':
		return "ch", true
	case 'ш':
		return "sh", true
	case 'щ':
		return "shch", true
	case 'ъ', 'ь':
		return "", true
	case 'ы':
		return "y", true
	case 'э':
		return "e", true
	case 'ю':
		return "yu", true
	case 'я':
		return "ya", true
	}
	return "", false
}

// wordStart reports whether rs[i] begins a word.
func wordStart(rs []rune, i int) bool {
	return i == 0 || !unicode.IsLetter(rs[i-1])
}

// afterVowel reports whether rs[i] follows a vowel or a hard or soft sign,
// where ё, є and ї are pronounced with a y.
func afterVowel(rs []rune, i int) bool {
	if i == 0 {
		return false
	}
	return strings.ContainsRune("аеёиоуыэюяіїєъьaeiouy", unicode.ToLower(rs[i-1]))
}

// upperWord reports whether the letter at i stands in an upper-case word: the
// next letter is upper case, or, at the end of a word, the previous one is.
func upperWord(rs []rune, i int) bool {
	if i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
		return unicode.IsUpper(rs[i+1])
	}
	if i > 0 && unicode.IsLetter(rs[i-1]) {
		return unicode.IsUpper(rs[i-1])
	}
	return false
}

// TranslitICAO writes Russian Cyrillic the way Russian passports issued
// since 2014 do (ICAO Doc 9303): Сергей → Sergei, Юлия → Iuliia, Дмитрий →
// Dmitrii. Older passports and US papers often have Translit's spelling
// (Sergey, Yuliya, Dmitriy), and the ICE locator needs the exact one, so
// both are offered. Ukrainian text is left to Translit.
func TranslitICAO(s string) string {
	if strings.ContainsAny(s, "іїєґІЇЄҐ") {
		return Translit(s)
	}
	return translit(s, false, map[rune]string{'й': "i", 'ю': "iu", 'я': "ia", 'ъ': "ie", 'ё': "e"})
}

// latinSpellings are the two passports' spellings of a Cyrillic name
// (TranslitICAO, Translit) as US papers write it (givenFirst): "Петров
// Иван Сергеевич" is "Ivan Petrov".
func latinSpellings(cyr string) (icao, old string) {
	cyr, _ = givenFirst(cyr)
	return TranslitICAO(cyr), Translit(cyr)
}

// givenFirst is a Cyrillic name as US papers write it, and whether its
// words were turned round: without the patronymic (a passport for travel
// and US papers have none, and the ICE locator finds no "Sergei
// Nikolaevich Kuznetsov"), and the given name first. Russian forms write
// the surname first ("Кузнецов Сергей Николаевич", "Петров Иван"); read as
// given, "Petrov Ivan" sent a volunteer to the locator with Petrov for the
// first name. A name is turned round when a patronymic ends it, or when
// its first word ends as surnames do (-ов, -ева, -ский, -енко…) and the
// second does not, or is a common given name.
func givenFirst(cyr string) (string, bool) {
	if name, p, ok := withoutPatronymic(cyr); ok {
		f := strings.Fields(name)
		if strings.Fields(cyr)[2] == p {
			return f[1] + " " + f[0], true
		}
		return name, false
	}
	f := strings.Fields(cyr)
	if len(f) != 2 || !surnameLike(f[0]) || surnameLike(f[1]) && !givenNames[strings.ToLower(f[1])] ||
		givenNames[strings.ToLower(f[0])] {
		return cyr, false
	}
	return f[1] + " " + f[0], true
}

// latinSurnameFirst says a two-word Latin name may begin with the surname,
// as a Russian passport lists them ("Petrov Ivan", "KARIMOV FARHOD"): the
// first word ends as surnames do and the second is a common given name.
func latinSurnameFirst(name string) bool {
	f := strings.Fields(strings.ToLower(name))
	if len(f) != 2 || latinGiven[f[0]] || !latinGiven[f[1]] || utf8.RuneCountInString(f[0]) < 4 {
		return false
	}
	return slices.ContainsFunc(latinSurnameEnds, func(e string) bool { return strings.HasSuffix(f[0], e) })
}

// latinSurnameEnds are surnameEnds in Latin letters.
var latinSurnameEnds = []string{"ov", "ev", "in", "yn", "ova", "eva", "ina", "yna", "sky", "skiy", "skii", "ski",
	"skaya", "enko", "uk", "yuk", "iuk", "chuk", "yan", "ian", "dze", "shvili", "zade", "zoda", "vich"}

// latinGiven are givenNames as passports and US papers spell them.
var latinGiven = map[string]bool{}

// surnameLike says a Cyrillic word ends as surnames do.
func surnameLike(w string) bool {
	w = strings.ToLower(w)
	if utf8.RuneCountInString(w) < 4 {
		return false
	}
	return slices.ContainsFunc(surnameEnds, func(e string) bool { return strings.HasSuffix(w, e) })
}

// surnameEnds end surnames of the countries the hotline's callers come
// from: Russian, Ukrainian, Belarusian, Armenian, Georgian, Central Asian.
var surnameEnds = []string{"ов", "ев", "ёв", "ин", "ын", "ова", "ева", "ёва", "ина", "ына", "ский", "цкий", "ская",
	"цкая", "енко", "чук", "юк", "ук", "ян", "янц", "дзе", "швили", "заде", "зода", "вич"}

// givenNames are common given names that end as surnames do (Марина,
// Константин) or that tell which word is the given name.
var givenNames = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`иван сергей алексей андрей дмитрий михаил николай александр владимир евгений
		павел максим артём артем денис роман игорь олег виктор юрий антон илья кирилл никита егор константин валентин
		вадим руслан тимур рустам фарход бахтиёр шерзод азамат арсен давид георгий тигран арман ислам магомед ахмед
		али мурат нурлан ержан айбек улугбек бекзод жасур достон отабек мартин вениамин анна мария елена ольга
		наталья наталия ирина татьяна светлана екатерина юлия анастасия марина галина полина кристина алина дарья
		виктория ксения оксана людмила валентина надежда вера любовь зарина дилноза гульнара нигора мадина камила
		алия айгуль карина регина ангелина снежана фатима`) {
		givenNames[n] = true
		latinGiven[strings.ToLower(Translit(n))] = true
		latinGiven[strings.ToLower(TranslitICAO(n))] = true
	}
	for _, n := range strings.Fields(`alexander alexandr alexey alexei maxim victor yuri yury dmitry dmitri
		yevgeny evgeny georgy farhod bakhtiyor ahmed akhmed magomed ulugbek natalia julia yulia tatiana
		ekaterina yekaterina anastasia viktoria victoria ksenia daria lyudmila aigul zarina madina kamila`) {
		latinGiven[n] = true
	}
}

// patronymicEnds end a Russian patronymic: Николаевич, Сергеевна, Ильинична.
var patronymicEnds = []string{"ович", "евич", "овна", "евна", "ична"}

// withoutPatronymic returns a three-word Cyrillic name without its
// patronymic ("Кузнецов Сергей Николаевич": "Кузнецов Сергей"), and the
// patronymic; false when there is none. Of two words with a patronymic's
// ending, one is a surname (Абрамович): the patronymic follows the given
// name, or ends a name that begins with the surname.
func withoutPatronymic(cyr string) (name, patronymic string, ok bool) {
	f := strings.Fields(cyr)
	if len(f) != 3 {
		return "", "", false
	}
	var at []int
	for i, w := range f {
		lw := strings.ToLower(w)
		if utf8.RuneCountInString(lw) > 5 && slices.ContainsFunc(patronymicEnds, func(e string) bool { return strings.HasSuffix(lw, e) }) {
			at = append(at, i)
		}
	}
	i := -1
	switch {
	case len(at) == 1 && at[0] != 0:
		i = at[0]
	case len(at) == 2 && at[0] == 0:
		i = 2
	case len(at) == 2:
		i = 1
	}
	if i < 0 {
		return "", "", false
	}
	return strings.Join(slices.Delete(slices.Clone(f), i, i+1), " "), f[i], true
}

// noCyrillicName reports whether the name in Latin letters has letters
// of Spanish, Portuguese or French ("María José Gutiérrez", "João"), and
// none in Cyrillic was given: such a name has no Cyrillic spelling to ask
// for. A Spanish-speaking reporter was asked for the name in Cyrillic.
func noCyrillicName(r Report) bool {
	return r.NameCyrillic == "" && strings.ContainsAny(strings.ToLower(r.NameLatin), "áéíóúàèìòùâêîôûãõñ")
}
