// Command ferretdb-crm runs FerretDB v1 for local development and tests, on
// PostgreSQL when -postgresql-url is given and on embedded SQLite otherwise.
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
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("sqlite-dir", "data", "directory holding one SQLite file per database")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL; when set, the PostgreSQL handler is used instead of SQLite")
	debug := flag.Bool("debug", false, "log at debug level")
	flag.Parse()

	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := run(*listen, *dataDir, *postgresURL, logger); err != nil {
		logger.Error("ferretdb-crm failed", "error", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, postgresURL string, logger *slog.Logger) error {
	config := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
	}
	if postgresURL != "" {
		config.Handler = "postgresql"
		config.PostgreSQLURL = postgresURL
	} else {
		dir, err := filepath.Abs(dataDir)
		if err != nil {
			return err
		}
		// The SQLite handler refuses a directory that does not exist yet.
		if err = os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		config.Handler = "sqlite"
		config.SQLiteURL = (&url.URL{Scheme: "file", Opaque: filepath.ToSlash(dir) + "/"}).String()
	}

	f, err := ferretdb.New(config)
	if err != nil {
		return fmt.Errorf("constructing FerretDB: %w", err)
	}

	// Cancelling the context makes Run close the listener and the backend
	// cleanly, so SIGTERM from `infra down` never leaves a torn SQLite file.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if postgresURL != "" {
		go maintainGINCompanions(ctx, postgresURL, 500*time.Millisecond, logger)
	}

	logger.Info("ferretdb-crm listening", "addr", listen, "handler", config.Handler)
	if err = f.Run(ctx); err != nil {
		return err
	}
	logger.Info("ferretdb-crm stopped")
	return nil
}
