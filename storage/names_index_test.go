package storage

import (
	"slices"
	"testing"
)

// TestNameTokens: the usual spellings of one name, Latin and Cyrillic,
// make the same tokens; other names do not.
func TestNameTokens(t *testing.T) {
	same := [][]string{
		{"Petrov", "Петров", "PETROFF", "petrov"},
		{"Sergey", "Sergei", "Сергей", "Serguei"},
		{"Dmitriy", "Dmitry", "Dmitrii", "Дмитрий"},
		{"Yulia", "Yuliya", "Iulia", "Юлия"},
		{"Aleksandr", "Александр", "Alexandr"},
		{"Khachaturyan", "Хачатурян", "Hachaturian"},
		{"Shchukin", "Щукин", "Schukin"},
		{"Fyodor", "Федор", "Фёдор", "Fedor"},
		{"Natalya", "Natalia", "Наталья"},
		{"Zhanna", "Жанна", "Zhana"},
	}
	for _, names := range same {
		want := nameTokens(names[0])
		if len(want) != 1 {
			t.Fatalf("nameTokens(%q) = %v, want one token", names[0], want)
		}
		for _, n := range names[1:] {
			if got := nameTokens(n); !slices.Equal(got, want) {
				t.Errorf("nameTokens(%q) = %v, want %v as for %q", n, got, want, names[0])
			}
		}
	}
	for _, pair := range [][2]string{{"Petrov", "Petrova"}, {"Ivanov", "Ivanova"}, {"Petrov", "Sidorov"}, {"Anna", "Anton"}} {
		if a, b := nameTokens(pair[0]), nameTokens(pair[1]); slices.Equal(a, b) {
			t.Errorf("%q and %q make the same tokens %v", pair[0], pair[1], a)
		}
	}
	if got := nameTokens("  Ivan   Petrov-Vodkin, jr. "); !slices.Equal(got, []string{"ivan", "petrov", "vodkin", "jr"}) {
		t.Errorf("tokens of a long name: %v", got)
	}
	if personKey("Ivan Petrov", "1985-05-05") != personKey("Петров Иван", "1985-05-05") {
		t.Error("the person key depends on the order or the alphabet of the name")
	}
	if personKey("Ivan Petrov", "") != "" || personKey("", "1985-05-05") != "" {
		t.Error("a person key without a name or a birth date")
	}
}
