package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Personal data (names, birth date, A-number, contacts, free-text answers
// and notes) is encrypted here, before it reaches Postgres: a dump, a
// backup or a read-only SQL account shows only ciphertext. A stored value is
//
//	version (1) | key id (8) | nonce (12) | AES-256-GCM ciphertext and tag
//
// sealed with the table, the column and the row's identity as additional
// data, so that a value copied into another column or row fails to open
// rather than showing one person's data as another's. An A-number is also
// stored as a blind index, version | key id | HMAC-SHA256 of its nine
// digits, which finds it without decrypting any row.

// ErrUnknownKey is returned for a value encrypted under a key that is not
// in the keyring; the error names the key id.
var ErrUnknownKey = errors.New("value under a data key not in the keyring")

// ErrCorrupt is returned for a stored value that does not open: changed,
// truncated, or moved from another column or row.
var ErrCorrupt = errors.New("encrypted value is corrupt or was moved")

// ErrNoKeys is returned when personal data must be encrypted or read and no
// keyring was given.
var ErrNoKeys = errors.New("no data key")

const (
	sealVersion = 1
	keyIDLen    = 8
	headerLen   = 1 + keyIDLen
	nonceLen    = 12
	// DataKeySize is the length of a data key in bytes.
	DataKeySize = 32
)

// keyID names a data key without revealing it.
type keyID [keyIDLen]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

// dataKey is one key of the ring and the keys derived from it.
type dataKey struct {
	id    keyID
	aead  cipher.AEAD
	index []byte // HMAC key of the A-number blind index
}

// Keyring holds the data key values are encrypted with and the older keys
// that still open values written before a rotation.
type Keyring struct {
	current *dataKey
	byID    map[keyID]*dataKey
	all     []*dataKey // current first
}

// NewKeyring returns the keyring with current as the key new values are
// written with and old as keys still read. Each key is 32 random bytes.
func NewKeyring(current []byte, old ...[]byte) (*Keyring, error) {
	if len(current) == 0 {
		return nil, ErrNoKeys
	}
	k := &Keyring{byID: map[keyID]*dataKey{}}
	for i, raw := range append([][]byte{current}, old...) {
		dk, err := deriveKey(raw)
		if err != nil {
			if i == 0 {
				return nil, fmt.Errorf("current data key: %w", err)
			}
			return nil, fmt.Errorf("old data key %d: %w", i, err)
		}
		if _, dup := k.byID[dk.id]; dup {
			continue // the current key also listed as old
		}
		k.byID[dk.id] = dk
		k.all = append(k.all, dk)
	}
	k.current = k.all[0]
	return k, nil
}

// deriveKey derives a key's id, encryption key and index key with HKDF:
// the data key itself never touches a value.
func deriveKey(raw []byte) (*dataKey, error) {
	if len(raw) != DataKeySize {
		return nil, fmt.Errorf("want %d bytes, got %d", DataKeySize, len(raw))
	}
	id, err := hkdf.Expand(sha256.New, raw, "hotline key id", keyIDLen)
	if err != nil {
		return nil, err
	}
	enc, err := hkdf.Expand(sha256.New, raw, "hotline personal data AES-256-GCM", 32)
	if err != nil {
		return nil, err
	}
	index, err := hkdf.Expand(sha256.New, raw, "hotline A-number blind index", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	dk := &dataKey{aead: aead, index: index}
	copy(dk.id[:], id)
	return dk, nil
}

// Current returns the id of the key new values are written with.
func (k *Keyring) Current() string { return k.current.id.String() }

// IDs returns the ids of every key in the ring, the current one first.
func (k *Keyring) IDs() []string {
	out := make([]string, 0, len(k.all))
	for _, dk := range k.all {
		out = append(out, dk.id.String())
	}
	return out
}

// field names the place of a stored value: table, column and the row's
// identity (its id, or a reporter's Telegram user id).
type field struct {
	table, column string
	row           int64
}

func (f field) String() string { return fmt.Sprintf("%s.%s of row %d", f.table, f.column, f.row) }

// ad is the additional data a value is sealed with: its header and place.
func (f field) ad(header []byte) []byte {
	ad := make([]byte, 0, headerLen+len(f.table)+len(f.column)+10)
	ad = append(ad, header[:headerLen]...)
	ad = append(ad, f.table...)
	ad = append(ad, '.')
	ad = append(ad, f.column...)
	ad = append(ad, 0)
	return binary.BigEndian.AppendUint64(ad, uint64(f.row))
}

// seal encrypts v under the current key for its place; "" is stored as NULL.
func (k *Keyring) seal(f field, v string) []byte {
	if v == "" {
		return nil
	}
	dk := k.current
	out := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(v)+dk.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:headerLen], dk.id[:])
	nonce := out[headerLen:]
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return dk.aead.Seal(out, nonce, []byte(v), f.ad(out))
}

// SealStream seals a payload kept in a Redis stream (an update in the
// inbox, a call's parameters in the outbox) for its stream and id: moved to
// another stream or entry it does not open. The pipeline's Sealer.
func (k *Keyring) SealStream(stream string, id int64, v []byte) []byte {
	return k.seal(field{table: "redis", column: stream, row: id}, string(v))
}

// OpenStream opens what SealStream sealed.
func (k *Keyring) OpenStream(stream string, id int64, v []byte) ([]byte, error) {
	s, err := k.open(field{table: "redis", column: stream, row: id}, v)
	return []byte(s), err
}

// open decrypts a value stored at f; NULL is "". A value under a key not in
// the ring is ErrUnknownKey; one that fails authentication is ErrCorrupt.
// Errors name the place and the key id, never the value.
func (k *Keyring) open(f field, v []byte) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	dk, err := k.keyOf(v, headerLen+nonceLen+16)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f, err)
	}
	plain, err := dk.aead.Open(nil, v[headerLen:headerLen+nonceLen], v[headerLen+nonceLen:], f.ad(v))
	if err != nil {
		return "", fmt.Errorf("%s: %w", f, ErrCorrupt)
	}
	return string(plain), nil
}

// keyOf returns the key a stored value names, checking its version and
// its least length.
func (k *Keyring) keyOf(v []byte, minLen int) (*dataKey, error) {
	if len(v) < minLen || v[0] != sealVersion {
		return nil, ErrCorrupt
	}
	var id keyID
	copy(id[:], v[1:headerLen])
	dk := k.byID[id]
	if dk == nil {
		return nil, fmt.Errorf("%w: key id %s", ErrUnknownKey, id)
	}
	return dk, nil
}

// indexWith is the blind index of a nine-digit A-number under dk.
func indexWith(dk *dataKey, aNumber string) []byte {
	mac := hmac.New(sha256.New, dk.index)
	mac.Write([]byte(aNumber))
	out := make([]byte, headerLen, headerLen+sha256.Size)
	out[0] = sealVersion
	copy(out[1:], dk.id[:])
	return mac.Sum(out)
}

// index is the blind index of an A-number under the current key; "" has
// none (NULL).
func (k *Keyring) index(aNumber string) []byte {
	if aNumber == "" {
		return nil
	}
	return indexWith(k.current, aNumber)
}

// indexes are the A-number's blind indexes under every key of the ring:
// while a rotation runs, a row may still be indexed under an old key.
func (k *Keyring) indexes(aNumber string) [][]byte {
	out := make([][]byte, 0, len(k.all))
	for _, dk := range k.all {
		out = append(out, indexWith(dk, aNumber))
	}
	return out
}

// opener decrypts the values of one row and keeps the first error, so that
// a row is read field by field and checked once.
type opener struct {
	keys  *Keyring
	table string
	row   int64
	err   error
}

func (o *opener) open(column string, v []byte) string {
	if o.err != nil {
		return ""
	}
	s, err := o.keys.open(field{o.table, column, o.row}, v)
	if err != nil {
		o.err = err
	}
	return s
}
