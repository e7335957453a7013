package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The registered check-in in the person's chat: what they can do with
// it, and its trusted contacts, who open a link and agree.

// contactsMenu says who the trusted contacts are and offers to add one.
func (c *turn) contactsMenu(k Checkin) error {
	c.s.ContactsShown = c.now
	accepted, pending, phones := 0, 0, 0
	for _, p := range k.Contacts {
		switch {
		case p.Phone != "":
			phones++
		case !p.Accepted.IsZero():
			accepted++
		case p.pending():
			pending++
		}
	}
	c.say(T("checkin.contacts", "Accepted", accepted, "Pending", pending, "Phones", phones))
	id := strconv.FormatInt(k.ID, 10)
	if len(k.Contacts) < maxContacts {
		c.say(T("checkin.contacts_ask"))
		c.buttons = append(c.buttons,
			[]Button{{Text: T("btn.checkin_invite"), Data: dataCheckin + ":" + ckInvite + ":" + id}},
			[]Button{{Text: T("btn.checkin_phone"), Data: dataCheckin + ":" + ckAddPhone + ":" + id}})
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.checkin_contacts_done"), Data: dataCheckin + ":" + ckDone + ":" + id}})
	return nil
}

// showCheckin shows the user's check-in with what they can do.
func (c *turn) showCheckin(ctx context.Context, k Checkin) error {
	c.say(T("checkin.show", "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"End", whenText(k.End, k.Zone)))
	id := strconv.FormatInt(k.ID, 10)
	if err := c.contactsMenu(k); err != nil {
		return err
	}
	if c.now.Before(k.Start) {
		// Rescheduled by the office: the new date, the same contacts; the
		// alarm would have gone off at the old one.
		c.buttons = append(c.buttons, []Button{{Text: T("btn.checkin_moved"), Data: dataCheckin + ":" + ckNext + ":" + id}})
	}
	c.buttons = append(c.buttons,
		[]Button{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + id}},
		[]Button{{Text: T("btn.checkin_cancel"), Data: dataCheckin + ":" + ckCancel + ":" + id}},
		[]Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
	return nil
}

// checkinButton runs this feature's buttons.
func checkinButton(ctx context.Context, c *turn, rest string) error {
	act, arg, _ := strings.Cut(rest, ":")
	if act == ckAnswer {
		nonce, rest, _ := strings.Cut(arg, ":")
		step, v, _ := strings.Cut(rest, ":")
		if c.s.Flow != flowCheckin || nonce != c.s.Nonce || c.s.Checkin == nil {
			c.say(T("button.old"))
			return c.again(ctx)
		}
		if step != c.s.Step {
			c.say(T("button.old_step"))
			return c.checkinPrompt(ctx)
		}
		return c.checkinAnswer(ctx, v, true)
	}
	switch act {
	case ckAccept, ckDecline:
		return c.contactAnswer(ctx, arg, act == ckAccept)
	}
	phone, told := "", ""
	switch act {
	case ckPhoneOK:
		arg, phone, _ = strings.Cut(arg, ":")
	case ckNextTo:
		arg, told, _ = strings.Cut(arg, ":")
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	k, err := c.a.d.Checkins.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		c.say(T("button.old"))
		return c.again(ctx)
	}
	if err != nil {
		return fmt.Errorf("check-in %d: %w", id, err)
	}
	if k.UserID != c.in.UserID {
		// Only the registered person answers for themselves: a forwarded
		// button, or a contact pressing it, changes nothing.
		c.say(T("checkin.not_yours"))
		return c.again(ctx)
	}
	switch act {
	case ckInvite:
		return c.invite(ctx, k)
	case ckAddPhone:
		if k.Status != CheckinActive {
			c.say(T("checkin.closed"))
			return c.again(ctx)
		}
		if len(k.Contacts) >= maxContacts {
			c.say(T("checkin.contacts_full"))
			return c.contactsMenu(k)
		}
		c.reset()
		c.s.Flow, c.s.Step = flowPhone, ckPhone
		c.s.Checkin = &CheckinDraft{Saved: k.ID}
		return c.checkinPrompt(ctx)
	case ckPhoneOK:
		c.reset()
		return c.addPhone(ctx, k, phone)
	case ckDone:
		c.say(T("checkin.contacts_done"))
		c.footer()
		return nil
	case ckOut:
		return c.out(ctx, k)
	case ckNext:
		return c.nextCheckin(ctx, k, "")
	case ckNextTo:
		// A move before it began, or the next one once out: nextCheckin
		// tells them apart, as for ckNext.
		return c.nextCheckin(ctx, k, told)
	case ckHelp:
		c.say(T("checkin.help_offer"))
		c.buttons = [][]Button{
			{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}},
			{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + arg}},
		}
		return nil
	case ckCancel:
		if k.Status != CheckinActive {
			c.say(T("checkin.closed"))
			return c.again(ctx)
		}
		c.say(T("checkin.cancel_ask"))
		c.buttons = [][]Button{
			{{Text: T("btn.checkin_cancel_yes"), Data: dataCheckin + ":" + ckCancelOK + ":" + arg}},
			{{Text: T("btn.menu"), Data: dataMenu + ":menu"}},
		}
		return nil
	case ckCancelOK:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinCancelled, c.now)
		if err != nil {
			return fmt.Errorf("cancel check-in %d: %w", k.ID, err)
		}
		if ok {
			c.say(T("checkin.cancelled"))
		} else {
			c.say(T("checkin.closed"))
		}
		c.footer()
		return nil
	}
	c.say(T("button.old"))
	return c.again(ctx)
}

// invite makes a link for a trusted contact, to forward to them.
func (c *turn) invite(ctx context.Context, k Checkin) error {
	if k.Status != CheckinActive {
		c.say(T("checkin.closed"))
		return c.again(ctx)
	}
	p, err := c.a.d.Checkins.AddContact(ctx, k.ID, Contact{Token: contactToken(c.a.d.NewID())})
	if errors.Is(err, ErrTooManyContacts) {
		c.say(T("checkin.contacts_full"))
		return c.contactsMenu(k)
	}
	if err != nil {
		return fmt.Errorf("invite for check-in %d: %w", k.ID, err)
	}
	link := "https://t.me/" + c.a.cfg.BotUsername + "?start=t_" + p.Token
	// The message is made to be forwarded as it is: nothing but the
	// invitation. Its buttons are the person's; pressed by anyone else
	// they change nothing.
	c.say(T("checkin.invite_forward", "Name", k.Name, "Link", link))
	id := strconv.FormatInt(k.ID, 10)
	if len(k.Contacts)+1 < maxContacts {
		c.buttons = append(c.buttons, []Button{{Text: T("btn.checkin_invite"), Data: dataCheckin + ":" + ckInvite + ":" + id}})
	}
	c.buttons = append(c.buttons, []Button{{Text: T("btn.checkin_contacts_done"), Data: dataCheckin + ":" + ckDone + ":" + id}})
	return nil
}

// contactToken is a link's token: 80 random bits, short enough for a
// /start payload.
func contactToken(id string) string { return nonceOf(id) + nonceOf(id+"t") }

// phoneTyped takes a trusted contact's phone number.
func (c *turn) phoneTyped(ctx context.Context) error {
	d := c.s.Checkin
	if d == nil || d.Saved == 0 {
		c.reset()
		return c.show(ctx)
	}
	if c.in.Kind != KindText {
		c.say(T("input.media"))
		return c.checkinPrompt(ctx)
	}
	v, p := ParseContact(c.in.Text)
	if p == nil && (strings.Contains(v, "@") || countDigits(v) < 7) {
		p = problem("checkin.bad_phone")
	}
	if p != nil {
		c.say(*p)
		return c.checkinPrompt(ctx)
	}
	k, err := c.a.d.Checkins.Get(ctx, d.Saved)
	if err != nil {
		return fmt.Errorf("check-in %d: %w", d.Saved, err)
	}
	c.reset()
	return c.addPhone(ctx, k, v)
}

// addPhone adds a trusted contact's phone number to the check-in.
func (c *turn) addPhone(ctx context.Context, k Checkin, v string) error {
	if k.Status != CheckinActive {
		c.say(T("checkin.closed"))
		return c.show(ctx)
	}
	added, err := c.a.d.Checkins.AddContact(ctx, k.ID, Contact{Phone: v})
	if errors.Is(err, ErrTooManyContacts) {
		c.say(T("checkin.contacts_full"))
		return c.contactsMenu(k)
	}
	if err != nil {
		return fmt.Errorf("phone for check-in %d: %w", k.ID, err)
	}
	k.Contacts = append(k.Contacts, added)
	c.say(T("checkin.phone_added"))
	return c.contactsMenu(k)
}

// contactInvite is a contact opening the link: who asks them and what
// agreeing means.
func (c *turn) contactInvite(ctx context.Context, token string) error {
	if c.inReport() {
		c.say(T("checkin.in_report"))
		return c.show(ctx)
	}
	k, p, err := c.a.d.Checkins.ByToken(ctx, token)
	switch {
	case errors.Is(err, ErrNotFound):
		c.reset()
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	case err != nil:
		return fmt.Errorf("check-in invite for %d: %w", c.in.UserID, err)
	}
	c.reset()
	switch {
	case k.UserID == c.in.UserID:
		c.say(T("checkin.invite_self"))
		c.footer()
		return nil
	case k.Status != CheckinActive:
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	case !p.Accepted.IsZero() && p.ChatID == c.in.ChatID:
		c.say(T("checkin.contact_already"))
		c.footer()
		return nil
	case !p.Accepted.IsZero() || !p.Declined.IsZero():
		c.say(T("checkin.invite_used"))
		c.footer()
		return nil
	}
	c.say(T("checkin.invite", "Name", k.Name, "Office", c.officeText(k), "When", whenText(k.Start, k.Zone),
		"Grace", waitText(2*c.a.cfg.CheckinGrace)))
	c.buttons = [][]Button{
		{{Text: T("btn.checkin_contact_yes"), Data: dataCheckin + ":" + ckAccept + ":" + token}},
		{{Text: T("btn.checkin_contact_no"), Data: dataCheckin + ":" + ckDecline + ":" + token}},
	}
	return nil
}

// contactAnswer records a contact's yes or no and tells the registrant.
func (c *turn) contactAnswer(ctx context.Context, token string, accept bool) error {
	k, _, err := c.a.d.Checkins.ByToken(ctx, token)
	if errors.Is(err, ErrNotFound) || err == nil && (k.Status != CheckinActive || k.UserID == c.in.UserID) {
		c.say(T("checkin.invite_old"))
		c.footer()
		return nil
	}
	if err != nil {
		return fmt.Errorf("check-in invite for %d: %w", c.in.UserID, err)
	}
	changed, err := c.a.d.Checkins.Answer(ctx, token, c.in.ChatID, c.s.Lang, accept, c.now)
	if err != nil {
		return fmt.Errorf("answer to check-in %d invite: %w", k.ID, err)
	}
	if !changed {
		c.say(T("checkin.invite_used"))
		c.footer()
		return nil
	}
	if accept {
		c.say(T("checkin.contact_agreed", "Name", k.Name, "When", whenText(k.Start, k.Zone)))
		c.send(Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityNotice, Texts: []Text{T("checkin.contact_joined")}})
	} else {
		c.say(T("checkin.contact_declined_self"))
		c.send(Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityNotice, Texts: []Text{T("checkin.contact_declined")}})
	}
	c.footer()
	return nil
}

// ownNumber reports whether text gives the writer's own number: "my new
// number is …", "мой новый телефон …", "сменился номер".
func ownNumber(text string) bool {
	return saysAny(captionKey(text), []string{"my number", "my new number", "my phone", "my new phone", "my cell",
		"my new cell", "number changed", "new number", "call me", "reach me", "мой номер", "мой новый",
		"мой телефон", "новый номер", "новый телефон", "сменился номер", "поменял номер", "поменяла номер",
		"сменил номер", "сменила номер", "звоните мне", "мне можно звонить"})
}

// phoneInWords answers a phone number typed at the menu by someone whose
// check-in is registered — the contacts screen asks for one — with the
// offer to add it as a trusted contact's.
func (a *App) phoneInWords(ctx context.Context, c *turn) (bool, error) {
	phone := FindPhone(c.in.Text) // "my wife +1 305 555 0199"
	if phone == "" || countDigits(phone) < 10 || tellsOfDetention(c.in.Text) || ownNumber(c.in.Text) {
		// Fewer digits than a phone's is an A-number ("A# 209-114-552"
		// inside a sentence); a detention told is for the report or a
		// volunteer, whatever number it has; "my new number is …" is
		// the writer's own, news for their case.
		return false, nil
	}
	if _, p := ParseANumber(c.in.Text); p == nil {
		return false, nil // their A-number
	}
	if _, p := ParseDate(phone, c.now); p == nil {
		return false, nil // 12.03.2026
	}
	k, err := a.d.Checkins.Active(ctx, c.in.UserID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("active check-in of user %d: %w", c.in.UserID, err)
	}
	if len(k.Contacts) >= maxContacts {
		return false, nil
	}
	digits := strings.Map(func(r rune) rune {
		if r == '+' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	add := dataCheckin + ":" + ckPhoneOK + ":" + strconv.FormatInt(k.ID, 10) + ":" + digits
	c.say(T("checkin.phone_offer", "Phone", phone))
	c.buttons = [][]Button{
		{{Text: T("btn.checkin_phone_add", "Phone", phone), Data: add}},
		{{Text: T("btn.menu"), Data: dataMenu + ":menu"}},
	}
	c.s.Offer = add                 // "да" typed adds it
	c.s.ContactsShown = time.Time{} // "нет" answers this offer, not the contacts' screen
	return true, nil
}

// contactsInWords answers words typed under the trusted contacts' screen
// just after a check-in is registered: "нет", "не надо", "готово" are its
// "Done"; a person named ("жена", "@maria_k") is told how to add one.
// They got the greeting, as if the check-in had not been heard.
func (a *App) contactsInWords(ctx context.Context, c *turn) (bool, error) {
	v := strings.TrimSpace(c.in.Text)
	key := captionKey(v)
	done := noWords[key] || doneWords[key] || skipWords[key] || noContactWords[key]
	first, _, _ := strings.Cut(key, " ")
	who := onlyRelation(v) || strings.HasPrefix(v, "@") && usernameRe.MatchString(v) || addContactWords[key] ||
		addLeads[first] // "add my brother too", "добавь ещё сестру"
	if !done && !who || c.now.Sub(c.s.ContactsShown) > contactsScreenFor {
		return false, nil
	}
	k, err := a.d.Checkins.Active(ctx, c.in.UserID)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("active check-in of user %d: %w", c.in.UserID, err)
	case !c.now.Before(k.Start):
		return false, nil // begun: not the screen they answer
	}
	c.setSaid(false)
	c.s.ContactsShown = time.Time{}
	if done {
		c.say(T("checkin.contacts_done"))
		c.footer()
		return true, nil
	}
	c.say(T("checkin.contact_how"))
	return true, c.contactsMenu(k)
}

// contactsScreenFor is how long after the trusted contacts' screen words at
// the menu are read as answering it.
const contactsScreenFor = time.Hour

// noContactWords say no one is to be added; addContactWords ask to add
// someone (captionKey).
var (
	noContactWords = map[string]bool{"не надо": true, "не нужно": true, "никого": true, "никого не надо": true,
		"no one": true, "nobody": true, "no thanks": true, "not needed": true, "без контактов": true}
	addContactWords = map[string]bool{"добавить": true, "добавить контакт": true, "add": true, "add contact": true,
		"add someone": true, "add a contact": true}
	// addLeads begin a wish to add someone (the first word, captionKey).
	addLeads = map[string]bool{"add": true, "добавить": true, "добавь": true, "добавьте": true, "добавлю": true}
)
