package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"hotline/storage"
)

// importFacilities refreshes the facility directory from the CSV file at
// path, or from stdin when path is "-" (hotline facilities import FILE.csv):
// the image has no shell or tar to copy a file into, but `kubectl exec -i`
// and `docker compose run -T` pass standard input. It migrates first, so
// that it works on a database no bot has started on yet.
func importFacilities(ctx context.Context, getenv func(string) string, path string, stdin io.Reader) (storage.ImportResult, error) {
	cfg, err := loadConfig(getenv, need{database: true})
	if err != nil {
		return storage.ImportResult{}, err
	}
	r, name := stdin, "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return storage.ImportResult{}, err
		}
		defer f.Close()
		r, name = f, path
	}
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return storage.ImportResult{}, err
	}
	defer db.Close()
	res, err := storage.NewFacilities(db).Import(ctx, r)
	if err != nil {
		return storage.ImportResult{}, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}
