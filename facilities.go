package main

import (
	"context"
	"fmt"
	"os"

	"hotline/storage"
)

// importFacilities refreshes the facility directory from the CSV file at
// path (hotline facilities import FILE.csv). It migrates first, so that it
// works on a database no bot has started on yet.
func importFacilities(ctx context.Context, getenv func(string) string, path string) (storage.ImportResult, error) {
	cfg, err := loadConfig(getenv, need{database: true})
	if err != nil {
		return storage.ImportResult{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return storage.ImportResult{}, err
	}
	defer f.Close()
	db, err := storage.OpenPostgres(ctx, cfg.DatabaseURL)
	if err != nil {
		return storage.ImportResult{}, err
	}
	defer db.Close()
	if err := storage.Migrate(ctx, db); err != nil {
		return storage.ImportResult{}, err
	}
	res, err := storage.NewFacilities(db).Import(ctx, f)
	if err != nil {
		return storage.ImportResult{}, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
