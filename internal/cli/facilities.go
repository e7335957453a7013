package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"hotline/internal/app"
	"hotline/internal/config"
	"hotline/storage"
)

// facilitiesCommand is `hotline facilities import FILE.csv`.
func facilitiesCommand(ctx context.Context, getenv func(string) string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "import" {
		fmt.Fprintln(stderr, "usage: hotline facilities import FILE.csv (- for standard input)")
		return 2
	}
	res, err := ImportFacilities(ctx, getenv, args[1], stdin)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "facilities: %d added, %d updated, %d deactivated, %d unchanged\n",
		res.Added, res.Updated, res.Deactivated, res.Unchanged)
	return 0
}

// ImportFacilities refreshes the facility directory from the CSV file at
// path, or from stdin when path is "-" (hotline facilities import FILE.csv):
// the image has no shell or tar to copy a file into, but `kubectl exec -i`
// and `docker compose run -T` pass standard input. It migrates first, so
// that it works on a database no bot has started on yet.
func ImportFacilities(ctx context.Context, getenv func(string) string, path string, stdin io.Reader) (storage.ImportResult, error) {
	cfg, err := config.Load(getenv, config.Need{Database: true})
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
	db, err := app.OpenDatabase(ctx, cfg)
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
