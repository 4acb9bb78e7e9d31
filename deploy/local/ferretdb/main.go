// Command ferretdb-crm runs FerretDB v1 with its embedded SQLite handler for
// local development and tests.
//
// It exists because `go install github.com/FerretDB/FerretDB/cmd/ferretdb`
// produces a binary that panics at start (build/version/version.txt is not in
// the module zip, FerretDB issue #2982); the embeddable package has no such
// requirement.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("sqlite-dir", "data", "directory holding one SQLite file per database")
	debug := flag.Bool("debug", false, "log at debug level")
	flag.Parse()

	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := run(*listen, *dataDir, logger); err != nil {
		logger.Error("ferretdb-crm failed", "error", err)
		os.Exit(1)
	}
}

func run(listen, dataDir string, logger *slog.Logger) error {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	// The SQLite handler refuses a directory that does not exist yet.
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Opaque: filepath.ToSlash(dir) + "/"}).String(),
	})
	if err != nil {
		return fmt.Errorf("constructing FerretDB: %w", err)
	}

	// Cancelling the context makes Run close the listener and the SQLite
	// files cleanly, so SIGTERM from `infra down` never leaves a torn database.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("ferretdb-crm listening", "addr", listen, "sqlite_dir", dir)
	if err = f.Run(ctx); err != nil {
		return err
	}
	logger.Info("ferretdb-crm stopped")
	return nil
}
