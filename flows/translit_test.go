package flows_test

import (
	"testing"

	"hotline/flows"
)

func TestTranslit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Элой", "Eloy"},
		{"Басил", "Basil"},
		{"Краум", "Kraum"},
		{"Иванов Сергей", "Ivanov Sergey"},
		{"Аделанто", "Adelanto"},
		{"отай меса", "otay mesa"},
		{"Жуков", "Zhukov"},
		{"ЖУКОВ", "ZHUKOV"},
		{"Хабибуллин", "Khabibullin"},
		{"Цой", "Tsoy"},
		{"Чехов", "Chekhov"},
		{"Шевчук", "Shevchuk"},
		{"Щукин", "Shchukin"},
		{"Юлия", "Yuliya"},
		{"ЮЛИЯ", "YULIYA"},
		{"Яковлев", "Yakovlev"},
		{"Крылов", "Krylov"},
		{"Эдуард", "Eduard"},
		{"Фёдор", "Fedor"},
		{"Ёлкин", "Yolkin"},
		{"Соловьёв", "Solovyov"},
		{"Игорь", "Igor"},
		{"Подъячев", "Podyachev"},
		{"Александр Пушкин", "Aleksandr Pushkin"},
		{"Дмитрий", "Dmitriy"},
		{"Київ", "Kyiv"},
		{"Григорій", "Hryhoriy"},
		{"Євген", "Yevhen"},
		{"Eloy 26", "Eloy 26"},
		{"Krome, Майами!", "Krome, Mayami!"},
		{"", ""},
		{"Щ", "Shch"},
	}
	for _, tt := range tests {
		if got := flows.Translit(tt.in); got != tt.want {
			t.Errorf("flows.Translit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
