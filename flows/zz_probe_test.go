package flows_test

import "testing"

func TestZZProbe(t *testing.T) {
	a := newApp(t, appOptions{})
	for _, q := range []string{"Krome", "в Кроме", "Стюарт", "Адланто", "Eloy Arizona", "South Texas", "Дилли", "Батавия", "Элизабет", "Делани Холл", "Конро", "Аделанто", "Otay Mesa", "Отай Меса", "Broadview", "Бродвью", "Алигатор Алькатрас", "Alligator Alcatraz", "в Луизиане", "Джена"} {
		c := reportTo(a, "ru", "ask.facility")
		r := c.send(q)
		t.Logf("%q => %v %v", q, textIDs(r), buttonNames(r))
	}
}
