package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hotline/flows"
)

// The detainee's name is found, like the A-number, by a blind index: each
// normalised token of the name (Latin, and Cyrillic transliterated) is
// stored as version | key id | HMAC-SHA256 in case_name_index, kind n;
// the whole name with the birth date, for duplicates, as kind p. A search
// normalises what was typed the same way and looks the HMACs up under
// every key of the ring. No name is stored in clear.
//
// Normalising makes the usual spellings of one name meet: Петров, Petrov
// and Petroff; Сергей, Sergey and Sergei; Дмитрий, Dmitriy and Dmitry;
// Юлия, Yulia and Yuliya. It loses letters on purpose: a blind index
// cannot be searched by similarity, so near spellings must become equal.

// nameTokens returns the normalised tokens of a name, each once, in order.
func nameTokens(name string) []string {
	s := strings.ToLower(flows.Translit(name))
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		k := skeleton(w)
		if len([]rune(k)) >= 2 && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// skeletonRules turn the spellings of one sound into one, in order.
var skeletonRules = [][2]string{
	{"'", ""}, {"’", ""},
	{"shch", "sh"}, {"sch", "sh"}, {"tch", "ch"}, {"dzh", "j"}, {"kh", "h"},
	{"gue", "ge"}, {"gui", "gi"}, {"ks", "x"}, {"tz", "c"}, {"ts", "c"}, {"ck", "k"}, {"ph", "f"}, {"w", "v"},
	{"ye", "e"}, {"yo", "e"}, {"jo", "e"}, {"yu", "u"}, {"ju", "u"}, {"iu", "u"},
	{"ya", "a"}, {"ja", "a"}, {"ia", "a"},
	{"iy", "i"}, {"yi", "i"}, {"ij", "i"}, {"y", "i"},
}

// skeleton reduces a lower-case Latin word to what its usual spellings
// share.
func skeleton(w string) string {
	var b strings.Builder
	for _, r := range w {
		b.WriteRune(foldAccent(r))
	}
	w = b.String()
	if strings.HasSuffix(w, "ff") {
		w = strings.TrimSuffix(w, "ff") + "v"
	}
	for _, r := range skeletonRules {
		w = strings.ReplaceAll(w, r[0], r[1])
	}
	// Doubled letters: Anna and Ana, Dmitrii and Dmitri.
	rs := []rune(w)
	out := rs[:0]
	for i, r := range rs {
		if i > 0 && r == rs[i-1] {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

// personKey is the name's tokens in a fixed order with the birth date: the
// same person however the name was ordered. "" without a name or a whole
// date.
func personKey(name, birthDate string) string {
	ts := nameTokens(name)
	if len(ts) == 0 || len(birthDate) != len(time.DateOnly) {
		// Without the whole date (none, or the year alone) two people
		// of one name, born the same year, would be taken for one.
		return ""
	}
	slices.Sort(ts)
	return strings.Join(ts, " ") + "|" + birthDate
}

// nameIndexWith is the blind index of a token of kind ("n" or "p") under
// dk. The kind is hashed in, so a name token never equals a person key, and
// the A-number's index, made with the same key, never equals either.
func nameIndexWith(dk *dataKey, kind, v string) []byte {
	mac := hmac.New(sha256.New, dk.index)
	mac.Write([]byte("name:" + kind + ":" + v))
	out := make([]byte, headerLen, headerLen+sha256.Size)
	out[0] = sealVersion
	copy(out[1:], dk.id[:])
	return mac.Sum(out)
}

// nameIndexes are a token's blind indexes under every key of the ring.
func (k *Keyring) nameIndexes(kind, v string) [][]byte {
	out := make([][]byte, 0, len(k.all))
	for _, dk := range k.all {
		out = append(out, nameIndexWith(dk, kind, v))
	}
	return out
}

// nameEntries are the index rows of a case's names under the current key.
func (k *Keyring) nameEntries(latin, cyrillic, birthDate string) (kinds []string, tokens [][]byte) {
	seen := map[string]bool{}
	add := func(kind, v string) {
		if v == "" || seen[kind+v] {
			return
		}
		seen[kind+v] = true
		kinds = append(kinds, kind)
		tokens = append(tokens, nameIndexWith(k.current, kind, v))
	}
	for _, name := range []string{latin, cyrillic} {
		for _, t := range nameTokens(name) {
			add("n", t)
		}
		add("p", personKey(name, birthDate))
	}
	return kinds, tokens
}

// indexNames replaces a case's name index rows.
func indexNames(ctx context.Context, tx *sqlx.Tx, keys *Keyring, caseID int64, latin, cyrillic, birthDate string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_name_index WHERE case_id = $1`, caseID); err != nil {
		return scrub(err)
	}
	kinds, tokens := keys.nameEntries(latin, cyrillic, birthDate)
	if len(tokens) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO case_name_index (case_id, kind, token)
		SELECT $1, k, t FROM unnest($2::text[], $3::bytea[]) AS x (k, t)
		ON CONFLICT DO NOTHING`, caseID, pq.Array(kinds), pq.ByteaArray(tokens))
	return scrub(err)
}

// reindexNames rebuilds, under the current key, the name index of up to
// batch cases whose index rows are under another key, and returns how many
// it rebuilt. The key rotation runs it until it returns 0.
func reindexNames(ctx context.Context, tx *sqlx.Tx, keys *Keyring, batch int) (int, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `
		SELECT DISTINCT case_id FROM case_name_index
		WHERE substring(token FROM 2 FOR 8) <> $1
		ORDER BY case_id LIMIT $2`, keys.current.id[:], batch); err != nil {
		return 0, scrub(err)
	}
	for _, id := range ids {
		var row struct {
			Latin    []byte `db:"name_latin"`
			Cyrillic []byte `db:"name_cyrillic"`
			Born     []byte `db:"birth_date"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT name_latin, name_cyrillic, birth_date FROM cases WHERE id = $1 FOR UPDATE`, id); err != nil {
			return 0, scrub(err)
		}
		o := opener{keys: keys, table: "cases", row: id}
		latin, cyr, born := o.open("name_latin", row.Latin), o.open("name_cyrillic", row.Cyrillic), o.open("birth_date", row.Born)
		if o.err != nil {
			return 0, o.err
		}
		if err := indexNames(ctx, tx, keys, id, latin, cyr, born); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// indexStoredNames is the Go step of migration 007: it builds the name
// index of the cases stored before it, in its transaction. It needs the
// keyring only when a case has a name to index.
func indexStoredNames(ctx context.Context, tx *sqlx.Tx, keys *Keyring) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `
		SELECT id FROM cases WHERE erased_at IS NULL AND num_nonnulls(name_latin, name_cyrillic) > 0
		ORDER BY id`); err != nil {
		return scrub(err)
	}
	if len(ids) > 0 && keys == nil {
		return fmt.Errorf("cases hold names to index: %w", ErrNoKeys)
	}
	for _, id := range ids {
		var row struct {
			Latin    []byte `db:"name_latin"`
			Cyrillic []byte `db:"name_cyrillic"`
			Born     []byte `db:"birth_date"`
		}
		if err := tx.GetContext(ctx, &row, `SELECT name_latin, name_cyrillic, birth_date FROM cases WHERE id = $1`, id); err != nil {
			return scrub(err)
		}
		o := opener{keys: keys, table: "cases", row: id}
		latin, cyr, born := o.open("name_latin", row.Latin), o.open("name_cyrillic", row.Cyrillic), o.open("birth_date", row.Born)
		if o.err != nil {
			return o.err
		}
		if err := indexNames(ctx, tx, keys, id, latin, cyr, born); err != nil {
			return err
		}
	}
	return nil
}
