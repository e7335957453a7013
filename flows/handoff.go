package flows

// registerHandoff plugs the volunteer handoff into the engine (issue 3).
func (a *App) registerHandoff() {}
