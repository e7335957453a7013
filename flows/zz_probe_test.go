package flows_test

import (
	"fmt"
	"testing"

	"hotline/flows"
)

func TestZZMenuEn(t *testing.T) {
	a := newApp(t, appOptions{})
	for _, s := range []string{
		"hi, my brother got picked up by ICE yesterday", "ICE came to our house", "my dad didn't come home from work",
		"they took my mom at the store", "how do I find out where he is", "what can I do", "I need help finding a lawyer",
		"can you help me", "is there someone who speaks spanish", "my wife is pregnant and detained", "can I visit him",
		"how much is bond", "he has a court date", "he got deported", "my son is 17 and was detained", "ICE is outside my door",
		"ICE is at my door right now", "what are my rights", "do I have to open the door",
	} {
		c := &chat{testApp: a, id: a.nextChat(), langCode: "en", sent: map[int]flows.Reply{}}
		c.command("start", "")
		r := c.send(s)
		fmt.Printf("%-50q -> %v\n", s, textIDs(r))
	}
}
