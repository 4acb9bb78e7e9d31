package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FerretDB v1 pushes top-level equality filters down to PostgreSQL as
// `_jsonb -> 'field' @> value`, but the indexes it creates are btree indexes
// on `_jsonb -> 'field'`, which cannot serve `@>`. Without help every find,
// update and delete scans its table. This loop gives every field that
// FerretDB indexes a GIN jsonb_path_ops companion on the same expression, so
// the pushed-down filters are answered from an index.

// btreeIndexedFields lists, per FerretDB table, the top-level fields its btree
// indexes cover. FerretDB's own catalog tables (_ferretdb_*) are skipped.
const btreeIndexedFields = `
SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE am.amname = 'btree'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND c.relname NOT LIKE '\_ferretdb\_%'`

var jsonbField = regexp.MustCompile(`\(_jsonb -> '((?:[^']|'')+)'::text\)`)

type companion struct {
	schema, table, field string
}

// name is deterministic, so a companion is created once however often we look.
func (c companion) name() string {
	sum := sha256.Sum256([]byte(c.schema + "\x00" + c.table + "\x00" + c.field))
	return "crm_gin_" + hex.EncodeToString(sum[:12])
}

func (c companion) createSQL() string {
	return fmt.Sprintf(
		`CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((_jsonb -> %s) jsonb_path_ops)`,
		pgx.Identifier{c.name()}.Sanitize(),
		pgx.Identifier{c.schema, c.table}.Sanitize(),
		quoteLiteral(c.field),
	)
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func wantedCompanions(ctx context.Context, pool *pgxpool.Pool) ([]companion, error) {
	rows, err := pool.Query(ctx, btreeIndexedFields)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	seen := map[companion]bool{}
	var wanted []companion
	for rows.Next() {
		var schema, table, definition string
		if err = rows.Scan(&schema, &table, &definition); err != nil {
			return nil, err
		}
		for _, match := range jsonbField.FindAllStringSubmatch(definition, -1) {
			c := companion{schema: schema, table: table, field: strings.ReplaceAll(match[1], "''", "'")}
			if !seen[c] {
				seen[c] = true
				wanted = append(wanted, c)
			}
		}
	}
	return wanted, rows.Err()
}

func existingIndexNames(ctx context.Context, pool *pgxpool.Pool) (map[string]bool, error) {
	rows, err := pool.Query(ctx, `SELECT indexname FROM pg_indexes WHERE indexname LIKE 'crm\_gin\_%'`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	existing := make(map[string]bool, len(names))
	for _, name := range names {
		existing[name] = true
	}
	return existing, nil
}

func syncCompanions(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	wanted, err := wantedCompanions(ctx, pool)
	if err != nil {
		return err
	}
	existing, err := existingIndexNames(ctx, pool)
	if err != nil {
		return err
	}
	for _, c := range wanted {
		if existing[c.name()] {
			continue
		}
		// A table dropped since we listed it fails here; the next pass no longer sees it.
		if _, err = pool.Exec(ctx, c.createSQL()); err != nil {
			logger.Debug("GIN companion not created", "table", c.schema+"."+c.table, "field", c.field, "error", err)
			continue
		}
		logger.Debug("GIN companion created", "table", c.schema+"."+c.table, "field", c.field)
	}
	return nil
}

// maintainGINCompanions runs until ctx is done.
func maintainGINCompanions(ctx context.Context, postgresURL string, every time.Duration, logger *slog.Logger) {
	pool, err := pgxpool.New(ctx, postgresURL)
	if err != nil {
		logger.Error("GIN companions disabled: cannot connect", "error", err)
		return
	}
	defer pool.Close()

	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if err = syncCompanions(ctx, pool, logger); err != nil && ctx.Err() == nil {
			logger.Warn("GIN companion pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
