package storage

// SetCodeSource replaces the case code generator, so that tests can make
// codes collide.
func SetCodeSource(c *Cases, next func() string) { c.newCode = next }
