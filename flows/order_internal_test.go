package flows

import "testing"

// Words that tell of a deportation order, and words that do not.
func TestOrderTold(t *testing.T) {
	for said, want := range map[string]bool{
		"Пришли в 6 утра, сказали что у него старый приказ о депортации": true,
		"суда не будет, у него уже есть приказ о депортации с 2019 года": true,
		"he has a final order of removal from 2019": true,
		"депортационный ордер выдали в 2019":        true,
		"приказа о депортации нет":                  false,
		"no removal order":                          false,
		"in order to get to the deportation office": false,
		"решение суда будет в январе, депортации боимся": false,
		"его задержали на работе":                        false,
	} {
		if got := orderTold(said); got != want {
			t.Errorf("%q: %v, want %v", said, got, want)
		}
	}
}

// A yes or a no that begins or ends a message is its answer; one that
// ends a question ("…then moved, no?") is not.
func TestYesNoLead(t *testing.T) {
	for typed, want := range map[string]string{
		"да, его завтра депортируют":                 "да",
		"no i dont think so, he just got detained":   "no i dont think so",
		"his boss said he'd find one, not yet":       "not yet",
		"he was in Otay Mesa first, then moved, no?": "",
		"not the lawyer, someone else":               "",
	} {
		if lead, _, _ := yesNoLead(typed); lead != want {
			t.Errorf("yesNoLead(%q) = %q, want %q", typed, lead, want)
		}
	}
}
