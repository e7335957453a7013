package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// After the check-in: "I'm out", the next check-in, and the timers —
// reminders, "are you out?" and the alarm.

// outInWords takes "я вышла", "да, всё в порядке", "I'm out" typed at the
// menu once the user's check-in has begun as its "I'm out, all fine"
// button: people answer "are you out?" in words, and a person who said
// they are out must not raise the alarm. A bare yes ("да", "ok") counts
// only once the check-in was due to end, when the bot has asked. "Не
// вышел", "not yet" (and then a bare "нет") get the "out" and "help"
// buttons, the timers going on; anything else is left to the menu.
func (a *App) outInWords(ctx context.Context, c *turn) (bool, error) {
	key := withoutThanks(captionKey(c.in.Text)) // "всё хорошо, спасибо"
	all, some := outInClauses(c.in.Text)
	plain := outWords[key] || all
	if !plain {
		out := [][]Button{{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut}}}
		_, plain = c.typedCaption(out, dataCheckin+":", c.in.Text)
	}
	bare, still, no, held := yesWords[key], stillWords[key], noWords[key], heldWords[key]
	// "Они забрали мужа", "they are detaining me", "помогите" while the
	// check-in goes on: what the safety line is for. They got the offer
	// to report a detention, as anyone's. "Меня не задержали" is out.
	trouble := !held && !plain && !some && (tellsOfDetention(withoutICE(c.in.Text)) || pleadsForHelp(c.in.Text))
	held = held || trouble
	if !plain && !bare && !still && !no && !held && !some {
		return false, nil
	}
	k, ok, err := a.begun(ctx, c)
	if err != nil {
		return false, err
	}
	if !ok && plain {
		// "I'm out, all good" a little before the time registered: the
		// office took them early. It was offered as news of a case, and
		// the alarm would have followed the silence at the end.
		k, err = a.d.Checkins.Active(ctx, c.in.UserID)
		if errors.Is(err, ErrNotFound) || err == nil && k.Start.Sub(c.now) > earlyOut {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("active check-in of user %d: %w", c.in.UserID, err)
		}
		return true, c.out(ctx, k)
	}
	if !ok {
		return false, nil
	}
	if held {
		// "Меня задержали" during the check-in: a volunteer now, first
		// in the queue, and they read it; it was taken for a relative's
		// report of a detention.
		c.setSaid(false)
		if trouble {
			c.say(T("checkin.trouble_offer"))
		} else {
			c.say(T("checkin.held_offer"))
		}
		c.buttons = [][]Button{
			{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}},
			outOrHelp(k)[0],
		}
		return true, nil
	}
	asked := !c.now.Before(k.End) // "are you out?" was asked
	if no && !asked {
		return false, nil
	}
	if still || no {
		// Not out yet, or not fine: the timers go on (asked again, then
		// the alarm), and help is a button away.
		c.say(T("checkin.still_inside"))
		c.buttons = outOrHelp(k)
		return true, nil
	}
	if some && !plain {
		// "Вышел, но без паспорта": out, and more — asked to press, the
		// words kept for a volunteer. It was the greeting, and the alarm
		// would have followed.
		c.setSaid(false)
		if k.Status == CheckinAlarm {
			// The alarm went out: the button now tells those it told.
			c.say(T("checkin.out_confirm_alarm"))
		} else {
			c.say(T("checkin.out_confirm"))
		}
		c.buttons = outOrHelp(k)
		c.nextTold(k)
		return true, nil
	}
	if !plain && !asked {
		return false, nil
	}
	return true, c.out(ctx, k)
}

// mediaDuringCheckin answers a voice message, a photo or a document sent
// at the menu once the user's check-in has begun — "I'm out" said aloud is
// the likeliest — with the "out" and "help" buttons, not the offer to
// report a detention: the bot cannot hear it, and silence raises the
// alarm. What they sent is kept for the volunteer help leads to.
func (a *App) mediaDuringCheckin(ctx context.Context, c *turn) (bool, error) {
	if c.in.Media == "sticker" {
		return false, nil
	}
	k, ok, err := a.begun(ctx, c)
	if !ok || err != nil {
		return false, err
	}
	c.setSaid(false)
	c.say(T("checkin.media"))
	c.buttons = outOrHelp(k)
	return true, nil
}

// duringCheckin answers text at the menu that nothing else took, from a
// person whose check-in has begun: "I'm inside now, they told me to wait"
// is about it. It got the greeting and the offer to report a detention,
// and nothing about the check-in going on. The words are kept for the
// volunteer "I need help" leads to.
func (a *App) duringCheckin(ctx context.Context, c *turn) (bool, error) {
	k, ok, err := a.begun(ctx, c)
	if !ok || err != nil {
		return false, err
	}
	a.sayDuring(c, k)
	return true, nil
}

// sayDuring is duringCheckin's answer for the check-in k, begun. After
// the alarm, it says that "I'm out" now tells those the alarm reached.
func (a *App) sayDuring(c *turn, k Checkin) {
	c.setSaid(false)
	if k.Status == CheckinAlarm {
		c.say(T("checkin.out_confirm_alarm"))
	} else {
		c.say(T("checkin.during", "Office", officeOf(a.d.Offices, k)))
	}
	c.buttons = append(outOrHelp(k), []Button{{Text: T("btn.menu"), Data: dataMenu + ":menu"}})
}

// begun returns the user's check-in that has begun and is open; ok is
// false when there is none.
func (a *App) begun(ctx context.Context, c *turn) (Checkin, bool, error) {
	k, err := a.d.Checkins.Begun(ctx, c.in.UserID, c.now)
	if errors.Is(err, ErrNotFound) {
		return Checkin{}, false, nil
	}
	if err != nil {
		return Checkin{}, false, fmt.Errorf("begun check-in of user %d: %w", c.in.UserID, err)
	}
	return k, true, nil
}

// earlyOut is how long before a check-in's registered time "I'm out"
// typed is taken as out of it: offices call people in early, and a day
// before, it is about something else.
const earlyOut = 6 * time.Hour

// outOrHelp are the "I'm out" and "I need help" buttons of a check-in.
func outOrHelp(k Checkin) [][]Button {
	id := strconv.FormatInt(k.ID, 10)
	return [][]Button{
		{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + id}},
		{{Text: T("btn.checkin_help"), Data: dataCheckin + ":" + ckHelp + ":" + id}},
	}
}

// stillWords are "not out yet" (captionKey).
var stillWords = map[string]bool{
	"не вышел": true, "не вышла": true, "еще нет": true, "пока нет": true, "нет еще": true,
	"я еще внутри": true, "еще внутри": true, "я внутри": true, "жду": true, "еще жду": true,
	"not yet": true, "no not yet": true, "still inside": true, "i m still inside": true, "still waiting": true,
	"still in line": true, "i m still in line": true, "waiting in line": true, "in line": true, "still here": true,
	"в очереди": true, "еще в очереди": true, "стою в очереди": true, "я в очереди": true, "жду в очереди": true,
	// Russian typed in Latin letters (writtenInTranslit).
	"ne vyshel": true, "ne vyshla": true, "eshe net": true, "eshche net": true, "poka net": true,
	"ya vnutri": true, "eshe vnutri": true, "zhdu": true,
}

// outWords are "I'm out" in words (captionKey), beside the button's caption.
var outWords = map[string]bool{
	"вышел": true, "вышла": true, "я вышел": true, "я вышла": true, "да вышел": true, "да вышла": true,
	"vyshel": true, "vyshla": true, "vishel": true, "vishla": true, "ya vyshel": true, "ya vyshla": true,
	"da vyshel": true, "da vyshla": true, "vse horosho": true, "vse khorosho": true, "vsyo horosho": true,
	"vse v poryadke": true, "vse normalno": true, "vse ok": true, "otpustili": true, "menya otpustili": true,
	"ya doma": true, "uzhe doma": true, "ne zaderzhali": true, "menya ne zaderzhali": true,
	"я уже вышел": true, "я уже вышла": true, "вышел все в порядке": true, "вышла все в порядке": true,
	"все в порядке": true, "все хорошо": true, "да все в порядке": true, "да все хорошо": true,
	"отпустили": true, "меня отпустили": true, "все ок": true,
	"я в порядке": true, "в порядке": true, "все нормально": true, "все отлично": true, "нормально": true,
	"я дома": true, "уже дома": true, "я уже дома": true, "дома": true, "я на свободе": true,
	"не задержали": true, "меня не задержали": true, "не задержали меня": true,
	"i m out": true, "im out": true, "i am out": true, "yes i m out": true, "i m out all fine": true,
	"all fine": true, "all good": true, "i m fine": true, "i m ok": true, "i am fine": true, "i am ok": true,
	"they let me go": true, "i was released": true, "released": true,
	"i m good": true, "i am good": true, "i m safe": true, "i am safe": true, "i m home": true, "i am home": true,
	"not detained": true, "i wasn t detained": true, "they didn t detain me": true, "i was not detained": true,
	"все в норме": true, "все норм": true, "норм": true, "все супер": true, "все окей": true,
	"все ok": true, "все хорошо я вышел": true, "все хорошо я вышла": true,
	"all is fine": true, "all is good": true, "all is well": true, "all ok": true, "all okay": true,
	"everything is fine": true, "everything s fine": true, "everything is ok": true, "everything s ok": true,
	"everything is okay": true, "everything s okay": true, "everything is good": true, "everything s good": true,
	"everything fine": true, "everything ok": true, "i m okay": true, "i am okay": true,
	// The answer to "are you out?" in a word or two.
	"out": true, "yes out": true, "just got out": true, "i just got out": true, "got out": true,
	"i got out": true, "i m out now": true, "out now": true, "только что вышел": true, "только что вышла": true,
	"уже вышел": true, "уже вышла": true, "вышел уже": true, "вышла уже": true,
}

// heldWords say that the person is being detained (captionKey).
var heldWords = map[string]bool{
	"меня задержали": true, "меня задерживают": true, "задержали": true, "меня арестовали": true,
	"арестовали": true, "меня забирают": true, "меня забрали": true, "помогите меня задержали": true,
	"menya zaderzhali": true, "menya arestovali": true, "menya zabrali": true, "zaderzhali": true,
	"i was detained": true, "i m detained": true, "i am detained": true, "they detained me": true,
	"detained": true, "i m being detained": true, "i was arrested": true, "arrested": true,
	// Kept inside: "they kept me", "меня оставили", "не отпускают".
	"меня оставили": true, "оставили": true, "меня не отпускают": true, "не отпускают": true,
	"меня не выпускают": true, "не выпускают": true, "меня не отпустили": true, "не отпустили": true,
	"they kept me": true, "they are keeping me": true, "they re keeping me": true, "they won t let me go": true,
	"they wont let me go": true, "they didn t let me go": true, "they did not let me go": true, "kept me": true,
}

// withoutThanks is key (captionKey) without a thank-you before or after it:
// "все хорошо спасибо" is "все хорошо".
func withoutThanks(key string) string {
	for _, t := range []string{"большое спасибо", "спасибо большое", "спасибо", "спс", "thank you", "thanks"} {
		if rest, ok := strings.CutSuffix(key, " "+t); ok {
			return rest
		}
		if rest, ok := strings.CutPrefix(key, t+" "); ok {
			return rest
		}
	}
	return key
}

// outInClauses reports whether every part of a message, between its
// commas and stops, says "I'm out" or yes (all: "всё хорошо, я дома",
// "да, вышла"), or some part does and another says more (some: "вышел,
// но без паспорта"), which the buttons then answer.
func outInClauses(v string) (all, some bool) {
	parts := strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",.!;:", r) })
	if len(parts) < 2 {
		return false, false
	}
	other := false
	for _, p := range parts {
		k := captionKey(p)
		switch {
		case k == "":
		case outWords[k]:
			some = true
		case !yesWords[k]:
			other = true
		}
	}
	return some && !other, some
}

// out is "I'm out, all fine". Before the alarm it closes the check-in and
// tells nobody; after it, the case gets the news and the people the alarm
// told hear that the person is out.
func (c *turn) out(ctx context.Context, k Checkin) error {
	switch k.Status {
	case CheckinActive:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinOut, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			c.say(T("checkin.out_ok"))
			c.footer()
			return nil
		}
		// The alarm went off meanwhile.
		if k, err = c.a.d.Checkins.Get(ctx, k.ID); err != nil {
			return fmt.Errorf("check-in %d: %w", k.ID, err)
		}
		if k.Status == CheckinAlarm {
			return c.out(ctx, k)
		}
	case CheckinAlarm:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinAlarm}, CheckinOutAfterAlarm, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			rs, err := c.a.outAfterAlarm(ctx, k, c.now)
			if err != nil {
				return err
			}
			for _, r := range rs {
				c.send(r)
			}
			if k.CaseID == 0 {
				// The alarm was still being raised: it stops before
				// telling anyone (alarm).
				c.say(T("checkin.out_ok"))
				c.footer()
				return nil
			}
			c.say(T("checkin.out_after_alarm", "Code", FormatCode(k.CaseCode)))
			c.footer()
			return nil
		}
	}
	c.say(T("checkin.out_already"))
	c.footer()
	return nil
}

// nextCheckin is "Next check-in: set a date": the person is out, and a new
// check-in at the same office, for the same person, with the same
// contacts, is registered from its date on. told, when not "", is the day
// and time the person wrote it moved to (toldDay.value), which answers the
// date's question.
func (c *turn) nextCheckin(ctx context.Context, k Checkin, told string) error {
	var extra []Reply
	// Rescheduled before it began: it stays on until the new one is
	// registered, which closes it (Checkins.Create); given up, the old
	// date still raises the alarm.
	rescheduled := k.Status == CheckinActive && c.now.Before(k.Start)
	switch {
	case rescheduled:
	case k.Status == CheckinActive:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinMoved, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if !ok {
			c.say(T("checkin.out_already"))
			c.footer()
			return nil
		}
	case k.Status == CheckinAlarm:
		ok, err := c.a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinAlarm}, CheckinOutAfterAlarm, c.now)
		if err != nil {
			return fmt.Errorf("close check-in %d: %w", k.ID, err)
		}
		if ok {
			if extra, err = c.a.outAfterAlarm(ctx, k, c.now); err != nil {
				return err
			}
		}
	case k.Status == CheckinOut || k.Status == CheckinOutAfterAlarm:
	default:
		c.say(T("checkin.closed"))
		c.footer()
		return nil
	}
	c.reset()
	c.s.Flow, c.s.Step = flowCheckin, ckDate
	c.s.Nonce = nonceOf(c.a.d.NewID())
	c.s.Checkin = &CheckinDraft{ID: c.a.d.NewID(), Consent: true, OfficeCode: k.OfficeCode, OfficeText: k.OfficeText,
		State: k.State, Zone: k.Zone, Name: k.Name, ANumber: k.ANumber, NoANumber: k.ANumber == "", Prev: k.ID,
		Moved: rescheduled}
	c.s.Edit = ckDate // then straight to the review
	for _, r := range extra {
		c.send(r)
	}
	if rescheduled {
		c.say(T("checkin.moved_intro")) // nobody is out yet
	} else {
		c.say(T("checkin.next_intro"))
	}
	if told != "" {
		return c.checkinAnswer(ctx, told, true)
	}
	return c.checkinPrompt(ctx)
}

// CheckinTick fires the check-in timers that are due: reminders, "are you
// out?" twice, and the alarm. Each timer is claimed in the store for a
// lease, its messages are handed to send, and only then is it marked
// fired: a process that dies in between leaves the timer to another
// process once the lease runs out, so no timer is skipped; one that
// finishes marks it, so none fires twice (a crash after send and before
// the mark sends again, like the outbox itself: at least once). Timers
// due while the bot was down fire when it is back, marked late. Call it
// every few seconds from every replica.
func (a *App) CheckinTick(ctx context.Context, send func(context.Context, []Reply) error) error {
	now := a.d.Now()
	// A timer that fails (a row that does not open) is left to its lease
	// and tried again later; it does not hold up the others.
	var failed []error
	for {
		ts, err := a.d.Checkins.Due(ctx, now, checkinLease, 50)
		if err != nil {
			return errors.Join(append(failed, fmt.Errorf("claim check-in timers: %w", err))...)
		}
		for _, t := range ts {
			if t.Kind == TimerAlarm && now.Sub(t.Due) > checkinLate && now.Sub(a.started) < checkinSettle {
				// Due while the bot was down: the person may have
				// written "I'm out" then, and it is not handled yet. The
				// alarm is left to its lease and fires after it.
				continue
			}
			rs, err := a.fire(ctx, t, now)
			if err != nil {
				failed = append(failed, fmt.Errorf("check-in %d timer %s: %w", t.CheckinID, t.Kind, err))
				continue
			}
			if len(rs) > 0 {
				if err := send(ctx, rs); err != nil {
					return errors.Join(append(failed, fmt.Errorf("send check-in %d timer %s: %w", t.CheckinID, t.Kind, err))...)
				}
			}
			if err := a.d.Checkins.Fired(ctx, t.ID, now); err != nil {
				return errors.Join(append(failed, fmt.Errorf("mark check-in %d timer %s: %w", t.CheckinID, t.Kind, err))...)
			}
		}
		if len(ts) < 50 {
			return errors.Join(failed...)
		}
	}
}

// fire builds what one timer sends.
func (a *App) fire(ctx context.Context, t CheckinTimer, now time.Time) ([]Reply, error) {
	k, err := a.d.Checkins.Get(ctx, t.CheckinID)
	if err != nil {
		return nil, err
	}
	if k.Status != CheckinActive && !(t.Kind == TimerAlarm && k.Status == CheckinAlarm) {
		return nil, nil // out, cancelled or erased meanwhile
	}
	// A timer whose next one is due as well (the bot was down through
	// both) gives way to it: one late message, not two.
	switch {
	case t.Kind == TimerDay && !now.Before(k.Start.Add(-checkinSoon)),
		t.Kind == TimerSoon && !now.Before(k.Start),
		t.Kind == TimerAsk && !now.Before(k.End.Add(a.cfg.CheckinGrace)),
		t.Kind == TimerAsk2 && !now.Before(k.End.Add(2*a.cfg.CheckinGrace)):
		return nil, nil
	}
	var late []Text
	if now.Sub(t.Due) > checkinLate {
		late = []Text{T("checkin.late", "Due", whenText(t.Due, k.Zone))}
	}
	id := strconv.FormatInt(k.ID, 10)
	office := officeOf(a.d.Offices, k)
	when := whenText(k.Start, k.Zone)
	person := func(texts []Text, buttons [][]Button) Reply {
		return Reply{ChatID: k.ChatID, Lang: k.Lang, Texts: append(late, texts...), Buttons: buttons, Priority: PriorityReply}
	}
	outButtons := [][]Button{
		{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + id}},
		{{Text: T("btn.checkin_next"), Data: dataCheckin + ":" + ckNext + ":" + id}},
		{{Text: T("btn.checkin_help"), Data: dataCheckin + ":" + ckHelp + ":" + id}},
	}
	switch t.Kind {
	case TimerDay, TimerSoon:
		texts := []Text{T("checkin.remind_"+t.Kind, "Office", office, "When", when), T("checkin.bring"),
			T("checkin.if_detained")}
		pending, agreed := 0, 0
		for _, p := range k.Contacts {
			if p.pending() {
				pending++
			} else if p.Phone != "" || !p.Accepted.IsZero() {
				agreed++
			}
		}
		switch {
		case pending > 0:
			texts = append(texts, T("checkin.contacts_pending").Plural(pending))
		case agreed == 0:
			texts = append(texts, T("checkin.contacts_none"))
		}
		return []Reply{person(texts, [][]Button{
			{{Text: T("btn.checkin_invite"), Data: dataCheckin + ":" + ckInvite + ":" + id}},
			{{Text: T("btn.checkin_moved"), Data: dataCheckin + ":" + ckNext + ":" + id}},
			{{Text: T("btn.checkin_cancel"), Data: dataCheckin + ":" + ckCancel + ":" + id}},
		})}, nil
	case TimerAsk:
		return []Reply{person([]Text{T("checkin.ask_out", "Office", office)}, outButtons)}, nil
	case TimerAsk2:
		return []Reply{person([]Text{T("checkin.ask_out_again", "Wait", waitText(a.cfg.CheckinGrace))}, outButtons)}, nil
	case TimerAlarm:
		return a.alarm(ctx, k, late, now)
	}
	return nil, nil
}

// alarm opens a case as a probable detention at the check-in's office,
// urgent, announces it to the hotline and tells the trusted contacts and
// the person. Every step is idempotent, so a timer fired again after a
// crash opens one case and says the same.
func (a *App) alarm(ctx context.Context, k Checkin, late []Text, now time.Time) ([]Reply, error) {
	if _, err := a.d.Checkins.SetStatus(ctx, k.ID, []string{CheckinActive}, CheckinAlarm, now); err != nil {
		return nil, fmt.Errorf("alarm: %w", err)
	}
	if k2, err := a.d.Checkins.Get(ctx, k.ID); err != nil {
		return nil, err
	} else if k2.Status != CheckinAlarm {
		return nil, nil // "I'm out" got there first
	}
	loc, err := time.LoadLocation(k.Zone)
	if err != nil {
		return nil, err
	}
	officeName := k.OfficeText
	if k.OfficeCode != "" {
		if o, err := a.d.Offices.Get(k.OfficeCode); err == nil {
			officeName = "ICE " + officeLabel(o)
		}
	} else if k.State != "" {
		officeName += ", " + k.State
	}
	r := &Report{DraftID: "checkin:" + strconv.FormatInt(k.ID, 10), Consent: true, ANumber: k.ANumber,
		DetainedOn: k.Start.In(loc).Format(time.DateOnly), Circumstance: "checkin", FacilityText: officeName,
		Urgent: []string{UrgentCheckin}, ReporterChatID: k.ChatID, ReporterUserID: k.UserID, Lang: k.Lang}
	// The office of the check-in is known: the case says where he was taken.
	r.Facts.Office, r.Facts.OfficeText = k.OfficeCode, k.OfficeText
	if k.OfficeCode != "" {
		r.Facts.OfficeText = ""
	}
	if o, err := a.d.Offices.Get(k.OfficeCode); err == nil {
		r.OfficeLabel = officeShort(o)
	}
	if hasCyrillic(k.Name) {
		// The ICE locator searches Latin letters: the passports'
		// spellings of the name are there to try, as a report's other
		// spellings are. The case had the Cyrillic name alone.
		r.NameCyrillic = k.Name
		icao, old := latinSpellings(k.Name)
		r.Facts.NameOther = icao
		if !strings.EqualFold(old, icao) {
			r.Facts.NameOther += ", " + old
		}
	} else {
		r.NameLatin = k.Name
	}
	cs, err := a.d.Cases.Create(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("open case: %w", err)
	}
	if err := a.d.Checkins.SetCase(ctx, k.ID, cs.ID); err != nil {
		return nil, fmt.Errorf("link case %d: %w", cs.ID, err)
	}
	if err := a.d.Audit.Record(ctx, AuditEntry{At: now, Actor: ActorSystem, Action: AuditCheckinAlarm, CaseID: cs.ID,
		Key: "checkin-alarm:" + strconv.FormatInt(k.ID, 10)}); err != nil {
		return nil, fmt.Errorf("audit alarm: %w", err)
	}
	// "I'm out" while the case was being opened: the case keeps the news,
	// and nobody is alarmed.
	if k2, err := a.d.Checkins.Get(ctx, k.ID); err != nil {
		return nil, err
	} else if k2.Status != CheckinAlarm {
		k.CaseID, k.CaseCode, k.Contacts = cs.ID, cs.Code, nil
		if _, err := a.outAfterAlarm(ctx, k, now); err != nil {
			return nil, err
		}
		return nil, nil
	}
	code := FormatCode(cs.Code)
	office := officeOf(a.d.Offices, k)
	when := whenText(k.Start, k.Zone)
	var out []Reply
	out = append(out, Reply{ChatID: k.ChatID, Lang: k.Lang, Priority: PriorityReply,
		Texts:   append(late, T("checkin.alarm_person", "Code", code)),
		Buttons: [][]Button{{{Text: T("btn.checkin_out"), Data: dataCheckin + ":" + ckOut + ":" + strconv.FormatInt(k.ID, 10)}}}})
	var phones []string
	for _, p := range k.Contacts {
		switch {
		case p.Phone != "":
			phones = append(phones, p.Phone)
		case !p.Accepted.IsZero() && p.ChatID != 0:
			// They follow the case's public changes from now on, as a
			// friend with the code does.
			if err := a.d.Subscriptions.Subscribe(ctx, cs.ID, p.ChatID, p.Lang); err != nil {
				return nil, fmt.Errorf("subscribe contact of check-in %d: %w", k.ID, err)
			}
			// A volunteer and the case's status a button away: the
			// alarm came with none, and what a frightened contact typed
			// next got "I am a bot".
			out = append(out, Reply{ChatID: p.ChatID, Lang: Lang(p.Lang), Priority: PriorityReply,
				Texts: append(late, T("checkin.alarm_contact", "Name", k.Name, "Office", office, "When", when, "Code", code)),
				Buttons: [][]Button{
					{{Text: T("btn.volunteer_now"), Data: dataMenu + ":urgent"}},
					{caseButton(cs.Code)},
				}})
		}
	}
	hotline, err := a.announceCase(ctx, cs, Alarm{Office: office, When: when, Phones: phones, Late: late})
	if err != nil {
		return nil, err
	}
	return append(out, hotline...), nil
}

// UrgentCheckin marks a case opened by a check-in's alarm.
const UrgentCheckin = "checkin"

// Audit entries of check-in safety.
const (
	AuditCheckinAlarm = "checkin_alarm" // the alarm opened the case from the registered data
	AuditCheckinOut   = "checkin_out"   // the person said they were out after the alarm
)

// Alarm is what the hotline is told of a check-in alarm besides the case.
type Alarm struct {
	Office Text
	When   Text
	Phones []string // trusted contacts to call
	Late   []Text
}

// announceCase tells the hotline of a case the check-in alarm opened the
// way casework announces every new case (casework.go: the card with
// "Take the case", to the members on duty and the coordinators), with what
// the alarm adds above the card: a probable detention at the office, and
// the trusted contacts' phones to call.
func (a *App) announceCase(ctx context.Context, cs Case, al Alarm) ([]Reply, error) {
	rs, err := a.announce(ctx, cs.ID, 0)
	if err != nil {
		return nil, err
	}
	head := append(al.Late, T("checkin.alarm_hotline", "Code", FormatCode(cs.Code), "Office", al.Office, "When", al.When))
	if len(al.Phones) > 0 {
		head = append(head, T("checkin.alarm_phones", "Phones", strings.Join(al.Phones, ", ")))
	}
	for i := range rs {
		rs[i].Texts = append(append([]Text{}, head...), rs[i].Texts...)
		rs[i].Priority = PriorityReply
	}
	return rs, nil
}

// outAfterAlarm adds "the person is out" to the case the alarm opened and
// tells the people the alarm told: the contacts who agreed and the hotline.
func (a *App) outAfterAlarm(ctx context.Context, k Checkin, now time.Time) ([]Reply, error) {
	if k.CaseID == 0 {
		return nil, nil
	}
	key := "checkin-out:" + strconv.FormatInt(k.ID, 10)
	if _, err := a.d.Timeline.Record(ctx, Event{CaseID: k.CaseID, Kind: EventNote, Note: checkinOutNote,
		Actor: ActorUser(k.UserID), Key: key, At: now}); err != nil {
		return nil, fmt.Errorf("record the news of check-in %d: %w", k.ID, err)
	}
	if err := a.d.Audit.Record(ctx, AuditEntry{At: now, Actor: ActorUser(k.UserID), Action: AuditCheckinOut,
		CaseID: k.CaseID, Key: key}); err != nil {
		return nil, fmt.Errorf("audit the news of check-in %d: %w", k.ID, err)
	}
	code := FormatCode(k.CaseCode)
	var out []Reply
	for _, p := range k.Contacts {
		if !p.Accepted.IsZero() && p.ChatID != 0 {
			out = append(out, Reply{ChatID: p.ChatID, Lang: Lang(p.Lang), Priority: PriorityReply,
				Texts: []Text{T("checkin.out_contact", "Name", k.Name, "Code", code)}})
		}
	}
	onDuty, err := a.onDuty(ctx, 0)
	if err != nil {
		return nil, err
	}
	coords, err := a.coordinators(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, v := range append(onDuty, coords...) {
		if !seen[v.UserID] {
			seen[v.UserID] = true
			out = append(out, Reply{ChatID: v.UserID, Lang: Lang(v.Lang), Priority: PriorityReply,
				Texts: []Text{T("checkin.out_hotline", "Code", code)}})
		}
	}
	return out, nil
}

// checkinOutNote is the internal note the case gets when the person says
// they are out after the alarm: a fixed marker for the volunteers, in the
// hotline's working language, with no personal data.
const checkinOutNote = "Check-in safety line: the person confirmed in the bot that they are out."
