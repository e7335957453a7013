package flows_test

import (
	"slices"
	"testing"

	"hotline/flows"
)

func TestPersonalData(t *testing.T) {
	names := []string{"Ivanov Sergey", "Иванов Сергей", "Мария Иванова", "+1 480 555 0199"}
	tests := []struct {
		note string
		want []string
	}{
		{"Hearing moved to April 15, 2026. Lawyer found.", nil},
		{"Слушание перенесли на 15.04.2026", nil},
		{"Transferred to Krome on 01.03.2026", nil},
		{"His A-number is A 123-456-789", []string{flows.PersonalANumber}},
		{"номер дела А123456789", []string{flows.PersonalANumber}},
		{"Call the family: +1 (520) 555-0100", []string{flows.PersonalPhone}},
		{"звоните 8 916 123-45-67", []string{flows.PersonalPhone}},
		{"Write to maria@example.com", []string{flows.PersonalEmail}},
		{"Born 05.05.1985", []string{flows.PersonalBirth}},
		{"родился 5 мая 1985", []string{flows.PersonalBirth}},
		{"Born March 3, 1990", []string{flows.PersonalBirth}},
		{"Sergey is doing fine", []string{flows.PersonalName}},
		{"Иванова просила передать", []string{flows.PersonalName}},
		{"Nothing new, waiting for the hearing", nil},
		{"Ivanov, A123456789, +1 602 555 0100", []string{flows.PersonalANumber, flows.PersonalName, flows.PersonalPhone}},
	}
	for _, tt := range tests {
		if got := flows.PersonalData(tt.note, testNow, names...); !slices.Equal(got, tt.want) {
			t.Errorf("PersonalData(%q) = %v, want %v", tt.note, got, tt.want)
		}
	}
}
