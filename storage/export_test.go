package storage

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// SetCodeSource replaces the case code generator, so that tests can make
// codes collide.
func SetCodeSource(c *Cases, next func() string) { c.newCode = next }

// Open decrypts a value as stored in table.column of the row with this
// identity (id, or a reporter's Telegram user id).
func Open(k *Keyring, table, column string, row int64, v []byte) (string, error) {
	return k.open(field{table, column, row}, v)
}

// Seal encrypts a value for table.column of a row, as the stores do.
func Seal(k *Keyring, table, column string, row int64, v string) []byte {
	return k.seal(field{table, column, row}, v)
}

// SealNoteLegacy seals a note as stores did before migration 008, bound to
// its event alone.
func SealNoteLegacy(k *Keyring, id int64, note string) []byte {
	return k.seal(legacyNoteField(id), note)
}

// IndexStoredNames runs the Go step of migration 007 on db.
func IndexStoredNames(ctx context.Context, db *sqlx.DB, keys *Keyring) error {
	return inTx(ctx, db, false, func(tx *sqlx.Tx) error { return indexStoredNames(ctx, tx, keys) })
}
