package bot

import "hotline/flows"

// Calls renders replies that no update caused — the flows' timers, a
// blocked chat's consequences — into the calls that send them, for
// Pipeline.Send.
func (b *Bot) Calls(rs []flows.Reply) []Call {
	var calls []Call
	for _, r := range rs {
		calls = append(calls, b.render(r)...)
	}
	return calls
}
